// Type conversions: int(), uint(), double(), string(), bytes(), bool(), type(), dyn(),
// timestamp(), duration().
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "expr/internal/functions.h"

namespace orderpilot::expr::internal {
namespace {

template <TypeKind kResult, TypeKind... kFrom>
const Type* TypeConvert(const TypeStore& ts, const Type* const* a, size_t) {
  TypeKind k = a[0]->kind;
  if (k == TypeKind::kDyn || ((k == kFrom) || ...)) return ts.Basic(kResult);
  return nullptr;
}

const Type* TypeType(const TypeStore& ts, const Type* const* a, size_t) { return ts.TypeOf(a[0]); }
const Type* TypeDynConv(const TypeStore& ts, const Type* const*, size_t) { return ts.Dyn(); }

Value Range(EvalContext& ctx) { return ctx.MakeError("conversion out of range"); }

Value ToInt(EvalContext& ctx, const Value* v, size_t n) {
  const Value& a = v[0];
  switch (a.kind()) {
    case Kind::kInt:
      return a;
    case Kind::kUint:
      if (a.uint_value() > static_cast<uint64_t>(INT64_MAX)) return Range(ctx);
      return Value::Int(static_cast<int64_t>(a.uint_value()));
    case Kind::kDouble: {
      double d = a.double_value();
      if (!(d > -9223372036854775808.0 && d < 9223372036854775808.0)) return Range(ctx);
      return Value::Int(static_cast<int64_t>(d));
    }
    case Kind::kString: {
      std::string_view s = a.string_value();
      int64_t r;
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), r);
      if (ec == std::errc::result_out_of_range) return Range(ctx);
      if (ec != std::errc() || p != s.data() + s.size() || s.empty()) {
        return ctx.MakeError("cannot convert '" + std::string(s) + "' to int");
      }
      return Value::Int(r);
    }
    case Kind::kTimestamp:
      return Value::Int(a.seconds());
    default:
      return NoOverload(ctx, "int", v, n);
  }
}

Value ToUint(EvalContext& ctx, const Value* v, size_t n) {
  const Value& a = v[0];
  switch (a.kind()) {
    case Kind::kUint:
      return a;
    case Kind::kInt:
      if (a.int_value() < 0) return Range(ctx);
      return Value::Uint(static_cast<uint64_t>(a.int_value()));
    case Kind::kDouble: {
      double d = a.double_value();
      if (!(d > -1.0 && d < 18446744073709551616.0)) return Range(ctx);
      return Value::Uint(static_cast<uint64_t>(d));
    }
    case Kind::kString: {
      std::string_view s = a.string_value();
      uint64_t r;
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), r);
      if (ec == std::errc::result_out_of_range) return Range(ctx);
      if (ec != std::errc() || p != s.data() + s.size() || s.empty()) {
        return ctx.MakeError("cannot convert '" + std::string(s) + "' to uint");
      }
      return Value::Uint(r);
    }
    default:
      return NoOverload(ctx, "uint", v, n);
  }
}

Value ToDouble(EvalContext& ctx, const Value* v, size_t n) {
  const Value& a = v[0];
  switch (a.kind()) {
    case Kind::kDouble:
      return a;
    case Kind::kInt:
      return Value::Double(static_cast<double>(a.int_value()));
    case Kind::kUint:
      return Value::Double(static_cast<double>(a.uint_value()));
    case Kind::kString: {
      std::string_view s = a.string_value();
      std::string_view body = s;
      if (!body.empty() && body[0] == '+') body.remove_prefix(1);
      double r;
      auto [p, ec] = std::from_chars(body.data(), body.data() + body.size(), r);
      if (ec == std::errc::result_out_of_range) return Range(ctx);
      if (ec != std::errc() || p != body.data() + body.size() || body.empty()) {
        return ctx.MakeError("cannot convert '" + std::string(s) + "' to double");
      }
      return Value::Double(r);
    }
    default:
      return NoOverload(ctx, "double", v, n);
  }
}

std::string FormatDouble(double d) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::general);
  std::string s(buf, r.ptr);
  if (s == "inf") return "+Inf";
  if (s == "-inf") return "-Inf";
  if (s == "nan" || s == "-nan") return "NaN";
  return s;
}

Value ToString(EvalContext& ctx, const Value* v, size_t n) {
  const Value& a = v[0];
  Arena& arena = ctx.arena();
  switch (a.kind()) {
    case Kind::kString:
      return a;
    case Kind::kInt:
      return Value::String(arena.Copy(std::to_string(a.int_value())));
    case Kind::kUint:
      return Value::String(arena.Copy(std::to_string(a.uint_value())));
    case Kind::kDouble:
      return Value::String(arena.Copy(FormatDouble(a.double_value())));
    case Kind::kBool:
      return Value::String(a.bool_value() ? "true" : "false");
    case Kind::kBytes:
      if (!IsValidUtf8(a.string_value())) return ctx.MakeError("invalid UTF-8 in bytes");
      return Value::String(a.string_value());
    case Kind::kTimestamp:
      return Value::String(arena.Copy(FormatRfc3339(a.seconds(), a.nanos())));
    case Kind::kDuration:
      return Value::String(arena.Copy(FormatDuration(a.seconds(), a.nanos())));
    case Kind::kMoney: {
      // "500.00 USD"
      int64_t minor = a.money_minor();
      int e = a.money_exponent();
      bool neg = minor < 0;
      uint64_t u = neg ? 0 - static_cast<uint64_t>(minor) : static_cast<uint64_t>(minor);
      std::string digits = std::to_string(u);
      if (e > 0) {
        while (static_cast<int>(digits.size()) <= e) digits.insert(0, "0");
        digits.insert(digits.size() - e, ".");
      }
      std::string s = (neg ? "-" : "") + digits + " " + a.money_currency();
      return Value::String(arena.Copy(s));
    }
    case Kind::kType:
      return Value::String(a.string_value());
    default:
      return NoOverload(ctx, "string", v, n);
  }
}

