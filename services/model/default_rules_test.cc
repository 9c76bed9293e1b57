// Pins the behaviour of the shipped default rule file,
// deploy/config/rules.yaml, against the learning-mode model (MODEL.md).
//
// Every scenario test tags an event built here and checks the mode, the sign
// of the dimensions the model makes clear, and which rules gave the evidence.
// Every event a scenario uses is also listed in Examples(), so that
// EveryRuleFiresForSomeExample can show that no rule in the file is dead.
#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "common/status_matchers.h"
#include "common/str_cat.h"
#include "common/strings.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "model/learning_event.h"
#include "model/rules.h"
#include "model/tagger.h"
#include "model/tags.h"

namespace polku::model {
namespace {

using ::testing::Contains;
using ::testing::Not;

constexpr char kRulesPath[] = POLKU_SOURCE_DIR "/deploy/config/rules.yaml";

Tristate Tri(bool yes) { return yes ? Tristate::kYes : Tristate::kNo; }

// Builds a LearningEvent the way a normaliser would hand it to the tagger.
class Event {
 public:
  Event(Verb verb, ObjectType type, Initiator initiator) {
    e_.event_id = "00000000-0000-5000-8000-000000000001";
    e_.source.platform = Platform::kMoodle;
    e_.source.instance = "moodle.example.edu";
    e_.occurred_at_ms = 1700000000000;
    e_.learner.key = "moodle.example.edu#42";
    e_.verb = verb;
    e_.initiator = initiator;
    e_.object.type = type;
    e_.object.id = "moodle.example.edu/object/1";
  }
  Event& InCourse(EnrolmentMethod method = EnrolmentMethod::kUnspecified) {
    e_.context.course_id = "moodle.example.edu/course/view.php?id=2";
    e_.context.enrolment_method = method;
    return *this;
  }
  Event& From(Platform platform) {
    e_.source.platform = platform;
    return *this;
  }
  Event& Required(bool yes = true) {
    e_.context.required = Tri(yes);
    return *this;
  }
  Event& Graded() {
    e_.context.graded = Tristate::kYes;
    return *this;
  }
  Event& WithDueDate() {
    e_.context.has_due_date = Tristate::kYes;
    return *this;
  }
  Event& InFlowOfWork(bool yes = true) {
    e_.context.in_flow_of_work = Tri(yes);
    return *this;
  }
  Event& FutureSkill(bool yes = true) {
    e_.context.future_skill = Tri(yes);
    return *this;
  }
  Event& WithGoal() {
    e_.context.goal_ids.push_back("goal:customer-insight");
    return *this;
  }
  Event& WithCompetency() {
    e_.context.competencies.push_back("competency:negotiation");
    return *this;
  }
  // A fact a normaliser records as an extension (e.g. the xAPI
  // normaliser's "xapi.outside_lms").
  Event& Extension(const std::string& key) {
    e_.extensions[key] = "true";
    return *this;
  }
  operator LearningEvent() const { return e_; }  // NOLINT: a builder

