// ai/sent_log.h — where the exact text that left the machine is recorded.
//
// ChatClient records every request body (after redaction, byte for byte as sent) here before it
// opens the connection: if recording fails, nothing is sent. AuditSentLog appends it to the
// audit chain (store::Store::AppendAudit, stream "ai", type "ai.request_sent"), so that an owner
// can see what an outside model was told (docs/ai.md). The API key is never recorded.
#pragma once

#include <string_view>

#include "core/status.h"

namespace orderpilot::store {
class Store;
}  // namespace orderpilot::store

namespace orderpilot::ai {

struct SentRequest {
  std::string_view endpoint;  // "https://api.openai.com/v1/chat/completions"
  std::string_view body;      // the exact request body, redacted
  std::string_view model;
  std::string_view actor;  // who asked ("api:<key name>", "support", …); may be empty
};

// Thread-safety: implementations must accept concurrent calls (one ChatClient serves many
// threads).
class SentLog {
 public:
  virtual ~SentLog() = default;
  // Durable on an OK return. A non-OK Status stops the request from being sent.
  virtual Status Record(const SentRequest& sent) = 0;
};

// Appends {"endpoint", "body", "model"} as an "ai.request_sent" event to the audit stream "ai",
// with the request's actor ("ai" when empty). `store` must outlive it. Thread-safe.
class AuditSentLog final : public SentLog {
 public:
  explicit AuditSentLog(store::Store& store) : store_(store) {}
  Status Record(const SentRequest& sent) override;

 private:
  store::Store& store_;
};

}  // namespace orderpilot::ai
