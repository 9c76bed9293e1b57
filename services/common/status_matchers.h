// GoogleTest helpers for absl::Status, for tests only.
//
// Abseil 20220623 has no public StatusIs matcher; this is a small one.
//   EXPECT_THAT(result.status(), StatusIs(absl::StatusCode::kInvalidArgument));
//   EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument,
//   HasSubstr("learner"))); POLKU_ASSERT_OK(s); POLKU_ASSERT_OK_AND_ASSIGN(auto
//   v, Make());
#ifndef POLKU_COMMON_STATUS_MATCHERS_H_
#define POLKU_COMMON_STATUS_MATCHERS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/status_macros.h"
#include "gmock/gmock.h"

namespace polku::testing {

inline const absl::Status& GetStatus(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& s) {
  return s.status();
}

MATCHER_P(StatusIs, code,
          std::string("has status code ") +
              absl::StatusCodeToString(static_cast<absl::StatusCode>(code))) {
  const absl::Status& s = ::polku::testing::GetStatus(arg);
  *result_listener << "status is " << s;
  return s.code() == code;
}

MATCHER_P2(StatusIs, code, message_matcher,
           std::string("has status code ") +
               absl::StatusCodeToString(static_cast<absl::StatusCode>(code))) {
  const absl::Status& s = ::polku::testing::GetStatus(arg);
  *result_listener << "status is " << s;
  return s.code() == code &&
         ::testing::ExplainMatchResult(
             message_matcher, std::string(s.message()), result_listener);
}

}  // namespace polku::testing

#define POLKU_ASSERT_OK(expr)                         \
  ASSERT_TRUE(::polku::testing::GetStatus(expr).ok()) \
      << ::polku::testing::GetStatus(expr)
#define POLKU_EXPECT_OK(expr)                         \
  EXPECT_TRUE(::polku::testing::GetStatus(expr).ok()) \
      << ::polku::testing::GetStatus(expr)
#define POLKU_ASSERT_OK_AND_ASSIGN(lhs, expr) \
  POLKU_ASSERT_OK_AND_ASSIGN_IMPL_(           \
      POLKU_STATUS_CONCAT_(polku_statusor_test_, __LINE__), lhs, expr)
#define POLKU_ASSERT_OK_AND_ASSIGN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                                     \
  ASSERT_TRUE(statusor.ok()) << statusor.status();            \
  lhs = std::move(statusor).value()

#endif  // POLKU_COMMON_STATUS_MATCHERS_H_
