#include "learning/recommender.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "learning/test_support.h"

namespace polku::learning {
namespace {

using model::Mode;
using model::ObjectType;
using model::Verb;
using ::testing::Contains;
using testing::History;
using testing::kDayMs;
using testing::kT0;
using testing::MakeActivity;
using ::testing::Not;

// A small catalogue with one activity of each kind a nudge looks for, two
// paths, and one hidden activity that matches everything (it must never
// come back).
std::shared_ptr<const Catalogue> TestCatalogue() {
  std::vector<Activity> a;
  a.push_back(MakeActivity("c-safety", ObjectType::kCourse, Mode::kStructured));
  a.back().required = true;
  a.push_back(
      MakeActivity("c-leadership", ObjectType::kCourse, Mode::kStructured));
  a.back().competencies = {"leadership"};
  a.push_back(MakeActivity("c-data", ObjectType::kCourse, Mode::kStructured));
  a.back().competencies = {"data"};
  a.push_back(MakeActivity("c-excel", ObjectType::kCourse, Mode::kStructured));
  a.push_back(
      MakeActivity("com-leaders", ObjectType::kCommunity, Mode::kSelfDirected));
  a.back().competencies = {"leadership"};
  a.push_back(
      MakeActivity("w-lead", ObjectType::kWorkAssignment, Mode::kSelfDirected));
  a.back().competencies = {"leadership"};
  a.push_back(
      MakeActivity("r-journal", ObjectType::kReflection, Mode::kSelfDirected));
  a.push_back(MakeActivity("f-ai", ObjectType::kResource, Mode::kSelfDirected));
  a.back().goal_ids = {"g-ai"};
  a.back().self_enrol = true;
  a.push_back(
      MakeActivity("s-podcast", ObjectType::kResource, Mode::kSelfDirected));
  a.back().self_enrol = true;
  a.push_back(
      MakeActivity("s-mentoring", ObjectType::kMentoring, Mode::kSelfDirected));
  a.back().self_enrol = true;
  a.push_back(
      MakeActivity("h-secret", ObjectType::kCommunity, Mode::kSelfDirected));
  a.back().visible = false;
  a.back().competencies = {"leadership"};
  a.back().goal_ids = {"g-ai", "g-lead"};
  a.back().self_enrol = true;

  std::vector<LearningPath> paths;
  LearningPath lead;
  lead.id = "p-lead";
  lead.title = "Leading people";
  lead.goal_id = "g-lead";
  lead.steps = {{"c-leadership", Mode::kStructured, {}, false},
                {"com-leaders", Mode::kSelfDirected, {}, false},
                {"w-lead", Mode::kSelfDirected, {}, false}};
  paths.push_back(lead);
  LearningPath data;
  data.id = "p-data";
  data.title = "Working with data";
  data.steps = {{"c-data", Mode::kStructured, {}, false},
                {"r-journal", Mode::kSelfDirected, {}, false}};
  paths.push_back(data);
  auto c = Catalogue::Build(std::move(a), std::move(paths));
  EXPECT_TRUE(c.ok()) << c.status();
  return *c;
}

class RecommenderTest : public ::testing::Test {
 protected:
  RecommendOutput Run(const History& h, int day, int k = 10,
                      std::string locale = "en") {
    RecommendInput in;
    in.tenant = "acme";
    in.learner_key = h.learner();
    in.profile = h.profile().empty() ? nullptr : &h.profile();
    in.touched = h.touched();
    in.catalogue = catalogue_.get();
    in.dismissed = dismissed_;
    in.now_ms = kT0 + day * kDayMs;
    in.k = k;
    in.locale = std::move(locale);
    RecommendOutput out = Recommend(config_, in);
    for (const Recommendation& r : out.items) {
      EXPECT_NE(r.target_id, "h-secret") << "a hidden activity was recommended";
      EXPECT_FALSE(r.text.empty());
      EXPECT_FALSE(r.reason_code.empty());
      EXPECT_FALSE(r.recommendation_id.empty());
      EXPECT_GT(r.propensity, 0);
      EXPECT_LE(r.propensity, 1);
    }
    return out;
  }

