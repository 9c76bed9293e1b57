#include "model/tagger.h"

#include "common/status_matchers.h"
#include "gtest/gtest.h"
#include "model/rules.h"

namespace polku::model {
namespace {

constexpr char kRules[] = R"(
version: 1
mode: {threshold: 0.25, confidence_weight: 2}
rules:
  - id: initiative.enrolled_by_staff
    when: {verb: ENROLLED, initiator: [STAFF, SYSTEM, SIS_SYNC]}
    score: {initiative: -1}
    reason: {en: enrolled by staff, fi: henkilökunta ilmoitti}
  - id: initiative.self_enrolled
    when: {verb: ENROLLED, initiator: SELF}
    score: {initiative: 1}
    reason: {en: enrolled themselves, fi: ilmoittautui itse}
  - id: format.course
    when: {object_type: COURSE}
    score: {format: -1}
    reason: {en: a course, fi: kurssi}
  - id: social.forum_post
    when: {verb: [POSTED, REPLIED], object_type: DISCUSSION}
    score: {social: 1, format: 0.6}
    reason: {en: wrote in a discussion, fi: kirjoitti keskusteluun}
  - id: format.view
    when: {verb: VIEWED}
    score: {format: 0.5}
    weight: 0.2
    reason: {en: looked something up, fi: katsoi}
  - id: goal.linked
    when: {has_goal: true}
    score: {goal_link: 1}
    reason: {en: tied to a goal, fi: liittyy tavoitteeseen}
)";

class TaggerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto rules = RuleSet::Parse(kRules, "test");
    ASSERT_TRUE(rules.ok()) << rules.status();
    tagger_ = std::make_unique<Tagger>(*rules);
  }
  static LearningEvent Enrolment(Initiator who) {
    LearningEvent e;
    e.verb = Verb::kEnrolled;
    e.initiator = who;
    e.object.type = ObjectType::kCourse;
    return e;
  }
  double Score(const EventTags& t, Dimension d) {
    return t.score[static_cast<size_t>(d)];
  }
  std::unique_ptr<Tagger> tagger_;
};

TEST_F(TaggerTest, StaffEnrolmentIsStructured) {
  EventTags t = tagger_->Tag(Enrolment(Initiator::kStaff));
  EXPECT_EQ(t.mode, Mode::kStructured);
  EXPECT_DOUBLE_EQ(Score(t, Dimension::kInitiative), -1);
  EXPECT_DOUBLE_EQ(Score(t, Dimension::kFormat), -1);
  EXPECT_NEAR(t.confidence, 1.0, 1e-9);
  ASSERT_EQ(t.fired.size(), 2u);
  EXPECT_EQ(t.fired[0]->id, "initiative.enrolled_by_staff");
}

TEST_F(TaggerTest, SelfEnrolmentIsSelfChosen) {
  EventTags t = tagger_->Tag(Enrolment(Initiator::kSelf));
  EXPECT_DOUBLE_EQ(Score(t, Dimension::kInitiative), 1);
  // Self-chosen but still a course: both poles, so blended.
  EXPECT_EQ(t.mode, Mode::kBlended);
}

TEST_F(TaggerTest, ForumReplyIsSelfDirectedAndSocial) {
  LearningEvent e;
  e.verb = Verb::kReplied;
  e.object.type = ObjectType::kDiscussion;
  EventTags t = tagger_->Tag(e);
  EXPECT_EQ(t.mode, Mode::kSelfDirected);
  EXPECT_DOUBLE_EQ(Score(t, Dimension::kSocial), 1);
  EXPECT_DOUBLE_EQ(Score(t, Dimension::kFormat), 0.6);
}

TEST_F(TaggerTest, PassiveViewScoresNearZeroWithLowConfidence) {
  LearningEvent e;
  e.verb = Verb::kViewed;
  e.object.type = ObjectType::kResource;
  EventTags t = tagger_->Tag(e);
  EXPECT_NEAR(Score(t, Dimension::kFormat), 0.1, 1e-9);
  EXPECT_NEAR(t.weight[static_cast<size_t>(Dimension::kFormat)], 0.2, 1e-9);
  EXPECT_EQ(t.mode, Mode::kBlended);
  EXPECT_LT(t.confidence, 0.2);
}

TEST_F(TaggerTest, NoEvidenceIsBlendedWithZeroConfidence) {
  LearningEvent e;
  e.verb = Verb::kRated;
  EventTags t = tagger_->Tag(e);
  EXPECT_EQ(t.mode, Mode::kBlended);
  EXPECT_EQ(t.confidence, 0);
  EXPECT_TRUE(t.fired.empty());
}

TEST_F(TaggerTest, FactsMustBeKnown) {
  LearningEvent e = Enrolment(Initiator::kStaff);
  EXPECT_EQ(tagger_->Tag(e).fired.size(), 2u);
  e.context.goal_ids.push_back("goal-1");
  EventTags t = tagger_->Tag(e);
  EXPECT_EQ(t.fired.size(), 3u);
  EXPECT_DOUBLE_EQ(Score(t, Dimension::kGoalLink), 1);
}

TEST_F(TaggerTest, TagsOutliveARuleReload) {
  EventTags t = tagger_->Tag(Enrolment(Initiator::kStaff));
  tagger_.reset();  // the rule set must stay alive through `t.rules`
  EXPECT_EQ(t.fired[0]->id, "initiative.enrolled_by_staff");
}

}  // namespace
}  // namespace polku::model
