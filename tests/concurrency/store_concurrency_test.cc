// Concurrency tests of the core: the SQLite store (group commit, readers
// during writes, erasure, catalogue, feedback and bandit arms) and the
// Engine (recommendations and its catalogue cache) driven from many threads
// at once. Each test checks that the results add up, not only that nothing
// crashed. They run in the ASan+UBSan suite and, in the tsan preset, under
// ThreadSanitizer (README "Sanitizers"), where races are what they look for.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/status_matchers.h"
#include "common/str_cat.h"
#include "engine/engine.h"
#include "learning/profile.h"
#include "learning/test_support.h"
#include "store/sqlite_event_store.h"

namespace polku::store {
namespace {

using common::StrCat;
using learning::testing::kDayMs;
using learning::testing::kT0;

constexpr char kTenant[] = "acme";
constexpr int kThreads = 6;
constexpr int kLearners = 5;

std::string Learner(int n) { return StrCat("https://lms.example|", n); }

// Runs `fn(i)` on `n` threads at once and joins them.
template <typename Fn>
void RunThreads(int n, Fn fn) {
  std::vector<std::thread> threads;
  threads.reserve(n);
  for (int i = 0; i < n; ++i) threads.emplace_back(fn, i);
  for (std::thread& t : threads) t.join();
}

// An event of `learner` about `object`, tagged by the default rules,
// with its profile delta (as the Ingestor builds it).
EventRecord Record(const std::string& id, const std::string& learner,
                   int object, int day) {
  model::LearningEvent e;
  e.event_id = id;
  e.source.platform = model::Platform::kNative;
  e.occurred_at_ms = kT0 + day * kDayMs;
  e.learner.key = learner;
  e.initiator = model::Initiator::kSelf;
  e.verb = object % 3 == 0 ? model::Verb::kCompleted : model::Verb::kViewed;
  e.object.type = model::ObjectType::kCourse;
  e.object.id = StrCat("course-", object);
  const model::EventTags tags = learning::testing::DefaultTagger().Tag(e);
  EventRecord r = MakeRecord(kTenant, e, tags, e.occurred_at_ms + 1000);
  r.delta = std::make_shared<const learning::ProfileDelta>(
      learning::MakeDelta(learning::ProfileConfig(), e, tags));
  return r;
}

// A catalogue activity.
learning::Activity MakeActivity(std::string id, model::ObjectType type,
                                model::Mode mode) {
  learning::Activity a;
  a.id = std::move(id);
  a.title = StrCat("Title of ", a.id);
  a.url = "https://lms.example/activity";
  a.type = type;
  a.mode = mode;
  return a;
}

// Counts a thread out when it ends, even through a failed ASSERT, so the
// threads waiting for it do not wait forever.
class CountDownOnExit {
 public:
  explicit CountDownOnExit(std::atomic<int>* left) : left_(left) {}
  ~CountDownOnExit() { --*left_; }

