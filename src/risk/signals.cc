#include "risk/signals.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>
#include <utility>

#include "risk/country_data.h"
#include "risk/email_check.h"

namespace orderpilot::risk {
namespace {

constexpr std::string_view kSignalNames[] = {
    "order_value",
    "value_vs_customer",
    "value_vs_shop",
    "account_age_s",
    "first_order",
    "customer_orders",
    "billing_shipping_country_mismatch",
    "billing_shipping_postcode_mismatch",
    "billing_shipping_name_mismatch",
    "ip_country_mismatch",
    "ip_distance_km",
    "email_disposable",
    "email_randomness",
    "phone_format_bad",
    "postcode_format_bad",
    "avs_mismatch",
    "cvv_mismatch",
    "velocity_email_10m",
    "velocity_email_1h",
    "velocity_email_24h",
    "velocity_device_10m",
    "velocity_device_1h",
    "velocity_device_24h",
    "velocity_ip_10m",
    "velocity_ip_1h",
    "velocity_ip_24h",
    "velocity_bin_10m",
    "velocity_bin_1h",
    "velocity_bin_24h",
    "velocity_address_10m",
    "velocity_address_1h",
    "velocity_address_24h",
    "max_units_one_sku",
    "high_risk_sku_units",
    "express_to_forwarder",
    "express_mismatch",
    "failed_payments",
};
static_assert(std::size(kSignalNames) == kSignalCount, "one name per Signal");

constexpr int kFirstVelocity = static_cast<int>(Signal::kVelocityEmail10m);
static_assert(static_cast<int>(Signal::kVelocityAddress24h) - kFirstVelocity + 1 ==
                  kKeyKindCount * kWindowCount,
              "velocity signals are kind-major, window-minor");

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }
char Upper(char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); }

std::string UpperTrimmed(std::string_view s) {
  std::string out;
  for (char c : Trim(s)) out.push_back(Upper(c));
  return out;
}

std::string LowerTrimmed(std::string_view s) {
  std::string out;
  for (char c : Trim(s)) out.push_back(Lower(c));
  return out;
}

// Upper-cased, without spaces and hyphens: "sw1a 1aa" → "SW1A1AA".
std::string CompactZip(std::string_view zip) {
  std::string out;
  for (char c : zip) {
    if (c != ' ' && c != '-' && c != '\t') out.push_back(Upper(c));
  }
  return out;
}

// Lower-case ASCII letters and any non-ASCII bytes (accented letters), nothing else.
std::string NameLetters(std::string_view s) {
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalpha(u) || u >= 0x80) out.push_back(Lower(c));
  }
  return out;
}

// Lower-cased words (runs of letters and digits); "&" reads as "and".
std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  auto flush = [&] {
    if (!word.empty()) words.push_back(std::move(word));
    word.clear();
  };
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      word.push_back(Lower(c));
    } else {
      flush();
      if (c == '&') words.emplace_back("and");
    }
  }
  flush();
  return words;
}

bool HasPhrase(const std::vector<std::string>& words, std::initializer_list<std::string_view> p) {
  if (p.size() == 0 || words.size() < p.size()) return false;
  for (size_t i = 0; i + p.size() <= words.size(); ++i) {
    size_t j = 0;
    for (std::string_view w : p) {
      if (words[i + j] != w) break;
      ++j;
    }
    if (j == p.size()) return true;
  }
  return false;
}

bool HasWordStarting(const std::vector<std::string>& words, std::string_view prefix) {
  return std::any_of(words.begin(), words.end(),
                     [&](const std::string& w) { return w.rfind(prefix, 0) == 0; });
}

bool ForwarderText(std::string_view text) {
  const std::vector<std::string> w = Words(text);
  if (w.empty()) return false;
  if (HasWordStarting(w, "reship") || HasPhrase(w, {"re", "ship"}) ||
      HasPhrase(w, {"re", "shipping"}) || HasPhrase(w, {"re", "shipper"})) {
    return true;
  }
  for (const std::string& word : w) {
    if (word == "forwarder" || word == "forwarders" || word == "forwarding") return true;
  }
  if (HasPhrase(w, {"freight", "forward"})) return true;
  std::string lower = LowerTrimmed(text);
  const bool care_of = lower.find("c/o") != std::string::npos || HasPhrase(w, {"care", "of"}) ||
                       HasPhrase(w, {"c", "o"});
  if (care_of && HasWordStarting(w, "forward")) return true;
  static constexpr std::string_view kBrands[] = {
      "myus",    "shipito", "stackry", "forward2me", "borderlinx", "comgateway", "viabox",
      "usgobuy", "qwintry", "parcl",   "shipitto",   "fishisfast", "ship7",
  };
  for (const std::string& word : w) {
    for (std::string_view brand : kBrands) {
      if (word == brand) return true;
    }
  }
  return HasPhrase(w, {"planet", "express"}) || HasPhrase(w, {"shop", "and", "ship"});
}