Value ToBytes(EvalContext& ctx, const Value* v, size_t n) {
  const Value& a = v[0];
  if (a.kind() == Kind::kBytes) return a;
  if (a.kind() == Kind::kString) return Value::Bytes(a.string_value());
  return NoOverload(ctx, "bytes", v, n);
}

Value ToBool(EvalContext& ctx, const Value* v, size_t n) {
  const Value& a = v[0];
  if (a.kind() == Kind::kBool) return a;
  if (a.kind() == Kind::kString) {
    std::string_view s = a.string_value();
    if (s == "1" || s == "t" || s == "T" || s == "true" || s == "TRUE" || s == "True") {
      return Value::Bool(true);
    }
    if (s == "0" || s == "f" || s == "F" || s == "false" || s == "FALSE" || s == "False") {
      return Value::Bool(false);
    }
    return ctx.MakeError("cannot convert '" + std::string(s) + "' to bool");
  }
  return NoOverload(ctx, "bool", v, n);
}

Value ToType(EvalContext&, const Value* v, size_t) { return Value::TypeName(KindTypeName(v[0])); }
Value ToDyn(EvalContext&, const Value* v, size_t) { return v[0]; }

Value ToTimestamp(EvalContext& ctx, const Value* v, size_t n) {
  const Value& a = v[0];
  switch (a.kind()) {
    case Kind::kTimestamp:
      return a;
    case Kind::kInt:
      return MakeTimestamp(ctx, static_cast<__int128>(a.int_value()) * 1000000000);
    case Kind::kString: {
      int64_t s;
      int32_t ns;
      bool out_of_range = false;
      if (!ParseRfc3339(a.string_value(), &s, &ns, &out_of_range)) {
        if (out_of_range) return ctx.MakeError("timestamp out of range");
        return ctx.MakeError("cannot parse timestamp '" + std::string(a.string_value()) + "'");
      }
      return MakeTimestamp(ctx, static_cast<__int128>(s) * 1000000000 + ns);
    }
    default:
      return NoOverload(ctx, "timestamp", v, n);
  }
}

Value ToDuration(EvalContext& ctx, const Value* v, size_t n) {
  const Value& a = v[0];
  switch (a.kind()) {
    case Kind::kDuration:
      return a;
    case Kind::kString: {
      __int128 nanos;
      if (!ParseDurationText(a.string_value(), &nanos)) {
        return ctx.MakeError("cannot parse duration '" + std::string(a.string_value()) + "'");
      }
      return MakeDuration(ctx, nanos);
    }
    default:
      return NoOverload(ctx, "duration", v, n);
  }
}

}  // namespace

void AddConversionFunctions(std::vector<Function>& out) {
  using K = TypeKind;
  out.push_back({"int", false, 1, 1,
                 TypeConvert<K::kInt, K::kInt, K::kUint, K::kDouble, K::kString, K::kTimestamp>,
                 ToInt});
  out.push_back({"uint", false, 1, 1,
                 TypeConvert<K::kUint, K::kInt, K::kUint, K::kDouble, K::kString>, ToUint});
  out.push_back({"double", false, 1, 1,
                 TypeConvert<K::kDouble, K::kInt, K::kUint, K::kDouble, K::kString>, ToDouble});
  out.push_back({"string", false, 1, 1,
                 TypeConvert<K::kString, K::kInt, K::kUint, K::kDouble, K::kString, K::kBool,
                             K::kBytes, K::kTimestamp, K::kDuration, K::kMoney, K::kType>,
                 ToString});
  out.push_back({"bytes", false, 1, 1, TypeConvert<K::kBytes, K::kString, K::kBytes>, ToBytes});
  out.push_back({"bool", false, 1, 1, TypeConvert<K::kBool, K::kBool, K::kString>, ToBool});
  out.push_back({"type", false, 1, 1, TypeType, ToType});
  out.push_back({"dyn", false, 1, 1, TypeDynConv, ToDyn});
  out.push_back({"timestamp", false, 1, 1,
                 TypeConvert<K::kTimestamp, K::kTimestamp, K::kInt, K::kString>, ToTimestamp});
  out.push_back(
      {"duration", false, 1, 1, TypeConvert<K::kDuration, K::kDuration, K::kString>, ToDuration});
}

}  // namespace orderpilot::expr::internal
