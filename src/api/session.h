// api/session.h — dashboard sessions: a browser logs in once with an API key and then sends the
// `op_session` cookie plus an X-CSRF-Token header on state-changing requests.
//
// Sessions live in memory only: a restart logs everybody out (the dashboard logs in again).
// A session ends after idle_timeout without a request (Default: 30 min; measured with the
// injected Clock), on logout, or when its key is revoked (checked by the caller through
// KeyDirectory::StillValid). Tokens are 32 random bytes as hex; the table is keyed by the
// token's SHA-256, so a lookup's timing says nothing about valid tokens. At most max_sessions
// exist; past that, the least recently used is dropped.
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "api/access.h"
#include "core/time.h"

namespace orderpilot::api {

struct Session {
  Principal principal;
  std::string csrf_token;
  Timestamp created_at;
  Timestamp last_seen;
};

struct NewSession {
  std::string token;  // the cookie's value
  std::string csrf_token;
};

class SessionStore {
 public:
  SessionStore(const Clock& clock, std::chrono::seconds idle_timeout, size_t max_sessions = 10000);

  NewSession Create(Principal principal);
  // The live session of `token`, its idle time restarted; nullopt (and the session forgotten)
  // when unknown or idle too long.
  std::optional<Session> Touch(std::string_view token);
  // Ends the session; false when there was none.
  bool Remove(std::string_view token);
  std::chrono::seconds idle_timeout() const { return idle_timeout_; }

 private:
  // Drops expired sessions, then the least recently used while over `keep`. REQUIRES: mu_ held.
  void PruneLocked(int64_t now, size_t keep);

  const Clock& clock_;
  const std::chrono::seconds idle_timeout_;
  const size_t max_sessions_;
  std::mutex mu_;
  std::unordered_map<std::string, Session> by_hash_;  // guarded by mu_
};

}  // namespace orderpilot::api
