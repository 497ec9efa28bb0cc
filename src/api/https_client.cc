#include "api/https_client.h"

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace orderpilot::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

Result<HttpResponse> HttpsRequest(std::string_view method, const std::string& host, uint16_t port,
                                  std::string_view target, std::string_view body,
                                  const std::vector<std::pair<std::string, std::string>>& headers,
                                  const HttpsOptions& options) {
  const std::string where = host + ":" + std::to_string(port);
  auto fail = [&](std::string_view step, const beast::error_code& ec) -> Status {
    return UnavailableError("https " + where + ": " + std::string(step) + ": " + ec.message());
  };
  asio::ssl::context tls(asio::ssl::context::tls_client);
  beast::error_code ec;
  if (options.ca_file.empty()) {
    tls.set_default_verify_paths(ec);
  } else {
    tls.load_verify_file(options.ca_file, ec);
  }
  if (ec) return fail("loading trusted certificates", ec);
  tls.set_verify_mode(asio::ssl::verify_peer);

  asio::io_context io;
  beast::ssl_stream<beast::tcp_stream> stream(io, tls);
  if (!SSL_set_tlsext_host_name(stream.native_handle(), host.c_str())) {
    return UnavailableError("https " + where + ": cannot set the server name (SNI)");
  }
  stream.set_verify_callback(asio::ssl::host_name_verification(host));

  http::request<http::string_body> req;
  req.method_string(beast::string_view(method.data(), method.size()));
  req.target(beast::string_view(target.data(), target.size()));
  req.version(11);
  req.set(http::field::host, host);
  req.set(http::field::connection, "close");
  for (const auto& [name, value] : headers) req.set(name, value);
  req.body() = std::string(body);
  req.prepare_payload();

  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  tcp::resolver resolver(io);
  beast::error_code result;
  std::string failed_step;
  bool got_response = false;
  auto step_failed = [&](const char* step, const beast::error_code& e) {
    if (e && !result) {
      result = e;
      failed_step = step;
    }
    return static_cast<bool>(e);
  };
  beast::get_lowest_layer(stream).expires_after(options.timeout);
  resolver.async_resolve(host, std::to_string(port), [&](beast::error_code e, auto endpoints) {
    if (step_failed("resolving", e)) return;
    beast::get_lowest_layer(stream).async_connect(endpoints, [&](beast::error_code e2, auto) {
      if (step_failed("connecting", e2)) return;
      stream.async_handshake(asio::ssl::stream_base::client, [&](beast::error_code e3) {
        if (step_failed("TLS handshake", e3)) return;
        http::async_write(stream, req, [&](beast::error_code e4, size_t) {
          if (step_failed("sending", e4)) return;
          http::async_read(stream, buffer, res, [&](beast::error_code e5, size_t) {
            got_response = !step_failed("reading the response", e5);
            beast::error_code ignored;
            beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_both, ignored);
          });
        });
      });
    });
  });
  // The stream's deadline bounds every step; the io_context also stops at twice the timeout.
  io.run_for(options.timeout * 2);
  if (result) return fail(failed_step, result);
  if (!got_response) return UnavailableError("https " + where + ": timed out");
  HttpResponse out;
  out.status = static_cast<int>(res.result_int());
  out.body = std::move(res.body());
  for (const auto& field : res) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  return out;
}

}  // namespace orderpilot::api
