// api/http_server.h — the HTTP/1.1 server under the API: keep-alive, limits, security headers.
//
// One thread per connection with blocking I/O (simple, and fast enough: the thread mostly waits
// for its request's group commit). Beast stays inside http_server.cc: this header exposes plain
// request/response structs so that handlers and tests never include it.
// Limits: bodies over max_body_bytes get 413 without being read; headers over max_header_bytes
// get 431; malformed requests 400; a connection idle longer than read_timeout is closed; past
// max_connections new connections get 503.
// Thread-safety: Start/Stop from one thread; the handler runs concurrently on connection threads.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/status.h"

namespace orderpilot::api {

struct HttpRequest {
  std::string method;  // "GET"
  std::string target;  // raw target, "/v1/orders?state=held"
  std::string path;    // target before '?', not decoded
  std::vector<std::pair<std::string, std::string>> query;    // percent-decoded
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::string body;
  std::string remote_address;

  // The first header with this lower-case name, or "" when absent.
  std::string_view Header(std::string_view lower_name) const;
  std::optional<std::string> Query(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // from a client: names lower-case
  std::string body;

  std::string_view Header(std::string_view lower_name) const;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

struct HttpServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 0;                   // 0: any free port (see HttpServer::port())
  size_t max_body_bytes = 1 << 20;     // Default: 1 MiB
  size_t max_header_bytes = 16 * 1024;  // Default: 16 KiB
  int max_connections = 1024;
  std::chrono::seconds read_timeout{30};
};

// {"error":{"code":...,"message":...,"field":...}} — the one error body shape.
std::string JsonError(std::string_view code, std::string_view message, std::string_view field);

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, HttpHandler handler);
  ~HttpServer();  // Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts accepting. Unavailable when the address cannot be bound.
  Status Start();
  uint16_t port() const { return port_; }
  // Stops accepting, closes every connection (interrupting blocked reads), joins all threads.
  // Idempotent.
  void Stop();

 private:
  struct Impl;
  void AcceptLoop();
  void ServeConnection(int64_t id, int fd);

  const HttpServerOptions options_;
  const HttpHandler handler_;
  std::unique_ptr<Impl> impl_;
  uint16_t port_ = 0;
  std::thread acceptor_thread_;
  std::mutex mu_;
  std::condition_variable all_closed_;
  std::unordered_map<int64_t, int> connections_;  // GUARDED_BY(mu_): id → socket fd
  int64_t next_connection_id_ = 0;                // GUARDED_BY(mu_)
  bool stopping_ = false;                         // GUARDED_BY(mu_)
};

}  // namespace orderpilot::api
