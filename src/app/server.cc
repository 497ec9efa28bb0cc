#include "app/server.h"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "api/http_server.h"
#include "api/service.h"
#include "app/fulfillment.h"
#include "app/inventory_cli.h"
#include "app/risk_cli.h"
#include "app/webhook_sender.h"
#include "notify/outbox_dispatcher.h"
#include "pipeline/pipeline.h"
#include "pipeline/review_effects.h"
#include "review/sla_watcher.h"
#include "rules/engine.h"
#include "rules/order_env.h"
#include "store/sqlite_store.h"

namespace orderpilot::app {

struct Server::Parts {
  std::string host;
  std::vector<std::string> rule_files;
  std::unique_ptr<rules::OrderEnv> rule_env;
  std::unique_ptr<rules::RuleEngine> rules;
  Fulfillment fulfillment;  // before the store: the store calls its channel sync
  std::unique_ptr<store::SqliteStore> store;
  std::unique_ptr<pipeline::Pipeline> pipeline;
  std::unique_ptr<api::ApiService> service;
  std::unique_ptr<api::HttpServer> http;
  std::unique_ptr<notify::OutboxDispatcher> outbox;
  review::AutonomyPolicy autonomy;
  RiskSetup risk;
  std::unique_ptr<review::SlaWatcher> sla;
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

Result<std::unique_ptr<Server>> Server::Start(const Config& config, const Clock& clock) {
  auto parts = std::make_unique<Parts>();
  OP_ASSIGN_OR_RETURN(auto host_port, config.ListenHostPort());
  parts->host = host_port.first;

  // Locations, catalog and rate tables: a bad file refuses the start, naming it.
  OP_ASSIGN_OR_RETURN(parts->fulfillment, BuildFulfillment(config));
  OP_ASSIGN_OR_RETURN(parts->store, OpenDataStore(config, clock, parts->fulfillment.sync.get()));
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
  for (const ApiKeyConfig& k : config.api_keys) svc.api_keys.push_back({k.name, k.key});
  svc.rules = parts->rules.get();
  svc.fulfillment = parts->fulfillment.setup.get();
  svc.shopify_buffer = config.inventory.shopify_buffer;
  svc.autonomy = &parts->autonomy;
  if (parts->fulfillment.setup) {
    store::Store* st = parts->store.get();
    const inventory::Catalog* catalog = &parts->fulfillment.setup->catalog;
    const Clock* clk = &clock;
    Config cfg = config;
    svc.reorder_report = [st, catalog, clk, cfg] {
      return ReorderReportJsonFor(*st, cfg, *catalog, clk->Now());
    };
  }
  Parts* p = parts.get();
  svc.reload_rules = [p] { return p->rules->Reload(p->rule_files); };
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
  store::Store* data = parts->store.get();
  parts->sla = std::make_unique<review::SlaWatcher>(
      *parts->store, clock, parts->autonomy,
      [data](store::ReviewDecision d) {
        return pipeline::PrepareReviewDecision(*data, std::move(d));
      },
      [pl](OrderId id) { pl->Enqueue(id); });

  OP_RETURN_IF_ERROR(parts->pipeline->Start());
  parts->outbox->Start();
  parts->sla->Start(std::chrono::seconds(config.review.sla_check_seconds));
  OP_RETURN_IF_ERROR(parts->http->Start());
  return std::unique_ptr<Server>(new Server(std::move(parts)));
}

Server::Server(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

Server::~Server() { Stop(); }

uint16_t Server::port() const { return parts_->http->port(); }

std::string Server::url() const { return "http://" + parts_->host + ":" + std::to_string(port()); }

store::Store& Server::store() { return *parts_->store; }
pipeline::Pipeline& Server::pipeline() { return *parts_->pipeline; }

Status Server::ReloadRules() { return parts_->rules->Reload(parts_->rule_files); }

void Server::Stop() {
  if (parts_->stopped) return;
  parts_->stopped = true;
  parts_->http->Stop();
  parts_->sla->Stop();
  parts_->pipeline->Stop();
  parts_->outbox->Stop();
  parts_->store.reset();  // drains the commit queue and closes the database
}

}  // namespace orderpilot::app