 private:
  std::atomic<int>* left_;
};

class StoreConcurrencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::path(::testing::TempDir()) /
        StrCat("store_concurrency_",
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    SqliteEventStore::Options options;
    options.durability = durability_;
    // Checkpoints run beside the commits and reads, on the checkpoint
    // thread and, when it falls behind, on the writer.
    options.checkpoint_pages = 16;
    // And the writer writes the held event ids to event_ids every 32 new
    // events, between the groups, while readers look ids up.
    options.merge_ids_at = 32;
    options.on_commit = [this](const CommitStats& stats) {
      committed_records_ += stats.records;
      committed_requests_ += stats.requests;
      ++commits_;
    };
    auto store = SqliteEventStore::Open((dir_ / "polku.db").string(), options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }
  void TearDown() override {
    if (store_ != nullptr) store_->Close().IgnoreError();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Appends `records` and counts the outcomes.
  void AppendCounting(const std::vector<EventRecord>& records,
                      std::map<WriteOutcome, int>* counts) {
    auto outcomes = store_->Append(records);
    ASSERT_TRUE(outcomes.ok()) << outcomes.status();
    ASSERT_EQ(outcomes->size(), records.size());
    for (WriteOutcome o : *outcomes) ++(*counts)[o];
  }

  // Appends from kThreads threads at once; checks that each record was
  // accepted once, is held once and was projected.
  void AppendFromAllThreadsAndCheck();

  // Group commit is the same at either durability; NORMAL spares the
  // fsyncs, which would only make the tests slow. FULL adds the WAL sync
  // pipelined behind the commits (StoreConcurrencyFullSyncTest).
  SqliteEventStore::Durability durability_ =
      SqliteEventStore::Durability::kNormal;
  std::filesystem::path dir_;
  std::unique_ptr<SqliteEventStore> store_;
  std::atomic<size_t> committed_records_{0};
  std::atomic<size_t> committed_requests_{0};
  std::atomic<size_t> commits_{0};
};

// The records thread `t` appends in call `call` of a writer (kBatch each).
constexpr int kCalls = 12;
constexpr int kBatch = 4;
std::vector<EventRecord> WriterBatch(int t, int call) {
  std::vector<EventRecord> batch;
  for (int j = 0; j < kBatch; ++j) {
    // Spread each learner's events over the threads, so that every group
    // commit projects several learners and each learner is projected from
    // several threads.
    const int learner = (t + call + j) % kLearners;
    batch.push_back(Record(StrCat("ev-", t, "-", call, "-", j),
                           Learner(learner), call + j,
                           /*day=*/call));
  }
  return batch;
}

void StoreConcurrencyTest::AppendFromAllThreadsAndCheck() {
  std::vector<std::map<WriteOutcome, int>> first(kThreads);
  RunThreads(kThreads, [&](int t) {
    for (int call = 0; call < kCalls; ++call) {
      AppendCounting(WriterBatch(t, call), &first[t]);
    }
  });
  const int total = kThreads * kCalls * kBatch;
  int accepted = 0;
  for (auto& counts : first) accepted += counts[WriteOutcome::kAccepted];
  EXPECT_EQ(accepted, total);
  EXPECT_EQ(committed_records_.load(), static_cast<size_t>(total));
  EXPECT_EQ(committed_requests_.load(), static_cast<size_t>(kThreads * kCalls));
  EXPECT_LE(commits_.load(), static_cast<size_t>(kThreads * kCalls));
  POLKU_ASSERT_OK_AND_ASSIGN(int64_t count, store_->Count(kTenant));
  EXPECT_EQ(count, total);

  // Every event is held once, under its learner, and every one of them was
  // projected into the learner's activity states.
  int listed = 0;
  for (int l = 0; l < kLearners; ++l) {
    POLKU_ASSERT_OK_AND_ASSIGN(
        auto events, store_->ListByLearner(kTenant, Learner(l), 1000));
    listed += static_cast<int>(events.size());
    POLKU_ASSERT_OK_AND_ASSIGN(auto states,
                               store_->GetActivityStates(kTenant, Learner(l)));
    int64_t projected = 0;
    for (const ActivityState& s : states) projected += s.events;
    EXPECT_EQ(projected, static_cast<int64_t>(events.size())) << Learner(l);
  }
  EXPECT_EQ(listed, total);
}

TEST_F(StoreConcurrencyTest, AppendsFromManyThreadsAreAllCommittedOnce) {
  AppendFromAllThreadsAndCheck();
  const int total = kThreads * kCalls * kBatch;
  std::vector<std::map<WriteOutcome, int>> again(kThreads);
  // The same records again, from the same threads at once: all duplicates.
  RunThreads(kThreads, [&](int t) {
    for (int call = 0; call < kCalls; ++call) {
      AppendCounting(WriterBatch(t, call), &again[t]);
    }
  });
  int duplicates = 0;
  for (auto& counts : again) duplicates += counts[WriteOutcome::kDuplicate];
  EXPECT_EQ(duplicates, total);
  POLKU_ASSERT_OK_AND_ASSIGN(int64_t count, store_->Count(kTenant));
  EXPECT_EQ(count, total);
}

TEST_F(StoreConcurrencyTest, AcknowledgedIdsAreFoundWhileTheirPassesRun) {
  std::mutex mu;
  std::vector<std::string> acknowledged;
  std::atomic<bool> done{false};
  std::atomic<int> lookups{0};
  std::atomic<int> missed{0};
  // A reader looks up ids already acknowledged, while the writer moves
  // them from memory to event_ids: each must be found every time.
  std::thread reader([&] {
    size_t next = 0;
    while (!done.load()) {
      std::string id;
      {
        std::lock_guard<std::mutex> lock(mu);
        if (!acknowledged.empty()) {
          id = acknowledged[next++ % acknowledged.size()];
        }
      }
      if (id.empty()) {
        std::this_thread::yield();
        continue;
      }
      auto got = store_->Get(kTenant, id);
      ++lookups;
      if (!got.ok() || !got->has_value()) ++missed;
    }
  });
  RunThreads(kThreads, [&](int t) {
    for (int call = 0; call < kCalls; ++call) {
      const std::vector<EventRecord> batch = WriterBatch(t, call);
      auto outcomes = store_->Append(batch);
      ASSERT_TRUE(outcomes.ok()) << outcomes.status();
      std::lock_guard<std::mutex> lock(mu);
      for (const EventRecord& r : batch) acknowledged.push_back(r.event_id);
    }
  });
  done = true;
  reader.join();
  EXPECT_GT(lookups.load(), 0);
  EXPECT_EQ(missed.load(), 0);
  const int total = kThreads * kCalls * kBatch;
  EXPECT_GE(store_->stats().event_id_passes, total / 32 / 2);
  POLKU_ASSERT_OK_AND_ASSIGN(int64_t count, store_->Count(kTenant));
  EXPECT_EQ(count, total);
}

// At kFull a group's callers are woken by the thread that syncs the WAL,
// not by the writer; every Append still returns once, with its outcomes.
class StoreConcurrencyFullSyncTest : public StoreConcurrencyTest {
 protected:
  void SetUp() override {
    durability_ = SqliteEventStore::Durability::kFull;
    StoreConcurrencyTest::SetUp();
  }
};

TEST_F(StoreConcurrencyFullSyncTest, AppendsReturnOnceSyncedAndAreAllThere) {
  AppendFromAllThreadsAndCheck();
  // Closing waits for the last sync; reopened, everything is there.
  POLKU_ASSERT_OK(store_->Close());
  store_.reset();
  auto reopened = SqliteEventStore::Open((dir_ / "polku.db").string());
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  POLKU_ASSERT_OK_AND_ASSIGN(int64_t count, (*reopened)->Count(kTenant));
  EXPECT_EQ(count, kThreads * kCalls * kBatch);
}

TEST_F(StoreConcurrencyTest, ReadersSeeOnlyWholeCommitsDuringWrites) {
  std::atomic<int> writers_left{kThreads};
  std::atomic<int> reads{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&, r] {
      size_t last_listed = 0;
      size_t last_profiles = 0;
      do {
        POLKU_ASSERT_OK_AND_ASSIGN(
            auto events, store_->ListByLearner(kTenant, Learner(r), 1000));
        // Nothing is ever removed here, so a later read sees at least as
        // much as an earlier one.
        EXPECT_GE(events.size(), last_listed);
        last_listed = events.size();
        POLKU_ASSERT_OK_AND_ASSIGN(auto profile,
                                   store_->GetProfile(kTenant, Learner(r)));
        if (profile.has_value()) {
          EXPECT_LE(profile->first_event_ms, profile->last_event_ms);
        }
        std::vector<std::string> keys;
        POLKU_ASSERT_OK(store_->ForEachProfile(
            kTenant, "",
            [&keys](std::string_view key, const learning::Profile&) {
              keys.emplace_back(key);
            }));
        // In learner-key order, each learner once.
        EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
        EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()).size(),
                  keys.size());
        EXPECT_GE(keys.size(), last_profiles);
        EXPECT_LE(keys.size(), static_cast<size_t>(kLearners));
        last_profiles = keys.size();
        ++reads;
      } while (writers_left.load() > 0);
    });
  }
  std::vector<std::map<WriteOutcome, int>> counts(kThreads);
  std::vector<std::vector<EventRecord>> written(kThreads);
  RunThreads(kThreads, [&](int t) {
    CountDownOnExit done(&writers_left);
    for (int call = 0; call < kCalls; ++call) {
      std::vector<EventRecord> batch = WriterBatch(t, call);
      AppendCounting(batch, &counts[t]);
      written[t].insert(written[t].end(), batch.begin(), batch.end());
    }
  });
  for (std::thread& t : readers) t.join();
  EXPECT_GE(reads.load(), 3);

  // Each profile is the sum of its learner's events, whichever thread and
  // group commit brought them (Profile::Add is commutative).
  std::map<std::string, learning::Profile> want;
  for (const auto& records : written) {
    for (const EventRecord& r : records) want[r.learner_key].Add(*r.delta);
  }
  ASSERT_EQ(want.size(), static_cast<size_t>(kLearners));
  for (const auto& [learner, expected] : want) {
    POLKU_ASSERT_OK_AND_ASSIGN(auto got, store_->GetProfile(kTenant, learner));
    ASSERT_TRUE(got.has_value()) << learner;
    EXPECT_EQ(got->first_event_ms, expected.first_event_ms) << learner;
    EXPECT_EQ(got->last_event_ms, expected.last_event_ms) << learner;
    for (size_t d = 0; d < model::kDimensionCount; ++d) {
      EXPECT_NEAR(got->sums.weight_sum[d], expected.sums.weight_sum[d], 1e-6)
          << learner << " dimension " << d;
      EXPECT_NEAR(got->sums.score_sum[d], expected.sums.score_sum[d], 1e-6)
          << learner << " dimension " << d;
    }
  }
}

