#include "core/time_zone.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <system_error>
#include <vector>

namespace orderpilot {
namespace time_zone_internal {

// One end of a POSIX TZ daylight-saving rule: a day of the year and a local time of day.
struct DstBoundary {
  enum class Kind { kJulian, kZeroBased, kMonthWeekDay };  // "Jn" (no Feb 29), "n", "Mm.w.d"
  Kind kind = Kind::kMonthWeekDay;
  int day = 0;  // Jn / n: the day; Mm.w.d: the weekday d (0 = Sunday)
  int week = 1, month = 1;
  int32_t time = 7200;  // seconds after local midnight; may be negative or past 24h (RFC 8536)
};

// A POSIX TZ string such as "PST8PDT,M3.2.0,M11.1.0"; offsets here are seconds east of UTC.
struct PosixTz {
  int32_t std_offset = 0;
  bool has_dst = false;
  int32_t dst_offset = 0;
  DstBoundary start, end;
};

struct Rules {
  std::string name;
  std::vector<int64_t> transitions;   // ascending unix seconds
  std::vector<uint8_t> type_after;    // index into type_offsets, in effect from transitions[i]
  std::vector<int32_t> type_offsets;  // never empty
  std::optional<PosixTz> footer;      // rules after the last transition
};

}  // namespace time_zone_internal

namespace {

using time_zone_internal::DstBoundary;
using time_zone_internal::PosixTz;
using time_zone_internal::Rules;

constexpr int64_t kSecondsPerDay = 86400;
constexpr size_t kMaxTzifBytes = 1 << 20;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

int Weekday(int64_t days) { return static_cast<int>(days + 4 - FloorDiv(days + 4, 7) * 7); }

// ---- POSIX TZ strings (the TZif v2+ footer) ----

struct Cursor {
  std::string_view s;
  size_t p = 0;

