// orderpilot — the command line: `serve` runs the engine, `demo` runs a simulated shop against it.
#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <random>
#include <thread>

#include "api/http_client.h"
#include "app/ai_cli.h"
#include "app/audit_cli.h"
#include "app/config.h"
#include "app/inventory_cli.h"
#include "app/keys_cli.h"
#include "app/privacy_cli.h"
#include "app/risk_cli.h"
#include "app/rules_cli.h"
#include "app/server.h"
#include "app/simulator.h"
#include "ingest/shopify_webhook.h"
#include "pipeline/pipeline.h"
#include "privacy/keyring.h"
#include "risk/trainer.h"
#include "store/store.h"

namespace orderpilot::app {
namespace {

struct ServeFlags {
  std::string config_file;
  std::string listen;
  std::string data_dir;
  std::string shop;
  std::string shopify_secret;
  std::string api_key;
  std::string master_key;
  int workers = -1;
  std::string log_level;
};

int Fail(const Status& s) {
  std::fprintf(stderr, "orderpilot: %s\n", s.message().c_str());
  return 2;
}

// The config file (if any), then flags on top.
Result<Config> BuildConfig(const ServeFlags& f, const Environment& env, Config base) {
  Config c = std::move(base);
  if (!f.config_file.empty()) {
    OP_ASSIGN_OR_RETURN(c, LoadConfigFile(f.config_file, env));
  }
  if (!f.listen.empty()) c.listen = f.listen;
  if (!f.data_dir.empty()) c.data_dir = f.data_dir;
  if (!f.log_level.empty()) c.log_level = f.log_level;
  if (f.workers >= 0) c.pipeline.workers = f.workers;
  if (!f.shopify_secret.empty()) {
    OP_ASSIGN_OR_RETURN(std::string secret, ResolveSecret(f.shopify_secret, env));
    std::string domain = f.shop.empty() ? "*" : f.shop;
    bool replaced = false;
    for (ShopConfig& s : c.shops)
      if (s.domain == domain) s.webhook_secret = secret, replaced = true;
    if (!replaced) c.shops.push_back({domain, secret});
  } else if (!f.shop.empty()) {
    return InvalidArgumentError("--shop needs --shopify-secret");
  }
  if (!f.api_key.empty()) {
    OP_ASSIGN_OR_RETURN(std::string key, ResolveSecret(f.api_key, env));
    if (key.size() < 16) return InvalidArgumentError("--api-key must be at least 16 characters");
    c.api_keys.push_back({"cli", key});
  }
  if (!f.master_key.empty()) {
    OP_ASSIGN_OR_RETURN(std::string key, ResolveSecret(f.master_key, env));
    c.privacy.master_keys.insert(c.privacy.master_keys.begin(), key);
  } else if (c.privacy.master_keys.empty()) {
    if (std::optional<std::string> key = env.Get("ORDERPILOT_MASTER_KEY"); key && !key->empty())
      c.privacy.master_keys.push_back(*key);
  }
  OP_RETURN_IF_ERROR(c.ListenHostPort().status());
  return c;
}

void SetUpLogging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("orderpilot");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(level.empty() ? "info" : level));
}

// Blocks SIGINT/SIGTERM in every thread started after this; the main thread waits for them.
sigset_t BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

// Waits up to `ms` for a stop signal; true when one came. SIGHUP reloads the rule files.
bool WaitForStop(const sigset_t& set, int ms, Server* server = nullptr) {
  timespec ts{ms / 1000, (ms % 1000) * 1000000L};
  int sig = sigtimedwait(&set, nullptr, &ts);
  if (sig == SIGHUP) {
    if (server) {
      Status s = server->ReloadRules();
      if (s.ok()) {
        spdlog::info("SIGHUP: rules reloaded");
      } else {
        spdlog::error("SIGHUP: rules reload refused, the previous rules keep running:\n{}",
                      s.message());
      }
    }
    return false;
  }
  return sig > 0;
}