 private:
  LearningEvent e_;
};

// ---------------------------------------------------------------------------
// The example events. Each is used by at least one scenario test below.
// ---------------------------------------------------------------------------

LearningEvent StaffEnrolmentInRequiredCourse() {
  return Event(Verb::kEnrolled, ObjectType::kCourse, Initiator::kStaff)
      .InCourse(EnrolmentMethod::kManual)
      .Required();
}
LearningEvent CohortSyncEnrolment() {
  return Event(Verb::kEnrolled, ObjectType::kCourse, Initiator::kSystem)
      .InCourse(EnrolmentMethod::kCohort);
}
LearningEvent HrSystemEnrolmentInProgramme() {
  return Event(Verb::kEnrolled, ObjectType::kProgram, Initiator::kSisSync)
      .InCourse(EnrolmentMethod::kDatabase);
}
LearningEvent SelfEnrolment() {
  return Event(Verb::kEnrolled, ObjectType::kCourse, Initiator::kSelf)
      .InCourse(EnrolmentMethod::kSelf);
}
LearningEvent SelfEnrolmentInOptionalCourse() {
  return Event(Verb::kEnrolled, ObjectType::kCourse, Initiator::kSelf)
      .InCourse(EnrolmentMethod::kSelf)
      .Required(false);
}
LearningEvent ForumReply() {
  return Event(Verb::kReplied, ObjectType::kDiscussion, Initiator::kSelf)
      .InCourse();
}
LearningEvent ForumReplyInRequiredCohortCourse() {
  return Event(Verb::kReplied, ObjectType::kDiscussion, Initiator::kSelf)
      .InCourse(EnrolmentMethod::kCohort)
      .Required();
}
LearningEvent CourseView() {
  return Event(Verb::kViewed, ObjectType::kCourse, Initiator::kSelf).InCourse();
}
LearningEvent ViewOfRequiredGoalLinkedCourse() {
  return Event(Verb::kViewed, ObjectType::kCourse, Initiator::kSelf)
      .InCourse(EnrolmentMethod::kCohort)
      .Required()
      .WithGoal()
      .FutureSkill();
}
LearningEvent LearnerMadePlan() {
  return Event(Verb::kCreated, ObjectType::kLearningPlan, Initiator::kSelf);
}
LearningEvent PlanFromTemplate() {
  return Event(Verb::kCreated, ObjectType::kLearningPlan, Initiator::kStaff);
}
LearningEvent UserEvidence() {
  return Event(Verb::kCreated, ObjectType::kEvidence, Initiator::kSelf);
}
LearningEvent CatalogueSearch() {
  return Event(Verb::kSearched, ObjectType::kSearch, Initiator::kSelf);
}
LearningEvent Bookmark() {
  return Event(Verb::kBookmarked, ObjectType::kResource, Initiator::kSelf);
}
LearningEvent NoteUpdate() {
  return Event(Verb::kUpdated, ObjectType::kNote, Initiator::kSelf);
}
LearningEvent Reflection() {
  return Event(Verb::kReflected, ObjectType::kCourse, Initiator::kSelf)
      .InCourse();
}
LearningEvent JournalEntry() {
  return Event(Verb::kCreated, ObjectType::kReflection, Initiator::kSelf);
}
LearningEvent BlogPost() {
  return Event(Verb::kPosted, ObjectType::kBlog, Initiator::kSelf);
}
LearningEvent FutureSkillCourseCompletion() {
  return Event(Verb::kCompleted, ObjectType::kCourse, Initiator::kSystem)
      .InCourse()
      .FutureSkill();
}
LearningEvent CurrentRoleCourseStart() {
  return Event(Verb::kStarted, ObjectType::kCourse, Initiator::kSelf)
      .InCourse()
      .FutureSkill(false);
}
LearningEvent GoalLinkedCompletion() {
  return Event(Verb::kCompleted, ObjectType::kCourse, Initiator::kSystem)
      .InCourse()
      .WithGoal();
}
LearningEvent CompletionWithoutGoal() {
  return Event(Verb::kCompleted, ObjectType::kCourse, Initiator::kSystem)
      .InCourse();
}
LearningEvent CertificateAwarded() {
  return Event(Verb::kAchieved, ObjectType::kCertificate, Initiator::kSystem);
}
LearningEvent BadgeAwarded() {
  return Event(Verb::kAchieved, ObjectType::kBadge, Initiator::kSystem);
}
LearningEvent GradedQuizAttempt() {
  return Event(Verb::kSubmitted, ObjectType::kAssessment, Initiator::kSelf)
      .InCourse()
      .Graded()
      .WithDueDate();
}
LearningEvent LiveSession() {
  return Event(Verb::kAttended, ObjectType::kLiveSession, Initiator::kSelf)
      .InCourse();
}
LearningEvent WorkToolXapi() {
  // A statement with no course that names no LMS: the xAPI normaliser marks
  // it xapi.outside_lms.
  return Event(Verb::kCompleted, ObjectType::kWorkAssignment, Initiator::kSelf)
      .From(Platform::kXapi)
      .InFlowOfWork()
      .Extension("xapi.outside_lms");
}
LearningEvent LmsSearchForwardedAsXapi() {
  // Moodle's site search sent by logstore_xapi: no course, but the
  // statement names the LMS, so no xapi.outside_lms.
  return Event(Verb::kSearched, ObjectType::kSearch, Initiator::kSelf)
      .From(Platform::kXapi);
}
LearningEvent ScormPackageCompleted() {
  return Event(Verb::kCompleted, ObjectType::kModule, Initiator::kSelf)
      .InCourse();
}
LearningEvent CourseVideoWatchedToTheEnd() {
  return Event(Verb::kCompleted, ObjectType::kVideo, Initiator::kSelf)
      .InCourse();
}
LearningEvent WorkToolLookUp() {
  return Event(Verb::kViewed, ObjectType::kResource, Initiator::kSelf)
      .From(Platform::kXapi)
      .InFlowOfWork();
}
LearningEvent ResourceLookUpOutsideCourse() {
  return Event(Verb::kViewed, ObjectType::kResource, Initiator::kSelf);
}
LearningEvent CourseVideoPlayed() {
  return Event(Verb::kInteracted, ObjectType::kVideo, Initiator::kSelf)
      .InCourse();
}
LearningEvent ExternalToolLaunch() {
  return Event(Verb::kStarted, ObjectType::kExternalTool, Initiator::kSelf)
      .InCourse();
}
LearningEvent RequiredComplianceCompletion() {
  return Event(Verb::kCompleted, ObjectType::kCourse, Initiator::kSystem)
      .InCourse(EnrolmentMethod::kCohort)
      .Required()
      .InFlowOfWork(false);
}
LearningEvent WikiEditInSelfChosenCourse() {
  return Event(Verb::kUpdated, ObjectType::kWiki, Initiator::kSelf)
      .InCourse(EnrolmentMethod::kSelf);
}
LearningEvent PeerMentoring() {
  return Event(Verb::kMentored, ObjectType::kMentoring, Initiator::kSelf);
}
LearningEvent MentoringMeeting() {
  return Event(Verb::kAttended, ObjectType::kMentoring, Initiator::kSelf);
}
LearningEvent CommunityJoined() {
  return Event(Verb::kEnrolled, ObjectType::kCommunity, Initiator::kSelf);
}
LearningEvent ResourceShared() {
  return Event(Verb::kShared, ObjectType::kResource, Initiator::kSelf);
}
LearningEvent CommentOnPeerWork() {
  return Event(Verb::kCommented, ObjectType::kAssignment, Initiator::kSelf)
      .InCourse();
}
LearningEvent GroupMessage() {
  return Event(Verb::kPosted, ObjectType::kMessage, Initiator::kSelf);
}
LearningEvent PostRated() {
  return Event(Verb::kRated, ObjectType::kDiscussion, Initiator::kSelf)
      .InCourse();
}
LearningEvent QuestionInForum() {
  return Event(Verb::kAsked, ObjectType::kDiscussion, Initiator::kSelf)
      .InCourse();
}
LearningEvent QuizHint() {
  return Event(Verb::kAsked, ObjectType::kAssessment, Initiator::kSelf)
      .InCourse();
}
LearningEvent ForumRead() {
  return Event(Verb::kViewed, ObjectType::kDiscussion, Initiator::kSelf)
      .InCourse();
}
LearningEvent CompetencyRated() {
  return Event(Verb::kGraded, ObjectType::kCompetency, Initiator::kStaff)
      .WithCompetency();
}
LearningEvent FutureSkillCompetencyRated() {
  return Event(Verb::kGraded, ObjectType::kCompetency, Initiator::kStaff)
      .WithCompetency()
      .FutureSkill();
}
LearningEvent WorkTaskSetByManager() {
  return Event(Verb::kCreated, ObjectType::kWorkAssignment, Initiator::kStaff);
}
LearningEvent Unenrolment() {
  return Event(Verb::kUnenrolled, ObjectType::kCourse, Initiator::kSelf)
      .InCourse(EnrolmentMethod::kSelf);
}

struct Example {
  const char* name;
  LearningEvent (*make)();
};

// Every example event, for the whole-file tests.
const std::vector<Example>& Examples() {
  static const auto* examples = new std::vector<Example>{
      {"StaffEnrolmentInRequiredCourse", StaffEnrolmentInRequiredCourse},
      {"CohortSyncEnrolment", CohortSyncEnrolment},
      {"HrSystemEnrolmentInProgramme", HrSystemEnrolmentInProgramme},
      {"SelfEnrolment", SelfEnrolment},
      {"SelfEnrolmentInOptionalCourse", SelfEnrolmentInOptionalCourse},
      {"ForumReply", ForumReply},
      {"ForumReplyInRequiredCohortCourse", ForumReplyInRequiredCohortCourse},
      {"CourseView", CourseView},
      {"ViewOfRequiredGoalLinkedCourse", ViewOfRequiredGoalLinkedCourse},
      {"LearnerMadePlan", LearnerMadePlan},
      {"PlanFromTemplate", PlanFromTemplate},
      {"UserEvidence", UserEvidence},
      {"CatalogueSearch", CatalogueSearch},
      {"Bookmark", Bookmark},
      {"NoteUpdate", NoteUpdate},
      {"Reflection", Reflection},
      {"JournalEntry", JournalEntry},
      {"BlogPost", BlogPost},
      {"FutureSkillCourseCompletion", FutureSkillCourseCompletion},
      {"CurrentRoleCourseStart", CurrentRoleCourseStart},
      {"GoalLinkedCompletion", GoalLinkedCompletion},
      {"CompletionWithoutGoal", CompletionWithoutGoal},
      {"CertificateAwarded", CertificateAwarded},
      {"BadgeAwarded", BadgeAwarded},
      {"GradedQuizAttempt", GradedQuizAttempt},
      {"LiveSession", LiveSession},
      {"WorkToolXapi", WorkToolXapi},
      {"LmsSearchForwardedAsXapi", LmsSearchForwardedAsXapi},
      {"ScormPackageCompleted", ScormPackageCompleted},
      {"CourseVideoWatchedToTheEnd", CourseVideoWatchedToTheEnd},
      {"WorkToolLookUp", WorkToolLookUp},
      {"ResourceLookUpOutsideCourse", ResourceLookUpOutsideCourse},
      {"CourseVideoPlayed", CourseVideoPlayed},
      {"ExternalToolLaunch", ExternalToolLaunch},
      {"RequiredComplianceCompletion", RequiredComplianceCompletion},
      {"WikiEditInSelfChosenCourse", WikiEditInSelfChosenCourse},
      {"PeerMentoring", PeerMentoring},
      {"MentoringMeeting", MentoringMeeting},
      {"CommunityJoined", CommunityJoined},
      {"ResourceShared", ResourceShared},
      {"CommentOnPeerWork", CommentOnPeerWork},
      {"GroupMessage", GroupMessage},
      {"PostRated", PostRated},
      {"QuestionInForum", QuestionInForum},
      {"QuizHint", QuizHint},
      {"ForumRead", ForumRead},
      {"CompetencyRated", CompetencyRated},
      {"FutureSkillCompetencyRated", FutureSkillCompetencyRated},
      {"WorkTaskSetByManager", WorkTaskSetByManager},
      {"Unenrolment", Unenrolment},
  };
  return *examples;
}

std::vector<std::string> FiredIds(const EventTags& t) {
  std::vector<std::string> ids;
  for (const Rule* r : t.fired) ids.push_back(r->id);
  return ids;
}

bool IsPassive(Verb v) { return v == Verb::kViewed || v == Verb::kInteracted; }

class DefaultRules : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto rules = RuleSet::Load(kRulesPath);
    if (rules.ok()) {
      tagger_ = std::make_shared<const Tagger>(*rules);
    } else {
      load_error_ = rules.status().ToString();
    }
  }
  static void TearDownTestSuite() { tagger_.reset(); }

