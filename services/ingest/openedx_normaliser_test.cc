// Tests of NormaliseOpenEdxTracking and NormaliseOpenEdxSignal.
//
// Tracking events come from shared/fixtures/openedx/tracking (the test
// fixtures of openedx/event-routing-backends). Variants the fixtures lack are
// built from a named fixture with the change stated beside them. There are no
// signal fixtures: the signal payloads below are look-alikes written for these
// tests, each saying which openedx-events data class it mirrors.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/status_matchers.h"
#include "common/str_cat.h"
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
using model::Initiator;
using model::LearningEvent;
using model::ObjectType;
using model::Tristate;
using model::Verb;
using ::polku::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr std::string_view kTenant = "tenant-a";
// The LMS root the adapter reports for the fixtures' LMS.
constexpr char kLms[] = "http://localhost:18000";

// A tracking fixture by its file name.
std::string Fixture(std::string_view name) {
  return test_support::ReadFixture(common::StrCat("openedx/tracking/", name));
}

std::vector<std::string> TrackingFixtureNames() {
  std::vector<std::string> names;
  for (const fs::path& file : test_support::JsonFiles(
           test_support::FixtureRoot() / "openedx" / "tracking")) {
    names.push_back(file.filename().string());
  }
  return names;
}

// Replaces the single occurrence of `from` in `text`.
std::string Replace(std::string text, std::string_view from,
                    std::string_view to) {
  return test_support::EditUnique(std::move(text), from, to);
}

SourceEvent Source(SourceFormat format, std::string payload,
                   std::string instance = "") {
  return test_support::MakeSource(format, std::move(payload),
                                  std::move(instance));
}

absl::StatusOr<LearningEvent> One(const SourceEvent& source) {
  return test_support::NormaliseOne(kTenant, source);
}

absl::StatusOr<LearningEvent> Track(std::string payload,
                                    std::string instance = kLms) {
  return One(Source(SourceFormat::kOpenEdxTracking, std::move(payload),
                    std::move(instance)));
}

absl::StatusOr<LearningEvent> TrackFixture(std::string_view name) {
  return Track(Fixture(name));
}

absl::StatusOr<LearningEvent> Sig(std::string payload,
                                  std::string instance = "") {
  return One(Source(SourceFormat::kOpenEdxSignal, std::move(payload),
                    std::move(instance)));
}

using test_support::NowMs;

// ---------------------------------------------------------------------------
// Personal data: the values a source event holds about people (see
// test_support::PersonalValues). A tracking event's "title" is a forum
// post's title, written by a person.

std::set<std::string> PersonalValues(const std::string& payload) {
  return test_support::PersonalValues(payload, {"title"});
}

// Checks that no personal value of `source_payload` is in `event`.
void ExpectNoPersonalData(const std::string& source_payload,
                          const LearningEvent& event, std::string_view label) {
  test_support::ExpectNoPersonalValues(event, PersonalValues(source_payload),
                                       label);
}

// ---------------------------------------------------------------------------
// Every tracking fixture.

struct Rejection {
  absl::StatusCode code;
  std::string_view reason;
};

// Fixtures that are rightly rejected, with why.
const std::map<std::string, Rejection, std::less<>>&
ExpectedTrackingRejections() {
  constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;
  constexpr auto kUnimpl = absl::StatusCode::kUnimplemented;
  static const auto* m = new std::map<std::string, Rejection, std::less<>>{
      // Anonymous user: user_id null.
      {"edx.ui.lms.link_clicked(anonymous_user).json",
       {kInvalid, "payload.context.user_id: is required"}},
      // Templates with only the fields event-routing-backends requires: they
      // name a username but no user id, and a username is never a key.
      {"edx.course.enrollment.activated.required.only.data.json",
       {kInvalid, "payload.context.user_id: is required"}},
      {"edx.ui.lms.link_clicked.required.only.data.json",
       {kInvalid, "payload.context.user_id: is required"}},
      {"play_video.required.only.data.json",
       {kInvalid, "payload.context.user_id: is required"}},
      {"problem_check(browser).required.only.data.json",
       {kInvalid, "payload.context.user_id: is required"}},
      // Forum moderation, not a learner's learning activity.
      {"edx.forum.comment.deleted.json",
       {kUnimpl, "not a learning activity: edx.forum.comment.deleted"}},
      {"edx.forum.comment.reported.json",
       {kUnimpl, "not a learning activity: edx.forum.comment.reported"}},
      {"edx.forum.comment.unreported.json",
       {kUnimpl, "not a learning activity: edx.forum.comment.unreported"}},
      {"edx.forum.response.deleted.json",
       {kUnimpl, "not a learning activity: edx.forum.response.deleted"}},
      {"edx.forum.response.reported.json",
       {kUnimpl, "not a learning activity: edx.forum.response.reported"}},
      {"edx.forum.response.unreported.json",
       {kUnimpl, "not a learning activity: edx.forum.response.unreported"}},
      {"edx.forum.thread.deleted.json",
       {kUnimpl, "not a learning activity: edx.forum.thread.deleted"}},
      {"edx.forum.thread.reported.json",
       {kUnimpl, "not a learning activity: edx.forum.thread.reported"}},
      {"edx.forum.thread.unreported.json",
       {kUnimpl, "not a learning activity: edx.forum.thread.unreported"}},
  };
  return *m;
}

TEST(OpenEdxTrackingNormaliser, EveryFixtureNormalisesOrIsAnExpectedRejection) {
  std::vector<std::string> names = TrackingFixtureNames();
  ASSERT_GE(names.size(), 70u);
  size_t accepted = 0;
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    std::vector<LearningEvent> out;
    absl::Status s = NormaliseOpenEdxTracking(
        kTenant, Source(SourceFormat::kOpenEdxTracking, Fixture(name), kLms),
        out);
    auto rejected = ExpectedTrackingRejections().find(name);
    if (rejected != ExpectedTrackingRejections().end()) {
      EXPECT_THAT(s, StatusIs(rejected->second.code,
                              HasSubstr(std::string(rejected->second.reason))));
      EXPECT_THAT(out, IsEmpty());
      continue;
    }
    ASSERT_TRUE(s.ok()) << s;
    ASSERT_EQ(out.size(), 1u);
    const LearningEvent& e = out[0];
    EXPECT_FALSE(e.event_id.empty());
    EXPECT_FALSE(e.learner.key.empty());
    EXPECT_NE(e.verb, Verb::kUnspecified);
    EXPECT_NE(e.object.type, ObjectType::kUnspecified);
    EXPECT_FALSE(e.object.id.empty());
    EXPECT_GT(e.occurred_at_ms, 0);
    EXPECT_EQ(e.source.platform, model::Platform::kOpenEdx);
    EXPECT_EQ(e.source.instance, "localhost:18000");
    EXPECT_TRUE(model::ValidateEvent(e, NowMs()).ok())
        << model::ValidateEvent(e, NowMs());
    ++accepted;
  }
  // Every listed rejection names a fixture that exists.
  for (const auto& [name, why] : ExpectedTrackingRejections()) {
    EXPECT_TRUE(std::find(names.begin(), names.end(), name) != names.end())
        << name;
  }
  EXPECT_EQ(accepted + ExpectedTrackingRejections().size(), names.size());
}

TEST(OpenEdxTrackingNormaliser, NoFixtureLeaksPersonalData) {
  for (const std::string& name : TrackingFixtureNames()) {
    SCOPED_TRACE(name);
    std::string payload = Fixture(name);
    for (std::string instance : {std::string(kLms), std::string()}) {
      auto e = Track(payload, instance);
      if (!e.ok()) continue;  // rejections are covered above
      ExpectNoPersonalData(payload, *e, name);
    }
  }
}

TEST(OpenEdxTrackingNormaliser, PersonalValueCollectorFindsTheFixturesPeople) {
  // Guards the test above against collecting nothing.
  std::set<std::string> p =
      PersonalValues(Fixture("edx.forum.thread.created.json"));
  EXPECT_THAT(p, ::testing::Contains("xiajul10"));
  EXPECT_THAT(p, ::testing::Contains("172.18.0.1"));
  EXPECT_THAT(p, ::testing::Contains("054c9ddcb76d2096f862e66bda3bc308"));
  EXPECT_THAT(p, ::testing::Contains(
                     "<p>Description of another thread in test topic</p>"));
  std::set<std::string> exam =
      PersonalValues(Fixture("edx.special_exam.timed.attempt.created.json"));
  EXPECT_THAT(exam, ::testing::Contains("student"));
  std::set<std::string> browser =
      PersonalValues(Fixture("problem_check(browser).json"));
  EXPECT_THAT(browser, ::testing::Contains(::testing::HasSubstr(
                           "input_3fc5461f86764ad7bdbdf6cbdde61e66")));
}

// ---------------------------------------------------------------------------
// Enrolment.

TEST(OpenEdxTrackingNormaliser, SelfEnrolmentIsEnrolledInCourseBySelf) {
  POLKU_ASSERT_OK_AND_ASSIGN(
      auto e, TrackFixture("edx.course.enrollment.activated.json"));
  EXPECT_EQ(e.verb, Verb::kEnrolled);
  EXPECT_EQ(e.object.type, ObjectType::kCourse);
  EXPECT_EQ(e.object.id, "course-v1:edX+DemoX+Demo_Course");
  EXPECT_EQ(e.context.course_id, "course-v1:edX+DemoX+Demo_Course");
  EXPECT_THAT(e.context.parents, IsEmpty());
  EXPECT_EQ(e.initiator, Initiator::kSelf);
  EXPECT_EQ(e.learner.key, "localhost:18000#3");
  EXPECT_EQ(e.context.enrolment_mode, "audit");
  EXPECT_EQ(e.context.enrolment_method, model::EnrolmentMethod::kUnspecified);
  EXPECT_EQ(e.source.event_type, "edx.course.enrollment.activated");
  EXPECT_EQ(e.occurred_at_ms,
            *model::ParseTimestamp("2020-07-15T06:36:01.917Z"));
}

