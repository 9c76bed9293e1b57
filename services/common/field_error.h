// Errors that name the field of a request they are about.
//
// InvalidFieldError returns kInvalidArgument whose message reads
// "<field>: <description>" and whose payload carries the field path, so the
// api layer can turn it into a google.rpc.BadRequest field violation (gRPC)
// or a JSON error with "field" (HTTP) without parsing messages.
#ifndef POLKU_COMMON_FIELD_ERROR_H_
#define POLKU_COMMON_FIELD_ERROR_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "common/str_cat.h"

namespace polku::common {

inline constexpr char kFieldPayloadUrl[] =
    "type.polku.dev/polku.FieldViolation";

inline absl::Status FieldError(absl::StatusCode code, std::string_view field,
                               std::string_view description) {
  absl::Status s(code, common::StrCat(field, ": ", description));
  s.SetPayload(kFieldPayloadUrl, absl::Cord(std::string(field)));
  return s;
}

inline absl::Status InvalidFieldError(std::string_view field,
                                      std::string_view description) {
  return FieldError(absl::StatusCode::kInvalidArgument, field, description);
}

// The field path attached by FieldError, if any.
inline std::optional<std::string> ErrorField(const absl::Status& s) {
  auto p = s.GetPayload(kFieldPayloadUrl);
  if (!p.has_value()) return std::nullopt;
  return std::string(*p);
}

// Prefixes the field path of `s` (if any) with `prefix`, e.g. "events[3].".
inline absl::Status PrefixField(const absl::Status& s,
                                std::string_view prefix) {
  auto field = ErrorField(s);
  if (!field.has_value()) return s;
  std::string_view msg(s.message().data(), s.message().size());
  std::string_view rest = msg.substr(std::min(msg.size(), field->size() + 2));
  return FieldError(s.code(), common::StrCat(prefix, *field), rest);
}

}  // namespace polku::common

#endif  // POLKU_COMMON_FIELD_ERROR_H_
