// The HTTP client against a scripted loopback peer (for what our server never does: close without
// answering, stall, send interim or chunked responses) and against the real server.
#include "api/http_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <thread>

#include "api/http_server.h"

namespace orderpilot::api {
namespace {

// A loopback listener that runs `script` on each accepted connection, one at a time, in order.
class ScriptedPeer {
 public:
  using Script = std::function<void(int fd, int connection_index)>;

  explicit ScriptedPeer(Script script) : script_(std::move(script)) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    EXPECT_EQ(bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(listen(listen_fd_, 16), 0);
    socklen_t len = sizeof addr;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
      for (int i = 0;; ++i) {
        int fd = accept(listen_fd_, nullptr, nullptr);
        if (fd < 0) return;  // shut down
        timeval tv{10, 0};   // a script never waits forever on a broken client
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        connections_ = i + 1;
        script_(fd, i);
        close(fd);
      }
    });
  }
  ~ScriptedPeer() {
    shutdown(listen_fd_, SHUT_RDWR);
    thread_.join();
    close(listen_fd_);
  }

  uint16_t port() const { return port_; }
  int connections() const { return connections_; }

  // Reads one request (head and Content-Length body) and returns it, or "" at eof.
  static std::string ReadRequest(int fd) {
    std::string in;
    char c;
    while (!in.ends_with("\r\n\r\n")) {
      if (recv(fd, &c, 1, 0) != 1) return "";
      in.push_back(c);
    }
    size_t at = in.find("Content-Length: ");
    size_t length = at == std::string::npos ? 0 : std::stoul(in.substr(at + 16));
    for (size_t i = 0; i < length && recv(fd, &c, 1, 0) == 1; ++i) in.push_back(c);
    return in;
  }
  static void Write(int fd, std::string_view bytes) {
    send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  }

 private:
  Script script_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<int> connections_{0};
  std::thread thread_;
};

constexpr std::string_view kOkResponse =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok";

TEST(HttpClientTest, SendsHostContentLengthAndHeaders) {
  std::mutex mu;
  std::string seen;
  ScriptedPeer peer([&](int fd, int) {
    std::string request = ScriptedPeer::ReadRequest(fd);
    {
      std::lock_guard<std::mutex> lock(mu);
      seen = request;
    }
    ScriptedPeer::Write(fd, kOkResponse);
  });
  HttpClient c("127.0.0.1", peer.port());
  auto r = c.Send("POST", "/webhooks/shopify?x=1", "hello", {{"X-Shopify-Topic", "orders/create"}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_TRUE(seen.starts_with("POST /webhooks/shopify?x=1 HTTP/1.1\r\n")) << seen;
  EXPECT_NE(seen.find("\r\nHost: 127.0.0.1:" + std::to_string(peer.port()) + "\r\n"),
            std::string::npos)
      << seen;
  EXPECT_NE(seen.find("\r\nX-Shopify-Topic: orders/create\r\n"), std::string::npos) << seen;
  EXPECT_NE(seen.find("\r\nContent-Length: 5\r\n"), std::string::npos) << seen;
  EXPECT_TRUE(seen.ends_with("\r\n\r\nhello")) << seen;
}

TEST(HttpClientTest, ReturnsStatusBodyAndLowerCasedHeaders) {
  ScriptedPeer peer([](int fd, int) {
    ScriptedPeer::ReadRequest(fd);
    ScriptedPeer::Write(fd,
                        "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
                        "X-Request-ID: Abc\r\nContent-Length: 2\r\n\r\n{}");
  });
  HttpClient c("127.0.0.1", peer.port());
  auto r = c.Send("GET", "/missing", "");
  ASSERT_TRUE(r.ok()) << r.status().ToString();  // an error status is still a response
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->content_type, "application/json");
  EXPECT_EQ(r->Header("x-request-id"), "Abc");
  EXPECT_EQ(r->body, "{}");
}

TEST(HttpClientTest, ReusesOneConnectionForSuccessiveRequests) {
  ScriptedPeer peer([](int fd, int) {
    while (!ScriptedPeer::ReadRequest(fd).empty()) ScriptedPeer::Write(fd, kOkResponse);
  });
  HttpClient c("127.0.0.1", peer.port());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(c.Send("GET", "/", "").ok()) << i;
  EXPECT_EQ(peer.connections(), 1);
}

TEST(HttpClientTest, ReconnectsWhenTheServerClosedTheIdleConnection) {
  // Each connection serves one request, then closes without saying so (no Connection: close),
  // as a server does when its keep-alive timeout passes.
  ScriptedPeer peer([](int fd, int) {
    ScriptedPeer::ReadRequest(fd);
    ScriptedPeer::Write(fd, kOkResponse);
  });
  HttpClient c("127.0.0.1", peer.port());
  ASSERT_TRUE(c.Send("GET", "/one", "").ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the peer's close arrives
  auto r = c.Send("GET", "/two", "");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "ok");
  EXPECT_EQ(peer.connections(), 2);
}

TEST(HttpClientTest, ReconnectsAfterTheRealServersIdleTimeout) {
  HttpServerOptions o;
  o.read_timeout = std::chrono::seconds(1);
  HttpServer server(o, [](const HttpRequest&) {
    return HttpResponse{200, "text/plain", {}, "ok"};
  });
  ASSERT_TRUE(server.Start().ok());
  HttpClient c("127.0.0.1", server.port());
  ASSERT_TRUE(c.Send("GET", "/", "").ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  auto r = c.Send("GET", "/", "");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "ok");
}

TEST(HttpClientTest, FailureAfterWritingIsUnavailableAndNotRetried) {
  std::atomic<int> requests{0};
  ScriptedPeer peer([&](int fd, int) {
    if (!ScriptedPeer::ReadRequest(fd).empty()) ++requests;  // and close without answering
  });
  HttpClient c("127.0.0.1", peer.port());
  auto r = c.Send("POST", "/", "payload");
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(requests.load(), 1);
  EXPECT_EQ(peer.connections(), 1);
}

TEST(HttpClientTest, UnreachableServerIsUnavailableNamingTheAddress) {
  uint16_t port;
  {
    ScriptedPeer closed([](int, int) {});
    port = closed.port();
  }  // nothing listens there any more
  HttpClient c("127.0.0.1", port);
  auto r = c.Send("GET", "/", "");
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("127.0.0.1:" + std::to_string(port)), std::string::npos)
      << r.status().message();
}

