// A tiny OpenAI-compatible chat server on loopback for tests (tests/ai, tests/app): it speaks the
// real wire format of POST /v1/chat/completions, records every request and answers with the
// test's handler.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/json_writer.h"

namespace orderpilot::ai::testing {

using namespace std::chrono_literals;

// A tiny OpenAI-compatible server on loopback: one request per connection, recorded, answered by
// the test's handler.
class FakeModelServer {
 public:
  struct Received {
    std::string request_line;
    std::string authorization;
    std::string content_type;
    std::string body;
  };
  struct Reply {
    int status = 200;
    std::string body;
    bool hang = false;  // never answer (until the server stops)
  };
  using Handler = std::function<Reply(const Received&)>;

  explicit FakeModelServer(Handler handler) : handler_(std::move(handler)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 16) != 0) {
      ADD_FAILURE() << "cannot listen on loopback";
    }
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~FakeModelServer() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
  }

  uint16_t port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }
  std::vector<Received> received() const {
    std::lock_guard<std::mutex> lock(mu_);
    return received_;
  }

 private:
  void Serve() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      Handle(fd);
      ::close(fd);
    }
  }

  // Appends what the peer sends next; false when it closes or stays silent for 1 s.
  static bool ReadMore(int fd, std::string& buf) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 1000) <= 0) return false;
    char chunk[4096];
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n <= 0) return false;
    buf.append(chunk, static_cast<size_t>(n));
    return true;
  }

  static std::string Header(std::string_view head, std::string_view name) {
    std::string lower(head);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    size_t at = lower.find("\r\n" + std::string(name) + ":");
    if (at == std::string::npos) return "";
    size_t from = at + 3 + name.size();
    size_t end = head.find("\r\n", from);
    std::string value(head.substr(from, end - from));
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    return value;
  }

  void Handle(int fd) {
    std::string buf;
    size_t head_end;
    while ((head_end = buf.find("\r\n\r\n")) == std::string::npos)
      if (!ReadMore(fd, buf)) return;
    std::string head = buf.substr(0, head_end);
    size_t length = std::stoul("0" + Header(head, "content-length"));
    while (buf.size() < head_end + 4 + length)
      if (!ReadMore(fd, buf)) return;
    Received r;
    r.request_line = head.substr(0, head.find("\r\n"));
    r.authorization = Header(head, "authorization");
    r.content_type = Header(head, "content-type");
    r.body = buf.substr(head_end + 4, length);
    {
      std::lock_guard<std::mutex> lock(mu_);
      received_.push_back(r);
    }
    Reply reply = handler_(r);
    if (reply.hang) {
      while (!stop_) std::this_thread::sleep_for(5ms);
      return;
    }
    std::string out = "HTTP/1.1 " + std::to_string(reply.status) +
                      " X\r\nContent-Type: application/json\r\nContent-Length: " +
                      std::to_string(reply.body.size()) + "\r\nConnection: close\r\n\r\n" +
                      reply.body;
    size_t sent = 0;
    while (sent < out.size()) {
      ssize_t n = ::write(fd, out.data() + sent, out.size() - sent);
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    }
  }

  Handler handler_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<Received> received_;
};

inline std::string Completion(std::string_view content) {
  JsonWriter w;
  w.BeginObject();
  w.Field("id", "chatcmpl-1").Field("object", "chat.completion").Field("model", "test-model-1");
  w.Key("choices").BeginArray().BeginObject().Field("index", 0);
  w.Key("message").BeginObject().Field("role", "assistant").Field("content", content).EndObject();
  w.Field("finish_reason", "stop").EndObject().EndArray();
  w.Key("usage").BeginObject();
  w.Field("prompt_tokens", 120).Field("completion_tokens", 30).Field("total_tokens", 150);
  w.EndObject().EndObject();
  return w.Take();
}

}  // namespace orderpilot::ai::testing
