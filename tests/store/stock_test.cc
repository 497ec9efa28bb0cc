// Stock in the SQLite store: levels, reservations, adjustments, shipments, purchase orders, and
// the invariants 0 <= reserved <= on_hand and reserved == Σ open reservations under random and
// concurrent use.
#include "store/stock.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "core/order_json.h"
#include "store/sqlite_store.h"
#include "store/store.h"
#include "store_test_util.h"

namespace orderpilot::store {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::OrderDelivery;
using testing::TempDir;

constexpr int64_t kMicrosPerDay = int64_t{86400} * 1000 * 1000;

// Writes one outbox message per change, keyed by the change's event, as a channel sync does.
class RecordingObserver final : public StockObserver {
 public:
  void OnStockChanged(const StockLevel& level, EventSeq event_seq,
                      std::vector<OutboxMessage>& out) const override {
    ++calls_;
    out.push_back({"stock_sync", "test",
                   R"({"sku":")" + level.sku + R"(","location":")" + level.location +
                       R"(","on_hand":)" + std::to_string(level.on_hand) + "}",
                   "sync-" + event_seq.ToString()});
  }
  int calls() const { return calls_.load(); }

 private:
  mutable std::atomic<int> calls_{0};
};

// A read-only connection of the test's own, for the truth on disk.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "cannot open " << path;
    }
  }
  ~RawDb() { sqlite3_close_v2(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  // Rows of `sql`, each column as text ("" for NULL).
  std::vector<std::vector<std::string>> Rows(const std::string& sql) {
    std::vector<std::vector<std::string>> rows;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "prepare failed: " << sql << ": " << sqlite3_errmsg(db_);
      return rows;
    }
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
        const unsigned char* text = sqlite3_column_text(stmt, i);
        row.push_back(text != nullptr ? reinterpret_cast<const char*>(text) : "");
      }
      rows.push_back(std::move(row));
    }
    sqlite3_finalize(stmt);
    return rows;
  }
  int64_t Int(const std::string& sql) {
    auto rows = Rows(sql);
    return rows.empty() || rows[0].empty() || rows[0][0].empty() ? 0 : std::stoll(rows[0][0]);
  }

 private:
  sqlite3* db_ = nullptr;
};

std::string LinesJson(const std::vector<Reservation>& lines) {
  std::string json = R"({"lines":[)";
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) json += ",";
    json +=
        R"({"sku":")" + lines[i].sku + R"(","quantity":)" + std::to_string(lines[i].quantity) + "}";
  }
  return json + "]}";
}

class StockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    path_ = dir_.path() + "/stock.db";
    SqliteOptions o;
    o.path = path_;
    o.clock = &clock_;
    o.stock_observer = &observer_;
    auto s = SqliteStore::Open(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    raw_ = std::make_unique<RawDb>(path_);
  }

  OrderId CreateOrder(const std::string& channel_order_id) {
    auto out = store_->Ingest(OrderDelivery(DeliveryKind::kOrderCreate, channel_order_id));
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return out.ok() ? out->order_id : OrderId();
  }

  static StockAdjustment Adjustment(const std::string& sku, const std::string& location,
                                    AdjustmentMode mode, int64_t quantity, const std::string& key) {
    StockAdjustment a;
    a.sku = sku;
    a.location = location;
    a.mode = mode;
    a.quantity = quantity;
    a.reason = "cycle count";
    a.idempotency_key = key;
    a.actor = "alice";
    return a;
  }
  AdjustmentOutcome Adjust(const StockAdjustment& a) {
    auto out = store_->AdjustStock(a);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return out.ok() ? *out : AdjustmentOutcome();
  }
  AdjustmentOutcome SetOnHand(const std::string& sku, const std::string& location,
                              int64_t on_hand) {
    return Adjust(
        Adjustment(sku, location, AdjustmentMode::kSet, on_hand, "key-" + std::to_string(++keys_)));
  }
  std::optional<StockLevel> Level(const std::string& sku, const std::string& location) {
    auto levels = store_->GetStock({sku});
    EXPECT_TRUE(levels.ok()) << levels.status().ToString();
    if (!levels.ok()) return std::nullopt;
    for (const StockLevel& l : *levels) {
      if (l.location == location) return l;
    }
    return std::nullopt;
  }
  OrderRecord Get(OrderId id) {
    auto r = store_->GetOrder(id);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : OrderRecord();
  }

  // Appends one event and moves the order to `state` with the stock effects given.
  Status Move(OrderId id, const std::string& type, const std::string& payload, OrderState state,
              const std::vector<Reservation>& reserve = {}, bool release = false) {
    OrderTransition t;
    t.order_id = id;
    t.expected_version = Get(id).version;
    t.events.push_back({type, payload, "pipeline"});
    t.new_state = state;
    t.reserve = reserve;
    t.release_reservations = release;
    return store_->Transition(t);
  }
  Status Allocate(OrderId id, const std::vector<Reservation>& lines, bool release = false) {
    return Move(id, "order.allocated", LinesJson(lines), OrderState::kAllocated, lines, release);
  }

  std::vector<Event> Stream(const std::string& stream) {
    auto events = store_->ReadStream(stream);
    EXPECT_TRUE(events.ok()) << events.status().ToString();
    return events.ok() ? *events : std::vector<Event>();
  }
  std::vector<std::string> Types(const std::string& stream) {
    std::vector<std::string> types;
    for (const Event& e : Stream(stream)) types.push_back(e.type);
    return types;
  }
  int64_t Count(const std::string& sql) { return raw_->Int(sql); }
  int64_t OpenReserved(const std::string& sku, const std::string& location) {
    return Count(
        "SELECT COALESCE(SUM(quantity), 0) FROM reservations WHERE state = 'reserved' "
        "AND sku = '" +
        sku + "' AND location = '" + location + "'");
  }

  TempDir dir_;
  std::string path_;
  ManualClock clock_{Timestamp{1750000000000000}};
  RecordingObserver observer_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<RawDb> raw_;
  int keys_ = 0;
};

// --- adjustments ------------------------------------------------------------------------------

TEST_F(StockTest, SetCreatesTheLevelAndPublishesTheChange) {
  AdjustmentOutcome out = SetOnHand("A", "reno", 10);
  EXPECT_FALSE(out.duplicate);
  EXPECT_EQ(out.level.sku, "A");
  EXPECT_EQ(out.level.location, "reno");
  EXPECT_EQ(out.level.on_hand, 10);
  EXPECT_EQ(out.level.reserved, 0);
  EXPECT_EQ(out.level.available(), 10);
  EXPECT_EQ(out.level.updated_at, clock_.Now());

  std::vector<Event> events = Stream(SkuStream("A"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "inventory.available_changed");
  EXPECT_EQ(events[0].version, 1);
  EXPECT_EQ(events[0].actor, "alice");
  EXPECT_EQ(events[0].payload,
            R"({"sku":"A","location":"reno","on_hand":10,"reserved":0,"safety_stock":0,)"
            R"("available":10,"delta_on_hand":10,"delta_reserved":0,"reason":"cycle count",)"
            R"("actor":"alice"})");
  // The observer's message is in the outbox, keyed by the event, with no order.
  EXPECT_EQ(observer_.calls(), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE kind = 'stock_sync' AND order_id IS NULL "
                  "AND idempotency_key = 'sync-" +
                  events[0].seq.ToString() + "'"),
            1);
  EXPECT_EQ(Count("SELECT on_hand FROM stock_adjustments WHERE idempotency_key = 'key-1'"), 10);
}

TEST_F(StockTest, DeltaAddsAndRefusesToGoBelowZero) {
  SetOnHand("A", "reno", 3);
  AdjustmentOutcome out = Adjust(Adjustment("A", "reno", AdjustmentMode::kDelta, 4, "d1"));
  EXPECT_EQ(out.level.on_hand, 7);
  const int64_t events = Count("SELECT COUNT(*) FROM events");
  auto refused = store_->AdjustStock(Adjustment("A", "reno", AdjustmentMode::kDelta, -8, "d2"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(), HasSubstr("from 7 to -1"));
  EXPECT_EQ(Level("A", "reno")->on_hand, 7);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM events"), events);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM stock_adjustments WHERE idempotency_key = 'd2'"), 0);
}

TEST_F(StockTest, BadAdjustmentsAreInvalidArguments) {
  auto code = [&](StockAdjustment a) { return store_->AdjustStock(a).status().code(); };
  StockAdjustment ok = Adjustment("A", "reno", AdjustmentMode::kSet, 1, "k");
  StockAdjustment a = ok;
  a.sku = "";
  EXPECT_EQ(code(a), StatusCode::kInvalidArgument);
  a = ok;
  a.location = "";
  EXPECT_EQ(code(a), StatusCode::kInvalidArgument);
  a = ok;
  a.idempotency_key = "";
  EXPECT_EQ(code(a), StatusCode::kInvalidArgument);
  a = ok;
  a.quantity = -1;
  EXPECT_EQ(code(a), StatusCode::kInvalidArgument);
  a = ok;
  a.safety_stock = -2;
  EXPECT_EQ(code(a), StatusCode::kInvalidArgument);
  a = Adjustment("A", "reno", AdjustmentMode::kDelta, -1, "k");  // on a level that is not there
  EXPECT_EQ(code(a), StatusCode::kInvalidArgument);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM stock"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM events"), 0);
}