int Serve(const ServeFlags& flags) {
  ProcessEnvironment env;
  auto config = BuildConfig(flags, env, Config{});
  if (!config.ok()) return Fail(config.status());
  if (Status keys = CheckMasterKeys(*config); !keys.ok()) return Fail(keys);
  SetUpLogging(config->log_level);
  if (config->shops.empty())
    spdlog::warn("no shop configured: Shopify webhooks will be refused (401)");
  if (config->api_keys.empty()) spdlog::warn("no API key configured: /v1 answers 401");
  sigset_t stop = BlockStopSignals();
  SystemClock clock;
  auto server = Server::Start(*config, clock);
  if (!server.ok()) return Fail(server.status());
  std::printf("orderpilot listening on %s (data in %s)\n", (*server)->url().c_str(),
              config->data_dir.c_str());
  std::fflush(stdout);
  while (!WaitForStop(stop, 1000, server->get())) {
  }
  spdlog::info("stopping: finishing in-flight requests and commits");
  (*server)->Stop();
  return 0;
}

struct DemoFlags {
  ServeFlags serve;
  double rate = 10;
  bool keep = false;
  uint64_t seed = 0;
};

// Trains the demo's fraud model on a labelled history from the simulator (a different seed
// than the live stream), so the demo screens with a model as a shop with history would.
Status TrainDemoModel(uint64_t seed, const std::string& path, const Config& config) {
  constexpr int kHistory = 20000;
  std::printf("training the demo fraud model on %d simulated past orders…\n", kHistory);
  std::fflush(stdout);
  OP_ASSIGN_OR_RETURN(risk::TrainedModel model,
                      TrainOnSimulatedHistory(seed, kHistory, config, risk::TrainOptions{}));
  OP_RETURN_IF_ERROR(risk::SaveModel(model, path));
  std::printf("  %d trees; validation (latest 20%%): %s\n", model.trees,
              risk::FormatMetrics(model.validation).c_str());
  return Status::Ok();
}

