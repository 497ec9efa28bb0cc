// Timestamps and durations: RFC 3339 and Go-style duration text, and the accessors
// (getFullYear, getMonth, getDayOfYear, getDayOfMonth, getDate, getDayOfWeek, getHours,
// getMinutes, getSeconds, getMilliseconds), each with an optional time zone for timestamps.
#include <charconv>

#include "core/time_zone.h"
#include "expr/internal/functions.h"

namespace orderpilot::expr::internal {

namespace {

bool Digits(std::string_view s, size_t at, size_t n, int64_t* out) {
  if (at + n > s.size()) return false;
  int64_t v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

}  // namespace

bool ParseRfc3339(std::string_view s, int64_t* seconds, int32_t* nanos, bool* out_of_range) {
  // YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|±HH:MM)
  int64_t y, mo, d, h, mi, se;
  size_t year_len = 0;
  while (year_len < s.size() && s[year_len] >= '0' && s[year_len] <= '9') ++year_len;
  if (year_len > 4) {
    *out_of_range = true;
    return false;
  }
  if (year_len != 4 || !Digits(s, 0, 4, &y) || s.size() < 20 || s[4] != '-' ||
      !Digits(s, 5, 2, &mo) || s[7] != '-' || !Digits(s, 8, 2, &d) ||
      (s[10] != 'T' && s[10] != 't') || !Digits(s, 11, 2, &h) || s[13] != ':' ||
      !Digits(s, 14, 2, &mi) || s[16] != ':' || !Digits(s, 17, 2, &se)) {
    return false;
  }
  if (y == 0) {
    *out_of_range = true;
    return false;
  }
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1] || h > 23 || mi > 59 || se > 60) {
    return false;
  }
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo == 2 && d == 29 && !leap) return false;
  size_t i = 19;
  int64_t frac = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    size_t n = i - start;
    if (n == 0 || n > 9) return false;
    Digits(s, start, n, &frac);
    for (size_t k = n; k < 9; ++k) frac *= 10;
  }
  int64_t offset = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int64_t oh, om;
    if (!Digits(s, i + 1, 2, &oh) || i + 3 >= s.size() || s[i + 3] != ':' ||
        !Digits(s, i + 4, 2, &om) || oh > 23 || om > 59) {
      return false;
    }
    offset = (oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
    i += 6;
  } else {
    return false;
  }
  if (i != s.size()) return false;
  int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  *seconds = days * 86400 + h * 3600 + mi * 60 + se - offset;
  *nanos = static_cast<int32_t>(frac);
  if (*seconds < kMinTimestampSeconds || *seconds > kMaxTimestampSeconds) {
    *out_of_range = true;
    return false;
  }
  return true;
}

std::string FormatRfc3339(int64_t seconds, int32_t nanos) {
  CivilTime c = ToCivil(seconds, TimeZone::Utc());
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02d:%02d:%02d",
                        static_cast<long long>(c.year), c.month, c.day, c.hour, c.minute, c.second);
  std::string out(buf, n);
  if (nanos) {
    char f[16];
    std::snprintf(f, sizeof f, ".%09d", nanos);
    std::string frac(f);
    while (frac.back() == '0') frac.pop_back();
    out += frac;
  }
  out += 'Z';
  return out;
}

std::string FormatDuration(int64_t seconds, int32_t nanos) {
  std::string out;
  bool neg = seconds < 0 || nanos < 0;
  uint64_t s = neg ? 0 - static_cast<uint64_t>(seconds) : static_cast<uint64_t>(seconds);
  int32_t ns = nanos < 0 ? -nanos : nanos;
  if (neg) out += '-';
  out += std::to_string(s);
  if (ns) {
    char f[16];
    std::snprintf(f, sizeof f, ".%09d", ns);
    std::string frac(f);
    while (frac.back() == '0') frac.pop_back();
    out += frac;
  }
  out += 's';
  return out;
}

bool ParseDurationText(std::string_view s, __int128* nanos) {
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") {
    *nanos = 0;
    return true;
  }
  if (s.empty()) return false;
  __int128 total = 0;
  while (!s.empty()) {
    size_t i = 0;
    __int128 whole = 0;
    bool any = false;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      whole = whole * 10 + (s[i] - '0');
      if (whole > (__int128{1} << 100)) return false;
      ++i;
      any = true;
    }
    __int128 frac = 0, scale = 1;
    if (i < s.size() && s[i] == '.') {
      ++i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        if (scale < 1000000000000000000) {
          frac = frac * 10 + (s[i] - '0');
          scale *= 10;
        }
        ++i;
        any = true;
      }
    }
    if (!any) return false;
    size_t u = i;
    while (u < s.size() && !(s[u] >= '0' && s[u] <= '9') && s[u] != '.') ++u;
    std::string_view unit = s.substr(i, u - i);
    __int128 mult;
    if (unit == "ns") {
      mult = 1;
    } else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") {
      mult = 1000;
    } else if (unit == "ms") {
      mult = 1000000;
    } else if (unit == "s") {
      mult = 1000000000;
    } else if (unit == "m") {
      mult = 60LL * 1000000000;
    } else if (unit == "h") {
      mult = 3600LL * 1000000000;
    } else {
      return false;
    }
    total += whole * mult + frac * mult / scale;
    if (total > (__int128{1} << 100)) return false;
    s.remove_prefix(u);
  }
  *nanos = neg ? -total : total;
  return true;
}

