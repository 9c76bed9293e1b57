// Golden tests: real LMS events, normalised and tagged with the shipped
// default rules (deploy/config/rules.yaml), against the learning-mode model
// (shared MODEL.md).
//
// Each golden case names a real fixture under ../shared/fixtures (or a
// variant of one, with a note saying which fixture it came from and what was
// changed), the mode MODEL.md leads to, and the sign of each dimension
// MODEL.md makes clear. The expectations are written from the model's
// reasoning (the "why" of each case), not from what the code outputs: when a
// case fails, the mapping or the rule is what gets fixed.
//
// Signs are written per dimension as "<dimension><sign>": "+" the
// learning-leadership pole, "-" the competence-development pole, "0" no
// evidence either way (exactly 0), "*" either. A dimension a case does not
// name may take any value.
//
// The cross-format tests then check that the same real-world event tags the
// same way whichever channel it came through: each Moodle event.json against
// the statements.json logstore_xapi made of it; each Open edX tracking event
// against the xAPI statement and the Caliper event event-routing-backends made
// of it; and Moodle events written as Caliper events. The differences that
// cannot be avoided are listed, each with its reason, and a listed difference
// that disappears fails the test so the list stays exact.
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/str_cat.h"
#include "common/strings.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/normaliser.h"
#include "ingest/source_event.h"
#include "ingest/test_support.h"
#include "model/event_codec.h"
#include "model/learning_event.h"
#include "model/rules.h"
#include "model/tagger.h"
#include "model/tags.h"