TEST(OpenEdxTrackingNormaliser, EnrolmentCreatedByAnotherUserIsStaffInitiated) {
  // edx.course.enrollment.activated.json with data.created_by = 5 added.
  std::string payload = Replace(Fixture("edx.course.enrollment.activated.json"),
                                "\"mode\": \"audit\",",
                                "\"mode\": \"audit\", \"created_by\": 5,");
  POLKU_ASSERT_OK_AND_ASSIGN(auto e, Track(payload));
  EXPECT_EQ(e.initiator, Initiator::kStaff);
  EXPECT_EQ(e.learner.key, "localhost:18000#3");

  // The same with created_by as a user object.
  payload = Replace(Fixture("edx.course.enrollment.activated.json"),
                    "\"mode\": \"audit\",",
                    "\"mode\": \"audit\", \"created_by\": {\"id\": 5},");
  POLKU_ASSERT_OK_AND_ASSIGN(e, Track(payload));
  EXPECT_EQ(e.initiator, Initiator::kStaff);
}

TEST(OpenEdxTrackingNormaliser,
     EnrolmentRequestedByAnotherContextUserIsStaffInitiated) {
  // edx.course.enrollment.activated.json with context.user_id 3 -> 9: user 9
  // (an instructor) enrolled learner 3.
  std::string payload = Replace(Fixture("edx.course.enrollment.activated.json"),
                                "\"user_id\": 3,", "\"user_id\": 9,");
  POLKU_ASSERT_OK_AND_ASSIGN(auto e, Track(payload));
  EXPECT_EQ(e.initiator, Initiator::kStaff);
  EXPECT_EQ(e.learner.key, "localhost:18000#3");
}

TEST(OpenEdxTrackingNormaliser, CreatedBySameUserIsSelf) {
  // edx.course.enrollment.activated.json with data.created_by = 3 (the
  // learner).
  std::string payload = Replace(Fixture("edx.course.enrollment.activated.json"),
                                "\"mode\": \"audit\",",
                                "\"mode\": \"audit\", \"created_by\": \"3\",");
  POLKU_ASSERT_OK_AND_ASSIGN(auto e, Track(payload));
  EXPECT_EQ(e.initiator, Initiator::kSelf);
}

TEST(OpenEdxTrackingNormaliser,
     EnterpriseEnrolmentUsesDataUserWhenContextUserIsEmpty) {
  POLKU_ASSERT_OK_AND_ASSIGN(
      auto e, TrackFixture("edx.course.enrollment.activated.enterprise.json"));
  EXPECT_EQ(e.learner.key, "localhost:18000#3");
  EXPECT_EQ(e.initiator, Initiator::kSelf);
  EXPECT_EQ(e.verb, Verb::kEnrolled);
}

TEST(OpenEdxTrackingNormaliser, DeactivationIsUnenrolled) {
  POLKU_ASSERT_OK_AND_ASSIGN(
      auto e, TrackFixture("edx.course.enrollment.deactivated.json"));
  EXPECT_EQ(e.verb, Verb::kUnenrolled);
  EXPECT_EQ(e.object.type, ObjectType::kCourse);
  EXPECT_EQ(e.initiator, Initiator::kSelf);
  EXPECT_EQ(e.context.enrolment_mode, "audit");
}

TEST(OpenEdxTrackingNormaliser, ModeChangeIsEnrolledWithTheNewMode) {
  // edx.course.enrollment.mode_changed.json with mode audit -> verified.
  std::string payload =
      Replace(Fixture("edx.course.enrollment.mode_changed.json"),
              "\"mode\": \"audit\"", "\"mode\": \"verified\"");
  POLKU_ASSERT_OK_AND_ASSIGN(auto e, Track(payload));
  EXPECT_EQ(e.verb, Verb::kEnrolled);
  EXPECT_EQ(e.context.enrolment_mode, "verified");
  EXPECT_EQ(e.extensions.at("enrolment_change"), "mode_changed");
}

// ---------------------------------------------------------------------------
// Grades.

TEST(OpenEdxTrackingNormaliser, PassingACourseIsPassedWithSuccess) {
  for (std::string_view name : {"edx.course.grade.passed.first_time.json",
                                "edx.course.grade.now_passed.json"}) {
    SCOPED_TRACE(name);
    POLKU_ASSERT_OK_AND_ASSIGN(auto e, TrackFixture(name));
    EXPECT_EQ(e.verb, Verb::kPassed);
    EXPECT_EQ(e.object.type, ObjectType::kCourse);
    EXPECT_EQ(e.result.success, Tristate::kYes);
    EXPECT_EQ(e.initiator, Initiator::kSelf);
  }
  POLKU_ASSERT_OK_AND_ASSIGN(auto e,
                             TrackFixture("edx.course.grade.now_failed.json"));
  EXPECT_EQ(e.verb, Verb::kFailed);
  EXPECT_EQ(e.result.success, Tristate::kNo);
}

TEST(OpenEdxTrackingNormaliser, CourseGradeCarriesScoreAndLetterGradeSuccess) {
  POLKU_ASSERT_OK_AND_ASSIGN(
      auto e,
      TrackFixture("edx.grades.course.grade_calculated_letter_grade.json"));
  EXPECT_EQ(e.verb, Verb::kGraded);
  EXPECT_EQ(e.object.type, ObjectType::kCourse);
  EXPECT_EQ(e.object.id, "course-v1:edX+DemoX+Demo_Course");
  ASSERT_TRUE(e.result.score_scaled.has_value());
  EXPECT_DOUBLE_EQ(*e.result.score_scaled, 1.0);
  EXPECT_EQ(e.result.success, Tristate::kYes);
  EXPECT_EQ(e.context.graded, Tristate::kYes);
  EXPECT_EQ(e.learner.key, "localhost:18000#3");

  POLKU_ASSERT_OK_AND_ASSIGN(
      e,
      TrackFixture("edx.grades.course.grade_calculated_no_letter_grade.json"));
  EXPECT_DOUBLE_EQ(*e.result.score_scaled, 0.02);
  EXPECT_EQ(e.result.success, Tristate::kNo);
}

TEST(OpenEdxTrackingNormaliser, SubsectionGradeIsAGradedModuleOfTheGradedUser) {
  POLKU_ASSERT_OK_AND_ASSIGN(
      auto e, TrackFixture("edx.grades.subsection.grade_calculated.json"));
  EXPECT_EQ(e.verb, Verb::kGraded);
  // The usage key's block type (sequential) decides, as in xAPI.
  EXPECT_EQ(e.object.type, ObjectType::kModule);
  EXPECT_EQ(e.context.graded, Tristate::kYes);
  EXPECT_EQ(e.object.id,
            "block-v1:edX+DemoX+Demo_Course+type@sequential+block@"
            "a2184f8ebf9d478ba57edcc4f288854a");
  EXPECT_THAT(e.context.parents,
              ::testing::ElementsAre("course-v1:edX+DemoX+Demo_Course"));
  ASSERT_TRUE(e.result.score_scaled.has_value());
  EXPECT_DOUBLE_EQ(*e.result.score_scaled, 1.0);
  // The grade belongs to data.user_id, not to whoever triggered the
  // recalculation.
  EXPECT_EQ(e.learner.key, "localhost:18000#4");
  EXPECT_EQ(e.initiator, Initiator::kSelf);
}

TEST(OpenEdxTrackingNormaliser, ZeroOrNullPossibleGivesNoScore) {
  for (std::string_view name :
       {"edx.grades.subsection.grade_calculated.weighted_possible_0.json",
        "edx.grades.problem.submitted.weighted_possible_0.json",
        "edx.grades.problem.submitted.weighted_possible_null.json",
        "problem_check(server).max_grade_0.json"}) {
    SCOPED_TRACE(name);
    POLKU_ASSERT_OK_AND_ASSIGN(auto e, TrackFixture(name));
    EXPECT_FALSE(e.result.score_scaled.has_value());
    EXPECT_NE(e.object.type, ObjectType::kUnspecified);
  }
}

TEST(OpenEdxTrackingNormaliser, ProblemGradeSubmittedIsScored) {
  POLKU_ASSERT_OK_AND_ASSIGN(auto e,
                             TrackFixture("edx.grades.problem.submitted.json"));
  EXPECT_EQ(e.verb, Verb::kSubmitted);
  EXPECT_EQ(e.object.type, ObjectType::kAssessment);
  EXPECT_EQ(e.object.id,
            "block-v1:edX+DemoX+Demo_Course+type@problem+block@"
            "3fc5461f86764ad7bdbdf6cbdde61e66");
  EXPECT_EQ(e.object.name, "Checkboxes");
  EXPECT_DOUBLE_EQ(e.result.score_scaled.value_or(-1), 0.0);
  EXPECT_EQ(e.result.success, Tristate::kNo);
}

// ---------------------------------------------------------------------------
// Problems.

TEST(OpenEdxTrackingNormaliser, ServerProblemCheckIsSubmittedWithResult) {
  POLKU_ASSERT_OK_AND_ASSIGN(auto e,
                             TrackFixture("problem_check(server).json"));
  EXPECT_EQ(e.verb, Verb::kSubmitted);
  EXPECT_EQ(e.object.type, ObjectType::kAssessment);
  EXPECT_EQ(e.object.id,
            "block-v1:edX+DemoX+Demo_Course+type@problem+block@"
            "3fc5461f86764ad7bdbdf6cbdde61e66");
  EXPECT_EQ(e.result.success, Tristate::kNo);
  EXPECT_DOUBLE_EQ(e.result.score_scaled.value_or(-1), 0.0);
  EXPECT_EQ(e.extensions.at("event_source"), "server");
  EXPECT_EQ(e.extensions.at("attempts"), "10");

  POLKU_ASSERT_OK_AND_ASSIGN(
      e, TrackFixture("problem_check(server,multiple_questions,correct).json"));
  EXPECT_EQ(e.result.success, Tristate::kYes);
  EXPECT_DOUBLE_EQ(e.result.score_scaled.value_or(-1), 1.0);
  EXPECT_EQ(e.learner.key, "localhost:18000#8");
  EXPECT_EQ(e.occurred_at_ms,
            *model::ParseTimestamp("2023-08-03T06:32:31.431355+00:00"))
      << "raw tracking logs put the time in `time`";

  POLKU_ASSERT_OK_AND_ASSIGN(
      e, TrackFixture(
             "problem_check(server,multiple_questions,partial_correct).json"));
  EXPECT_EQ(e.result.success, Tristate::kNo);
  EXPECT_NEAR(e.result.score_scaled.value_or(-1), 2.0 / 3.0, 1e-9);
}

