#include "core/json_dom.h"

#include <gtest/gtest.h>

namespace orderpilot::json_dom {
namespace {

TEST(ParseObjectTest, RefusesAKeyThatAppearsTwiceAndNamesIt) {
  auto top = ParseObject(R"({"currency": "USD", "total": 1, "currency": "JPY"})");
  ASSERT_FALSE(top.ok());
  EXPECT_EQ(top.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(top.status().message(), "invalid JSON: key 'currency' appears twice");
  EXPECT_EQ(top.status().field(), "currency");

  auto nested = ParseObject(R"({"line_items": [{"sku": "A"}, {"sku": "B", "qty": 1, "qty": 0}]})");
  ASSERT_FALSE(nested.ok());
  EXPECT_EQ(nested.status().field(), "line_items[1].qty");
}

TEST(ParseObjectTest, TheSameKeyInDifferentObjectsIsFine) {
  auto ok = ParseObject(R"({"id": 1, "customer": {"id": 2}, "lines": [{"id": 3}, {"id": 4}]})");
  EXPECT_TRUE(ok.ok()) << ok.status().ToString();
}

}  // namespace
}  // namespace orderpilot::json_dom