  static const Recommendation* Find(const RecommendOutput& out,
                                    NudgeKind kind) {
    for (const Recommendation& r : out.items) {
      if (r.kind == kind) return &r;
    }
    return nullptr;
  }

  void SetUp() override { config_.holdout_share = 0; }

  RecommenderConfig config_;
  std::shared_ptr<const Catalogue> catalogue_ = TestCatalogue();
  std::unordered_set<std::string> dismissed_;
};

TEST_F(RecommenderTest, ContinuePathOffersTheNextStep) {
  History h;
  h.Add(0, Verb::kEnrolled, ObjectType::kCourse, "c-leadership");
  h.Add(5, Verb::kCompleted, ObjectType::kCourse, "c-leadership");
  h.Fold();
  RecommendOutput out = Run(h, 6);
  const Recommendation* r = Find(out, NudgeKind::kContinuePath);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->target_id, "com-leaders");
  EXPECT_EQ(r->reason_code, "continue_path.next_step");
  EXPECT_THAT(r->text, ::testing::HasSubstr("Leading people"));
  // The evidence is the completion of the first step, with its rules.
  EXPECT_THAT(r->evidence_event_ids, Contains("ev-2"));
  EXPECT_FALSE(r->evidence_rule_ids.empty());
}

TEST_F(RecommenderTest, ApplyAtWorkAfterAFormalCourse) {
  History h;
  h.Add(0, Verb::kEnrolled, ObjectType::kCourse, "c-leadership");
  h.Add(10, Verb::kCompleted, ObjectType::kCourse, "c-leadership");
  h.Fold();
  RecommendOutput out1 = Run(h, 12);
  const Recommendation* r = Find(out1, NudgeKind::kApplyAtWork);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->target_id, "w-lead");
  EXPECT_THAT(r->evidence_event_ids, Contains("ev-2"));
  // Not any more once the window has passed.
  EXPECT_EQ(Find(Run(h, 10 + 31), NudgeKind::kApplyAtWork), nullptr);
  // Nor once the learner has done something at work since.
  History worked = h;
  worked.Add(11, Verb::kCompleted, ObjectType::kWorkAssignment, "w-other")
      .context.in_flow_of_work = model::Tristate::kYes;
  worked.Fold();
  EXPECT_EQ(Find(Run(worked, 12), NudgeKind::kApplyAtWork), nullptr);
}

TEST_F(RecommenderTest, ShareWithCommunityWhenLittleSocialActivity) {
  History h;
  h.Add(0, Verb::kCompleted, ObjectType::kCourse, "c-excel");
  h.Add(1, Verb::kViewed, ObjectType::kResource, "x-1");
  h.Fold();
  RecommendOutput out2 = Run(h, 2);
  const Recommendation* r = Find(out2, NudgeKind::kShareWithCommunity);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->target_id, "com-leaders");  // the visible community

  // A learner who already posts and replies a lot is not nudged.
  History social = h;
  for (int i = 0; i < 6; ++i) {
    social.Add(1, Verb::kReplied, ObjectType::kDiscussion, "forum-1");
  }
  social.Fold();
  EXPECT_EQ(Find(Run(social, 2), NudgeKind::kShareWithCommunity), nullptr);
}

TEST_F(RecommenderTest,
       AmongEqualCandidatesOfSeveralTypesTheFirstInTheCatalogue) {
  // The social types are looked at together: a mentoring activity listed
  // before a community wins a tie with it, whatever the order of types.
  std::vector<Activity> a;
  a.push_back(MakeActivity("c-excel", ObjectType::kCourse, Mode::kStructured));
  a.push_back(
      MakeActivity("m-early", ObjectType::kMentoring, Mode::kSelfDirected));
  a.push_back(
      MakeActivity("com-late", ObjectType::kCommunity, Mode::kSelfDirected));
  a.push_back(
      MakeActivity("d-later", ObjectType::kDiscussion, Mode::kSelfDirected));
  auto built = Catalogue::Build(std::move(a), {});
  ASSERT_TRUE(built.ok()) << built.status();
  catalogue_ = *built;
  History h;
  h.Add(0, Verb::kCompleted, ObjectType::kCourse, "c-excel");
  h.Add(1, Verb::kViewed, ObjectType::kResource, "x-1");
  h.Fold();
  const RecommendOutput out = Run(h, 2);
  const Recommendation* r = Find(out, NudgeKind::kShareWithCommunity);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->target_id, "m-early");
}

