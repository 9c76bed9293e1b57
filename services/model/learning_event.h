// LearningEvent: the common schema every source event is normalised into.
//
// This is the core's own plain C++ type; only the api layer converts it to
// and from protobuf (polku.v1.LearningEvent, whose comments are the user
// documentation of each field). It carries no personal data: normalisers
// keep a stable learner key and drop names, e-mails, usernames, IP addresses,
// user agents and session ids.
//
// Enumerations have a kUnspecified zero value and a Name/Parse pair whose
// names match the proto enum value names without their prefix
// (e.g. Verb::kEnrolled <-> "ENROLLED").
#ifndef POLKU_MODEL_LEARNING_EVENT_H_
#define POLKU_MODEL_LEARNING_EVENT_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace polku::model {

// The system an event came from.
enum class Platform : uint8_t {
  kUnspecified = 0,
  kMoodle,
  kOpenEdx,
  kXapi,     // any xAPI emitter (an LRS forwarder, a work tool)
  kCaliper,  // any Caliper sensor
  kNative,   // sent as a LearningEvent by the caller
  kCount_,
};

// Who set the event in motion, relative to the learner.
enum class Initiator : uint8_t {
  kUnspecified = 0,
  kSelf,     // the learner
  kStaff,    // a teacher, manager or administrator acting on the learner
  kSystem,   // an automatic rule of the LMS (cohort sync, completion cron)
  kSisSync,  // a student-information or HR system
  kApi,      // an integration through an API without a person behind it
  kCount_,
};

// What happened. A small closed set; the source's own verb stays in
// `verb_iri` (xAPI) or `source.event_type`.
enum class Verb : uint8_t {
  kUnspecified = 0,
  kViewed,  // opened or looked at
  kEnrolled,
  kUnenrolled,
  kStarted,    // attempt, session or launch started
  kSubmitted,  // answer, assignment or attempt handed in
  kCompleted,
  kPassed,
  kFailed,
  kGraded,    // a grade was given (by staff or the system)
  kAchieved,  // badge, certificate, credential awarded
  kPosted,    // new discussion, thread or entry
  kReplied,   // reply or response in a discussion
  kCommented,
  kShared,
  kCreated,  // learner-made artefact: plan, note, wiki page, evidence
  kUpdated,  // learner-made artefact edited
  kSearched,
  kBookmarked,
  kRated,       // voted, liked, rated
  kReflected,   // wrote a reflection or journal entry
  kAttended,    // live session, face-to-face, meeting
  kInteracted,  // played, paused, navigated (passive media interaction)
  kAsked,       // asked for help or a hint
  kMentored,    // gave or received mentoring or peer review
  kCount_,
};

// The kind of thing the event is about.
enum class ObjectType : uint8_t {
  kUnspecified = 0,
  kCourse,
  kModule,      // a course section, unit or activity of unspecified kind
  kResource,    // file, page, URL, book chapter, folder
  kAssessment,  // quiz, exam, problem
  kAssignment,
  kDiscussion,  // forum, thread, post
  kWiki,
  kGlossary,
  kBlog,
  kMessage,
  kBadge,
  kCertificate,
  kCompetency,
  kEvidence,  // user evidence of prior learning
  kLearningPlan,
  kSearch,
  kVideo,
  kCommunity,
  kWorkAssignment,
  kReflection,
  kMentoring,
  kNote,
  kExternalTool,  // LTI launch
  kProgram,
  kLiveSession,  // virtual classroom, face-to-face session
  kSurvey,       // feedback, choice, questionnaire
  kCount_,
};

// How the learner came to be enrolled.
enum class EnrolmentMethod : uint8_t {
  kUnspecified = 0,
  kManual,    // enrolled by staff
  kSelf,      // self-enrolment
  kCohort,    // cohort or group sync
  kDatabase,  // external database, SIS or HR sync
  kGuest,
  kMeta,     // inherited from another course
  kProgram,  // assigned through a program or certification
  kLti,
  kPayment,
  kCount_,
};

