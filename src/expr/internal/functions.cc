#include "expr/internal/functions.h"

#include <unordered_map>

namespace orderpilot::expr::internal {
namespace {

struct Registry {
  std::vector<Function> functions;
  std::unordered_multimap<std::string_view, const Function*> by_name;
  Registry() {
    AddArithmeticFunctions(functions);
    AddStringFunctions(functions);
    AddConversionFunctions(functions);
    AddTimeFunctions(functions);
    AddMoneyFunctions(functions);
    for (const Function& f : functions) by_name.emplace(f.name, &f);
  }
};

const Registry& GetRegistry() {
  static const Registry kRegistry;
  return kRegistry;
}

}  // namespace

const Function* FindFunction(std::string_view name, bool receiver, size_t nargs) {
  auto [lo, hi] = GetRegistry().by_name.equal_range(name);
  for (auto it = lo; it != hi; ++it) {
    const Function* f = it->second;
    if (f->receiver == receiver && static_cast<int>(nargs) >= f->min_args &&
        static_cast<int>(nargs) <= f->max_args) {
      return f;
    }
  }
  return nullptr;
}

bool FunctionExists(std::string_view name) { return GetRegistry().by_name.count(name) > 0; }

Value NoOverload(EvalContext& ctx, std::string_view fn, const Value* args, size_t n) {
  std::string msg = "no matching overload for '";
  msg += fn;
  msg += "' applied to (";
  for (size_t i = 0; i < n; ++i) {
    if (i) msg += ", ";
    msg += KindTypeName(args[i]);
  }
  msg += ")";
  return ctx.MakeError(msg);
}

int CompareValues(const Value& a, const Value& b, const char** error) {
  auto cmp = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
  if (IsNumberKind(a.kind()) && IsNumberKind(b.kind())) return CompareNumbers(a, b);
  if (a.kind() != b.kind()) {
    *error = "no matching overload";
    return 0;
  }
  switch (a.kind()) {
    case Kind::kBool:
      return cmp(a.bool_value(), b.bool_value());
    case Kind::kString:
    case Kind::kBytes: {
      int c = a.string_value().compare(b.string_value());
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case Kind::kTimestamp:
    case Kind::kDuration: {
      int c = cmp(a.seconds(), b.seconds());
      return c != 0 ? c : cmp(a.nanos(), b.nanos());
    }
    case Kind::kMoney:
      if (a.money_currency_key() != b.money_currency_key()) {
        *error = "cannot compare money in different currencies";
        return 0;
      }
      return cmp(a.money_minor(), b.money_minor());
    default:
      *error = "no matching overload";
      return 0;
  }
}

Value MakeTimestamp(EvalContext& ctx, __int128 nanos) {
  __int128 s = nanos / 1000000000;
  __int128 n = nanos % 1000000000;
  if (n < 0) {
    n += 1000000000;
    s -= 1;
  }
  if (s < kMinTimestampSeconds || s > kMaxTimestampSeconds) {
    return ctx.MakeError("timestamp out of range");
  }
  return Value::Timestamp(static_cast<int64_t>(s), static_cast<int32_t>(n));
}

Value MakeDuration(EvalContext& ctx, __int128 nanos) {
  if (nanos > INT64_MAX || nanos < INT64_MIN) return ctx.MakeError("duration out of range");
  return Value::Duration(static_cast<int64_t>(nanos / 1000000000),
                         static_cast<int32_t>(nanos % 1000000000));
}

}  // namespace orderpilot::expr::internal
