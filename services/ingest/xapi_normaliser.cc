// NormaliseXapi: xAPI 1.0.3 and 2.0 statements to LearningEvents.
//
// A payload is one statement object or an array of them; an array is taken
// whole or not at all (as an LRS takes a POST), and an error names the
// statement's index ("payload[3].verb.id: ..."). Each statement is first
// validated as far as ingest needs (actor with exactly one inverse
// functional identifier, verb and activity IRIs, id, timestamp, result),
// then mapped:
//   verb      xAPI verb id -> model::Verb through the vocabulary of
//             xapi_vocabulary.h; some verbs depend on the object ("create"
//             makes a note CREATED but a course is administration,
//             "completed" on a quiz attempt is SUBMITTED, "initialized" on a
//             video is INTERACTED...). Administration (log-ins, set-up,
//             deletions, reports, other people's profiles, a teacher's view
//             of a learner's work) is kUnimplemented "not a learning
//             activity: <verb id>"; unknown verbs kUnimplemented too.
//   object    definition.type -> model::ObjectType, refined for generic
//             types by the platform's IRI structure (Moodle /mod/<module>/,
//             Open edX usage keys) so that statements and the platform's own
//             events agree; id = CanonicalObjectId(object.id).
//   learner   account -> LearnerKey(homePage, name); mbox ->
//             "mbox_sha1sum#" + SHA-1 of the mbox IRI; mbox_sha1sum ->
//             "mbox_sha1sum#<value>"; openid -> "openid#" + CanonicalIri.
//   initiator for enrolments the enrolment method decides first (self,
//             guest, lti, payment -> SELF; cohort, meta -> SYSTEM; database
//             -> SIS_SYNC); then STAFF when another person (context
//             instructor, an xAPI 2.0 contextAgent with an instructor type,
//             or a person authority of the same LMS) enrolled, unenrolled,
//             awarded (ACHIEVED) or graded the learner; a program assignment
//             naming nobody is SYSTEM; SELF otherwise.
//   context   course id from the object (a course) or the first parent or
//             grouping activity of a course type; parents outermost first;
//             enrolment method from an extension ending "/enrolment-type";
//             Open edX enrolment mode; registration ignored. graded is yes
//             for a GRADED verb and for an object or parent in a Moodle quiz
//             or assignment (IsGradedMoodleModule, as the Moodle normaliser
//             decides). A statement without a course that names no learning
//             platform (no context activity of the LMS type, as
//             logstore_xapi's site category; no Open edX
//             event-routing-backends extension) gets the extension
//             "xapi.outside_lms" = "true": it came from another tool.
//   result    completion, success, score.scaled (else from raw/min/max),
//             duration.
//   time      timestamp; else stored; else SourceEvent::received_at_ms, the
//             time Polku received the statement (the xAPI spec lets a sender
//             omit both, and the receiver then assigns the time, as an LRS
//             sets timestamp to stored). Rejected only when none of the
//             three is there ("payload.timestamp: is required").
//   id        the statement id; else the adapter's id; else DeriveEventId
//             over the tuple (platform, instance, verb IRI, learner, verb,
//             object, time). For a statement that also came without a
//             timestamp that time is the receive time, so a resend of it
//             gets a new id: as an LRS assigns a fresh id to each id-less
//             statement it receives, Polku cannot tell a resend from a
//             repetition. Senders that retry should send an id.
// Nothing personal is kept: actor and instructor names, mbox (only its
// SHA-1 key), result.response and the statement's extensions (session ids,
// IP addresses, user agents) are never copied; titles of messages, notes and
// profiles are dropped.
#include <algorithm>
#include <array>

#include "common/field_error.h"
#include "common/hashing.h"
#include "common/status_macros.h"
#include "common/str_cat.h"
#include "common/strings.h"
#include "ingest/json_util.h"
#include "ingest/normaliser.h"
#include "ingest/xapi_vocabulary.h"
#include "model/event_codec.h"

