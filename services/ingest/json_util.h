// Helpers over simdjson's DOM API for the normalisers.
//
// simdjson was chosen for parsing source payloads because it parses several
// hundred MB/s per core, which is what lets xAPI statements be parsed,
// normalised and tagged at well over 100,000 statements/s on one core.
// These helpers turn its error codes into absl::Status values that name the
// JSON path, e.g. "actor.account.name: must be a string".
//
// A JsonParser is not thread-safe; use one per thread (ThreadLocalParser()).
#ifndef POLKU_INGEST_JSON_UTIL_H_
#define POLKU_INGEST_JSON_UTIL_H_

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace polku::ingest {

using JsonElement = simdjson::dom::element;
using JsonObject = simdjson::dom::object;
using JsonArray = simdjson::dom::array;

// Largest payload a normaliser accepts (one SourceEvent).
inline constexpr size_t kMaxPayloadBytes = 4 * 1024 * 1024;

// Parses `text` with the calling thread's parser. The returned element is
// valid until the next Parse on the same thread. Errors: kInvalidArgument
// "payload: <reason>" for malformed JSON, invalid UTF-8 or an oversized text.
absl::StatusOr<JsonElement> ParseJson(std::string_view text);

// Member access that tolerates absence and JSON null: nullopt when the key is
// missing, null, or (for typed getters) of another type.
std::optional<JsonElement> Member(JsonElement e, std::string_view key);
std::optional<JsonElement> Path(JsonElement e,
                                std::initializer_list<std::string_view> keys);
std::optional<std::string_view> GetString(JsonElement e, std::string_view key);
std::optional<std::string_view> GetStringPath(
    JsonElement e, std::initializer_list<std::string_view> keys);
std::optional<int64_t> GetInt(JsonElement e, std::string_view key);
std::optional<double> GetDouble(JsonElement e, std::string_view key);
std::optional<bool> GetBool(JsonElement e, std::string_view key);

// A scalar as text: strings as they are, integers in decimal, true/false.
// nullopt for null, objects and arrays. Useful for ids sent as 42 or "42".
std::optional<std::string> ScalarText(JsonElement e);
std::optional<std::string> GetScalarText(JsonElement e, std::string_view key);

// Parses an ISO 8601 duration ("PT1H2M3.5S", "P1DT2H") to milliseconds.
std::optional<int64_t> ParseIsoDuration(std::string_view text);

}  // namespace polku::ingest

#endif  // POLKU_INGEST_JSON_UTIL_H_
