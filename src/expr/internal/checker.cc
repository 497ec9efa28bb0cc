#include "expr/internal/checker.h"

#include <unordered_set>

namespace orderpilot::expr::internal {
namespace {

// Built-in type names an identifier may denote.
const std::unordered_set<std::string_view>& BuiltinTypeNames() {
  static const std::unordered_set<std::string_view> kNames = {"int",
                                                              "uint",
                                                              "double",
                                                              "bool",
                                                              "string",
                                                              "bytes",
                                                              "list",
                                                              "map",
                                                              "null_type",
                                                              "type",
                                                              "google.protobuf.Timestamp",
                                                              "google.protobuf.Duration",
                                                              "orderpilot.Money"};
  return kNames;
}

class Checker {
 public:
  Checker(const ParsedExpr& parsed, const Env& env, bool report)
      : env_(env), ts_(env.types()), report_(report) {
    size_t n = static_cast<size_t>(parsed.node_count) + 1;
    r_.types.assign(n, ts_.Dyn());
    r_.refs.resize(n);
    r_.calls.assign(n, nullptr);
    r_.comprehension_local.assign(n, -1);
    r_.comprehension_local2.assign(n, -1);
  }

  CheckResult Run(const Expr& root) {
    Visit(root);
    return std::move(r_);
  }

 private:
  const Type* Visit(const Expr& e) {
    const Type* t = VisitInner(e);
    r_.types[e.id] = t;
    return t;
  }

  void TypeError(const Expr& e, std::string msg) {
    if (report_ && r_.issues.size() < 5) r_.issues.push_back({e.offset, std::move(msg)});
  }
  // Unknown names are type errors too: unchecked programs meet them as error values at run time.
  void NameError(const Expr& e, std::string msg) { TypeError(e, std::move(msg)); }

  const Type* ConstType(const Expr& e) {
    switch (e.const_kind) {
      case ConstKind::kNull:
        return ts_.Basic(TypeKind::kNull);
      case ConstKind::kBool:
        return ts_.Basic(TypeKind::kBool);
      case ConstKind::kInt:
        return ts_.Basic(TypeKind::kInt);
      case ConstKind::kUint:
        return ts_.Basic(TypeKind::kUint);
      case ConstKind::kDouble:
        return ts_.Basic(TypeKind::kDouble);
      case ConstKind::kString:
        return ts_.Basic(TypeKind::kString);
      case ConstKind::kBytes:
        return ts_.Basic(TypeKind::kBytes);
    }
    return ts_.Dyn();
  }

  int FindLocal(const std::string& name) const {
    for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
      if (it->first == name) return it->second;
    }
    return -1;
  }

  // Candidate full names for `name` under the container, most specific first.
  std::vector<std::string> Candidates(const std::string& name, bool leading_dot) const {
    std::vector<std::string> out;
    if (leading_dot) {
      out.push_back(name);
      return out;
    }
    std::string c = env_.container();
    while (!c.empty()) {
      out.push_back(c + "." + name);
      size_t dot = c.rfind('.');
      c = dot == std::string::npos ? "" : c.substr(0, dot);
    }
    out.push_back(name);
    return out;
  }

  // Resolves a (qualified) name to a variable or a type. Returns the type or null.
  const Type* Resolve(const Expr& e, const std::string& name, bool leading_dot) {
    for (const std::string& c : Candidates(name, leading_dot)) {
      int slot = env_.FindVariable(c);
      if (slot >= 0) {
        r_.refs[e.id] = {Reference::Kind::kVariable, slot, {}};
        return env_.VariableType(slot);
      }
    }
    for (const std::string& c : Candidates(name, leading_dot)) {
      if (BuiltinTypeNames().count(c)) {
        r_.refs[e.id] = {Reference::Kind::kTypeName, 0, c};
        return ts_.TypeOf(TypeForName(c));
      }
      if (const ObjectType* ot = env_.FindObjectType(c)) {
        r_.refs[e.id] = {Reference::Kind::kTypeName, 0, std::string(ot->name)};
        return ts_.TypeOf(ts_.Object(ot));
      }
    }
    return nullptr;
  }

