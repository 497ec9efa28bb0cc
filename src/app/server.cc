#include "app/server.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "api/http_server.h"
#include "api/service.h"
#include "app/fulfillment.h"
#include "app/inventory_cli.h"
#include "app/risk_cli.h"
#include "app/webhook_sender.h"
#include "core/json_writer.h"
#include "notify/outbox_dispatcher.h"
#include "pipeline/pipeline.h"
#include "pipeline/review_effects.h"
#include "privacy/keyring.h"
#include "privacy/privacy_request.h"
#include "privacy/sealed_store.h"
#include "review/sla_watcher.h"
#include "rules/engine.h"
#include "rules/order_env.h"
#include "store/access_keys.h"
#include "store/sqlite_store.h"

namespace orderpilot::app {

class PrivacyJobs;

struct Server::Parts {
  std::string host;
  std::vector<std::string> rule_files;
  std::unique_ptr<rules::OrderEnv> rule_env;
  std::unique_ptr<rules::RuleEngine> rules;
  Fulfillment fulfillment;  // before the store: the store calls its channel sync
  SealedData data;
  store::Store* store = nullptr;  // data.store: personal fields sealed on the way in
  std::unique_ptr<pipeline::Pipeline> pipeline;
  std::unique_ptr<store::AccessKeys> access_keys;  // `orderpilot keys`; outlives the service
  std::unique_ptr<api::ApiService> service;
  std::unique_ptr<api::HttpServer> http;
  std::unique_ptr<notify::OutboxDispatcher> outbox;
  review::AutonomyPolicy autonomy;
  RiskSetup risk;
  std::unique_ptr<review::SlaWatcher> sla;
  std::unique_ptr<PrivacyJobs> privacy_jobs;
  bool stopped = false;
};

Result<std::unique_ptr<store::SqliteStore>> OpenDataStore(
    const Config& config, const Clock& clock, const store::StockObserver* stock_observer) {
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) {
    return FailedPreconditionError("cannot create data directory " + config.data_dir + ": " +
                                   ec.message());
  }
  store::SqliteOptions so;
  so.path = (std::filesystem::path(config.data_dir) / "orderpilot.db").string();
  so.clock = &clock;
  so.stock_observer = stock_observer;
  return store::SqliteStore::Open(so);
}

SealedData::SealedData() = default;
SealedData::SealedData(SealedData&&) noexcept = default;
SealedData& SealedData::operator=(SealedData&&) noexcept = default;
SealedData::~SealedData() {
  store.reset();
  sqlite.reset();
  keyring.reset();
}

namespace {

Result<std::vector<privacy::MasterKey>> MasterKeysOf(const Config& config) {
  if (config.privacy.master_keys.empty()) {
    return FailedPreconditionError(
        "no master key: personal data is encrypted at rest, so orderpilot needs one. Set "
        "privacy.master_key (env:NAME or file:PATH) in the config, pass --master-key or set "
        "ORDERPILOT_MASTER_KEY; `orderpilot keys new-master` prints a new key");
  }
  std::vector<privacy::MasterKey> masters;
  for (size_t i = 0; i < config.privacy.master_keys.size(); ++i) {
    Result<privacy::MasterKey> key = privacy::ParseMasterKey(config.privacy.master_keys[i]);
    if (!key.ok()) {
      return InvalidArgumentError(std::string(i == 0 ? "the master key" : "a previous master key") +
                                  ": " + key.status().message());
    }
    masters.push_back(*key);
  }
  return masters;
}

}  // namespace

Status CheckMasterKeys(const Config& config) { return MasterKeysOf(config).status(); }

Result<SealedData> OpenSealedData(const Config& config, const Clock& clock,
                                  const store::StockObserver* stock_observer) {
  OP_ASSIGN_OR_RETURN(std::vector<privacy::MasterKey> masters, MasterKeysOf(config));
  SealedData d;
  OP_ASSIGN_OR_RETURN(d.sqlite, OpenDataStore(config, clock, stock_observer));
  const std::string key_file = config.privacy.key_file.empty()
                                   ? (std::filesystem::path(config.data_dir) / "keys.db").string()
                                   : config.privacy.key_file;
  OP_ASSIGN_OR_RETURN(d.keyring, privacy::Keyring::Open(key_file, std::move(masters), clock));
  d.store = std::make_unique<privacy::SealedStore>(*d.sqlite, *d.keyring);
  return d;
}

// Acts on pending privacy requests and applies the retention policy every job_seconds.
class PrivacyJobs {
 public:
  PrivacyJobs(privacy::SealedStore& store, const Clock& clock, const Config& config)
      : store_(store),
        clock_(clock),
        desk_(
            store, clock,
            {config.privacy.export_dir.empty() ? std::filesystem::path(config.data_dir) / "exports"
                                               : std::filesystem::path(config.privacy.export_dir),
             "privacy"}),
        interval_(config.privacy.job_seconds) {
    if (config.privacy.erase_inactive_customers_after_days)
      policy_.erase_inactive_customers_after =
          std::chrono::hours(24 * *config.privacy.erase_inactive_customers_after_days);
    if (config.privacy.drop_raw_webhook_bodies_after_days)
      policy_.drop_raw_bodies_after =
          std::chrono::hours(24 * *config.privacy.drop_raw_webhook_bodies_after_days);
  }
  ~PrivacyJobs() { Stop(); }

