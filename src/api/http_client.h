// api/http_client.h — a small blocking HTTP/1.1 client with one keep-alive connection.
//
// For the tests, the demo simulator and benchmarks. Not thread-safe: one client per thread.
#pragma once

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
  HttpClient(std::string host, uint16_t port);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request and reads the response (headers come back with lower-case names).
  // A keep-alive connection the server closed meanwhile is reopened and the request sent again,
  // but only when nothing of it was written. Unavailable when the server cannot be reached or
  // the connection broke; the caller decides whether to retry.
  Result<HttpResponse> Send(std::string_view method, std::string_view target,
                            std::string_view body,
                            const std::vector<std::pair<std::string, std::string>>& headers = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace orderpilot::api
