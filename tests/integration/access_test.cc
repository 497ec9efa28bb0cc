// Access control on the real binary: every /v1 route of the route table walked with no key, a
// viewer, an operator, an admin and a revoked key; `orderpilot keys create|list|revoke`; the
// dashboard session with its CSRF token; rate limits with 429 and Retry-After.
#include "api/access.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "api/service.h"
#include "json_view.h"
#include "server_process.h"

namespace orderpilot::testing {
namespace {

using api::Role;

// `orderpilot keys create`, returning the printed key ("" and a test failure on error).
std::string CreateKey(const std::string& data, const std::string& name, const std::string& role) {
  auto [code, out] = RunCli("keys create --data " + data + " --name " + name + " --role " + role);
  EXPECT_EQ(code, 0) << out;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    if (api::ApiKeyPrefix(line)) return line;
  }
  ADD_FAILURE() << "no key printed: " << out;
  return "";
}

Headers Bearer(const std::string& key) {
  return {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + key}};
}

// A concrete path for a route pattern: each {placeholder} becomes "1".
std::string PathFor(std::string_view pattern) {
  std::string out;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '{') {
      out += "1";
      i = pattern.find('}', i);
    } else {
      out += pattern[i];
    }
  }
  return out;
}

std::string Describe(const api::RouteSpec& r) {
  return std::string(r.method) + " " + std::string(r.pattern);
}

class AccessIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override { data_ = dir_.path() + "/data"; }

  std::string WriteConfig(const std::string& yaml) {
    const std::string path = dir_.path() + "/access.yaml";
    std::ofstream(path) << yaml;
    return path;
  }

  TempDir dir_;
  std::string data_;
};

TEST_F(AccessIntegrationTest, EveryRouteChecksItsRole) {
  const std::string viewer = CreateKey(data_, "walk-viewer", "viewer");
  const std::string op = CreateKey(data_, "walk-operator", "operator");
  const std::string admin = CreateKey(data_, "walk-admin", "admin");
  const std::string revoked = CreateKey(data_, "walk-revoked", "admin");
  auto [code, out] = RunCli("keys revoke --data " + data_ + " --name walk-revoked");
  ASSERT_EQ(code, 0) << out;
  // A configured key with a role, next to the stored ones.
  const std::string config = WriteConfig(
      "api_keys:\n"
      "  - name: config-viewer\n"
      "    key: config-viewer-key-0123456789\n"
      "    role: viewer\n");
  ServerProcess server(data_, {"--config", config});
  ASSERT_TRUE(server.Start());
  api::HttpClient client("127.0.0.1", server.port());

  struct Caller {
    const char* who;
    std::string key;           // "" = none
    std::optional<Role> role;  // nullopt: must be refused with 401
  };
  const Caller callers[] = {{"no key", "", std::nullopt},
                            {"revoked", revoked, std::nullopt},
                            {"unknown", api::GenerateApiKey().key, std::nullopt},
                            {"viewer", viewer, Role::kViewer},
                            {"config viewer", "config-viewer-key-0123456789", Role::kViewer},
                            {"operator", op, Role::kOperator},
                            {"admin", admin, Role::kAdmin},
                            {"default-role config key", kApiKey, Role::kAdmin}};
  const std::vector<api::RouteSpec> routes = api::ApiService::V1Routes();
  ASSERT_GE(routes.size(), 25u);
  for (const api::RouteSpec& route : routes) {
    for (const Caller& c : callers) {
      Headers h = {{"Content-Type", "application/json"}};
      if (!c.key.empty()) h.emplace_back("Authorization", "Bearer " + c.key);
      const std::string body = route.method == "GET" || route.method == "DELETE" ? "" : "{}";
      auto r = client.Send(route.method, PathFor(route.pattern), body, h);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      const std::string what =
          Describe(route) + " as " + c.who + ": " + std::to_string(r->status) + " " + r->body;
      EXPECT_NE(r->status, 429) << what;
      EXPECT_NE(r->status, 405) << what;
      EXPECT_LT(r->status, 500) << what;
      if (!c.role) {
        EXPECT_EQ(r->status, 401) << what;
        EXPECT_EQ(JsonView(r->body).Str("/error/code"), "unauthenticated") << what;
      } else if (api::RoleAllows(*c.role, route.min_role)) {
        EXPECT_NE(r->status, 401) << what;
        EXPECT_NE(r->status, 403) << what;
      } else {
        EXPECT_EQ(r->status, 403) << what;
        JsonView v(r->body);
        EXPECT_EQ(v.Str("/error/code"), "forbidden") << what;
        EXPECT_NE(v.Str("/error/message").find(std::string(api::RoleName(route.min_role))),
                  std::string::npos)
            << what;
      }
    }
  }
  EXPECT_EQ(server.Stop(), 0);
}

