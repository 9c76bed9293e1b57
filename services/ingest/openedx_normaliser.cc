// Open edX normalisers: tracking-log events (NormaliseOpenEdxTracking) and
// openedx-events signal payloads (NormaliseOpenEdxSignal). See normaliser.h
// for the contract both follow.
//
// Learner key: model::LearnerKey(instance, user id), where the instance is
// enrichment.instance when the adapter sent one, else "http://" +
// context.host (tracking) or source_lms (signals), and the user id is the
// numeric Open edX user id. Usernames never become keys: an event that only
// names a username is rejected ("payload.context.user_id: is required").
//
// Object ids: course keys and block usage keys as Open edX writes them
// ("course-v1:edX+DemoX+Demo_Course", "block-v1:...+type@problem+block@...").
// Tracking events that carry only a block's hash (video events, browser
// problem_check) get the usage key Open edX would build from the course key.
// Forum posts have no key of their own: they get the canonical IRI of their
// discussion API resource, "<instance>/api/discussion/v1/threads/<id>" and
// ".../comments/<id>", the same IRI event-routing-backends puts in xAPI.
//
// Tracking events (source.event_type = name), verb and object type:
//   edx.course.enrollment.activated         ENROLLED    COURSE
//   edx.course.enrollment.mode_changed      ENROLLED    COURSE
//   edx.course.enrollment.deactivated       UNENROLLED  COURSE
//     initiator STAFF when data.created_by, or context.user_id, is another
//     user than data.user_id; enrolment_mode = data.mode; method UNSPECIFIED
//   edx.course.grade.passed.first_time      PASSED      COURSE  success yes
//   edx.course.grade.now_passed             PASSED      COURSE  success yes
//   edx.course.grade.now_failed             FAILED      COURSE  success no
//   edx.grades.course.grade_calculated      GRADED      COURSE
//     score = percent_grade, success = (letter_grade != ""), graded yes
//   edx.grades.subsection.grade_calculated  GRADED      block type
//     (a sequential: MODULE), score = weighted earned / possible when
//     possible > 0, graded yes
//   edx.grades.problem.submitted            SUBMITTED   ASSESSMENT
//     score = weighted earned / possible when possible > 0
//   problem_check (server)                  SUBMITTED   ASSESSMENT
//     score = grade / max_grade, success = (success == "correct")
//   problem_check (browser)                 SUBMITTED   ASSESSMENT
//   showanswer                              ASKED       ASSESSMENT
//   edx.problem.hint.demandhint_displayed   ASKED       ASSESSMENT
//   edx.problem.completed                   COMPLETED   ASSESSMENT
//   edx.completion.block_completion.changed COMPLETED   block type
//     (problem: ASSESSMENT, video: VIDEO, html: RESOURCE, vertical: MODULE...)
//     completion yes when data.completion >= 1; below that INTERACTED with
//     completion no (progress)
// The object type of a block named by its usage key is the key's block type
// on every channel (tracking, xAPI, Caliper): see BlockObjectType.
//   edx.certificate.created                 ACHIEVED    CERTIFICATE
//   edx.forum.thread.created                POSTED      DISCUSSION
//   edx.forum.response.created              REPLIED     DISCUSSION
//   edx.forum.comment.created               COMMENTED   DISCUSSION
//   edx.forum.{thread,response,comment}.voted  RATED    DISCUSSION
//   edx.forum.thread.viewed                 VIEWED      DISCUSSION
//   edx.forum.*.edited (own post)           UPDATED     DISCUSSION
//   play_video, pause_video, seek_video, load_video, stop_video,
//   speed_change_video, show_transcript, hide_transcript,
//   video_show_cc_menu, video_hide_cc_menu, edx.video.*
//                                           INTERACTED  VIDEO
//   complete_video, edx.video.completed     COMPLETED   VIDEO
//   edx.ui.lms.link_clicked                 VIEWED      RESOURCE (target URL)
//   edx.ui.lms.* (outline, sequence)        VIEWED      MODULE
//   seq_goto, seq_next, seq_prev            VIEWED      MODULE
//   edx.bookmark.added                      BOOKMARKED  MODULE
//   edx.special_exam.*.attempt.created|started  STARTED ASSESSMENT
//   edx.special_exam.*.attempt.submitted    SUBMITTED   ASSESSMENT
//     duration = attempt_event_elapsed_time_secs
// Initiator SELF unless noted. Moderation and administration
// (edx.forum.*.deleted|reported|unreported, edits of another's post, other
// special-exam states) are kUnimplemented "not a learning activity: <name>";
// any other name is kUnimplemented "event type not mapped: <name>".
//
// Tracking payloads come in two layouts and both are accepted: the
// event-routing-backends one ({name, timestamp, context, data}) and the raw
// tracking-log line ({name | event_type, time, context, event, username, ip,
// host, ...}), whose browser events carry `event` as a JSON-encoded string.
//
// Kept: ids, course keys, usage keys, the display names of course content.
// Never kept: username, ip, agent, session, referer, accept_language,
// client_id, forum titles and bodies, answers, hint texts, certificate names.
//
// ---------------------------------------------------------------------------
// Signal payload: what the Polku Open edX adapter (a Django plugin) sends for
// an openedx-events signal. One JSON object per signal:
//
//   {
//     "signal": "org.openedx.learning.course.enrollment.created.v1",
//                       // the OpenEdxPublicSignal's event_type
//     "id": "0ae5a1e4-0f4c-11ef-9c2f-0242ac120002",
//                       // metadata.id (a UUID); becomes the event id
//     "time": "2024-05-10T08:15:30.123456+00:00",
//                       // metadata.time, ISO 8601 with offset
//     "source_lms": "https://lms.example.edu",
//                       // settings.LMS_ROOT_URL
//     "minorversion": 0,          // optional: metadata.minorversion
//     "data": {                   // the signal's keyword arguments except
//       "enrollment": {           // `metadata`: each data class as a dict
//         "user": {"id": 42, "is_active": true,          // (attr.asdict)
//                  "pii": {"username": "...", "email": "...",
//                          "name": "..."}},
//         "course": {"course_key": "course-v1:edX+DemoX+Demo_Course",
//                    "display_name": "Demonstration Course",
//                    "start": null, "end": null},
//         "mode": "audit", "is_active": true,
//         "creation_date": "2024-05-10T08:15:30+00:00",
//         "created_by": null
//       }
//     }
//   }
//
// Keys (CourseKey, UsageKey) are sent as strings, datetimes as ISO 8601
// strings, nested data classes as nested objects. The adapter may send `pii`
// as it comes; Polku never reads it. Signals mapped (all named
// "org.openedx.learning.<name>"), verb and object type:
//   course.enrollment.created.v1            ENROLLED    COURSE
//     initiator STAFF when created_by.id differs from user.id
//   course.enrollment.changed.v1            ENROLLED    COURSE
//     is_active false is kUnimplemented: the unenrolment signal reports it
//   course.unenrollment.completed.v1        UNENROLLED  COURSE
//     initiator SELF: created_by names who enrolled, not who unenrolled
//   certificate.created.v1, certificate.changed.v1
//                                           ACHIEVED    CERTIFICATE
//     only when current_status becomes "downloadable"
//   course.passing.status.updated.v1, ccx.course.passing.status.updated.v1
//                                           PASSED | FAILED  COURSE
//   course.persistent_grade_summary.changed.v1 (also accepted without
//   "course." and as ".created.v1")         GRADED      COURSE
//     score = percent_grade, success as for the tracking event, graded yes
//   forum.thread.created.v1                 POSTED      DISCUSSION
//   forum.thread.response.created.v1        REPLIED     DISCUSSION
//   forum.thread.response.comment.created.v1  COMMENTED DISCUSSION
//   badge.awarded.v1                        ACHIEVED    BADGE
//     object id = the badge template's uuid
//   program.certificate.awarded.v1          ACHIEVED    CERTIFICATE
//     object id = the program's uuid
//   exam.attempt.submitted.v1               SUBMITTED   ASSESSMENT
//     initiator STAFF when requesting_user differs from student_user
// Registration, login, cohort, role, notification, revocation and review
// signals are kUnimplemented "not a learning activity: <signal>".

#include <simdjson.h>

#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/field_error.h"
#include "common/hashing.h"
#include "common/status_macros.h"
#include "common/str_cat.h"
#include "common/strings.h"
#include "ingest/json_util.h"
#include "ingest/normaliser.h"
#include "ingest/xapi_vocabulary.h"
#include "model/event_codec.h"
#include "model/learning_event.h"