TEST(OpenEdxTrackingNormaliser,
     BrowserProblemCheckNamesTheProblemFromItsFormFields) {
  POLKU_ASSERT_OK_AND_ASSIGN(auto e,
                             TrackFixture("problem_check(browser).json"));
  EXPECT_EQ(e.verb, Verb::kSubmitted);
  EXPECT_EQ(e.object.type, ObjectType::kAssessment);
  EXPECT_EQ(e.object.id,
            "block-v1:edX+DemoX+Demo_Course+type@problem+block@"
            "3fc5461f86764ad7bdbdf6cbdde61e66");
  EXPECT_EQ(e.result.success, Tristate::kUnknown);
  EXPECT_EQ(e.extensions.at("event_source"), "browser");

  POLKU_ASSERT_OK_AND_ASSIGN(e,
                             TrackFixture("problem_check(browser).ccx.json"));
  EXPECT_EQ(e.object.id,
            "ccx-block-v1:edX+DemoX+Demo_Course+ccx@1+type@problem+block@"
            "3fc5461f86764ad7bdbdf6cbdde61e66");
  EXPECT_EQ(e.context.course_id, "ccx-v1:edX+DemoX+Demo_Course+ccx@1");
}

TEST(OpenEdxTrackingNormaliser, BrowserAndServerProblemChecksGetDifferentIds) {
  // problem_check(server).json with the browser event's timestamp.
  std::string server = Replace(Fixture("problem_check(server).json"),
                               "2020-07-14T14:39:26.906232+00:00",
                               "2020-07-14T14:39:26.580443+00:00");
  POLKU_ASSERT_OK_AND_ASSIGN(auto a, Track(server));
  POLKU_ASSERT_OK_AND_ASSIGN(auto b,
                             TrackFixture("problem_check(browser).json"));
  EXPECT_EQ(a.object.id, b.object.id);
  EXPECT_NE(a.event_id, b.event_id);
}

TEST(OpenEdxTrackingNormaliser, AnswersAndHintsAreAsked) {
  POLKU_ASSERT_OK_AND_ASSIGN(auto e, TrackFixture("showanswer.json"));
  EXPECT_EQ(e.verb, Verb::kAsked);
  EXPECT_EQ(e.object.type, ObjectType::kAssessment);
  EXPECT_EQ(e.extensions.at("asked_for"), "answer");
  POLKU_ASSERT_OK_AND_ASSIGN(
      e, TrackFixture("edx.problem.hint.demandhint_displayed.json"));
  EXPECT_EQ(e.verb, Verb::kAsked);
  EXPECT_EQ(e.object.id,
            "block-v1:edX+DemoX+Demo_Course+type@problem+block@"
            "07adfed616844fa780c606b55270a090");
  EXPECT_EQ(e.object.name, "Dropdown with Hints and Feedback");
  EXPECT_EQ(e.extensions.at("asked_for"), "hint");
}

TEST(OpenEdxTrackingNormaliser, ProblemCompletedIsCompletedAssessment) {
  POLKU_ASSERT_OK_AND_ASSIGN(
      auto e, TrackFixture("edx.problem.completed(proposed).json"));
  EXPECT_EQ(e.verb, Verb::kCompleted);
  EXPECT_EQ(e.object.type, ObjectType::kAssessment);
  EXPECT_EQ(e.result.completion, Tristate::kYes);
}

TEST(OpenEdxTrackingNormaliser, BlockCompletionIsTypedByTheBlockType) {
  POLKU_ASSERT_OK_AND_ASSIGN(
      auto e, TrackFixture("edx.completion.block_completion.changed.json"));
  EXPECT_EQ(e.verb, Verb::kCompleted);
  // block-v1:...+type@problem+...: an ASSESSMENT, as in the xAPI statement.
  EXPECT_EQ(e.object.type, ObjectType::kAssessment);
  EXPECT_EQ(e.result.completion, Tristate::kYes);
  EXPECT_EQ(e.learner.key, "localhost:18000#4");
  EXPECT_EQ(e.extensions.at("block_type"), "problem");
  EXPECT_EQ(e.initiator, Initiator::kSelf);

  // The same fixture with completion 1.0 -> 0.5: progress, not completion.
  std::string partial =
      Replace(Fixture("edx.completion.block_completion.changed.json"),
              "\"completion\": 1.0", "\"completion\": 0.5");
  POLKU_ASSERT_OK_AND_ASSIGN(e, Track(partial));
  EXPECT_EQ(e.verb, Verb::kInteracted);
  EXPECT_EQ(e.result.completion, Tristate::kNo);

  // The same fixture completing a unit (a vertical) and a video.
  for (const auto& [type, expected] :
       {std::pair<std::string, ObjectType>{"vertical", ObjectType::kModule},
        {"video", ObjectType::kVideo},
        {"html", ObjectType::kResource}}) {
    std::string text =
        Replace(Fixture("edx.completion.block_completion.changed.json"),
                "\"block_id\": \"block-v1:edX+DemoX+Demo_Course+type@problem",
                "\"block_id\": \"block-v1:edX+DemoX+Demo_Course+type@" + type);
    POLKU_ASSERT_OK_AND_ASSIGN(e, Track(text));
    EXPECT_EQ(e.object.type, expected) << type;
  }
}

// ---------------------------------------------------------------------------
// Forum.

TEST(OpenEdxTrackingNormaliser, ForumPostsMapToDiscussionVerbs) {
  struct Case {
    std::string_view fixture;
    Verb verb;
    std::string_view object_id;
  };
  const Case cases[] = {
      {"edx.forum.thread.created.json", Verb::kPosted,
       "localhost:18000/api/discussion/v1/threads/64abcdfee68f35002fd013c6"},
      {"edx.forum.response.created.json", Verb::kReplied,
       "localhost:18000/api/discussion/v1/comments/64b7b640e68f350033690932"},
      {"edx.forum.comment.created.json", Verb::kCommented,
       "localhost:18000/api/discussion/v1/comments/64d2308202808b0030b8afaf"},
      {"edx.forum.thread.voted.json", Verb::kRated,
       "localhost:18000/api/discussion/v1/threads/64a817fce68f35002fd013c3"},
      {"edx.forum.response.voted.json", Verb::kRated,
       "localhost:18000/api/discussion/v1/comments/64b7b640e68f350033690932"},
      {"edx.forum.thread.viewed.json", Verb::kViewed,
       "localhost:18000/api/discussion/v1/threads/64a817fce68f35002fd013c3"},
      {"edx.forum.thread.edited.json", Verb::kUpdated,
       "localhost:18000/api/discussion/v1/threads/64a817fce68f35002fd013c3"},
      {"edx.forum.response.edited.json", Verb::kUpdated,
       "localhost:18000/api/discussion/v1/comments/64b7b640e68f350033690932"},
      {"edx.forum.comment.edited.json", Verb::kUpdated,
       "localhost:18000/api/discussion/v1/comments/64d1df3c87e82a002b35a6fc"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.fixture);
    POLKU_ASSERT_OK_AND_ASSIGN(auto e, TrackFixture(c.fixture));
    EXPECT_EQ(e.verb, c.verb);
    EXPECT_EQ(e.object.type, ObjectType::kDiscussion);
    EXPECT_EQ(e.object.id, c.object_id);
    EXPECT_EQ(e.initiator, Initiator::kSelf);
    EXPECT_TRUE(e.object.name.empty()) << "forum titles are not kept";
  }
}

TEST(OpenEdxTrackingNormaliser,
     ForumObjectIdsFollowTheEventHostWithoutEnrichment) {
  POLKU_ASSERT_OK_AND_ASSIGN(
      auto e, Track(Fixture("edx.forum.response.created.json"), ""));
  EXPECT_EQ(e.learner.key, "local.overhang.io:8000#18");
  EXPECT_EQ(e.object.id,
            "local.overhang.io:8000/api/discussion/v1/comments/"
            "64b7b640e68f350033690932");
  EXPECT_THAT(e.context.parents,
              ::testing::ElementsAre("course-v1:testX+XAPI101+2019_T2",
                                     "local.overhang.io:8000/api/discussion/v1/"
                                     "threads/64b7b2bee68f35003369092d"));
  EXPECT_EQ(e.context.course_id, "course-v1:testX+XAPI101+2019_T2");
}

TEST(OpenEdxTrackingNormaliser, VoteKeepsItsDirection) {
  POLKU_ASSERT_OK_AND_ASSIGN(auto e,
                             TrackFixture("edx.forum.response.voted.json"));
  EXPECT_EQ(e.extensions.at("vote_value"), "up");
  EXPECT_EQ(e.extensions.count("undo_vote"), 0u);
}

TEST(OpenEdxTrackingNormaliser, EditOfAnotherUsersPostIsModeration) {
  // edx.forum.thread.edited.json with own_content true -> false.
  std::string payload =
      Replace(Fixture("edx.forum.thread.edited.json"), "\"own_content\": true",
              "\"own_content\": false");
  EXPECT_THAT(Track(payload), StatusIs(absl::StatusCode::kUnimplemented,
                                       HasSubstr("not a learning activity")));
}

// ---------------------------------------------------------------------------
// Video, navigation, exams.

TEST(OpenEdxTrackingNormaliser, VideoEventsAreInteractionsWithTheVideoBlock) {
  const char* interactions[] = {
      "play_video.json",
      "pause_video.json",
      "seek_video.json",
      "load_video.json",
      "stop_video.json",
      "speed_change_video.json",
      "show_transcript.json",
      "hide_transcript.json",
      "video_show_cc_menu.json",
      "video_hide_cc_menu.json",
      "edx.video.closed_captions.shown.json",
      "edx.video.closed_captions.hidden.json",
      "edx.video.closed_captions.hidden.null.duration.json",
      "postion_changed_video.json",
      "load_video.required.only.data.json"};
  for (const char* name : interactions) {
    SCOPED_TRACE(name);
    POLKU_ASSERT_OK_AND_ASSIGN(auto e, TrackFixture(name));
    EXPECT_EQ(e.verb, Verb::kInteracted);
    EXPECT_EQ(e.object.type, ObjectType::kVideo);
    EXPECT_EQ(e.object.id,
              "block-v1:edX+DemoX+Demo_Course+type@video+block@"
              "0b9e39477cf34507a7a48f74be381fdd");
    EXPECT_THAT(e.context.parents,
                ::testing::ElementsAre("course-v1:edX+DemoX+Demo_Course"));
  }
  POLKU_ASSERT_OK_AND_ASSIGN(auto e, TrackFixture("complete_video.json"));
  EXPECT_EQ(e.verb, Verb::kCompleted);
  EXPECT_EQ(e.object.type, ObjectType::kVideo);
  EXPECT_EQ(e.result.completion, Tristate::kYes);

  POLKU_ASSERT_OK_AND_ASSIGN(e, TrackFixture("play_video.ccx.json"));
  EXPECT_EQ(e.object.id,
            "ccx-block-v1:edX+DemoX+Demo_Course+ccx@1+type@video+block@"
            "0b9e39477cf34507a7a48f74be381fdd");
}