// A yes/no fact that a source may not know.
enum class Tristate : uint8_t { kUnknown = 0, kNo, kYes };

std::string_view PlatformName(Platform p);
std::string_view InitiatorName(Initiator i);
std::string_view VerbName(Verb v);
std::string_view ObjectTypeName(ObjectType t);
std::string_view EnrolmentMethodName(EnrolmentMethod m);
// Parse the names above (case-insensitive); nullopt when unknown.
std::optional<Platform> ParsePlatform(std::string_view s);
std::optional<Initiator> ParseInitiator(std::string_view s);
std::optional<Verb> ParseVerb(std::string_view s);
std::optional<ObjectType> ParseObjectType(std::string_view s);
std::optional<EnrolmentMethod> ParseEnrolmentMethod(std::string_view s);

struct EventSource {
  Platform platform = Platform::kUnspecified;
  // The LMS instance, canonical form: host[/path], lowercase host, no scheme
  // and no trailing slash (e.g. "moodle.example.edu"). See LearnerKey().
  std::string instance;
  std::string adapter_version;
  // The source's own type: Moodle event name, Open edX event name, xAPI verb
  // IRI or Caliper action/type.
  std::string event_type;
};

struct Learner {
  // One stable key per learner and tenant, whatever the channel.
  std::string key;
  // Optional organisation unit and role, from the adapter's enrichment.
  std::string org_unit;
  std::string role;
};

struct EventObject {
  ObjectType type = ObjectType::kUnspecified;
  // Stable id within the instance (Moodle "course:2", an activity IRI...).
  std::string id;
  // Title of the activity (course or module name; never a person's name).
  std::string name;
};

struct EventContext {
  std::string course_id;
  std::vector<std::string> parents;  // enclosing activities, outermost first
  EnrolmentMethod enrolment_method = EnrolmentMethod::kUnspecified;
  std::string enrolment_mode;  // Open edX mode: audit, verified, ...
  Tristate required = Tristate::kUnknown;  // mandatory or compliance
  Tristate graded = Tristate::kUnknown;
  Tristate has_due_date = Tristate::kUnknown;
  Tristate in_flow_of_work = Tristate::kUnknown;  // sent from a work tool
  Tristate future_skill = Tristate::kUnknown;     // tagged strategic skill
  std::vector<std::string> competencies;
  std::vector<std::string> goal_ids;
  std::string org_unit;
};

struct EventResult {
  Tristate completion = Tristate::kUnknown;
  Tristate success = Tristate::kUnknown;
  std::optional<double> score_scaled;  // in [-1, 1]
  std::optional<int64_t> duration_ms;
};

struct LearningEvent {
  std::string event_id;
  EventSource source;
  int64_t occurred_at_ms = 0;  // Unix epoch milliseconds
  Learner learner;
  Initiator initiator = Initiator::kUnspecified;
  Verb verb = Verb::kUnspecified;
  std::string verb_iri;
  EventObject object;
  EventContext context;
  EventResult result;
  // Small source-specific facts that have no field of their own. Values are
  // never personal data.
  std::map<std::string, std::string> extensions;
};

// The learner key for a platform user: "<instance>#<user id>", e.g.
// "moodle.example.edu#42". `instance` may be a URL; it is canonicalised.
std::string LearnerKey(std::string_view instance, std::string_view user_id);

// Canonical instance: strips scheme, "www." is kept, lowercases the host,
// drops a trailing slash, query and fragment.
std::string CanonicalInstance(std::string_view url_or_host);

// Canonical object id from an IRI or URL: strips the scheme, lowercases the
// host, keeps path and query, drops the fragment and a trailing slash. So
// "http://Moodle.example.edu/course/view.php?id=2" and the id a Moodle
// normaliser builds from (wwwroot, "/course/view.php?id=2") agree. A value
// without "://" (an opaque id such as "course-v1:edX+DemoX+Demo_Course") is
// returned unchanged.
std::string CanonicalIri(std::string_view iri);

}  // namespace polku::model

#endif  // POLKU_MODEL_LEARNING_EVENT_H_
