#include "api/internal/access_http.h"

namespace orderpilot::api::internal {

HttpResponse Forbidden(std::string message) {
  HttpResponse r;
  r.status = 403;
  r.body = JsonError("forbidden", message, "");
  return r;
}

HttpResponse NeedsRole(Role needed, const Principal& who) {
  return Forbidden("this route needs the " + std::string(RoleName(needed)) + " role; the key '" +
                   who.name + "' has " + std::string(RoleName(who.role)));
}

HttpResponse TooManyRequests(int64_t retry_after_seconds, std::string_view what) {
  HttpResponse r;
  r.status = 429;
  r.body = JsonError("rate_limited",
                     "too many requests " + std::string(what) + "; retry after " +
                         std::to_string(retry_after_seconds) + " s",
                     "");
  r.headers.emplace_back("Retry-After", std::to_string(retry_after_seconds));
  return r;
}

std::string_view CookieValue(const HttpRequest& req, std::string_view name) {
  for (const auto& [header, value] : req.headers) {
    if (header != "cookie") continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      size_t semi = rest.find(';');
      std::string_view pair = rest.substr(0, semi);
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      size_t eq = pair.find('=');
      if (eq == std::string_view::npos) continue;
      std::string_view key = pair.substr(0, eq);
      while (!key.empty() && key.back() == ' ') key.remove_suffix(1);
      if (key != name) continue;
      std::string_view v = pair.substr(eq + 1);
      while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      return v;
    }
  }
  return {};
}

std::string_view BearerToken(const HttpRequest& req) {
  std::string_view auth = req.Header("authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (auth.size() <= kBearer.size() || auth.substr(0, kBearer.size()) != kBearer) return {};
  return auth.substr(kBearer.size());
}

std::string SessionCookieHeader(std::string_view token, bool secure) {
  std::string c(kSessionCookie);
  c += "=";
  c += token;
  c += "; HttpOnly; SameSite=Strict; Path=/";
  if (token.empty()) c += "; Max-Age=0";
  if (secure) c += "; Secure";
  return c;
}

bool ChangesState(std::string_view method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

}  // namespace orderpilot::api::internal
