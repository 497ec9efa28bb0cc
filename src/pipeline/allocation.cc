#include "pipeline/allocation.h"

#include <algorithm>
#include <cctype>

#include "core/json_writer.h"
#include "core/order_json.h"
#include "inventory/backorder.h"
#include "inventory/substitute.h"
#include "pipeline/review_effects.h"

namespace orderpilot::pipeline {
namespace {

constexpr std::string_view kActor = "pipeline";
constexpr int64_t kMicrosPerDay = 86'400'000'000;

int64_t DayOf(Timestamp t) { return t.micros / kMicrosPerDay; }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool Contains(const std::string& haystack, std::initializer_list<std::string_view> needles) {
  for (std::string_view n : needles) {
    if (haystack.find(n) != std::string::npos) return true;
  }
  return false;
}

// The speed the order paid for: a rule's set_shipping_speed, else its shipping line's name.
routing::Speed SpeedOf(const Order& order, std::string_view override_speed) {
  if (auto s = routing::ParseSpeed(override_speed)) return *s;
  for (const ShippingLine& l : order.shipping_lines) {
    const std::string text = Lower(l.title) + " " + Lower(l.code);
    if (Contains(text, {"overnight", "next day", "next-day", "nextday", "1-day", "one day"})) {
      return routing::Speed::kOvernight;
    }
    if (Contains(text,
                 {"express", "2-day", "2 day", "two-day", "two day", "priority", "expedited"})) {
      return routing::Speed::kExpress;
    }
  }
  return routing::Speed::kStandard;
}

// A delivery date the customer chose ("deliver_by" or "delivery_date" note attribute).
std::optional<int64_t> DeliverBy(const Order& order) {
  for (const auto& [k, v] : order.attributes) {
    if (k != "deliver_by" && k != "delivery_date") continue;
    Result<Timestamp> t = ParseTimestamp(v.size() == 10 ? v + "T00:00:00Z" : v);
    if (t.ok()) return DayOf(*t);
  }
  return std::nullopt;
}

// Points into the order, which outlives the plan.
struct MergedLine {
  std::string_view sku;
  std::string_view title;
  int64_t quantity = 0;
  int64_t grams = 0;
  int64_t volume_cm3 = 0;
  const LineItem* first = nullptr;
};

std::vector<MergedLine> ShippedLines(const Order& order, const inventory::Catalog& catalog) {
  std::vector<MergedLine> lines;
  lines.reserve(order.line_items.size());
  for (const LineItem& li : order.line_items) {
    if (!li.Ships()) continue;
    auto it = std::find_if(lines.begin(), lines.end(),
                           [&](const MergedLine& m) { return m.sku == li.sku; });
    if (it != lines.end()) {
      it->quantity += li.quantity;
      continue;
    }
    MergedLine m;
    m.sku = li.sku;
    m.title = li.title;
    m.quantity = li.quantity;
    m.grams = li.grams;
    m.first = &li;
    if (const inventory::CatalogItem* item = catalog.Find(li.sku)) {
      if (item->grams > 0) m.grams = item->grams;
      m.volume_cm3 = item->VolumeCm3();
    }
    lines.push_back(std::move(m));
  }
  return lines;
}

void WriteMoney(JsonWriter& w, std::string_view key, const Money& m) { w.Field(key, m.ToString()); }

std::string ShipStationRequest(const Order& order, OrderId id, const std::string& key,
                               const inventory::Location& loc, const routing::Shipment& s,
                               const std::vector<MergedLine>& lines) {
  JsonWriter w(1536);
  w.BeginObject()
      .Field("orderNumber", order.number.empty() ? id.ToString() : order.number)
      .Field("orderKey", key)
      .Field("orderDate", FormatTimestamp(order.created_at))
      .Field("orderStatus", "awaiting_shipment")
      .Field("customerEmail", order.email);
  const Address empty;
  const Address& a = order.shipping_address ? *order.shipping_address : empty;
  w.Key("shipTo")
      .BeginObject()
      .Field("name", a.first_name + (a.first_name.empty() ? "" : " ") + a.last_name)
      .Field("company", a.company)
      .Field("street1", a.address1)
      .Field("street2", a.address2)
      .Field("city", a.city)
      .Field("state", a.province_code)
      .Field("postalCode", a.zip)
      .Field("country", a.country_code)
      .Field("phone", a.phone)
      .EndObject();
  w.Key("items").BeginArray();
  for (const auto& [line, units] : s.lines) {
    const MergedLine& m = lines[static_cast<size_t>(line)];
    w.BeginObject().Field("sku", m.sku).Field("name", m.title).Field("quantity", units);
    if (m.first) WriteMoney(w, "unitPrice", m.first->unit_price);
    w.Key("weight").BeginObject().Field("value", m.grams).Field("units", "grams").EndObject();
    w.EndObject();
  }
  w.EndArray();
  w.Field("carrierCode", s.service->carrier_code)
      .Field("serviceCode", s.service->service_code)
      .Field("requestedShippingService", s.service->name)
      .Field("shipByDate", inventory::FormatDay(s.ship_day));
  w.Key("weight")
      .BeginObject()
      .Field("value", s.billable_grams)
      .Field("units", "grams")
      .EndObject();
  w.Key("advancedOptions")
      .BeginObject()
      .Field("warehouseId", loc.code)
      .Field("source", "orderpilot")
      .Field("customField1", "order " + id.ToString())
      .EndObject();
  w.EndObject();
  return w.Take();
}

}  // namespace

void StockLedger::Load(const FulfillmentSetup& setup,
                       const std::vector<store::StockLevel>& levels) {
  skus_.clear();
  locations_ = setup.locations.size();
  Add(setup, {}, levels);
}

void StockLedger::Add(const FulfillmentSetup& setup, const std::vector<std::string>& skus,
                      const std::vector<store::StockLevel>& levels) {
  locations_ = setup.locations.size();
  std::unordered_map<std::string, PerSku, inventory::SkuHash, std::equal_to<>> added;
  for (const std::string& sku : skus) {
    if (!Has(sku)) added.emplace(sku, PerSku{std::vector<int64_t>(locations_, 0)});
  }
  for (const store::StockLevel& l : levels) {
    size_t index = 0;
    while (index < locations_ && setup.locations[index].code != l.location) ++index;
    if (index == locations_) continue;
    auto it = added.find(l.sku);
    if (it == added.end()) {
      if (Has(l.sku)) continue;  // this batch's figure stands
      it = added.emplace(l.sku, PerSku{std::vector<int64_t>(locations_, 0)}).first;
    }
    it->second.available[index] = std::max<int64_t>(0, l.available());
  }
  skus_.merge(added);
}

int64_t StockLedger::Available(std::string_view sku, size_t location) const {
  auto it = skus_.find(sku);
  if (it == skus_.end() || location >= it->second.available.size()) return 0;
  return it->second.available[location];
}

const std::vector<int64_t>* StockLedger::AvailableEverywhere(std::string_view sku) const {
  auto it = skus_.find(sku);
  return it == skus_.end() ? nullptr : &it->second.available;
}

void StockLedger::Take(std::string_view sku, size_t location, int64_t units) {
  auto it = skus_.find(sku);
  if (it == skus_.end() || location >= it->second.available.size()) return;
  it->second.available[location] = std::max<int64_t>(0, it->second.available[location] - units);
}

void CollectSkus(const Order& order, std::vector<std::string>& out) {
  for (const LineItem& li : order.line_items) {
    if (li.Ships()) out.push_back(li.sku);
  }
}

namespace {

// One allocation attempt: the order, its merged lines, the routing request and the result being
// built. The pieces below each finish the result one way.
struct Attempt {
  const AllocationRequest& request;
  const Order& order;
  Timestamp now;
  AllocationContext& ctx;
  std::vector<MergedLine> lines;
  routing::RouteRequest route;
  AllocationResult result;

