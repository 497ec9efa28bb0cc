#include "app/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "app/risk_cli.h"
#include "app/simulator.h"
#include "ingest/shopify_order.h"
#include "risk/signals.h"

namespace orderpilot::app {
namespace {

const FakeEnvironment kEnv({{"SHOPIFY_SECRET", "shpss_0123456789abcdef"},
                            {"ORDERPILOT_API_KEY", "op_live_abcdefghijklmnop"},
                            {"ORDERPILOT_MASTER_KEY", std::string(64, 'a')},
                            {"OLD_MASTER_KEY", std::string(64, 'b')},
                            {"OPENAI_API_KEY", "sk-test-0123456789"},
                            {"EMPTY_VAR", ""}});

// Parses `yaml` as "cfg.yaml" and returns the error message (empty when it parsed).
std::string ErrorOf(const std::string& yaml, const Environment& env = kEnv) {
  auto c = ParseConfig(yaml, "cfg.yaml", env);
  if (c.ok()) return "";
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  return c.status().message();
}

// A file removed when the test ends.
class TempFile {
 public:
  explicit TempFile(const std::string& contents) {
    path_ = (std::filesystem::temp_directory_path() /
             ("orderpilot-config-test-" + std::to_string(::getpid()) + "-" +
              std::to_string(counter_++)))
                .string();
    std::ofstream(path_) << contents;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  const std::string& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::string path_;
};

constexpr char kGoodConfig[] = R"(listen: 0.0.0.0:9090
data_dir: /srv/orderpilot
log_level: debug
shops:
  - domain: demo-shop.myshopify.com
    webhook_secret: env:SHOPIFY_SECRET
  - domain: second-shop.myshopify.com
    webhook_secret: literal-secret
api_keys:
  - name: ops
    key: env:ORDERPILOT_API_KEY
limits:
  max_body_bytes: 2097152
  max_connections: 256
  read_timeout_seconds: 10
pipeline:
  workers: 4
)";

TEST(ParseConfigTest, ParsesEveryKeyOfAGoodFile) {
  auto c = ParseConfig(kGoodConfig, "cfg.yaml", kEnv);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->listen, "0.0.0.0:9090");
  EXPECT_EQ(c->data_dir, "/srv/orderpilot");
  EXPECT_EQ(c->log_level, "debug");
  ASSERT_EQ(c->shops.size(), 2u);
  EXPECT_EQ(c->shops[0].domain, "demo-shop.myshopify.com");
  EXPECT_EQ(c->shops[0].webhook_secret, "shpss_0123456789abcdef");
  EXPECT_EQ(c->shops[1].webhook_secret, "literal-secret");
  ASSERT_EQ(c->api_keys.size(), 1u);
  EXPECT_EQ(c->api_keys[0].name, "ops");
  EXPECT_EQ(c->api_keys[0].key, "op_live_abcdefghijklmnop");
  EXPECT_EQ(c->limits.max_body_bytes, 2097152u);
  EXPECT_EQ(c->limits.max_connections, 256);
  EXPECT_EQ(c->limits.read_timeout_seconds, 10);
  EXPECT_EQ(c->pipeline.workers, 4);
}

TEST(ParseConfigTest, EmptyFileKeepsTheDefaults) {
  auto c = ParseConfig("# nothing here\n", "cfg.yaml", kEnv);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  Config defaults;
  EXPECT_EQ(c->listen, defaults.listen);
  EXPECT_EQ(c->data_dir, defaults.data_dir);
  EXPECT_EQ(c->log_level, "info");
  EXPECT_EQ(c->limits.max_body_bytes, size_t{1} << 20);
  EXPECT_EQ(c->pipeline.workers, 2);
  EXPECT_TRUE(c->shops.empty());
}

TEST(ParseConfigTest, EmptySectionsMeanNoneOrDefaults) {
  auto c = ParseConfig("shops:\napi_keys:\nlimits:\npipeline:\n", "cfg.yaml", kEnv);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->shops.empty());
  EXPECT_TRUE(c->api_keys.empty());
  EXPECT_EQ(c->pipeline.workers, 2);
}

TEST(ParseConfigTest, EmptyScalarValueIsRefused) {
  EXPECT_EQ(ErrorOf("data_dir: ./var\nlisten:\n"), "cfg.yaml:2:1: 'listen' must be a string");
}

