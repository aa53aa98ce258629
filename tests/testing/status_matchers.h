// testing/status_matchers.h: gMock matchers for Status and Result<T>.
//   EXPECT_THAT(s, StatusIs(StatusCode::kInvalidArgument, HasSubstr("unclosed")));
//   EXPECT_THAT(r, IsOkAndHolds(42));
//   ASSERT_OK(s); ASSERT_OK_AND_ASSIGN(auto v, MakeV());
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/result.h"
#include "base/status.h"

namespace detente::testing {

inline const base::Status& GetStatus(const base::Status& s) { return s; }
template <typename T>
const base::Status& GetStatus(const base::Result<T>& r) { return r.status(); }

MATCHER_P2(StatusIs, code, message_matcher,
           std::string("has code ") + std::string(base::StatusCodeName(code))) {
  const base::Status& s = ::detente::testing::GetStatus(arg);
  *result_listener << "status is " << s.ToString();
  return s.code() == code &&
         ::testing::ExplainMatchResult(message_matcher, s.message(), result_listener);
}

MATCHER_P(StatusIsCode, code, std::string("has code ") + std::string(base::StatusCodeName(code))) {
  const base::Status& s = ::detente::testing::GetStatus(arg);
  *result_listener << "status is " << s.ToString();
  return s.code() == code;
}

MATCHER(IsOk, "is OK") {
  const base::Status& s = ::detente::testing::GetStatus(arg);
  *result_listener << "status is " << s.ToString();
  return s.ok();
}

MATCHER_P(IsOkAndHolds, value_matcher, "is OK and holds a matching value") {
  if (!arg.ok()) {
    *result_listener << "status is " << arg.status().ToString();
    return false;
  }
  return ::testing::ExplainMatchResult(value_matcher, arg.value(), result_listener);
}

}  // namespace detente::testing

#define ASSERT_OK(expr) ASSERT_THAT((expr), ::detente::testing::IsOk())
#define EXPECT_OK(expr) EXPECT_THAT((expr), ::detente::testing::IsOk())
#define DETENTE_ASSERT_OK_AND_ASSIGN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                      \
  ASSERT_TRUE(tmp.ok()) << tmp.status().ToString();       \
  lhs = std::move(tmp).value()
#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  DETENTE_ASSERT_OK_AND_ASSIGN_IMPL(DETENTE_STATUS_CONCAT(detente_test_tmp_, __LINE__), lhs, expr)