namespace polku::ingest {
namespace {

namespace fs = std::filesystem;
using model::Dimension;
using model::EnrolmentMethod;
using model::EventTags;
using model::LearningEvent;
using model::Mode;
using model::Tristate;
using test_support::DeriveMoodleCoreEvent;
using test_support::Edit;
using test_support::FixtureRoot;
using test_support::ReadFile;
using test_support::ReadFixture;

constexpr char kTenant[] = "tenant-golden";
constexpr char kMoodleWwwroot[] = "http://www.example.org";
constexpr char kOpenEdxLms[] = "http://localhost:18000";
// When the events reached Polku: the time of statements that carry none.
constexpr int64_t kReceivedAtMs = 1700000000000;

constexpr Mode kStructured = Mode::kStructured;
constexpr Mode kSelfDirected = Mode::kSelfDirected;
constexpr Mode kBlended = Mode::kBlended;

// ------------------------------------------------------------ the tagger

const model::Tagger& DefaultTagger() {
  static const model::Tagger* const tagger = [] {
    auto rules =
        model::RuleSet::Load(POLKU_SOURCE_DIR "/deploy/config/rules.yaml");
    if (!rules.ok()) {
      ADD_FAILURE() << rules.status();
      return static_cast<model::Tagger*>(nullptr);
    }
    return new model::Tagger(*rules);
  }();
  return *tagger;
}

char SignOf(double score) {
  return score > 1e-9 ? '+' : (score < -1e-9 ? '-' : '0');
}

// "STRUCTURED initiative- format- setting0 social0 orientation0 goal_link0
// [initiative.enrolled_by_staff, ...]": what a tag says, for messages.
std::string Describe(const EventTags& t) {
  std::string out(model::ModeName(t.mode));
  for (Dimension d : model::kAllDimensions) {
    common::StrAppend(&out, " ", model::DimensionName(d),
                      SignOf(t.score[static_cast<size_t>(d)]));
  }
  out += " [";
  for (size_t i = 0; i < t.fired.size(); ++i) {
    common::StrAppend(&out, i > 0 ? ", " : "", t.fired[i]->id);
  }
  return out + "]";
}

// The signs of all six dimensions and the mode: what the cross-format tests
// compare ("STRUCTURED --0-00").
std::string Shape(const EventTags& t) {
  std::string out(model::ModeName(t.mode));
  out += ' ';
  for (double s : t.score) out += SignOf(s);
  return out;
}

// ------------------------------------------------------------- the sources

// The instance the adapter of the fixture's LMS reports.
std::string InstanceOf(std::string_view fixture) {
  return common::StartsWith(fixture, "moodle/") ? kMoodleWwwroot : kOpenEdxLms;
}

// The source event for a fixture file, with what the adapter adds: the
// instance, and beside a Moodle event.json what the Moodle adapter reads
// from the database (test_support::MoodleAdapterEnrichment).
SourceEvent SourceFor(SourceFormat format, std::string_view fixture,
                      std::string payload) {
  SourceEvent s =
      test_support::MakeSource(format, std::move(payload), InstanceOf(fixture));
  if (format == SourceFormat::kMoodle) {
    s.enrichment = test_support::MoodleAdapterEnrichment(
        (FixtureRoot() / std::string(fixture)).parent_path());
  }
  s.received_at_ms = kReceivedAtMs;
  return s;
}

struct Tagged {
  absl::Status status;
  std::vector<LearningEvent> events;
  std::vector<EventTags> tags;
};

Tagged NormaliseAndTag(const SourceEvent& source) {
  Tagged out;
  auto events = test_support::NormaliseAll(kTenant, source);
  out.status = events.status();
  if (!events.ok()) return out;
  out.events = *std::move(events);
  for (const LearningEvent& e : out.events) {
    out.tags.push_back(DefaultTagger().Tag(e));
  }
  return out;
}

// ---------------------------------------------------------- golden cases

struct Golden {
  std::string name;
  SourceFormat format;
  // The fixture, relative to ../shared/fixtures; for a variant, the fixture
  // it was derived from.
  std::string fixture;
  Mode mode;
  std::string signs;  // "initiative- format- social0 ..."
  std::string why;    // the reasoning of MODEL.md
  // For a variant: what was changed, and how. `make` returns the payload
  // (the fixture's text when empty); `enrich` adds to the enrichment.
  std::string derived;
  std::function<std::string()> make;
  std::function<void(Enrichment&)> enrich;
};

// Real events, as the fixtures hold them.
const std::vector<Golden>& RealCases() {
  constexpr SourceFormat kMoodle = SourceFormat::kMoodle;
  constexpr SourceFormat kXapi = SourceFormat::kXapi;
  constexpr SourceFormat kTracking = SourceFormat::kOpenEdxTracking;
  constexpr SourceFormat kCaliper = SourceFormat::kCaliper;
  static const auto* const cases = new std::vector<Golden>{
      // --- Moodle event data ($event->get_data()) ------------------------
      {"moodle manual enrolment by an administrator", kMoodle,
       "moodle/core/user_enrolment_created/existing_user_enrolled/event.json",
       kStructured,
       "initiative- format- setting0 social0 orientation0 goal_link0",
       "an administrator enrolled the learner (manual method): assigned "
       "top-down, into a course with a start and an end"},
      {"moodle unenrolment", kMoodle,
       "moodle/core/user_enrolment_deleted/existing_user_enrolment_deleted/"
       "event.json",
       kBlended, "initiative0 format0 setting0 social0 orientation0 goal_link0",
       "leaving a course says nothing about how the learner learns"},
      {"moodle enrolment reactivated", kMoodle,
       "moodle/core/user_enrolment_updated/user_resumed_course/event.json",
       kStructured, "initiative- format- social0 orientation0",
       "an administrator reactivated a manual enrolment: assigned"},
      {"moodle enrolment suspended", kMoodle,
       "moodle/core/user_enrolment_updated/user_suspended_course/event.json",
       kBlended, "initiative0 format0 setting0 social0 orientation0 goal_link0",
       "a suspension (the adapter sends user_enrolments.status 1) is an "
       "unenrolment: no evidence of a mode"},
      {"moodle course page view", kMoodle,
       "moodle/core/course_viewed/viewing_existing_course/event.json", kBlended,
       "initiative0 format- setting0 social0 orientation0 goal_link0",
       "a passive view carries little signal; a course page belongs to a "
       "bounded course"},
      {"moodle course completion", kMoodle,
       "moodle/core/course_completed/completing_existing_course/event.json",
       kStructured,
       "initiative0 format- setting0 social- orientation0 goal_link-",
       "a personal completion record of a bounded course, tied to no goal"},
      {"moodle activity completion of course material", kMoodle,
       "moodle/core/course_module_completion_update/completing_existing_module/"
       "event.json",
       kBlended, "initiative0 format- setting0 orientation0 goal_link0",
       "completion tracking of course material: weakly the formal unit, "
       "passive"},
      {"moodle global search", kMoodle,
       "moodle/core/search_results_viewed/user_viewed_search_results/"
       "event.json",
       kSelfDirected,
       "initiative+ format+ setting0 social0 orientation+ goal_link0",
       "searching for something to learn: self-chosen, informal, exploring"},
      {"moodle personal note", kMoodle,
       "moodle/core/note_created/user_created_note/event.json", kSelfDirected,
       "initiative+ format+ setting0 social0 orientation0 goal_link0",
       "a note of one's own is continuous, informal learning"},
      {"moodle note edited", kMoodle,
       "moodle/core/note_updated/user_updated_note/event.json", kSelfDirected,
       "initiative+ format+ social0", "as a new note"},
      {"moodle direct message", kMoodle,
       "moodle/core/message_sent/user_sent_message/event.json", kSelfDirected,
       "initiative+ setting0 social+ orientation0 goal_link0",
       "writing to another person is social, and by choice"},
      {"moodle group message", kMoodle,
       "moodle/core/group_message_sent/new_group_message_sent/event.json",
       kSelfDirected, "initiative+ social+ orientation0",
       "a group message (MODEL.md: social evidence)"},
      {"moodle badge awarded", kMoodle,
       "moodle/core/badge_awarded/user_achieved_badge/event.json", kBlended,
       "initiative0 format- setting0 social0 orientation0",
       "a credential (format -), but badges also recognise learning done "
       "anywhere: not decisive alone"},
      {"moodle certificate issued", kMoodle,
       "moodle/tool_certificate/certificate_issued/event.json", kStructured,
       "initiative0 format- setting0 social0 orientation0 goal_link-",
       "a certificate is the bounded formal unit's credential; no goal"},
      {"moodle programme assignment", kMoodle,
       "moodle/totara_program/program_assigned/existing_program/event.json",
       kStructured,
       "initiative- format- setting0 social0 orientation0 goal_link0",
       "assigned to a programme by an assignment rule: top-down, formal"},
      {"moodle assignment submitted", kMoodle,
       "moodle/mod_assign/assignment_submitted/existing_assignment_submitted/"
       "event.json",
       kStructured,
       "initiative0 format- setting0 social- orientation0 goal_link0",
       "an individual, graded assignment handed in"},
      {"moodle quiz attempt started", kMoodle,
       "moodle/mod_quiz/attempt_started/existing_attempt_started/event.json",
       kStructured, "initiative0 format- social- orientation0",
       "a graded quiz, taken alone"},
      {"moodle quiz attempt submitted", kMoodle,
       "moodle/mod_quiz/attempt_submitted/multichoice/event.json", kStructured,
       "initiative0 format- setting0 social- orientation0 goal_link0",
       "a graded quiz, taken alone"},
      {"moodle lesson question answered", kMoodle,
       "moodle/mod_lesson/question_answered/choice/event.json", kStructured,
       "format- social-", "a question of a lesson: an individual assessment"},
      {"moodle lesson ended", kMoodle,
       "moodle/mod_lesson/lesson_ended/event.json", kStructured,
       "initiative0 format- social- orientation0",
       "a lesson worked through to its end: a bounded unit, alone"},
      {"moodle SCORM package completed", kMoodle,
       "moodle/mod_scorm/status_submitted/existing_status_submitted/"
       "event.json",
       kStructured, "initiative0 format- social- orientation0",
       "an e-learning package completed: a bounded unit, alone"},
      {"moodle SCORM score", kMoodle,
       "moodle/mod_scorm/scoreraw_submitted/existing_scoreraw_submitted/"
       "event.json",
       kStructured, "format- social-", "a scored e-learning package"},
      {"moodle forum discussion started", kMoodle,
       "moodle/mod_forum/discussion_created/event.json", kSelfDirected,
       "initiative+ format+ setting0 social+ orientation0 goal_link0",
       "starting a discussion: writing for others, on one's own initiative"},
      {"moodle forum post by the learner", kMoodle,
       "moodle/mod_forum/post_created/event.json", kSelfDirected,
       "initiative+ format+ setting0 social+ orientation0 goal_link0",
       "replying in a discussion: social learning, by choice"},
      {"moodle discussion followed", kMoodle,
       "moodle/mod_forum/discussion_subscription_created/event.json",
       kSelfDirected, "initiative+ format+ social0 orientation+",
       "following a discussion is the forum's bookmark: saved to come back "
       "to, exploring"},
      {"moodle discussion read", kMoodle,
       "moodle/mod_forum/discussion_viewed/existing_discussion_viewed/"
       "event.json",
       kBlended, "initiative0 setting0 social+ orientation0 goal_link0",
       "reading what others wrote: weakly social, passive"},
      {"moodle wiki comment", kMoodle,
       "moodle/mod_wiki/comment_created/event.json", kSelfDirected,
       "initiative+ setting0 social+ orientation0",
       "commenting on shared work is social, and by choice"},
      {"moodle glossary comment", kMoodle,
       "moodle/mod_glossary/comment_created/event.json", kSelfDirected,
       "initiative+ social+", "commenting on a shared glossary entry"},
      {"moodle live session joined", kMoodle,
       "moodle/mod_bigbluebuttonbn/meeting_joined/event.json", kStructured,
       "initiative0 format- setting- orientation0 goal_link0",
       "a scheduled live session: a training event apart from daily work"},
      {"moodle face-to-face sign-up", kMoodle,
       "moodle/mod_facetoface/signup_success/existing_signup_success/"
       "event.json",
       kBlended, "initiative+ format- setting- social0",
       "the learner signed up themself (+), for a scheduled classroom "
       "session apart from work (-): both"},
      {"moodle LTI tool opened", kMoodle,
       "moodle/mod_lti/course_module_viewed/existing_module/event.json",
       kBlended, "initiative0 setting+ social0",
       "an external tool (MODEL.md: LTI launch, weakly in the flow of work)"},
      {"moodle book chapter read", kMoodle,
       "moodle/mod_book/chapter_viewed/existing_chapter_viewed_with_parent/"
       "event.json",
       kBlended, "initiative0 format- setting0 social0 orientation0",
       "course material looked at: passive, part of the course"},
      {"moodle page viewed", kMoodle,
       "moodle/mod_page/course_module_viewed/existing_module/event.json",
       kBlended, "initiative0 format- social0", "course material, passive"},
      {"moodle poll answered", kMoodle,
       "moodle/mod_choice/answer_created/event.json", kBlended,
       "initiative0 setting0 social0 orientation0 goal_link0",
       "answering a poll: MODEL.md has no evidence of either mode in it"},

      // --- Moodle logstore_xapi statements --------------------------------
      {"moodle statement: manual enrolment", kXapi,
       "moodle/core/user_enrolment_created/existing_user_enrolled/"
       "statements.json",
       kStructured,
       "initiative- format- setting0 social0 orientation0 goal_link0",
       "as the event: enrolled by an administrator"},
      {"moodle statement: enrolment suspended", kXapi,
       "moodle/core/user_enrolment_updated/user_suspended_course/"
       "statements.json",
       kBlended, "initiative0 format0 setting0 social0 orientation0",
       "as the event: a suspension carries no evidence"},
      {"moodle statement: programme assignment", kXapi,
       "moodle/totara_program/program_assigned/existing_program/"
       "statements.json",
       kStructured, "initiative- format-", "as the event: assigned"},
      {"moodle statement: course completion", kXapi,
       "moodle/core/course_completed/completing_existing_course/"
       "statements.json",
       kStructured, "initiative0 format- social- goal_link-",
       "as the event: a completion record"},
      {"moodle statement: search", kXapi,
       "moodle/core/search_results_viewed/user_viewed_search_results/"
       "statements.json",
       kSelfDirected,
       "initiative+ format+ setting0 social0 orientation+ goal_link0",
       "as the event; forwarded by the LMS (its site is the statement's "
       "category), so not a look-up in the flow of work"},
      {"moodle statement: quiz attempt and its question", kXapi,
       "moodle/mod_quiz/attempt_submitted/multichoice/statements.json",
       kStructured, "initiative0 format- setting0 social- orientation0",
       "as the event: a graded quiz, alone"},
      {"moodle statement: assignment graded by the teacher", kXapi,
       "moodle/mod_assign/assignment_graded/"
       "existing_assignment_graded_comment/statements.json",
       kStructured, "initiative0 format- social-",
       "a grade recorded by a teacher: the formal unit's outcome; who graded "
       "says nothing about who chose the learning"},
      {"moodle statement: forum post", kXapi,
       "moodle/mod_forum/post_created/statements.json", kSelfDirected,
       "initiative+ format+ setting0 social+",
       "as the event: replying in a discussion"},
      {"moodle statement: note", kXapi,
       "moodle/core/note_created/user_created_note/statements.json",
       kSelfDirected, "initiative+ format+ social0", "as the event"},
      {"moodle statement: wiki comment", kXapi,
       "moodle/mod_wiki/comment_created/statements.json", kSelfDirected,
       "initiative+ social+", "as the event"},
      {"moodle statement: certificate", kXapi,
       "moodle/tool_certificate/certificate_issued/statements.json",
       kStructured, "format- goal_link-", "as the event"},
      {"moodle statement: live session", kXapi,
       "moodle/mod_bigbluebuttonbn/meeting_joined/statements.json", kStructured,
       "format- setting-", "as the event"},

      // --- Open edX tracking log ------------------------------------------
      {"open edx audit enrolment", kTracking,
       "openedx/tracking/edx.course.enrollment.activated.json", kBlended,
       "initiative+ format- setting0 social0 orientation0 goal_link0",
       "the learner enrolled themself (no created_by): self-chosen, into a "
       "bounded course; both"},
      {"open edx unenrolment", kTracking,
       "openedx/tracking/edx.course.enrollment.deactivated.json", kBlended,
       "initiative0 format0 setting0 social0 orientation0 goal_link0",
       "leaving a course carries no evidence"},
      {"open edx course passed", kTracking,
       "openedx/tracking/edx.course.grade.passed.first_time.json", kStructured,
       "initiative0 format- social- goal_link-",
       "passing a course: the bounded unit's outcome, personal, no goal"},
      {"open edx course failed", kTracking,
       "openedx/tracking/edx.course.grade.now_failed.json", kStructured,
       "initiative0 format- social-", "the bounded unit's outcome"},
      {"open edx course grade", kTracking,
       "openedx/tracking/edx.grades.course.grade_calculated_letter_grade.json",
       kStructured, "initiative0 format- social0", "a course grade"},
      {"open edx graded subsection", kTracking,
       "openedx/tracking/edx.grades.subsection.grade_calculated.json",
       kStructured, "initiative0 format- orientation0",
       "a grade for a graded subsection (MODEL.md: grade item)"},
      {"open edx problem answered", kTracking,
       "openedx/tracking/problem_check(server).json", kStructured,
       "initiative0 format- setting0 social- orientation0",
       "a scored problem: an individual assessment"},
      {"open edx problem completed", kTracking,
       "openedx/tracking/edx.completion.block_completion.changed.json",
       kStructured, "format- social-",
       "the completion of a problem block: an assessment of the course"},
      {"open edx timed exam submitted", kTracking,
       "openedx/tracking/edx.special_exam.proctored.attempt.submitted.json",
       kStructured, "initiative0 format- social-", "a proctored exam"},
      {"open edx answer shown", kTracking, "openedx/tracking/showanswer.json",
       kBlended, "initiative+ setting0 social0 orientation0",
       "asking for the answer is the learner's own step, but asks the "
       "system, not others"},
      {"open edx hint shown", kTracking,
       "openedx/tracking/edx.problem.hint.demandhint_displayed.json", kBlended,
       "initiative+ social0", "as for the answer"},
      {"open edx thread started", kTracking,
       "openedx/tracking/edx.forum.thread.created.json", kSelfDirected,
       "initiative+ format+ setting0 social+ orientation0 goal_link0",
       "a new discussion: social, by choice"},
      {"open edx response", kTracking,
       "openedx/tracking/edx.forum.response.created.json", kSelfDirected,
       "initiative+ format+ social+", "a reply in a discussion"},
      {"open edx comment", kTracking,
       "openedx/tracking/edx.forum.comment.created.json", kSelfDirected,
       "initiative+ social+", "a comment on a response"},
      {"open edx vote", kTracking,
       "openedx/tracking/edx.forum.thread.voted.json", kSelfDirected,
       "initiative+ social+", "rating others' contributions"},
      {"open edx thread read", kTracking,
       "openedx/tracking/edx.forum.thread.viewed.json", kBlended,
       "initiative0 social+", "reading others: weakly social"},
      {"open edx video played", kTracking, "openedx/tracking/play_video.json",
       kBlended, "initiative0 format- setting0 social0 orientation0 goal_link0",
       "course material, passive"},
      {"open edx video watched to the end", kTracking,
       "openedx/tracking/complete_video.json", kBlended,
       "initiative0 format- setting0 social0",
       "course material finished: passive, weakly the formal unit"},
      {"open edx link followed", kTracking,
       "openedx/tracking/edx.ui.lms.link_clicked.json", kBlended,
       "initiative0 format- social0", "course navigation: passive"},
      {"open edx outline", kTracking,
       "openedx/tracking/edx.ui.lms.outline.selected.json", kBlended,
       "initiative0 format- social0", "course navigation: passive"},

      // --- Open edX xAPI statements ---------------------------------------
      {"open edx statement: audit enrolment", kXapi,
       "openedx/xapi/edx.course.enrollment.activated.json", kBlended,
       "initiative+ format- setting0 social0 orientation0",
       "as the tracking event"},
      {"open edx statement: multi-question problem", kXapi,
       "openedx/xapi/problem_check(server,multiple_questions,correct).json",
       kStructured, "initiative0 format- social-",
       "one statement per question, each an individual assessment"},
      {"open edx statement: thread started", kXapi,
       "openedx/xapi/edx.forum.thread.created.json", kSelfDirected,
       "initiative+ format+ social+", "as the tracking event"},
      {"open edx statement: graded subsection", kXapi,
       "openedx/xapi/edx.grades.subsection.grade_calculated.json", kStructured,
       "format-", "as the tracking event"},
      {"open edx statement: problem completed", kXapi,
       "openedx/xapi/edx.completion.block_completion.changed.json", kStructured,
       "format- social-", "as the tracking event"},
      {"open edx statement: video watched to the end", kXapi,
       "openedx/xapi/complete_video.json", kBlended, "initiative0 format-",
       "as the tracking event"},

      // --- Open edX Caliper events ----------------------------------------
      {"open edx caliper: audit enrolment", kCaliper,
       "openedx/caliper/edx.course.enrollment.activated.json", kBlended,
       "initiative+ format- social0", "as the tracking event"},
      {"open edx caliper: problem answered", kCaliper,
       "openedx/caliper/problem_check(server).json", kStructured,
       "initiative0 format- social-", "as the tracking event"},
      {"open edx caliper: video played", kCaliper,
       "openedx/caliper/play_video.json", kBlended, "initiative0 format-",
       "as the tracking event"},
      {"open edx caliper: course passed", kCaliper,
       "openedx/caliper/edx.course.grade.passed.first_time.json", kStructured,
       "format- social- goal_link-",
       "as the tracking event (Caliper says Completed)"},
      {"open edx caliper: hint", kCaliper,
       "openedx/caliper/edx.problem.hint.demandhint_displayed.json", kBlended,
       "initiative+ social0", "as the tracking event"},
      {"open edx caliper: link followed", kCaliper,
       "openedx/caliper/edx.ui.lms.link_clicked.json", kBlended,
       "initiative0 format-", "as the tracking event"},
  };
  return *cases;
}

// The Moodle enrolment of the fixture with other.enrol (PHP-serialised)
// replaced by `plugin`, and userid by `userid` when not empty.
std::string MoodleEnrolment(std::string_view plugin, std::string_view userid) {
  std::string text = ReadFixture(
      "moodle/core/user_enrolment_created/existing_user_enrolled/event.json");
  text = Edit(text, R"(s:6:\"manual\")",
              common::StrCat("s:", plugin.size(), R"(:\")", plugin, R"(\")"));
  if (!userid.empty()) {
    text = Edit(text, "\"userid\": 1,",
                common::StrCat("\"userid\": ", userid, ","));
  }
  return text;
}

// The owner of a learning plan: Moodle's plan events name no relateduserid;
// the plan's user context (level 30) is learner 2's.
constexpr std::string_view kPlanOwner =
    "\"contextlevel\": 30, \"contextinstanceid\": 2, ";

// Variants the fixtures lack, each derived from a real fixture.
const std::vector<Golden>& VariantCases() {
  constexpr SourceFormat kMoodle = SourceFormat::kMoodle;
  constexpr SourceFormat kXapi = SourceFormat::kXapi;
  constexpr SourceFormat kTracking = SourceFormat::kOpenEdxTracking;
  const std::string enrolment =
      "moodle/core/user_enrolment_created/existing_user_enrolled/event.json";
  const std::string badge =
      "moodle/core/badge_awarded/user_achieved_badge/event.json";
  const std::string post = "moodle/mod_forum/post_created/event.json";
  const std::string completion =
      "moodle/core/course_completed/completing_existing_course/event.json";
  const std::string edx_enrolment =
      "openedx/tracking/edx.course.enrollment.activated.json";
  static const auto* const cases = new std::vector<Golden>{
      {"moodle self enrolment", kMoodle, enrolment, kBlended,
       "initiative+ format- setting0 social0 orientation0 goal_link0",
       "the learner chose the course (+) but it is a bounded course (-): "
       "both",
       "other.enrol manual -> self and userid 1 -> 2 (the learner enrols "
       "themself)",
       [] { return MoodleEnrolment("self", "2"); }},
      {"moodle self enrolment in an optional course", kMoodle, enrolment,
       kSelfDirected, "initiative+ format- orientation+",
       "the learner decides (MODEL.md's 'who decides') and chose something "
       "optional, ahead of any demand (proactive): that outweighs the "
       "course's bounded shape",
       "as the self enrolment, and the adapter says the course is not "
       "required",
       [] { return MoodleEnrolment("self", "2"); },
       [](Enrichment& en) { en.course_required = Tristate::kNo; }},
      {"moodle cohort enrolment", kMoodle, enrolment, kStructured,
       "initiative- format- setting0 social0 orientation0 goal_link0",
       "a cohort sync put the learner on the course: assigned",
       "other.enrol manual -> cohort (cohort sync, run by the administrator "
       "who saved the cohort)",
       [] { return MoodleEnrolment("cohort", ""); }},
      {"moodle HR system enrolment", kMoodle, enrolment, kStructured,
       "initiative- format-",
       "an external database (HR, SIS) enrolment: assigned",
       "other.enrol manual -> database",
       [] { return MoodleEnrolment("database", ""); }},
      {"moodle cohort enrolment in a required course", kMoodle, enrolment,
       kStructured, "initiative- format- setting- orientation-",
       "assigned, mandatory (reactive, compliance) and apart from work",
       "other.enrol manual -> cohort; the adapter says the course is "
       "required",
       [] { return MoodleEnrolment("cohort", ""); },
       [](Enrichment& en) { en.course_required = Tristate::kYes; }},
      {"moodle learner-made learning plan", kMoodle, badge, kSelfDirected,
       "initiative+ format+ setting0 social0 orientation0",
       "a plan the learner wrote: their own learning path",
       "event competency_plan_created on competency_plan, userid 2 and the "
       "plan's user context 2 (the learner), other null",
       [] {
         return DeriveMoodleCoreEvent(
             "competency_plan_created", "competency_plan",
             common::StrCat(kPlanOwner, "\"userid\": 2,"), "null");
       }},
      {"moodle learning plan from a template", kMoodle, badge, kStructured,
       "initiative- format- social0",
       "a manager set up the plan from a ready-made template: assigned",
       "as the learner-made plan, but userid 3 (a manager) and "
       "other.templateid 5",
       [] {
         return DeriveMoodleCoreEvent(
             "competency_plan_created", "competency_plan",
             common::StrCat(kPlanOwner, "\"userid\": 3,"),
             R"({"templateid": 5})");
       }},
      {"moodle user evidence of prior learning", kMoodle, badge, kSelfDirected,
       "initiative+ format+ setting0 social0",
       "evidence of learning done elsewhere, recorded by the learner",
       "event competency_user_evidence_created on competency_userevidence, "
       "relateduserid and userid 2",
       [] {
         return DeriveMoodleCoreEvent(
             "competency_user_evidence_created", "competency_userevidence",
             "\"relateduserid\": 2, \"userid\": 2,", "null");
       }},
      {"moodle competency rated for the current role", kMoodle, badge,
       kStructured, "format- orientation-",
       "a rating against a role's competency framework: reactive, formal",
       "event competency_user_competency_rated on competency_usercomp, "
       "learner 2 rated by teacher 3, other.grade 2",
       [] {
         return DeriveMoodleCoreEvent(
             "competency_user_competency_rated", "competency_usercomp",
             "\"relateduserid\": 2, \"userid\": 3,", R"({"grade": 2})");
       }},
      {"moodle competency rated, a future skill", kMoodle, badge, kBlended,
       "format- orientation+",
       "the competency is tagged as a future skill: proactive outweighs the "
       "rating's reactive lean",
       "as the competency rating; the adapter tags it as a future skill",
       [] {
         return DeriveMoodleCoreEvent(
             "competency_user_competency_rated", "competency_usercomp",
             "\"relateduserid\": 2, \"userid\": 3,", R"({"grade": 2})");
       },
       [](Enrichment& en) { en.future_skill = Tristate::kYes; }},
      {"moodle course completion tied to a goal and a future skill", kMoodle,
       completion, kBlended, "format- social- orientation+ goal_link+",
       "a formal course (-) that builds a future skill and serves an "
       "organisation goal (+): both, as MODEL.md wants them",
       "the adapter adds goal id goal:customer-insight and tags the course "
       "as a future skill",
       nullptr,
       [](Enrichment& en) {
         en.goal_ids = {"goal:customer-insight"};
         en.future_skill = Tristate::kYes;
       }},
      {"moodle required compliance course completion", kMoodle, completion,
       kStructured, "format- setting- social- orientation- goal_link-",
       "mandatory training, taken apart from work, tied to no goal",
       "the adapter says the course is required and not in the flow of work",
       nullptr,
       [](Enrichment& en) {
         en.course_required = Tristate::kYes;
         en.in_flow_of_work = Tristate::kNo;
       }},
      {"moodle forum post in a goal-linked course", kMoodle, post,
       kSelfDirected, "initiative+ format+ social+ orientation+ goal_link+",
       "self-directed social learning tied to a business goal (MODEL.md's "
       "first closing question)",
       "the adapter adds goal id goal:customer-insight and tags the course "
       "as a future skill",
       nullptr,
       [](Enrichment& en) {
         en.goal_ids = {"goal:customer-insight"};
         en.future_skill = Tristate::kYes;
       }},
      {"moodle forum post in a required cohort course", kMoodle, post, kBlended,
       "initiative- format+ setting- social+ orientation-",
       "social writing (+) inside training the learner was assigned and "
       "must take (-): both",
       "the adapter says the course is required and the learner came by "
       "cohort",
       nullptr,
       [](Enrichment& en) {
         en.course_required = Tristate::kYes;
         en.enrolment_method = EnrolmentMethod::kCohort;
       }},
      {"moodle quiz in a required cohort course", kMoodle,
       "moodle/mod_quiz/attempt_submitted/multichoice/event.json", kStructured,
       "initiative- format- setting- social- orientation-",
       "a graded quiz of assigned, mandatory training: competence "
       "development at its clearest",
       "the adapter says the course is required and the learner came by "
       "cohort",
       nullptr,
       [](Enrichment& en) {
         en.course_required = Tristate::kYes;
         en.enrolment_method = EnrolmentMethod::kCohort;
       }},
      {"moodle wiki comment on a page", kMoodle,
       "moodle/mod_wiki/comment_created/event.json", kSelfDirected,
       "initiative+ setting0 social+",
       "as the fixture: commenting on shared work",
       "other.itemid 1 (the wiki page) added, as a live Moodle event "
       "carries it",
       [] {
         return Edit(ReadFixture("moodle/mod_wiki/comment_created/event.json"),
                     "\"objecttable\": \"comments\",",
                     "\"objecttable\": \"comments\", \"other\": "
                     "{\"itemid\": 1},");
       }},
      {"moodle badge awarded by a teacher", kMoodle, badge, kBlended,
       "initiative0 format-",
       "who awarded a badge does not say who chose the learning",
       "userid 3 (a teacher) added",
       [] {
         return Edit(ReadFixture("moodle/core/badge_awarded/"
                                 "user_achieved_badge/event.json"),
                     "\"relateduserid\": 1,",
                     "\"relateduserid\": 1, \"userid\": 3,");
       }},
      {"open edx enrolment by staff", kTracking, edx_enrolment, kStructured,
       "initiative- format- social0 orientation0",
       "a member of staff enrolled the learner (created_by): assigned",
       "data.created_by 5 (another user) added",
       [] {
         return Edit(ReadFixture("openedx/tracking/"
                                 "edx.course.enrollment.activated.json"),
                     "\"mode\": \"audit\",",
                     "\"mode\": \"audit\", \"created_by\": 5,");
       }},
      {"open edx self-enrolment in a verified track", kTracking, edx_enrolment,
       kBlended, "initiative+ format- social0",
       "the learner enrolled themself (created_by is the learner): "
       "self-chosen, a bounded course",
       "data.mode audit -> verified and data.created_by 3 (the learner)",
       [] {
         return Edit(ReadFixture("openedx/tracking/"
                                 "edx.course.enrollment.activated.json"),
                     "\"mode\": \"audit\",",
                     "\"mode\": \"verified\", \"created_by\": 3,");
       }},
      {"open edx self-enrolment in an optional goal-linked course", kTracking,
       edx_enrolment, kSelfDirected,
       "initiative+ format- orientation+ goal_link+",
       "a learner-chosen optional course that maps to an organisation goal: "
       "learning leadership tied to the business",
       "the adapter says the course is optional and carries goal "
       "goal:customer-insight",
       nullptr,
       [](Enrichment& en) {
         en.course_required = Tristate::kNo;
         en.goal_ids = {"goal:customer-insight"};
       }},
      {"xapi look-up in a work tool", kXapi,
       "openedx/xapi/edx.ui.lms.link_clicked.json", kSelfDirected,
       "initiative0 format+ setting+ social0",
       "a short look-up in a work tool, during work: informal, in the flow "
       "of work",
       "the course parent and the Open edX extensions removed and the "
       "object replaced by a work wiki page; the LRS integration says it "
       "comes from a work tool (in_flow_of_work)",
       [] {
         std::string text =
             ReadFixture("openedx/xapi/edx.ui.lms.link_clicked.json");
         text = Edit(text, "\"contextActivities\"", "\"unusedActivities\"");
         text = Edit(text,
                     "https://w3id.org/xapi/openedx/extension/"
                     "transformer-version",
                     "https://wiki.example.com/xapi/version");
         text =
             Edit(text, "https://w3id.org/xapi/openedx/extensions/session-id",
                  "https://wiki.example.com/xapi/session");
         text = Edit(text,
                     "http://localhost:18000/courses/"
                     "course-v1:edX+DemoX+Demo_Course/jump_to/"
                     "block-v1:edX+DemoX+Demo_Course+type@sequential+block@"
                     "6ab9c442501d472c8ed200e367b4edfa",
                     "https://wiki.example.com/howto/price-quotes");
         return text;
       },
       [](Enrichment& en) { en.in_flow_of_work = Tristate::kYes; }},
  };
  return *cases;
}

// Checks one expected sign; `spec` is "<dimension><sign>".
void ExpectSign(const EventTags& t, std::string_view spec,
                const std::string& where) {
  ASSERT_GE(spec.size(), 2u) << where << ": bad sign " << spec;
  char want = spec.back();
  auto dim = model::ParseDimension(spec.substr(0, spec.size() - 1));
  ASSERT_TRUE(dim.has_value()) << where << ": unknown dimension in " << spec;
  ASSERT_TRUE(want == '+' || want == '-' || want == '0' || want == '*')
      << where << ": bad sign " << spec;
  if (want == '*') return;
  EXPECT_EQ(SignOf(t.score[static_cast<size_t>(*dim)]), want)
      << where << ": " << spec << " expected, got " << Describe(t);
}

void CheckGolden(const Golden& g) {
  SCOPED_TRACE(g.name);
  std::string payload = g.make ? g.make() : ReadFixture(g.fixture);
  SourceEvent source = SourceFor(g.format, g.fixture, std::move(payload));
  if (g.enrich) g.enrich(source.enrichment);
  Tagged tagged = NormaliseAndTag(source);
  ASSERT_TRUE(tagged.status.ok())
      << g.fixture << " is rejected: " << tagged.status;
  ASSERT_FALSE(tagged.events.empty()) << g.fixture;
  std::string where =
      common::StrCat(g.name, " (", g.fixture, "; ", g.why,
                     g.derived.empty() ? "" : "; derived: ", g.derived, ")");
  // Every event of the payload (a quiz attempt and its questions, a
  // multi-question problem) tags alike.
  for (const EventTags& t : tagged.tags) {
    EXPECT_EQ(model::ModeName(t.mode), model::ModeName(g.mode))
        << where << ": got " << Describe(t);
    std::string_view specs = g.signs;
    while (!specs.empty()) {
      size_t space = specs.find(' ');
      std::string_view spec = specs.substr(0, space);
      if (!spec.empty()) ExpectSign(t, spec, where);
      if (space == std::string_view::npos) break;
      specs.remove_prefix(space + 1);
    }
  }
}

TEST(Golden, TheRulesLoad) {
  // Every case below needs them.
  auto rules =
      model::RuleSet::Load(POLKU_SOURCE_DIR "/deploy/config/rules.yaml");
  ASSERT_TRUE(rules.ok()) << rules.status();
}

TEST(Golden, RealFixtureEvents) {
  for (const Golden& g : RealCases()) CheckGolden(g);
}

TEST(Golden, VariantsOfRealFixtures) {
  for (const Golden& g : VariantCases()) {
    EXPECT_FALSE(g.derived.empty()) << g.name << ": say what was changed";
    CheckGolden(g);
  }
}

TEST(Golden, TheTableIsRepresentative) {
  std::set<std::string> names;
  std::map<Mode, int> modes;
  std::map<SourceFormat, int> formats;
  std::set<std::string> moodle_event, moodle_statements, tracking, xapi,
      caliper;
  for (const auto* table : {&RealCases(), &VariantCases()}) {
    for (const Golden& g : *table) {
      EXPECT_TRUE(names.insert(g.name).second) << "duplicate name " << g.name;
      EXPECT_FALSE(g.why.empty()) << g.name;
      EXPECT_TRUE(fs::exists(FixtureRoot() / g.fixture)) << g.fixture;
      ++modes[g.mode];
      ++formats[g.format];
    }
  }
  for (const Golden& g : RealCases()) {
    EXPECT_TRUE(g.derived.empty() && !g.make && !g.enrich) << g.name;
    if (common::EndsWith(g.fixture, "/event.json")) moodle_event.insert(g.name);
    if (common::EndsWith(g.fixture, "/statements.json")) {
      moodle_statements.insert(g.name);
    }
    if (common::StartsWith(g.fixture, "openedx/tracking/")) {
      tracking.insert(g.name);
    }
    if (common::StartsWith(g.fixture, "openedx/xapi/")) xapi.insert(g.name);
    if (common::StartsWith(g.fixture, "openedx/caliper/")) {
      caliper.insert(g.name);
    }
  }
  EXPECT_GE(RealCases().size(), 45u);
  EXPECT_GE(moodle_event.size(), 20u);
  EXPECT_GE(moodle_statements.size(), 8u);
  EXPECT_GE(tracking.size(), 15u);
  EXPECT_GE(xapi.size(), 5u);
  EXPECT_GE(caliper.size(), 5u);
  EXPECT_GE(VariantCases().size(), 15u);
  EXPECT_GE(modes[kStructured], 10);
  EXPECT_GE(modes[kSelfDirected], 10);
  EXPECT_GE(modes[kBlended], 10);
}

// ------------------------------------------------- the same event, channels

struct ChannelTag {
  std::string label;  // "event.json", "xapi", "caliper"...
  absl::Status status;
  std::vector<std::string> shapes;  // Shape() of each event
};

ChannelTag TagChannel(std::string label, const SourceEvent& source) {
  ChannelTag c;
  c.label = std::move(label);
  Tagged t = NormaliseAndTag(source);
  c.status = t.status;
  for (const EventTags& tag : t.tags) c.shapes.push_back(Shape(tag));
  return c;
}

std::string DescribeChannel(const ChannelTag& c) {
  if (!c.status.ok()) {
    return common::StrCat(c.label, ": rejected (",
                          std::string(c.status.message()).substr(0, 80), ")");
  }
  std::string out = c.label + ":";
  for (const std::string& s : c.shapes) out += " " + s;
  return out;
}

// Two channels agree when both reject the event, or both accept it and
// every event of each tags with the same mode and the same sign on every
// dimension.
bool Agree(const ChannelTag& a, const ChannelTag& b) {
  if (!a.status.ok() || !b.status.ok()) return !a.status.ok() && !b.status.ok();
  std::set<std::string> all(a.shapes.begin(), a.shapes.end());
  all.insert(b.shapes.begin(), b.shapes.end());
  return all.size() == 1;
}

// Compares every pair of `channels`; a disagreement is a failure unless
// `exceptions` lists the case, and a listed case that agrees is a failure
// too (the exception is stale). Returns the number of pairs compared.
size_t CompareChannels(const std::string& name,
                       const std::vector<ChannelTag>& channels,
                       const std::map<std::string, std::string>& exceptions) {
  std::string all;
  bool agree = true;
  size_t pairs = 0;
  for (size_t i = 0; i < channels.size(); ++i) {
    all += "\n    " + DescribeChannel(channels[i]);
    for (size_t j = i + 1; j < channels.size(); ++j) {
      ++pairs;
      agree = agree && Agree(channels[i], channels[j]);
    }
  }
  auto exception = exceptions.find(name);
  if (exception != exceptions.end()) {
    EXPECT_FALSE(agree) << name << " now tags alike on every channel: remove "
                        << "its exception (" << exception->second << ")" << all;
  } else {
    EXPECT_TRUE(agree) << name << " tags differently:" << all;
  }
  return pairs;
}

// Moodle scenarios whose event.json and statements.json cannot tag alike,
// and why. Everything else must agree on acceptance, mode and every sign.
const std::map<std::string, std::string>& MoodleChannelExceptions() {
  static const auto* const m = new std::map<std::string, std::string>{
      {"core/notes_viewed/user_viewed_notes",
       "the event is a teacher reading the notes about a learner (rejected); "
       "the statement is a plain 'viewed a web page' by that teacher"},
      {"mod_quiz/attempt_reviewed/existing_attempt_reviewed",
       "the event is a teacher (userid 1) opening learner 2's review "
       "(rejected); the statement says the learner viewed it"},
      {"mod_facetoface/take_attendance/existing_attendance_taken",
       "the event is attendance taken by a teacher for a session and names "
       "no attendee (rejected); the statement names one"},
      {"mod_quiz/question_manually_graded",
       "the event is a teacher grading one question and names no learner "
       "(rejected); the statement names one"},
  };
  return *m;
}

TEST(GoldenChannels, EachMoodleEventTagsAsItsStatements) {
  size_t compared = 0;
  for (const fs::path& statements :
       test_support::FilesNamed(FixtureRoot() / "moodle", "statements.json")) {
    fs::path dir = statements.parent_path();
    if (!fs::exists(dir / "event.json")) continue;
    std::string scenario =
        fs::relative(dir, FixtureRoot() / "moodle").generic_string();
    std::string rel =
        fs::relative(dir / "event.json", FixtureRoot()).generic_string();
    std::vector<ChannelTag> channels;
    channels.push_back(TagChannel(
        "event.json",
        SourceFor(SourceFormat::kMoodle, rel, ReadFile(dir / "event.json"))));
    // The statements have no timestamp: they take the receive time.
    channels.push_back(
        TagChannel("statements.json",
                   SourceFor(SourceFormat::kXapi, rel, ReadFile(statements))));
    compared += CompareChannels(scenario, channels, MoodleChannelExceptions());
  }
  EXPECT_GE(compared, 150u);
}

// Open edX events whose tracking, xAPI and Caliper forms cannot tag alike,
// and why. Everything else must agree on acceptance, mode and every sign.
const std::map<std::string, std::string>& OpenEdxChannelExceptions() {
  static const auto* const m = new std::map<std::string, std::string>{
      {"edx.forum.comment.created.json",
       "event-routing-backends sends a comment exactly as a response "
       "(replied, REPLIED: social.discussion, format +); the tracking log "
       "tells it is a comment (COMMENTED: social.commented, format 0). "
       "xAPI cannot tell them apart; social and initiative agree"},
      // Templates of required fields only, and an anonymous user: the
      // tracking event names no user id (rejected there, a username is
      // never a key), while the statement or Caliper event carries the
      // anonymous id event-routing-backends made.
      {"edx.course.enrollment.activated.required.only.data.json",
       "template: the tracking event has no user id"},
      {"edx.ui.lms.link_clicked.required.only.data.json",
       "template: the tracking event has no user id"},
      {"edx.ui.lms.link_clicked(anonymous_user).json",
       "anonymous: the tracking event has no user id"},
      {"play_video.required.only.data.json",
       "template: the tracking event has no user id"},
  };
  return *m;
}

TEST(GoldenChannels, EachOpenEdxEventTagsAlikeInTrackingXapiAndCaliper) {
  std::set<std::string> names;
  for (std::string_view kind : {"tracking", "xapi", "caliper"}) {
    for (const fs::path& file : test_support::JsonFiles(
             FixtureRoot() / "openedx" / std::string(kind))) {
      names.insert(file.filename().string());
    }
  }
  size_t compared = 0;
  for (const std::string& name : names) {
    std::vector<ChannelTag> channels;
    for (const auto& [kind, format] :
         {std::pair<std::string, SourceFormat>{"tracking",
                                               SourceFormat::kOpenEdxTracking},
          {"xapi", SourceFormat::kXapi},
          {"caliper", SourceFormat::kCaliper}}) {
      std::string rel = common::StrCat("openedx/", kind, "/", name);
      if (!fs::exists(FixtureRoot() / rel)) continue;
      channels.push_back(TagChannel(
          kind, SourceFor(format, rel, ReadFile(FixtureRoot() / rel))));
    }
    if (channels.size() < 2) continue;
    compared += CompareChannels(name, channels, OpenEdxChannelExceptions());
  }
  EXPECT_GE(compared, 100u);
  for (const auto& [name, why] : OpenEdxChannelExceptions()) {
    EXPECT_EQ(names.count(name), 1u) << "no fixture " << name;
  }
}

// Moodle events written as Caliper 1.2 events, as a Caliper sensor in
// Moodle would send them. Each is derived from the statements.json of the
// fixture named: the actor's account (homePage, name) becomes the Person
// <homePage>/user/<name>, the verb the Caliper action of the same meaning,
// the object and its parents the entities with the same IRIs (the course a
// CourseOffering), and the time the event.json's timecreated. They must tag
// as the event.json and the statements do.
struct CaliperFromMoodle {
  std::string scenario;  // the Moodle fixture directory
  std::string caliper;   // the Caliper event
};

const std::vector<CaliperFromMoodle>& CaliperFromMoodleCases() {
  static const auto* const cases = new std::vector<CaliperFromMoodle>{
      // Statement: viewed (tincan) a cmi5 course -> ViewEvent Viewed.
      {"core/course_viewed/viewing_existing_course", R"({
        "@context": "http://purl.imsglobal.org/ctx/caliper/v1p2",
        "id": "urn:uuid:3c8a1f52-6a0d-4d3e-9d0e-0c5f3a1b2c01",
        "type": "ViewEvent", "action": "Viewed",
        "actor": {"id": "http://www.example.org/user/1", "type": "Person"},
        "object": {"id": "http://www.example.org/course/view.php?id=2",
                   "type": "CourseOffering", "name": "test_name"},
        "eventTime": "2015-06-10T14:31:41.000Z"})"},
      // Statement: completed a cmi5 course -> Event Completed (as Open edX
      // sends a course completion).
      {"core/course_completed/completing_existing_course", R"({
        "@context": "http://purl.imsglobal.org/ctx/caliper/v1p2",
        "id": "urn:uuid:3c8a1f52-6a0d-4d3e-9d0e-0c5f3a1b2c02",
        "type": "Event", "action": "Completed",
        "actor": {"id": "http://www.example.org/user/1", "type": "Person"},
        "object": {"id": "http://www.example.org/course/view.php?id=2",
                   "type": "CourseOffering", "name": "test_name"},
        "eventTime": "2015-06-10T14:31:41.000Z"})"},
      // Statement: replied (tincan) to forum-reply ...discuss.php?d=1#p1,
      // parents the discussion, the forum and the course -> MessageEvent
      // Posted of a Message that replies to the discussion's first post.
      {"mod_forum/post_created", R"({
        "@context": "http://purl.imsglobal.org/ctx/caliper/v1p2",
        "id": "urn:uuid:3c8a1f52-6a0d-4d3e-9d0e-0c5f3a1b2c03",
        "type": "MessageEvent", "action": "Posted",
        "actor": {"id": "http://www.example.org/user/1", "type": "Person"},
        "object": {
          "id": "http://www.example.org/mod/forum/discuss.php?d=1#p1",
          "type": "Message",
          "replyTo": {"id": "http://www.example.org/mod/forum/discuss.php?d=1",
                      "type": "Message"},
          "isPartOf": {
            "id": "http://www.example.org/mod/forum/discuss.php?d=1",
            "type": "Thread",
            "isPartOf": {
              "id": "http://www.example.org/mod/forum/view.php?id=1",
              "type": "Forum",
              "isPartOf": {"id": "http://www.example.org/course/view.php?id=2",
                           "type": "CourseOffering"}}}},
        "eventTime": "2015-06-10T14:31:41.000Z"})"},
      // Statement: completed (adl) an attempt of the quiz, parents the quiz
      // and the course -> AssessmentEvent Submitted of the Attempt, whose
      // assignable is the quiz.
      {"mod_quiz/attempt_submitted/multichoice", R"({
        "@context": "http://purl.imsglobal.org/ctx/caliper/v1p2",
        "id": "urn:uuid:3c8a1f52-6a0d-4d3e-9d0e-0c5f3a1b2c04",
        "type": "AssessmentEvent", "action": "Submitted",
        "actor": {"id": "http://www.example.org/user/1", "type": "Person"},
        "object": {
          "id": "http://www.example.org/mod/quiz/attempt.php?attempt=1&cmid=1",
          "type": "Attempt",
          "assignee": {"id": "http://www.example.org/user/1",
                       "type": "Person"},
          "assignable": {
            "id": "http://www.example.org/mod/quiz/view.php?id=1",
            "type": "Assessment",
            "isPartOf": {"id": "http://www.example.org/course/view.php?id=2",
                         "type": "CourseOffering"}}},
        "eventTime": "2015-06-10T14:31:41.000Z"})"},
      // Statement: searched (acrossx) the site's global search page ->
      // SearchEvent Searched on the Moodle site.
      {"core/search_results_viewed/user_viewed_search_results", R"({
        "@context": "http://purl.imsglobal.org/ctx/caliper/v1p2",
        "id": "urn:uuid:3c8a1f52-6a0d-4d3e-9d0e-0c5f3a1b2c05",
        "type": "SearchEvent", "action": "Searched",
        "actor": {"id": "http://www.example.org/user/1", "type": "Person"},
        "object": {"id": "http://www.example.org/search/index.php",
                   "type": "SoftwareApplication", "name": "Global Search"},
        "eventTime": "2015-06-10T14:31:41.000Z"})"},
  };
  return *cases;
}

