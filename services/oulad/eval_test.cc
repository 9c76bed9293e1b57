#include "oulad/eval.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "model/rules.h"
#include "store/sqlite_event_store.h"

namespace polku::oulad {
namespace {

using ::testing::HasSubstr;

// Three students, five sites, a few days (see the comments in the test for
// the baselines' figures worked out by hand).
Presentation TinyPresentation() {
  Presentation p;
  p.code = PresentationCode{"TNY", "2014J"};
  p.length_days = 10;
  p.start_ms = *PresentationStartMs("2014J");
  p.sites = {{1, "oucontent", 0, 0},
             {2, "oucontent", 1, 1},
             {3, "forumng", std::nullopt, std::nullopt},
             {4, "resource", std::nullopt, std::nullopt},
             {5, "quiz", std::nullopt, std::nullopt}};
  p.assessments = {{900, "TMA", 8, 100}};
  p.registrations = {
      {1, -1, std::nullopt}, {2, -1, std::nullopt}, {3, -1, std::nullopt}};
  p.students = {{1, "Wales", "Pass"},
                {2, "Scotland", "Fail"},
                {3, "Ireland", "Withdrawn"}};
  p.vle = {
      // day 0
      {1, 1, 0, 2},
      {2, 1, 0, 1},
      {2, 2, 0, 1},
      {3, 2, 0, 4},
      // day 1
      {1, 2, 1, 1},
      {1, 1, 1, 1},
      {2, 3, 1, 2},
      // day 2
      {1, 3, 2, 1},
      {3, 1, 2, 1},
  };
  return p;
}

class EvalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (std::filesystem::path(::testing::TempDir()) /
            ("oulad_eval_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store::SqliteEventStore::Options options;
    options.durability = store::SqliteEventStore::Durability::kNormal;
    auto store = store::SqliteEventStore::Open(dir_ + "/eval.db", options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    auto rules = model::RuleSet::Load(std::string(POLKU_SOURCE_DIR) +
                                      "/deploy/config/rules.yaml");
    ASSERT_TRUE(rules.ok()) << rules.status();
    taggers_ = std::make_unique<model::TaggerRegistry>(*rules);
  }
  void TearDown() override {
    if (store_ != nullptr) store_->Close().IgnoreError();
    std::filesystem::remove_all(dir_);
  }

  std::string dir_;
  std::unique_ptr<store::SqliteEventStore> store_;
  std::unique_ptr<model::TaggerRegistry> taggers_;
};

TEST_F(EvalTest, BaselinesMatchTheFiguresWorkedOutByHand) {
  Presentation p = TinyPresentation();
  EvalOptions options;
  auto eval = EvaluatePresentation(p, store_.get(), store_.get(),
                                   taggers_.get(), options);
  ASSERT_TRUE(eval.ok()) << eval.status();
  // Events: 3 enrolments, 9 clicks, 1 completion (student 1 passed). All
  // stored.
  EXPECT_EQ(eval->events, 3 + 9 + 1);
  EXPECT_EQ(eval->accepted, eval->events);
  EXPECT_EQ(eval->rejected, 0);
  EXPECT_EQ(eval->activities, 1u + 5u + 1u);

  // Learner-days (a learner with an event that day) and their targets
  // (sites opened the next day for the first time):
  //   day -1  s1 {1}, s2 {1,2}, s3 {2}   nothing opened yet: both
  //                                      baselines are empty lists
  //   day 0   s1 {2}: popularity (reach 1:2, 2:2; without s1's 1) = [2]
  //                   hit; recent = [1] miss (but 1 is opened again on
  //                   day 1: an any-next-day hit)
  //           s2 {3}: popularity without 1 and 2 = [] miss; recent miss
  //           s3: nothing new on day 1, skipped
  //   day 1   s1 {3}: popularity (2:3, 1:2, 3:1) without 1, 2 = [3] hit;
  //                   recent [1, 2] miss
  //           s2: nothing new on day 2, skipped
  //   day 2   s1, s3: skipped; day 10 (completion) s1: skipped
  // Six learner-days; popularity hits 2, recent-repeat 0.
  EXPECT_EQ(eval->polku.learner_days(), 6);
  EXPECT_EQ(eval->popularity.learner_days(), 6);
  EXPECT_EQ(eval->recent.learner_days(), 6);
  EXPECT_EQ(eval->learner_days_skipped, 5);
  EXPECT_FALSE(eval->truncated);
  EXPECT_DOUBLE_EQ(eval->popularity.hit(), 2.0 / 6);
  EXPECT_DOUBLE_EQ(eval->popularity.ndcg(), 2.0 / 6);  // each at rank 1
  EXPECT_DOUBLE_EQ(eval->recent.hit(), 0);
  EXPECT_DOUBLE_EQ(eval->recent.ndcg(), 0);
  EXPECT_DOUBLE_EQ(eval->recent.any_hit(), 1.0 / 6);
  // Popularity recommended sites 2 and 3; recent repeat 1 and 2.
  EXPECT_EQ(eval->popularity.distinct(), 2u);
  EXPECT_DOUBLE_EQ(eval->popularity.coverage(eval->activities), 2.0 / 7);
  EXPECT_EQ(eval->recent.distinct(), 2u);

  // Polku answered every learner-day through the engine; its figures are
  // well-formed (their values are the engine's, not worked out here).
  EXPECT_GT(eval->polku.items(), 0);
  EXPECT_GE(eval->polku.hit(), eval->polku.ndcg());
  EXPECT_LE(eval->polku.hit(), 1);
  EXPECT_LE(eval->polku.coverage(eval->activities), 1);

  // What the engine served was logged in the store, as in the service.
  auto state = store_->ExportLearnerState(options.tenant, "oulad.example#1");
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_FALSE(state->served.empty());
  ASSERT_TRUE(state->profile.has_value());  // deltas were applied at ingest
  EXPECT_EQ(state->profile->sums.counts[0], 1 + 4 + 1);

  std::string table = EvalTable({*eval}, 1.5);
  EXPECT_THAT(table, HasSubstr("TNY_2014J"));
  EXPECT_THAT(table, HasSubstr("popularity    0.333"));
  EXPECT_THAT(table, HasSubstr("wall time 1.5 s"));
  std::string json = EvalJson({*eval}, 1.5);
  EXPECT_THAT(json, HasSubstr("\"presentation\":\"TNY_2014J\""));
  EXPECT_THAT(json, HasSubstr("\"learner_days\":6"));
}

TEST_F(EvalTest, StopsAtTheLearnerDayBound) {
  EvalOptions options;
  options.max_learner_days = 4;
  auto eval = EvaluatePresentation(TinyPresentation(), store_.get(),
                                   store_.get(), taggers_.get(), options);
  ASSERT_TRUE(eval.ok()) << eval.status();
  EXPECT_TRUE(eval->truncated);
  EXPECT_EQ(eval->polku.learner_days(), 4);
  // Days -1 (three learner-days, no hit) and the first of day 0 (s1: hit).
  EXPECT_DOUBLE_EQ(eval->popularity.hit(), 1.0 / 4);
}

TEST_F(EvalTest, InvalidCatalogueIsReportedUnchanged) {
  Presentation p = TinyPresentation();
  p.code.module = std::string(600, 'X');  // ids longer than the limit
  auto eval = EvaluatePresentation(p, store_.get(), store_.get(),
                                   taggers_.get(), EvalOptions());
  EXPECT_EQ(eval.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace polku::oulad
