// Moodle normaliser: Moodle event data ($event->get_data(), JSON) to
// LearningEvents.
//
// Input: one JSON object with Moodle's event keys (eventname, component,
// action, target, objecttable, objectid, crud, edulevel, contextid,
// contextlevel, contextinstanceid, userid, courseid, relateduserid,
// anonymous, other, timecreated) and, when the adapter forwards a log row,
// the log id "id". `other` may be a JSON object, a JSON-encoded string, a
// PHP-serialised string (a:1:{s:5:"enrol";s:6:"manual";}), "N;" or null; it
// is decoded once per event.
//
// Mapping (see kSpecs below for the full table):
// - Learner: relateduserid when present and positive, else userid, for
//   events about a learner (enrolment, completion, grade, award, attempt,
//   plan, evidence). Events a user does with their own hands (views, posts,
//   comments, messages, searches) take userid: a message's relateduserid is
//   its recipient, not its author. Views and edits of a learner's own work
//   done by another user (a teacher opening a student's attempt review) are
//   not the learner's activity and are rejected as kUnimplemented.
//   Learning plans belong to relateduserid, else to the user of their user
//   context (contextlevel 30, contextinstanceid).
// - Initiator: SELF when userid is the learner (or absent); otherwise STAFF
//   for a positive userid and SYSTEM for userid 0/-1/null. Completions of
//   the learner's own work (course, module, plan) stay SELF when the system
//   recorded them. Awards (badge, certificate) are STAFF when another user
//   awarded them, SELF when the learner's own action did and SYSTEM when
//   the event names no user (criteria review or cron). The enrolment method
//   decides where it implies who chose, as in the xAPI normaliser
//   (InitiatorForEnrolmentMethod): self and guest are SELF, cohort and meta
//   SYSTEM, database/ldap/flatfile/imsenterprise SIS_SYNC, whoever the
//   userid is; a plan made from a template is STAFF (or SYSTEM when no user
//   made it); a Totara program assignment is SYSTEM unless a staff member
//   made it.
// - user_enrolment_updated is ENROLLED (an enrolment changed or
//   reactivated) unless the enrichment extension "moodle.enrolment_status"
//   (the adapter's user_enrolments.status) is "1" or "suspended": then it
//   is UNENROLLED, as logstore_xapi's "suspended" statement.
// - Object ids are the IRIs logstore_xapi builds for the same event, under
//   the canonical instance (enrichment.instance, the wwwroot; "moodle" when
//   empty): course -> /course/view.php?id=<courseid>, course module ->
//   /mod/<module>/view.php?id=<contextinstanceid>, quiz attempt ->
//   /mod/quiz/attempt.php?attempt=<objectid>&cmid=<cmid>, discussion ->
//   /mod/forum/discuss.php?d=<id>, ... so an event and its xAPI statement
//   agree (CanonicalIri drops logstore_xapi's #fragments).
// - Object types of course modules come from the module name through the
//   table the xAPI and Caliper normalisers use (MoodleModuleObjectType);
//   context.graded is yes for a quiz or assignment (IsGradedMoodleModule)
//   and for every grade given.
// - Core events about a course module name no module type; the module name
//   is taken from other.modulename or, failing that, from the enrichment
//   extension "moodle.modname" (e.g. "book"); without either the object is
//   <instance>/mod/view.php?id=<cmid> of type MODULE.
// - user_graded computes result.score_scaled and result.success when the
//   enrichment extensions "moodle.grademax" (and optional "moodle.grademin",
//   "moodle.gradepass") describe the grade item; the event itself has only
//   the final grade.
// - Verbs follow the shared conventions and, where logstore_xapi's verb
//   has a Polku meaning, agree with what the xAPI normaliser makes of its
//   statement (a quiz attempt submitted is SUBMITTED, a forum subscription
//   BOOKMARKED, a SCORM raw score COMPLETED with the score).
// - Administration events (log in/out, course, category, section, group,
//   calendar, question, badge and recording management, unsubscriptions,
//   deletions, reports) are kUnimplemented "not a learning activity:
//   <eventname>"; unknown events kUnimplemented "no mapping for Moodle
//   event: <eventname>". Anonymous events (anonymous=1) are
//   kInvalidArgument: they carry no learner. Malformed payloads are
//   kInvalidArgument naming the field ("payload.timecreated: ...").
// - Extensions: moodle.component, moodle.crud, moodle.edulevel, and a few
//   event facts (moodle.evidence_action, moodle.plan_template,
//   moodle.grade_overridden, moodle.completion_overridden,
//   moodle.enrolment_status). Nothing written
//   by a person (search queries, post text, names) is kept.
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "common/field_error.h"
#include "common/status_macros.h"
#include "common/str_cat.h"
#include "common/strings.h"
#include "ingest/json_util.h"
#include "ingest/normaliser.h"
#include "ingest/php_unserialize.h"
#include "ingest/xapi_vocabulary.h"
#include "model/event_codec.h"
#include "model/learning_event.h"