TEST_F(RecommenderTest, TheCandidateSharingMostTopicsWinsWhereverItIsListed) {
  // The community nudge looks for the social activity closest to the course
  // just completed: listed last, sharing both its competencies, it beats
  // an unrelated and a half-related one listed first; of two equally
  // related, the first in the catalogue.
  std::vector<Activity> a;
  a.push_back(MakeActivity("c-course", ObjectType::kCourse, Mode::kStructured));
  a.back().competencies = {"a", "b"};
  a.push_back(
      MakeActivity("com-plain", ObjectType::kCommunity, Mode::kSelfDirected));
  a.push_back(
      MakeActivity("com-a", ObjectType::kCommunity, Mode::kSelfDirected));
  a.back().competencies = {"a"};
  a.push_back(
      MakeActivity("d-ab", ObjectType::kDiscussion, Mode::kSelfDirected));
  a.back().competencies = {"a", "b"};
  a.push_back(
      MakeActivity("m-ba", ObjectType::kMentoring, Mode::kSelfDirected));
  a.back().competencies = {"b"};
  a.back().goal_ids = {"a"};  // a goal is not the competency of that name
  a.push_back(
      MakeActivity("m-ab", ObjectType::kMentoring, Mode::kSelfDirected));
  a.back().competencies = {"b", "a"};
  auto built = Catalogue::Build(std::move(a), {});
  ASSERT_TRUE(built.ok()) << built.status();
  catalogue_ = *built;
  History h;
  h.Add(0, Verb::kCompleted, ObjectType::kCourse, "c-course");
  h.Add(1, Verb::kViewed, ObjectType::kResource, "x-1");
  h.Fold();
  auto target = [&] {
    const RecommendOutput out = Run(h, 2);
    const Recommendation* r = Find(out, NudgeKind::kShareWithCommunity);
    return r == nullptr ? std::string("none") : r->target_id;
  };
  EXPECT_EQ(target(), "d-ab");
  dismissed_ = {"d-ab"};
  EXPECT_EQ(target(), "m-ab");
  dismissed_ = {"d-ab", "m-ab"};
  EXPECT_EQ(target(), "com-a");  // one shared topic; m-ba's goal is not one
  dismissed_ = {"d-ab", "m-ab", "com-a", "m-ba"};
  EXPECT_EQ(target(), "com-plain");
}

TEST_F(RecommenderTest, ReflectAfterManyCompletions) {
  History h;
  h.Add(0, Verb::kCompleted, ObjectType::kCourse, "c-excel");
  h.Add(3, Verb::kCompleted, ObjectType::kModule, "m-1");
  h.Add(6, Verb::kPassed, ObjectType::kAssessment, "q-1");
  h.Fold();
  RecommendOutput out3 = Run(h, 7);
  const Recommendation* r = Find(out3, NudgeKind::kReflect);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->target_id, "r-journal");

  // Two completions are not many yet; a reflection already written stops it.
  History few;
  few.Add(0, Verb::kCompleted, ObjectType::kCourse, "c-excel");
  few.Add(3, Verb::kCompleted, ObjectType::kModule, "m-1");
  few.Fold();
  EXPECT_EQ(Find(Run(few, 7), NudgeKind::kReflect), nullptr);
  History reflected = h;
  reflected.Add(6, Verb::kReflected, ObjectType::kReflection, "my-notes");
  reflected.Fold();
  EXPECT_EQ(Find(Run(reflected, 7), NudgeKind::kReflect), nullptr);
}

