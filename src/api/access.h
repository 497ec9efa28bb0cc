// api/access.h — who may call what: roles, API key format and hashing, principals.
//
// Roles are ordered: viewer < operator < admin; a route's minimum role admits every role above
// it (the one table of routes and their roles is ApiService::V1Routes, api/service.h).
// Keys created by `orderpilot keys create` look like `op_<prefix>_<secret>`: 32 random bytes
// (libsodium randombytes), the first 4 as an 8-hex-digit prefix (public: shown in listings,
// used to find the key's row), the other 28 as 56 hex digits of secret. Only SHA-256 of the whole
// key is stored. Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace orderpilot::api {

enum class Role {
  // Not a key's role: a route open to anyone (it authenticates the caller itself, as
  // POST /v1/session does with the key in its body).
  kAnyone = 0,
  kViewer = 1,    // read-only GETs
  kOperator = 2,  // acts on orders, reviews and stock
  kAdmin = 3,     // everything, configuration included
};

// "viewer", "operator", "admin" ("anyone" for kAnyone).
std::string_view RoleName(Role role);
// A key's role from its name; nullopt for anything else (kAnyone included).
std::optional<Role> ParseRole(std::string_view name);
// True when `held` admits a route whose minimum role is `needed`.
inline bool RoleAllows(Role held, Role needed) {
  return static_cast<int>(held) >= static_cast<int>(needed);
}

// Who a request acts as, once authenticated.
struct Principal {
  std::string name;  // the key's name: the actor of what it does
  Role role = Role::kViewer;
  // Identifies the credential for re-checking it later (sessions): "key:<prefix>" for a stored
  // key, "config:<name>" for a key from the configuration file.
  std::string credential;
};

struct GeneratedApiKey {
  std::string key;     // shown to the person once, never stored
  std::string prefix;  // 8 hex digits
  std::string hash;    // HashApiKey(key)
};

// A new random key. Aborts only if libsodium cannot initialise (no entropy source).
GeneratedApiKey GenerateApiKey();
// Lower-case hex SHA-256 of `key`.
std::string HashApiKey(std::string_view key);
// The prefix of a key of the `op_<prefix>_<secret>` form; nullopt for any other string.
std::optional<std::string_view> ApiKeyPrefix(std::string_view key);
// Constant-time equality of two strings of the same length (a length difference returns false
// at once: lengths are not secret here).
bool SameSecret(std::string_view a, std::string_view b);
// `bytes` random bytes as lower-case hex (session tokens, CSRF tokens).
std::string RandomHex(size_t bytes);

}  // namespace orderpilot::api
