#include "model/event_codec.h"

#include <cstdio>

#include "common/field_error.h"
#include "common/hashing.h"
#include "common/json_writer.h"
#include "common/str_cat.h"
#include "model/rules.h"

namespace polku::model {
namespace {

using common::InvalidFieldError;
using common::JsonWriter;

absl::Status CheckLength(std::string_view field, std::string_view value,
                         size_t max) {
  if (value.size() > max) {
    return InvalidFieldError(field,
                             common::StrCat("is longer than ", max, " bytes"));
  }
  return absl::OkStatus();
}

absl::Status CheckList(std::string_view field,
                       const std::vector<std::string>& list,
                       const ValidationLimits& limits) {
  if (list.size() > limits.max_list_items) {
    return InvalidFieldError(
        field,
        common::StrCat("has more than ", limits.max_list_items, " items"));
  }
  for (size_t i = 0; i < list.size(); ++i) {
    std::string item_field = common::StrCat(field, "[", i, "]");
    if (list[i].empty())
      return InvalidFieldError(item_field, "must not be empty");
    if (auto s = CheckLength(item_field, list[i], limits.max_id_length);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

void WriteTristate(JsonWriter& w, std::string_view key, Tristate t) {
  if (t == Tristate::kUnknown) return;
  w.Key(key);
  w.Bool(t == Tristate::kYes);
}

void WriteList(JsonWriter& w, std::string_view key,
               const std::vector<std::string>& list) {
  if (list.empty()) return;
  w.Key(key);
  w.BeginArray();
  for (const auto& s : list) w.String(s);
  w.EndArray();
}

void WriteEvent(JsonWriter& w, const LearningEvent& e, bool with_id) {
  w.BeginObject();
  if (with_id) {
    w.Key("event_id");
    w.String(e.event_id);
  }
  w.Key("source");
  w.BeginObject();
  w.Key("platform");
  w.String(PlatformName(e.source.platform));
  w.Key("instance");
  w.String(e.source.instance);
  w.Key("adapter_version");
  w.String(e.source.adapter_version);
  w.Key("event_type");
  w.String(e.source.event_type);
  w.EndObject();
  w.Key("occurred_at");
  w.String(FormatTimestamp(e.occurred_at_ms));
  w.Key("learner");
  w.BeginObject();
  w.Key("key");
  w.String(e.learner.key);
  if (!e.learner.org_unit.empty()) {
    w.Key("org_unit");
    w.String(e.learner.org_unit);
  }
  if (!e.learner.role.empty()) {
    w.Key("role");
    w.String(e.learner.role);
  }
  w.EndObject();
  w.Key("initiator");
  w.String(InitiatorName(e.initiator));
  w.Key("verb");
  w.String(VerbName(e.verb));
  if (!e.verb_iri.empty()) {
    w.Key("verb_iri");
    w.String(e.verb_iri);
  }
  w.Key("object");
  w.BeginObject();
  w.Key("type");
  w.String(ObjectTypeName(e.object.type));
  w.Key("id");
  w.String(e.object.id);
  if (!e.object.name.empty()) {
    w.Key("name");
    w.String(e.object.name);
  }
  w.EndObject();
  w.Key("context");
  w.BeginObject();
  if (!e.context.course_id.empty()) {
    w.Key("course_id");
    w.String(e.context.course_id);
  }
  WriteList(w, "parents", e.context.parents);
  if (e.context.enrolment_method != EnrolmentMethod::kUnspecified) {
    w.Key("enrolment_method");
    w.String(EnrolmentMethodName(e.context.enrolment_method));
  }
  if (!e.context.enrolment_mode.empty()) {
    w.Key("enrolment_mode");
    w.String(e.context.enrolment_mode);
  }
  WriteTristate(w, "required", e.context.required);
  WriteTristate(w, "graded", e.context.graded);
  WriteTristate(w, "has_due_date", e.context.has_due_date);
  WriteTristate(w, "in_flow_of_work", e.context.in_flow_of_work);
  WriteTristate(w, "future_skill", e.context.future_skill);
  WriteList(w, "competencies", e.context.competencies);
  WriteList(w, "goal_ids", e.context.goal_ids);
  if (!e.context.org_unit.empty()) {
    w.Key("org_unit");
    w.String(e.context.org_unit);
  }
  w.EndObject();
  w.Key("result");
  w.BeginObject();
  WriteTristate(w, "completion", e.result.completion);
  WriteTristate(w, "success", e.result.success);
  if (e.result.score_scaled.has_value()) {
    w.Key("score_scaled");
    w.Double(*e.result.score_scaled);
  }
  if (e.result.duration_ms.has_value()) {
    w.Key("duration_ms");
    w.Int(*e.result.duration_ms);
  }
  w.EndObject();
  if (!e.extensions.empty()) {
    w.Key("extensions");
    w.BeginObject();
    for (const auto& [k, v] : e.extensions) {  // std::map: sorted keys
      w.Key(k);
      w.String(v);
    }
    w.EndObject();
  }
  w.EndObject();
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

}  // namespace

absl::Status ValidateEvent(const LearningEvent& e, int64_t now_ms,
                           const ValidationLimits& limits) {
  if (e.event_id.empty()) return InvalidFieldError("event_id", "is required");
  if (auto s = CheckLength("event_id", e.event_id, limits.max_id_length);
      !s.ok()) {
    return s;
  }
  if (e.source.platform == Platform::kUnspecified) {
    return InvalidFieldError("source.platform", "is required");
  }
  if (auto s = CheckLength("source.instance", e.source.instance,
                           limits.max_id_length);
      !s.ok()) {
    return s;
  }
  if (auto s = CheckLength("source.event_type", e.source.event_type,
                           limits.max_name_length);
      !s.ok()) {
    return s;
  }
  if (e.occurred_at_ms == 0)
    return InvalidFieldError("occurred_at", "is required");
  if (e.occurred_at_ms < limits.min_occurred_at_ms) {
    return InvalidFieldError("occurred_at", "is before 1990-01-01");
  }
  if (e.occurred_at_ms > now_ms + limits.max_future_ms) {
    return InvalidFieldError(
        "occurred_at",
        common::StrCat("is more than ", limits.max_future_ms / 1000,
                       " s in the future"));
  }
  if (e.learner.key.empty())
    return InvalidFieldError("learner.key", "is required");
  if (auto s = CheckLength("learner.key", e.learner.key, limits.max_id_length);
      !s.ok()) {
    return s;
  }
  if (auto s = CheckLength("learner.org_unit", e.learner.org_unit,
                           limits.max_id_length);
      !s.ok()) {
    return s;
  }
  if (e.verb == Verb::kUnspecified)
    return InvalidFieldError("verb", "is required");
  if (auto s = CheckLength("verb_iri", e.verb_iri, limits.max_name_length);
      !s.ok()) {
    return s;
  }
  if (e.object.id.empty()) return InvalidFieldError("object.id", "is required");
  if (auto s = CheckLength("object.id", e.object.id, limits.max_name_length);
      !s.ok()) {
    return s;
  }
  if (auto s =
          CheckLength("object.name", e.object.name, limits.max_name_length);
      !s.ok()) {
    return s;
  }
  if (auto s = CheckLength("context.course_id", e.context.course_id,
                           limits.max_name_length);
      !s.ok()) {
    return s;
  }
  if (auto s = CheckList("context.parents", e.context.parents, limits);
      !s.ok()) {
    return s;
  }
  if (auto s =
          CheckList("context.competencies", e.context.competencies, limits);
      !s.ok()) {
    return s;
  }
  if (auto s = CheckList("context.goal_ids", e.context.goal_ids, limits);
      !s.ok()) {
    return s;
  }
  if (e.result.score_scaled.has_value() &&
      !(*e.result.score_scaled >= -1.0 && *e.result.score_scaled <= 1.0)) {
    return InvalidFieldError("result.score_scaled", "must lie in [-1, 1]");
  }
  if (e.result.duration_ms.has_value() && *e.result.duration_ms < 0) {
    return InvalidFieldError("result.duration", "must not be negative");
  }
  if (e.extensions.size() > limits.max_extensions) {
    return InvalidFieldError(
        "extensions",
        common::StrCat("has more than ", limits.max_extensions, " entries"));
  }
  for (const auto& [k, v] : e.extensions) {
    if (k.empty() || k.size() > limits.max_id_length ||
        v.size() > limits.max_extension_value_length) {
      return InvalidFieldError(
          common::StrCat("extensions[", k.substr(0, 64), "]"),
          "key or value is too long or empty");
    }
  }
  return absl::OkStatus();
}

std::string CanonicalJson(const LearningEvent& event) {
  JsonWriter w;
  WriteEvent(w, event, /*with_id=*/true);
  return w.Take();
}

std::string ContentHash(const LearningEvent& event) {
  JsonWriter w;
  WriteEvent(w, event, /*with_id=*/false);
  return common::Sha256Hex(w.str());
}

CanonicalEncoding EncodeCanonical(const LearningEvent& event) {
  // The canonical JSON is the one without the id with "event_id" as its
  // first key: write that once, hash it, then splice the id in.
  JsonWriter rest;
  WriteEvent(rest, event, /*with_id=*/false);
  CanonicalEncoding out;
  out.content_hash = common::Sha256Hex(rest.str());
  JsonWriter w;
  w.BeginObject();
  w.Key("event_id");
  w.String(event.event_id);
  std::string json = w.Take();           // {"event_id":"..."
  const std::string& body = rest.str();  // {...}
  json.reserve(json.size() + body.size() + 1);
  if (body.size() > 2) json.push_back(',');
  json.append(body, 1, std::string::npos);
  out.json = std::move(json);
  return out;
}

std::string DeriveEventId(std::string_view tenant, const LearningEvent& e,
                          std::string_view discriminator) {
  std::string tuple = common::StrCat(
      tenant, "\n", PlatformName(e.source.platform), "\n", e.source.instance,
      "\n", e.source.event_type, "\n", e.learner.key, "\n", VerbName(e.verb),
      "\n", e.object.id, "\n", e.occurred_at_ms, "\n", discriminator);
  return *common::UuidV5(common::EventIdNamespace(), tuple);
}

std::string TagsJson(const EventTags& tags, std::string_view locale) {
  JsonWriter w;
  w.BeginObject();
  w.Key("mode");
  w.String(ModeName(tags.mode));
  w.Key("confidence");
  w.Double(tags.confidence);
  w.Key("dimensions");
  w.BeginObject();
  for (Dimension d : kAllDimensions) {
    w.Key(DimensionName(d));
    w.Double(tags.score[static_cast<size_t>(d)]);
  }
  w.EndObject();
  w.Key("evidence");
  w.BeginArray();
  for (const Rule* r : tags.fired) {
    w.BeginObject();
    w.Key("rule");
    w.String(r->id);
    w.Key("reason");
    w.String(r->Reason(locale));
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.Take();
}

absl::StatusOr<int64_t> ParseTimestamp(std::string_view s) {
  auto bad = [&] {
    return absl::InvalidArgumentError(
        common::StrCat("'", s.substr(0, 64), "' is not an ISO 8601 timestamp"));
  };
  int year, month, day, hour, minute, second;
  if (!Digits(s, 0, 4, &year) || s.size() < 19 || s[4] != '-' ||
      !Digits(s, 5, 2, &month) || s[7] != '-' || !Digits(s, 8, 2, &day) ||
      (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      !Digits(s, 11, 2, &hour) || s[13] != ':' || !Digits(s, 14, 2, &minute) ||
      s[16] != ':' || !Digits(s, 17, 2, &second)) {
    return bad();
  }
  static constexpr int kDaysInMonth[] = {31, 29, 31, 30, 31, 30,
                                         31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || day > kDaysInMonth[month - 1] ||
      hour > 23 || minute > 59 || second > 60) {
    return bad();
  }
  size_t pos = 19;
  int64_t millis = 0;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    size_t start = pos;
    int scale = 100;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      millis += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return bad();
  }
  int64_t offset_minutes = 0;
  if (pos < s.size()) {
    if ((s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.size()) {
      ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
      int sign = s[pos] == '-' ? -1 : 1;
      int oh, om;
      if (Digits(s, pos + 1, 2, &oh) && pos + 6 == s.size() &&
          s[pos + 3] == ':' && Digits(s, pos + 4, 2, &om)) {
      } else if (Digits(s, pos + 1, 2, &oh) && pos + 5 == s.size() &&
                 Digits(s, pos + 3, 2, &om)) {
      } else if (Digits(s, pos + 1, 2, &oh) && pos + 3 == s.size()) {
        om = 0;
      } else {
        return bad();
      }
      if (oh > 23 || om > 59) return bad();
      offset_minutes = sign * (oh * 60 + om);
      pos = s.size();
    } else {
      return bad();
    }
  }
  if (pos != s.size()) return bad();
  int64_t days = DaysFromCivil(year, static_cast<unsigned>(month),
                               static_cast<unsigned>(day));
  int64_t secs =
      days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  return secs * 1000 + millis;
}

std::string FormatTimestamp(int64_t epoch_ms) {
  int64_t secs = epoch_ms >= 0 ? epoch_ms / 1000 : (epoch_ms - 999) / 1000;
  int ms = static_cast<int>(epoch_ms - secs * 1000);
  int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int64_t rem = secs - days * 86400;
  // civil_from_days (H. Hinnant).
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ",
                static_cast<long long>(y), m, d, static_cast<int>(rem / 3600),
                static_cast<int>(rem / 60 % 60), static_cast<int>(rem % 60),
                ms);
  return buf;
}

}  // namespace polku::model
