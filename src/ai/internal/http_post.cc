#include "ai/internal/http_post.h"

#include <arpa/inet.h>
#include <openssl/ssl.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <charconv>
#include <optional>

namespace orderpilot::ai::internal {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// Runs resolve → connect → [TLS handshake] → write → read on `stream`, all under the deadline.
template <typename Stream, typename Handshake>
Result<PostResponse> Exchange(asio::io_context& io, Stream& stream, Handshake handshake,
                              const BaseUrl& base, http::request<http::string_body>& req,
                              const PostOptions& options) {
  const std::string where = base.ToString();
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(options.max_response_bytes);
  tcp::resolver resolver(io);
  beast::error_code result;
  std::string failed_step;
  bool done = false;
  auto failed = [&](const char* step, const beast::error_code& e) {
    if (e && !result) {
      result = e;
      failed_step = step;
    }
    return static_cast<bool>(e);
  };
  auto& tcp_layer = beast::get_lowest_layer(stream);
  tcp_layer.expires_after(options.timeout);
  resolver.async_resolve(
      base.host, std::to_string(base.port),
      [&](beast::error_code e, tcp::resolver::results_type r) {
        if (failed("resolving", e)) return;
        tcp_layer.async_connect(r, [&](beast::error_code e2, const tcp::endpoint&) {
          if (failed("connecting", e2)) return;
          handshake([&](beast::error_code e3) {
            if (failed("TLS handshake", e3)) return;
            http::async_write(stream, req, [&](beast::error_code e4, size_t) {
              if (failed("sending", e4)) return;
              http::async_read(stream, buffer, parser, [&](beast::error_code e5, size_t) {
                done = !failed("reading the response", e5);
                beast::error_code ignored;
                tcp_layer.socket().shutdown(tcp::socket::shutdown_both, ignored);
              });
            });
          });
        });
      });
  // The stream's deadline bounds every step but resolving; the io_context stops a little later.
  io.run_for(options.timeout + std::chrono::milliseconds(200));
  const std::string ms = std::to_string(options.timeout.count());
  if (result == beast::error::timeout || (!result && !done))
    return UnavailableError("POST " + where + ": timed out after " + ms + " ms");
  if (result) {
    return UnavailableError("POST " + where + ": " + failed_step + ": " + result.message());
  }
  PostResponse out;
  out.status = static_cast<int>(parser.get().result_int());
  out.body = std::move(parser.get().body());
  return out;
}

}  // namespace

std::string BaseUrl::ToString() const {
  std::string out = tls ? "https://" : "http://";
  bool v6 = host.find(':') != std::string::npos;
  out += v6 ? "[" + host + "]" : host;
  if (port != (tls ? 443 : 80)) out += ":" + std::to_string(port);
  return out + path;
}

Result<BaseUrl> ParseBaseUrl(std::string_view url) {
  auto bad = [&](std::string_view why) {
    return InvalidArgumentError("invalid ai.base_url '" + std::string(url) +
                                "': " + std::string(why));
  };
  BaseUrl out;
  std::string lower = Lower(url);
  std::string_view rest;
  if (lower.rfind("https://", 0) == 0) {
    out.tls = true;
    rest = url.substr(8);
  } else if (lower.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else {
    return bad("expected http:// or https://");
  }
  if (rest.find_first_of("?#") != std::string_view::npos) return bad("no query or fragment");
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (authority.find('@') != std::string_view::npos) return bad("no user name or password");
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unclosed '['");
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("junk after the address");
      port_text = after.substr(1);
    }
  } else {
    size_t colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (out.host.empty()) return bad("no host");
  if (out.host.find_first_of(" \t\r\n") != std::string::npos) return bad("space in the host");
  out.port = out.tls ? 443 : 80;
  if (!port_text.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || value == 0 ||
        value > 65535) {
      return bad("bad port");
    }
    out.port = static_cast<uint16_t>(value);
  }
  if (path.find_first_of(" \t\r\n") != std::string_view::npos) return bad("space in the path");
  out.path = std::string(path);
  return out;
}

bool IsLoopbackHost(std::string_view host) {
  std::string h = Lower(host);
  if (h == "localhost" || h == "::1") return true;
  std::array<unsigned char, 4> v4{};
  return inet_pton(AF_INET, h.c_str(), v4.data()) == 1 && v4[0] == 127;
}

Result<PostResponse> Post(const BaseUrl& base, std::string_view path,
                          const std::vector<std::pair<std::string, std::string>>& headers,
                          std::string_view body, const PostOptions& options) {
  http::request<http::string_body> req;
  req.method(http::verb::post);
  std::string target = base.path + std::string(path);
  req.target(beast::string_view(target.data(), target.size()));
  req.version(11);
  bool v6 = base.host.find(':') != std::string::npos;
  std::string host_header = v6 ? "[" + base.host + "]" : base.host;
  if (base.port != (base.tls ? 443 : 80)) host_header += ":" + std::to_string(base.port);
  req.set(http::field::host, host_header);
  req.set(http::field::connection, "close");
  for (const auto& [name, value] : headers) {
    if (name.find_first_of(":\r\n") != std::string::npos ||
        value.find_first_of("\r\n") != std::string::npos) {
      return InvalidArgumentError("invalid header '" + name + "'");
    }
    req.set(name, value);
  }
  req.body() = std::string(body);
  req.prepare_payload();

  asio::io_context io;
  if (!base.tls) {
    beast::tcp_stream stream(io);
    auto no_handshake = [](auto&& next) { next(beast::error_code()); };
    return Exchange(io, stream, no_handshake, base, req, options);
  }
  asio::ssl::context tls(asio::ssl::context::tls_client);
  beast::error_code ec;
  if (options.ca_file.empty()) {
    tls.set_default_verify_paths(ec);
  } else {
    tls.load_verify_file(options.ca_file, ec);
  }
  if (ec) {
    return UnavailableError("POST " + base.ToString() +
                            ": loading trusted certificates: " + ec.message());
  }
  tls.set_verify_mode(asio::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(io, tls);
  if (!SSL_set_tlsext_host_name(stream.native_handle(), base.host.c_str()))
    return UnavailableError("POST " + base.ToString() + ": cannot set the server name (SNI)");
  stream.set_verify_callback(asio::ssl::host_name_verification(base.host));
  auto handshake = [&stream](auto&& next) {
    stream.async_handshake(asio::ssl::stream_base::client, std::forward<decltype(next)>(next));
  };
  return Exchange(io, stream, handshake, base, req, options);
}

}  // namespace orderpilot::ai::internal
