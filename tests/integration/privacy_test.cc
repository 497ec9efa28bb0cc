// Personal data at rest, with the real binary: a customer's name, email and address never reach
// the data directory in clear; `orderpilot customer export` gives them back; erasure — by the
// CLI or by Shopify's customers/redact webhook — makes every copy unreadable while the order keeps
// its money and SKUs; and the server refuses to start without a master key.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "app/simulator.h"
#include "json_view.h"
#include "server_process.h"

namespace orderpilot::testing {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string PrivacyConfig(const std::string& dir) {
  const std::string path = dir + "/privacy.yaml";
  std::ofstream(path) << "risk:\n  enabled: false\nprivacy:\n  job_seconds: 1\n";
  return path;
}

class PrivacyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.Start());
    client_ = std::make_unique<api::HttpClient>("127.0.0.1", server_.port());
  }

  // Posts a simulated order; returns its id and the customer's email, name and street as the API
  // shows them.
  struct Posted {
    int64_t id = 0;
    std::string email, first_name, street;
  };
  Posted PostOrder(uint64_t seed, const std::string& webhook_id) {
    app::OrderSimulator sim(seed, kShop);
    const std::string body = sim.NextOrderCreate().body;
    auto r = client_->Send("POST", "/webhooks/shopify", body,
                           ShopifyHeaders(body, "orders/create", webhook_id));
    EXPECT_TRUE(r.ok() && r->status == 200) << (r.ok() ? r->body : r.status().ToString());
    Posted p;
    if (!r.ok()) return p;
    p.id = JsonView(r->body).Int("/order_id");
    auto got = client_->Send("GET", "/v1/orders/" + std::to_string(p.id), "", ApiHeaders());
    EXPECT_TRUE(got.ok());
    JsonView o(got->body);
    p.email = o.Str("/order/email");
    p.first_name = o.Str("/order/customer/first_name");
    p.street = o.Str("/order/shipping_address/address1");
    return p;
  }

  std::string OrderJson(int64_t id) {
    auto got = client_->Send("GET", "/v1/orders/" + std::to_string(id), "", ApiHeaders());
    EXPECT_TRUE(got.ok());
    return got.ok() ? got->body : "";
  }

  std::string Cli(const std::string& args, bool with_shop = true) {
    auto [code, out] = RunCli(args + " --data " + dir_.path() + "/data --master-key " + kMasterKey +
                              (with_shop ? std::string(" --shop ") + kShop : ""));
    EXPECT_EQ(code, 0) << args << "\n" << out;
    return out;
  }

  TempDir dir_;
  ServerProcess server_{dir_.path() + "/data", {"--config", PrivacyConfig(dir_.path())}};
  std::unique_ptr<api::HttpClient> client_;
};

TEST_F(PrivacyTest, PersonalDataIsSealedExportedAndErased) {
  const Posted a = PostOrder(21, "wh-privacy-1");
  const Posted b = PostOrder(22, "wh-privacy-2");
  ASSERT_NE(a.email.find('@'), std::string::npos) << a.email;
  ASSERT_FALSE(a.street.empty());
  ASSERT_NE(a.email, b.email);

  // Export through the CLI, beside the running server.
  const std::string file = dir_.path() + "/export.json";
  Cli("customer export --email " + a.email + " --out " + file + " --request-id T-42");
  const std::string doc = ReadFile(file);
  EXPECT_NE(doc.find(a.street), std::string::npos) << doc.substr(0, 400);
  EXPECT_NE(doc.find("\"request_id\":\"T-42\""), std::string::npos);
  EXPECT_EQ(doc.find(b.email), std::string::npos);

  // Erase b by Shopify's webhook; the server acts on it within its job interval.
  const std::string redact = R"({"shop_id":1,"shop_domain":")" + std::string(kShop) +
                             R"(","customer":{"id":null,"email":")" + b.email +
                             R"(","phone":null},"orders_to_redact":[]})";
  auto r = client_->Send("POST", "/webhooks/shopify", redact,
                         ShopifyHeaders(redact, "customers/redact", "wh-redact-1"));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;
  std::string after;
  for (int tries = 0; tries < 100; ++tries) {
    after = OrderJson(b.id);
    if (after.find(b.street) == std::string::npos) break;
    usleep(100000);
  }
  EXPECT_EQ(after.find(b.street), std::string::npos) << after;
  EXPECT_NE(after.find("[erased]"), std::string::npos) << after;
  EXPECT_NE(after.find("\"sku\""), std::string::npos) << after;  // the books stay
  EXPECT_NE(OrderJson(a.id).find(a.street), std::string::npos);  // a is untouched
  const std::string requests = Cli("privacy requests", false);
  EXPECT_NE(requests.find("customers/redact"), std::string::npos) << requests;
  EXPECT_NE(requests.find("done"), std::string::npos) << requests;

  // Stop: nothing personal is on disk in clear, and the audit chain holds.
  EXPECT_EQ(server_.Stop(), 0);
  const std::string disk = AllBytes(dir_.path() + "/data");
  for (const std::string& personal : {a.email, a.street, b.email, b.street}) {
    EXPECT_EQ(disk.find(personal), std::string::npos) << personal << " is on disk in clear";
  }
  // Erase a by the CLI, then the export shows nothing personal.
  const std::string erased = Cli("customer erase --email " + a.email + " --request-id T-43");
  EXPECT_NE(erased.find("erased 1 customer"), std::string::npos) << erased;
  Cli("customer export --email " + a.email + " --out " + file);
  EXPECT_EQ(ReadFile(file).find(a.street), std::string::npos);
  auto [code, verify] = RunCli("audit verify --data " + dir_.path() + "/data");
  EXPECT_EQ(code, 0) << verify;
}