  const Type* TypeForName(const std::string& name) {
    if (name == "int") return ts_.Basic(TypeKind::kInt);
    if (name == "uint") return ts_.Basic(TypeKind::kUint);
    if (name == "double") return ts_.Basic(TypeKind::kDouble);
    if (name == "bool") return ts_.Basic(TypeKind::kBool);
    if (name == "string") return ts_.Basic(TypeKind::kString);
    if (name == "bytes") return ts_.Basic(TypeKind::kBytes);
    if (name == "null_type") return ts_.Basic(TypeKind::kNull);
    if (name == "google.protobuf.Timestamp") return ts_.Basic(TypeKind::kTimestamp);
    if (name == "google.protobuf.Duration") return ts_.Basic(TypeKind::kDuration);
    if (name == "orderpilot.Money") return ts_.Basic(TypeKind::kMoney);
    if (name == "list") return ts_.List(ts_.Dyn());
    if (name == "map") return ts_.Map(ts_.Dyn(), ts_.Dyn());
    return ts_.Dyn();
  }

  // "a.b.c" when e is a chain of selects over an identifier (not a local), else "".
  bool QualifiedName(const Expr& e, std::string* out, bool* leading_dot) {
    if (e.kind == ExprKind::kIdent) {
      if (!e.leading_dot && FindLocal(e.string_value) >= 0) return false;
      *out = e.string_value;
      *leading_dot = e.leading_dot;
      return true;
    }
    if (e.kind == ExprKind::kSelect) {
      if (!QualifiedName(*e.operand, out, leading_dot)) return false;
      *out += "." + e.string_value;
      return true;
    }
    return false;
  }

  const Type* VisitInner(const Expr& e) {
    switch (e.kind) {
      case ExprKind::kConst:
        return ConstType(e);
      case ExprKind::kIdent: {
        if (!e.leading_dot) {
          int local = FindLocal(e.string_value);
          if (local >= 0) {
            r_.refs[e.id] = {Reference::Kind::kLocal, local, {}};
            return local_types_[local];
          }
        }
        if (const Type* t = Resolve(e, e.string_value, e.leading_dot)) return t;
        r_.refs[e.id] = {Reference::Kind::kUnresolved, 0, e.string_value};
        NameError(e, "undeclared reference to '" + e.string_value + "'");
        return ts_.Basic(TypeKind::kError);
      }
      case ExprKind::kSelect: {
        std::string qname;
        bool leading_dot = false;
        if (QualifiedName(e, &qname, &leading_dot)) {
          // The longest declared name wins: x.y as a variable before field y of variable x.
          if (const Type* t = Resolve(e, qname, leading_dot)) return t;
        }
        const Type* operand = Visit(*e.operand);
        return FieldType(e, operand, e.string_value);
      }
      case ExprKind::kHas: {
        const Type* operand = Visit(*e.operand);
        if (operand->kind != TypeKind::kDyn && operand->kind != TypeKind::kMap &&
            operand->kind != TypeKind::kObject && operand->kind != TypeKind::kError) {
          TypeError(e, "has() needs a map or an object, not " + TypeName(operand));
        } else if (operand->kind == TypeKind::kObject) {
          FieldType(e, operand, e.string_value);
        }
        return ts_.Basic(TypeKind::kBool);
      }
      case ExprKind::kCall:
        return CallType(e);
      case ExprKind::kList: {
        const Type* elem = nullptr;
        for (const auto& a : e.args) elem = Join(elem, Visit(*a));
        return ts_.List(elem ? elem : ts_.Dyn());
      }
      case ExprKind::kMap: {
        const Type* key = nullptr;
        const Type* value = nullptr;
        for (size_t i = 0; i + 1 < e.args.size(); i += 2) {
          const Type* k = Visit(*e.args[i]);
          switch (k->kind) {
            case TypeKind::kDyn:
            case TypeKind::kInt:
            case TypeKind::kUint:
            case TypeKind::kBool:
            case TypeKind::kString:
            case TypeKind::kError:
              break;
            default:
              TypeError(*e.args[i], "map keys must be int, uint, bool or string");
          }
          key = Join(key, k);
          value = Join(value, Visit(*e.args[i + 1]));
        }
        return ts_.Map(key ? key : ts_.Dyn(), value ? value : ts_.Dyn());
      }
      case ExprKind::kStruct: {
        for (const auto& a : e.args) Visit(*a);
        TypeError(e, "message literals (" + e.string_value +
                         "{...}) are not supported: orderpilot models no protobuf messages");
        return ts_.Dyn();
      }
      case ExprKind::kComprehension:
        return ComprehensionType(e);
    }
    return ts_.Dyn();
  }

