// core/time.h — UTC time inside the engine, and the injected Clock.
//
// Timestamp is microseconds since the Unix epoch, always UTC. Offsets in input ("-05:00") are
// applied at parse time and never kept.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace orderpilot {

struct Timestamp {
  int64_t micros = 0;  // since 1970-01-01T00:00:00Z
  friend bool operator==(Timestamp a, Timestamp b) { return a.micros == b.micros; }
  friend bool operator<(Timestamp a, Timestamp b) { return a.micros < b.micros; }
};

// Parses RFC 3339 / ISO 8601 date-times: "2021-12-31T19:00:00-05:00", "2022-01-01T00:00:00Z",
// "2022-01-01T00:00:00.123Z", "2022-01-01 00:00:00" (treated as UTC). Returns InvalidArgument
// otherwise.
Result<Timestamp> ParseTimestamp(std::string_view text);
// "2022-01-01T00:00:00Z", or with ".123456" when there are sub-second digits.
std::string FormatTimestamp(Timestamp t);

// The source of "now". Thread-safe implementations only.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;
};

// The wall clock.
class SystemClock final : public Clock {
 public:
  Timestamp Now() const override;
};

// A clock tests move by hand. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Timestamp start) : micros_(start.micros) {}
  Timestamp Now() const override { return Timestamp{micros_.load()}; }
  void Advance(int64_t micros) { micros_ += micros; }

 private:
  std::atomic<int64_t> micros_;
};

}  // namespace orderpilot
