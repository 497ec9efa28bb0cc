// expr/internal/functions.h — the standard library's function table (private to expr).
//
// Each function is one entry: a name, its call style, its arity, a typer for the checker and an
// implementation for the evaluator. Implementations are strict: the evaluator answers an error
// argument with that error before calling them. Families live one per file:
// functions_arith.cc (operators), functions_string.cc, functions_convert.cc, functions_time.cc,
// functions_money.cc.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "expr/program.h"
#include "expr/type.h"
#include "expr/value.h"

namespace orderpilot::expr::internal {

using Impl = Value (*)(EvalContext& ctx, const Value* args, size_t n);
// Returns the result type, or null when no overload accepts these argument types.
using Typer = const Type* (*)(const TypeStore& ts, const Type* const* args, size_t n);

struct Function {
  std::string_view name;
  bool receiver = false;  // called as args[0].name(args[1..])
  int min_args = 1;       // including the receiver
  int max_args = 1;
  Typer typer = nullptr;
  Impl impl = nullptr;
};

const Function* FindFunction(std::string_view name, bool receiver, size_t nargs);
// Whether any function has this name (to tell "unknown function" from "wrong arguments").
bool FunctionExists(std::string_view name);

void AddArithmeticFunctions(std::vector<Function>& out);
void AddStringFunctions(std::vector<Function>& out);
void AddConversionFunctions(std::vector<Function>& out);
void AddTimeFunctions(std::vector<Function>& out);
void AddMoneyFunctions(std::vector<Function>& out);

// --- helpers shared by the families ---

// "no matching overload for '_+_' applied to (int, string)".
Value NoOverload(EvalContext& ctx, std::string_view fn, const Value* args, size_t n);
// Exact numeric comparison across int/uint/double: -1, 0, 1, or 2 when unordered (NaN).
int CompareNumbers(const Value& a, const Value& b);
// Ordering of two values of comparable kinds: -1/0/1, 2 unordered; `*error` set when the kinds
// cannot be ordered (or money currencies differ).
int CompareValues(const Value& a, const Value& b, const char** error);

inline bool IsNumberKind(Kind k) {
  return k == Kind::kInt || k == Kind::kUint || k == Kind::kDouble;
}
inline bool IsDyn(const Type* t) { return t->kind == TypeKind::kDyn; }
inline bool Is(const Type* t, TypeKind k) { return t->kind == k || t->kind == TypeKind::kDyn; }

// Durations are int64 nanoseconds wide (±292 years), as in cel-go; timestamps span years
// 0001..9999.
constexpr int64_t kMinTimestampSeconds = -62135596800;
constexpr int64_t kMaxTimestampSeconds = 253402300799;
Value MakeTimestamp(EvalContext& ctx, __int128 nanos);  // range-checked
Value MakeDuration(EvalContext& ctx, __int128 nanos);   // range-checked
inline __int128 TotalNanos(const Value& v) {
  return static_cast<__int128>(v.seconds()) * 1000000000 + v.nanos();
}

// Parses RFC 3339 ("2009-02-13T23:31:30.5Z", "...+05:30"); false when malformed or out of range.
bool ParseRfc3339(std::string_view s, int64_t* seconds, int32_t* nanos, bool* out_of_range);
std::string FormatRfc3339(int64_t seconds, int32_t nanos);
std::string FormatDuration(int64_t seconds, int32_t nanos);
// Go-style duration text: "1h2m3.5s", "-1.5h", "100ms", "1us", "1µs", "1ns".
bool ParseDurationText(std::string_view s, __int128* nanos);

}  // namespace orderpilot::expr::internal
