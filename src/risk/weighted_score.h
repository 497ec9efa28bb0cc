// risk/weighted_score.h — the fraud screen without a trained model: a hand-set logistic model
// over the signals.
//
// score = sigmoid(kWeightedScoreBias + Σ_s weight_s · transform_s(value_s)); NaN signals add 0.
// The per-signal terms are the contributions explanations are made of (risk/explain.h), in the
// same units (log-odds) as a trained model's TreeSHAP values.
//
// The weights (log-odds; e^w is the odds multiplier at full strength), and why:
//   bias                      −3.3   a shop's base rate of fraud attempts, ~3.5 % (e^−3.3)
//   order_value                0     depends on the currency; the two ratios carry value instead
//   value_vs_customer          0.6 · ln(ratio / 1.5), clamped to 0..ln 50: 6× the usual → +0.8;
//                              up to 1.5× the usual is no reason at all
//   value_vs_shop              0.7 · ln(ratio / 1.5), likewise: 6.2× the average → +1.0
//   account_age_s              1.8 · (1 − age/60 s)⁺ + 0.6 · (1 − age/1 h)⁺: ordering seconds after
//                              signing up is what bots do (+2.3 at 4 s); a person who signs up
//                              and buys within the hour is common, hence the small second term
//   first_order                0.3   most fraud comes from new customers, most new customers are
//   fine customer_orders           −0.3 · ln(1 + min(n, 20)): a history of orders lowers the risk
//   billing_shipping_country   1.0   goods sent abroad from the card's country
//   billing_shipping_postcode  0.5   common for gifts, so weak alone
//   billing_shipping_name      0.5   likewise
//   ip_country_mismatch        0.8   the buyer is not where the goods go
//   ip_distance_km             0.3 · ln(1 + km/1000): next door matters less than a continent away
//   email_disposable           1.8   a throw-away mailbox for a purchase is rarely innocent
//   email_randomness           1.5 · (r − 0.4)⁺/0.6: generated addresses
//   phone_format_bad           0.5   made-up numbers
//   postcode_format_bad        0.7   made-up addresses
//   avs_mismatch               1.5 · x (partial 0.75): the issuer does not know the address
//   cvv_mismatch               2.2   the card is in hand only as a number
//   velocity_*                 w · ln(count) (this order alone → 0); per key (10 min, 1 h, 24 h):
//                              device 0.6/0.5/0.3, email 0.5/0.4/0.25, address 0.5/0.4/0.25,
//                              ip 0.5/0.4/0.2 (shared networks), bin 0.3/0.2/0.05 (a BIN is
//                              shared by thousands of cardholders). The windows nest, so a
//                              burst adds up to 1.4 · ln(count) for a device.
//   max_units_one_sku          0.35 · ln(1 + (units − 3)⁺): resellers of stolen goods buy in bulk
//   high_risk_sku_units        0.8 · ln(1 + units)
//   express_to_forwarder       2.0   the classic pattern of reshipping fraud
//   express_mismatch           1.0   speed matters to whoever knows the card will be blocked
//   failed_payments            0.9 · ln(1 + n): card testing before the one that worked
// A clean order scores below 0.1 (a returning customer ~0.02, a new one ~0.05); three strong
// signals (e.g. CVV mismatch, disposable email, three failed payments) score above 0.8.
//
// Thread-safety: pure functions.
#pragma once

#include <span>
#include <string_view>

#include "risk/signals.h"

namespace orderpilot::risk {

inline constexpr double kWeightedScoreBias = -3.3;

// Added to every explanation of a score made without a trained model.
inline constexpr std::string_view kWeightedScreenNote =
    "no trained model yet: screened with weighted signals";

// The fraud probability, 0..1. Fills contributions[i] with signal i's log-odds term (0 for NaN).
// REQUIRES: contributions.size() >= kSignalCount.
double WeightedScore(const SignalVector& signals, std::span<double> contributions);

}  // namespace orderpilot::risk
