#include "risk/email_check.h"

#include <gtest/gtest.h>

namespace orderpilot::risk {
namespace {

TEST(EmailCheckTest, SplitsAtTheLastAtSignAndLowerCases) {
  const auto parts = SplitEmail("  \"a@b\"@Example.COM. ");
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->local, "\"a@b\"");
  EXPECT_EQ(parts->domain, "example.com");
  EXPECT_FALSE(SplitEmail("no-at-sign"));
  EXPECT_FALSE(SplitEmail("@example.com"));
  EXPECT_FALSE(SplitEmail("jane@"));
}

TEST(EmailCheckTest, DisposableDomainsIncludingSubdomains) {
  EXPECT_TRUE(IsDisposableEmailDomain("mailinator.com"));
  EXPECT_TRUE(IsDisposableEmailDomain("GuerrillaMail.com"));
  EXPECT_TRUE(IsDisposableEmailDomain("10minutemail.com"));
  EXPECT_TRUE(IsDisposableEmailDomain("yopmail.fr"));
  EXPECT_TRUE(IsDisposableEmailDomain("inbox.mailinator.com"));
  EXPECT_FALSE(IsDisposableEmailDomain("gmail.com"));
  EXPECT_FALSE(IsDisposableEmailDomain("example.com"));
  EXPECT_FALSE(IsDisposableEmailDomain("notmailinator.example"));
  EXPECT_FALSE(IsDisposableEmailDomain("com"));
  EXPECT_FALSE(IsDisposableEmailDomain(""));
}

TEST(EmailRandomnessTest, NamesScoreLowGeneratedStringsHigh) {
  EXPECT_LT(EmailRandomness("jane.smith"), 0.1);
  EXPECT_LT(EmailRandomness("john.doe1985"), 0.2);
  EXPECT_LT(EmailRandomness("m.schmidt"), 0.35);
  EXPECT_LT(EmailRandomness("zhang.wei"), 0.2);
  EXPECT_LT(EmailRandomness("info"), 0.1);
  EXPECT_LT(EmailRandomness("jane.smith+shop"), 0.1);  // the sub-address is ignored
  EXPECT_GT(EmailRandomness("xk7qz9v2pl"), 0.8);
  EXPECT_GT(EmailRandomness("qwzxkvbn"), 0.7);
  EXPECT_GT(EmailRandomness("a8f3e2b1c9d4"), 0.5);
}

TEST(EmailRandomnessTest, StaysWithinZeroAndOneAndIgnoresCase) {
  for (const char* s : {"", "a", "ab1", "zzzzzzzzzzzzzzzzzzzzzz", "1234567890", "x1y2z3w4v5",
                        "____", "Jane.Smith"}) {
    const double r = EmailRandomness(s);
    EXPECT_GE(r, 0.0) << s;
    EXPECT_LE(r, 1.0) << s;
  }
  EXPECT_DOUBLE_EQ(EmailRandomness("XK7QZ9V2PL"), EmailRandomness("xk7qz9v2pl"));
  EXPECT_EQ(EmailRandomness("ab1"), 0.0);  // too short to judge
}

}  // namespace
}  // namespace orderpilot::risk
