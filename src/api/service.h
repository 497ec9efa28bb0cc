// api/service.h — orderpilot's HTTP routes: webhooks, the /v1 REST API, health and metrics.
//
// Routes (the OpenAPI-level description lives in README.md "API"):
//   GET  /healthz                         liveness; no auth
//   GET  /metrics                         Prometheus text; no auth (bind to loopback or firewall)
//   POST /webhooks/shopify                Shopify webhooks, HMAC-verified, deduplicated
//   POST /v1/orders                       canonical order JSON (Bearer API key)
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
//
// Invariant: a 2xx to a write is sent only after the store reports it durable; a rejected
// request writes nothing. Thread-safety: Handle may be called concurrently.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "api/http_server.h"
#include "api/metrics.h"
#include "core/time.h"
#include "pipeline/allocation.h"
#include "pipeline/pipeline.h"
#include "review/policy.h"
#include "rules/engine.h"
#include "store/store.h"

namespace orderpilot::api {

struct ShopSecret {
  std::string domain;  // "demo-shop.myshopify.com"; "*" accepts any shop domain
  std::string secret;  // the app's client secret, used for X-Shopify-Hmac-Sha256
};

struct ApiKey {
  std::string name;  // recorded as the actor of what the key does
  std::string key;
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
};

class ApiService {
 public:
  ApiService(store::Store& store, pipeline::Pipeline& pipeline, const Clock& clock,
             ServiceOptions options);
  ~ApiService();

  HttpResponse Handle(const HttpRequest& request);
  MetricsRegistry& metrics() { return *metrics_; }

 private:
  struct Instruments;

  HttpResponse Route(const HttpRequest& req, std::string& route);
  // The authenticated /v1 routes; `req.body` has had card data removed (from the listed fields).
  HttpResponse RouteV1(const HttpRequest& req, std::string& route, const ApiKey& key,
                       const std::vector<std::string>& card_data_removed);
  HttpResponse ShopifyWebhook(const HttpRequest& req);
  HttpResponse CreateOrder(const HttpRequest& req, const ApiKey& key,
                           const std::vector<std::string>& card_data_removed);
  HttpResponse GetOrder(std::string_view id_text);
  HttpResponse ListOrders(const HttpRequest& req);
  // The review queue (api/review_routes.cc).
  HttpResponse ReviewRoute(const HttpRequest& req, std::string& route, const ApiKey& key);
  HttpResponse ListReviews(const HttpRequest& req);
  HttpResponse GetReview(std::string_view id_text);
  HttpResponse DecideReview(const HttpRequest& req, std::string_view id_text, bool approve,
                            const ApiKey& key);
  HttpResponse ClaimReview(const HttpRequest& req, std::string_view id_text, bool release,
                           const ApiKey& key);
  HttpResponse ReverseReview(const HttpRequest& req, std::string_view id_text, const ApiKey& key);
  HttpResponse BulkDecide(const HttpRequest& req, const ApiKey& key);
  HttpResponse ReviewStats(const HttpRequest& req);
  HttpResponse Metrics();
  HttpResponse ListRules();
  HttpResponse ReloadRules(const ApiKey& key);
  HttpResponse ListOutbox(const HttpRequest& req);
  // Inventory and shipments (api/inventory_routes.cc).
  HttpResponse InventoryRoute(const HttpRequest& req, std::string& route, const ApiKey& key);
  HttpResponse ShipOrder(const HttpRequest& req, std::string_view id_text, const ApiKey& key);
  HttpResponse ListLocations();
  HttpResponse ListStock(const HttpRequest& req);
  HttpResponse AdjustStock(const HttpRequest& req, const ApiKey& key);
  HttpResponse ListIncoming(const HttpRequest& req);
  HttpResponse AddPurchaseOrder(const HttpRequest& req);
  HttpResponse ReceivePurchaseOrder(std::string_view po, const ApiKey& key);
  // inventory_levels/update: the channel's available count becomes ours (see
  // store::AdjustmentMode::kSetChannelAvailable). Called after the signature is verified.
  Status ApplyShopifyInventoryLevel(std::string_view body, std::string_view webhook_id);
  // After stock grew or orders lost their reservations: let waiting orders try again.
  void AfterStockChange(const std::vector<store::AdjustmentOutcome>& outcomes);
  // The key presented as "Authorization: Bearer <key>", or nullptr.
  const ApiKey* Authenticate(const HttpRequest& req) const;

  store::Store& store_;
  pipeline::Pipeline& pipeline_;
  const Clock& clock_;
  const ServiceOptions options_;
  std::unique_ptr<MetricsRegistry> metrics_;
  std::unique_ptr<Instruments> inst_;
};

}  // namespace orderpilot::api
