// api/service.h — orderpilot's HTTP routes: webhooks, the /v1 REST API, health and metrics.
//
// Routes (the OpenAPI-level description lives in README.md "API"):
//   GET  /healthz                         liveness; no auth
//   GET  /metrics                         Prometheus text; no auth (bind to loopback or firewall)
//   POST /webhooks/shopify                Shopify webhooks, HMAC-verified, deduplicated
//   POST /v1/orders                       canonical order JSON (Bearer API key)
//   GET  /v1/orders/{id}                  state + canonical order + event timeline
//   GET  /v1/orders?state=&limit=&cursor= newest first, {"items": [...], "next_cursor": ...}
//   GET  /v1/reviews?status=&limit=&cursor=
//   GET  /v1/reviews/{id}
//   POST /v1/reviews/{id}/approve|reject  {"comment": "..."}; who = the API key's name
//   GET  /v1/rules                        the rules running now (name, trigger, condition, …)
//   POST /v1/rules/reload                 re-reads the rule files; a bad file is refused whole
//                                         (422 with every error) and the old rules keep running
//   GET  /v1/outbox?limit=                side effects written by rules, newest first
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
#include "pipeline/pipeline.h"
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
  HttpResponse ShopifyWebhook(const HttpRequest& req);
  HttpResponse CreateOrder(const HttpRequest& req, const ApiKey& key);
  HttpResponse GetOrder(std::string_view id_text);
  HttpResponse ListOrders(const HttpRequest& req);
  HttpResponse ListReviews(const HttpRequest& req);
  HttpResponse GetReview(std::string_view id_text);
  HttpResponse DecideReview(const HttpRequest& req, std::string_view id_text, bool approve,
                            const ApiKey& key);
  HttpResponse Metrics();
  HttpResponse ListRules();
  HttpResponse ReloadRules(const ApiKey& key);
  HttpResponse ListOutbox(const HttpRequest& req);
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