  bool Done() const { return p == s.size(); }
  bool Eat(char c) {
    if (p >= s.size() || s[p] != c) return false;
    ++p;
    return true;
  }
  bool Int(int lo, int hi, int* out) {
    const size_t start = p;
    int v = 0;
    while (p < s.size() && p - start < 3 && s[p] >= '0' && s[p] <= '9') v = v * 10 + (s[p++] - '0');
    *out = v;
    return p > start && v >= lo && v <= hi;
  }
  // "<+0545>" or three or more letters.
  bool Name() {
    if (Eat('<')) {
      const size_t close = s.find('>', p);
      if (close == std::string_view::npos || close - p < 3) return false;
      p = close + 1;
      return true;
    }
    const size_t start = p;
    while (p < s.size() && ((s[p] | 0x20) >= 'a' && (s[p] | 0x20) <= 'z')) ++p;
    return p - start >= 3;
  }
  // [+-]hh[:mm[:ss]] in seconds.
  bool Hms(int max_hours, int32_t* out) {
    const int sign = Eat('-') ? -1 : 1;
    if (sign > 0) Eat('+');
    int h = 0, m = 0, sec = 0;
    if (!Int(0, max_hours, &h)) return false;
    if (Eat(':') && (!Int(0, 59, &m) || (Eat(':') && !Int(0, 59, &sec)))) return false;
    *out = sign * (h * 3600 + m * 60 + sec);
    return true;
  }
  bool Boundary(DstBoundary* b) {
    bool ok;
    if (Eat('M')) {
      b->kind = DstBoundary::Kind::kMonthWeekDay;
      ok = Int(1, 12, &b->month) && Eat('.') && Int(1, 5, &b->week) && Eat('.') &&
           Int(0, 6, &b->day);
    } else if (Eat('J')) {
      b->kind = DstBoundary::Kind::kJulian;
      ok = Int(1, 365, &b->day);
    } else {
      b->kind = DstBoundary::Kind::kZeroBased;
      ok = Int(0, 365, &b->day);
    }
    return ok && (!Eat('/') || Hms(167, &b->time));
  }
};

std::optional<PosixTz> ParsePosixTz(std::string_view text) {
  Cursor c{text};
  PosixTz tz;
  int32_t west = 0;  // POSIX offsets count hours west of Greenwich
  if (!c.Name() || !c.Hms(24, &west)) return std::nullopt;
  tz.std_offset = -west;
  if (c.Done()) return tz;
  if (!c.Name()) return std::nullopt;
  tz.has_dst = true;
  tz.dst_offset = tz.std_offset + 3600;
  if (!c.Done() && text[c.p] != ',') {
    if (!c.Hms(24, &west)) return std::nullopt;
    tz.dst_offset = -west;
  }
  if (c.Done()) {  // no rule given: POSIX leaves it to the implementation; use the US rule
    tz.start = {DstBoundary::Kind::kMonthWeekDay, 0, 2, 3, 7200};
    tz.end = {DstBoundary::Kind::kMonthWeekDay, 0, 1, 11, 7200};
    return tz;
  }
  if (!c.Eat(',') || !c.Boundary(&tz.start) || !c.Eat(',') || !c.Boundary(&tz.end) || !c.Done())
    return std::nullopt;
  return tz;
}

// Days since the epoch of the local date on which `b` falls in `year`.
int64_t BoundaryDay(const DstBoundary& b, int64_t year) {
  const int64_t jan1 = DaysFromCivil(year, 1, 1);
  const bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
  switch (b.kind) {
    case DstBoundary::Kind::kJulian:
      return jan1 + b.day - 1 + (leap && b.day >= 60);
    case DstBoundary::Kind::kZeroBased:
      return jan1 + b.day;
    case DstBoundary::Kind::kMonthWeekDay:
      break;
  }
  const auto month = static_cast<unsigned>(b.month);
  const int64_t first = DaysFromCivil(year, month, 1);
  const int64_t next =
      month == 12 ? DaysFromCivil(year + 1, 1, 1) : DaysFromCivil(year, month + 1, 1);
  int64_t day = first + (b.day - Weekday(first) + 7) % 7 + (b.week - 1) * 7;
  while (day >= next) day -= 7;  // week 5 means "last"
  return day;
}

int32_t PosixOffsetAt(const PosixTz& tz, int64_t t) {
  if (!tz.has_dst) return tz.std_offset;
  constexpr int64_t kLimit = int64_t{1} << 56;  // ~2e9 years; keeps the arithmetic below in range
  t = std::clamp(t, -kLimit, kLimit);
  int64_t year;
  unsigned m, d;
  CivilFromDays(FloorDiv(t + tz.std_offset, kSecondsPerDay), &year, &m, &d);
  // Each boundary's time is in the local time in effect just before it.
  const int64_t start =
      BoundaryDay(tz.start, year) * kSecondsPerDay + tz.start.time - tz.std_offset;
  const int64_t end = BoundaryDay(tz.end, year) * kSecondsPerDay + tz.end.time - tz.dst_offset;
  const bool dst = start < end ? (t >= start && t < end) : !(t >= end && t < start);
  return dst ? tz.dst_offset : tz.std_offset;
}

// ---- TZif files (RFC 8536) ----

uint32_t Be32(const std::string& b, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  return v;
}

// Fills `r` from a TZif file; false if malformed. Uses the 64-bit block and footer of v2+ files.
bool ParseTzif(const std::string& b, Rules* r) {
  uint64_t n[6];  // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
  auto header = [&](size_t at) {
    if (b.size() < at + 44 || b.compare(at, 4, "TZif") != 0) return false;
    for (size_t i = 0; i < 6; ++i) n[i] = Be32(b, at + 20 + 4 * i);
    return true;
  };
  auto block_size = [&](uint64_t time_size) {
    return n[3] * time_size + n[3] + n[4] * 6 + n[5] + n[2] * (time_size + 4) + n[1] + n[0];
  };
  if (!header(0)) return false;
  const bool v2 = b[4] >= '2';
  size_t p = 44;
  const uint64_t time_size = v2 ? 8 : 4;
  if (v2) {
    p += block_size(4);
    if (!header(p)) return false;
    p += 44;
  }
  if (n[4] == 0 || n[4] > 256 || b.size() - p < block_size(time_size)) return false;
  const size_t time_count = n[3], type_count = n[4];
  for (size_t i = 0; i < time_count; ++i, p += time_size) {
    const uint64_t hi = Be32(b, p);
    const int64_t t = v2 ? static_cast<int64_t>((hi << 32) | Be32(b, p + 4))
                         : static_cast<int64_t>(static_cast<int32_t>(hi));
    if (!r->transitions.empty() && t <= r->transitions.back()) return false;
    r->transitions.push_back(t);
  }
  for (size_t i = 0; i < time_count; ++i, ++p) {
    r->type_after.push_back(static_cast<uint8_t>(b[p]));
    if (r->type_after.back() >= type_count) return false;
  }
  for (size_t i = 0; i < type_count; ++i, p += 6) {
    const auto offset = static_cast<int32_t>(Be32(b, p));
    if (offset == INT32_MIN) return false;
    r->type_offsets.push_back(offset);
  }
  if (!v2) return true;
  p += n[5] + n[2] * 12 + n[1] + n[0];
  if (p >= b.size() || b[p] != '\n') return false;
  const size_t end = b.find('\n', p + 1);
  if (end == std::string::npos) return false;
  if (end > p + 1) {
    r->footer = ParsePosixTz(std::string_view(b).substr(p + 1, end - p - 1));
    if (!r->footer) return false;
  }
  return true;
}

std::optional<int32_t> ParseFixedOffset(std::string_view s) {
  auto two = [&](size_t at, int* out) {
    if (s[at] < '0' || s[at] > '9' || s[at + 1] < '0' || s[at + 1] > '9') return false;
    *out = (s[at] - '0') * 10 + (s[at + 1] - '0');
    return true;
  };
  int h = 0, m = 0;
  if (s.size() < 3 || !two(1, &h)) return std::nullopt;
  const bool ok = s.size() == 3 || (s.size() == 5 && two(3, &m)) ||
                  (s.size() == 6 && s[3] == ':' && two(4, &m));
  if (!ok || h > 23 || m > 59) return std::nullopt;
  return (s[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
}

// Relative path of '/'-separated components of [A-Za-z0-9_+-], no "." or "..".
bool IsSafeZoneName(std::string_view name) {
  if (name.empty() || name.size() > 255) return false;
  size_t start = 0;
  while (true) {
    const size_t slash = name.find('/', start);
    const std::string_view part = name.substr(start, slash - start);
    if (part.empty() || part == "." || part == "..") return false;
    for (char ch : part) {
      const bool alnum = (ch >= '0' && ch <= '9') || ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z');
      if (!alnum && ch != '_' && ch != '-' && ch != '+' && ch != '.') return false;
    }
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

std::string Quoted(std::string_view s) {
  return "'" + std::string(s.substr(0, 64)) + (s.size() > 64 ? "...'" : "'");
}

}  // namespace

Result<TimeZone> TimeZone::Load(std::string_view name, std::string_view zoneinfo_dir) {
  if (name == "UTC" || name == "Z") return Utc();
  auto rules = std::make_shared<Rules>();
  if (!name.empty() && (name[0] == '+' || name[0] == '-')) {
    const std::optional<int32_t> offset = ParseFixedOffset(name);
    if (!offset) {
      return InvalidArgumentError("invalid UTC offset " + Quoted(name) +
                                  " (expected +HH:MM or -HH:MM, hours 00-23)");
    }
    char buf[16];
    std::snprintf(buf, sizeof buf, "%c%02d:%02d", *offset < 0 ? '-' : '+', std::abs(*offset) / 3600,
                  std::abs(*offset) / 60 % 60);
    rules->name = buf;
    rules->type_offsets.push_back(*offset);
    return TimeZone(std::move(rules));
  }
  if (!IsSafeZoneName(name)) {
    return InvalidArgumentError("invalid time zone name " + Quoted(name) +
                                " (expected an IANA name such as America/New_York)");
  }
  std::string dir(zoneinfo_dir);
  if (dir.empty()) {
    const char* env = std::getenv("TZDIR");
    dir = env != nullptr && *env != '\0' ? env : "/usr/share/zoneinfo";
  }
  const std::filesystem::path path = std::filesystem::path(dir) / std::string(name);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return NotFoundError("unknown time zone " + Quoted(name) + " (not found in " + dir + ")");
  }
  const auto size = std::filesystem::file_size(path, ec);
  std::ifstream in(path, std::ios::binary);
  std::string bytes;
  if (!ec && size <= kMaxTzifBytes && in) {
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  if (!in || bytes.empty() || !ParseTzif(bytes, rules.get())) {
    return InvalidArgumentError("time zone " + Quoted(name) + ": " + path.string() +
                                " is not a valid TZif file");
  }
  rules->name = std::string(name);
  return TimeZone(std::move(rules));
}

int32_t TimeZone::OffsetAt(int64_t unix_seconds) const {
  if (rules_ == nullptr) return 0;
  const Rules& r = *rules_;
  if (r.transitions.empty() || unix_seconds >= r.transitions.back()) {
    if (r.footer) return PosixOffsetAt(*r.footer, unix_seconds);
    if (r.transitions.empty()) return r.type_offsets[0];
  }
  const auto it = std::upper_bound(r.transitions.begin(), r.transitions.end(), unix_seconds);
  if (it == r.transitions.begin()) return r.type_offsets[0];
  return r.type_offsets[r.type_after[static_cast<size_t>(it - r.transitions.begin()) - 1]];
}

const std::string& TimeZone::name() const {
  static const std::string kUtc = "UTC";
  return rules_ == nullptr ? kUtc : rules_->name;
}

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

CivilTime ToCivil(int64_t unix_seconds, const TimeZone& tz) {
  const int64_t local = unix_seconds + tz.OffsetAt(unix_seconds);
  const int64_t days = FloorDiv(local, kSecondsPerDay);
  const auto secs = static_cast<int>(local - days * kSecondsPerDay);
  CivilTime c;
  unsigned m, d;
  CivilFromDays(days, &c.year, &m, &d);
  c.month = static_cast<int>(m);
  c.day = static_cast<int>(d);
  c.hour = secs / 3600;
  c.minute = secs / 60 % 60;
  c.second = secs % 60;
  c.day_of_week = Weekday(days);
  c.day_of_year = static_cast<int>(days - DaysFromCivil(c.year, 1, 1));
  return c;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

}  // namespace orderpilot
