// risk/explain.h — turning per-signal contributions into the few reasons a person reads:
// "ordered 4 s after the account was created", "7 orders from this device in the last hour".
//
// Contributions are in log-odds, one per Signal in Signal order: a trained model's TreeSHAP
// values or WeightedScore's terms. Only signals that push the score *up* become reasons.
//
// Thread-safety: pure functions.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "risk/signals.h"

namespace orderpilot::risk {

struct Reason {
  Signal signal;
  float value = 0;          // the signal's value
  double contribution = 0;  // log-odds it adds to the score (> 0)
  std::string text;         // ReasonText(signal, value)
};

// The n reasons that push the score up most, largest contribution first (ties: Signal order).
// Skips signals whose value is NaN and contributions that are not > 0; fewer than n when fewer
// push up. The three windows of one velocity key count as one reason: its contribution is their
// sum and its text is the window with the largest contribution ("7 orders from this device in
// the last 10 min" rather than three sentences about the same burst).
// REQUIRES: contributions.size() >= kSignalCount.
std::vector<Reason> TopReasons(const SignalVector& signals, std::span<const double> contributions,
                               int n = 3);

// One plain phrase for a signal's value, with humane numbers: durations as "4 s", "12 min",
// "3 h", "2 days"; ratios as "6.2×"; distances as "8,400 km"; counts with thousands separators
// and singular/plural. A NaN value gives "<signal name> is unknown".
std::string ReasonText(Signal signal, float value);

// "4 s", "12 min", "3 h" (under 48 h), "2 days": rounded to the nearest unit.
std::string HumaneDuration(double seconds);

}  // namespace orderpilot::risk