TEST_F(StockTest, ReplayedAdjustmentIsDuplicateAndReturnsTheCurrentLevel) {
  Adjust(Adjustment("A", "reno", AdjustmentMode::kDelta, 5, "import-1"));
  SetOnHand("A", "reno", 2);
  const int64_t events = Count("SELECT COUNT(*) FROM events");
  AdjustmentOutcome again = Adjust(Adjustment("A", "reno", AdjustmentMode::kDelta, 5, "import-1"));
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.level.on_hand, 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM events"), events);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM stock_adjustments"), 2);
}

TEST_F(StockTest, SafetyStockAloneChangesAvailable) {
  SetOnHand("A", "reno", 10);
  StockAdjustment a = Adjustment("A", "reno", AdjustmentMode::kDelta, 0, "ss");
  a.safety_stock = 3;
  AdjustmentOutcome out = Adjust(a);
  EXPECT_EQ(out.level.on_hand, 10);
  EXPECT_EQ(out.level.safety_stock, 3);
  EXPECT_EQ(out.level.available(), 7);
  std::vector<Event> events = Stream(SkuStream("A"));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_THAT(events[1].payload, HasSubstr(R"("safety_stock":3,"available":7,"delta_on_hand":0)"));
}

TEST_F(StockTest, ChannelAvailableIsTheInverseOfWhatWePublish) {
  StockAdjustment init = Adjustment("A", "reno", AdjustmentMode::kSet, 10, "init");
  init.safety_stock = 2;
  Adjust(init);
  OrderId order = CreateOrder("1");
  ASSERT_TRUE(Allocate(order, {{"A", "reno", 3}}).ok());
  // available 10 − 3 − 2 = 5; with a buffer of 1 the channel shows 4.
  auto channel = [&](int64_t shown, const std::string& key) {
    StockAdjustment a = Adjustment("A", "reno", AdjustmentMode::kSetChannelAvailable, shown, key);
    a.channel_buffer = 1;
    a.reason = "shopify";
    return Adjust(a).level;
  };
  const int64_t events = Stream(SkuStream("A")).size();
  EXPECT_EQ(channel(4, "echo").on_hand, 10);  // our own update coming back: nothing changes
  EXPECT_EQ(static_cast<int64_t>(Stream(SkuStream("A")).size()), events);
  EXPECT_EQ(channel(2, "sold-2").on_hand, 8);      // two sold on the channel's own count
  EXPECT_EQ(channel(-20, "oversold").on_hand, 3);  // clamped: reserved units stay promised
  EXPECT_EQ(Level("A", "reno")->reserved, 3);
}

TEST_F(StockTest, ChannelEchoOfAClampedZeroChangesNothing) {
  StockAdjustment init = Adjustment("A", "reno", AdjustmentMode::kSet, 5, "init");
  init.safety_stock = 7;  // available −2: we publish 0
  Adjust(init);
  EXPECT_EQ(Adjust(Adjustment("A", "reno", AdjustmentMode::kSetChannelAvailable, 0, "echo"))
                .level.on_hand,
            5);
  EXPECT_EQ(Adjust(Adjustment("A", "reno", AdjustmentMode::kSetChannelAvailable, -1, "sold"))
                .level.on_hand,
            4);
}

TEST_F(StockTest, AdjustStockAllIsAllOrNothingAndNamesTheBadOne) {
  std::vector<StockAdjustment> batch = {
      Adjustment("A", "reno", AdjustmentMode::kSet, 4, "i1"),
      Adjustment("B", "reno", AdjustmentMode::kSet, 5, "i2"),
      Adjustment("A", "reno", AdjustmentMode::kDelta, -9, "i3"),
  };
  auto refused = store_->AdjustStockAll(batch);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(), HasSubstr("adjustment 2: "));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM stock"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM stock_adjustments"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM events"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox"), 0);

  batch[2].quantity = -1;
  auto done = store_->AdjustStockAll(batch);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  ASSERT_EQ(done->size(), 3u);
  EXPECT_EQ((*done)[0].level.on_hand, 4);
  EXPECT_EQ((*done)[1].level.on_hand, 5);
  EXPECT_EQ((*done)[2].level.on_hand, 3);
  EXPECT_EQ(Types(SkuStream("A")), (std::vector<std::string>{"inventory.available_changed",
                                                             "inventory.available_changed"}));
}

TEST_F(StockTest, CountBelowReservedReleasesTheNewestOrders) {
  SetOnHand("A", "reno", 6);
  SetOnHand("B", "reno", 5);
  OrderId o1 = CreateOrder("1");
  OrderId o2 = CreateOrder("2");
  OrderId o3 = CreateOrder("3");
  ASSERT_TRUE(Allocate(o1, {{"A", "reno", 2}}).ok());
  ASSERT_TRUE(Allocate(o2, {{"A", "reno", 2}}).ok());
  ASSERT_TRUE(Allocate(o3, {{"A", "reno", 2}, {"B", "reno", 1}}).ok());
  const int64_t v2 = Get(o2).version;

  AdjustmentOutcome out = SetOnHand("A", "reno", 3);
  EXPECT_THAT(out.released_orders, ElementsAre(o3, o2));
  EXPECT_EQ(out.level.on_hand, 3);
  EXPECT_EQ(out.level.reserved, 2);
  EXPECT_EQ(Level("B", "reno")->reserved, 0);
  EXPECT_EQ(OpenReserved("A", "reno"), 2);
  EXPECT_EQ(Get(o1).state, OrderState::kAllocated);
  EXPECT_EQ(Get(o2).state, OrderState::kAccepted);
  EXPECT_EQ(Get(o3).state, OrderState::kAccepted);
  EXPECT_EQ(Get(o2).version, v2 + 1);
  std::vector<Event> o2_events = Stream(OrderStream(o2));
  EXPECT_EQ(o2_events.back().type, "order.allocation_released");
  EXPECT_EQ(o2_events.back().payload, R"({"reason":"cycle count","sku":"A","location":"reno"})");
  auto reservations = store_->GetReservations(o3);
  ASSERT_TRUE(reservations.ok());
  ASSERT_EQ(reservations->size(), 2u);
  for (const ReservationRecord& r : *reservations) EXPECT_EQ(r.state, ReservationState::kReleased);

  // One event per level: the counted level names the count first, no order; B names o3.
  std::vector<Event> a = Stream(SkuStream("A"));
  EXPECT_THAT(a.back().payload, HasSubstr(R"("delta_on_hand":-3,"delta_reserved":-4,)"
                                          R"("reason":"cycle count+allocation_released","actor")"));
  std::vector<Event> b = Stream(SkuStream("B"));
  EXPECT_THAT(b.back().payload,
              HasSubstr(R"("reason":"allocation_released","order_id":)" + o3.ToString()));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE idempotency_key = 'sync-" +
                  b.back().seq.ToString() + "' AND order_id = " + o3.ToString()),
            1);
}

// --- reservations -----------------------------------------------------------------------------

TEST_F(StockTest, ReservationTakesUnitsAndPublishes) {
  SetOnHand("A", "reno", 5);
  OrderId order = CreateOrder("1");
  ASSERT_TRUE(Allocate(order, {{"A", "reno", 2}, {"A", "reno", 1}}).ok());
  std::optional<StockLevel> level = Level("A", "reno");
  EXPECT_EQ(level->on_hand, 5);
  EXPECT_EQ(level->reserved, 3);
  EXPECT_EQ(Get(order).state, OrderState::kAllocated);
  auto reservations = store_->GetReservations(order);
  ASSERT_TRUE(reservations.ok());
  ASSERT_EQ(reservations->size(), 2u);
  EXPECT_EQ((*reservations)[0].reservation.quantity, 2);
  EXPECT_EQ((*reservations)[0].state, ReservationState::kReserved);
  EXPECT_EQ((*reservations)[0].order_id, order);
  EXPECT_EQ((*reservations)[0].created_at, clock_.Now());
  // Two reservations of one level in one transition: one event.
  std::vector<Event> events = Stream(SkuStream("A"));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].actor, "pipeline");
  EXPECT_THAT(events[1].payload, HasSubstr(R"("delta_reserved":3,"reason":"reserved","order_id":)" +
                                           order.ToString()));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE order_id = " + order.ToString()), 1);
}

