#include "api/inventory_json.h"

#include "core/json_dom.h"

namespace orderpilot::api {
namespace {

using json_dom::ObjectReader;

Result<ObjectReader> Root(std::string_view body) {
  OP_ASSIGN_OR_RETURN(simdjson::dom::object obj, json_dom::ParseObject(body));
  return ObjectReader(obj, "");
}

Result<std::string> RequiredText(const ObjectReader& r, std::string_view key, size_t max = 200) {
  OP_ASSIGN_OR_RETURN(std::string_view v, r.RequiredString(key));
  if (v.empty()) return UnprocessableError(std::string(key) + " is empty", r.PathOf(key));
  if (v.size() > max) {
    return UnprocessableError(
        std::string(key) + " is longer than " + std::to_string(max) + " characters", r.PathOf(key));
  }
  return std::string(v);
}

Result<std::string> OptionalText(const ObjectReader& r, std::string_view key, size_t max = 200) {
  OP_ASSIGN_OR_RETURN(std::string v, r.String(key));
  if (v.size() > max) {
    return UnprocessableError(
        std::string(key) + " is longer than " + std::to_string(max) + " characters", r.PathOf(key));
  }
  return v;
}

constexpr int64_t kMaxUnits = 1'000'000'000;

}  // namespace

Result<store::StockAdjustment> DecodeAdjustmentBody(std::string_view body,
                                                    std::string_view header_key) {
  OP_ASSIGN_OR_RETURN(ObjectReader r, Root(body));
  store::StockAdjustment a;
  OP_ASSIGN_OR_RETURN(a.sku, RequiredText(r, "sku"));
  OP_ASSIGN_OR_RETURN(a.location, RequiredText(r, "location"));
  OP_ASSIGN_OR_RETURN(a.reason, RequiredText(r, "reason", 500));
  OP_ASSIGN_OR_RETURN(std::optional<int64_t> set, r.OptInt("set"));
  OP_ASSIGN_OR_RETURN(std::optional<int64_t> delta, r.OptInt("delta"));
  if (set.has_value() == delta.has_value()) {
    return UnprocessableError("give exactly one of 'set' (the new on-hand count) and 'delta'",
                              set ? "delta" : "set");
  }
  if (set) {
    if (*set < 0 || *set > kMaxUnits) {
      return UnprocessableError("set must be from 0 to 1000000000", "set");
    }
    a.mode = store::AdjustmentMode::kSet;
    a.quantity = *set;
  } else {
    if (*delta == 0 || *delta < -kMaxUnits || *delta > kMaxUnits) {
      return UnprocessableError("delta must be a non-zero change within ±1000000000", "delta");
    }
    a.mode = store::AdjustmentMode::kDelta;
    a.quantity = *delta;
  }
  OP_ASSIGN_OR_RETURN(std::optional<int64_t> safety, r.OptInt("safety_stock"));
  if (safety) {
    if (*safety < 0 || *safety > kMaxUnits) {
      return UnprocessableError("safety_stock must be from 0 to 1000000000", "safety_stock");
    }
    a.safety_stock = *safety;
  }
  OP_ASSIGN_OR_RETURN(a.idempotency_key, OptionalText(r, "idempotency_key"));
  if (a.idempotency_key.empty()) a.idempotency_key = std::string(header_key);
  if (a.idempotency_key.empty()) {
    return UnprocessableError(
        "idempotency_key is required (in the body or the Idempotency-Key header): it makes a "
        "retried adjustment safe",
        "idempotency_key");
  }
  return a;
}

Result<store::ShipmentRequest> DecodeShipmentBody(std::string_view body) {
  OP_ASSIGN_OR_RETURN(ObjectReader r, Root(body));
  store::ShipmentRequest s;
  OP_ASSIGN_OR_RETURN(s.location, OptionalText(r, "location"));
  OP_ASSIGN_OR_RETURN(s.carrier, RequiredText(r, "carrier"));
  OP_ASSIGN_OR_RETURN(s.service, OptionalText(r, "service"));
  OP_ASSIGN_OR_RETURN(s.tracking_number, RequiredText(r, "tracking_number"));
  return s;
}

Result<std::vector<store::IncomingStock>> DecodePurchaseOrderBody(std::string_view body) {
  OP_ASSIGN_OR_RETURN(ObjectReader r, Root(body));
  OP_ASSIGN_OR_RETURN(std::string po, RequiredText(r, "purchase_order"));
  std::vector<store::IncomingStock> lines;
  OP_RETURN_IF_ERROR(json_dom::ForEachObject(r, "lines", [&](const ObjectReader& l) -> Status {
    store::IncomingStock in;
    in.purchase_order = po;
    OP_ASSIGN_OR_RETURN(in.sku, RequiredText(l, "sku"));
    OP_ASSIGN_OR_RETURN(in.location, RequiredText(l, "location"));
    OP_ASSIGN_OR_RETURN(in.quantity, l.RequiredInt("quantity"));
    if (in.quantity <= 0 || in.quantity > kMaxUnits) {
      return UnprocessableError("quantity must be from 1 to 1000000000", l.PathOf("quantity"));
    }
    OP_ASSIGN_OR_RETURN(std::string_view when, l.RequiredString("expected_at"));
    Result<Timestamp> at =
        ParseTimestamp(when.size() == 10 ? std::string(when) + "T00:00:00Z" : std::string(when));
    if (!at.ok()) {
      return UnprocessableError("expected_at must be a date (2026-12-01) or RFC 3339 time",
                                l.PathOf("expected_at"));
    }
    in.expected_at = *at;
    lines.push_back(std::move(in));
    return Status::Ok();
  }));
  if (lines.empty()) return UnprocessableError("a purchase order needs at least one line", "lines");
  if (lines.size() > 10000) return UnprocessableError("more than 10000 lines", "lines");
  return lines;
}

Result<ShopifyInventoryLevel> DecodeShopifyInventoryLevel(std::string_view body) {
  OP_ASSIGN_OR_RETURN(ObjectReader r, Root(body));
  ShopifyInventoryLevel l;
  OP_ASSIGN_OR_RETURN(l.inventory_item_id, r.IdText("inventory_item_id"));
  OP_ASSIGN_OR_RETURN(l.location_id, r.IdText("location_id"));
  if (l.inventory_item_id.empty()) {
    return UnprocessableError("missing inventory_item_id", "inventory_item_id");
  }
  if (l.location_id.empty()) return UnprocessableError("missing location_id", "location_id");
  OP_ASSIGN_OR_RETURN(l.available, r.OptInt("available"));
  return l;
}

}  // namespace orderpilot::api