TEST(ParseConfigTest, ReadsThePrivacySection) {
  auto c = ParseConfig(R"(privacy:
  master_key: env:ORDERPILOT_MASTER_KEY
  previous_master_keys: [env:OLD_MASTER_KEY]
  key_file: /srv/keys/keys.db
  job_seconds: 30
  retention:
    erase_inactive_customers_after_days: 730
    drop_raw_webhook_bodies_after_days: 90
)",
                       "cfg.yaml", kEnv);
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_EQ(c->privacy.master_keys.size(), 2u);
  EXPECT_EQ(c->privacy.master_keys[0], std::string(64, 'a'));
  EXPECT_EQ(c->privacy.master_keys[1], std::string(64, 'b'));
  EXPECT_EQ(c->privacy.key_file, "/srv/keys/keys.db");
  EXPECT_EQ(c->privacy.job_seconds, 30);
  EXPECT_EQ(c->privacy.erase_inactive_customers_after_days, 730);
  EXPECT_EQ(c->privacy.drop_raw_webhook_bodies_after_days, 90);
}

TEST(ParseConfigTest, PrivacyErrorsNameTheKey) {
  EXPECT_EQ(ErrorOf("privacy:\n  previous_master_keys: [env:OLD_MASTER_KEY]\n"),
            "cfg.yaml:2:25: 'previous_master_keys' needs a 'master_key' to rotate to");
  EXPECT_NE(ErrorOf("privacy:\n  retention:\n    erase_after_days: 3\n").find("unknown key"),
            std::string::npos);
  EXPECT_NE(ErrorOf("privacy:\n  job_seconds: 0\n").find("privacy.job_seconds"), std::string::npos);
  EXPECT_NE(ErrorOf("privacy:\n  master_key: env:NOT_SET_ANYWHERE\n").find("privacy.master_key"),
            std::string::npos);
}

TEST(ParseConfigTest, TheAiSectionIsOffByDefault) {
  auto c = ParseConfig("listen: 127.0.0.1:9000\n", "cfg.yaml", kEnv);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_FALSE(c->ai.enabled);
  EXPECT_TRUE(c->ai.base_url.empty());
  EXPECT_EQ(c->ai.timeout.count(), 30000);
}

TEST(ParseConfigTest, ReadsTheAiSection) {
  auto c = ParseConfig(R"(ai:
  enabled: true
  base_url: https://api.openai.com/v1
  api_key: env:OPENAI_API_KEY
  model: gpt-4o-mini
  timeout_ms: 12000
  ca_file: /etc/ssl/private-ca.pem
  allow_plain_http: false
)",
                       "cfg.yaml", kEnv);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_TRUE(c->ai.enabled);
  EXPECT_EQ(c->ai.base_url, "https://api.openai.com/v1");
  EXPECT_EQ(c->ai.api_key, "sk-test-0123456789");
  EXPECT_EQ(c->ai.model, "gpt-4o-mini");
  EXPECT_EQ(c->ai.timeout.count(), 12000);
  EXPECT_EQ(c->ai.ca_file, "/etc/ssl/private-ca.pem");
  EXPECT_FALSE(c->ai.allow_plain_http);
}

TEST(ParseConfigTest, TheAiKeyComesFromAFile) {
  TempFile key("sk-from-file\n");
  auto c = ParseConfig(
      "ai:\n  enabled: true\n  base_url: http://127.0.0.1:8000/v1\n  model: m\n"
      "  api_key: file:" +
          key.path() + "\n",
      "cfg.yaml", kEnv);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->ai.api_key, "sk-from-file");
}

TEST(ParseConfigTest, AiErrorsNameTheKey) {
  EXPECT_NE(ErrorOf("ai:\n  enabled: true\n  base_url: https://x.example/v1\n")
                .find("ai.model is required"),
            std::string::npos);
  EXPECT_NE(ErrorOf("ai:\n  enabled: true\n  model: m\n").find("ai.base_url is required"),
            std::string::npos);
  EXPECT_NE(ErrorOf("ai:\n  enabled: true\n  base_url: http://models.example/v1\n  model: m\n")
                .find("plain http:// is only allowed to a loopback host"),
            std::string::npos);
  EXPECT_NE(ErrorOf("ai:\n  enabled: true\n  base_url: https://x.example/v1\n  model: m\n"
                    "  api_key: env:NOT_SET_ANYWHERE\n")
                .find("ai.api_key"),
            std::string::npos);
  EXPECT_NE(ErrorOf("ai:\n  timeout_ms: 0\n").find("ai.timeout_ms"), std::string::npos);
  EXPECT_NE(ErrorOf("ai:\n  enable: true\n").find("did you mean 'enabled'"), std::string::npos);
  EXPECT_NE(ErrorOf("ai:\n  enabled: yes\n").find("'ai.enabled' must be true or false"),
            std::string::npos);
}

