// api/http_client.h — a small blocking HTTP/1.1 client with one keep-alive connection.
//
// For the tests, the demo simulator, the crash test and benchmarks. Requests go out with Host and
// Content-Length; responses come back with every header, names lower-case. Each Send() is bounded
// by the client's timeout (connecting, writing, and reading the whole response).
// Thread-safety: none; use one client per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/http_server.h"
#include "core/status.h"

namespace orderpilot::api {

class HttpClient {
 public:
  // Connects lazily, on the first Send(). `host` is a name or an IP literal.
  HttpClient(std::string host, uint16_t port,
             std::chrono::milliseconds timeout = std::chrono::seconds(60));
  ~HttpClient();
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;

  // Sends one request and reads its response (of any status: a 4xx or 5xx is an OK result).
  // A kept-alive connection that the server has closed meanwhile is noticed before writing and
  // replaced transparently, as is one that fails before any byte of the request is written.
  // Returns InvalidArgument when method, target or a header holds CR, LF (or, for method and
  // target, a space); Unavailable when the server cannot be reached, the connection breaks after
  // the request was (partly) written, or the timeout passes. The server may then have acted on
  // the request: the caller decides whether to retry.
  Result<HttpResponse> Send(std::string_view method, std::string_view target, std::string_view body,
                            const std::vector<std::pair<std::string, std::string>>& headers = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace orderpilot::api
