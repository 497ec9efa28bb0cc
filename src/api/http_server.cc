#include "api/http_server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "core/json_writer.h"

namespace orderpilot::api {
namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

int FromHex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() && FromHex(s[i + 1]) >= 0 &&
               FromHex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(FromHex(s[i + 1]) * 16 + FromHex(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

void ParseQuery(std::string_view q, std::vector<std::pair<std::string, std::string>>& out) {
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view part = q.substr(0, amp);
    if (!part.empty()) {
      size_t eq = part.find('=');
      out.emplace_back(PercentDecode(part.substr(0, eq)),
                       eq == std::string_view::npos ? "" : PercentDecode(part.substr(eq + 1)));
    }
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
}

void SetTimeout(int fd, std::chrono::seconds t) {
  timeval tv{static_cast<time_t>(t.count()), 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

void AddCommonHeaders(http::response<http::string_body>& res, const std::string& content_type) {
  res.set(http::field::server, "orderpilot");
  res.set(http::field::content_type, content_type);
  res.set("X-Content-Type-Options", "nosniff");
  res.set(http::field::cache_control, "no-store");
  res.set("X-Frame-Options", "DENY");
  res.set("Referrer-Policy", "no-referrer");
}

void WriteError(tcp::socket& socket, int status, std::string_view code, std::string_view message,
                std::string_view field) {
  http::response<http::string_body> res{static_cast<http::status>(status), 11};
  AddCommonHeaders(res, "application/json");
  res.keep_alive(false);
  res.body() = JsonError(code, message, field);
  res.prepare_payload();
  boost::system::error_code ec;
  http::write(socket, res, ec);
}

// After an early error response: stop sending, then read and discard what the client still
// sends (briefly, and not forever), so closing does not reset the connection before the client
// has read our answer.
void LingeringClose(tcp::socket& socket) {
  boost::system::error_code ec;
  socket.shutdown(tcp::socket::shutdown_send, ec);
  SetTimeout(socket.native_handle(), std::chrono::seconds(1));
  char sink[16384];
  size_t drained = 0;
  while (drained < (64u << 20)) {
    size_t n = socket.read_some(asio::buffer(sink), ec);
    if (ec) break;
    drained += n;
  }
}

}  // namespace

std::string_view HttpRequest::Header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers)
    if (k == lower_name) return v;
  return {};
}

std::optional<std::string> HttpRequest::Query(std::string_view name) const {
  for (const auto& [k, v] : query)
    if (k == name) return v;
  return std::nullopt;
}

std::string_view HttpResponse::Header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers)
    if (k == lower_name) return v;
  return {};
}

std::string JsonError(std::string_view code, std::string_view message, std::string_view field) {
  JsonWriter w;
  w.BeginObject().Key("error").BeginObject();
  w.Field("code", code).Field("message", message).Field("field", field);
  w.EndObject().EndObject();
  return w.Take();
}

struct HttpServer::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
};

HttpServer::HttpServer(HttpServerOptions options, HttpHandler handler)
    : options_(std::move(options)), handler_(std::move(handler)), impl_(std::make_unique<Impl>()) {}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start() {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(options_.address, ec);
  if (ec) return InvalidArgumentError("invalid listen address '" + options_.address + "'");
  tcp::endpoint endpoint(address, options_.port);
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return UnavailableError("cannot listen on " + options_.address + ":" +
                            std::to_string(options_.port) + ": " + ec.message());
  port_ = acceptor.local_endpoint().port();
  acceptor_thread_ = std::thread([this] { AcceptLoop(); });
  return Status::Ok();
}

void HttpServer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    for (const auto& [id, fd] : connections_) ::shutdown(fd, SHUT_RDWR);
  }
  if (impl_->acceptor.is_open()) ::shutdown(impl_->acceptor.native_handle(), SHUT_RDWR);
  if (acceptor_thread_.joinable()) acceptor_thread_.join();
  std::unique_lock<std::mutex> lock(mu_);
  all_closed_.wait(lock, [&] { return connections_.empty(); });
  boost::system::error_code ec;
  impl_->acceptor.close(ec);
}