  const Type* Join(const Type* a, const Type* b) {
    if (!a) return b;
    if (a == b) return a;
    if (a->kind == TypeKind::kError) return b;
    if (b->kind == TypeKind::kError) return a;
    return ts_.Dyn();
  }

  const Type* FieldType(const Expr& e, const Type* operand, const std::string& field) {
    switch (operand->kind) {
      case TypeKind::kDyn:
      case TypeKind::kError:
        return ts_.Dyn();
      case TypeKind::kMap:
        if (!Is(operand->param0, TypeKind::kString)) {
          TypeError(e, "field selection ." + field + " needs string keys, the map has " +
                           TypeName(operand->param0));
        }
        return operand->param1;
      case TypeKind::kObject: {
        const FieldDescriptor* f = operand->object->FindField(field);
        if (!f) {
          std::string known;
          for (const FieldDescriptor& d : operand->object->fields) {
            if (!known.empty()) known += ", ";
            known += d.name;
          }
          NameError(e, "undefined field '" + field + "' on " + std::string(operand->object->name) +
                           " (fields: " + known + ")");
          return ts_.Basic(TypeKind::kError);
        }
        return f->type;
      }
      default:
        TypeError(e, "type " + TypeName(operand) + " has no fields (selecting ." + field + ")");
        return ts_.Basic(TypeKind::kError);
    }
  }

  const Type* CallType(const Expr& e) {
    const std::string& fn = e.string_value;
    const Type* b = ts_.Basic(TypeKind::kBool);
    if (fn == "_&&_" || fn == "_||_") {
      for (const auto& a : e.args) {
        const Type* t = Visit(*a);
        if (!Is(t, TypeKind::kBool) && t->kind != TypeKind::kError) {
          TypeError(*a, "'" + std::string(fn == "_&&_" ? "&&" : "||") +
                            "' needs bool operands, not " + TypeName(t));
        }
      }
      return b;
    }
    if (fn == "_?_:_") {
      const Type* c = Visit(*e.args[0]);
      if (!Is(c, TypeKind::kBool) && c->kind != TypeKind::kError) {
        TypeError(*e.args[0], "the condition of '?:' must be bool, not " + TypeName(c));
      }
      return Join(Visit(*e.args[1]), Visit(*e.args[2]));
    }
    std::vector<const Type*> types;
    bool receiver = e.operand != nullptr;
    if (receiver) types.push_back(Visit(*e.operand));
    for (const auto& a : e.args) types.push_back(Visit(*a));
    std::string name = fn;
    if (!name.empty() && name[0] == '.') name = name.substr(1);
    const Function* f = FindFunction(name, receiver, types.size());
    if (!f) {
      std::string shown = Shown(name);
      if (!FunctionExists(name)) {
        NameError(e, "undeclared function '" + shown + "'");
      } else {
        TypeError(e, "'" + shown + "' does not take " + std::to_string(types.size()) +
                         " argument(s) " + (receiver ? "as a method" : "as a function"));
      }
      return ts_.Dyn();
    }
    r_.calls[e.id] = f;
    for (const Type* t : types) {
      if (t->kind == TypeKind::kError) return ts_.Dyn();
    }
    const Type* result = f->typer(ts_, types.data(), types.size());
    if (!result) {
      std::string args;
      for (size_t i = 0; i < types.size(); ++i) {
        if (i) args += ", ";
        args += TypeName(types[i]);
      }
      TypeError(e, "no matching overload for '" + Shown(name) + "' applied to (" + args + ")");
      return ts_.Dyn();
    }
    return result;
  }

