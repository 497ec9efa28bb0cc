// api/http_server.h — the HTTP/1.1 server under the API: keep-alive, limits, security headers.
//
// One thread per connection with blocking I/O (simple, and fast enough: the thread mostly waits
// for its request's group commit). Beast stays inside http_server.cc: this header exposes plain
// request/response structs so that handlers and tests never include it.
// Limits: a body over max_body_bytes gets 413 without being read (a declared Content-Length over
// the limit is refused before any of the body arrives, `Expect: 100-continue` included); headers
// over max_header_bytes get 431; malformed requests 400; past max_connections new connections get
// 503. Each of these closes the connection. A connection idle (or a client stalled) longer than
// read_timeout is closed; a client that has started a request and does not finish it in time gets
// 408 first.
// Before the handler sees a request (answered without calling it, the connection kept): a body
// declared as anything but JSON gets 415 (see HttpServerOptions::json_bodies_only); a query
// parameter that is not UTF-8 once percent-decoded gets 400.
// Every response carries Content-Length (except 1xx/204/304), Content-Type, `Server: orderpilot`
// and the security headers X-Content-Type-Options: nosniff, Cache-Control: no-store,
// X-Frame-Options: DENY, Referrer-Policy: no-referrer.
// Thread-safety: Start/Stop from one thread; the handler runs concurrently on connection threads.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace orderpilot::api {

struct HttpRequest {
  std::string method;  // "GET", as sent (methods are case-sensitive)
  std::string target;  // raw target, "/v1/orders?state=held"
  std::string path;    // target before '?', not decoded
  std::vector<std::pair<std::string, std::string>> query;    // percent-decoded, '+' is a space
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case, in sent order
  std::string body;
  std::string remote_address;  // the peer's IP address, "127.0.0.1"

  // The first header with this lower-case name, or "" when absent.
  std::string_view Header(std::string_view lower_name) const;
  // The first query parameter with this (decoded) name.
  std::optional<std::string> Query(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;  // outside 100..599 is answered as 500
  std::string content_type = "application/json";
  // Extra headers. A handler's Cache-Control, X-Frame-Options, ... replace the server's defaults;
  // Content-Length, Content-Type, Connection and Transfer-Encoding here are ignored (the server
  // owns them), and a header whose name or value holds CR or LF is dropped. From HttpClient: every
  // response header, names lower-case.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // The first header with this lower-case name, or "" when absent.
  std::string_view Header(std::string_view lower_name) const;
};

// Runs on connection threads, possibly many at once. Should not throw: an exception becomes a 500
// with a generic body (its text is never sent).
using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

struct HttpServerOptions {
  std::string address = "127.0.0.1";    // an IPv4 or IPv6 literal
  uint16_t port = 0;                    // 0: any free port (see HttpServer::port())
  size_t max_body_bytes = 1 << 20;      // Default: 1 MiB
  size_t max_header_bytes = 16 * 1024;  // Default: 16 KiB (request line and headers)
  int max_connections = 1024;           // open connections; more are answered 503 and closed
  // A request must arrive whole within read_timeout of the server starting to wait for it (so
  // an idle keep-alive connection is closed after it); each write to a client that does not
  // read is bounded by it too. Default: 30 s.
  std::chrono::seconds read_timeout{30};
  // Whether request bodies must be JSON. A request with a non-empty body whose Content-Type is
  // neither application/json nor application/*+json (any case, parameters allowed, a charset
  // other than UTF-8 refused) is answered 415 unsupported_media_type. A body without a
  // Content-Type is let through. Default: true — the API speaks nothing else.
  bool json_bodies_only = true;
};

// {"error":{"code":...,"message":...,"field":...}} — the one error body shape. Bytes of `message`
// and `field` that are not valid UTF-8 (an echoed hostile input) become U+FFFD, so the body is
// always valid JSON.
std::string JsonError(std::string_view code, std::string_view message, std::string_view field);

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, HttpHandler handler);
  ~HttpServer();  // Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts accepting. InvalidArgument for a bad address or limits;
  // Unavailable (naming address:port) when the address cannot be bound, e.g. the port is in use;
  // FailedPrecondition when called again or after Stop().
  Status Start();
  // The bound port; 0 before a successful Start().
  uint16_t port() const;
  // Stops accepting and closes every connection, then joins all threads. Idle connections are
  // closed at once (a blocked read is interrupted); a request whose handler is running completes
  // and its response is sent, within a grace of a few seconds, after which a connection still
  // writing is cut. Idempotent.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace orderpilot::api
