// api/https_client.h — one HTTPS request, verified: for outbound webhooks.
//
// Resolves `host`, connects, does the TLS handshake with SNI and verifies the server's
// certificate chain against the system's CA store (or `ca_file`) and its name against `host`,
// sends one request (Connection: close) and reads the whole response — all within `timeout`.
// Thread-safety: free function; each call has its own connection.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/http_server.h"
#include "core/status.h"

namespace orderpilot::api {

struct HttpsOptions {
  std::chrono::milliseconds timeout{10000};  // Default: 10 s for the whole exchange
  std::string ca_file;  // PEM bundle to trust instead of the system's (tests, private CAs)
};

// Unavailable for network and TLS failures (including a certificate that does not verify, with
// the reason); a response of any status is an OK result.
Result<HttpResponse> HttpsRequest(std::string_view method, const std::string& host, uint16_t port,
                                  std::string_view target, std::string_view body,
                                  const std::vector<std::pair<std::string, std::string>>& headers,
                                  const HttpsOptions& options = {});

}  // namespace orderpilot::api
