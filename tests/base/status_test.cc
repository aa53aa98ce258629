// Tests for base/status.h and base/result.h.
#include "base/base.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace detente::base {
namespace {

using ::detente::testing::IsOkAndHolds;
using ::detente::testing::StatusIs;
using ::testing::HasSubstr;

Result<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgumentError("odd: " + std::to_string(x));
  return x / 2;
}

Result<int> Quarter(int x) {
  ASSIGN_OR_RETURN(int h, Half(x));
  ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Status CheckEven(int x) {
  RETURN_IF_ERROR(Half(x).status());
  return OkStatus();
}

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, ToStringNamesCanonicalCode) {
  EXPECT_EQ(DataLossError("fork at 7").ToString(), "DATA_LOSS: fork at 7");
}

TEST(StatusTest, WithContextPrefixesMessageAndKeepsCode) {
  EXPECT_THAT(NotFoundError("x").WithContext("ledger"), StatusIs(StatusCode::kNotFound, "ledger: x"));
  EXPECT_TRUE(OkStatus().WithContext("ledger").ok());
}

TEST(ResultTest, AssignOrReturnPropagatesFirstError) {
  EXPECT_THAT(Quarter(8), IsOkAndHolds(2));
  EXPECT_THAT(Quarter(6), StatusIs(StatusCode::kInvalidArgument, HasSubstr("odd: 3")));
}

TEST(ResultTest, ReturnIfErrorPropagates) {
  EXPECT_THAT(CheckEven(3), StatusIs(StatusCode::kInvalidArgument, HasSubstr("odd")));
  EXPECT_TRUE(CheckEven(4).ok());
}

TEST(ResultTest, ValueOrFallsBack) {
  EXPECT_EQ(Half(3).value_or(-1), -1);
  EXPECT_EQ(Half(4).value_or(-1), 2);
}

TEST(ResultDeathTest, ValueOnErrorAborts) {
  EXPECT_DEATH({ (void)Half(3).value(); }, "Result::value\\(\\) on error");
}

}  // namespace
}  // namespace detente::base
