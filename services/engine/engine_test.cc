// The engine against the real SQLite store and the real ingest pipeline:
// events go in through the Ingestor (tagged by the default rules, profiles
// projected by the store), recommendations come out of the Engine.
#include "engine/engine.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include "common/status_matchers.h"
#include "common/str_cat.h"
#include "ingest/ingestor.h"
#include "model/tagger_registry.h"
#include "store/sqlite_event_store.h"

namespace polku::engine {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kDayMs = 86400000;
constexpr int64_t kT0 = 1772442000000;  // 2026-03-02T09:00:00Z
constexpr char kTenant[] = "acme";
constexpr char kLearner[] = "https://lms.example|7";

learning::Activity MakeActivity(std::string id, model::ObjectType type,
                                model::Mode mode) {
  learning::Activity a;
  a.id = std::move(id);
  a.title = common::StrCat("Title of ", a.id);
  a.url = "https://lms.example/x";
  a.type = type;
  a.mode = mode;
  return a;
}

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           common::StrCat(
               "engine_test_",
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store::SqliteEventStore::Options options;
    options.durability = store::SqliteEventStore::Durability::kNormal;
    auto store =
        store::SqliteEventStore::Open((dir_ / "polku.db").string(), options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    auto taggers = model::TaggerRegistry::Create(
        POLKU_SOURCE_DIR "/deploy/config/rules.yaml", "");
    ASSERT_TRUE(taggers.ok()) << taggers.status();
    taggers_ = std::move(*taggers);
    EngineConfig config;
    config.recommender.holdout_share = 0;
    config.insights.min_group_size = 3;
    ingest::IngestOptions ingest_options;
    ingest_options.profile = config.recommender.profile;
    ingestor_ = std::make_unique<ingest::Ingestor>(store_.get(), taggers_.get(),
                                                   &clock_, ingest_options);
    engine_ = std::make_unique<Engine>(store_.get(), &clock_, config);

    std::vector<learning::Activity> acts = {
        MakeActivity("c-lead", model::ObjectType::kCourse,
                     model::Mode::kStructured),
        MakeActivity("com-lead", model::ObjectType::kCommunity,
                     model::Mode::kSelfDirected),
        MakeActivity("w-lead", model::ObjectType::kWorkAssignment,
                     model::Mode::kSelfDirected),
        MakeActivity("c-safety", model::ObjectType::kCourse,
                     model::Mode::kStructured)};
    acts[3].required = true;
    POLKU_ASSERT_OK(engine_->UpsertActivities(kTenant, acts));
    learning::LearningPath path;
    path.id = "p-lead";
    path.title = "Leading people";
    path.steps = {{"c-lead", model::Mode::kStructured, {}, false},
                  {"com-lead", model::Mode::kSelfDirected, {}, false},
                  {"w-lead", model::Mode::kSelfDirected, {}, false}};
    POLKU_ASSERT_OK(engine_->UpsertPaths(kTenant, {path}));
  }
  void TearDown() override {
    engine_.reset();
    ingestor_.reset();
    if (store_ != nullptr) store_->Close().IgnoreError();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  model::LearningEvent Event(const std::string& id, int day, model::Verb verb,
                             model::ObjectType type, const std::string& object,
                             const std::string& learner = kLearner) {
    model::LearningEvent e;
    e.event_id = id;
    e.source.platform = model::Platform::kNative;
    e.occurred_at_ms = kT0 + day * kDayMs;
    e.learner.key = learner;
    e.learner.org_unit = "sales";
    e.initiator = model::Initiator::kSelf;
    e.verb = verb;
    e.object.type = type;
    e.object.id = object;
    return e;
  }

  std::vector<ingest::EventResult> Ingest(
      std::vector<model::LearningEvent> events) {
    // The events happen "now": the clock follows them.
    for (const auto& e : events) {
      if (e.occurred_at_ms > clock_.NowMillis()) clock_.Set(e.occurred_at_ms);
    }
    std::vector<ingest::IngestItem> items(events.begin(), events.end());
    auto r = ingestor_->Ingest(kTenant, std::move(items));
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return {};
    for (const ingest::EventResult& e : *r) {
      EXPECT_TRUE(e.error.ok()) << e.event.event_id << ": " << e.error;
    }
    return *r;
  }

  std::vector<std::string> Targets(int k = 10) {
    auto out = engine_->Recommend(kTenant, kLearner, k, "en");
    EXPECT_TRUE(out.ok()) << out.status();
    std::vector<std::string> t;
    if (out.ok()) {
      for (const auto& r : out->items) t.push_back(r.target_id);
    }
    return t;
  }

  std::filesystem::path dir_;
  common::ManualClock clock_{kT0};
  std::unique_ptr<store::SqliteEventStore> store_;
  std::unique_ptr<model::TaggerRegistry> taggers_;
  std::unique_ptr<ingest::Ingestor> ingestor_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(EngineTest, ProfilesAreUpdatedAtIngestAndSurviveARestart) {
  Ingest({Event("e1", 0, model::Verb::kCompleted, model::ObjectType::kCourse,
                "c-lead")});
  auto p = engine_->LearnerProfile(kTenant, kLearner, "en");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->event_count, 1);
  // A resend changes nothing.
  Ingest({Event("e1", 0, model::Verb::kCompleted, model::ObjectType::kCourse,
                "c-lead")});
  EXPECT_EQ(engine_->LearnerProfile(kTenant, kLearner, "en")->event_count, 1);
  // Reopen the database: the profile is there without replaying events.
  engine_.reset();
  ingestor_.reset();
  POLKU_ASSERT_OK(store_->Close());
  store_.reset();
  auto reopened = store::SqliteEventStore::Open((dir_ / "polku.db").string());
  ASSERT_TRUE(reopened.ok());
  store_ = std::move(*reopened);
  engine_ = std::make_unique<Engine>(store_.get(), &clock_, EngineConfig());
  EXPECT_EQ(engine_->LearnerProfile(kTenant, kLearner, "en")->event_count, 1);
}

TEST_F(EngineTest, CallsOnAColdCatalogueCacheShareOneLoad) {
  // A fresh engine has no catalogue cached. Calls that arrive together
  // wait for one load instead of each loading and indexing the catalogue:
  // they all get the same one.
  Engine cold(store_.get(), &clock_, EngineConfig());
  constexpr int kCallers = 8;
  std::atomic<int> ready{0};
  std::vector<std::shared_ptr<const learning::Catalogue>> got(kCallers);
  std::vector<std::thread> callers;
  for (int i = 0; i < kCallers; ++i) {
    callers.emplace_back([&, i] {
      ready.fetch_add(1);
      while (ready.load() < kCallers) std::this_thread::yield();
      auto catalogue = cold.Catalogue(kTenant);
      if (catalogue.ok()) got[i] = *catalogue;
    });
  }
  for (std::thread& t : callers) t.join();
  ASSERT_NE(got[0], nullptr);
  EXPECT_EQ(got[0]->activities().size(), 4u);
  for (int i = 1; i < kCallers; ++i) EXPECT_EQ(got[i], got[0]) << i;

  // A change to the catalogue is loaded once more.
  POLKU_ASSERT_OK(cold.UpsertActivities(
      kTenant, {MakeActivity("c-new", model::ObjectType::kCourse,
                             model::Mode::kStructured)}));
  POLKU_ASSERT_OK_AND_ASSIGN(auto changed, cold.Catalogue(kTenant));
  EXPECT_NE(changed, got[0]);
  EXPECT_EQ(changed->activities().size(), 5u);
  POLKU_ASSERT_OK_AND_ASSIGN(auto again, cold.Catalogue(kTenant));
  EXPECT_EQ(again, changed);
}

TEST_F(EngineTest, WarmCataloguesCachesTheMostRecentlyChangedFirst) {
  // The fixture's tenant has a catalogue; a second tenant gets one later.
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  POLKU_ASSERT_OK(engine_->UpsertActivities(
      "other", {MakeActivity("c-other", model::ObjectType::kCourse,
                             model::Mode::kStructured)}));

  Engine one(store_.get(), &clock_, EngineConfig());
  POLKU_ASSERT_OK_AND_ASSIGN(int warmed,
                             one.WarmCatalogues(1, std::chrono::seconds(10)));
  EXPECT_EQ(warmed, 1);
  EXPECT_EQ(one.catalogue_loads(), 1);
  POLKU_ASSERT_OK_AND_ASSIGN(auto other, one.Catalogue("other"));
  EXPECT_EQ(other->activities().size(), 1u);
  EXPECT_EQ(one.catalogue_loads(), 1);  // cached: "other" changed last
  POLKU_ASSERT_OK(one.Catalogue(kTenant).status());
  EXPECT_EQ(one.catalogue_loads(), 2);  // not warmed: loaded now

  Engine all(store_.get(), &clock_, EngineConfig());
  POLKU_ASSERT_OK_AND_ASSIGN(warmed,
                             all.WarmCatalogues(100, std::chrono::seconds(10)));
  EXPECT_EQ(warmed, 2);
  POLKU_ASSERT_OK(all.Catalogue(kTenant).status());
  POLKU_ASSERT_OK(all.Catalogue("other").status());
  POLKU_ASSERT_OK(all.Recommend(kTenant, kLearner, 5, "en").status());
  EXPECT_EQ(all.catalogue_loads(), 2);

  // Out of time before the first: nothing is loaded.
  Engine none(store_.get(), &clock_, EngineConfig());
  POLKU_ASSERT_OK_AND_ASSIGN(
      warmed, none.WarmCatalogues(100, std::chrono::milliseconds(0)));
  EXPECT_EQ(warmed, 0);
  EXPECT_EQ(none.catalogue_loads(), 0);
}

TEST_F(EngineTest, ADismissedRecommendationStaysAwayForItsWindow) {
  Ingest({Event("e1", 0, model::Verb::kCompleted, model::ObjectType::kCourse,
                "c-lead")});
  clock_.Set(kT0 + 1 * kDayMs);
  auto first = engine_->Recommend(kTenant, kLearner, 10, "en");
  ASSERT_TRUE(first.ok()) << first.status();
  // Dismiss the path's next step: it stays a candidate for as long as the
  // learner is on the path, so only the dismissal keeps it away.
  const learning::Recommendation* next = nullptr;
  for (const auto& r : first->items) {
    if (r.kind == learning::NudgeKind::kContinuePath) next = &r;
  }
  ASSERT_NE(next, nullptr);
  const learning::Recommendation dismissed = *next;
  POLKU_ASSERT_OK(engine_
                      ->RecordFeedback(kTenant, kLearner,
                                       dismissed.recommendation_id,
                                       store::FeedbackOutcome::kDismissed, 0)
                      .status());
  // Within the 30-day window, on later days too, it does not come back.
  for (int day : {1, 2, 15, 30}) {
    clock_.Set(kT0 + day * kDayMs);
    EXPECT_THAT(Targets(), Not(Contains(dismissed.target_id))) << day;
  }
  // After the window it may be offered again.
  clock_.Set(kT0 + 33 * kDayMs);
  EXPECT_THAT(Targets(), Contains(dismissed.target_id));
}

TEST_F(EngineTest, AHiddenActivityIsNeverRecommended) {
  Ingest({Event("e1", 0, model::Verb::kCompleted, model::ObjectType::kCourse,
                "c-lead")});
  clock_.Set(kT0 + kDayMs);
  ASSERT_THAT(Targets(), Contains("com-lead"));
  learning::Activity hidden = MakeActivity(
      "com-lead", model::ObjectType::kCommunity, model::Mode::kSelfDirected);
  hidden.visible = false;
  POLKU_ASSERT_OK(engine_->UpsertActivities(kTenant, {hidden}));
  EXPECT_THAT(Targets(), Not(Contains("com-lead")));
  // Not as a path step either: the path goes on with its next visible
  // step only once the hidden one is done; nothing else offers it.
  for (int k = 1; k <= 10; ++k) {
    EXPECT_THAT(Targets(k), Not(Contains("com-lead")));
  }
}

TEST_F(EngineTest, FeedbackNeedsARecommendationServedToThatLearner) {
  EXPECT_THAT(engine_
                  ->RecordFeedback(kTenant, kLearner, "no-such-id",
                                   store::FeedbackOutcome::kAccepted, 0)
                  .status(),
              polku::testing::StatusIs(absl::StatusCode::kNotFound,
                                       HasSubstr("recommendation_id")));
  auto out = engine_->Recommend(kTenant, kLearner, 5, "en");
  ASSERT_TRUE(out.ok());
  ASSERT_FALSE(out->items.empty());
  EXPECT_THAT(engine_
                  ->RecordFeedback(kTenant, "someone-else",
                                   out->items[0].recommendation_id,
                                   store::FeedbackOutcome::kAccepted, 0)
                  .status(),
              polku::testing::StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(
      engine_
          ->RecordFeedback(kTenant, kLearner, out->items[0].recommendation_id,
                           store::FeedbackOutcome::kUnspecified, 0)
          .status(),
      polku::testing::StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr("outcome")));
  auto kind = engine_->RecordFeedback(kTenant, kLearner,
                                      out->items[0].recommendation_id,
                                      store::FeedbackOutcome::kAccepted, 0);
  ASSERT_TRUE(kind.ok()) << kind.status();
  EXPECT_EQ(*kind, out->items[0].kind);
  auto arms = store_->GetBandit(kTenant);
  ASSERT_TRUE(arms.ok());
  double successes = 0;
  for (const auto& a : *arms) successes += a.successes;
  EXPECT_EQ(successes, 1);
}

TEST_F(EngineTest, OptOutStopsRecommendationsAndProfileUpdatesUntilLifted) {
  Ingest({Event("e1", 0, model::Verb::kCompleted, model::ObjectType::kCourse,
                "c-lead")});
  POLKU_ASSERT_OK(store_->SetOptOut(kTenant, kLearner, true, kT0));
  auto none = engine_->Recommend(kTenant, kLearner, 5, "en");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->items.empty());
  EXPECT_EQ(none->segment, "opted_out");
  Ingest({Event("e2", 1, model::Verb::kReplied, model::ObjectType::kDiscussion,
                "forum")});
  EXPECT_EQ(engine_->LearnerProfile(kTenant, kLearner, "en")->event_count, 1);
  POLKU_ASSERT_OK(store_->SetOptOut(kTenant, kLearner, false, kT0));
  Ingest({Event("e3", 2, model::Verb::kReplied, model::ObjectType::kDiscussion,
                "forum")});
  EXPECT_EQ(engine_->LearnerProfile(kTenant, kLearner, "en")->event_count, 2);
  EXPECT_FALSE(Targets().empty());
}

TEST_F(EngineTest, AfterErasureNothingIsLeftAndAResendStoresNothing) {
  std::vector<model::LearningEvent> events = {
      Event("e1", 0, model::Verb::kCompleted, model::ObjectType::kCourse,
            "c-lead"),
      Event("e2", 1, model::Verb::kViewed, model::ObjectType::kCommunity,
            "com-lead")};
  Ingest(events);
  auto out = engine_->Recommend(kTenant, kLearner, 5, "en");
  ASSERT_TRUE(out.ok());
  ASSERT_FALSE(out->items.empty());
  ASSERT_TRUE(engine_
                  ->RecordFeedback(kTenant, kLearner,
                                   out->items[0].recommendation_id,
                                   store::FeedbackOutcome::kAccepted, 0)
                  .ok());
  auto erased = store_->EraseLearner(kTenant, kLearner, kT0 + 2 * kDayMs);
  ASSERT_TRUE(erased.ok());
  EXPECT_EQ(*erased, 2);
  auto state = store_->ExportLearnerState(kTenant, kLearner);
  ASSERT_TRUE(state.ok());
  EXPECT_FALSE(state->profile.has_value());
  EXPECT_TRUE(state->activities.empty());
  EXPECT_TRUE(state->served.empty());
  EXPECT_TRUE(state->feedback.empty());
  EXPECT_TRUE(state->weeks.empty());
  // The bandit no longer counts the learner's acceptance.
  auto arms = store_->GetBandit(kTenant);
  ASSERT_TRUE(arms.ok());
  for (const auto& a : *arms) EXPECT_EQ(a.successes, 0) << a.kind;
  // A resend is acknowledged and stores nothing, profiles nothing.
  for (const auto& r : Ingest(events)) {
    EXPECT_EQ(r.outcome, ingest::Outcome::kErased);
  }
  EXPECT_TRUE(store_->ListByLearner(kTenant, kLearner, 100)->empty());
  EXPECT_FALSE(store_->GetProfile(kTenant, kLearner)->has_value());
}

TEST_F(EngineTest, PathsNamingUnknownActivitiesAreRefused) {
  learning::LearningPath path;
  path.id = "p-bad";
  path.steps = {{"c-lead", model::Mode::kStructured, {}, false},
                {"nope", model::Mode::kSelfDirected, {}, false}};
  EXPECT_THAT(
      engine_->UpsertPaths(kTenant, {path}),
      polku::testing::StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr("paths[0].steps[1].activity_id")));
  // Another tenant does not see acme's activities either.
  learning::LearningPath ok;
  ok.id = "p";
  ok.steps = {{"c-lead", model::Mode::kStructured, {}, false}};
  EXPECT_THAT(engine_->UpsertPaths("other-tenant", {ok}),
              polku::testing::StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(EngineTest, OverviewHidesGroupsBelowK) {
  // Three learners in sales (k = 3): shown. One in legal: hidden.
  std::vector<model::LearningEvent> events;
  for (int i = 0; i < 3; ++i) {
    events.push_back(Event(common::StrCat("s", i), 0, model::Verb::kCompleted,
                           model::ObjectType::kCourse, "c-lead",
                           common::StrCat("sales-", i)));
  }
  model::LearningEvent legal =
      Event("l0", 0, model::Verb::kCompleted, model::ObjectType::kCourse,
            "c-lead", "legal-0");
  legal.learner.org_unit = "legal";
  events.push_back(legal);
  Ingest(events);
  clock_.Set(kT0 + kDayMs);
  auto all = engine_->OrgOverview(kTenant, "", 4);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->total.learners, 4);
  ASSERT_EQ(all->units.size(), 2u);
  EXPECT_EQ(all->units[0].name, "legal");
  EXPECT_TRUE(all->units[0].suppressed);
  EXPECT_FALSE(all->units[1].suppressed);
  auto legal_only = engine_->OrgOverview(kTenant, "legal", 4);
  ASSERT_TRUE(legal_only.ok());
  EXPECT_TRUE(legal_only->total.suppressed);
  EXPECT_THAT(engine_->OrgOverview(kTenant, "", 500).status(),
              polku::testing::StatusIs(absl::StatusCode::kInvalidArgument,
                                       HasSubstr("weeks")));
}

}  // namespace
}  // namespace polku::engine