TEST(OpenEdxTrackingNormaliser, NavigationIsViewed) {
  POLKU_ASSERT_OK_AND_ASSIGN(auto e,
                             TrackFixture("edx.ui.lms.link_clicked.json"));
  EXPECT_EQ(e.verb, Verb::kViewed);
  EXPECT_EQ(e.object.type, ObjectType::kResource);
  EXPECT_EQ(e.object.id,
            "localhost:18000/courses/course-v1:edX+DemoX+Demo_Course/jump_to/"
            "block-v1:edX+DemoX+Demo_Course+type@sequential+block@"
            "6ab9c442501d472c8ed200e367b4edfa");

  for (std::string_view name : {"edx.ui.lms.sequence.next_selected.json",
                                "edx.ui.lms.sequence.previous_selected.json",
                                "edx.ui.lms.sequence.tab_selected.json"}) {
    SCOPED_TRACE(name);
    POLKU_ASSERT_OK_AND_ASSIGN(e, TrackFixture(name));
    EXPECT_EQ(e.verb, Verb::kViewed);
    EXPECT_EQ(e.object.type, ObjectType::kModule);
    EXPECT_EQ(e.object.id,
              "block-v1:edX+DemoX+Demo_Course+type@sequential+block@"
              "19a30717eff543078a5d94ae9d6c18a5");
  }

  POLKU_ASSERT_OK_AND_ASSIGN(e,
                             TrackFixture("edx.ui.lms.outline.selected.json"));
  EXPECT_EQ(e.object.type, ObjectType::kModule);
  EXPECT_EQ(e.object.id,
            "block-v1:edX+DemoX+Demo_Course+type@sequential+block@"
            "48ecb924d7fe4b66a230137626bfa93e");
  EXPECT_EQ(e.object.name, "Lesson 3 - Be Social");
}

TEST(OpenEdxTrackingNormaliser, LegacySequenceNavigationAndBookmarks) {
  // A seq_goto line of a raw tracking log (no fixture: a look-alike of what
  // the LMS logs, `event` JSON-encoded by the browser).
  const std::string seq_goto = R"json({
    "username": "edx", "session": "993110e9c27848a545da74a74114158d",
    "ip": "172.18.0.1", "host": "localhost:18000", "event_source": "browser",
    "event_type": "seq_goto", "time": "2020-07-14T14:28:29.829229+00:00",
    "event": "{\"old\": 4, \"new\": 8, \"id\": \"block-v1:edX+DemoX+Demo_Course+type@sequential+block@19a30717eff543078a5d94ae9d6c18a5\"}",
    "context": {"course_id": "course-v1:edX+DemoX+Demo_Course", "user_id": 3, "path": "/event"}
  })json";
  POLKU_ASSERT_OK_AND_ASSIGN(auto e, Track(seq_goto, ""));
  EXPECT_EQ(e.verb, Verb::kViewed);
  EXPECT_EQ(e.object.type, ObjectType::kModule);
  EXPECT_EQ(e.object.id,
            "block-v1:edX+DemoX+Demo_Course+type@sequential+block@"
            "19a30717eff543078a5d94ae9d6c18a5");
  ExpectNoPersonalData(seq_goto, e, "seq_goto");

  // An edx.bookmark.added event (no fixture: a look-alike; bookmark_id
  // embeds the username and is not kept).
  const std::string bookmark = R"json({
    "name": "edx.bookmark.added", "timestamp": "2020-07-14T14:30:00.000000+00:00",
    "context": {"course_id": "course-v1:edX+DemoX+Demo_Course", "user_id": 3,
                "username": "edx", "host": "localhost:18000"},
    "data": {"bookmark_id": "edx,block-v1:edX+DemoX+Demo_Course+type@vertical+block@e3601c0abee6427d8c17e6d6f8fdddd1",
             "component_type": "vertical",
             "component_usage_id": "block-v1:edX+DemoX+Demo_Course+type@vertical+block@e3601c0abee6427d8c17e6d6f8fdddd1",
             "course_id": "course-v1:edX+DemoX+Demo_Course"}
  })json";
  POLKU_ASSERT_OK_AND_ASSIGN(e, Track(bookmark, ""));
  EXPECT_EQ(e.verb, Verb::kBookmarked);
  EXPECT_EQ(e.object.type, ObjectType::kModule);
  EXPECT_EQ(e.object.id,
            "block-v1:edX+DemoX+Demo_Course+type@vertical+block@"
            "e3601c0abee6427d8c17e6d6f8fdddd1");
  EXPECT_EQ(model::CanonicalJson(e).find("edx,block"), std::string::npos);
}

TEST(OpenEdxTrackingNormaliser, LinkQueriesAreNotKept) {
  // edx.ui.lms.link_clicked.json with a query and fragment on the target.
  std::string payload = Replace(
      Fixture("edx.ui.lms.link_clicked.json"),
      "6ab9c442501d472c8ed200e367b4edfa\"",
      "6ab9c442501d472c8ed200e367b4edfa?email=learner%40example.com#top\"");
  POLKU_ASSERT_OK_AND_ASSIGN(auto e, Track(payload));
  EXPECT_THAT(e.object.id,
              ::testing::EndsWith("6ab9c442501d472c8ed200e367b4edfa"));
}

TEST(OpenEdxTrackingNormaliser, SpecialExamAttemptsAreStartedAndSubmitted) {
  for (std::string_view type : {"timed", "practice", "proctored"}) {
    SCOPED_TRACE(type);
    std::string base = common::StrCat("edx.special_exam.", type, ".attempt.");
    POLKU_ASSERT_OK_AND_ASSIGN(auto started,
                               TrackFixture(base + "created.json"));
    EXPECT_EQ(started.verb, Verb::kStarted);
    EXPECT_EQ(started.object.type, ObjectType::kAssessment);
    EXPECT_EQ(started.object.id,
              "block-v1:edX+DemoX+Demo_Course+type@sequential+block@"
              "5b4bf8d7d41c4070b299abefed74155e");
    EXPECT_EQ(started.extensions.at("exam_type"), type);
    EXPECT_EQ(started.learner.key, "localhost:18000#3");
    POLKU_ASSERT_OK_AND_ASSIGN(auto submitted,
                               TrackFixture(base + "submitted.json"));
    EXPECT_EQ(submitted.verb, Verb::kSubmitted);
    EXPECT_EQ(submitted.result.duration_ms, 1368766);
    EXPECT_EQ(submitted.object.name, "Subsection");
  }
}

TEST(OpenEdxTrackingNormaliser, RawLogHostIsUsedWhenContextHasNone) {
  POLKU_ASSERT_OK_AND_ASSIGN(
      auto e,
      Track(Fixture("edx.special_exam.timed.attempt.created.json"), ""));
  EXPECT_EQ(e.learner.key, "localhost:18000#3");
  EXPECT_EQ(e.source.instance, "localhost:18000");
}

TEST(OpenEdxTrackingNormaliser, AdapterInstanceWinsOverEventHost) {
  POLKU_ASSERT_OK_AND_ASSIGN(
      auto e, Track(Fixture("play_video.json"), "https://LMS.Example.edu/"));
  EXPECT_EQ(e.learner.key, "lms.example.edu#3");
  EXPECT_EQ(e.source.instance, "lms.example.edu");
}

TEST(OpenEdxTrackingNormaliser, EventWithoutHostOrInstanceIsRejected) {
  EXPECT_THAT(Track(Fixture("load_video.required.only.data.json"), ""),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("payload.context.host: is required")));
}

TEST(OpenEdxTrackingNormaliser, RawLogLineWithJsonEncodedEventString) {
  // play_video.json as a raw tracking-log line: `event` is the JSON-encoded
  // string the browser sent, the time is in `time`, the name in
  // `event_type`, and user details sit at the top level.
  const std::string raw = R"json({
    "username": "edx", "session": "993110e9c27848a545da74a74114158d",
    "ip": "172.18.0.1", "agent": "Mozilla/5.0 (X11; Linux x86_64)",
    "host": "localhost:18000", "referer": "http://localhost:18000/courses/",
    "accept_language": "en-US,en;q=0.9",
    "event_type": "play_video", "event_source": "browser",
    "event": "{\"id\": \"0b9e39477cf34507a7a48f74be381fdd\", \"code\": \"b7xgknqkQk8\", \"currentTime\": 0.03, \"duration\": 195}",
    "time": "2020-07-15T06:52:55.057099+00:00",
    "context": {"course_id": "course-v1:edX+DemoX+Demo_Course", "org_id": "edX",
                "path": "/event", "user_id": 3}
  })json";
  POLKU_ASSERT_OK_AND_ASSIGN(auto from_raw, Track(raw, ""));
  POLKU_ASSERT_OK_AND_ASSIGN(auto from_fixture,
                             Track(Fixture("play_video.json"), ""));
  EXPECT_EQ(from_raw.verb, from_fixture.verb);
  EXPECT_EQ(from_raw.object.id, from_fixture.object.id);
  EXPECT_EQ(from_raw.learner.key, from_fixture.learner.key);
  EXPECT_EQ(from_raw.occurred_at_ms, from_fixture.occurred_at_ms);
  EXPECT_EQ(from_raw.event_id, from_fixture.event_id);
  ExpectNoPersonalData(raw, from_raw, "raw log line");
}

// ---------------------------------------------------------------------------
// Event ids and enrichment.

