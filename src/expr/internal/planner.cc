#include "expr/internal/planner.h"

#include <re2/re2.h>

namespace orderpilot::expr::internal {
namespace {

class Planner {
 public:
  Planner(const CheckResult& check, const Env& env, EvalContext& const_ctx)
      : check_(check), const_ctx_(const_ctx) {}

  StepPtr Plan(const Expr& e) {
    switch (e.kind) {
      case ExprKind::kConst:
        return MakeConstStep(ConstValue(e));
      case ExprKind::kIdent:
      case ExprKind::kSelect: {
        const Reference& ref = check_.refs[e.id];
        switch (ref.kind) {
          case Reference::Kind::kVariable:
            return MakeVariableStep(ref.slot);
          case Reference::Kind::kLocal:
            return MakeLocalStep(ref.slot);
          case Reference::Kind::kTypeName: {
            std::string_view name = const_ctx_.arena().Copy(ref.type_name);
            return MakeConstStep(Value::TypeName(name));
          }
          case Reference::Kind::kUnresolved:
            return MakeErrorStep("undeclared reference to '" + ref.type_name + "'");
          case Reference::Kind::kNone:
            break;
        }
        if (e.kind == ExprKind::kIdent) {
          return MakeErrorStep("undeclared reference to '" + e.string_value + "'");
        }
        StepPtr operand = Plan(*e.operand);
        const Type* t = check_.types[e.operand->id];
        if (t->kind == TypeKind::kObject) {
          if (const FieldDescriptor* f = t->object->FindField(e.string_value)) {
            return ExtendFieldPath(std::move(operand), t->object, f);
          }
        }
        return MakeSelectStep(std::move(operand), e.string_value);
      }
      case ExprKind::kHas:
        return MakeHasStep(Plan(*e.operand), e.string_value);
      case ExprKind::kCall:
        return PlanCall(e);
      case ExprKind::kList: {
        std::vector<StepPtr> items;
        for (const auto& a : e.args) items.push_back(Plan(*a));
        bool constant = AllConstant(items);
        return FoldIf(constant, MakeListStep(std::move(items)));
      }
      case ExprKind::kMap: {
        std::vector<StepPtr> keys, values;
        for (size_t i = 0; i + 1 < e.args.size(); i += 2) {
          keys.push_back(Plan(*e.args[i]));
          values.push_back(Plan(*e.args[i + 1]));
        }
        bool constant = AllConstant(keys) && AllConstant(values);
        return FoldIf(constant, MakeMapStep(std::move(keys), std::move(values)));
      }
      case ExprKind::kStruct:
        return MakeErrorStep("message literals (" + e.string_value + "{...}) are not supported");
      case ExprKind::kComprehension: {
        if (StepPtr contains = PlanContains(e)) return contains;
        StepPtr range = Plan(*e.operand);
        StepPtr pred, transform;
        switch (e.macro) {
          case MacroKind::kMap:
            transform = Plan(*e.args[0]);
            break;
          case MacroKind::kMapFilter:
          case MacroKind::kTransformList:
          case MacroKind::kTransformMap:
            if (e.args.size() == 2) pred = Plan(*e.args[0]);
            transform = Plan(*e.args.back());
            break;
          default:
            pred = Plan(*e.args[0]);
        }
        return MakeComprehensionStep(e.macro, check_.comprehension_local[e.id],
                                     check_.comprehension_local2[e.id], std::move(range),
                                     std::move(pred), std::move(transform));
      }
    }
    return MakeErrorStep("internal: unknown expression kind");
  }

 private:
  Value ConstValue(const Expr& e) {
    switch (e.const_kind) {
      case ConstKind::kNull:
        return Value::Null();
      case ConstKind::kBool:
        return Value::Bool(e.bool_value);
      case ConstKind::kInt:
        return Value::Int(e.int_value);
      case ConstKind::kUint:
        return Value::Uint(e.uint_value);
      case ConstKind::kDouble:
        return Value::Double(e.double_value);
      case ConstKind::kString:
        return Value::String(e.string_value);
      case ConstKind::kBytes:
        return Value::Bytes(e.string_value);
    }
    return Value::Null();
  }

  static bool AllConstant(const std::vector<StepPtr>& steps) {
    for (const StepPtr& s : steps) {
      if (!s->constant()) return false;
    }
    return true;
  }

