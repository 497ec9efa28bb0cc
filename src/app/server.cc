#include "app/server.h"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "api/http_server.h"
#include "api/service.h"
#include "pipeline/pipeline.h"
#include "store/sqlite_store.h"

namespace orderpilot::app {

struct Server::Parts {
  std::string host;
  std::unique_ptr<store::SqliteStore> store;
  std::unique_ptr<pipeline::Pipeline> pipeline;
  std::unique_ptr<api::ApiService> service;
  std::unique_ptr<api::HttpServer> http;
  bool stopped = false;
};

Result<std::unique_ptr<Server>> Server::Start(const Config& config, const Clock& clock) {
  auto parts = std::make_unique<Parts>();
  OP_ASSIGN_OR_RETURN(auto host_port, config.ListenHostPort());
  parts->host = host_port.first;

  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec)
    return FailedPreconditionError("cannot create data directory " + config.data_dir + ": " +
                                   ec.message());
  store::SqliteOptions so;
  so.path = (std::filesystem::path(config.data_dir) / "orderpilot.db").string();
  so.clock = &clock;
  OP_ASSIGN_OR_RETURN(parts->store, store::SqliteStore::Open(so));

  pipeline::PipelineOptions po;
  po.workers = config.pipeline.workers;
  parts->pipeline = std::make_unique<pipeline::Pipeline>(*parts->store, clock, po);

  api::ServiceOptions svc;
  for (const ShopConfig& s : config.shops) svc.shops.push_back({s.domain, s.webhook_secret});
  for (const ApiKeyConfig& k : config.api_keys) svc.api_keys.push_back({k.name, k.key});
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

  OP_RETURN_IF_ERROR(parts->pipeline->Start());
  OP_RETURN_IF_ERROR(parts->http->Start());
  return std::unique_ptr<Server>(new Server(std::move(parts)));
}

Server::Server(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

Server::~Server() { Stop(); }

uint16_t Server::port() const { return parts_->http->port(); }

std::string Server::url() const { return "http://" + parts_->host + ":" + std::to_string(port()); }

store::Store& Server::store() { return *parts_->store; }
pipeline::Pipeline& Server::pipeline() { return *parts_->pipeline; }

void Server::Stop() {
  if (parts_->stopped) return;
  parts_->stopped = true;
  parts_->http->Stop();
  parts_->pipeline->Stop();
  parts_->store.reset();  // drains the commit queue and closes the database
}

}  // namespace orderpilot::app
