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
            return MakeFieldStep(std::move(operand), t->object, f);
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
      StepPtr a = Plan(*e.args[0]);
      StepPtr b = Plan(*e.args[1]);
      return fn == "_&&_" ? MakeAndStep(std::move(a), std::move(b))
                          : MakeOrStep(std::move(a), std::move(b));
    }
    if (fn == "_?_:_") {
      return MakeTernaryStep(Plan(*e.args[0]), Plan(*e.args[1]), Plan(*e.args[2]));
    }
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
      return MakeInConstantListStep(std::move(args[0]), list, const_ctx_);
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
    return MakeCallStep(f, std::move(args));
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