TEST(OpenEdxTrackingNormaliser, DerivedEventIdIsStableAndTimeSensitive) {
  POLKU_ASSERT_OK_AND_ASSIGN(auto a, TrackFixture("pause_video.json"));
  POLKU_ASSERT_OK_AND_ASSIGN(auto b, TrackFixture("pause_video.json"));
  EXPECT_EQ(a.event_id, b.event_id);
  EXPECT_EQ(a.event_id, model::DeriveEventId(kTenant, a, ""));
  // pause_video.json one second later: another pause, another id.
  std::string later = Replace(Fixture("pause_video.json"), "06:56:09.649080",
                              "06:56:10.649080");
  POLKU_ASSERT_OK_AND_ASSIGN(auto c, Track(later));
  EXPECT_NE(a.event_id, c.event_id);
}

TEST(OpenEdxTrackingNormaliser, AdapterEventIdAndEnrichmentAreApplied) {
  SourceEvent s = Source(SourceFormat::kOpenEdxTracking,
                         Fixture("edx.course.enrollment.activated.json"), kLms);
  s.enrichment.event_id = "5a0c6c1e-6d46-4d1c-9d4e-0a8f3f1c2b7e";
  s.enrichment.org_unit = "sales";
  s.enrichment.enrolment_method = model::EnrolmentMethod::kSelf;
  s.enrichment.course_required = Tristate::kYes;
  POLKU_ASSERT_OK_AND_ASSIGN(auto e, One(s));
  EXPECT_EQ(e.event_id, "5a0c6c1e-6d46-4d1c-9d4e-0a8f3f1c2b7e");
  EXPECT_EQ(e.learner.org_unit, "sales");
  EXPECT_EQ(e.context.enrolment_method, model::EnrolmentMethod::kSelf);
  EXPECT_EQ(e.context.required, Tristate::kYes);
}

TEST(OpenEdxTrackingNormaliser, DispatchDetectsTrackingEvents) {
  SourceEvent s =
      Source(SourceFormat::kUnspecified, Fixture("play_video.json"), kLms);
  EXPECT_EQ(DetectFormat(s.payload), SourceFormat::kOpenEdxTracking);
  std::vector<LearningEvent> out;
  POLKU_ASSERT_OK(Normalise(kTenant, s, out));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].verb, Verb::kInteracted);
}

// ---------------------------------------------------------------------------
// Malformed tracking input.

TEST(OpenEdxTrackingNormaliser,
     UnknownAndAdministrativeEventsAreUnimplemented) {
  // play_video.json renamed to events Polku does not map.
  std::string payload =
      Replace(Fixture("play_video.json"), "\"name\": \"play_video\"",
              "\"name\": \"edx.bi.user.account.registered\"");
  EXPECT_THAT(
      Track(payload),
      StatusIs(
          absl::StatusCode::kUnimplemented,
          HasSubstr("event type not mapped: edx.bi.user.account.registered")));
  payload =
      Replace(Fixture("play_video.json"), "\"name\": \"play_video\"",
              "\"name\": \"edx.special_exam.proctored.attempt.verified\"");
  EXPECT_THAT(Track(payload), StatusIs(absl::StatusCode::kUnimplemented,
                                       HasSubstr("not a learning activity")));
}

TEST(OpenEdxTrackingNormaliser, MalformedInputIsInvalidArgumentNamingTheField) {
  const std::string play = Fixture("play_video.json");
  constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;
  struct Case {
    std::string label;
    std::string payload;
    std::string field;
  };
  std::vector<Case> cases = {
      {"empty payload", "", "payload"},
      {"truncated", play.substr(0, play.size() / 2),
       "payload: is not valid JSON"},
      {"not an object", "[1, 2, 3]", "payload: must be a JSON object"},
      {"no name", Replace(play, "\"name\": \"play_video\",", ""),
       "payload.name: is required"},
      {"numeric name",
       Replace(play, "\"name\": \"play_video\"", "\"name\": 17"),
       "payload.name: must be a string"},
      {"user id object",
       Replace(play, "\"user_id\": 3,", "\"user_id\": {\"id\": 3},"),
       "payload.context.user_id: must be an integer or a numeric string"},
      {"user id username",
       Replace(play, "\"user_id\": 3,", "\"user_id\": \"edx\","),
       "payload.context.user_id: must be a numeric user id"},
      {"user id negative", Replace(play, "\"user_id\": 3,", "\"user_id\": -3,"),
       "payload.context.user_id: must be a positive user id"},
      {"user id missing", Replace(play, "\"user_id\": 3,", ""),
       "payload.context.user_id: is required"},
      {"no context",
       Replace(Fixture("edx.forum.thread.created.json"),
               "\"context\":", "\"context_gone\":"),
       "payload.context.user_id: is required"},
      {"context not an object",
       Replace(Fixture("edx.forum.thread.created.json"), "\"context\": {",
               "\"context\": \"x\", \"ctx\": {"),
       "payload.context: must be an object"},
      {"negative timestamp",
       Replace(play, "\"2020-07-15T06:52:55.057099+00:00\"",
               "\"-2020-07-15T06:52:55Z\""),
       "payload.timestamp"},
      {"year 99999",
       Replace(play, "\"2020-07-15T06:52:55.057099+00:00\"",
               "\"99999-07-15T06:52:55Z\""),
       "payload.timestamp"},
      {"numeric timestamp",
       Replace(play, "\"2020-07-15T06:52:55.057099+00:00\"", "-1"),
       "payload.timestamp: must be a string"},
      {"no timestamp",
       Replace(play, "\"timestamp\": \"2020-07-15T06:52:55.057099+00:00\"",
               "\"x\": 1"),
       "payload.timestamp: is required"},
      {"data not an object",
       Replace(play, "\"data\": {", "\"data\": 5, \"d\": {"),
       "payload.data: must be an object or a JSON string"},
      {"event string not JSON",
       R"({"name": "play_video", "time": "2020-07-15T06:52:55Z", "event": "{\"id\": ",
           "context": {"user_id": 3, "host": "localhost:18000"}})",
       "payload.event: is not valid JSON"},
      {"video id missing",
       Replace(play, "\"id\": \"0b9e39477cf34507a7a48f74be381fdd\"",
               "\"x\": 1"),
       "payload.data.id: is required"},
      {"forum id not an id",
       Replace(Fixture("edx.forum.thread.created.json"),
               "\"id\": \"64abcdfee68f35002fd013c6\"", "\"id\": \"../../x y\""),
       "payload.data.id: is not a forum post id"},
      {"link not http",
       Replace(Fixture("edx.ui.lms.link_clicked.json"),
               "\"target_url\": \"http:", "\"target_url\": \"javascript:"),
       "payload.data.target_url: must be an http(s) URL"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.label);
    EXPECT_THAT(Track(c.payload), StatusIs(kInvalid, HasSubstr(c.field)));
  }
  // A host that is not a host name, when the adapter sends no instance.
  EXPECT_THAT(Track(Replace(play, "\"host\": \"localhost:18000\"",
                            "\"host\": \"evil host/path\""),
                    ""),
              StatusIs(kInvalid,
                       HasSubstr("payload.context.host: is not a host name")));
}

TEST(OpenEdxTrackingNormaliser, OversizedValuesAreRejectedWithoutCrashing) {
  std::string play = Fixture("play_video.json");
  // A 10 MB string value: over the payload limit.
  std::string huge(10 * 1024 * 1024, 'a');
  EXPECT_THAT(
      Track(Replace(play, "\"code\": \"b7xgknqkQk8\"",
                    "\"code\": \"" + huge + "\"")),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("payload")));
  // A 3 MB event name (under the limit): unmapped, with a short message.
  std::string big(3 * 1024 * 1024, 'n');
  auto s = Track(
      Replace(play, "\"name\": \"play_video\"", "\"name\": \"" + big + "\""));
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kUnimplemented));
  EXPECT_LT(s.status().message().size(), 300u);
  // A 3 MB video id: normalised, then refused by validation for its length.
  auto e = Track(Replace(play, "\"id\": \"0b9e39477cf34507a7a48f74be381fdd\"",
                         "\"id\": \"" + big + "\""));
  POLKU_ASSERT_OK(e);
  EXPECT_THAT(
      model::ValidateEvent(*e, NowMs()),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("object.id")));
  // Deeply nested data.
  std::string deep = std::string(5000, '[') + std::string(5000, ']');
  EXPECT_THAT(
      Track(Replace(play, "\"code\": \"b7xgknqkQk8\"", "\"code\": " + deep)),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("payload")));
}

TEST(OpenEdxTrackingNormaliser, ErrorLeavesOutputUntouched) {
  std::vector<LearningEvent> out(1);
  out[0].event_id = "kept";
  SourceEvent s =
      Source(SourceFormat::kOpenEdxTracking,
             Fixture("edx.ui.lms.link_clicked(anonymous_user).json"), kLms);
  EXPECT_THAT(NormaliseOpenEdxTracking(kTenant, s, out),
              StatusIs(absl::StatusCode::kInvalidArgument));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].event_id, "kept");
  s.payload = Fixture("play_video.json");
  POLKU_ASSERT_OK(NormaliseOpenEdxTracking(kTenant, s, out));
  EXPECT_EQ(out.size(), 2u);
}

// ---------------------------------------------------------------------------
// Signals. Each payload has the shape documented in openedx_normaliser.cc.

std::string SignalPayload(
    std::string_view signal, std::string_view data,
    std::string_view time = "2020-07-15T06:36:01.917775+00:00",
    std::string_view lms = kLms) {
  return common::StrCat(
      R"({"signal": ")", signal,
      R"(", "id": "0AE5A1E4-0F4C-11EF-9C2F-0242AC120002", "time": ")", time,
      R"(", "source_lms": ")", lms, R"(", "minorversion": 0, "data": )", data,
      "}");
}

// UserData {id, is_active, pii: UserPersonalData {username, email, name}}.
constexpr std::string_view kLearner3 =
    R"({"id": 3, "is_active": true, "pii": {"username": "edx", "email": "edx@example.com", "name": "Edna Example"}})";
constexpr std::string_view kStaff5 =
    R"({"id": 5, "is_active": true, "pii": {"username": "staffer", "email": "staffer@example.com", "name": "Stan Staff"}})";
// CourseData {course_key, display_name, start, end}.
constexpr std::string_view kDemoCourse =
    R"({"course_key": "course-v1:edX+DemoX+Demo_Course", "display_name": "Demonstration Course", "start": null, "end": null})";

