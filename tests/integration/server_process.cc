#include "server_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ingest/shopify_webhook.h"

namespace orderpilot::testing {

TempDir::TempDir() {
  char tmpl[] = "/tmp/orderpilot-it-XXXXXX";
  char* p = mkdtemp(tmpl);
  path_ = p ? p : "";
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!path_.empty()) std::filesystem::remove_all(path_, ec);
}

ServerProcess::ServerProcess(std::string data_dir, std::vector<std::string> extra_args)
    : data_dir_(std::move(data_dir)), extra_args_(std::move(extra_args)) {}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Stop();
}

bool ServerProcess::Start() {
  int out[2];
  if (pipe(out) != 0) {
    ADD_FAILURE() << "pipe failed";
    return false;
  }
  std::vector<std::string> args = {OP_BINARY,          "serve",    "--listen",    "127.0.0.1:0",
                                   "--data",           data_dir_,  "--shop",      kShop,
                                   "--shopify-secret", kSecret,    "--api-key",   kApiKey,
                                   "--master-key",     kMasterKey, "--log-level", "warn"};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  std::string log_path = data_dir_ + "/server.log";
  pid_ = fork();
  if (pid_ == 0) {
    dup2(out[1], STDOUT_FILENO);
    int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (log >= 0) dup2(log, STDERR_FILENO);
    close(out[0]);
    close(out[1]);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out[1]);
  std::string text;
  const std::string marker = "listening on http://127.0.0.1:";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd pfd{out[0], POLLIN, 0};
    if (poll(&pfd, 1, 200) <= 0) {
      int status;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      continue;
    }
    char buf[512];
    ssize_t n = read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
    size_t at = text.find(marker);
    if (at != std::string::npos && text.find(' ', at + marker.size()) != std::string::npos) {
      port_ = static_cast<uint16_t>(std::atoi(text.c_str() + at + marker.size()));
      close(out[0]);
      return true;
    }
  }
  close(out[0]);
  ADD_FAILURE() << "server did not start; stdout: " << text << "\nlog:\n" << Log();
  if (pid_ > 0) Kill9();
  return false;
}

void ServerProcess::Kill9() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

void ServerProcess::Signal(int sig) {
  if (pid_ > 0) kill(pid_, sig);
}

int ServerProcess::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  for (int i = 0; i < 300; ++i) {  // up to 30 s for a clean stop
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    usleep(100000);
  }
  ADD_FAILURE() << "server did not stop on SIGTERM within 30 s";
  Kill9();
  return -1;
}

std::string ServerProcess::Log() const {
  std::ifstream f(data_dir_ + "/server.log");
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

Headers ShopifyHeaders(const std::string& body, const std::string& topic,
                       const std::string& webhook_id, const std::string& event_id) {
  Headers h = {{"Content-Type", "application/json"},
               {"X-Shopify-Topic", topic},
               {"X-Shopify-Shop-Domain", kShop},
               {"X-Shopify-Api-Version", "2026-04"},
               {"X-Shopify-Webhook-Id", webhook_id},
               {"X-Shopify-Hmac-Sha256", ingest::SignShopifyBody(body, kSecret)}};
  if (!event_id.empty()) h.emplace_back("X-Shopify-Event-Id", event_id);
  return h;
}

Headers ApiHeaders() {
  return {{"Content-Type", "application/json"},
          {"Authorization", std::string("Bearer ") + kApiKey}};
}

std::string ReadTestData(const std::string& relative_path) {
  std::ifstream f(std::string(OP_TEST_DATA_DIR) + "/" + relative_path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::pair<int, std::string> RunCli(const std::string& args) {
  std::string out;
  FILE* p = popen((std::string(OP_BINARY) + " " + args + " 2>&1").c_str(), "r");
  if (!p) return {-1, ""};
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

std::string AllBytes(const std::string& dir) {
  std::string all;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    all += ss.str();
  }
  return all;
}

std::string NoRiskConfig(const std::string& dir) {
  const std::string path = dir + "/no-risk.yaml";
  std::ofstream(path) << "risk:\n  enabled: false\n";
  return path;
}

}  // namespace orderpilot::testing