namespace polku::ingest {
namespace {

using common::InvalidFieldError;
using common::StrCat;
using model::Initiator;
using model::LearningEvent;
using model::ObjectType;
using model::Tristate;
using model::Verb;

using OptElement = std::optional<JsonElement>;

// ---------------------------------------------------------------------------
// Helpers shared by both normalisers.

// Event names come from the payload; keep error messages short.
std::string_view Clip(std::string_view s) { return s.substr(0, 200); }

absl::Status NotLearning(std::string_view type) {
  return absl::UnimplementedError(
      StrCat("not a learning activity: ", Clip(type)));
}

absl::Status NotMapped(std::string_view type) {
  return absl::UnimplementedError(
      StrCat("event type not mapped: ", Clip(type)));
}

std::string FieldPath(std::string_view parent, std::string_view key) {
  return StrCat(parent, ".", key);
}

// A member that must be an object when present. nullopt when absent or null.
absl::StatusOr<OptElement> ObjectAt(OptElement parent, std::string_view path,
                                    std::string_view key) {
  if (!parent.has_value()) return OptElement();
  OptElement m = Member(*parent, key);
  if (!m.has_value()) return OptElement();
  if (!m->is_object()) {
    return InvalidFieldError(FieldPath(path, key), "must be an object");
  }
  return m;
}

absl::StatusOr<JsonElement> RequiredObject(OptElement parent,
                                           std::string_view path,
                                           std::string_view key) {
  POLKU_ASSIGN_OR_RETURN(OptElement m, ObjectAt(parent, path, key));
  if (!m.has_value())
    return InvalidFieldError(FieldPath(path, key), "is required");
  return *m;
}

// A member that must be a string when present; nullopt when absent or null.
absl::StatusOr<std::optional<std::string_view>> StringAt(OptElement parent,
                                                         std::string_view path,
                                                         std::string_view key) {
  if (!parent.has_value()) return std::optional<std::string_view>();
  OptElement m = Member(*parent, key);
  if (!m.has_value()) return std::optional<std::string_view>();
  std::string_view s;
  if (m->get_string().get(s)) {
    return InvalidFieldError(FieldPath(path, key), "must be a string");
  }
  return std::optional<std::string_view>(s);
}

// As StringAt, but "" when absent.
absl::StatusOr<std::string_view> StringOrEmpty(OptElement parent,
                                               std::string_view path,
                                               std::string_view key) {
  POLKU_ASSIGN_OR_RETURN(auto s, StringAt(parent, path, key));
  return s.value_or(std::string_view());
}

absl::StatusOr<std::string_view> RequiredString(OptElement parent,
                                                std::string_view path,
                                                std::string_view key) {
  POLKU_ASSIGN_OR_RETURN(auto s, StringAt(parent, path, key));
  if (!s.has_value() || s->empty()) {
    return InvalidFieldError(FieldPath(path, key), "is required");
  }
  return *s;
}

// A member that must be a number when present; nullopt when absent or null.
absl::StatusOr<std::optional<double>> NumberAt(OptElement parent,
                                               std::string_view path,
                                               std::string_view key) {
  if (!parent.has_value()) return std::optional<double>();
  OptElement m = Member(*parent, key);
  if (!m.has_value()) return std::optional<double>();
  double v;
  if (m->get_double().get(v) || !std::isfinite(v)) {
    return InvalidFieldError(FieldPath(path, key), "must be a number");
  }
  return std::optional<double>(v);
}

absl::StatusOr<std::optional<bool>> BoolAt(OptElement parent,
                                           std::string_view path,
                                           std::string_view key) {
  if (!parent.has_value()) return std::optional<bool>();
  OptElement m = Member(*parent, key);
  if (!m.has_value()) return std::optional<bool>();
  bool v;
  if (m->get_bool().get(v)) {
    return InvalidFieldError(FieldPath(path, key), "must be true or false");
  }
  return std::optional<bool>(v);
}

// An opaque id sent as a string or an integer (forum ids, badge uuids).
// "" when absent.
absl::StatusOr<std::string> IdAt(OptElement parent, std::string_view path,
                                 std::string_view key) {
  if (!parent.has_value()) return std::string();
  OptElement m = Member(*parent, key);
  if (!m.has_value()) return std::string();
  std::string_view s;
  if (!m->get_string().get(s)) return std::string(s);
  int64_t i;
  if (!m->get_int64().get(i)) return std::to_string(i);
  uint64_t u;
  if (!m->get_uint64().get(u)) return std::to_string(u);
  return InvalidFieldError(FieldPath(path, key),
                           "must be a string or an integer");
}

absl::StatusOr<std::string> RequiredId(OptElement parent, std::string_view path,
                                       std::string_view key) {
  POLKU_ASSIGN_OR_RETURN(std::string id, IdAt(parent, path, key));
  if (id.empty()) return InvalidFieldError(FieldPath(path, key), "is required");
  return id;
}

// Reads an Open edX user id (an integer, or its decimal text as the grades
// events send it) into `out`, in canonical decimal form. Leaves `out` empty
// when the member is absent, null or "" (an anonymous user).
absl::Status ReadUserId(OptElement parent, std::string_view path,
                        std::string_view key, std::string* out) {
  out->clear();
  if (!parent.has_value()) return absl::OkStatus();
  OptElement m = Member(*parent, key);
  if (!m.has_value()) return absl::OkStatus();
  uint64_t id = 0;
  int64_t i;
  uint64_t u;
  std::string_view s;
  if (!m->get_int64().get(i)) {
    if (i <= 0) {
      return InvalidFieldError(FieldPath(path, key),
                               "must be a positive user id");
    }
    id = static_cast<uint64_t>(i);
  } else if (!m->get_uint64().get(u)) {
    id = u;
  } else if (!m->get_string().get(s)) {
    if (s.empty()) return absl::OkStatus();
    if (s.size() > 19) {
      return InvalidFieldError(FieldPath(path, key),
                               "must be a numeric user id");
    }
    for (char c : s) {
      if (c < '0' || c > '9') {
        return InvalidFieldError(FieldPath(path, key),
                                 "must be a numeric user id");
      }
      id = id * 10 + static_cast<uint64_t>(c - '0');
    }
    if (id == 0) {
      return InvalidFieldError(FieldPath(path, key),
                               "must be a positive user id");
    }
  } else {
    return InvalidFieldError(FieldPath(path, key),
                             "must be an integer or a numeric string");
  }
  *out = std::to_string(id);
  return absl::OkStatus();
}

// `user` is a UserData dict ({id, is_active, pii}); reads user.id. `pii` is
// never looked at.
absl::Status ReadUserDataId(OptElement parent, std::string_view path,
                            std::string_view key, std::string* out) {
  out->clear();
  POLKU_ASSIGN_OR_RETURN(OptElement user, ObjectAt(parent, path, key));
  if (!user.has_value()) return absl::OkStatus();
  return ReadUserId(user, FieldPath(path, key), "id", out);
}

absl::Status RequireUserDataId(OptElement parent, std::string_view path,
                               std::string_view key, std::string* out) {
  POLKU_RETURN_IF_ERROR(ReadUserDataId(parent, path, key, out));
  if (out->empty()) {
    return InvalidFieldError(StrCat(path, ".", key, ".id"), "is required");
  }
  return absl::OkStatus();
}

bool IsHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '-' || c == ':' ||
         c == '_' || c == '[' || c == ']';
}

// True for an http(s) URL without white space or control characters.
bool IsHttpUrl(std::string_view s) {
  if (!common::StartsWith(s, "http://") && !common::StartsWith(s, "https://")) {
    return false;
  }
  if (s.size() > 2048) return false;
  for (char c : s) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return false;
  }
  return true;
}

