// app/ai_cli.h — `orderpilot ai ask`: a question about one stored order to the configured outside
// model (ai/chat_client.h, docs/ai.md).
//
// The order is read from the data directory (opened with the master key, like `customer
// export`); the question and the order's canonical JSON are redacted with the order's personal
// values before anything leaves the machine; the exact body sent is recorded in the audit chain
// (stream "ai", actor "cli") first; the answer is refilled locally. Errors are one line,
// "orderpilot: <why>", on `err` with exit code 2 (disabled, bad arguments, no master key) or 1
// (no such order, the model failed).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "app/config.h"

namespace orderpilot::app {

struct AiAskRequest {
  int64_t order_id = 0;  // the order's id as the API and the dashboard show it
  std::string question;  // required
  bool json = false;     // print {"answer", "model", "finish_reason", "usage", "sent_body"}
};

int AiAskCommand(const Config& config, const AiAskRequest& request, std::FILE* out, std::FILE* err);

}  // namespace orderpilot::app
