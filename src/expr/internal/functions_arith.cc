// Operators: arithmetic with overflow checks, comparisons, equality, membership, indexing, size.
#include <cmath>

#include "expr/internal/functions.h"

namespace orderpilot::expr::internal {
namespace {

const Type* TypeOrDyn(const TypeStore& ts, const Type* a, const Type* b) {
  return a == b ? a : ts.Dyn();
}

// --- typers ---

const Type* TypeAdd(const TypeStore& ts, const Type* const* a, size_t) {
  TypeKind x = a[0]->kind, y = a[1]->kind;
  if (x == TypeKind::kDyn || y == TypeKind::kDyn) {
    TypeKind known = x == TypeKind::kDyn ? y : x;
    if (known == TypeKind::kDyn || known == TypeKind::kTimestamp || known == TypeKind::kDuration) {
      return ts.Dyn();
    }
    if (known == TypeKind::kList) return ts.Dyn();
    return ts.Basic(known);
  }
  if (x == TypeKind::kList && y == TypeKind::kList) {
    return ts.List(TypeOrDyn(ts, a[0]->param0, a[1]->param0));
  }
  if (x == TypeKind::kTimestamp && y == TypeKind::kDuration) return a[0];
  if (x == TypeKind::kDuration && y == TypeKind::kTimestamp) return a[1];
  if (x != y) return nullptr;
  switch (x) {
    case TypeKind::kInt:
    case TypeKind::kUint:
    case TypeKind::kDouble:
    case TypeKind::kString:
    case TypeKind::kBytes:
    case TypeKind::kDuration:
    case TypeKind::kMoney:
      return a[0];
    default:
      return nullptr;
  }
}

const Type* TypeSub(const TypeStore& ts, const Type* const* a, size_t) {
  TypeKind x = a[0]->kind, y = a[1]->kind;
  if (x == TypeKind::kDyn || y == TypeKind::kDyn) return ts.Dyn();
  if (x == TypeKind::kTimestamp && y == TypeKind::kTimestamp) {
    return ts.Basic(TypeKind::kDuration);
  }
  if (x == TypeKind::kTimestamp && y == TypeKind::kDuration) return a[0];
  if (x != y) return nullptr;
  switch (x) {
    case TypeKind::kInt:
    case TypeKind::kUint:
    case TypeKind::kDouble:
    case TypeKind::kDuration:
    case TypeKind::kMoney:
      return a[0];
    default:
      return nullptr;
  }
}

const Type* TypeMul(const TypeStore& ts, const Type* const* a, size_t) {
  TypeKind x = a[0]->kind, y = a[1]->kind;
  if (x == TypeKind::kMoney && (y == TypeKind::kInt || y == TypeKind::kDyn)) return a[0];
  if (y == TypeKind::kMoney && (x == TypeKind::kInt || x == TypeKind::kDyn)) return a[1];
  if (x == TypeKind::kDyn || y == TypeKind::kDyn) {
    TypeKind known = x == TypeKind::kDyn ? y : x;
    if (known == TypeKind::kInt || known == TypeKind::kUint || known == TypeKind::kDouble) {
      return ts.Basic(known);
    }
    return known == TypeKind::kDyn ? ts.Dyn() : nullptr;
  }
  if (x != y) return nullptr;
  return (x == TypeKind::kInt || x == TypeKind::kUint || x == TypeKind::kDouble) ? a[0] : nullptr;
}

const Type* TypeDiv(const TypeStore& ts, const Type* const* a, size_t n) {
  return TypeMul(ts, a, n);
}

const Type* TypeMod(const TypeStore& ts, const Type* const* a, size_t) {
  TypeKind x = a[0]->kind, y = a[1]->kind;
  if (x == TypeKind::kDyn || y == TypeKind::kDyn) {
    TypeKind known = x == TypeKind::kDyn ? y : x;
    if (known == TypeKind::kInt || known == TypeKind::kUint) return ts.Basic(known);
    return known == TypeKind::kDyn ? ts.Dyn() : nullptr;
  }
  if (x != y) return nullptr;
  return (x == TypeKind::kInt || x == TypeKind::kUint) ? a[0] : nullptr;
}

const Type* TypeNeg(const TypeStore& ts, const Type* const* a, size_t) {
  switch (a[0]->kind) {
    case TypeKind::kDyn:
    case TypeKind::kInt:
    case TypeKind::kDouble:
    case TypeKind::kDuration:
    case TypeKind::kMoney:
      return a[0];
    default:
      return nullptr;
  }
}

const Type* TypeNot(const TypeStore& ts, const Type* const* a, size_t) {
  return Is(a[0], TypeKind::kBool) ? ts.Basic(TypeKind::kBool) : nullptr;
}

bool Numeric(TypeKind k) {
  return k == TypeKind::kInt || k == TypeKind::kUint || k == TypeKind::kDouble;
}

const Type* TypeCompare(const TypeStore& ts, const Type* const* a, size_t) {
  TypeKind x = a[0]->kind, y = a[1]->kind;
  const Type* b = ts.Basic(TypeKind::kBool);
  if (x == TypeKind::kDyn || y == TypeKind::kDyn) return b;
  if (Numeric(x) && Numeric(y)) return b;
  if (x != y) return nullptr;
  switch (x) {
    case TypeKind::kBool:
    case TypeKind::kString:
    case TypeKind::kBytes:
    case TypeKind::kTimestamp:
    case TypeKind::kDuration:
    case TypeKind::kMoney:
      return b;
    default:
      return nullptr;
  }
}

const Type* TypeEquals(const TypeStore& ts, const Type* const*, size_t) {
  return ts.Basic(TypeKind::kBool);
}

const Type* TypeIn(const TypeStore& ts, const Type* const* a, size_t) {
  TypeKind c = a[1]->kind;
  if (c == TypeKind::kDyn || c == TypeKind::kList || c == TypeKind::kMap) {
    return ts.Basic(TypeKind::kBool);
  }
  return nullptr;
}

const Type* TypeIndex(const TypeStore& ts, const Type* const* a, size_t) {
  const Type* c = a[0];
  TypeKind i = a[1]->kind;
  if (c->kind == TypeKind::kDyn) return ts.Dyn();
  if (c->kind == TypeKind::kList) {
    if (i == TypeKind::kDyn || Numeric(i)) return c->param0;
    return nullptr;
  }
  if (c->kind == TypeKind::kMap) return c->param1;
  return nullptr;
}

const Type* TypeSize(const TypeStore& ts, const Type* const* a, size_t) {
  switch (a[0]->kind) {
    case TypeKind::kDyn:
    case TypeKind::kString:
    case TypeKind::kBytes:
    case TypeKind::kList:
    case TypeKind::kMap:
      return ts.Basic(TypeKind::kInt);
    default:
      return nullptr;
  }
}

// --- implementations ---

Value Overflow(EvalContext& ctx) { return ctx.MakeError("integer overflow"); }

Value ConcatList(EvalContext& ctx, const Value& a, const Value& b) {
  size_t n = a.list_size(), m = b.list_size();
  if (!ctx.Charge(static_cast<int64_t>((n + m) / 8))) return ctx.MakeError("cost limit exceeded");
  Value* items =
      static_cast<Value*>(ctx.arena().Allocate(sizeof(Value) * (n + m + 1), alignof(Value)));
  for (size_t i = 0; i < n; ++i) items[i] = a.list_get(i, ctx);
  for (size_t i = 0; i < m; ++i) items[n + i] = b.list_get(i, ctx);
  return Value::List(ctx.arena().New<ArrayList>(ArrayList{items, n + m}), &kArrayListOps);
}

Value ConcatStrings(EvalContext& ctx, const Value& a, const Value& b) {
  std::string_view x = a.string_value(), y = b.string_value();
  if (!ctx.Charge(static_cast<int64_t>((x.size() + y.size()) / 64))) {
    return ctx.MakeError("cost limit exceeded");
  }
  char* p = static_cast<char*>(ctx.arena().Allocate(x.size() + y.size() + 1, 1));
  if (!x.empty()) std::memcpy(p, x.data(), x.size());
  if (!y.empty()) std::memcpy(p + x.size(), y.data(), y.size());
  std::string_view s(p, x.size() + y.size());
  return a.kind() == Kind::kString ? Value::String(s) : Value::Bytes(s);
}

bool SameCurrency(const Value& a, const Value& b) {
  return a.money_currency_key() == b.money_currency_key();
}

Value Add(EvalContext& ctx, const Value* v, size_t n) {
  const Value &a = v[0], &b = v[1];
  Kind x = a.kind(), y = b.kind();
  if (x == y) {
    switch (x) {
      case Kind::kInt: {
        int64_t r;
        if (__builtin_add_overflow(a.int_value(), b.int_value(), &r)) return Overflow(ctx);
        return Value::Int(r);
      }
      case Kind::kUint: {
        uint64_t r;
        if (__builtin_add_overflow(a.uint_value(), b.uint_value(), &r)) return Overflow(ctx);
        return Value::Uint(r);
      }
      case Kind::kDouble:
        return Value::Double(a.double_value() + b.double_value());
      case Kind::kString:
      case Kind::kBytes:
        return ConcatStrings(ctx, a, b);
      case Kind::kList:
        return ConcatList(ctx, a, b);
      case Kind::kDuration:
        return MakeDuration(ctx, TotalNanos(a) + TotalNanos(b));
      case Kind::kMoney: {
        if (!SameCurrency(a, b)) return ctx.MakeError("cannot add money in different currencies");
        int64_t r;
        if (__builtin_add_overflow(a.money_minor(), b.money_minor(), &r)) return Overflow(ctx);
        return Value::Money(r, a.money_currency(), a.money_exponent());
      }
      default:
        break;
    }
  } else if (x == Kind::kTimestamp && y == Kind::kDuration) {
    return MakeTimestamp(ctx, TotalNanos(a) + TotalNanos(b));
  } else if (x == Kind::kDuration && y == Kind::kTimestamp) {
    return MakeTimestamp(ctx, TotalNanos(a) + TotalNanos(b));
  }
  return NoOverload(ctx, "_+_", v, n);
}

Value Sub(EvalContext& ctx, const Value* v, size_t n) {
  const Value &a = v[0], &b = v[1];
  Kind x = a.kind(), y = b.kind();
  if (x == y) {
    switch (x) {
      case Kind::kInt: {
        int64_t r;
        if (__builtin_sub_overflow(a.int_value(), b.int_value(), &r)) return Overflow(ctx);
        return Value::Int(r);
      }
      case Kind::kUint: {
        uint64_t r;
        if (__builtin_sub_overflow(a.uint_value(), b.uint_value(), &r)) return Overflow(ctx);
        return Value::Uint(r);
      }
      case Kind::kDouble:
        return Value::Double(a.double_value() - b.double_value());
      case Kind::kDuration:
        return MakeDuration(ctx, TotalNanos(a) - TotalNanos(b));
      case Kind::kTimestamp:
        return MakeDuration(ctx, TotalNanos(a) - TotalNanos(b));
      case Kind::kMoney: {
        if (!SameCurrency(a, b)) {
          return ctx.MakeError("cannot subtract money in different currencies");
        }
        int64_t r;
        if (__builtin_sub_overflow(a.money_minor(), b.money_minor(), &r)) return Overflow(ctx);
        return Value::Money(r, a.money_currency(), a.money_exponent());
      }
      default:
        break;
    }
  } else if (x == Kind::kTimestamp && y == Kind::kDuration) {
    return MakeTimestamp(ctx, TotalNanos(a) - TotalNanos(b));
  }
  return NoOverload(ctx, "_-_", v, n);
}

Value Mul(EvalContext& ctx, const Value* v, size_t n) {
  const Value &a = v[0], &b = v[1];
  Kind x = a.kind(), y = b.kind();
  if (x == y) {
    switch (x) {
      case Kind::kInt: {
        int64_t r;
        if (__builtin_mul_overflow(a.int_value(), b.int_value(), &r)) return Overflow(ctx);
        return Value::Int(r);
      }
      case Kind::kUint: {
        uint64_t r;
        if (__builtin_mul_overflow(a.uint_value(), b.uint_value(), &r)) return Overflow(ctx);
        return Value::Uint(r);
      }
      case Kind::kDouble:
        return Value::Double(a.double_value() * b.double_value());
      default:
        break;
    }
  }
  if ((x == Kind::kMoney && y == Kind::kInt) || (x == Kind::kInt && y == Kind::kMoney)) {
    const Value& m = x == Kind::kMoney ? a : b;
    int64_t k = x == Kind::kMoney ? b.int_value() : a.int_value();
    int64_t r;
    if (__builtin_mul_overflow(m.money_minor(), k, &r)) return Overflow(ctx);
    return Value::Money(r, m.money_currency(), m.money_exponent());
  }
  return NoOverload(ctx, "_*_", v, n);
}

Value Div(EvalContext& ctx, const Value* v, size_t n) {
  const Value &a = v[0], &b = v[1];
  if (a.kind() == b.kind()) {
    switch (a.kind()) {
      case Kind::kInt:
        if (b.int_value() == 0) return ctx.MakeError("division by zero");
        if (a.int_value() == INT64_MIN && b.int_value() == -1) return Overflow(ctx);
        return Value::Int(a.int_value() / b.int_value());
      case Kind::kUint:
        if (b.uint_value() == 0) return ctx.MakeError("division by zero");
        return Value::Uint(a.uint_value() / b.uint_value());
      case Kind::kDouble:
        return Value::Double(a.double_value() / b.double_value());
      default:
        break;
    }
  }
  return NoOverload(ctx, "_/_", v, n);
}

Value Mod(EvalContext& ctx, const Value* v, size_t n) {
  const Value &a = v[0], &b = v[1];
  if (a.kind() == b.kind()) {
    switch (a.kind()) {
      case Kind::kInt:
        if (b.int_value() == 0) return ctx.MakeError("modulus by zero");
        if (a.int_value() == INT64_MIN && b.int_value() == -1) return Overflow(ctx);
        return Value::Int(a.int_value() % b.int_value());
      case Kind::kUint:
        if (b.uint_value() == 0) return ctx.MakeError("modulus by zero");
        return Value::Uint(a.uint_value() % b.uint_value());
      default:
        break;
    }
  }
  return NoOverload(ctx, "_%_", v, n);
}

Value Neg(EvalContext& ctx, const Value* v, size_t n) {
  const Value& a = v[0];
  switch (a.kind()) {
    case Kind::kInt:
      if (a.int_value() == INT64_MIN) return Overflow(ctx);
      return Value::Int(-a.int_value());
    case Kind::kDouble:
      return Value::Double(-a.double_value());
    case Kind::kDuration:
      return MakeDuration(ctx, -TotalNanos(a));
    case Kind::kMoney:
      if (a.money_minor() == INT64_MIN) return Overflow(ctx);
      return Value::Money(-a.money_minor(), a.money_currency(), a.money_exponent());
    default:
      return NoOverload(ctx, "-_", v, n);
  }
}

Value Not(EvalContext& ctx, const Value* v, size_t n) {
  if (v[0].kind() != Kind::kBool) return NoOverload(ctx, "!_", v, n);
  return Value::Bool(!v[0].bool_value());
}

template <int kOp>  // 0 <, 1 <=, 2 >, 3 >=
Value Compare(EvalContext& ctx, const Value* v, size_t n) {
  static constexpr std::string_view kNames[] = {"_<_", "_<=_", "_>_", "_>=_"};
  const char* error = nullptr;
  int c = CompareValues(v[0], v[1], &error);
  if (error) {
    if (v[0].kind() == Kind::kMoney && v[1].kind() == Kind::kMoney) return ctx.MakeError(error);
    return NoOverload(ctx, kNames[kOp], v, n);
  }
  if (c == 2) return Value::Bool(false);  // NaN
  switch (kOp) {
    case 0:
      return Value::Bool(c < 0);
    case 1:
      return Value::Bool(c <= 0);
    case 2:
      return Value::Bool(c > 0);
    default:
      return Value::Bool(c >= 0);
  }
}

Value Eq(EvalContext& ctx, const Value* v, size_t) { return Equals(v[0], v[1], ctx); }
Value Ne(EvalContext& ctx, const Value* v, size_t) {
  Value e = Equals(v[0], v[1], ctx);
  return e.is_error() ? e : Value::Bool(!e.bool_value());
}

Value In(EvalContext& ctx, const Value* v, size_t n) {
  const Value &x = v[0], &c = v[1];
  if (c.kind() == Kind::kList) {
    size_t size = c.list_size();
    for (size_t i = 0; i < size; ++i) {
      Value e = Equals(x, c.list_get(i, ctx), ctx);
      if (!e.is_error() && e.bool_value()) return e;
    }
    return Value::Bool(false);
  }
  if (c.kind() == Kind::kMap) {
    Value out;
    return Value::Bool(c.map_ops()->find(c.data(), x, &out, ctx));
  }
  return NoOverload(ctx, "@in", v, n);
}

Value Index(EvalContext& ctx, const Value* v, size_t n) {
  const Value &c = v[0], &i = v[1];
  if (c.kind() == Kind::kList) {
    int64_t idx;
    switch (i.kind()) {
      case Kind::kInt:
        idx = i.int_value();
        break;
      case Kind::kUint:
        if (i.uint_value() > static_cast<uint64_t>(INT64_MAX)) {
          return ctx.MakeError("index out of range");
        }
        idx = static_cast<int64_t>(i.uint_value());
        break;
      case Kind::kDouble: {
        double d = i.double_value();
        if (d != std::trunc(d) || d < -9.2e18 || d > 9.2e18) {
          return ctx.MakeError("invalid list index: not a whole number");
        }
        idx = static_cast<int64_t>(d);
        break;
      }
      default:
        return NoOverload(ctx, "_[_]", v, n);
    }
    if (idx < 0 || static_cast<uint64_t>(idx) >= c.list_size()) {
      return ctx.MakeError("index out of range: " + std::to_string(idx));
    }
    return c.list_get(static_cast<size_t>(idx), ctx);
  }
  if (c.kind() == Kind::kMap) {
    Value out;
    if (c.map_ops()->find(c.data(), i, &out, ctx)) return out;
    if (i.kind() == Kind::kString) {
      return ctx.MakeError("no such key: '" + std::string(i.string_value()) + "'");
    }
    return ctx.MakeError("no such key");
  }
  return NoOverload(ctx, "_[_]", v, n);
}

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

Value Size(EvalContext& ctx, const Value* v, size_t n) {
  switch (v[0].kind()) {
    case Kind::kString:
      return Value::Int(static_cast<int64_t>(Utf8Length(v[0].string_value())));
    case Kind::kBytes:
      return Value::Int(static_cast<int64_t>(v[0].string_value().size()));
    case Kind::kList:
      return Value::Int(static_cast<int64_t>(v[0].list_size()));
    case Kind::kMap:
      return Value::Int(static_cast<int64_t>(v[0].map_size()));
    default:
      return NoOverload(ctx, "size", v, n);
  }
}

}  // namespace

void AddArithmeticFunctions(std::vector<Function>& out) {
  out.push_back({"_+_", false, 2, 2, TypeAdd, Add});
  out.push_back({"_-_", false, 2, 2, TypeSub, Sub});
  out.push_back({"_*_", false, 2, 2, TypeMul, Mul});
  out.push_back({"_/_", false, 2, 2, TypeDiv, Div});
  out.push_back({"_%_", false, 2, 2, TypeMod, Mod});
  out.push_back({"-_", false, 1, 1, TypeNeg, Neg});
  out.push_back({"!_", false, 1, 1, TypeNot, Not});
  out.push_back({"_<_", false, 2, 2, TypeCompare, Compare<0>});
  out.push_back({"_<=_", false, 2, 2, TypeCompare, Compare<1>});
  out.push_back({"_>_", false, 2, 2, TypeCompare, Compare<2>});
  out.push_back({"_>=_", false, 2, 2, TypeCompare, Compare<3>});
  out.push_back({"_==_", false, 2, 2, TypeEquals, Eq});
  out.push_back({"_!=_", false, 2, 2, TypeEquals, Ne});
  out.push_back({"@in", false, 2, 2, TypeIn, In});
  out.push_back({"_[_]", false, 2, 2, TypeIndex, Index});
  out.push_back({"size", false, 1, 1, TypeSize, Size});
  out.push_back({"size", true, 1, 1, TypeSize, Size});
}

}  // namespace orderpilot::expr::internal
