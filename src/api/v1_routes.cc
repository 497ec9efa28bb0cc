// The /v1 route table of ApiService — every route with its minimum role, in one place — and the
// dispatcher that applies access control before a route's handler runs (api/service.h).
#include <spdlog/spdlog.h>

#include <cstdint>

#include "api/http_errors.h"
#include "api/internal/access_http.h"
#include "api/key_directory.h"
#include "api/service.h"
#include "api/session.h"
#include "ingest/card_scrub.h"

namespace orderpilot::api {

using internal::ChangesState;

// The one table. A route missing here does not exist, so none can be reached without its role.
std::span<const ApiService::V1Route> ApiService::V1Table() {
  using S = ApiService;
  using C = V1Call;
  constexpr Role kViewer = Role::kViewer;
  constexpr Role kOperator = Role::kOperator;
  constexpr Role kAdmin = Role::kAdmin;
  static const V1Route kRoutes[] = {
      // Orders.
      {{"GET", "/v1/orders", kViewer}, [](S& s, const C& c) { return s.ListOrders(c.req); }},
      {{"POST", "/v1/orders", kOperator},
       [](S& s, const C& c) { return s.CreateOrder(c.req, c.who, c.card_data_removed); }},
      {{"GET", "/v1/orders/{id}", kViewer},
       [](S& s, const C& c) { return s.GetOrder(c.params[0]); }},
      {{"POST", "/v1/orders/{id}/shipments", kOperator},
       [](S& s, const C& c) { return s.ShipOrder(c.req, c.params[0], c.who); }},
      // The review queue.
      {{"GET", "/v1/reviews", kViewer}, [](S& s, const C& c) { return s.ListReviews(c.req); }},
      {{"GET", "/v1/reviews/stats", kViewer},
       [](S& s, const C& c) { return s.ReviewStats(c.req); }},
      {{"POST", "/v1/reviews/decide", kOperator},
       [](S& s, const C& c) { return s.BulkDecide(c.req, c.who); }},
      {{"GET", "/v1/reviews/{id}", kViewer},
       [](S& s, const C& c) { return s.GetReview(c.params[0]); }},
      {{"POST", "/v1/reviews/{id}/approve", kOperator},
       [](S& s, const C& c) { return s.DecideReview(c.req, c.params[0], true, c.who); }},
      {{"POST", "/v1/reviews/{id}/reject", kOperator},
       [](S& s, const C& c) { return s.DecideReview(c.req, c.params[0], false, c.who); }},
      {{"POST", "/v1/reviews/{id}/claim", kOperator},
       [](S& s, const C& c) { return s.ClaimReview(c.req, c.params[0], false, c.who); }},
      {{"POST", "/v1/reviews/{id}/release", kOperator},
       [](S& s, const C& c) { return s.ClaimReview(c.req, c.params[0], true, c.who); }},
      {{"POST", "/v1/reviews/{id}/reverse", kOperator},
       [](S& s, const C& c) { return s.ReverseReview(c.req, c.params[0], c.who); }},
      // Rules and their side effects.
      {{"GET", "/v1/rules", kViewer}, [](S& s, const C&) { return s.ListRules(); }},
      {{"POST", "/v1/rules/reload", kAdmin}, [](S& s, const C& c) { return s.ReloadRules(c.who); }},
      {{"GET", "/v1/outbox", kViewer}, [](S& s, const C& c) { return s.ListOutbox(c.req); }},
      // Locations and stock.
      {{"GET", "/v1/locations", kViewer}, [](S& s, const C&) { return s.ListLocations(); }},
      {{"GET", "/v1/inventory", kViewer}, [](S& s, const C& c) { return s.ListStock(c.req); }},
      {{"POST", "/v1/inventory/adjustments", kOperator},
       [](S& s, const C& c) { return s.AdjustStock(c.req, c.who); }},
      {{"GET", "/v1/inventory/incoming", kViewer},
       [](S& s, const C& c) { return s.ListIncoming(c.req); }},
      {{"GET", "/v1/inventory/reorder", kViewer}, [](S& s, const C&) { return s.ReorderReport(); }},
      {{"POST", "/v1/inventory/purchase_orders", kOperator},
       [](S& s, const C& c) { return s.AddPurchaseOrder(c.req); }},
      {{"POST", "/v1/inventory/purchase_orders/{po}/receive", kOperator},
       [](S& s, const C& c) { return s.ReceivePurchaseOrder(c.params[0], c.who); }},
      // Sessions (the dashboard) and keys.
      {{"POST", "/v1/session", Role::kAnyone}, [](S& s, const C& c) { return s.Login(c.req); }},
      {{"GET", "/v1/session", kViewer}, [](S& s, const C& c) { return s.WhoAmI(c); }},
      {{"DELETE", "/v1/session", kViewer}, [](S& s, const C& c) { return s.Logout(c); }},
      {{"GET", "/v1/keys", kAdmin}, [](S& s, const C&) { return s.ListKeys(); }},
      // Privacy: requests and their deadlines, a person's export or erasure.
      {{"GET", "/v1/privacy/requests", kAdmin},
       [](S& s, const C& c) { return s.ListPrivacyRequests(c.req); }},
      {{"POST", "/v1/customers/export", kAdmin},
       [](S& s, const C& c) { return s.CustomerPrivacy(c.req, false, c.who); }},
      {{"POST", "/v1/customers/erase", kAdmin},
       [](S& s, const C& c) { return s.CustomerPrivacy(c.req, true, c.who); }},
  };
  return kRoutes;
}

std::vector<RouteSpec> ApiService::V1Routes() {
  std::vector<RouteSpec> out;
  for (const V1Route& r : V1Table()) out.push_back(r.spec);
  return out;
}

bool ApiService::MatchRoute(std::string_view pattern, std::string_view path,
                            std::vector<std::string_view>* params) {
  size_t matched = 0;
  while (true) {
    const size_t ps = pattern.find('/'), xs = path.find('/');
    const std::string_view p = pattern.substr(0, ps), x = path.substr(0, xs);
    if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
      if (x.empty()) break;
      if (params) params->push_back(x);
      ++matched;
    } else if (p != x) {
      break;
    }
    if (ps == std::string_view::npos || xs == std::string_view::npos) {
      if (ps == xs) return true;
      break;
    }
    pattern.remove_prefix(ps + 1);
    path.remove_prefix(xs + 1);
  }
  if (params) params->resize(params->size() - matched);
  return false;
}