TEST(GoldenChannels, MoodleEventsWrittenAsCaliperTagAsTheMoodleEvent) {
  ASSERT_GE(CaliperFromMoodleCases().size(), 3u);
  for (const CaliperFromMoodle& c : CaliperFromMoodleCases()) {
    std::string event_rel = "moodle/" + c.scenario + "/event.json";
    std::string statements_rel = "moodle/" + c.scenario + "/statements.json";
    std::vector<ChannelTag> channels;
    channels.push_back(TagChannel(
        "event.json",
        SourceFor(SourceFormat::kMoodle, event_rel, ReadFixture(event_rel))));
    channels.push_back(TagChannel("statements.json",
                                  SourceFor(SourceFormat::kXapi, statements_rel,
                                            ReadFixture(statements_rel))));
    channels.push_back(TagChannel(
        "caliper", SourceFor(SourceFormat::kCaliper, event_rel, c.caliper)));
    ASSERT_TRUE(channels.back().status.ok())
        << c.scenario << ": " << channels.back().status;
    CompareChannels(c.scenario, channels, {});
    // The same learner, whichever channel.
    auto caliper = test_support::NormaliseAll(
        kTenant, SourceFor(SourceFormat::kCaliper, event_rel, c.caliper));
    auto moodle = test_support::NormaliseAll(
        kTenant,
        SourceFor(SourceFormat::kMoodle, event_rel, ReadFixture(event_rel)));
    ASSERT_TRUE(caliper.ok() && moodle.ok());
    EXPECT_EQ((*caliper)[0].learner.key, (*moodle)[0].learner.key)
        << c.scenario;
    EXPECT_EQ((*caliper)[0].verb, (*moodle)[0].verb) << c.scenario;
    EXPECT_EQ((*caliper)[0].object.type, (*moodle)[0].object.type)
        << c.scenario;
  }
}