// data = {"enrollment": CourseEnrollmentData}.
std::string EnrollmentData(std::string_view created_by = "null",
                           std::string_view is_active = "true") {
  return common::StrCat(
      R"({"enrollment": {"user": )", kLearner3, R"(, "course": )", kDemoCourse,
      R"(, "mode": "audit", "is_active": )", is_active,
      R"(, "creation_date": "2020-07-15T06:36:01.917775+00:00", "created_by": )",
      created_by, "}}");
}

std::string EnrollmentSignal(std::string_view signal = "created",
                             std::string_view created_by = "null",
                             std::string_view is_active = "true") {
  std::string name =
      signal == "unenrolled"
          ? "org.openedx.learning.course.unenrollment.completed.v1"
          : common::StrCat("org.openedx.learning.course.enrollment.", signal,
                           ".v1");
  return SignalPayload(name, EnrollmentData(created_by, is_active));
}

// data = {"certificate": CertificateData {user, course, mode, grade,
// download_url, name, current_status, previous_status}}.
std::string CertificateSignal(std::string_view signal, std::string_view status,
                              std::string_view previous = "") {
  return SignalPayload(
      common::StrCat("org.openedx.learning.certificate.", signal, ".v1"),
      common::StrCat(
          R"({"certificate": {"user": )", kLearner3, R"(, "course": )",
          kDemoCourse,
          R"(, "mode": "verified", "grade": "0.85", "download_url": "https://lms.example.edu/certificates/user/3/course/x?name=Edna", "name": "Edna Example", "current_status": ")",
          status, R"(", "previous_status": ")", previous, R"("}})"));
}

// data = {"course_passing_status": CoursePassingStatusData {is_passing, course,
// user}}.
std::string PassingSignal(bool passing) {
  return SignalPayload(
      "org.openedx.learning.course.passing.status.updated.v1",
      common::StrCat(R"({"course_passing_status": {"is_passing": )",
                     passing ? "true" : "false", R"(, "course": )", kDemoCourse,
                     R"(, "user": )", kLearner3, "}}"));
}

// data = {"grade": PersistentCourseGradeData {user_id, course,
// course_edited_timestamp, course_version, grading_policy_hash, percent_grade,
// letter_grade, passed_timestamp}}.
std::string GradeSummarySignal(std::string_view percent,
                               std::string_view letter,
                               std::string_view passed_at) {
  return SignalPayload(
      "org.openedx.learning.course.persistent_grade_summary.changed.v1",
      common::StrCat(
          R"({"grade": {"user_id": 3, "course": )", kDemoCourse,
          R"(, "course_edited_timestamp": "2023-08-23T18:14:00.070241+00:00", "course_version": "64e64c6835fe1d2093ba4d69", "grading_policy_hash": "ChVp0lHGQGCevD0t4njna/C44zQ=", "percent_grade": )",
          percent, R"(, "letter_grade": ")", letter,
          R"(", "passed_timestamp": )", passed_at, "}}"),
      "2023-08-23T20:37:45.526615+00:00");
}

// data = {"thread": DiscussionThreadData}, mirroring
// edx.forum.thread.created.json.
std::string ThreadSignal() {
  return SignalPayload(
      "org.openedx.learning.forum.thread.created.v1",
      R"({"thread": {"body": "<p>Description of another thread in test topic</p>",
          "commentable_id": "856d38cd-a139-4346-bef9-4147a2e4b7bf",
          "id": "64abcdfee68f35002fd013c6", "truncated": false,
          "url": "http://apps.local.overhang.io:2002/",
          "user": {"id": 16, "is_active": true, "pii": {"username": "xiajul10", "email": "xiajul10@example.com", "name": "Xia Jul"}},
          "course_id": "course-v1:testX+XAPI101+2019_T2", "thread_type": "discussion",
          "anonymous": false, "anonymous_to_peers": false,
          "title": "Another thread in test topic", "title_truncated": false,
          "group_id": null, "team_id": null, "category_id": null, "category_name": null,
          "discussion": null, "user_course_roles": [], "user_forums_roles": ["Student"],
          "options": {"followed": true}}})",
      "2023-07-10T09:23:10.354202+00:00", "http://local.overhang.io:8000");
}

// data = {"thread": DiscussionThreadData} for a response, mirroring
// edx.forum.response.created.json.
std::string ResponseSignal(std::string_view signal) {
  return SignalPayload(signal,
                       R"({"thread": {"body": "<p>Response 1</p>",
          "commentable_id": "7d6d6f11-537b-47c6-8575-ad3e315c0e06",
          "id": "64b7b640e68f350033690932", "truncated": false,
          "url": "http://apps.local.overhang.io:2002/",
          "user": {"id": 18, "is_active": true, "pii": {"username": "response", "email": "response@example.com", "name": "Res Ponder"}},
          "course_id": "course-v1:testX+XAPI101+2019_T2",
          "discussion": {"id": "64b7b2bee68f35003369092d"},
          "user_course_roles": [], "user_forums_roles": ["Student"],
          "options": {"followed": false}}})",
                       "2023-07-19T10:09:04.464412+00:00",
                       "http://local.overhang.io:8000");
}

// data = {"badge": BadgeData {uuid, user, template: BadgeTemplateData
// {uuid, origin, name, description, image_url}}}.
std::string BadgeSignal() {
  return SignalPayload(
      "org.openedx.learning.badge.awarded.v1",
      common::StrCat(
          R"({"badge": {"uuid": "2b7a1c5e-8f3d-4e2a-9b1c-6d5e4f3a2b1c", "user": )",
          kLearner3,
          R"(, "template": {"uuid": "f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b", "origin": "openedx", "name": "Demo Course Finisher", "description": "Finished the demo course", "image_url": "https://lms.example.edu/badge.png"}}})"));
}

// data = {"program_certificate": ProgramCertificateData {user, program:
// ProgramData {uuid, title, program_type}, uuid, status, url,
// certificate_available_date}}.
std::string ProgramCertificateSignal(std::string_view status) {
  return SignalPayload(
      "org.openedx.learning.program.certificate.awarded.v1",
      common::StrCat(
          R"({"program_certificate": {"user": )", kLearner3,
          R"(, "program": {"uuid": "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d", "title": "Data Literacy", "program_type": "professional"}, "uuid": "11111111-2222-4333-8444-555555555555", "status": ")",
          status,
          R"(", "url": "https://credentials.example.edu/credentials/1111", "certificate_available_date": null}})"));
}

// data = {"exam_attempt": ExamAttemptData {student_user, course_key,
// usage_key, exam_type, requesting_user}}, mirroring
// edx.special_exam.timed.attempt.submitted.json.
std::string ExamSignal(std::string_view requesting_user) {
  return SignalPayload(
      "org.openedx.learning.exam.attempt.submitted.v1",
      common::StrCat(
          R"({"exam_attempt": {"student_user": )", kLearner3,
          R"(, "course_key": "course-v1:edX+DemoX+Demo_Course", "usage_key": "block-v1:edX+DemoX+Demo_Course+type@sequential+block@5b4bf8d7d41c4070b299abefed74155e", "exam_type": "timed", "requesting_user": )",
          requesting_user, "}}"),
      "2023-09-08T16:20:53.604375+00:00");
}

std::vector<std::pair<std::string, std::string>> AllSignalSamples() {
  return {
      {"enrolment created", EnrollmentSignal()},
      {"enrolment by staff", EnrollmentSignal("created", kStaff5)},
      {"enrolment changed", EnrollmentSignal("changed")},
      {"unenrolment", EnrollmentSignal("unenrolled", "null", "false")},
      {"certificate", CertificateSignal("created", "downloadable")},
      {"passing", PassingSignal(true)},
      {"failing", PassingSignal(false)},
      {"grade summary",
       GradeSummarySignal("1.0", "Pass", "\"2023-08-23T20:37:45+00:00\"")},
      {"thread", ThreadSignal()},
      {"response",
       ResponseSignal("org.openedx.learning.forum.thread.response.created.v1")},
      {"comment",
       ResponseSignal(
           "org.openedx.learning.forum.thread.response.comment.created.v1")},
      {"badge", BadgeSignal()},
      {"program certificate", ProgramCertificateSignal("awarded")},
      {"exam", ExamSignal(kStaff5)},
  };
}

TEST(OpenEdxSignalNormaliser, EverySampleNormalisesToAValidEvent) {
  for (const auto& [label, payload] : AllSignalSamples()) {
    SCOPED_TRACE(label);
    POLKU_ASSERT_OK_AND_ASSIGN(auto e, Sig(payload));
    EXPECT_EQ(e.event_id, "0ae5a1e4-0f4c-11ef-9c2f-0242ac120002");
    EXPECT_NE(e.verb, Verb::kUnspecified);
    EXPECT_NE(e.object.type, ObjectType::kUnspecified);
    EXPECT_EQ(e.source.platform, model::Platform::kOpenEdx);
    EXPECT_TRUE(model::ValidateEvent(e, NowMs()).ok())
        << model::ValidateEvent(e, NowMs());
  }
}

TEST(OpenEdxSignalNormaliser, PiiNeverReachesTheEvent) {
  for (const auto& [label, payload] : AllSignalSamples()) {
    SCOPED_TRACE(label);
    POLKU_ASSERT_OK_AND_ASSIGN(auto e, Sig(payload));
    // A signal's titles name awards and programmes, not posts: the generic
    // collector (pii, usernames, e-mails) applies.
    test_support::ExpectNoPersonalValues(
        e, test_support::PersonalValues(payload), label);
    std::string json = model::CanonicalJson(e);
    for (std::string_view v :
         {"edx@example.com", "Edna Example", "staffer", "Stan Staff",
          "xiajul10", "Xia Jul", "Res Ponder", "<p>"}) {
      EXPECT_EQ(json.find(v), std::string::npos) << v << " in " << json;
    }
  }
}

TEST(OpenEdxSignalNormaliser, EnrolmentCreatedIsSelfUnlessCreatedByAnother) {
  POLKU_ASSERT_OK_AND_ASSIGN(auto e, Sig(EnrollmentSignal()));
  EXPECT_EQ(e.verb, Verb::kEnrolled);
  EXPECT_EQ(e.object.type, ObjectType::kCourse);
  EXPECT_EQ(e.object.id, "course-v1:edX+DemoX+Demo_Course");
  EXPECT_EQ(e.object.name, "Demonstration Course");
  EXPECT_EQ(e.initiator, Initiator::kSelf);
  EXPECT_EQ(e.learner.key, "localhost:18000#3");
  EXPECT_EQ(e.context.enrolment_mode, "audit");
  EXPECT_EQ(e.source.event_type,
            "org.openedx.learning.course.enrollment.created.v1");

  POLKU_ASSERT_OK_AND_ASSIGN(e, Sig(EnrollmentSignal("created", kStaff5)));
  EXPECT_EQ(e.initiator, Initiator::kStaff);
  EXPECT_EQ(e.learner.key, "localhost:18000#3");

  POLKU_ASSERT_OK_AND_ASSIGN(e, Sig(EnrollmentSignal("created", kLearner3)));
  EXPECT_EQ(e.initiator, Initiator::kSelf);
}