TEST(ParseConfigTest, ADisabledAiSectionDoesNotResolveItsKey) {
  auto c =
      ParseConfig("ai:\n  enabled: false\n  api_key: env:NOT_SET_ANYWHERE\n", "cfg.yaml", kEnv);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_TRUE(c->ai.api_key.empty());
}

TEST(ParseConfigTest, TheShippedExampleLoads) {
  auto c = LoadConfigFile(std::string(OP_TEST_DATA_DIR) + "/../../examples/orderpilot.yaml", kEnv);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->shops.size(), 1u);
  EXPECT_EQ(c->shops[0].domain, "demo-shop.myshopify.com");
  EXPECT_EQ(c->shops[0].webhook_secret, "shpss_0123456789abcdef");
  ASSERT_EQ(c->api_keys.size(), 1u);
  EXPECT_EQ(c->api_keys[0].key, "op_live_abcdefghijklmnop");
}

// The demo shop's configuration recognises every reshipper order the simulator makes as going
// to a freight forwarder: the configured Doral warehouse, and the others by their words.
TEST(ParseConfigTest, TheShippedExampleKnowsTheSimulatorsForwarders) {
  auto c = LoadConfigFile(std::string(OP_TEST_DATA_DIR) + "/../../examples/orderpilot.yaml", kEnv);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const risk::SignalConfig signals = SignalConfigFor(c->risk, nullptr);
  ASSERT_EQ(signals.forwarders.size(), 1u);
  OrderSimulator sim(5, "demo-shop.myshopify.com", /*fraud_rate=*/1.0);
  std::set<std::string> warehouses;
  int reshippers = 0;
  for (int i = 0; i < 20000 && reshippers < 60; ++i) {
    SimulatedWebhook w = sim.NextOrderCreate();
    if (w.fraud_pattern != "reshipper") continue;
    auto order = ingest::NormaliseShopifyOrder(w.body, "demo-shop.myshopify.com");
    ASSERT_TRUE(order.ok()) << order.status().ToString();
    ASSERT_TRUE(order->shipping_address.has_value());
    const Address& a = *order->shipping_address;
    EXPECT_TRUE(risk::IsForwarderAddress(a, signals.forwarders)) << a.address1 << ", " << a.zip;
    warehouses.insert(a.zip);
    ++reshippers;
  }
  EXPECT_EQ(reshippers, 60);
  EXPECT_EQ(warehouses.size(), SimulatedForwarders().size());  // every warehouse was seen
}

TEST(ParseConfigTest, YamlSyntaxErrorGivesFileLineAndColumn) {
  EXPECT_EQ(ErrorOf("listen: 127.0.0.1:8080\nshops: [a, b\n"),
            "cfg.yaml:3:1: end of sequence flow not found");
}

TEST(ParseConfigTest, TopLevelMustBeAMapping) {
  EXPECT_EQ(ErrorOf("- listen\n"),
            "cfg.yaml:1:1: the configuration must be a mapping of keys (listen:, shops:, …)");
}

TEST(ParseConfigTest, UnknownTopLevelKeySuggestsTheClosestKey) {
  EXPECT_EQ(ErrorOf("data_dir: ./var\nlisen: 127.0.0.1:8080\n"),
            "cfg.yaml:2:1: unknown key 'lisen' (did you mean 'listen'?)");
}

TEST(ParseConfigTest, UnknownKeyFarFromAnyKnownKeyHasNoSuggestion) {
  EXPECT_EQ(ErrorOf("database: postgres\n"), "cfg.yaml:1:1: unknown key 'database'");
}

TEST(ParseConfigTest, UnknownNestedKeyNamesItsSection) {
  EXPECT_EQ(ErrorOf("pipeline:\n  wokers: 2\n"),
            "cfg.yaml:2:3: unknown key 'wokers' in 'pipeline' (did you mean 'workers'?)");
}

TEST(ParseConfigTest, DuplicateKeyIsRefused) {
  EXPECT_EQ(ErrorOf("listen: a:1\ndata_dir: x\nlisten: b:2\n"),
            "cfg.yaml:3:1: duplicate key 'listen' (first at line 1)");
}

