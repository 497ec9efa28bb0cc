// expr/internal/steps.h — the evaluation steps a Program is made of (private to expr).
//
// A compiled program is a tree of steps; each step evaluates its children and combines them.
// Steps are immutable after planning, so one program serves many threads. Specialised steps
// (object field by resolved accessor, `in` over a constant set, a precompiled regex, money
// with a constant amount) exist because the planner knows types and constants at compile time.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "expr/ast.h"
#include "expr/internal/functions.h"
#include "expr/program.h"
#include "expr/value.h"

namespace re2 {
class RE2;
}

namespace orderpilot::expr {

class Step {
 public:
  virtual ~Step() = default;
  virtual Value Eval(const Activation& act, EvalContext& ctx) const = 0;
  // The value of a constant step (for folding), else null.
  virtual const Value* constant() const { return nullptr; }
  // The slot of a variable step, else -1 (so a parent can read the variable without a call).
  virtual int variable_slot() const { return -1; }
};

namespace internal {

using StepPtr = std::unique_ptr<Step>;

StepPtr MakeConstStep(Value v);
StepPtr MakeVariableStep(int slot);
StepPtr MakeLocalStep(int index);
StepPtr MakeErrorStep(std::string message);
StepPtr MakeSelectStep(StepPtr operand, std::string field);
StepPtr MakeHasStep(StepPtr operand, std::string field);
StepPtr MakeCallStep(const Function* fn, std::vector<StepPtr> args);
StepPtr MakeTernaryStep(StepPtr c, StepPtr a, StepPtr b);
StepPtr MakeListStep(std::vector<StepPtr> items);
StepPtr MakeMapStep(std::vector<StepPtr> keys, std::vector<StepPtr> values);
// `local2` is the second variable's slot (index/key first, element/value second) or -1.
StepPtr MakeComprehensionStep(MacroKind kind, int local, int local2, StepPtr range,
                              StepPtr predicate, StepPtr transform);
// x in <constant list>: a hashed set when the constants are strings or ints.
StepPtr MakeInConstantListStep(StepPtr operand, Value list, EvalContext& const_ctx);
// x == "literal" / x != "literal".
StepPtr MakeEqualsConstantStep(StepPtr operand, Value constant, bool negate);
StepPtr MakeMatchesStep(StepPtr operand, std::unique_ptr<re2::RE2> re);
// A constant decimal amount in minor units for every currency exponent ISO 4217 uses (0..4),
// parsed once with core's ParseMinorUnits; valid[e] is false where it does not fit exponent e
// (more decimals, too large, or not a decimal at all).
constexpr int kMaxConstantExponent = 5;
struct ConstantAmount {
  std::string text;
  std::array<int64_t, kMaxConstantExponent> minor{};
  std::array<bool, kMaxConstantExponent> valid{};
};
ConstantAmount ParseConstantAmount(std::string_view amount);

// money(<constant amount>, currency): the amount parsed once; at run time only the currency's
// exponent is looked up. Errors are those of the plain money() call.
StepPtr MakeMoneyConstantAmountStep(std::string_view amount, StepPtr currency);

// --- shortcuts (fast_steps.cc) ---
StepPtr MakeAllOfStep(std::vector<StepPtr> terms);  // n-ary &&
StepPtr MakeAnyOfStep(std::vector<StepPtr> terms);  // n-ary ||
// a <op> b with both operands statically of `kind` (int, uint, money or string).
StepPtr MakeTypedCompareStep(std::string_view op, Kind kind, StepPtr a, StepPtr b,
                             const Function* generic);
StepPtr MakeFixedCallStep(const Function* fn, std::vector<StepPtr> args);
// Appends a field access to `path` (fusing it into one step when `path` already is one).
StepPtr ExtendFieldPath(StepPtr path, const ObjectType* type, const FieldDescriptor* field);
StepPtr MakeContainsConstantStep(StepPtr list, Value constant);
// x in [constant strings of ≤ 8 bytes]; `fallback` handles a non-string x.
StepPtr MakeInShortStringsStep(StepPtr operand, std::vector<uint64_t> packed, StepPtr fallback);
uint64_t Pack(std::string_view s);  // REQUIRES: s.size() <= 8
// money <op> money("<amount>", currency), with `generic` the same comparison planned plainly
// (returned as is when the amount is not a plain decimal).
StepPtr MakeMoneyCompareConstantStep(std::string_view op, StepPtr money, std::string_view amount,
                                     StepPtr currency, StepPtr generic);
inline int VariableSlot(const Step& s) { return s.variable_slot(); }

// The error for a logic operator's operand that is not a bool (or the operand's own error).
Value LogicOperandError(const Value& v, std::string_view op, EvalContext& ctx);

// Field selection on any value (objects by name, maps by string key), with CEL's errors.
Value SelectFieldOf(const Value& v, std::string_view field, EvalContext& ctx);

}  // namespace internal
}  // namespace orderpilot::expr