TEST(OpenEdxSignalNormaliser, EnrolmentChangesAndUnenrolment) {
  POLKU_ASSERT_OK_AND_ASSIGN(auto e, Sig(EnrollmentSignal("changed")));
  EXPECT_EQ(e.verb, Verb::kEnrolled);
  EXPECT_EQ(e.extensions.at("enrolment_change"), "changed");
  EXPECT_THAT(
      Sig(EnrollmentSignal("changed", "null", "false")),
      StatusIs(absl::StatusCode::kUnimplemented, HasSubstr("unenrollment")));
  POLKU_ASSERT_OK_AND_ASSIGN(
      e, Sig(EnrollmentSignal("unenrolled", kStaff5, "false")));
  EXPECT_EQ(e.verb, Verb::kUnenrolled);
  EXPECT_EQ(e.initiator, Initiator::kSelf)
      << "created_by is not who unenrolled";
}

TEST(OpenEdxSignalNormaliser, OnlyANewDownloadableCertificateIsAnAward) {
  POLKU_ASSERT_OK_AND_ASSIGN(auto e,
                             Sig(CertificateSignal("created", "downloadable")));
  EXPECT_EQ(e.verb, Verb::kAchieved);
  EXPECT_EQ(e.object.type, ObjectType::kCertificate);
  EXPECT_EQ(e.object.id, "course-v1:edX+DemoX+Demo_Course");
  EXPECT_EQ(e.context.enrolment_mode, "verified");
  POLKU_ASSERT_OK_AND_ASSIGN(
      e, Sig(CertificateSignal("changed", "downloadable", "generating")));
  EXPECT_EQ(e.verb, Verb::kAchieved);
  EXPECT_THAT(
      Sig(CertificateSignal("created", "notpassing")),
      StatusIs(absl::StatusCode::kUnimplemented, HasSubstr("notpassing")));
  EXPECT_THAT(Sig(CertificateSignal("changed", "downloadable", "downloadable")),
              StatusIs(absl::StatusCode::kUnimplemented));
}

TEST(OpenEdxSignalNormaliser, PassingStatusIsPassedOrFailed) {
  POLKU_ASSERT_OK_AND_ASSIGN(auto e, Sig(PassingSignal(true)));
  EXPECT_EQ(e.verb, Verb::kPassed);
  EXPECT_EQ(e.result.success, Tristate::kYes);
  POLKU_ASSERT_OK_AND_ASSIGN(e, Sig(PassingSignal(false)));
  EXPECT_EQ(e.verb, Verb::kFailed);
  EXPECT_EQ(e.result.success, Tristate::kNo);

  // data = {"course_passing_status": CcxCoursePassingStatusData}: the course
  // is a CcxCourseData {ccx_course_key, master_course_key, display_name,
  // coach_email, ...}.
  std::string ccx = SignalPayload(
      "org.openedx.learning.ccx.course.passing.status.updated.v1",
      common::StrCat(
          R"({"course_passing_status": {"is_passing": true, "user": )",
          kLearner3,
          R"(, "course": {"ccx_course_key": "ccx-v1:edX+DemoX+Demo_Course+ccx@1", "master_course_key": "course-v1:edX+DemoX+Demo_Course", "display_name": "Demo CCX", "coach_email": "coach@example.com"}}})"));
  POLKU_ASSERT_OK_AND_ASSIGN(e, Sig(ccx));
  EXPECT_EQ(e.object.id, "ccx-v1:edX+DemoX+Demo_Course+ccx@1");
  EXPECT_EQ(model::CanonicalJson(e).find("coach@example.com"),
            std::string::npos);
}

TEST(OpenEdxSignalNormaliser, GradeSummaryIsGradedCourse) {
  POLKU_ASSERT_OK_AND_ASSIGN(auto e,
                             Sig(GradeSummarySignal("0.75", "B", "null")));
  EXPECT_EQ(e.verb, Verb::kGraded);
  EXPECT_EQ(e.object.type, ObjectType::kCourse);
  EXPECT_DOUBLE_EQ(e.result.score_scaled.value_or(-1), 0.75);
  EXPECT_EQ(e.result.success, Tristate::kYes);
  POLKU_ASSERT_OK_AND_ASSIGN(e, Sig(GradeSummarySignal("0.02", "", "null")));
  EXPECT_EQ(e.result.success, Tristate::kNo);
  // The name given in the Polku brief is accepted too.
  std::string alias = Replace(GradeSummarySignal("0.5", "C", "null"),
                              "course.persistent_grade_summary.changed.v1",
                              "persistent_grade_summary.created.v1");
  POLKU_ASSERT_OK_AND_ASSIGN(e, Sig(alias));
  EXPECT_EQ(e.verb, Verb::kGraded);
}

TEST(OpenEdxSignalNormaliser, ForumSignalsArePostsRepliesAndComments) {
  POLKU_ASSERT_OK_AND_ASSIGN(auto e, Sig(ThreadSignal()));
  EXPECT_EQ(e.verb, Verb::kPosted);
  EXPECT_EQ(e.object.type, ObjectType::kDiscussion);
  EXPECT_EQ(e.object.id,
            "local.overhang.io:8000/api/discussion/v1/threads/"
            "64abcdfee68f35002fd013c6");
  EXPECT_EQ(e.learner.key, "local.overhang.io:8000#16");
  POLKU_ASSERT_OK_AND_ASSIGN(
      e, Sig(ResponseSignal(
             "org.openedx.learning.forum.thread.response.created.v1")));
  EXPECT_EQ(e.verb, Verb::kReplied);
  EXPECT_EQ(e.object.id,
            "local.overhang.io:8000/api/discussion/v1/comments/"
            "64b7b640e68f350033690932");
  POLKU_ASSERT_OK_AND_ASSIGN(
      e, Sig(ResponseSignal(
             "org.openedx.learning.forum.thread.response.comment.created.v1")));
  EXPECT_EQ(e.verb, Verb::kCommented);
}

TEST(OpenEdxSignalNormaliser, AwardsAreAchieved) {
  POLKU_ASSERT_OK_AND_ASSIGN(auto e, Sig(BadgeSignal()));
  EXPECT_EQ(e.verb, Verb::kAchieved);
  EXPECT_EQ(e.object.type, ObjectType::kBadge);
  EXPECT_EQ(e.object.id, "f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b");
  EXPECT_EQ(e.object.name, "Demo Course Finisher");
  EXPECT_EQ(e.initiator, Initiator::kSelf);

  POLKU_ASSERT_OK_AND_ASSIGN(e, Sig(ProgramCertificateSignal("awarded")));
  EXPECT_EQ(e.verb, Verb::kAchieved);
  EXPECT_EQ(e.object.type, ObjectType::kCertificate);
  EXPECT_EQ(e.object.id, "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d");
  EXPECT_EQ(e.extensions.at("program_type"), "professional");
  EXPECT_THAT(Sig(ProgramCertificateSignal("revoked")),
              StatusIs(absl::StatusCode::kUnimplemented));
}

TEST(OpenEdxSignalNormaliser, ExamSubmittedByStaffIsStaffInitiated) {
  POLKU_ASSERT_OK_AND_ASSIGN(auto e, Sig(ExamSignal("null")));
  EXPECT_EQ(e.verb, Verb::kSubmitted);
  EXPECT_EQ(e.object.type, ObjectType::kAssessment);
  EXPECT_EQ(e.initiator, Initiator::kSelf);
  POLKU_ASSERT_OK_AND_ASSIGN(e, Sig(ExamSignal(kStaff5)));
  EXPECT_EQ(e.initiator, Initiator::kStaff);
}

TEST(OpenEdxSignalNormaliser, EventIdComesFromMetadataElseAdapterElseDerived) {
  std::string no_id =
      Replace(EnrollmentSignal(),
              R"("id": "0AE5A1E4-0F4C-11EF-9C2F-0242AC120002", )", "");
  POLKU_ASSERT_OK_AND_ASSIGN(auto derived, Sig(no_id));
  EXPECT_EQ(derived.event_id, model::DeriveEventId(kTenant, derived, ""));
  SourceEvent s = Source(SourceFormat::kOpenEdxSignal, no_id);
  s.enrichment.event_id = "adapter-id-1";
  POLKU_ASSERT_OK_AND_ASSIGN(auto adapter, One(s));
  EXPECT_EQ(adapter.event_id, "adapter-id-1");
}

TEST(OpenEdxSignalNormaliser,
     UnmappedAndAdministrativeSignalsAreUnimplemented) {
  EXPECT_THAT(
      Sig(SignalPayload("org.openedx.learning.auth.session.login.completed.v1",
                        R"({"user": {"id": 3}})")),
      StatusIs(
          absl::StatusCode::kUnimplemented,
          HasSubstr("not a learning activity: "
                    "org.openedx.learning.auth.session.login.completed.v1")));
  EXPECT_THAT(Sig(SignalPayload(
                  "org.openedx.content_authoring.course.created.v1", "{}")),
              StatusIs(absl::StatusCode::kUnimplemented,
                       HasSubstr("event type not mapped")));
}