  void Finish(store::OrderState next) {
    result.next = next;
    result.changed = true;
  }
  void Event(std::string type, std::string payload) {
    result.events.push_back({std::move(type), std::move(payload), std::string(kActor)});
  }
  int64_t TotalAvailable(std::string_view sku) const {
    int64_t sum = 0;
    for (size_t i = 0; i < ctx.setup.locations.size(); ++i) {
      if (ctx.setup.locations[i].MayShip(sku)) sum += ctx.ledger.Available(sku, i);
    }
    return sum;
  }
};

const review::AutonomyPolicy& Policy(const Attempt& a) {
  static const review::AutonomyPolicy kDefaults;
  return a.request.autonomy ? *a.request.autonomy : kDefaults;
}

// The order needs a person: `kind` names the review item.
void Hold(Attempt& a, std::string_view kind, const std::string& reason) {
  JsonWriter w;
  w.BeginObject().Field("decision", "hold").Field("confidence", 1.0);
  w.Key("reasons").BeginArray().String(reason).EndArray().EndObject();
  std::string payload = w.Take();
  a.Event("order.held", payload);
  a.result.review = store::OrderTransition::ReviewRequest{std::string(kind), reason, payload};
  a.Finish(store::OrderState::kHeld);
}

// The routing request: lines, what each location can ship of them, promise and overrides.
void BuildRouteRequest(Attempt& a) {
  const FulfillmentSetup& setup = a.ctx.setup;
  routing::RouteRequest& req = a.route;
  req.now = a.now;
  req.split_penalty = setup.split_penalty;
  req.promise.speed = SpeedOf(a.order, a.request.shipping_speed);
  req.promise.deliver_by_day = DeliverBy(a.order);
  req.forced_site = std::string(a.request.route_location);
  req.forced_service = std::string(a.request.carrier_service);
  if (a.order.shipping_address) {
    req.destination_country = a.order.shipping_address->country_code;
    req.destination_postcode = a.order.shipping_address->zip;
  }
  for (const MergedLine& m : a.lines) {
    req.lines.push_back({std::string(m.sku), m.quantity, m.grams, m.volume_cm3});
  }
  std::vector<const std::vector<int64_t>*> stock(a.lines.size());
  for (size_t j = 0; j < a.lines.size(); ++j) {
    stock[j] = a.ctx.ledger.AvailableEverywhere(a.lines[j].sku);
  }
  for (size_t i = 0; i < setup.locations.size(); ++i) {
    routing::Candidate c;
    c.site = static_cast<int>(i);
    c.available.reserve(a.lines.size());
    bool any = false;
    for (size_t j = 0; j < a.lines.size(); ++j) {
      int64_t units = stock[j] && i < stock[j]->size() && setup.locations[i].MayShip(a.lines[j].sku)
                          ? (*stock[j])[i]
                          : int64_t{0};
      c.available.push_back(units);
      any = any || units > 0;
    }
    if (any) req.candidates.push_back(std::move(c));
  }
}

// The plan ships: reservations, order.allocated, order.routed and a fulfillment request per
// parcel.
void Allocate(Attempt& a, const routing::RoutePlan& plan) {
  const FulfillmentSetup& setup = a.ctx.setup;
  JsonWriter alloc(512);
  alloc.BeginObject().Key("lines").BeginArray();
  for (const MergedLine& m : a.lines) {
    alloc.BeginObject().Field("sku", m.sku).Field("quantity", m.quantity).EndObject();
  }
  alloc.EndArray().Key("shipments").BeginArray();
  JsonWriter routed(1536);
  routed.BeginObject()
      .Field("summary", plan.summary)
      .Field("total", plan.total.ToString())
      .Field("currency", plan.total.currency().code())
      .Field("speed", routing::SpeedName(a.route.promise.speed));
  if (a.route.promise.deliver_by_day) {
    routed.Field("deliver_by", inventory::FormatDay(*a.route.promise.deliver_by_day));
  }
  routed.Field("promise_met", plan.promise_met)
      .Field("method", plan.exact ? "exact" : "heuristic")
      .Key("shipments")
      .BeginArray();
  for (const routing::Shipment& s : plan.shipments) {
    const inventory::Location& loc = setup.locations[static_cast<size_t>(s.site)];
    alloc.BeginObject().Field("location", loc.code).Key("lines").BeginArray();
    for (const auto& [line, units] : s.lines) {
      const MergedLine& m = a.lines[static_cast<size_t>(line)];
      alloc.BeginObject().Field("sku", m.sku).Field("quantity", units).EndObject();
      a.result.reserve.push_back({std::string(m.sku), loc.code, units});
      a.ctx.ledger.Take(m.sku, static_cast<size_t>(s.site), units);
    }
    alloc.EndArray().EndObject();
    routed.BeginObject()
        .Field("location", loc.code)
        .Field("carrier", s.service->carrier)
        .Field("service", s.service->code)
        .Field("service_name", s.service->name)
        .Field("shipping", s.shipping.ToString())
        .Field("handling", s.handling.ToString())
        .Field("billable_grams", s.billable_grams)
        .Field("ship_date", inventory::FormatDay(s.ship_day))
        .Field("delivery_date", inventory::FormatDay(s.delivery_day))
        .Field("meets_promise", s.meets_promise)
        .EndObject();
    store::OutboxMessage m;
    m.idempotency_key = "fulfillment:order-" + a.request.order_id.ToString() + ":v" +
                        std::to_string(a.request.version) + ":" + loc.code;
    m.kind = loc.fulfillment_url.empty() ? "fulfillment_request" : "webhook";
    m.destination = loc.fulfillment_url.empty() ? loc.code : loc.fulfillment_url;
    m.payload = ShipStationRequest(a.order, a.request.order_id, m.idempotency_key, loc, s, a.lines);
    a.result.outbox.push_back(std::move(m));
  }
  alloc.EndArray().EndObject();
  routed.EndArray().Key("alternatives").BeginArray();
  for (const routing::Alternative& alt : plan.alternatives) {
    routed.BeginObject().Field("option", alt.description);
    if (alt.total) {
      routed.Field("total", alt.total->ToString());
    } else {
      routed.Field("why_not", alt.why_not);
    }
    routed.EndObject();
  }
  routed.EndArray().Key("notes").BeginArray();
  for (const std::string& n : plan.notes) routed.String(n);
  routed.EndArray().EndObject();
  a.Event("order.allocated", alloc.Take());
  a.Event("order.routed", routed.Take());
  a.Finish(store::OrderState::kAllocated);
}

// A short line with a same-group SKU in stock: a substitute_sku review item. False when no
// short line has one.
bool ProposeSubstitute(Attempt& a, const routing::RoutePlan& plan) {
  if (!a.ctx.stock) return false;
  for (size_t i = 0; i < a.lines.size(); ++i) {
    if (plan.short_units[i] <= 0) continue;
    const MergedLine& line = a.lines[i];
    // The group's other SKUs: read now, once per batch, rather than for every order up front.
    std::vector<std::string> unread;
    for (const inventory::CatalogItem* s : a.ctx.setup.catalog.Siblings(line.sku)) {
      if (!a.ctx.ledger.Has(s->sku)) unread.push_back(s->sku);
    }
    if (!unread.empty()) a.ctx.ledger.Add(a.ctx.setup, unread, a.ctx.stock(unread));
    auto sub =
        inventory::FindSubstitute(a.ctx.setup.catalog, line.sku, line.quantity,
                                  [&](std::string_view sku) { return a.TotalAvailable(sku); });
    if (!sub) continue;
    std::string reason = std::string(line.sku) + " is out of stock (" +
                         std::to_string(plan.short_units[i]) + " short); propose " +
                         sub->item->sku +
                         (sub->item->title.empty() ? "" : " (" + sub->item->title + ")");
    JsonWriter w;
    w.BeginObject()
        .Field("sku", line.sku)
        .Field("quantity", line.quantity)
        .Field("short", plan.short_units[i])
        .Field("substitute_sku", sub->item->sku)
        .Field("substitute_title", sub->item->title)
        .Field("available", sub->available)
        .Field("matching_attributes", static_cast<int64_t>(sub->matching_attributes))
        .Key("differences")
        .BeginArray();
    for (const std::string& d : sub->differences) w.String(d);
    // Confidence: the share of the catalog attributes the substitute matches (0.5 when the
    // catalog lists none to compare).
    const size_t compared = sub->matching_attributes + sub->differences.size();
    const double confidence = compared == 0 ? 0.5
                                            : static_cast<double>(sub->matching_attributes) /
                                                  static_cast<double>(compared);
    review::PolicyOutcome v = Policy(a).Decide("substitute_sku", confidence, a.order.totals.total);
    if (v.verdict == review::Verdict::kSkip) return false;
    w.EndArray().Field("confidence", confidence).Key("reasons").BeginArray().String(reason);
    w.EndArray().Field("policy", v.why).EndObject();
    std::string payload = w.Take();
    store::OrderTransition::ReviewRequest request{"substitute_sku", reason, payload};
    request.proposal = "ship " + sub->item->sku + " instead of " + std::string(line.sku);
    request.confidence = confidence;
    a.Event("order.substitution_proposed", payload);
    if (v.verdict == review::Verdict::kApply) {
      Order changed = a.order;
      SubstituteSku(changed, line.sku, sub->item->sku, sub->item->title);
      a.Event("order.substituted", payload);
      request.applied = true;
      a.result.applied.push_back(std::move(request));
      a.result.order_json = EncodeOrder(changed);
      a.result.rerun = true;  // allocated as changed on the next run
      a.Finish(store::OrderState::kAccepted);
      return true;
    }
    a.Event("order.held", payload);
    a.result.review = std::move(request);
    a.Finish(store::OrderState::kHeld);
    return true;
  }
  return false;
}

// The order waits for stock: order.backordered with, per short SKU, when it should be there and
// what that rests on.
void Backorder(Attempt& a, const routing::RoutePlan& plan) {
  const FulfillmentSetup& setup = a.ctx.setup;
  std::vector<std::string> short_skus;
  for (size_t i = 0; i < a.lines.size(); ++i) {
    if (plan.short_units[i] > 0) short_skus.emplace_back(a.lines[i].sku);
  }
  std::vector<store::IncomingStock> incoming;
  if (a.ctx.incoming) incoming = a.ctx.incoming(short_skus);
  const int transit_days =
      a.route.promise.speed == routing::Speed::kOvernight ? setup.overnight_days
      : a.route.promise.speed == routing::Speed::kExpress ? setup.express_days
                                                          : setup.standard_days;
  JsonWriter w;
  w.BeginObject().Key("lines").BeginArray();
  for (const MergedLine& m : a.lines) {
    w.BeginObject().Field("sku", m.sku).Field("quantity", m.quantity).EndObject();
  }
  w.EndArray().Key("short").BeginArray();
  int64_t promise_day = 0;
  bool promise_rests_on_purchase_orders = true;
  std::string summary;
  for (size_t i = 0; i < a.lines.size(); ++i) {
    if (plan.short_units[i] <= 0) continue;
    const MergedLine& line = a.lines[i];
    const inventory::CatalogItem* item = setup.catalog.Find(line.sku);
    const int lead =
        item && item->lead_time_days > 0 ? item->lead_time_days : setup.default_lead_time_days;
    inventory::BackorderPromise p = inventory::PromiseFor(line.sku, plan.short_units[i], incoming,
                                                          DayOf(a.now), lead, transit_days);
    promise_day = std::max(promise_day, p.deliver_day);
    promise_rests_on_purchase_orders =
        promise_rests_on_purchase_orders && p.basis.rfind("supplier lead time", 0) != 0;
    w.BeginObject()
        .Field("sku", line.sku)
        .Field("short", plan.short_units[i])
        .Field("available", a.TotalAvailable(line.sku))
        .Field("ship_date", inventory::FormatDay(p.ship_day))
        .Field("basis", p.basis)
        .EndObject();
    if (!summary.empty()) summary += "; ";
    summary += std::to_string(plan.short_units[i]) + " × " + std::string(line.sku) +
               " short, expected " + inventory::FormatDay(p.ship_day) + " (" + p.basis + ")";
  }
  // Confidence that the promise holds: a purchase order covering every short line is a fact, a
  // supplier lead time an estimate.
  const double confidence = promise_rests_on_purchase_orders ? 0.9 : 0.6;
  review::PolicyOutcome v = Policy(a).Decide("backorder", confidence, a.order.totals.total);
  w.EndArray()
      .Field("promise_date", inventory::FormatDay(promise_day))
      .Field("summary", summary)
      .Field("confidence", confidence)
      .Field("policy", v.why)
      .EndObject();
  std::string payload = w.Take();
  store::OrderTransition::ReviewRequest request{"backorder", "backorder: " + summary, payload};
  request.proposal = "backorder the order, promised for " + inventory::FormatDay(promise_day);
  request.confidence = confidence;
  if (v.verdict == review::Verdict::kApply) {
    request.applied = true;
    a.result.applied.push_back(std::move(request));
    a.Event("order.backordered", std::move(payload));
    a.Finish(store::OrderState::kBackordered);
    return;
  }
  // suggest (and off: an order without stock needs some decision) asks a person.
  a.Event("order.held", payload);
  a.result.review = std::move(request);
  a.Finish(store::OrderState::kHeld);
}

}  // namespace

AllocationResult PlanAllocation(const AllocationRequest& request, const Order& order, Timestamp now,
                                AllocationContext& ctx) {
  Attempt a{request, order, now, ctx, ShippedLines(order, ctx.setup.catalog), {}, {}};
  a.result.next = request.from;
  const bool retry = request.from == store::OrderState::kBackordered;
  if (order.fulfillment_status == "fulfilled") {
    // Shipped outside orderpilot (or before it was set up, e.g. the accepted orders of an
    // existing shop when locations are first configured): nothing to reserve or send.
    a.Event("order.shipped", R"({"lines":[],"reason":"fulfilled on the channel"})");
    a.Finish(store::OrderState::kShipped);
    return std::move(a.result);
  }
  if (a.lines.empty()) {
    if (retry) return std::move(a.result);
    a.Event("order.shipped",
            R"({"digital":true,"lines":[],"reason":"nothing in the order ships"})");
    a.Finish(store::OrderState::kShipped);
    return std::move(a.result);
  }
  BuildRouteRequest(a);
  Result<routing::RoutePlan> plan = ctx.setup.router->Plan(a.route);
  bool stock_short = false;
  if (plan.ok()) {
    for (int64_t units : plan->short_units) stock_short = stock_short || units > 0;
  }
  // Still short on a retry: nothing new to record; the order keeps waiting.
  if (retry && (!plan.ok() || plan->shipments.empty())) return std::move(a.result);
  if (!plan.ok()) {
    Hold(a, "routing_problem", "cannot route the order: " + plan.status().message());
  } else if (!plan->shipments.empty()) {
    Allocate(a, *plan);
  } else if (!stock_short) {
    // Stock that no carrier service can take to the destination (a country no rate table
    // serves, a parcel too heavy) needs a person.
    Hold(a, "routing_problem",
         "no carrier service can ship the order to " + a.route.destination_country + " " +
             a.route.destination_postcode + (plan->summary.empty() ? "" : ": " + plan->summary));
  } else if (!ctx.setup.propose_substitutes || !ProposeSubstitute(a, *plan)) {
    Backorder(a, *plan);
  }
  return std::move(a.result);
}

}  // namespace orderpilot::pipeline