std::optional<ApiService::Caller> ApiService::Authenticate(const HttpRequest& req) {
  // A key, when sent, decides: a bad key is not rescued by a cookie.
  if (!req.Header("authorization").empty()) {
    std::optional<Principal> who = keys_->Authenticate(internal::BearerToken(req));
    if (!who) return std::nullopt;
    return Caller{std::move(*who), "", ""};
  }
  std::string_view token = internal::CookieValue(req, internal::kSessionCookie);
  if (token.empty()) return std::nullopt;
  std::optional<Session> session = sessions_->Touch(token);
  if (!session) return std::nullopt;
  if (!keys_->StillValid(session->principal)) {  // its key was revoked: the session ends too
    sessions_->Remove(token);
    return std::nullopt;
  }
  return Caller{std::move(session->principal), std::string(token), std::move(session->csrf_token)};
}

HttpResponse ApiService::RouteV1(const HttpRequest& req, std::string& route) {
  // Per address first: unauthenticated guessing pays too.
  if (int64_t wait = per_address_->Take(req.remote_address)) {
    route = "/v1/rate_limited";
    return internal::TooManyRequests(wait, "from this address");
  }
  // The routes whose pattern matches the path with the fewest placeholders (a literal segment
  // beats {id}: /v1/reviews/stats is never review "stats"), then the one of the method.
  const V1Route* match = nullptr;
  size_t fewest = SIZE_MAX;
  std::vector<std::string_view> params;
  for (const V1Route& r : V1Table()) {
    std::vector<std::string_view> p;
    if (!MatchRoute(r.spec.pattern, req.path, &p) || p.size() > fewest) continue;
    if (p.size() < fewest) match = nullptr;
    fewest = p.size();
    if (!match && r.spec.method == req.method) {
      match = &r;
      params = std::move(p);
    }
  }
  const bool path_known = fewest != SIZE_MAX;
  static const std::vector<std::string> kNothingRemoved;
  if (match && match->spec.min_role == Role::kAnyone) {
    route = std::string(match->spec.pattern);
    const Principal nobody;
    return match->handle(*this, V1Call{req, std::move(params), nobody, kNothingRemoved, {}});
  }

  std::optional<Caller> caller = Authenticate(req);
  if (!caller) {
    route = "/v1/unauthenticated";
    return ErrorResponse(UnauthenticatedError(
        "missing, unknown or revoked API key (send Authorization: Bearer <key>), or no live "
        "session"));
  }
  if (!caller->session_token.empty() && ChangesState(req.method) &&
      !SameSecret(req.Header("x-csrf-token"), caller->csrf_token)) {
    route = "/v1/forbidden";
    return internal::Forbidden(
        "a request authenticated by the session cookie must send the session's X-CSRF-Token");
  }
  if (int64_t wait = per_key_->Take(caller->who.credential)) {
    route = "/v1/rate_limited";
    return internal::TooManyRequests(wait, "for this key");
  }
  if (!path_known) return ErrorResponse(NotFoundError("no such route: " + req.path));
  if (!match) {
    route = "/v1/method_not_allowed";
    HttpResponse r = ErrorResponse(
        {StatusCode::kNotFound, "method " + req.method + " is not supported on " + req.path});
    r.status = 405;
    return r;
  }
  route = std::string(match->spec.pattern);
  if (!RoleAllows(caller->who.role, match->spec.min_role)) {
    spdlog::info("{} {} refused: key '{}' is {}, the route needs {}", req.method, req.path,
                 caller->who.name, RoleName(caller->who.role), RoleName(match->spec.min_role));
    return internal::NeedsRole(match->spec.min_role, caller->who);
  }
  // Card numbers and security codes out of every body before a handler reads it: an order's
  // note, a review comment, a corrected address, an adjustment's reason (ingest/card_scrub.h).
  if (req.body.empty()) {
    return match->handle(
        *this, V1Call{req, std::move(params), caller->who, kNothingRemoved, caller->session_token});
  }
  auto scrubbed = ingest::ScrubCardData(req.body);
  if (!scrubbed.ok()) return ErrorResponse(scrubbed.status());
  if (scrubbed->removed_from.empty()) {
    return match->handle(
        *this, V1Call{req, std::move(params), caller->who, kNothingRemoved, caller->session_token});
  }
  HttpRequest clean = req;
  clean.body = std::move(scrubbed->json);
  // The params view the original path; re-match them against the copy's.
  std::vector<std::string_view> clean_params;
  MatchRoute(match->spec.pattern, clean.path, &clean_params);
  return match->handle(*this, V1Call{clean, std::move(clean_params), caller->who,
                                     scrubbed->removed_from, caller->session_token});
}

}  // namespace orderpilot::api
