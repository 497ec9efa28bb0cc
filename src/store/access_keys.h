// store/access_keys.h — API keys with roles, kept as hashes (the api_keys table, migration 6).
//
// The store keeps what it is given: a key's name, its role (as text; api/access.h owns the role
// names), the SHA-256 of the full key and its public prefix. It never sees a key itself. Each
// create and revoke appends an audit event to the "access" stream (types "api_key.created" and
// "api_key.revoked", payload {name, role, prefix}) in the same transaction as the key row, so the
// audit chain (store/audit_chain.h) records every key operation.
//
// Usable from the server and, at the same time, from `orderpilot keys` in another process: every
// call reads or writes the database file itself (no cache), writes under BEGIN IMMEDIATE.
// Thread-safety: every method may be called concurrently (calls are serialised internally).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace orderpilot::store {

struct ApiKeyRecord {
  int64_t id = 0;
  std::string name;    // unique, also after revocation
  std::string role;    // "viewer", "operator", "admin"
  std::string hash;    // SHA-256 of the full key, lower-case hex
  std::string prefix;  // the key's public part ("op_<prefix>_…"), unique
  Timestamp created_at;
  std::optional<Timestamp> revoked_at;    // set: the key is refused
  std::optional<Timestamp> last_used_at;  // updated at most about once a minute per key
};

struct NewApiKey {
  std::string name;
  std::string role;
  std::string hash;
  std::string prefix;
  std::string actor;  // who creates it, for the audit event ("cli")
};

class AccessKeys {
 public:
  virtual ~AccessKeys() = default;

  // Inserts the key and its "api_key.created" audit event. AlreadyExists when the name (or the
  // prefix) is taken, revoked keys included; InvalidArgument when a field is empty.
  virtual Result<ApiKeyRecord> Create(const NewApiKey& key) = 0;
  // Marks the key revoked and appends "api_key.revoked". NotFound for an unknown name;
  // FailedPrecondition when it is revoked already.
  virtual Result<ApiKeyRecord> Revoke(std::string_view name, std::string_view actor) = 0;
  // Every key, revoked ones included, oldest first.
  virtual Result<std::vector<ApiKeyRecord>> List() = 0;
  // Sets last_used_at = `at` for the keys with these prefixes (unknown prefixes are ignored).
  virtual Status MarkUsed(const std::vector<std::string>& prefixes, Timestamp at) = 0;
};

// The keys of the SQLite database at `db_path`, creating the file and applying migrations when
// needed (so `orderpilot keys create` works before the first `serve`). `clock` stamps
// created_at/revoked_at and the audit events; it must outlive the returned object.
Result<std::unique_ptr<AccessKeys>> OpenSqliteAccessKeys(const std::string& db_path,
                                                         const Clock& clock);

}  // namespace orderpilot::store
