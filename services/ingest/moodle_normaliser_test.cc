// Tests of NormaliseMoodle over the Moodle fixtures in shared/fixtures/moodle
// (event.json: Moodle's $event->get_data(); statements.json: what
// logstore_xapi makes of the same event) and over variants of them.
#include <simdjson.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/status_matchers.h"
#include "common/strings.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/normaliser.h"
#include "ingest/source_event.h"
#include "ingest/test_support.h"
#include "model/event_codec.h"
#include "model/learning_event.h"

namespace polku::ingest {
namespace {

namespace fs = std::filesystem;
using model::EnrolmentMethod;
using model::Initiator;
using model::LearningEvent;
using model::ObjectType;
using model::Tristate;
using model::Verb;
using ::polku::testing::StatusIs;
using test_support::Edit;
using test_support::ReadFile;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kTenant[] = "tenant-a";
constexpr char kWwwroot[] = "http://www.example.org";
const std::string kFixtureRoot =
    (test_support::FixtureRoot() / "moodle").string();

// The event.json of a Moodle fixture directory ("core/course_viewed/...").
std::string Fixture(const std::string& rel) {
  return test_support::ReadFixture("moodle/" + rel + "/event.json");
}

SourceEvent Source(std::string payload) {
  SourceEvent s;
  s.format = SourceFormat::kMoodle;
  s.payload = std::move(payload);
  s.enrichment.instance = kWwwroot;
  return s;
}

absl::StatusOr<LearningEvent> NormaliseOne(const SourceEvent& source) {
  return test_support::NormaliseOne(kTenant, source);
}

absl::StatusOr<LearningEvent> NormaliseText(std::string payload) {
  return NormaliseOne(Source(std::move(payload)));
}

// Fixture variants are made by editing the real text (test_support::Edit).

// Every fixture directory with an event.json, relative to kFixtureRoot.
std::vector<std::string> FixtureDirs() {
  std::vector<std::string> dirs;
  for (const fs::path& file :
       test_support::FilesNamed(kFixtureRoot, "event.json")) {
    dirs.push_back(fs::relative(file.parent_path(), kFixtureRoot).string());
  }
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

// ---------------------------------------------------------------------------
// Every fixture.

// Fixtures that must be rejected, with the reason (a message substring).
// Each is kUnimplemented: a well-formed Moodle event that is not a
// learner's learning activity.
const std::map<std::string, std::string>& ExpectedRejections() {
  static const auto* const m = new std::map<std::string, std::string>{
      // Badge, calendar, course, category, section, module, group, question
      // and user management by staff or the system.
      {"core/badge_revoked/user_forfeited_badge", "not a learning activity"},
      {"core/badge_updated", "not a learning activity"},
      {"core/calendar_event_created/user_created_calendar_event",
       "not a learning activity"},
      {"core/calendar_event_deleted/user_deleted_calendar_event",
       "not a learning activity"},
      {"core/calendar_event_updated/user_updated_calendar_event",
       "not a learning activity"},
      {"core/calendar_subscription_created/user_created_calendar_subscription",
       "not a learning activity"},
      {"core/calendar_subscription_deleted/user_deleted_calendar_subscription",
       "not a learning activity"},
      {"core/calendar_subscription_updated/user_updated_calendar_subscription",
       "not a learning activity"},
      {"core/course_category_created", "not a learning activity"},
      {"core/course_completion_updated/course_completion_updated",
       "not a learning activity"},  // completion criteria edited
      {"core/course_created/creating_new_course", "not a learning activity"},
      {"core/course_module_created/creating_new_course_module",
       "not a learning activity"},
      {"core/course_section_created/new_course_section_created",
       "not a learning activity"},
      {"core/course_updated/updating_existing_course",
       "not a learning activity"},
      {"core/group_created/creating_new_group", "not a learning activity"},
      {"core/group_deleted/existing_group_deleted_test",
       "not a learning activity"},
      {"core/group_member_added/new_group_member_added_test",
       "not a learning activity"},
      {"core/group_member_removed/existing_group_member_removed_test",
       "not a learning activity"},
      {"core/notes_viewed/user_viewed_notes",
       "not a learning activity"},  // a teacher reading notes about a student
      {"core/question_created/new_question_created_test",
       "not a learning activity"},
      {"core/questions_imported/new_questions_imported",
       "not a learning activity"},
      {"core/user_created/existing_user_created", "not a learning activity"},
      // Sessions.
      {"core/user_loggedin/existing_user_loggedin", "not a learning activity"},
      {"core/user_loggedinas/existing_user_loggedinas",
       "not a learning activity"},
      {"core/user_loggedout/existing_user_loggedout",
       "not a learning activity"},
      // A module marked incomplete again is a correction, not an activity.
      {"core/course_module_completion_update/uncompleting_existing_module",
       "completion state 0"},
      // Grading workflow of staff.
      {"mod_assign/submission_locked", "not a learning activity"},
      {"mod_assign/submission_unlocked", "not a learning activity"},
      // User 1 views the submission of user 2: a teacher's, not a
      // learner's, activity.
      {"mod_assign/submission_viewed", "done by another user"},
      {"mod_quiz/attempt_reviewed/existing_attempt_reviewed",
       "done by another user"},
      // The grader grades one question; the event names no learner.
      {"mod_quiz/question_manually_graded", "not a learning activity"},
      // A state change made by cron.
      {"mod_quiz/attempt_becameoverdue", "not a learning activity"},
      // Meeting and recording management; leaving (the join is the
      // attendance).
      {"mod_bigbluebuttonbn/meeting_created", "not a learning activity"},
      {"mod_bigbluebuttonbn/meeting_ended", "not a learning activity"},
      {"mod_bigbluebuttonbn/meeting_left", "not a learning activity"},
      {"mod_bigbluebuttonbn/recording_deleted", "not a learning activity"},
      {"mod_bigbluebuttonbn/recording_edited", "not a learning activity"},
      {"mod_bigbluebuttonbn/recording_imported", "not a learning activity"},
      {"mod_bigbluebuttonbn/recording_protected", "not a learning activity"},
      {"mod_bigbluebuttonbn/recording_published", "not a learning activity"},
      {"mod_bigbluebuttonbn/recording_unprotected", "not a learning activity"},
      {"mod_bigbluebuttonbn/recording_unpublished", "not a learning activity"},
      // Content authoring.
      {"mod_book/chapter_created", "not a learning activity"},
      // Attendance taken by a teacher for a whole session: no learner.
      {"mod_facetoface/take_attendance/existing_attendance_taken",
       "not a learning activity"},
      // Subscriptions (often automatic), deletions, reports about a person.
      {"mod_forum/discussion_subscription_deleted", "not a learning activity"},
      {"mod_forum/post_deleted", "not a learning activity"},
      {"mod_forum/subscription_deleted", "not a learning activity"},
      {"mod_forum/user_report_viewed/existing_report_viewed",
       "not a learning activity"},
      {"mod_forum/user_report_viewed/existing_report_viewed_all_courses",
       "not a learning activity"},
      {"mod_glossary/comment_deleted", "not a learning activity"},
      {"mod_wiki/comment_deleted", "not a learning activity"},
      // Teachers' reports; an intermediate save (the submit is the activity).
      {"mod_questionnaire/all_responses_viewed", "not a learning activity"},
      {"mod_questionnaire/attempt_saved", "not a learning activity"},
      {"mod_survey/report_viewed", "not a learning activity"},
      // Certificate revocation and third-party verification.
      {"tool_certificate/certificate_revoked", "not a learning activity"},
      {"tool_certificate/certificate_verified", "not a learning activity"},
      // Site tours.
      {"tool_usertours/tour_ended", "not a learning activity"},
  };
  return *m;
}

int64_t TimeCreated(const std::string& dir) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  int64_t t = 0;
  if (parser.parse(Fixture(dir)).get(root) || root["timecreated"].get(t))
    return -1;
  return t;
}

TEST(MoodleNormaliser, EveryFixtureNormalisesOrIsAnExpectedRejection) {
  const std::vector<std::string> dirs = FixtureDirs();
  ASSERT_GT(dirs.size(), 150u) << "fixtures not found under " << kFixtureRoot;
  const auto& rejections = ExpectedRejections();
  const int64_t now_ms = 1700000000000;
  size_t mapped = 0;
  for (const std::string& dir : dirs) {
    SCOPED_TRACE(dir);
    std::vector<LearningEvent> out;
    absl::Status s = NormaliseMoodle(kTenant, Source(Fixture(dir)), out);
    auto rejected = rejections.find(dir);
    if (rejected != rejections.end()) {
      EXPECT_THAT(s, StatusIs(absl::StatusCode::kUnimplemented,
                              HasSubstr(rejected->second)));
      EXPECT_TRUE(out.empty());
      continue;
    }
    POLKU_ASSERT_OK(s);
    ASSERT_EQ(out.size(), 1u);
    const LearningEvent& e = out[0];
    ++mapped;
    EXPECT_FALSE(e.event_id.empty());
    EXPECT_TRUE(common::StartsWith(e.learner.key, "www.example.org#"))
        << e.learner.key;
    EXPECT_NE(e.verb, Verb::kUnspecified);
    EXPECT_NE(e.object.type, ObjectType::kUnspecified);
    EXPECT_TRUE(common::StartsWith(e.object.id, "www.example.org/"))
        << e.object.id;
    EXPECT_NE(e.initiator, Initiator::kUnspecified);
    EXPECT_EQ(e.occurred_at_ms, TimeCreated(dir) * 1000)
        << "timecreated, in ms";
    EXPECT_EQ(e.source.platform, model::Platform::kMoodle);
    EXPECT_EQ(e.source.instance, "www.example.org");
    EXPECT_TRUE(common::StartsWith(e.source.event_type, "\\"));
    POLKU_EXPECT_OK(model::ValidateEvent(e, now_ms));
  }
  EXPECT_GT(mapped, 100u);
  // A stale entry (a renamed fixture) must not hide a regression.
  for (const auto& [dir, reason] : rejections) {
    EXPECT_TRUE(std::binary_search(dirs.begin(), dirs.end(), dir))
        << "expected rejection names no fixture: " << dir;
  }
}

// Parses the first statement of statements.json beside event.json.
struct StatementFacts {
  std::string object_id;  // canonical
  std::string learner_key;
};

std::optional<StatementFacts> FirstStatement(const std::string& dir) {
  std::string text = ReadFile(kFixtureRoot + "/" + dir + "/statements.json");
  if (text.empty()) return std::nullopt;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(text).get(root)) return std::nullopt;
  simdjson::dom::element st = root;
  simdjson::dom::array arr;
  if (!root.get_array().get(arr)) {
    if (arr.size() == 0) return std::nullopt;
    st = arr.at(0).value();
  }
  StatementFacts facts;
  std::string_view id, home, name;
  if (!st["object"]["id"].get(id)) facts.object_id = model::CanonicalIri(id);
  if (!st["actor"]["account"]["homePage"].get(home) &&
      !st["actor"]["account"]["name"].get(name)) {
    facts.learner_key = model::LearnerKey(home, name);
  }
  return facts;
}

// Where the event alone cannot say what logstore_xapi read from the
// database (data.json), the ids differ; each case has its reason.
const std::map<std::string, std::string> kObjectIdDifferences = {
    // The module type is not in the event: adapters send it as the
    // enrichment extension moodle.modname (see ModuleCompletionWith...).
    {"core/course_module_completion_update/completing_existing_module",
     "module type from the database"},
    // The event lacks other.itemid (the wiki page): the object is the wiki.
    {"mod_wiki/comment_created", "page id from the database"},
};
const std::map<std::string, std::string> kLearnerDifferences = {
    // event.json names only the grader (userid 1); logstore_xapi reads the
    // student from the grade row.
    {"mod_assign/assignment_graded/existing_assignment_graded_comment",
     "student from the database"},
    {"mod_assign/assignment_graded/existing_assignment_graded_nocomment",
     "student from the database"},
    // logstore_xapi reads the anonymity from the feedback's settings; the
    // event.json lacks the anonymous flag (see AnonymousEventsAreRejected).
    {"mod_feedback/response_submitted/textarea_anon",
     "anonymity from the database"},
};

TEST(MoodleNormaliser, ObjectIdsAndLearnersAgreeWithLogstoreXapiStatements) {
  for (const std::string& dir : FixtureDirs()) {
    if (ExpectedRejections().count(dir) > 0) continue;
    SCOPED_TRACE(dir);
    std::optional<StatementFacts> st = FirstStatement(dir);
    ASSERT_TRUE(st.has_value());
    POLKU_ASSERT_OK_AND_ASSIGN(LearningEvent e, NormaliseText(Fixture(dir)));
    if (kObjectIdDifferences.count(dir) == 0) {
      EXPECT_EQ(e.object.id, st->object_id);
    } else {
      EXPECT_NE(e.object.id, st->object_id) << "remove the known difference";
    }
    if (kLearnerDifferences.count(dir) == 0) {
      EXPECT_EQ(e.learner.key, st->learner_key);
    }
  }
}

TEST(MoodleNormaliser, NoPersonalDataReachesTheEvent) {
  size_t checked_values = 0;
  for (const std::string& dir : FixtureDirs()) {
    if (ExpectedRejections().count(dir) > 0) continue;
    SCOPED_TRACE(dir);
    // The users of data.json and the people of statements.json.
    std::set<std::string> personal = test_support::MoodleUserValues(
        ReadFile(kFixtureRoot + "/" + dir + "/data.json"));
    std::string statements =
        ReadFile(kFixtureRoot + "/" + dir + "/statements.json");
    if (!statements.empty()) {
      for (const std::string& v : test_support::PersonalValues(statements)) {
        personal.insert(v);
      }
    }
    POLKU_ASSERT_OK_AND_ASSIGN(LearningEvent e, NormaliseText(Fixture(dir)));
    test_support::ExpectNoPersonalValues(e, personal, dir);
    checked_values += personal.size();
  }
  EXPECT_GT(checked_values, 100u) << "the collector found no personal values";
}

TEST(MoodleNormaliser, PersonalFieldsOfALogRowAreDropped) {
  // Derived from mod_page/course_module_viewed/existing_module: a log row
  // as logstore_standard keeps it, with the fields that identify a person.
  std::string text =
      Edit(Fixture("mod_page/course_module_viewed/existing_module"),
           "\"userid\": 1,",
           "\"userid\": 1, \"ip\": \"192.0.2.44\", "
           "\"origin\": \"web\", \"realuserid\": 7, "
           "\"username\": \"alice.smith\", "
           "\"useragent\": \"Mozilla/5.0 (X11; Linux x86_64)\", "
           "\"sid\": \"9a8f7c6e5d4b3a2f\",");
  POLKU_ASSERT_OK_AND_ASSIGN(LearningEvent e, NormaliseText(text));
  std::string json = model::CanonicalJson(e);
  for (const char* value :
       {"192.0.2.44", "alice", "Mozilla", "9a8f7c6e5d4b3a2f"}) {
    EXPECT_THAT(json, ::testing::Not(HasSubstr(value)));
  }
}

TEST(MoodleNormaliser, SearchKeepsNoQueryText) {
  // Derived from core/search_results_viewed/user_viewed_search_results with
  // the query "query" replaced by words a person typed.
  std::string text =
      Edit(Fixture("core/search_results_viewed/user_viewed_search_results"),
           R"(s:1:\"q\";s:5:\"query\";)",
           R"(s:1:\"q\";s:24:\"alice smith salary 2024x\";)");
  POLKU_ASSERT_OK_AND_ASSIGN(LearningEvent e, NormaliseText(text));
  EXPECT_EQ(e.verb, Verb::kSearched);
  EXPECT_EQ(e.object.type, ObjectType::kSearch);
  EXPECT_EQ(e.object.id, "www.example.org/search/index.php");
  EXPECT_EQ(e.initiator, Initiator::kSelf);
  EXPECT_THAT(model::CanonicalJson(e), ::testing::Not(HasSubstr("alice")));
  EXPECT_THAT(model::CanonicalJson(e), ::testing::Not(HasSubstr("salary")));
}

// ---------------------------------------------------------------------------
// Malformed input.

TEST(MoodleNormaliser, MalformedJsonIsInvalidArgumentNamingThePayload) {
  std::string full = Fixture("core/course_viewed/viewing_existing_course");
  for (size_t n : {size_t{0}, size_t{1}, full.size() / 2, full.size() - 2}) {
    EXPECT_THAT(
        NormaliseText(full.substr(0, n)),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("payload")))
        << "truncated to " << n;
  }
  EXPECT_THAT(NormaliseText(""), StatusIs(absl::StatusCode::kInvalidArgument,
                                          HasSubstr("payload")));
  EXPECT_THAT(NormaliseText("[1, 2]"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("payload: must be a JSON object")));
  EXPECT_THAT(
      NormaliseText("\"eventname\""),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("payload")));
  EXPECT_THAT(
      NormaliseText("{\"eventname\": \"\xff\xfe\"}"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("payload")));
}