TEST(ParseConfigTest, EmptyNestedValuePointsAtItsKey) {
  EXPECT_EQ(ErrorOf("pipeline:\n  workers:\ndata_dir: x\n"),
            "cfg.yaml:2:3: 'pipeline.workers' must be an integer");
}

TEST(ParseConfigTest, ErrorNamesTheField) {
  auto c = ParseConfig("limits:\n  max_connections: many\n", "cfg.yaml", kEnv);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().field(), "limits.max_connections");
}

TEST(ParseConfigTest, WorkersThatIsNotAnIntegerIsRefused) {
  EXPECT_EQ(ErrorOf("pipeline:\n  workers: two\n"),
            "cfg.yaml:2:12: 'pipeline.workers' must be an integer, got 'two'");
}

TEST(ParseConfigTest, FractionalWorkersIsRefused) {
  EXPECT_EQ(ErrorOf("pipeline:\n  workers: 2.5\n"),
            "cfg.yaml:2:12: 'pipeline.workers' must be an integer, got '2.5'");
}

TEST(ParseConfigTest, ZeroWorkersIsRefused) {
  EXPECT_EQ(ErrorOf("pipeline:\n  workers: 0\n"),
            "cfg.yaml:2:12: 'pipeline.workers' must be between 1 and 64, got 0");
}

TEST(ParseConfigTest, MoreThan64WorkersIsRefused) {
  EXPECT_EQ(ErrorOf("pipeline:\n  workers: 65\n"),
            "cfg.yaml:2:12: 'pipeline.workers' must be between 1 and 64, got 65");
}

TEST(ParseConfigTest, SectionThatIsNotAMappingIsRefused) {
  EXPECT_EQ(ErrorOf("pipeline: 4\n"), "cfg.yaml:1:11: 'pipeline' must be a mapping of keys");
}

TEST(ParseConfigTest, ListenWithoutPortIsRefused) {
  EXPECT_EQ(ErrorOf("listen: localhost\n"),
            "cfg.yaml:1:9: listen 'localhost' is not host:port (for example 127.0.0.1:8080)");
}

TEST(ParseConfigTest, ListenWithNonNumericPortIsRefused) {
  EXPECT_EQ(ErrorOf("listen: 127.0.0.1:http\n"),
            "cfg.yaml:1:9: listen '127.0.0.1:http' has a port that is not a number");
}

TEST(ParseConfigTest, ListenWithPortAbove65535IsRefused) {
  EXPECT_EQ(ErrorOf("listen: 127.0.0.1:70000\n"),
            "cfg.yaml:1:9: listen '127.0.0.1:70000' has port 70000 outside 1..65535 (0 picks a "
            "free port)");
}

TEST(ParseConfigTest, ListenWithoutHostIsRefused) {
  EXPECT_EQ(ErrorOf("listen: ':8080'\n"),
            "cfg.yaml:1:9: listen ':8080' has no host (for example 127.0.0.1:8080, or "
            "0.0.0.0:8080 for all)");
}

TEST(ParseConfigTest, ListenThatIsAListIsRefused) {
  EXPECT_EQ(ErrorOf("listen: [a, b]\n"), "cfg.yaml:1:9: 'listen' must be a string");
}

TEST(ParseConfigTest, ListenPortZeroIsAllowed) {
  auto c = ParseConfig("listen: 127.0.0.1:0\n", "cfg.yaml", kEnv);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  auto hp = c->ListenHostPort();
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->second, 0);
}

TEST(ParseConfigTest, UnknownLogLevelIsRefused) {
  EXPECT_EQ(ErrorOf("log_level: verbose\n"),
            "cfg.yaml:1:12: log_level 'verbose' is not one of trace, debug, info, warn, error, "
            "critical, off");
}

TEST(ParseConfigTest, ShopWithoutDomainIsRefused) {
  EXPECT_EQ(ErrorOf("shops:\n  - webhook_secret: abc\n"), "cfg.yaml:2:5: shop has no 'domain'");
}

TEST(ParseConfigTest, ShopWithoutSecretIsRefused) {
  EXPECT_EQ(ErrorOf("shops:\n  - domain: a.myshopify.com\n"),
            "cfg.yaml:2:5: shop 'a.myshopify.com' has no 'webhook_secret'");
}

