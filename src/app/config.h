// app/config.h — the orderpilot.yaml configuration: its typed form, the loader and secrets.
//
// Invariant: a Config returned by ParseConfig/LoadConfigFile is valid — listen is host:port,
// every shop has a domain and a resolved non-empty secret, domains are unique, API keys are
// resolved and at least 16 characters, limits and worker counts are in range. Invalid files are
// refused with "<file>:<line>:<col>: <reason>" (1-based), so a person can jump to the mistake.
// The outside world (environment variables) comes through the injected Environment, so tests
// never touch the process environment. The format is documented in docs/configuration.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ai/chat_client.h"
#include "core/status.h"
#include "inventory/location.h"
#include "review/policy.h"

namespace orderpilot::app {

// Where environment variables come from. Implementations must be thread-safe for Get.
class Environment {
 public:
  virtual ~Environment() = default;
  // The variable's value, or nullopt when it is not set.
  virtual std::optional<std::string> Get(std::string_view name) const = 0;
};

// The real process environment (getenv).
class ProcessEnvironment final : public Environment {
 public:
  std::optional<std::string> Get(std::string_view name) const override;
};

// A map of variables, for tests and for callers that build an environment by hand.
// Thread-safety: Get may run concurrently; Set must not run concurrently with anything.
class FakeEnvironment final : public Environment {
 public:
  FakeEnvironment() = default;
  explicit FakeEnvironment(std::map<std::string, std::string, std::less<>> vars)
      : vars_(std::move(vars)) {}
  void Set(std::string name, std::string value) { vars_[std::move(name)] = std::move(value); }
  std::optional<std::string> Get(std::string_view name) const override;

