#include "api/http_client.h"

#include <netdb.h>
#include <sys/socket.h>

#include <boost/asio/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cerrno>
#include <cstring>
#include <optional>

#include "api/internal/socket_stream.h"

namespace orderpilot::api {
namespace http = boost::beast::http;
using internal::SocketStream;

namespace {

constexpr uint64_t kMaxResponseBytes = 256u << 20;

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (Lower(a[i]) != Lower(b[i])) return false;
  return true;
}

bool HasAny(std::string_view s, std::string_view chars) {
  return s.find_first_of(chars) != std::string_view::npos;
}

std::string_view View(boost::beast::string_view s) { return {s.data(), s.size()}; }

}  // namespace

struct HttpClient::Impl {
  std::string host;
  uint16_t port = 0;
  std::chrono::milliseconds timeout;
  SocketStream stream;
  boost::beast::flat_buffer buffer;  // bytes read past the previous response (normally none)
  std::string head;

  std::string Where() const { return host + ":" + std::to_string(port); }

  void Disconnect() {
    stream.Close();
    buffer.clear();
  }

  Status Connect() {
    Disconnect();
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* found = nullptr;
    if (int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found); rc != 0)
      return UnavailableError("cannot resolve " + host + ": " + ::gai_strerror(rc));
    std::string error = "no address";
    for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
      int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
      if (fd < 0) {
        error = std::strerror(errno);
        continue;
      }
      stream.Reset(fd);
      stream.SetWriteTimeout(timeout);  // on Linux this also bounds connect()
      if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
        stream.SetNoDelay();
        break;
      }
      error = errno == EINPROGRESS ? "timed out" : std::strerror(errno);
      stream.Close();
    }
    ::freeaddrinfo(found);
    if (!stream.is_open()) return UnavailableError("cannot connect to " + Where() + ": " + error);
    return Status::Ok();
  }

  // Serialises the request line and headers into `head`.
  Status BuildHead(std::string_view method, std::string_view target, size_t body_size,
                   const std::vector<std::pair<std::string, std::string>>& headers) {
    if (method.empty() || HasAny(method, " \r\n"))
      return InvalidArgumentError("invalid HTTP method '" + std::string(method) + "'");
    if (target.empty() || HasAny(target, " \r\n"))
      return InvalidArgumentError("invalid request target '" + std::string(target) + "'");
    head.clear();
    head.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
    bool has_host = false;
    for (const auto& [name, value] : headers) {
      if (name.empty() || HasAny(name, ":\r\n") || HasAny(value, "\r\n"))
        return InvalidArgumentError("invalid header '" + name + "'");
      if (EqualsIgnoreCase(name, "content-length") || EqualsIgnoreCase(name, "transfer-encoding"))
        continue;  // the client frames the body itself
      has_host = has_host || EqualsIgnoreCase(name, "host");
      head.append(name).append(": ").append(value).append("\r\n");
    }
    if (!has_host) head.append("Host: ").append(Where()).append("\r\n");
    head.append("Content-Length: ").append(std::to_string(body_size)).append("\r\n\r\n");
    return Status::Ok();
  }
};

HttpClient::HttpClient(std::string host, uint16_t port, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
  impl_->timeout = timeout;
}

HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

Result<HttpResponse> HttpClient::Send(
    std::string_view method, std::string_view target, std::string_view body,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  Impl& c = *impl_;
  OP_RETURN_IF_ERROR(c.BuildHead(method, target, body.size(), headers));
  const auto deadline = std::chrono::steady_clock::now() + c.timeout;

  for (int attempt = 0;; ++attempt) {
    bool reused = c.stream.is_open();
    if (reused && (c.buffer.size() > 0 || c.stream.PeerClosedOrUnusable())) {
      c.Disconnect();  // the server closed the idle connection (or broke the protocol)
      reused = false;
    }
    if (!c.stream.is_open()) OP_RETURN_IF_ERROR(c.Connect());

    iovec iov[2] = {{c.head.data(), c.head.size()}, {const_cast<char*>(body.data()), body.size()}};
    boost::system::error_code write_ec;
    size_t written = c.stream.WriteAll(iov, 2, write_ec);
    if (write_ec && written == 0 && reused && attempt == 0) {
      c.Disconnect();  // closed between our check and the write; nothing was sent
      continue;
    }

    // Even when writing failed the server may have answered early (a 413) before closing.
    c.stream.SetReadDeadline(deadline);
    boost::system::error_code ec;
    std::optional<http::response_parser<http::string_body>> parser;
    for (;;) {  // interim 1xx responses are skipped: the final one follows
      parser.emplace();
      parser->body_limit(kMaxResponseBytes);
      parser->skip(method == "HEAD");
      http::read(c.stream, c.buffer, *parser, ec);
      if (ec) break;
      unsigned code = parser->get().result_int();
      if (code >= 200 || code == 101) break;
    }
    if (ec) {
      c.Disconnect();
      if (write_ec) ec = write_ec;
      std::string why = ec == boost::asio::error::timed_out
                            ? "timed out after " + std::to_string(c.timeout.count()) + " ms"
                            : ec.message();
      return UnavailableError("request " + std::string(method) + " " + std::string(target) +
                              " to " + c.Where() + " failed: " + why);
    }

    auto& msg = parser->get();
    HttpResponse out;
    out.status = static_cast<int>(msg.result_int());
    out.content_type = std::string(View(msg[http::field::content_type]));
    out.headers.reserve(16);
    for (const auto& field : msg) {
      std::string name(View(field.name_string()));
      for (char& ch : name) ch = Lower(ch);
      out.headers.emplace_back(std::move(name), std::string(View(field.value())));
    }
    out.body = std::move(msg.body());
    if (!msg.keep_alive() || write_ec) c.Disconnect();
    return out;
  }
}

}  // namespace orderpilot::api