// The admin API does what the CLI does: the requests with their deadlines, a person's export,
// an erasure; both audited with the key's name. Bad bodies get 422 naming the field.
TEST_F(PrivacyTest, AdminApiListsRequestsExportsAndErases) {
  const Posted a = PostOrder(31, "wh-privacy-api-1");
  ASSERT_NE(a.email.find('@'), std::string::npos) << a.email;
  const std::string data_request = R"({"shop_id":1,"shop_domain":")" + std::string(kShop) +
                                   R"(","customer":{"id":null,"email":")" + a.email +
                                   R"(","phone":null},"orders_requested":[],)"
                                   R"("data_request":{"id":77}})";
  auto hook = client_->Send("POST", "/webhooks/shopify", data_request,
                            ShopifyHeaders(data_request, "customers/data_request", "wh-dr-1"));
  ASSERT_TRUE(hook.ok());
  ASSERT_EQ(hook->status, 200) << hook->body;

  auto list = client_->Send("GET", "/v1/privacy/requests", "", ApiHeaders());
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->status, 200) << list->body;
  JsonView requests(list->body);
  EXPECT_EQ(requests.Str("/requests/0/topic"), "customers/data_request") << list->body;
  EXPECT_FALSE(requests.Str("/requests/0/due_at").empty()) << list->body;
  EXPECT_EQ(list->body.find(a.email), std::string::npos) << "a request list names no customer";

  const std::string ask = R"({"email":")" + a.email + R"(","request_id":"T-API"})";
  auto exported = client_->Send("POST", "/v1/customers/export", ask, ApiHeaders());
  ASSERT_TRUE(exported.ok());
  ASSERT_EQ(exported->status, 200) << exported->body;
  EXPECT_NE(exported->body.find(a.street), std::string::npos) << exported->body.substr(0, 300);
  EXPECT_EQ(exported->Header("cache-control"), "no-store");

  auto unknown = client_->Send("POST", "/v1/customers/export", R"({"email":"nobody@example.org"})",
                               ApiHeaders());
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->status, 404) << unknown->body;
  auto unnamed =
      client_->Send("POST", "/v1/customers/erase", R"({"request_id":"x"})", ApiHeaders());
  ASSERT_TRUE(unnamed.ok());
  EXPECT_EQ(unnamed->status, 422) << unnamed->body;
  EXPECT_EQ(JsonView(unnamed->body).Str("/error/field"), "email") << unnamed->body;

  auto erased = client_->Send("POST", "/v1/customers/erase", ask, ApiHeaders());
  ASSERT_TRUE(erased.ok());
  ASSERT_EQ(erased->status, 200) << erased->body;
  EXPECT_GE(JsonView(erased->body).Int("/keys_shredded"), 1) << erased->body;
  EXPECT_EQ(OrderJson(a.id).find(a.street), std::string::npos);
  EXPECT_EQ(server_.Stop(), 0);
  auto [code, verify] = RunCli("audit verify --data " + dir_.path() + "/data");
  EXPECT_EQ(code, 0) << verify;
  const std::string disk = AllBytes(dir_.path() + "/data");
  EXPECT_NE(disk.find("privacy.data_exported"), std::string::npos);
}

TEST(PrivacyCliTest, ServeRefusesToStartWithoutAMasterKey) {
  TempDir dir;
  auto [code, out] = RunCli("serve --listen 127.0.0.1:0 --data " + dir.path() + "/data");
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(out.find("no master key"), std::string::npos) << out;
  EXPECT_EQ(out.find('\n'), out.size() - 1) << "one line: " << out;
}

TEST(PrivacyCliTest, ServeRefusesAMalformedMasterKeyWithoutEchoingIt) {
  TempDir dir;
  auto [code, out] = RunCli("serve --listen 127.0.0.1:0 --data " + dir.path() +
                            "/data --master-key not-a-key-secret-value");
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(out.find("master key"), std::string::npos) << out;
  EXPECT_EQ(out.find("not-a-key-secret-value"), std::string::npos) << out;
}

TEST(PrivacyCliTest, KeysNewMasterPrintsAUsableKey) {
  auto [code, out] = RunCli("keys new-master");
  EXPECT_EQ(code, 0);
  ASSERT_EQ(out.size(), 65u) << out;
  EXPECT_EQ(out.find_first_not_of("0123456789abcdef"), 64u);
}

}  // namespace
}  // namespace orderpilot::testing
