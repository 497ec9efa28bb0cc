// The allocate step inside the pipeline, against a real SQLite store: stock is reserved where
// the router ships from, the decision is explained, shortages become backorders or substitute
// proposals, rules override, cancellations give stock back, and concurrent workers never
// allocate a unit twice.
#include <gtest/gtest.h>

#include <thread>

#include "pipeline/pipeline.h"
#include "pipeline/review_effects.h"
#include "pipeline_fixture.h"  // NOLINT(build/include_subdir)
#include "routing/rate_table.h"
#include "rules/engine.h"
#include "rules/order_env.h"
#include "rules/rule_set.h"

namespace orderpilot::pipeline {
namespace {

// One carrier, two services; "west" ships cheaply to the west coast, "east" to the east.
constexpr std::string_view kRates = R"(
carrier: TestPost
code: testpost
currency: USD
dim_divisor: 5000
origin_zones:
  west: {country: US, postcodes: [894-897]}
  east: {country: US, postcodes: [070-079]}
destination_zones:
  east-coast: {country: US, postcodes: [000-299]}
  west-coast: {country: US, postcodes: [800-999]}
zone_chart:
  west:
    "2": [west-coast]
    "8": [east-coast]
  east:
    "2": [east-coast]
    "8": [west-coast]
services:
  - code: tp-ground
    name: TestPost Ground
    weights_lb: [1, 5, 70]
    rates:
      "2": {days: 2, prices: [5.00, 7.00, 20.00]}
      "8": {days: 5, prices: [9.00, 12.00, 40.00]}
  - code: tp-express
    name: TestPost Express
    weights_lb: [1, 5, 70]
    rates:
      "2": {days: 1, prices: [15.00, 20.00, 60.00]}
      "8": {days: 2, prices: [25.00, 30.00, 90.00]}
)";

constexpr std::string_view kCatalog =
    "sku,title,product_group,attributes,grams,lead_time_days\n"
    "MUG,Mug,mug,color=white;size=12oz,350,10\n"
    "MUG-BLUE,Blue Mug,mug,color=blue;size=12oz,350,10\n"
    "LAMP,Lamp,,,2000,30\n";

class AllocationTest : public PipelineTest {
 protected:
  void SetUp() override {
    PipelineTest::SetUp();
    auto tables = routing::RateTables::Parse(kRates, "test-rates.yaml");
    ASSERT_TRUE(tables.ok()) << tables.status().ToString();
    auto catalog = inventory::Catalog::ParseCsv(kCatalog, "catalog.csv");
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    setup_.catalog = std::move(*catalog);
    std::vector<routing::Site> sites;
    for (auto [code, zip] : {std::pair{"west", "89502"}, std::pair{"east", "07114"}}) {
      inventory::Location l;
      l.code = code;
      l.name = std::string(code) + " DC";
      l.address.country_code = "US";
      l.address.zip = zip;
      l.handling_cost = Usd(100);
      setup_.locations.push_back(l);
      routing::Site s;
      s.code = l.code;
      s.name = l.name;
      s.country_code = "US";
      s.postcode = zip;
      s.handling_cost = l.handling_cost;
      sites.push_back(s);
    }
    auto router = routing::Router::Create(std::move(*tables), std::move(sites));
    ASSERT_TRUE(router.ok()) << router.status().ToString();
    setup_.router = *router;
    setup_.split_penalty = Usd(300);
  }