TEST(MoodleNormaliser, WrongTypesNameTheField) {
  std::string base =
      Fixture("core/user_enrolment_created/existing_user_enrolled");
  EXPECT_THAT(
      NormaliseText(Edit(base, "\"userid\": 1,", "\"userid\": {\"id\": 1},")),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("payload.userid")));
  EXPECT_THAT(NormaliseText(Edit(base, "\"userid\": 1,", "\"userid\": [1],")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("payload.userid")));
  EXPECT_THAT(NormaliseText(Edit(base, "\"userid\": 1,", "\"userid\": true,")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("payload.userid")));
  EXPECT_THAT(NormaliseText(Edit(base, "\"relateduserid\": 2,",
                                 "\"relateduserid\": \"two\",")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("payload.relateduserid")));
  EXPECT_THAT(
      NormaliseText(Edit(base, "\"courseid\": 2,", "\"courseid\": 1e300,")),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("payload.courseid")));
  EXPECT_THAT(
      NormaliseText(
          Edit(base,
               "\"eventname\": \"\\\\core\\\\event\\\\user_enrolment_created\"",
               "\"eventname\": 42")),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("payload.eventname")));
  EXPECT_THAT(
      NormaliseText(
          Edit(base,
               "\"eventname\": \"\\\\core\\\\event\\\\user_enrolment_created\"",
               "\"eventname\": \"user enrolled\"")),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("payload.eventname")));
  EXPECT_THAT(
      NormaliseText(Edit(
          base,
          "\"eventname\": \"\\\\core\\\\event\\\\user_enrolment_created\",",
          "")),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("payload.eventname")));
  // A scalar `other` (Moodle allows one) has no keys to read.
  POLKU_ASSERT_OK_AND_ASSIGN(
      LearningEvent scalar,
      NormaliseText(Edit(base, "\"other\": \"", "\"other\": 12, \"x\": \"")));
  EXPECT_EQ(scalar.context.enrolment_method, EnrolmentMethod::kUnspecified);
}