TEST_F(RecommenderTest, ExploreFutureSkillWhenAllIsGapFilling) {
  History h;
  for (int i = 0; i < 4; ++i) {
    model::LearningEvent& e =
        h.Add(i * 7, Verb::kCompleted, ObjectType::kCourse,
              common::StrCat("compliance-", i));
    e.context.required = model::Tristate::kYes;
  }
  h.Fold();
  RecommendOutput out4 = Run(h, 30);
  const Recommendation* r = Find(out4, NudgeKind::kExploreFutureSkill);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->target_id, "f-ai");
  EXPECT_EQ(r->reason_code, "explore_future_skill.all_reactive");
}

TEST_F(RecommenderTest, ChooseYourNextStepWhenEverythingWasAssigned) {
  History h;
  for (int i = 0; i < 4; ++i) {
    model::LearningEvent& e = h.Add(i, Verb::kEnrolled, ObjectType::kCourse,
                                    common::StrCat("assigned-", i));
    e.initiator = model::Initiator::kStaff;
    e.context.enrolment_method = model::EnrolmentMethod::kManual;
  }
  h.Fold();
  RecommendOutput out = Run(h, 5);
  std::vector<std::string> choices;
  for (const Recommendation& r : out.items) {
    if (r.kind == NudgeKind::kChooseYourNextStep)
      choices.push_back(r.target_id);
  }
  // A choice: more than one self-enrol activity, never the hidden one.
  EXPECT_GE(choices.size(), 2u);
  for (const auto& id : choices) {
    const Activity* a = catalogue_->FindActivity(id);
    ASSERT_NE(a, nullptr);
    EXPECT_TRUE(a->self_enrol) << id;
  }
}

TEST_F(RecommenderTest, TurnCourseIntoPathForACourseTakenAlone) {
  History h;
  h.Add(0, Verb::kViewed, ObjectType::kCourse, "c-data");
  h.Fold();
  RecommendOutput out5 = Run(h, 1);
  const Recommendation* r = Find(out5, NudgeKind::kTurnCourseIntoPath);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->target_id, "p-data");
  EXPECT_TRUE(r->target_is_path);
  EXPECT_THAT(r->text, ::testing::HasSubstr("Working with data"));
}

TEST_F(RecommenderTest,
       CompleteRequiredComesFirstForALearnerWhoOnlySelfDirects) {
  History h;
  for (int i = 0; i < 8; ++i) {
    h.Add(i, Verb::kSearched, ObjectType::kSearch, common::StrCat("q-", i));
    h.Add(i, Verb::kBookmarked, ObjectType::kResource, common::StrCat("b-", i));
    h.Add(i, Verb::kCreated, ObjectType::kNote, common::StrCat("n-", i));
  }
  h.Fold();
  ASSERT_EQ(ViewAt(config_.profile, h.profile(), kT0 + 9 * kDayMs).position,
            BandPosition::kAbove);
  RecommendOutput out = Run(h, 9, 3);
  ASSERT_FALSE(out.items.empty());
  EXPECT_EQ(out.items[0].kind, NudgeKind::kCompleteRequired);
  EXPECT_EQ(out.items[0].target_id, "c-safety");
  EXPECT_EQ(out.items[0].reason_code, "complete_required.only_self_directed");
  EXPECT_EQ(out.segment, "above");
}

