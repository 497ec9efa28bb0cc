#include "api/rate_limiter.h"

#include <gtest/gtest.h>

namespace orderpilot::api {
namespace {

constexpr int64_t kSecond = 1'000'000;

TEST(RateLimiterTest, AdmitsABurstThenRefuses) {
  ManualClock clock(Timestamp{1000 * kSecond});
  RateLimiter limiter(clock, {1, 3});
  EXPECT_EQ(limiter.Take("k"), 0);
  EXPECT_EQ(limiter.Take("k"), 0);
  EXPECT_EQ(limiter.Take("k"), 0);
  EXPECT_EQ(limiter.Take("k"), 1);  // one token a second: retry after 1 s
}

TEST(RateLimiterTest, RetryAfterCoversTheWaitForOneToken) {
  ManualClock clock(Timestamp{1000 * kSecond});
  RateLimiter limiter(clock, {0.2, 1});  // one every 5 s
  EXPECT_EQ(limiter.Take("k"), 0);
  EXPECT_EQ(limiter.Take("k"), 5);
  clock.Advance(2 * kSecond);
  EXPECT_EQ(limiter.Take("k"), 3);
  clock.Advance(3 * kSecond);
  EXPECT_EQ(limiter.Take("k"), 0);
}

TEST(RateLimiterTest, RefillsWithTimeUpToTheBurst) {
  ManualClock clock(Timestamp{1000 * kSecond});
  RateLimiter limiter(clock, {2, 4});
  for (int i = 0; i < 4; ++i) EXPECT_EQ(limiter.Take("k"), 0);
  EXPECT_GT(limiter.Take("k"), 0);
  clock.Advance(1 * kSecond);  // two tokens back
  EXPECT_EQ(limiter.Take("k"), 0);
  EXPECT_EQ(limiter.Take("k"), 0);
  EXPECT_GT(limiter.Take("k"), 0);
  clock.Advance(3600 * kSecond);  // never more than the burst
  for (int i = 0; i < 4; ++i) EXPECT_EQ(limiter.Take("k"), 0);
  EXPECT_GT(limiter.Take("k"), 0);
}

TEST(RateLimiterTest, KeysHaveTheirOwnBuckets) {
  ManualClock clock(Timestamp{1000 * kSecond});
  RateLimiter limiter(clock, {1, 1});
  EXPECT_EQ(limiter.Take("a"), 0);
  EXPECT_GT(limiter.Take("a"), 0);
  EXPECT_EQ(limiter.Take("b"), 0);
}

TEST(RateLimiterTest, ZeroRateMeansUnlimited) {
  ManualClock clock(Timestamp{1000 * kSecond});
  RateLimiter limiter(clock, {0, 1});
  EXPECT_FALSE(limiter.enabled());
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(limiter.Take("k"), 0);
}

TEST(RateLimiterTest, ForgetsFullBucketsWhenTheTableIsFull) {
  ManualClock clock(Timestamp{1000 * kSecond});
  RateLimiter limiter(clock, {1, 1}, /*max_keys=*/2);
  EXPECT_EQ(limiter.Take("a"), 0);
  EXPECT_EQ(limiter.Take("b"), 0);
  clock.Advance(10 * kSecond);  // a and b are full again: dropped to make room for c
  EXPECT_EQ(limiter.Take("c"), 0);
  EXPECT_GT(limiter.Take("c"), 0);  // c is tracked
}

}  // namespace
}  // namespace orderpilot::api
