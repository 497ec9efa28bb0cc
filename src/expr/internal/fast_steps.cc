// Steps the planner uses when the checker's static types or constants allow a shortcut: typed
// comparisons, n-ary && / ||, fused field paths, "list contains constant", small constant sets.
// Each keeps CEL's semantics exactly (errors pass through, kinds are re-checked at run time and
// fall back to the generic path when they differ from the static guess).
#include <algorithm>
#include <array>
#include <cstring>

#include "expr/internal/steps.h"

namespace orderpilot::expr::internal {
namespace {

// a && b && c … (kAll) or a || b || c …: the deciding value (false for &&, true for ||) wins
// wherever it is, then the first error or non-bool, then the other value (CEL's commutative
// logic: `error && false` is false).
template <bool kAll>
class LogicChainStep final : public Step {
 public:
  explicit LogicChainStep(std::vector<StepPtr> terms) : terms_(std::move(terms)) {}
  Value Eval(const Activation& act, EvalContext& ctx) const override {
    Value problem;
    bool have_problem = false;
    for (const StepPtr& t : terms_) {
      Value v = t->Eval(act, ctx);
      if (v.kind() == Kind::kBool) {
        if (v.bool_value() != kAll) return v;
      } else if (!have_problem) {
        problem = v;
        have_problem = true;
      }
    }
    if (have_problem) return LogicOperandError(problem, kAll ? "&&" : "||", ctx);
    return Value::Bool(kAll);
  }

 private:
  std::vector<StepPtr> terms_;
};

template <int kOp>
bool Holds(int c) {
  switch (kOp) {
    case 0:
      return c < 0;
    case 1:
      return c <= 0;
    case 2:
      return c > 0;
    default:
      return c >= 0;
  }
}

// a <op> b where both are statically int (or uint, or money, …): compares the payload directly
// when the run-time kinds are the expected ones, else defers to the generic comparison.
template <int kOp>
class TypedCompareStep final : public Step {
 public:
  TypedCompareStep(Kind kind, StepPtr a, StepPtr b, const Function* generic)
      : kind_(kind),
        a_(std::move(a)),
        b_(std::move(b)),
        b_constant_(b_->constant()),
        generic_(generic) {}
  Value Eval(const Activation& act, EvalContext& ctx) const override {
    Value v[2] = {a_->Eval(act, ctx), b_constant_ ? *b_constant_ : b_->Eval(act, ctx)};
    if (v[0].kind() == kind_ && v[1].kind() == kind_) {
      switch (kind_) {
        case Kind::kInt:
          return Value::Bool(Holds<kOp>(Cmp(v[0].int_value(), v[1].int_value())));
        case Kind::kUint:
          return Value::Bool(Holds<kOp>(Cmp(v[0].uint_value(), v[1].uint_value())));
        case Kind::kMoney:
          if (v[0].money_currency_key() == v[1].money_currency_key()) {
            return Value::Bool(Holds<kOp>(Cmp(v[0].money_minor(), v[1].money_minor())));
          }
          break;
        case Kind::kString:
          return Value::Bool(Holds<kOp>(v[0].string_value().compare(v[1].string_value())));
        default:
          break;
      }
    }
    if (v[0].is_error()) return v[0];
    if (v[1].is_error()) return v[1];
    return generic_->impl(ctx, v, 2);
  }

 private:
  template <typename T>
  static int Cmp(T x, T y) {
    return x < y ? -1 : (y < x ? 1 : 0);
  }
  Kind kind_;
  StepPtr a_, b_;
  const Value* b_constant_;  // b_'s value when it is a constant (read without a call)
  const Function* generic_;
};

// One call with its exact arity, arguments evaluated straight into place.
template <size_t kArity>
class FixedCallStep final : public Step {
 public:
  FixedCallStep(const Function* fn, std::vector<StepPtr> args) : fn_(fn) {
    for (size_t i = 0; i < kArity; ++i) args_[i] = std::move(args[i]);
  }
  Value Eval(const Activation& act, EvalContext& ctx) const override {
    Value v[kArity];
    for (size_t i = 0; i < kArity; ++i) {
      v[i] = args_[i]->Eval(act, ctx);
      if (v[i].is_error()) return v[i];
    }
    return fn_->impl(ctx, v, kArity);
  }