TEST_F(StockTest, ShortReservationAbortsTheWholeTransition) {
  SetOnHand("A", "reno", 5);
  SetOnHand("B", "reno", 1);
  OrderId order = CreateOrder("1");
  const int64_t events = Count("SELECT COUNT(*) FROM events");
  const int64_t outbox = Count("SELECT COUNT(*) FROM outbox");
  OrderTransition t;
  t.order_id = order;
  t.expected_version = 1;
  t.events.push_back({"order.allocated", "{}", "pipeline"});
  t.new_state = OrderState::kAllocated;
  t.reserve = {{"A", "reno", 2}, {"B", "reno", 2}};
  t.outbox.push_back({"webhook", "https://example.com", "{}", "allocated-1"});
  Status s = store_->Transition(t);
  EXPECT_EQ(s.code(), StatusCode::kAborted) << s.ToString();
  EXPECT_THAT(s.message(), HasSubstr("stock: 1 of B at reno available"));
  EXPECT_EQ(Level("A", "reno")->reserved, 0);
  EXPECT_EQ(Get(order).version, 1);
  EXPECT_EQ(Get(order).state, OrderState::kReceived);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM events"), events);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox"), outbox);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM reservations"), 0);

  t.reserve = {{"A", "reno", 1}, {"C", "reno", 1}};  // no level at all
  s = store_->Transition(t);
  EXPECT_EQ(s.code(), StatusCode::kAborted);
  EXPECT_THAT(s.message(), HasSubstr("stock: no stock of C at reno"));
  t.reserve = {{"A", "reno", 0}};
  EXPECT_EQ(store_->Transition(t).code(), StatusCode::kInvalidArgument);
}

TEST_F(StockTest, SafetyStockIsNotReserved) {
  StockAdjustment a = Adjustment("A", "reno", AdjustmentMode::kSet, 5, "init");
  a.safety_stock = 2;
  Adjust(a);
  OrderId o1 = CreateOrder("1");
  OrderId o2 = CreateOrder("2");
  EXPECT_EQ(Allocate(o1, {{"A", "reno", 4}}).code(), StatusCode::kAborted);
  EXPECT_TRUE(Allocate(o1, {{"A", "reno", 3}}).ok());
  EXPECT_EQ(Allocate(o2, {{"A", "reno", 1}}).code(), StatusCode::kAborted);
}

TEST_F(StockTest, TransitionAllUndoesOnlyTheTransitionThatFoundNoStock) {
  SetOnHand("A", "reno", 3);
  OrderId o1 = CreateOrder("1");
  OrderId o2 = CreateOrder("2");
  OrderId o3 = CreateOrder("3");
  auto allocate = [&](OrderId id, int64_t q) {
    OrderTransition t;
    t.order_id = id;
    t.expected_version = 1;
    t.events.push_back({"order.allocated", "{}", "pipeline"});
    t.new_state = OrderState::kAllocated;
    t.reserve = {{"A", "reno", q}};
    return t;
  };
  std::vector<Status> results =
      store_->TransitionAll({allocate(o1, 2), allocate(o2, 2), allocate(o3, 1)});
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[0].ok());
  EXPECT_EQ(results[1].code(), StatusCode::kAborted);
  EXPECT_TRUE(results[2].ok());
  EXPECT_EQ(Level("A", "reno")->reserved, 3);
  EXPECT_EQ(Get(o2).version, 1);
  // The SKU stream has no gap where the undone transition's event was.
  std::vector<Event> events = Stream(SkuStream("A"));
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2].version, 3);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE order_id = " + o2.ToString()), 0);
}

TEST_F(StockTest, ReplanReleasesBeforeReserving) {
  SetOnHand("A", "reno", 2);
  SetOnHand("A", "vegas", 2);
  OrderId order = CreateOrder("1");
  ASSERT_TRUE(Allocate(order, {{"A", "reno", 2}}).ok());
  // Re-plan at the same level (needs its own units back first) and move one unit to vegas.
  ASSERT_TRUE(Allocate(order, {{"A", "reno", 1}, {"A", "vegas", 1}}, /*release=*/true).ok());
  EXPECT_EQ(Level("A", "reno")->reserved, 1);
  EXPECT_EQ(Level("A", "vegas")->reserved, 1);
  EXPECT_EQ(OpenReserved("A", "reno"), 1);
  std::vector<Event> events = Stream(SkuStream("A"));
  EXPECT_THAT(events.back().payload, HasSubstr(R"("location":"vegas")"));
  EXPECT_THAT(events[events.size() - 2].payload,
              HasSubstr(R"("delta_reserved":-1,"reason":"released+reserved")"));
}

TEST_F(StockTest, CancellingOrRejectingReleases) {
  SetOnHand("A", "reno", 4);
  OrderId o1 = CreateOrder("1");
  OrderId o2 = CreateOrder("2");
  ASSERT_TRUE(Allocate(o1, {{"A", "reno", 2}}).ok());
  ASSERT_TRUE(Allocate(o2, {{"A", "reno", 2}}).ok());
  ASSERT_TRUE(Move(o1, "order.cancelled", "{}", OrderState::kCancelled).ok());
  EXPECT_EQ(Level("A", "reno")->reserved, 2);
  ASSERT_TRUE(Move(o2, "order.rejected", "{}", OrderState::kRejected).ok());
  EXPECT_EQ(Level("A", "reno")->reserved, 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM reservations WHERE state = 'released'"), 2);
}

TEST_F(StockTest, ChannelCancellationReleases) {
  SetOnHand("A", "reno", 4);
  OrderId order = CreateOrder("1");
  ASSERT_TRUE(Allocate(order, {{"A", "reno", 3}}).ok());
  auto out = store_->Ingest(OrderDelivery(DeliveryKind::kOrderCancel, "1", "wh-cancel"));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(Get(order).state, OrderState::kCancelled);
  EXPECT_EQ(Level("A", "reno")->reserved, 0);
  std::vector<Event> events = Stream(SkuStream("A"));
  EXPECT_THAT(events.back().payload, HasSubstr(R"("reason":"cancelled")"));
  EXPECT_EQ(events.back().actor, "shopify");
}

// Moves an order to held with an open review of `kind`; returns the review.
ReviewId HoldWithReview(SqliteStore& store, OrderId id, const std::string& kind, int64_t version) {
  OrderTransition t;
  t.order_id = id;
  t.expected_version = version;
  t.events.push_back({"order.held", "{}", "pipeline"});
  t.new_state = OrderState::kHeld;
  t.review = OrderTransition::ReviewRequest{kind, "needs a person", "{}"};
  EXPECT_TRUE(store.Transition(t).ok());
  auto page = store.ListReviews(ReviewStatus::kOpen, 1, std::nullopt);
  return page.ok() && !page->items.empty() ? page->items[0].id : ReviewId();
}

TEST_F(StockTest, ApprovedCancellationReleases) {
  SetOnHand("A", "reno", 4);
  OrderId order = CreateOrder("1");
  ASSERT_TRUE(Allocate(order, {{"A", "reno", 3}}).ok());
  ReviewId review = HoldWithReview(*store_, order, "cancel_order", Get(order).version);
  EXPECT_EQ(Level("A", "reno")->reserved, 3);
  auto decided = store_->Decide({review, true, "alice", "customer asked"});
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  EXPECT_EQ(Get(order).state, OrderState::kCancelled);
  EXPECT_EQ(Level("A", "reno")->reserved, 0);
  EXPECT_EQ(Stream(SkuStream("A")).back().actor, "alice");
}

TEST_F(StockTest, SubstituteReviewAcceptsWithTheNewOrderOrBackorders) {
  OrderId o1 = CreateOrder("1");
  ReviewId r1 = HoldWithReview(*store_, o1, "substitute_sku", 1);
  ReviewDecision approve{r1, true, "alice", "B is fine", std::string(R"({"sku":"B"})")};
  ASSERT_TRUE(store_->Decide(approve).ok());
  OrderRecord rec = Get(o1);
  EXPECT_EQ(rec.state, OrderState::kAccepted);
  EXPECT_EQ(rec.order_json, R"({"sku":"B"})");
  EXPECT_EQ(Types(OrderStream(o1)).back(), "order.accepted");

  OrderId o2 = CreateOrder("2");
  ReviewId r2 = HoldWithReview(*store_, o2, "substitute_sku", 1);
  ASSERT_TRUE(store_->Decide({r2, false, "bob", "wait for A"}).ok());
  EXPECT_EQ(Get(o2).state, OrderState::kBackordered);
  EXPECT_EQ(Types(OrderStream(o2)).back(), "order.backordered");
}

TEST_F(StockTest, DecisionWritesTheSnapshotForAnyKind) {
  OrderId order = CreateOrder("1");
  ReviewId review = HoldWithReview(*store_, order, "order_hold", 1);
  ASSERT_TRUE(store_->Decide({review, true, "alice", "", std::string(R"({"note":"ok"})")}).ok());
  EXPECT_EQ(Get(order).order_json, R"({"note":"ok"})");
}

// --- shipments --------------------------------------------------------------------------------

TEST_F(StockTest, ShipmentOfEverythingShipsTheOrder) {
  SetOnHand("A", "reno", 5);
  SetOnHand("B", "reno", 5);
  OrderId order = CreateOrder("1");
  ASSERT_TRUE(Allocate(order, {{"A", "reno", 2}, {"B", "reno", 1}}).ok());
  const int64_t version = Get(order).version;
  auto out = store_->Ship({order, "", "ups", "ground", "1Z999", "warehouse"});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TRUE(out->order_shipped);
  ASSERT_EQ(out->levels.size(), 2u);
  EXPECT_EQ(out->levels[0].sku, "A");
  EXPECT_EQ(out->levels[0].on_hand, 3);
  EXPECT_EQ(out->levels[0].reserved, 0);
  EXPECT_EQ(out->levels[1].on_hand, 4);
  OrderRecord r = Get(order);
  EXPECT_EQ(r.state, OrderState::kShipped);
  EXPECT_EQ(r.version, version + 1);
  std::vector<Event> events = Stream(OrderStream(order));
  EXPECT_EQ(events.back().type, "order.shipped");
  EXPECT_EQ(events.back().actor, "warehouse");
  EXPECT_EQ(events.back().payload,
            R"({"location":"","carrier":"ups","service":"ground","tracking_number":"1Z999",)"
            R"("lines":[{"sku":"A","location":"reno","quantity":2},)"
            R"({"sku":"B","location":"reno","quantity":1}]})");
  EXPECT_THAT(Stream(SkuStream("A")).back().payload,
              HasSubstr(R"("delta_on_hand":-2,"delta_reserved":-2,"reason":"shipped")"));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM reservations WHERE state = 'shipped'"), 2);
}

TEST_F(StockTest, ShipmentFromOneLocationIsPartial) {
  SetOnHand("A", "reno", 5);
  SetOnHand("A", "vegas", 5);
  OrderId order = CreateOrder("1");
  ASSERT_TRUE(Allocate(order, {{"A", "reno", 2}, {"A", "vegas", 1}}).ok());
  auto first = store_->Ship({order, "vegas", "ups", "ground", "1Z1", "warehouse"});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_FALSE(first->order_shipped);
  EXPECT_EQ(Get(order).state, OrderState::kAllocated);
  EXPECT_EQ(Types(OrderStream(order)).back(), "order.partially_shipped");
  EXPECT_EQ(Level("A", "vegas")->on_hand, 4);
  EXPECT_EQ(Level("A", "reno")->reserved, 2);

  auto again = store_->Ship({order, "vegas", "ups", "ground", "1Z1", "warehouse"});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);

  auto rest = store_->Ship({order, "reno", "ups", "ground", "1Z2", "warehouse"});
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  EXPECT_TRUE(rest->order_shipped);
  EXPECT_EQ(Get(order).state, OrderState::kShipped);
}

