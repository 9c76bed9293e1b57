// Vocabularies shared by the xAPI and Caliper normalisers: xAPI verb IRIs,
// xAPI activity types and Caliper entity types mapped to Polku's enums, plus
// the IRI helpers both normalisers use to form ids that agree with the
// Moodle and Open edX normalisers.
//
// Every lookup is a binary search over a static table keyed by
// std::string_view and sorted once, on first use: no regular expressions and
// no allocation per lookup. All functions are pure and thread-safe.
//
// statement_internal holds the JSON field readers and error helpers the two
// normalisers share (error paths such as "payload.data[3].actor.id" are
// built only when an error is returned).
//
// Verb IRIs are looked up by namespace and term: the namespace (the IRI up to
// its last '/', scheme ignored) must be one of the vocabularies Polku knows
// (ADL, xAPI 2.0 ADL, TinCan registry, Activity Streams, w3id.org/xapi
// acrossx, tla, dod-isd, video, cmi5, openedx, and the edlm LMS profile used
// by Moodle's logstore_xapi); the term (the last segment) is then looked up
// in one table. So "http://activitystrea.ms/schema/1.0/create" and
// "http://activitystrea.ms/create" map the same way, as do http and https.
#ifndef POLKU_INGEST_XAPI_VOCABULARY_H_
#define POLKU_INGEST_XAPI_VOCABULARY_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "ingest/json_util.h"
#include "model/learning_event.h"

