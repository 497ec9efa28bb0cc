#include "expr/internal/steps.h"

#include <re2/re2.h>

#include <algorithm>
#include <unordered_set>

#include "core/money.h"

namespace orderpilot::expr::internal {
namespace {

class ConstStep final : public Step {
 public:
  explicit ConstStep(Value v) : v_(v) {}
  Value Eval(const Activation&, EvalContext&) const override { return v_; }
  const Value* constant() const override { return &v_; }

 private:
  Value v_;
};

class VariableStep final : public Step {
 public:
  explicit VariableStep(int slot) : slot_(slot) {}
  Value Eval(const Activation& act, EvalContext&) const override { return act.Get(slot_); }
  int variable_slot() const override { return slot_; }

 private:
  int slot_;
};

class LocalStep final : public Step {
 public:
  explicit LocalStep(int index) : index_(index) {}
  Value Eval(const Activation&, EvalContext& ctx) const override { return ctx.locals()[index_]; }

 private:
  int index_;
};

class ErrorStep final : public Step {
 public:
  explicit ErrorStep(std::string message) : message_(std::move(message)), info_{message_} {}
  Value Eval(const Activation&, EvalContext&) const override { return Value::Error(&info_); }

 private:
  std::string message_;
  ErrorInfo info_;
};

}  // namespace

Value SelectFieldOf(const Value& v, std::string_view field, EvalContext& ctx) {
  switch (v.kind()) {
    case Kind::kError:
      return v;
    case Kind::kObject: {
      const FieldDescriptor* f = v.object_type()->FindField(field);
      if (!f) {
        return ctx.MakeError("no such field '" + std::string(field) + "' on " +
                             std::string(v.object_type()->name));
      }
      return f->get(v.data(), ctx);
    }
    case Kind::kMap: {
      Value out;
      if (v.map_ops()->find(v.data(), Value::String(field), &out, ctx)) return out;
      return ctx.MakeError("no such key: '" + std::string(field) + "'");
    }
    default:
      return ctx.MakeError("cannot select field '" + std::string(field) + "' of a " +
                           std::string(KindTypeName(v)) + " value");
  }
}

namespace {

class SelectStep final : public Step {
 public:
  SelectStep(StepPtr operand, std::string field)
      : operand_(std::move(operand)), field_(std::move(field)) {}
  Value Eval(const Activation& act, EvalContext& ctx) const override {
    return SelectFieldOf(operand_->Eval(act, ctx), field_, ctx);
  }

 private:
  StepPtr operand_;
  std::string field_;
};

bool IsDefault(const Value& v, EvalContext& ctx) {
  switch (v.kind()) {
    case Kind::kNull:
      return true;
    case Kind::kBool:
      return !v.bool_value();
    case Kind::kInt:
      return v.int_value() == 0;
    case Kind::kUint:
      return v.uint_value() == 0;
    case Kind::kDouble:
      return v.double_value() == 0;
    case Kind::kString:
    case Kind::kBytes:
      return v.string_value().empty();
    case Kind::kList:
      return v.list_size() == 0;
    case Kind::kMap:
      return v.map_size() == 0;
    case Kind::kMoney:
      return v.money_minor() == 0;
    case Kind::kTimestamp:
    case Kind::kDuration:
      return v.seconds() == 0 && v.nanos() == 0;
    default:
      return false;
  }
}

class HasStep final : public Step {
 public:
  HasStep(StepPtr operand, std::string field)
      : operand_(std::move(operand)), field_(std::move(field)) {}
  Value Eval(const Activation& act, EvalContext& ctx) const override {
    Value v = operand_->Eval(act, ctx);
    switch (v.kind()) {
      case Kind::kError:
        return v;
      case Kind::kMap: {
        Value out;
        return Value::Bool(v.map_ops()->find(v.data(), Value::String(field_), &out, ctx));
      }
      case Kind::kObject: {
        const FieldDescriptor* f = v.object_type()->FindField(field_);
        if (!f) return ctx.MakeError("no such field '" + field_ + "'");
        if (f->has) return Value::Bool(f->has(v.data()));
        return Value::Bool(!IsDefault(f->get(v.data(), ctx), ctx));
      }
      default:
        return ctx.MakeError("has() needs a map or an object, not " + std::string(KindTypeName(v)));
    }
  }

 private:
  StepPtr operand_;
  std::string field_;
};

class CallStep final : public Step {
 public:
  CallStep(const Function* fn, std::vector<StepPtr> args) : fn_(fn), args_(std::move(args)) {}
  Value Eval(const Activation& act, EvalContext& ctx) const override {
    Value v[4];
    size_t n = args_.size();
    for (size_t i = 0; i < n; ++i) {
      v[i] = args_[i]->Eval(act, ctx);
      if (v[i].is_error()) return v[i];
    }
    return fn_->impl(ctx, v, n);
  }