TEST_F(RecommenderTest, ALearnerInsideTheBandIsNotPushedOut) {
  // By hand, read at the epoch (no decay): leadership 2.6, development 1.4
  // over 4 events (balance 0.65, mean event weight 1). One more
  // self-directed event would give 3.6 / 5 = 0.72, outside [0.3, 0.7]; a
  // structured one 2.6 / 5 = 0.52, inside.
  config_.profile.epoch_ms = kT0;
  Profile p;
  p.sums.leadership = 2.6;
  p.sums.development = 1.4;
  p.sums.weight_sum[0] = 4;
  p.sums.signals[0] = 4;
  p.sums.counts[0] = 4;
  RecommendInput in;
  in.tenant = "acme";
  in.learner_key = "l";
  in.profile = &p;
  in.touched["c-leadership"] = ActivityTouch{kT0, kT0, kT0};  // step 1 done
  in.catalogue = catalogue_.get();
  in.now_ms = kT0;
  in.k = 3;
  ASSERT_EQ(ViewAt(config_.profile, p, kT0).position, BandPosition::kInside);
  RecommendOutput near_edge = Recommend(config_, in);
  ASSERT_FALSE(near_edge.items.empty());
  // The structured required course ranks above the self-directed path
  // step, which would tip the learner out of the band.
  EXPECT_EQ(near_edge.items[0].target_id, "c-safety");

  // The same learner in the middle of the band, with ten times the
  // evidence: the path step is not damped and comes first.
  p.sums.leadership = 20;
  p.sums.development = 20;
  p.sums.signals[0] = 40;
  RecommendOutput middle = Recommend(config_, in);
  ASSERT_FALSE(middle.items.empty());
  EXPECT_EQ(middle.items[0].target_id, "com-leaders");
}

TEST_F(RecommenderTest, DismissedTargetsStayAway) {
  History h;
  h.Add(0, Verb::kCompleted, ObjectType::kCourse, "c-leadership");
  h.Fold();
  RecommendOutput first = Run(h, 1);
  ASSERT_FALSE(first.items.empty());
  const std::string gone = first.items[0].target_id;
  dismissed_.insert(gone);
  RecommendOutput second = Run(h, 1);
  for (const Recommendation& r : second.items) EXPECT_NE(r.target_id, gone);
}

TEST_F(RecommenderTest, CompletedActivitiesAreNeverRecommended) {
  History h;
  h.Add(0, Verb::kCompleted, ObjectType::kCourse, "c-safety");
  h.Add(0, Verb::kCompleted, ObjectType::kCourse, "c-leadership");
  h.Fold();
  for (const Recommendation& r : Run(h, 1).items) {
    EXPECT_NE(r.target_id, "c-safety");
    EXPECT_NE(r.target_id, "c-leadership");
  }
}

TEST_F(RecommenderTest, SameRequestSameDaySameAnswer) {
  History h;
  h.Add(0, Verb::kCompleted, ObjectType::kCourse, "c-leadership");
  h.Fold();
  RecommendOutput a = Run(h, 1);
  RecommendOutput b = Run(h, 1);
  ASSERT_EQ(a.items.size(), b.items.size());
  for (size_t i = 0; i < a.items.size(); ++i) {
    EXPECT_EQ(a.items[i].recommendation_id, b.items[i].recommendation_id);
    EXPECT_EQ(a.items[i].target_id, b.items[i].target_id);
    EXPECT_EQ(a.items[i].score, b.items[i].score);
  }
}

TEST_F(RecommenderTest, FeedbackMovesTheBanditTowardAcceptedKinds) {
  History h;
  h.Add(0, Verb::kEnrolled, ObjectType::kCourse, "c-leadership");
  h.Add(10, Verb::kCompleted, ObjectType::kCourse, "c-leadership");
  h.Fold();
  RecommendInput in;
  in.tenant = "acme";
  in.learner_key = h.learner();
  in.profile = &h.profile();
  in.touched = h.touched();
  in.catalogue = catalogue_.get();
  in.now_ms = kT0 + 11 * kDayMs;
  in.k = 10;
  // The rank of `kind` in the list, or k when it is not in it.
  auto rank = [&](NudgeKind kind) {
    RecommendOutput out = Recommend(config_, in);
    for (size_t i = 0; i < out.items.size(); ++i) {
      if (out.items[i].kind == kind) return int(i);
    }
    return in.k;
  };
  // Without feedback both kinds are candidates for this learner.
  ASSERT_LT(rank(NudgeKind::kApplyAtWork), in.k);
  ASSERT_LT(rank(NudgeKind::kContinuePath), in.k);
  // Many acceptances of one kind and dismissals of the other move the
  // accepted kind up, whichever way round.
  const std::string segment = Recommend(config_, in).segment;
  ASSERT_NE(segment, "unknown");
  in.arms[segment][NudgeKind::kContinuePath] = Arm{0, 200};
  in.arms[segment][NudgeKind::kApplyAtWork] = Arm{200, 0};
  EXPECT_LT(rank(NudgeKind::kApplyAtWork), rank(NudgeKind::kContinuePath));
  in.arms[segment][NudgeKind::kContinuePath] = Arm{200, 0};
  in.arms[segment][NudgeKind::kApplyAtWork] = Arm{0, 200};
  EXPECT_LT(rank(NudgeKind::kContinuePath), rank(NudgeKind::kApplyAtWork));
  // Another segment's arms are not this learner's: the same strong
  // preference there leaves the ranking as without feedback.
  in.arms.clear();
  const int continue_plain = rank(NudgeKind::kContinuePath);
  const int apply_plain = rank(NudgeKind::kApplyAtWork);
  const std::string other = segment == "inside" ? "below" : "inside";
  in.arms[other][NudgeKind::kContinuePath] = Arm{0, 200};
  in.arms[other][NudgeKind::kApplyAtWork] = Arm{200, 0};
  EXPECT_EQ(rank(NudgeKind::kContinuePath), continue_plain);
  EXPECT_EQ(rank(NudgeKind::kApplyAtWork), apply_plain);
}

