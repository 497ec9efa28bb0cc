// tests/integration/server_process.h — runs the real orderpilot binary for integration tests,
// and a few helpers to talk to it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "api/http_client.h"

namespace orderpilot::testing {

inline constexpr char kShop[] = "it-shop.myshopify.com";
inline constexpr char kSecret[] = "integration-webhook-secret";
inline constexpr char kApiKey[] = "integration-api-key-0123456789";
// The master key every test server runs with (personal data is encrypted at rest).
inline constexpr char kMasterKey[] =
    "6f70696e746567726174696f6e2d6d61737465722d6b65792d303132333435ab";

// A temporary directory removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// `orderpilot serve` on 127.0.0.1 with a free port, the shop and API key above, and a data
// directory that outlives the process (so a restart sees the same data). Its log goes to
// <data_dir>/server.log.
class ServerProcess {
 public:
  explicit ServerProcess(std::string data_dir, std::vector<std::string> extra_args = {});
  ~ServerProcess();

  // Starts the binary and waits until it listens. Fails the test (ADD_FAILURE) on error.
  bool Start();
  void Kill9();          // SIGKILL, then reap
  int Stop();            // SIGTERM, wait; returns the exit status
  void Signal(int sig);  // e.g. SIGHUP to reload the rules
  bool running() const { return pid_ > 0; }
  uint16_t port() const { return port_; }
  std::string Log() const;

 private:
  std::string data_dir_;
  std::vector<std::string> extra_args_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

// Headers of a signed Shopify webhook delivery.
Headers ShopifyHeaders(const std::string& body, const std::string& topic,
                       const std::string& webhook_id, const std::string& event_id = "");
Headers ApiHeaders();

// Writes <dir>/no-risk.yaml, a configuration with the fraud screen off, and returns its path:
// for tests that count validation holds exactly and must not see fraud holds too.
std::string NoRiskConfig(const std::string& dir);

// Reads a file from tests/data.
std::string ReadTestData(const std::string& relative_path);

// Runs the orderpilot binary with `args` (a shell word list); returns (exit code, stdout +
// stderr). The exit code is -1 when the binary did not exit normally.
std::pair<int, std::string> RunCli(const std::string& args);

// Every byte of every file under `dir`, concatenated: what a test greps for data that must never
// reach the disk (card numbers, personal data in clear).
std::string AllBytes(const std::string& dir);

}  // namespace orderpilot::testing