  void SetUp() override { ASSERT_NE(tagger_, nullptr) << load_error_; }

  // Tags `e` and checks what every tag must satisfy: each fired rule has a
  // reason in both languages.
  static EventTags Tag(const LearningEvent& e) {
    EventTags t = tagger_->Tag(e);
    for (const Rule* r : t.fired) {
      EXPECT_FALSE(r->reason_en.empty()) << r->id;
      EXPECT_FALSE(r->reason_fi.empty()) << r->id;
    }
    return t;
  }
  static double S(const EventTags& t, Dimension d) {
    return t.score[static_cast<size_t>(d)];
  }
  static const RuleSet& Rules() { return tagger_->rules(); }

  inline static std::shared_ptr<const Tagger> tagger_;
  inline static std::string load_error_;
};

// ---------------------------------------------------------------------------
// initiative
// ---------------------------------------------------------------------------

TEST_F(DefaultRules, StaffEnrolmentInRequiredCourseIsStructured) {
  EventTags t = Tag(StaffEnrolmentInRequiredCourse());
  EXPECT_EQ(t.mode, Mode::kStructured);
  EXPECT_GT(t.confidence, 0.8);
  EXPECT_LT(S(t, Dimension::kInitiative), -0.5);
  EXPECT_DOUBLE_EQ(S(t, Dimension::kFormat), -1.0);
  EXPECT_LT(S(t, Dimension::kSetting), 0);
  EXPECT_DOUBLE_EQ(S(t, Dimension::kOrientation), -1.0);
  EXPECT_THAT(FiredIds(t), Contains("initiative.enrolled_by_staff"));
  EXPECT_THAT(FiredIds(t), Contains("initiative.assigned_enrolment_method"));
  EXPECT_THAT(FiredIds(t), Contains("format.course_or_programme"));
  EXPECT_THAT(FiredIds(t), Contains("orientation.required"));
  EXPECT_EQ(t.fired.front()->Reason("en"),
            "enrolled by a manager or administrator");
  EXPECT_EQ(t.fired.front()->Reason("fi"),
            "esihenkilö tai ylläpitäjä ilmoitti koulutukseen");
}

TEST_F(DefaultRules, CohortAndHrSyncEnrolmentsAreAssigned) {
  for (const LearningEvent& e :
       {CohortSyncEnrolment(), HrSystemEnrolmentInProgramme()}) {
    EventTags t = Tag(e);
    EXPECT_EQ(t.mode, Mode::kStructured) << VerbName(e.verb);
    EXPECT_DOUBLE_EQ(S(t, Dimension::kInitiative), -1.0);
    EXPECT_DOUBLE_EQ(S(t, Dimension::kFormat), -1.0);
    EXPECT_THAT(FiredIds(t), Contains("initiative.enrolled_automatically"));
    EXPECT_THAT(FiredIds(t), Contains("initiative.assigned_enrolment_method"));
  }
}

TEST_F(DefaultRules, SelfEnrolmentIsSelfChosen) {
  EventTags t = Tag(SelfEnrolment());
  EXPECT_DOUBLE_EQ(S(t, Dimension::kInitiative), 1.0);
  EXPECT_THAT(FiredIds(t), Contains("initiative.self_enrolled"));
  EXPECT_THAT(FiredIds(t), Contains("initiative.open_enrolment_method"));
  // Chosen by the learner but still a course with a start and an end: both
  // poles at once, so the event is blended, as the essay says both are needed.
  EXPECT_LT(S(t, Dimension::kFormat), 0);
  EXPECT_EQ(t.mode, Mode::kBlended);
}

