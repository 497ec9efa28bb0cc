#include "ai/chat_client.h"

#include <cmath>
#include <optional>
#include <utility>

#include "ai/internal/http_post.h"
#include "core/json_dom.h"
#include "core/json_writer.h"

namespace orderpilot::ai {
namespace {

constexpr std::string_view kCompletionsPath = "/chat/completions";
constexpr size_t kMaxQuotedError = 300;

// At most kMaxQuotedError bytes of `s`, control characters as spaces: safe in a Status.
std::string Quote(std::string_view s) {
  std::string out(s.substr(0, kMaxQuotedError));
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  if (s.size() > kMaxQuotedError) out += "…";
  return out;
}

// The vendor's explanation of an error response: error.message (with error.type / code), else
// the start of the body.
std::string VendorError(std::string_view body) {
  Result<simdjson::dom::object> doc = json_dom::ParseObject(body);
  if (doc.ok()) {
    json_dom::ObjectReader root(*doc, "");
    Result<std::optional<json_dom::ObjectReader>> error = root.OptObject("error");
    if (error.ok() && error->has_value()) {
      const json_dom::ObjectReader& e = **error;
      Result<std::string> message = e.String("message");
      Result<std::string> type = e.String("type");
      std::string code;
      if (auto c = e.Find("code"); c.has_value()) {
        if (c->is_string()) {
          code = std::string(std::string_view(c->get_string().value_unsafe()));
        } else if (c->is_int64()) {
          code = std::to_string(c->get_int64().value_unsafe());
        }
      }
      std::string out = message.ok() ? Quote(*message) : std::string();
      std::string kind = type.ok() ? Quote(*type) : std::string();
      if (!code.empty()) kind += (kind.empty() ? "" : ", ") + Quote(code);
      if (!kind.empty()) out += " (" + kind + ")";
      if (!out.empty()) return out;
    }
  }
  if (body.empty()) return "empty body";
  return "body: " + Quote(body);
}

Status StatusForHttp(int status, std::string_view where, std::string_view body) {
  std::string msg = "ai: " + std::string(where) + " answered HTTP " + std::to_string(status) +
                    ": " + VendorError(body);
  if (status == 401 || status == 403) return FailedPreconditionError(msg + " — check ai.api_key");
  if (status == 404) return FailedPreconditionError(msg + " — check ai.base_url and ai.model");
  if (status == 429) return ResourceExhaustedError(msg);
  if (status == 408 || status >= 500) return UnavailableError(msg);
  if (status >= 400) return InvalidArgumentError(msg);
  return UnavailableError(msg);  // 1xx/3xx: redirects are not followed
}

std::string BuildBody(std::string_view model, const std::vector<ChatMessage>& messages,
                      double temperature) {
  size_t size = 128;
  for (const ChatMessage& m : messages) size += m.content.size() + 32;
  JsonWriter w(size);
  w.BeginObject();
  w.Field("model", model);
  w.Key("messages").BeginArray();
  for (const ChatMessage& m : messages) {
    w.BeginObject().Field("role", m.role).Field("content", m.content).EndObject();
  }
  w.EndArray();
  w.Field("temperature", temperature);
  w.EndObject();
  return w.Take();
}

Result<ChatReply> ParseReply(std::string_view body, std::string_view where) {
  auto malformed = [&](const Status& why) {
    return UnavailableError("ai: " + std::string(where) + " sent a malformed response: " +
                            why.message() + (why.field().empty() ? "" : " at " + why.field()));
  };
  Result<simdjson::dom::object> doc = json_dom::ParseObject(body);
  if (!doc.ok()) return malformed(doc.status());
  json_dom::ObjectReader root(*doc, "");
  ChatReply reply;
  Result<std::optional<simdjson::dom::array>> choices = root.OptArray("choices");
  if (!choices.ok()) return malformed(choices.status());
  if (!choices->has_value() || (**choices).size() == 0)
    return malformed(UnprocessableError("no choices", "choices"));
  Result<json_dom::ObjectReader> first =
      json_dom::AsObject((**choices).at(0).value_unsafe(), "choices[0]");
  if (!first.ok()) return malformed(first.status());
  Result<std::optional<json_dom::ObjectReader>> message = first->OptObject("message");
  if (!message.ok()) return malformed(message.status());
  if (!message->has_value())
    return malformed(UnprocessableError("missing message", "choices[0].message"));
  Result<std::optional<std::string_view>> content = (**message).OptString("content");
  if (!content.ok()) return malformed(content.status());
  if (!content->has_value())
    return malformed(UnprocessableError("no text content", "choices[0].message.content"));
  reply.redacted_content = std::string(**content);
  Result<std::string> finish = first->String("finish_reason");
  if (!finish.ok()) return malformed(finish.status());
  reply.finish_reason = std::move(*finish);
  Result<std::string> model = root.String("model");
  if (!model.ok()) return malformed(model.status());
  reply.model = std::move(*model);
  Result<std::optional<json_dom::ObjectReader>> usage = root.OptObject("usage");
  if (!usage.ok()) return malformed(usage.status());
  if (usage->has_value()) {
    const json_dom::ObjectReader& u = **usage;
    for (auto [key, field] : {std::pair{"prompt_tokens", &reply.usage.prompt_tokens},
                              std::pair{"completion_tokens", &reply.usage.completion_tokens},
                              std::pair{"total_tokens", &reply.usage.total_tokens}}) {
      Result<std::optional<int64_t>> v = u.OptInt(key);
      if (!v.ok()) return malformed(v.status());
      *field = v->value_or(0);
    }
  }
  return reply;
}

}  // namespace

ChatClient::ChatClient(AiOptions options, SentLog& sent_log)
    : options_(std::move(options)), sent_log_(sent_log) {}

Status ChatClient::Validate(const AiOptions& options) {
  if (!options.enabled) return Status::Ok();
  if (options.base_url.empty())
    return InvalidArgumentError("ai.base_url is required when ai.enabled is true", "ai.base_url");
  Result<internal::BaseUrl> url = internal::ParseBaseUrl(options.base_url);
  if (!url.ok()) return InvalidArgumentError(url.status().message(), "ai.base_url");
  if (!url->tls && !options.allow_plain_http && !internal::IsLoopbackHost(url->host)) {
    return InvalidArgumentError(
        "ai.base_url: plain http:// is only allowed to a loopback host; use https://",
        "ai.base_url");
  }
  if (options.model.empty())
    return InvalidArgumentError("ai.model is required when ai.enabled is true", "ai.model");
  if (options.timeout.count() <= 0)
    return InvalidArgumentError("ai.timeout_ms must be positive", "ai.timeout_ms");
  if (options.api_key.find_first_of("\r\n") != std::string::npos)
    return InvalidArgumentError("ai.api_key holds a line break", "ai.api_key");
  return Status::Ok();
}

Result<ChatReply> ChatClient::Complete(const Order& order, const ChatRequest& request) const {
  if (!options_.enabled) {
    return FailedPreconditionError("ai: the outside model is disabled (ai.enabled is false)");
  }
  privacy::Redactor redactor(order, request.extra_values);
  return Complete(redactor, request);
}

Result<ChatReply> ChatClient::Complete(privacy::Redactor& redactor,
                                       const ChatRequest& request) const {
  if (!options_.enabled) {
    return FailedPreconditionError("ai: the outside model is disabled (ai.enabled is false)");
  }
  OP_RETURN_IF_ERROR(Validate(options_));
  OP_ASSIGN_OR_RETURN(internal::BaseUrl url, internal::ParseBaseUrl(options_.base_url));
  if (request.messages.empty()) return InvalidArgumentError("ai: a request needs a message");
  if (!std::isfinite(request.temperature) || request.temperature < 0 || request.temperature > 2)
    return InvalidArgumentError("ai: temperature must be between 0 and 2");

  std::vector<ChatMessage> redacted;
  redacted.reserve(request.messages.size());
  for (const ChatMessage& m : request.messages) {
    if (m.role != "system" && m.role != "user" && m.role != "assistant")
      return InvalidArgumentError("ai: unknown message role '" + Quote(m.role) + "'");
    redacted.push_back({m.role, redactor.Redact(m.content)});
  }
  std::string body = BuildBody(options_.model, redacted, request.temperature);

  // Defence in depth: what is about to leave is checked again, as text and as JSON.
  for (size_t i = 0; i < redacted.size(); ++i) {
    std::vector<privacy::Leak> leaks = redactor.FindLeaks(redacted[i].content);
    if (!leaks.empty()) {
      return InternalError("ai: refusing to send: " + leaks[0].placeholder +
                           " is still in message " + std::to_string(i) + " at byte " +
                           std::to_string(leaks[0].offset) + " after redaction");
    }
  }
  if (std::vector<privacy::Leak> leaks = redactor.FindLeaks(body); !leaks.empty()) {
    return InternalError("ai: refusing to send: " + leaks[0].placeholder +
                         " is still in the request body at byte " +
                         std::to_string(leaks[0].offset) + " after redaction");
  }

  const std::string endpoint = url.ToString() + std::string(kCompletionsPath);
  OP_RETURN_IF_ERROR(sent_log_.Record({endpoint, body, options_.model, request.actor}));

  std::vector<std::pair<std::string, std::string>> headers = {
      {"Content-Type", "application/json"},
      {"Accept", "application/json"},
      {"User-Agent", "orderpilot"},
  };
  if (!options_.api_key.empty())
    headers.emplace_back("Authorization", "Bearer " + options_.api_key);
  internal::PostOptions post;
  post.timeout = options_.timeout;
  post.ca_file = options_.ca_file;
  Result<internal::PostResponse> response =
      internal::Post(url, kCompletionsPath, headers, body, post);
  if (!response.ok()) return UnavailableError("ai: " + response.status().message());
  if (response->status < 200 || response->status > 299)
    return StatusForHttp(response->status, endpoint, response->body);

  OP_ASSIGN_OR_RETURN(ChatReply reply, ParseReply(response->body, endpoint));
  reply.content = redactor.Refill(reply.redacted_content);
  reply.sent_body = std::move(body);
  return reply;
}

}  // namespace orderpilot::ai
