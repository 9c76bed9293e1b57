#include "learning/insights.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "learning/test_support.h"

namespace polku::learning {
namespace {

using model::Mode;
using model::ObjectType;
using model::Verb;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::History;
using testing::kDayMs;
using testing::kT0;

// A learner who only searches and bookmarks (above the band), or one who
// only takes assigned required courses (below it).
Profile SelfDirectedLearner(const std::string& key) {
  History h(key);
  for (int i = 0; i < 5; ++i) {
    h.Add(i, Verb::kSearched, ObjectType::kSearch, "q");
    h.Add(i, Verb::kCreated, ObjectType::kNote, common::StrCat("n", i));
  }
  h.Fold();
  return h.profile();
}

Profile StructuredLearner(const std::string& key) {
  History h(key);
  for (int i = 0; i < 5; ++i) {
    model::LearningEvent& e =
        h.Add(i, Verb::kCompleted, ObjectType::kCourse, common::StrCat("c", i));
    e.context.required = model::Tristate::kYes;
    e.initiator = model::Initiator::kStaff;
  }
  h.Fold();
  return h.profile();
}

TEST(OrgOverview, HidesGroupsBelowK) {
  InsightConfig config;
  config.min_group_size = 5;
  std::vector<Profile> profiles;
  std::vector<LearnerSnapshot> learners;
  // "sales" has 6 learners, "legal" 2: legal must not be shown.
  for (int i = 0; i < 6; ++i) {
    profiles.push_back(StructuredLearner(common::StrCat("s", i)));
  }
  for (int i = 0; i < 2; ++i) {
    profiles.push_back(SelfDirectedLearner(common::StrCat("l", i)));
  }
  for (size_t i = 0; i < profiles.size(); ++i) {
    learners.push_back({i < 6 ? "sales" : "legal", "", &profiles[i]});
  }
  auto catalogue = Catalogue::Empty();
  OrgOverview o = ComputeOverview(config, learners, {}, *catalogue, true, 4,
                                  kT0 + 10 * kDayMs);
  EXPECT_FALSE(o.total.suppressed);
  EXPECT_EQ(o.total.learners, 8);
  ASSERT_EQ(o.units.size(), 2u);
  const GroupFigures& legal = o.units[0];
  const GroupFigures& sales = o.units[1];
  EXPECT_EQ(legal.name, "legal");
  EXPECT_TRUE(legal.suppressed);
  EXPECT_EQ(legal.share_in_band, 0);
  EXPECT_EQ(legal.mean_balance, 0);
  EXPECT_TRUE(legal.lagging.empty());
  EXPECT_EQ(sales.name, "sales");
  EXPECT_FALSE(sales.suppressed);
  EXPECT_EQ(sales.learners, 6);
  EXPECT_LT(sales.mean_balance, 0.3);
  // Required, assigned courses: initiative and orientation lag.
  EXPECT_THAT(sales.lagging, ::testing::Contains("orientation"));
  EXPECT_THAT(sales.lagging, ::testing::Contains("initiative"));

  // Asking for "legal" alone: the whole selection is below k.
  std::vector<LearnerSnapshot> only_legal(learners.begin() + 6, learners.end());
  OrgOverview l = ComputeOverview(config, only_legal, {}, *catalogue, false, 4,
                                  kT0 + 10 * kDayMs);
  EXPECT_TRUE(l.total.suppressed);
  EXPECT_EQ(l.total.share_in_band, 0);
  EXPECT_TRUE(l.units.empty());
}

TEST(OrgOverview, WeeklyTrendHidesSmallWeeks) {
  InsightConfig config;
  config.min_group_size = 3;
  const int64_t now = kT0 + 20 * kDayMs;
  const int64_t this_week = WeekOf(now);
  std::vector<WeekRow> rows;
  // Last week: 3 learners, two inside the band; this week: 1 learner.
  rows.push_back({"a", this_week - 1, 1.0, 1.0});  // 0.5 inside
  rows.push_back({"b", this_week - 1, 0.4, 0.6});  // 0.4 inside
  rows.push_back({"c", this_week - 1, 0.0, 1.0});  // 0.0 below
  rows.push_back({"a", this_week, 1.0, 0.0});
  OrgOverview o =
      ComputeOverview(config, {}, rows, *Catalogue::Empty(), true, 2, now);
  ASSERT_EQ(o.trend.size(), 2u);
  EXPECT_EQ(o.trend[0].week, this_week - 1);
  EXPECT_EQ(o.trend[0].learners, 3);
  EXPECT_FALSE(o.trend[0].suppressed);
  EXPECT_DOUBLE_EQ(o.trend[0].share_in_band, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(o.trend[0].mean_balance, (0.5 + 0.4 + 0.0) / 3);
  EXPECT_EQ(o.trend[1].learners, 1);
  EXPECT_TRUE(o.trend[1].suppressed);
  EXPECT_EQ(o.trend[1].mean_balance, 0);
  EXPECT_EQ(WeekStartMs(WeekOf(now)) <= now, true);
  EXPECT_GT(WeekStartMs(WeekOf(now)) + 7 * kDayMs, now);
}

TEST(ExplainProfile, SaysWhereTheBalanceSitsInBothLanguages) {
  ProfileConfig config;
  Profile p = StructuredLearner("x");
  LearnerReport en = ExplainProfile(config, &p, kT0 + 6 * kDayMs, "en");
  EXPECT_EQ(en.view.position, BandPosition::kBelow);
  EXPECT_THAT(en.explanation, HasSubstr("target band is 30 %–70 %"));
  EXPECT_THAT(en.explanation, HasSubstr("lean toward"));
  LearnerReport fi = ExplainProfile(config, &p, kT0 + 6 * kDayMs, "fi");
  EXPECT_THAT(fi.explanation, HasSubstr("tavoitealue on 30 %–70 %"));
  LearnerReport none = ExplainProfile(config, nullptr, kT0, "fi");
  EXPECT_THAT(none.explanation, HasSubstr("ei ole vielä nähnyt"));
}

TEST(MinePaths, ProposesFrequentSequencesCompletedWithASelfDirectedStep) {
  std::vector<Activity> acts;
  for (const char* id : {"a", "b", "c", "d"}) {
    acts.push_back(
        testing::MakeActivity(id, ObjectType::kCourse, Mode::kStructured));
    acts.back().competencies = {"sales"};
  }
  acts.push_back(testing::MakeActivity("community", ObjectType::kCommunity,
                                       Mode::kSelfDirected));
  acts.back().competencies = {"sales"};
  auto catalogue = Catalogue::Build(acts, {});
  ASSERT_TRUE(catalogue.ok());
  std::vector<std::vector<std::string>> seqs;
  for (int i = 0; i < 6; ++i) seqs.push_back({"a", "b", "c"});
  for (int i = 0; i < 2; ++i) seqs.push_back({"d", "a"});
  auto out = MinePaths(seqs, **catalogue, 5, 5);
  ASSERT_EQ(out.size(), 1u);  // a-b and b-c are inside a-b-c; d-a too rare
  EXPECT_EQ(out[0].support, 6);
  std::vector<std::string> steps;
  for (const PathStep& s : out[0].path.steps) steps.push_back(s.activity_id);
  EXPECT_THAT(steps, ElementsAre("a", "b", "c", "community"));
  EXPECT_THAT(out[0].added_self_directed, ElementsAre("community"));
}

}  // namespace
}  // namespace polku::learning