TEST(ParseConfigTest, ShopWithEmptySecretIsRefused) {
  EXPECT_EQ(ErrorOf("shops:\n  - domain: a.myshopify.com\n    webhook_secret: ''\n"),
            "cfg.yaml:3:21: 'shops[0].webhook_secret' is empty");
}

TEST(ParseConfigTest, DuplicateShopDomainsAreRefusedWhateverTheirCase) {
  EXPECT_EQ(ErrorOf("shops:\n"
                    "  - domain: a.myshopify.com\n"
                    "    webhook_secret: one\n"
                    "  - domain: A.myshopify.com\n"
                    "    webhook_secret: two\n"),
            "cfg.yaml:4:13: duplicate shop domain 'A.myshopify.com' (first at line 2)");
}

TEST(ParseConfigTest, ShopsThatIsNotAListIsRefused) {
  EXPECT_EQ(ErrorOf("shops:\n  domain: a.myshopify.com\n"),
            "cfg.yaml:2:3: 'shops' must be a list of shops (- domain: …)");
}

TEST(ParseConfigTest, ApiKeyShorterThan16CharactersIsRefused) {
  EXPECT_EQ(ErrorOf("api_keys:\n  - name: ops\n    key: short-key\n"),
            "cfg.yaml:3:10: api key 'ops' is shorter than 16 characters (it has 9)");
}

TEST(ParseConfigTest, ApiKeyOf16CharactersIsAccepted) {
  EXPECT_EQ(ErrorOf("api_keys:\n  - name: ops\n    key: 0123456789abcdef\n"), "");
}

TEST(ParseConfigTest, MaxBodyBytesBelowOneKibibyteIsRefused) {
  EXPECT_EQ(ErrorOf("limits:\n  max_body_bytes: 1023\n"),
            "cfg.yaml:2:19: 'limits.max_body_bytes' must be between 1024 (1 KiB) and 67108864 "
            "(64 MiB), got 1023");
}

TEST(ParseConfigTest, MaxBodyBytesAbove64MebibytesIsRefused) {
  EXPECT_EQ(ErrorOf("limits:\n  max_body_bytes: 67108865\n"),
            "cfg.yaml:2:19: 'limits.max_body_bytes' must be between 1024 (1 KiB) and 67108864 "
            "(64 MiB), got 67108865");
}

TEST(ParseConfigTest, MaxBodyBytesAtTheBoundsIsAccepted) {
  EXPECT_EQ(ErrorOf("limits:\n  max_body_bytes: 1024\n"), "");
  EXPECT_EQ(ErrorOf("limits:\n  max_body_bytes: 67108864\n"), "");
}

TEST(ParseConfigTest, MissingEnvironmentVariableIsNamedWithItsConfigLine) {
  EXPECT_EQ(ErrorOf("shops:\n  - domain: a.myshopify.com\n    webhook_secret: env:NOPE_SECRET\n"),
            "cfg.yaml:3:21: shops[0].webhook_secret: environment variable NOPE_SECRET is not set");
}

TEST(ParseConfigTest, EmptyEnvironmentVariableIsRefused) {
  EXPECT_EQ(ErrorOf("api_keys:\n  - name: ops\n    key: env:EMPTY_VAR\n"),
            "cfg.yaml:3:10: api_keys[0].key: environment variable EMPTY_VAR is empty");
}

TEST(ParseConfigTest, FileSecretIsReadAndTrimmed) {
  TempFile secret("  from-a-file-0123456789\n\n");
  auto c = ParseConfig("api_keys:\n  - name: ops\n    key: file:" + secret.path() + "\n",
                       "cfg.yaml", kEnv);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->api_keys[0].key, "from-a-file-0123456789");
}

TEST(ParseConfigTest, MissingSecretFileIsNamedWithItsConfigLine) {
  EXPECT_EQ(ErrorOf("shops:\n  - domain: a.myshopify.com\n"
                    "    webhook_secret: file:/nonexistent/secret\n"),
            "cfg.yaml:3:21: shops[0].webhook_secret: secret file not found: /nonexistent/secret");
}

TEST(ResolveSecretTest, PlainValueIsTheSecretItself) {
  auto s = ResolveSecret("plain-secret", kEnv);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, "plain-secret");
}

TEST(ResolveSecretTest, EnvReadsTheVariable) {
  auto s = ResolveSecret("env:SHOPIFY_SECRET", kEnv);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, "shpss_0123456789abcdef");
}