  static std::string Shown(const std::string& fn) {
    static const std::pair<const char*, const char*> kOps[] = {
        {"_+_", "+"},   {"_-_", "-"},   {"_*_", "*"}, {"_/_", "/"},   {"_%_", "%"},
        {"_<_", "<"},   {"_<=_", "<="}, {"_>_", ">"}, {"_>=_", ">="}, {"_==_", "=="},
        {"_!=_", "!="}, {"@in", "in"},  {"!_", "!"},  {"-_", "-"},    {"_[_]", "[]"}};
    for (const auto& [internal, shown] : kOps) {
      if (fn == internal) return shown;
    }
    return fn;
  }

  const Type* ComprehensionType(const Expr& e) {
    const Type* range = Visit(*e.operand);
    bool two = !e.iter_var2.empty();
    const Type* var = ts_.Dyn();   // one variable: list element or map key
    const Type* var1 = ts_.Dyn();  // two variables: index or key
    const Type* var2 = ts_.Dyn();  //                element or value
    switch (range->kind) {
      case TypeKind::kList:
        var = var2 = range->param0;
        var1 = ts_.Basic(TypeKind::kInt);
        break;
      case TypeKind::kMap:
        var = var1 = range->param0;
        var2 = range->param1;
        break;
      case TypeKind::kDyn:
      case TypeKind::kError:
        break;
      default:
        TypeError(*e.operand, "cannot iterate over " + TypeName(range));
    }
    int depth = static_cast<int>(scopes_.size());
    r_.comprehension_local[e.id] = AddLocal(e.string_value, two ? var1 : var);
    if (two) {
      if (e.iter_var2 == e.string_value) {
        TypeError(e, "the two variables of " + MacroName(e.macro) + "() must differ");
      }
      r_.comprehension_local2[e.id] = AddLocal(e.iter_var2, var2);
    }
    const Type* result = ts_.Basic(TypeKind::kBool);
    auto check_pred = [&](const Expr& p) {
      const Type* t = Visit(p);
      if (!Is(t, TypeKind::kBool) && t->kind != TypeKind::kError) {
        TypeError(p, "the condition must be bool, not " + TypeName(t));
      }
    };
    switch (e.macro) {
      case MacroKind::kAll:
      case MacroKind::kExists:
      case MacroKind::kExistsOne:
        check_pred(*e.args[0]);
        break;
      case MacroKind::kMap:
        result = ts_.List(Visit(*e.args[0]));
        break;
      case MacroKind::kMapFilter:
        check_pred(*e.args[0]);
        result = ts_.List(Visit(*e.args[1]));
        break;
      case MacroKind::kFilter:
        check_pred(*e.args[0]);
        result = range->kind == TypeKind::kList ? range : ts_.List(var);
        break;
      case MacroKind::kTransformList:
      case MacroKind::kTransformMap: {
        if (e.args.size() == 2) check_pred(*e.args[0]);
        const Type* t = Visit(*e.args.back());
        result = e.macro == MacroKind::kTransformList ? ts_.List(t) : ts_.Map(var1, t);
        break;
      }
    }
    scopes_.resize(depth);
    return result;
  }

  int AddLocal(const std::string& name, const Type* type) {
    int local = r_.locals++;
    local_types_.push_back(type);
    scopes_.push_back({name, local});
    return local;
  }

  static std::string MacroName(MacroKind k) {
    switch (k) {
      case MacroKind::kAll:
        return "all";
      case MacroKind::kExists:
        return "exists";
      case MacroKind::kExistsOne:
        return "exists_one";
      case MacroKind::kMap:
      case MacroKind::kMapFilter:
        return "map";
      case MacroKind::kFilter:
        return "filter";
      case MacroKind::kTransformList:
        return "transformList";
      case MacroKind::kTransformMap:
        return "transformMap";
    }
    return "?";
  }

  const Env& env_;
  const TypeStore& ts_;
  bool report_;
  CheckResult r_;
  std::vector<std::pair<std::string, int>> scopes_;
  std::vector<const Type*> local_types_;
};

}  // namespace

CheckResult Check(const ParsedExpr& parsed, const Env& env, bool report_type_errors) {
  Checker c(parsed, env, report_type_errors);
  return c.Run(*parsed.root);
}

}  // namespace orderpilot::expr::internal