  void Start() {
    thread_ = std::thread([this] {
      std::unique_lock<std::mutex> lock(mu_);
      while (!stop_) {
        lock.unlock();
        RunOnce();
        lock.lock();
        cv_.wait_for(lock, interval_, [this] { return stop_; });
      }
    });
  }
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void RunOnce() {
    Result<int> done = desk_.RunOnce();
    if (!done.ok()) {
      spdlog::error("privacy requests: {}", done.status().message());
    } else if (*done > 0) {
      spdlog::info("privacy requests: {} finished", *done);
    }
    Result<privacy::RetentionReport> kept = privacy::RunRetention(store_, policy_, clock_.Now());
    if (!kept.ok()) {
      spdlog::error("retention: {}", kept.status().message());
    } else if (kept->customers_erased > 0 || kept->raw_bodies_dropped > 0) {
      spdlog::info("retention: {} customers erased, {} raw webhook bodies dropped",
                   kept->customers_erased, kept->raw_bodies_dropped);
    }
  }

  privacy::SealedStore& store_;
  const Clock& clock_;
  privacy::PrivacyDesk desk_;
  privacy::RetentionPolicy policy_;
  std::chrono::seconds interval_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;
};

// Re-reads the rule files; a reload that took effect is a configuration change in the audit
// chain (stream "config"), with the files and how many rules run now.
Status ReloadRulesAudited(rules::RuleEngine& engine, const std::vector<std::string>& files,
                          store::Store& store, std::string_view actor) {
  OP_RETURN_IF_ERROR(engine.Reload(files));
  JsonWriter payload;
  payload.BeginObject().Key("files").BeginArray();
  for (const std::string& f : files) payload.String(f);
  payload.EndArray();
  payload.Field("rules", static_cast<int64_t>(engine.current()->rules().size())).EndObject();
  Result<store::Event> e =
      store.AppendAudit("config", {"config.rules_reloaded", payload.Take(), std::string(actor)});
  if (!e.ok()) spdlog::error("audit: the rules reload was not recorded: {}", e.status().message());
  return Status::Ok();
}