namespace polku::ingest {
namespace {

using common::InvalidFieldError;
using common::StrCat;
using model::EnrolmentMethod;
using model::Initiator;
using model::ObjectType;
using model::Tristate;
using model::Verb;

// 9999-12-31T23:59:59Z: later Unix times are not timestamps of this world.
constexpr int64_t kMaxUnixSeconds = 253402300799;
constexpr int64_t kContextLevelUser = 30;
constexpr int64_t kContextLevelModule = 70;
constexpr size_t kMaxEventNameLength = 256;
constexpr size_t kMaxTokenLength = 64;

// ---------------------------------------------------------------------------
// The mapping table.

// Whose activity the event is.
enum class LearnerRule : uint8_t {
  kSubject,    // relateduserid when positive, else userid
  kActor,      // userid (relateduserid is someone else: recipient, author)
  kOwnWork,    // userid; rejected when relateduserid is another user
  kPlanOwner,  // relateduserid, else the user context's user, else userid
};

// How the object id is built.
enum class Target : uint8_t {
  kCourse,                  // /course/view.php?id=<courseid>
  kCourseResources,         // /course/resources.php?id=<courseid>
  kModuleIndex,             // /mod/<module>/index.php?id=<courseid>
  kModule,                  // /mod/<module>/view.php?id=<cmid>
  kBadge,                   // /badges/overview.php?id=<objectid>
  kCertificateCode,         // /admin/tool/certificate/index.php?code=<code>
  kQuizAttempt,             // /mod/quiz/attempt.php?attempt=<objectid>&cmid=
  kQuizReview,              // /mod/quiz/review.php?attempt=<objectid>
  kForumDiscussion,         // /mod/forum/discuss.php?d=<objectid>
  kForumSubscription,       // /mod/forum/discuss.php?d=<other.discussion>
  kForumPost,               // /mod/forum/discuss.php?d=<other.discussionid>
  kBookChapter,             // /mod/book/view.php?id=<cmid>&chapterid=<objectid>
  kLessonPage,              // /mod/lesson/view.php?id=<cmid>&pageid=<objectid>
  kWikiPage,                // /mod/wiki/view.php?pageid=<objectid>
  kWikiPageComments,        // /mod/wiki/comments.php?pageid=<objectid>
  kWikiComment,             // /mod/wiki/comments.php?pageid=<other.itemid>
  kGlossaryEntry,           // /mod/glossary/showentry.php?eid=<objectid>
  kGlossaryComment,         // /mod/glossary/showentry.php?eid=<other.itemid>
  kBlogEntry,               // /blog/index.php?entryid=<objectid>
  kBlogComment,             // /blog/index.php?entryid=<other.itemid>
  kMessage,                 // /message?id=<objectid>
  kNote,                    // /notes/view.php?id=<objectid>
  kSearch,                  // /search/index.php
  kGradeItem,               // /grade/edit/tree/grade.php?courseid=&itemid=
  kUserCompetency,          // /admin/tool/lp/user_competency.php?id=<objectid>
  kUserCompetencyInCourse,  // .../user_competency_in_course.php?id=<objectid>
  kUserCompetencyInPlan,    // .../user_competency_in_plan.php?id=<objectid>
  kEvidence,                // user_competency.php?id=<other.usercompetencyid>
  kUserEvidence,            // /admin/tool/lp/user_evidence.php?id=<objectid>
  kPlan,                    // /admin/tool/lp/plan.php?id=<objectid>
  kProgram,                 // /totara/program/view.php?id=<programid>
};

// Event-specific reading of `other` and of the initiator.
enum class Special : uint8_t {
  kNone,
  kEnrolment,           // other.enrol -> method; sync methods set initiator
  kModuleCompletion,    // other.completionstate, other.overrideby
  kUserGraded,          // other.finalgrade, itemid, overridden
  kCompetencyEvidence,  // other.action, competencyid
  kPlanCreated,         // template or learner-made
  kScormStatus,         // other.cmivalue: completed / passed / failed
  kScormScore,          // other.cmivalue: raw score
  kProgramAssignment,   // method PROGRAM, initiator SYSTEM by default
  kCompetencyRated,     // other.grade
};

enum SpecFlag : uint8_t {
  kCompletionYes = 1 << 0,  // result.completion = yes
  kGradedYes = 1 << 1,      // context.graded = yes
};

struct Spec {
  Verb verb = Verb::kUnspecified;
  // kUnspecified: the type of the event's course module (ModuleType).
  ObjectType type = ObjectType::kUnspecified;
  Target target = Target::kCourse;
  LearnerRule learner = LearnerRule::kActor;
  Special special = Special::kNone;
  uint8_t flags = 0;
};

struct NamedSpec {
  std::string_view name;  // event class name without the leading backslash
  Spec spec;
};

using LR = LearnerRule;
using OT = ObjectType;
using SP = Special;
using TG = Target;

constexpr ObjectType kModuleType = ObjectType::kUnspecified;

// Events that are a learner's activity.
const NamedSpec kSpecs[] = {
    // Enrolment.
    {R"(core\event\user_enrolment_created)",
     {Verb::kEnrolled, OT::kCourse, TG::kCourse, LR::kSubject, SP::kEnrolment}},
    {R"(core\event\user_enrolment_updated)",
     {Verb::kEnrolled, OT::kCourse, TG::kCourse, LR::kSubject, SP::kEnrolment}},
    {R"(core\event\user_enrolment_deleted)",
     {Verb::kUnenrolled, OT::kCourse, TG::kCourse, LR::kSubject,
      SP::kEnrolment}},
    {R"(totara_program\event\program_assigned)",
     {Verb::kEnrolled, OT::kProgram, TG::kProgram, LR::kSubject,
      SP::kProgramAssignment}},
    {R"(totara_program\event\program_unassigned)",
     {Verb::kUnenrolled, OT::kProgram, TG::kProgram, LR::kSubject,
      SP::kProgramAssignment}},
    {R"(totara_program\event\program_completed)",
     {Verb::kCompleted, OT::kProgram, TG::kProgram, LR::kSubject, SP::kNone,
      kCompletionYes}},
    // Completion.
    {R"(core\event\course_completed)",
     {Verb::kCompleted, OT::kCourse, TG::kCourse, LR::kSubject, SP::kNone,
      kCompletionYes}},
    {R"(core\event\course_module_completion_updated)",
     {Verb::kCompleted, kModuleType, TG::kModule, LR::kSubject,
      SP::kModuleCompletion, kCompletionYes}},
    // Course and site navigation.
    {R"(core\event\course_viewed)",
     {Verb::kViewed, OT::kCourse, TG::kCourse, LR::kActor}},
    {R"(core\event\course_resources_list_viewed)",
     {Verb::kViewed, OT::kCourse, TG::kCourseResources, LR::kActor}},
    {R"(core\event\search_results_viewed)",
     {Verb::kSearched, OT::kSearch, TG::kSearch, LR::kActor}},
    // Grades.
    {R"(core\event\user_graded)",
     {Verb::kGraded, OT::kModule, TG::kGradeItem, LR::kSubject, SP::kUserGraded,
      kGradedYes}},
    // Badges and certificates.
    {R"(core\event\badge_awarded)",
     {Verb::kAchieved, OT::kBadge, TG::kBadge, LR::kSubject}},
    {R"(core\event\badge_viewed)",
     {Verb::kViewed, OT::kBadge, TG::kBadge, LR::kActor}},
    {R"(tool_certificate\event\certificate_issued)",
     {Verb::kAchieved, OT::kCertificate, TG::kCertificateCode, LR::kSubject}},
    {R"(mod_customcert\event\issue_created)",
     {Verb::kAchieved, OT::kCertificate, TG::kModule, LR::kSubject}},
    // Messages, notes, blogs.
    {R"(core\event\message_sent)",
     {Verb::kPosted, OT::kMessage, TG::kMessage, LR::kActor}},
    {R"(core\event\group_message_sent)",
     {Verb::kPosted, OT::kMessage, TG::kMessage, LR::kActor}},
    {R"(core\event\message_viewed)",
     {Verb::kViewed, OT::kMessage, TG::kMessage, LR::kActor}},
    {R"(core\event\note_created)",
     {Verb::kCreated, OT::kNote, TG::kNote, LR::kActor}},
    {R"(core\event\note_updated)",
     {Verb::kUpdated, OT::kNote, TG::kNote, LR::kActor}},
    {R"(core\event\blog_entry_created)",
     {Verb::kCreated, OT::kBlog, TG::kBlogEntry, LR::kOwnWork}},
    {R"(core\event\blog_entry_updated)",
     {Verb::kUpdated, OT::kBlog, TG::kBlogEntry, LR::kOwnWork}},
    {R"(core\event\blog_comment_created)",
     {Verb::kCommented, OT::kBlog, TG::kBlogComment, LR::kActor}},
    // Competencies, evidence of prior learning, learning plans.
    {R"(core\event\competency_evidence_created)",
     {Verb::kCreated, OT::kEvidence, TG::kEvidence, LR::kSubject,
      SP::kCompetencyEvidence}},
    {R"(core\event\competency_user_competency_rated)",
     {Verb::kGraded, OT::kCompetency, TG::kUserCompetency, LR::kSubject,
      SP::kCompetencyRated, kGradedYes}},
    {R"(core\event\competency_user_competency_rated_in_course)",
     {Verb::kGraded, OT::kCompetency, TG::kUserCompetencyInCourse, LR::kSubject,
      SP::kCompetencyRated, kGradedYes}},
    {R"(core\event\competency_user_competency_rated_in_plan)",
     {Verb::kGraded, OT::kCompetency, TG::kUserCompetencyInPlan, LR::kSubject,
      SP::kCompetencyRated, kGradedYes}},
    {R"(core\event\competency_user_evidence_created)",
     {Verb::kCreated, OT::kEvidence, TG::kUserEvidence, LR::kSubject}},
    {R"(core\event\competency_user_evidence_updated)",
     {Verb::kUpdated, OT::kEvidence, TG::kUserEvidence, LR::kSubject}},
    {R"(core\event\competency_plan_created)",
     {Verb::kCreated, OT::kLearningPlan, TG::kPlan, LR::kPlanOwner,
      SP::kPlanCreated}},
    {R"(core\event\competency_plan_updated)",
     {Verb::kUpdated, OT::kLearningPlan, TG::kPlan, LR::kPlanOwner}},
    {R"(core\event\competency_plan_completed)",
     {Verb::kCompleted, OT::kLearningPlan, TG::kPlan, LR::kPlanOwner, SP::kNone,
      kCompletionYes}},
    // H5P content shown through the player.
    {R"(core_h5p\event\h5p_viewed)",
     {Verb::kViewed, kModuleType, TG::kModule, LR::kActor}},
    // Assignments.
    {R"(mod_assign\event\assessable_submitted)",
     {Verb::kSubmitted, OT::kAssignment, TG::kModule, LR::kSubject}},
    {R"(mod_assign\event\submission_created)",
     {Verb::kCreated, OT::kAssignment, TG::kModule, LR::kSubject}},
    {R"(mod_assign\event\submission_updated)",
     {Verb::kUpdated, OT::kAssignment, TG::kModule, LR::kSubject}},
    {R"(mod_assign\event\submission_graded)",
     {Verb::kGraded, OT::kAssignment, TG::kModule, LR::kSubject, SP::kNone,
      kGradedYes}},
    {R"(mod_assign\event\feedback_viewed)",
     {Verb::kViewed, OT::kAssignment, TG::kModule, LR::kOwnWork}},
    {R"(mod_assign\event\submission_viewed)",
     {Verb::kViewed, OT::kAssignment, TG::kModule, LR::kOwnWork}},
    {R"(mod_assign\event\submission_status_viewed)",
     {Verb::kViewed, OT::kAssignment, TG::kModule, LR::kOwnWork}},
    // Quizzes.
    {R"(mod_quiz\event\attempt_started)",
     {Verb::kStarted, OT::kAssessment, TG::kQuizAttempt, LR::kSubject}},
    {R"(mod_quiz\event\attempt_submitted)",
     {Verb::kSubmitted, OT::kAssessment, TG::kQuizAttempt, LR::kSubject,
      SP::kNone, kCompletionYes}},
    {R"(mod_quiz\event\attempt_viewed)",
     {Verb::kViewed, OT::kAssessment, TG::kQuizAttempt, LR::kOwnWork}},
    {R"(mod_quiz\event\attempt_reviewed)",
     {Verb::kViewed, OT::kAssessment, TG::kQuizReview, LR::kOwnWork}},
    // Forums.
    {R"(mod_forum\event\discussion_created)",
     {Verb::kPosted, OT::kDiscussion, TG::kForumDiscussion, LR::kActor}},
    {R"(mod_forum\event\post_created)",
     {Verb::kReplied, OT::kDiscussion, TG::kForumPost, LR::kActor}},
    {R"(mod_forum\event\post_updated)",
     {Verb::kUpdated, OT::kDiscussion, TG::kForumPost, LR::kOwnWork}},
    // Following a discussion or forum is the forum's bookmark; a teacher
    // subscribing someone else is not the learner's choice (kOwnWork).
    {R"(mod_forum\event\discussion_subscription_created)",
     {Verb::kBookmarked, OT::kDiscussion, TG::kForumSubscription,
      LR::kOwnWork}},
    {R"(mod_forum\event\subscription_created)",
     {Verb::kBookmarked, OT::kDiscussion, TG::kModule, LR::kOwnWork}},
    {R"(mod_forum\event\discussion_viewed)",
     {Verb::kViewed, OT::kDiscussion, TG::kForumDiscussion, LR::kActor}},
    // Glossaries.
    {R"(mod_glossary\event\entry_created)",
     {Verb::kCreated, OT::kGlossary, TG::kGlossaryEntry, LR::kActor}},
    {R"(mod_glossary\event\entry_updated)",
     {Verb::kUpdated, OT::kGlossary, TG::kGlossaryEntry, LR::kOwnWork}},
    {R"(mod_glossary\event\entry_viewed)",
     {Verb::kViewed, OT::kGlossary, TG::kGlossaryEntry, LR::kActor}},
    {R"(mod_glossary\event\comment_created)",
     {Verb::kCommented, OT::kGlossary, TG::kGlossaryComment, LR::kActor}},
    // Wikis (collaborative: editing another user's page is one's own work).
    {R"(mod_wiki\event\page_created)",
     {Verb::kCreated, OT::kWiki, TG::kWikiPage, LR::kActor}},
    {R"(mod_wiki\event\page_updated)",
     {Verb::kUpdated, OT::kWiki, TG::kWikiPage, LR::kActor}},
    {R"(mod_wiki\event\page_viewed)",
     {Verb::kViewed, OT::kWiki, TG::kWikiPage, LR::kActor}},
    {R"(mod_wiki\event\comments_viewed)",
     {Verb::kViewed, OT::kWiki, TG::kWikiPageComments, LR::kActor}},
    {R"(mod_wiki\event\comment_created)",
     {Verb::kCommented, OT::kWiki, TG::kWikiComment, LR::kActor}},
    // Books.
    {R"(mod_book\event\chapter_viewed)",
     {Verb::kViewed, OT::kResource, TG::kBookChapter, LR::kActor}},
    // Lessons.
    {R"(mod_lesson\event\lesson_started)",
     {Verb::kStarted, OT::kModule, TG::kModule, LR::kActor}},
    {R"(mod_lesson\event\lesson_restarted)",
     {Verb::kStarted, OT::kModule, TG::kModule, LR::kActor}},
    {R"(mod_lesson\event\lesson_resumed)",
     {Verb::kStarted, OT::kModule, TG::kModule, LR::kActor}},
    {R"(mod_lesson\event\lesson_ended)",
     {Verb::kCompleted, OT::kModule, TG::kModule, LR::kActor, SP::kNone,
      kCompletionYes}},
    {R"(mod_lesson\event\content_page_viewed)",
     {Verb::kViewed, OT::kModule, TG::kLessonPage, LR::kActor}},
    {R"(mod_lesson\event\question_viewed)",
     {Verb::kViewed, OT::kAssessment, TG::kLessonPage, LR::kActor}},
    {R"(mod_lesson\event\question_answered)",
     {Verb::kSubmitted, OT::kAssessment, TG::kLessonPage, LR::kActor}},
    {R"(mod_lesson\event\essay_assessed)",
     {Verb::kGraded, OT::kAssessment, TG::kLessonPage, LR::kSubject, SP::kNone,
      kGradedYes}},
    // SCORM packages.
    {R"(mod_scorm\event\sco_launched)",
     {Verb::kStarted, OT::kModule, TG::kModule, LR::kActor}},
    {R"(mod_scorm\event\status_submitted)",
     {Verb::kCompleted, OT::kModule, TG::kModule, LR::kSubject,
      SP::kScormStatus, kCompletionYes}},
    // logstore_xapi reports a SCO's raw score as "completed" with the score;
    // so does Polku, so both channels tag alike.
    {R"(mod_scorm\event\scoreraw_submitted)",
     {Verb::kCompleted, OT::kModule, TG::kModule, LR::kSubject, SP::kScormScore,
      kCompletionYes | kGradedYes}},
    // Surveys, feedback, choices.
    {R"(mod_choice\event\answer_created)",
     {Verb::kSubmitted, OT::kSurvey, TG::kModule, LR::kSubject}},
    {R"(mod_feedback\event\response_submitted)",
     {Verb::kSubmitted, OT::kSurvey, TG::kModule, LR::kSubject}},
    {R"(mod_survey\event\response_submitted)",
     {Verb::kSubmitted, OT::kSurvey, TG::kModule, LR::kActor}},
    {R"(mod_questionnaire\event\attempt_submitted)",
     {Verb::kSubmitted, OT::kSurvey, TG::kModule, LR::kSubject}},
    {R"(mod_questionnaire\event\attempt_resumed)",
     {Verb::kStarted, OT::kSurvey, TG::kModule, LR::kSubject}},
    // Live sessions.
    {R"(mod_bigbluebuttonbn\event\meeting_joined)",
     {Verb::kAttended, OT::kLiveSession, TG::kModule, LR::kActor}},
    {R"(mod_bigbluebuttonbn\event\live_session_event)",
     {Verb::kInteracted, OT::kLiveSession, TG::kModule, LR::kActor}},
    {R"(mod_bigbluebuttonbn\event\activity_management_viewed)",
     {Verb::kViewed, OT::kLiveSession, TG::kModule, LR::kActor}},
    {R"(mod_bigbluebuttonbn\event\recording_viewed)",
     {Verb::kViewed, OT::kLiveSession, TG::kModule, LR::kActor}},
    {R"(mod_facetoface\event\signup_success)",
     {Verb::kEnrolled, OT::kLiveSession, TG::kModule, LR::kSubject}},
    {R"(mod_facetoface\event\cancel_booking)",
     {Verb::kUnenrolled, OT::kLiveSession, TG::kModule, LR::kSubject}},
    // Workshops (peer assessment) and databases.
    {R"(mod_workshop\event\submission_created)",
     {Verb::kCreated, OT::kModule, TG::kModule, LR::kActor}},
    {R"(mod_workshop\event\submission_updated)",
     {Verb::kUpdated, OT::kModule, TG::kModule, LR::kOwnWork}},
    {R"(mod_workshop\event\submission_assessed)",
     {Verb::kMentored, OT::kModule, TG::kModule, LR::kActor}},
    {R"(mod_data\event\record_created)",
     {Verb::kCreated, OT::kModule, TG::kModule, LR::kActor}},
    {R"(mod_data\event\record_updated)",
     {Verb::kUpdated, OT::kModule, TG::kModule, LR::kOwnWork}},
};

// Events that are administration or bookkeeping rather than a learner's
// activity, or that name no learner (a teacher's grading of one question,
// attendance taken for a whole session).
const std::string_view kNotLearning[] = {
    R"(core\event\badge_created)",
    R"(core\event\badge_updated)",
    R"(core\event\badge_deleted)",
    R"(core\event\badge_revoked)",
    R"(core\event\badge_enabled)",
    R"(core\event\badge_disabled)",
    R"(core\event\badge_duplicated)",
    R"(core\event\badge_archived)",
    R"(core\event\badge_criteria_created)",
    R"(core\event\badge_criteria_updated)",
    R"(core\event\badge_criteria_deleted)",
    R"(core\event\badge_listing_viewed)",
    R"(core\event\calendar_event_created)",
    R"(core\event\calendar_event_updated)",
    R"(core\event\calendar_event_deleted)",
    R"(core\event\calendar_subscription_created)",
    R"(core\event\calendar_subscription_updated)",
    R"(core\event\calendar_subscription_deleted)",
    R"(core\event\config_log_created)",
    R"(core\event\course_category_created)",
    R"(core\event\course_category_updated)",
    R"(core\event\course_category_deleted)",
    R"(core\event\course_completion_updated)",
    R"(core\event\course_created)",
    R"(core\event\course_updated)",
    R"(core\event\course_deleted)",
    R"(core\event\course_restored)",
    R"(core\event\course_reset_started)",
    R"(core\event\course_reset_ended)",
    R"(core\event\course_module_created)",
    R"(core\event\course_module_updated)",
    R"(core\event\course_module_deleted)",
    R"(core\event\course_section_created)",
    R"(core\event\course_section_updated)",
    R"(core\event\course_section_deleted)",
    R"(core\event\course_user_report_viewed)",
    R"(core\event\grade_item_created)",
    R"(core\event\grade_item_updated)",
    R"(core\event\grade_item_deleted)",
    R"(core\event\group_created)",
    R"(core\event\group_updated)",
    R"(core\event\group_deleted)",
    R"(core\event\group_member_added)",
    R"(core\event\group_member_removed)",
    R"(core\event\grouping_created)",
    R"(core\event\grouping_updated)",
    R"(core\event\grouping_deleted)",
    R"(core\event\message_deleted)",
    R"(core\event\note_deleted)",
    R"(core\event\notes_viewed)",
    R"(core\event\notification_sent)",
    R"(core\event\notification_viewed)",
    R"(core\event\blog_entry_deleted)",
    R"(core\event\blog_comment_deleted)",
    R"(core\event\competency_plan_deleted)",
    R"(core\event\competency_user_evidence_deleted)",
    R"(core\event\question_created)",
    R"(core\event\question_updated)",
    R"(core\event\question_deleted)",
    R"(core\event\questions_imported)",
    R"(core\event\questions_exported)",
    R"(core\event\role_assigned)",
    R"(core\event\role_unassigned)",
    R"(core\event\user_created)",
    R"(core\event\user_updated)",
    R"(core\event\user_deleted)",
    R"(core\event\user_list_viewed)",
    R"(core\event\user_loggedin)",
    R"(core\event\user_loggedinas)",
    R"(core\event\user_loggedout)",
    R"(core\event\user_login_failed)",
    R"(core\event\user_password_updated)",
    R"(core\event\user_profile_viewed)",
    R"(mod_assign\event\submission_locked)",
    R"(mod_assign\event\submission_unlocked)",
    R"(mod_assign\event\submission_status_updated)",
    R"(mod_assign\event\grading_table_viewed)",
    R"(mod_assign\event\grading_form_viewed)",
    R"(mod_assign\event\all_submissions_downloaded)",
    R"(mod_assign\event\extension_granted)",
    R"(mod_bigbluebuttonbn\event\meeting_created)",
    R"(mod_bigbluebuttonbn\event\meeting_ended)",
    R"(mod_bigbluebuttonbn\event\meeting_left)",
    R"(mod_bigbluebuttonbn\event\recording_deleted)",
    R"(mod_bigbluebuttonbn\event\recording_edited)",
    R"(mod_bigbluebuttonbn\event\recording_imported)",
    R"(mod_bigbluebuttonbn\event\recording_protected)",
    R"(mod_bigbluebuttonbn\event\recording_published)",
    R"(mod_bigbluebuttonbn\event\recording_unprotected)",
    R"(mod_bigbluebuttonbn\event\recording_unpublished)",
    R"(mod_book\event\chapter_created)",
    R"(mod_book\event\chapter_updated)",
    R"(mod_book\event\chapter_deleted)",
    R"(mod_facetoface\event\take_attendance)",
    R"(mod_forum\event\discussion_deleted)",
    R"(mod_forum\event\discussion_moved)",
    R"(mod_forum\event\discussion_subscription_deleted)",
    R"(mod_forum\event\post_deleted)",
    R"(mod_forum\event\subscription_deleted)",
    R"(mod_forum\event\user_report_viewed)",
    R"(mod_glossary\event\comment_deleted)",
    R"(mod_glossary\event\entry_deleted)",
    R"(mod_glossary\event\entry_approved)",
    R"(mod_glossary\event\entry_disapproved)",
    R"(mod_questionnaire\event\all_responses_viewed)",
    R"(mod_questionnaire\event\attempt_saved)",
    R"(mod_quiz\event\attempt_becameoverdue)",
    R"(mod_quiz\event\question_manually_graded)",
    R"(mod_quiz\event\edit_page_viewed)",
    R"(mod_quiz\event\report_viewed)",
    R"(mod_survey\event\report_viewed)",
    R"(mod_survey\event\report_downloaded)",
    R"(mod_wiki\event\comment_deleted)",
    R"(mod_wiki\event\page_deleted)",
    R"(mod_wiki\event\page_locks_deleted)",
    R"(tool_certificate\event\certificate_revoked)",
    R"(tool_certificate\event\certificate_verified)",
    R"(tool_certificate\event\template_created)",
    R"(tool_certificate\event\template_updated)",
    R"(tool_certificate\event\template_deleted)",
    R"(tool_usertours\event\tour_started)",
    R"(tool_usertours\event\tour_ended)",
    R"(tool_usertours\event\tour_reset)",
    R"(tool_usertours\event\step_shown)",
};

// nullptr values mark kNotLearning events.
using SpecMap = std::unordered_map<std::string_view, const Spec*>;

const SpecMap& Specs() {
  static const SpecMap* const map = [] {
    auto* m = new SpecMap();
    for (const NamedSpec& s : kSpecs) m->emplace(s.name, &s.spec);
    for (std::string_view name : kNotLearning) m->emplace(name, nullptr);
    return m;
  }();
  return *map;
}

// Specs that hold for any module's version of an event.
constexpr Spec kModuleViewedSpec{Verb::kViewed, kModuleType, TG::kModule,
                                 LR::kActor};
constexpr Spec kModuleIndexViewedSpec{Verb::kViewed, OT::kCourse,
                                      TG::kModuleIndex, LR::kActor};
constexpr Spec kModuleCommentSpec{Verb::kCommented, kModuleType, TG::kModule,
                                  LR::kActor};
constexpr Spec kSubmissionCreatedSpec{Verb::kCreated, OT::kAssignment,
                                      TG::kModule, LR::kSubject};
constexpr Spec kSubmissionUpdatedSpec{Verb::kUpdated, OT::kAssignment,
                                      TG::kModule, LR::kSubject};

// ---------------------------------------------------------------------------
// Event names and modules.

struct EventName {
  std::string_view full;  // as sent, e.g. "\mod_quiz\event\attempt_started"
  std::string_view key;   // without the leading backslash
  std::string_view component;  // "mod_quiz"
  std::string_view name;       // "attempt_started"
};

bool IsTokenChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

bool IsToken(std::string_view s) {
  if (s.empty() || s.size() > kMaxTokenLength) return false;
  for (char c : s) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

// "\<component>\event\<name>", component and name lowercase frankenstyle.
bool ParseEventName(std::string_view full, EventName& out) {
  if (full.empty() || full.size() > kMaxEventNameLength) return false;
  std::string_view key = full;
  if (key.front() == '\\') key.remove_prefix(1);
  constexpr std::string_view kMiddle = "\\event\\";
  size_t mid = key.find(kMiddle);
  if (mid == std::string_view::npos) return false;
  std::string_view component = key.substr(0, mid);
  std::string_view name = key.substr(mid + kMiddle.size());
  if (!IsToken(component) || !IsToken(name)) return false;
  out = {full, key, component, name};
  return true;
}

bool StartsWith(std::string_view s, std::string_view p) {
  return common::StartsWith(s, p);
}

// The course module type an event's component belongs to ("" if none).
std::string_view ModuleOfComponent(std::string_view component) {
  if (StartsWith(component, "mod_")) return component.substr(4);
  if (StartsWith(component, "assignsubmission_") ||
      StartsWith(component, "assignfeedback_")) {
    return "assign";
  }
  if (StartsWith(component, "quiz_") || StartsWith(component, "quizaccess_")) {
    return "quiz";
  }
  if (StartsWith(component, "booktool_")) return "book";
  if (StartsWith(component, "workshopform_") ||
      StartsWith(component, "workshopallocation_")) {
    return "workshop";
  }
  if (StartsWith(component, "datafield_")) return "data";
  if (StartsWith(component, "ltiservice_")) return "lti";
  if (StartsWith(component, "scormreport_")) return "scorm";
  if (component == "core_h5p") return "h5pactivity";
  return {};
}

// The object type of a course module: the table Moodle statements are typed
// with too (xapi_vocabulary.h), MODULE for a module it does not list.
ObjectType ModuleType(std::string_view module) {
  ObjectType t = MoodleModuleObjectType(module);
  return t == ObjectType::kUnspecified ? ObjectType::kModule : t;
}

// The spec for `event`: a table entry, or a rule that holds for every
// module. Returns kUnimplemented when Polku does not map the event.
absl::StatusOr<const Spec*> FindSpec(const EventName& event) {
  const SpecMap& specs = Specs();
  auto it = specs.find(event.key);
  if (it != specs.end()) {
    if (it->second == nullptr) {
      return absl::UnimplementedError(
          StrCat("not a learning activity: ", event.full));
    }
    return it->second;
  }
  bool module_component = !ModuleOfComponent(event.component).empty();
  if (module_component) {
    if (event.name == "course_module_viewed") return &kModuleViewedSpec;
    if (event.name == "course_module_instance_list_viewed") {
      return &kModuleIndexViewedSpec;
    }
    if (event.name == "comment_created") return &kModuleCommentSpec;
    if (StartsWith(event.component, "assignsubmission_")) {
      if (event.name == "submission_created") return &kSubmissionCreatedSpec;
      if (event.name == "submission_updated") return &kSubmissionUpdatedSpec;
    }
    if (event.name == "comment_deleted" || event.name == "report_viewed") {
      return absl::UnimplementedError(
          StrCat("not a learning activity: ", event.full));
    }
  }
  return absl::UnimplementedError(
      StrCat("no mapping for Moodle event: ", event.full));
}

// ---------------------------------------------------------------------------
// Scalars.

std::optional<int64_t> ParseDecimal(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<double> ParseNumber(std::string_view s) {
  if (s.empty() || s.size() > 64) return std::nullopt;
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(v)) {
    return std::nullopt;
  }
  return v;
}

std::optional<int64_t> IntegralDouble(double d) {
  if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 9.0e18) {
    return static_cast<int64_t>(d);
  }
  return std::nullopt;
}

// A JSON scalar read as an integer: ints, integral doubles, booleans and
// decimal strings (log rows read from a database carry ids as strings).
std::optional<int64_t> JsonInt(JsonElement v) {
  int64_t i;
  if (!v.get_int64().get(i)) return i;
  if (v.is_double()) {
    double d;
    if (!v.get_double().get(d)) return IntegralDouble(d);
    return std::nullopt;
  }
  bool b;
  if (!v.get_bool().get(b)) return b ? 1 : 0;
  std::string_view s;
  if (!v.get_string().get(s)) return ParseDecimal(s);
  return std::nullopt;
}

std::optional<double> JsonDouble(JsonElement v) {
  double d;
  if ((v.is_int64() || v.is_uint64() || v.is_double()) &&
      !v.get_double().get(d)) {
    if (std::isfinite(d)) return d;
    return std::nullopt;
  }
  std::string_view s;
  if (!v.get_string().get(s)) return ParseNumber(s);
  return std::nullopt;
}

// ---------------------------------------------------------------------------
// `other`, decoded once whatever its encoding.

class Other {
 public:
  absl::Status Init(std::optional<JsonElement> value) {
    if (!value.has_value() || value->is_null()) return absl::OkStatus();
    JsonElement v = *value;
    if (!v.get_object().get(json_)) {
      kind_ = Kind::kJson;
      return absl::OkStatus();
    }
    std::string_view text;
    if (v.get_string().get(text)) {
      // An array (PHP's empty array encodes as []) or a scalar: no keys.
      return absl::OkStatus();
    }
    size_t start = text.find_first_not_of(" \t\r\n");
    if (start == std::string_view::npos) return absl::OkStatus();
    text.remove_prefix(start);
    if (text == "null" || text == "N;" || text == "[]") {
      return absl::OkStatus();
    }
    if (text.front() == '{' || text.front() == '[') return InitJson(text);
    if (LooksPhpSerialized(text)) return InitPhp(text);
    // A plain string `other` (Moodle allows scalars): no keys to read.
    return absl::OkStatus();
  }