TEST_F(AccessIntegrationTest, KeysCliCreatesListsAndRevokes) {
  const std::string key = CreateKey(data_, "ci-bot", "operator");
  ASSERT_FALSE(key.empty());
  const std::string prefix(*api::ApiKeyPrefix(key));

  auto [code, out] = RunCli("keys create --data " + data_ + " --name ci-bot --role viewer");
  EXPECT_EQ(code, 1) << out;  // names are unique
  EXPECT_NE(out.find("exists already"), std::string::npos) << out;
  std::tie(code, out) = RunCli("keys create --data " + data_ + " --name x --role root");
  EXPECT_NE(code, 0) << out;

  std::tie(code, out) = RunCli("keys list --data " + data_);
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find("ci-bot"), std::string::npos) << out;
  EXPECT_NE(out.find("operator"), std::string::npos) << out;
  EXPECT_NE(out.find(prefix), std::string::npos) << out;
  EXPECT_EQ(out.find(key.substr(12)), std::string::npos) << "the secret must never be listed";
  EXPECT_EQ(out.find(api::HashApiKey(key)), std::string::npos) << "nor its hash";

  // The server sees the key without a restart, and a revoked key within about a second.
  ServerProcess server(data_);
  ASSERT_TRUE(server.Start());
  api::HttpClient client("127.0.0.1", server.port());
  const std::string late = CreateKey(data_, "late", "viewer");
  auto r = client.Send("GET", "/v1/session", "", Bearer(late));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(JsonView(r->body).Str("/role"), "viewer");
  r = client.Send("GET", "/v1/orders", "", Bearer(key));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;

  std::tie(code, out) = RunCli("keys revoke --data " + data_ + " --name ci-bot");
  ASSERT_EQ(code, 0) << out;
  const auto revoked_at = std::chrono::steady_clock::now();
  int status = 200;
  while (status == 200 && std::chrono::steady_clock::now() - revoked_at < std::chrono::seconds(5)) {
    r = client.Send("GET", "/v1/orders", "", Bearer(key));
    ASSERT_TRUE(r.ok());
    status = r->status;
    if (status == 200) usleep(50'000);
  }
  EXPECT_EQ(status, 401);
  EXPECT_LT(std::chrono::steady_clock::now() - revoked_at, std::chrono::milliseconds(2500));

  std::tie(code, out) = RunCli("keys revoke --data " + data_ + " --name ci-bot");
  EXPECT_EQ(code, 1) << out;
  std::tie(code, out) = RunCli("keys revoke --data " + data_ + " --name nobody");
  EXPECT_EQ(code, 1) << out;
  std::tie(code, out) = RunCli("keys list --data " + data_);
  ASSERT_EQ(code, 0) << out;
  std::istringstream lines(out);
  std::string line, ci_line;
  while (std::getline(lines, line))
    if (line.starts_with("ci-bot")) ci_line = line;
  EXPECT_EQ(std::count(ci_line.begin(), ci_line.end(), 'T'), 3)
      << "created, revoked, last used: " << ci_line;
  EXPECT_EQ(server.Stop(), 0);

  // Every key operation is in the audit chain, and the chain holds.
  std::tie(code, out) = RunCli("audit verify --data " + data_);
  EXPECT_EQ(code, 0) << out;
}

TEST_F(AccessIntegrationTest, SessionCookieNeedsCsrfTokenForChanges) {
  const std::string op = CreateKey(data_, "dash", "operator");
  ServerProcess server(data_);
  ASSERT_TRUE(server.Start());
  api::HttpClient client("127.0.0.1", server.port());
  const Headers json = {{"Content-Type", "application/json"}};

  auto r = client.Send("POST", "/v1/session", "{\"key\":\"wrong\"}", json);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 401) << r->body;

  r = client.Send("POST", "/v1/session", "{\"key\":\"" + op + "\"}", json);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 201) << r->body;
  const std::string set_cookie(r->Header("set-cookie"));
  EXPECT_TRUE(set_cookie.starts_with("op_session=")) << set_cookie;
  EXPECT_NE(set_cookie.find("; HttpOnly"), std::string::npos) << set_cookie;
  EXPECT_NE(set_cookie.find("; SameSite=Strict"), std::string::npos) << set_cookie;
  EXPECT_NE(set_cookie.find("; Path=/"), std::string::npos) << set_cookie;
  EXPECT_EQ(set_cookie.find("Secure"), std::string::npos) << "plain HTTP: " << set_cookie;
  const std::string cookie = set_cookie.substr(0, set_cookie.find(';'));
  const std::string csrf = JsonView(r->body).Str("/csrf_token");
  ASSERT_EQ(csrf.size(), 64u) << r->body;
  EXPECT_EQ(JsonView(r->body).Str("/role"), "operator");

  Headers with_cookie = json;
  with_cookie.emplace_back("Cookie", "theme=dark; " + cookie);
  r = client.Send("GET", "/v1/session", "", with_cookie);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(JsonView(r->body).Str("/via"), "session");
  EXPECT_EQ(JsonView(r->body).Str("/name"), "dash");

  // A change without the token (what a cross-site form would send) is refused.
  r = client.Send("POST", "/v1/reviews/decide", "{\"ids\":[1],\"decision\":\"approve\"}",
                  with_cookie);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 403) << r->body;
  EXPECT_EQ(JsonView(r->body).Str("/error/code"), "forbidden");
  Headers wrong_token = with_cookie;
  wrong_token.emplace_back("X-CSRF-Token", std::string(64, '0'));
  r = client.Send("POST", "/v1/reviews/decide", "{\"ids\":[1],\"decision\":\"approve\"}",
                  wrong_token);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 403) << r->body;
  Headers with_token = with_cookie;
  with_token.emplace_back("X-CSRF-Token", csrf);
  r = client.Send("POST", "/v1/reviews/decide", "{\"ids\":[1],\"decision\":\"approve\"}",
                  with_token);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->status, 403) << r->body;
  EXPECT_NE(r->status, 401) << r->body;
  // The session has its key's role: an operator may not reload rules.
  r = client.Send("POST", "/v1/rules/reload", "", with_token);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 403) << r->body;

  // Behind a TLS proxy the cookie is Secure.
  Headers https = json;
  https.emplace_back("X-Forwarded-Proto", "https");
  r = client.Send("POST", "/v1/session", "",
                  {{"Authorization", "Bearer " + op}, {"X-Forwarded-Proto", "https"}});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 201) << r->body;
  EXPECT_NE(std::string(r->Header("set-cookie")).find("; Secure"), std::string::npos);

  // Logout is a change too; then the cookie is worthless.
  r = client.Send("DELETE", "/v1/session", "", with_cookie);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 403) << r->body;
  r = client.Send("DELETE", "/v1/session", "", with_token);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_NE(std::string(r->Header("set-cookie")).find("Max-Age=0"), std::string::npos);
  r = client.Send("GET", "/v1/session", "", with_cookie);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 401) << r->body;
  EXPECT_EQ(server.Stop(), 0);
}

