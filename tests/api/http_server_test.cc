// The HTTP transport with a real server on loopback and the real client.
#include "api/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "api/http_client.h"

namespace orderpilot::api {
namespace {

HttpResponse Echo(const HttpRequest& r) {
  HttpResponse out;
  out.content_type = "text/plain";
  out.body = r.method + " " + r.path + " q=" + r.Query("q").value_or("-") +
             " h=" + std::string(r.Header("x-test")) + " body=" + r.body;
  return out;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void StartServer(HttpServerOptions o, HttpHandler h = Echo) {
    server_ = std::make_unique<HttpServer>(o, h);
    ASSERT_TRUE(server_->Start().ok());
  }
  // Sends raw bytes on a new connection and returns everything the server answers.
  std::string Raw(const std::string& bytes) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(server_->port());
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    shutdown(fd, SHUT_WR);
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    close(fd);
    return out;
  }
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, PassesMethodPathDecodedQueryHeadersAndBody) {
  StartServer({});
  HttpClient c("127.0.0.1", server_->port());
  auto r = c.Send("POST", "/x/y?q=a%20b%2Bc&z=1", "hello", {{"X-Test", "yes"}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "POST /x/y q=a b+c h=yes body=hello");
}

TEST_F(HttpServerTest, EveryResponseCarriesSecurityHeaders) {
  StartServer({});
  HttpClient c("127.0.0.1", server_->port());
  auto r = c.Send("GET", "/", "");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->Header("x-content-type-options"), "nosniff");
  EXPECT_EQ(r->Header("x-frame-options"), "DENY");
  EXPECT_EQ(r->Header("cache-control"), "no-store");
}

TEST_F(HttpServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  StartServer({}, [](const HttpRequest&) {
    HttpResponse out;
    out.body = "ok";
    return out;
  });
  HttpClient c("127.0.0.1", server_->port());
  for (int i = 0; i < 1000; ++i) {
    auto r = c.Send("GET", "/", "");
    ASSERT_TRUE(r.ok()) << i;
    ASSERT_EQ(r->body, "ok");
  }
}

TEST_F(HttpServerTest, BodyOverTheLimitIs413WithJsonError) {
  HttpServerOptions o;
  o.max_body_bytes = 1024;
  StartServer(o);
  HttpClient c("127.0.0.1", server_->port());
  auto r = c.Send("POST", "/", std::string(2048, 'x'));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 413);
  EXPECT_NE(r->body.find("\"code\":\"payload_too_large\""), std::string::npos) << r->body;
}

TEST_F(HttpServerTest, MalformedRequestIs400) {
  StartServer({});
  std::string answer = Raw("THIS IS NOT HTTP\r\n\r\n");
  EXPECT_NE(answer.find("400"), std::string::npos) << answer;
}

TEST_F(HttpServerTest, HandlerExceptionIs500WithoutItsText) {
  StartServer({}, [](const HttpRequest&) -> HttpResponse { throw std::runtime_error("secret"); });
  HttpClient c("127.0.0.1", server_->port());
  auto r = c.Send("GET", "/", "");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->body.find("secret"), std::string::npos);
}

TEST_F(HttpServerTest, ManyConcurrentConnectionsAllSucceed) {
  StartServer({});
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 100; ++t)
    threads.emplace_back([&] {
      HttpClient c("127.0.0.1", server_->port());
      for (int i = 0; i < 50; ++i) {
        auto r = c.Send("GET", "/", "");
        if (r.ok() && r->status == 200) ++ok;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 5000);
}

TEST_F(HttpServerTest, StopReturnsWithAnIdleKeepAliveConnectionOpen) {
  StartServer({});
  HttpClient c("127.0.0.1", server_->port());
  ASSERT_TRUE(c.Send("GET", "/", "").ok());
  server_->Stop();  // would hang if the idle connection's blocked read were not interrupted
  EXPECT_FALSE(c.Send("GET", "/", "").ok());
}

TEST_F(HttpServerTest, BindingAPortInUseIsAClearError) {
  StartServer({});
  HttpServerOptions o;
  o.port = server_->port();
  HttpServer second(o, Echo);
  Status s = second.Start();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find(std::to_string(server_->port())), std::string::npos);
}

}  // namespace
}  // namespace orderpilot::api
