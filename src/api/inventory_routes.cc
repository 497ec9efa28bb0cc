// The inventory and shipment routes of ApiService (api/service.h lists them).
#include <spdlog/spdlog.h>

#include "api/http_errors.h"
#include "api/internal/route_util.h"
#include "api/inventory_json.h"
#include "api/service.h"
#include "core/json_writer.h"
#include "inventory/channel_sync.h"
#include "inventory/stock_import.h"

namespace orderpilot::api {
namespace {

using internal::Json;
using internal::ParseId;
using internal::ParseListParams;
using internal::WriteNextCursor;

Status NotConfigured() {
  return FailedPreconditionError(
      "inventory is not configured on this server (no 'locations' in the configuration)");
}

void WriteLevel(JsonWriter& w, const store::StockLevel& l, int64_t shopify_buffer) {
  w.BeginObject()
      .Field("sku", l.sku)
      .Field("location", l.location)
      .Field("on_hand", l.on_hand)
      .Field("reserved", l.reserved)
      .Field("safety_stock", l.safety_stock)
      .Field("available", std::max<int64_t>(0, l.available()))
      .Field("reorder_point", l.reorder_point)
      .Key("channels")
      .BeginObject()
      .Field("shopify", inventory::ChannelAvailable(l, shopify_buffer))
      .EndObject()
      .Field("updated_at", FormatTimestamp(l.updated_at))
      .EndObject();
}

}  // namespace

HttpResponse ApiService::ReorderReport() {
  if (!options_.fulfillment || !options_.reorder_report) return ErrorResponse(NotConfigured());
  auto report = options_.reorder_report();
  if (!report.ok()) return ErrorResponse(report.status());
  return Json(200, std::move(*report));
}

HttpResponse ApiService::ListLocations() {
  JsonWriter w;
  w.BeginObject().Key("items").BeginArray();
  if (options_.fulfillment) {
    for (const inventory::Location& l : options_.fulfillment->locations) {
      w.BeginObject()
          .Field("code", l.code)
          .Field("name", l.name)
          .Field("kind", l.kind)
          .Field("city", l.address.city)
          .Field("province_code", l.address.province_code)
          .Field("country_code", l.address.country_code)
          .Field("zip", l.address.zip)
          .Field("latitude", l.latitude)
          .Field("longitude", l.longitude)
          .Field("handling_cost", l.handling_cost.ToString())
          .Field("cutoff_minutes", static_cast<int64_t>(l.cutoff_minutes))
          .Field("time_zone", l.time_zone)
          .EndObject();
    }
  }
  w.EndArray().EndObject();
  return Json(200, w.Take());
}

HttpResponse ApiService::ListStock(const HttpRequest& req) {
  if (!options_.fulfillment) return ErrorResponse(NotConfigured());
  auto params = ParseListParams(req, /*default_limit=*/100, /*max_limit=*/1000);
  if (!params.ok()) return ErrorResponse(params.status());
  auto page = store_.ListStock(req.Query("sku").value_or(""), req.Query("location").value_or(""),
                               params->limit, params->cursor);
  if (!page.ok()) return ErrorResponse(page.status());
  JsonWriter w;
  w.BeginObject().Key("items").BeginArray();
  for (const store::StockLevel& l : page->items) WriteLevel(w, l, options_.shopify_buffer);
  w.EndArray();
  WriteNextCursor(w, page->next_cursor);
  w.EndObject();
  return Json(200, w.Take());
}

void ApiService::AfterStockChange(const std::vector<store::AdjustmentOutcome>& outcomes) {
  for (const store::AdjustmentOutcome& o : outcomes) {
    for (OrderId id : o.released_orders) pipeline_.Enqueue(id);
  }
  pipeline_.RequestBackorderRecheck();
}

HttpResponse ApiService::AdjustStock(const HttpRequest& req, const Principal& who) {
  if (!options_.fulfillment) return ErrorResponse(NotConfigured());
  auto a = DecodeAdjustmentBody(req.body, req.Header("idempotency-key"));
  if (!a.ok()) return ErrorResponse(a.status());
  if (!inventory::FindLocation(options_.fulfillment->locations, a->location)) {
    return ErrorResponse(UnprocessableError("unknown location '" + a->location + "'", "location"));
  }
  a->actor = "api:" + who.name;
  auto outcome = store_.AdjustStock(*a);
  if (!outcome.ok()) {
    // The store refuses only what the body asked for (e.g. a delta below zero): the caller's 422.
    if (outcome.status().code() == StatusCode::kInvalidArgument) {
      return ErrorResponse(UnprocessableError(outcome.status().message(), "delta"));
    }
    return ErrorResponse(outcome.status());
  }
  if (!outcome->duplicate) AfterStockChange({*outcome});
  JsonWriter w;
  w.BeginObject().Field("duplicate", outcome->duplicate).Key("level");
  WriteLevel(w, outcome->level, options_.shopify_buffer);
  w.Key("released_orders").BeginArray();
  for (OrderId id : outcome->released_orders) w.Int(id.value());
  w.EndArray().EndObject();
  return Json(outcome->duplicate ? 200 : 201, w.Take());
}

HttpResponse ApiService::ListIncoming(const HttpRequest& req) {
  if (!options_.fulfillment) return ErrorResponse(NotConfigured());
  std::vector<std::string> skus;
  if (auto sku = req.Query("sku"); sku && !sku->empty()) skus.push_back(*sku);
  auto lines = store_.GetIncoming(skus, /*open_only=*/true);
  if (!lines.ok()) return ErrorResponse(lines.status());
  JsonWriter w;
  w.BeginObject().Key("items").BeginArray();
  for (const store::IncomingStock& in : *lines) {
    w.BeginObject()
        .Field("purchase_order", in.purchase_order)
        .Field("sku", in.sku)
        .Field("location", in.location)
        .Field("quantity", in.quantity)
        .Field("expected_at", FormatTimestamp(in.expected_at))
        .Field("received", in.received)
        .EndObject();
  }
  w.EndArray().EndObject();
  return Json(200, w.Take());
}

HttpResponse ApiService::AddPurchaseOrder(const HttpRequest& req) {
  if (!options_.fulfillment) return ErrorResponse(NotConfigured());
  auto lines = DecodePurchaseOrderBody(req.body);
  if (!lines.ok()) return ErrorResponse(lines.status());
  for (size_t i = 0; i < lines->size(); ++i) {
    const std::string& code = (*lines)[i].location;
    if (!inventory::FindLocation(options_.fulfillment->locations, code)) {
      return ErrorResponse(UnprocessableError("unknown location '" + code + "'",
                                              "lines[" + std::to_string(i) + "].location"));
    }
  }
  Status s = store_.AddIncoming(*lines);
  if (!s.ok()) return ErrorResponse(s);
  JsonWriter w;
  w.BeginObject()
      .Field("purchase_order", lines->front().purchase_order)
      .Field("lines", static_cast<int64_t>(lines->size()))
      .EndObject();
  return Json(201, w.Take());
}

HttpResponse ApiService::ReceivePurchaseOrder(std::string_view po, const Principal& who) {
  if (!options_.fulfillment) return ErrorResponse(NotConfigured());
  auto outcomes = store_.ReceiveIncoming(std::string(po), "api:" + who.name);
  if (!outcomes.ok()) return ErrorResponse(outcomes.status());
  AfterStockChange(*outcomes);
  JsonWriter w;
  w.BeginObject().Field("purchase_order", po).Key("levels").BeginArray();
  for (const store::AdjustmentOutcome& o : *outcomes) {
    WriteLevel(w, o.level, options_.shopify_buffer);
  }
  w.EndArray().EndObject();
  return Json(200, w.Take());
}

HttpResponse ApiService::ShipOrder(const HttpRequest& req, std::string_view id_text,
                                   const Principal& who) {
  auto id = ParseId(id_text, "id");
  if (!id.ok()) return ErrorResponse(id.status());
  auto ship = DecodeShipmentBody(req.body);
  if (!ship.ok()) return ErrorResponse(ship.status());
  ship->order_id = OrderId(*id);
  ship->actor = "api:" + who.name;
  auto outcome = store_.Ship(*ship);
  if (!outcome.ok()) return ErrorResponse(outcome.status());
  pipeline_.Enqueue(ship->order_id);  // order.shipped meets the rules
  JsonWriter w;
  w.BeginObject()
      .Field("order_id", *id)
      .Field("order_shipped", outcome->order_shipped)
      .Key("levels")
      .BeginArray();
  for (const store::StockLevel& l : outcome->levels) WriteLevel(w, l, options_.shopify_buffer);
  w.EndArray().EndObject();
  return Json(200, w.Take());
}

Status ApiService::ApplyShopifyInventoryLevel(std::string_view body, std::string_view webhook_id) {
  if (!options_.fulfillment) return Status::Ok();  // stored only, as any unhandled topic
  OP_ASSIGN_OR_RETURN(ShopifyInventoryLevel level, DecodeShopifyInventoryLevel(body));
  if (!level.available) return Status::Ok();  // untracked at that location
  const inventory::CatalogItem* item =
      options_.fulfillment->catalog.FindByShopifyItem(level.inventory_item_id);
  const inventory::Location* loc = nullptr;
  for (const inventory::Location& l : options_.fulfillment->locations) {
    if (l.shopify_location_id == level.location_id) loc = &l;
  }
  if (!item || !loc) {
    spdlog::info(
        "shopify inventory level for item {} at location {} ignored: not mapped in the "
        "catalog/locations",
        level.inventory_item_id, level.location_id);
    return Status::Ok();
  }
  store::StockAdjustment a;
  a.sku = item->sku;
  a.location = loc->code;
  a.mode = store::AdjustmentMode::kSetChannelAvailable;
  a.quantity = std::max<int64_t>(0, *level.available);
  a.channel_buffer = options_.shopify_buffer;
  a.reason = "shopify inventory_levels/update";
  if (webhook_id.empty()) {
    // No delivery id to dedupe on: the body itself (same item, location, count and time).
    uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : body) h = (h ^ c) * 1099511628211ULL;
    a.idempotency_key = "shopify:body:" + std::to_string(h);
  } else {
    a.idempotency_key = "shopify:" + std::string(webhook_id);
  }
  a.actor = "shopify";
  OP_ASSIGN_OR_RETURN(store::AdjustmentOutcome outcome, store_.AdjustStock(a));
  if (!outcome.duplicate) AfterStockChange({outcome});
  return Status::Ok();
}

}  // namespace orderpilot::api