 private:
  const Function* fn_;
  std::vector<StepPtr> args_;
};

}  // namespace

Value LogicOperandError(const Value& v, std::string_view op, EvalContext& ctx) {
  if (v.is_error()) return v;
  return ctx.MakeError("no matching overload for '" + std::string(op) + "' applied to a " +
                       std::string(KindTypeName(v)));
}

namespace {

class TernaryStep final : public Step {
 public:
  TernaryStep(StepPtr c, StepPtr a, StepPtr b)
      : c_(std::move(c)), a_(std::move(a)), b_(std::move(b)) {}
  Value Eval(const Activation& act, EvalContext& ctx) const override {
    Value c = c_->Eval(act, ctx);
    if (c.kind() != Kind::kBool) return LogicOperandError(c, "?:", ctx);
    return c.bool_value() ? a_->Eval(act, ctx) : b_->Eval(act, ctx);
  }

 private:
  StepPtr c_, a_, b_;
};

class ListStep final : public Step {
 public:
  explicit ListStep(std::vector<StepPtr> items) : items_(std::move(items)) {}
  Value Eval(const Activation& act, EvalContext& ctx) const override {
    size_t n = items_.size();
    Value* out =
        static_cast<Value*>(ctx.arena().Allocate(sizeof(Value) * (n ? n : 1), alignof(Value)));
    for (size_t i = 0; i < n; ++i) {
      out[i] = items_[i]->Eval(act, ctx);
      if (out[i].is_error()) return out[i];
    }
    return Value::List(ctx.arena().New<ArrayList>(ArrayList{out, n}), &kArrayListOps);
  }

 private:
  std::vector<StepPtr> items_;
};

bool ValidKey(const Value& k) {
  switch (k.kind()) {
    case Kind::kInt:
    case Kind::kUint:
    case Kind::kBool:
    case Kind::kString:
      return true;
    default:
      return false;
  }
}

class MapStep final : public Step {
 public:
  MapStep(std::vector<StepPtr> keys, std::vector<StepPtr> values)
      : keys_(std::move(keys)), values_(std::move(values)) {}
  Value Eval(const Activation& act, EvalContext& ctx) const override {
    size_t n = keys_.size();
    Arena& arena = ctx.arena();
    Value* k = static_cast<Value*>(arena.Allocate(sizeof(Value) * (n ? n : 1), alignof(Value)));
    Value* v = static_cast<Value*>(arena.Allocate(sizeof(Value) * (n ? n : 1), alignof(Value)));
    for (size_t i = 0; i < n; ++i) {
      k[i] = keys_[i]->Eval(act, ctx);
      if (k[i].is_error()) return k[i];
      if (!ValidKey(k[i])) {
        return ctx.MakeError("unsupported map key type: " + std::string(KindTypeName(k[i])));
      }
      v[i] = values_[i]->Eval(act, ctx);
      if (v[i].is_error()) return v[i];
      for (size_t j = 0; j < i; ++j) {
        Value eq = Equals(k[j], k[i], ctx);
        if (eq.kind() == Kind::kBool && eq.bool_value()) {
          return ctx.MakeError("repeated map key: " + DebugString(k[i], ctx));
        }
      }
    }
    return Value::Map(arena.New<ArrayMap>(ArrayMap{k, v, n}), &kArrayMapOps);
  }

 private:
  std::vector<StepPtr> keys_, values_;
};

class ComprehensionStep final : public Step {
 public:
  ComprehensionStep(MacroKind kind, int local, int local2, StepPtr range, StepPtr predicate,
                    StepPtr transform)
      : kind_(kind),
        local_(local),
        local2_(local2),
        range_(std::move(range)),
        predicate_(std::move(predicate)),
        transform_(std::move(transform)) {}