  // Present and not null.
  bool Has(std::string_view key) const {
    if (kind_ == Kind::kJson) {
      JsonElement v;
      return !json_.at_key(key).get(v) && !v.is_null();
    }
    if (kind_ == Kind::kPhp) {
      const PhpValue* p = php_.Find(key);
      return p != nullptr && !p->is_null();
    }
    return false;
  }

  std::optional<int64_t> Int(std::string_view key) const {
    if (kind_ == Kind::kJson) {
      JsonElement v;
      if (json_.at_key(key).get(v)) return std::nullopt;
      return JsonInt(v);
    }
    if (kind_ == Kind::kPhp) {
      const PhpValue* p = php_.Find(key);
      if (p == nullptr) return std::nullopt;
      return p->AsInt();
    }
    return std::nullopt;
  }

  std::optional<double> Double(std::string_view key) const {
    if (kind_ == Kind::kJson) {
      JsonElement v;
      if (json_.at_key(key).get(v)) return std::nullopt;
      return JsonDouble(v);
    }
    if (kind_ == Kind::kPhp) {
      const PhpValue* p = php_.Find(key);
      if (p == nullptr) return std::nullopt;
      std::optional<double> d = p->AsDouble();
      if (d.has_value() && !std::isfinite(*d)) return std::nullopt;
      return d;
    }
    return std::nullopt;
  }

