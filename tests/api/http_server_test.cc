// The HTTP server on loopback, driven by the real client and, for what a well-behaved client never
// sends, by raw sockets.
#include "api/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <future>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "api/http_client.h"

namespace orderpilot::api {
namespace {

using std::chrono::seconds;

HttpResponse Ok(std::string body) {
  HttpResponse out;
  out.content_type = "text/plain";
  out.body = std::move(body);
  return out;
}

// Keeps a copy of the last request the handler saw.
class Recorder {
 public:
  HttpHandler Handler() {
    return [this](const HttpRequest& r) {
      std::lock_guard<std::mutex> lock(mu_);
      last_ = r;
      return Ok("recorded");
    };
  }
  HttpRequest last() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_;
  }

 private:
  std::mutex mu_;
  HttpRequest last_;
};

// A raw TCP connection to the server, for bytes no well-behaved client sends. Reads give up after
// 10 s so that a broken server fails the test instead of hanging it.
class RawConnection {
 public:
  explicit RawConnection(uint16_t port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    EXPECT_EQ(connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    timeval tv{10, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~RawConnection() { close(fd_); }

  void Send(std::string_view bytes) {
    EXPECT_EQ(send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(bytes.size()));
  }
  void CloseSending() { shutdown(fd_, SHUT_WR); }
  // Reads until the server closes the connection (or 10 s pass: then timed_out() is true).
  std::string ReadAll() {
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = recv(fd_, buf, sizeof buf, 0)) > 0) out.append(buf, static_cast<size_t>(n));
    timed_out_ = n < 0;
    return out;
  }
  // Reads until `out` ends with `suffix`.
  std::string ReadUntil(std::string_view suffix) {
    std::string out;
    char c;
    while (!std::string_view(out).ends_with(suffix) && recv(fd_, &c, 1, 0) == 1) out.push_back(c);
    return out;
  }
  bool timed_out() const { return timed_out_; }

 private:
  int fd_;
  bool timed_out_ = false;
};

class HttpServerTest : public ::testing::Test {
 protected:
  void StartServer(HttpServerOptions o, HttpHandler h) {
    server_ = std::make_unique<HttpServer>(std::move(o), std::move(h));
    Status s = server_->Start();
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  void StartServer(HttpHandler h) { StartServer(HttpServerOptions{}, std::move(h)); }
  HttpClient Client() { return HttpClient("127.0.0.1", server_->port()); }

  std::unique_ptr<HttpServer> server_;
};

// Runs `f` and aborts the test binary if it has not returned after `limit`: a hung Stop() must
// fail loudly rather than hang the suite.
template <typename F>
void WithinOrAbort(std::chrono::seconds limit, F f) {
  std::promise<void> done;
  std::thread watchdog([&, fut = done.get_future()] {
    if (fut.wait_for(limit) != std::future_status::ready) {
      std::fprintf(stderr, "FATAL: did not return within %lld s\n",
                   static_cast<long long>(limit.count()));
      std::abort();
    }
  });
  f();
  done.set_value();
  watchdog.join();
}

TEST_F(HttpServerTest, PassesMethodPathAndBody) {
  Recorder rec;
  StartServer(rec.Handler());
  auto r = Client().Send("POST", "/v1/orders/42", "{\"a\":1}");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "recorded");
  HttpRequest got = rec.last();
  EXPECT_EQ(got.method, "POST");
  EXPECT_EQ(got.target, "/v1/orders/42");
  EXPECT_EQ(got.path, "/v1/orders/42");
  EXPECT_EQ(got.body, "{\"a\":1}");
}

TEST_F(HttpServerTest, DecodesQueryParameters) {
  Recorder rec;
  StartServer(rec.Handler());
  auto r = Client().Send("GET", "/v1/orders?state=held&q=a%20b%2Bc+d&flag&bad=%zz&state=x", "");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  HttpRequest got = rec.last();
  EXPECT_EQ(got.path, "/v1/orders");
  using Params = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(
      got.query,
      (Params{{"state", "held"}, {"q", "a b+c d"}, {"flag", ""}, {"bad", "%zz"}, {"state", "x"}}));
  EXPECT_EQ(got.Query("state"), "held");  // the first of repeated parameters
  EXPECT_EQ(got.Query("missing"), std::nullopt);
}

TEST_F(HttpServerTest, LowerCasesHeaderNamesAndKeepsValues) {
  Recorder rec;
  StartServer(rec.Handler());
  auto r = Client().Send("GET", "/", "", {{"X-Shopify-Topic", "orders/Create"}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  HttpRequest got = rec.last();
  EXPECT_EQ(got.Header("x-shopify-topic"), "orders/Create");
  EXPECT_EQ(got.Header("X-Shopify-Topic"), "");  // lookups use the lower-case name
  EXPECT_EQ(got.Header("absent"), "");
}

TEST_F(HttpServerTest, RecordsTheRemoteAddress) {
  Recorder rec;
  StartServer(rec.Handler());
  ASSERT_TRUE(Client().Send("GET", "/", "").ok());
  EXPECT_EQ(rec.last().remote_address, "127.0.0.1");
}

TEST_F(HttpServerTest, EveryResponseCarriesServerAndSecurityHeaders) {
  StartServer([](const HttpRequest&) { return Ok("hello"); });
  auto r = Client().Send("GET", "/", "");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->content_type, "text/plain");
  EXPECT_EQ(r->Header("content-length"), "5");
  EXPECT_EQ(r->Header("server"), "orderpilot");
  EXPECT_EQ(r->Header("x-content-type-options"), "nosniff");
  EXPECT_EQ(r->Header("x-frame-options"), "DENY");
  EXPECT_EQ(r->Header("cache-control"), "no-store");
}

TEST_F(HttpServerTest, HandlerHeadersReplaceDefaultsButNotFraming) {
  StartServer([](const HttpRequest&) {
    HttpResponse res = Ok("four");
    res.headers = {{"Cache-Control", "max-age=60"},
                   {"X-Request-Id", "r1"},
                   {"Content-Length", "999"},
                   {"X-Bad", "a\r\nInjected: yes"}};
    return res;
  });
  auto r = Client().Send("GET", "/", "");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "four");
  EXPECT_EQ(r->Header("cache-control"), "max-age=60");
  EXPECT_EQ(r->Header("x-request-id"), "r1");
  EXPECT_EQ(r->Header("content-length"), "4");
  EXPECT_EQ(r->Header("x-bad"), "");
  EXPECT_EQ(r->Header("injected"), "");
  int cache_controls = 0;
  for (const auto& h : r->headers) cache_controls += h.first == "cache-control";
  EXPECT_EQ(cache_controls, 1);
}

TEST_F(HttpServerTest, KeepAliveServesAThousandRequestsOnOneConnection) {
  std::mutex mu;
  std::set<std::thread::id> threads;  // one thread per connection
  StartServer([&](const HttpRequest&) {
    std::lock_guard<std::mutex> lock(mu);
    threads.insert(std::this_thread::get_id());
    return Ok("ok");
  });
  HttpClient c = Client();
  for (int i = 0; i < 1000; ++i) {
    auto r = c.Send("GET", "/", "");
    ASSERT_TRUE(r.ok()) << i << ": " << r.status().ToString();
    ASSERT_EQ(r->body, "ok");
    ASSERT_EQ(r->Header("connection"), "");  // never "close"
  }
  EXPECT_EQ(threads.size(), 1u);
}

TEST_F(HttpServerTest, BodyOverTheLimitIs413WithTheJsonErrorShape) {
  HttpServerOptions o;
  o.max_body_bytes = 1024;
  std::atomic<bool> called{false};
  StartServer(o, [&](const HttpRequest&) {
    called = true;
    return Ok("");
  });
  auto r = Client().Send("POST", "/", std::string(2048, 'x'));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->content_type, "application/json");
  EXPECT_EQ(r->body,
            R"({"error":{"code":"payload_too_large","message":"request body exceeds 1024 bytes",)"
            R"("field":""}})");
  EXPECT_EQ(r->Header("connection"), "close");
  EXPECT_EQ(r->Header("x-content-type-options"), "nosniff");
  EXPECT_FALSE(called);
}

TEST_F(HttpServerTest, BodyAtTheLimitIsAccepted) {
  HttpServerOptions o;
  o.max_body_bytes = 1024;
  StartServer(o, [](const HttpRequest& r) { return Ok(std::to_string(r.body.size())); });
  auto r = Client().Send("POST", "/", std::string(1024, 'x'));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "1024");
}