TEST(MoodleNormaliser, IdsSentAsDecimalStringsAreAccepted) {
  // Log rows read back from a database often carry numbers as strings.
  std::string text =
      Edit(Edit(Fixture("core/user_enrolment_created/existing_user_enrolled"),
                "\"relateduserid\": 2,", "\"relateduserid\": \"2\","),
           "\"timecreated\": 1433946701", "\"timecreated\": \"1433946701\"");
  POLKU_ASSERT_OK_AND_ASSIGN(LearningEvent e, NormaliseText(text));
  EXPECT_EQ(e.learner.key, "www.example.org#2");
  EXPECT_EQ(e.occurred_at_ms, 1433946701000);
}

TEST(MoodleNormaliser, MissingLearnerIsInvalidArgument) {
  // Derived from core/course_viewed/viewing_existing_course without a user.
  std::string base = Fixture("core/course_viewed/viewing_existing_course");
  EXPECT_THAT(NormaliseText(Edit(base, "\"userid\": 1,", "")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("payload.userid")));
  EXPECT_THAT(NormaliseText(Edit(base, "\"userid\": 1,", "\"userid\": 0,")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("payload.userid")));
  EXPECT_THAT(NormaliseText(Edit(base, "\"userid\": 1,", "\"userid\": null,")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("payload.userid")));
}

TEST(MoodleNormaliser, AbsurdTimestampsAreRejected) {
  std::string base = Fixture("core/course_viewed/viewing_existing_course");
  const std::string t = "\"timecreated\": 1433946701";
  for (const char* bad : {"-5", "0", "3093527980800" /* year 99999 */,
                          "1433946701000" /* milliseconds */, "1e300", "-1.5",
                          "18446744073709551615"}) {
    EXPECT_THAT(
        NormaliseText(Edit(base, t, std::string("\"timecreated\": ") + bad)),
        StatusIs(absl::StatusCode::kInvalidArgument,
                 HasSubstr("payload.timecreated")))
        << bad;
  }
  EXPECT_THAT(NormaliseText(Edit(base, t, "\"timecreated\": \"yesterday\"")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("payload.timecreated: must be an integer")));
  EXPECT_THAT(NormaliseText(Edit(base, t, "\"timecreated\": null")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("payload.timecreated: is required")));
}

TEST(MoodleNormaliser, HugeValuesAreBoundedNotFatal) {
  std::string base = Fixture("core/course_viewed/viewing_existing_course");
  // A 10 MB string value: over the payload limit.
  std::string huge =
      Edit(base, "\"objecttable\": \"course\"",
           "\"objecttable\": \"" + std::string(10 << 20, 'x') + "\"");
  EXPECT_THAT(NormaliseText(huge), StatusIs(absl::StatusCode::kInvalidArgument,
                                            HasSubstr("payload")));
  // A 3 MB `other` within the limit: read (plain text has no keys), kept out.
  std::string big = Edit(base, "\"objecttable\": \"course\"",
                         "\"objecttable\": \"course\", \"other\": \"" +
                             std::string(3 << 20, 'y') + "\"");
  POLKU_ASSERT_OK_AND_ASSIGN(LearningEvent e, NormaliseText(big));
  EXPECT_LT(model::CanonicalJson(e).size(), 4096u);
  // The same size as a PHP string.
  std::string php =
      Edit(base, "\"objecttable\": \"course\"",
           "\"objecttable\": \"course\", \"other\": \"s:3145728:\\\"" +
               std::string(3 << 20, 'z') + "\\\";\"");
  POLKU_EXPECT_OK(NormaliseText(php));
}

TEST(MoodleNormaliser, MalformedOtherNamesPayloadOther) {
  std::string base =
      Fixture("core/user_enrolment_created/existing_user_enrolled");
  const std::string other = R"("other": "a:1:{s:5:\"enrol\";s:6:\"manual\";}")";
  for (
      const std::string& bad : {
          std::string(
              R"("other": "a:1:{s:5:\"enrol\";s:60:\"manual\";}")"),  // length
          std::string(
              R"("other": "a:1:{s:5:\"enrol\";s:6:\"manual\";")"),  // truncated
          std::string(
              R"("other": "a:2:{s:5:\"enrol\";s:6:\"manual\";}")"),  // count
          std::string(R"("other": "{\"enrol\": ")"),                 // JSON
          std::string(
              R"("other": "O:8:\"stdClass\":1:{s:1:\"a\";r:1;}")"),  // reference
      }) {
    EXPECT_THAT(NormaliseText(Edit(base, other, bad)),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("payload.other")))
        << bad;
  }
  std::string deep;
  for (int i = 0; i < 64; ++i) deep += "a:1:{i:0;";
  deep += "N;";
  for (int i = 0; i < 64; ++i) deep += "}";
  EXPECT_THAT(
      NormaliseText(Edit(base, other, "\"other\": \"" + deep + "\"")),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("payload.other: is not valid PHP-serialised data")));
}

TEST(MoodleNormaliser, MissingFieldsAnEventNeedsAreNamed) {
  EXPECT_THAT(
      NormaliseText(Edit(Fixture("core/course_viewed/viewing_existing_course"),
                         "\"courseid\": 2,", "")),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("payload.courseid")));
  EXPECT_THAT(NormaliseText(
                  Edit(Fixture("mod_page/course_module_viewed/existing_module"),
                       "\"contextinstanceid\": 1,", "")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("payload.contextinstanceid")));
  EXPECT_THAT(NormaliseText(Edit(Fixture("mod_forum/post_created"), "\"other\"",
                                 "\"other_\"")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("payload.other.discussionid")));
  EXPECT_THAT(NormaliseText(Edit(Fixture("core/course_module_completion_update/"
                                         "completing_existing_module"),
                                 R"(s:15:\"completionstate\";i:2;)",
                                 R"(s:15:\"completionstate\";i:7;)")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("payload.other.completionstate")));
  // A module event in a course context cannot name a course module.
  EXPECT_THAT(NormaliseText(
                  Edit(Fixture("mod_page/course_module_viewed/existing_module"),
                       "\"contextinstanceid\": 1,",
                       "\"contextinstanceid\": 1, \"contextlevel\": 50,")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("payload.contextlevel")));
}

TEST(MoodleNormaliser, ErrorsLeaveTheOutputUntouched) {
  std::vector<LearningEvent> out(1);
  out[0].event_id = "earlier";
  EXPECT_FALSE(NormaliseMoodle(kTenant, Source("{"), out).ok());
  EXPECT_FALSE(NormaliseMoodle(
                   kTenant,
                   Source(Fixture("core/user_loggedin/existing_user_loggedin")),
                   out)
                   .ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].event_id, "earlier");
}

TEST(MoodleNormaliser, AnonymousEventsAreRejected) {
  // Derived from mod_feedback/response_submitted/textarea_anon, whose
  // statements.json is anonymous but whose event.json lacks Moodle's flag:
  // the flag added as mod_feedback sets it for anonymous responses.
  std::string base = Fixture("mod_feedback/response_submitted/textarea_anon");
  for (const char* flag : {"1", "true", "\"1\""}) {
    EXPECT_THAT(
        NormaliseText(
            Edit(base, "{", std::string("{\"anonymous\": ") + flag + ",")),
        StatusIs(
            absl::StatusCode::kInvalidArgument,
            HasSubstr("payload.anonymous: anonymous events carry no learner")))
        << flag;
  }
  POLKU_EXPECT_OK(NormaliseText(Edit(base, "{", "{\"anonymous\": 0,")));
}

TEST(MoodleNormaliser, MutatedFixturesNeverCrash) {
  // A cheap deterministic fuzz over real payloads: every mutation either
  // normalises or fails with kInvalidArgument or kUnimplemented.
  const char* const dirs[] = {
      "core/user_enrolment_created/existing_user_enrolled",
      "core/course_module_completion_update/completing_existing_module",
      "core/search_results_viewed/user_viewed_search_results",
      "mod_forum/post_created",
      "tool_certificate/certificate_issued",
  };
  const char alphabet[] = {'a',  's', 'i', 'N', ':', ';', '{', '}', '"',
                           '\\', '0', '9', '-', ',', ' ', 'O', 'e', '.'};
  uint32_t state = 2024;
  auto next = [&state]() {
    state = state * 1103515245u + 12345u;
    return state >> 8;
  };
  for (const char* dir : dirs) {
    const std::string seed = Fixture(dir);
    for (int round = 0; round < 2000; ++round) {
      std::string m = seed;
      int edits = 1 + static_cast<int>(next() % 3);
      for (int k = 0; k < edits && !m.empty(); ++k) {
        size_t pos = next() % m.size();
        if (next() % 4 == 0) {
          m.erase(pos, 1);
        } else {
          m[pos] = alphabet[next() % sizeof(alphabet)];
        }
      }
      std::vector<LearningEvent> out;
      absl::Status s = NormaliseMoodle(kTenant, Source(m), out);
      if (!s.ok()) {
        EXPECT_TRUE(s.code() == absl::StatusCode::kInvalidArgument ||
                    s.code() == absl::StatusCode::kUnimplemented)
            << s << " for " << m;
        EXPECT_TRUE(out.empty());
      } else {
        ASSERT_EQ(out.size(), 1u);
        EXPECT_FALSE(out[0].learner.key.empty());
      }
    }
  }
}

