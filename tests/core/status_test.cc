#include "core/status.h"

#include <gtest/gtest.h>

namespace orderpilot {
namespace {

Result<int> Half(int x) {
  if (x % 2) return InvalidArgumentError("odd", "x");
  return x / 2;
}

Result<int> Quarter(int x) {
  OP_ASSIGN_OR_RETURN(int h, Half(x));
  OP_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

TEST(StatusTest, AssignOrReturnPropagatesTheFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().field(), "x");
}

TEST(StatusTest, ToStringNamesCodeMessageAndField) {
  EXPECT_EQ(UnprocessableError("quantity must be positive", "line_items[0].quantity").ToString(),
            "unprocessable: quantity must be positive (field line_items[0].quantity)");
  EXPECT_EQ(Status::Ok().ToString(), "ok");
}

}  // namespace
}  // namespace orderpilot
