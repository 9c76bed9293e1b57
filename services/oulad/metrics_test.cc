#include "oulad/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

namespace polku::oulad {
namespace {

using ::testing::DoubleNear;
using ::testing::ElementsAre;

TEST(Metrics, HitCountsOnlyTheFirstK) {
  IdSet target = {"c"};
  EXPECT_EQ(HitAtK({"a", "b", "c"}, target, 3), 1);
  EXPECT_EQ(HitAtK({"a", "b", "c"}, target, 2), 0);
  EXPECT_EQ(HitAtK({}, target, 10), 0);
  EXPECT_EQ(HitAtK({"a"}, {}, 10), 0);
}

TEST(Metrics, NdcgByHand) {
  // Relevant at ranks 2 and 3 of three targets:
  // DCG = 1/log2(3) + 1/log2(4); IDCG = 1 + 1/log2(3) + 1/log2(4).
  IdSet target = {"b", "c", "z"};
  double dcg = 1 / std::log2(3.0) + 0.5;
  double idcg = 1 + 1 / std::log2(3.0) + 0.5;
  EXPECT_THAT(NdcgAtK({"a", "b", "c"}, target, 10),
              DoubleNear(dcg / idcg, 1e-12));
  // The ideal is capped at k relevant items.
  EXPECT_THAT(NdcgAtK({"b"}, target, 1), DoubleNear(1, 1e-12));
  EXPECT_EQ(NdcgAtK({"a"}, {}, 10), 0);
  EXPECT_THAT(NdcgAtK({"z", "b", "c"}, target, 10), DoubleNear(1, 1e-12));
}

TEST(Metrics, FiguresAverageCoverAndMixModes) {
  std::unordered_map<std::string, model::Mode> modes = {
      {"a", model::Mode::kStructured},
      {"b", model::Mode::kSelfDirected},
      {"c", model::Mode::kBlended}};
  SystemFigures f("x", 2);
  f.Add({{"a"}, {"b"}, {"c"}}, {"b"}, {"b", "a"}, modes);  // c beyond k
  f.Add({{"p", true}, {"c"}}, {"b"}, {"c"}, modes);
  EXPECT_EQ(f.learner_days(), 2);
  EXPECT_DOUBLE_EQ(f.hit(), 0.5);
  EXPECT_DOUBLE_EQ(f.ndcg(), 0.5 * (1 / std::log2(3.0)));
  EXPECT_DOUBLE_EQ(f.any_hit(), 1);
  EXPECT_EQ(f.items(), 4);
  EXPECT_EQ(f.paths(), 1);
  EXPECT_EQ(f.distinct(), 3u);  // a, b, c; the path is not an activity
  EXPECT_DOUBLE_EQ(f.coverage(6), 0.5);
  EXPECT_DOUBLE_EQ(f.ModeShare(model::Mode::kStructured), 0.25);
  EXPECT_DOUBLE_EQ(f.ModeShare(model::Mode::kBlended), 0.25);
}

TEST(Metrics, PopularityExcludesWhatTheLearnerOpened) {
  TouchHistory h;
  h.Touch("l1", "s1", 10);
  h.Touch("l2", "s1", 10);
  h.Touch("l2", "s2", 10);
  h.Touch("l3", "s3", 10);
  h.Touch("l3", "s3", 20);  // the same learner twice: reach stays 1
  EXPECT_THAT(h.Popular("l1", 10), ElementsAre("s2", "s3"));
  EXPECT_THAT(h.Popular("l3", 10), ElementsAre("s1", "s2"));
  EXPECT_THAT(h.Popular("new", 2), ElementsAre("s1", "s2"));
  h.Touch("l1", "s3", 30);
  h.Touch("l2", "s3", 30);  // s3 now reaches 3
  EXPECT_THAT(h.Popular("new", 3), ElementsAre("s3", "s1", "s2"));
}

TEST(Metrics, RecentRepeatIsTheLearnersLatestSites) {
  TouchHistory h;
  h.Touch("l", "a", 10);
  h.Touch("l", "b", 30);
  h.Touch("l", "c", 20);
  h.Touch("l", "d", 30);
  h.Touch("l", "d", 30);
  EXPECT_THAT(h.Recent("l", 10), ElementsAre("d", "b", "c", "a"));
  EXPECT_THAT(h.Recent("l", 2), ElementsAre("d", "b"));
  EXPECT_TRUE(h.Recent("other", 10).empty());
  EXPECT_TRUE(h.Touched("l", "a"));
  EXPECT_FALSE(h.Touched("l", "e"));
}

}  // namespace
}  // namespace polku::oulad
