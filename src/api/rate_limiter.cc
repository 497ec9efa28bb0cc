#include "api/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace orderpilot::api {

RateLimiter::RateLimiter(const Clock& clock, RateLimit limit, size_t max_keys)
    : clock_(clock), limit_{limit.per_second, std::max(1.0, limit.burst)}, max_keys_(max_keys) {}

int64_t RateLimiter::Take(std::string_view key) {
  if (!enabled()) return 0;
  const int64_t now = clock_.Now().micros;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = buckets_.find(std::string(key));
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) {
      Prune(now);
      if (buckets_.size() >= max_keys_) return 0;  // fail open, see the header
    }
    it = buckets_.emplace(std::string(key), Bucket{limit_.burst, now}).first;
  }
  Bucket& b = it->second;
  if (now > b.at_micros) {
    b.tokens = std::min(limit_.burst, b.tokens + (now - b.at_micros) / 1e6 * limit_.per_second);
    b.at_micros = now;
  }
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return 0;
  }
  const double wait = (1 - b.tokens) / limit_.per_second;
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(wait)));
}

void RateLimiter::Prune(int64_t now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    const Bucket& b = it->second;
    const double tokens = b.tokens + (now - b.at_micros) / 1e6 * limit_.per_second;
    if (tokens >= limit_.burst) {
      it = buckets_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace orderpilot::api