TEST_F(StoreConcurrencyTest, EraseRacingAppendsLeavesNothingOfTheLearner) {
  const std::string victim = Learner(1);
  const std::string bystander = Learner(2);
  constexpr int kAppenders = 4;
  constexpr int kEach = 15;
  std::atomic<int> victim_accepted{0};
  std::atomic<int> appenders_left{kAppenders};
  std::atomic<bool> erased{false};
  std::vector<std::map<WriteOutcome, int>> victim_counts(kAppenders + 1);
  std::vector<std::map<WriteOutcome, int>> bystander_counts(kAppenders + 1);
  int64_t erased_count = -1;
  RunThreads(kAppenders + 1, [&](int t) {
    if (t == kAppenders) {
      // The eraser: once some of the victim's events are in, while the
      // appenders go on.
      while (victim_accepted.load() < kEach && appenders_left.load() > 0) {
        std::this_thread::yield();
      }
      auto n = store_->EraseLearner(kTenant, victim, kT0 + 30 * kDayMs);
      erased = true;  // committed (or failed): the appenders go on
      ASSERT_TRUE(n.ok()) << n.status();
      erased_count = *n;
      return;
    }
    CountDownOnExit done(&appenders_left);
    auto append = [&](int i) {
      std::map<WriteOutcome, int> before = victim_counts[t];
      AppendCounting({Record(StrCat("v-", t, "-", i), victim, i, i % 20)},
                     &victim_counts[t]);
      if (victim_counts[t][WriteOutcome::kAccepted] >
          before[WriteOutcome::kAccepted]) {
        ++victim_accepted;
      }
      AppendCounting({Record(StrCat("b-", t, "-", i), bystander, i, i % 20)},
                     &bystander_counts[t]);
    };
    for (int i = 0; i < kEach; ++i) append(i);
    // One more after the erasure, which must be refused.
    while (!erased.load()) std::this_thread::yield();
    append(kEach);
  });

  int accepted = 0, refused = 0, bystanders = 0;
  for (auto& c : victim_counts) {
    accepted += c[WriteOutcome::kAccepted];
    refused += c[WriteOutcome::kErased];
    EXPECT_EQ(c[WriteOutcome::kDuplicate] + c[WriteOutcome::kConflict], 0);
  }
  for (auto& c : bystander_counts) bystanders += c[WriteOutcome::kAccepted];
  // Every append of the victim was either stored before the erasure (and
  // then erased by it) or refused after it.
  EXPECT_EQ(accepted + refused, kAppenders * (kEach + 1));
  EXPECT_GE(refused, kAppenders);
  EXPECT_EQ(erased_count, accepted);
  POLKU_ASSERT_OK_AND_ASSIGN(auto left,
                             store_->ListByLearner(kTenant, victim, 1000));
  EXPECT_TRUE(left.empty());
  POLKU_ASSERT_OK_AND_ASSIGN(auto profile, store_->GetProfile(kTenant, victim));
  EXPECT_FALSE(profile.has_value());
  POLKU_ASSERT_OK_AND_ASSIGN(auto states,
                             store_->GetActivityStates(kTenant, victim));
  EXPECT_TRUE(states.empty());
  // The other learner lost nothing.
  EXPECT_EQ(bystanders, kAppenders * (kEach + 1));
  POLKU_ASSERT_OK_AND_ASSIGN(auto kept,
                             store_->ListByLearner(kTenant, bystander, 1000));
  EXPECT_EQ(kept.size(), static_cast<size_t>(bystanders));
  POLKU_ASSERT_OK_AND_ASSIGN(int64_t count, store_->Count(kTenant));
  EXPECT_EQ(count, bystanders);
}