TEST_F(DefaultRules, OptionalCourseChosenByTheLearnerIsSelfDirected) {
  EventTags t = Tag(SelfEnrolmentInOptionalCourse());
  EXPECT_GT(S(t, Dimension::kInitiative), 0);
  EXPECT_GT(S(t, Dimension::kOrientation), 0);
  EXPECT_THAT(FiredIds(t), Contains("orientation.optional_by_choice"));
  EXPECT_EQ(t.mode, Mode::kSelfDirected);
}

TEST_F(DefaultRules, LearnerMadePlanIsSelfDirected) {
  EventTags t = Tag(LearnerMadePlan());
  EXPECT_EQ(t.mode, Mode::kSelfDirected);
  EXPECT_GT(S(t, Dimension::kInitiative), 0.5);
  EXPECT_GT(S(t, Dimension::kFormat), 0);
  EXPECT_THAT(FiredIds(t), Contains("initiative.learner_made_plan"));
  EXPECT_THAT(FiredIds(t), Not(Contains("initiative.plan_from_template")));
}

TEST_F(DefaultRules, PlanFromTemplateIsAssigned) {
  EventTags t = Tag(PlanFromTemplate());
  EXPECT_EQ(t.mode, Mode::kStructured);
  EXPECT_LT(S(t, Dimension::kInitiative), -0.5);
  EXPECT_THAT(FiredIds(t), Contains("initiative.plan_from_template"));
  EXPECT_THAT(FiredIds(t), Contains("initiative.started_by_others"));
  EXPECT_THAT(FiredIds(t), Not(Contains("initiative.learner_made_plan")));
}

TEST_F(DefaultRules, WorkTaskSetByAManagerIsAssignedButAtWork) {
  EventTags t = Tag(WorkTaskSetByManager());
  EXPECT_LT(S(t, Dimension::kInitiative), 0);
  EXPECT_GT(S(t, Dimension::kSetting), 0);
  EXPECT_THAT(FiredIds(t), Contains("initiative.started_by_others"));
  EXPECT_THAT(FiredIds(t), Contains("setting.work_assignment"));
}

TEST_F(DefaultRules, ActivityInACourseInheritsHowTheLearnerGotThere) {
  EventTags assigned = Tag(ForumReplyInRequiredCohortCourse());
  EXPECT_THAT(FiredIds(assigned), Contains("initiative.in_assigned_course"));
  EventTags chosen = Tag(WikiEditInSelfChosenCourse());
  EXPECT_THAT(FiredIds(chosen), Contains("initiative.in_self_chosen_course"));
  EXPECT_GT(S(chosen, Dimension::kInitiative),
            S(assigned, Dimension::kInitiative));
}

// ---------------------------------------------------------------------------
// format
// ---------------------------------------------------------------------------

TEST_F(DefaultRules, CertificateIsFormal) {
  EventTags t = Tag(CertificateAwarded());
  EXPECT_EQ(t.mode, Mode::kStructured);
  EXPECT_DOUBLE_EQ(S(t, Dimension::kFormat), -1.0);
  EXPECT_THAT(FiredIds(t), Contains("format.certificate"));
}

TEST_F(DefaultRules, BadgeAwardedIsACredentialButNotDecisiveAlone) {
  EventTags t = Tag(BadgeAwarded());
  EXPECT_LT(S(t, Dimension::kFormat), 0);
  EXPECT_GT(S(t, Dimension::kFormat),
            S(Tag(CertificateAwarded()), Dimension::kFormat));
  EXPECT_EQ(t.mode, Mode::kBlended);
  EXPECT_LT(t.confidence, 0.3);
  EXPECT_THAT(FiredIds(t), Contains("format.badge"));
}

TEST_F(DefaultRules, QuizAttemptIsIndividualAndFormal) {
  EventTags t = Tag(GradedQuizAttempt());
  EXPECT_EQ(t.mode, Mode::kStructured);
  EXPECT_LT(S(t, Dimension::kFormat), -0.5);
  EXPECT_LT(S(t, Dimension::kSocial), 0);
  EXPECT_THAT(FiredIds(t), Contains("format.assessment"));
  EXPECT_THAT(FiredIds(t), Contains("format.graded"));
  EXPECT_THAT(FiredIds(t), Contains("format.due_date"));
  // Handing in a quiz is what the course asks, not a voluntary act.
  EXPECT_THAT(FiredIds(t), Not(Contains("initiative.self_initiated")));
}

TEST_F(DefaultRules, UserEvidenceIsInformal) {
  EventTags t = Tag(UserEvidence());
  EXPECT_EQ(t.mode, Mode::kSelfDirected);
  EXPECT_DOUBLE_EQ(S(t, Dimension::kFormat), 1.0);
  EXPECT_GT(S(t, Dimension::kInitiative), 0);
  EXPECT_THAT(FiredIds(t), Contains("format.prior_learning_evidence"));
}

TEST_F(DefaultRules, NotesAndReflectionsAreInformal) {
  for (const auto& [e, rule] :
       std::vector<std::pair<LearningEvent, std::string>>{
           {NoteUpdate(), "format.note"},
           {Reflection(), "format.reflection"},
           {JournalEntry(), "format.reflection_entry"}}) {
    EventTags t = Tag(e);
    EXPECT_EQ(t.mode, Mode::kSelfDirected) << rule;
    EXPECT_DOUBLE_EQ(S(t, Dimension::kFormat), 1.0) << rule;
    EXPECT_THAT(FiredIds(t), Contains(rule));
  }
}

TEST_F(DefaultRules, BlogPostIsInformalAndReadByOthers) {
  EventTags t = Tag(BlogPost());
  EXPECT_EQ(t.mode, Mode::kSelfDirected);
  EXPECT_DOUBLE_EQ(S(t, Dimension::kFormat), 1.0);
  EXPECT_GT(S(t, Dimension::kSocial), 0);
  EXPECT_LT(S(t, Dimension::kSocial), S(Tag(ForumReply()), Dimension::kSocial));
  EXPECT_THAT(FiredIds(t), Contains("format.blog"));
}

TEST_F(DefaultRules, SearchIsExploratory) {
  EventTags t = Tag(CatalogueSearch());
  EXPECT_EQ(t.mode, Mode::kSelfDirected);
  EXPECT_GT(S(t, Dimension::kFormat), 0);
  EXPECT_GT(S(t, Dimension::kOrientation), 0);
  EXPECT_THAT(FiredIds(t), Contains("format.search"));
}

