// review/policy.h — how much autonomy each kind of decision has, and what the numbers say about
// raising or lowering it.
//
// Every decision the engine proposes (hold a risky order for a person or let it through, cancel
// it as fraud, backorder it, take a substitute SKU, …) has a kind, a confidence and the money at
// stake. The shop sets an autonomy level per kind (docs/review.md):
//   off         never: the engine does not take this decision (the kind's fallback applies)
//   suggest     always a person: the order waits in the review queue
//   auto_below  automatic when confidence >= min_confidence and money <= max_money; else a person
//   auto        automatic
// Nothing changes a level by itself: Suggest() only says what the record supports.
//
// Thread-safety: immutable after construction; const methods are safe from any thread.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/money.h"
#include "core/status.h"
#include "store/store.h"

namespace orderpilot::review {

enum class Autonomy { kOff, kSuggest, kAutoBelow, kAuto };
std::string_view AutonomyName(Autonomy a);  // "off", "suggest", "auto_below", "auto"
std::optional<Autonomy> ParseAutonomy(std::string_view name);

// What happens to an open item past its SLA, besides the escalation (event + notification).
enum class SlaFallback { kNone, kApprove, kReject };
std::string_view SlaFallbackName(SlaFallback f);  // "none", "approve", "reject"
std::optional<SlaFallback> ParseSlaFallback(std::string_view name);

struct KindPolicy {
  Autonomy level = Autonomy::kSuggest;  // Default: suggest
  // auto_below: applied automatically when confidence >= min_confidence (0..1) and the money at
  // stake is at most max_money, read in the item's currency ("100.00"; "" = no money limit).
  // Default: 0.95 and "0" (only orders that cost nothing).
  double min_confidence = 0.95;
  std::string max_money = "0";
  // An open item escalates this long after it was opened; 0 = never. Default: 4 h.
  std::chrono::seconds sla{4 * 3600};
  SlaFallback fallback = SlaFallback::kNone;  // Default: none (the item stays open)
};

// The kinds the engine produces, with what approving and rejecting do (store::ReviewDecision):
//   fraud_hold      a risky order: approve = release it, reject = cancel it
//   fraud_cancel    a very risky order: approve = cancel it, reject = release it
//   cancel_order    a rule proposes a cancellation: approve = cancel, reject = release
//   substitute_sku  a short line could take another SKU: approve = take it, reject = backorder
//   backorder       no stock anywhere: approve = backorder with a promise date, reject = cancel
//   order_hold      validation found a problem: approve = release, reject = reject
//   rule_hold       a rule asked a person to look: approve = release, reject = reject
//   routing_problem no carrier can take the order: approve = try again, reject = reject
// order_hold, rule_hold and routing_problem ask a person by their nature: only `suggest` is
// accepted for them.
const std::vector<std::string_view>& DecisionKinds();
bool IsPersonOnlyKind(std::string_view kind);

enum class Verdict {
  kSkip,       // off: the engine does not take this decision
  kAskPerson,  // open a review item; the order waits
  kApply,      // apply the proposal now, recorded as an automatic decision
};

struct PolicyOutcome {
  Verdict verdict = Verdict::kAskPerson;
  std::string why;  // "auto_below: confidence 0.97 >= 0.95 and 42.00 USD <= 100.00 USD"
};

// The per-rule rows of `kind` in `stats` added up into one row for the kind (rule "").
store::ReviewKindStats SumOfKind(const std::vector<store::ReviewKindStats>& stats,
                                 std::string_view kind);

// Earned autonomy: what the record of one kind supports.
struct AutonomySuggestion {
  std::string kind;
  Autonomy level = Autonomy::kSuggest;
  std::optional<Autonomy> suggested;  // unset = keep
  std::string why;
};

class AutonomyPolicy {
 public:
  // Every kind at its default (KindPolicy{} except backorder: auto, which is how orders without
  // stock were always handled).
  AutonomyPolicy();

  // InvalidArgument for an unknown kind, a level other than suggest for a person-only kind, a
  // confidence outside 0..1, a max_money that is not a decimal amount, or a negative SLA.
  Status Set(std::string_view kind, const KindPolicy& policy);

  // The policy of `kind`; unknown kinds get KindPolicy{} (suggest).
  const KindPolicy& For(std::string_view kind) const;

  // Whether a proposal of `kind` is applied, asked, or not taken. `money` is what is at stake.
  PolicyOutcome Decide(std::string_view kind, double confidence, const Money& money) const;

  // When an item of `kind` opened at `opened` is due (unset when the kind has no SLA).
  std::optional<Timestamp> SlaDue(std::string_view kind, Timestamp opened) const;

  // Raise when people decided >= kMinDecisions items of the kind and approved >= 98% of them
  // unchanged; lower when more than 2% of its automatic applications were reversed (at least one).
  // Per-rule rows are summed into their kind.
  std::vector<AutonomySuggestion> Suggest(const std::vector<store::ReviewKindStats>& stats) const;
  static constexpr int64_t kMinDecisions = 200;

 private:
  std::map<std::string, KindPolicy, std::less<>> kinds_;
  KindPolicy default_;
};

}  // namespace orderpilot::review