int Demo(DemoFlags flags) {
  // Demo secrets: generated unless the environment already has them.
  std::string secret = "demo-secret-" + std::to_string(::getpid());
  std::random_device random;  // /dev/urandom on Linux
  std::string api_key = "demo-";
  for (int i = 0; i < 4; ++i) {
    char part[9];
    std::snprintf(part, sizeof part, "%08x", random());
    api_key += part;
  }
  setenv("SHOPIFY_SECRET", secret.c_str(), 0);
  setenv("ORDERPILOT_API_KEY", api_key.c_str(), 0);
  // The demo's data lives in a temporary directory, sealed under a master key of its own.
  setenv("ORDERPILOT_MASTER_KEY", privacy::GenerateMasterKeyText().c_str(), 0);
  ProcessEnvironment env;
  secret = *env.Get("SHOPIFY_SECRET");
  api_key = *env.Get("ORDERPILOT_API_KEY");

  char dir_template[] = "/tmp/orderpilot-demo-XXXXXX";
  if (!mkdtemp(dir_template)) return Fail(InternalError("cannot create a temporary directory"));
  std::string data_dir = dir_template;
  if (flags.serve.config_file.empty() && std::filesystem::exists("examples/orderpilot.yaml"))
    flags.serve.config_file = "examples/orderpilot.yaml";
  flags.serve.data_dir = data_dir;
  Config base;
  base.shops.push_back({"demo-shop.myshopify.com", secret});
  base.api_keys.push_back({"demo", api_key});
  auto config = BuildConfig(flags.serve, env, base);
  if (!config.ok()) return Fail(config.status());
  if (config->shops.empty()) return Fail(InvalidArgumentError("the demo config names no shop"));
  // The live summary line owns the terminal: only warnings and errors are logged.
  SetUpLogging("warn");
  if (config->risk.enabled && config->risk.model.empty()) {
    const std::string model = (std::filesystem::path(data_dir) / "risk-model.json").string();
    Status trained = TrainDemoModel(flags.seed ? flags.seed + 1 : 42, model, *config);
    if (!trained.ok()) {
      std::filesystem::remove_all(data_dir);
      return Fail(trained);
    }
    config->risk.model = model;
  }

  sigset_t stop = BlockStopSignals();
  SystemClock clock;
  auto server = Server::Start(*config, clock);
  if (!server.ok()) {
    std::filesystem::remove_all(data_dir);
    return Fail(server.status());
  }
  const ShopConfig& shop = config->shops.front();
  std::printf(
      "orderpilot demo shop is running at %s\n"
      "  data directory: %s (%s on exit)\n"
      "  try: curl -H 'Authorization: Bearer %s' %s/v1/orders?state=held\n"
      "       curl -H 'Authorization: Bearer %s' %s/v1/inventory?sku=NW-TEE-ORG-BLK-M\n"
      "       curl %s/metrics\n"
      "  Ctrl-C stops it.\n",
      (*server)->url().c_str(), data_dir.c_str(), flags.keep ? "kept" : "removed",
      config->api_keys.front().key.c_str(), (*server)->url().c_str(),
      config->api_keys.front().key.c_str(), (*server)->url().c_str(), (*server)->url().c_str());
  std::fflush(stdout);

  std::atomic<bool> running{true};
  std::atomic<int64_t> posted{0}, failed{0};
  uint16_t port = (*server)->port();
  std::string host = (*server)->url().substr(7, (*server)->url().rfind(':') - 7);
  uint64_t seed = flags.seed ? flags.seed : static_cast<uint64_t>(clock.Now().micros);
  const std::string domain = shop.domain == "*" ? "demo-shop.myshopify.com" : shop.domain;
  std::thread simulator([&] {
    OrderSimulator sim(seed, domain);
    api::HttpClient client(host, port);
    auto interval = std::chrono::duration<double>(1.0 / std::max(0.1, flags.rate));
    auto next = std::chrono::steady_clock::now();
    while (running) {
      SimulatedWebhook w = sim.NextOrderCreate();
      auto resp = client.Send(
          "POST", "/webhooks/shopify", w.body,
          {{"Content-Type", "application/json"},
           {"X-Shopify-Topic", w.topic},
           {"X-Shopify-Shop-Domain", domain},
           {"X-Shopify-Webhook-Id", w.webhook_id},
           {"X-Shopify-Event-Id", w.event_id},
           {"X-Shopify-Api-Version", "2026-04"},
           {"X-Shopify-Hmac-Sha256", ingest::SignShopifyBody(w.body, shop.webhook_secret)}});
      if (resp.ok() && resp->status == 200) {
        ++posted;
      } else {
        ++failed;
      }
      next += std::chrono::duration_cast<std::chrono::steady_clock::duration>(interval);
      std::this_thread::sleep_until(next);
    }
  });

  bool tty = ::isatty(STDOUT_FILENO);
  int tick = 0;
  while (!WaitForStop(stop, 1000, server->get())) {
    if (!tty && ++tick % 5 != 0) continue;
    auto stats = (*server)->store().Stats();
    if (!stats.ok()) continue;
    auto n = [&](const char* state) {
      auto it = stats->orders_by_state.find(state);
      return it == stats->orders_by_state.end() ? int64_t{0} : it->second;
    };
    int64_t in = 0;
    for (const auto& [state, count] : stats->orders_by_state) in += count;
    std::printf(
        "%sorders in %lld · allocated %lld · shipped %lld · backordered %lld · accepted %lld · "
        "held %lld · in pipeline %lld · open reviews %lld · post failures %lld%s",
        tty ? "\r" : "", static_cast<long long>(in), static_cast<long long>(n("allocated")),
        static_cast<long long>(n("shipped")), static_cast<long long>(n("backordered")),
        static_cast<long long>(n("accepted")), static_cast<long long>(n("held")),
        static_cast<long long>(n("received") + n("validated")),
        static_cast<long long>(stats->open_reviews), static_cast<long long>(failed.load()),
        tty ? "   " : "\n");
    std::fflush(stdout);
  }
  std::printf("\nstopping the demo…\n");
  running = false;
  simulator.join();
  (*server)->Stop();
  if (!flags.keep) std::filesystem::remove_all(data_dir);
  std::printf("stopped; %lld orders posted\n", static_cast<long long>(posted.load()));
  return 0;
}