TEST_F(StoreConcurrencyTest, CatalogueUpsertsRacingLoadsAreAllOrNothing) {
  constexpr int kWriters = 3;
  constexpr int kUpserts = 10;
  constexpr int kPerUpsert = 5;
  std::atomic<int> writers_left{kWriters};
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&] {
      size_t last_size = 0;
      int64_t last_version = 0;
      do {
        POLKU_ASSERT_OK_AND_ASSIGN(int64_t version,
                                   store_->CatalogueVersion(kTenant));
        POLKU_ASSERT_OK_AND_ASSIGN(learning::CatalogueFile file,
                                   store_->LoadCatalogue(kTenant));
        // Whole upserts only, and never fewer than seen before.
        EXPECT_EQ(file.activities.size() % kPerUpsert, 0u);
        EXPECT_GE(file.activities.size(), last_size);
        EXPECT_GE(version, last_version);
        last_size = file.activities.size();
        last_version = version;
      } while (writers_left.load() > 0);
    });
  }
  RunThreads(kWriters, [&](int t) {
    CountDownOnExit done(&writers_left);
    for (int u = 0; u < kUpserts; ++u) {
      std::vector<learning::Activity> batch;
      for (int j = 0; j < kPerUpsert; ++j) {
        batch.push_back(MakeActivity(StrCat("act-", t, "-", u, "-", j),
                                     model::ObjectType::kCourse,
                                     model::Mode::kStructured));
      }
      POLKU_ASSERT_OK(store_->UpsertActivities(kTenant, batch));
    }
  });
  for (std::thread& t : readers) t.join();
  POLKU_ASSERT_OK_AND_ASSIGN(learning::CatalogueFile file,
                             store_->LoadCatalogue(kTenant));
  EXPECT_EQ(file.activities.size(),
            static_cast<size_t>(kWriters * kUpserts * kPerUpsert));
}

