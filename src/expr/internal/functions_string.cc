// String functions: contains, startsWith, endsWith, matches (RE2), and the strings extension's
// lowerAscii, upperAscii, trim, split, join, replace.
#include <re2/re2.h>

#include <cstring>

#include "expr/internal/functions.h"

namespace orderpilot::expr::internal {
namespace {

const Type* TypeStrStrBool(const TypeStore& ts, const Type* const* a, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (!Is(a[i], TypeKind::kString)) return nullptr;
  }
  return ts.Basic(TypeKind::kBool);
}

const Type* TypeStrToStr(const TypeStore& ts, const Type* const* a, size_t n) {
  return Is(a[0], TypeKind::kString) ? ts.Basic(TypeKind::kString) : nullptr;
}

const Type* TypeSplit(const TypeStore& ts, const Type* const* a, size_t n) {
  if (!Is(a[0], TypeKind::kString) || !Is(a[1], TypeKind::kString)) return nullptr;
  if (n == 3 && !Is(a[2], TypeKind::kInt)) return nullptr;
  return ts.List(ts.Basic(TypeKind::kString));
}

const Type* TypeJoin(const TypeStore& ts, const Type* const* a, size_t n) {
  if (!Is(a[0], TypeKind::kList) && !IsDyn(a[0])) return nullptr;
  if (a[0]->kind == TypeKind::kList && !Is(a[0]->param0, TypeKind::kString)) return nullptr;
  if (n == 2 && !Is(a[1], TypeKind::kString)) return nullptr;
  return ts.Basic(TypeKind::kString);
}

const Type* TypeReplace(const TypeStore& ts, const Type* const* a, size_t n) {
  for (size_t i = 0; i < 3; ++i) {
    if (!Is(a[i], TypeKind::kString)) return nullptr;
  }
  if (n == 4 && !Is(a[3], TypeKind::kInt)) return nullptr;
  return ts.Basic(TypeKind::kString);
}

bool AllStrings(const Value* v, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (v[i].kind() != Kind::kString) return false;
  }
  return true;
}

Value Contains(EvalContext& ctx, const Value* v, size_t n) {
  if (!AllStrings(v, n)) return NoOverload(ctx, "contains", v, n);
  return Value::Bool(v[0].string_value().find(v[1].string_value()) != std::string_view::npos);
}
Value StartsWith(EvalContext& ctx, const Value* v, size_t n) {
  if (!AllStrings(v, n)) return NoOverload(ctx, "startsWith", v, n);
  return Value::Bool(v[0].string_value().starts_with(v[1].string_value()));
}
Value EndsWith(EvalContext& ctx, const Value* v, size_t n) {
  if (!AllStrings(v, n)) return NoOverload(ctx, "endsWith", v, n);
  return Value::Bool(v[0].string_value().ends_with(v[1].string_value()));
}

Value Matches(EvalContext& ctx, const Value* v, size_t n) {
  if (!AllStrings(v, n)) return NoOverload(ctx, "matches", v, n);
  std::string_view pattern = v[1].string_value();
  RE2::Options options;
  options.set_log_errors(false);
  RE2 re(re2::StringPiece(pattern.data(), pattern.size()), options);
  if (!re.ok()) return ctx.MakeError("invalid regular expression: " + re.error());
  std::string_view s = v[0].string_value();
  return Value::Bool(RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), re));
}

Value MapAscii(EvalContext& ctx, const Value& s, bool upper) {
  std::string_view in = s.string_value();
  char* p = static_cast<char*>(ctx.arena().Allocate(in.size() + 1, 1));
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    p[i] = c;
  }
  return Value::String({p, in.size()});
}

Value LowerAscii(EvalContext& ctx, const Value* v, size_t n) {
  if (!AllStrings(v, n)) return NoOverload(ctx, "lowerAscii", v, n);
  return MapAscii(ctx, v[0], false);
}
Value UpperAscii(EvalContext& ctx, const Value* v, size_t n) {
  if (!AllStrings(v, n)) return NoOverload(ctx, "upperAscii", v, n);
  return MapAscii(ctx, v[0], true);
}