TEST_F(HttpServerTest, DeclaredBodyOverTheLimitIsRefusedBeforeItArrives) {
  StartServer([](const HttpRequest&) { return Ok(""); });
  RawConnection raw(server_->port());
  raw.Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n");  // no body sent
  std::string answer = raw.ReadAll();
  EXPECT_FALSE(raw.timed_out());
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 413 ")) << answer;
}

TEST_F(HttpServerTest, ExpectContinueGets100ThenTheResponse) {
  StartServer([](const HttpRequest& r) { return Ok(r.body); });
  RawConnection raw(server_->port());
  raw.Send("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
  EXPECT_EQ(raw.ReadUntil("\r\n\r\n"), "HTTP/1.1 100 Continue\r\n\r\n");
  raw.Send("hello");
  std::string head = raw.ReadUntil("\r\n\r\n");
  EXPECT_TRUE(head.starts_with("HTTP/1.1 200 OK\r\n")) << head;
  EXPECT_EQ(raw.ReadUntil("hello"), "hello");
}

TEST_F(HttpServerTest, ExpectContinueOverTheLimitGets413Instead) {
  HttpServerOptions o;
  o.max_body_bytes = 10;
  StartServer(o, [](const HttpRequest&) { return Ok(""); });
  RawConnection raw(server_->port());
  raw.Send("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n");
  std::string answer = raw.ReadAll();
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 413 ")) << answer;
}

TEST_F(HttpServerTest, MalformedRequestLineIs400WithJsonError) {
  StartServer([](const HttpRequest&) { return Ok(""); });
  RawConnection raw(server_->port());
  raw.Send("THIS IS NOT HTTP\r\n\r\n");
  std::string answer = raw.ReadAll();
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 400 Bad Request\r\n")) << answer;
  EXPECT_TRUE(answer.ends_with(
      R"({"error":{"code":"invalid_argument","message":"malformed HTTP request","field":""}})"))
      << answer;
}

TEST_F(HttpServerTest, HeadersOverTheLimitAre431) {
  HttpServerOptions o;
  o.max_header_bytes = 1024;
  StartServer(o, [](const HttpRequest&) { return Ok(""); });
  auto r = Client().Send("GET", "/", "", {{"X-Big", std::string(2000, 'h')}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 431);
  EXPECT_NE(r->body.find("\"code\":\"headers_too_large\""), std::string::npos) << r->body;
}

TEST_F(HttpServerTest, HandlerExceptionIs500WithAGenericBody) {
  StartServer([](const HttpRequest&) -> HttpResponse {
    throw std::runtime_error("secret database password");
  });
  auto r = Client().Send("GET", "/", "");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->body, JsonError("internal", "internal error; the server log has the details", ""));
  EXPECT_EQ(r->body.find("secret"), std::string::npos);
}

TEST_F(HttpServerTest, HeadGetsTheContentLengthButNoBody) {
  StartServer([](const HttpRequest&) { return Ok("twelve bytes"); });
  HttpClient c = Client();
  auto head = c.Send("HEAD", "/", "");
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->Header("content-length"), "12");
  EXPECT_EQ(head->body, "");
  auto get = c.Send("GET", "/", "");  // the connection is still in step
  ASSERT_TRUE(get.ok()) << get.status().ToString();
  EXPECT_EQ(get->body, "twelve bytes");
}