TEST_F(DefaultRules, BookmarkIsExploratory) {
  EventTags t = Tag(Bookmark());
  EXPECT_EQ(t.mode, Mode::kSelfDirected);
  EXPECT_GT(S(t, Dimension::kFormat), 0);
  EXPECT_GT(S(t, Dimension::kOrientation), 0);
  EXPECT_THAT(FiredIds(t), Contains("format.bookmark"));
}

// ---------------------------------------------------------------------------
// passive events
// ---------------------------------------------------------------------------

TEST_F(DefaultRules, CourseViewIsNearNeutralWithLowConfidence) {
  EventTags t = Tag(CourseView());
  EXPECT_EQ(t.mode, Mode::kBlended);
  EXPECT_LT(t.confidence, 0.15);
  for (Dimension d : kAllDimensions)
    EXPECT_LT(std::fabs(S(t, d)), 0.1) << DimensionName(d);
  EXPECT_THAT(FiredIds(t), Contains("format.course_page_view"));
}

TEST_F(DefaultRules, ViewsDoNotCountTheFactsOfTheCourse) {
  // A hundred page views of a required course must not outweigh its
  // completion: the course's facts count on active events only.
  EventTags t = Tag(ViewOfRequiredGoalLinkedCourse());
  EXPECT_EQ(t.mode, Mode::kBlended);
  EXPECT_LT(t.confidence, 0.15);
  EXPECT_THAT(FiredIds(t), Not(Contains("orientation.required")));
  EXPECT_THAT(FiredIds(t), Not(Contains("orientation.future_skill")));
  EXPECT_THAT(FiredIds(t), Not(Contains("goal_link.linked")));
  EXPECT_THAT(FiredIds(t), Not(Contains("initiative.in_assigned_course")));
}

TEST_F(DefaultRules, CompletingAUnitOfACourseIsFormal) {
  // A lesson or SCORM package worked through: completion tracking of a
  // bounded unit, done alone.
  EventTags t = Tag(ScormPackageCompleted());
  EXPECT_EQ(t.mode, Mode::kStructured);
  EXPECT_LT(S(t, Dimension::kFormat), 0);
  EXPECT_GT(S(t, Dimension::kFormat),
            S(Tag(CompletionWithoutGoal()), Dimension::kFormat));
  EXPECT_LT(S(t, Dimension::kSocial), 0);
  EXPECT_THAT(FiredIds(t), Contains("format.module_completed"));
}

TEST_F(DefaultRules, FinishingCourseMaterialIsWeaklyFormal) {
  // A video played to its end: tracked by the course, but still passive.
  EventTags t = Tag(CourseVideoWatchedToTheEnd());
  EXPECT_EQ(t.mode, Mode::kBlended);
  EXPECT_LT(S(t, Dimension::kFormat), 0);
  EXPECT_LT(S(t, Dimension::kFormat),
            S(Tag(CourseVideoPlayed()), Dimension::kFormat));
  EXPECT_LT(t.confidence, 0.2);
  EXPECT_THAT(FiredIds(t), Contains("format.course_material_completed"));
}

TEST_F(DefaultRules, CourseMaterialViewIsNearNeutral) {
  EventTags t = Tag(CourseVideoPlayed());
  EXPECT_EQ(t.mode, Mode::kBlended);
  EXPECT_LT(std::fabs(S(t, Dimension::kFormat)), 0.05);
  EXPECT_LT(t.confidence, 0.1);
  EXPECT_THAT(FiredIds(t), Contains("format.course_material_view"));
}

TEST_F(DefaultRules, ResourceLookUpOutsideACourseIsWeaklyInformal) {
  EventTags t = Tag(ResourceLookUpOutsideCourse());
  EXPECT_GT(S(t, Dimension::kFormat), 0);
  EXPECT_LT(S(t, Dimension::kFormat), 0.25);
  EXPECT_GT(S(t, Dimension::kSetting), 0);
  EXPECT_EQ(t.mode, Mode::kBlended);
  EXPECT_LT(t.confidence, 0.3);
  EXPECT_THAT(FiredIds(t), Contains("format.resource_lookup"));
}

TEST_F(DefaultRules, ReadingADiscussionIsWeaklySocial) {
  EventTags t = Tag(ForumRead());
  EXPECT_GT(S(t, Dimension::kSocial), 0);
  EXPECT_LT(S(t, Dimension::kSocial), 0.1);
  EXPECT_EQ(t.mode, Mode::kBlended);
  EXPECT_THAT(FiredIds(t), Contains("social.read_discussion"));
  // Writing and contributing beats viewing.
  EventTags reply = Tag(ForumReply());
  EXPECT_GT(S(reply, Dimension::kSocial), 5 * S(t, Dimension::kSocial));
  EXPECT_GT(reply.confidence, 3 * t.confidence);
}

TEST_F(DefaultRules, UnenrolmentCarriesNoEvidence) {
  EventTags t = Tag(Unenrolment());
  EXPECT_TRUE(t.fired.empty()) << ::testing::PrintToString(FiredIds(t));
  EXPECT_EQ(t.mode, Mode::kBlended);
  EXPECT_EQ(t.confidence, 0);
}

// ---------------------------------------------------------------------------
// setting
// ---------------------------------------------------------------------------

TEST_F(DefaultRules, WorkToolXapiIsInTheFlowOfWork) {
  EventTags t = Tag(WorkToolXapi());
  EXPECT_EQ(t.mode, Mode::kSelfDirected);
  EXPECT_GT(t.confidence, 0.7);
  EXPECT_DOUBLE_EQ(S(t, Dimension::kSetting), 1.0);
  EXPECT_THAT(FiredIds(t), Contains("setting.in_flow_of_work"));
  EXPECT_THAT(FiredIds(t), Contains("setting.outside_learning_platform"));
  EXPECT_THAT(FiredIds(t), Contains("setting.work_assignment"));
}

TEST_F(DefaultRules, XapiFromTheLmsItselfIsNotOutsideIt) {
  // A site-level event the LMS forwards as xAPI has no course either; only
  // a statement that names no learning platform counts as another tool's.
  EventTags t = Tag(LmsSearchForwardedAsXapi());
  EXPECT_EQ(S(t, Dimension::kSetting), 0);
  EXPECT_THAT(FiredIds(t), Not(Contains("setting.outside_learning_platform")));
  EXPECT_EQ(t.mode, Mode::kSelfDirected);  // still a search
}