void AddServeFlags(CLI::App* cmd, ServeFlags& f) {
  cmd->add_option("--config", f.config_file, "YAML configuration file");
  cmd->add_option("--listen", f.listen, "address to listen on, host:port (port 0 = any free)");
  cmd->add_option("--data", f.data_dir, "data directory (created if missing)");
  cmd->add_option("--shop", f.shop, "Shopify shop domain for --shopify-secret (default: any)");
  cmd->add_option("--shopify-secret", f.shopify_secret,
                  "Shopify webhook secret; env:NAME or file:PATH read it from elsewhere");
  cmd->add_option("--api-key", f.api_key, "API key for /v1 (env:NAME or file:PATH accepted)");
  cmd->add_option("--master-key", f.master_key,
                  "master key for personal data at rest, 64 hex characters (env:NAME or "
                  "file:PATH accepted; default: privacy.master_key, else ORDERPILOT_MASTER_KEY)");
  cmd->add_option("--workers", f.workers, "pipeline worker threads (0 pauses the pipeline)")
      ->check(CLI::Range(0, 64));
  cmd->add_option("--log-level", f.log_level, "trace, debug, info, warn, error");
}

}  // namespace
}  // namespace orderpilot::app

int main(int argc, char** argv) {
  using namespace orderpilot::app;
  CLI::App cli{"orderpilot — order-operations autopilot for online stores"};
  cli.require_subcommand(1);
  ServeFlags serve;
  CLI::App* serve_cmd = cli.add_subcommand("serve", "run the engine: webhooks, API, pipeline");
  AddServeFlags(serve_cmd, serve);
  DemoFlags demo;
  CLI::App* demo_cmd = cli.add_subcommand("demo", "run a simulated shop against a fresh engine");
  AddServeFlags(demo_cmd, demo.serve);
  demo_cmd->add_option("--rate", demo.rate, "simulated orders per second (default 10)");
  demo_cmd->add_flag("--keep", demo.keep, "keep the temporary data directory on exit");
  demo_cmd->add_option("--seed", demo.seed, "simulator seed (default: time)");
  CLI::App* rules_cmd = cli.add_subcommand("rules", "check and try automation rule files");
  rules_cmd->require_subcommand(1);
  std::vector<std::string> rule_files;
  std::string order_file, trigger;
  CLI::App* check_cmd = rules_cmd->add_subcommand("check", "validate rule files");
  check_cmd->add_option("files", rule_files, "rule files (YAML)")->required();
  CLI::App* test_cmd =
      rules_cmd->add_subcommand("test", "show which rules fire on an order, and why");
  test_cmd->add_option("files", rule_files, "rule files (YAML)")->required();
  test_cmd->add_option("--order", order_file, "order JSON (canonical or Shopify)")->required();
  test_cmd->add_option("--trigger", trigger, "only rules of this trigger (default: all)");
  ServeFlags import_flags;
  std::string import_kind, import_file;
  CLI::App* import_cmd =
      cli.add_subcommand("import", "import stock levels or purchase orders from CSV");
  import_cmd->add_option("kind", import_kind, "stock or incoming")
      ->required()
      ->check(CLI::IsMember({"stock", "incoming"}));
  import_cmd->add_option("file", import_file, "the CSV file")->required();
  import_cmd->add_option("--config", import_flags.config_file, "YAML configuration file");
  import_cmd->add_option("--data", import_flags.data_dir, "data directory");
  ServeFlags inventory_flags;
  bool reorder_json = false;
  CLI::App* inventory_cmd = cli.add_subcommand("inventory", "stock reports");
  inventory_cmd->require_subcommand(1);
  CLI::App* reorder_cmd = inventory_cmd->add_subcommand(
      "reorder", "forecast demand and show what to reorder, how much, by when");
  reorder_cmd->add_option("--config", inventory_flags.config_file, "YAML configuration file");
  reorder_cmd->add_option("--data", inventory_flags.data_dir, "data directory");
  reorder_cmd->add_flag("--json", reorder_json, "print JSON instead of a table");
  CLI::App* risk_cmd = cli.add_subcommand("risk", "train and evaluate the fraud model");
  risk_cmd->require_subcommand(1);
  RiskTrainFlags train;
  std::vector<std::string> column_map;
  ServeFlags risk_flags;
  std::string eval_model;
  CLI::App* train_cmd = risk_cmd->add_subcommand(
      "train", "train the fraud model on a labelled order history (time-ordered split)");
  train_cmd->add_option("--data", train.data, "labelled CSV (docs/risk.md)")->required();
  train_cmd->add_option("--out", train.out, "model file to write")->required();
  train_cmd->add_option("--map", column_map,
                        "column mapping ours=theirs, repeatable (created_at=purchase_time)");
  train_cmd->add_option("--trees", train.trees, "most trees (default 200)")
      ->check(CLI::Range(1, 5000));
  train_cmd->add_option("--max-depth", train.max_depth, "tree depth (default 4)")
      ->check(CLI::Range(1, 10));
  train_cmd
      ->add_option("--validation", train.validation,
                   "share of the latest rows held out (default 0.2)")
      ->check(CLI::Range(0.05, 0.5));
  train_cmd->add_option("--threads", train.threads, "training threads (default: all)");
  train_cmd
      ->add_option("--split", train.split,
                   "time (default: the latest rows are held out) or random (shuffled; for "
                   "comparison with published results only)")
      ->check(CLI::IsMember({"time", "random"}));
  train_cmd->add_option("--seed", train.seed, "the random split's shuffle seed (default 1)");
  train_cmd->add_option("--config", risk_flags.config_file,
                        "YAML configuration (high-risk SKUs, forwarders, IP table)");
  CLI::App* eval_cmd =
      risk_cmd->add_subcommand("eval", "ROC-AUC, PR-AUC and recall@2% of a model on a file");
  eval_cmd->add_option("--model", eval_model, "model file")->required();
  eval_cmd->add_option("--data", train.data, "labelled CSV")->required();
  eval_cmd->add_option("--map", column_map, "column mapping ours=theirs, repeatable");
  eval_cmd->add_option("--config", risk_flags.config_file, "YAML configuration");
  CLI::App* review_cmd = cli.add_subcommand("review", "the review queue's record");
  review_cmd->require_subcommand(1);
  ServeFlags review_flags;
  int stats_days = 30;
  bool stats_json = false;
  CLI::App* stats_cmd = review_cmd->add_subcommand(
      "stats", "approval rates per decision kind and rule, and what they suggest");
  stats_cmd->add_option("--config", review_flags.config_file, "YAML configuration file");
  stats_cmd->add_option("--data", review_flags.data_dir, "data directory");
  stats_cmd->add_option("--days", stats_days, "window in days (default 30)");
  stats_cmd->add_flag("--json", stats_json, "print JSON instead of a table");
  CLI::App* audit_cmd = cli.add_subcommand("audit", "the tamper-evident audit chain");
  audit_cmd->require_subcommand(1);
  ServeFlags audit_flags;
  CLI::App* verify_cmd = audit_cmd->add_subcommand(
      "verify", "check every event's hash against the one before it; name the first broken one");
  verify_cmd->add_option("--config", audit_flags.config_file, "YAML configuration file");
  verify_cmd->add_option("--data", audit_flags.data_dir, "data directory");
  CLI::App* customer_cmd =
      cli.add_subcommand("customer", "a customer's personal data: export it or erase it");
  customer_cmd->require_subcommand(1);
  ServeFlags customer_flags;
  CustomerSelector customer;
  std::string export_out = "-", request_id;
  CLI::App* export_cmd = customer_cmd->add_subcommand(
      "export", "write everything held about a customer as one JSON document");
  CLI::App* erase_cmd = customer_cmd->add_subcommand(
      "erase", "crypto-shred a customer's personal data (orders keep money, SKUs and dates)");
  for (CLI::App* c : {export_cmd, erase_cmd}) {
    c->add_option("--config", customer_flags.config_file, "YAML configuration file");
    c->add_option("--data", customer_flags.data_dir, "data directory");
    c->add_option("--master-key", customer_flags.master_key, "master key (env:NAME, file:PATH)");
    c->add_option("--shop", customer.shop, "shop domain (default: the configured one)");
    c->add_option("--email", customer.email, "the customer's email");
    c->add_option("--phone", customer.phone, "the customer's phone");
    c->add_option("--customer-id", customer.customer_id, "the channel's customer id");
    c->add_option("--ref", customer.ref, "a customer ref (cus_…) as printed by export");
    c->add_option("--request-id", request_id, "the request or ticket this answers (audit)");
  }
  export_cmd->add_option("--out", export_out, "file to write (mode 0600; - = stdout)");
  CLI::App* privacy_cmd = cli.add_subcommand("privacy", "privacy requests and their deadlines");
  privacy_cmd->require_subcommand(1);
  ServeFlags privacy_flags;
  bool requests_json = false;
  CLI::App* requests_cmd = privacy_cmd->add_subcommand(
      "requests", "list privacy requests with their status and 30-day deadline");
  requests_cmd->add_option("--config", privacy_flags.config_file, "YAML configuration file");
  requests_cmd->add_option("--data", privacy_flags.data_dir, "data directory");
  requests_cmd->add_option("--master-key", privacy_flags.master_key, "master key");
  requests_cmd->add_flag("--json", requests_json, "print JSON");
  CLI::App* keys_cmd = cli.add_subcommand("keys", "API keys and the master key");
  keys_cmd->require_subcommand(1);
  ServeFlags keys_flags;
  CLI::App* new_master_cmd =
      keys_cmd->add_subcommand("new-master", "print a new random master key (64 hex characters)");
  CLI::App* rotate_cmd = keys_cmd->add_subcommand(
      "rotate", "re-wrap every data key under the first master key (online; docs/privacy.md)");
  rotate_cmd->add_option("--config", keys_flags.config_file, "YAML configuration file");
  rotate_cmd->add_option("--data", keys_flags.data_dir, "data directory");
  ServeFlags api_key_flags;
  std::string key_name, key_role;
  CLI::App* key_create_cmd = keys_cmd->add_subcommand(
      "create", "create an API key with a role and print it once (docs/access.md)");
  key_create_cmd->add_option("--name", key_name, "who holds the key (unique)")->required();
  key_create_cmd->add_option("--role", key_role, "viewer, operator or admin")
      ->required()
      ->check(CLI::IsMember({"viewer", "operator", "admin"}));
  CLI::App* key_revoke_cmd = keys_cmd->add_subcommand("revoke", "revoke an API key by name");
  key_revoke_cmd->add_option("--name", key_name, "the key's name")->required();
  CLI::App* key_list_cmd =
      keys_cmd->add_subcommand("list", "list API keys: name, role, prefix, created, revoked");
  for (CLI::App* c : {key_create_cmd, key_revoke_cmd, key_list_cmd}) {
    c->add_option("--config", api_key_flags.config_file, "YAML configuration file");
    c->add_option("--data", api_key_flags.data_dir, "data directory");
  }
  CLI::App* ai_cmd = cli.add_subcommand("ai", "ask the configured outside model (docs/ai.md)");
  ai_cmd->require_subcommand(1);
  ServeFlags ai_flags;
  AiAskRequest ai_ask;
  CLI::App* ask_cmd = ai_cmd->add_subcommand(
      "ask", "a question about one order; personal data is redacted before it is sent");
  ask_cmd->add_option("--config", ai_flags.config_file, "YAML configuration file");
  ask_cmd->add_option("--data", ai_flags.data_dir, "data directory");
  ask_cmd->add_option("--master-key", ai_flags.master_key, "master key (env:NAME, file:PATH)");
  ask_cmd->add_option("--order", ai_ask.order_id, "the order's id")->required();
  ask_cmd->add_option("--question", ai_ask.question, "the question (default: read from stdin)");
  ask_cmd->add_flag("--json", ai_ask.json, "print the answer, model, usage and sent body as JSON");
  CLI11_PARSE(cli, argc, argv);
  try {
    if (*serve_cmd) return Serve(serve);
    if (*demo_cmd) return Demo(demo);
    if (*check_cmd) return RulesCheck(rule_files, stdout, stderr);
    if (*test_cmd) return RulesTest(rule_files, order_file, trigger, stdout, stderr);
    if (*import_cmd || *reorder_cmd) {
      ProcessEnvironment env;
      const ServeFlags& f = *import_cmd ? import_flags : inventory_flags;
      auto config = BuildConfig(f, env, Config{});
      if (!config.ok()) return Fail(config.status());
      if (*import_cmd) return ImportCommand(*config, import_kind, import_file, stdout, stderr);
      return ReorderCommand(*config, reorder_json, stdout, stderr);
    }
    if (*new_master_cmd) return KeysNewMasterCommand(stdout);
    if (*key_create_cmd || *key_revoke_cmd || *key_list_cmd) {
      ProcessEnvironment env;
      auto config = BuildConfig(api_key_flags, env, Config{});
      if (!config.ok()) return Fail(config.status());
      orderpilot::SystemClock clock;
      if (*key_create_cmd)
        return KeysCreateCommand(*config, key_name, key_role, clock, stdout, stderr);
      if (*key_revoke_cmd) return KeysRevokeCommand(*config, key_name, clock, stdout, stderr);
      return KeysListCommand(*config, clock, stdout, stderr);
    }
    if (*export_cmd || *erase_cmd || *requests_cmd || *rotate_cmd) {
      ProcessEnvironment env;
      const ServeFlags& f = *requests_cmd ? privacy_flags
                            : *rotate_cmd ? keys_flags
                                          : customer_flags;
      auto config = BuildConfig(f, env, Config{});
      if (!config.ok()) return Fail(config.status());
      if (*requests_cmd) return PrivacyRequestsCommand(*config, requests_json, stdout, stderr);
      if (*rotate_cmd) return KeysRotateCommand(*config, stdout, stderr);
      return CustomerCommand(*config, *export_cmd ? "export" : "erase", customer, export_out,
                             request_id, stdout, stderr);
    }
    if (*ask_cmd) {
      ProcessEnvironment env;
      auto config = BuildConfig(ai_flags, env, Config{});
      if (!config.ok()) return Fail(config.status());
      if (ai_ask.question.empty()) {
        ai_ask.question.assign(std::istreambuf_iterator<char>(std::cin),
                               std::istreambuf_iterator<char>());
      }
      return AiAskCommand(*config, ai_ask, stdout, stderr);
    }
    if (*verify_cmd) {
      ProcessEnvironment env;
      auto config = BuildConfig(audit_flags, env, Config{});
      if (!config.ok()) return Fail(config.status());
      return AuditVerifyCommand(*config, stdout, stderr);
    }
    if (*train_cmd || *eval_cmd || *stats_cmd) {
      ProcessEnvironment env;
      auto config = BuildConfig(*stats_cmd ? review_flags : risk_flags, env, Config{});
      if (!config.ok()) return Fail(config.status());
      if (*stats_cmd) return ReviewStatsCommand(*config, stats_days, stats_json, stdout, stderr);
      auto mapping = ParseColumnMapping(column_map);
      if (!mapping.ok()) return Fail(mapping.status());
      if (*train_cmd) {
        train.mapping = *mapping;
        return RiskTrainCommand(train, *config, stdout, stderr);
      }
      return RiskEvalCommand(eval_model, train.data, *mapping, *config, stdout, stderr);
    }
  } catch (const std::exception& e) {  // last resort: nothing below should throw
    std::fprintf(stderr, "orderpilot: unexpected error: %s\n", e.what());
    return 1;
  }
  return 0;
}
