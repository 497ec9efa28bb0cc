#include "core/time.h"

#include <chrono>
#include <cstdio>

#include "core/time_zone.h"

namespace orderpilot {
namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

}  // namespace

Result<Timestamp> ParseTimestamp(std::string_view s) {
  auto bad = [&] {
    return InvalidArgumentError("invalid timestamp '" + std::string(s.substr(0, 40)) +
                                "' (expected RFC 3339, e.g. 2024-01-31T12:00:00Z)");
  };
  int y, mo, d, h = 0, mi = 0, sec = 0;
  if (!Digits(s, 0, 4, &y) || s.size() < 10 || s[4] != '-' || !Digits(s, 5, 2, &mo) ||
      s[7] != '-' || !Digits(s, 8, 2, &d))
    return bad();
  size_t p = 10;
  int64_t micros = 0;
  int64_t offset_sec = 0;
  if (p < s.size()) {
    if (s[p] != 'T' && s[p] != 't' && s[p] != ' ') return bad();
    if (!Digits(s, p + 1, 2, &h) || s.size() < p + 9 || s[p + 3] != ':' ||
        !Digits(s, p + 4, 2, &mi) || s[p + 6] != ':' || !Digits(s, p + 7, 2, &sec))
      return bad();
    p += 9;
    if (p < s.size() && s[p] == '.') {
      ++p;
      int digits = 0;
      while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
        if (digits < 6) micros = micros * 10 + (s[p] - '0');
        ++digits;
        ++p;
      }
      if (digits == 0) return bad();
      for (int i = digits; i < 6; ++i) micros *= 10;
    }
    if (p < s.size()) {
      if (s[p] == 'Z' || s[p] == 'z') {
        ++p;
      } else if (s[p] == '+' || s[p] == '-') {
        int oh, om;
        if (!Digits(s, p + 1, 2, &oh) || s.size() < p + 6 || s[p + 3] != ':' ||
            !Digits(s, p + 4, 2, &om))
          return bad();
        offset_sec = (oh * 3600 + om * 60) * (s[p] == '-' ? -1 : 1);
        p += 6;
      } else {
        return bad();
      }
    }
    if (p != s.size()) return bad();
  }
  static constexpr int kDaysIn[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1 || d > kDaysIn[mo - 1] || h > 23 || mi > 59 || sec > 60)
    return bad();
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo == 2 && d == 29 && !leap) return bad();
  int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - offset_sec;
  return Timestamp{secs * 1000000 + micros};
}

std::string FormatTimestamp(Timestamp t) {
  int64_t secs = t.micros >= 0 ? t.micros / 1000000 : (t.micros - 999999) / 1000000;
  int64_t micros = t.micros - secs * 1000000;
  int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int64_t rem = secs - days * 86400;
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[96];
  if (micros != 0) {
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%06lldZ",
                  static_cast<long long>(y), m, d, static_cast<long long>(rem / 3600),
                  static_cast<long long>(rem / 60 % 60), static_cast<long long>(rem % 60),
                  static_cast<long long>(micros));
  } else {
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ",
                  static_cast<long long>(y), m, d, static_cast<long long>(rem / 3600),
                  static_cast<long long>(rem / 60 % 60), static_cast<long long>(rem % 60));
  }
  return buf;
}

Timestamp SystemClock::Now() const {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return Timestamp{std::chrono::duration_cast<std::chrono::microseconds>(now).count()};
}

}  // namespace orderpilot
