// Status propagation macros for absl::Status / absl::StatusOr.
//
// Abseil 20220623 (Debian 12) ships neither RETURN_IF_ERROR nor
// ASSIGN_OR_RETURN, so Polku defines its own, prefixed POLKU_.
//
//   POLKU_RETURN_IF_ERROR(store.Append(events));
//   POLKU_ASSIGN_OR_RETURN(auto rules, RuleSet::Load(path));
#ifndef POLKU_COMMON_STATUS_MACROS_H_
#define POLKU_COMMON_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define POLKU_RETURN_IF_ERROR(expr)                \
  do {                                             \
    ::absl::Status polku_status_ = (expr);         \
    if (!polku_status_.ok()) return polku_status_; \
  } while (false)

#define POLKU_STATUS_CONCAT_INNER_(a, b) a##b
#define POLKU_STATUS_CONCAT_(a, b) POLKU_STATUS_CONCAT_INNER_(a, b)

#define POLKU_ASSIGN_OR_RETURN(lhs, expr) \
  POLKU_ASSIGN_OR_RETURN_IMPL_(           \
      POLKU_STATUS_CONCAT_(polku_statusor_, __LINE__), lhs, expr)

#define POLKU_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr)  \
  auto statusor = (expr);                                  \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()

#endif  // POLKU_COMMON_STATUS_MACROS_H_