  // Evaluates a step whose inputs are all constants once, now, into the program's own arena.
  StepPtr FoldIf(bool constant, StepPtr step) {
    if (!constant) return step;
    Activation none(0);
    return MakeConstStep(step->Eval(none, const_ctx_));
  }

  StepPtr PlanCall(const Expr& e) {
    const std::string& fn = e.string_value;
    if (fn == "_&&_" || fn == "_||_") {
      // a && b && c parses as ((a && b) && c): one step over all terms, in source order.
      std::vector<const Expr*> terms;
      Flatten(e, fn, terms);
      std::vector<StepPtr> steps;
      for (const Expr* t : terms) steps.push_back(Plan(*t));
      return fn == "_&&_" ? MakeAllOfStep(std::move(steps)) : MakeAnyOfStep(std::move(steps));
    }
    if (fn == "_?_:_") {
      return MakeTernaryStep(Plan(*e.args[0]), Plan(*e.args[1]), Plan(*e.args[2]));
    }
    if (StepPtr money = PlanMoneyCompare(e)) return money;
    std::vector<StepPtr> args;
    if (e.operand) args.push_back(Plan(*e.operand));
    for (const auto& a : e.args) args.push_back(Plan(*a));
    const Function* f = check_.calls[e.id];
    if (!f) {
      std::string name = fn[0] == '.' ? fn.substr(1) : fn;
      f = FindFunction(name, e.operand != nullptr, args.size());
      if (!f) return MakeErrorStep("no such function '" + name + "'");
    }
    if (args.size() > 4) return MakeErrorStep("too many arguments to '" + fn + "'");
    bool all_constant = true;
    for (const StepPtr& a : args) all_constant = all_constant && a->constant();
    if (all_constant) return FoldIf(true, MakeCallStep(f, std::move(args)));
    // Specialisations that need constants in known places.
    if (fn == "@in" && args[1]->constant() && args[1]->constant()->kind() == Kind::kList) {
      Value list = *args[1]->constant();
      std::vector<uint64_t> packed;
      for (size_t i = 0; i < list.list_size(); ++i) {
        Value v = list.list_get(i, const_ctx_);
        if (v.kind() != Kind::kString || v.string_value().size() > 8) {
          packed.clear();
          break;
        }
        packed.push_back(Pack(v.string_value()));
      }
      if (!packed.empty()) {
        StepPtr fallback = MakeInConstantListStep(Plan(*e.args[0]), list, const_ctx_);
        return MakeInShortStringsStep(std::move(args[0]), std::move(packed), std::move(fallback));
      }
      return MakeInConstantListStep(std::move(args[0]), list, const_ctx_);
    }
    if (fn == "_<_" || fn == "_<=_" || fn == "_>_" || fn == "_>=_") {
      const Type* a = check_.types[e.args[0]->id];
      const Type* b = check_.types[e.args[1]->id];
      if (a->kind == b->kind) {
        Kind k = Kind::kNull;
        switch (a->kind) {
          case TypeKind::kInt:
            k = Kind::kInt;
            break;
          case TypeKind::kUint:
            k = Kind::kUint;
            break;
          case TypeKind::kMoney:
            k = Kind::kMoney;
            break;
          case TypeKind::kString:
            k = Kind::kString;
            break;
          default:
            break;
        }
        if (k != Kind::kNull) {
          return MakeTypedCompareStep(fn, k, std::move(args[0]), std::move(args[1]), f);
        }
      }
    }
    if ((fn == "_==_" || fn == "_!=_") && args[1]->constant()) {
      Value c = *args[1]->constant();
      return MakeEqualsConstantStep(std::move(args[0]), c, fn == "_!=_");
    }
    if ((fn == "_==_" || fn == "_!=_") && args[0]->constant()) {
      Value c = *args[0]->constant();
      return MakeEqualsConstantStep(std::move(args[1]), c, fn == "_!=_");
    }
    if (fn == "matches" && args[1]->constant() && args[1]->constant()->kind() == Kind::kString) {
      std::string_view pattern = args[1]->constant()->string_value();
      RE2::Options options;
      options.set_log_errors(false);
      auto re = std::make_unique<RE2>(re2::StringPiece(pattern.data(), pattern.size()), options);
      if (re->ok()) return MakeMatchesStep(std::move(args[0]), std::move(re));
      return MakeErrorStep("invalid regular expression: " + re->error());
    }
    if (fn == "money" && args[0]->constant() && args[0]->constant()->kind() == Kind::kString) {
      StepPtr s =
          MakeMoneyConstantAmountStep(args[0]->constant()->string_value(), std::move(args[1]));
      if (s) return s;
      // args[1] was moved from only on success; re-plan for the plain call.
      args[1] = Plan(*e.args[1]);
    }
    return MakeFixedCallStep(f, std::move(args));
  }