TEST_F(AccessIntegrationTest, RevokingAKeyEndsItsSessions) {
  const std::string key = CreateKey(data_, "short-lived", "viewer");
  ServerProcess server(data_);
  ASSERT_TRUE(server.Start());
  api::HttpClient client("127.0.0.1", server.port());
  auto r = client.Send("POST", "/v1/session", "{\"key\":\"" + key + "\"}",
                       {{"Content-Type", "application/json"}});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 201) << r->body;
  std::string cookie(r->Header("set-cookie"));
  cookie = cookie.substr(0, cookie.find(';'));
  auto [code, out] = RunCli("keys revoke --data " + data_ + " --name short-lived");
  ASSERT_EQ(code, 0) << out;
  int status = 200;
  for (int i = 0; i < 100 && status == 200; ++i) {
    r = client.Send("GET", "/v1/session", "", {{"Cookie", cookie}});
    ASSERT_TRUE(r.ok());
    status = r->status;
    if (status == 200) usleep(50'000);
  }
  EXPECT_EQ(status, 401);
  EXPECT_EQ(server.Stop(), 0);
}

TEST_F(AccessIntegrationTest, RateLimitsAnswer429WithRetryAfter) {
  const std::string config = WriteConfig(
      "access:\n"
      "  rate_limits:\n"
      "    per_key: {per_second: 0.5, burst: 3}\n"
      "    per_shop: {per_second: 0.5, burst: 2}\n");
  ServerProcess server(data_, {"--config", config});
  ASSERT_TRUE(server.Start());
  api::HttpClient client("127.0.0.1", server.port());
  for (int i = 0; i < 3; ++i) {
    auto r = client.Send("GET", "/v1/orders", "", ApiHeaders());
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 200) << i << ": " << r->body;
  }
  auto r = client.Send("GET", "/v1/orders", "", ApiHeaders());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 429) << r->body;
  EXPECT_EQ(JsonView(r->body).Str("/error/code"), "rate_limited");
  const std::string retry(r->Header("retry-after"));
  ASSERT_FALSE(retry.empty());
  EXPECT_GE(std::stoi(retry), 1);
  EXPECT_LE(std::stoi(retry), 2);

  // Webhooks: per shop, after the signature; a refused delivery is not stored, so Shopify's
  // retry after Retry-After is accepted as new.
  auto webhook = [&](int i) {
    const std::string body = "{\"id\":" + std::to_string(900 + i) + "}";
    return client.Send("POST", "/webhooks/shopify", body,
                       ShopifyHeaders(body, "shop/update", "wh-rate-" + std::to_string(i)));
  };
  for (int i = 0; i < 2; ++i) {
    auto w = webhook(i);
    ASSERT_TRUE(w.ok());
    EXPECT_EQ(w->status, 200) << w->body;
  }
  auto w = webhook(2);
  ASSERT_TRUE(w.ok());
  ASSERT_EQ(w->status, 429) << w->body;
  const int wait = std::stoi(std::string(w->Header("retry-after")));
  EXPECT_GE(wait, 1);
  std::this_thread::sleep_for(std::chrono::seconds(wait));
  w = webhook(2);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->status, 200) << w->body;
  EXPECT_EQ(JsonView(w->body).root()["duplicate"].get_bool().value(), false) << w->body;
  EXPECT_EQ(server.Stop(), 0);
}

}  // namespace
}  // namespace orderpilot::testing