 private:
  const Function* fn_;
  StepPtr args_[kArity];
};

// root.f1.f2…: object fields read through resolved accessors, one step for the whole path.
class FieldPathStep final : public Step {
 public:
  struct Link {
    const ObjectType* type;
    const FieldDescriptor* field;
  };
  FieldPathStep(StepPtr root, std::vector<Link> links)
      : root_(std::move(root)), root_slot_(VariableSlot(*root_)), links_(std::move(links)) {}
  void Append(Link l) { links_.push_back(l); }
  Value Eval(const Activation& act, EvalContext& ctx) const override {
    Value v = root_slot_ >= 0 ? act.Get(root_slot_) : root_->Eval(act, ctx);
    for (const Link& l : links_) {
      if (v.kind() == Kind::kObject && v.object_type() == l.type) {
        v = l.field->get(v.data(), ctx);
      } else {
        return SelectFieldOf(v, l.field->name, ctx);
      }
    }
    return v;
  }

 private:
  StepPtr root_;
  int root_slot_;  // the root is this variable (read without a call), or -1
  std::vector<Link> links_;
};

// list.exists(x, x == c) — whether the list holds c (CEL equality), without a comprehension.
class ContainsConstantStep final : public Step {
 public:
  ContainsConstantStep(StepPtr list, Value constant)
      : list_(std::move(list)), constant_(constant) {}
  Value Eval(const Activation& act, EvalContext& ctx) const override {
    Value l = list_->Eval(act, ctx);
    if (l.kind() != Kind::kList) {
      if (l.is_error()) return l;
      if (l.kind() == Kind::kMap) return MapHas(l, ctx);
      return ctx.MakeError("cannot iterate over a " + std::string(KindTypeName(l)));
    }
    size_t n = l.list_size();
    if (!ctx.Charge(static_cast<int64_t>(n))) return ctx.MakeError("cost limit exceeded");
    const ListOps* ops = l.list_ops();
    if (constant_.kind() == Kind::kString) {
      std::string_view c = constant_.string_value();
      if (ops == &kStringVectorListOps) {  // tags and the like: read the vector directly
        for (const std::string& e : *static_cast<const std::vector<std::string>*>(l.data())) {
          if (e == c) return Value::Bool(true);
        }
        return Value::Bool(false);
      }
      for (size_t i = 0; i < n; ++i) {
        Value e = ops->get(l.data(), i, ctx);
        if (e.kind() == Kind::kString) {
          if (e.string_value() == c) return Value::Bool(true);
        } else if (IsTrue(Equals(e, constant_, ctx))) {
          return Value::Bool(true);
        }
      }
      return Value::Bool(false);
    }
    for (size_t i = 0; i < n; ++i) {
      if (IsTrue(Equals(ops->get(l.data(), i, ctx), constant_, ctx))) return Value::Bool(true);
    }
    return Value::Bool(false);
  }

 private:
  static bool IsTrue(const Value& v) { return v.kind() == Kind::kBool && v.bool_value(); }
  Value MapHas(const Value& m, EvalContext& ctx) const {
    size_t n = m.map_size();
    if (!ctx.Charge(static_cast<int64_t>(n))) return ctx.MakeError("cost limit exceeded");
    for (size_t i = 0; i < n; ++i) {
      if (IsTrue(Equals(m.map_ops()->key_at(m.data(), i, ctx), constant_, ctx))) {
        return Value::Bool(true);
      }
    }
    return Value::Bool(false);
  }
  StepPtr list_;
  Value constant_;
};

// x in [short constant strings]: each string of up to 8 bytes packed into an integer, the
// integers sorted, looked up by binary search. Anything else defers to `fallback`.
class InShortStringsStep final : public Step {
 public:
  InShortStringsStep(StepPtr operand, std::vector<uint64_t> packed, StepPtr fallback)
      : operand_(std::move(operand)), packed_(std::move(packed)), fallback_(std::move(fallback)) {
    std::sort(packed_.begin(), packed_.end());
  }
  Value Eval(const Activation& act, EvalContext& ctx) const override {
    Value v = operand_->Eval(act, ctx);
    if (v.kind() == Kind::kString) {
      std::string_view s = v.string_value();
      if (s.size() > 8) return Value::Bool(false);
      return Value::Bool(std::binary_search(packed_.begin(), packed_.end(), Pack(s)));
    }
    if (v.is_error()) return v;
    return fallback_->Eval(act, ctx);
  }