TEST_F(StoreConcurrencyTest, FeedbackFromManyThreadsAddsUpInTheBanditArms) {
  const std::vector<std::string> segments = {"below", "within", "above"};
  const std::vector<std::string> kinds = {"CONTINUE_PATH", "EXPLORE_MODE"};
  constexpr int kServed = 36;
  std::vector<ServedRecommendation> served;
  for (int n = 0; n < kServed; ++n) {
    ServedRecommendation s;
    s.recommendation_id = StrCat("rec-", n);
    s.learner_key = Learner(n % kLearners);
    s.kind = kinds[n % kinds.size()];
    s.target_id = StrCat("course-", n);
    s.segment = segments[(n / kinds.size()) % segments.size()];
    s.position = n % 5;
    s.served_ms = kT0;
    served.push_back(std::move(s));
  }
  POLKU_ASSERT_OK(store_->RecordServed(kTenant, served));
  // Every outcome of every recommendation, each sent by every thread at
  // once: a resent (id, outcome) must count once.
  auto outcome_of = [](int n) {
    switch (n % 3) {
      case 0:
        return FeedbackOutcome::kAccepted;
      case 1:
        return FeedbackOutcome::kDismissed;
      default:
        return FeedbackOutcome::kCompleted;
    }
  };
  std::atomic<int> writers_left{kThreads};
  std::thread reader([&] {
    double last_total = 0;
    do {
      POLKU_ASSERT_OK_AND_ASSIGN(auto arms, store_->GetBandit(kTenant));
      double total = 0;
      for (const BanditArm& a : arms) {
        total += a.successes + a.failures + static_cast<double>(a.shown);
      }
      EXPECT_GE(total, last_total);
      last_total = total;
    } while (writers_left.load() > 0);
  });
  RunThreads(kThreads, [&](int t) {
    CountDownOnExit done(&writers_left);
    for (int i = 0; i < kServed; ++i) {
      // Each thread starts elsewhere, so the same id is written by several
      // threads at about the same time.
      const ServedRecommendation& s = served[(i + t * 7) % kServed];
      const int n = (i + t * 7) % kServed;
      for (FeedbackOutcome o : {FeedbackOutcome::kShown, outcome_of(n)}) {
        FeedbackRecord f;
        f.recommendation_id = s.recommendation_id;
        f.learner_key = s.learner_key;
        f.outcome = o;
        f.at_ms = kT0 + 1000;
        f.kind = s.kind;
        f.target_id = s.target_id;
        f.segment = s.segment;
        POLKU_ASSERT_OK(store_->RecordFeedback(kTenant, f));
      }
    }
  });
  reader.join();

  struct Want {
    double successes = 0, failures = 0;
    int64_t shown = 0;
  };
  std::map<std::pair<std::string, std::string>, Want> want;
  for (int n = 0; n < kServed; ++n) {
    Want& w = want[{served[n].segment, served[n].kind}];
    ++w.shown;
    if (outcome_of(n) == FeedbackOutcome::kDismissed) {
      ++w.failures;
    } else {
      ++w.successes;
    }
  }
  POLKU_ASSERT_OK_AND_ASSIGN(auto arms, store_->GetBandit(kTenant));
  ASSERT_EQ(arms.size(), want.size());
  for (const BanditArm& a : arms) {
    const Want& w = want[{a.segment, a.kind}];
    EXPECT_EQ(a.shown, w.shown) << a.segment << "/" << a.kind;
    EXPECT_EQ(a.successes, w.successes) << a.segment << "/" << a.kind;
    EXPECT_EQ(a.failures, w.failures) << a.segment << "/" << a.kind;
  }
  int feedback = 0;
  for (int l = 0; l < kLearners; ++l) {
    POLKU_ASSERT_OK_AND_ASSIGN(auto list,
                               store_->ListFeedback(kTenant, Learner(l), 0));
    feedback += static_cast<int>(list.size());
  }
  EXPECT_EQ(feedback, 2 * kServed);
}