TEST(MoodleNormaliser, UnknownEventsAreUnimplemented) {
  std::string text = Edit(Fixture("core/course_viewed/viewing_existing_course"),
                          "course_viewed", "dashboard_viewed");
  EXPECT_THAT(
      NormaliseText(text),
      StatusIs(
          absl::StatusCode::kUnimplemented,
          HasSubstr(
              "no mapping for Moodle event: \\core\\event\\dashboard_viewed")));
}

// ---------------------------------------------------------------------------
// Enrolment.

TEST(MoodleNormaliser, ManualEnrolmentByAnAdministratorIsStaff) {
  POLKU_ASSERT_OK_AND_ASSIGN(
      LearningEvent e,
      NormaliseText(
          Fixture("core/user_enrolment_created/existing_user_enrolled")));
  EXPECT_EQ(e.verb, Verb::kEnrolled);
  EXPECT_EQ(e.object.type, ObjectType::kCourse);
  EXPECT_EQ(e.object.id, "www.example.org/course/view.php?id=2");
  EXPECT_EQ(e.context.course_id, "www.example.org/course/view.php?id=2");
  EXPECT_TRUE(e.context.parents.empty());
  EXPECT_EQ(e.learner.key, "www.example.org#2");
  EXPECT_EQ(e.initiator, Initiator::kStaff);
  EXPECT_EQ(e.context.enrolment_method, EnrolmentMethod::kManual);
  EXPECT_EQ(e.source.event_type, "\\core\\event\\user_enrolment_created");
  EXPECT_EQ(e.extensions.at("moodle.component"), "core");
}

TEST(MoodleNormaliser, SelfEnrolmentIsInitiatedBySelf) {
  // Derived from core/user_enrolment_created/existing_user_enrolled: the
  // learner (2) enrols themself with enrol_self.
  std::string text =
      Edit(Edit(Fixture("core/user_enrolment_created/existing_user_enrolled"),
                "\"userid\": 1,", "\"userid\": 2,"),
           R"(s:6:\"manual\")", R"(s:4:\"self\")");
  POLKU_ASSERT_OK_AND_ASSIGN(LearningEvent e, NormaliseText(text));
  EXPECT_EQ(e.verb, Verb::kEnrolled);
  EXPECT_EQ(e.initiator, Initiator::kSelf);
  EXPECT_EQ(e.context.enrolment_method, EnrolmentMethod::kSelf);
  EXPECT_EQ(e.learner.key, "www.example.org#2");
}

TEST(MoodleNormaliser, CohortAndMetaSyncAreSystemWhoeverTheUser) {
  // Derived from core/user_enrolment_created/existing_user_enrolled with the
  // enrol plugin changed; userid 1 (an admin saving the cohort) and 0 (cron).
  for (const char* user : {"1", "0", "-1"}) {
    for (const auto& [plugin, method] :
         {std::pair<std::string, EnrolmentMethod>{R"(s:6:\"cohort\")",
                                                  EnrolmentMethod::kCohort},
          {R"(s:4:\"meta\")", EnrolmentMethod::kMeta}}) {
      std::string text = Edit(
          Edit(Fixture("core/user_enrolment_created/existing_user_enrolled"),
               "\"userid\": 1,", std::string("\"userid\": ") + user + ","),
          R"(s:6:\"manual\")", plugin);
      POLKU_ASSERT_OK_AND_ASSIGN(LearningEvent e, NormaliseText(text));
      EXPECT_EQ(e.initiator, Initiator::kSystem) << plugin << " by " << user;
      EXPECT_EQ(e.context.enrolment_method, method);
    }
  }
}

TEST(MoodleNormaliser, DatabaseLdapAndFlatfileEnrolmentsAreSisSync) {
  // Derived from core/user_enrolment_created/existing_user_enrolled.
  for (const char* plugin :
       {R"(s:8:\"database\")", R"(s:4:\"ldap\")", R"(s:8:\"flatfile\")",
        R"(s:13:\"imsenterprise\")"}) {
    std::string text =
        Edit(Fixture("core/user_enrolment_created/existing_user_enrolled"),
             R"(s:6:\"manual\")", plugin);
    POLKU_ASSERT_OK_AND_ASSIGN(LearningEvent e, NormaliseText(text));
    EXPECT_EQ(e.initiator, Initiator::kSisSync) << plugin;
    EXPECT_EQ(e.context.enrolment_method, EnrolmentMethod::kDatabase);
  }
}

