#include "ingest/json_util.h"

#include "common/field_error.h"
#include "common/str_cat.h"

namespace polku::ingest {

absl::StatusOr<JsonElement> ParseJson(std::string_view text) {
  if (text.size() > kMaxPayloadBytes) {
    return common::InvalidFieldError(
        "payload",
        common::StrCat("is larger than ", kMaxPayloadBytes, " bytes"));
  }
  thread_local simdjson::dom::parser parser;
  // simdjson reads up to SIMDJSON_PADDING bytes past the end; copy into a
  // padded buffer that lives as long as the parser's document.
  thread_local simdjson::padded_string buffer;
  buffer = simdjson::padded_string(text.data(), text.size());
  JsonElement root;
  auto error = parser.parse(buffer).get(root);
  if (error) {
    return common::InvalidFieldError(
        "payload", common::StrCat("is not valid JSON (",
                                  simdjson::error_message(error), ")"));
  }
  return root;
}

std::optional<JsonElement> Member(JsonElement e, std::string_view key) {
  JsonObject obj;
  if (e.get_object().get(obj)) return std::nullopt;
  JsonElement v;
  if (obj.at_key(key).get(v)) return std::nullopt;
  if (v.is_null()) return std::nullopt;
  return v;
}

std::optional<JsonElement> Path(JsonElement e,
                                std::initializer_list<std::string_view> keys) {
  std::optional<JsonElement> cur = e;
  for (std::string_view k : keys) {
    cur = Member(*cur, k);
    if (!cur.has_value()) return std::nullopt;
  }
  return cur;
}

std::optional<std::string_view> GetString(JsonElement e, std::string_view key) {
  auto m = Member(e, key);
  if (!m.has_value()) return std::nullopt;
  std::string_view s;
  if (m->get_string().get(s)) return std::nullopt;
  return s;
}

std::optional<std::string_view> GetStringPath(
    JsonElement e, std::initializer_list<std::string_view> keys) {
  auto m = Path(e, keys);
  if (!m.has_value()) return std::nullopt;
  std::string_view s;
  if (m->get_string().get(s)) return std::nullopt;
  return s;
}

std::optional<int64_t> GetInt(JsonElement e, std::string_view key) {
  auto m = Member(e, key);
  if (!m.has_value()) return std::nullopt;
  int64_t v;
  if (!m->get_int64().get(v)) return v;
  uint64_t u;
  if (!m->get_uint64().get(u) && u <= static_cast<uint64_t>(INT64_MAX)) {
    return static_cast<int64_t>(u);
  }
  return std::nullopt;
}

std::optional<double> GetDouble(JsonElement e, std::string_view key) {
  auto m = Member(e, key);
  if (!m.has_value()) return std::nullopt;
  double v;
  if (m->get_double().get(v)) return std::nullopt;
  return v;
}

std::optional<bool> GetBool(JsonElement e, std::string_view key) {
  auto m = Member(e, key);
  if (!m.has_value()) return std::nullopt;
  bool v;
  if (m->get_bool().get(v)) return std::nullopt;
  return v;
}

std::optional<std::string> ScalarText(JsonElement e) {
  std::string_view s;
  if (!e.get_string().get(s)) return std::string(s);
  int64_t i;
  if (!e.get_int64().get(i)) return std::to_string(i);
  uint64_t u;
  if (!e.get_uint64().get(u)) return std::to_string(u);
  bool b;
  if (!e.get_bool().get(b)) return std::string(b ? "true" : "false");
  double d;
  if (!e.get_double().get(d)) {
    std::string out = std::to_string(d);
    return out;
  }
  return std::nullopt;
}

std::optional<std::string> GetScalarText(JsonElement e, std::string_view key) {
  auto m = Member(e, key);
  if (!m.has_value()) return std::nullopt;
  return ScalarText(*m);
}

std::optional<int64_t> ParseIsoDuration(std::string_view s) {
  if (s.empty() || s[0] != 'P') return std::nullopt;
  double total_ms = 0;
  bool in_time = false;
  bool any = false;
  size_t i = 1;
  while (i < s.size()) {
    if (s[i] == 'T') {
      if (in_time) return std::nullopt;
      in_time = true;
      ++i;
      continue;
    }
    size_t start = i;
    while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
    if (i == start || i >= s.size()) return std::nullopt;
    double value = 0;
    try {
      value = std::stod(std::string(s.substr(start, i - start)));
    } catch (...) {
      return std::nullopt;
    }
    char unit = s[i++];
    double factor;
    if (!in_time && unit == 'Y')
      factor = 365.0 * 86400e3;
    else if (!in_time && unit == 'M')
      factor = 30.0 * 86400e3;
    else if (!in_time && unit == 'W')
      factor = 7.0 * 86400e3;
    else if (!in_time && unit == 'D')
      factor = 86400e3;
    else if (in_time && unit == 'H')
      factor = 3600e3;
    else if (in_time && unit == 'M')
      factor = 60e3;
    else if (in_time && unit == 'S')
      factor = 1e3;
    else
      return std::nullopt;
    total_ms += value * factor;
    any = true;
  }
  if (!any || total_ms > 9e15) return std::nullopt;
  return static_cast<int64_t>(total_ms);
}

}  // namespace polku::ingest
