// ai/chat_client.h — a client for an outside language model behind an OpenAI-compatible
// `POST {base_url}/chat/completions` endpoint, always behind privacy redaction.
//
// Invariants (docs/ai.md):
//  - Off by default: a client whose options say enabled = false refuses every request
//    (FailedPrecondition) and opens no connection.
//  - Every message is redacted (privacy/redaction.h) before the body is built; the answer is
//    refilled locally. The body is checked again before it leaves: if a known personal value or
//    a card number is still found in it, the request is refused (Internal) and nothing is sent
//    or recorded.
//  - The exact body that leaves the machine is recorded through the injected SentLog before the
//    connection is opened; if recording fails nothing is sent. The API key is never recorded.
//  - Plain http:// only to a loopback host unless allow_plain_http; https verifies the server.
//
// Thread-safety: Complete is const and may be called from many threads at once (each call has
// its own connection and, for the Order overload, its own Redactor); the SentLog must be
// thread-safe. The Redactor overload changes the given Redactor: one caller at a time per
// Redactor.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ai/sent_log.h"
#include "core/order.h"
#include "core/status.h"
#include "privacy/redaction.h"

namespace orderpilot::ai {

// Configuration (YAML `ai:` in orderpilot.yaml, see docs/ai.md).
struct AiOptions {
  // Default: false — nothing is ever sent.
  bool enabled = false;
  // "https://api.openai.com/v1"; "/chat/completions" is appended. Required when enabled.
  std::string base_url;
  // Sent as "Authorization: Bearer <api_key>"; omitted when empty (local servers).
  std::string api_key;
  // "gpt-4o-mini". Required when enabled.
  std::string model;
  // Bound on one whole request (connect, TLS, send, wait for the answer). Default: 30 s.
  std::chrono::milliseconds timeout{30000};
  // PEM bundle to trust instead of the system's CA store (private CAs, tests). Default: "".
  std::string ca_file;
  // Allow http:// to a host that is not loopback (the key and redacted text travel in clear).
  // Default: false.
  bool allow_plain_http = false;
};

struct ChatMessage {
  std::string role;  // "system", "user" or "assistant"
  std::string content;
};

struct ChatRequest {
  std::vector<ChatMessage> messages;  // at least one
  double temperature = 0.2;           // 0..2
  std::string actor;                  // who asks, recorded with the sent body; may be empty
  // More personal values for the Order overload of Complete (a ticket's sender, …).
  std::vector<privacy::KnownValue> extra_values = {};
};

struct ChatUsage {
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  int64_t total_tokens = 0;
};

struct ChatReply {
  std::string content;           // the answer with the real values put back
  std::string redacted_content;  // the answer as the model wrote it (placeholders)
  std::string model;             // as the endpoint reports it
  std::string finish_reason;     // "stop", "length", … ("" when absent)
  ChatUsage usage;               // zeros when the endpoint reports none
  std::string sent_body;         // the exact request body that left the machine
};

class ChatClient {
 public:
  // `sent_log` must outlive the client. Options are checked by Complete, so that a disabled
  // client can always be built.
  ChatClient(AiOptions options, SentLog& sent_log);

  // Checks options that are enabled: InvalidArgument naming the key (ai.base_url, ai.model,
  // ai.timeout_ms) when one is missing or bad; OK for disabled options.
  static Status Validate(const AiOptions& options);

  // Asks the model about `order`: the messages are redacted with the order's personal values
  // (privacy::KnownValuesOf) plus request.extra_values.
  // Errors (messages never hold a personal value):
  //   FailedPrecondition  disabled; or the endpoint refused the key (401, 403) or does not know
  //                       the path or model (404) — a configuration problem
  //   InvalidArgument     bad options or request; the endpoint refused the request (other 4xx)
  //   ResourceExhausted   the endpoint's rate limit or quota (429)
  //   Unavailable         network failure, timeout, 5xx, or a response that is not the
  //                       expected JSON
  //   Internal            a personal value or card number survived redaction (nothing sent)
  //   anything the SentLog returns (nothing sent)
  // The vendor's error.message is quoted in the Status message.
  Result<ChatReply> Complete(const Order& order, const ChatRequest& request) const;

  // As above with a caller's Redactor (which learns the values found and keeps its
  // placeholders); request.extra_values is ignored.
  Result<ChatReply> Complete(privacy::Redactor& redactor, const ChatRequest& request) const;

  const AiOptions& options() const { return options_; }

 private:
  AiOptions options_;
  SentLog& sent_log_;
};

}  // namespace orderpilot::ai
