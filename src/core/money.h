// core/money.h — exact money: integer minor units plus an ISO 4217 currency.
//
// Invariant: a Money value never passes through floating point. Strings such as "19.99" are parsed
// digit by digit against the currency's exponent (JPY 0, USD 2, KWD 3, CLF 4); more fractional
// digits than the currency allows are an error unless they are zeros ("19.990" USD is fine,
// "19.995" is not). Arithmetic checks overflow and currency agreement.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace orderpilot {

// An ISO 4217 currency. Only codes in the ISO table are constructible through Parse.
class Currency {
 public:
  Currency() = default;  // the empty currency; !valid()
  // Returns InvalidArgument for a code not in ISO 4217 (case-sensitive: "usd" is refused).
  static Result<Currency> Parse(std::string_view code);

  bool valid() const { return code_[0] != '\0'; }
  std::string_view code() const {
    return valid() ? std::string_view(code_, 3) : std::string_view();
  }
  // Number of digits after the decimal point (JPY 0, USD 2, KWD 3).
  int exponent() const { return exponent_; }

  friend bool operator==(const Currency& a, const Currency& b) { return a.code() == b.code(); }

 private:
  char code_[4] = {0, 0, 0, 0};
  int exponent_ = 0;
};

class Money {
 public:
  Money() = default;
  Money(int64_t minor_units, Currency currency) : minor_(minor_units), currency_(currency) {}

  // Parses a decimal amount ("19.99", "-0.5", "1000") exactly. Refuses exponents, thousands
  // separators, more than one sign, empty strings, and precision the currency cannot hold.
  static Result<Money> Parse(std::string_view amount, Currency currency);
  static Money Zero(Currency c) { return Money(0, c); }

  int64_t minor_units() const { return minor_; }
  const Currency& currency() const { return currency_; }

  // "19.99", "-0.50", "1000" (JPY), "1.250" (KWD): the currency's exponent, no symbol.
  std::string ToString() const;

  // Checked arithmetic: InvalidArgument on currency mismatch, ResourceExhausted-free
  // kInvalidArgument "overflow" on int64 overflow.
  static Result<Money> Add(const Money& a, const Money& b);
  static Result<Money> Subtract(const Money& a, const Money& b);
  // Multiplies by an integer quantity (line price × qty) with overflow checks.
  static Result<Money> Multiply(const Money& a, int64_t factor);

  friend bool operator==(const Money& a, const Money& b) {
    return a.minor_ == b.minor_ && a.currency_ == b.currency_;
  }

 private:
  int64_t minor_ = 0;
  Currency currency_;
};

// Parses a decimal string into minor units at `exponent` digits; the building block of
// Money::Parse.
// Decimals of an ISO 4217 code (USD 2, JPY 0), or -1 when the code is not ISO 4217. O(1).
int CurrencyExponent(std::string_view code);

Result<int64_t> ParseMinorUnits(std::string_view amount, int exponent);
// Formats minor units at `exponent` digits ("-12.05").
std::string FormatMinorUnits(int64_t minor, int exponent);

}  // namespace orderpilot