// True for ids safe to place in an IRI path segment (forum ids are hex).
bool IsPlainId(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

absl::StatusOr<int64_t> ReadTime(std::string_view text, std::string_view path) {
  auto ms = model::ParseTimestamp(text);
  if (!ms.ok()) {
    return InvalidFieldError(path, std::string(ms.status().message()));
  }
  if (*ms <= 0) return InvalidFieldError(path, "is before 1970-01-01");
  return *ms;
}

// An IRI without its query and fragment, canonical (model::CanonicalIri).
// Queries are dropped because links may carry personal data in them.
std::string LinkId(std::string_view url) {
  size_t cut = url.find_first_of("?#");
  return model::CanonicalIri(url.substr(0, cut));
}

// The usage key in a ".../jump_to/<usage key>" LMS URL, or "".
std::string_view JumpToKey(std::string_view url) {
  constexpr std::string_view kJumpTo = "/jump_to/";
  size_t at = url.find(kJumpTo);
  if (at == std::string_view::npos) return {};
  std::string_view key = url.substr(at + kJumpTo.size());
  key = key.substr(0, key.find_first_of("/?#"));
  return key;
}

// The usage key Open edX builds for block `block_id` of type `type` in
// `course_key` (BlockUsageLocator): "course-v1:O+N+R" gives
// "block-v1:O+N+R+type@<type>+block@<id>", "ccx-v1:..." gives
// "ccx-block-v1:...", an old "O/N/R" key gives "i4x://O/N/<type>/<id>".
// An id that already is a usage key is returned as it is.
std::string BlockUsageKey(std::string_view course_key, std::string_view type,
                          std::string_view block_id) {
  if (block_id.find(':') != std::string_view::npos)
    return std::string(block_id);
  auto with_prefix = [&](std::string_view from, std::string_view to) {
    return StrCat(to, course_key.substr(from.size()), "+type@", type, "+block@",
                  block_id);
  };
  if (common::StartsWith(course_key, "course-v1:")) {
    return with_prefix("course-v1:", "block-v1:");
  }
  if (common::StartsWith(course_key, "ccx-v1:")) {
    return with_prefix("ccx-v1:", "ccx-block-v1:");
  }
  if (common::StartsWith(course_key, "library-v1:")) {
    return with_prefix("library-v1:", "lib-block-v1:");
  }
  size_t first = course_key.find('/');
  if (first != std::string_view::npos) {
    size_t second = course_key.find('/', first + 1);
    if (second != std::string_view::npos) {
      return StrCat("i4x://", course_key.substr(0, second), "/", type, "/",
                    block_id);
    }
  }
  return std::string(block_id);
}

// The IRI of a forum post, as event-routing-backends writes it (canonical).
std::string ForumId(std::string_view instance, bool thread,
                    std::string_view id) {
  return StrCat(
      instance,
      thread ? "/api/discussion/v1/threads/" : "/api/discussion/v1/comments/",
      id);
}

absl::StatusOr<std::string> ForumPostId(OptElement parent,
                                        std::string_view path,
                                        std::string_view key,
                                        std::string_view instance,
                                        bool thread) {
  POLKU_ASSIGN_OR_RETURN(std::string id, RequiredId(parent, path, key));
  if (!IsPlainId(id)) {
    return InvalidFieldError(FieldPath(path, key), "is not a forum post id");
  }
  return ForumId(instance, thread, id);
}

std::optional<double> Ratio(std::optional<double> earned,
                            std::optional<double> possible) {
  if (!earned.has_value() || !possible.has_value() || !(*possible > 0)) {
    return std::nullopt;
  }
  double r = *earned / *possible;
  if (!(r >= -1.0 && r <= 1.0)) return std::nullopt;
  return r;
}

LearningEvent NewEvent(std::string_view instance, std::string_view type) {
  LearningEvent e;
  e.source.platform = model::Platform::kOpenEdx;
  e.source.instance = std::string(instance);
  e.source.event_type = std::string(type);
  e.initiator = Initiator::kSelf;
  return e;
}

// The object type of a block: its usage key's block type, read through the
// table the xAPI and Caliper normalisers refine Open edX IRIs with
// (PlatformObjectType), so every channel types a block alike (a problem is an
// ASSESSMENT, a sequential a MODULE); MODULE for a type the table lacks.
ObjectType BlockObjectType(std::string_view usage_key) {
  ObjectType t = PlatformObjectType(usage_key);
  return t == ObjectType::kUnspecified ? ObjectType::kModule : t;
}

void SetObject(LearningEvent& e, ObjectType type, std::string id,
               std::string_view course_id) {
  e.object.type = type;
  e.object.id = std::move(id);
  e.context.course_id = std::string(course_id);
  if (!course_id.empty() && e.object.id != course_id) {
    e.context.parents.push_back(std::string(course_id));
  }
}

// Sets the event id (source id, else the adapter's, else derived), applies
// the enrichment and appends the event.
void Finish(std::string_view tenant, const Enrichment& enrichment,
            std::string source_id, std::string_view discriminator,
            LearningEvent& e, std::vector<LearningEvent>& out) {
  if (!source_id.empty()) {
    e.event_id = std::move(source_id);
  } else if (!enrichment.event_id.empty()) {
    e.event_id = enrichment.event_id;
  } else {
    e.event_id = model::DeriveEventId(tenant, e, discriminator);
  }
  ApplyEnrichment(enrichment, e);
  out.push_back(std::move(e));
}

// ---------------------------------------------------------------------------
// Tracking-log events.

enum class Kind : uint8_t {
  kEnrollmentActivated,
  kEnrollmentDeactivated,
  kEnrollmentModeChanged,
  kCoursePassed,
  kCourseFailed,
  kCourseGradeCalculated,
  kSubsectionGraded,
  kProblemGraded,
  kProblemCheck,
  kShowAnswer,
  kHint,
  kProblemCompleted,
  kBlockCompletion,
  kCertificateCreated,
  kThreadCreated,
  kResponseCreated,
  kCommentCreated,
  kForumVoted,
  kThreadViewed,
  kForumEdited,
  kVideo,
  kVideoCompleted,
  kLinkClicked,
  kNavigation,
  kExamStarted,
  kExamSubmitted,
  kBookmarkAdded,
  kNotLearning,
  kUnmapped,
};

Kind Classify(std::string_view name) {
  static const auto* const kExact =
      new std::unordered_map<std::string_view, Kind>{
          {"edx.course.enrollment.activated", Kind::kEnrollmentActivated},
          {"edx.course.enrollment.deactivated", Kind::kEnrollmentDeactivated},
          {"edx.course.enrollment.mode_changed", Kind::kEnrollmentModeChanged},
          {"edx.course.grade.passed.first_time", Kind::kCoursePassed},
          {"edx.course.grade.now_passed", Kind::kCoursePassed},
          {"edx.course.grade.now_failed", Kind::kCourseFailed},
          {"edx.grades.course.grade_calculated", Kind::kCourseGradeCalculated},
          {"edx.grades.subsection.grade_calculated", Kind::kSubsectionGraded},
          {"edx.grades.problem.submitted", Kind::kProblemGraded},
          {"problem_check", Kind::kProblemCheck},
          {"showanswer", Kind::kShowAnswer},
          {"edx.problem.hint.demandhint_displayed", Kind::kHint},
          {"edx.problem.completed", Kind::kProblemCompleted},
          {"edx.completion.block_completion.changed", Kind::kBlockCompletion},
          {"edx.certificate.created", Kind::kCertificateCreated},
          {"edx.forum.thread.created", Kind::kThreadCreated},
          {"edx.forum.response.created", Kind::kResponseCreated},
          {"edx.forum.comment.created", Kind::kCommentCreated},
          {"edx.forum.thread.voted", Kind::kForumVoted},
          {"edx.forum.response.voted", Kind::kForumVoted},
          {"edx.forum.comment.voted", Kind::kForumVoted},
          {"edx.forum.thread.viewed", Kind::kThreadViewed},
          {"edx.forum.thread.edited", Kind::kForumEdited},
          {"edx.forum.response.edited", Kind::kForumEdited},
          {"edx.forum.comment.edited", Kind::kForumEdited},
          {"play_video", Kind::kVideo},
          {"pause_video", Kind::kVideo},
          {"seek_video", Kind::kVideo},
          {"load_video", Kind::kVideo},
          {"stop_video", Kind::kVideo},
          {"speed_change_video", Kind::kVideo},
          {"show_transcript", Kind::kVideo},
          {"hide_transcript", Kind::kVideo},
          {"video_show_cc_menu", Kind::kVideo},
          {"video_hide_cc_menu", Kind::kVideo},
          {"complete_video", Kind::kVideoCompleted},
          {"edx.ui.lms.link_clicked", Kind::kLinkClicked},
          // Legacy courseware navigation, data = {old, new, id}.
          {"seq_goto", Kind::kNavigation},
          {"seq_next", Kind::kNavigation},
          {"seq_prev", Kind::kNavigation},
          {"edx.bookmark.added", Kind::kBookmarkAdded},
      };
  if (auto it = kExact->find(name); it != kExact->end()) return it->second;
  using common::EndsWith;
  using common::StartsWith;
  if (StartsWith(name, "edx.video.")) {
    return EndsWith(name, ".completed") ? Kind::kVideoCompleted : Kind::kVideo;
  }
  if (StartsWith(name, "edx.ui.lms.")) return Kind::kNavigation;
  if (StartsWith(name, "edx.special_exam.")) {
    if (EndsWith(name, ".attempt.created") ||
        EndsWith(name, ".attempt.started")) {
      return Kind::kExamStarted;
    }
    if (EndsWith(name, ".attempt.submitted")) return Kind::kExamSubmitted;
    return Kind::kNotLearning;  // reviews, resets, exam configuration
  }
  if (StartsWith(name, "edx.forum.") &&
      (EndsWith(name, ".deleted") || EndsWith(name, ".reported") ||
       EndsWith(name, ".unreported"))) {
    return Kind::kNotLearning;
  }
  return Kind::kUnmapped;
}

// Events about a learner whose id is in data.user_id (the context user may
// be whoever caused the recalculation or made the change).
bool SubjectInData(Kind k) {
  switch (k) {
    case Kind::kEnrollmentActivated:
    case Kind::kEnrollmentDeactivated:
    case Kind::kEnrollmentModeChanged:
    case Kind::kCoursePassed:
    case Kind::kCourseFailed:
    case Kind::kCourseGradeCalculated:
    case Kind::kSubsectionGraded:
    case Kind::kProblemGraded:
    case Kind::kProblemCompleted:
    case Kind::kBlockCompletion:
    case Kind::kCertificateCreated:
      return true;
    default:
      return false;
  }
}

// The decoded parts of a tracking event.
struct Tracking {
  JsonElement root;
  OptElement context;
  std::string_view name;
  // `data` (or `event` in raw tracking logs), decoded when it was a
  // JSON-encoded string. `data_text` holds a string that is not JSON (the
  // browser problem_check's form data).
  OptElement data;
  std::optional<std::string_view> data_text;
  std::string_view data_path = "payload.data";
  // Resolved by the caller before mapping.
  std::string instance;  // canonical LMS instance
  std::string user_id;   // the learner's Open edX user id
  std::string_view course;
};

// Decodes `data` / `event`. Browser events in raw tracking logs carry it as a
// JSON-encoded string: that text is parsed with a parser of its own, because
// the thread's main parser still holds the outer document.
absl::Status DecodeData(Tracking& t) {
  OptElement d = Member(t.root, "data");
  if (!d.has_value()) {
    d = Member(t.root, "event");
    if (d.has_value()) t.data_path = "payload.event";
  }
  if (!d.has_value()) return absl::OkStatus();
  if (d->is_object()) {
    t.data = d;
    return absl::OkStatus();
  }
  std::string_view text;
  if (d->get_string().get(text)) {
    return InvalidFieldError(t.data_path, "must be an object or a JSON string");
  }
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return absl::OkStatus();
  if (text[first] != '{') {
    t.data_text = text;
    return absl::OkStatus();
  }
  thread_local simdjson::dom::parser nested_parser;
  thread_local simdjson::padded_string nested_buffer;
  nested_buffer = simdjson::padded_string(text.data(), text.size());
  JsonElement inner;
  if (auto error = nested_parser.parse(nested_buffer).get(inner); error) {
    return InvalidFieldError(
        t.data_path,
        StrCat("is not valid JSON (", simdjson::error_message(error), ")"));
  }
  if (!inner.is_object()) {
    return InvalidFieldError(t.data_path, "must encode a JSON object");
  }
  t.data = inner;
  return absl::OkStatus();
}

// The LMS instance: the adapter's, else the event's host.
absl::StatusOr<std::string> TrackingInstance(const Tracking& t,
                                             const Enrichment& enrichment) {
  if (!enrichment.instance.empty()) {
    return model::CanonicalInstance(enrichment.instance);
  }
  std::string_view path = "payload.context.host";
  POLKU_ASSIGN_OR_RETURN(auto host,
                         StringAt(t.context, "payload.context", "host"));
  if (!host.has_value() || host->empty()) {
    path = "payload.host";
    POLKU_ASSIGN_OR_RETURN(host, StringAt(t.root, "payload", "host"));
  }
  if (!host.has_value() || host->empty()) {
    return InvalidFieldError("payload.context.host",
                             "is required when the adapter sends no instance");
  }
  if (host->size() > 255) return InvalidFieldError(path, "is too long");
  for (char c : *host) {
    if (!IsHostChar(c)) return InvalidFieldError(path, "is not a host name");
  }
  return model::CanonicalInstance(*host);
}

// The learner's user id, looked for where `kind` puts it.
absl::StatusOr<std::string> TrackingLearner(const Tracking& t, Kind kind) {
  std::string id;
  if (kind == Kind::kExamStarted || kind == Kind::kExamSubmitted) {
    POLKU_RETURN_IF_ERROR(
        ReadUserId(t.data, t.data_path, "attempt_user_id", &id));
    if (!id.empty()) return id;
  }
  bool data_first = SubjectInData(kind);
  if (data_first) {
    POLKU_RETURN_IF_ERROR(ReadUserId(t.data, t.data_path, "user_id", &id));
    if (!id.empty()) return id;
  }
  POLKU_RETURN_IF_ERROR(
      ReadUserId(t.context, "payload.context", "user_id", &id));
  if (!id.empty()) return id;
  if (!data_first) {
    POLKU_RETURN_IF_ERROR(ReadUserId(t.data, t.data_path, "user_id", &id));
    if (!id.empty()) return id;
  }
  return InvalidFieldError("payload.context.user_id", "is required");
}

// Who enrolled or unenrolled the learner: STAFF when data.created_by (an id
// or a {"id": ...} object) or the requesting context user is someone else.
absl::StatusOr<Initiator> EnrolmentInitiator(const Tracking& t) {
  std::string other;
  OptElement created_by = t.data ? Member(*t.data, "created_by") : OptElement();
  if (created_by.has_value() && created_by->is_object()) {
    POLKU_RETURN_IF_ERROR(ReadUserId(
        created_by, FieldPath(t.data_path, "created_by"), "id", &other));
  } else {
    POLKU_RETURN_IF_ERROR(
        ReadUserId(t.data, t.data_path, "created_by", &other));
  }
  if (other.empty()) {
    POLKU_RETURN_IF_ERROR(
        ReadUserId(t.context, "payload.context", "user_id", &other));
  }
  return (!other.empty() && other != t.user_id) ? Initiator::kStaff
                                                : Initiator::kSelf;
}

// The course key: context.course_id, else data.course_id (data first for
// events about a learner's enrolment or grade).
absl::StatusOr<std::string_view> TrackingCourse(const Tracking& t, Kind kind) {
  POLKU_ASSIGN_OR_RETURN(
      std::string_view from_context,
      StringOrEmpty(t.context, "payload.context", "course_id"));
  POLKU_ASSIGN_OR_RETURN(std::string_view from_data,
                         StringOrEmpty(t.data, t.data_path, "course_id"));
  if (SubjectInData(kind)) return from_data.empty() ? from_context : from_data;
  return from_context.empty() ? from_data : from_context;
}

// The problem a browser problem_check is about: its form fields are named
// "input_<block hash>_<n>_<m>"; the usage key is built from the hash.
std::string BrowserProblemKey(std::string_view form, std::string_view course) {
  constexpr std::string_view kInput = "input_";
  size_t at = form.find(kInput);
  if (at == std::string_view::npos || course.empty()) return {};
  std::string_view rest = form.substr(at + kInput.size());
  size_t end = rest.find('_');
  if (end == std::string_view::npos || end == 0 || end > 64) return {};
  std::string_view hash = rest.substr(0, end);
  for (char c : hash) {
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    if (!hex) return {};
  }
  return BlockUsageKey(course, "problem", hash);
}

// Sets object name from context.module.display_name (the block's title).
absl::Status SetModuleName(const Tracking& t, LearningEvent& e) {
  POLKU_ASSIGN_OR_RETURN(OptElement module,
                         ObjectAt(t.context, "payload.context", "module"));
  POLKU_ASSIGN_OR_RETURN(
      std::string_view name,
      StringOrEmpty(module, "payload.context.module", "display_name"));
  e.object.name = std::string(name);
  return absl::OkStatus();
}

absl::StatusOr<std::string_view> ModuleUsageKey(const Tracking& t) {
  POLKU_ASSIGN_OR_RETURN(OptElement module,
                         ObjectAt(t.context, "payload.context", "module"));
  return StringOrEmpty(module, "payload.context.module", "usage_key");
}

// The mapping functions below fill in the event-specific part of `e`; the
// caller has set learner, instance, time and event type.

absl::Status RequireCourse(const Tracking& t) {
  if (t.course.empty()) {
    return InvalidFieldError(FieldPath(t.data_path, "course_id"),
                             "is required");
  }
  return absl::OkStatus();
}

// Enrolments, pass/fail, course grades and certificates: about a course.
absl::Status MapCourseEvent(const Tracking& t, Kind kind, LearningEvent& e) {
  POLKU_RETURN_IF_ERROR(RequireCourse(t));
  const OptElement& d = t.data;
  std::string_view dp = t.data_path;
  SetObject(e,
            kind == Kind::kCertificateCreated ? ObjectType::kCertificate
                                              : ObjectType::kCourse,
            std::string(t.course), t.course);
  switch (kind) {
    case Kind::kEnrollmentActivated:
    case Kind::kEnrollmentModeChanged:
    case Kind::kEnrollmentDeactivated: {
      e.verb = kind == Kind::kEnrollmentDeactivated ? Verb::kUnenrolled
                                                    : Verb::kEnrolled;
      POLKU_ASSIGN_OR_RETURN(std::string_view mode,
                             StringOrEmpty(d, dp, "mode"));
      e.context.enrolment_mode = std::string(mode);
      POLKU_ASSIGN_OR_RETURN(e.initiator, EnrolmentInitiator(t));
      if (kind == Kind::kEnrollmentModeChanged) {
        e.extensions["enrolment_change"] = "mode_changed";
      }
      return absl::OkStatus();
    }
    case Kind::kCoursePassed:
    case Kind::kCourseFailed: {
      bool passed = kind == Kind::kCoursePassed;
      e.verb = passed ? Verb::kPassed : Verb::kFailed;
      e.result.success = passed ? Tristate::kYes : Tristate::kNo;
      return absl::OkStatus();
    }
    case Kind::kCourseGradeCalculated: {
      e.verb = Verb::kGraded;
      e.context.graded = Tristate::kYes;
      POLKU_ASSIGN_OR_RETURN(auto percent, NumberAt(d, dp, "percent_grade"));
      if (percent.has_value() && *percent >= 0.0 && *percent <= 1.0) {
        e.result.score_scaled = *percent;
      }
      POLKU_ASSIGN_OR_RETURN(auto letter, StringAt(d, dp, "letter_grade"));
      if (letter.has_value()) {
        // Open edX leaves the letter grade empty below the lowest cut-off.
        e.result.success = letter->empty() ? Tristate::kNo : Tristate::kYes;
      }
      return absl::OkStatus();
    }
    case Kind::kCertificateCreated: {
      e.verb = Verb::kAchieved;
      POLKU_ASSIGN_OR_RETURN(std::string_view mode,
                             StringOrEmpty(d, dp, "enrollment_mode"));
      e.context.enrolment_mode = std::string(mode);
      return absl::OkStatus();
    }
    default:
      return absl::InternalError("not a course event");
  }
}

// Problems and graded subsections: assessments.
absl::Status MapAssessmentEvent(const Tracking& t, Kind kind,
                                LearningEvent& e) {
  const OptElement& d = t.data;
  std::string_view dp = t.data_path;
  switch (kind) {
    case Kind::kSubsectionGraded: {
      POLKU_ASSIGN_OR_RETURN(std::string_view block,
                             RequiredString(d, dp, "block_id"));
      e.verb = Verb::kGraded;
      e.context.graded = Tristate::kYes;
      SetObject(e, BlockObjectType(block), std::string(block), t.course);
      // The graded fields are what counts towards the course grade; the
      // totals include ungraded problems.
      POLKU_ASSIGN_OR_RETURN(auto earned,
                             NumberAt(d, dp, "weighted_graded_earned"));
      POLKU_ASSIGN_OR_RETURN(auto possible,
                             NumberAt(d, dp, "weighted_graded_possible"));
      e.result.score_scaled = Ratio(earned, possible);
      if (!e.result.score_scaled.has_value()) {
        POLKU_ASSIGN_OR_RETURN(earned,
                               NumberAt(d, dp, "weighted_total_earned"));
        POLKU_ASSIGN_OR_RETURN(possible,
                               NumberAt(d, dp, "weighted_total_possible"));
        e.result.score_scaled = Ratio(earned, possible);
      }
      return absl::OkStatus();
    }
    case Kind::kProblemGraded:
    case Kind::kProblemCompleted: {
      POLKU_ASSIGN_OR_RETURN(std::string_view problem,
                             RequiredString(d, dp, "problem_id"));
      SetObject(e, ObjectType::kAssessment, std::string(problem), t.course);
      POLKU_RETURN_IF_ERROR(SetModuleName(t, e));
      POLKU_ASSIGN_OR_RETURN(auto earned, NumberAt(d, dp, "weighted_earned"));
      POLKU_ASSIGN_OR_RETURN(auto possible,
                             NumberAt(d, dp, "weighted_possible"));
      e.result.score_scaled = Ratio(earned, possible);
      if (kind == Kind::kProblemCompleted) {
        e.verb = Verb::kCompleted;
        e.result.completion = Tristate::kYes;
      } else {
        e.verb = Verb::kSubmitted;
        if (e.result.score_scaled.has_value()) {
          e.result.success =
              *earned >= *possible ? Tristate::kYes : Tristate::kNo;
        }
      }
      return absl::OkStatus();
    }
    case Kind::kProblemCheck: {
      e.verb = Verb::kSubmitted;
      std::string problem;
      if (d.has_value()) {  // server event: the graded submission
        POLKU_ASSIGN_OR_RETURN(std::string_view id,
                               StringOrEmpty(d, dp, "problem_id"));
        problem = std::string(id);
        POLKU_ASSIGN_OR_RETURN(auto grade, NumberAt(d, dp, "grade"));
        POLKU_ASSIGN_OR_RETURN(auto max_grade, NumberAt(d, dp, "max_grade"));
        e.result.score_scaled = Ratio(grade, max_grade);
        POLKU_ASSIGN_OR_RETURN(std::string_view success,
                               StringOrEmpty(d, dp, "success"));
        if (success == "correct") e.result.success = Tristate::kYes;
        if (success == "incorrect") e.result.success = Tristate::kNo;
        POLKU_ASSIGN_OR_RETURN(auto attempts, NumberAt(d, dp, "attempts"));
        if (attempts.has_value() && *attempts >= 0 && *attempts < 1e9) {
          e.extensions["attempts"] =
              std::to_string(static_cast<int64_t>(*attempts));
        }
      } else if (t.data_text.has_value()) {  // browser event: the form data
        problem = BrowserProblemKey(*t.data_text, t.course);
      }
      if (problem.empty()) {
        POLKU_ASSIGN_OR_RETURN(std::string_view key, ModuleUsageKey(t));
        problem = std::string(key);
      }
      if (problem.empty()) {
        return InvalidFieldError(FieldPath(dp, "problem_id"), "is required");
      }
      SetObject(e, ObjectType::kAssessment, std::move(problem), t.course);
      POLKU_RETURN_IF_ERROR(SetModuleName(t, e));
      e.extensions["event_source"] = d.has_value() ? "server" : "browser";
      return absl::OkStatus();
    }
    case Kind::kShowAnswer:
    case Kind::kHint: {
      std::string_view key = kind == Kind::kHint ? "module_id" : "problem_id";
      POLKU_ASSIGN_OR_RETURN(std::string_view problem,
                             StringOrEmpty(d, dp, key));
      if (problem.empty()) {
        POLKU_ASSIGN_OR_RETURN(problem, ModuleUsageKey(t));
      }
      if (problem.empty())
        return InvalidFieldError(FieldPath(dp, key), "is required");
      e.verb = Verb::kAsked;
      SetObject(e, ObjectType::kAssessment, std::string(problem), t.course);
      POLKU_RETURN_IF_ERROR(SetModuleName(t, e));
      e.extensions["asked_for"] = kind == Kind::kHint ? "hint" : "answer";
      return absl::OkStatus();
    }
    case Kind::kExamStarted:
    case Kind::kExamSubmitted: {
      POLKU_ASSIGN_OR_RETURN(std::string_view exam,
                             RequiredString(d, dp, "exam_content_id"));
      bool submitted = kind == Kind::kExamSubmitted;
      e.verb = submitted ? Verb::kSubmitted : Verb::kStarted;
      SetObject(e, ObjectType::kAssessment, std::string(exam), t.course);
      POLKU_ASSIGN_OR_RETURN(std::string_view title,
                             StringOrEmpty(d, dp, "exam_name"));
      e.object.name = std::string(title);
      // "edx.special_exam.<timed|practice|proctored|onboarding>.attempt.*"
      std::string_view type =
          t.name.substr(std::string_view("edx.special_exam.").size());
      type = type.substr(0, type.find('.'));
      if (IsPlainId(type)) e.extensions["exam_type"] = std::string(type);
      if (submitted) {
        POLKU_ASSIGN_OR_RETURN(
            auto secs, NumberAt(d, dp, "attempt_event_elapsed_time_secs"));
        if (secs.has_value() && *secs >= 0 && *secs < 1e9) {
          e.result.duration_ms =
              static_cast<int64_t>(std::llround(*secs * 1000.0));
        }
      }
      return absl::OkStatus();
    }
    default:
      return absl::InternalError("not an assessment event");
  }
}

absl::Status MapCompletionEvent(const Tracking& t, LearningEvent& e) {
  const OptElement& d = t.data;
  std::string_view dp = t.data_path;
  POLKU_ASSIGN_OR_RETURN(std::string_view block,
                         RequiredString(d, dp, "block_id"));
  POLKU_ASSIGN_OR_RETURN(auto completion, NumberAt(d, dp, "completion"));
  if (!completion.has_value()) {
    return InvalidFieldError(FieldPath(dp, "completion"), "is required");
  }
  // Completion is a fraction; below 1 the learner made progress only.
  bool complete = *completion >= 1.0;
  e.verb = complete ? Verb::kCompleted : Verb::kInteracted;
  e.result.completion = complete ? Tristate::kYes : Tristate::kNo;
  SetObject(e, BlockObjectType(block), std::string(block), t.course);
  POLKU_ASSIGN_OR_RETURN(std::string_view block_type,
                         StringOrEmpty(d, dp, "block_type"));
  if (IsPlainId(block_type))
    e.extensions["block_type"] = std::string(block_type);
  return absl::OkStatus();
}

absl::Status MapForumEvent(const Tracking& t, Kind kind, LearningEvent& e) {
  const OptElement& d = t.data;
  std::string_view dp = t.data_path;
  if (kind == Kind::kForumEdited) {
    POLKU_ASSIGN_OR_RETURN(auto own, BoolAt(d, dp, "own_content"));
    if (own.has_value() && !*own) return NotLearning(t.name);  // moderation
  }
  bool thread = common::StartsWith(t.name, "edx.forum.thread.");
  POLKU_ASSIGN_OR_RETURN(std::string id,
                         ForumPostId(d, dp, "id", t.instance, thread));
  SetObject(e, ObjectType::kDiscussion, std::move(id), t.course);
  POLKU_ASSIGN_OR_RETURN(OptElement discussion, ObjectAt(d, dp, "discussion"));
  if (discussion.has_value() && !thread) {
    POLKU_ASSIGN_OR_RETURN(std::string parent,
                           ForumPostId(discussion, FieldPath(dp, "discussion"),
                                       "id", t.instance, /*thread=*/true));
    e.context.parents.push_back(std::move(parent));
  }
  switch (kind) {
    case Kind::kThreadCreated:
      e.verb = Verb::kPosted;
      break;
    case Kind::kResponseCreated:
      e.verb = Verb::kReplied;
      break;
    case Kind::kCommentCreated:
      e.verb = Verb::kCommented;
      break;
    case Kind::kThreadViewed:
      e.verb = Verb::kViewed;
      break;
    case Kind::kForumEdited:
      e.verb = Verb::kUpdated;
      break;
    default: {  // voted
      e.verb = Verb::kRated;
      POLKU_ASSIGN_OR_RETURN(std::string_view vote,
                             StringOrEmpty(d, dp, "vote_value"));
      if (vote == "up" || vote == "down")
        e.extensions["vote_value"] = std::string(vote);
      POLKU_ASSIGN_OR_RETURN(auto undo, BoolAt(d, dp, "undo_vote"));
      if (undo.value_or(false)) e.extensions["undo_vote"] = "true";
    }
  }
  return absl::OkStatus();
}

absl::Status MapVideoEvent(const Tracking& t, Kind kind, LearningEvent& e) {
  POLKU_ASSIGN_OR_RETURN(std::string id, RequiredId(t.data, t.data_path, "id"));
  bool completed = kind == Kind::kVideoCompleted;
  e.verb = completed ? Verb::kCompleted : Verb::kInteracted;
  if (completed) e.result.completion = Tristate::kYes;
  SetObject(e, ObjectType::kVideo, BlockUsageKey(t.course, "video", id),
            t.course);
  return absl::OkStatus();
}

// LMS navigation: a followed link is a resource; outline and sequence
// navigation views a module (a section, subsection or unit).
absl::Status MapNavigationEvent(const Tracking& t, Kind kind,
                                LearningEvent& e) {
  const OptElement& d = t.data;
  std::string_view dp = t.data_path;
  e.verb = Verb::kViewed;
  if (kind == Kind::kLinkClicked) {
    POLKU_ASSIGN_OR_RETURN(std::string_view target,
                           RequiredString(d, dp, "target_url"));
    if (!IsHttpUrl(target)) {
      return InvalidFieldError(FieldPath(dp, "target_url"),
                               "must be an http(s) URL");
    }
    SetObject(e, ObjectType::kResource, LinkId(target), t.course);
    return absl::OkStatus();
  }
  POLKU_ASSIGN_OR_RETURN(std::string id, IdAt(d, dp, "id"));
  if (id.empty()) {
    POLKU_ASSIGN_OR_RETURN(auto target, StringAt(d, dp, "target_url"));
    if (!target.has_value() || target->empty()) {
      return InvalidFieldError(FieldPath(dp, "id"), "is required");
    }
    if (!IsHttpUrl(*target)) {
      return InvalidFieldError(FieldPath(dp, "target_url"),
                               "must be an http(s) URL");
    }
    std::string_view key = JumpToKey(*target);
    id = key.empty() ? LinkId(*target) : std::string(key);
  }
  SetObject(e, ObjectType::kModule, std::move(id), t.course);
  POLKU_ASSIGN_OR_RETURN(std::string_view title,
                         StringOrEmpty(d, dp, "target_name"));
  e.object.name = std::string(title);
  return absl::OkStatus();
}

absl::Status MapBookmarkEvent(const Tracking& t, LearningEvent& e) {
  POLKU_ASSIGN_OR_RETURN(
      std::string_view block,
      RequiredString(t.data, t.data_path, "component_usage_id"));
  e.verb = Verb::kBookmarked;
  SetObject(e, ObjectType::kModule, std::string(block), t.course);
  POLKU_ASSIGN_OR_RETURN(std::string_view type,
                         StringOrEmpty(t.data, t.data_path, "component_type"));
  if (IsPlainId(type)) e.extensions["block_type"] = std::string(type);
  return absl::OkStatus();
}

absl::Status MapTracking(const Tracking& t, Kind kind, LearningEvent& e) {
  switch (kind) {
    case Kind::kEnrollmentActivated:
    case Kind::kEnrollmentModeChanged:
    case Kind::kEnrollmentDeactivated:
    case Kind::kCoursePassed:
    case Kind::kCourseFailed:
    case Kind::kCourseGradeCalculated:
    case Kind::kCertificateCreated:
      return MapCourseEvent(t, kind, e);
    case Kind::kSubsectionGraded:
    case Kind::kProblemGraded:
    case Kind::kProblemCompleted:
    case Kind::kProblemCheck:
    case Kind::kShowAnswer:
    case Kind::kHint:
    case Kind::kExamStarted:
    case Kind::kExamSubmitted:
      return MapAssessmentEvent(t, kind, e);
    case Kind::kBlockCompletion:
      return MapCompletionEvent(t, e);
    case Kind::kThreadCreated:
    case Kind::kResponseCreated:
    case Kind::kCommentCreated:
    case Kind::kForumVoted:
    case Kind::kThreadViewed:
    case Kind::kForumEdited:
      return MapForumEvent(t, kind, e);
    case Kind::kVideo:
    case Kind::kVideoCompleted:
      return MapVideoEvent(t, kind, e);
    case Kind::kLinkClicked:
    case Kind::kNavigation:
      return MapNavigationEvent(t, kind, e);
    case Kind::kBookmarkAdded:
      return MapBookmarkEvent(t, e);
    case Kind::kNotLearning:
      return NotLearning(t.name);
    case Kind::kUnmapped:
      break;
  }
  return NotMapped(t.name);
}

// ---------------------------------------------------------------------------
// openedx-events signals.

enum class Signal : uint8_t {
  kEnrollmentCreated,
  kEnrollmentChanged,
  kUnenrollment,
  kCertificateCreated,
  kCertificateChanged,
  kPassingStatus,
  kCcxPassingStatus,
  kGradeSummary,
  kThreadCreated,
  kResponseCreated,
  kCommentCreated,
  kBadgeAwarded,
  kProgramCertificateAwarded,
  kExamSubmitted,
  kNotLearning,
  kUnmapped,
};

Signal ClassifySignal(std::string_view signal) {
  static const auto* const kSignals =
      new std::unordered_map<std::string_view, Signal>{
          {"course.enrollment.created.v1", Signal::kEnrollmentCreated},
          {"course.enrollment.changed.v1", Signal::kEnrollmentChanged},
          {"course.unenrollment.completed.v1", Signal::kUnenrollment},
          {"certificate.created.v1", Signal::kCertificateCreated},
          {"certificate.changed.v1", Signal::kCertificateChanged},
          {"course.passing.status.updated.v1", Signal::kPassingStatus},
          {"ccx.course.passing.status.updated.v1", Signal::kCcxPassingStatus},
          // openedx-events names it "course.persistent_grade_summary.changed";
          // the other spellings are accepted for adapters that shorten it.
          {"course.persistent_grade_summary.changed.v1", Signal::kGradeSummary},
          {"course.persistent_grade_summary.created.v1", Signal::kGradeSummary},
          {"persistent_grade_summary.changed.v1", Signal::kGradeSummary},
          {"persistent_grade_summary.created.v1", Signal::kGradeSummary},
          {"forum.thread.created.v1", Signal::kThreadCreated},
          {"forum.thread.response.created.v1", Signal::kResponseCreated},
          {"forum.thread.response.comment.created.v1", Signal::kCommentCreated},
          {"badge.awarded.v1", Signal::kBadgeAwarded},
          {"program.certificate.awarded.v1",
           Signal::kProgramCertificateAwarded},
          {"exam.attempt.submitted.v1", Signal::kExamSubmitted},
          {"student.registration.completed.v1", Signal::kNotLearning},
          {"auth.session.login.completed.v1", Signal::kNotLearning},
          {"cohort_membership.changed.v1", Signal::kNotLearning},
          {"account_settings.changed.v1", Signal::kNotLearning},
          {"user.password.changed.v1", Signal::kNotLearning},
          {"learner.verification.completed.v1", Signal::kNotLearning},
          {"certificate.revoked.v1", Signal::kNotLearning},
          {"program.certificate.revoked.v1", Signal::kNotLearning},
          {"badge.revoked.v1", Signal::kNotLearning},
          {"discussions.configuration.changed.v1", Signal::kNotLearning},
          {"user.notification.requested.v1", Signal::kNotLearning},
          {"course.notification.requested.v1", Signal::kNotLearning},
          {"user.course_access_role.added.v1", Signal::kNotLearning},
          {"user.course_access_role.removed.v1", Signal::kNotLearning},
          {"exam.attempt.rejected.v1", Signal::kNotLearning},
          {"exam.attempt.verified.v1", Signal::kNotLearning},
          {"exam.attempt.errored.v1", Signal::kNotLearning},
          {"exam.attempt.reset.v1", Signal::kNotLearning},
          {"xblock.skill.verified.v1", Signal::kNotLearning},
          {"idv_attempt.created.v1", Signal::kNotLearning},
          {"idv_attempt.pending.v1", Signal::kNotLearning},
          {"idv_attempt.approved.v1", Signal::kNotLearning},
          {"idv_attempt.denied.v1", Signal::kNotLearning},
      };
  constexpr std::string_view kPrefix = "org.openedx.learning.";
  if (!common::StartsWith(signal, kPrefix)) return Signal::kUnmapped;
  auto it = kSignals->find(signal.substr(kPrefix.size()));
  return it == kSignals->end() ? Signal::kUnmapped : it->second;
}

struct SignalContext {
  std::string_view signal;
  std::string instance;
  std::string_view data_path = "payload.data";
  JsonElement data;
};

absl::Status MapEnrollment(const SignalContext& s, Signal kind,
                           LearningEvent& e, std::string* learner) {
  constexpr std::string_view p = "payload.data.enrollment";
  POLKU_ASSIGN_OR_RETURN(JsonElement enr,
                         RequiredObject(s.data, s.data_path, "enrollment"));
  POLKU_RETURN_IF_ERROR(RequireUserDataId(enr, p, "user", learner));
  POLKU_ASSIGN_OR_RETURN(JsonElement course, RequiredObject(enr, p, "course"));
  std::string course_path = FieldPath(p, "course");
  POLKU_ASSIGN_OR_RETURN(std::string_view course_key,
                         RequiredString(course, course_path, "course_key"));
  POLKU_ASSIGN_OR_RETURN(std::string_view mode, StringOrEmpty(enr, p, "mode"));
  POLKU_ASSIGN_OR_RETURN(auto active, BoolAt(enr, p, "is_active"));
  if (kind == Signal::kEnrollmentChanged && active.has_value() && !*active) {
    return absl::UnimplementedError(StrCat(
        "not a learning activity: ", s.signal,
        " with is_active false (org.openedx.learning.course.unenrollment."
        "completed.v1 reports the unenrolment)"));
  }
  e.verb = kind == Signal::kUnenrollment ? Verb::kUnenrolled : Verb::kEnrolled;
  SetObject(e, ObjectType::kCourse, std::string(course_key), course_key);
  POLKU_ASSIGN_OR_RETURN(std::string_view title,
                         StringOrEmpty(course, course_path, "display_name"));
  e.object.name = std::string(title);
  e.context.enrolment_mode = std::string(mode);
  if (kind != Signal::kUnenrollment) {
    // created_by names who created the enrolment; on an unenrolment it
    // still names that person, not who removed it.
    std::string creator;
    POLKU_RETURN_IF_ERROR(ReadUserDataId(enr, p, "created_by", &creator));
    if (!creator.empty() && creator != *learner)
      e.initiator = Initiator::kStaff;
  }
  if (kind == Signal::kEnrollmentChanged)
    e.extensions["enrolment_change"] = "changed";
  return absl::OkStatus();
}

absl::Status MapCertificate(const SignalContext& s, Signal kind,
                            LearningEvent& e, std::string* learner) {
  constexpr std::string_view p = "payload.data.certificate";
  POLKU_ASSIGN_OR_RETURN(JsonElement cert,
                         RequiredObject(s.data, s.data_path, "certificate"));
  POLKU_RETURN_IF_ERROR(RequireUserDataId(cert, p, "user", learner));
  POLKU_ASSIGN_OR_RETURN(JsonElement course, RequiredObject(cert, p, "course"));
  std::string course_path = FieldPath(p, "course");
  POLKU_ASSIGN_OR_RETURN(std::string_view course_key,
                         RequiredString(course, course_path, "course_key"));
  POLKU_ASSIGN_OR_RETURN(std::string_view status,
                         RequiredString(cert, p, "current_status"));
  POLKU_ASSIGN_OR_RETURN(std::string_view previous,
                         StringOrEmpty(cert, p, "previous_status"));
  // Only a certificate that became downloadable is an award; generating,
  // notpassing, unverified... are steps on the way or refusals.
  if (status != "downloadable" ||
      (kind == Signal::kCertificateChanged && previous == "downloadable")) {
    return absl::UnimplementedError(
        StrCat("not a learning activity: ", s.signal, " with current_status '",
               Clip(status), "' (only a new award is mapped)"));
  }
  e.verb = Verb::kAchieved;
  SetObject(e, ObjectType::kCertificate, std::string(course_key), course_key);
  POLKU_ASSIGN_OR_RETURN(std::string_view title,
                         StringOrEmpty(course, course_path, "display_name"));
  e.object.name = std::string(title);
  POLKU_ASSIGN_OR_RETURN(std::string_view mode, StringOrEmpty(cert, p, "mode"));
  e.context.enrolment_mode = std::string(mode);
  return absl::OkStatus();
}

absl::Status MapPassingStatus(const SignalContext& s, Signal kind,
                              LearningEvent& e, std::string* learner) {
  constexpr std::string_view p = "payload.data.course_passing_status";
  POLKU_ASSIGN_OR_RETURN(
      JsonElement st,
      RequiredObject(s.data, s.data_path, "course_passing_status"));
  POLKU_RETURN_IF_ERROR(RequireUserDataId(st, p, "user", learner));
  POLKU_ASSIGN_OR_RETURN(JsonElement course, RequiredObject(st, p, "course"));
  std::string course_path = FieldPath(p, "course");
  POLKU_ASSIGN_OR_RETURN(
      std::string_view course_key,
      RequiredString(
          course, course_path,
          kind == Signal::kCcxPassingStatus ? "ccx_course_key" : "course_key"));
  POLKU_ASSIGN_OR_RETURN(auto passing, BoolAt(st, p, "is_passing"));
  if (!passing.has_value())
    return InvalidFieldError(FieldPath(p, "is_passing"), "is required");
  e.verb = *passing ? Verb::kPassed : Verb::kFailed;
  e.result.success = *passing ? Tristate::kYes : Tristate::kNo;
  SetObject(e, ObjectType::kCourse, std::string(course_key), course_key);
  POLKU_ASSIGN_OR_RETURN(std::string_view title,
                         StringOrEmpty(course, course_path, "display_name"));
  e.object.name = std::string(title);
  return absl::OkStatus();
}

absl::Status MapGradeSummary(const SignalContext& s, LearningEvent& e,
                             std::string* learner) {
  constexpr std::string_view p = "payload.data.grade";
  POLKU_ASSIGN_OR_RETURN(JsonElement grade,
                         RequiredObject(s.data, s.data_path, "grade"));
  POLKU_RETURN_IF_ERROR(ReadUserId(grade, p, "user_id", learner));
  if (learner->empty())
    return InvalidFieldError(FieldPath(p, "user_id"), "is required");
  POLKU_ASSIGN_OR_RETURN(JsonElement course,
                         RequiredObject(grade, p, "course"));
  std::string course_path = FieldPath(p, "course");
  POLKU_ASSIGN_OR_RETURN(std::string_view course_key,
                         RequiredString(course, course_path, "course_key"));
  e.verb = Verb::kGraded;
  e.context.graded = Tristate::kYes;
  SetObject(e, ObjectType::kCourse, std::string(course_key), course_key);
  POLKU_ASSIGN_OR_RETURN(auto percent, NumberAt(grade, p, "percent_grade"));
  if (percent.has_value() && *percent >= 0.0 && *percent <= 1.0) {
    e.result.score_scaled = *percent;
  }
  // As for the tracking event: an empty letter grade is below the pass mark.
  POLKU_ASSIGN_OR_RETURN(auto letter, StringAt(grade, p, "letter_grade"));
  POLKU_ASSIGN_OR_RETURN(auto passed_at,
                         StringAt(grade, p, "passed_timestamp"));
  if (letter.has_value()) {
    e.result.success = letter->empty() ? Tristate::kNo : Tristate::kYes;
  } else if (passed_at.has_value() && !passed_at->empty()) {
    e.result.success = Tristate::kYes;
  }
  return absl::OkStatus();
}

absl::Status MapForum(const SignalContext& s, Signal kind, LearningEvent& e,
                      std::string* learner) {
  constexpr std::string_view p = "payload.data.thread";
  POLKU_ASSIGN_OR_RETURN(JsonElement thread,
                         RequiredObject(s.data, s.data_path, "thread"));
  POLKU_RETURN_IF_ERROR(RequireUserDataId(thread, p, "user", learner));
  POLKU_ASSIGN_OR_RETURN(std::string_view course_key,
                         RequiredString(thread, p, "course_id"));
  bool is_thread = kind == Signal::kThreadCreated;
  POLKU_ASSIGN_OR_RETURN(std::string id,
                         ForumPostId(thread, p, "id", s.instance, is_thread));
  SetObject(e, ObjectType::kDiscussion, std::move(id), course_key);
  POLKU_ASSIGN_OR_RETURN(OptElement discussion,
                         ObjectAt(thread, p, "discussion"));
  if (discussion.has_value() && !is_thread) {
    POLKU_ASSIGN_OR_RETURN(std::string parent,
                           ForumPostId(discussion, FieldPath(p, "discussion"),
                                       "id", s.instance, true));
    e.context.parents.push_back(std::move(parent));
  }
  e.verb = kind == Signal::kThreadCreated     ? Verb::kPosted
           : kind == Signal::kResponseCreated ? Verb::kReplied
                                              : Verb::kCommented;
  return absl::OkStatus();
}

absl::Status MapBadge(const SignalContext& s, LearningEvent& e,
                      std::string* learner) {
  constexpr std::string_view p = "payload.data.badge";
  POLKU_ASSIGN_OR_RETURN(JsonElement badge,
                         RequiredObject(s.data, s.data_path, "badge"));
  POLKU_RETURN_IF_ERROR(RequireUserDataId(badge, p, "user", learner));
  POLKU_ASSIGN_OR_RETURN(JsonElement tmpl,
                         RequiredObject(badge, p, "template"));
  std::string tp = FieldPath(p, "template");
  POLKU_ASSIGN_OR_RETURN(std::string template_id, RequiredId(tmpl, tp, "uuid"));
  e.verb = Verb::kAchieved;
  SetObject(e, ObjectType::kBadge, std::move(template_id), "");
  POLKU_ASSIGN_OR_RETURN(std::string_view name,
                         StringOrEmpty(tmpl, tp, "name"));
  e.object.name = std::string(name);
  POLKU_ASSIGN_OR_RETURN(std::string_view origin,
                         StringOrEmpty(tmpl, tp, "origin"));
  if (IsPlainId(origin)) e.extensions["badge_origin"] = std::string(origin);
  return absl::OkStatus();
}

absl::Status MapProgramCertificate(const SignalContext& s, LearningEvent& e,
                                   std::string* learner) {
  constexpr std::string_view p = "payload.data.program_certificate";
  POLKU_ASSIGN_OR_RETURN(
      JsonElement cert,
      RequiredObject(s.data, s.data_path, "program_certificate"));
  POLKU_RETURN_IF_ERROR(RequireUserDataId(cert, p, "user", learner));
  POLKU_ASSIGN_OR_RETURN(std::string_view status,
                         StringOrEmpty(cert, p, "status"));
  if (!status.empty() && status != "awarded") {
    return absl::UnimplementedError(
        StrCat("not a learning activity: ", s.signal, " with status '",
               Clip(status), "'"));
  }
  POLKU_ASSIGN_OR_RETURN(JsonElement program,
                         RequiredObject(cert, p, "program"));
  std::string pp = FieldPath(p, "program");
  POLKU_ASSIGN_OR_RETURN(std::string program_id,
                         RequiredId(program, pp, "uuid"));
  e.verb = Verb::kAchieved;
  SetObject(e, ObjectType::kCertificate, std::move(program_id), "");
  POLKU_ASSIGN_OR_RETURN(std::string_view title,
                         StringOrEmpty(program, pp, "title"));
  e.object.name = std::string(title);
  POLKU_ASSIGN_OR_RETURN(std::string_view type,
                         StringOrEmpty(program, pp, "program_type"));
  if (IsPlainId(type)) e.extensions["program_type"] = std::string(type);
  return absl::OkStatus();
}

absl::Status MapExamAttempt(const SignalContext& s, LearningEvent& e,
                            std::string* learner) {
  constexpr std::string_view p = "payload.data.exam_attempt";
  POLKU_ASSIGN_OR_RETURN(JsonElement attempt,
                         RequiredObject(s.data, s.data_path, "exam_attempt"));
  POLKU_RETURN_IF_ERROR(RequireUserDataId(attempt, p, "student_user", learner));
  POLKU_ASSIGN_OR_RETURN(std::string_view usage_key,
                         RequiredString(attempt, p, "usage_key"));
  POLKU_ASSIGN_OR_RETURN(std::string_view course_key,
                         StringOrEmpty(attempt, p, "course_key"));
  e.verb = Verb::kSubmitted;
  SetObject(e, ObjectType::kAssessment, std::string(usage_key), course_key);
  POLKU_ASSIGN_OR_RETURN(std::string_view type,
                         StringOrEmpty(attempt, p, "exam_type"));
  if (IsPlainId(type)) e.extensions["exam_type"] = std::string(type);
  std::string requester;
  POLKU_RETURN_IF_ERROR(
      ReadUserDataId(attempt, p, "requesting_user", &requester));
  if (!requester.empty() && requester != *learner)
    e.initiator = Initiator::kStaff;
  return absl::OkStatus();
}

}  // namespace

