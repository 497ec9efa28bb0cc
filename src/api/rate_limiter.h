// api/rate_limiter.h — token buckets per key (an API key, a source address, a shop).
//
// Each key has a bucket of `burst` tokens refilled at `per_second`; a request takes one token or
// is refused with the whole seconds until one is back (the Retry-After of a 429). Buckets idle
// long enough to be full again are forgotten when the table grows past max_keys, so a flood of
// distinct keys cannot grow memory without bound (past that, new keys share no state and are
// admitted, which fails open rather than refusing the legitimate caller).
// Time comes from the injected Clock, so tests move it by hand.
// Thread-safety: Take may be called concurrently.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/time.h"

namespace orderpilot::api {

struct RateLimit {
  double per_second = 0;  // refill rate; 0 = unlimited (Take always admits)
  double burst = 1;       // bucket size, at least 1
};

class RateLimiter {
 public:
  RateLimiter(const Clock& clock, RateLimit limit, size_t max_keys = 100'000);

  // 0 when admitted (a token was taken), else the seconds (>= 1) until a token is available.
  int64_t Take(std::string_view key);
  bool enabled() const { return limit_.per_second > 0; }

 private:
  struct Bucket {
    double tokens;
    int64_t at_micros;  // when `tokens` was computed
  };
  // Drops the buckets that are full by `now`. REQUIRES: mu_ held.
  void Prune(int64_t now);

  const Clock& clock_;
  const RateLimit limit_;
  const size_t max_keys_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;  // guarded by mu_
};

}  // namespace orderpilot::api
