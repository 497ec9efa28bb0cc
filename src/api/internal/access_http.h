// api/internal/access_http.h — the HTTP side of access control: 403 and 429 bodies, the session
// cookie in and out.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "api/access.h"
#include "api/http_server.h"

namespace orderpilot::api::internal {

inline constexpr std::string_view kSessionCookie = "op_session";

// 403 {"error":{"code":"forbidden","message":…}}.
HttpResponse Forbidden(std::string message);
// 403 naming the role a route needs and the one the caller has.
HttpResponse NeedsRole(Role needed, const Principal& who);
// 429 {"error":{"code":"rate_limited",…}} with Retry-After: `retry_after_seconds`.
HttpResponse TooManyRequests(int64_t retry_after_seconds, std::string_view what);

// The value of cookie `name` in the request's Cookie header(s); "" when absent.
std::string_view CookieValue(const HttpRequest& req, std::string_view name);
// The Bearer token of the Authorization header; "" when absent or not Bearer.
std::string_view BearerToken(const HttpRequest& req);
// Set-Cookie value for a new session (a browser-session cookie: the server ends it when idle), or,
// with an empty token, one that deletes the cookie.
std::string SessionCookieHeader(std::string_view token, bool secure);
// True for methods that may change state (anything but GET, HEAD, OPTIONS).
bool ChangesState(std::string_view method);

}  // namespace orderpilot::api::internal