TEST(ResolveSecretTest, MissingVariableIsNamed) {
  auto s = ResolveSecret("env:NOT_THERE", kEnv);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(), "environment variable NOT_THERE is not set");
}

TEST(ResolveSecretTest, EnvWithoutNameIsRefused) { EXPECT_FALSE(ResolveSecret("env:", kEnv).ok()); }

TEST(ResolveSecretTest, EmptySecretFileIsRefused) {
  TempFile secret(" \n");
  auto s = ResolveSecret("file:" + secret.path(), kEnv);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(), "secret file " + secret.path() + " is empty");
}

TEST(LoadConfigFileTest, MissingFileIsNotFoundNamingThePath) {
  auto c = LoadConfigFile("/nonexistent/orderpilot.yaml", kEnv);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(c.status().message(), "config file not found: /nonexistent/orderpilot.yaml");
}

TEST(LoadConfigFileTest, ErrorsNameTheFilePath) {
  TempFile file("pipeline:\n  workers: 0\n");
  auto c = LoadConfigFile(file.path(), kEnv);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            file.path() + ":2:12: 'pipeline.workers' must be between 1 and 64, got 0");
}

TEST(ConfigTest, ListenHostPortUnwrapsBracketedIpv6) {
  Config c;
  c.listen = "[::1]:8443";
  auto hp = c.ListenHostPort();
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->first, "::1");
  EXPECT_EQ(hp->second, 8443);
}

TEST(ConfigTest, ListenHostPortRefusesBareIpv6) {
  Config c;
  c.listen = "::1:8443";
  EXPECT_FALSE(c.ListenHostPort().ok());
}

TEST(ConfigTest, FindShopIgnoresCase) {
  Config c;
  c.shops = {{"a.myshopify.com", "s1"}, {"b.myshopify.com", "s2"}};
  const ShopConfig* s = c.FindShop("B.MyShopify.com");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->webhook_secret, "s2");
  EXPECT_EQ(c.FindShop("c.myshopify.com"), nullptr);
}

TEST(ConfigTest, FindShopFallsBackToTheWildcardShop) {
  Config c;
  c.shops = {{"*", "any"}, {"b.myshopify.com", "s2"}};
  EXPECT_EQ(c.FindShop("b.myshopify.com")->webhook_secret, "s2");
  EXPECT_EQ(c.FindShop("z.myshopify.com")->webhook_secret, "any");
}

TEST(FakeEnvironmentTest, SetVariableIsVisible) {
  FakeEnvironment env;
  EXPECT_FALSE(env.Get("X").has_value());
  env.Set("X", "1");
  EXPECT_EQ(env.Get("X"), "1");
}

}  // namespace
}  // namespace orderpilot::app

namespace orderpilot::app {
namespace {

TEST(ParseConfigTest, RuleFilesResolveAgainstTheConfigDirectory) {
  auto c = ParseConfig("rules:\n  - rules/shop.yaml\n  - /etc/orderpilot/extra.yaml\n",
                       "/srv/shop/orderpilot.yaml", kEnv);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->automation.rule_files,
            (std::vector<std::string>{"/srv/shop/rules/shop.yaml", "/etc/orderpilot/extra.yaml"}));
}

TEST(ParseConfigTest, AutomationLimitsAndPolicyAreRead) {
  auto c = ParseConfig(
      "automation:\n  auto_cancel: true\n  max_condition_bytes: 4096\n  max_nesting: 40\n"
      "  max_cost: 5000\n",
      "cfg.yaml", kEnv);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->automation.auto_cancel);
  EXPECT_EQ(c->automation.max_condition_bytes, 4096);
  EXPECT_EQ(c->automation.max_nesting, 40);
  EXPECT_EQ(c->automation.max_cost, 5000);
}

TEST(ParseConfigTest, BadAutomationValuesAreRefusedWithTheirPlace) {
  EXPECT_NE(ErrorOf("automation:\n  max_cost: 5\n").find("cfg.yaml:2:13"), std::string::npos)
      << ErrorOf("automation:\n  max_cost: 5\n");
  EXPECT_NE(ErrorOf("automation:\n  auto_cancel: maybe\n").find("true or false"),
            std::string::npos);
  EXPECT_NE(ErrorOf("rules: shop.yaml\n").find("list of rule files"), std::string::npos);
}

}  // namespace
}  // namespace orderpilot::app