bool MatchesForwarder(const Address& a, const ForwarderAddress& f) {
  if (f.country_code.empty() && f.zip_prefix.empty() && f.address1_substring.empty()) {
    return false;
  }
  if (!f.country_code.empty() && UpperTrimmed(a.country_code) != UpperTrimmed(f.country_code)) {
    return false;
  }
  if (!f.zip_prefix.empty() && CompactZip(a.zip).rfind(CompactZip(f.zip_prefix), 0) != 0) {
    return false;
  }
  if (!f.address1_substring.empty() &&
      LowerTrimmed(a.address1).find(LowerTrimmed(f.address1_substring)) == std::string::npos) {
    return false;
  }
  return true;
}

const Address* AddressCountrySource(const Order& order) {
  if (order.shipping_address && !Trim(order.shipping_address->country_code).empty()) {
    return &*order.shipping_address;
  }
  if (order.billing_address && !Trim(order.billing_address->country_code).empty()) {
    return &*order.billing_address;
  }
  return nullptr;
}

std::optional<double> FromCheck(FormatCheck c) {
  switch (c) {
    case FormatCheck::kOk:
      return 0.0;
    case FormatCheck::kBad:
      return 1.0;
    case FormatCheck::kNoRule:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

std::string_view SignalName(Signal signal) {
  const auto i = static_cast<size_t>(signal);
  return i < kSignalCount ? kSignalNames[i] : std::string_view("?");
}

std::optional<Signal> ParseSignal(std::string_view name) {
  for (size_t i = 0; i < kSignalCount; ++i) {
    if (kSignalNames[i] == name) return static_cast<Signal>(i);
  }
  return std::nullopt;
}

Signal VelocitySignal(KeyKind kind, Window window) {
  return static_cast<Signal>(kFirstVelocity + static_cast<int>(kind) * kWindowCount +
                             static_cast<int>(window));
}

std::optional<std::pair<KeyKind, Window>> VelocityOf(Signal signal) {
  const int i = static_cast<int>(signal) - kFirstVelocity;
  if (i < 0 || i >= kKeyKindCount * kWindowCount) return std::nullopt;
  return std::make_pair(static_cast<KeyKind>(i / kWindowCount),
                        static_cast<Window>(i % kWindowCount));
}

bool IsExpressShipping(const ShippingLine& line) {
  for (std::string_view text : {std::string_view(line.code), std::string_view(line.title)}) {
    const std::vector<std::string> w = Words(text);
    for (const std::string& word : w) {
      if (word.rfind("express", 0) == 0 || word == "overnight" || word == "priority" ||
          word == "expedited" || word == "nextday" || word == "2day" || word == "1day" ||
          word == "sameday") {
        return true;
      }
    }
    if (HasPhrase(w, {"next", "day"}) || HasPhrase(w, {"2", "day"}) ||
        HasPhrase(w, {"2", "days"}) || HasPhrase(w, {"two", "day"}) ||
        HasPhrase(w, {"2nd", "day"}) || HasPhrase(w, {"second", "day"}) ||
        HasPhrase(w, {"same", "day"}) || HasPhrase(w, {"1", "day"}) ||
        HasPhrase(w, {"one", "day"})) {
      return true;
    }
  }
  return false;
}

bool IsForwarderAddress(const Address& address, const std::vector<ForwarderAddress>& forwarders) {
  for (const ForwarderAddress& f : forwarders) {
    if (MatchesForwarder(address, f)) return true;
  }
  return ForwarderText(address.company) || ForwarderText(address.address1) ||
         ForwarderText(address.address2) || ForwarderText(address.city);
}

std::optional<bool> NamesMatch(const Address& a, const Address& b) {
  const std::string a_first = NameLetters(a.first_name);
  const std::string a_last = NameLetters(a.last_name);
  const std::string b_first = NameLetters(b.first_name);
  const std::string b_last = NameLetters(b.last_name);
  if (a_last.empty() || b_last.empty()) return std::nullopt;
  auto firsts_match = [](const std::string& x, const std::string& y) {
    if (x.empty() || y.empty() || x == y) return true;
    if (x.size() == 1 || y.size() == 1) return x[0] == y[0];
    return false;
  };
  if (a_last == b_last && firsts_match(a_first, b_first)) return true;
  if (!a_first.empty() && !b_first.empty() && a_first == b_last && a_last == b_first) return true;
  return false;
}

std::optional<double> AvsScore(std::string_view avs_result_code) {
  avs_result_code = Trim(avs_result_code);
  if (avs_result_code.empty()) return std::nullopt;
  switch (Upper(avs_result_code.front())) {
    case 'Y':
    case 'X':
    case 'D':
    case 'F':
    case 'M':
      return 0.0;
    case 'A':
    case 'B':
    case 'P':
    case 'W':
    case 'Z':
      return 0.5;
    case 'N':
    case 'C':
      return 1.0;
    default:
      return std::nullopt;
  }
}

std::optional<double> CvvScore(std::string_view cvv_result_code) {
  cvv_result_code = Trim(cvv_result_code);
  if (cvv_result_code.empty()) return std::nullopt;
  switch (Upper(cvv_result_code.front())) {
    case 'M':
      return 0.0;
    case 'N':
      return 1.0;
    default:
      return std::nullopt;
  }
}

SignalVector ComputeSignals(const Order& order, const HistoryView& history,
                            const SignalConfig& config) {
  SignalVector v;
  v.fill(std::numeric_limits<float>::quiet_NaN());
  auto set = [&v](Signal s, double x) { v[static_cast<size_t>(s)] = static_cast<float>(x); };
  auto set_opt = [&set](Signal s, std::optional<double> x) {
    if (x) set(s, *x);
  };

  // Value against history.
  const Money& total = order.totals.total;
  const int exponent =
      total.currency().valid() ? total.currency().exponent() : order.currency.exponent();
  const auto total_minor = static_cast<double>(total.minor_units());
  set(Signal::kOrderValue, total_minor / std::pow(10.0, exponent));
  if (history.has_customer && history.customer_orders > 0 && history.customer_total_minor > 0) {
    const double mean = static_cast<double>(history.customer_total_minor) /
                        static_cast<double>(history.customer_orders);
    set(Signal::kValueVsCustomer, total_minor / mean);
  }
  if (history.shop_orders >= 20 && history.shop_total_minor > 0) {
    const double mean =
        static_cast<double>(history.shop_total_minor) / static_cast<double>(history.shop_orders);
    set(Signal::kValueVsShop, total_minor / mean);
  }

  // Account.
  if (order.customer.created_at) {
    const int64_t micros = order.created_at.micros - order.customer.created_at->micros;
    set(Signal::kAccountAgeS, std::max<int64_t>(micros, 0) / 1e6);
  }
  const int64_t earlier = std::max<int64_t>(
      {order.customer.orders_count - 1, history.has_customer ? history.customer_orders : 0, 0});
  set(Signal::kCustomerOrders, static_cast<double>(earlier));
  set(Signal::kFirstOrder, earlier == 0 ? 1 : 0);

  // Billing against shipping.
  std::optional<double> country_mismatch;
  std::optional<double> postcode_mismatch;
  if (order.billing_address && order.shipping_address) {
    const Address& b = *order.billing_address;
    const Address& s = *order.shipping_address;
    const std::string bc = UpperTrimmed(b.country_code);
    const std::string sc = UpperTrimmed(s.country_code);
    if (!bc.empty() && !sc.empty()) {
      country_mismatch = bc != sc ? 1.0 : 0.0;
    } else if (!Trim(b.country).empty() && !Trim(s.country).empty()) {
      country_mismatch = LowerTrimmed(b.country) != LowerTrimmed(s.country) ? 1.0 : 0.0;
    }
    const std::string bz = CompactZip(b.zip);
    const std::string sz = CompactZip(s.zip);
    if (!bz.empty() && !sz.empty()) postcode_mismatch = bz != sz ? 1.0 : 0.0;
    if (const std::optional<bool> names = NamesMatch(b, s)) {
      set(Signal::kBillingShippingNameMismatch, *names ? 0 : 1);
    }
  }
  set_opt(Signal::kBillingShippingCountryMismatch, country_mismatch);
  set_opt(Signal::kBillingShippingPostcodeMismatch, postcode_mismatch);

  // IP country.
  const Address* located = AddressCountrySource(order);
  const std::string_view ip = Trim(order.client.browser_ip);
  if (config.ip_countries != nullptr && !ip.empty() && located != nullptr) {
    const std::string_view ip_country = config.ip_countries->Lookup(ip);
    const std::string address_country = UpperTrimmed(located->country_code);
    if (!ip_country.empty()) {
      set(Signal::kIpCountryMismatch, ip_country != address_country ? 1 : 0);
      set_opt(Signal::kIpDistanceKm, CountryDistanceKm(ip_country, address_country));
    }
  }

  // Email.
  const std::string_view email =
      Trim(order.email).empty() ? Trim(order.customer.email) : Trim(order.email);
  if (const std::optional<EmailParts> parts = SplitEmail(email)) {
    set(Signal::kEmailDisposable, IsDisposableEmailDomain(parts->domain) ? 1 : 0);
    set(Signal::kEmailRandomness, EmailRandomness(parts->local));
  }

  // Formats.
  const std::string_view country =
      located != nullptr ? std::string_view(located->country_code) : std::string_view();
  std::string_view phone;
  for (std::string_view candidate :
       {std::string_view(order.phone), std::string_view(order.customer.phone),
        order.shipping_address ? std::string_view(order.shipping_address->phone) : "",
        order.billing_address ? std::string_view(order.billing_address->phone) : ""}) {
    if (!Trim(candidate).empty()) {
      phone = Trim(candidate);
      break;
    }
  }
  if (!phone.empty()) set_opt(Signal::kPhoneFormatBad, FromCheck(CheckPhone(phone, country)));
  const Address* postal = order.shipping_address  ? &*order.shipping_address
                          : order.billing_address ? &*order.billing_address
                                                  : nullptr;
  if (postal != nullptr) {
    set_opt(Signal::kPostcodeFormatBad,
            FromCheck(CheckPostcode(postal->country_code, postal->zip)));
  }

  // Payment.
  set_opt(Signal::kAvsMismatch, AvsScore(order.payment.avs_result_code));
  set_opt(Signal::kCvvMismatch, CvvScore(order.payment.cvv_result_code));
  set(Signal::kFailedPayments, std::max(order.payment.failed_attempts, 0));

  // Velocity.
  for (int k = 0; k < kKeyKindCount; ++k) {
    if (!history.has_key[k]) continue;
    for (int w = 0; w < kWindowCount; ++w) {
      set(VelocitySignal(static_cast<KeyKind>(k), static_cast<Window>(w)), history.velocity[k][w]);
    }
  }

  // Items.
  std::map<std::string, int64_t> units;
  int64_t high_risk = 0;
  for (const LineItem& line : order.line_items) {
    const int64_t q = std::max<int64_t>(line.quantity, 0);
    units[line.sku.empty() ? "\x1ftitle:" + line.title : line.sku] += q;
    if (!line.sku.empty() && config.high_risk_skus.count(line.sku) > 0) high_risk += q;
  }
  int64_t max_units = 0;
  for (const auto& [sku, n] : units) max_units = std::max(max_units, n);
  set(Signal::kMaxUnitsOneSku, static_cast<double>(max_units));
  set(Signal::kHighRiskSkuUnits, static_cast<double>(high_risk));

  // Express shipping.
  const bool express = std::any_of(order.shipping_lines.begin(), order.shipping_lines.end(),
                                   [](const ShippingLine& l) { return IsExpressShipping(l); });
  set(Signal::kExpressToForwarder,
      express && order.shipping_address &&
              IsForwarderAddress(*order.shipping_address, config.forwarders)
          ? 1
          : 0);
  if (!express) {
    set(Signal::kExpressMismatch, 0);
  } else if (country_mismatch == 1.0 || postcode_mismatch == 1.0) {
    set(Signal::kExpressMismatch, 1);
  } else if (country_mismatch && postcode_mismatch) {
    set(Signal::kExpressMismatch, 0);
  }
  return v;
}

}  // namespace orderpilot::risk