Result<std::unique_ptr<Server>> Server::Start(const Config& config, const Clock& clock) {
  auto parts = std::make_unique<Parts>();
  OP_ASSIGN_OR_RETURN(auto host_port, config.ListenHostPort());
  parts->host = host_port.first;

  // Locations, catalog and rate tables: a bad file refuses the start, naming it.
  OP_ASSIGN_OR_RETURN(parts->fulfillment, BuildFulfillment(config));
  OP_ASSIGN_OR_RETURN(parts->data, OpenSealedData(config, clock, parts->fulfillment.sync.get()));
  parts->store = parts->data.store.get();
  OP_ASSIGN_OR_RETURN(size_t imported, ImportInitialStock(*parts->store, config));
  if (imported > 0) {
    spdlog::info("inventory: imported {} stock levels from {}", imported,
                 config.inventory.initial_stock);
  }

  // Rules first: a bad rule file refuses the start with every error, before anything listens.
  parts->rule_files = config.automation.rule_files;
  parts->rule_env = std::make_unique<rules::OrderEnv>();
  expr::ExprLimits& limits = parts->rule_env->mutable_env().limits();
  limits.max_source_bytes = static_cast<size_t>(config.automation.max_condition_bytes);
  limits.max_depth = static_cast<int>(config.automation.max_nesting);
  limits.max_cost = config.automation.max_cost;
  parts->rules = std::make_unique<rules::RuleEngine>(*parts->rule_env);
  if (!parts->rule_files.empty()) {
    OP_RETURN_IF_ERROR(parts->rules->Reload(parts->rule_files));
    spdlog::info("rules: {} loaded from {} file(s)", parts->rules->current()->rules().size(),
                 parts->rule_files.size());
  }

  // The fraud screen: a missing or bad model or IP table refuses the start, naming the file.
  parts->autonomy = config.review.autonomy;
  OP_ASSIGN_OR_RETURN(parts->risk, BuildRiskSetup(config.risk));
  if (parts->risk.screen) {
    // Velocity and customer keys are blind indexes (keyed BLAKE2b under keys.db's index key),
    // never unkeyed hashes of emails or IPs; warm-up and live scoring share them. The keyring
    // outlives every Assess: Stop() stops the pipeline before it closes keys.db.
    const privacy::Keyring* keyring = parts->data.keyring.get();
    OP_RETURN_IF_ERROR(parts->risk.screen->SetKeyHasher(
        [keyring](std::string_view kind, std::string_view normalised) {
          return keyring->BlindIndex64(kind, normalised);
        }));
    OP_ASSIGN_OR_RETURN(size_t remembered, WarmRiskHistory(*parts->store, *parts->risk.screen,
                                                           config.risk, clock.Now()));
    spdlog::info("risk: scoring with {}; history rebuilt from {} orders",
                 parts->risk.screen->Describe(), remembered);
  }

  pipeline::PipelineOptions po;
  po.workers = config.pipeline.workers;
  po.rules = parts->rules.get();
  po.autonomy = &parts->autonomy;
  po.screen.screen = parts->risk.screen.get();
  po.screen.hold_above = config.risk.hold_above;
  po.screen.cancel_above = config.risk.cancel_above;
  po.fulfillment = parts->fulfillment.setup.get();
  po.backorder_recheck = std::chrono::seconds(config.inventory.backorder_recheck_seconds);
  parts->pipeline = std::make_unique<pipeline::Pipeline>(*parts->store, clock, po);

  api::ServiceOptions svc;
  for (const ShopConfig& s : config.shops) svc.shops.push_back({s.domain, s.webhook_secret});
  for (const ApiKeyConfig& k : config.api_keys) {
    svc.api_keys.push_back({k.name, k.key, api::ParseRole(k.role).value_or(api::Role::kViewer)});
  }
  OP_ASSIGN_OR_RETURN(
      parts->access_keys,
      store::OpenSqliteAccessKeys(
          (std::filesystem::path(config.data_dir) / "orderpilot.db").string(), clock));
  svc.access.stored_keys = parts->access_keys.get();
  svc.access.session_idle_timeout = std::chrono::minutes(config.access.session_idle_minutes);
  svc.access.secure_cookie = config.access.secure_cookie;
  svc.access.per_key = {config.access.per_key.per_second, config.access.per_key.burst};
  svc.access.per_address = {config.access.per_address.per_second, config.access.per_address.burst};
  svc.access.per_shop = {config.access.per_shop.per_second, config.access.per_shop.burst};
  svc.rules = parts->rules.get();
  svc.fulfillment = parts->fulfillment.setup.get();
  svc.shopify_buffer = config.inventory.shopify_buffer;
  svc.autonomy = &parts->autonomy;
  svc.sealed = parts->data.store.get();
  if (parts->fulfillment.setup) {
    store::Store* st = parts->store;
    const inventory::Catalog* catalog = &parts->fulfillment.setup->catalog;
    const Clock* clk = &clock;
    Config cfg = config;
    svc.reorder_report = [st, catalog, clk, cfg] {
      return ReorderReportJsonFor(*st, cfg, *catalog, clk->Now());
    };
  }
  Parts* p = parts.get();
  svc.reload_rules = [p] { return ReloadRulesAudited(*p->rules, p->rule_files, *p->store, "api"); };
  parts->service =
      std::make_unique<api::ApiService>(*parts->store, *parts->pipeline, clock, std::move(svc));

  api::HttpServerOptions ho;
  ho.address = host_port.first;
  ho.port = host_port.second;
  ho.max_body_bytes = config.limits.max_body_bytes;
  ho.max_connections = config.limits.max_connections;
  ho.read_timeout = std::chrono::seconds(config.limits.read_timeout_seconds);
  api::ApiService* service = parts->service.get();
  parts->http = std::make_unique<api::HttpServer>(
      ho, [service](const api::HttpRequest& r) { return service->Handle(r); });

  parts->outbox =
      std::make_unique<notify::OutboxDispatcher>(*parts->store, clock, MakeHttpWebhookSender());

  pipeline::Pipeline* pl = parts->pipeline.get();
  store::Store* data = parts->store;
  parts->sla = std::make_unique<review::SlaWatcher>(
      *parts->store, clock, parts->autonomy,
      [data](store::ReviewDecision d) {
        return pipeline::PrepareReviewDecision(*data, std::move(d));
      },
      [pl](OrderId id) { pl->Enqueue(id); });

  OP_RETURN_IF_ERROR(parts->pipeline->Start());
  parts->outbox->Start();
  parts->sla->Start(std::chrono::seconds(config.review.sla_check_seconds));
  parts->privacy_jobs = std::make_unique<PrivacyJobs>(*parts->data.store, clock, config);
  parts->privacy_jobs->Start();
  OP_RETURN_IF_ERROR(parts->http->Start());
  return std::unique_ptr<Server>(new Server(std::move(parts)));
}

Server::Server(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

Server::~Server() { Stop(); }

uint16_t Server::port() const { return parts_->http->port(); }

std::string Server::url() const { return "http://" + parts_->host + ":" + std::to_string(port()); }

store::Store& Server::store() { return *parts_->store; }
pipeline::Pipeline& Server::pipeline() { return *parts_->pipeline; }

Status Server::ReloadRules() {
  return ReloadRulesAudited(*parts_->rules, parts_->rule_files, *parts_->store, "signal");
}

void Server::Stop() {
  if (parts_->stopped) return;
  parts_->stopped = true;
  parts_->http->Stop();
  parts_->sla->Stop();
  parts_->pipeline->Stop();
  parts_->outbox->Stop();
  parts_->privacy_jobs->Stop();
  parts_->store = nullptr;
  parts_->data = SealedData();  // drains the commit queue, closes the database, then keys.db
}

}  // namespace orderpilot::app