  void SetStock(const std::string& sku, const std::string& location, int64_t units) {
    store::StockAdjustment a;
    a.sku = sku;
    a.location = location;
    a.mode = store::AdjustmentMode::kSet;
    a.quantity = units;
    a.reason = "test";
    a.idempotency_key = "set:" + sku + ":" + location + ":" + std::to_string(++adjustments_);
    a.actor = "test";
    auto out = store_->AdjustStock(a);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
  }
  store::StockLevel Level(const std::string& sku, const std::string& location) {
    auto levels = store_->GetStock({sku});
    EXPECT_TRUE(levels.ok());
    for (const auto& l : *levels) {
      if (l.location == location) return l;
    }
    return {};
  }
  PipelineOptions Options(int workers = 1) {
    PipelineOptions o;
    o.workers = workers;
    o.fulfillment = &setup_;
    if (!engine_.current()->rules().empty()) o.rules = &engine_;
    return o;
  }
  void Process(const std::vector<OrderId>& ids, int workers = 1) {
    Pipeline p(*store_, clock_, Options(workers));
    ASSERT_TRUE(p.Start().ok());
    for (OrderId id : ids) p.Enqueue(id);
    ASSERT_TRUE(p.WaitIdle(std::chrono::seconds(30)));
  }
  store::OrderState State(OrderId id) { return store_->GetOrder(id)->state; }
  const store::Event* Find(const std::vector<store::Event>& events, std::string_view type) {
    for (const auto& e : events) {
      if (e.type == type) return &e;
    }
    return nullptr;
  }
  std::vector<store::Event> Events(OrderId id) {
    return *store_->ReadStream(store::OrderStream(id));
  }
  // An order of `qty` mugs to Arlington, VA (east coast).
  Order MugOrder(const std::string& id, int64_t qty, const std::string& sku = "MUG") {
    Order o = MakeOrder(id, true);
    o.line_items[0].sku = sku;
    o.line_items[0].quantity = qty;
    o.totals = {Usd(1250 * qty), Usd(0), Usd(500), Usd(0), Usd(1250 * qty + 500)};
    return o;
  }

