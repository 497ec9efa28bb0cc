// The session and key routes of ApiService (api/service.h lists them; api/session.h has the
// session rules).
#include <simdjson.h>
#include <spdlog/spdlog.h>

#include "api/http_errors.h"
#include "api/internal/access_http.h"
#include "api/internal/route_util.h"
#include "api/key_directory.h"
#include "api/service.h"
#include "api/session.h"
#include "core/json_writer.h"

namespace orderpilot::api {
namespace {

using internal::Json;

// The key of a login: the Bearer token, else {"key": "..."} in the body.
Result<std::string> LoginKey(const HttpRequest& req) {
  std::string_view bearer = internal::BearerToken(req);
  if (!bearer.empty()) return std::string(bearer);
  if (req.body.empty()) {
    return UnauthenticatedError("send the API key as {\"key\": …} or Authorization: Bearer <key>");
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(req.body.data(), req.body.size()).get(doc) != simdjson::SUCCESS ||
      !doc.is_object()) {
    return InvalidArgumentError("the body must be a JSON object {\"key\": …}", "body");
  }
  simdjson::dom::element field;
  if (doc["key"].get(field) != simdjson::SUCCESS) {
    return UnauthenticatedError("send the API key as {\"key\": …} or Authorization: Bearer <key>");
  }
  std::string_view key;
  if (field.get(key) != simdjson::SUCCESS)
    return UnprocessableError("'key' must be a string", "key");
  return std::string(key);
}

void OptionalTime(JsonWriter& w, std::string_view key, const std::optional<Timestamp>& t) {
  if (t) {
    w.Field(key, FormatTimestamp(*t));
  } else {
    w.Key(key).Null();
  }
}

}  // namespace

HttpResponse ApiService::Login(const HttpRequest& req) {
  auto key = LoginKey(req);
  if (!key.ok()) return ErrorResponse(key.status());
  std::optional<Principal> who = keys_->Authenticate(*key);
  if (!who) return ErrorResponse(UnauthenticatedError("unknown or revoked API key"));
  if (int64_t wait = per_key_->Take(who->credential))
    return internal::TooManyRequests(wait, "for this key");
  JsonWriter w;
  w.BeginObject()
      .Field("name", who->name)
      .Field("role", RoleName(who->role))
      .Field("idle_timeout_seconds", static_cast<int64_t>(sessions_->idle_timeout().count()));
  spdlog::info("session opened for key '{}' from {}", who->name, req.remote_address);
  NewSession s = sessions_->Create(std::move(*who));
  w.Field("csrf_token", s.csrf_token).EndObject();
  HttpResponse r = Json(201, w.Take());
  const bool secure = options_.access.secure_cookie || req.Header("x-forwarded-proto") == "https";
  r.headers.emplace_back("Set-Cookie", internal::SessionCookieHeader(s.token, secure));
  return r;
}

HttpResponse ApiService::Logout(const V1Call& call) {
  const bool ended = sessions_->Remove(call.session_token);
  JsonWriter w;
  w.BeginObject().Field("logged_out", ended).EndObject();
  HttpResponse r = Json(200, w.Take());
  if (ended) {
    const bool secure =
        options_.access.secure_cookie || call.req.Header("x-forwarded-proto") == "https";
    r.headers.emplace_back("Set-Cookie", internal::SessionCookieHeader("", secure));
  }
  return r;
}

HttpResponse ApiService::WhoAmI(const V1Call& call) {
  JsonWriter w;
  w.BeginObject()
      .Field("name", call.who.name)
      .Field("role", RoleName(call.who.role))
      .Field("via", call.session_token.empty() ? "key" : "session")
      .EndObject();
  return Json(200, w.Take());
}

HttpResponse ApiService::ListKeys() {
  JsonWriter w;
  w.BeginObject().Key("configured").BeginArray();
  for (const ApiKey& k : options_.api_keys) {
    w.BeginObject().Field("name", k.name).Field("role", RoleName(k.role)).EndObject();
  }
  w.EndArray().Key("stored").BeginArray();
  for (const store::ApiKeyRecord& k : keys_->StoredKeys()) {
    w.BeginObject()
        .Field("name", k.name)
        .Field("role", k.role)
        .Field("prefix", k.prefix)
        .Field("created_at", FormatTimestamp(k.created_at));
    OptionalTime(w, "revoked_at", k.revoked_at);
    OptionalTime(w, "last_used_at", k.last_used_at);
    w.EndObject();
  }
  w.EndArray().EndObject();
  return Json(200, w.Take());
}

}  // namespace orderpilot::api
