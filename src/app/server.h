// app/server.h — the running engine: store + pipeline + API + HTTP server, wired from a Config.
//
// The only place that names a concrete Store backend (SQLite at <data_dir>/orderpilot.db).
// Start order: store (migrations), pipeline (resume), HTTP. Stop order is the reverse, so every
// request that got a 2xx has been committed before the store closes.
// Thread-safety: Start/Stop from one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "app/config.h"
#include "core/status.h"
#include "core/time.h"

namespace orderpilot::store {
class Store;
class SqliteStore;
class StockObserver;
}  // namespace orderpilot::store
namespace orderpilot::pipeline {
class Pipeline;
}
namespace orderpilot::privacy {
class Keyring;
class SealedStore;
}  // namespace orderpilot::privacy

namespace orderpilot::app {

// The store of config.data_dir: <data_dir>/orderpilot.db, the directory created when missing,
// with `stock_observer` (may be null) publishing stock changes. Used by `serve` and by the
// commands that work on the data directory directly (imports, reports).
Result<std::unique_ptr<store::SqliteStore>> OpenDataStore(
    const Config& config, const Clock& clock, const store::StockObserver* stock_observer);

// The data directory with personal data sealed: the key file (config.privacy.key_file, default
// <data_dir>/keys.db) opened with the configured master keys, the SQLite store, and the
// SealedStore over it that everything else uses. FailedPrecondition when no master key is
// configured or the key file does not open with it.
struct SealedData {
  std::unique_ptr<privacy::Keyring> keyring;
  std::unique_ptr<store::SqliteStore> sqlite;
  std::unique_ptr<privacy::SealedStore> store;

  SealedData();
  SealedData(SealedData&&) noexcept;
  SealedData& operator=(SealedData&&) noexcept;
  ~SealedData();  // closes the store before the key file
};
// OK when config.privacy.master_keys holds at least one well-formed master key; else the
// one-line error `serve` refuses to start with (never echoing a key).
Status CheckMasterKeys(const Config& config);
Result<SealedData> OpenSealedData(const Config& config, const Clock& clock,
                                  const store::StockObserver* stock_observer);

class Server {
 public:
  // Opens (creating if needed) the data directory and starts serving. `clock` must outlive the
  // server.
  static Result<std::unique_ptr<Server>> Start(const Config& config, const Clock& clock);
  ~Server();

  uint16_t port() const;
  std::string url() const;  // "http://127.0.0.1:8080"
  store::Store& store();
  pipeline::Pipeline& pipeline();
  // Re-reads the configured rule files (SIGHUP, POST /v1/rules/reload). On any error the
  // running rules stay and the error lists every problem. Thread-safe.
  Status ReloadRules();
  void Stop();

 private:
  struct Parts;
  explicit Server(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace orderpilot::app