  std::optional<std::string_view> String(std::string_view key) const {
    if (kind_ == Kind::kJson) {
      JsonElement v;
      std::string_view s;
      if (json_.at_key(key).get(v) || v.get_string().get(s)) {
        return std::nullopt;
      }
      return s;
    }
    if (kind_ == Kind::kPhp) {
      const PhpValue* p = php_.Find(key);
      if (p == nullptr || p->type != PhpType::kString) return std::nullopt;
      return p->string_value;
    }
    return std::nullopt;
  }

 private:
  enum class Kind : uint8_t { kNone, kJson, kPhp };

  absl::Status InitJson(std::string_view text) {
    // A second parser: the payload's own document (ParseJson's thread-local
    // parser) must stay valid while `other` is read.
    thread_local simdjson::dom::parser parser;
    JsonElement root;
    auto error = parser.parse(text.data(), text.size(), true).get(root);
    if (error) {
      return InvalidFieldError(
          "payload.other",
          StrCat("is not valid JSON (", simdjson::error_message(error), ")"));
    }
    if (!root.get_object().get(json_)) kind_ = Kind::kJson;
    return absl::OkStatus();
  }

  absl::Status InitPhp(std::string_view text) {
    absl::StatusOr<PhpValue> value = PhpUnserialize(text);
    if (!value.ok()) {
      std::string_view msg(value.status().message().data(),
                           value.status().message().size());
      return InvalidFieldError(
          "payload.other",
          StrCat("is not valid PHP-serialised data (", msg, ")"));
    }
    php_ = *std::move(value);
    if (php_.is_array()) kind_ = Kind::kPhp;
    return absl::OkStatus();
  }