TEST_F(DefaultRules, LookUpDuringWorkIsInTheFlowOfWork) {
  EventTags t = Tag(WorkToolLookUp());
  EXPECT_GT(S(t, Dimension::kSetting), 0.3);
  EXPECT_LT(t.confidence, 0.5);  // still only a view
  EXPECT_THAT(FiredIds(t), Contains("setting.work_lookup"));
  EXPECT_THAT(FiredIds(t), Not(Contains("setting.in_flow_of_work")));
}

TEST_F(DefaultRules, ExternalToolLaunchIsWeaklyAtWork) {
  EventTags t = Tag(ExternalToolLaunch());
  EXPECT_GT(S(t, Dimension::kSetting), 0);
  EXPECT_LE(S(t, Dimension::kSetting), 0.2);
  EXPECT_EQ(t.mode, Mode::kBlended);
  EXPECT_THAT(FiredIds(t), Contains("setting.external_tool"));
}

TEST_F(DefaultRules, LiveSessionIsApartFromWork) {
  EventTags t = Tag(LiveSession());
  EXPECT_EQ(t.mode, Mode::kStructured);
  EXPECT_DOUBLE_EQ(S(t, Dimension::kSetting), -1.0);
  EXPECT_LT(S(t, Dimension::kFormat), 0);
  EXPECT_THAT(FiredIds(t), Contains("setting.scheduled_session"));
}

TEST_F(DefaultRules, RequiredComplianceCompletionIsStructured) {
  EventTags t = Tag(RequiredComplianceCompletion());
  EXPECT_EQ(t.mode, Mode::kStructured);
  EXPECT_LT(S(t, Dimension::kSetting), 0);
  EXPECT_LT(S(t, Dimension::kInitiative), 0);
  EXPECT_DOUBLE_EQ(S(t, Dimension::kOrientation), -1.0);
  EXPECT_LT(S(t, Dimension::kSocial), 0);
  EXPECT_THAT(FiredIds(t), Contains("setting.apart_from_work"));
  EXPECT_THAT(FiredIds(t), Contains("orientation.required"));
  EXPECT_THAT(FiredIds(t), Contains("social.individual_completion"));
}

// ---------------------------------------------------------------------------
// social
// ---------------------------------------------------------------------------

TEST_F(DefaultRules, ForumReplyIsSocialAndSelfDirected) {
  EventTags t = Tag(ForumReply());
  EXPECT_EQ(t.mode, Mode::kSelfDirected);
  EXPECT_DOUBLE_EQ(S(t, Dimension::kSocial), 1.0);
  EXPECT_GT(S(t, Dimension::kFormat), 0);
  EXPECT_GT(S(t, Dimension::kInitiative), 0);
  EXPECT_THAT(FiredIds(t), Contains("social.discussion"));
  EXPECT_THAT(FiredIds(t), Contains("initiative.self_initiated"));
}

TEST_F(DefaultRules, ForumReplyInARequiredCohortCourseIsBlended) {
  EventTags t = Tag(ForumReplyInRequiredCohortCourse());
  EXPECT_EQ(t.mode, Mode::kBlended);
  EXPECT_GT(S(t, Dimension::kSocial), 0);
  EXPECT_LT(S(t, Dimension::kOrientation), 0);
  EXPECT_LT(S(t, Dimension::kInitiative), 0);
}

TEST_F(DefaultRules, WikiEditIsSocialAndInformal) {
  EventTags t = Tag(WikiEditInSelfChosenCourse());
  EXPECT_EQ(t.mode, Mode::kSelfDirected);
  EXPECT_DOUBLE_EQ(S(t, Dimension::kSocial), 1.0);
  EXPECT_DOUBLE_EQ(S(t, Dimension::kFormat), 1.0);
  EXPECT_THAT(FiredIds(t), Contains("social.wiki"));
}

TEST_F(DefaultRules, MentoringIsSocial) {
  for (const auto& [e, rule] :
       std::vector<std::pair<LearningEvent, std::string>>{
           {PeerMentoring(), "social.mentoring"},
           {MentoringMeeting(), "social.mentoring_session"}}) {
    EventTags t = Tag(e);
    EXPECT_EQ(t.mode, Mode::kSelfDirected) << rule;
    EXPECT_DOUBLE_EQ(S(t, Dimension::kSocial), 1.0) << rule;
    EXPECT_THAT(FiredIds(t), Contains(rule));
  }
}

TEST_F(DefaultRules, JoiningACommunityIsSocialAndSelfChosen) {
  EventTags t = Tag(CommunityJoined());
  EXPECT_EQ(t.mode, Mode::kSelfDirected);
  EXPECT_DOUBLE_EQ(S(t, Dimension::kSocial), 1.0);
  EXPECT_DOUBLE_EQ(S(t, Dimension::kInitiative), 1.0);
  EXPECT_GT(S(t, Dimension::kFormat), 0);
  EXPECT_THAT(FiredIds(t), Contains("social.community"));
}

TEST_F(DefaultRules, SharingCommentingMessagingAndRatingAreSocial) {
  for (const auto& [e, rule] :
       std::vector<std::pair<LearningEvent, std::string>>{
           {ResourceShared(), "social.shared"},
           {CommentOnPeerWork(), "social.commented"},
           {GroupMessage(), "social.message"},
           {PostRated(), "social.rated"},
           {QuestionInForum(), "social.asked_others"}}) {
    EventTags t = Tag(e);
    EXPECT_EQ(t.mode, Mode::kSelfDirected) << rule;
    EXPECT_GT(S(t, Dimension::kSocial), 0.4) << rule;
    EXPECT_GT(S(t, Dimension::kInitiative), 0) << rule;
    EXPECT_THAT(FiredIds(t), Contains(rule));
  }
}

TEST_F(DefaultRules, AQuizHintIsNotAskingOthers) {
  EventTags t = Tag(QuizHint());
  EXPECT_THAT(FiredIds(t), Not(Contains("social.asked_others")));
  EXPECT_EQ(S(t, Dimension::kSocial), 0);
  EXPECT_EQ(t.mode, Mode::kBlended);
}

// ---------------------------------------------------------------------------
// orientation
// ---------------------------------------------------------------------------