  // m <op> money("<amount>", c) or money("<amount>", c) <op> m, with m statically money.
  StepPtr PlanMoneyCompare(const Expr& e) {
    static const std::pair<std::string_view, std::string_view> kFlip[] = {
        {"_<_", "_>_"}, {"_<=_", "_>=_"}, {"_>_", "_<_"}, {"_>=_", "_<=_"}};
    std::string_view flipped;
    for (const auto& [op, flip] : kFlip) {
      if (e.string_value == op) flipped = flip;
    }
    if (flipped.empty() || e.operand || e.args.size() != 2) return nullptr;
    auto is_literal_money = [](const Expr& x) {
      return x.kind == ExprKind::kCall && x.string_value == "money" && !x.operand &&
             x.args.size() == 2 && x.args[0]->kind == ExprKind::kConst &&
             x.args[0]->const_kind == ConstKind::kString;
    };
    int side = -1;
    if (check_.types[e.args[0]->id]->kind == TypeKind::kMoney && is_literal_money(*e.args[1])) {
      side = 0;
    } else if (check_.types[e.args[1]->id]->kind == TypeKind::kMoney &&
               is_literal_money(*e.args[0])) {
      side = 1;
    }
    if (side < 0) return nullptr;
    const Expr& money = *e.args[side];
    const Expr& literal = *e.args[1 - side];
    // The plain plan of the same comparison, for every case the shortcut does not cover.
    const Function* cmp = FindFunction(e.string_value, false, 2);
    std::vector<StepPtr> plain;
    plain.push_back(Plan(*e.args[0]));
    plain.push_back(Plan(*e.args[1]));
    StepPtr generic = MakeTypedCompareStep(e.string_value, Kind::kMoney, std::move(plain[0]),
                                           std::move(plain[1]), cmp);
    return MakeMoneyCompareConstantStep(side == 0 ? std::string_view(e.string_value) : flipped,
                                        Plan(money), literal.args[0]->string_value,
                                        Plan(*literal.args[1]), std::move(generic));
  }

  static void Flatten(const Expr& e, const std::string& fn, std::vector<const Expr*>& out) {
    if (e.kind == ExprKind::kCall && e.string_value == fn && !e.operand && e.args.size() == 2) {
      Flatten(*e.args[0], fn, out);
      Flatten(*e.args[1], fn, out);
    } else {
      out.push_back(&e);
    }
  }

  // list.exists(x, x == <constant>) (either operand order) as one "contains" step.
  StepPtr PlanContains(const Expr& e) {
    if (e.macro != MacroKind::kExists || !e.iter_var2.empty()) return nullptr;
    const Expr& p = *e.args[0];
    if (p.kind != ExprKind::kCall || p.string_value != "_==_" || p.operand) return nullptr;
    int local = check_.comprehension_local[e.id];
    auto is_var = [&](const Expr& x) {
      const Reference& r = check_.refs[x.id];
      return x.kind == ExprKind::kIdent && r.kind == Reference::Kind::kLocal && r.slot == local;
    };
    const Expr* constant = nullptr;
    if (is_var(*p.args[0]) && p.args[1]->kind == ExprKind::kConst) constant = p.args[1].get();
    if (is_var(*p.args[1]) && p.args[0]->kind == ExprKind::kConst) constant = p.args[0].get();
    if (!constant) return nullptr;
    return MakeContainsConstantStep(Plan(*e.operand), ConstValue(*constant));
  }

  const CheckResult& check_;
  EvalContext& const_ctx_;
};

}  // namespace

StepPtr Plan(const Expr& root, const CheckResult& check, const Env& env, EvalContext& const_ctx) {
  Planner p(check, env, const_ctx);
  return p.Plan(root);
}

}  // namespace orderpilot::expr::internal
