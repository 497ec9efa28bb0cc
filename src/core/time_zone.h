// core/time_zone.h — time zones (fixed offsets and IANA rules) and civil (broken-down) time.
//
// Time stays UTC inside the engine (core/time.h); a TimeZone only turns an instant into local
// calendar fields (e.g. CEL's getHours("America/Los_Angeles")). GCC 12's libstdc++ has no
// std::chrono::locate_zone, so IANA zones are read from the system's TZif files (RFC 8536),
// including the POSIX TZ footer that gives the rules after the last listed transition.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace orderpilot {

namespace time_zone_internal {
struct Rules;  // defined in time_zone.cc
}  // namespace time_zone_internal

// A time zone: a fixed UTC offset, or IANA rules from a TZif file. Immutable; thread-safe; cheap
// to copy (copies share the data). A default-constructed TimeZone is UTC.
class TimeZone {
 public:
  TimeZone() = default;
  static TimeZone Utc() { return TimeZone(); }

  // `name` is one of:
  //   "UTC" or "Z";
  //   a fixed offset "+05:30", "-0800" or "+05" (hours 00-23, minutes 00-59);
  //   an IANA name ("America/Los_Angeles"), read from `zoneinfo_dir`.
  //     Default: $TZDIR if set, else /usr/share/zoneinfo.
  // Returns InvalidArgument for a malformed name or offset (absolute paths and ".." components
  // are refused) or a file that is not TZif, and NotFound for an unknown zone. Reads a file on
  // each call: keep the TimeZone rather than loading it per conversion.
  static Result<TimeZone> Load(std::string_view name, std::string_view zoneinfo_dir = {});

  // The UTC offset in seconds (local = UTC + offset) in effect at `unix_seconds`. Before a zone's
  // first transition this is its time type 0 (RFC 8536; usually local mean time), after the last
  // one it comes from the file's POSIX TZ footer.
  int32_t OffsetAt(int64_t unix_seconds) const;

  // "UTC", the normalized fixed offset ("+05:30"), or the IANA name as given.
  const std::string& name() const;

 private:
  explicit TimeZone(std::shared_ptr<const time_zone_internal::Rules> rules)
      : rules_(std::move(rules)) {}

  std::shared_ptr<const time_zone_internal::Rules> rules_;  // null means UTC
};

// Civil time in some zone, proleptic Gregorian calendar.
struct CivilTime {
  int64_t year = 1970;
  int month = 1;        // 1-12
  int day = 1;          // 1-31
  int hour = 0;         // 0-23
  int minute = 0;       // 0-59
  int second = 0;       // 0-59 (no leap seconds)
  int day_of_week = 4;  // 0 = Sunday
  int day_of_year = 0;  // 0-365
};

// The civil time at `unix_seconds` in `tz`. Works for any year, including years 1..9999 and
// negative unix seconds. REQUIRES: unix_seconds + the zone's offset does not overflow int64.
CivilTime ToCivil(int64_t unix_seconds, const TimeZone& tz);

// Days since 1970-01-01 of the proleptic Gregorian date y-m-d (Howard Hinnant's algorithm).
// REQUIRES: 1 <= m <= 12, 1 <= d <= 31.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);
// The inverse: the date of day `days` since 1970-01-01.
void CivilFromDays(int64_t days, int64_t* y, unsigned* m, unsigned* d);

}  // namespace orderpilot
