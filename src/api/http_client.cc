#include "api/http_client.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace orderpilot::api {
namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

struct HttpClient::Impl {
  std::string host;
  uint16_t port;
  asio::io_context io;
  tcp::socket socket{io};
  boost::beast::flat_buffer buffer;
  bool connected = false;

  Status Connect() {
    boost::system::error_code ec;
    socket = tcp::socket(io);
    buffer.clear();
    tcp::resolver resolver(io);
    auto endpoints = resolver.resolve(host, std::to_string(port), ec);
    if (!ec) asio::connect(socket, endpoints, ec);
    if (ec)
      return UnavailableError("cannot connect to " + host + ":" + std::to_string(port) + ": " +
                              ec.message());
    int one = 1;
    setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    connected = true;
    return Status::Ok();
  }
};

HttpClient::HttpClient(std::string host, uint16_t port) : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
}

HttpClient::~HttpClient() {
  boost::system::error_code ec;
  impl_->socket.close(ec);
}

Result<HttpResponse> HttpClient::Send(
    std::string_view method, std::string_view target, std::string_view body,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  http::request<http::string_body> req;
  req.version(11);
  req.method_string(boost::beast::string_view(method.data(), method.size()));
  req.target(boost::beast::string_view(target.data(), target.size()));
  req.set(http::field::host, impl_->host);
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = std::string(body);
  req.keep_alive(true);
  req.prepare_payload();

  for (int attempt = 0; attempt < 2; ++attempt) {
    bool reused = impl_->connected;
    if (!impl_->connected) OP_RETURN_IF_ERROR(impl_->Connect());
    boost::system::error_code ec;
    http::serializer<true, http::string_body> sr{req};
    size_t written = http::write(impl_->socket, sr, ec);
    if (ec && reused && written == 0 && attempt == 0) {  // stale keep-alive connection
      impl_->connected = false;
      continue;
    }
    // Even when writing failed the server may have answered early (413) before closing.
    http::response_parser<http::string_body> parser;
    parser.body_limit(256u << 20);
    http::read(impl_->socket, impl_->buffer, parser, ec);
    if (ec) {
      impl_->connected = false;
      if (reused && attempt == 0 && written == 0) continue;
      return UnavailableError("request to " + impl_->host + ":" + std::to_string(impl_->port) +
                              " failed: " + ec.message());
    }
    auto& msg = parser.get();
    HttpResponse out;
    out.status = static_cast<int>(msg.result_int());
    out.content_type = std::string(msg[http::field::content_type]);
    for (const auto& field : msg) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    out.body = std::move(msg.body());
    if (!msg.keep_alive()) {
      impl_->socket.close(ec);
      impl_->connected = false;
    }
    return out;
  }
  return UnavailableError("request to " + impl_->host + " failed");
}

}  // namespace orderpilot::api