TEST_F(DefaultRules, FutureSkillIsProactive) {
  EventTags t = Tag(FutureSkillCourseCompletion());
  EXPECT_DOUBLE_EQ(S(t, Dimension::kOrientation), 1.0);
  EXPECT_THAT(FiredIds(t), Contains("orientation.future_skill"));
  // A formal course towards a future skill: both poles, blended.
  EXPECT_LT(S(t, Dimension::kFormat), 0);
  EXPECT_EQ(t.mode, Mode::kBlended);
}

TEST_F(DefaultRules, CurrentRoleSkillIsReactive) {
  EventTags t = Tag(CurrentRoleCourseStart());
  EXPECT_LT(S(t, Dimension::kOrientation), 0);
  EXPECT_EQ(t.mode, Mode::kStructured);
  EXPECT_THAT(FiredIds(t), Contains("orientation.current_role_skill"));
}

TEST_F(DefaultRules, CompetencyRatingIsReactiveUnlessAFutureSkill) {
  EventTags current = Tag(CompetencyRated());
  EXPECT_LT(S(current, Dimension::kOrientation), 0);
  EXPECT_EQ(current.mode, Mode::kStructured);
  EXPECT_THAT(FiredIds(current), Contains("orientation.competency_rated"));
  EventTags future = Tag(FutureSkillCompetencyRated());
  EXPECT_GT(S(future, Dimension::kOrientation), 0);
  EXPECT_THAT(FiredIds(future), Contains("orientation.competency_rated"));
  EXPECT_THAT(FiredIds(future), Contains("orientation.future_skill"));
}

// ---------------------------------------------------------------------------
// goal_link
// ---------------------------------------------------------------------------

TEST_F(DefaultRules, GoalLinkedCompletionIsGoalLinked) {
  EventTags t = Tag(GoalLinkedCompletion());
  EXPECT_DOUBLE_EQ(S(t, Dimension::kGoalLink), 1.0);
  EXPECT_THAT(FiredIds(t), Contains("goal_link.linked"));
  EXPECT_THAT(FiredIds(t), Not(Contains("goal_link.formal_without_goal")));
  // A goal link says what the learning serves, not which mode it is: a
  // completed course stays structured.
  EXPECT_EQ(t.mode, Mode::kStructured);
}

TEST_F(DefaultRules, CompletionWithoutGoalLeansWeaklyUnlinked) {
  EventTags t = Tag(CompletionWithoutGoal());
  EXPECT_LT(S(t, Dimension::kGoalLink), 0);
  EXPECT_GT(S(t, Dimension::kGoalLink), -0.2);
  EXPECT_LT(S(t, Dimension::kSocial), 0);
  EXPECT_EQ(t.mode, Mode::kStructured);
  EXPECT_THAT(FiredIds(t), Contains("goal_link.formal_without_goal"));
}

// ---------------------------------------------------------------------------
// The file as a whole
// ---------------------------------------------------------------------------

TEST_F(DefaultRules, ModeSettingsAndDimensionWeights) {
  EXPECT_DOUBLE_EQ(Rules().mode_settings().threshold, 0.25);
  EXPECT_DOUBLE_EQ(Rules().mode_settings().confidence_weight, 2.0);
  const DimensionArray& w = Rules().dimension_weights();
  EXPECT_DOUBLE_EQ(w[static_cast<size_t>(Dimension::kInitiative)], 1.0);
  EXPECT_DOUBLE_EQ(w[static_cast<size_t>(Dimension::kFormat)], 1.0);
  EXPECT_DOUBLE_EQ(w[static_cast<size_t>(Dimension::kOrientation)], 1.0);
  EXPECT_DOUBLE_EQ(w[static_cast<size_t>(Dimension::kSetting)], 0.75);
  EXPECT_DOUBLE_EQ(w[static_cast<size_t>(Dimension::kSocial)], 0.75);
  EXPECT_DOUBLE_EQ(w[static_cast<size_t>(Dimension::kGoalLink)], 0.5);
}

TEST_F(DefaultRules, EveryRuleIdNamesADimensionItScores) {
  for (const Rule& r : Rules().rules()) {
    size_t dot = r.id.find('.');
    ASSERT_NE(dot, std::string::npos) << r.id;
    auto dim = ParseDimension(std::string_view(r.id).substr(0, dot));
    ASSERT_TRUE(dim.has_value()) << r.id;
    EXPECT_TRUE(((r.scores_mask >> static_cast<int>(*dim)) & 1u) != 0) << r.id;
  }
}

TEST_F(DefaultRules, EveryRuleHasShortReasonsInBothLanguages) {
  for (const Rule& r : Rules().rules()) {
    EXPECT_FALSE(r.reason_en.empty()) << r.id;
    EXPECT_FALSE(r.reason_fi.empty()) << r.id;
    EXPECT_NE(r.reason_en, r.reason_fi) << r.id << ": Finnish not translated";
    // Short phrases: shown beside a tag, not sentences.
    EXPECT_LE(r.reason_en.size(), 70u) << r.id;
    EXPECT_LE(r.reason_fi.size(), 90u) << r.id;  // UTF-8 bytes
    EXPECT_FALSE(common::EndsWith(r.reason_en, ".")) << r.id;
    EXPECT_FALSE(common::EndsWith(r.reason_fi, ".")) << r.id;
  }
}

TEST_F(DefaultRules, PassiveRulesAreWeak) {
  const uint64_t passive = (uint64_t{1} << static_cast<int>(Verb::kViewed)) |
                           (uint64_t{1} << static_cast<int>(Verb::kInteracted));
  int passive_rules = 0;
  for (const Rule& r : Rules().rules()) {
    if (r.verb_mask == 0 || (r.verb_mask & ~passive) != 0) continue;
    ++passive_rules;
    EXPECT_LE(r.weight, 0.3) << r.id;
    for (size_t d = 0; d < kDimensionCount; ++d) {
      // Alone, a passive rule stays below the mode threshold.
      EXPECT_LT(r.weight * std::fabs(r.scores[d]),
                Rules().mode_settings().threshold)
          << r.id;
    }
  }
  EXPECT_GE(passive_rules, 4);
}

TEST_F(DefaultRules, EveryRuleFiresForSomeExample) {
  std::set<std::string> fired;
  for (const Example& ex : Examples()) {
    for (const Rule* r : Tag(ex.make()).fired) fired.insert(r->id);
  }
  for (const Rule& r : Rules().rules()) {
    EXPECT_TRUE(fired.count(r.id)) << r.id << " fires for no example event";
  }
}

