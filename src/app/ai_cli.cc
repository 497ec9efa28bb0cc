#include "app/ai_cli.h"

#include "ai/chat_client.h"
#include "ai/sent_log.h"
#include "app/server.h"
#include "core/json_writer.h"
#include "core/order_json.h"
#include "privacy/sealed_store.h"
#include "store/sqlite_store.h"

namespace orderpilot::app {

namespace {

constexpr char kSystemPrompt[] =
    "You assist the operations team of an online store. Answer briefly and concretely. Personal "
    "data is replaced by placeholders such as [CUSTOMER_NAME] or [EMAIL_1]; use them as they are.";

int Fail(std::FILE* err, const Status& s, int code) {
  std::fprintf(err, "orderpilot: %s\n", s.message().c_str());
  return code;
}

}  // namespace

int AiAskCommand(const Config& config, const AiAskRequest& request, std::FILE* out,
                 std::FILE* err) {
  if (!config.ai.enabled) {
    return Fail(err, FailedPreconditionError("ai: disabled in config (ai.enabled: false)"), 2);
  }
  if (request.order_id <= 0) {
    return Fail(err, InvalidArgumentError("name the order: --order <id>"), 2);
  }
  if (request.question.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Fail(err, InvalidArgumentError("ask something: --question <text> or on stdin"), 2);
  }
  SystemClock clock;
  Result<SealedData> data = OpenSealedData(config, clock, nullptr);
  if (!data.ok()) return Fail(err, data.status(), 2);
  Result<store::OrderRecord> record = data->store->GetOrder(OrderId(request.order_id));
  if (!record.ok()) return Fail(err, record.status(), 1);
  Result<Order> order = DecodeOrder(record->order_json);
  if (!order.ok()) {
    return Fail(err,
                InternalError("order " + std::to_string(request.order_id) +
                              " cannot be read: " + order.status().message()),
                1);
  }

  ai::AuditSentLog sent_log(*data->store);
  ai::ChatClient client(config.ai, sent_log);
  ai::ChatRequest chat;
  chat.actor = "cli";
  chat.messages.push_back({"system", kSystemPrompt});
  chat.messages.push_back(
      {"user", request.question + "\n\nThe order (JSON):\n" + record->order_json});
  Result<ai::ChatReply> reply = client.Complete(*order, chat);
  if (!reply.ok()) return Fail(err, reply.status(), 1);

  if (!request.json) {
    std::fprintf(out, "%s\n", reply->content.c_str());
    return 0;
  }
  JsonWriter w;
  w.BeginObject();
  w.Field("answer", reply->content);
  w.Field("model", reply->model);
  w.Field("finish_reason", reply->finish_reason);
  w.Key("usage").BeginObject();
  w.Field("prompt_tokens", reply->usage.prompt_tokens);
  w.Field("completion_tokens", reply->usage.completion_tokens);
  w.Field("total_tokens", reply->usage.total_tokens);
  w.EndObject();
  w.Field("sent_body", reply->sent_body);
  w.EndObject();
  const std::string text = w.Take();
  std::fprintf(out, "%s\n", text.c_str());
  return 0;
}

}  // namespace orderpilot::app
