// api/service.h — orderpilot's HTTP routes: webhooks, the /v1 REST API, health and metrics.
//
// Routes outside /v1:
//   GET  /healthz                         liveness; no auth
//   GET  /metrics                         Prometheus text; no auth (bind to loopback or firewall)
//   POST /webhooks/shopify                Shopify webhooks, HMAC-verified, deduplicated,
//                                         rate-limited per shop (429 + Retry-After: Shopify
//                                         retries, nothing is stored for a refused delivery)
// The /v1 routes, each with its minimum role, are the one table ApiService::V1Routes()
// (api/v1_routes.cc); docs/access.md lists them. The main ones:
//   POST /v1/orders                       canonical order JSON
//   GET  /v1/orders/{id}                  state + canonical order + event timeline
//   GET  /v1/orders?state=&limit=&cursor= newest first, {"items": [...], "next_cursor": ...}
//   GET  /v1/reviews?status=&kind=&claimed_by=&order_id=&overdue=&limit=&cursor=
//   GET  /v1/reviews/{id}                 the item with its order's summary
//   POST /v1/reviews/{id}/claim|release   {"reviewer"?}; 409 when somebody else holds it
//   POST /v1/reviews/{id}/approve|reject  {"comment"?, "reviewer"?, "changes"?}; who = reviewer,
//                                         else the API key's name; changes = modify-and-approve
//   POST /v1/reviews/{id}/reverse         undo an automatic decision {"comment"?, "reviewer"?}
//   POST /v1/reviews/decide               bulk: {"ids": [...], "decision": "approve"|"reject"}
//   GET  /v1/reviews/stats?days=30        earned autonomy per kind and rule, with suggestions
//   GET  /v1/rules                        the rules running now (name, trigger, condition, …)
//   POST /v1/rules/reload                 re-reads the rule files; a bad file is refused whole
//                                         (422 with every error) and the old rules keep running
//   GET  /v1/outbox?limit=                side effects written by rules, newest first
//   POST /v1/orders/{id}/shipments        {"carrier", "tracking_number", "location"?, "service"?}
//   GET  /v1/locations                    the configured locations
//   GET  /v1/inventory?sku=&location=&limit=&cursor=   stock levels and available-to-sell
//   POST /v1/inventory/adjustments        set or delta, with a reason and an idempotency key
//   GET  /v1/inventory/incoming?sku=      open purchase-order lines
//   POST /v1/inventory/purchase_orders    {"purchase_order", "lines": [...]}
//   POST /v1/inventory/purchase_orders/{po}/receive
//   GET  /v1/inventory/reorder            forecasts and what to reorder, how much, by when
//   POST|GET|DELETE /v1/session           dashboard login (key → cookie + CSRF token), whoami,
//                                         logout (api/session.h)
//   GET  /v1/keys                         the stored API keys (never a secret or hash)
//
// Access (docs/access.md): /v1 requests are rate-limited per source address, then
// authenticated by `Authorization: Bearer <key>` or the `op_session` cookie (401 otherwise),
// cookie requests that change state need X-CSRF-Token (403), then rate-limited per key (429 with
// Retry-After), then matched (404/405) and checked against the route's minimum role (403
// {"code":"forbidden"}).
//
// Invariant: a 2xx to a write is sent only after the store reports it durable; a rejected
// request writes nothing. Thread-safety: Handle may be called concurrently.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "api/access.h"
#include "api/http_server.h"
#include "api/metrics.h"
#include "api/rate_limiter.h"
#include "core/time.h"
#include "pipeline/allocation.h"
#include "pipeline/pipeline.h"
#include "review/policy.h"
#include "rules/engine.h"
#include "store/access_keys.h"
#include "store/store.h"

namespace orderpilot::privacy {
class SealedStore;
}  // namespace orderpilot::privacy

namespace orderpilot::api {

struct ShopSecret {
  std::string domain;  // "demo-shop.myshopify.com"; "*" accepts any shop domain
  std::string secret;  // the app's client secret, used for X-Shopify-Hmac-Sha256
};

// A key from the configuration file.
struct ApiKey {
  std::string name;  // recorded as the actor of what the key does
  std::string key;
  Role role = Role::kAdmin;  // Default: admin (setups from before roles keep working)
};

struct AccessOptions {
  // Keys created with `orderpilot keys create`; null: configured keys only. Not owned.
  store::AccessKeys* stored_keys = nullptr;
  std::chrono::seconds session_idle_timeout{30 * 60};  // Default: 30 min
  // Mark the session cookie Secure. Default: false (the server speaks plain HTTP); set it when a
  // TLS proxy is in front. A request with X-Forwarded-Proto: https gets Secure regardless.
  bool secure_cookie = false;
  RateLimit per_key{1000, 2000};      // /v1 requests per key (or session's key)
  RateLimit per_address{2000, 4000};  // /v1 requests per source address, before auth
  RateLimit per_shop{5000, 20000};    // webhook deliveries per shop, after the HMAC check
};

// One /v1 route as the access table declares it.
struct RouteSpec {
  std::string_view method;   // "GET", "POST", "DELETE"
  std::string_view pattern;  // "/v1/reviews/{id}/approve"; {name} matches one path segment
  Role min_role;             // the least role that may call it
};

struct ServiceOptions {
  std::vector<ShopSecret> shops;
  std::vector<ApiKey> api_keys;
  const rules::RuleEngine* rules = nullptr;  // for GET /v1/rules; not owned
  std::function<Status()> reload_rules;      // for POST /v1/rules/reload
  // Locations, catalog and carriers, or null when fulfillment is not configured. Not owned.
  const pipeline::FulfillmentSetup* fulfillment = nullptr;
  int64_t shopify_buffer = 0;  // units held back from Shopify (inventory.shopify_buffer)
  // Builds the reorder report (JSON) for GET /v1/inventory/reorder; unset = 409.
  std::function<Result<std::string>()> reorder_report;
  // Autonomy per decision kind, for the suggestions of GET /v1/reviews/stats. Null: defaults.
  const review::AutonomyPolicy* autonomy = nullptr;
  AccessOptions access;
  // The encrypted store (the same object as the service's store) for the admin's customer
  // export and erasure; null: those routes answer 409. Not owned.
  privacy::SealedStore* sealed = nullptr;
};

class KeyDirectory;
class SessionStore;

class ApiService {
 public:
  ApiService(store::Store& store, pipeline::Pipeline& pipeline, const Clock& clock,
             ServiceOptions options);
  ~ApiService();

