#include "api/session.h"

#include <gtest/gtest.h>

namespace orderpilot::api {
namespace {

constexpr int64_t kMinute = 60'000'000;

Principal Alice() { return Principal{"alice", Role::kOperator, "config:alice"}; }

TEST(SessionStoreTest, CreatedSessionIsFoundByItsToken) {
  ManualClock clock(Timestamp{1'000'000});
  SessionStore sessions(clock, std::chrono::minutes(30));
  NewSession s = sessions.Create(Alice());
  EXPECT_EQ(s.token.size(), 64u);
  EXPECT_EQ(s.csrf_token.size(), 64u);
  EXPECT_NE(s.token, s.csrf_token);
  auto found = sessions.Touch(s.token);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->principal.name, "alice");
  EXPECT_EQ(found->principal.role, Role::kOperator);
  EXPECT_EQ(found->csrf_token, s.csrf_token);
  EXPECT_FALSE(sessions.Touch("not-a-token").has_value());
  EXPECT_FALSE(sessions.Touch("").has_value());
}

TEST(SessionStoreTest, ExpiresAfterTheIdleTimeout) {
  ManualClock clock(Timestamp{1'000'000});
  SessionStore sessions(clock, std::chrono::minutes(30));
  NewSession s = sessions.Create(Alice());
  clock.Advance(30 * kMinute);
  EXPECT_FALSE(sessions.Touch(s.token).has_value());
  clock.Advance(-30 * kMinute);  // forgotten for good, even if the clock went back
  EXPECT_FALSE(sessions.Touch(s.token).has_value());
}

TEST(SessionStoreTest, UseRestartsTheIdleTime) {
  ManualClock clock(Timestamp{1'000'000});
  SessionStore sessions(clock, std::chrono::minutes(30));
  NewSession s = sessions.Create(Alice());
  for (int i = 0; i < 5; ++i) {
    clock.Advance(20 * kMinute);
    ASSERT_TRUE(sessions.Touch(s.token).has_value()) << i;
  }
  clock.Advance(31 * kMinute);
  EXPECT_FALSE(sessions.Touch(s.token).has_value());
}

TEST(SessionStoreTest, LogoutEndsTheSession) {
  ManualClock clock(Timestamp{1'000'000});
  SessionStore sessions(clock, std::chrono::minutes(30));
  NewSession s = sessions.Create(Alice());
  EXPECT_TRUE(sessions.Remove(s.token));
  EXPECT_FALSE(sessions.Touch(s.token).has_value());
  EXPECT_FALSE(sessions.Remove(s.token));
}

TEST(SessionStoreTest, DropsTheLeastRecentlyUsedWhenFull) {
  ManualClock clock(Timestamp{1'000'000});
  SessionStore sessions(clock, std::chrono::minutes(30), /*max_sessions=*/2);
  NewSession a = sessions.Create(Alice());
  clock.Advance(kMinute);
  NewSession b = sessions.Create(Alice());
  clock.Advance(kMinute);
  ASSERT_TRUE(sessions.Touch(a.token).has_value());  // a is now the most recent
  clock.Advance(kMinute);
  NewSession c = sessions.Create(Alice());
  EXPECT_TRUE(sessions.Touch(a.token).has_value());
  EXPECT_FALSE(sessions.Touch(b.token).has_value());
  EXPECT_TRUE(sessions.Touch(c.token).has_value());
}

}  // namespace
}  // namespace orderpilot::api
