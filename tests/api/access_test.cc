#include "api/access.h"

#include <gtest/gtest.h>

#include <set>

#include "api/service.h"

namespace orderpilot::api {
namespace {

TEST(RoleTest, NamesRoundTrip) {
  for (Role r : {Role::kViewer, Role::kOperator, Role::kAdmin}) {
    EXPECT_EQ(ParseRole(RoleName(r)), r);
  }
  EXPECT_EQ(ParseRole("anyone"), std::nullopt);
  EXPECT_EQ(ParseRole("Admin"), std::nullopt);
  EXPECT_EQ(ParseRole(""), std::nullopt);
}

TEST(RoleTest, HigherRolesAdmitLowerRoutes) {
  EXPECT_TRUE(RoleAllows(Role::kAdmin, Role::kOperator));
  EXPECT_TRUE(RoleAllows(Role::kOperator, Role::kOperator));
  EXPECT_TRUE(RoleAllows(Role::kViewer, Role::kViewer));
  EXPECT_FALSE(RoleAllows(Role::kViewer, Role::kOperator));
  EXPECT_FALSE(RoleAllows(Role::kOperator, Role::kAdmin));
}

TEST(ApiKeyTest, GeneratedKeyHasPrefixAndHash) {
  GeneratedApiKey k = GenerateApiKey();
  ASSERT_EQ(k.key.size(), 3u + 8 + 1 + 56);
  EXPECT_EQ(k.key.substr(0, 3), "op_");
  EXPECT_EQ(k.prefix.size(), 8u);
  ASSERT_TRUE(ApiKeyPrefix(k.key).has_value());
  EXPECT_EQ(*ApiKeyPrefix(k.key), k.prefix);
  EXPECT_EQ(k.hash, HashApiKey(k.key));
  EXPECT_EQ(k.hash.size(), 64u);
  EXPECT_EQ(k.hash.find(k.key.substr(13)), std::string::npos);
}

TEST(ApiKeyTest, GeneratedKeysDiffer) {
  std::set<std::string> keys, prefixes;
  for (int i = 0; i < 50; ++i) {
    GeneratedApiKey k = GenerateApiKey();
    keys.insert(k.key);
    prefixes.insert(k.prefix);
  }
  EXPECT_EQ(keys.size(), 50u);
  EXPECT_EQ(prefixes.size(), 50u);
}

TEST(ApiKeyTest, HashIsSha256Hex) {
  EXPECT_EQ(HashApiKey("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ApiKeyTest, PrefixOnlyForWellFormedKeys) {
  const std::string secret(56, 'a');
  EXPECT_EQ(ApiKeyPrefix("op_0123abcd_" + secret), "0123abcd");
  EXPECT_EQ(ApiKeyPrefix("integration-api-key-0123456789"), std::nullopt);
  EXPECT_EQ(ApiKeyPrefix("op_0123abcd_" + secret + "a"), std::nullopt);  // too long
  EXPECT_EQ(ApiKeyPrefix("op_0123ABCD_" + secret), std::nullopt);        // upper case
  EXPECT_EQ(ApiKeyPrefix("op_0123abcd-" + secret), std::nullopt);        // separator
  EXPECT_EQ(ApiKeyPrefix("xx_0123abcd_" + secret), std::nullopt);        // scheme
  EXPECT_EQ(ApiKeyPrefix("op_0123abcd_" + std::string(56, 'g')), std::nullopt);
}

TEST(ApiKeyTest, SameSecretComparesWholeStrings) {
  EXPECT_TRUE(SameSecret("abcdef", "abcdef"));
  EXPECT_FALSE(SameSecret("abcdef", "abcdeg"));
  EXPECT_FALSE(SameSecret("abcdef", "abcde"));
  EXPECT_TRUE(SameSecret("", ""));
}

TEST(ApiKeyTest, RandomHexHasRequestedLength) {
  EXPECT_EQ(RandomHex(32).size(), 64u);
  EXPECT_NE(RandomHex(16), RandomHex(16));
}

// The route table: the single place a /v1 route gets its role.
TEST(RouteTableTest, EveryRouteIsUnderV1AndUnique) {
  std::set<std::string> seen;
  for (const RouteSpec& r : ApiService::V1Routes()) {
    EXPECT_TRUE(r.pattern.starts_with("/v1/")) << r.pattern;
    EXPECT_TRUE(seen.insert(std::string(r.method) + " " + std::string(r.pattern)).second)
        << r.method << " " << r.pattern << " is listed twice";
  }
  EXPECT_GE(seen.size(), 25u);
}

TEST(RouteTableTest, OnlyLoginIsOpenToAnyone) {
  for (const RouteSpec& r : ApiService::V1Routes()) {
    if (r.method == "POST" && r.pattern == "/v1/session") {
      EXPECT_EQ(r.min_role, Role::kAnyone);
    } else {
      EXPECT_NE(r.min_role, Role::kAnyone) << r.method << " " << r.pattern;
    }
  }
}

TEST(RouteTableTest, ReadsAreForViewersAndWritesNeedMore) {
  for (const RouteSpec& r : ApiService::V1Routes()) {
    // Admin-only reads: the key list and the privacy requests.
    if (r.pattern == "/v1/session" || r.pattern == "/v1/keys" ||
        r.pattern == "/v1/privacy/requests") {
      continue;
    }
    if (r.method == "GET") {
      EXPECT_EQ(r.min_role, Role::kViewer) << r.pattern;
    } else {
      EXPECT_GE(static_cast<int>(r.min_role), static_cast<int>(Role::kOperator)) << r.pattern;
    }
  }
}

Role RoleOf(std::string_view method, std::string_view pattern) {
  for (const RouteSpec& r : ApiService::V1Routes())
    if (r.method == method && r.pattern == pattern) return r.min_role;
  ADD_FAILURE() << method << " " << pattern << " is not in the table";
  return Role::kAnyone;
}

TEST(RouteTableTest, DeclaredRoles) {
  EXPECT_EQ(RoleOf("POST", "/v1/rules/reload"), Role::kAdmin);
  EXPECT_EQ(RoleOf("GET", "/v1/keys"), Role::kAdmin);
  EXPECT_EQ(RoleOf("GET", "/v1/privacy/requests"), Role::kAdmin);
  EXPECT_EQ(RoleOf("POST", "/v1/customers/export"), Role::kAdmin);
  EXPECT_EQ(RoleOf("POST", "/v1/customers/erase"), Role::kAdmin);
  EXPECT_EQ(RoleOf("POST", "/v1/reviews/{id}/approve"), Role::kOperator);
  EXPECT_EQ(RoleOf("POST", "/v1/reviews/decide"), Role::kOperator);
  EXPECT_EQ(RoleOf("POST", "/v1/orders"), Role::kOperator);
  EXPECT_EQ(RoleOf("POST", "/v1/orders/{id}/shipments"), Role::kOperator);
  EXPECT_EQ(RoleOf("POST", "/v1/inventory/purchase_orders/{po}/receive"), Role::kOperator);
  EXPECT_EQ(RoleOf("GET", "/v1/orders/{id}"), Role::kViewer);
  EXPECT_EQ(RoleOf("DELETE", "/v1/session"), Role::kViewer);
}

TEST(RouteTableTest, MatchesPlaceholdersOneSegmentEach) {
  std::vector<std::string_view> params;
  EXPECT_TRUE(
      ApiService::MatchRoute("/v1/reviews/{id}/approve", "/v1/reviews/42/approve", &params));
  EXPECT_EQ(params, std::vector<std::string_view>{"42"});
  params.clear();
  EXPECT_FALSE(ApiService::MatchRoute("/v1/reviews/{id}", "/v1/reviews/42/approve", &params));
  EXPECT_TRUE(params.empty());
  EXPECT_FALSE(ApiService::MatchRoute("/v1/reviews/{id}", "/v1/reviews/", &params));
  EXPECT_FALSE(ApiService::MatchRoute("/v1/reviews", "/v1/reviews/", &params));
  EXPECT_FALSE(ApiService::MatchRoute("/v1/orders", "/v1/orders/1", &params));
  EXPECT_TRUE(ApiService::MatchRoute("/v1/orders", "/v1/orders"));
  EXPECT_TRUE(ApiService::MatchRoute("/v1/inventory/purchase_orders/{po}/receive",
                                     "/v1/inventory/purchase_orders/PO-7/receive", &params));
  EXPECT_EQ(params, std::vector<std::string_view>{"PO-7"});
}

}  // namespace
}  // namespace orderpilot::api