namespace polku::ingest {
namespace {

using model::Initiator;
using model::ObjectType;
using model::Tristate;
using model::Verb;
using statement_internal::CheckIri;
using statement_internal::FieldPrefix;
using statement_internal::Got;
using statement_internal::Invalid;
using statement_internal::IriCheck;
using statement_internal::IriError;
using statement_internal::ReadBool;
using statement_internal::ReadIri;
using statement_internal::ReadNumber;
using statement_internal::ReadObject;
using statement_internal::ReadString;
using statement_internal::Unmapped;

constexpr size_t kMaxParents = 16;

// An agent's identity: the learner key it maps to and, for an account, its
// home page (the LMS instance).
struct AgentId {
  std::string key;
  std::string_view home_page;
  bool is_group = false;
};

bool IsHex40(std::string_view s) {
  if (s.size() != 40) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
          (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

// Reads an Agent (or identified Group) at `field` and forms its key. Exactly
// one inverse functional identifier is required (xAPI 4.1.2.3).
absl::Status ReadAgent(JsonElement agent, const FieldPrefix& at,
                       std::string_view field, bool allow_anonymous_group,
                       AgentId* out) {
  if (!agent.is_object()) return Invalid(at, field, "must be an object");
  std::string_view object_type;
  switch (ReadString(agent, "objectType", &object_type)) {
    case Got::kWrongType:
      return Invalid(at, common::StrCat(field, ".objectType"),
                     "must be a string");
    case Got::kOk:
      if (object_type == "Group") {
        out->is_group = true;
      } else if (object_type != "Agent") {
        return Invalid(at, common::StrCat(field, ".objectType"),
                       "must be \"Agent\" or \"Group\"");
      }
      break;
    case Got::kAbsent:
      break;
  }
  static constexpr std::array<std::string_view, 4> kIfis = {
      "mbox", "mbox_sha1sum", "openid", "account"};
  int count = 0;
  std::string_view which;
  for (std::string_view ifi : kIfis) {
    auto m = Member(agent, ifi);
    if (m.has_value()) {
      ++count;
      which = ifi;
    }
  }
  if (count == 0) {
    if (out->is_group && allow_anonymous_group) return absl::OkStatus();
    return Invalid(at, field,
                   "needs an inverse functional identifier (mbox, "
                   "mbox_sha1sum, openid or account)");
  }
  if (count > 1) {
    return Invalid(at, field,
                   "must have exactly one inverse functional identifier "
                   "(mbox, mbox_sha1sum, openid or account)");
  }
  // Paths are built only for an error.
  auto path = [&](std::string_view leaf = {}) {
    return common::StrCat(field, ".", which, leaf);
  };
  if (which == "account") {
    JsonElement account;
    if (ReadObject(agent, "account", &account) != Got::kOk) {
      return Invalid(at, path(), "must be an object");
    }
    std::string_view home_page, name;
    Got got = ReadString(account, "homePage", &home_page);
    if (IriCheck c = CheckIri(got, home_page, /*required=*/true);
        c != IriCheck::kOk) {
      return IriError(at, path(".homePage"), c, home_page);
    }
    switch (ReadString(account, "name", &name)) {
      case Got::kAbsent:
        return Invalid(at, path(".name"), "is required");
      case Got::kWrongType:
        return Invalid(at, path(".name"), "must be a string");
      case Got::kOk:
        break;
    }
    if (name.empty()) return Invalid(at, path(".name"), "must not be empty");
    if (name.size() > 128) {
      return Invalid(at, path(".name"), "is longer than 128 bytes");
    }
    out->home_page = home_page;
    out->key = model::LearnerKey(home_page, name);
    return absl::OkStatus();
  }
  std::string_view value;
  if (ReadString(agent, which, &value) != Got::kOk) {
    return Invalid(at, path(), "must be a string");
  }
  if (which == "mbox") {
    if (!common::StartsWith(value, "mailto:") ||
        value.find('@') == std::string_view::npos || value.size() > 320) {
      return Invalid(at, path(), "must be a mailto: IRI");
    }
    // The key of the mbox_sha1sum this mbox would have, so that both forms
    // of the same person agree; the address itself is not kept.
    out->key = common::StrCat("mbox_sha1sum#", Sha1Hex(value));
    return absl::OkStatus();
  }
  if (which == "mbox_sha1sum") {
    if (!IsHex40(value)) {
      return Invalid(at, path(), "must be 40 hexadecimal digits");
    }
    out->key = common::StrCat("mbox_sha1sum#", common::AsciiToLower(value));
    return absl::OkStatus();
  }
  // openid
  if (!IsAbsoluteIri(value) || value.size() > kMaxIriLength) {
    return Invalid(at, path(), "must be an IRI");
  }
  out->key = common::StrCat("openid#", model::CanonicalIri(value));
  return absl::OkStatus();
}

// Reads contextActivities.<kind>: an array of activities or (xAPI 1.0) one.
// Appends the canonical ids to `ids` and reports the first course and
// whether a discussion is among them.
struct ContextActivities {
  std::vector<std::string> parents;  // innermost first, as sent
  std::string course_id;
  bool has_discussion = false;
  bool names_platform = false;  // an activity of the LMS type
  bool graded_module = false;   // a Moodle quiz or assignment
};

absl::Status ReadContextActivityList(JsonElement list, const FieldPrefix& at,
                                     std::string_view field, bool keep_ids,
                                     ContextActivities* out) {
  // `index` < 0 for a single activity; paths are built only for an error.
  auto visit = [&](JsonElement activity, int64_t index) -> absl::Status {
    auto path = [&](std::string_view leaf) {
      return index < 0 ? common::StrCat(field, leaf)
                       : common::StrCat(field, "[", index, "]", leaf);
    };
    if (!activity.is_object()) {
      return Invalid(at, path(""), "must be an object");
    }
    std::string_view id;
    if (ReadString(activity, "id", &id) == Got::kWrongType) {
      return Invalid(at, path(".id"), "must be a string");
    }
    // Context only adds detail: an activity without a usable id (Open edX
    // groups exam attempts under a bare UUID) is skipped, not fatal.
    if (id.empty() || id.size() > kMaxIriLength || !IsAbsoluteIri(id)) {
      return absl::OkStatus();
    }
    std::string_view type;
    if (auto def = Member(activity, "definition"); def.has_value()) {
      if (ReadString(*def, "type", &type) == Got::kWrongType) {
        return Invalid(at, path(".definition.type"), "must be a string");
      }
    }
    ActivityTypeInfo info = LookupXapiActivityType(type);
    if (info.is_platform) out->names_platform = true;
    if (IsGradedMoodleModule(MoodleModuleOfIri(id))) out->graded_module = true;
    ObjectType t = RefinedObjectType(info, id);
    if (t == ObjectType::kCourse && out->course_id.empty()) {
      out->course_id = CanonicalObjectId(id);
    }
    if (t == ObjectType::kDiscussion &&
        common::EndsWith(type, "/activitytype/discussion")) {
      out->has_discussion = true;
    }
    if (keep_ids && out->parents.size() < kMaxParents) {
      out->parents.push_back(CanonicalObjectId(id));
    }
    return absl::OkStatus();
  };
  JsonArray arr;
  if (!list.get_array().get(arr)) {
    int64_t i = 0;
    for (JsonElement activity : arr) {
      POLKU_RETURN_IF_ERROR(visit(activity, i++));
    }
    return absl::OkStatus();
  }
  if (list.is_object()) return visit(list, -1);
  return Invalid(at, field, "must be an array of activities");
}

struct Result {
  Tristate completion = Tristate::kUnknown;
  Tristate success = Tristate::kUnknown;
  std::optional<double> scaled;
  std::optional<int64_t> duration_ms;
};

absl::Status ReadResult(JsonElement result, const FieldPrefix& at,
                        Result* out) {
  if (!result.is_object()) return Invalid(at, "result", "must be an object");
  bool b;
  switch (ReadBool(result, "success", &b)) {
    case Got::kWrongType:
      return Invalid(at, "result.success", "must be a boolean");
    case Got::kOk:
      out->success = b ? Tristate::kYes : Tristate::kNo;
      break;
    case Got::kAbsent:
      break;
  }
  switch (ReadBool(result, "completion", &b)) {
    case Got::kWrongType:
      return Invalid(at, "result.completion", "must be a boolean");
    case Got::kOk:
      out->completion = b ? Tristate::kYes : Tristate::kNo;
      break;
    case Got::kAbsent:
      break;
  }
  JsonElement score;
  switch (ReadObject(result, "score", &score)) {
    case Got::kWrongType:
      return Invalid(at, "result.score", "must be an object");
    case Got::kOk: {
      double scaled, raw = 0, min = 0, max = 0;
      bool has_raw = false, has_min = false, has_max = false;
      for (auto [key, value, present] :
           {std::tuple<std::string_view, double*, bool*>{"raw", &raw, &has_raw},
            {"min", &min, &has_min},
            {"max", &max, &has_max}}) {
        switch (ReadNumber(score, key, value)) {
          case Got::kWrongType:
            return Invalid(at, common::StrCat("result.score.", key),
                           "must be a number");
          case Got::kOk:
            *present = true;
            break;
          case Got::kAbsent:
            break;
        }
      }
      switch (ReadNumber(score, "scaled", &scaled)) {
        case Got::kWrongType:
          return Invalid(at, "result.score.scaled", "must be a number");
        case Got::kOk:
          if (!(scaled >= -1.0 && scaled <= 1.0)) {
            return Invalid(at, "result.score.scaled", "must lie in [-1, 1]");
          }
          out->scaled = scaled;
          break;
        case Got::kAbsent:
          // Scaled is optional; derive it from raw within [min, max].
          if (has_raw && has_max) {
            double lo = has_min ? min : 0.0;
            if (max > lo && raw >= lo && raw <= max) {
              out->scaled = (raw - lo) / (max - lo);
            }
          }
          break;
      }
      break;
    }
    case Got::kAbsent:
      break;
  }
  std::string_view duration;
  switch (ReadString(result, "duration", &duration)) {
    case Got::kWrongType:
      return Invalid(at, "result.duration", "must be a string");
    case Got::kOk: {
      auto ms = ParseIsoDuration(duration);
      if (!ms.has_value()) {
        return Invalid(at, "result.duration",
                       common::StrCat("'", duration.substr(0, 32),
                                      "' is not an ISO 8601 duration"));
      }
      out->duration_ms = *ms;
      break;
    }
    case Got::kAbsent:
      break;
  }
  return absl::OkStatus();
}

// Everything read from one statement before it is mapped.
struct Statement {
  std::string_view id;
  AgentId actor;
  std::string_view verb_id;
  std::string_view object_type;  // objectType: Activity, Agent, ...
  std::string_view object_id;
  std::string_view activity_type;  // definition.type
  std::string_view object_name;
  std::string_view enrolment_mode;  // Open edX: acrossx/extensions/type
  int64_t occurred_at_ms = 0;
  std::optional<AgentId> instructor;
  std::optional<AgentId> authority;
  ContextActivities parents;
  ContextActivities grouping;
  ContextActivities category;
  // The statement names the learning platform that sent it: a context
  // activity of the LMS type (logstore_xapi's site category) or an Open edX
  // event-routing-backends context extension.
  bool names_platform = false;
  model::EnrolmentMethod enrolment_method =
      model::EnrolmentMethod::kUnspecified;
  // The context names another person the statement is "for" (the
  // yetanalytics preposition logstore_xapi uses for a teacher's view of a
  // learner's submission).
  bool for_another_person = false;
  Result result;
};

absl::Status ReadContext(JsonElement context, const FieldPrefix& at,
                         Statement* st) {
  if (!context.is_object()) return Invalid(at, "context", "must be an object");
  if (auto instructor = Member(context, "instructor"); instructor.has_value()) {
    AgentId id;
    POLKU_RETURN_IF_ERROR(ReadAgent(*instructor, at, "context.instructor",
                                    /*allow_anonymous_group=*/true, &id));
    st->instructor = std::move(id);
  }
  // xAPI 2.0: contextAgents [{objectType, agent, relevantTypes: [IRI]}].
  if (auto agents = Member(context, "contextAgents"); agents.has_value()) {
    JsonArray arr;
    if (agents->get_array().get(arr)) {
      return Invalid(at, "context.contextAgents", "must be an array");
    }
    size_t i = 0;
    for (JsonElement entry : arr) {
      std::string field = common::StrCat("context.contextAgents[", i++, "]");
      auto agent = Member(entry, "agent");
      if (!agent.has_value()) {
        return Invalid(at, common::StrCat(field, ".agent"), "is required");
      }
      bool instructor = false;
      if (auto types = Member(entry, "relevantTypes"); types.has_value()) {
        JsonArray type_list;
        if (!types->get_array().get(type_list)) {
          for (JsonElement t : type_list) {
            std::string_view iri;
            constexpr std::string_view kInstructor = "instructor";
            if (!t.get_string().get(iri) && iri.size() >= kInstructor.size() &&
                common::EqualsIgnoreCase(
                    iri.substr(iri.size() - kInstructor.size()), kInstructor)) {
              instructor = true;
            }
          }
        }
      }
      AgentId id;
      POLKU_RETURN_IF_ERROR(ReadAgent(*agent, at,
                                      common::StrCat(field, ".agent"),
                                      /*allow_anonymous_group=*/false, &id));
      if (instructor && !st->instructor.has_value()) {
        st->instructor = std::move(id);
      }
    }
  }
  if (auto activities = Member(context, "contextActivities");
      activities.has_value()) {
    if (!activities->is_object()) {
      return Invalid(at, "context.contextActivities", "must be an object");
    }
    if (auto parent = Member(*activities, "parent"); parent.has_value()) {
      POLKU_RETURN_IF_ERROR(ReadContextActivityList(
          *parent, at, "context.contextActivities.parent", /*keep_ids=*/true,
          &st->parents));
    }
    if (auto grouping = Member(*activities, "grouping"); grouping.has_value()) {
      POLKU_RETURN_IF_ERROR(ReadContextActivityList(
          *grouping, at, "context.contextActivities.grouping",
          /*keep_ids=*/false, &st->grouping));
    }
    if (auto category = Member(*activities, "category"); category.has_value()) {
      POLKU_RETURN_IF_ERROR(ReadContextActivityList(
          *category, at, "context.contextActivities.category",
          /*keep_ids=*/false, &st->category));
    }
    st->names_platform = st->parents.names_platform ||
                         st->grouping.names_platform ||
                         st->category.names_platform;
  }
  if (auto extensions = Member(context, "extensions"); extensions.has_value()) {
    JsonObject obj;
    if (extensions->get_object().get(obj)) {
      return Invalid(at, "context.extensions", "must be an object");
    }
    for (auto field : obj) {
      if (common::StartsWith(field.key,
                             "https://w3id.org/xapi/openedx/extension")) {
        st->names_platform = true;  // event-routing-backends
      }
      if (common::EndsWith(field.key, "/enrolment-type")) {
        std::string_view name;
        if (!field.value.get_string().get(name)) {
          st->enrolment_method = EnrolmentMethodFromName(name);
        }
      } else if (common::EndsWith(field.key, "/context-extensions/for") &&
                 field.value.is_object()) {
        AgentId other;
        if (ReadAgent(field.value, at, "context.extensions", false, &other)
                .ok() &&
            other.key != st->actor.key) {
          st->for_another_person = true;
        }
      }
    }
  }
  return absl::OkStatus();
}

// `received_at_ms` is when Polku received the statement (0: unknown); it
// stands in for a missing timestamp and stored, as an LRS assigns them.
absl::Status ReadStatement(JsonElement s, const FieldPrefix& at,
                           int64_t received_at_ms, Statement* st) {
  if (!s.is_object()) return Invalid(at, "", "must be a statement object");

  std::string_view version;
  switch (ReadString(s, "version", &version)) {
    case Got::kWrongType:
      return Invalid(at, "version", "must be a string");
    case Got::kOk:
      if (!common::StartsWith(version, "1.0") &&
          !common::StartsWith(version, "2.0")) {
        return Invalid(at, "version",
                       common::StrCat("'", version.substr(0, 16),
                                      "' is not a supported xAPI version "
                                      "(1.0.x or 2.0.x)"));
      }
      break;
    case Got::kAbsent:
      break;
  }

  switch (ReadString(s, "id", &st->id)) {
    case Got::kWrongType:
      return Invalid(at, "id", "must be a string");
    case Got::kOk:
      if (!common::IsUuid(st->id)) return Invalid(at, "id", "must be a UUID");
      break;
    case Got::kAbsent:
      break;
  }

  auto actor = Member(s, "actor");
  if (!actor.has_value()) return Invalid(at, "actor", "is required");
  POLKU_RETURN_IF_ERROR(ReadAgent(*actor, at, "actor",
                                  /*allow_anonymous_group=*/true, &st->actor));

  JsonElement verb;
  switch (ReadObject(s, "verb", &verb)) {
    case Got::kAbsent:
      return Invalid(at, "verb", "is required");
    case Got::kWrongType:
      return Invalid(at, "verb", "must be an object");
    case Got::kOk:
      break;
  }
  POLKU_RETURN_IF_ERROR(
      ReadIri(verb, "id", /*required=*/true, at, "verb.id", &st->verb_id));

  JsonElement object;
  switch (ReadObject(s, "object", &object)) {
    case Got::kAbsent:
      return Invalid(at, "object", "is required");
    case Got::kWrongType:
      return Invalid(at, "object", "must be an object");
    case Got::kOk:
      break;
  }
  switch (ReadString(object, "objectType", &st->object_type)) {
    case Got::kWrongType:
      return Invalid(at, "object.objectType", "must be a string");
    case Got::kAbsent:
      st->object_type = "Activity";
      break;
    case Got::kOk:
      break;
  }
  // Open edX sends "GroupActivity" for a problem with several questions.
  bool is_activity =
      st->object_type == "Activity" || st->object_type == "GroupActivity";
  if (is_activity) {
    POLKU_RETURN_IF_ERROR(ReadIri(object, "id", /*required=*/true, at,
                                  "object.id", &st->object_id));
    JsonElement definition;
    switch (ReadObject(object, "definition", &definition)) {
      case Got::kWrongType:
        return Invalid(at, "object.definition", "must be an object");
      case Got::kOk: {
        if (ReadString(definition, "type", &st->activity_type) ==
            Got::kWrongType) {
          return Invalid(at, "object.definition.type", "must be a string");
        }
        if (auto name = Member(definition, "name"); name.has_value()) {
          st->object_name = statement_internal::LanguageMapText(*name);
        }
        if (auto ext = Member(definition, "extensions"); ext.has_value()) {
          std::string_view mode;
          if (ReadString(*ext, "https://w3id.org/xapi/acrossx/extensions/type",
                         &mode) == Got::kOk) {
            st->enrolment_mode = mode;
          }
        }
        break;
      }
      case Got::kAbsent:
        break;
    }
  } else if (st->object_type != "Agent" && st->object_type != "Group" &&
             st->object_type != "SubStatement" &&
             st->object_type != "StatementRef") {
    return Invalid(at, "object.objectType",
                   common::StrCat("'", st->object_type.substr(0, 32),
                                  "' is not an xAPI object type"));
  }

  // The time: timestamp, else stored, else the time Polku received the
  // statement (xAPI 2.4.7: a receiver sets a missing timestamp to stored,
  // and an LRS sets stored when it receives the statement).
  std::string_view time;
  std::string_view time_field = "timestamp";
  Got got = ReadString(s, "timestamp", &time);
  if (got == Got::kAbsent) {
    time_field = "stored";
    got = ReadString(s, "stored", &time);
  }
  if (got == Got::kWrongType) {
    return Invalid(at, time_field, "must be a string");
  }
  if (got == Got::kOk) {
    POLKU_RETURN_IF_ERROR(statement_internal::ParseTime(time, at, time_field,
                                                        &st->occurred_at_ms));
  } else if (received_at_ms > 0) {
    st->occurred_at_ms = received_at_ms;
  } else {
    return Invalid(at, "timestamp",
                   "is required (the time the learning happened; the "
                   "statement has no timestamp or stored time and no "
                   "receive time was given)");
  }

  if (auto context = Member(s, "context"); context.has_value()) {
    POLKU_RETURN_IF_ERROR(ReadContext(*context, at, st));
  }
  if (auto result = Member(s, "result"); result.has_value()) {
    POLKU_RETURN_IF_ERROR(ReadResult(*result, at, &st->result));
  }
  if (auto authority = Member(s, "authority"); authority.has_value()) {
    AgentId id;
    POLKU_RETURN_IF_ERROR(ReadAgent(*authority, at, "authority",
                                    /*allow_anonymous_group=*/true, &id));
    st->authority = std::move(id);
  }
  return absl::OkStatus();
}

bool IsCourseLike(ObjectType t) {
  return t == ObjectType::kCourse || t == ObjectType::kProgram;
}

// Maps the verb; an error for administration and unmapped verbs.
absl::Status MapVerb(const Statement& st, const ActivityTypeInfo& info,
                     ObjectType object_type, const FieldPrefix& at, Verb* verb,
                     bool* assigned) {
  VerbInfo v = LookupXapiVerb(st.verb_id);
  auto not_learning = [&] {
    return Unmapped(at, "verb.id",
                    common::StrCat("not a learning activity: ", st.verb_id));
  };
  bool in_discussion = st.parents.has_discussion || st.grouping.has_discussion;
  // Calendars, categories, completion settings and reports are bookkeeping;
  // a person's profile or report is no learning object.
  if (info.is_admin || info.is_person) {
    if (v.rule == VerbRule::kUnknown) {
      return Unmapped(at, "verb.id",
                      common::StrCat("xAPI verb is not mapped: ",
                                     st.verb_id.substr(0, 128)));
    }
    return not_learning();
  }
  switch (v.rule) {
    case VerbRule::kUnknown:
    case VerbRule::kActivated:  // Caliper actions only
    case VerbRule::kDeactivated:
    case VerbRule::kEnded:
      return Unmapped(at, "verb.id",
                      common::StrCat("xAPI verb is not mapped: ",
                                     st.verb_id.substr(0, 128)));
    case VerbRule::kVoided:
      return Unmapped(at, "verb.id", "voiding statements are not supported");
    case VerbRule::kAdministrative:
    case VerbRule::kNotLearning:
      return not_learning();
    case VerbRule::kDirect:
      *verb = v.verb;
      break;
    case VerbRule::kCreate:
      if (object_type == ObjectType::kDiscussion) {
        *verb = in_discussion ? Verb::kReplied : Verb::kPosted;
      } else if (object_type == ObjectType::kMessage) {
        *verb = Verb::kPosted;
      } else if (IsLearnerArtefact(object_type)) {
        *verb = Verb::kCreated;
      } else {
        return not_learning();
      }
      break;
    case VerbRule::kUpdate:
      if (IsLearnerArtefact(object_type) ||
          object_type == ObjectType::kDiscussion) {
        *verb = Verb::kUpdated;
      } else {
        return not_learning();
      }
      break;
    case VerbRule::kPosted:
      *verb = object_type == ObjectType::kDiscussion && in_discussion
                  ? Verb::kReplied
                  : Verb::kPosted;
      break;
    case VerbRule::kRegister:
      if (info.is_platform) return not_learning();  // an account created
      *verb = Verb::kEnrolled;
      break;
    case VerbRule::kJoin:
      if (info.is_platform || object_type == ObjectType::kCommunity) {
        return not_learning();  // group membership is managed by staff
      }
      *verb = IsCourseLike(object_type) ? Verb::kEnrolled : Verb::kAttended;
      break;
    case VerbRule::kLeave:
      // Leaving a group or a meeting is no learning activity of its own.
      if (!IsCourseLike(object_type)) return not_learning();
      *verb = Verb::kUnenrolled;
      break;
    case VerbRule::kCompleted:
      *verb = info.is_attempt ? Verb::kSubmitted : Verb::kCompleted;
      break;
    case VerbRule::kInitialized:
      *verb = object_type == ObjectType::kVideo ? Verb::kInteracted
                                                : Verb::kStarted;
      break;
    case VerbRule::kTerminated:
      *verb = object_type == ObjectType::kAssessment ? Verb::kSubmitted
                                                     : Verb::kInteracted;
      break;
    case VerbRule::kProgressed:
      *verb = st.result.completion == Tristate::kYes ? Verb::kCompleted
                                                     : Verb::kInteracted;
      break;
    case VerbRule::kResumed:
      *verb = IsCourseLike(object_type) ? Verb::kEnrolled : Verb::kStarted;
      break;
    case VerbRule::kSuspended:
      // A suspended enrolment; an attempt saved for later is no activity.
      if (!IsCourseLike(object_type)) return not_learning();
      *verb = Verb::kUnenrolled;
      break;
    case VerbRule::kAssigned:
      *verb = Verb::kEnrolled;
      *assigned = true;
      break;
  }
  // A teacher looking at a learner's work is not the teacher's learning,
  // nor the learner's.
  if (*verb == Verb::kViewed && st.for_another_person) return not_learning();
  return absl::OkStatus();
}

// Whether another person than the actor acted: the instructor, else an
// authority that is a person of the same LMS (an LRS client's credentials,
// usually a Group or an account of the LRS, do not count).
bool ActedByAnotherPerson(const Statement& st) {
  if (st.instructor.has_value()) {
    return st.instructor->is_group || st.instructor->key != st.actor.key;
  }
  if (st.authority.has_value() && !st.authority->is_group &&
      !st.authority->key.empty() && st.authority->key != st.actor.key) {
    if (st.authority->home_page.empty()) return true;  // mbox, openid
    return model::CanonicalInstance(st.authority->home_page) ==
           model::CanonicalInstance(st.actor.home_page);
  }
  return false;
}

Initiator InitiatorFor(const Statement& st, Verb verb, bool assigned,
                       model::EnrolmentMethod method) {
  switch (verb) {
    case Verb::kEnrolled:
    case Verb::kUnenrolled: {
      Initiator by_method = InitiatorForEnrolmentMethod(method);
      if (by_method != Initiator::kUnspecified) return by_method;
      if (ActedByAnotherPerson(st)) return Initiator::kStaff;
      // A program assignment nobody is named for comes from assignment
      // rules (audiences, positions): the system's.
      return assigned ? Initiator::kSystem : Initiator::kSelf;
    }
    case Verb::kAchieved:
    case Verb::kGraded:
      return ActedByAnotherPerson(st) ? Initiator::kStaff : Initiator::kSelf;
    default:
      return Initiator::kSelf;
  }
}

absl::Status MapStatement(std::string_view tenant, const SourceEvent& source,
                          const Statement& st, const FieldPrefix& at,
                          int64_t index, size_t count,
                          model::LearningEvent& e) {
  if (st.actor.is_group) {
    return Unmapped(at, "actor",
                    "a Group actor is not mapped (a learner is one person)");
  }
  if (st.object_type != "Activity" && st.object_type != "GroupActivity") {
    return Unmapped(at, "object.objectType",
                    common::StrCat("statements about a ", st.object_type,
                                   " are not mapped"));
  }
  ActivityTypeInfo info = LookupXapiActivityType(st.activity_type);
  ObjectType object_type = RefinedObjectType(info, st.object_id);
  Verb verb = Verb::kUnspecified;
  bool assigned = false;
  POLKU_RETURN_IF_ERROR(MapVerb(st, info, object_type, at, &verb, &assigned));
  if (verb == Verb::kSearched) object_type = ObjectType::kSearch;
  if (verb == Verb::kPosted && object_type == ObjectType::kUnspecified) {
    object_type = ObjectType::kMessage;
  }

  e.source.platform = model::Platform::kXapi;
  if (!st.actor.home_page.empty()) {
    e.source.instance = model::CanonicalInstance(st.actor.home_page);
  } else if (!source.enrichment.instance.empty()) {
    e.source.instance = model::CanonicalInstance(source.enrichment.instance);
  } else {
    e.source.instance = model::CanonicalInstance(IriOrigin(st.object_id));
  }
  e.source.event_type = std::string(st.verb_id);
  e.verb_iri = e.source.event_type;
  e.occurred_at_ms = st.occurred_at_ms;
  e.learner.key = st.actor.key;
  e.verb = verb;
  e.object.type = object_type;
  e.object.id = CanonicalObjectId(st.object_id);
  if (e.object.id.empty()) {
    return Invalid(at, "object.id", "names no host or path");
  }
  if (!info.is_person && MayKeepObjectName(object_type) &&
      st.object_name.size() <= 256) {
    e.object.name = std::string(st.object_name);
  }

  model::EnrolmentMethod method = st.enrolment_method;
  if (method == model::EnrolmentMethod::kUnspecified && assigned) {
    method = model::EnrolmentMethod::kProgram;
  }
  e.context.enrolment_method = method;
  if (method == model::EnrolmentMethod::kUnspecified) {
    method = source.enrichment.enrolment_method;
  }
  e.initiator = InitiatorFor(st, verb, assigned, method);
  if ((verb == Verb::kEnrolled || verb == Verb::kUnenrolled) &&
      !st.enrolment_mode.empty() && st.enrolment_mode.size() <= 64) {
    e.context.enrolment_mode = std::string(st.enrolment_mode);
  }

  if (object_type == ObjectType::kCourse) {
    e.context.course_id = e.object.id;
  } else if (!st.parents.course_id.empty()) {
    e.context.course_id = st.parents.course_id;
  } else {
    e.context.course_id = st.grouping.course_id;
  }
  // logstore_xapi lists parents innermost first; Polku keeps them outermost
  // first.
  e.context.parents.assign(st.parents.parents.rbegin(),
                           st.parents.parents.rend());

  // Whether the activity is graded: a grade was given, or the object is in
  // a Moodle quiz or assignment (as the Moodle normaliser decides).
  bool graded_module = IsGradedMoodleModule(MoodleModuleOfIri(st.object_id)) ||
                       st.parents.graded_module || st.grouping.graded_module;
  if (verb == Verb::kGraded || graded_module) e.context.graded = Tristate::kYes;
  // A statement with no course that names no learning platform comes from
  // some other tool (the default rule setting.outside_learning_platform
  // reads this); an LMS forwards site-level events without a course too.
  if (e.context.course_id.empty() && !st.names_platform) {
    e.extensions["xapi.outside_lms"] = "true";
  }

  e.result.completion = st.result.completion;
  e.result.success = st.result.success;
  e.result.score_scaled = st.result.scaled;
  e.result.duration_ms = st.result.duration_ms;
  if (verb == Verb::kCompleted && e.result.completion == Tristate::kUnknown) {
    e.result.completion = Tristate::kYes;
  }
  if (verb == Verb::kPassed && e.result.success == Tristate::kUnknown) {
    e.result.success = Tristate::kYes;
  }
  if (verb == Verb::kFailed && e.result.success == Tristate::kUnknown) {
    e.result.success = Tristate::kNo;
  }

  if (!st.id.empty()) {
    e.event_id = common::AsciiToLower(st.id);
  } else if (!source.enrichment.event_id.empty() && count == 1) {
    e.event_id = source.enrichment.event_id;
  } else if (!source.enrichment.event_id.empty()) {
    // One adapter id for a whole array: each statement gets its own.
    e.event_id = model::DeriveEventId(
        tenant, e, common::StrCat(source.enrichment.event_id, "#", index));
  } else {
    e.event_id = model::DeriveEventId(tenant, e);
  }
  ApplyEnrichment(source.enrichment, e);
  return absl::OkStatus();
}

absl::Status NormaliseOne(std::string_view tenant, const SourceEvent& source,
                          JsonElement element, const FieldPrefix& at,
                          int64_t index, size_t count,
                          model::LearningEvent& e) {
  Statement st;
  POLKU_RETURN_IF_ERROR(ReadStatement(element, at, source.received_at_ms, &st));
  return MapStatement(tenant, source, st, at, index, count, e);
}

}  // namespace

absl::Status NormaliseXapi(std::string_view tenant, const SourceEvent& source,
                           std::vector<model::LearningEvent>& out) {
  POLKU_ASSIGN_OR_RETURN(JsonElement root, ParseJson(source.payload));
  const size_t start = out.size();
  JsonArray statements;
  if (!root.get_array().get(statements)) {
    size_t count = statements.size();
    if (count == 0) {
      return common::InvalidFieldError("payload", "is an empty array");
    }
    out.reserve(start + count);
    int64_t index = 0;
    for (JsonElement element : statements) {
      FieldPrefix at("payload", index);
      absl::Status s = NormaliseOne(tenant, source, element, at, index, count,
                                    out.emplace_back());
      if (!s.ok()) {
        out.resize(start);  // all or nothing
        return s;
      }
      ++index;
    }
    return absl::OkStatus();
  }
  if (!root.is_object()) {
    return common::InvalidFieldError(
        "payload", "must be an xAPI statement or an array of statements");
  }
  absl::Status s = NormaliseOne(tenant, source, root, FieldPrefix(), 0, 1,
                                out.emplace_back());
  if (!s.ok()) out.resize(start);
  return s;
}

}  // namespace polku::ingest
