#include "store/audit_chain.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

#include "store/sqlite_store.h"
#include "store_test_util.h"

namespace orderpilot::store {
namespace {

using testing::ExecSql;
using ::testing::HasSubstr;
using testing::OrderDelivery;
using testing::QueryInt;
using testing::TempDir;

// A store with three orders (each an order.received event) and a decision on the first, closed
// so that the checks read a quiet file.
class AuditChainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.path() + "/orderpilot.db";
    SqliteOptions o;
    o.path = path_;
    o.clock = &clock_;
    auto store = SqliteStore::Open(o);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    for (const char* id : {"1001", "1002", "1003"}) {
      auto out = (*store)->Ingest(OrderDelivery(DeliveryKind::kOrderCreate, id));
      ASSERT_TRUE(out.ok()) << out.status().ToString();
    }
    events_ = QueryInt(path_, "SELECT COUNT(*) FROM events");
    ASSERT_GE(events_, 3);
  }

  ChainReport Verify() {
    auto report = VerifyEventChain(path_);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : ChainReport();
  }

  TempDir dir_;
  ManualClock clock_{Timestamp{1763650800000000}};
  std::string path_;
  int64_t events_ = 0;
};

TEST_F(AuditChainTest, EveryAppendedEventIsChained) {
  ChainReport r = Verify();
  EXPECT_FALSE(r.broken_at.has_value()) << r.problem;
  EXPECT_EQ(r.events, events_);
  EXPECT_EQ(r.unchained, 0);
  EXPECT_EQ(r.last_seq, events_);
  EXPECT_EQ(QueryInt(path_, "SELECT COUNT(*) FROM events WHERE length(hash) = 64"), events_);
}

TEST_F(AuditChainTest, AnEditedPayloadIsNamed) {
  ExecSql(path_, "UPDATE events SET payload = '{\"total\":\"0.01\"}' WHERE seq = 2");
  ChainReport r = Verify();
  ASSERT_TRUE(r.broken_at.has_value());
  EXPECT_EQ(*r.broken_at, 2);
  EXPECT_THAT(r.problem, HasSubstr("does not match its contents"));
}

TEST_F(AuditChainTest, AnEditedActorOrTimeIsNamed) {
  ExecSql(path_, "UPDATE events SET actor = 'someone-else' WHERE seq = 3");
  EXPECT_EQ(Verify().broken_at, std::optional<int64_t>(3));
  ExecSql(path_, "UPDATE events SET actor = 'shopify', at = at + 1 WHERE seq = 1");
  EXPECT_EQ(Verify().broken_at, std::optional<int64_t>(1));
}

TEST_F(AuditChainTest, AForgedHashOnAnEditedEventBreaksTheEventAfterIt) {
  // Someone edits event 1 and writes the right hash for the edited row: event 2 was chained to
  // the old hash, so the chain breaks there.
  std::string stream, type, actor;
  int64_t version = 0, at = 0;
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db,
                                 "SELECT stream, version, type, actor, at FROM events "
                                 "WHERE seq = 1",
                                 -1, &st, nullptr),
              SQLITE_OK);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    stream = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    version = sqlite3_column_int64(st, 1);
    type = reinterpret_cast<const char*>(sqlite3_column_text(st, 2));
    actor = reinterpret_cast<const char*>(sqlite3_column_text(st, 3));
    at = sqlite3_column_int64(st, 4);
    sqlite3_finalize(st);
    sqlite3_close_v2(db);
  }
  const std::string forged = EventChainHash("", 1, stream, version, type, "{}", actor, at);
  ExecSql(path_, "UPDATE events SET payload = '{}', hash = '" + forged + "' WHERE seq = 1");
  EXPECT_EQ(Verify().broken_at, std::optional<int64_t>(2));
}

TEST_F(AuditChainTest, ADeletedEventIsNamedAtTheGap) {
  ExecSql(path_, "DELETE FROM events WHERE seq = 2");
  ChainReport r = Verify();
  ASSERT_TRUE(r.broken_at.has_value());
  EXPECT_EQ(*r.broken_at, 3);
  EXPECT_THAT(r.problem, HasSubstr("2..2 before it are missing"));
}

TEST_F(AuditChainTest, AMissingHashAfterTheChainStartedIsABreak) {
  ExecSql(path_, "UPDATE events SET hash = NULL WHERE seq = 2");
  ChainReport r = Verify();
  EXPECT_EQ(r.broken_at, std::optional<int64_t>(2));
  EXPECT_THAT(r.problem, HasSubstr("missing"));
}

// A database from before the chain: its first events have no hash; new ones chain from there.
TEST_F(AuditChainTest, EventsOlderThanTheChainAreAnUncheckedPrefix) {
  ExecSql(path_, "DELETE FROM events WHERE seq > 1; UPDATE events SET hash = NULL");
  SqliteOptions o;
  o.path = path_;
  o.clock = &clock_;
  auto store = SqliteStore::Open(o);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_TRUE((*store)->Ingest(OrderDelivery(DeliveryKind::kOrderCreate, "2001")).ok());
  store->reset();
  ChainReport r = Verify();
  EXPECT_FALSE(r.broken_at.has_value()) << r.problem;
  EXPECT_EQ(r.unchained, 1);
  EXPECT_GT(r.events, 1);
}

TEST(EventChainHashTest, EveryFieldAndTheFieldBoundariesCount) {
  const std::string base = EventChainHash("", 1, "order-1", 1, "order.received", "{}", "api", 5);
  EXPECT_EQ(base.size(), 64u);
  EXPECT_EQ(base, EventChainHash("", 1, "order-1", 1, "order.received", "{}", "api", 5));
  EXPECT_NE(base, EventChainHash("x", 1, "order-1", 1, "order.received", "{}", "api", 5));
  EXPECT_NE(base, EventChainHash("", 2, "order-1", 1, "order.received", "{}", "api", 5));
  EXPECT_NE(base, EventChainHash("", 1, "order-1", 2, "order.received", "{}", "api", 5));
  EXPECT_NE(base, EventChainHash("", 1, "order-1", 1, "order.received", "{}", "api", 6));
  // Moving bytes from one field to the next gives another hash (lengths are part of the input).
  EXPECT_NE(EventChainHash("", 1, "ab", 1, "c", "{}", "api", 5),
            EventChainHash("", 1, "a", 1, "bc", "{}", "api", 5));
}

TEST(VerifyEventChainTest, NoDatabaseIsNotFound) {
  auto r = VerifyEventChain("/nonexistent/orderpilot.db");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace orderpilot::store