  FulfillmentSetup setup_;
  rules::OrderEnv env_;
  rules::RuleEngine engine_{env_};
  int adjustments_ = 0;
};

TEST_F(AllocationTest, ReservesStockAtTheCheapestLocationAndExplainsWhy) {
  SetStock("MUG", "west", 10);
  SetStock("MUG", "east", 10);
  OrderId id = Ingest(MugOrder("1", 2));
  Process({id});

  EXPECT_EQ(State(id), store::OrderState::kAllocated);
  EXPECT_EQ(Level("MUG", "east").reserved, 2);
  EXPECT_EQ(Level("MUG", "west").reserved, 0);
  auto events = Events(id);
  const store::Event* routed = Find(events, "order.routed");
  ASSERT_NE(routed, nullptr);
  // Two mugs weigh 700 g, the 5 lb bracket. East ships to Arlington in zone 2: $7.00 + $1.00
  // handling; west would be $12.00 + $1.00.
  EXPECT_NE(routed->payload.find(R"("total":"8.00")"), std::string::npos) << routed->payload;
  EXPECT_NE(routed->payload.find("east DC"), std::string::npos) << routed->payload;
  EXPECT_NE(routed->payload.find("west DC"), std::string::npos) << "the runner-up is named";
  ASSERT_NE(Find(events, "order.allocated"), nullptr);
  auto reservations = store_->GetReservations(id);
  ASSERT_TRUE(reservations.ok());
  ASSERT_EQ(reservations->size(), 1u);
  EXPECT_EQ((*reservations)[0].reservation.location, "east");

  auto outbox = store_->ListOutbox(10);
  ASSERT_TRUE(outbox.ok());
  ASSERT_EQ(outbox->size(), 1u);
  EXPECT_EQ((*outbox)[0].message.kind, "fulfillment_request");
  EXPECT_NE((*outbox)[0].message.payload.find(R"("serviceCode":"tp-ground")"), std::string::npos)
      << (*outbox)[0].message.payload;
  EXPECT_NE((*outbox)[0].message.payload.find(R"("warehouseId":"east")"), std::string::npos);
}

TEST_F(AllocationTest, ExpressOrdersGetAServiceThatMeetsTheirPromise) {
  SetStock("MUG", "east", 10);
  Order o = MugOrder("2", 1);
  o.shipping_lines.push_back({"EXP", "Express", "shopify", Usd(500), Usd(0), {}});
  OrderId id = Ingest(o);
  Process({id});
  ASSERT_EQ(State(id), store::OrderState::kAllocated);
  const std::vector<store::Event> events = Events(id);
  const store::Event* routed = Find(events, "order.routed");
  ASSERT_NE(routed, nullptr);
  // Ground (2 days) also meets a 2-day express promise from the east: the cheaper one wins.
  EXPECT_NE(routed->payload.find(R"("speed":"express")"), std::string::npos) << routed->payload;
  EXPECT_NE(routed->payload.find(R"("promise_met":true)"), std::string::npos);
}

TEST_F(AllocationTest, SplitsOnlyWhenNoSingleLocationCanFill) {
  SetStock("MUG", "west", 1);
  SetStock("MUG", "east", 1);
  OrderId id = Ingest(MugOrder("3", 2));
  Process({id});
  ASSERT_EQ(State(id), store::OrderState::kAllocated);
  EXPECT_EQ(Level("MUG", "west").reserved, 1);
  EXPECT_EQ(Level("MUG", "east").reserved, 1);
  EXPECT_EQ(store_->ListOutbox(10)->size(), 2u) << "one fulfillment request per parcel";
}

TEST_F(AllocationTest, BackordersWithAPromiseDateFromThePurchaseOrder) {
  store::IncomingStock po;
  po.purchase_order = "PO-7";
  po.sku = "LAMP";
  po.location = "east";
  po.quantity = 5;
  po.expected_at = Timestamp{clock_.Now().micros + int64_t{10} * 86'400'000'000};
  ASSERT_TRUE(store_->AddIncoming({po}).ok());
  OrderId id = Ingest(MugOrder("4", 1, "LAMP"));
  Process({id});

  EXPECT_EQ(State(id), store::OrderState::kBackordered);
  const std::vector<store::Event> events = Events(id);
  const store::Event* back = Find(events, "order.backordered");
  ASSERT_NE(back, nullptr);
  EXPECT_NE(back->payload.find("PO-7 due"), std::string::npos) << back->payload;
  EXPECT_EQ(store_->GetReservations(id)->size(), 0u);

  // The purchase order arrives: the backorder is allocated on the next check.
  ASSERT_TRUE(store_->ReceiveIncoming("PO-7", "test").ok());
  Pipeline p(*store_, clock_, Options());
  ASSERT_TRUE(p.Start().ok());
  ASSERT_TRUE(p.RecheckBackorders().ok());
  ASSERT_TRUE(p.WaitIdle(std::chrono::seconds(10)));
  EXPECT_EQ(State(id), store::OrderState::kAllocated);
  EXPECT_EQ(Level("LAMP", "east").reserved, 1);
}

TEST_F(AllocationTest, ProposesASubstituteForReviewAndAppliesItWhenApproved) {
  SetStock("MUG-BLUE", "east", 5);
  OrderId id = Ingest(MugOrder("5", 2));
  Process({id});
  ASSERT_EQ(State(id), store::OrderState::kHeld);
  auto reviews = store_->ListReviews(store::ReviewStatus::kOpen, 10, std::nullopt);
  ASSERT_TRUE(reviews.ok());
  ASSERT_EQ(reviews->items.size(), 1u);
  const store::ReviewRecord& review = reviews->items[0];
  EXPECT_EQ(review.kind, "substitute_sku");
  EXPECT_NE(review.detail_json.find("color: white → blue"), std::string::npos)
      << review.detail_json;

  store::ReviewDecision d;
  d.review_id = review.id;
  d.approve = true;
  d.who = "ops";
  auto prepared = PrepareReviewDecision(*store_, d);
  ASSERT_TRUE(prepared.ok()) << prepared.status().ToString();
  ASSERT_TRUE(store_->Decide(*prepared).ok());
  Process({id});
  EXPECT_EQ(State(id), store::OrderState::kAllocated);
  EXPECT_EQ(Level("MUG-BLUE", "east").reserved, 2);
  EXPECT_NE(store_->GetOrder(id)->order_json.find("MUG-BLUE"), std::string::npos);
}

TEST_F(AllocationTest, RejectingASubstituteLeavesTheOrderBackordered) {
  SetStock("MUG-BLUE", "east", 5);
  OrderId id = Ingest(MugOrder("6", 1));
  Process({id});
  auto reviews = store_->ListReviews(store::ReviewStatus::kOpen, 10, std::nullopt);
  ASSERT_EQ(reviews->items.size(), 1u);
  store::ReviewDecision d;
  d.review_id = reviews->items[0].id;
  d.approve = false;
  d.who = "ops";
  ASSERT_TRUE(store_->Decide(d).ok());
  Process({id});
  EXPECT_EQ(State(id), store::OrderState::kBackordered);
  EXPECT_EQ(Level("MUG-BLUE", "east").reserved, 0);
}

TEST_F(AllocationTest, RuleRouteToOverridesTheCheapestLocation) {
  auto set = rules::ParseRuleSet(R"(
- name: west-first
  on: order.accepted
  when: 'true'
  do:
    - route_to: west
)",
                                 "r.yaml", env_);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  engine_.Swap(*set);
  SetStock("MUG", "west", 10);
  SetStock("MUG", "east", 10);
  OrderId id = Ingest(MugOrder("7", 1));
  Process({id});
  ASSERT_EQ(State(id), store::OrderState::kAllocated);
  EXPECT_EQ(Level("MUG", "west").reserved, 1) << "the rule ran before allocation";
  EXPECT_EQ(Level("MUG", "east").reserved, 0);
}

TEST_F(AllocationTest, ChannelCancellationGivesTheStockBack) {
  SetStock("MUG", "east", 3);
  Order o = MugOrder("8", 2);
  OrderId id = Ingest(o);
  Process({id});
  ASSERT_EQ(Level("MUG", "east").reserved, 2);
  store::Delivery d;
  d.channel = o.channel;
  d.shop = o.shop;
  d.received_at = clock_.Now();
  d.kind = store::DeliveryKind::kOrderCancel;
  d.event_type = "order.cancelled";
  d.channel_order_id = o.channel_order_id;
  d.payload_json = EncodeOrder(o);
  d.order = o;
  d.actor = "shopify";
  ASSERT_TRUE(store_->Ingest(d).ok());
  EXPECT_EQ(State(id), store::OrderState::kCancelled);
  EXPECT_EQ(Level("MUG", "east").reserved, 0);
  EXPECT_EQ(Level("MUG", "east").on_hand, 3);
}

TEST_F(AllocationTest, ADestinationNoCarrierServesIsHeldForAPerson) {
  SetStock("MUG", "east", 10);
  Order o = MugOrder("10", 1);
  o.shipping_address->country_code = "NZ";
  o.shipping_address->zip = "6011";
  OrderId id = Ingest(o);
  Process({id});
  ASSERT_EQ(State(id), store::OrderState::kHeld);
  auto reviews = store_->ListReviews(store::ReviewStatus::kOpen, 10, std::nullopt);
  ASSERT_EQ(reviews->items.size(), 1u);
  EXPECT_EQ(reviews->items[0].kind, "routing_problem");
  EXPECT_NE(reviews->items[0].reason.find("NZ 6011"), std::string::npos)
      << reviews->items[0].reason;
  EXPECT_EQ(Level("MUG", "east").reserved, 0);
}

TEST_F(AllocationTest, OrdersTheChannelAlreadyFulfilledReserveNothing) {
  SetStock("MUG", "east", 10);
  Order o = MugOrder("11", 2);
  o.fulfillment_status = "fulfilled";
  OrderId id = Ingest(o);
  Process({id});
  EXPECT_EQ(State(id), store::OrderState::kShipped);
  EXPECT_EQ(Level("MUG", "east").reserved, 0);
  EXPECT_TRUE(store_->ListOutbox(10)->empty()) << "no fulfillment request";
}

TEST_F(AllocationTest, OrdersWithNothingToShipAreDoneAtOnce) {
  Order o = MugOrder("9", 1);
  o.line_items[0].requires_shipping = false;
  o.line_items[0].gift_card = true;
  OrderId id = Ingest(o);
  Process({id});
  EXPECT_EQ(State(id), store::OrderState::kShipped);
}

TEST_F(AllocationTest, ConcurrentWorkersAllocateTheLastUnitsExactlyOnce) {
  SetStock("MUG", "east", 3);
  SetStock("MUG", "west", 2);
  std::vector<OrderId> ids;
  for (int i = 0; i < 40; ++i) ids.push_back(Ingest(MugOrder("c" + std::to_string(i), 1)));
  Process(ids, /*workers=*/4);
  int allocated = 0, backordered = 0;
  for (OrderId id : ids) {
    store::OrderState s = State(id);
    allocated += s == store::OrderState::kAllocated;
    backordered += s == store::OrderState::kBackordered;
  }
  EXPECT_EQ(allocated, 5);
  EXPECT_EQ(backordered, 35);
  EXPECT_EQ(Level("MUG", "east").reserved, 3);
  EXPECT_EQ(Level("MUG", "west").reserved, 2);
}

}  // namespace
}  // namespace orderpilot::pipeline