namespace polku::ingest {

// How a verb's meaning depends on the rest of the statement.
enum class VerbRule : uint8_t {
  kUnknown = 0,     // not in the vocabulary: the statement is not mapped
  kDirect,          // always `verb`
  kAdministrative,  // LMS administration (log in, course set-up, deletions)
  kNotLearning,     // well-formed but no learning activity (revocations,
                    // unsubscriptions, verification of a certificate code)
  kVoided,          // a voiding statement
  kCreate,          // CREATED for a learner artefact, POSTED/REPLIED in a
                    // discussion or message, administration otherwise
  kUpdate,          // UPDATED for a learner artefact or post, else admin
  kPosted,          // POSTED, or REPLIED inside an existing discussion
  kRegister,        // ENROLLED, administration when the object is the LMS
  kJoin,            // ATTENDED a live session, ENROLLED in a course,
                    // administration for groups
  kLeave,           // UNENROLLED from a course; leaving a group or a
                    // meeting is no learning activity
  kCompleted,       // COMPLETED; SUBMITTED when the object is an attempt
  kInitialized,     // STARTED; INTERACTED for a video
  kTerminated,      // SUBMITTED for an assessment, INTERACTED otherwise
  kProgressed,      // COMPLETED when result.completion is true, else
                    // INTERACTED
  kResumed,         // ENROLLED for a course (enrolment reactivated), else
                    // STARTED
  kSuspended,       // UNENROLLED for a course (enrolment suspended); no
                    // learning activity otherwise (an attempt saved)
  kAssigned,        // ENROLLED by assignment (programs): method PROGRAM,
                    // STAFF when a person is named, else SYSTEM
  // Caliper only:
  kActivated,    // ENROLLED in a course (offering, section, membership),
                 // administration for anything else
  kDeactivated,  // UNENROLLED likewise
  kEnded,        // media played to its end: COMPLETED, else INTERACTED
};

struct VerbInfo {
  VerbRule rule = VerbRule::kUnknown;
  model::Verb verb = model::Verb::kUnspecified;  // for kDirect
};

// Looks up an xAPI verb id. rule == kUnknown when the namespace or the term
// is not known.
VerbInfo LookupXapiVerb(std::string_view iri);

// Looks up a Caliper 1.1/1.2 action ("Viewed", "NavigatedTo"...; the term of
// a Caliper 1.0 action IRI "...action#Viewed" too). rule == kUnknown when
// the action is not known. Event types that change an action's meaning
// (MediaEvent, SessionEvent...) are handled by the Caliper normaliser.
VerbInfo LookupCaliperAction(std::string_view action);

// How far an object type from a vocabulary may be refined by the platform's
// own IRI structure (see PlatformObjectType).
enum class Refine : uint8_t {
  kNever = 0,
  kAlways,      // generic type: the platform's type wins
  kSurveyOnly,  // a question: refined only to SURVEY (choice, feedback)
};

struct ActivityTypeInfo {
  model::ObjectType type = model::ObjectType::kUnspecified;
  Refine refine = Refine::kAlways;  // unknown types may always be refined
  bool known = false;
  bool is_attempt = false;   // an attempt of an assessment
  bool is_platform = false;  // the LMS itself (log-in, account creation)
  bool is_person = false;    // a user profile: its name is a person's
  bool is_admin = false;     // LMS bookkeeping (calendars, categories,
                             // completion settings, reports)
};

// Looks up an xAPI activity type IRI (object.definition.type); the scheme
// and a fragment are ignored.
ActivityTypeInfo LookupXapiActivityType(std::string_view iri);

// Looks up a Caliper entity type ("CourseOffering", "VideoObject"...). A type
// sent as an IRI (Caliper 1.0 style, ".../caliper/v1/VideoObject") is looked
// up by its last term.
ActivityTypeInfo LookupCaliperEntityType(std::string_view type);

// The object type the platform's own IRI structure tells:
// - Moodle: ".../mod/<module>/..." gives the module's type (resource, page,
//   url, book, folder, imscp, h5pactivity, hvp, label -> RESOURCE; quiz ->
//   ASSESSMENT; assign -> ASSIGNMENT; forum -> DISCUSSION; wiki, glossary;
//   bigbluebuttonbn, facetoface, zoom, jitsi -> LIVE_SESSION; feedback,
//   choice, questionnaire, survey -> SURVEY; lti -> EXTERNAL_TOOL; video
//   modules -> VIDEO; customcert, coursecertificate -> CERTIFICATE; scorm,
//   lesson, data, chat, workshop and other modules -> MODULE);
//   "/course/resources.php" (a course's resource list) -> COURSE.
// - Open edX: a usage key "block-v1:...+type@<block type>+block@..." gives
//   the block's type (problem -> ASSESSMENT, video -> VIDEO, html -> RESOURCE,
//   chapter/sequential/vertical -> MODULE, discussion -> DISCUSSION...).
// kUnspecified when the IRI has neither form.
model::ObjectType PlatformObjectType(std::string_view iri);

// Applies PlatformObjectType(iri) to `info` according to info.refine.
model::ObjectType RefinedObjectType(const ActivityTypeInfo& info,
                                    std::string_view iri);

// The object type of a Moodle module (see PlatformObjectType); MODULE for an
// unknown module name, kUnspecified for text that is no module name. The
// Moodle normaliser types course modules with it too.
model::ObjectType MoodleModuleObjectType(std::string_view module);

// The module of a Moodle IRI ".../mod/<module>/...", or "" when the IRI has
// no such segment.
std::string_view MoodleModuleOfIri(std::string_view iri);

// Moodle modules that are graded activities (quiz, assign, assignment): an
// event about one has context.graded = yes in every normaliser.
bool IsGradedMoodleModule(std::string_view module);

// The object id Polku stores for an activity IRI: model::CanonicalIri(iri),
// except that an Open edX course or block IRI
// ("http://lms/course/course-v1:Org+Num+Run", "http://lms/xblock/block-v1:...")
// becomes the bare key ("course-v1:Org+Num+Run"), as the Open edX
// normaliser stores it.
std::string CanonicalObjectId(std::string_view iri);

// The enrolment method for a Moodle enrolment plugin name ("manual", "self",
// "cohort", "database", "ldap", "flatfile", "imsenterprise", "guest", "meta",
// "lti", "paypal", "fee", "totara_program", "totara_certification"...).
// kUnspecified when unknown.
model::EnrolmentMethod EnrolmentMethodFromName(std::string_view name);

// The initiator an enrolment method implies regardless of who acted:
// self/guest/lti/payment -> SELF, cohort/meta -> SYSTEM, database -> SIS_SYNC;
// kUnspecified for manual, program and unspecified (then who acted decides).
model::Initiator InitiatorForEnrolmentMethod(model::EnrolmentMethod method);

// True for an absolute IRI: a scheme (ALPHA *(ALPHA / DIGIT / "+" / "-" /
// ".")), ':', a non-empty rest, and no white space, control characters or
// the characters <>"{}|\^`.
bool IsAbsoluteIri(std::string_view s);

// "scheme://authority" of a hierarchical IRI ("" when it has none).
std::string_view IriOrigin(std::string_view iri);

// Learner artefacts: objects a learner creates and edits as part of learning
// (notes, wiki pages, glossary and blog entries, evidence, plans, reflections).
bool IsLearnerArtefact(model::ObjectType type);

// Whether an object's title may be kept: false for messages, notes and
// unknown objects, whose titles may be private text or a person's name.
bool MayKeepObjectName(model::ObjectType type);

// Lowercase hex SHA-1 (FIPS 180-4) of `data`; xAPI derives mbox_sha1sum
// with it.
std::string Sha1Hex(std::string_view data);

// Longest IRI (verb, object, actor id) the xAPI and Caliper normalisers
// accept; longer ones would fail model::ValidateEvent anyway.
inline constexpr size_t kMaxIriLength = 1024;

namespace statement_internal {

// Where a statement or event sits in the payload, for error paths:
// "payload", "payload[3]" (an xAPI array) or "payload.data[3]" (a Caliper
// envelope). Paths are only built when an error is returned.
class FieldPrefix {
 public:
  FieldPrefix() = default;
  FieldPrefix(std::string_view base, int64_t index)
      : base_(base), index_(index) {}
  // "<prefix>.<rest>", or the prefix alone when `rest` is empty.
  std::string Path(std::string_view rest) const;

