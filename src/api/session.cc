#include "api/session.h"

#include <algorithm>

namespace orderpilot::api {
namespace {

constexpr size_t kTokenBytes = 32;

}  // namespace

SessionStore::SessionStore(const Clock& clock, std::chrono::seconds idle_timeout,
                           size_t max_sessions)
    : clock_(clock),
      idle_timeout_(idle_timeout),
      max_sessions_(std::max<size_t>(1, max_sessions)) {}

NewSession SessionStore::Create(Principal principal) {
  NewSession out{RandomHex(kTokenBytes), RandomHex(kTokenBytes)};
  const Timestamp now = clock_.Now();
  std::lock_guard<std::mutex> lock(mu_);
  if (by_hash_.size() >= max_sessions_) PruneLocked(now.micros, max_sessions_ - 1);
  by_hash_[HashApiKey(out.token)] = Session{std::move(principal), out.csrf_token, now, now};
  return out;
}

std::optional<Session> SessionStore::Touch(std::string_view token) {
  if (token.empty()) return std::nullopt;
  const std::string hash = HashApiKey(token);
  const Timestamp now = clock_.Now();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_hash_.find(hash);
  if (it == by_hash_.end()) return std::nullopt;
  if (now.micros - it->second.last_seen.micros >=
      std::chrono::duration_cast<std::chrono::microseconds>(idle_timeout_).count()) {
    by_hash_.erase(it);
    return std::nullopt;
  }
  it->second.last_seen = now;
  return it->second;
}

bool SessionStore::Remove(std::string_view token) {
  if (token.empty()) return false;
  const std::string hash = HashApiKey(token);
  std::lock_guard<std::mutex> lock(mu_);
  return by_hash_.erase(hash) > 0;
}

void SessionStore::PruneLocked(int64_t now, size_t keep) {
  const int64_t idle = std::chrono::duration_cast<std::chrono::microseconds>(idle_timeout_).count();
  std::erase_if(by_hash_, [&](const auto& kv) { return now - kv.second.last_seen.micros >= idle; });
  while (by_hash_.size() > keep) {
    auto oldest =
        std::min_element(by_hash_.begin(), by_hash_.end(), [](const auto& a, const auto& b) {
          return a.second.last_seen.micros < b.second.last_seen.micros;
        });
    by_hash_.erase(oldest);
  }
}

}  // namespace orderpilot::api