TEST(HttpClientTest, GivesUpAfterTheTimeoutWhenNoAnswerComes) {
  std::atomic<bool> done{false};
  ScriptedPeer peer([&](int fd, int) {
    ScriptedPeer::ReadRequest(fd);
    while (!done) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  });
  HttpClient c("127.0.0.1", peer.port(), std::chrono::milliseconds(200));
  auto start = std::chrono::steady_clock::now();
  auto r = c.Send("GET", "/", "");
  auto elapsed = std::chrono::steady_clock::now() - start;
  done = true;
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("timed out"), std::string::npos) << r.status().message();
  EXPECT_LT(elapsed, std::chrono::seconds(5));
}

TEST(HttpClientTest, SkipsInterimResponses) {
  ScriptedPeer peer([](int fd, int) {
    ScriptedPeer::ReadRequest(fd);
    ScriptedPeer::Write(fd, "HTTP/1.1 100 Continue\r\n\r\n");
    ScriptedPeer::Write(fd, kOkResponse);
  });
  HttpClient c("127.0.0.1", peer.port());
  auto r = c.Send("GET", "/", "");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "ok");
}

TEST(HttpClientTest, ReadsChunkedBodies) {
  ScriptedPeer peer([](int fd, int) {
    ScriptedPeer::ReadRequest(fd);
    ScriptedPeer::Write(fd,
                        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                        "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  });
  HttpClient c("127.0.0.1", peer.port());
  auto r = c.Send("GET", "/", "");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "hello world");
}

TEST(HttpClientTest, ClosesWhenTheServerSaysConnectionClose) {
  ScriptedPeer peer([](int fd, int) {
    if (ScriptedPeer::ReadRequest(fd).empty()) return;
    ScriptedPeer::Write(fd, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
  });
  HttpClient c("127.0.0.1", peer.port());
  ASSERT_TRUE(c.Send("GET", "/", "").ok());
  ASSERT_TRUE(c.Send("GET", "/", "").ok());  // on a new connection, no retry needed
  EXPECT_EQ(peer.connections(), 2);
}

TEST(HttpClientTest, RejectsLineBreaksInHeadersAndTargets) {
  ScriptedPeer peer([](int, int) {});
  HttpClient c("127.0.0.1", peer.port());
  EXPECT_EQ(c.Send("GET", "/", "", {{"X-Evil", "a\r\nInjected: 1"}}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(c.Send("GET", "/a b", "").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(c.Send("GET\r\n", "/", "").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(peer.connections(), 0);  // nothing was sent
}

}  // namespace
}  // namespace orderpilot::api