TEST_F(HttpServerTest, NoContentHasNeitherBodyNorContentLength) {
  StartServer([](const HttpRequest&) {
    HttpResponse r = Ok("ignored");
    r.status = 204;
    return r;
  });
  HttpClient c = Client();
  auto r = c.Send("DELETE", "/x", "");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(r->body, "");
  EXPECT_EQ(r->Header("content-length"), "");
  EXPECT_TRUE(c.Send("GET", "/", "").ok());
}

TEST_F(HttpServerTest, Http10WithoutKeepAliveIsClosedAfterTheResponse) {
  StartServer([](const HttpRequest&) { return Ok("old"); });
  RawConnection raw(server_->port());
  raw.Send("GET / HTTP/1.0\r\n\r\n");
  std::string answer = raw.ReadAll();
  EXPECT_FALSE(raw.timed_out());
  EXPECT_NE(answer.find("Connection: close\r\n"), std::string::npos) << answer;
  EXPECT_TRUE(answer.ends_with("\r\n\r\nold")) << answer;
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  StartServer([](const HttpRequest& r) { return Ok(r.path); });
  RawConnection raw(server_->port());
  raw.Send(
      "GET /first HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /second HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::string answer = raw.ReadAll();
  size_t first = answer.find("\r\n\r\n/first");
  size_t second = answer.find("\r\n\r\n/second");
  ASSERT_NE(first, std::string::npos) << answer;
  ASSERT_NE(second, std::string::npos) << answer;
  EXPECT_LT(first, second);
}

TEST_F(HttpServerTest, IdleConnectionIsClosedAfterTheReadTimeout) {
  HttpServerOptions o;
  o.read_timeout = seconds(1);
  StartServer(o, [](const HttpRequest&) { return Ok(""); });
  RawConnection raw(server_->port());
  std::string answer = raw.ReadAll();  // nothing sent: the server just closes
  EXPECT_FALSE(raw.timed_out());
  EXPECT_EQ(answer, "");
}

TEST_F(HttpServerTest, RequestTricklingPastTheReadTimeoutIs408) {
  HttpServerOptions o;
  o.read_timeout = seconds(1);
  StartServer(o, [](const HttpRequest&) { return Ok(""); });
  RawConnection raw(server_->port());
  raw.Send("GET / HTTP/1.1\r\nHost: x\r\n");  // the header never ends
  std::string answer = raw.ReadAll();
  EXPECT_FALSE(raw.timed_out());
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 408 ")) << answer;
}

TEST_F(HttpServerTest, ConnectionsBeyondTheLimitGet503) {
  HttpServerOptions o;
  o.max_connections = 1;
  StartServer(o, [](const HttpRequest&) { return Ok("served"); });
  HttpClient first = Client();
  ASSERT_TRUE(first.Send("GET", "/", "").ok());  // its connection stays open
  RawConnection second(server_->port());
  std::string answer = second.ReadAll();
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 503 ")) << answer;
  EXPECT_NE(answer.find("\"code\":\"unavailable\""), std::string::npos) << answer;
  EXPECT_TRUE(first.Send("GET", "/", "").ok());
}

TEST_F(HttpServerTest, HundredConcurrentConnectionsOfFiftyRequestsAllSucceed) {
  StartServer([](const HttpRequest& r) { return Ok(r.body); });
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 100; ++t)
    threads.emplace_back([&, t] {
      HttpClient c("127.0.0.1", server_->port());
      for (int i = 0; i < 50; ++i) {
        std::string body = std::to_string(t) + "/" + std::to_string(i);
        auto r = c.Send("POST", "/", body);
        if (r.ok() && r->status == 200 && r->body == body) ++ok;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 5000);
}

TEST_F(HttpServerTest, StopReturnsWithAnIdleKeepAliveConnectionOpen) {
  StartServer([](const HttpRequest&) { return Ok(""); });
  HttpClient c = Client();
  ASSERT_TRUE(c.Send("GET", "/", "").ok());
  WithinOrAbort(seconds(20), [&] { server_->Stop(); });
  EXPECT_FALSE(c.Send("GET", "/", "").ok());
}

TEST_F(HttpServerTest, StopLetsARunningHandlerAnswer) {
  std::mutex mu;
  std::condition_variable cv;
  bool entered = false, release = false;
  StartServer([&](const HttpRequest&) {
    std::unique_lock<std::mutex> lock(mu);
    entered = true;
    cv.notify_all();
    cv.wait(lock, [&] { return release; });
    return Ok("finished");
  });
  auto response = std::async(std::launch::async, [&] { return Client().Send("GET", "/", ""); });
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return entered; });
  }
  std::thread stopper([&] { server_->Stop(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let Stop() begin
  {
    std::lock_guard<std::mutex> lock(mu);
    release = true;
    cv.notify_all();
  }
  stopper.join();
  auto r = response.get();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "finished");
  EXPECT_EQ(r->Header("connection"), "close");
}

TEST_F(HttpServerTest, StopIsIdempotent) {
  StartServer([](const HttpRequest&) { return Ok(""); });
  server_->Stop();
  server_->Stop();
  server_.reset();  // the destructor stops once more
}

TEST_F(HttpServerTest, StopWithoutStartReturns) {
  HttpServer never({}, [](const HttpRequest&) { return Ok(""); });
  never.Stop();
  EXPECT_EQ(never.port(), 0);
}

TEST_F(HttpServerTest, BindingAPortInUseIsUnavailableNamingTheAddress) {
  StartServer([](const HttpRequest&) { return Ok(""); });
  HttpServerOptions o;
  o.port = server_->port();
  HttpServer second(o, [](const HttpRequest&) { return Ok(""); });
  Status s = second.Start();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("127.0.0.1:" + std::to_string(server_->port())), std::string::npos)
      << s.message();
}

TEST_F(HttpServerTest, ListenAddressThatIsNotAnIpIsInvalidArgument) {
  HttpServerOptions o;
  o.address = "localhost:80";
  HttpServer s(o, [](const HttpRequest&) { return Ok(""); });
  EXPECT_EQ(s.Start().code(), StatusCode::kInvalidArgument);
}

TEST(JsonErrorTest, EscapesItsStrings) {
  EXPECT_EQ(JsonError("bad", "a \"quoted\"\nline", "items[0]"),
            R"({"error":{"code":"bad","message":"a \"quoted\"\nline","field":"items[0]"}})");
}

}  // namespace
}  // namespace orderpilot::api