  Kind kind_ = Kind::kNone;
  JsonObject json_;
  PhpValue php_;
};

// ---------------------------------------------------------------------------
// Top-level fields.

enum class Presence : uint8_t { kMissing, kNull, kValue };

struct IntField {
  Presence presence = Presence::kMissing;
  int64_t value = 0;
  bool positive() const { return presence == Presence::kValue && value > 0; }
};

struct Fields {
  std::optional<JsonElement> eventname, timecreated, other, anonymous, crud,
      edulevel, objecttable;
  std::optional<JsonElement> userid, relateduserid, courseid, objectid,
      contextinstanceid, contextlevel, id;
};

// Reads the payload's members in one pass.
void CollectFields(JsonObject obj, Fields& f) {
  struct Slot {
    std::string_view key;
    std::optional<JsonElement> Fields::*member;
  };
  static constexpr Slot kSlots[] = {
      {"eventname", &Fields::eventname},
      {"userid", &Fields::userid},
      {"relateduserid", &Fields::relateduserid},
      {"courseid", &Fields::courseid},
      {"objectid", &Fields::objectid},
      {"contextinstanceid", &Fields::contextinstanceid},
      {"contextlevel", &Fields::contextlevel},
      {"timecreated", &Fields::timecreated},
      {"other", &Fields::other},
      {"anonymous", &Fields::anonymous},
      {"crud", &Fields::crud},
      {"edulevel", &Fields::edulevel},
      {"objecttable", &Fields::objecttable},
      {"id", &Fields::id},
  };
  for (auto field : obj) {
    for (const Slot& slot : kSlots) {
      if (field.key == slot.key) {
        f.*slot.member = field.value;
        break;
      }
    }
  }
}

absl::Status ReadIntField(const std::optional<JsonElement>& e,
                          std::string_view key, IntField& out) {
  if (!e.has_value()) return absl::OkStatus();
  if (e->is_null()) {
    out.presence = Presence::kNull;
    return absl::OkStatus();
  }
  std::optional<int64_t> v;
  if (!e->is_bool()) v = JsonInt(*e);  // booleans are not ids
  if (!v.has_value()) {
    std::string_view s;
    if (!e->get_string().get(s) && s.empty()) {
      // An empty string is how some log exports write a missing id.
      out.presence = Presence::kNull;
      return absl::OkStatus();
    }
    return InvalidFieldError(StrCat("payload.", key), "must be an integer");
  }
  out.presence = Presence::kValue;
  out.value = *v;
  return absl::OkStatus();
}

// Moodle's timecreated: Unix seconds (an integer; a decimal string from a
// database export; a double from microtime() in some plugins).
absl::StatusOr<int64_t> ReadTimeCreated(const std::optional<JsonElement>& e) {
  constexpr std::string_view kField = "payload.timecreated";
  if (!e.has_value() || e->is_null()) {
    return InvalidFieldError(kField, "is required");
  }
  auto out_of_range = [&] {
    return InvalidFieldError(
        kField,
        "is out of range (Unix seconds after 1970 and before year 10000)");
  };
  int64_t seconds;
  std::string_view text;
  if (!e->get_int64().get(seconds)) {
    // Taken as it is below.
  } else if (e->is_uint64()) {
    return out_of_range();
  } else if (double d = 0; e->is_double() && !e->get_double().get(d)) {
    if (!std::isfinite(d) || d <= 0 ||
        d > static_cast<double>(kMaxUnixSeconds)) {
      return out_of_range();
    }
    return static_cast<int64_t>(std::floor(d * 1000.0));
  } else if (!e->get_string().get(text)) {
    std::optional<int64_t> parsed = ParseDecimal(text);
    if (!parsed.has_value()) {
      return InvalidFieldError(kField, "must be an integer (Unix seconds)");
    }
    seconds = *parsed;
  } else {
    return InvalidFieldError(kField, "must be an integer (Unix seconds)");
  }
  if (seconds <= 0 || seconds > kMaxUnixSeconds) return out_of_range();
  return seconds * 1000;
}

bool IsAnonymous(const std::optional<JsonElement>& e) {
  if (!e.has_value() || e->is_null()) return false;
  bool b;
  if (!e->get_bool().get(b)) return b;
  std::optional<int64_t> v = JsonInt(*e);
  return v.has_value() && *v != 0;
}

// ---------------------------------------------------------------------------
// Object ids.

std::string CourseIri(const std::string& base, int64_t courseid) {
  return StrCat(base, "/course/view.php?id=", courseid);
}

std::string ModuleIri(const std::string& base, std::string_view module,
                      int64_t cmid) {
  if (module.empty()) return StrCat(base, "/mod/view.php?id=", cmid);
  return StrCat(base, "/mod/", module, "/view.php?id=", cmid);
}

absl::Status Required(std::string_view field) {
  return InvalidFieldError(field, "is required for this event");
}

// A certificate verification code: short and alphanumeric.
bool IsCode(std::string_view s) {
  if (s.empty() || s.size() > kMaxTokenLength) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::optional<std::string_view> Extension(const Enrichment& en,
                                          std::string_view key) {
  // std::map<std::string, ...> has no heterogeneous find in C++17's
  // default comparator; the maps are small, so scan.
  for (const auto& [k, v] : en.extensions) {
    if (k == key) return std::string_view(v);
  }
  return std::nullopt;
}

std::optional<double> ExtensionNumber(const Enrichment& en,
                                      std::string_view key) {
  std::optional<std::string_view> v = Extension(en, key);
  if (!v.has_value()) return std::nullopt;
  return ParseNumber(*v);
}

// Everything BuildObject needs to know about the event.
struct ObjectInput {
  const Spec& spec;
  const std::string& base;
  std::string_view module;  // course module type, "" when unknown
  IntField courseid, objectid, cmid;
  const Other& other;
};

// Sets object.id, object.type, context.course_id and context.parents.
absl::Status BuildObject(const ObjectInput& in, model::LearningEvent& e) {
  const std::string& base = in.base;
  std::string course_iri;
  if (in.courseid.positive()) course_iri = CourseIri(base, in.courseid.value);
  e.context.course_id = course_iri;

  auto need_course = [&]() -> absl::Status {
    if (course_iri.empty()) return Required("payload.courseid");
    return absl::OkStatus();
  };
  auto need_object = [&]() -> absl::Status {
    if (!in.objectid.positive()) return Required("payload.objectid");
    return absl::OkStatus();
  };
  auto need_cm = [&]() -> absl::Status {
    if (!in.cmid.positive()) return Required("payload.contextinstanceid");
    return absl::OkStatus();
  };
  // For objects inside a course module: the module is their parent.
  auto module_parent = [&](std::string_view module) {
    if (in.cmid.positive()) {
      e.context.parents.push_back(ModuleIri(base, module, in.cmid.value));
    }
  };

  e.object.type =
      in.spec.type == kModuleType ? ModuleType(in.module) : in.spec.type;
  const int64_t obj = in.objectid.value;
  switch (in.spec.target) {
    case TG::kCourse:
      POLKU_RETURN_IF_ERROR(need_course());
      e.object.id = course_iri;
      break;
    case TG::kCourseResources:
      POLKU_RETURN_IF_ERROR(need_course());
      e.object.id =
          StrCat(base, "/course/resources.php?id=", in.courseid.value);
      break;
    case TG::kModuleIndex:
      POLKU_RETURN_IF_ERROR(need_course());
      e.object.id =
          StrCat(base, "/mod/", in.module, "/index.php?id=", in.courseid.value);
      break;
    case TG::kModule:
      POLKU_RETURN_IF_ERROR(need_cm());
      e.object.id = ModuleIri(base, in.module, in.cmid.value);
      break;
    case TG::kBadge:
      POLKU_RETURN_IF_ERROR(need_object());
      e.object.id = StrCat(base, "/badges/overview.php?id=", obj);
      break;
    case TG::kCertificateCode: {
      std::optional<std::string_view> code = in.other.String("code");
      if (code.has_value() && IsCode(*code)) {
        e.object.id =
            StrCat(base, "/admin/tool/certificate/index.php?code=", *code);
      } else {
        POLKU_RETURN_IF_ERROR(need_object());
        e.object.id =
            StrCat(base, "/admin/tool/certificate/index.php?issue=", obj);
      }
      break;
    }
    case TG::kQuizAttempt:
      POLKU_RETURN_IF_ERROR(need_object());
      POLKU_RETURN_IF_ERROR(need_cm());
      e.object.id = StrCat(base, "/mod/quiz/attempt.php?attempt=", obj,
                           "&cmid=", in.cmid.value);
      module_parent("quiz");
      break;
    case TG::kQuizReview:
      POLKU_RETURN_IF_ERROR(need_object());
      e.object.id = StrCat(base, "/mod/quiz/review.php?attempt=", obj);
      module_parent("quiz");
      break;
    case TG::kForumDiscussion:
      POLKU_RETURN_IF_ERROR(need_object());
      e.object.id = StrCat(base, "/mod/forum/discuss.php?d=", obj);
      module_parent("forum");
      break;
    case TG::kForumSubscription: {
      std::optional<int64_t> d = in.other.Int("discussion");
      if (!d.has_value() || *d <= 0) {
        return Required("payload.other.discussion");
      }
      e.object.id = StrCat(base, "/mod/forum/discuss.php?d=", *d);
      module_parent("forum");
      break;
    }
    case TG::kForumPost: {
      std::optional<int64_t> d = in.other.Int("discussionid");
      if (!d.has_value() || *d <= 0) {
        return Required("payload.other.discussionid");
      }
      e.object.id = StrCat(base, "/mod/forum/discuss.php?d=", *d);
      module_parent("forum");
      break;
    }
    case TG::kBookChapter:
      POLKU_RETURN_IF_ERROR(need_object());
      POLKU_RETURN_IF_ERROR(need_cm());
      e.object.id = StrCat(base, "/mod/book/view.php?id=", in.cmid.value,
                           "&chapterid=", obj);
      module_parent("book");
      break;
    case TG::kLessonPage:
      POLKU_RETURN_IF_ERROR(need_object());
      POLKU_RETURN_IF_ERROR(need_cm());
      e.object.id = StrCat(base, "/mod/lesson/view.php?id=", in.cmid.value,
                           "&pageid=", obj);
      module_parent("lesson");
      break;
    case TG::kWikiPage:
      POLKU_RETURN_IF_ERROR(need_object());
      e.object.id = StrCat(base, "/mod/wiki/view.php?pageid=", obj);
      module_parent("wiki");
      break;
    case TG::kWikiPageComments:
      POLKU_RETURN_IF_ERROR(need_object());
      e.object.id = StrCat(base, "/mod/wiki/comments.php?pageid=", obj);
      module_parent("wiki");
      break;
    case TG::kWikiComment: {
      std::optional<int64_t> page = in.other.Int("itemid");
      if (page.has_value() && *page > 0) {
        e.object.id = StrCat(base, "/mod/wiki/comments.php?pageid=", *page);
        module_parent("wiki");
      } else {
        // Without the page, the comment is about the wiki as a whole.
        POLKU_RETURN_IF_ERROR(need_cm());
        e.object.id = ModuleIri(base, "wiki", in.cmid.value);
      }
      break;
    }
    case TG::kGlossaryEntry:
      POLKU_RETURN_IF_ERROR(need_object());
      e.object.id = StrCat(base, "/mod/glossary/showentry.php?eid=", obj);
      module_parent("glossary");
      break;
    case TG::kGlossaryComment: {
      std::optional<int64_t> entry = in.other.Int("itemid");
      if (!entry.has_value() || *entry <= 0) {
        return Required("payload.other.itemid");
      }
      e.object.id = StrCat(base, "/mod/glossary/showentry.php?eid=", *entry);
      module_parent("glossary");
      break;
    }
    case TG::kBlogEntry:
      POLKU_RETURN_IF_ERROR(need_object());
      e.object.id = StrCat(base, "/blog/index.php?entryid=", obj);
      break;
    case TG::kBlogComment: {
      std::optional<int64_t> entry = in.other.Int("itemid");
      if (!entry.has_value() || *entry <= 0) {
        return Required("payload.other.itemid");
      }
      e.object.id = StrCat(base, "/blog/index.php?entryid=", *entry);
      break;
    }
    case TG::kMessage:
      POLKU_RETURN_IF_ERROR(need_object());
      e.object.id = StrCat(base, "/message?id=", obj);
      break;
    case TG::kNote:
      POLKU_RETURN_IF_ERROR(need_object());
      e.object.id = StrCat(base, "/notes/view.php?id=", obj);
      break;
    case TG::kSearch:
      e.object.id = StrCat(base, "/search/index.php");
      break;
    case TG::kGradeItem: {
      POLKU_RETURN_IF_ERROR(need_course());
      std::optional<int64_t> item = in.other.Int("itemid");
      if (!item.has_value() || *item <= 0) {
        return Required("payload.other.itemid");
      }
      e.object.id = StrCat(base, "/grade/edit/tree/grade.php?courseid=",
                           in.courseid.value, "&itemid=", *item);
      break;
    }
    case TG::kUserCompetency:
      POLKU_RETURN_IF_ERROR(need_object());
      e.object.id = StrCat(base, "/admin/tool/lp/user_competency.php?id=", obj);
      break;
    case TG::kUserCompetencyInCourse:
      POLKU_RETURN_IF_ERROR(need_object());
      e.object.id =
          StrCat(base, "/admin/tool/lp/user_competency_in_course.php?id=", obj);
      break;
    case TG::kUserCompetencyInPlan:
      POLKU_RETURN_IF_ERROR(need_object());
      e.object.id =
          StrCat(base, "/admin/tool/lp/user_competency_in_plan.php?id=", obj);
      break;
    case TG::kEvidence: {
      // The evidence is shown on its user competency's page.
      std::optional<int64_t> uc = in.other.Int("usercompetencyid");
      if (!uc.has_value() || *uc <= 0) {
        return Required("payload.other.usercompetencyid");
      }
      e.object.id = StrCat(base, "/admin/tool/lp/user_competency.php?id=", *uc);
      break;
    }
    case TG::kUserEvidence:
      POLKU_RETURN_IF_ERROR(need_object());
      e.object.id = StrCat(base, "/admin/tool/lp/user_evidence.php?id=", obj);
      break;
    case TG::kPlan:
      POLKU_RETURN_IF_ERROR(need_object());
      e.object.id = StrCat(base, "/admin/tool/lp/plan.php?id=", obj);
      break;
    case TG::kProgram: {
      std::optional<int64_t> program = in.other.Int("programid");
      int64_t id = program.has_value() && *program > 0 ? *program : obj;
      if (id <= 0) return Required("payload.objectid");
      e.object.id = StrCat(base, "/totara/program/view.php?id=", id);
      break;
    }
  }
  // Parents, outermost first: the course (unless it is the object), then
  // the course module for objects inside one.
  if (!course_iri.empty() && e.object.id != course_iri) {
    e.context.parents.insert(e.context.parents.begin(), course_iri);
  }
  return absl::OkStatus();
}

bool IsCompletionLike(Verb v) {
  return v == Verb::kCompleted || v == Verb::kPassed || v == Verb::kFailed;
}

absl::Status NotLearning(const EventName& event, std::string_view why) {
  return absl::UnimplementedError(
      StrCat("not a learning activity: ", event.full, " (", why, ")"));
}

}  // namespace

absl::Status NormaliseMoodle(std::string_view tenant, const SourceEvent& source,
                             std::vector<model::LearningEvent>& out) {
  POLKU_ASSIGN_OR_RETURN(JsonElement root, ParseJson(source.payload));
  JsonObject obj;
  if (root.get_object().get(obj)) {
    return InvalidFieldError("payload", "must be a JSON object");
  }
  Fields f;
  CollectFields(obj, f);

  // The event's name and time.
  if (!f.eventname.has_value() || f.eventname->is_null()) {
    return InvalidFieldError("payload.eventname", "is required");
  }
  std::string_view eventname_text;
  if (f.eventname->get_string().get(eventname_text)) {
    return InvalidFieldError("payload.eventname", "must be a string");
  }
  EventName event;
  if (!ParseEventName(eventname_text, event)) {
    return InvalidFieldError(
        "payload.eventname",
        "is not a Moodle event class name like \\core\\event\\course_viewed");
  }
  POLKU_ASSIGN_OR_RETURN(int64_t occurred_at_ms,
                         ReadTimeCreated(f.timecreated));

  IntField userid, relateduserid, courseid, objectid, cmid, contextlevel, logid;
  POLKU_RETURN_IF_ERROR(ReadIntField(f.userid, "userid", userid));
  POLKU_RETURN_IF_ERROR(
      ReadIntField(f.relateduserid, "relateduserid", relateduserid));
  POLKU_RETURN_IF_ERROR(ReadIntField(f.courseid, "courseid", courseid));
  POLKU_RETURN_IF_ERROR(ReadIntField(f.objectid, "objectid", objectid));
  POLKU_RETURN_IF_ERROR(
      ReadIntField(f.contextinstanceid, "contextinstanceid", cmid));
  POLKU_RETURN_IF_ERROR(
      ReadIntField(f.contextlevel, "contextlevel", contextlevel));
  POLKU_RETURN_IF_ERROR(ReadIntField(f.id, "id", logid));

  POLKU_ASSIGN_OR_RETURN(const Spec* spec_ptr, FindSpec(event));
  const Spec& spec = *spec_ptr;

  if (IsAnonymous(f.anonymous)) {
    return InvalidFieldError("payload.anonymous",
                             "anonymous events carry no learner");
  }

  Other other;
  POLKU_RETURN_IF_ERROR(other.Init(f.other));

  // The learner.
  int64_t learner = 0;
  switch (spec.learner) {
    case LR::kSubject:
      learner = relateduserid.positive()
                    ? relateduserid.value
                    : (userid.positive() ? userid.value : 0);
      break;
    case LR::kActor:
    case LR::kOwnWork:
      learner = userid.positive()
                    ? userid.value
                    : (relateduserid.positive() ? relateduserid.value : 0);
      if (spec.learner == LR::kOwnWork && userid.positive() &&
          relateduserid.positive() && relateduserid.value != userid.value) {
        return NotLearning(event, "done by another user on a learner's work");
      }
      break;
    case LR::kPlanOwner:
      if (relateduserid.positive()) {
        learner = relateduserid.value;
      } else if (contextlevel.presence == Presence::kValue &&
                 contextlevel.value == kContextLevelUser && cmid.positive()) {
        learner = cmid.value;  // the user context's instance is the user
      } else if (userid.positive()) {
        learner = userid.value;
      }
      break;
  }
  if (learner <= 0) {
    return InvalidFieldError(
        "payload.userid",
        "is required: the event names no learner (relateduserid and userid "
        "are missing or not positive)");
  }

  // The course module type: from the component (mod_quiz -> quiz), else,
  // for core events about a course module, from other.modulename or the
  // adapter's enrichment.
  std::string_view module = ModuleOfComponent(event.component);
  bool about_module = spec.target == TG::kModule ||
                      spec.target == TG::kModuleIndex ||
                      spec.type == kModuleType;
  if (module.empty() && about_module) {
    std::optional<std::string_view> named = other.String("modulename");
    if (!named.has_value() || !IsToken(*named)) {
      named = Extension(source.enrichment, "moodle.modname");
    }
    if (named.has_value() && IsToken(*named)) module = *named;
  }
  if (spec.target == TG::kModule && contextlevel.presence == Presence::kValue &&
      contextlevel.value != kContextLevelModule) {
    return InvalidFieldError("payload.contextlevel",
                             StrCat("must be ", kContextLevelModule,
                                    " (course module) for this event"));
  }

  model::LearningEvent e;
  const std::string& instance_in = source.enrichment.instance;
  std::string_view instance = instance_in.empty()
                                  ? std::string_view("moodle")
                                  : std::string_view(instance_in);
  const std::string base = model::CanonicalInstance(instance);
  e.source.platform = model::Platform::kMoodle;
  e.source.instance = base;
  // With the leading backslash whether or not the sender wrote it.
  e.source.event_type = StrCat("\\", event.key);
  e.occurred_at_ms = occurred_at_ms;
  e.learner.key = model::LearnerKey(instance, std::to_string(learner));
  e.verb = spec.verb;

  ObjectInput object_input{spec, base, module, courseid, objectid, cmid, other};
  POLKU_RETURN_IF_ERROR(BuildObject(object_input, e));

  // Who set it in motion.
  Initiator initiator = Initiator::kSelf;
  int64_t actor = userid.presence == Presence::kValue ? userid.value : 0;
  if (userid.presence != Presence::kMissing && actor != learner) {
    initiator = actor > 0 ? Initiator::kStaff : Initiator::kSystem;
  }

  if (spec.flags & kCompletionYes) e.result.completion = Tristate::kYes;
  // A grade given, or a graded module (the same test the xAPI and Caliper
  // normalisers apply to a Moodle IRI).
  if ((spec.flags & kGradedYes) || spec.verb == Verb::kGraded ||
      IsGradedMoodleModule(module)) {
    e.context.graded = Tristate::kYes;
  }

  // Event-specific facts.
  switch (spec.special) {
    case SP::kNone:
      break;
    case SP::kEnrolment: {
      std::optional<std::string_view> plugin = other.String("enrol");
      EnrolmentMethod method = plugin.has_value()
                                   ? EnrolmentMethodFromName(*plugin)
                                   : EnrolmentMethod::kUnspecified;
      e.context.enrolment_method = method;
      if (method == EnrolmentMethod::kUnspecified) {
        method = source.enrichment.enrolment_method;
      }
      // The method decides where it implies who chose (self, guest -> SELF;
      // cohort, meta -> SYSTEM; database -> SIS_SYNC), as for xAPI; for
      // manual and program enrolments the acting user does.
      Initiator by_method = InitiatorForEnrolmentMethod(method);
      if (by_method != Initiator::kUnspecified) initiator = by_method;
      // An updated enrolment is a suspension or a reactivation; only the
      // adapter knows which (user_enrolments.status: 0 active, 1
      // suspended), as logstore_xapi reads it from the database.
      if (event.name == "user_enrolment_updated") {
        std::optional<std::string_view> status =
            Extension(source.enrichment, "moodle.enrolment_status");
        if (status.has_value() && (*status == "1" || *status == "suspended")) {
          e.verb = Verb::kUnenrolled;
          e.extensions["moodle.enrolment_status"] = "suspended";
        } else if (status.has_value() &&
                   (*status == "0" || *status == "active")) {
          e.extensions["moodle.enrolment_status"] = "active";
        }
      }
      break;
    }
    case SP::kProgramAssignment:
      e.context.enrolment_method = EnrolmentMethod::kProgram;
      // Program assignments are applied by Totara's assignment task; only
      // a staff member named as the actor makes it STAFF.
      if (initiator == Initiator::kSelf) initiator = Initiator::kSystem;
      break;
    case SP::kModuleCompletion: {
      std::optional<int64_t> state = other.Int("completionstate");
      if (!state.has_value()) return Required("payload.other.completionstate");
      switch (*state) {
        case 0:
          return NotLearning(event, "completion state 0: marked incomplete");
        case 1:
          break;
        case 2:
          e.result.success = Tristate::kYes;
          break;
        case 3:
          e.result.success = Tristate::kNo;
          break;
        default:
          return InvalidFieldError("payload.other.completionstate",
                                   "must be 0, 1, 2 or 3");
      }
      std::optional<int64_t> by = other.Int("overrideby");
      if (by.has_value() && *by > 0 && *by != learner) {
        initiator = Initiator::kStaff;
        e.extensions["moodle.completion_overridden"] = "true";
      }
      break;
    }
    case SP::kUserGraded: {
      std::optional<double> grade = other.Double("finalgrade");
      std::optional<double> max =
          ExtensionNumber(source.enrichment, "moodle.grademax");
      std::optional<double> min =
          ExtensionNumber(source.enrichment, "moodle.grademin");
      std::optional<double> pass =
          ExtensionNumber(source.enrichment, "moodle.gradepass");
      double lo = min.value_or(0.0);
      if (grade.has_value() && max.has_value() && *max > lo) {
        e.result.score_scaled =
            std::clamp((*grade - lo) / (*max - lo), -1.0, 1.0);
      }
      if (grade.has_value() && pass.has_value() && *pass > 0) {
        e.result.success = *grade >= *pass ? Tristate::kYes : Tristate::kNo;
      }
      std::optional<int64_t> overridden = other.Int("overridden");
      if (overridden.has_value() && *overridden != 0) {
        e.extensions["moodle.grade_overridden"] = "true";
      }
      break;
    }
    case SP::kCompetencyEvidence: {
      std::optional<int64_t> action = other.Int("action");
      // core_competency\evidence: 0 log, 2 complete, 3 override.
      if (action.has_value() && (*action == 2 || *action == 3)) {
        e.verb = Verb::kGraded;
        e.object.type = OT::kCompetency;
        e.context.graded = Tristate::kYes;
        e.extensions["moodle.evidence_action"] =
            *action == 2 ? "complete" : "override";
      } else {
        e.extensions["moodle.evidence_action"] = "log";
      }
      std::optional<int64_t> competency = other.Int("competencyid");
      if (competency.has_value() && *competency > 0) {
        e.context.competencies.push_back(
            StrCat(base, "/admin/tool/lp/editcompetency.php?id=", *competency));
      }
      break;
    }
    case SP::kCompetencyRated:
      break;
    case SP::kPlanCreated: {
      // Moodle's event does not say whether the plan came from a template;
      // an adapter adds other.templateid from the plan record when it does.
      std::optional<std::string_view> table;
      std::string_view t;
      if (f.objecttable.has_value() && !f.objecttable->get_string().get(t)) {
        table = t;
      }
      bool known = other.Has("templateid");
      std::optional<int64_t> template_id = other.Int("templateid");
      bool from_template =
          (template_id.has_value() && *template_id > 0) ||
          (table.has_value() && *table == "competency_template");
      if (from_template) {
        initiator = actor > 0 ? Initiator::kStaff : Initiator::kSystem;
        e.extensions["moodle.plan_template"] = "true";
      } else if (known) {
        e.extensions["moodle.plan_template"] = "false";
      }
      break;
    }
    case SP::kScormStatus: {
      std::optional<std::string_view> status = other.String("cmivalue");
      if (status.has_value()) {
        if (*status == "passed") {
          e.verb = Verb::kPassed;
          e.result.success = Tristate::kYes;
        } else if (*status == "failed") {
          e.verb = Verb::kFailed;
          e.result.success = Tristate::kNo;
        } else if (*status != "completed") {
          // incomplete, browsed, not attempted, unknown: not an outcome.
          return NotLearning(event, "SCORM status is not an outcome");
        }
      }
      break;
    }
    case SP::kScormScore: {
      // SCORM 1.2 raw scores are on 0..100 unless the package says
      // otherwise, which is what Moodle's SCORM grading assumes too.
      std::optional<double> raw = other.Double("cmivalue");
      if (raw.has_value() && *raw >= 0 && *raw <= 100) {
        e.result.score_scaled = *raw / 100.0;
      }
      break;
    }
  }

  if (e.verb == Verb::kAchieved) {
    // An award (badge, certificate): STAFF when a person other than the
    // learner awarded it, SELF when the learner's own action did, SYSTEM
    // when no person is named (criteria review, cron, userid 0 or absent).
    initiator = actor > 0
                    ? (actor == learner ? Initiator::kSelf : Initiator::kStaff)
                    : Initiator::kSystem;
  } else if (IsCompletionLike(e.verb) && initiator == Initiator::kSystem &&
             spec.special != SP::kProgramAssignment) {
    // Completions recorded by cron are the learner's own.
    initiator = Initiator::kSelf;
  }
  e.initiator = initiator;

  // Small facts for rules.
  e.extensions["moodle.component"] = std::string(event.component);
  std::string_view crud;
  if (f.crud.has_value() && !f.crud->get_string().get(crud) &&
      (crud == "c" || crud == "r" || crud == "u" || crud == "d")) {
    e.extensions["moodle.crud"] = std::string(crud);
  }
  if (f.edulevel.has_value()) {
    std::optional<int64_t> level = JsonInt(*f.edulevel);
    if (level.has_value() && *level >= 0 && *level <= 2) {
      e.extensions["moodle.edulevel"] = std::to_string(*level);
    }
  }

  if (!source.enrichment.event_id.empty()) {
    e.event_id = source.enrichment.event_id;
  } else {
    std::string discriminator;
    if (logid.positive()) {
      discriminator = std::to_string(logid.value);
    } else if (objectid.presence == Presence::kValue) {
      discriminator = std::to_string(objectid.value);
    }
    e.event_id = model::DeriveEventId(tenant, e, discriminator);
  }
  ApplyEnrichment(source.enrichment, e);
  out.push_back(std::move(e));
  return absl::OkStatus();
}

}  // namespace polku::ingest