  Value Eval(const Activation& act, EvalContext& ctx) const override {
    Value range = range_->Eval(act, ctx);
    size_t n;
    bool is_map = false;
    switch (range.kind()) {
      case Kind::kError:
        return range;
      case Kind::kList:
        n = range.list_size();
        break;
      case Kind::kMap:
        n = range.map_size();
        is_map = true;
        break;
      default:
        return ctx.MakeError("cannot iterate over a " + std::string(KindTypeName(range)));
    }
    Value* out = nullptr;
    Value* out_keys = nullptr;
    size_t out_n = 0;
    bool builds =
        kind_ != MacroKind::kAll && kind_ != MacroKind::kExists && kind_ != MacroKind::kExistsOne;
    if (builds) {
      out = static_cast<Value*>(ctx.arena().Allocate(sizeof(Value) * (n ? n : 1), alignof(Value)));
      if (kind_ == MacroKind::kTransformMap) {
        out_keys =
            static_cast<Value*>(ctx.arena().Allocate(sizeof(Value) * (n ? n : 1), alignof(Value)));
      }
    }
    Value first_error;
    bool have_error = false;
    int64_t matches = 0;
    std::vector<Value>& locals = ctx.locals();
    for (size_t i = 0; i < n; ++i) {
      if (!ctx.Charge(1)) return CostError(ctx);
      // One variable: the element (list) or key (map). Two: index/key, then element/value.
      Value first, second;
      if (is_map) {
        first = range.map_ops()->key_at(range.data(), i, ctx);
        if (local2_ >= 0) second = range.map_ops()->value_at(range.data(), i, ctx);
      } else if (local2_ >= 0) {
        first = Value::Int(static_cast<int64_t>(i));
        second = range.list_get(i, ctx);
      } else {
        first = range.list_get(i, ctx);
      }
      locals[local_] = first;
      if (local2_ >= 0) locals[local2_] = second;
      switch (kind_) {
        case MacroKind::kAll:
        case MacroKind::kExists: {
          Value p = predicate_->Eval(act, ctx);
          if (ctx.exhausted()) return CostError(ctx);
          if (p.kind() == Kind::kBool) {
            if (p.bool_value() == (kind_ == MacroKind::kExists)) return p;
          } else if (!have_error) {
            first_error = LogicOperandError(p, kind_ == MacroKind::kAll ? "all" : "exists", ctx);
            have_error = true;
          }
          break;
        }
        case MacroKind::kExistsOne: {
          Value p = predicate_->Eval(act, ctx);
          if (p.kind() != Kind::kBool) return LogicOperandError(p, "exists_one", ctx);
          if (p.bool_value()) ++matches;
          break;
        }
        default: {
          if (predicate_) {
            Value p = predicate_->Eval(act, ctx);
            if (p.kind() != Kind::kBool) return LogicOperandError(p, "filter", ctx);
            if (!p.bool_value()) break;
          }
          Value t = kind_ == MacroKind::kFilter ? first : transform_->Eval(act, ctx);
          if (t.is_error()) return t;
          if (out_keys) out_keys[out_n] = first;
          out[out_n++] = t;
          break;
        }
      }
    }
    switch (kind_) {
      case MacroKind::kAll:
      case MacroKind::kExists:
        if (have_error) return first_error;
        return Value::Bool(kind_ == MacroKind::kAll);
      case MacroKind::kExistsOne:
        return Value::Bool(matches == 1);
      case MacroKind::kTransformMap:
        return Value::Map(ctx.arena().New<ArrayMap>(ArrayMap{out_keys, out, out_n}), &kArrayMapOps);
      default:
        return Value::List(ctx.arena().New<ArrayList>(ArrayList{out, out_n}), &kArrayListOps);
    }
  }

 private:
  static Value CostError(EvalContext& ctx) {
    return ctx.MakeError("cost limit exceeded: the expression took more than " +
                         std::to_string(ctx.max_cost()) + " steps");
  }

  MacroKind kind_;
  int local_;
  int local2_;
  StepPtr range_, predicate_, transform_;
};

struct StringViewHash {
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

class InConstantListStep final : public Step {
 public:
  InConstantListStep(StepPtr operand, Value list, EvalContext& const_ctx)
      : operand_(std::move(operand)), list_(list) {
    size_t n = list.list_size();
    all_strings_ = true;
    for (size_t i = 0; i < n; ++i) {
      Value v = list.list_get(i, const_ctx);
      if (v.kind() != Kind::kString) {
        all_strings_ = false;
        break;
      }
      strings_.insert(v.string_value());
    }
  }
  Value Eval(const Activation& act, EvalContext& ctx) const override {
    Value v = operand_->Eval(act, ctx);
    if (v.is_error()) return v;
    if (all_strings_ && v.kind() == Kind::kString) {
      return Value::Bool(strings_.count(v.string_value()) > 0);
    }
    size_t n = list_.list_size();
    for (size_t i = 0; i < n; ++i) {
      Value e = Equals(v, list_.list_get(i, ctx), ctx);
      if (e.kind() == Kind::kBool && e.bool_value()) return e;
    }
    return Value::Bool(false);
  }

 private:
  StepPtr operand_;
  Value list_;
  bool all_strings_ = false;
  std::unordered_set<std::string_view, StringViewHash> strings_;
};

class EqualsConstantStep final : public Step {
 public:
  EqualsConstantStep(StepPtr operand, Value constant, bool negate)
      : operand_(std::move(operand)), constant_(constant), negate_(negate) {}
  Value Eval(const Activation& act, EvalContext& ctx) const override {
    Value v = operand_->Eval(act, ctx);
    if (v.kind() == Kind::kString && constant_.kind() == Kind::kString) {
      return Value::Bool((v.string_value() == constant_.string_value()) != negate_);
    }
    Value e = Equals(v, constant_, ctx);
    if (e.is_error() || !negate_) return e;
    return Value::Bool(!e.bool_value());
  }