void HttpServer::AcceptLoop() {
  for (;;) {
    boost::system::error_code ec;
    tcp::socket socket(impl_->io);
    impl_->acceptor.accept(socket, ec);
    std::unique_lock<std::mutex> lock(mu_);
    if (stopping_) return;
    if (ec) {
      lock.unlock();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));  // e.g. EMFILE: back off
      continue;
    }
    if (connections_.size() >= static_cast<size_t>(options_.max_connections)) {
      lock.unlock();
      WriteError(socket, 503, "unavailable", "too many connections; retry later", "");
      continue;
    }
    int fd = socket.release(ec);
    if (ec) continue;
    int64_t id = next_connection_id_++;
    connections_.emplace(id, fd);
    std::thread([this, id, fd] { ServeConnection(id, fd); }).detach();
  }
}

void HttpServer::ServeConnection(int64_t id, int fd) {
  asio::io_context io;
  tcp::socket socket(io);
  boost::system::error_code ec;
  {
    socket.assign(tcp::v4(), fd, ec);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    SetTimeout(fd, options_.read_timeout);
    std::string remote;
    if (auto ep = socket.remote_endpoint(ec); !ec) remote = ep.address().to_string();

    boost::beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(options_.max_header_bytes));
      parser.body_limit(options_.max_body_bytes);
      http::read(socket, buffer, parser, ec);
      if (ec == http::error::body_limit) {
        WriteError(socket, 413, "payload_too_large",
                   "request body exceeds " + std::to_string(options_.max_body_bytes) + " bytes",
                   "body");
        LingeringClose(socket);
        break;
      }
      if (ec == http::error::header_limit) {
        WriteError(socket, 431, "headers_too_large", "request headers are too large", "");
        LingeringClose(socket);
        break;
      }
      if (ec == http::error::end_of_stream || ec == asio::error::eof ||
          ec == asio::error::connection_reset || ec == asio::error::operation_aborted ||
          ec == asio::error::would_block || ec == asio::error::try_again ||
          ec == asio::error::timed_out || ec == asio::error::bad_descriptor ||
          ec == asio::error::not_connected || ec == asio::error::shut_down) {
        break;  // the peer left, went idle, or we are stopping
      }
      if (ec) {
        if (parser.got_some())
          WriteError(socket, 400, "invalid_argument", "malformed HTTP request", "");
        break;
      }

      auto& msg = parser.get();
      HttpRequest req;
      req.method = std::string(msg.method_string());
      req.target = std::string(msg.target());
      std::string_view target = req.target;
      size_t q = target.find('?');
      req.path = std::string(target.substr(0, q));
      if (q != std::string_view::npos) ParseQuery(target.substr(q + 1), req.query);
      req.headers.reserve(16);
      for (const auto& field : msg) {
        std::string name(field.name_string());
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        req.headers.emplace_back(std::move(name), std::string(field.value()));
      }
      req.body = std::move(msg.body());
      req.remote_address = remote;
      const bool keep_alive = msg.keep_alive();
      const unsigned version = msg.version();

      HttpResponse out;
      try {
        out = handler_(req);
      } catch (...) {  // last resort besides main(): never leak the exception's text
        out = HttpResponse{500, "application/json", {},
                           JsonError("internal", "internal error", "")};
      }
      http::response<http::string_body> res{static_cast<http::status>(out.status), version};
      AddCommonHeaders(res, out.content_type);
      for (auto& [k, v] : out.headers) res.set(k, v);
      res.keep_alive(keep_alive);
      res.body() = std::move(out.body);
      res.prepare_payload();
      http::write(socket, res, ec);
      if (ec || !keep_alive) break;
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) break;
    }
    socket.shutdown(tcp::socket::shutdown_both, ec);
  }
  {
    // Leave the map before closing, so Stop() never shuts down a recycled descriptor. After
    // this block the thread touches only its locals: the server may already be gone.
    std::lock_guard<std::mutex> lock(mu_);
    connections_.erase(id);
    all_closed_.notify_all();
  }
  socket.close(ec);
}

}  // namespace orderpilot::api
