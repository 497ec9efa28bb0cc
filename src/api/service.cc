#include "api/service.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "api/http_errors.h"
#include "api/internal/access_http.h"
#include "api/internal/route_util.h"
#include "api/key_directory.h"
#include "api/request_json.h"
#include "api/session.h"
#include "core/json_writer.h"
#include "core/order_json.h"
#include "ingest/card_scrub.h"
#include "ingest/shopify_webhook.h"

namespace orderpilot::api {
namespace {

using internal::Json;
using internal::ParseId;
using internal::ParseListParams;
using internal::WriteNextCursor;

void WriteOrderSummary(JsonWriter& w, const store::OrderRecord& r) {
  w.Field("id", r.id.value())
      .Field("channel", r.channel)
      .Field("shop", r.shop)
      .Field("channel_order_id", r.channel_order_id)
      .Field("number", r.number)
      .Field("state", store::OrderStateName(r.state))
      .Field("version", r.version)
      .Field("currency", r.currency)
      .Field("financial_status", r.financial_status)
      .Field("created_at", FormatTimestamp(r.created_at))
      .Field("updated_at", FormatTimestamp(r.updated_at))
      .Field("priority", r.priority)
      .Field("shipping_speed", r.shipping_speed)
      .Field("route_location", r.route_location)
      .Field("carrier_service", r.carrier_service);
  auto currency = Currency::Parse(r.currency);
  if (currency.ok()) {
    w.Field("total", Money(r.total_minor, *currency).ToString());
  } else {
    w.Key("total").Null();
  }
}

// The topic as a metric label: known topics by name, anything else "other", so that requests
// (even unauthenticated ones) cannot grow /metrics without bound.
std::string_view TopicLabel(std::string_view topic) {
  static constexpr std::string_view kKnown[] = {
      "orders/create",    "orders/updated", "orders/paid",
      "orders/cancelled", "refunds/create", "customers/data_request",
      "customers/redact", "shop/redact",    "inventory_levels/update"};
  for (std::string_view k : kKnown)
    if (k == topic) return k;
  return topic.empty() ? "none" : "other";
}

}  // namespace

// Hot-path instruments, created once.
struct ApiService::Instruments {
  explicit Instruments(MetricsRegistry& m)
      : requests(m.AddCounterFamily("orderpilot_http_requests_total",
                                    "HTTP requests by route and status code.", {"route", "code"})),
        latency(m.AddHistogramFamily("orderpilot_http_request_duration_seconds",
                                     "HTTP request latency by route.", {"route"},
                                     LatencyBuckets())),
        webhooks(m.AddCounterFamily("orderpilot_webhooks_total",
                                    "Webhook deliveries by channel, topic and result.",
                                    {"channel", "topic", "result"})) {}
  CounterFamily& requests;
  HistogramFamily& latency;
  CounterFamily& webhooks;
};

ApiService::ApiService(store::Store& store, pipeline::Pipeline& pipeline, const Clock& clock,
                       ServiceOptions options)
    : store_(store),
      pipeline_(pipeline),
      clock_(clock),
      options_(std::move(options)),
      metrics_(std::make_unique<MetricsRegistry>()) {
  inst_ = std::make_unique<Instruments>(*metrics_);
  std::vector<ConfiguredKey> configured;
  for (const ApiKey& k : options_.api_keys) configured.push_back({k.name, k.key, k.role});
  keys_ =
      std::make_unique<KeyDirectory>(std::move(configured), options_.access.stored_keys, clock_);
  sessions_ = std::make_unique<SessionStore>(clock_, options_.access.session_idle_timeout);
  per_key_ = std::make_unique<RateLimiter>(clock_, options_.access.per_key);
  per_address_ = std::make_unique<RateLimiter>(clock_, options_.access.per_address);
  per_shop_ = std::make_unique<RateLimiter>(clock_, options_.access.per_shop);
  metrics_->AddCallbackGauge(
      "orderpilot_commit_queue_depth", "Writes waiting for the group-commit writer.",
      [this] { return static_cast<double>(store_.GetCommitStats().queue_depth); });
  metrics_->AddCallbackGauge("orderpilot_pipeline_queue_depth",
                             "Orders waiting for a pipeline worker.",
                             [this] { return static_cast<double>(pipeline_.Stats().queue_depth); });
}

ApiService::~ApiService() = default;

HttpResponse ApiService::Handle(const HttpRequest& req) {
  auto start = std::chrono::steady_clock::now();
  std::string route = "other";
  HttpResponse resp = Route(req, route);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  inst_->requests.WithLabels({route, std::to_string(resp.status)}).Increment();
  inst_->latency.WithLabels({route}).Observe(seconds);
  return resp;
}

HttpResponse ApiService::Route(const HttpRequest& req, std::string& route) {
  const std::string& path = req.path;
  const std::string& m = req.method;
  if (path == "/healthz") {
    route = "/healthz";
    if (m != "GET" && m != "HEAD") return ErrorResponse({StatusCode::kNotFound, "use GET"});
    return Json(200, R"({"status":"ok"})");
  }
  if (path == "/metrics") {
    route = "/metrics";
    return Metrics();
  }
  if (path == "/webhooks/shopify") {
    route = "/webhooks/shopify";
    if (m != "POST")
      return ErrorResponse({StatusCode::kNotFound, "webhooks are delivered with POST"});
    return ShopifyWebhook(req);
  }
  if (path.rfind("/v1/", 0) != 0) return ErrorResponse(NotFoundError("no such route: " + path));
  return RouteV1(req, route);
}

HttpResponse ApiService::ShopifyWebhook(const HttpRequest& req) {
  auto header = [&](std::string_view name) {
    std::string_view v = req.Header(std::string("x-shopify-") + std::string(name));
    if (v.empty()) v = req.Header(std::string("shopify-") + std::string(name));
    return std::string(v);
  };
  ingest::ShopifyHeaders h;
  h.hmac = header("hmac-sha256");
  h.topic = header("topic");
  h.shop_domain = header("shop-domain");
  h.webhook_id = header("webhook-id");
  h.event_id = header("event-id");
  h.api_version = header("api-version");
  h.triggered_at = header("triggered-at");
  auto count = [&](std::string_view result) {
    inst_->webhooks.WithLabels({"shopify", std::string(TopicLabel(h.topic)), std::string(result)})
        .Increment();
  };

  if (h.hmac.empty()) {
    count("unauthenticated");
    return ErrorResponse(UnauthenticatedError("missing X-Shopify-Hmac-Sha256 header"));
  }
  const ShopSecret* shop = nullptr;
  for (const ShopSecret& s : options_.shops)
    if (s.domain == h.shop_domain || (s.domain == "*" && !shop)) shop = &s;
  if (!shop && h.shop_domain.empty() && options_.shops.size() == 1) {
    shop = &options_.shops.front();
    h.shop_domain = shop->domain;
  }
  if (!shop || !ingest::VerifyShopifyHmac(req.body, h.hmac, shop->secret)) {
    count("unauthenticated");
    return ErrorResponse(UnauthenticatedError("webhook signature does not match"));
  }
  // After the signature: only the shop's own deliveries use its budget. Nothing is stored for a
  // refused delivery; Shopify retries it after Retry-After.
  if (int64_t wait = per_shop_->Take(shop->domain == "*" ? h.shop_domain : shop->domain)) {
    count("rate_limited");
    return internal::TooManyRequests(wait, "for this shop");
  }
  auto delivery = ingest::ShopifyDelivery(h, req.body, clock_.Now());
  if (!delivery.ok()) {
    count("rejected");
    spdlog::warn("shopify webhook {} ({}) rejected: {}", h.webhook_id, h.topic,
                 delivery.status().ToString());
    return ErrorResponse(delivery.status());
  }
  if (delivery->kind == store::DeliveryKind::kOther)
    spdlog::info("shopify webhook with unhandled topic '{}' stored", h.topic);
  if (h.topic == "inventory_levels/update") {
    // Applied before the delivery is stored: the adjustment is idempotent on the webhook id, so
    // a crash in between is repaired by Shopify's retry.
    Status applied = ApplyShopifyInventoryLevel(req.body, h.webhook_id);
    if (!applied.ok()) {
      count("rejected");
      spdlog::warn("shopify inventory webhook {} not applied: {}", h.webhook_id,
                   applied.ToString());
      return ErrorResponse(applied);
    }
  }
  auto outcome = store_.Ingest(*delivery);
  if (!outcome.ok()) {
    count("error");
    return ErrorResponse(outcome.status());
  }
  count(outcome->duplicate ? "duplicate" : "accepted");
  if (!outcome->duplicate && outcome->order_id.valid()) pipeline_.Enqueue(outcome->order_id);
  JsonWriter w;
  w.BeginObject().Field("ok", true).Field("duplicate", outcome->duplicate);
  if (outcome->order_id.valid()) w.Field("order_id", outcome->order_id.value());
  w.EndObject();
  return Json(200, w.Take());
}

HttpResponse ApiService::CreateOrder(const HttpRequest& req, const Principal& who,
                                     const std::vector<std::string>& card_data_removed) {
  OrderDecodeOptions strict;
  strict.allow_zero_quantity = false;  // an API caller can fix it now: refuse with 422
  auto order = DecodeOrder(req.body, strict);
  if (!order.ok()) return ErrorResponse(order.status());
  order->card_data_removed = card_data_removed;  // what Route removed; never the caller's list
  if (order->channel.empty()) order->channel = "api";
  if (order->shop.empty()) order->shop = "default";
  if (order->created_at.micros == 0) order->created_at = clock_.Now();  // not given: now
  if (order->channel_order_id.empty())
    return ErrorResponse(UnprocessableError(
        "channel_order_id is required: it makes a retried POST safe", "channel_order_id"));
  // Channels may send odd amounts (the validate step holds those for a person); an API caller can
  // fix a negative price now.
  for (size_t i = 0; i < order->line_items.size(); ++i) {
    const LineItem& li = order->line_items[i];
    const std::string at = "line_items[" + std::to_string(i) + "]";
    if (li.unit_price.minor_units() < 0)
      return ErrorResponse(
          UnprocessableError(at + ".unit_price must not be negative", at + ".unit_price"));
    if (li.total_discount.minor_units() < 0)
      return ErrorResponse(
          UnprocessableError(at + ".total_discount must not be negative", at + ".total_discount"));
  }
  store::Delivery d;
  d.channel = order->channel;
  d.shop = order->shop;
  d.received_at = clock_.Now();
  d.kind = store::DeliveryKind::kOrderCreate;
  d.event_type = "order.received";
  d.channel_order_id = order->channel_order_id;
  d.payload_json = EncodeOrder(*order);
  d.order = std::move(*order);
  d.actor = "api:" + who.name;
  auto outcome = store_.Ingest(d);
  if (!outcome.ok()) return ErrorResponse(outcome.status());
  if (!outcome->duplicate) pipeline_.Enqueue(outcome->order_id);
  auto record = store_.GetOrder(outcome->order_id);
  if (!record.ok()) return ErrorResponse(record.status());
  JsonWriter w;
  w.BeginObject();
  WriteOrderSummary(w, *record);
  w.Field("duplicate", outcome->duplicate).EndObject();
  HttpResponse r = Json(outcome->duplicate ? 200 : 201, w.Take());
  r.headers.emplace_back("Location", "/v1/orders/" + record->id.ToString());
  return r;
}

HttpResponse ApiService::GetOrder(std::string_view id_text) {
  auto id = ParseId(id_text, "id");
  if (!id.ok()) return ErrorResponse(id.status());
  auto record = store_.GetOrder(OrderId(*id));
  if (!record.ok()) return ErrorResponse(record.status());
  auto events = store_.ReadStream(store::OrderStream(record->id));
  if (!events.ok()) return ErrorResponse(events.status());
  JsonWriter w;
  w.BeginObject();
  WriteOrderSummary(w, *record);
  w.Key("order").Raw(record->order_json);
  auto reservations = store_.GetReservations(record->id);
  if (!reservations.ok()) return ErrorResponse(reservations.status());
  w.Key("reservations").BeginArray();
  for (const store::ReservationRecord& r : *reservations) {
    w.BeginObject()
        .Field("sku", r.reservation.sku)
        .Field("location", r.reservation.location)
        .Field("quantity", r.reservation.quantity)
        .Field("state", store::ReservationStateName(r.state))
        .EndObject();
  }
  w.EndArray();
  w.Key("events").BeginArray();
  for (const store::Event& e : *events) {
    w.BeginObject()
        .Field("seq", e.seq.value())
        .Field("version", e.version)
        .Field("type", e.type)
        .Field("actor", e.actor)
        .Field("at", FormatTimestamp(e.at))
        .Key("payload")
        .Raw(e.payload.empty() ? "{}" : e.payload)
        .EndObject();
  }
  w.EndArray().EndObject();
  return Json(200, w.Take());
}

HttpResponse ApiService::ListOrders(const HttpRequest& req) {
  std::optional<store::OrderState> state;
  if (auto s = req.Query("state"); s && !s->empty()) {
    state = store::ParseOrderState(*s);
    if (!state)
      return ErrorResponse(InvalidArgumentError(
          "unknown state '" + *s +
              "' (received, validated, accepted, held, rejected, cancelled, allocated, "
              "backordered, shipped)",
          "state"));
  }
  auto params = ParseListParams(req);
  if (!params.ok()) return ErrorResponse(params.status());
  auto page = store_.ListOrders(state, params->limit, params->cursor);
  if (!page.ok()) return ErrorResponse(page.status());
  JsonWriter w;
  w.BeginObject().Key("items").BeginArray();
  for (const store::OrderRecord& r : page->items) {
    w.BeginObject();
    WriteOrderSummary(w, r);
    w.EndObject();
  }
  w.EndArray();
  WriteNextCursor(w, page->next_cursor);
  w.EndObject();
  return Json(200, w.Take());
}

HttpResponse ApiService::ListRules() {
  JsonWriter w;
  w.BeginObject().Key("files").BeginArray();
  std::shared_ptr<const rules::RuleSet> set;
  if (options_.rules) set = options_.rules->current();
  if (set) {
    for (const std::string& f : set->files()) w.String(f);
  }
  w.EndArray().Key("rules").BeginArray();
  if (set) {
    for (const rules::Rule& r : set->rules()) {
      w.BeginObject()
          .Field("name", r.name)
          .Field("on", r.trigger)
          .Field("when", r.condition)
          .Field("file", r.file)
          .Field("line", static_cast<int64_t>(r.line))
          .Key("do")
          .BeginArray();
      for (const rules::Action& a : r.actions) {
        w.BeginObject().Field(rules::ActionKindName(a.kind), a.value).EndObject();
      }
      w.EndArray().EndObject();
    }
  }
  w.EndArray().EndObject();
  return Json(200, w.Take());
}

HttpResponse ApiService::ReloadRules(const Principal& who) {
  if (!options_.reload_rules) {
    return ErrorResponse(FailedPreconditionError("rules are not configured on this server"));
  }
  Status s = options_.reload_rules();
  if (!s.ok()) {
    spdlog::warn("rules reload by {} refused: {}", who.name, s.message());
    // The rule files are the request's subject: their errors are a 422, not a server fault.
    return ErrorResponse({StatusCode::kUnprocessable, s.message(), s.field()});
  }
  spdlog::info("rules reloaded by {}", who.name);
  return ListRules();
}

HttpResponse ApiService::ListOutbox(const HttpRequest& req) {
  int limit = 50;
  if (std::optional<std::string> text = req.Query("limit")) {
    auto v = ParseId(*text, "limit");
    if (!v.ok()) return ErrorResponse(v.status());
    limit = static_cast<int>(std::min<int64_t>(*v, 1000));
  }
  auto items = store_.ListOutbox(limit);
  if (!items.ok()) return ErrorResponse(items.status());
  JsonWriter w;
  w.BeginObject().Key("items").BeginArray();
  for (const store::OutboxRecord& r : *items) {
    w.BeginObject()
        .Field("id", r.id)
        .Field("kind", r.message.kind)
        .Field("destination", r.message.destination)
        .Field("idempotency_key", r.message.idempotency_key)
        .Field("order_id", r.order_id.value())
        .Field("status", r.status)
        .Field("attempts", r.attempts)
        .Field("created_at", FormatTimestamp(r.created_at))
        .Key("payload")
        .Raw(r.message.payload)
        .EndObject();
  }
  w.EndArray().EndObject();
  return Json(200, w.Take());
}

HttpResponse ApiService::Metrics() {
  std::string text = metrics_->RenderPrometheus();
  // Store and pipeline figures are read at scrape time.
  store::CommitStats cs = store_.GetCommitStats();
  text += "# HELP orderpilot_commit_batch_size Writes per group-commit transaction.\n";
  text += "# TYPE orderpilot_commit_batch_size histogram\n";
  int64_t cumulative = 0;
  for (size_t i = 0; i < cs.batch_size_histogram.size(); ++i) {
    cumulative += cs.batch_size_histogram[i];
    std::string le = i + 1 < cs.batch_size_histogram.size() ? std::to_string(1 << i) : "+Inf";
    text += "orderpilot_commit_batch_size_bucket{le=\"" + le + "\"} " + std::to_string(cumulative) +
            "\n";
  }
  text += "orderpilot_commit_batch_size_sum " + std::to_string(cs.writes) + "\n";
  text += "orderpilot_commit_batch_size_count " + std::to_string(cs.batches) + "\n";
  pipeline::PipelineStats ps = pipeline_.Stats();
  text +=
      "# HELP orderpilot_pipeline_transitions_total Order transitions committed by the "
      "pipeline, by outcome.\n# TYPE orderpilot_pipeline_transitions_total counter\n";
  text += "orderpilot_pipeline_transitions_total{outcome=\"accepted\"} " +
          std::to_string(ps.accepted) + "\n";
  text +=
      "orderpilot_pipeline_transitions_total{outcome=\"held\"} " + std::to_string(ps.held) + "\n";
  text += "orderpilot_pipeline_transitions_total{outcome=\"allocated\"} " +
          std::to_string(ps.allocated) + "\n";
  text += "orderpilot_pipeline_transitions_total{outcome=\"backordered\"} " +
          std::to_string(ps.backordered) + "\n";
  text += "orderpilot_pipeline_transitions_total{outcome=\"other\"} " +
          std::to_string(ps.processed - ps.accepted - ps.held - ps.allocated - ps.backordered) +
          "\n";
  text +=
      "# HELP orderpilot_pipeline_failures_total Orders the pipeline could not advance.\n"
      "# TYPE orderpilot_pipeline_failures_total counter\n"
      "orderpilot_pipeline_failures_total " +
      std::to_string(ps.failures) + "\n";
  if (auto stats = store_.Stats(); stats.ok()) {
    text += "# HELP orderpilot_orders Orders by state.\n# TYPE orderpilot_orders gauge\n";
    for (const auto& [state, n] : stats->orders_by_state)
      text += "orderpilot_orders{state=\"" + state + "\"} " + std::to_string(n) + "\n";
    text +=
        "# HELP orderpilot_reviews_open Open review items.\n"
        "# TYPE orderpilot_reviews_open gauge\norderpilot_reviews_open " +
        std::to_string(stats->open_reviews) + "\n";
  }
  HttpResponse r;
  r.content_type = "text/plain; version=0.0.4";
  r.body = std::move(text);
  return r;
}

}  // namespace orderpilot::api