TEST(MoodleNormaliser, OtherIsReadAsJsonObjectJsonTextOrPhp) {
  // Derived from core/user_enrolment_created/existing_user_enrolled with
  // `other` in each encoding a Moodle site or adapter produces.
  const std::string php = R"("other": "a:1:{s:5:\"enrol\";s:6:\"manual\";}")";
  for (
      const std::string& other :
      {std::string(R"("other": {"enrol": "guest"})"),
       std::string(R"("other": "{\"enrol\":\"guest\"}")"),
       std::string(R"("other": "a:1:{s:5:\"enrol\";s:5:\"guest\";}")"),
       std::string(
           R"("other": "O:8:\"stdClass\":1:{s:5:\"enrol\";s:5:\"guest\";}")")}) {
    std::string text =
        Edit(Fixture("core/user_enrolment_created/existing_user_enrolled"), php,
             other);
    POLKU_ASSERT_OK_AND_ASSIGN(LearningEvent e, NormaliseText(text));
    EXPECT_EQ(e.context.enrolment_method, EnrolmentMethod::kGuest) << other;
  }
  // No `other` at all, or an empty one: the method comes from the enrichment.
  for (const std::string& other :
       {std::string(R"("other": null)"), std::string(R"("other": "N;")"),
        std::string(R"("other": [])"), std::string(R"("other": "")")}) {
    SourceEvent source = Source(
        Edit(Fixture("core/user_enrolment_created/existing_user_enrolled"), php,
             other));
    source.enrichment.enrolment_method = EnrolmentMethod::kCohort;
    POLKU_ASSERT_OK_AND_ASSIGN(LearningEvent e, NormaliseOne(source));
    EXPECT_EQ(e.context.enrolment_method, EnrolmentMethod::kCohort) << other;
    EXPECT_EQ(e.initiator, Initiator::kSystem) << other;
  }
}

TEST(MoodleNormaliser, EnrolmentUpdatedAndDeleted) {
  POLKU_ASSERT_OK_AND_ASSIGN(
      LearningEvent updated,
      NormaliseText(
          Fixture("core/user_enrolment_updated/user_suspended_course")));
  EXPECT_EQ(updated.verb, Verb::kEnrolled);
  EXPECT_EQ(updated.context.enrolment_method, EnrolmentMethod::kManual);
  POLKU_ASSERT_OK_AND_ASSIGN(
      LearningEvent deleted,
      NormaliseText(Fixture(
          "core/user_enrolment_deleted/existing_user_enrolment_deleted")));
  EXPECT_EQ(deleted.verb, Verb::kUnenrolled);
  EXPECT_EQ(deleted.object.type, ObjectType::kCourse);
  EXPECT_EQ(deleted.initiator, Initiator::kStaff);
  EXPECT_EQ(deleted.learner.key, "www.example.org#2");
}

TEST(MoodleNormaliser, UpdatedEnrolmentIsASuspensionWhenTheAdapterSaysSo) {
  // The event cannot tell a suspension from a reactivation; the adapter
  // reads user_enrolments.status (data.json: 1 in user_suspended_course).
  const std::string text =
      Fixture("core/user_enrolment_updated/user_suspended_course");
  for (const auto& [status, verb] :
       {std::pair<std::string, Verb>{"1", Verb::kUnenrolled},
        {"suspended", Verb::kUnenrolled},
        {"0", Verb::kEnrolled},
        {"active", Verb::kEnrolled}}) {
    SourceEvent source = Source(text);
    source.enrichment.extensions["moodle.enrolment_status"] = status;
    POLKU_ASSERT_OK_AND_ASSIGN(LearningEvent e, NormaliseOne(source));
    EXPECT_EQ(e.verb, verb) << status;
    EXPECT_EQ(e.initiator, Initiator::kStaff) << status;
    EXPECT_EQ(e.extensions.at("moodle.enrolment_status"),
              verb == Verb::kUnenrolled ? "suspended" : "active");
  }
  // The adapter's whole enrichment for the fixture, as the golden tests
  // use it.
  SourceEvent adapter = Source(text);
  adapter.enrichment = test_support::MoodleAdapterEnrichment(
      fs::path(kFixtureRoot) /
      "core/user_enrolment_updated/user_suspended_course");
  POLKU_ASSERT_OK_AND_ASSIGN(LearningEvent suspended, NormaliseOne(adapter));
  EXPECT_EQ(suspended.verb, Verb::kUnenrolled);
}

TEST(MoodleNormaliser, OpenEnrolmentMethodsAreSelfWhoeverTheUser) {
  // Derived from core/user_enrolment_created/existing_user_enrolled (userid
  // 1, an administrator): the method decides, as in the xAPI normaliser.
  for (const char* plugin : {R"(s:4:\"self\")", R"(s:5:\"guest\")"}) {
    std::string text =
        Edit(Fixture("core/user_enrolment_created/existing_user_enrolled"),
             R"(s:6:\"manual\")", plugin);
    POLKU_ASSERT_OK_AND_ASSIGN(LearningEvent e, NormaliseText(text));
    EXPECT_EQ(e.initiator, Initiator::kSelf) << plugin;
  }
}

TEST(MoodleNormaliser, ProgramAssignmentIsAssigned) {
  POLKU_ASSERT_OK_AND_ASSIGN(
      LearningEvent e,
      NormaliseText(
          Fixture("totara_program/program_assigned/existing_program")));
  EXPECT_EQ(e.verb, Verb::kEnrolled);
  EXPECT_EQ(e.object.type, ObjectType::kProgram);
  EXPECT_EQ(e.object.id, "www.example.org/totara/program/view.php?id=1");
  EXPECT_EQ(e.context.enrolment_method, EnrolmentMethod::kProgram);
  EXPECT_EQ(e.initiator, Initiator::kSystem);
}

// ---------------------------------------------------------------------------
// Completion, grades, awards.

TEST(MoodleNormaliser, CourseCompletionIsTheLearnersOwnEvenWhenCronRecordsIt) {
  std::string base =
      Fixture("core/course_completed/completing_existing_course");
  // Derived: cron (userid 0) records the completion.
  for (const std::string& text :
       {base, Edit(base, "\"relateduserid\": 1,",
                   "\"relateduserid\": 1, \"userid\": 0,")}) {
    POLKU_ASSERT_OK_AND_ASSIGN(LearningEvent e, NormaliseText(text));
    EXPECT_EQ(e.verb, Verb::kCompleted);
    EXPECT_EQ(e.object.type, ObjectType::kCourse);
    EXPECT_EQ(e.initiator, Initiator::kSelf);
    EXPECT_EQ(e.result.completion, Tristate::kYes);
    EXPECT_EQ(e.learner.key, "www.example.org#1");
  }
}

TEST(MoodleNormaliser, ModuleCompletionWithModuleNameMatchesTheXapiObject) {
  SourceEvent source = Source(Fixture(
      "core/course_module_completion_update/completing_existing_module"));
  source.enrichment.extensions["moodle.modname"] = "book";
  POLKU_ASSERT_OK_AND_ASSIGN(LearningEvent e, NormaliseOne(source));
  EXPECT_EQ(e.verb, Verb::kCompleted);
  EXPECT_EQ(e.object.type, ObjectType::kResource);
  EXPECT_EQ(e.object.id, "www.example.org/mod/book/view.php?id=1");
  EXPECT_EQ(e.object.id, FirstStatement("core/course_module_completion_update/"
                                        "completing_existing_module")
                             ->object_id);
  EXPECT_EQ(e.result.completion, Tristate::kYes);
  EXPECT_EQ(e.result.success, Tristate::kYes);  // completionstate 2: pass
  EXPECT_EQ(e.initiator, Initiator::kSelf);
  EXPECT_THAT(e.context.parents,
              ElementsAre("www.example.org/course/view.php?id=2"));

  // Without the module name the object is still the course module.
  POLKU_ASSERT_OK_AND_ASSIGN(
      LearningEvent plain,
      NormaliseText(Fixture(
          "core/course_module_completion_update/completing_existing_module")));
  EXPECT_EQ(plain.object.id, "www.example.org/mod/view.php?id=1");
  EXPECT_EQ(plain.object.type, ObjectType::kModule);
}

TEST(MoodleNormaliser, ModuleCompletionOverriddenByATeacherIsStaff) {
  // Derived from
  // core/course_module_completion_update/completing_existing_module with other
  // as JSON and a teacher (3) overriding the state to complete-fail.
  std::string text = Edit(
      Fixture(
          "core/course_module_completion_update/completing_existing_module"),
      R"("other": "a:3:{s:13:\"relateduserid\";i:1;s:10:\"overrideby\";N;s:15:\"completionstate\";i:2;}")",
      R"("other": {"relateduserid": 1, "overrideby": 3, "completionstate": 3})");
  POLKU_ASSERT_OK_AND_ASSIGN(LearningEvent e, NormaliseText(text));
  EXPECT_EQ(e.initiator, Initiator::kStaff);
  EXPECT_EQ(e.result.completion, Tristate::kYes);
  EXPECT_EQ(e.result.success, Tristate::kNo);
  EXPECT_EQ(e.extensions.at("moodle.completion_overridden"), "true");
}

TEST(MoodleNormaliser, BadgeAwardIsAnAchievement) {
  std::string base = Fixture("core/badge_awarded/user_achieved_badge");
  POLKU_ASSERT_OK_AND_ASSIGN(LearningEvent e, NormaliseText(base));
  EXPECT_EQ(e.verb, Verb::kAchieved);
  EXPECT_EQ(e.object.type, ObjectType::kBadge);
  EXPECT_EQ(e.object.id, "www.example.org/badges/overview.php?id=1");
  // The fixture names no awarder (the upstream harness strips userid): an
  // award no person made is the system's.
  EXPECT_EQ(e.initiator, Initiator::kSystem);
  // Derived: awarded by criteria review in cron (0), by the learner's own
  // action (1, criteria met in the learner's request), or by a teacher (3).
  POLKU_ASSERT_OK_AND_ASSIGN(
      LearningEvent cron,
      NormaliseText(Edit(base, "\"relateduserid\": 1,",
                         "\"relateduserid\": 1, \"userid\": 0,")));
  EXPECT_EQ(cron.initiator, Initiator::kSystem);
  POLKU_ASSERT_OK_AND_ASSIGN(
      LearningEvent own,
      NormaliseText(Edit(base, "\"relateduserid\": 1,",
                         "\"relateduserid\": 1, \"userid\": 1,")));
  EXPECT_EQ(own.initiator, Initiator::kSelf);
  POLKU_ASSERT_OK_AND_ASSIGN(
      LearningEvent manual,
      NormaliseText(Edit(base, "\"relateduserid\": 1,",
                         "\"relateduserid\": 1, \"userid\": 3,")));
  EXPECT_EQ(manual.initiator, Initiator::kStaff);
  EXPECT_EQ(manual.learner.key, "www.example.org#1");
}

TEST(MoodleNormaliser, CertificateIssuedIsAnAchievement) {
  POLKU_ASSERT_OK_AND_ASSIGN(
      LearningEvent e,
      NormaliseText(Fixture("tool_certificate/certificate_issued")));
  EXPECT_EQ(e.verb, Verb::kAchieved);
  EXPECT_EQ(e.object.type, ObjectType::kCertificate);
  EXPECT_EQ(
      e.object.id,
      "www.example.org/admin/tool/certificate/index.php?code=4303209428AU");
  EXPECT_EQ(e.learner.key, "www.example.org#2");
  EXPECT_EQ(e.initiator, Initiator::kStaff);
  EXPECT_TRUE(e.context.course_id.empty());  // courseid 0: a site certificate
}

TEST(MoodleNormaliser, UserGradedScoresWhenTheGradeItemIsKnown) {
  // Derived from core/course_completed/completing_existing_course: the
  // gradebook event Moodle triggers when a teacher (3) grades learner 2.
  std::string text = Edit(
      Edit(Edit(Fixture("core/course_completed/completing_existing_course"),
                "\\\\core\\\\event\\\\course_completed",
                "\\\\core\\\\event\\\\user_graded"),
           "\"relateduserid\": 1,",
           "\"relateduserid\": 2, \"userid\": 3, \"other\": "
           "\"a:3:{s:6:\\\"itemid\\\";i:5;s:10:\\\"overridden\\\";b:0;"
           "s:10:\\\"finalgrade\\\";d:75.5;}\","),
      "\"objecttable\": \"course\"", "\"objecttable\": \"grade_grades\"");
  SourceEvent source = Source(text);
  source.enrichment.extensions["moodle.grademax"] = "100";
  source.enrichment.extensions["moodle.gradepass"] = "50";
  POLKU_ASSERT_OK_AND_ASSIGN(LearningEvent e, NormaliseOne(source));
  EXPECT_EQ(e.verb, Verb::kGraded);
  EXPECT_EQ(e.object.id,
            "www.example.org/grade/edit/tree/grade.php?courseid=2&itemid=5");
  EXPECT_EQ(e.learner.key, "www.example.org#2");
  EXPECT_EQ(e.initiator, Initiator::kStaff);
  EXPECT_EQ(e.context.graded, Tristate::kYes);
  ASSERT_TRUE(e.result.score_scaled.has_value());
  EXPECT_DOUBLE_EQ(*e.result.score_scaled, 0.755);
  EXPECT_EQ(e.result.success, Tristate::kYes);

  // Without the grade item's range nothing is computed.
  POLKU_ASSERT_OK_AND_ASSIGN(LearningEvent bare, NormaliseText(text));
  EXPECT_FALSE(bare.result.score_scaled.has_value());
  EXPECT_EQ(bare.result.success, Tristate::kUnknown);
}

TEST(MoodleNormaliser, AssignmentSubmissionAndGrading) {
  POLKU_ASSERT_OK_AND_ASSIGN(
      LearningEvent submitted,
      NormaliseText(Fixture(
          "mod_assign/assignment_submitted/existing_assignment_submitted")));
  EXPECT_EQ(submitted.verb, Verb::kSubmitted);
  EXPECT_EQ(submitted.object.type, ObjectType::kAssignment);
  EXPECT_EQ(submitted.object.id, "www.example.org/mod/assign/view.php?id=1");
  EXPECT_EQ(submitted.context.graded, Tristate::kYes);
  EXPECT_EQ(submitted.initiator, Initiator::kSelf);
  EXPECT_THAT(submitted.context.parents,
              ElementsAre("www.example.org/course/view.php?id=2"));

  // Derived: a teacher (3) grades learner 2's submission.
  std::string graded_text = Edit(
      Fixture(
          "mod_assign/assignment_graded/existing_assignment_graded_comment"),
      "\"userid\": 1,", "\"userid\": 3, \"relateduserid\": 2,");
  POLKU_ASSERT_OK_AND_ASSIGN(LearningEvent graded, NormaliseText(graded_text));
  EXPECT_EQ(graded.verb, Verb::kGraded);
  EXPECT_EQ(graded.learner.key, "www.example.org#2");
  EXPECT_EQ(graded.initiator, Initiator::kStaff);
  EXPECT_EQ(graded.context.graded, Tristate::kYes);

  // Derived: the file submission plugin's draft upload.
  std::string draft = Edit(
      Fixture("mod_assign/assignment_submitted/existing_assignment_submitted"),
      "\\\\mod_assign\\\\event\\\\assessable_submitted",
      "\\\\assignsubmission_file\\\\event\\\\submission_created");
  POLKU_ASSERT_OK_AND_ASSIGN(LearningEvent created, NormaliseText(draft));
  EXPECT_EQ(created.verb, Verb::kCreated);
  EXPECT_EQ(created.object.type, ObjectType::kAssignment);
  EXPECT_EQ(created.object.id, "www.example.org/mod/assign/view.php?id=1");
}

TEST(MoodleNormaliser, QuizAttemptSubmittedIsAGradedSubmission) {
  const std::string dir = "mod_quiz/attempt_submitted/multichoice";
  POLKU_ASSERT_OK_AND_ASSIGN(LearningEvent e, NormaliseText(Fixture(dir)));
  EXPECT_EQ(e.verb, Verb::kSubmitted);
  EXPECT_EQ(e.object.type, ObjectType::kAssessment);
  EXPECT_EQ(e.object.id,
            "www.example.org/mod/quiz/attempt.php?attempt=1&cmid=1");
  EXPECT_EQ(e.object.id, FirstStatement(dir)->object_id);
  EXPECT_EQ(e.context.graded, Tristate::kYes);
  EXPECT_EQ(e.result.completion, Tristate::kYes);
  EXPECT_EQ(e.initiator, Initiator::kSelf);
  EXPECT_THAT(e.context.parents,
              ElementsAre("www.example.org/course/view.php?id=2",
                          "www.example.org/mod/quiz/view.php?id=1"));

  POLKU_ASSERT_OK_AND_ASSIGN(
      LearningEvent started,
      NormaliseText(
          Fixture("mod_quiz/attempt_started/existing_attempt_started")));
  EXPECT_EQ(started.verb, Verb::kStarted);
  EXPECT_EQ(started.object.id, e.object.id);

  // Derived: a teacher (3) submits learner 1's attempt for them.
  POLKU_ASSERT_OK_AND_ASSIGN(
      LearningEvent by_teacher,
      NormaliseText(Edit(Fixture(dir), "\"relateduserid\": 1,",
                         "\"relateduserid\": 1, \"userid\": 3,")));
  EXPECT_EQ(by_teacher.initiator, Initiator::kStaff);
  EXPECT_EQ(by_teacher.learner.key, "www.example.org#1");
}

TEST(MoodleNormaliser, ReviewingOnesOwnAttemptIsAView) {
  // Derived from mod_quiz/attempt_reviewed/existing_attempt_reviewed, where
  // user 1 reviews user 2's attempt (rejected): here user 2 reviews it.
  std::string text =
      Edit(Fixture("mod_quiz/attempt_reviewed/existing_attempt_reviewed"),
           "\"userid\": 1,", "\"userid\": 2,");
  POLKU_ASSERT_OK_AND_ASSIGN(LearningEvent e, NormaliseText(text));
  EXPECT_EQ(e.verb, Verb::kViewed);
  EXPECT_EQ(e.object.type, ObjectType::kAssessment);
  EXPECT_EQ(e.object.id, "www.example.org/mod/quiz/review.php?attempt=1");
  EXPECT_EQ(e.learner.key, "www.example.org#2");
}

TEST(MoodleNormaliser, ScormOutcomes) {
  std::string status =
      Fixture("mod_scorm/status_submitted/existing_status_submitted");
  const std::string other = R"("other": "a:1:{s:9:\"attemptid\";i:1;}")";
  POLKU_ASSERT_OK_AND_ASSIGN(
      LearningEvent passed,
      NormaliseText(Edit(
          status, other,
          R"("other": {"attemptid": 1, "cmielement": "cmi.core.lesson_status", "cmivalue": "passed"})")));
  EXPECT_EQ(passed.verb, Verb::kPassed);
  EXPECT_EQ(passed.result.success, Tristate::kYes);
  EXPECT_EQ(passed.result.completion, Tristate::kYes);
  EXPECT_THAT(
      NormaliseText(
          Edit(status, other,
               R"("other": {"attemptid": 1, "cmivalue": "incomplete"})")),
      StatusIs(absl::StatusCode::kUnimplemented, HasSubstr("not an outcome")));
  POLKU_ASSERT_OK_AND_ASSIGN(
      LearningEvent score,
      NormaliseText(
          Fixture("mod_scorm/scoreraw_submitted/existing_scoreraw_submitted")));
  EXPECT_EQ(score.verb, Verb::kCompleted);  // as logstore_xapi says
  EXPECT_EQ(score.context.graded, Tristate::kYes);
  ASSERT_TRUE(score.result.score_scaled.has_value());
  EXPECT_DOUBLE_EQ(*score.result.score_scaled, 1.0);
}

// ---------------------------------------------------------------------------
// Social activity.

TEST(MoodleNormaliser, ForumDiscussionIsPostedAndPostsAreReplies) {
  POLKU_ASSERT_OK_AND_ASSIGN(
      LearningEvent d, NormaliseText(Fixture("mod_forum/discussion_created")));
  EXPECT_EQ(d.verb, Verb::kPosted);
  EXPECT_EQ(d.object.type, ObjectType::kDiscussion);
  EXPECT_EQ(d.object.id, "www.example.org/mod/forum/discuss.php?d=1");
  EXPECT_THAT(d.context.parents,
              ElementsAre("www.example.org/course/view.php?id=2",
                          "www.example.org/mod/forum/view.php?id=1"));
  POLKU_ASSERT_OK_AND_ASSIGN(LearningEvent p,
                             NormaliseText(Fixture("mod_forum/post_created")));
  EXPECT_EQ(p.verb, Verb::kReplied);
  EXPECT_EQ(p.object.type, ObjectType::kDiscussion);
  EXPECT_EQ(p.object.id, d.object.id);  // other.discussionid
  EXPECT_EQ(p.initiator, Initiator::kSelf);
}

TEST(MoodleNormaliser, FollowingADiscussionIsABookmark) {
  POLKU_ASSERT_OK_AND_ASSIGN(
      LearningEvent d,
      NormaliseText(Fixture("mod_forum/discussion_subscription_created")));
  EXPECT_EQ(d.verb, Verb::kBookmarked);
  EXPECT_EQ(d.object.type, ObjectType::kDiscussion);
  EXPECT_EQ(d.object.id, "www.example.org/mod/forum/discuss.php?d=1");
  POLKU_ASSERT_OK_AND_ASSIGN(
      LearningEvent f,
      NormaliseText(Fixture("mod_forum/subscription_created")));
  EXPECT_EQ(f.verb, Verb::kBookmarked);
  EXPECT_EQ(f.object.id, "www.example.org/mod/forum/view.php?id=1");
  // Derived: a teacher (1) subscribes learner 2: not the learner's choice.
  EXPECT_THAT(
      NormaliseText(Edit(Fixture("mod_forum/subscription_created"),
                         "\"userid\": 1,",
                         "\"userid\": 1, \"relateduserid\": 2,")),
      StatusIs(absl::StatusCode::kUnimplemented, HasSubstr("another user")));
}

TEST(MoodleNormaliser, CommentsOnWikisGlossariesAndBlogs) {
  POLKU_ASSERT_OK_AND_ASSIGN(
      LearningEvent g, NormaliseText(Fixture("mod_glossary/comment_created")));
  EXPECT_EQ(g.verb, Verb::kCommented);
  EXPECT_EQ(g.object.type, ObjectType::kGlossary);
  EXPECT_EQ(g.object.id, "www.example.org/mod/glossary/showentry.php?eid=1");

  // Derived from mod_wiki/comment_created with the page id Moodle puts in
  // other.itemid.
  POLKU_ASSERT_OK_AND_ASSIGN(
      LearningEvent w,
      NormaliseText(Edit(Fixture("mod_wiki/comment_created"), "\"userid\": 1,",
                         "\"userid\": 1, \"other\": {\"itemid\": 5},")));
  EXPECT_EQ(w.verb, Verb::kCommented);
  EXPECT_EQ(w.object.type, ObjectType::kWiki);
  EXPECT_EQ(w.object.id, "www.example.org/mod/wiki/comments.php?pageid=5");

  // Derived from mod_glossary/comment_created: the same shape is Moodle's
  // \core\event\blog_comment_created (other.itemid = the blog entry).
  POLKU_ASSERT_OK_AND_ASSIGN(
      LearningEvent b,
      NormaliseText(Edit(Edit(Fixture("mod_glossary/comment_created"),
                              "\\\\mod_glossary\\\\event\\\\comment_created",
                              "\\\\core\\\\event\\\\blog_comment_created"),
                         "\"contextinstanceid\": 1,", "")));
  EXPECT_EQ(b.verb, Verb::kCommented);
  EXPECT_EQ(b.object.type, ObjectType::kBlog);
  EXPECT_EQ(b.object.id, "www.example.org/blog/index.php?entryid=1");
}

TEST(MoodleNormaliser, LearnerMadeEntriesAreCreatedAndUpdated) {
  // Derived from mod_wiki/page_viewed: the page created, then edited.
  std::string page = Fixture("mod_wiki/page_viewed");
  for (const auto& [name, verb] :
       {std::pair<std::string, Verb>{"page_created", Verb::kCreated},
        {"page_updated", Verb::kUpdated}}) {
    POLKU_ASSERT_OK_AND_ASSIGN(LearningEvent e,
                               NormaliseText(Edit(page, "page_viewed", name)));
    EXPECT_EQ(e.verb, verb) << name;
    EXPECT_EQ(e.object.type, ObjectType::kWiki);
    EXPECT_EQ(e.object.id, "www.example.org/mod/wiki/view.php?pageid=1");
  }
  // Derived from mod_glossary/entry_viewed.
  POLKU_ASSERT_OK_AND_ASSIGN(
      LearningEvent entry,
      NormaliseText(Edit(Fixture("mod_glossary/entry_viewed"), "entry_viewed",
                         "entry_created")));
  EXPECT_EQ(entry.verb, Verb::kCreated);
  EXPECT_EQ(entry.object.type, ObjectType::kGlossary);

  // Derived from core/note_created (objecttable "post" is also the blog's):
  // learner 2 writes a blog entry.
  std::string blog = Edit(Edit(Fixture("core/note_created/user_created_note"),
                               "note_created", "blog_entry_created"),
                          "\"userid\": 1,", "\"userid\": 2,");
  POLKU_ASSERT_OK_AND_ASSIGN(LearningEvent b, NormaliseText(blog));
  EXPECT_EQ(b.verb, Verb::kCreated);
  EXPECT_EQ(b.object.type, ObjectType::kBlog);
  EXPECT_EQ(b.object.id, "www.example.org/blog/index.php?entryid=1");
  EXPECT_EQ(b.learner.key, "www.example.org#2");
  EXPECT_EQ(b.initiator, Initiator::kSelf);
  // An administrator (1) editing learner 2's entry is not the learner's work.
  EXPECT_THAT(
      NormaliseText(Edit(Fixture("core/note_created/user_created_note"),
                         "note_created", "blog_entry_updated")),
      StatusIs(absl::StatusCode::kUnimplemented, HasSubstr("another user")));
}

TEST(MoodleNormaliser, MessagesBelongToTheirSender) {
  // relateduserid (2) is the recipient; the sender (1) is the learner.
  POLKU_ASSERT_OK_AND_ASSIGN(
      LearningEvent m,
      NormaliseText(Fixture("core/message_sent/user_sent_message")));
  EXPECT_EQ(m.verb, Verb::kPosted);
  EXPECT_EQ(m.object.type, ObjectType::kMessage);
  EXPECT_EQ(m.learner.key, "www.example.org#1");
  EXPECT_EQ(m.initiator, Initiator::kSelf);
  POLKU_ASSERT_OK_AND_ASSIGN(
      LearningEvent g,
      NormaliseText(Fixture("core/group_message_sent/new_group_message_sent")));
  EXPECT_EQ(g.verb, Verb::kPosted);
  EXPECT_EQ(g.object.type, ObjectType::kMessage);
}

TEST(MoodleNormaliser, LiveSessionsAreAttended) {
  POLKU_ASSERT_OK_AND_ASSIGN(
      LearningEvent e,
      NormaliseText(Fixture("mod_bigbluebuttonbn/meeting_joined")));
  EXPECT_EQ(e.verb, Verb::kAttended);
  EXPECT_EQ(e.object.type, ObjectType::kLiveSession);
  POLKU_ASSERT_OK_AND_ASSIGN(
      LearningEvent signup,
      NormaliseText(
          Fixture("mod_facetoface/signup_success/existing_signup_success")));
  EXPECT_EQ(signup.verb, Verb::kEnrolled);
  EXPECT_EQ(signup.object.type, ObjectType::kLiveSession);
}

// ---------------------------------------------------------------------------
// Competencies, evidence and learning plans (no fixtures upstream).

// Derived from core/badge_awarded/user_achieved_badge (a core event about a
// learner, relateduserid 1): the event name, table, users and `other` are
// replaced by those of the competency event named.
std::string CompetencyEvent(const std::string& name, const std::string& table,
                            const std::string& users,
                            const std::string& other) {
  return test_support::DeriveMoodleCoreEvent(name, table, users, other);
}

TEST(MoodleNormaliser, CompetencyEvidenceAndRatings) {
  // A teacher (3) overrides learner 2's rating (evidence action 3).
  POLKU_ASSERT_OK_AND_ASSIGN(
      LearningEvent rated,
      NormaliseText(CompetencyEvent(
          "competency_evidence_created", "competency_evidence",
          "\"relateduserid\": 2, \"userid\": 3,",
          R"({"usercompetencyid": 7, "competencyid": 4, "action": 3, "recommend": false})")));
  EXPECT_EQ(rated.verb, Verb::kGraded);
  EXPECT_EQ(rated.object.type, ObjectType::kCompetency);
  EXPECT_EQ(rated.object.id,
            "www.example.org/admin/tool/lp/user_competency.php?id=7");
  EXPECT_EQ(rated.initiator, Initiator::kStaff);
  EXPECT_EQ(rated.learner.key, "www.example.org#2");
  EXPECT_THAT(
      rated.context.competencies,
      Contains("www.example.org/admin/tool/lp/editcompetency.php?id=4"));
  EXPECT_EQ(rated.extensions.at("moodle.evidence_action"), "override");

  // Evidence logged by the system (userid null) as PHP-serialised other.
  POLKU_ASSERT_OK_AND_ASSIGN(
      LearningEvent logged,
      NormaliseText(CompetencyEvent(
          "competency_evidence_created", "competency_evidence",
          "\"relateduserid\": 2, \"userid\": null,",
          R"("a:4:{s:16:\"usercompetencyid\";i:7;s:12:\"competencyid\";i:4;s:6:\"action\";i:0;s:9:\"recommend\";b:0;}")")));
  EXPECT_EQ(logged.verb, Verb::kCreated);
  EXPECT_EQ(logged.object.type, ObjectType::kEvidence);
  EXPECT_EQ(logged.initiator, Initiator::kSystem);
  EXPECT_EQ(logged.extensions.at("moodle.evidence_action"), "log");

  POLKU_ASSERT_OK_AND_ASSIGN(
      LearningEvent rating,
      NormaliseText(CompetencyEvent(
          "competency_user_competency_rated", "competency_usercomp",
          "\"relateduserid\": 2, \"userid\": 3,", R"({"grade": 2})")));
  EXPECT_EQ(rating.verb, Verb::kGraded);
  EXPECT_EQ(rating.object.type, ObjectType::kCompetency);
  EXPECT_EQ(rating.object.id,
            "www.example.org/admin/tool/lp/user_competency.php?id=1");
  EXPECT_EQ(rating.initiator, Initiator::kStaff);
  EXPECT_EQ(rating.context.graded, Tristate::kYes);
}

TEST(MoodleNormaliser, UserEvidenceIsCreatedByTheLearner) {
  POLKU_ASSERT_OK_AND_ASSIGN(
      LearningEvent e,
      NormaliseText(CompetencyEvent(
          "competency_user_evidence_created", "competency_userevidence",
          "\"relateduserid\": 2, \"userid\": 2,", "null")));
  EXPECT_EQ(e.verb, Verb::kCreated);
  EXPECT_EQ(e.object.type, ObjectType::kEvidence);
  EXPECT_EQ(e.object.id,
            "www.example.org/admin/tool/lp/user_evidence.php?id=1");
  EXPECT_EQ(e.initiator, Initiator::kSelf);
}

TEST(MoodleNormaliser, LearnerMadePlanIsSelfAndTemplatePlanIsAssigned) {
  // Moodle's plan events name no relateduserid: the plan's owner is the
  // user of its user context (contextlevel 30, contextinstanceid 2).
  const std::string owner = "\"contextlevel\": 30, \"contextinstanceid\": 2, ";
  POLKU_ASSERT_OK_AND_ASSIGN(LearningEvent own,
                             NormaliseText(CompetencyEvent(
                                 "competency_plan_created", "competency_plan",
                                 owner + "\"userid\": 2,", "null")));
  EXPECT_EQ(own.verb, Verb::kCreated);
  EXPECT_EQ(own.object.type, ObjectType::kLearningPlan);
  EXPECT_EQ(own.object.id, "www.example.org/admin/tool/lp/plan.php?id=1");
  EXPECT_EQ(own.learner.key, "www.example.org#2");
  EXPECT_EQ(own.initiator, Initiator::kSelf);

  // A manager (3) creates a plan for learner 2 from template 5.
  POLKU_ASSERT_OK_AND_ASSIGN(
      LearningEvent from_template,
      NormaliseText(CompetencyEvent("competency_plan_created",
                                    "competency_plan", owner + "\"userid\": 3,",
                                    R"({"templateid": 5})")));
  EXPECT_EQ(from_template.learner.key, "www.example.org#2");
  EXPECT_EQ(from_template.initiator, Initiator::kStaff);
  EXPECT_EQ(from_template.extensions.at("moodle.plan_template"), "true");

  // Cohort-synced template plans are created by cron (userid 0), even when
  // the learner's own id were the acting user they would still be assigned.
  for (const char* user : {"0", "2"}) {
    POLKU_ASSERT_OK_AND_ASSIGN(
        LearningEvent synced,
        NormaliseText(CompetencyEvent(
            "competency_plan_created", "competency_plan",
            owner + "\"userid\": " + user + ",", R"({"templateid": 5})")));
    EXPECT_NE(synced.initiator, Initiator::kSelf) << user;
  }

  POLKU_ASSERT_OK_AND_ASSIGN(LearningEvent completed,
                             NormaliseText(CompetencyEvent(
                                 "competency_plan_completed", "competency_plan",
                                 owner + "\"userid\": 2,", "null")));
  EXPECT_EQ(completed.verb, Verb::kCompleted);
  EXPECT_EQ(completed.object.type, ObjectType::kLearningPlan);
  EXPECT_EQ(completed.result.completion, Tristate::kYes);
  EXPECT_EQ(completed.initiator, Initiator::kSelf);
}

// ---------------------------------------------------------------------------
// Views.

TEST(MoodleNormaliser, ModuleViewsTakeTheModulesObjectType) {
  const std::map<std::string, ObjectType> expected = {
      {"core_h5p/course_module_viewed", ObjectType::kResource},
      {"mod_assign/course_module_viewed/existing_module",
       ObjectType::kAssignment},
      {"mod_book/course_module_viewed/existing_module", ObjectType::kResource},
      {"mod_chat/course_module_viewed/existing_module", ObjectType::kModule},
      {"mod_choice/course_module_viewed/existing_module", ObjectType::kSurvey},
      {"mod_data/course_module_viewed/existing_module", ObjectType::kModule},
      {"mod_facetoface/course_module_viewed/existing_module",
       ObjectType::kLiveSession},
      {"mod_feedback/course_module_viewed/viewing_feedback",
       ObjectType::kSurvey},
      {"mod_folder/course_module_viewed/existing_module",
       ObjectType::kResource},
      {"mod_forum/course_module_viewed/existing_module",
       ObjectType::kDiscussion},
      {"mod_glossary/course_module_viewed/existing_module",
       ObjectType::kGlossary},
      {"mod_imscp/course_module_viewed/existing_module", ObjectType::kResource},
      {"mod_lesson/course_module_viewed/existing_module", ObjectType::kModule},
      {"mod_lti/course_module_viewed/existing_module",
       ObjectType::kExternalTool},
      {"mod_page/course_module_viewed/existing_module", ObjectType::kResource},
      {"mod_questionnaire/course_module_viewed/existing_module",
       ObjectType::kSurvey},
      {"mod_quiz/course_module_viewed/existing_module",
       ObjectType::kAssessment},
      {"mod_resource/course_module_viewed/existing_module",
       ObjectType::kResource},
      {"mod_scorm/course_module_viewed/existing_module", ObjectType::kModule},
      {"mod_survey/course_module_viewed/existing_module", ObjectType::kSurvey},
      {"mod_url/course_module_viewed/existing_module", ObjectType::kResource},
      {"mod_wiki/course_module_viewed/existing_module", ObjectType::kWiki},
      {"mod_workshop/course_module_viewed/existing_module",
       ObjectType::kModule},
  };
  for (const auto& [dir, type] : expected) {
    POLKU_ASSERT_OK_AND_ASSIGN(LearningEvent e, NormaliseText(Fixture(dir)));
    EXPECT_EQ(e.verb, Verb::kViewed) << dir;
    EXPECT_EQ(e.object.type, type) << dir;
    EXPECT_EQ(e.initiator, Initiator::kSelf) << dir;
    EXPECT_THAT(e.context.parents,
                ElementsAre("www.example.org/course/view.php?id=2"))
        << dir;
  }
  POLKU_ASSERT_OK_AND_ASSIGN(
      LearningEvent course,
      NormaliseText(Fixture("core/course_viewed/viewing_existing_course")));
  EXPECT_EQ(course.verb, Verb::kViewed);
  EXPECT_EQ(course.object.type, ObjectType::kCourse);
  // Derived from mod_page/course_module_viewed/existing_module: a module
  // type Polku does not list is a MODULE under its own IRI.
  POLKU_ASSERT_OK_AND_ASSIGN(
      LearningEvent other,
      NormaliseText(
          Edit(Fixture("mod_page/course_module_viewed/existing_module"),
               "mod_page", "mod_checklist")));
  EXPECT_EQ(other.object.type, ObjectType::kModule);
  EXPECT_EQ(other.object.id, "www.example.org/mod/checklist/view.php?id=1");
}

TEST(MoodleNormaliser, RealGetDataShapeKeepsSafeFacts) {
  // What $event->get_data() of \mod_quiz\event\course_module_viewed holds
  // on a live site (no log id; other null; anonymous 0).
  const std::string text = R"({
    "eventname": "\\mod_quiz\\event\\course_module_viewed", "component": "mod_quiz",
    "action": "viewed", "target": "course_module", "objecttable": "quiz",
    "objectid": 3, "crud": "r", "edulevel": 2, "contextid": 61, "contextlevel": 70,
    "contextinstanceid": 17, "userid": 42, "courseid": 5, "relateduserid": null,
    "anonymous": 0, "other": null, "timecreated": 1700000000})";
  SourceEvent source = Source(text);
  source.enrichment.instance = "https://Moodle.Example.EDU/";
  source.enrichment.course_required = Tristate::kYes;
  source.enrichment.goal_ids = {"goal-7"};
  source.enrichment.org_unit = "sales";
  POLKU_ASSERT_OK_AND_ASSIGN(LearningEvent e, NormaliseOne(source));
  EXPECT_EQ(e.source.instance, "moodle.example.edu");
  EXPECT_EQ(e.learner.key, "moodle.example.edu#42");
  EXPECT_EQ(e.object.id, "moodle.example.edu/mod/quiz/view.php?id=17");
  EXPECT_EQ(e.object.id,
            model::CanonicalIri(
                "https://Moodle.Example.EDU/mod/quiz/view.php?id=17"));
  EXPECT_EQ(e.context.course_id, "moodle.example.edu/course/view.php?id=5");
  EXPECT_EQ(e.occurred_at_ms, 1700000000000);
  EXPECT_EQ(e.context.required, Tristate::kYes);
  EXPECT_EQ(e.context.graded, Tristate::kYes);
  EXPECT_THAT(e.context.goal_ids, ElementsAre("goal-7"));
  EXPECT_EQ(e.learner.org_unit, "sales");
  EXPECT_EQ(e.extensions.at("moodle.component"), "mod_quiz");
  EXPECT_EQ(e.extensions.at("moodle.crud"), "r");
  EXPECT_EQ(e.extensions.at("moodle.edulevel"), "2");
}

TEST(MoodleNormaliser, InstanceDefaultsToMoodle) {
  SourceEvent source =
      Source(Fixture("core/course_viewed/viewing_existing_course"));
  source.enrichment.instance.clear();
  POLKU_ASSERT_OK_AND_ASSIGN(LearningEvent e, NormaliseOne(source));
  EXPECT_EQ(e.learner.key, "moodle#1");
  EXPECT_EQ(e.object.id, "moodle/course/view.php?id=2");
}

// ---------------------------------------------------------------------------
// Event ids.

TEST(MoodleNormaliser, EventIdComesFromEnrichmentOrIsDerivedFromTheLogRow) {
  std::string text = Fixture("core/course_viewed/viewing_existing_course");
  SourceEvent given = Source(text);
  given.enrichment.event_id = "0b9d2a66-33c0-5f43-9b0f-6f0d8a8b3b41";
  POLKU_ASSERT_OK_AND_ASSIGN(LearningEvent a, NormaliseOne(given));
  EXPECT_EQ(a.event_id, "0b9d2a66-33c0-5f43-9b0f-6f0d8a8b3b41");

  POLKU_ASSERT_OK_AND_ASSIGN(LearningEvent b1, NormaliseText(text));
  POLKU_ASSERT_OK_AND_ASSIGN(LearningEvent b2, NormaliseText(text));
  EXPECT_EQ(b1.event_id, b2.event_id) << "a resend must dedupe";
  EXPECT_EQ(b1.event_id.size(), 36u);
  // Two log rows of the same view in the same second stay two events.
  POLKU_ASSERT_OK_AND_ASSIGN(
      LearningEvent c, NormaliseText(Edit(text, "\"id\": 1,", "\"id\": 2,")));
  EXPECT_NE(c.event_id, b1.event_id);
  // Another tenant, another id.
  std::vector<LearningEvent> out;
  POLKU_ASSERT_OK(NormaliseMoodle("tenant-b", Source(text), out));
  EXPECT_NE(out[0].event_id, b1.event_id);
}

TEST(MoodleNormaliser, NormaliseDetectsMoodlePayloads) {
  SourceEvent source =
      Source(Fixture("core/course_viewed/viewing_existing_course"));
  source.format = SourceFormat::kUnspecified;
  std::vector<LearningEvent> out;
  POLKU_ASSERT_OK(Normalise(kTenant, source, out));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].source.platform, model::Platform::kMoodle);
}
}  // namespace
}  // namespace polku::ingest