 private:
  StepPtr operand_;
  Value constant_;
  bool negate_;
};

class MatchesStep final : public Step {
 public:
  MatchesStep(StepPtr operand, std::unique_ptr<re2::RE2> re)
      : operand_(std::move(operand)), re_(std::move(re)) {}
  Value Eval(const Activation& act, EvalContext& ctx) const override {
    Value v = operand_->Eval(act, ctx);
    if (v.is_error()) return v;
    if (v.kind() != Kind::kString) return ctx.MakeError("matches() needs a string");
    std::string_view s = v.string_value();
    return Value::Bool(re2::RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), *re_));
  }

 private:
  StepPtr operand_;
  std::unique_ptr<re2::RE2> re_;
};

class MoneyConstantAmountStep final : public Step {
 public:
  MoneyConstantAmountStep(ConstantAmount amount, StepPtr currency)
      : amount_(std::move(amount)), currency_(std::move(currency)) {}
  Value Eval(const Activation& act, EvalContext& ctx) const override {
    Value c = currency_->Eval(act, ctx);
    if (c.is_error()) return c;
    if (c.kind() != Kind::kString) return ctx.MakeError("money(): the currency must be a string");
    int exponent = CurrencyExponent(c.string_value());
    if (exponent < 0) {
      return ctx.MakeError("money(): unknown currency code '" + std::string(c.string_value()) +
                           "'");
    }
    if (exponent >= kMaxConstantExponent || !amount_.valid[exponent]) {
      // The same message as the plain money() call gives.
      return ctx.MakeError(ParseMinorUnits(amount_.text, exponent).status().message());
    }
    return Value::Money(amount_.minor[exponent], c.string_value(), exponent);
  }

 private:
  ConstantAmount amount_;
  StepPtr currency_;
};

}  // namespace

StepPtr MakeConstStep(Value v) { return std::make_unique<ConstStep>(v); }
StepPtr MakeVariableStep(int slot) { return std::make_unique<VariableStep>(slot); }
StepPtr MakeLocalStep(int index) { return std::make_unique<LocalStep>(index); }
StepPtr MakeErrorStep(std::string message) {
  return std::make_unique<ErrorStep>(std::move(message));
}
StepPtr MakeSelectStep(StepPtr operand, std::string field) {
  return std::make_unique<SelectStep>(std::move(operand), std::move(field));
}
StepPtr MakeHasStep(StepPtr operand, std::string field) {
  return std::make_unique<HasStep>(std::move(operand), std::move(field));
}
StepPtr MakeCallStep(const Function* fn, std::vector<StepPtr> args) {
  return std::make_unique<CallStep>(fn, std::move(args));
}
StepPtr MakeTernaryStep(StepPtr c, StepPtr a, StepPtr b) {
  return std::make_unique<TernaryStep>(std::move(c), std::move(a), std::move(b));
}
StepPtr MakeListStep(std::vector<StepPtr> items) {
  return std::make_unique<ListStep>(std::move(items));
}
StepPtr MakeMapStep(std::vector<StepPtr> keys, std::vector<StepPtr> values) {
  return std::make_unique<MapStep>(std::move(keys), std::move(values));
}
StepPtr MakeComprehensionStep(MacroKind kind, int local, int local2, StepPtr range,
                              StepPtr predicate, StepPtr transform) {
  return std::make_unique<ComprehensionStep>(kind, local, local2, std::move(range),
                                             std::move(predicate), std::move(transform));
}
StepPtr MakeInConstantListStep(StepPtr operand, Value list, EvalContext& const_ctx) {
  return std::make_unique<InConstantListStep>(std::move(operand), list, const_ctx);
}
StepPtr MakeEqualsConstantStep(StepPtr operand, Value constant, bool negate) {
  return std::make_unique<EqualsConstantStep>(std::move(operand), constant, negate);
}
StepPtr MakeMatchesStep(StepPtr operand, std::unique_ptr<re2::RE2> re) {
  return std::make_unique<MatchesStep>(std::move(operand), std::move(re));
}

ConstantAmount ParseConstantAmount(std::string_view amount) {
  ConstantAmount out;
  out.text = std::string(amount);
  for (int e = 0; e < kMaxConstantExponent; ++e) {
    Result<int64_t> minor = ParseMinorUnits(amount, e);
    out.valid[e] = minor.ok();
    out.minor[e] = minor.ok() ? *minor : 0;
  }
  return out;
}

StepPtr MakeMoneyConstantAmountStep(std::string_view amount, StepPtr currency) {
  return std::make_unique<MoneyConstantAmountStep>(ParseConstantAmount(amount),
                                                   std::move(currency));
}

}  // namespace orderpilot::expr::internal