 private:
  std::string_view base_ = "payload";
  int64_t index_ = -1;
};

// kInvalidArgument "<prefix>.<rest>: <what>" with the field attached.
absl::Status Invalid(const FieldPrefix& at, std::string_view rest,
                     std::string_view what);
// kUnimplemented "<prefix>.<rest>: <what>" with the field attached: a
// well-formed event Polku does not map.
absl::Status Unmapped(const FieldPrefix& at, std::string_view rest,
                      std::string_view what);

// Outcome of reading a member: absent (missing or JSON null), present with
// the expected type, or present with another type.
enum class Got : uint8_t { kAbsent, kOk, kWrongType };
Got ReadString(JsonElement parent, std::string_view key, std::string_view* out);
Got ReadObject(JsonElement parent, std::string_view key, JsonElement* out);
Got ReadBool(JsonElement parent, std::string_view key, bool* out);
Got ReadNumber(JsonElement parent, std::string_view key, double* out);

// What is wrong with an IRI value read with outcome `got`.
enum class IriCheck : uint8_t { kOk, kMissing, kNotString, kTooLong, kNotIri };
IriCheck CheckIri(Got got, std::string_view value, bool required);
// The kInvalidArgument for a failed CheckIri of `value` at `rest`. Callers
// build a computed `rest` only when they need this, so the common path
// allocates nothing.
absl::Status IriError(const FieldPrefix& at, std::string_view rest,
                      IriCheck check, std::string_view value);

// Reads an IRI member (a string, an absolute IRI, at most kMaxIriLength).
// Absent: kInvalidArgument "is required" when `required`, else OK with
// *out empty.
absl::Status ReadIri(JsonElement parent, std::string_view key, bool required,
                     const FieldPrefix& at, std::string_view rest,
                     std::string_view* out);

// Parses an ISO 8601 timestamp member into epoch ms (> 0).
absl::Status ParseTime(std::string_view text, const FieldPrefix& at,
                       std::string_view rest, int64_t* epoch_ms);

// The first string of a language map ({"en": "..."}), preferring English.
std::string_view LanguageMapText(JsonElement map);

}  // namespace statement_internal

}  // namespace polku::ingest

#endif  // POLKU_INGEST_XAPI_VOCABULARY_H_