 private:
  StepPtr operand_;
  std::vector<uint64_t> packed_;
  StepPtr fallback_;
};

// m <op> money("500.00", c): when c names m's own currency (the usual "order.total >
// money('500.00', order.currency)"), the constant's minor units for m's exponent are known in
// advance and the comparison is one integer compare. Otherwise `generic` (the same comparison
// planned plainly) decides, with its errors (unknown currency, currency mismatch).
template <int kOp>
class MoneyCompareConstantStep final : public Step {
 public:
  MoneyCompareConstantStep(StepPtr money, StepPtr currency, ConstantAmount amount, StepPtr generic)
      : money_(std::move(money)),
        currency_(std::move(currency)),
        amount_(std::move(amount)),
        generic_(std::move(generic)) {}
  Value Eval(const Activation& act, EvalContext& ctx) const override {
    Value m = money_->Eval(act, ctx);
    if (m.kind() == Kind::kMoney) {
      Value c = currency_->Eval(act, ctx);
      int e = m.money_exponent();
      if (c.kind() == Kind::kString && e >= 0 && e < kMaxConstantExponent && amount_.valid[e] &&
          Value::PackCurrency(c.string_value()) == m.money_currency_key()) {
        int64_t x = m.money_minor(), y = amount_.minor[e];
        return Value::Bool(Holds<kOp>(x < y ? -1 : (y < x ? 1 : 0)));
      }
    }
    return generic_->Eval(act, ctx);
  }

 private:
  StepPtr money_, currency_;
  ConstantAmount amount_;
  StepPtr generic_;
};

}  // namespace

StepPtr MakeMoneyCompareConstantStep(std::string_view op, StepPtr money, std::string_view amount,
                                     StepPtr currency, StepPtr generic) {
  ConstantAmount parsed = ParseConstantAmount(amount);
  bool any = false;
  for (bool v : parsed.valid) any = any || v;
  if (!any) return generic;  // not a decimal the shortcut can use: the plain comparison decides
  auto make = [&](auto tag) -> StepPtr {
    constexpr int kOp = decltype(tag)::value;
    return std::make_unique<MoneyCompareConstantStep<kOp>>(std::move(money), std::move(currency),
                                                           std::move(parsed), std::move(generic));
  };
  if (op == "_<_") return make(std::integral_constant<int, 0>());
  if (op == "_<=_") return make(std::integral_constant<int, 1>());
  if (op == "_>_") return make(std::integral_constant<int, 2>());
  return make(std::integral_constant<int, 3>());
}

uint64_t Pack(std::string_view s) {
  uint64_t p = 0;
  if (!s.empty()) std::memcpy(&p, s.data(), s.size());
  return p | (static_cast<uint64_t>(s.size()) << 60);  // the length keeps "a" != "a\0"
}

StepPtr MakeAllOfStep(std::vector<StepPtr> terms) {
  return std::make_unique<LogicChainStep<true>>(std::move(terms));
}
StepPtr MakeAnyOfStep(std::vector<StepPtr> terms) {
  return std::make_unique<LogicChainStep<false>>(std::move(terms));
}

StepPtr MakeTypedCompareStep(std::string_view op, Kind kind, StepPtr a, StepPtr b,
                             const Function* generic) {
  if (op == "_<_")
    return std::make_unique<TypedCompareStep<0>>(kind, std::move(a), std::move(b), generic);
  if (op == "_<=_")
    return std::make_unique<TypedCompareStep<1>>(kind, std::move(a), std::move(b), generic);
  if (op == "_>_")
    return std::make_unique<TypedCompareStep<2>>(kind, std::move(a), std::move(b), generic);
  return std::make_unique<TypedCompareStep<3>>(kind, std::move(a), std::move(b), generic);
}

StepPtr MakeFixedCallStep(const Function* fn, std::vector<StepPtr> args) {
  switch (args.size()) {
    case 1:
      return std::make_unique<FixedCallStep<1>>(fn, std::move(args));
    case 2:
      return std::make_unique<FixedCallStep<2>>(fn, std::move(args));
    case 3:
      return std::make_unique<FixedCallStep<3>>(fn, std::move(args));
    default:
      return MakeCallStep(fn, std::move(args));
  }
}

StepPtr MakeFieldPathStep(StepPtr root, const ObjectType* type, const FieldDescriptor* field) {
  std::vector<FieldPathStep::Link> links = {{type, field}};
  return std::make_unique<FieldPathStep>(std::move(root), std::move(links));
}

StepPtr ExtendFieldPath(StepPtr path, const ObjectType* type, const FieldDescriptor* field) {
  auto* p = dynamic_cast<FieldPathStep*>(path.get());
  if (!p) return MakeFieldPathStep(std::move(path), type, field);
  p->Append({type, field});
  return path;
}

StepPtr MakeContainsConstantStep(StepPtr list, Value constant) {
  return std::make_unique<ContainsConstantStep>(std::move(list), constant);
}

StepPtr MakeInShortStringsStep(StepPtr operand, std::vector<uint64_t> packed, StepPtr fallback) {
  return std::make_unique<InShortStringsStep>(std::move(operand), std::move(packed),
                                              std::move(fallback));
}

}  // namespace orderpilot::expr::internal