TEST(OpenEdxSignalNormaliser,
     MalformedSignalsAreInvalidArgumentNamingTheField) {
  constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;
  const std::string good = EnrollmentSignal();
  struct Case {
    std::string label;
    std::string payload;
    std::string field;
  };
  std::vector<Case> cases = {
      {"empty", "", "payload"},
      {"truncated", good.substr(0, good.size() - 20),
       "payload: is not valid JSON"},
      {"array", "[]", "payload: must be a JSON object"},
      {"no signal", Replace(good, "\"signal\"", "\"sig\""),
       "payload.signal: is required"},
      {"bad id",
       Replace(good, "0AE5A1E4-0F4C-11EF-9C2F-0242AC120002", "not-a-uuid"),
       "payload.id: must be a UUID"},
      {"no time", Replace(good, "\"time\"", "\"tim\""),
       "payload.time: is required"},
      {"absurd time",
       Replace(good, "\"time\": \"2020-07-15T06:36:01.917775+00:00\"",
               "\"time\": \"99999-01-01T00:00:00Z\""),
       "payload.time"},
      {"no lms", Replace(good, "\"source_lms\"", "\"lms\""),
       "payload.source_lms: is required"},
      {"lms not http",
       Replace(good, "\"http://localhost:18000\"", "\"file:///etc\""),
       "payload.source_lms: must be an http(s) URL"},
      {"no data", Replace(good, "\"data\":", "\"dat\":"),
       "payload.data: is required"},
      {"no enrollment", Replace(good, "\"enrollment\":", "\"enrolment\":"),
       "payload.data.enrollment: is required"},
      {"user id object", Replace(good, "\"id\": 3,", "\"id\": {\"n\": 3},"),
       "payload.data.enrollment.user.id: must be an integer or a numeric "
       "string"},
      {"no user id", Replace(good, "\"id\": 3,", ""),
       "payload.data.enrollment.user.id: is required"},
      {"no course key", Replace(good, "\"course_key\"", "\"key\""),
       "payload.data.enrollment.course.course_key: is required"},
      {"is_active string",
       Replace(good, "\"is_active\": true, \"creation_date\"",
               "\"is_active\": \"yes\", \"creation_date\""),
       "payload.data.enrollment.is_active: must be true or false"},
      {"passing missing",
       Replace(PassingSignal(true), "\"is_passing\": true, ", ""),
       "payload.data.course_passing_status.is_passing: is required"},
      {"forum id not an id",
       Replace(ThreadSignal(), "\"64abcdfee68f35002fd013c6\"", "\"a/b\""),
       "payload.data.thread.id: is not a forum post id"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.label);
    EXPECT_THAT(Sig(c.payload), StatusIs(kInvalid, HasSubstr(c.field)));
  }
  // 10 MB display name.
  std::string huge(10 * 1024 * 1024, 'x');
  EXPECT_THAT(
      Sig(Replace(good, "\"Demonstration Course\"", "\"" + huge + "\"")),
      StatusIs(kInvalid, HasSubstr("payload")));
}

TEST(OpenEdxSignalNormaliser, DispatchDetectsSignals) {
  SourceEvent s = Source(SourceFormat::kUnspecified, EnrollmentSignal());
  EXPECT_EQ(DetectFormat(s.payload), SourceFormat::kOpenEdxSignal);
  std::vector<LearningEvent> out;
  POLKU_ASSERT_OK(Normalise(kTenant, s, out));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].verb, Verb::kEnrolled);
}

// ---------------------------------------------------------------------------
// The same happening through a signal and through the tracking log.

void ExpectAlike(const LearningEvent& signal, const LearningEvent& tracking) {
  EXPECT_EQ(signal.verb, tracking.verb);
  EXPECT_EQ(signal.object.type, tracking.object.type);
  EXPECT_EQ(signal.object.id, tracking.object.id);
  EXPECT_EQ(signal.initiator, tracking.initiator);
  EXPECT_EQ(signal.learner.key, tracking.learner.key);
  EXPECT_EQ(signal.context.course_id, tracking.context.course_id);
  EXPECT_EQ(signal.context.enrolment_method, tracking.context.enrolment_method);
  EXPECT_EQ(signal.context.enrolment_mode, tracking.context.enrolment_mode);
  EXPECT_EQ(signal.result.success, tracking.result.success);
  EXPECT_EQ(signal.result.completion, tracking.result.completion);
  EXPECT_EQ(signal.source.instance, tracking.source.instance);
  EXPECT_EQ(signal.occurred_at_ms, tracking.occurred_at_ms);
}

TEST(OpenEdxConsistency, SelfEnrolmentSignalAndTrackingEventAgree) {
  POLKU_ASSERT_OK_AND_ASSIGN(auto signal, Sig(EnrollmentSignal()));
  POLKU_ASSERT_OK_AND_ASSIGN(
      auto tracking,
      Track(Fixture("edx.course.enrollment.activated.json"), ""));
  ExpectAlike(signal, tracking);
}

TEST(OpenEdxConsistency, StaffEnrolmentSignalAndTrackingEventAgree) {
  POLKU_ASSERT_OK_AND_ASSIGN(auto signal,
                             Sig(EnrollmentSignal("created", kStaff5)));
  // edx.course.enrollment.activated.json with data.created_by = 5 added.
  std::string created_by = Replace(
      Fixture("edx.course.enrollment.activated.json"), "\"mode\": \"audit\",",
      "\"mode\": \"audit\", \"created_by\": 5,");
  POLKU_ASSERT_OK_AND_ASSIGN(auto tracking, Track(created_by, ""));
  ExpectAlike(signal, tracking);
  // edx.course.enrollment.activated.json requested by user 5 (context.user_id).
  std::string requested =
      Replace(Fixture("edx.course.enrollment.activated.json"),
              "\"user_id\": 3,", "\"user_id\": 5,");
  POLKU_ASSERT_OK_AND_ASSIGN(tracking, Track(requested, ""));
  ExpectAlike(signal, tracking);
}

TEST(OpenEdxConsistency, UnenrolmentSignalAndTrackingEventAgree) {
  std::string payload =
      Replace(EnrollmentSignal("unenrolled", "null", "false"),
              "2020-07-15T06:36:01.917775+00:00\", \"source_lms\"",
              "2020-07-15T06:39:23.898755+00:00\", \"source_lms\"");
  POLKU_ASSERT_OK_AND_ASSIGN(auto signal, Sig(payload));
  POLKU_ASSERT_OK_AND_ASSIGN(
      auto tracking,
      Track(Fixture("edx.course.enrollment.deactivated.json"), ""));
  ExpectAlike(signal, tracking);
}

TEST(OpenEdxConsistency, PassingStatusSignalAndTrackingEventAgree) {
  POLKU_ASSERT_OK_AND_ASSIGN(auto passed, Sig(PassingSignal(true)));
  POLKU_ASSERT_OK_AND_ASSIGN(
      auto now_passed, Track(Fixture("edx.course.grade.now_passed.json"), ""));
  ExpectAlike(passed, now_passed);
  POLKU_ASSERT_OK_AND_ASSIGN(auto failed, Sig(PassingSignal(false)));
  POLKU_ASSERT_OK_AND_ASSIGN(
      auto now_failed, Track(Fixture("edx.course.grade.now_failed.json"), ""));
  ExpectAlike(failed, now_failed);
}

TEST(OpenEdxConsistency, GradeSummarySignalAndGradeCalculatedAgree) {
  POLKU_ASSERT_OK_AND_ASSIGN(auto signal,
                             Sig(GradeSummarySignal("1.0", "Pass", "null")));
  POLKU_ASSERT_OK_AND_ASSIGN(
      auto tracking,
      Track(Fixture("edx.grades.course.grade_calculated_letter_grade.json"),
            ""));
  ExpectAlike(signal, tracking);
  EXPECT_EQ(signal.result.score_scaled, tracking.result.score_scaled);
  POLKU_ASSERT_OK_AND_ASSIGN(signal,
                             Sig(GradeSummarySignal("0.02", "", "null")));
  POLKU_ASSERT_OK_AND_ASSIGN(
      tracking,
      Track(Fixture("edx.grades.course.grade_calculated_no_letter_grade.json"),
            ""));
  ExpectAlike(signal, tracking);
  EXPECT_EQ(signal.result.score_scaled, tracking.result.score_scaled);
}

TEST(OpenEdxConsistency, ForumSignalsAndTrackingEventsAgree) {
  POLKU_ASSERT_OK_AND_ASSIGN(auto signal, Sig(ThreadSignal()));
  POLKU_ASSERT_OK_AND_ASSIGN(
      auto tracking, Track(Fixture("edx.forum.thread.created.json"), ""));
  ExpectAlike(signal, tracking);
  POLKU_ASSERT_OK_AND_ASSIGN(
      signal, Sig(ResponseSignal(
                  "org.openedx.learning.forum.thread.response.created.v1")));
  POLKU_ASSERT_OK_AND_ASSIGN(
      tracking, Track(Fixture("edx.forum.response.created.json"), ""));
  ExpectAlike(signal, tracking);
  EXPECT_EQ(signal.context.parents, tracking.context.parents);
}

TEST(OpenEdxConsistency, ExamSubmissionSignalAndTrackingEventAgree) {
  POLKU_ASSERT_OK_AND_ASSIGN(auto signal, Sig(ExamSignal("null")));
  POLKU_ASSERT_OK_AND_ASSIGN(
      auto tracking,
      Track(Fixture("edx.special_exam.timed.attempt.submitted.json"), ""));
  ExpectAlike(signal, tracking);
}

TEST(OpenEdxConsistency, CertificateSignalAndTrackingEventAgree) {
  // An edx.certificate.created tracking event (no fixture: a look-alike of
  // the event edx-platform logs, in the event-routing-backends layout).
  const std::string tracking_payload = R"json({
    "name": "edx.certificate.created",
    "timestamp": "2020-07-15T06:36:01.917775+00:00",
    "context": {"course_id": "course-v1:edX+DemoX+Demo_Course", "org_id": "edX",
                "host": "localhost:18000", "user_id": 3, "username": "edx",
                "ip": "172.18.0.1", "session": "44c2f6b53a6aaf210797a56391a443bc"},
    "data": {"user_id": 3, "course_id": "course-v1:edX+DemoX+Demo_Course",
             "certificate_id": "3fa85f6457174562b3fc2c963f66afa6",
             "certificate_url": "http://localhost:18000/certificates/3fa85f6457174562b3fc2c963f66afa6",
             "enrollment_mode": "verified", "generation_mode": "batch"}
  })json";
  POLKU_ASSERT_OK_AND_ASSIGN(auto signal,
                             Sig(CertificateSignal("created", "downloadable")));
  POLKU_ASSERT_OK_AND_ASSIGN(auto tracking, Track(tracking_payload, ""));
  ExpectAlike(signal, tracking);
  ExpectNoPersonalData(tracking_payload, tracking, "certificate tracking");
}

}  // namespace
}  // namespace polku::ingest
