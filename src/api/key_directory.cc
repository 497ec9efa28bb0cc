#include "api/key_directory.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace orderpilot::api {
namespace {

int64_t Micros(std::chrono::microseconds d) { return d.count(); }

}  // namespace

KeyDirectory::KeyDirectory(std::vector<ConfiguredKey> configured, store::AccessKeys* stored,
                           const Clock& clock, KeyDirectoryOptions options)
    : configured_(std::move(configured)), stored_(stored), clock_(clock), options_(options) {}

std::optional<Principal> KeyDirectory::Authenticate(std::string_view presented) {
  if (presented.empty()) return std::nullopt;
  const ConfiguredKey* found = nullptr;
  for (const ConfiguredKey& k : configured_)  // every key, no early exit: timing reveals nothing
    if (SameSecret(presented, k.key)) found = &k;
  if (found) return Principal{found->name, found->role, "config:" + found->name};

  if (!stored_) return std::nullopt;
  std::optional<std::string_view> prefix = ApiKeyPrefix(presented);
  if (!prefix) return std::nullopt;
  const std::string hash = HashApiKey(presented);
  std::optional<Principal> out;
  std::vector<std::string> mark_used;
  {
    std::lock_guard<std::mutex> lock(mu_);
    out = FindLocked(*prefix, hash);
    mark_used = TakeUsedLocked();
  }
  // Outside the lock: the write may wait for the store's writer.
  if (!mark_used.empty()) {
    Status s = stored_->MarkUsed(mark_used, clock_.Now());
    if (!s.ok()) spdlog::warn("api keys: cannot record last use: {}", s.ToString());
  }
  return out;
}

std::optional<Principal> KeyDirectory::FindLocked(std::string_view prefix, std::string_view hash) {
  RefreshLocked(/*force=*/false);
  auto it = by_prefix_.find(std::string(prefix));
  if (it == by_prefix_.end()) {
    const int64_t now = clock_.Now().micros;
    if (now - miss_refreshed_at_ < Micros(options_.miss_refresh_interval)) return std::nullopt;
    miss_refreshed_at_ = now;
    RefreshLocked(/*force=*/true);
    it = by_prefix_.find(std::string(prefix));
    if (it == by_prefix_.end()) return std::nullopt;
  }
  const Entry& e = it->second;
  if (!SameSecret(hash, e.record.hash) || e.record.revoked_at || !e.role) return std::nullopt;
  const int64_t now = clock_.Now().micros;
  int64_t& marked = marked_used_at_[e.record.prefix];
  if (marked == 0 || now - marked >= Micros(options_.mark_used_interval)) {
    marked = now;
    used_.push_back(e.record.prefix);
  }
  return Principal{e.record.name, *e.role, "key:" + e.record.prefix};
}

bool KeyDirectory::StillValid(const Principal& principal) {
  std::string_view c = principal.credential;
  if (c.starts_with("config:")) {
    for (const ConfiguredKey& k : configured_)
      if (c.substr(7) == k.name) return true;
    return false;
  }
  if (!c.starts_with("key:") || !stored_) return false;
  std::lock_guard<std::mutex> lock(mu_);
  RefreshLocked(/*force=*/false);
  auto it = by_prefix_.find(std::string(c.substr(4)));
  return it != by_prefix_.end() && !it->second.record.revoked_at;
}

std::vector<store::ApiKeyRecord> KeyDirectory::StoredKeys() {
  std::vector<store::ApiKeyRecord> out;
  if (!stored_) return out;
  std::lock_guard<std::mutex> lock(mu_);
  RefreshLocked(/*force=*/false);
  for (const auto& [prefix, e] : by_prefix_) out.push_back(e.record);
  std::sort(out.begin(), out.end(),
            [](const store::ApiKeyRecord& a, const store::ApiKeyRecord& b) { return a.id < b.id; });
  return out;
}

void KeyDirectory::RefreshLocked(bool force) {
  const int64_t now = clock_.Now().micros;
  if (!force && refreshed_at_ && now - *refreshed_at_ < Micros(options_.refresh_interval)) return;
  refreshed_at_ = now;
  auto rows = stored_->List();
  if (!rows.ok()) {
    spdlog::warn("api keys: cannot re-read the key table, keeping the previous one: {}",
                 rows.status().ToString());
    return;
  }
  by_prefix_.clear();
  for (store::ApiKeyRecord& r : *rows) {
    std::optional<Role> role = ParseRole(r.role);
    std::string prefix = r.prefix;
    by_prefix_[std::move(prefix)] = Entry{std::move(r), role};
  }
}

std::vector<std::string> KeyDirectory::TakeUsedLocked() {
  std::vector<std::string> prefixes;
  prefixes.swap(used_);
  return prefixes;
}

}  // namespace orderpilot::api