absl::Status NormaliseOpenEdxTracking(std::string_view tenant,
                                      const SourceEvent& source,
                                      std::vector<LearningEvent>& out) {
  POLKU_ASSIGN_OR_RETURN(JsonElement root, ParseJson(source.payload));
  if (!root.is_object())
    return InvalidFieldError("payload", "must be a JSON object");
  Tracking t;
  t.root = root;
  POLKU_ASSIGN_OR_RETURN(t.context, ObjectAt(root, "payload", "context"));
  POLKU_ASSIGN_OR_RETURN(auto name, StringAt(root, "payload", "name"));
  if (!name.has_value() || name->empty()) {
    POLKU_ASSIGN_OR_RETURN(name, StringAt(root, "payload", "event_type"));
  }
  if (!name.has_value() || name->empty()) {
    return InvalidFieldError("payload.name", "is required");
  }
  t.name = *name;
  Kind kind = Classify(t.name);
  if (kind == Kind::kUnmapped) return NotMapped(t.name);
  if (kind == Kind::kNotLearning) return NotLearning(t.name);

  POLKU_RETURN_IF_ERROR(DecodeData(t));

  std::string_view time_key = Member(root, "timestamp") ? "timestamp" : "time";
  std::string time_path = FieldPath("payload", time_key);
  POLKU_ASSIGN_OR_RETURN(auto time, StringAt(root, "payload", time_key));
  if (!time.has_value() || time->empty()) {
    return InvalidFieldError("payload.timestamp", "is required");
  }
  POLKU_ASSIGN_OR_RETURN(int64_t occurred_at, ReadTime(*time, time_path));

  POLKU_ASSIGN_OR_RETURN(t.user_id, TrackingLearner(t, kind));
  POLKU_ASSIGN_OR_RETURN(t.instance, TrackingInstance(t, source.enrichment));
  POLKU_ASSIGN_OR_RETURN(t.course, TrackingCourse(t, kind));

  LearningEvent e = NewEvent(t.instance, t.name);
  e.occurred_at_ms = occurred_at;
  e.learner.key = model::LearnerKey(t.instance, t.user_id);
  POLKU_RETURN_IF_ERROR(MapTracking(t, kind, e));

  // Server and browser problem_check events of one submission share the
  // rest of the tuple but for the time; keep them apart regardless.
  std::string_view discriminator;
  if (auto it = e.extensions.find("event_source"); it != e.extensions.end()) {
    discriminator = it->second;
  }
  Finish(tenant, source.enrichment, std::string(), discriminator, e, out);
  return absl::OkStatus();
}

