// risk/signals.h — the fraud signals computed per order: cheap facts from the order itself and
// from RiskHistory's view of recent orders, never from the network.
//
// A SignalVector holds one float per Signal, in Signal order; NaN means unknown (XGBoost and the
// weighted screen both treat it as missing). The snake_case names are the feature names of the
// trained model and the keys of `risk.signals.<name>` in rules, so renaming one is a breaking
// change: append new signals before kCount instead.
//
// Thread-safety: ComputeSignals is a pure function; SignalConfig is read-only while in use.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/order.h"
#include "risk/history.h"
#include "risk/ip_country.h"

namespace orderpilot::risk {

enum class Signal : uint8_t {
  kOrderValue,       // order_value: totals.total in major units of the order's currency
  kValueVsCustomer,  // value_vs_customer: total ÷ the customer's mean earlier order (ratio);
                     //   NaN without earlier orders in the history
  kValueVsShop,      // value_vs_shop: total ÷ the shop's mean order in this currency (ratio);
                     //   NaN with fewer than 20 earlier orders
  kAccountAgeS,      // account_age_s: created_at − customer.created_at in seconds, ≥ 0; NaN
                     //   when the customer has no creation time
  kFirstOrder,       // first_order: 1 when customer_orders is 0, else 0
  kCustomerOrders,   // customer_orders: earlier orders known, max(channel orders_count − 1,
                     //   history's count) (count)
  kBillingShippingCountryMismatch,  // billing_shipping_country_mismatch: 0/1 (country codes,
                                    //   else country names); NaN when an address or both are absent
  kBillingShippingPostcodeMismatch,  // billing_shipping_postcode_mismatch: 0/1 (case, spaces and
                                     //   hyphens ignored); NaN when an address or a zip is absent
  kBillingShippingNameMismatch,      // billing_shipping_name_mismatch: 0/1 (see NamesMatch); NaN
                                     //   when an address or a last name is absent
  kIpCountryMismatch,  // ip_country_mismatch: 0/1, IP country ≠ shipping (else billing) country;
                       //   NaN without a table, an IP, a known IP country or an address country
  kIpDistanceKm,       // ip_distance_km: km between the two countries' centroids; 0 when equal;
                       //   NaN when unknown
  kEmailDisposable,    // email_disposable: 0/1; NaN without an email
  kEmailRandomness,    // email_randomness: 0..1 (EmailRandomness); NaN without an email
  kPhoneFormatBad,     // phone_format_bad: 0/1 (CheckPhone against the shipping, else billing,
                       //   country); NaN without a phone or without a rule
  kPostcodeFormatBad,  // postcode_format_bad: 0/1 (CheckPostcode of the shipping address, else
                       //   billing); NaN without an address or a rule for its country
  kAvsMismatch,        // avs_mismatch: 0 full match, 0.5 partial, 1 no match (AvsScore); NaN
                       //   when unknown or unavailable
  kCvvMismatch,        // cvv_mismatch: 0 match ("M"), 1 no match ("N"); NaN otherwise
  kVelocityEmail10m,   // velocity_<key>_<window>: orders with this order's key in the window
  kVelocityEmail1h,    //   ending at this order, this order included (count, ≥ 1); NaN when
  kVelocityEmail24h,   //   the order has no such key. Keys: KeyKind in risk/history.h.
  kVelocityDevice10m,
  kVelocityDevice1h,
  kVelocityDevice24h,
  kVelocityIp10m,
  kVelocityIp1h,
  kVelocityIp24h,
  kVelocityBin10m,
  kVelocityBin1h,
  kVelocityBin24h,
  kVelocityAddress10m,
  kVelocityAddress1h,
  kVelocityAddress24h,
  kMaxUnitsOneSku,      // max_units_one_sku: most units of one SKU over the order's lines (lines
                        //   without SKU grouped by title) (count)
  kHighRiskSkuUnits,    // high_risk_sku_units: units of SignalConfig::high_risk_skus (count)
  kExpressToForwarder,  // express_to_forwarder: 0/1, express shipping to a freight forwarder
  kExpressMismatch,     // express_mismatch: 0/1, express shipping while billing and shipping
                        //   country or postcode differ; 0 when not express; NaN when express and
                        //   the addresses cannot be compared
  kFailedPayments,      // failed_payments: PaymentFacts::failed_attempts (count)
  kCount
};
inline constexpr size_t kSignalCount = static_cast<size_t>(Signal::kCount);

using SignalVector = std::array<float, kSignalCount>;

// "order_value", "velocity_device_1h", …
std::string_view SignalName(Signal signal);
std::optional<Signal> ParseSignal(std::string_view name);
// The velocity signal of a key kind and window.
Signal VelocitySignal(KeyKind kind, Window window);
// For a velocity signal, its key kind and window; nullopt for any other signal.
std::optional<std::pair<KeyKind, Window>> VelocityOf(Signal signal);

// A known freight-forwarder warehouse. A shipping address matches when every non-empty field
// matches: country code equal (ignoring case), zip starting with zip_prefix (ignoring case and
// spaces), address1 containing address1_substring (ignoring case). An entry with all fields
// empty matches nothing.
struct ForwarderAddress {
  std::string country_code;
  std::string zip_prefix;
  std::string address1_substring;
};

struct SignalConfig {
  std::set<std::string> high_risk_skus;  // exact SKUs
  // Configured forwarders, in addition to the built-in heuristics of IsForwarderAddress.
  std::vector<ForwarderAddress> forwarders;
  // Not owned; must outlive every ComputeSignals call. nullptr: IP signals are NaN.
  const IpCountryTable* ip_countries = nullptr;
};

// Whether a shipping line is express: its code or title names express, overnight, next day,
// priority, 2-day (or two day), same day, 1-day, expedited (any case, spaces, hyphens or
// underscores between the words).
bool IsExpressShipping(const ShippingLine& line);

// Whether `address` is a freight forwarder: a configured ForwarderAddress matches, or its
// company, address1, address2 or city contains (as whole words, ignoring case)
//   - "reship" (also "reshipper", "reshipping", "re-ship"), "forwarder", "forwarding"
//     ("package forwarding", "parcel forwarding", "freight forwarding"), "freight forward";
//   - "c/o" (or "care of") together with a word starting with "forward";
//   - a well-known forwarder brand as words: MyUS, Shipito, Stackry, Planet Express, Forward2Me,
//     Borderlinx, Comgateway, Viabox, USGoBuy, Shop and Ship ("Shop & Ship"), Qwintry, Parcl,
//     ShipItTo, Fishisfast, Ship7.
// Words are runs of letters and digits; "&" reads as "and".
bool IsForwarderAddress(const Address& address, const std::vector<ForwarderAddress>& forwarders);

// Whether two addresses carry the same person: last names equal and first names equal or one an
// initial of the other ("J." vs "Jane"), after lower-casing and dropping everything but letters;
// a swapped first/last name also matches. nullopt when either last name is empty.
std::optional<bool> NamesMatch(const Address& a, const Address& b);

// AVS result letter → 0 (full match: Y, X, D, F, M), 0.5 (partial: A, B, P, W, Z), 1 (no match:
// N, C), nullopt (unavailable/unknown: U, R, S, G, E, I, anything else or empty). Case-
// insensitive; only the first letter is read.
std::optional<double> AvsScore(std::string_view avs_result_code);
// CVV result letter → 0 (M), 1 (N), nullopt (P not processed, S not present, U unsupported,
// empty, anything else).
std::optional<double> CvvScore(std::string_view cvv_result_code);

// All signals of `order`. REQUIRES: `history` is what RiskHistory::Observe returned for this
// order.
SignalVector ComputeSignals(const Order& order, const HistoryView& history,
                            const SignalConfig& config);

}  // namespace orderpilot::risk