namespace {

const Type* TypeTimeAccessor(const TypeStore& ts, const Type* const* a, size_t n) {
  if (n == 2 && !Is(a[1], TypeKind::kString)) return nullptr;
  if (a[0]->kind == TypeKind::kDyn || a[0]->kind == TypeKind::kTimestamp) {
    return ts.Basic(TypeKind::kInt);
  }
  if (a[0]->kind == TypeKind::kDuration && n == 1) return ts.Basic(TypeKind::kInt);
  return nullptr;
}

enum class Field {
  kYear,
  kMonth,
  kDayOfYear,
  kDayOfMonth,
  kDate,
  kDayOfWeek,
  kHours,
  kMinutes,
  kSeconds,
  kMillis
};

template <Field kField>
Value Accessor(EvalContext& ctx, const Value* v, size_t n) {
  static constexpr std::string_view kNames[] = {
      "getFullYear",  "getMonth", "getDayOfYear", "getDayOfMonth", "getDate",
      "getDayOfWeek", "getHours", "getMinutes",   "getSeconds",    "getMilliseconds"};
  const Value& a = v[0];
  if (a.kind() == Kind::kDuration && n == 1) {
    __int128 total = TotalNanos(a);
    switch (kField) {
      case Field::kHours:
        return Value::Int(static_cast<int64_t>(total / 3600000000000LL));
      case Field::kMinutes:
        return Value::Int(static_cast<int64_t>(total / 60000000000LL));
      case Field::kSeconds:
        return Value::Int(a.seconds());
      case Field::kMillis:
        return Value::Int(a.nanos() / 1000000);
      default:
        return NoOverload(ctx, kNames[static_cast<int>(kField)], v, n);
    }
  }
  if (a.kind() != Kind::kTimestamp || (n == 2 && v[1].kind() != Kind::kString)) {
    return NoOverload(ctx, kNames[static_cast<int>(kField)], v, n);
  }
  int64_t offset = 0;
  if (n == 2) {
    std::string_view name = v[1].string_value();
    std::string fixed;
    if (name.size() == 5 && name[2] == ':' && name[0] >= '0' && name[0] <= '9') {
      fixed = "+" + std::string(name);  // "02:00" means +02:00
      name = fixed;
    }
    Result<const TimeZone*> tz = ctx.Zone(name);
    if (!tz.ok()) return ctx.MakeError(tz.status().message());
    offset = (*tz)->OffsetAt(a.seconds());
  }
  CivilTime c = ToCivil(a.seconds() + offset, TimeZone::Utc());
  switch (kField) {
    case Field::kYear:
      return Value::Int(c.year);
    case Field::kMonth:
      return Value::Int(c.month - 1);
    case Field::kDayOfYear:
      return Value::Int(c.day_of_year);
    case Field::kDayOfMonth:
      return Value::Int(c.day - 1);
    case Field::kDate:
      return Value::Int(c.day);
    case Field::kDayOfWeek:
      return Value::Int(c.day_of_week);
    case Field::kHours:
      return Value::Int(c.hour);
    case Field::kMinutes:
      return Value::Int(c.minute);
    case Field::kSeconds:
      return Value::Int(c.second);
    case Field::kMillis:
      return Value::Int(a.nanos() / 1000000);
  }
  return Value::Null();
}

}  // namespace

void AddTimeFunctions(std::vector<Function>& out) {
  out.push_back({"getFullYear", true, 1, 2, TypeTimeAccessor, Accessor<Field::kYear>});
  out.push_back({"getMonth", true, 1, 2, TypeTimeAccessor, Accessor<Field::kMonth>});
  out.push_back({"getDayOfYear", true, 1, 2, TypeTimeAccessor, Accessor<Field::kDayOfYear>});
  out.push_back({"getDayOfMonth", true, 1, 2, TypeTimeAccessor, Accessor<Field::kDayOfMonth>});
  out.push_back({"getDate", true, 1, 2, TypeTimeAccessor, Accessor<Field::kDate>});
  out.push_back({"getDayOfWeek", true, 1, 2, TypeTimeAccessor, Accessor<Field::kDayOfWeek>});
  out.push_back({"getHours", true, 1, 2, TypeTimeAccessor, Accessor<Field::kHours>});
  out.push_back({"getMinutes", true, 1, 2, TypeTimeAccessor, Accessor<Field::kMinutes>});
  out.push_back({"getSeconds", true, 1, 2, TypeTimeAccessor, Accessor<Field::kSeconds>});
  out.push_back({"getMilliseconds", true, 1, 2, TypeTimeAccessor, Accessor<Field::kMillis>});
}

}  // namespace orderpilot::expr::internal