TEST(GoldenChannels, AWikiCommentNamesThePageOnBothChannels) {
  // moodle/mod_wiki/comment_created/event.json with other.itemid 1 (the
  // page), which a live Moodle comment event carries and the fixture lacks:
  // the object is then the IRI logstore_xapi names, comments.php?pageid=1.
  std::string rel = "moodle/mod_wiki/comment_created/event.json";
  std::string text = Edit(ReadFixture(rel), "\"objecttable\": \"comments\",",
                          "\"objecttable\": \"comments\", \"other\": "
                          "{\"itemid\": 1},");
  auto event = test_support::NormaliseAll(
      kTenant, SourceFor(SourceFormat::kMoodle, rel, text));
  auto statements = test_support::NormaliseAll(
      kTenant,
      SourceFor(
          SourceFormat::kXapi, rel,
          ReadFixture("moodle/mod_wiki/comment_created/statements.json")));
  ASSERT_TRUE(event.ok()) << event.status();
  ASSERT_TRUE(statements.ok()) << statements.status();
  EXPECT_EQ((*event)[0].object.id,
            "www.example.org/mod/wiki/comments.php?pageid=1");
  EXPECT_EQ((*event)[0].object.id, (*statements)[0].object.id);
}

}  // namespace
}  // namespace polku::ingest
