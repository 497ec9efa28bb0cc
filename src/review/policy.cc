#include "review/policy.h"

#include <array>
#include <cstdio>
#include <set>
#include <utility>

namespace orderpilot::review {
namespace {

constexpr std::array<std::pair<Autonomy, std::string_view>, 4> kLevels = {{
    {Autonomy::kOff, "off"},
    {Autonomy::kSuggest, "suggest"},
    {Autonomy::kAutoBelow, "auto_below"},
    {Autonomy::kAuto, "auto"},
}};

constexpr std::array<std::pair<SlaFallback, std::string_view>, 3> kFallbacks = {{
    {SlaFallback::kNone, "none"},
    {SlaFallback::kApprove, "approve"},
    {SlaFallback::kReject, "reject"},
}};

std::string Percent(double ratio) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", ratio * 100);
  return buf;
}

std::string Ratio(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

}  // namespace

std::string_view AutonomyName(Autonomy a) {
  for (const auto& [level, name] : kLevels) {
    if (level == a) return name;
  }
  return "suggest";
}

std::optional<Autonomy> ParseAutonomy(std::string_view name) {
  for (const auto& [level, n] : kLevels) {
    if (n == name) return level;
  }
  return std::nullopt;
}

std::string_view SlaFallbackName(SlaFallback f) {
  for (const auto& [fallback, name] : kFallbacks) {
    if (fallback == f) return name;
  }
  return "none";
}

std::optional<SlaFallback> ParseSlaFallback(std::string_view name) {
  for (const auto& [fallback, n] : kFallbacks) {
    if (n == name) return fallback;
  }
  return std::nullopt;
}

const std::vector<std::string_view>& DecisionKinds() {
  static const std::vector<std::string_view> kKinds = {
      "fraud_hold", "fraud_cancel", "cancel_order", "substitute_sku",
      "backorder",  "order_hold",   "rule_hold",    "routing_problem",
  };
  return kKinds;
}

bool IsPersonOnlyKind(std::string_view kind) {
  return kind == "order_hold" || kind == "rule_hold" || kind == "routing_problem";
}

AutonomyPolicy::AutonomyPolicy() {
  for (std::string_view kind : DecisionKinds()) kinds_.emplace(std::string(kind), KindPolicy{});
  kinds_["backorder"].level = Autonomy::kAuto;
}

Status AutonomyPolicy::Set(std::string_view kind, const KindPolicy& policy) {
  auto it = kinds_.find(kind);
  if (it == kinds_.end()) {
    std::string known;
    for (std::string_view k : DecisionKinds())
      known += (known.empty() ? "" : ", ") + std::string(k);
    return InvalidArgumentError("unknown decision kind '" + std::string(kind) +
                                "' (known: " + known + ")");
  }
  if (IsPersonOnlyKind(kind) && policy.level != Autonomy::kSuggest) {
    return InvalidArgumentError(std::string(kind) +
                                " asks a person by its nature: only 'suggest' is accepted");
  }
  if (!(policy.min_confidence >= 0 && policy.min_confidence <= 1)) {
    return InvalidArgumentError("min_confidence must be between 0 and 1");
  }
  if (!policy.max_money.empty()) {
    // Checked with a 2-decimal currency; Decide re-reads it in the item's own currency.
    auto usd = Currency::Parse("USD");
    if (!usd.ok() || !Money::Parse(policy.max_money, *usd).ok()) {
      return InvalidArgumentError("max_money '" + policy.max_money +
                                  "' is not a decimal amount such as \"100.00\"");
    }
  }
  if (policy.sla.count() < 0) return InvalidArgumentError("sla must not be negative");
  it->second = policy;
  return Status::Ok();
}

const KindPolicy& AutonomyPolicy::For(std::string_view kind) const {
  auto it = kinds_.find(kind);
  return it == kinds_.end() ? default_ : it->second;
}

PolicyOutcome AutonomyPolicy::Decide(std::string_view kind, double confidence,
                                     const Money& money) const {
  const KindPolicy& p = For(kind);
  switch (p.level) {
    case Autonomy::kOff:
      return {Verdict::kSkip, "off: the engine does not take " + std::string(kind) + " decisions"};
    case Autonomy::kSuggest:
      return {Verdict::kAskPerson, "suggest: a person decides every " + std::string(kind)};
    case Autonomy::kAuto:
      return {Verdict::kApply, "auto: " + std::string(kind) + " decisions are applied"};
    case Autonomy::kAutoBelow:
      break;
  }
  std::string why = "auto_below: confidence " + Ratio(confidence);
  const bool confident = confidence >= p.min_confidence;
  why += confident ? " >= " : " < ";
  why += Ratio(p.min_confidence);
  bool cheap = true;
  if (!p.max_money.empty()) {
    auto limit = Money::Parse(p.max_money, money.currency());
    cheap = limit.ok() && money.minor_units() <= limit->minor_units();
    std::string currency(money.currency().code());
    why += " and " + money.ToString() + " " + currency + (cheap ? " <= " : " > ") +
           (limit.ok() ? limit->ToString() : p.max_money) + " " + currency;
  }
  return {confident && cheap ? Verdict::kApply : Verdict::kAskPerson, why};
}

std::optional<Timestamp> AutonomyPolicy::SlaDue(std::string_view kind, Timestamp opened) const {
  const KindPolicy& p = For(kind);
  if (p.sla.count() == 0) return std::nullopt;
  return Timestamp{opened.micros + p.sla.count() * 1'000'000};
}

store::ReviewKindStats SumOfKind(const std::vector<store::ReviewKindStats>& stats,
                                 std::string_view kind) {
  store::ReviewKindStats sum;
  sum.kind = std::string(kind);
  for (const store::ReviewKindStats& k : stats) {
    if (k.kind != kind) continue;
    sum.human_decisions += k.human_decisions;
    sum.approved_unchanged += k.approved_unchanged;
    sum.approved_modified += k.approved_modified;
    sum.rejected += k.rejected;
    sum.automatic += k.automatic;
    sum.reversed += k.reversed;
    sum.fallback += k.fallback;
    sum.open += k.open;
    sum.escalated += k.escalated;
  }
  return sum;
}

std::vector<AutonomySuggestion> AutonomyPolicy::Suggest(
    const std::vector<store::ReviewKindStats>& stats) const {
  std::set<std::string> kinds;
  for (const store::ReviewKindStats& s : stats) kinds.insert(s.kind);
  std::vector<AutonomySuggestion> out;
  for (const std::string& kind : kinds) {
    const store::ReviewKindStats s = SumOfKind(stats, kind);
    AutonomySuggestion a;
    a.kind = kind;
    a.level = For(kind).level;
    const double reversal_rate =
        s.automatic > 0 ? static_cast<double>(s.reversed) / static_cast<double>(s.automatic) : 0;
    const double approval = s.human_decisions > 0 ? static_cast<double>(s.approved_unchanged) /
                                                        static_cast<double>(s.human_decisions)
                                                  : 0;
    if (s.reversed > 0 && reversal_rate > 0.02 &&
        (a.level == Autonomy::kAuto || a.level == Autonomy::kAutoBelow)) {
      a.suggested = a.level == Autonomy::kAuto ? Autonomy::kAutoBelow : Autonomy::kSuggest;
      a.why = "lower: " + std::to_string(s.reversed) + " of " + std::to_string(s.automatic) +
              " automatic decisions (" + Percent(reversal_rate) + ") were reversed by people";
    } else if (IsPersonOnlyKind(kind)) {
      a.why = "keep: a person decides " + kind + " by its nature";
    } else if (s.human_decisions >= kMinDecisions && approval >= 0.98 &&
               a.level != Autonomy::kAuto) {
      a.suggested = a.level == Autonomy::kAutoBelow ? Autonomy::kAuto : Autonomy::kAutoBelow;
      a.why = "raise: people approved " + Percent(approval) + " of " +
              std::to_string(s.human_decisions) + " proposals unchanged";
    } else if (s.human_decisions < kMinDecisions) {
      a.why = "keep: " + std::to_string(s.human_decisions) + " decisions by people, " +
              std::to_string(kMinDecisions) + " needed before raising";
    } else {
      a.why = "keep: people approved " + Percent(approval) + " unchanged (98% needed to raise)";
    }
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace orderpilot::review
