// ai/internal/http_post.h — one HTTP(S) POST to a model endpoint, bounded by a timeout.
//
// Private to ai/: keeps Boost.Beast and OpenSSL out of every public header. Plain http is for
// loopback (a local model server, the tests); https verifies the server's certificate chain and
// name. Thread-safety: free functions; each call has its own connection.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace orderpilot::ai::internal {

struct BaseUrl {
  bool tls = false;
  std::string host;  // a name or an IP literal (without the brackets of an IPv6 URL)
  uint16_t port = 0;
  std::string path;  // without a trailing '/': "" or "/v1"
  // "https://api.openai.com/v1" (the port only when not the scheme's default).
  std::string ToString() const;
};

// "http[s]://host[:port][/path]". InvalidArgument for another scheme, a missing host, a bad port,
// a user-info part, a query or a fragment.
Result<BaseUrl> ParseBaseUrl(std::string_view url);

// "localhost", 127.0.0.0/8 and ::1.
bool IsLoopbackHost(std::string_view host);

struct PostResponse {
  int status = 0;
  std::string body;
};

struct PostOptions {
  std::chrono::milliseconds timeout{30000};  // the whole exchange: connect, TLS, write, read
  std::string ca_file;                       // PEM bundle to trust instead of the system's
  size_t max_response_bytes = 8u << 20;
};

// POSTs `body` to base.path + `path`. A response of any status is an OK result. Unavailable
// "… timed out after <n> ms" or "… <step>: <reason>" for network and TLS failures and for a
// response larger than max_response_bytes.
Result<PostResponse> Post(const BaseUrl& base, std::string_view path,
                          const std::vector<std::pair<std::string, std::string>>& headers,
                          std::string_view body, const PostOptions& options);

}  // namespace orderpilot::ai::internal
