// api/key_directory.h — turns a presented API key into a Principal: keys from the configuration
// file, and keys created with `orderpilot keys` (store::AccessKeys), seen without a restart.
//
// Stored keys are cached in memory (prefix → role, hash, revoked) and re-read from the database
// when the cache is older than refresh_interval (Default: 1 s) on the next request, and on a
// cache miss at most every miss_refresh_interval (Default: 100 ms), so a key created a moment
// ago works at once and a revoked key is refused within about a second, while a flood of unknown
// keys costs at most ten table reads a second. If the database cannot be read the previous cache
// is kept (and the failure logged). A presented key is compared with every configured key in
// constant time; a stored key is found by its prefix and its SHA-256 compared in constant time.
// last_used_at is written at a key's first use and then at most once per mark_used_interval
// (Default: 60 s) per key, by the request that finds it due, outside the cache's lock.
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "api/access.h"
#include "core/time.h"
#include "store/access_keys.h"

namespace orderpilot::api {

struct ConfiguredKey {
  std::string name;
  std::string key;
  Role role = Role::kAdmin;
};

struct KeyDirectoryOptions {
  std::chrono::milliseconds refresh_interval{1000};
  std::chrono::milliseconds miss_refresh_interval{100};
  std::chrono::seconds mark_used_interval{60};
};

class KeyDirectory {
 public:
  // `stored` may be null (no stored keys); not owned, must outlive this object.
  KeyDirectory(std::vector<ConfiguredKey> configured, store::AccessKeys* stored, const Clock& clock,
               KeyDirectoryOptions options = {});

  // The principal `presented` authenticates, or nullopt for an unknown or revoked key (or a
  // stored key whose role this build does not know).
  std::optional<Principal> Authenticate(std::string_view presented);
  // Whether a principal authenticated earlier (a session's) is still valid: a configured key
  // always is; a stored key until it is revoked (seen at the next refresh).
  bool StillValid(const Principal& principal);
  // The stored keys as last read (refreshing first when due); empty without a store.
  std::vector<store::ApiKeyRecord> StoredKeys();

 private:
  struct Entry {
    store::ApiKeyRecord record;
    std::optional<Role> role;  // nullopt: a role name this build does not know
  };
  // Re-reads the table when `force` or when the cache is older than refresh_interval.
  // REQUIRES: mu_ held.
  void RefreshLocked(bool force);
  // The principal of a stored key with this prefix and hash. REQUIRES: mu_ held.
  std::optional<Principal> FindLocked(std::string_view prefix, std::string_view hash);
  // The prefixes whose last_used_at is due to be written (the caller writes them, outside mu_).
  // REQUIRES: mu_ held.
  std::vector<std::string> TakeUsedLocked();

  const std::vector<ConfiguredKey> configured_;
  store::AccessKeys* const stored_;
  const Clock& clock_;
  const KeyDirectoryOptions options_;

  std::mutex mu_;
  std::unordered_map<std::string, Entry> by_prefix_;  // guarded by mu_
  std::optional<int64_t> refreshed_at_;               // guarded by mu_; micros
  int64_t miss_refreshed_at_ = 0;                     // guarded by mu_; micros
  // When last_used_at was last written, per prefix (micros); and the prefixes to write next.
  std::unordered_map<std::string, int64_t> marked_used_at_;  // guarded by mu_
  std::vector<std::string> used_;                            // guarded by mu_
};

}  // namespace orderpilot::api
