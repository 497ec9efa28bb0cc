#include "api/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <unordered_map>

#include "api/internal/socket_stream.h"
#include "core/json_writer.h"

namespace orderpilot::api {
namespace http = boost::beast::http;
using internal::SocketStream;

namespace {

// How long Stop() lets running handlers finish and deliver their responses.
constexpr std::chrono::seconds kStopGrace{5};
// After an early error response: how long, and how much, we keep draining what the client still
// sends, so that closing does not reset the connection before the client has read our answer.
constexpr std::chrono::seconds kLingerTime{2};
constexpr size_t kLingerBytes = 64u << 20;

int FromHex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes a query component; '+' is a space; a malformed escape is kept as is.
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

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (Lower(a[i]) != Lower(b[i])) return false;
  return true;
}

bool HasCrLf(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

// Length of the well-formed UTF-8 sequence at the start of `s` (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF), or 0 when it is not one.
size_t Utf8SequenceLength(std::string_view s) {
  const auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const auto cont = [&](size_t i) { return i < s.size() && (b(i) & 0xC0) == 0x80; };
  const unsigned char c = b(0);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && b(1) < 0xA0) return 0;  // overlong
    if (c == 0xED && b(1) > 0x9F) return 0;  // a surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && b(1) < 0x90) return 0;  // overlong
    if (c == 0xF4 && b(1) > 0x8F) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

bool IsValidUtf8(std::string_view s) {
  while (!s.empty()) {
    const size_t n = Utf8SequenceLength(s);
    if (n == 0) return false;
    s.remove_prefix(n);
  }
  return true;
}

// `s` with every byte that does not start a well-formed sequence replaced by U+FFFD.
std::string ReplaceInvalidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  while (!s.empty()) {
    size_t n = Utf8SequenceLength(s);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      n = 1;
    } else {
      out.append(s.substr(0, n));
    }
    s.remove_prefix(n);
  }
  return out;
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// application/json or application/*+json, any case, with parameters; a charset parameter must
// name UTF-8 (JSON is UTF-8: RFC 8259 §8.1).
bool IsJsonMediaType(std::string_view content_type) {
  size_t semi = content_type.find(';');
  std::string type;
  for (char c : TrimSpaces(content_type.substr(0, semi))) type.push_back(Lower(c));
  const std::string_view t = type;
  const bool json =
      t == "application/json" || (t.starts_with("application/") && t.ends_with("+json") &&
                                  t.size() > std::string_view("application/+json").size());
  if (!json) return false;
  while (semi != std::string_view::npos) {
    content_type.remove_prefix(semi + 1);
    semi = content_type.find(';');
    std::string_view param = TrimSpaces(content_type.substr(0, semi));
    size_t eq = param.find('=');
    if (eq == std::string_view::npos ||
        !EqualsIgnoreCase(TrimSpaces(param.substr(0, eq)), "charset"))
      continue;
    std::string_view value = TrimSpaces(param.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    if (!EqualsIgnoreCase(value, "utf-8") && !EqualsIgnoreCase(value, "utf8")) return false;
  }
  return true;
}

std::string_view View(boost::beast::string_view s) { return {s.data(), s.size()}; }

// The server's default headers; a handler's header of the same name replaces the default.
constexpr std::pair<std::string_view, std::string_view> kDefaultHeaders[] = {
    {"Server", "orderpilot"},           {"X-Content-Type-Options", "nosniff"},
    {"Cache-Control", "no-store"},      {"X-Frame-Options", "DENY"},
    {"Referrer-Policy", "no-referrer"},
};

// Headers only the server writes.
bool IsReservedHeader(std::string_view name) {
  return EqualsIgnoreCase(name, "content-length") || EqualsIgnoreCase(name, "content-type") ||
         EqualsIgnoreCase(name, "connection") || EqualsIgnoreCase(name, "transfer-encoding");
}

// Writes the status line and headers of `res` into `head` (cleared first). HEAD requests get the
// Content-Length of the body they would have had (the caller leaves the body out).
void SerializeHead(const HttpResponse& res, int status, bool keep_alive, bool http10,
                   std::string& head) {
  head.clear();
  head += "HTTP/1.1 ";
  head += std::to_string(status);
  head += ' ';
  std::string_view reason = View(http::obsolete_reason(http::int_to_status(status)));
  if (reason != "<unknown-status>") head += reason;
  head += "\r\n";
  for (const auto& [name, value] : kDefaultHeaders) {
    bool replaced = false;
    for (const auto& h : res.headers) replaced = replaced || EqualsIgnoreCase(h.first, name);
    if (replaced) continue;
    head.append(name).append(": ").append(value).append("\r\n");
  }
  for (const auto& [name, value] : res.headers) {
    if (name.empty() || IsReservedHeader(name) || HasCrLf(name) || HasCrLf(value)) continue;
    head.append(name).append(": ").append(value).append("\r\n");
  }
  if (!HasCrLf(res.content_type) && !res.content_type.empty())
    head.append("Content-Type: ").append(res.content_type).append("\r\n");
  const bool bodiless = status < 200 || status == 204 || status == 304;
  if (!bodiless) head.append("Content-Length: ").append(std::to_string(res.body.size())) += "\r\n";
  if (!keep_alive) {
    head += "Connection: close\r\n";
  } else if (http10) {
    head += "Connection: keep-alive\r\n";
  }
  head += "\r\n";
}

// Sends `res`; returns false when the connection broke.
bool WriteResponse(SocketStream& stream, const HttpResponse& res, bool keep_alive, bool http10,
                   bool head_only, std::string& head) {
  int status = res.status >= 100 && res.status <= 599 ? res.status : 500;
  SerializeHead(res, status, keep_alive, http10, head);
  const bool bodiless = head_only || status < 200 || status == 204 || status == 304;
  iovec iov[2] = {{head.data(), head.size()},
                  {const_cast<char*>(res.body.data()), bodiless ? 0 : res.body.size()}};
  boost::system::error_code ec;
  stream.WriteAll(iov, 2, ec);
  return !ec;
}

HttpResponse ErrorReply(int status, std::string_view code, std::string_view message) {
  HttpResponse res;
  res.status = status;
  res.body = JsonError(code, message, "");
  return res;
}

// Stops sending, then reads and discards what the client still sends (bounded in time and
// bytes), so the close does not reset the connection before the client has read our answer.
void LingeringClose(SocketStream& stream) {
  stream.ShutdownSend();
  stream.SetReadDeadline(std::chrono::steady_clock::now() + kLingerTime);
  char sink[16384];
  size_t drained = 0;
  while (drained < kLingerBytes) {
    boost::system::error_code ec;
    drained += stream.read_some(boost::asio::buffer(sink), ec);
    if (ec) break;
  }
}

std::string PeerAddress(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "";
  char buf[INET6_ADDRSTRLEN] = {};
  const void* addr = ss.ss_family == AF_INET6
                         ? static_cast<const void*>(&reinterpret_cast<sockaddr_in6&>(ss).sin6_addr)
                         : static_cast<const void*>(&reinterpret_cast<sockaddr_in&>(ss).sin_addr);
  if (::inet_ntop(ss.ss_family, addr, buf, sizeof buf) == nullptr) return "";
  return buf;
}

// Refuses a connection we will not serve, without blocking the acceptor.
void RefuseConnection(int fd) {
  std::string head;
  HttpResponse res = ErrorReply(503, "unavailable", "too many connections; retry later");
  SerializeHead(res, 503, /*keep_alive=*/false, /*http10=*/false, head);
  head += res.body;
  (void)::send(fd, head.data(), head.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  char sink[4096];  // unread request bytes would turn the close into a reset
  while (::recv(fd, sink, sizeof sink, MSG_DONTWAIT) > 0) {
  }
  ::shutdown(fd, SHUT_WR);
  ::close(fd);
}

bool IsBeastHttpError(const boost::system::error_code& ec) {
  return ec.category() == boost::system::error_code(http::error::bad_method).category();
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
  w.Field("code", code);
  w.Field("message", IsValidUtf8(message) ? std::string(message) : ReplaceInvalidUtf8(message));
  w.Field("field", IsValidUtf8(field) ? std::string(field) : ReplaceInvalidUtf8(field));
  w.EndObject().EndObject();
  return w.Take();
}

struct HttpServer::Impl {
  struct Connection {
    int fd = -1;
    std::thread thread;
  };

  Impl(HttpServerOptions o, HttpHandler h) : options(std::move(o)), handler(std::move(h)) {}

  void AcceptLoop();
  void Admit(int fd);
  void Serve(int64_t id, int fd);
  // Reads one request into `req`; false when the connection is to be closed (after any error
  // response has been sent).
  bool ReadRequest(SocketStream& stream, boost::beast::flat_buffer& buffer, HttpRequest& req,
                   bool& keep_alive, bool& http10, std::string& head);
  HttpResponse CallHandler(const HttpRequest& req);
  // The answer to a request the handler must not see (a body that is not JSON, a query that is
  // not UTF-8), or nullopt.
  std::optional<HttpResponse> Screen(const HttpRequest& req) const;
  void JoinFinished();

  const HttpServerOptions options;
  const HttpHandler handler;
  int listen_fd = -1;  // set by Start() before the acceptor runs, reset by Stop() after joining it
  std::atomic<uint16_t> port{0};
  std::thread acceptor;
  std::atomic<bool> stopping{false};

  std::mutex mu;
  std::condition_variable connection_closed;
  std::unordered_map<int64_t, Connection> connections;  // GUARDED_BY(mu)
  std::vector<std::thread> finished;  // GUARDED_BY(mu): threads done serving, to be joined
  int64_t next_id = 0;                // GUARDED_BY(mu)
  bool stop_called = false;           // GUARDED_BY(mu)
};

HttpServer::HttpServer(HttpServerOptions options, HttpHandler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() { Stop(); }

uint16_t HttpServer::port() const { return impl_->port.load(); }

Status HttpServer::Start() {
  const HttpServerOptions& o = impl_->options;
  if (o.max_connections < 1) return InvalidArgumentError("max_connections must be at least 1");
  if (o.read_timeout.count() < 1) return InvalidArgumentError("read_timeout must be positive");
  if (o.max_header_bytes < 64 || o.max_header_bytes > (1u << 30))
    return InvalidArgumentError("max_header_bytes must be between 64 and 2^30");
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    if (impl_->listen_fd >= 0 || impl_->stop_called)
      return FailedPreconditionError("the HTTP server was already started or stopped");
  }

  sockaddr_storage ss{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (::inet_pton(AF_INET, o.address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(o.port);
    len = sizeof *v4;
  } else if (::inet_pton(AF_INET6, o.address.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(o.port);
    len = sizeof *v6;
  } else {
    return InvalidArgumentError("listen address '" + o.address + "' is not an IP address");
  }
  const std::string where = o.address + ":" + std::to_string(o.port);
  int fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return UnavailableError("cannot listen on " + where + ": " + std::strerror(errno));
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 || ::listen(fd, SOMAXCONN) != 0) {
    int err = errno;
    ::close(fd);
    return UnavailableError("cannot listen on " + where + ": " + std::strerror(err));
  }
  len = sizeof ss;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  impl_->port = ntohs(ss.ss_family == AF_INET6 ? v6->sin6_port : v4->sin_port);
  impl_->listen_fd = fd;
  impl_->acceptor = std::thread([impl = impl_.get()] { impl->AcceptLoop(); });
  return Status::Ok();
}

void HttpServer::Stop() {
  Impl& s = *impl_;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    if (s.stop_called) return;
    s.stop_called = true;
    s.stopping = true;
    // Half-close for reading: blocked reads see eof, running handlers still answer.
    for (const auto& [id, c] : s.connections) ::shutdown(c.fd, SHUT_RD);
  }
  if (s.listen_fd >= 0) ::shutdown(s.listen_fd, SHUT_RDWR);  // wakes accept()
  if (s.acceptor.joinable()) s.acceptor.join();
  {
    std::unique_lock<std::mutex> lock(s.mu);
    if (!s.connection_closed.wait_for(lock, kStopGrace, [&] { return s.connections.empty(); })) {
      for (const auto& [id, c] : s.connections) ::shutdown(c.fd, SHUT_RDWR);
      s.connection_closed.wait(lock, [&] { return s.connections.empty(); });
    }
  }
  s.JoinFinished();
  if (s.listen_fd >= 0) ::close(s.listen_fd);
  s.listen_fd = -1;
}

void HttpServer::Impl::JoinFinished() {
  std::vector<std::thread> done;
  {
    std::lock_guard<std::mutex> lock(mu);
    done.swap(finished);
  }
  for (std::thread& t : done) t.join();
}

void HttpServer::Impl::AcceptLoop() {
  while (!stopping.load(std::memory_order_acquire)) {
    int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      int err = errno;
      if (stopping.load(std::memory_order_acquire)) return;
      if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
        spdlog::warn("http: accept failed ({}); backing off", std::strerror(err));
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      continue;  // EINTR, ECONNABORTED, ... : the next connection
    }
    Admit(fd);
    JoinFinished();
  }
}

void HttpServer::Impl::Admit(int fd) {
  std::unique_lock<std::mutex> lock(mu);
  if (stopping) {
    ::close(fd);
    return;
  }
  if (connections.size() >= static_cast<size_t>(options.max_connections)) {
    lock.unlock();
    RefuseConnection(fd);
    return;
  }
  int64_t id = next_id++;
  Connection& c = connections[id];
  c.fd = fd;
  try {
    // The new thread's first and last steps take `mu`, so it cannot finish before this returns.
    c.thread = std::thread([this, id, fd] { Serve(id, fd); });
  } catch (const std::system_error& e) {  // out of threads: refuse like any overload
    connections.erase(id);
    lock.unlock();
    spdlog::warn("http: cannot start a connection thread: {}", e.what());
    RefuseConnection(fd);
  }
}

HttpResponse HttpServer::Impl::CallHandler(const HttpRequest& req) {
  try {
    return handler(req);
  } catch (const std::exception& e) {  // last resort besides main(): the text stays in the log
    spdlog::error("http: handler for {} {} threw: {}", req.method, req.path, e.what());
  } catch (...) {
    spdlog::error("http: handler for {} {} threw a non-exception", req.method, req.path);
  }
  return ErrorReply(500, "internal", "internal error; the server log has the details");
}

std::optional<HttpResponse> HttpServer::Impl::Screen(const HttpRequest& req) const {
  if (options.json_bodies_only && !req.body.empty()) {
    std::string_view type = req.Header("content-type");
    if (!type.empty() && !IsJsonMediaType(type)) {
      return ErrorReply(415, "unsupported_media_type",
                        "request bodies must be JSON (Content-Type: application/json)");
    }
  }
  for (const auto& [name, value] : req.query) {
    if (!IsValidUtf8(name) || !IsValidUtf8(value)) {
      HttpResponse res;
      res.status = 400;
      res.body = JsonError("invalid_argument", "query parameters must be UTF-8 once decoded",
                           IsValidUtf8(name) ? name : "");
      return res;
    }
  }
  return std::nullopt;
}

bool HttpServer::Impl::ReadRequest(SocketStream& stream, boost::beast::flat_buffer& buffer,
                                   HttpRequest& req, bool& keep_alive, bool& http10,
                                   std::string& head) {
  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
  parser.body_limit(options.max_body_bytes);
  boost::system::error_code ec;
  // The whole request, from the wait for its first byte to its last, gets read_timeout.
  stream.SetReadDeadline(std::chrono::steady_clock::now() + options.read_timeout);
  http::read_header(stream, buffer, parser, ec);
  bool bad_coding = false;
  if (!ec) {
    // Only "chunked" frames a body we can read; with any other coding (RFC 9112 §6.1: "gzip,
    // chunked", "chunked, identity") the message cannot be delimited safely, so refuse it now
    // rather than waiting for bytes that would be misread.
    std::string_view coding = View(parser.get()[http::field::transfer_encoding]);
    bad_coding = !coding.empty() && !EqualsIgnoreCase(TrimSpaces(coding), "chunked");
  }
  if (!ec && !bad_coding && !parser.is_done()) {
    const auto& msg = parser.get();
    if (msg.version() >= 11 && EqualsIgnoreCase(View(msg[http::field::expect]), "100-continue")) {
      std::string_view cont = "HTTP/1.1 100 Continue\r\n\r\n";
      iovec iov{const_cast<char*>(cont.data()), cont.size()};
      stream.WriteAll(&iov, 1, ec);
    }
    if (!ec) http::read(stream, buffer, parser, ec);
  }
  if (ec || bad_coding) {
    HttpResponse err;
    if (bad_coding) {
      err = ErrorReply(400, "invalid_argument",
                       "Transfer-Encoding other than chunked is not supported");
    } else if (ec == http::error::body_limit) {
      err = ErrorReply(413, "payload_too_large",
                       "request body exceeds " + std::to_string(options.max_body_bytes) + " bytes");
    } else if (ec == http::error::header_limit) {
      err = ErrorReply(
          431, "headers_too_large",
          "request headers exceed " + std::to_string(options.max_header_bytes) + " bytes");
    } else if (ec == boost::asio::error::timed_out && parser.got_some()) {
      err = ErrorReply(408, "request_timeout", "the request was not received in time");
    } else if (IsBeastHttpError(ec) && ec != http::error::end_of_stream &&
               ec != http::error::partial_message) {
      err = ErrorReply(400, "invalid_argument", "malformed HTTP request");
    } else {
      return false;  // the peer left, stalled between requests, or we are stopping
    }
    WriteResponse(stream, err, /*keep_alive=*/false, /*http10=*/false, /*head_only=*/false, head);
    LingeringClose(stream);
    return false;
  }

  auto& msg = parser.get();
  req.method.assign(View(msg.method_string()));
  req.target.assign(View(msg.target()));
  std::string_view target = req.target;
  size_t q = target.find('?');
  req.path.assign(target.substr(0, q));
  req.query.clear();
  if (q != std::string_view::npos) ParseQuery(target.substr(q + 1), req.query);
  size_t n = 0;
  for (const auto& field : msg) {  // reuses the strings of the previous request
    if (n == req.headers.size()) req.headers.emplace_back();
    auto& [name, value] = req.headers[n++];
    name.assign(View(field.name_string()));
    for (char& c : name) c = Lower(c);
    value.assign(View(field.value()));
  }
  req.headers.resize(n);
  req.body = std::move(msg.body());
  keep_alive = msg.keep_alive();
  http10 = msg.version() < 11;
  return true;
}

void HttpServer::Impl::Serve(int64_t id, int fd) {
  {
    SocketStream stream(fd);
    stream.SetNoDelay();
    stream.SetWriteTimeout(options.read_timeout);
    boost::beast::flat_buffer buffer;
    HttpRequest req;
    req.remote_address = PeerAddress(fd);
    std::string head;
    head.reserve(512);
    bool keep_alive = false;
    bool http10 = false;
    while (ReadRequest(stream, buffer, req, keep_alive, http10, head)) {
      std::optional<HttpResponse> refused = Screen(req);
      HttpResponse res = refused ? std::move(*refused) : CallHandler(req);
      if (stopping.load(std::memory_order_acquire)) keep_alive = false;
      bool written =
          WriteResponse(stream, res, keep_alive, http10, /*head_only=*/req.method == "HEAD", head);
      if (!written || !keep_alive) break;
    }
    {
      // Leave the table before closing, so Stop() never shuts down a recycled descriptor.
      std::lock_guard<std::mutex> lock(mu);
      auto it = connections.find(id);
      finished.push_back(std::move(it->second.thread));
      connections.erase(it);
      stream.Close();
      connection_closed.notify_all();
    }
  }
}

}  // namespace orderpilot::api
