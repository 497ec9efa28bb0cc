// store/internal/sqlite_access.h — the SQLite implementation of store::AccessKeys over its own
// connection to the database file (store/access_keys.h has the contract).
//
// Invariant: a key row and its audit event are written in one BEGIN IMMEDIATE transaction, so
// the audit chain is extended by whichever process (server or CLI) writes, never forked.
// Thread-safety: all methods serialise on mu_.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "store/access_keys.h"
#include "store/internal/sqlite_util.h"

namespace orderpilot::store::internal {

class SqliteAccessKeys final : public AccessKeys {
 public:
  static Result<std::unique_ptr<SqliteAccessKeys>> Open(const std::string& db_path,
                                                        const Clock& clock);

  Result<ApiKeyRecord> Create(const NewApiKey& key) override;
  Result<ApiKeyRecord> Revoke(std::string_view name, std::string_view actor) override;
  Result<std::vector<ApiKeyRecord>> List() override;
  Status MarkUsed(const std::vector<std::string>& prefixes, Timestamp at) override;

 private:
  SqliteAccessKeys(std::unique_ptr<Connection> conn, const Clock& clock)
      : conn_(std::move(conn)), clock_(clock) {}

  // Runs `work` inside BEGIN IMMEDIATE … COMMIT, rolling back when it fails. REQUIRES: mu_ held.
  template <typename Work>
  Status InTransaction(Work work);
  // REQUIRES: mu_ held.
  Result<std::optional<ApiKeyRecord>> FindByName(std::string_view name);
  // Appends an event of `type` about `key` to the "access" stream. REQUIRES: in a transaction.
  Status AppendAccessEvent(std::string_view type, const ApiKeyRecord& key, std::string_view actor,
                           Timestamp at);

  std::mutex mu_;
  std::unique_ptr<Connection> conn_;  // guarded by mu_
  const Clock& clock_;
};

}  // namespace orderpilot::store::internal
