#include "core/money.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace orderpilot {
namespace {

Currency Cur(const char* code) {
  auto c = Currency::Parse(code);
  EXPECT_TRUE(c.ok()) << code;
  return *c;
}

int64_t Minor(const char* amount, const char* code) {
  auto m = Money::Parse(amount, Cur(code));
  EXPECT_TRUE(m.ok()) << amount << " " << code << ": " << m.status().ToString();
  return m.ok() ? m->minor_units() : -999999;
}

void ExpectRefused(const char* amount, const char* code) {
  auto m = Money::Parse(amount, Cur(code));
  ASSERT_FALSE(m.ok()) << "'" << amount << "' " << code << " parsed";
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
}

TEST(CurrencyTest, ParsesIsoCodesWithTheirExponents) {
  EXPECT_EQ(Cur("USD").exponent(), 2);
  EXPECT_EQ(Cur("JPY").exponent(), 0);
  EXPECT_EQ(Cur("KWD").exponent(), 3);
  EXPECT_EQ(Cur("CLF").exponent(), 4);
  EXPECT_EQ(Cur("EUR").code(), "EUR");
}

TEST(CurrencyTest, RefusesUnknownAndMalformedCodes) {
  for (const char* code : {"XYZ", "usd", "US", "USDD", "", "XXX"}) {
    auto c = Currency::Parse(code);
    ASSERT_FALSE(c.ok()) << code;
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST(CurrencyTest, DefaultCurrencyIsInvalid) {
  EXPECT_FALSE(Currency().valid());
  EXPECT_TRUE(Currency().code().empty());
}

TEST(MoneyParseTest, ParsesTwoDecimalCurrency) { EXPECT_EQ(Minor("19.99", "USD"), 1999); }

TEST(MoneyParseTest, ParsesZeroDecimalCurrency) { EXPECT_EQ(Minor("1000", "JPY"), 1000); }

TEST(MoneyParseTest, ParsesThreeDecimalCurrency) { EXPECT_EQ(Minor("1.250", "KWD"), 1250); }

TEST(MoneyParseTest, PadsMissingFractionDigits) {
  EXPECT_EQ(Minor("19.9", "USD"), 1990);
  EXPECT_EQ(Minor("19", "USD"), 1900);
  EXPECT_EQ(Minor("1.25", "KWD"), 1250);
}

TEST(MoneyParseTest, AcceptsTrailingZerosBeyondTheExponent) {
  EXPECT_EQ(Minor("19.990", "USD"), 1999);
  EXPECT_EQ(Minor("1000.00", "JPY"), 1000);
}

TEST(MoneyParseTest, RefusesPrecisionTheCurrencyCannotHold) {
  ExpectRefused("19.995", "USD");
  ExpectRefused("1000.5", "JPY");
  ExpectRefused("1.2501", "KWD");
}

TEST(MoneyParseTest, ParsesNegativeAmounts) {
  EXPECT_EQ(Minor("-0.5", "USD"), -50);
  EXPECT_EQ(Minor("-12.05", "USD"), -1205);
}

TEST(MoneyParseTest, RefusesEmptyString) { ExpectRefused("", "USD"); }

TEST(MoneyParseTest, RefusesExponentNotation) {
  ExpectRefused("1e3", "USD");
  ExpectRefused("1.5E2", "USD");
}

TEST(MoneyParseTest, RefusesNonNumbers) {
  for (const char* s :
       {"abc", "-", ".", "1,000.00", " 1.00", "1.00 ", "--1", "+-1", "1.2.3", "$5", "0x10"})
    ExpectRefused(s, "USD");
}

TEST(MoneyParseTest, RefusesOverflow) {
  EXPECT_EQ(Minor("92233720368547758.07", "USD"), std::numeric_limits<int64_t>::max());
  ExpectRefused("92233720368547758.08", "USD");
  ExpectRefused("99999999999999999999", "JPY");
}

TEST(MoneyParseTest, RefusesAmountWithoutCurrency) {
  auto m = Money::Parse("1.00", Currency());
  EXPECT_FALSE(m.ok());
}

TEST(MoneyFormatTest, FormatsAtTheCurrencyExponent) {
  EXPECT_EQ(Money(1999, Cur("USD")).ToString(), "19.99");
  EXPECT_EQ(Money(-50, Cur("USD")).ToString(), "-0.50");
  EXPECT_EQ(Money(5, Cur("USD")).ToString(), "0.05");
  EXPECT_EQ(Money(0, Cur("USD")).ToString(), "0.00");
  EXPECT_EQ(Money(1000, Cur("JPY")).ToString(), "1000");
  EXPECT_EQ(Money(1250, Cur("KWD")).ToString(), "1.250");
  EXPECT_EQ(Money(1, Cur("CLF")).ToString(), "0.0001");
}

TEST(MoneyFormatTest, FormatsInt64Extremes) {
  EXPECT_EQ(FormatMinorUnits(std::numeric_limits<int64_t>::min(), 2), "-92233720368547758.08");
  EXPECT_EQ(FormatMinorUnits(std::numeric_limits<int64_t>::max(), 2), "92233720368547758.07");
}

TEST(MoneyFormatTest, FormatThenParseRoundTrips) {
  for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{123456789}, int64_t{-99}}) {
    for (const char* code : {"USD", "JPY", "KWD", "CLF"}) {
      Money m(v, Cur(code));
      EXPECT_EQ(Minor(m.ToString().c_str(), code), v) << m.ToString();
    }
  }
}

TEST(MoneyArithmeticTest, AddsSameCurrency) {
  auto sum = Money::Add(Money(150, Cur("USD")), Money(275, Cur("USD")));
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->minor_units(), 425);
}

TEST(MoneyArithmeticTest, RefusesCurrencyMismatch) {
  EXPECT_FALSE(Money::Add(Money(1, Cur("USD")), Money(1, Cur("EUR"))).ok());
  EXPECT_FALSE(Money::Subtract(Money(1, Cur("USD")), Money(1, Cur("EUR"))).ok());
}

TEST(MoneyArithmeticTest, RefusesOverflow) {
  Money big(std::numeric_limits<int64_t>::max(), Cur("USD"));
  EXPECT_FALSE(Money::Add(big, Money(1, Cur("USD"))).ok());
  EXPECT_FALSE(Money::Multiply(big, 2).ok());
  EXPECT_FALSE(
      Money::Subtract(Money(std::numeric_limits<int64_t>::min(), Cur("USD")), Money(1, Cur("USD")))
          .ok());
}

TEST(MoneyArithmeticTest, MultipliesByQuantity) {
  auto m = Money::Multiply(Money(1999, Cur("USD")), 3);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->minor_units(), 5997);
}

}  // namespace
}  // namespace orderpilot