 private:
  std::map<std::string, std::string, std::less<>> vars_;
};

struct ShopConfig {
  std::string domain;          // "example.myshopify.com"; "*" matches any shop (see FindShop)
  std::string webhook_secret;  // resolved: the secret itself, never "env:…"
};

struct ApiKeyConfig {
  std::string name;            // who holds the key, for logs ("ops")
  std::string key;             // resolved secret, at least 16 characters
  std::string role = "admin";  // viewer, operator or admin. Default: admin (docs/access.md)
};

// A token bucket: `per_second` refill (0 = no limit) and `burst` size.
struct RateLimitConfig {
  double per_second = 0;
  double burst = 1;
};

// Sessions and rate limits of the API (docs/access.md).
struct AccessConfig {
  int session_idle_minutes = 30;  // 1 .. 10080
  bool secure_cookie = false;     // Default: false; true behind a TLS proxy
  RateLimitConfig per_key{1000, 2000};
  RateLimitConfig per_address{2000, 4000};
  RateLimitConfig per_shop{5000, 20000};  // webhooks
};

struct Limits {
  size_t max_body_bytes = 1 << 20;  // request body cap; 1 KiB .. 64 MiB
  int max_connections = 1024;       // concurrent HTTP connections; 1 .. 100000
  int read_timeout_seconds = 30;    // per request read; 1 .. 3600
};

struct PipelineConfig {
  int workers = 2;  // pipeline worker threads; 1 .. 64 in a file (the CLI may set 0 to pause)
};

// Automation rules (rules/rule_set.h) and how much they may do on their own.
struct AutomationConfig {
  // Rule files, in the order their rules run. Relative paths are resolved against the directory
  // of the configuration file.
  std::vector<std::string> rule_files;
  bool auto_cancel = false;  // Default: false — a rule's cancel opens a review item instead.
  // Limits on rule conditions (expr::ExprLimits): source size, nesting, and the cost budget of
  // one evaluation (comprehension steps + 1 per 64 bytes built).
  int64_t max_condition_bytes = 16 * 1024;  // 64 .. 1 MiB
  int64_t max_nesting = 100;                // 8 .. 1000
  int64_t max_cost = 100'000;               // 100 .. 1e9
};

// A location as configured. Its handling cost is kept as text until the rate tables say which
// currency costs are in (app/fulfillment.h builds the typed setup).
struct LocationConfig {
  inventory::Location location;  // handling_cost unset here
  std::string handling_cost = "0";
  std::string field;  // "locations[2]", for errors found when the setup is built
};

// Stock, allocation and shipping policy. Paths are resolved against the configuration file's
// directory.
struct InventoryConfig {
  std::string catalog;                 // CSV of SKUs (inventory/catalog.h); "" = none
  std::string initial_stock;           // CSV imported at start while the database holds no stock
  std::string split_penalty = "0.00";  // per extra parcel, rate tables' currency
  int default_lead_time_days = 14;     // 1 .. 365
  bool substitutes = true;             // propose substitute SKUs for review when out of stock
  int64_t shopify_buffer = 0;          // units per SKU and location held back from Shopify
  int backorder_recheck_seconds = 60;  // 1 .. 86400
  // Forecasts and reorder suggestions (inventory/reorder.h).
  double service_level = 0.95;  // 0.5 .. 0.9999
  int review_days = 7;          // 0 .. 90
  int history_days = 90;        // 14 .. 1095
  // Business days in transit each promised speed allows.
  int standard_days = 5;
  int express_days = 2;
  int overnight_days = 1;
};

// Fraud screening (risk/, docs/risk.md). Paths are resolved against the configuration file's
// directory.
struct RiskConfig {
  bool enabled = true;     // Default: true — every order is scored before it is accepted
  std::string model;       // trained model file (`orderpilot risk train`); "" = weighted signals
  std::string ip_country;  // GeoIP.dat or a CSV of IP ranges; "" = no IP-country signals
  std::vector<std::string> high_risk_skus;
  struct Forwarder {
    std::string country_code;      // "US"
    std::string zip_prefix;        // "33166"; "" = any
    std::string address_contains;  // "NW 25th St"; "" = any (but not both empty)
  };
  std::vector<Forwarder> freight_forwarders;
  // Scores (0..1) at or above which an order is proposed for a fraud hold / a fraud cancel.
  double hold_above = 0.5;     // Default: 0.5
  double cancel_above = 0.95;  // Default: 0.95; must be > hold_above
  int history_days = 90;       // orders read back at start for the customer/shop history; 1..3650
};

// The review queue (review/): autonomy per decision kind and how often SLAs are checked.
struct ReviewConfig {
  review::AutonomyPolicy autonomy;
  int sla_check_seconds = 30;  // 1 .. 3600
};

// Personal data at rest (privacy/, docs/privacy.md).
struct PrivacyConfig {
  // Master keys as text (64 hex characters, resolved from env:NAME / file:PATH references);
  // the first wraps every new data key, the others only unwrap (while a rotation runs). The
  // command line (--master-key, else ORDERPILOT_MASTER_KEY when the config names none) adds to
  // it; `serve` refuses to start without any.
  std::vector<std::string> master_keys;
  std::string key_file;    // the data keys' file; Default: <data_dir>/keys.db
  std::string export_dir;  // where data-request exports are written; Default: <data_dir>/exports
  // Retention (unset = keep): erase customers with no order or request for this many days; empty
  // stored raw webhook bodies older than this many days.
  std::optional<int> erase_inactive_customers_after_days;
  std::optional<int> drop_raw_webhook_bodies_after_days;
  int job_seconds = 5;  // how often pending privacy requests and retention run, 1 .. 86400
};

struct Config {
  std::string listen = "127.0.0.1:8080";  // host:port; port 0 picks a free port
  std::string data_dir = "./var";
  std::vector<ShopConfig> shops;
  std::vector<ApiKeyConfig> api_keys;
  AccessConfig access;
  Limits limits;
  PipelineConfig pipeline;
  AutomationConfig automation;
  // Fulfillment: configured when `locations` is not empty (then `carriers` is required).
  std::vector<LocationConfig> locations;
  std::vector<std::string> carrier_files;  // rate tables (routing/rate_table.h), one per carrier
  InventoryConfig inventory;
  RiskConfig risk;
  ReviewConfig review;
  PrivacyConfig privacy;
  // Outside models (ai/chat_client.h, docs/ai.md): off unless `ai.enabled: true`; an enabled
  // section is checked at load (ai::ChatClient::Validate). api_key is resolved from env:NAME /
  // file:PATH references like the other secrets.
  ai::AiOptions ai;
  std::string log_level = "info";  // trace, debug, info, warn, error, critical, off

  // Splits `listen` into host and port. "[::1]:8080" gives host "::1". InvalidArgument when it
  // is not host:port with a port in 0..65535.
  Result<std::pair<std::string, uint16_t>> ListenHostPort() const;
  // The shop configured for `domain` (ASCII case-insensitive), else the "*" shop if there is
  // one, else nullptr. The pointer is valid while this Config is alive and unchanged.
  const ShopConfig* FindShop(std::string_view domain) const;
};

// Parses YAML text into a valid Config; `file_name` is only used in messages. Keys left out keep
// the defaults above. Every error is InvalidArgument with the message
// "<file_name>:<line>:<col>: <reason>" and, where it applies, field() set to the key path
// ("limits.max_body_bytes", "shops[1].domain").
Result<Config> ParseConfig(std::string_view yaml_text, std::string_view file_name,
                           const Environment& env);

// Reads and parses the file at `path`. NotFound naming the path when it does not exist;
// FailedPrecondition when it cannot be read.
Result<Config> LoadConfigFile(const std::string& path, const Environment& env);

// Resolves a secret reference:
//   "env:NAME"  the environment variable NAME (unset or empty → InvalidArgument naming NAME);
//   "file:PATH" the contents of the file at PATH (relative to the working directory), with
//               surrounding whitespace trimmed (unreadable or empty → InvalidArgument naming PATH);
//   anything else is the secret itself, literally.
Result<std::string> ResolveSecret(std::string_view value, const Environment& env);

}  // namespace orderpilot::app