// Length of the Unicode white space at s[i] (0 when none).
size_t SpaceAt(std::string_view s, size_t i) {
  unsigned char c = s[i];
  if (c == ' ' || (c >= '\t' && c <= '\r')) return 1;
  if (c == 0xC2 && i + 1 < s.size()) {
    unsigned char d = s[i + 1];
    return (d == 0x85 || d == 0xA0) ? 2 : 0;
  }
  if ((c == 0xE1 || c == 0xE2 || c == 0xE3) && i + 2 < s.size()) {
    unsigned char d = s[i + 1], e = s[i + 2];
    if (c == 0xE1 && d == 0x9A && e == 0x80) return 3;  // U+1680
    if (c == 0xE2 && d == 0x80 && (e <= 0x8A || e == 0xA8 || e == 0xA9 || e == 0xAF)) return 3;
    if (c == 0xE2 && d == 0x81 && e == 0x9F) return 3;  // U+205F
    if (c == 0xE3 && d == 0x80 && e == 0x80) return 3;  // U+3000
  }
  return 0;
}

Value Trim(EvalContext& ctx, const Value* v, size_t n) {
  if (!AllStrings(v, n)) return NoOverload(ctx, "trim", v, n);
  std::string_view s = v[0].string_value();
  size_t b = 0;
  while (b < s.size()) {
    size_t k = SpaceAt(s, b);
    if (!k) break;
    b += k;
  }
  size_t e = s.size();
  while (e > b) {
    // Step back over one UTF-8 character and test it.
    size_t start = e - 1;
    while (start > b && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    if (SpaceAt(s, start) != e - start) break;
    e = start;
  }
  return Value::String(s.substr(b, e - b));
}

// Calls emit(part) for each part of s split at sep (Go's strings.SplitN: limit < 0 = all,
// an empty separator splits into UTF-8 characters).
template <typename Emit>
void ForEachPart(std::string_view s, std::string_view sep, int64_t limit, Emit emit) {
  int64_t parts = 0;
  if (limit == 0) return;
  if (limit == 1) {
    emit(s);
    return;
  }
  size_t i = 0;
  if (sep.empty()) {
    while (i < s.size()) {
      if (limit > 0 && parts == limit - 1) {
        emit(s.substr(i));
        return;
      }
      size_t len = 1;
      while (i + len < s.size() && (static_cast<unsigned char>(s[i + len]) & 0xC0) == 0x80) ++len;
      emit(s.substr(i, len));
      ++parts;
      i += len;
    }
    return;
  }
  while (true) {
    if (limit > 0 && parts == limit - 1) {
      emit(s.substr(i));
      return;
    }
    size_t at = s.find(sep, i);
    if (at == std::string_view::npos) {
      emit(s.substr(i));
      return;
    }
    emit(s.substr(i, at - i));
    ++parts;
    i = at + sep.size();
  }
}

Value Split(EvalContext& ctx, const Value* v, size_t n) {
  if (v[0].kind() != Kind::kString || v[1].kind() != Kind::kString ||
      (n == 3 && v[2].kind() != Kind::kInt)) {
    return NoOverload(ctx, "split", v, n);
  }
  std::string_view s = v[0].string_value(), sep = v[1].string_value();
  int64_t limit = n == 3 ? v[2].int_value() : -1;
  size_t count = 0;
  ForEachPart(s, sep, limit, [&](std::string_view) { ++count; });
  if (!ctx.Charge(static_cast<int64_t>(count / 8))) return ctx.MakeError("cost limit exceeded");
  Value* items = static_cast<Value*>(
      ctx.arena().Allocate(sizeof(Value) * (count ? count : 1), alignof(Value)));
  size_t k = 0;
  ForEachPart(s, sep, limit, [&](std::string_view part) { items[k++] = Value::String(part); });
  return Value::List(ctx.arena().New<ArrayList>(ArrayList{items, count}), &kArrayListOps);
}

Value Join(EvalContext& ctx, const Value* v, size_t n) {
  if (v[0].kind() != Kind::kList || (n == 2 && v[1].kind() != Kind::kString)) {
    return NoOverload(ctx, "join", v, n);
  }
  std::string_view sep = n == 2 ? v[1].string_value() : std::string_view();
  size_t size = v[0].list_size(), bytes = 0;
  for (size_t i = 0; i < size; ++i) {
    Value e = v[0].list_get(i, ctx);
    if (e.kind() != Kind::kString) return ctx.MakeError("join: list element is not a string");
    bytes += e.string_value().size() + (i ? sep.size() : 0);
  }
  if (!ctx.Charge(static_cast<int64_t>(bytes / 64))) return ctx.MakeError("cost limit exceeded");
  char* out = static_cast<char*>(ctx.arena().Allocate(bytes + 1, 1));
  size_t at = 0;
  for (size_t i = 0; i < size; ++i) {
    if (i) {
      if (!sep.empty()) std::memcpy(out + at, sep.data(), sep.size());
      at += sep.size();
    }
    std::string_view e = v[0].list_get(i, ctx).string_value();
    if (!e.empty()) std::memcpy(out + at, e.data(), e.size());
    at += e.size();
  }
  return Value::String({out, bytes});
}

// Calls emit(piece) for the pieces of s with `from` replaced by `to`, at most `limit` times
// (Go's strings.Replace; an empty `from` inserts `to` around every UTF-8 character).
template <typename Emit>
void ForEachReplaced(std::string_view s, std::string_view from, std::string_view to, int64_t limit,
                     Emit emit) {
  size_t start = 0;
  int64_t done = 0;
  if (from.empty()) {
    while (start <= s.size() && (limit < 0 || done < limit)) {
      emit(to);
      ++done;
      if (start == s.size()) {
        start = s.size() + 1;
        break;
      }
      size_t len = 1;
      while (start + len < s.size() &&
             (static_cast<unsigned char>(s[start + len]) & 0xC0) == 0x80) {
        ++len;
      }
      emit(s.substr(start, len));
      start += len;
    }
  } else {
    while (limit < 0 || done < limit) {
      size_t at = s.find(from, start);
      if (at == std::string_view::npos) break;
      emit(s.substr(start, at - start));
      emit(to);
      start = at + from.size();
      ++done;
    }
  }
  if (start <= s.size()) emit(s.substr(start));
}

Value Replace(EvalContext& ctx, const Value* v, size_t n) {
  if (!AllStrings(v, 3) || (n == 4 && v[3].kind() != Kind::kInt)) {
    return NoOverload(ctx, "replace", v, n);
  }
  std::string_view s = v[0].string_value(), from = v[1].string_value(), to = v[2].string_value();
  int64_t limit = n == 4 ? v[3].int_value() : -1;
  size_t bytes = 0;
  ForEachReplaced(s, from, to, limit, [&](std::string_view piece) { bytes += piece.size(); });
  if (!ctx.Charge(static_cast<int64_t>(bytes / 64))) return ctx.MakeError("cost limit exceeded");
  char* out = static_cast<char*>(ctx.arena().Allocate(bytes + 1, 1));
  size_t at = 0;
  ForEachReplaced(s, from, to, limit, [&](std::string_view piece) {
    if (!piece.empty()) std::memcpy(out + at, piece.data(), piece.size());
    at += piece.size();
  });
  return Value::String({out, bytes});
}

}  // namespace

void AddStringFunctions(std::vector<Function>& out) {
  out.push_back({"contains", true, 2, 2, TypeStrStrBool, Contains});
  out.push_back({"startsWith", true, 2, 2, TypeStrStrBool, StartsWith});
  out.push_back({"endsWith", true, 2, 2, TypeStrStrBool, EndsWith});
  out.push_back({"matches", true, 2, 2, TypeStrStrBool, Matches});
  out.push_back({"matches", false, 2, 2, TypeStrStrBool, Matches});
  out.push_back({"lowerAscii", true, 1, 1, TypeStrToStr, LowerAscii});
  out.push_back({"upperAscii", true, 1, 1, TypeStrToStr, UpperAscii});
  out.push_back({"trim", true, 1, 1, TypeStrToStr, Trim});
  out.push_back({"split", true, 2, 3, TypeSplit, Split});
  out.push_back({"join", true, 1, 2, TypeJoin, Join});
  out.push_back({"replace", true, 3, 4, TypeReplace, Replace});
}

}  // namespace orderpilot::expr::internal
