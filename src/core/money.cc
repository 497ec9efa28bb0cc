#include "core/money.h"

#include <algorithm>
#include <array>
#include <limits>

namespace orderpilot {
namespace {

struct CurrencyInfo {
  const char* code;
  int exponent;
};

// ISO 4217 active codes with their minor-unit exponents (funds codes and precious metals
// without a minor unit are omitted). A linear scan over 161 entries costs ~100 ns.
constexpr CurrencyInfo kCurrencies[] = {
    {"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"ANG", 2}, {"AOA", 2}, {"ARS", 2}, {"AUD", 2},
    {"AWG", 2}, {"AZN", 2}, {"BAM", 2}, {"BBD", 2}, {"BDT", 2}, {"BGN", 2}, {"BHD", 3}, {"BIF", 0},
    {"BMD", 2}, {"BND", 2}, {"BOB", 2}, {"BRL", 2}, {"BSD", 2}, {"BTN", 2}, {"BWP", 2}, {"BYN", 2},
    {"BZD", 2}, {"CAD", 2}, {"CDF", 2}, {"CHF", 2}, {"CLF", 4}, {"CLP", 0}, {"CNY", 2}, {"COP", 2},
    {"CRC", 2}, {"CUP", 2}, {"CVE", 2}, {"CZK", 2}, {"DJF", 0}, {"DKK", 2}, {"DOP", 2}, {"DZD", 2},
    {"EGP", 2}, {"ERN", 2}, {"ETB", 2}, {"EUR", 2}, {"FJD", 2}, {"FKP", 2}, {"GBP", 2}, {"GEL", 2},
    {"GHS", 2}, {"GIP", 2}, {"GMD", 2}, {"GNF", 0}, {"GTQ", 2}, {"GYD", 2}, {"HKD", 2}, {"HNL", 2},
    {"HTG", 2}, {"HUF", 2}, {"IDR", 2}, {"ILS", 2}, {"INR", 2}, {"IQD", 3}, {"IRR", 2}, {"ISK", 0},
    {"JMD", 2}, {"JOD", 3}, {"JPY", 0}, {"KES", 2}, {"KGS", 2}, {"KHR", 2}, {"KMF", 0}, {"KPW", 2},
    {"KRW", 0}, {"KWD", 3}, {"KYD", 2}, {"KZT", 2}, {"LAK", 2}, {"LBP", 2}, {"LKR", 2}, {"LRD", 2},
    {"LSL", 2}, {"LYD", 3}, {"MAD", 2}, {"MDL", 2}, {"MGA", 2}, {"MKD", 2}, {"MMK", 2}, {"MNT", 2},
    {"MOP", 2}, {"MRU", 2}, {"MUR", 2}, {"MVR", 2}, {"MWK", 2}, {"MXN", 2}, {"MYR", 2}, {"MZN", 2},
    {"NAD", 2}, {"NGN", 2}, {"NIO", 2}, {"NOK", 2}, {"NPR", 2}, {"NZD", 2}, {"OMR", 3}, {"PAB", 2},
    {"PEN", 2}, {"PGK", 2}, {"PHP", 2}, {"PKR", 2}, {"PLN", 2}, {"PYG", 0}, {"QAR", 2}, {"RON", 2},
    {"RSD", 2}, {"RUB", 2}, {"RWF", 0}, {"SAR", 2}, {"SBD", 2}, {"SCR", 2}, {"SDG", 2}, {"SEK", 2},
    {"SGD", 2}, {"SHP", 2}, {"SLE", 2}, {"SOS", 2}, {"SRD", 2}, {"SSP", 2}, {"STN", 2}, {"SVC", 2},
    {"SYP", 2}, {"SZL", 2}, {"THB", 2}, {"TJS", 2}, {"TMT", 2}, {"TND", 3}, {"TOP", 2}, {"TRY", 2},
    {"TTD", 2}, {"TWD", 2}, {"TZS", 2}, {"UAH", 2}, {"UGX", 0}, {"USD", 2}, {"UYI", 0}, {"UYU", 2},
    {"UYW", 4}, {"UZS", 2}, {"VED", 2}, {"VES", 2}, {"VND", 0}, {"VUV", 0}, {"WST", 2}, {"XAF", 0},
    {"XCD", 2}, {"XOF", 0}, {"XPF", 0}, {"YER", 2}, {"ZAR", 2}, {"ZMW", 2}, {"ZWG", 2}, {"ZWL", 2},
    {"CUC", 2},
};

int64_t Pow10(int e) {
  int64_t p = 1;
  for (int i = 0; i < e; ++i) p *= 10;
  return p;
}

}  // namespace

namespace {

// Exponents indexed by the code's letters (26^3 entries); -1 for codes not in the table. Built
// once: the lookup sits on the rule engine's hot path (money("500.00", order.currency)).
const std::array<int8_t, 26 * 26 * 26>& ExponentTable() {
  static const std::array<int8_t, 26 * 26 * 26> kTable = [] {
    std::array<int8_t, 26 * 26 * 26> t;
    t.fill(-1);
    for (const CurrencyInfo& info : kCurrencies) {
      std::string_view c = info.code;
      t[((c[0] - 'A') * 26 + (c[1] - 'A')) * 26 + (c[2] - 'A')] =
          static_cast<int8_t>(info.exponent);
    }
    return t;
  }();
  return kTable;
}

}  // namespace

int CurrencyExponent(std::string_view code) {
  if (code.size() != 3) return -1;
  int index = 0;
  for (char ch : code) {
    if (ch < 'A' || ch > 'Z') return -1;
    index = index * 26 + (ch - 'A');
  }
  return ExponentTable()[index];
}

Result<Currency> Currency::Parse(std::string_view code) {
  int exponent = CurrencyExponent(code);
  if (exponent >= 0) {
    Currency c;
    std::copy(code.begin(), code.end(), c.code_);
    c.exponent_ = exponent;
    return c;
  }
  return InvalidArgumentError("unknown currency code '" + std::string(code.substr(0, 16)) +
                              "' (expected an ISO 4217 code such as USD)");
}

Result<int64_t> ParseMinorUnits(std::string_view s, int exponent) {
  auto bad = [&](const char* why) {
    return InvalidArgumentError(std::string("invalid amount '") + std::string(s.substr(0, 32)) +
                                "': " + why);
  };
  if (s.empty()) return bad("empty");
  bool negative = false;
  size_t i = 0;
  if (s[0] == '-' || s[0] == '+') {
    negative = s[0] == '-';
    i = 1;
  }
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  int64_t whole = 0;
  size_t whole_digits = 0;
  for (; i < s.size() && s[i] != '.'; ++i) {
    char c = s[i];
    if (c < '0' || c > '9') return bad("not a decimal number");
    if (whole > (kMax - (c - '0')) / 10) return bad("too large");
    whole = whole * 10 + (c - '0');
    ++whole_digits;
  }
  int64_t frac = 0;
  int frac_digits = 0;
  if (i < s.size()) {  // at '.'
    ++i;
    if (i == s.size() && whole_digits == 0) return bad("not a decimal number");
    for (; i < s.size(); ++i) {
      char c = s[i];
      if (c < '0' || c > '9') return bad("not a decimal number");
      if (frac_digits < exponent) {
        frac = frac * 10 + (c - '0');
        ++frac_digits;
      } else if (c != '0') {
        return bad("more decimal places than the currency has");
      }
    }
  }
  if (whole_digits == 0 && frac_digits == 0 && s.find('.') == std::string_view::npos)
    return bad("not a decimal number");
  frac *= Pow10(exponent - frac_digits);
  int64_t scale = Pow10(exponent);
  if (whole > (kMax - frac) / scale) return bad("too large");
  int64_t v = whole * scale + frac;
  return negative ? -v : v;
}

std::string FormatMinorUnits(int64_t minor, int exponent) {
  bool negative = minor < 0;
  // Work in unsigned to format INT64_MIN safely.
  uint64_t u = negative ? uint64_t(0) - static_cast<uint64_t>(minor) : static_cast<uint64_t>(minor);
  std::string digits = std::to_string(u);
  if (exponent > 0) {
    if (digits.size() <= static_cast<size_t>(exponent))
      digits.insert(0, static_cast<size_t>(exponent) + 1 - digits.size(), '0');
    digits.insert(digits.size() - static_cast<size_t>(exponent), 1, '.');
  }
  if (negative) digits.insert(0, 1, '-');
  return digits;
}

Result<Money> Money::Parse(std::string_view amount, Currency currency) {
  if (!currency.valid()) return InvalidArgumentError("amount without a currency");
  OP_ASSIGN_OR_RETURN(int64_t minor, ParseMinorUnits(amount, currency.exponent()));
  return Money(minor, currency);
}

std::string Money::ToString() const { return FormatMinorUnits(minor_, currency_.exponent()); }

Result<Money> Money::Add(const Money& a, const Money& b) {
  if (!(a.currency_ == b.currency_)) return InvalidArgumentError("currency mismatch");
  int64_t r;
  if (__builtin_add_overflow(a.minor_, b.minor_, &r)) return InvalidArgumentError("overflow");
  return Money(r, a.currency_);
}

Result<Money> Money::Subtract(const Money& a, const Money& b) {
  if (!(a.currency_ == b.currency_)) return InvalidArgumentError("currency mismatch");
  int64_t r;
  if (__builtin_sub_overflow(a.minor_, b.minor_, &r)) return InvalidArgumentError("overflow");
  return Money(r, a.currency_);
}

Result<Money> Money::Multiply(const Money& a, int64_t factor) {
  int64_t r;
  if (__builtin_mul_overflow(a.minor_, factor, &r)) return InvalidArgumentError("overflow");
  return Money(r, a.currency_);
}

}  // namespace orderpilot
