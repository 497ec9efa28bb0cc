#include "api/key_directory.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>

#include "store/audit_chain.h"

namespace orderpilot::api {
namespace {

constexpr int64_t kMs = 1000;

class KeyDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/op-keys-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    db_ = dir_ + "/orderpilot.db";
    auto keys = store::OpenSqliteAccessKeys(db_, clock_);
    ASSERT_TRUE(keys.ok()) << keys.status().ToString();
    stored_ = std::move(*keys);
  }
  void TearDown() override {
    stored_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Creates a stored key (as `orderpilot keys create` does) and returns it.
  std::string Create(const std::string& name, Role role) {
    GeneratedApiKey k = GenerateApiKey();
    auto r = stored_->Create({name, std::string(RoleName(role)), k.hash, k.prefix, "test"});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return k.key;
  }

  // Rows of `sql` (one text column) from the database.
  std::vector<std::string> Query(const char* sql) {
    sqlite3* db = nullptr;
    std::vector<std::string> out;
    if (sqlite3_open_v2(db_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "cannot open " << db_;
      sqlite3_close(db);
      return out;
    }
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    while (st && sqlite3_step(st) == SQLITE_ROW) {
      const unsigned char* t = sqlite3_column_text(st, 0);
      out.emplace_back(t ? reinterpret_cast<const char*>(t) : "");
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
  }

  ManualClock clock_{Timestamp{1'700'000'000'000'000}};
  std::string dir_, db_;
  std::unique_ptr<store::AccessKeys> stored_;
};

TEST_F(KeyDirectoryTest, ConfiguredKeysCarryTheirRole) {
  KeyDirectory dir({{"ops", "config-key-0123456789", Role::kAdmin},
                    {"intern", "config-key-viewer-0000", Role::kViewer}},
                   nullptr, clock_);
  auto ops = dir.Authenticate("config-key-0123456789");
  ASSERT_TRUE(ops.has_value());
  EXPECT_EQ(ops->name, "ops");
  EXPECT_EQ(ops->role, Role::kAdmin);
  auto intern = dir.Authenticate("config-key-viewer-0000");
  ASSERT_TRUE(intern.has_value());
  EXPECT_EQ(intern->role, Role::kViewer);
  EXPECT_FALSE(dir.Authenticate("config-key-012345678").has_value());
  EXPECT_FALSE(dir.Authenticate("").has_value());
  EXPECT_TRUE(dir.StillValid(*ops));
}

TEST_F(KeyDirectoryTest, StoredKeyAuthenticatesWithItsRole) {
  const std::string key = Create("dashboard", Role::kOperator);
  KeyDirectory dir({}, stored_.get(), clock_);
  auto who = dir.Authenticate(key);
  ASSERT_TRUE(who.has_value());
  EXPECT_EQ(who->name, "dashboard");
  EXPECT_EQ(who->role, Role::kOperator);
  EXPECT_EQ(who->credential, "key:" + std::string(*ApiKeyPrefix(key)));
}

TEST_F(KeyDirectoryTest, RightPrefixWrongSecretIsRefused) {
  std::string key = Create("dashboard", Role::kAdmin);
  KeyDirectory dir({}, stored_.get(), clock_);
  key.back() = key.back() == 'a' ? 'b' : 'a';
  EXPECT_FALSE(dir.Authenticate(key).has_value());
}

TEST_F(KeyDirectoryTest, KeyCreatedLaterIsFoundOnAMiss) {
  KeyDirectory dir({}, stored_.get(), clock_);
  EXPECT_FALSE(dir.Authenticate(GenerateApiKey().key).has_value());  // reads the empty table
  clock_.Advance(150 * kMs);
  const std::string key = Create("late", Role::kViewer);
  EXPECT_TRUE(dir.Authenticate(key).has_value());
}

TEST_F(KeyDirectoryTest, RevokedKeyIsRefusedAfterTheRefreshInterval) {
  const std::string key = Create("leaked", Role::kAdmin);
  KeyDirectory dir({}, stored_.get(), clock_);
  auto who = dir.Authenticate(key);
  ASSERT_TRUE(who.has_value());
  ASSERT_TRUE(stored_->Revoke("leaked", "test").ok());
  clock_.Advance(1000 * kMs);
  EXPECT_FALSE(dir.Authenticate(key).has_value());
  EXPECT_FALSE(dir.StillValid(*who));
}

TEST_F(KeyDirectoryTest, RecordsLastUseAtMostOncePerInterval) {
  const std::string key = Create("busy", Role::kViewer);
  KeyDirectory dir({}, stored_.get(), clock_);
  EXPECT_EQ(Query("SELECT COALESCE(last_used_at, 'never') FROM api_keys"),
            std::vector<std::string>{"never"});
  ASSERT_TRUE(dir.Authenticate(key).has_value());
  const std::vector<std::string> first = Query("SELECT last_used_at FROM api_keys");
  EXPECT_EQ(first, std::vector<std::string>{std::to_string(clock_.Now().micros)});
  clock_.Advance(30'000 * kMs);
  ASSERT_TRUE(dir.Authenticate(key).has_value());
  EXPECT_EQ(Query("SELECT last_used_at FROM api_keys"), first);  // not yet a minute
  clock_.Advance(31'000 * kMs);
  ASSERT_TRUE(dir.Authenticate(key).has_value());
  EXPECT_EQ(Query("SELECT last_used_at FROM api_keys"),
            std::vector<std::string>{std::to_string(clock_.Now().micros)});
}

TEST_F(KeyDirectoryTest, StoreKeepsOnlyTheHashAndAuditsEveryOperation) {
  GeneratedApiKey k = GenerateApiKey();
  ASSERT_TRUE(stored_->Create({"ci", "operator", k.hash, k.prefix, "test"}).ok());
  ASSERT_TRUE(stored_->Revoke("ci", "test").ok());
  EXPECT_EQ(Query("SELECT hash FROM api_keys"), std::vector<std::string>{k.hash});
  std::vector<std::string> events =
      Query("SELECT type || ' ' || payload FROM events WHERE stream = 'access' ORDER BY seq");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0], "api_key.created {\"name\":\"ci\",\"role\":\"operator\",\"prefix\":\"" +
                           k.prefix + "\"}");
  EXPECT_TRUE(events[1].starts_with("api_key.revoked ")) << events[1];
  for (const std::string& e : events) {
    EXPECT_EQ(e.find(k.hash), std::string::npos);
    EXPECT_EQ(e.find(k.key.substr(12)), std::string::npos);
  }
  auto chain = store::VerifyEventChain(db_);
  ASSERT_TRUE(chain.ok()) << chain.status().ToString();
  EXPECT_FALSE(chain->broken_at.has_value());
  EXPECT_EQ(chain->events, 2);
}

TEST_F(KeyDirectoryTest, NamesAreUniqueAndRevokeTwiceFails) {
  Create("dup", Role::kViewer);
  GeneratedApiKey k = GenerateApiKey();
  auto again = stored_->Create({"dup", "viewer", k.hash, k.prefix, "test"});
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(stored_->Revoke("dup", "test").ok());
  EXPECT_EQ(stored_->Revoke("dup", "test").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(stored_->Revoke("nobody", "test").status().code(), StatusCode::kNotFound);
  auto list = stored_->List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_TRUE((*list)[0].revoked_at.has_value());
}

}  // namespace
}  // namespace orderpilot::api