// The Engine keeps a per-tenant catalogue cache and writes served
// recommendations and feedback: recommendations for several learners from
// several threads, feedback on them, while the catalogue grows.
TEST_F(StoreConcurrencyTest,
       EngineRecommendsFromManyThreadsWhileCatalogueGrows) {
  common::ManualClock clock(kT0 + 20 * kDayMs);
  engine::EngineConfig config;
  config.recommender.holdout_share = 0;
  engine::Engine engine(store_.get(), &clock, config);
  std::vector<learning::Activity> initial;
  for (int i = 0; i < 12; ++i) {
    initial.push_back(MakeActivity(
        StrCat("course-", i), model::ObjectType::kCourse,
        i % 2 == 0 ? model::Mode::kStructured : model::Mode::kSelfDirected));
  }
  POLKU_ASSERT_OK(engine.UpsertActivities(kTenant, initial));
  std::vector<EventRecord> history;
  for (int l = 0; l < kLearners; ++l) {
    for (int i = 0; i < 4; ++i) {
      history.push_back(
          Record(StrCat("h-", l, "-", i), Learner(l), (l + i) % 12, i));
    }
  }
  POLKU_ASSERT_OK(store_->Append(history).status());

  constexpr int kRecommenders = 4;
  constexpr int kRounds = 6;
  std::atomic<int> growing{1};
  std::mutex mu;
  std::set<std::string> accepted_ids;  // guarded by mu
  std::atomic<int> items{0};
  std::thread grower([&] {
    CountDownOnExit done(&growing);
    for (int b = 0; b < 8; ++b) {
      POLKU_ASSERT_OK(engine.UpsertActivities(
          kTenant,
          {MakeActivity(StrCat("extra-", b), model::ObjectType::kCommunity,
                        model::Mode::kSelfDirected)}));
      // The cache is rebuilt while the recommenders read it.
      POLKU_ASSERT_OK_AND_ASSIGN(auto catalogue, engine.Catalogue(kTenant));
      EXPECT_NE(catalogue->FindActivity(StrCat("extra-", b)), nullptr);
    }
  });
  RunThreads(kRecommenders, [&](int t) {
    for (int round = 0; round < kRounds || growing.load() > 0; ++round) {
      const std::string learner = Learner((t + round) % kLearners);
      auto out = engine.Recommend(kTenant, learner, 5, "en");
      ASSERT_TRUE(out.ok()) << out.status();
      EXPECT_LE(out->items.size(), 5u);
      items += static_cast<int>(out->items.size());
      if (out->items.empty()) continue;
      const learning::Recommendation& first = out->items.front();
      POLKU_ASSERT_OK(
          engine
              .RecordFeedback(kTenant, learner, first.recommendation_id,
                              FeedbackOutcome::kAccepted, clock.NowMillis())
              .status());
      std::lock_guard<std::mutex> lock(mu);
      accepted_ids.insert(first.recommendation_id);
    }
  });
  grower.join();

  EXPECT_GT(items.load(), 0);
  // The engine's cached snapshot caught up with every upsert.
  POLKU_ASSERT_OK_AND_ASSIGN(auto catalogue, engine.Catalogue(kTenant));
  EXPECT_EQ(catalogue->activities().size(), 20u);
  POLKU_ASSERT_OK_AND_ASSIGN(learning::CatalogueFile file,
                             store_->LoadCatalogue(kTenant));
  EXPECT_EQ(file.activities.size(), 20u);
  // Each recommendation accepted once counts once, however many threads
  // accepted it.
  POLKU_ASSERT_OK_AND_ASSIGN(auto arms, store_->GetBandit(kTenant));
  double successes = 0;
  for (const BanditArm& a : arms) successes += a.successes;
  EXPECT_EQ(successes, static_cast<double>(accepted_ids.size()));
}

}  // namespace
}  // namespace polku::store