TEST_F(StockTest, ShipmentNeedsAnAllocatedOrder) {
  auto unknown = store_->Ship({OrderId(99), "", "ups", "", "", "x"});
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  OrderId order = CreateOrder("1");
  auto not_allocated = store_->Ship({order, "", "ups", "", "", "x"});
  EXPECT_EQ(not_allocated.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(not_allocated.status().message(), HasSubstr("not allocated"));
  EXPECT_EQ(Get(order).version, 1);
}

// --- purchase orders --------------------------------------------------------------------------

TEST_F(StockTest, IncomingLinesAreAddedReplacedAndReceived) {
  const Timestamp soon{clock_.Now().micros + kMicrosPerDay};
  const Timestamp later{clock_.Now().micros + 5 * kMicrosPerDay};
  ASSERT_TRUE(store_
                  ->AddIncoming({{"PO-2", "A", "reno", 5, later, false},
                                 {"PO-1", "A", "reno", 3, soon, false},
                                 {"PO-1", "B", "vegas", 4, soon, false}})
                  .ok());
  ASSERT_TRUE(store_->AddIncoming({{"PO-1", "A", "reno", 6, soon, false}}).ok());  // replaces
  auto a = store_->GetIncoming({"A"}, true);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_EQ(a->size(), 2u);
  EXPECT_EQ((*a)[0].purchase_order, "PO-1");  // by expected_at
  EXPECT_EQ((*a)[0].quantity, 6);
  EXPECT_EQ((*a)[1].purchase_order, "PO-2");

  SetOnHand("A", "reno", 1);
  auto received = store_->ReceiveIncoming("PO-1", "dock");
  ASSERT_TRUE(received.ok()) << received.status().ToString();
  ASSERT_EQ(received->size(), 2u);
  EXPECT_EQ((*received)[0].level.on_hand, 7);
  EXPECT_EQ((*received)[1].level.sku, "B");
  EXPECT_EQ((*received)[1].level.on_hand, 4);  // a level that did not exist yet
  std::vector<Event> events = Stream(SkuStream("A"));
  EXPECT_THAT(events.back().payload, HasSubstr(R"("delta_on_hand":6,"delta_reserved":0,)"
                                               R"("reason":"received PO-1")"));
  EXPECT_EQ(events.back().actor, "dock");

  auto open = store_->GetIncoming({}, true);
  ASSERT_TRUE(open.ok());
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ((*open)[0].purchase_order, "PO-2");
  auto all = store_->GetIncoming({}, false);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_TRUE((*all)[0].received);

  EXPECT_EQ(store_->ReceiveIncoming("PO-1", "dock").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->ReceiveIncoming("PO-9", "dock").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Level("A", "reno")->on_hand, 7);
  Status replace_received = store_->AddIncoming({{"PO-1", "A", "reno", 1, soon, false}});
  EXPECT_EQ(replace_received.code(), StatusCode::kFailedPrecondition);
}

TEST_F(StockTest, BadIncomingLinesAreInvalidAndWriteNothing) {
  const Timestamp t = clock_.Now();
  Status s =
      store_->AddIncoming({{"PO-1", "A", "reno", 1, t, false}, {"PO-1", "B", "reno", 0, t, false}});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("line 1: "));
  EXPECT_EQ(store_->AddIncoming({{"", "A", "reno", 1, t, false}}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM incoming"), 0);
}

// --- reorder points ---------------------------------------------------------------------------

TEST_F(StockTest, StockLowWhenAvailableCrossesTheReorderPoint) {
  SetOnHand("A", "reno", 10);
  ASSERT_TRUE(store_->SetReorderPoints({{"A", "reno", 0, 0, 0, 5, {}}}).ok());
  EXPECT_EQ(Level("A", "reno")->reorder_point, 5);
  auto delta = [&](int64_t q) {
    Adjust(Adjustment("A", "reno", AdjustmentMode::kDelta, q, "d" + std::to_string(++keys_)));
  };
  auto lows = [&] { return Count("SELECT COUNT(*) FROM events WHERE type = 'stock.low'"); };
  delta(-4);  // 6
  EXPECT_EQ(lows(), 0);
  delta(-2);  // 4
  EXPECT_EQ(lows(), 1);
  std::vector<Event> events = Stream(SkuStream("A"));
  EXPECT_EQ(events.back().type, "stock.low");
  EXPECT_EQ(events.back().payload,
            R"({"sku":"A","location":"reno","available":4,"reorder_point":5})");
  delta(-1);  // 3: already below
  EXPECT_EQ(lows(), 1);
  delta(10);  // 13
  OrderId order = CreateOrder("1");
  ASSERT_TRUE(Allocate(order, {{"A", "reno", 8}}).ok());  // 5
  EXPECT_EQ(lows(), 2);

  EXPECT_EQ(store_->SetReorderPoints({{"A", "", 0, 0, 0, 5, {}}}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->SetReorderPoints({{"A", "reno", 0, 0, 0, -1, {}}}).code(),
            StatusCode::kInvalidArgument);
  ASSERT_TRUE(store_->SetReorderPoints({{"Z", "reno", 0, 0, 0, 2, {}}}).ok());
  EXPECT_EQ(Level("Z", "reno")->on_hand, 0);  // a forecast may name a level before stock arrives
}

// --- reads ------------------------------------------------------------------------------------

TEST_F(StockTest, GetStockAndListStockOrderBySkuAndLocation) {
  for (auto [sku, location] : std::vector<std::pair<std::string, std::string>>{
           {"C", "vegas"}, {"A", "vegas"}, {"B", "reno"}, {"C", "reno"}, {"A", "reno"}}) {
    SetOnHand(sku, location, 1);
  }
  auto got = store_->GetStock({"C", "A", "A", "Z"});
  ASSERT_TRUE(got.ok());
  std::vector<std::string> names;
  for (const StockLevel& l : *got) names.push_back(l.sku + "@" + l.location);
  EXPECT_THAT(names, ElementsAre("A@reno", "A@vegas", "C@reno", "C@vegas"));

  std::vector<std::string> walked;
  std::optional<int64_t> cursor;
  int pages = 0;
  do {
    auto page = store_->ListStock("", "", 2, cursor);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    for (const StockLevel& l : page->items) walked.push_back(l.sku + "@" + l.location);
    cursor = page->next_cursor;
    ++pages;
  } while (cursor);
  EXPECT_EQ(pages, 3);
  EXPECT_THAT(walked, ElementsAre("A@reno", "A@vegas", "B@reno", "C@reno", "C@vegas"));

  auto reno = store_->ListStock("", "reno", 10, std::nullopt);
  ASSERT_TRUE(reno.ok());
  EXPECT_EQ(reno->items.size(), 3u);
  EXPECT_FALSE(reno->next_cursor.has_value());
  auto c = store_->ListStock("C", "", 1, std::nullopt);
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->items.size(), 1u);
  EXPECT_EQ(c->items[0].location, "reno");
  ASSERT_TRUE(c->next_cursor.has_value());
  auto c2 = store_->ListStock("C", "", 0, c->next_cursor);  // limit clamped to 1
  ASSERT_TRUE(c2.ok());
  ASSERT_EQ(c2->items.size(), 1u);
  EXPECT_EQ(c2->items[0].location, "vegas");
  EXPECT_FALSE(c2->next_cursor.has_value());
  auto one = store_->ListStock("A", "vegas", 10, std::nullopt);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->items.size(), 1u);
  EXPECT_EQ(store_->ListStock("", "", 10, 12345).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(StockTest, DemandByDayCountsEachOrdersFirstDecision) {
  const int64_t day0 = clock_.Now().micros / kMicrosPerDay + 1;
  auto at_day = [&](int64_t day, int64_t hour) {
    const int64_t target = day * kMicrosPerDay + hour * 3600 * int64_t{1000000};
    clock_.Advance(target - clock_.Now().micros);
  };
  auto decide = [&](OrderId id, const std::string& type, const std::string& payload) {
    ASSERT_TRUE(Move(id, type, payload,
                     type == "order.allocated" ? OrderState::kAccepted : OrderState::kBackordered)
                    .ok());
  };
  OrderId o5 = CreateOrder("5");
  at_day(day0 - 1, 23);
  decide(o5, "order.allocated", LinesJson({{"A", "", 7}}));  // before the range
  OrderId o1 = CreateOrder("1");
  OrderId o2 = CreateOrder("2");
  OrderId o3 = CreateOrder("3");
  OrderId o4 = CreateOrder("4");
  at_day(day0, 1);
  decide(o1, "order.allocated", LinesJson({{"A", "", 2}, {"B", "", 1}}));
  decide(o2, "order.backordered", LinesJson({{"A", "", 3}}));
  decide(o4, "order.backordered", R"({"review_id":1})");       // no lines: not a demand record
  decide(o5, "order.backordered", LinesJson({{"A", "", 9}}));  // not o5's first
  at_day(day0 + 1, 12);
  decide(o1, "order.backordered", LinesJson({{"A", "", 5}}));  // not o1's first
  decide(o3, "order.allocated", LinesJson({{"A", "", 1}}));
  decide(o4, "order.allocated", LinesJson({{"B", "", 4}}));
  at_day(day0 + 2, 0);
  decide(o2, "order.allocated", LinesJson({{"A", "", 100}}));  // outside and not first

  auto demand =
      store_->DemandByDay(Timestamp{day0 * kMicrosPerDay}, Timestamp{(day0 + 2) * kMicrosPerDay});
  ASSERT_TRUE(demand.ok()) << demand.status().ToString();
  std::vector<std::tuple<std::string, int64_t, int64_t>> got;
  for (const DailyDemand& d : *demand) got.emplace_back(d.sku, d.day - day0, d.units);
  auto row = [](const char* sku, int64_t day, int64_t units) {
    return std::make_tuple(std::string(sku), day, units);
  };
  EXPECT_THAT(got, ElementsAre(row("A", 0, 5), row("A", 1, 1), row("B", 0, 1), row("B", 1, 4)));
}

TEST_F(StockTest, DatabaseRefusesReservedAboveOnHand) {
  SetOnHand("A", "reno", 2);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  for (const char* sql : {"UPDATE stock SET reserved = 3", "UPDATE stock SET on_hand = -1",
                          "UPDATE stock SET safety_stock = -1"}) {
    EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_CONSTRAINT) << sql;
    EXPECT_EQ(sqlite3_extended_errcode(db), SQLITE_CONSTRAINT_CHECK) << sql;
  }
  sqlite3_close_v2(db);
}

// --- concurrency ------------------------------------------------------------------------------

TEST_F(StockTest, ConcurrentOrdersForTheLastUnitsHaveExactlyThatManyWinners) {
  constexpr int kUnits = 5;
  constexpr int kOrders = 64;
  constexpr int kThreads = 16;
  SetOnHand("LAST", "reno", kUnits);
  SetOnHand("PLENTY", "reno", 1000);
  SetOnHand("LAST", "vegas", 1000);  // same SKU elsewhere: not what the orders ask for
  std::vector<OrderId> orders;
  for (int i = 0; i < kOrders; ++i) orders.push_back(CreateOrder(std::to_string(1000 + i)));

  auto allocation = [&](OrderId id) {
    OrderTransition t;
    t.order_id = id;
    t.expected_version = 1;
    t.events.push_back({"order.allocated", "{}", "pipeline"});
    t.new_state = OrderState::kAllocated;
    t.reserve = {{"PLENTY", "reno", 1}, {"LAST", "reno", 1}};
    return t;
  };
  std::atomic<int> ok{0};
  std::atomic<int> aborted{0};
  std::atomic<int> other{0};
  auto count = [&](const Status& s) {
    if (s.ok()) {
      ++ok;
    } else if (s.code() == StatusCode::kAborted) {
      ++aborted;
    } else {
      ++other;
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<OrderTransition> mine;
      for (int i = t; i < kOrders; i += kThreads) mine.push_back(allocation(orders[i]));
      if (t % 2 == 0) {  // half the threads one by one, half as batches
        for (const OrderTransition& tr : mine) count(store_->Transition(tr));
      } else {
        for (const Status& s : store_->TransitionAll(mine)) count(s);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), kUnits);
  EXPECT_EQ(aborted.load(), kOrders - kUnits);
  EXPECT_EQ(other.load(), 0);
  std::optional<StockLevel> last = Level("LAST", "reno");
  EXPECT_EQ(last->on_hand, kUnits);
  EXPECT_EQ(last->reserved, kUnits);
  EXPECT_EQ(OpenReserved("LAST", "reno"), kUnits);
  // The losers' reservations of the other SKU were undone with them.
  EXPECT_EQ(Level("PLENTY", "reno")->reserved, kUnits);
  EXPECT_EQ(Level("LAST", "vegas")->reserved, 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM orders WHERE state = 'allocated'"), kUnits);
  EXPECT_EQ(Count("SELECT MIN(reserved) FROM stock"), 0);
}

// --- property test: random steps against a model ---------------------------------------------

// What the test believes the store holds.
struct Model {
  struct Level {
    int64_t on_hand = 0;
    int64_t reserved = 0;
    int64_t safety_stock = 0;
  };
  struct Order {
    OrderId id;
    OrderState state = OrderState::kReceived;
    std::vector<Reservation> open;
  };
  using Key = std::pair<std::string, std::string>;

  std::map<Key, Level> levels;
  std::map<int64_t, Order> orders;  // by id: the newest last

  void Release(Order& o) {
    for (const Reservation& r : o.open) levels[{r.sku, r.location}].reserved -= r.quantity;
    o.open.clear();
  }
};

// Checks the database against the invariants (and the model when given). Returns false after
// the first failure so a random run stops at the step that broke it.
bool CheckInvariants(RawDb& raw, const Model* model, bool with_events, const std::string& where) {
  bool good = true;
  auto fail = [&](const std::string& what) {
    ADD_FAILURE() << where << ": " << what;
    good = false;
  };
  std::map<Model::Key, std::vector<int64_t>> db;  // on_hand, reserved, safety, open sum
  for (const auto& row :
       raw.Rows("SELECT s.sku, s.location, s.on_hand, s.reserved, s.safety_stock, "
                "(SELECT COALESCE(SUM(quantity), 0) FROM reservations r WHERE r.sku = s.sku "
                "AND r.location = s.location AND r.state = 'reserved') FROM stock s")) {
    db[{row[0], row[1]}] = {std::stoll(row[2]), std::stoll(row[3]), std::stoll(row[4]),
                            std::stoll(row[5])};
  }
  for (const auto& [key, v] : db) {
    const std::string name = key.first + "@" + key.second;
    if (v[1] < 0 || v[1] > v[0])
      fail(name + ": reserved " + std::to_string(v[1]) + " on hand " + std::to_string(v[0]));
    if (v[1] != v[3]) {
      fail(name + ": reserved " + std::to_string(v[1]) + " but open reservations sum to " +
           std::to_string(v[3]));
    }
  }
  // An order holds units exactly while it is allocated.
  for (const auto& row :
       raw.Rows("SELECT o.id, o.state, (SELECT COUNT(*) FROM reservations r WHERE "
                "r.order_id = o.id AND r.state = 'reserved') FROM orders o")) {
    if ((row[1] == "allocated") != (row[2] != "0")) {
      fail("order " + row[0] + " is " + row[1] + " with " + row[2] + " open reservations");
    }
  }
  if (with_events) {
    // The SKU streams tell the same story as the levels.
    for (const auto& row :
         raw.Rows("SELECT json_extract(payload, '$.sku'), json_extract(payload, '$.location'), "
                  "SUM(json_extract(payload, '$.delta_on_hand')), "
                  "SUM(json_extract(payload, '$.delta_reserved')) FROM events "
                  "WHERE type = 'inventory.available_changed' GROUP BY 1, 2")) {
      auto it = db.find({row[0], row[1]});
      if (it == db.end()) {
        fail("events for a missing level " + row[0] + "@" + row[1]);
        continue;
      }
      if (std::stoll(row[2]) != it->second[0] || std::stoll(row[3]) != it->second[1]) {
        fail(row[0] + "@" + row[1] + ": events sum to " + row[2] + "/" + row[3] + ", level is " +
             std::to_string(it->second[0]) + "/" + std::to_string(it->second[1]));
      }
    }
    if (raw.Int("SELECT COUNT(*) FROM events WHERE type = 'inventory.available_changed'") !=
        raw.Int("SELECT COUNT(*) FROM outbox WHERE kind = 'stock_sync'")) {
      fail("not one observer message per level change");
    }
  }
  if (model != nullptr) {
    for (const auto& [key, level] : model->levels) {
      auto it = db.find(key);
      if (it == db.end()) {
        fail("missing level " + key.first + "@" + key.second);
        continue;
      }
      if (it->second[0] != level.on_hand || it->second[1] != level.reserved ||
          it->second[2] != level.safety_stock) {
        fail(key.first + "@" + key.second + ": db " + std::to_string(it->second[0]) + "/" +
             std::to_string(it->second[1]) + "/" + std::to_string(it->second[2]) + ", model " +
             std::to_string(level.on_hand) + "/" + std::to_string(level.reserved) + "/" +
             std::to_string(level.safety_stock));
      }
    }
    if (db.size() != model->levels.size()) fail("the store has levels the model does not");
    std::map<int64_t, std::string> states;
    for (const auto& row : raw.Rows("SELECT id, state FROM orders")) {
      states[std::stoll(row[0])] = row[1];
    }
    for (const auto& [id, o] : model->orders) {
      if (states[o.id.value()] != OrderStateName(o.state)) {
        fail("order " + o.id.ToString() + " is " + states[o.id.value()] + ", model " +
             std::string(OrderStateName(o.state)));
      }
    }
  }
  return good;
}

// One random step against the store, mirrored in `model` (null: no model, concurrent use).
class RandomSteps {
 public:
  // `orders` are the slots steps pick from. With a model, an order that reached a terminal state
  // is replaced in its slot by a new one, so the walk never runs out of live orders.
  RandomSteps(SqliteStore& store, std::vector<OrderId> orders, uint32_t seed,
              std::string key_prefix)
      : store_(store), orders_(std::move(orders)), rng_(seed), prefix_(std::move(key_prefix)) {}

  static inline const std::vector<std::string> kSkus = {"A", "B", "C"};
  static inline const std::vector<std::string> kLocations = {"reno", "vegas"};

  // Runs one step. Returns a description for failure messages; sets `refused` when the store
  // said no (and must have changed nothing). `ok` is false on an unexpected result.
  // Replaces every order that reached a terminal state by a new one, so that the walk never runs
  // out of live orders. Call before a step's "nothing changed" baseline is taken.
  Status Refill(Model& model) {
    for (OrderId& id : orders_) {
      if (!Terminal(model.orders[id.value()].state)) continue;
      auto created = store_.Ingest(
          OrderDelivery(DeliveryKind::kOrderCreate, prefix_ + "o" + std::to_string(++next_order_)));
      if (!created.ok()) return created.status();
      id = created->order_id;
      model.orders[id.value()] = {id, OrderState::kReceived, {}};
    }
    return Status::Ok();
  }

  std::string Step(Model* model, bool& refused, bool& ok) {
    refused = false;
    ok = true;
    const int kind = Uniform(0, 99);
    if (kind < 35) return Reserve(model, refused, ok);
    if (kind < 50) return Release(model, refused, ok);
    if (kind < 65) return Ship(model, refused, ok);
    if (kind < 90) return Adjust(model, refused, ok);
    return Receive(model, refused, ok);
  }

 private:
  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  const std::string& Pick(const std::vector<std::string>& v) {
    return v[static_cast<size_t>(Uniform(0, static_cast<int>(v.size()) - 1))];
  }
  size_t PickSlot() {
    return static_cast<size_t>(Uniform(0, static_cast<int>(orders_.size()) - 1));
  }
  // The order in a random slot, and its model (null without one).
  Model::Order* PickOrder(Model* model, OrderId& id) {
    id = orders_[PickSlot()];
    return model == nullptr ? nullptr : &model->orders[id.value()];
  }
  int64_t Version(OrderId id) {
    auto r = store_.GetOrder(id);
    return r.ok() ? r->version : -1;
  }
  static bool Terminal(OrderState s) {
    return s == OrderState::kCancelled || s == OrderState::kShipped;
  }
  bool Expect(const Status& s, bool expect_ok, StatusCode refusal) {
    if (expect_ok) return s.ok();
    return s.code() == refusal;
  }

  std::string Reserve(Model* model, bool& refused, bool& ok) {
    OrderId id;
    Model::Order* picked = PickOrder(model, id);
    if (picked != nullptr && Terminal(picked->state)) return "skip";
    std::vector<Reservation> lines;
    for (int n = Uniform(1, 2); n > 0; --n) {
      lines.push_back({Pick(kSkus), Pick(kLocations), Uniform(1, 3)});
    }
    OrderTransition t;
    t.order_id = id;
    t.expected_version = Version(id);
    t.events.push_back({"order.allocated", LinesJson(lines), "pipeline"});
    t.new_state = OrderState::kAllocated;
    t.reserve = lines;
    t.release_reservations = true;  // a re-plan when it holds units already
    Status s = store_.Transition(t);
    std::string what = "reserve for order " + id.ToString() + ": " + s.ToString();
    if (model == nullptr) {
      ok = s.ok() || s.code() == StatusCode::kAborted;
      refused = !s.ok();
      return what;
    }
    Model next = *model;
    Model::Order& o = next.orders[id.value()];
    next.Release(o);
    bool fits = true;
    for (const Reservation& r : lines) {
      auto it = next.levels.find({r.sku, r.location});
      if (it == next.levels.end() ||
          it->second.on_hand - it->second.reserved - it->second.safety_stock < r.quantity) {
        fits = false;
        break;
      }
      it->second.reserved += r.quantity;
      o.open.push_back(r);
    }
    o.state = OrderState::kAllocated;
    ok = Expect(s, fits, StatusCode::kAborted);
    refused = !fits;
    if (fits) *model = std::move(next);
    return what;
  }

  std::string Release(Model* model, bool& refused, bool& ok) {
    OrderId id;
    Model::Order* picked = PickOrder(model, id);
    if (picked != nullptr && Terminal(picked->state)) return "skip";
    const bool cancel = Uniform(0, 9) == 0;
    OrderTransition t;
    t.order_id = id;
    t.expected_version = Version(id);
    t.events.push_back({cancel ? "order.cancelled" : "order.replan", "{}", "pipeline"});
    t.new_state = cancel ? OrderState::kCancelled : OrderState::kAccepted;
    t.release_reservations = !cancel;
    Status s = store_.Transition(t);
    std::string what =
        (cancel ? "cancel order " : "release order ") + id.ToString() + ": " + s.ToString();
    if (model == nullptr) {
      ok = s.ok() || s.code() == StatusCode::kAborted;
      refused = !s.ok();
      return what;
    }
    ok = s.ok();
    model->Release(*picked);
    picked->state = t.new_state;
    return what;
  }

  std::string Ship(Model* model, bool& refused, bool& ok) {
    const OrderId id = orders_[PickSlot()];
    const std::string location = Uniform(0, 2) == 0 ? std::string() : Pick(kLocations);
    auto out = store_.Ship({id, location, "ups", "ground", "1Z", "warehouse"});
    std::string what =
        "ship order " + id.ToString() + " from '" + location + "': " + out.status().ToString();
    if (model == nullptr) {
      ok = out.ok() || out.status().code() == StatusCode::kFailedPrecondition;
      refused = !out.ok();
      return what;
    }
    Model::Order& o = model->orders[id.value()];
    std::vector<Reservation> shipped;
    std::vector<Reservation> kept;
    for (const Reservation& r : o.open) {
      (location.empty() || r.location == location ? shipped : kept).push_back(r);
    }
    const bool can = o.state == OrderState::kAllocated && !shipped.empty();
    ok = Expect(out.status(), can, StatusCode::kFailedPrecondition);
    refused = !can;
    if (!can) return what;
    for (const Reservation& r : shipped) {
      Model::Level& l = model->levels[{r.sku, r.location}];
      l.on_hand -= r.quantity;
      l.reserved -= r.quantity;
    }
    o.open = kept;
    if (kept.empty()) o.state = OrderState::kShipped;
    if (out.ok() && out->order_shipped != kept.empty()) ok = false;
    return what;
  }

  std::string Adjust(Model* model, bool& refused, bool& ok) {
    StockAdjustment a;
    a.sku = Pick(kSkus);
    a.location = Pick(kLocations);
    a.reason = "random";
    a.actor = "test";
    const int mode = Uniform(0, 2);
    a.mode = mode == 0   ? AdjustmentMode::kSet
             : mode == 1 ? AdjustmentMode::kDelta
                         : AdjustmentMode::kSetChannelAvailable;
    a.quantity = mode == 0 ? Uniform(0, 12) : mode == 1 ? Uniform(-6, 8) : Uniform(-3, 10);
    a.channel_buffer = mode == 2 ? Uniform(0, 2) : 0;
    if (Uniform(0, 4) == 0) a.safety_stock = Uniform(0, 2);
    const bool replay = !used_keys_.empty() && Uniform(0, 9) == 0;
    a.idempotency_key =
        replay
            ? used_keys_[static_cast<size_t>(Uniform(0, static_cast<int>(used_keys_.size()) - 1))]
            : prefix_ + std::to_string(++next_key_);
    auto out = store_.AdjustStock(a);
    std::string what = "adjust " + a.sku + "@" + a.location + " mode " + std::to_string(mode) +
                       " by " + std::to_string(a.quantity) + " key " + a.idempotency_key + ": " +
                       out.status().ToString();
    if (out.ok() && !replay) used_keys_.push_back(a.idempotency_key);
    if (model == nullptr) {
      ok = out.ok() || out.status().code() == StatusCode::kInvalidArgument;
      refused = !out.ok() || out->duplicate;
      return what;
    }
    if (replay) {
      ok = out.ok() && out->duplicate;
      refused = true;
      return what;
    }
    Model::Level before;
    auto found = model->levels.find({a.sku, a.location});
    if (found != model->levels.end()) before = found->second;
    int64_t target = 0;
    if (a.mode == AdjustmentMode::kSet) {
      target = a.quantity;
    } else if (a.mode == AdjustmentMode::kDelta) {
      target = before.on_hand + a.quantity;
    } else {
      const int64_t published = std::max<int64_t>(
          0, before.on_hand - before.reserved - before.safety_stock - a.channel_buffer);
      target = std::max(before.reserved, before.on_hand + a.quantity - published);
    }
    if (target < 0) {
      ok = out.status().code() == StatusCode::kInvalidArgument;
      refused = true;
      return what;
    }
    ok = out.ok() && !out->duplicate;
    // Newest orders holding the level give everything back until reserved fits.
    std::vector<OrderId> released;
    model->levels[{a.sku, a.location}];  // created by the adjustment
    for (auto it = model->orders.rbegin();
         it != model->orders.rend() && model->levels[{a.sku, a.location}].reserved > target; ++it) {
      Model::Order& o = it->second;
      const bool holds = std::any_of(o.open.begin(), o.open.end(), [&](const Reservation& r) {
        return r.sku == a.sku && r.location == a.location;
      });
      if (!holds) continue;
      model->Release(o);
      if (o.state == OrderState::kAllocated) o.state = OrderState::kAccepted;
      released.push_back(o.id);
    }
    Model::Level& l = model->levels[{a.sku, a.location}];
    l.on_hand = target;
    if (a.safety_stock) l.safety_stock = *a.safety_stock;
    if (out.ok() && out->released_orders != released) {
      ok = false;
      what += " (released orders differ)";
    }
    if (out.ok() && (out->level.on_hand != l.on_hand || out->level.reserved != l.reserved)) {
      ok = false;
      what += " (outcome level differs)";
    }
    return what;
  }

  std::string Receive(Model* model, bool& refused, bool& ok) {
    const std::string po = prefix_ + "PO-" + std::to_string(++next_po_);
    std::vector<IncomingStock> lines;
    std::set<std::pair<std::string, std::string>> keys;
    for (int n = Uniform(1, 2); n > 0; --n) {
      IncomingStock l{po, Pick(kSkus), Pick(kLocations), Uniform(1, 5), Timestamp{}, false};
      if (keys.insert({l.sku, l.location}).second) lines.push_back(l);
    }
    Status added = store_.AddIncoming(lines);
    auto out = store_.ReceiveIncoming(po, "dock");
    std::string what = "receive " + po + ": " + added.ToString() + " / " + out.status().ToString();
    ok = added.ok() && out.ok();
    if (model != nullptr && ok) {
      for (const IncomingStock& l : lines) model->levels[{l.sku, l.location}].on_hand += l.quantity;
    }
    if (ok && Uniform(0, 3) == 0) {  // a second receipt of the same PO is refused
      ok = store_.ReceiveIncoming(po, "dock").status().code() == StatusCode::kNotFound;
      what += " then again";
    }
    return what;
  }

  SqliteStore& store_;
  std::vector<OrderId> orders_;
  std::mt19937 rng_;
  std::string prefix_;
  std::vector<std::string> used_keys_;
  int next_key_ = 0;
  int next_po_ = 0;
  int next_order_ = 0;
};

TEST_F(StockTest, RandomStepsKeepTheInvariantsAndMatchTheModel) {
  constexpr int kOrders = 30;
  constexpr int kSteps = 2000;
  Model model;
  std::vector<OrderId> ids;
  for (int i = 0; i < kOrders; ++i) {
    ids.push_back(CreateOrder("p" + std::to_string(i)));
    model.orders[ids.back().value()] = {ids.back(), OrderState::kReceived, {}};
  }
  RandomSteps steps(*store_, ids, /*seed=*/20260401, "k");
  int refusals = 0;
  for (int i = 0; i < kSteps; ++i) {
    ASSERT_TRUE(steps.Refill(model).ok());
    const int64_t seq_before = Count("SELECT COALESCE(MAX(seq), 0) FROM events");
    const int64_t outbox_before = Count("SELECT COUNT(*) FROM outbox");
    bool refused = false;
    bool ok = true;
    std::string what = steps.Step(&model, refused, ok);
    const std::string where = "step " + std::to_string(i) + " (" + what + ")";
    ASSERT_TRUE(ok) << where;
    if (refused) {
      ++refusals;
      ASSERT_EQ(Count("SELECT COALESCE(MAX(seq), 0) FROM events"), seq_before) << where;
      ASSERT_EQ(Count("SELECT COUNT(*) FROM outbox"), outbox_before) << where;
    }
    ASSERT_TRUE(CheckInvariants(*raw_, &model, /*with_events=*/i % 100 == 99, where));
  }
  EXPECT_TRUE(CheckInvariants(*raw_, &model, /*with_events=*/true, "end"));
  EXPECT_GT(refusals, 100);  // the walk does meet empty shelves
  EXPECT_GT(Count("SELECT COUNT(*) FROM orders WHERE state = 'shipped'"), 0);
  EXPECT_GT(Count("SELECT COUNT(*) FROM events WHERE type = 'order.allocation_released'"), 0);
}

TEST_F(StockTest, ConcurrentRandomStepsKeepTheInvariants) {
  constexpr int kOrders = 30;
  constexpr int kThreads = 4;
  constexpr int kSteps = 300;
  std::vector<OrderId> ids;
  for (int i = 0; i < kOrders; ++i) ids.push_back(CreateOrder("c" + std::to_string(i)));
  std::atomic<int> unexpected{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      RandomSteps steps(*store_, ids, /*seed=*/static_cast<uint32_t>(7 + t),
                        "t" + std::to_string(t) + "-");
      for (int i = 0; i < kSteps; ++i) {
        bool refused = false;
        bool ok = true;
        std::string what = steps.Step(nullptr, refused, ok);
        if (!ok) {
          ++unexpected;
          ADD_FAILURE() << "thread " << t << " step " << i << ": " << what;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(unexpected.load(), 0);
  EXPECT_TRUE(CheckInvariants(*raw_, nullptr, /*with_events=*/true, "after concurrent steps"));
}

// --- edits and refunds of allocated orders --------------------------------------------------

// A line of a test order: its channel line id, SKU and quantity.
struct TestLine {
  std::string id;
  std::string sku;
  int64_t quantity = 0;
};

// An order delivery whose snapshot is canonical order JSON with `lines` (the webhook path's
// shape: payload_json = EncodeOrder(order)).
Delivery LinesDelivery(DeliveryKind kind, const std::string& channel_order_id,
                       const std::vector<TestLine>& lines, int64_t total_minor = 2500) {
  Delivery d = OrderDelivery(kind, channel_order_id, "", "", total_minor);
  Order& o = *d.order;
  for (const TestLine& l : lines) {
    LineItem li;
    li.channel_line_id = l.id;
    li.sku = l.sku;
    li.title = l.sku;
    li.quantity = l.quantity;
    li.unit_price = Money(1000, o.currency);
    o.line_items.push_back(std::move(li));
  }
  d.payload_json = EncodeOrder(o);
  d.raw_body = d.payload_json;
  return d;
}

// A refund delivery of order `channel_order_id`: each line is (channel line id, quantity,
// restock_type).
Delivery RefundDelivery(const std::string& channel_order_id, const std::string& refund_id,
                        const std::vector<std::tuple<std::string, int64_t, std::string>>& lines) {
  Delivery d = OrderDelivery(DeliveryKind::kRefund, channel_order_id);
  Refund r;
  r.channel = d.channel;
  r.shop = d.shop;
  r.channel_refund_id = refund_id;
  r.channel_order_id = channel_order_id;
  r.created_at = Timestamp{1750000000000000};
  r.currency = *Currency::Parse("USD");
  for (const auto& [line_id, quantity, restock] : lines) {
    r.lines.push_back(
        {line_id, quantity, Money(1000 * quantity, r.currency), Money(0, r.currency), restock});
  }
  r.amount = Money(0, r.currency);
  d.payload_json = EncodeRefund(r);
  d.raw_body = d.payload_json;
  return d;
}

class AllocatedOrderTest : public StockTest {
 protected:
  // Stock A and B at reno and vegas, an order "1" with lines L1 (A × 3) and L2 (B × 1), allocated
  // as A × 2 at reno, then A × 1 at vegas (the newest A row), and B × 1 at reno.
  void SetUp() override {
    StockTest::SetUp();
    SetOnHand("A", "reno", 10);
    SetOnHand("A", "vegas", 10);
    SetOnHand("B", "reno", 10);
    order_ = Ingest(LinesDelivery(DeliveryKind::kOrderCreate, "1", kLines));
    ASSERT_TRUE(Allocate(order_, {{"A", "reno", 2}, {"A", "vegas", 1}, {"B", "reno", 1}}).ok());
    ASSERT_EQ(Get(order_).state, OrderState::kAllocated);
  }

  OrderId Ingest(const Delivery& d) {
    auto out = store_->Ingest(d);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return out.ok() ? out->order_id : OrderId();
  }
  int64_t SkuEvents() {
    return Count("SELECT COUNT(*) FROM events WHERE type = 'inventory.available_changed'");
  }
  bool Invariants(const std::string& where) {
    return CheckInvariants(*raw_, nullptr, /*with_events=*/true, where);
  }

  static inline const std::vector<TestLine> kLines = {{"L1", "A", 3}, {"L2", "B", 1}};
  OrderId order_;
};

TEST_F(AllocatedOrderTest, EditThatChangesAQuantityReleasesAndMovesToAccepted) {
  const int64_t version = Get(order_).version;
  Ingest(LinesDelivery(DeliveryKind::kOrderUpdate, "1", {{"L1", "A", 1}, {"L2", "B", 1}}));

  OrderRecord r = Get(order_);
  EXPECT_EQ(r.state, OrderState::kAccepted);
  EXPECT_EQ(r.version, version + 2);
  EXPECT_THAT(r.order_json, HasSubstr(R"("quantity":1)"));
  std::vector<Event> events = Stream(OrderStream(order_));
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events[events.size() - 2].type, "order.updated");
  EXPECT_EQ(events.back().type, "order.allocation_released");
  EXPECT_EQ(events.back().payload,
            R"({"reason":"the order was edited","lines":[{"sku":"A","quantity":1},)"
            R"({"sku":"B","quantity":1}]})");
  EXPECT_EQ(Level("A", "reno")->reserved, 0);
  EXPECT_EQ(Level("A", "vegas")->reserved, 0);
  EXPECT_EQ(Level("B", "reno")->reserved, 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM reservations WHERE state = 'released'"), 3);
  EXPECT_THAT(Stream(SkuStream("B")).back().payload,
              HasSubstr(R"("reason":"order edited","order_id":)" + order_.ToString()));
  EXPECT_TRUE(Invariants("after the edit"));
}

TEST_F(AllocatedOrderTest, UpdateWithTheSameShippedLinesChangesNothing) {
  const int64_t version = Get(order_).version;
  const int64_t sku_events = SkuEvents();
  // orders/paid: another total and status, the same lines.
  Ingest(LinesDelivery(DeliveryKind::kOrderUpdate, "1", kLines, /*total_minor=*/9900));

  OrderRecord r = Get(order_);
  EXPECT_EQ(r.state, OrderState::kAllocated);
  EXPECT_EQ(r.version, version + 1);
  EXPECT_EQ(r.total_minor, 9900);
  EXPECT_EQ(Types(OrderStream(order_)).back(), "order.updated");
  EXPECT_EQ(SkuEvents(), sku_events);
  EXPECT_EQ(Level("A", "reno")->reserved, 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM reservations WHERE state = 'reserved'"), 3);
  EXPECT_TRUE(Invariants("after the update"));
}

TEST_F(AllocatedOrderTest, EditOfAnOrderNotAllocatedOnlyUpdatesIt) {
  const OrderId other = Ingest(LinesDelivery(DeliveryKind::kOrderCreate, "2", kLines));
  ASSERT_TRUE(Move(other, "order.accepted", "{}", OrderState::kAccepted).ok());
  Ingest(LinesDelivery(DeliveryKind::kOrderUpdate, "2", {{"L1", "A", 5}}));
  EXPECT_EQ(Get(other).state, OrderState::kAccepted);
  EXPECT_EQ(Types(OrderStream(other)).back(), "order.updated");
  EXPECT_EQ(Level("A", "reno")->reserved, 2);  // order 1's, untouched
}

TEST_F(AllocatedOrderTest, RefundWithRestockCancelReleasesPartOfTheReservationNewestFirst) {
  const int64_t version = Get(order_).version;
  const int64_t outbox = Count("SELECT COUNT(*) FROM outbox WHERE kind = 'stock_sync'");
  Ingest(RefundDelivery("1", "R1", {{"L1", 2, "cancel"}}));

  OrderRecord r = Get(order_);
  EXPECT_EQ(r.state, OrderState::kAllocated);
  EXPECT_EQ(r.version, version + 2);
  std::vector<Event> events = Stream(OrderStream(order_));
  EXPECT_EQ(events[events.size() - 2].type, "order.refunded");
  EXPECT_EQ(events.back().type, "order.allocation_reduced");
  EXPECT_EQ(events.back().payload,
            R"({"refund":"R1","lines":[{"sku":"A","location":"vegas","quantity":1},)"
            R"({"sku":"A","location":"reno","quantity":1}]})");
  // The vegas row (newest) is released whole; the reno row gives up one of its two units.
  EXPECT_EQ(Level("A", "vegas")->reserved, 0);
  EXPECT_EQ(Level("A", "reno")->reserved, 1);
  EXPECT_EQ(Level("B", "reno")->reserved, 1);
  auto reservations = store_->GetReservations(order_);
  ASSERT_TRUE(reservations.ok());
  ASSERT_EQ(reservations->size(), 3u);
  EXPECT_EQ((*reservations)[0].reservation.quantity, 1);
  EXPECT_EQ((*reservations)[0].state, ReservationState::kReserved);
  EXPECT_EQ((*reservations)[1].state, ReservationState::kReleased);
  EXPECT_EQ((*reservations)[2].state, ReservationState::kReserved);
  EXPECT_THAT(
      Stream(SkuStream("A")).back().payload,
      HasSubstr(R"("delta_reserved":-1,"reason":"refund","order_id":)" + order_.ToString()));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE kind = 'stock_sync'"), outbox + 2);
  EXPECT_TRUE(Invariants("after the refund"));
}

TEST_F(AllocatedOrderTest, RefundOfEveryUnitBeforeShippingCancelsTheOrder) {
  // More than was ordered: capped at what is open.
  Ingest(RefundDelivery("1", "R1", {{"L1", 5, "cancel"}, {"L2", 1, "cancel"}}));

  EXPECT_EQ(Get(order_).state, OrderState::kCancelled);
  std::vector<Event> events = Stream(OrderStream(order_));
  ASSERT_GE(events.size(), 3u);
  EXPECT_EQ(events[events.size() - 3].type, "order.refunded");
  EXPECT_EQ(events[events.size() - 2].type, "order.allocation_reduced");
  EXPECT_THAT(events[events.size() - 2].payload,
              HasSubstr(R"({"sku":"B","location":"reno","quantity":1})"));
  EXPECT_EQ(events.back().type, "order.cancelled");
  EXPECT_EQ(events.back().payload, R"({"reason":"every unit was refunded before shipping"})");
  EXPECT_EQ(Get(order_).version, events.back().version);
  EXPECT_EQ(Level("A", "reno")->reserved, 0);
  EXPECT_EQ(Level("A", "vegas")->reserved, 0);
  EXPECT_EQ(Level("B", "reno")->reserved, 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM reservations WHERE state = 'reserved'"), 0);
  EXPECT_TRUE(Invariants("after the refund"));
}

TEST_F(AllocatedOrderTest, RefundWithRestockReturnOrNoRestockChangesNoStock) {
  const int64_t version = Get(order_).version;
  const int64_t sku_events = SkuEvents();
  Ingest(RefundDelivery("1", "R1",
                        {{"L1", 1, "return"}, {"L2", 1, "no_restock"}, {"L9", 1, "cancel"}}));

  EXPECT_EQ(Get(order_).state, OrderState::kAllocated);
  EXPECT_EQ(Get(order_).version, version + 1);
  EXPECT_EQ(Types(OrderStream(order_)).back(), "order.refunded");
  EXPECT_EQ(SkuEvents(), sku_events);
  EXPECT_EQ(Level("A", "reno")->reserved, 2);
  EXPECT_EQ(Level("A", "vegas")->reserved, 1);
  EXPECT_EQ(Level("B", "reno")->reserved, 1);
  EXPECT_TRUE(Invariants("after the refund"));
}

TEST_F(AllocatedOrderTest, ChannelUpdateAfterARefundKeepsTheReducedReservation) {
  Ingest(RefundDelivery("1", "R1", {{"L1", 1, "cancel"}}));
  ASSERT_EQ(Level("A", "vegas")->reserved, 0);
  // Shopify's orders/updated after a refund still carries the original quantities.
  Ingest(LinesDelivery(DeliveryKind::kOrderUpdate, "1", kLines));
  EXPECT_EQ(Get(order_).state, OrderState::kAllocated);
  EXPECT_EQ(Types(OrderStream(order_)).back(), "order.updated");
  EXPECT_EQ(Level("A", "reno")->reserved, 2);
  EXPECT_EQ(Level("A", "vegas")->reserved, 0);
  EXPECT_TRUE(Invariants("after the update"));
}

}  // namespace
}  // namespace orderpilot::store