TEST_F(RecommenderTest, EveryItemCarriesTitleAndLinkFromItsCatalogue) {
  // A new learner is offered paths to start from and required courses.
  History h;
  RecommendOutput out = Run(h, 0);
  ASSERT_FALSE(out.items.empty());
  bool path_seen = false;
  for (const Recommendation& r : out.items) {
    if (r.target_is_path) {
      path_seen = true;
      const LearningPath* path = catalogue_->FindPath(r.target_id);
      ASSERT_NE(path, nullptr) << r.target_id;
      EXPECT_EQ(r.target_title, path->title);
      EXPECT_EQ(r.target_url, "");
    } else {
      const Activity* a = catalogue_->FindActivity(r.target_id);
      ASSERT_NE(a, nullptr) << r.target_id;
      EXPECT_EQ(r.target_title, a->title);
      EXPECT_EQ(r.target_url, a->url);
      EXPECT_FALSE(r.target_title.empty()) << r.target_id;
    }
  }
  EXPECT_TRUE(path_seen);
}

TEST_F(RecommenderTest, HoldoutGetsThePlainRankingWithPropensityOne) {
  config_.holdout_share = 1.0;
  History h;
  h.Add(0, Verb::kCompleted, ObjectType::kCourse, "c-leadership");
  h.Fold();
  RecommendOutput out = Run(h, 1);
  EXPECT_TRUE(out.holdout);
  ASSERT_FALSE(out.items.empty());
  for (size_t i = 0; i < out.items.size(); ++i) {
    EXPECT_EQ(out.items[i].propensity, 1.0);
    if (i > 0) EXPECT_LE(out.items[i].score, out.items[i - 1].score);
  }
}

TEST_F(RecommenderTest, ANewLearnerGetsPathsToStartFromAndRequiredTraining) {
  History h;
  RecommendOutput out = Run(h, 0);
  EXPECT_EQ(out.segment, "unknown");
  std::vector<std::string> targets;
  for (const Recommendation& r : out.items) targets.push_back(r.target_id);
  EXPECT_THAT(targets, Contains("p-lead"));
  EXPECT_THAT(targets, Contains("p-data"));
  EXPECT_THAT(targets, Contains("c-safety"));
}

TEST_F(RecommenderTest, TextsAreInTheRequestedLanguage) {
  History h;
  h.Add(0, Verb::kEnrolled, ObjectType::kCourse, "c-leadership");
  h.Add(5, Verb::kCompleted, ObjectType::kCourse, "c-leadership");
  h.Fold();
  RecommendOutput out6 = Run(h, 6, 10, "fi");
  const Recommendation* fi = Find(out6, NudgeKind::kContinuePath);
  ASSERT_NE(fi, nullptr);
  EXPECT_THAT(fi->text, ::testing::HasSubstr("Seuraava askel polullasi"));
  RecommendOutput out7 = Run(h, 6, 10, "en-GB");
  const Recommendation* en = Find(out7, NudgeKind::kContinuePath);
  ASSERT_NE(en, nullptr);
  EXPECT_THAT(en->text, ::testing::HasSubstr("Next step on your path"));
}