absl::Status NormaliseOpenEdxSignal(std::string_view tenant,
                                    const SourceEvent& source,
                                    std::vector<LearningEvent>& out) {
  POLKU_ASSIGN_OR_RETURN(JsonElement root, ParseJson(source.payload));
  if (!root.is_object())
    return InvalidFieldError("payload", "must be a JSON object");
  POLKU_ASSIGN_OR_RETURN(std::string_view signal,
                         RequiredString(root, "payload", "signal"));
  Signal kind = ClassifySignal(signal);
  if (kind == Signal::kUnmapped) return NotMapped(signal);
  if (kind == Signal::kNotLearning) return NotLearning(signal);

  std::string event_id;
  POLKU_ASSIGN_OR_RETURN(auto id, StringAt(root, "payload", "id"));
  if (id.has_value() && !id->empty()) {
    if (!common::IsUuid(*id))
      return InvalidFieldError("payload.id", "must be a UUID");
    event_id = common::AsciiToLower(*id);
  }
  POLKU_ASSIGN_OR_RETURN(std::string_view time,
                         RequiredString(root, "payload", "time"));
  POLKU_ASSIGN_OR_RETURN(int64_t occurred_at, ReadTime(time, "payload.time"));

  SignalContext s;
  s.signal = signal;
  if (!source.enrichment.instance.empty()) {
    s.instance = model::CanonicalInstance(source.enrichment.instance);
  } else {
    POLKU_ASSIGN_OR_RETURN(auto lms, StringAt(root, "payload", "source_lms"));
    if (!lms.has_value() || lms->empty()) {
      return InvalidFieldError(
          "payload.source_lms",
          "is required when the adapter sends no instance");
    }
    if (!IsHttpUrl(*lms)) {
      return InvalidFieldError("payload.source_lms", "must be an http(s) URL");
    }
    s.instance = model::CanonicalInstance(*lms);
  }
  POLKU_ASSIGN_OR_RETURN(s.data, RequiredObject(root, "payload", "data"));

  LearningEvent e = NewEvent(s.instance, signal);
  e.occurred_at_ms = occurred_at;
  std::string learner;
  switch (kind) {
    case Signal::kEnrollmentCreated:
    case Signal::kEnrollmentChanged:
    case Signal::kUnenrollment:
      POLKU_RETURN_IF_ERROR(MapEnrollment(s, kind, e, &learner));
      break;
    case Signal::kCertificateCreated:
    case Signal::kCertificateChanged:
      POLKU_RETURN_IF_ERROR(MapCertificate(s, kind, e, &learner));
      break;
    case Signal::kPassingStatus:
    case Signal::kCcxPassingStatus:
      POLKU_RETURN_IF_ERROR(MapPassingStatus(s, kind, e, &learner));
      break;
    case Signal::kGradeSummary:
      POLKU_RETURN_IF_ERROR(MapGradeSummary(s, e, &learner));
      break;
    case Signal::kThreadCreated:
    case Signal::kResponseCreated:
    case Signal::kCommentCreated:
      POLKU_RETURN_IF_ERROR(MapForum(s, kind, e, &learner));
      break;
    case Signal::kBadgeAwarded:
      POLKU_RETURN_IF_ERROR(MapBadge(s, e, &learner));
      break;
    case Signal::kProgramCertificateAwarded:
      POLKU_RETURN_IF_ERROR(MapProgramCertificate(s, e, &learner));
      break;
    case Signal::kExamSubmitted:
      POLKU_RETURN_IF_ERROR(MapExamAttempt(s, e, &learner));
      break;
    case Signal::kNotLearning:
    case Signal::kUnmapped:
      return NotMapped(signal);
  }
  e.learner.key = model::LearnerKey(s.instance, learner);
  Finish(tenant, source.enrichment, std::move(event_id), "", e, out);
  return absl::OkStatus();
}

}  // namespace polku::ingest