TEST_F(DefaultRules, EveryExampleIsTaggedConsistently) {
  for (const Example& ex : Examples()) {
    EventTags t = Tag(ex.make());
    EXPECT_NE(t.mode, Mode::kUnspecified) << ex.name;
    // A learner-facing reason for every non-zero score.
    for (size_t d = 0; d < kDimensionCount; ++d) {
      if (t.score[d] == 0) continue;
      bool explained = std::any_of(
          t.fired.begin(), t.fired.end(),
          [&](const Rule* r) { return (r->scores_mask >> d & 1u) != 0; });
      EXPECT_TRUE(explained)
          << ex.name << ": " << DimensionName(kAllDimensions[d]);
    }
  }
}

// Property: whatever the event, scores, weights, confidence and mode stay in
// range, and passive events never carry much confidence.
TEST_F(DefaultRules, GeneratedEventsStayInRange) {
  struct Context {
    const char* name;
    void (*apply)(LearningEvent&);
  };
  const std::vector<Context> contexts = {
      {"bare", [](LearningEvent&) {}},
      {"assigned required course",
       [](LearningEvent& e) {
         e.context.course_id = "course:2";
         e.context.enrolment_method = EnrolmentMethod::kCohort;
         e.context.required = Tristate::kYes;
         e.context.graded = Tristate::kYes;
         e.context.has_due_date = Tristate::kYes;
         e.context.in_flow_of_work = Tristate::kNo;
         e.context.future_skill = Tristate::kNo;
       }},
      {"self-chosen goal-linked course",
       [](LearningEvent& e) {
         e.context.course_id = "course:3";
         e.context.enrolment_method = EnrolmentMethod::kSelf;
         e.context.required = Tristate::kNo;
         e.context.future_skill = Tristate::kYes;
         e.context.goal_ids = {"goal:1"};
         e.context.competencies = {"competency:1"};
       }},
      {"work tool",
       [](LearningEvent& e) {
         e.source.platform = Platform::kXapi;
         e.context.in_flow_of_work = Tristate::kYes;
         e.context.future_skill = Tristate::kYes;
         e.context.goal_ids = {"goal:1"};
       }},
  };
  int events = 0;
  int failures = 0;
  double max_passive_confidence = 0;
  for (const Context& ctx : contexts) {
    for (int v = 1; v < static_cast<int>(Verb::kCount_); ++v) {
      for (int o = 1; o < static_cast<int>(ObjectType::kCount_); ++o) {
        for (int i = 1; i < static_cast<int>(Initiator::kCount_); ++i) {
          LearningEvent e;
          e.source.platform = Platform::kMoodle;
          e.verb = static_cast<Verb>(v);
          e.object.type = static_cast<ObjectType>(o);
          e.initiator = static_cast<Initiator>(i);
          ctx.apply(e);
          EventTags t = tagger_->Tag(e);
          ++events;
          bool ok = t.mode != Mode::kUnspecified && t.confidence >= 0 &&
                    t.confidence <= 1;
          for (size_t d = 0; d < kDimensionCount; ++d) {
            ok = ok && t.score[d] >= -1 && t.score[d] <= 1 && t.weight[d] >= 0;
          }
          for (const Rule* r : t.fired) {
            ok = ok && !r->reason_en.empty() && !r->reason_fi.empty();
          }
          if (IsPassive(e.verb)) {
            max_passive_confidence =
                std::max(max_passive_confidence, t.confidence);
          }
          if (!ok && ++failures <= 5) {
            ADD_FAILURE() << ctx.name << ": " << VerbName(e.verb) << " "
                          << ObjectTypeName(e.object.type) << " by "
                          << InitiatorName(e.initiator) << ": mode "
                          << ModeName(t.mode) << ", confidence "
                          << t.confidence;
          }
        }
      }
    }
  }
  EXPECT_EQ(failures, 0);
  EXPECT_GT(events, 10000);
  EXPECT_LT(max_passive_confidence, 0.5);
}

TEST_F(DefaultRules, HeaderDocumentsEveryKeyAndValue) {
  std::ifstream in(kRulesPath);
  ASSERT_TRUE(in) << kRulesPath;
  std::stringstream buf;
  buf << in.rdbuf();
  std::string text = buf.str();
  // The documentation is the comment block before the first key.
  std::string header = text.substr(0, text.find("\nversion:"));
  for (std::string_view key : {"version",
                               "mode",
                               "threshold",
                               "confidence_weight",
                               "dimension_weights",
                               "rules",
                               "id",
                               "description",
                               "when",
                               "platform",
                               "verb",
                               "object_type",
                               "initiator",
                               "enrolment_method",
                               "event_type",
                               "extension",
                               "score",
                               "weight",
                               "reason",
                               "en:",
                               "fi:"}) {
    EXPECT_TRUE(common::Contains(header, key)) << key;
  }
  for (size_t f = 0; f < static_cast<size_t>(Fact::kCount_); ++f) {
    EXPECT_TRUE(common::Contains(header, FactName(static_cast<Fact>(f))))
        << FactName(static_cast<Fact>(f));
  }
  for (Dimension d : kAllDimensions) {
    EXPECT_TRUE(common::Contains(header, DimensionName(d))) << DimensionName(d);
  }
  for (int i = 1; i < static_cast<int>(Platform::kCount_); ++i) {
    EXPECT_TRUE(
        common::Contains(header, PlatformName(static_cast<Platform>(i))));
  }
  for (int i = 1; i < static_cast<int>(Verb::kCount_); ++i) {
    EXPECT_TRUE(common::Contains(header, VerbName(static_cast<Verb>(i))))
        << VerbName(static_cast<Verb>(i));
  }
  for (int i = 1; i < static_cast<int>(ObjectType::kCount_); ++i) {
    EXPECT_TRUE(
        common::Contains(header, ObjectTypeName(static_cast<ObjectType>(i))))
        << ObjectTypeName(static_cast<ObjectType>(i));
  }
  for (int i = 1; i < static_cast<int>(Initiator::kCount_); ++i) {
    EXPECT_TRUE(
        common::Contains(header, InitiatorName(static_cast<Initiator>(i))))
        << InitiatorName(static_cast<Initiator>(i));
  }
  for (int i = 1; i < static_cast<int>(EnrolmentMethod::kCount_); ++i) {
    EXPECT_TRUE(common::Contains(
        header, EnrolmentMethodName(static_cast<EnrolmentMethod>(i))))
        << EnrolmentMethodName(static_cast<EnrolmentMethod>(i));
  }
}

}  // namespace
}  // namespace polku::model