TEST_F(RecommenderTest, NextAfterSimilarFromCoOccurrence) {
  History h;
  h.Add(0, Verb::kViewed, ObjectType::kResource, "x-1");
  h.Fold();
  RecommendInput in;
  in.tenant = "acme";
  in.learner_key = h.learner();
  in.profile = &h.profile();
  in.touched = h.touched();
  in.catalogue = catalogue_.get();
  in.now_ms = kT0 + kDayMs;
  in.k = 10;
  // Others went on from x-1 to s-podcast (9 times) and c-excel (3 times);
  // h-secret is hidden and x-unknown is not in the catalogue.
  in.next_after_similar = {
      {"h-secret", 20}, {"s-podcast", 9}, {"x-unknown", 5}, {"c-excel", 3}};
  RecommendOutput out = Recommend(config_, in);
  std::vector<std::string> similar;
  for (const Recommendation& r : out.items) {
    EXPECT_NE(r.target_id, "h-secret");
    if (r.kind == NudgeKind::kNextAfterSimilar) similar.push_back(r.target_id);
  }
  EXPECT_THAT(similar, ::testing::ElementsAre("s-podcast", "c-excel"));
}

TEST_F(RecommenderTest, SupportsGoalOffersOtherActivitiesOfTheGoal) {
  // Working on the leadership path's goal (g-lead) through its course; the
  // catalogue's other g-lead activity is hidden, so none is offered; with a
  // visible one added, it is.
  History h;
  h.Add(0, Verb::kViewed, ObjectType::kCourse, "c-leadership");
  h.Fold();
  EXPECT_EQ(Find(Run(h, 1), NudgeKind::kSupportsGoal), nullptr);
  std::vector<Activity> acts = catalogue_->activities();
  Activity extra =
      MakeActivity("g-talk", ObjectType::kLiveSession, Mode::kBlended);
  extra.goal_ids = {"g-lead"};
  acts.push_back(extra);
  catalogue_ = *Catalogue::Build(acts, catalogue_->paths());
  RecommendOutput out = Run(h, 1);
  const Recommendation* r = Find(out, NudgeKind::kSupportsGoal);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->target_id, "g-talk");
}

// Forty required courses and nothing else: every candidate is of one
// kind with the same relevance, so the answer is the first k in catalogue
// order (ties go to the earlier candidate), and k of them, however few of
// each kind's candidates the ranking keeps sorted.
TEST_F(RecommenderTest, OneKindWithEqualScoresFillsKInCatalogueOrder) {
  std::vector<Activity> a;
  for (int i = 0; i < 40; ++i) {
    a.push_back(MakeActivity(common::StrCat("req-", i < 10 ? "0" : "", i),
                             ObjectType::kCourse, Mode::kStructured));
    a.back().required = true;
  }
  auto built = Catalogue::Build(std::move(a), {});
  ASSERT_TRUE(built.ok()) << built.status();
  catalogue_ = *built;
  RecommendOutput out = Run(History(), 0, /*k=*/5);
  ASSERT_EQ(out.items.size(), 5u);
  for (size_t i = 0; i < out.items.size(); ++i) {
    EXPECT_EQ(out.items[i].kind, NudgeKind::kCompleteRequired);
    EXPECT_EQ(out.items[i].target_id, common::StrCat("req-0", i)) << i;
  }
}

TEST(NudgeKinds, NamesRoundTrip) {
  for (size_t i = 1; i < kNudgeKindCount; ++i) {
    const auto kind = static_cast<NudgeKind>(i);
    EXPECT_EQ(ParseNudgeKind(NudgeKindName(kind)), kind);
  }
  EXPECT_EQ(ParseNudgeKind("NOPE"), std::nullopt);
}

}  // namespace
}  // namespace polku::learning