  HttpResponse Handle(const HttpRequest& request);
  MetricsRegistry& metrics() { return *metrics_; }

  // Every /v1 route with its minimum role: the table the dispatcher uses (tests walk it).
  static std::vector<RouteSpec> V1Routes();
  // Whether `path` matches `pattern` ({x} = one non-empty segment); the segments matched by the
  // placeholders are appended to `params` when given.
  static bool MatchRoute(std::string_view pattern, std::string_view path,
                         std::vector<std::string_view>* params = nullptr);

 private:
  struct Instruments;
  // What a /v1 handler gets: the request (card data removed from its body), the placeholders'
  // values in pattern order, who calls, and the session token when a cookie authenticated it.
  struct V1Call {
    const HttpRequest& req;
    std::vector<std::string_view> params;
    const Principal& who;
    const std::vector<std::string>& card_data_removed;
    std::string_view session_token;
  };
  struct V1Route {
    RouteSpec spec;
    HttpResponse (*handle)(ApiService& service, const V1Call& call);
  };
  struct Caller {
    Principal who;
    std::string session_token;  // set when authenticated by the session cookie
    std::string csrf_token;     // the session's
  };
  static std::span<const V1Route> V1Table();

  HttpResponse Route(const HttpRequest& req, std::string& route);
  // Access control, then the route of V1Table (api/v1_routes.cc).
  HttpResponse RouteV1(const HttpRequest& req, std::string& route);
  // The caller of a Bearer key or a live session cookie; nullopt: 401.
  std::optional<Caller> Authenticate(const HttpRequest& req);
  HttpResponse ShopifyWebhook(const HttpRequest& req);
  HttpResponse CreateOrder(const HttpRequest& req, const Principal& who,
                           const std::vector<std::string>& card_data_removed);
  HttpResponse GetOrder(std::string_view id_text);
  HttpResponse ListOrders(const HttpRequest& req);
  // The review queue (api/review_routes.cc).
  HttpResponse ListReviews(const HttpRequest& req);
  HttpResponse GetReview(std::string_view id_text);
  HttpResponse DecideReview(const HttpRequest& req, std::string_view id_text, bool approve,
                            const Principal& who);
  HttpResponse ClaimReview(const HttpRequest& req, std::string_view id_text, bool release,
                           const Principal& who);
  HttpResponse ReverseReview(const HttpRequest& req, std::string_view id_text,
                             const Principal& who);
  HttpResponse BulkDecide(const HttpRequest& req, const Principal& who);
  HttpResponse ReviewStats(const HttpRequest& req);
  HttpResponse Metrics();
  HttpResponse ListRules();
  HttpResponse ReloadRules(const Principal& who);
  HttpResponse ListOutbox(const HttpRequest& req);
  // Inventory and shipments (api/inventory_routes.cc).
  HttpResponse ShipOrder(const HttpRequest& req, std::string_view id_text, const Principal& who);
  HttpResponse ListLocations();
  HttpResponse ListStock(const HttpRequest& req);
  HttpResponse AdjustStock(const HttpRequest& req, const Principal& who);
  HttpResponse ListIncoming(const HttpRequest& req);
  HttpResponse AddPurchaseOrder(const HttpRequest& req);
  HttpResponse ReceivePurchaseOrder(std::string_view po, const Principal& who);
  HttpResponse ReorderReport();
  // inventory_levels/update: the channel's available count becomes ours (see
  // store::AdjustmentMode::kSetChannelAvailable). Called after the signature is verified.
  Status ApplyShopifyInventoryLevel(std::string_view body, std::string_view webhook_id);
  // After stock grew or orders lost their reservations: let waiting orders try again.
  void AfterStockChange(const std::vector<store::AdjustmentOutcome>& outcomes);
  // Sessions and keys (api/access_routes.cc).
  HttpResponse Login(const HttpRequest& req);
  HttpResponse Logout(const V1Call& call);
  HttpResponse WhoAmI(const V1Call& call);
  HttpResponse ListKeys();
  // Privacy (api/privacy_routes.cc): the platforms' requests and their deadlines; a person's
  // export or erasure.
  HttpResponse ListPrivacyRequests(const HttpRequest& req);
  HttpResponse CustomerPrivacy(const HttpRequest& req, bool erase, const Principal& who);

  store::Store& store_;
  pipeline::Pipeline& pipeline_;
  const Clock& clock_;
  const ServiceOptions options_;
  std::unique_ptr<MetricsRegistry> metrics_;
  std::unique_ptr<Instruments> inst_;
  std::unique_ptr<KeyDirectory> keys_;
  std::unique_ptr<SessionStore> sessions_;
  std::unique_ptr<RateLimiter> per_key_;
  std::unique_ptr<RateLimiter> per_address_;
  std::unique_ptr<RateLimiter> per_shop_;
};

}  // namespace orderpilot::api
