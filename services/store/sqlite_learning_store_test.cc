// SqliteEventStore as a LearningStore: the projection at ingest, erasure,
// tenant deletion, the catalogue, served recommendations, feedback, the
// bandit arms, opt-outs, migration from schema 1 and backup/restore.
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <thread>
#include <tuple>

#include "common/status_matchers.h"
#include "gmock/gmock.h"
#include "learning/profile.h"
#include "store/sqlite_backup.h"
#include "store/sqlite_event_store.h"

namespace polku::store {
namespace {

using learning::Profile;
using learning::ProfileDelta;
using model::Dimension;
using model::Verb;
using ::polku::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

constexpr int64_t kDay = 86400000;
constexpr int64_t kMonday2024 = 1704067200000;  // 2024-01-01T00:00Z, a Monday
constexpr int64_t kWeek2024 = 2817;  // weeks from 1970-01-05 to kMonday2024

std::string TempDir() {
  static std::atomic<int> counter{0};
  auto dir = std::filesystem::temp_directory_path() /
             ("polku-learning-store-test-" + std::to_string(getpid())) /
             std::to_string(counter++);
  std::filesystem::create_directories(dir);
  return dir.string();
}
std::string TempDbPath() { return TempDir() + "/polku.db"; }

// What the tagger would say about one event, in a few shapes.
model::EventTags Tags(Verb verb) {
  model::EventTags t;
  auto set = [&](Dimension d, double score, double weight) {
    t.score[static_cast<size_t>(d)] = score;
    t.weight[static_cast<size_t>(d)] = weight;
  };
  switch (verb) {
    case Verb::kReplied:
      t.mode = model::Mode::kSelfDirected;
      set(Dimension::kSocial, 1, 1);
      set(Dimension::kInitiative, 0.8, 0.5);
      break;
    case Verb::kCompleted:
      t.mode = model::Mode::kStructured;
      set(Dimension::kFormat, -1, 1);
      set(Dimension::kInitiative, -0.6, 0.7);
      break;
    default:
      t.mode = model::Mode::kBlended;
      set(Dimension::kFormat, 0.3, 0.2);
      set(Dimension::kOrientation, -0.4, 0.3);
      break;
  }
  return t;
}

struct Made {
  model::LearningEvent event;
  EventRecord record;
};

// A tagged event of `learner` about `object`, with its profile delta.
Made Make(std::string tenant, std::string id, std::string learner,
          std::string object, int64_t at_ms, Verb verb,
          std::string org_unit = "") {
  Made m;
  model::LearningEvent& e = m.event;
  e.event_id = std::move(id);
  e.source.platform = model::Platform::kMoodle;
  e.source.instance = "lms.example";
  e.occurred_at_ms = at_ms;
  e.learner.key = std::move(learner);
  e.learner.org_unit = std::move(org_unit);
  e.verb = verb;
  e.object.type = verb == Verb::kReplied ? model::ObjectType::kDiscussion
                                         : model::ObjectType::kCourse;
  e.object.id = std::move(object);
  const model::EventTags tags = Tags(verb);
  m.record = MakeRecord(tenant, e, tags, at_ms + 1000);
  m.record.delta = std::make_shared<const ProfileDelta>(
      learning::MakeDelta(learning::ProfileConfig(), e, tags));
  return m;
}

EventRecord Rec(std::string tenant, std::string id, std::string learner,
                std::string object, int64_t at_ms, Verb verb = Verb::kViewed,
                std::string org_unit = "") {
  return Make(std::move(tenant), std::move(id), std::move(learner),
              std::move(object), at_ms, verb, std::move(org_unit))
      .record;
}

Profile SumOf(const std::vector<EventRecord>& records) {
  Profile p;
  for (const EventRecord& r : records) p.Add(*r.delta);
  return p;
}

void Near(double got, double want, const char* what) {
  EXPECT_NEAR(got, want, 1e-9 * std::max(1.0, std::fabs(want))) << what;
}

void ExpectSameProfile(const Profile& got, const Profile& want) {
  for (size_t i = 0; i < model::kDimensionCount; ++i) {
    Near(got.sums.score_sum[i], want.sums.score_sum[i], "score_sum");
    Near(got.sums.weight_sum[i], want.sums.weight_sum[i], "weight_sum");
  }
  Near(got.sums.leadership, want.sums.leadership, "leadership");
  Near(got.sums.development, want.sums.development, "development");
  for (size_t i = 0; i < learning::kSignalCount; ++i) {
    Near(got.sums.signals[i], want.sums.signals[i], "signals");
    EXPECT_EQ(got.sums.counts[i], want.sums.counts[i]) << "signal " << i;
    EXPECT_EQ(got.latest[i].at_ms, want.latest[i].at_ms) << "signal " << i;
    EXPECT_EQ(got.latest[i].event_id, want.latest[i].event_id);
    EXPECT_EQ(got.latest[i].object_id, want.latest[i].object_id);
    EXPECT_EQ(got.latest[i].rule_ids, want.latest[i].rule_ids);
  }
  EXPECT_EQ(got.first_event_ms, want.first_event_ms);
  EXPECT_EQ(got.last_event_ms, want.last_event_ms);
  EXPECT_EQ(got.org_unit, want.org_unit);
  EXPECT_EQ(got.role, want.role);
}

std::unique_ptr<SqliteEventStore> OpenStore(const std::string& path) {
  auto store = SqliteEventStore::Open(path);
  EXPECT_TRUE(store.ok()) << store.status();
  return std::move(store).value();
}

std::vector<EventRecord> ThirtyEvents(const std::string& learner) {
  std::vector<EventRecord> v;
  const Verb verbs[] = {Verb::kViewed, Verb::kReplied, Verb::kCompleted};
  for (int i = 0; i < 30; ++i) {
    v.push_back(Rec("t1", "e" + std::to_string(i), learner,
                    "obj" + std::to_string(i % 7),
                    kMonday2024 + (i * 37 % 30) * kDay + i, verbs[i % 3],
                    i % 4 == 0 ? "unit-" + std::to_string(i % 3) : ""));
  }
  return v;
}

TEST(SqliteLearningStore, ProfileIsTheSumOfDeltasInAnyArrivalOrder) {
  const std::vector<EventRecord> events = ThirtyEvents("lms#1");
  const Profile want = SumOf(events);
  std::mt19937 rng(7);
  for (int round = 0; round < 3; ++round) {
    std::vector<EventRecord> shuffled = events;
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    auto store = OpenStore(TempDbPath());
    // Batches of varying size, so some deltas meet in one group commit.
    size_t i = 0;
    while (i < shuffled.size()) {
      size_t n = std::min<size_t>(1 + rng() % 6, shuffled.size() - i);
      POLKU_ASSERT_OK(
          store->Append(absl::MakeConstSpan(shuffled).subspan(i, n)));
      i += n;
    }
    POLKU_ASSERT_OK_AND_ASSIGN(auto got, store->GetProfile("t1", "lms#1"));
    ASSERT_TRUE(got.has_value());
    ExpectSameProfile(*got, want);
    EXPECT_EQ(got->sums.counts[0], 30);
  }
}

TEST(SqliteLearningStore, ASmallLearnerCacheGivesTheSameProfiles) {
  SqliteEventStore::Options options;
  options.learner_cache_size = 2;  // most groups evict
  POLKU_ASSERT_OK_AND_ASSIGN(auto store,
                             SqliteEventStore::Open(TempDbPath(), options));
  std::vector<EventRecord> all;
  for (int l = 0; l < 6; ++l) {
    for (EventRecord& r : ThirtyEvents("L" + std::to_string(l))) {
      r.event_id += "-" + std::to_string(l);
      all.push_back(std::move(r));
    }
  }
  std::mt19937 rng(3);
  std::shuffle(all.begin(), all.end(), rng);
  for (size_t i = 0; i < all.size(); i += 5) {
    POLKU_ASSERT_OK(store->Append(absl::MakeConstSpan(all).subspan(
        i, std::min<size_t>(5, all.size() - i))));
  }
  for (int l = 0; l < 6; ++l) {
    const std::string key = "L" + std::to_string(l);
    std::vector<EventRecord> mine;
    for (const EventRecord& r : all) {
      if (r.learner_key == key) mine.push_back(r);
    }
    POLKU_ASSERT_OK_AND_ASSIGN(auto got, store->GetProfile("t1", key));
    ASSERT_TRUE(got.has_value());
    ExpectSameProfile(*got, SumOf(mine));
    EXPECT_EQ(got->sums.counts[0], 30);
  }
}

TEST(SqliteLearningStore, ConcurrentAppendsOfOneLearnerAllCount) {
  auto store = OpenStore(TempDbPath());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&store, t] {
      for (int i = 0; i < 25; ++i) {
        std::string id = "e" + std::to_string(t) + "-" + std::to_string(i);
        auto r = store->Append(
            {Rec("t1", id, "lms#1", "o" + std::to_string(i), kMonday2024 + i)});
        EXPECT_TRUE(r.ok()) << r.status();
      }
    });
  }
  for (auto& t : threads) t.join();
  POLKU_ASSERT_OK_AND_ASSIGN(auto got, store->GetProfile("t1", "lms#1"));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->sums.counts[0], 100);
  POLKU_ASSERT_OK_AND_ASSIGN(auto states,
                             store->GetActivityStates("t1", "lms#1"));
  ASSERT_EQ(states.size(), 25u);
  for (const ActivityState& s : states) EXPECT_EQ(s.events, 4);
}

TEST(SqliteLearningStore, DuplicateAndConflictDoNotChangeTheProjection) {
  auto store = OpenStore(TempDbPath());
  std::vector<EventRecord> first = {
      Rec("t1", "e1", "lms#1", "x", kMonday2024, Verb::kCompleted),
      Rec("t1", "e2", "lms#1", "y", kMonday2024 + kDay, Verb::kReplied)};
  POLKU_ASSERT_OK(store->Append(first));
  POLKU_ASSERT_OK_AND_ASSIGN(auto before, store->GetProfile("t1", "lms#1"));
  POLKU_ASSERT_OK_AND_ASSIGN(auto before_states,
                             store->GetActivityStates("t1", "lms#1"));

  // The same id again, and the same id with other content (another verb,
  // another object, another time): neither may count.
  EventRecord conflict =
      Rec("t1", "e1", "lms#1", "z", kMonday2024 + 5 * kDay, Verb::kReplied);
  ASSERT_NE(conflict.content_hash, first[0].content_hash);
  POLKU_ASSERT_OK_AND_ASSIGN(auto outcomes,
                             store->Append({first[0], conflict, first[1]}));
  EXPECT_THAT(outcomes,
              ElementsAre(WriteOutcome::kDuplicate, WriteOutcome::kConflict,
                          WriteOutcome::kDuplicate));
  POLKU_ASSERT_OK_AND_ASSIGN(auto after, store->GetProfile("t1", "lms#1"));
  ASSERT_TRUE(after.has_value());
  ExpectSameProfile(*after, *before);
  EXPECT_EQ(after->sums.counts[0], 2);
  POLKU_ASSERT_OK_AND_ASSIGN(auto after_states,
                             store->GetActivityStates("t1", "lms#1"));
  ASSERT_EQ(after_states.size(), before_states.size());
  for (size_t i = 0; i < after_states.size(); ++i) {
    EXPECT_EQ(after_states[i].object_id, before_states[i].object_id);
    EXPECT_EQ(after_states[i].events, 1);
  }
  POLKU_ASSERT_OK_AND_ASSIGN(auto weeks, store->ListWeeks("t1", "", 0));
  ASSERT_EQ(weeks.size(), 1u);
  EXPECT_EQ(weeks[0].events, 2);
}

TEST(SqliteLearningStore, RecordsWithoutADeltaAreNotProfiled) {
  auto store = OpenStore(TempDbPath());
  EventRecord r = Rec("t1", "e1", "lms#1", "x", kMonday2024);
  r.delta = nullptr;
  POLKU_ASSERT_OK(store->Append({r}));
  EXPECT_EQ(*store->Count("t1"), 1);
  POLKU_ASSERT_OK_AND_ASSIGN(auto profile, store->GetProfile("t1", "lms#1"));
  EXPECT_FALSE(profile.has_value());
  EXPECT_THAT(*store->GetActivityStates("t1", "lms#1"), IsEmpty());
}

TEST(SqliteLearningStore, ProfileSurvivesReopen) {
  const std::string path = TempDbPath();
  const std::vector<EventRecord> events = ThirtyEvents("lms#1");
  {
    auto store = OpenStore(path);
    POLKU_ASSERT_OK(store->Append(events));
    POLKU_ASSERT_OK(store->Close());
  }
  auto store = OpenStore(path);
  POLKU_ASSERT_OK_AND_ASSIGN(auto got, store->GetProfile("t1", "lms#1"));
  ASSERT_TRUE(got.has_value());
  ExpectSameProfile(*got, SumOf(events));
  // And it keeps adding up after the reopen.
  EventRecord more = Rec("t1", "late", "lms#1", "obj1", kMonday2024 + 90 * kDay,
                         Verb::kCompleted);
  POLKU_ASSERT_OK(store->Append({more}));
  std::vector<EventRecord> all = events;
  all.push_back(more);
  POLKU_ASSERT_OK_AND_ASSIGN(got, store->GetProfile("t1", "lms#1"));
  ExpectSameProfile(*got, SumOf(all));
}

TEST(SqliteLearningStore, OptOutStopsProfilingAndLiftingItResumes) {
  auto store = OpenStore(TempDbPath());
  EventRecord e1 = Rec("t1", "e1", "lms#1", "x", kMonday2024, Verb::kCompleted);
  EventRecord e2 =
      Rec("t1", "e2", "lms#1", "y", kMonday2024 + 1, Verb::kReplied);
  EventRecord e3 = Rec("t1", "e3", "lms#1", "z", kMonday2024 + 2);
  POLKU_ASSERT_OK(store->Append({e1}));
  POLKU_ASSERT_OK(store->SetOptOut("t1", "lms#1", true, 100));
  EXPECT_TRUE(*store->IsOptedOut("t1", "lms#1"));
  EXPECT_FALSE(*store->IsOptedOut("t1", "lms#2"));
  POLKU_ASSERT_OK_AND_ASSIGN(auto outcomes, store->Append({e2}));
  EXPECT_THAT(outcomes, ElementsAre(WriteOutcome::kAccepted));  // stored
  POLKU_ASSERT_OK_AND_ASSIGN(auto profile, store->GetProfile("t1", "lms#1"));
  ASSERT_TRUE(profile.has_value());
  ExpectSameProfile(*profile, SumOf({e1}));
  POLKU_ASSERT_OK_AND_ASSIGN(auto states,
                             store->GetActivityStates("t1", "lms#1"));
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0].object_id, "x");
  EXPECT_THAT(*store->NextActivities("t1", {"x"}, 5), IsEmpty());
  POLKU_ASSERT_OK_AND_ASSIGN(auto state,
                             store->ExportLearnerState("t1", "lms#1"));
  EXPECT_TRUE(state.opted_out);
  ASSERT_EQ(state.weeks.size(), 1u);
  EXPECT_EQ(state.weeks[0].events, 1);

  POLKU_ASSERT_OK(store->SetOptOut("t1", "lms#1", false, 200));
  EXPECT_FALSE(*store->IsOptedOut("t1", "lms#1"));
  POLKU_ASSERT_OK(store->Append({e3}));
  POLKU_ASSERT_OK_AND_ASSIGN(profile, store->GetProfile("t1", "lms#1"));
  ExpectSameProfile(*profile, SumOf({e1, e3}));
  POLKU_ASSERT_OK_AND_ASSIGN(states, store->GetActivityStates("t1", "lms#1"));
  EXPECT_EQ(states.size(), 2u);
}

// Learner A touches x, y, z, then comes back to y and x with completions;
// learner B touches x, y, w.
std::vector<EventRecord> TwoLearners(const std::string& tenant) {
  const int64_t t = kMonday2024;
  return {
      Rec(tenant, "a1", "A", "x", t + 1 * kDay),
      Rec(tenant, "a2", "A", "y", t + 2 * kDay),
      Rec(tenant, "a3", "A", "z", t + 3 * kDay),
      Rec(tenant, "a4", "A", "y", t + 4 * kDay, Verb::kCompleted),
      Rec(tenant, "a5", "A", "x", t + 5 * kDay, Verb::kCompleted),
      Rec(tenant, "b1", "B", "x", t + 1 * kDay),
      Rec(tenant, "b2", "B", "y", t + 2 * kDay),
      Rec(tenant, "b3", "B", "w", t + 3 * kDay),
  };
}

TEST(SqliteLearningStore, ActivityStatesAndFirstTouchTransitions) {
  auto store = OpenStore(TempDbPath());
  POLKU_ASSERT_OK(store->Append(TwoLearners("t1")));
  const int64_t t = kMonday2024;

  POLKU_ASSERT_OK_AND_ASSIGN(auto a, store->GetActivityStates("t1", "A"));
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[0].object_id, "x");
  EXPECT_EQ(a[0].first_ms, t + kDay);
  EXPECT_EQ(a[0].last_ms, t + 5 * kDay);
  EXPECT_EQ(a[0].completed_ms, t + 5 * kDay);
  EXPECT_EQ(a[0].events, 2);
  EXPECT_EQ(a[1].object_id, "y");
  EXPECT_EQ(a[1].completed_ms, t + 4 * kDay);
  EXPECT_EQ(a[1].events, 2);
  EXPECT_EQ(a[2].object_id, "z");
  EXPECT_EQ(a[2].completed_ms, 0);
  EXPECT_EQ(a[2].events, 1);

  // A: x->y, y->z. B: x->y, y->w. Coming back to x and y adds nothing.
  EXPECT_THAT(*store->NextActivities("t1", {"x"}, 5),
              ElementsAre(Pair("y", 2.0)));
  EXPECT_THAT(*store->NextActivities("t1", {"y"}, 5),
              ElementsAre(Pair("w", 1.0), Pair("z", 1.0)));
  EXPECT_THAT(*store->NextActivities("t1", {"x", "y", "x"}, 2),
              ElementsAre(Pair("y", 2.0), Pair("w", 1.0)));
  EXPECT_THAT(*store->NextActivities("t1", {"z"}, 5), IsEmpty());
  EXPECT_THAT(*store->NextActivities("t2", {"x"}, 5), IsEmpty());

  // An earlier completion that arrives late wins; a later one does not.
  POLKU_ASSERT_OK(store->Append(
      {Rec("t1", "a6", "A", "x", t + 3 * kDay, Verb::kCompleted),
       Rec("t1", "a7", "A", "y", t + 9 * kDay, Verb::kCompleted)}));
  POLKU_ASSERT_OK_AND_ASSIGN(a, store->GetActivityStates("t1", "A"));
  EXPECT_EQ(a[0].completed_ms, t + 3 * kDay);
  EXPECT_EQ(a[1].completed_ms, t + 4 * kDay);
  EXPECT_EQ(a[1].last_ms, t + 9 * kDay);

  std::vector<std::pair<std::string, std::vector<std::string>>> sequences;
  POLKU_ASSERT_OK(store->ForEachCompletionSequence(
      "t1", [&](std::string_view learner, const std::vector<std::string>& c) {
        sequences.emplace_back(std::string(learner), c);
      }));
  EXPECT_THAT(sequences, ElementsAre(Pair("A", ElementsAre("x", "y"))));
}

TEST(SqliteLearningStore, PreviousActivityIsTheOneFirstTouchedJustBefore) {
  auto store = OpenStore(TempDbPath());
  // c arrives before b although b happened first: b's predecessor is a.
  POLKU_ASSERT_OK(store->Append({Rec("t1", "1", "C", "a", 10)}));
  POLKU_ASSERT_OK(store->Append({Rec("t1", "2", "C", "c", 30)}));
  POLKU_ASSERT_OK(store->Append({Rec("t1", "3", "C", "b", 20)}));
  EXPECT_THAT(*store->NextActivities("t1", {"a"}, 5),
              ElementsAre(Pair("b", 1.0), Pair("c", 1.0)));
  EXPECT_THAT(*store->NextActivities("t1", {"b"}, 5), IsEmpty());
}

TEST(SqliteLearningStore, LearnerWeeksHoldUndecayedWeightPerWeek) {
  auto store = OpenStore(TempDbPath());
  const int64_t sunday_night = kMonday2024 + 7 * kDay - 1;
  std::vector<EventRecord> week0 = {
      Rec("t1", "1", "A", "x", kMonday2024, Verb::kReplied, "unit-a"),
      Rec("t1", "2", "A", "y", sunday_night, Verb::kCompleted),
  };
  std::vector<EventRecord> week1 = {
      Rec("t1", "3", "A", "y", kMonday2024 + 7 * kDay, Verb::kCompleted),
  };
  EventRecord other = Rec("t1", "4", "B", "x", kMonday2024 + 8 * kDay,
                          Verb::kReplied, "unit-b");
  POLKU_ASSERT_OK(store->Append({week0[1], other}));
  POLKU_ASSERT_OK(store->Append({week1[0], week0[0]}));

  auto undecayed = [](const std::vector<EventRecord>& v, bool leadership) {
    double sum = 0;
    for (const EventRecord& r : v) {
      sum +=
          (leadership ? r.delta->sums.leadership : r.delta->sums.development) /
          r.delta->growth;
    }
    return sum;
  };
  POLKU_ASSERT_OK_AND_ASSIGN(auto all, store->ListWeeks("t1", "", 0));
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].learner_key, "A");
  EXPECT_EQ(all[0].week, kWeek2024);
  EXPECT_EQ(all[0].events, 2);
  EXPECT_EQ(all[0].org_unit, "unit-a");
  Near(all[0].leadership, undecayed(week0, true), "week0 leadership");
  Near(all[0].development, undecayed(week0, false), "week0 development");
  EXPECT_GT(all[0].leadership, 0);
  EXPECT_GT(all[0].development, 0);
  EXPECT_EQ(all[1].learner_key, "A");
  EXPECT_EQ(all[1].week, kWeek2024 + 1);
  Near(all[1].development, undecayed(week1, false), "week1 development");
  EXPECT_EQ(all[2].learner_key, "B");
  EXPECT_EQ(all[2].org_unit, "unit-b");

  POLKU_ASSERT_OK_AND_ASSIGN(auto b, store->ListWeeks("t1", "unit-b", 0));
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].learner_key, "B");
  POLKU_ASSERT_OK_AND_ASSIGN(auto later,
                             store->ListWeeks("t1", "", kWeek2024 + 1));
  EXPECT_EQ(later.size(), 2u);
  EXPECT_THAT(*store->ListWeeks("t2", "", 0), IsEmpty());
}

TEST(SqliteLearningStore, ForEachProfileFiltersByOrgUnitInKeyOrder) {
  auto store = OpenStore(TempDbPath());
  std::vector<EventRecord> records;
  // More learners than one read chunk holds.
  for (int i = 0; i < 1100; ++i) {
    char key[16];
    std::snprintf(key, sizeof(key), "L%04d", i);
    records.push_back(Rec("t1", key, key, "x", kMonday2024 + i, Verb::kViewed,
                          i % 2 == 0 ? "even" : "odd"));
  }
  POLKU_ASSERT_OK(store->Append(records));
  std::vector<std::string> keys;
  POLKU_ASSERT_OK(store->ForEachProfile(
      "t1", "", [&](std::string_view key, const Profile& p) {
        keys.emplace_back(key);
        EXPECT_EQ(p.sums.counts[0], 1);
      }));
  ASSERT_EQ(keys.size(), 1100u);
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
  keys.clear();
  POLKU_ASSERT_OK(store->ForEachProfile(
      "t1", "odd", [&](std::string_view key, const Profile& p) {
        keys.emplace_back(key);
        EXPECT_EQ(p.org_unit, "odd");
      }));
  EXPECT_EQ(keys.size(), 550u);
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
}

ServedRecommendation Served(std::string id, std::string learner,
                            std::string kind, std::string segment) {
  ServedRecommendation s;
  s.recommendation_id = std::move(id);
  s.learner_key = std::move(learner);
  s.kind = std::move(kind);
  s.target_id = "x";
  s.segment = std::move(segment);
  s.position = 1;
  s.score = 0.75;
  s.propensity = 0.5;
  s.holdout = true;
  s.served_ms = 1000;
  return s;
}

FeedbackRecord Feedback(const ServedRecommendation& s, FeedbackOutcome o,
                        int64_t at_ms) {
  FeedbackRecord f;
  f.recommendation_id = s.recommendation_id;
  f.learner_key = s.learner_key;
  f.outcome = o;
  f.at_ms = at_ms;
  f.kind = s.kind;
  f.target_id = s.target_id;
  f.segment = s.segment;
  return f;
}

TEST(SqliteLearningStore, ServedFeedbackAndBanditArms) {
  auto store = OpenStore(TempDbPath());
  ServedRecommendation r1 = Served("r1", "A", "REFLECT", "below");
  ServedRecommendation r2 = Served("r2", "A", "REFLECT", "below");
  ServedRecommendation r3 = Served("r3", "B", "APPLY_AT_WORK", "inside");
  POLKU_ASSERT_OK(store->RecordServed("t1", {r1, r2, r3}));
  POLKU_ASSERT_OK_AND_ASSIGN(auto got, store->GetServed("t1", "r1"));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->learner_key, "A");
  EXPECT_EQ(got->kind, "REFLECT");
  EXPECT_EQ(got->target_id, "x");
  EXPECT_EQ(got->segment, "below");
  EXPECT_EQ(got->position, 1);
  EXPECT_DOUBLE_EQ(got->score, 0.75);
  EXPECT_DOUBLE_EQ(got->propensity, 0.5);
  EXPECT_TRUE(got->holdout);
  EXPECT_EQ(got->served_ms, 1000);
  EXPECT_FALSE(store->GetServed("t1", "nope")->has_value());
  EXPECT_FALSE(store->GetServed("t2", "r1")->has_value());
  // Serving the same id again replaces it.
  r1.position = 0;
  r1.served_ms = 2000;
  POLKU_ASSERT_OK(store->RecordServed("t1", {r1}));
  EXPECT_EQ((*store->GetServed("t1", "r1"))->position, 0);
  EXPECT_EQ((*store->GetServed("t1", "r1"))->served_ms, 2000);

  POLKU_ASSERT_OK(
      store->RecordFeedback("t1", Feedback(r1, FeedbackOutcome::kShown, 10)));
  POLKU_ASSERT_OK(store->RecordFeedback(
      "t1", Feedback(r1, FeedbackOutcome::kAccepted, 20)));
  POLKU_ASSERT_OK(store->RecordFeedback(
      "t1", Feedback(r1, FeedbackOutcome::kAccepted, 25)));  // counted once
  POLKU_ASSERT_OK(
      store->RecordFeedback("t1", Feedback(r2, FeedbackOutcome::kShown, 30)));
  POLKU_ASSERT_OK(store->RecordFeedback(
      "t1", Feedback(r2, FeedbackOutcome::kDismissed, 40)));
  POLKU_ASSERT_OK(store->RecordFeedback(
      "t1", Feedback(r3, FeedbackOutcome::kCompleted, 50)));
  EXPECT_THAT(store->RecordFeedback(
                  "t1", Feedback(r3, FeedbackOutcome::kUnspecified, 60)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::HasSubstr("outcome")));

  POLKU_ASSERT_OK_AND_ASSIGN(auto arms, store->GetBandit("t1"));
  ASSERT_EQ(arms.size(), 2u);
  EXPECT_EQ(arms[0].segment, "below");
  EXPECT_EQ(arms[0].kind, "REFLECT");
  EXPECT_EQ(arms[0].shown, 2);
  EXPECT_DOUBLE_EQ(arms[0].successes, 1);
  EXPECT_DOUBLE_EQ(arms[0].failures, 1);
  EXPECT_EQ(arms[1].segment, "inside");
  EXPECT_EQ(arms[1].shown, 0);
  EXPECT_DOUBLE_EQ(arms[1].successes, 1);
  EXPECT_THAT(*store->GetBandit("t2"), IsEmpty());

  POLKU_ASSERT_OK_AND_ASSIGN(auto feedback, store->ListFeedback("t1", "A", 20));
  ASSERT_EQ(feedback.size(), 3u);
  EXPECT_EQ(feedback[0].recommendation_id, "r1");
  EXPECT_EQ(feedback[0].outcome, FeedbackOutcome::kAccepted);
  EXPECT_EQ(feedback[0].at_ms, 20);  // the first record stays
  EXPECT_EQ(feedback[0].kind, "REFLECT");
  EXPECT_EQ(feedback[0].segment, "below");
  EXPECT_EQ(feedback[0].learner_key, "A");
  EXPECT_EQ(feedback[1].outcome, FeedbackOutcome::kShown);
  EXPECT_EQ(feedback[2].outcome, FeedbackOutcome::kDismissed);
}

TEST(SqliteLearningStore, EraseLearnerRemovesEveryTrace) {
  auto store = OpenStore(TempDbPath());
  std::vector<EventRecord> records = TwoLearners("t1");
  POLKU_ASSERT_OK(store->Append(records));
  ServedRecommendation a = Served("ra", "A", "REFLECT", "below");
  ServedRecommendation b = Served("rb", "B", "REFLECT", "below");
  POLKU_ASSERT_OK(store->RecordServed("t1", {a, b}));
  for (const auto* s : {&a, &b}) {
    POLKU_ASSERT_OK(
        store->RecordFeedback("t1", Feedback(*s, FeedbackOutcome::kShown, 1)));
    POLKU_ASSERT_OK(store->RecordFeedback(
        "t1", Feedback(*s, FeedbackOutcome::kAccepted, 2)));
  }
  POLKU_ASSERT_OK(
      store->RecordFeedback("t1", Feedback(a, FeedbackOutcome::kDismissed, 3)));
  POLKU_ASSERT_OK(store->SetOptOut("t1", "A", true, 5));

  POLKU_ASSERT_OK_AND_ASSIGN(int64_t erased,
                             store->EraseLearner("t1", "A", 100));
  EXPECT_EQ(erased, 5);

  POLKU_ASSERT_OK_AND_ASSIGN(auto state, store->ExportLearnerState("t1", "A"));
  EXPECT_FALSE(state.profile.has_value());
  EXPECT_THAT(state.activities, IsEmpty());
  EXPECT_THAT(state.served, IsEmpty());
  EXPECT_THAT(state.feedback, IsEmpty());
  EXPECT_THAT(state.weeks, IsEmpty());
  EXPECT_FALSE(state.opted_out);
  EXPECT_FALSE(store->GetProfile("t1", "A")->has_value());
  EXPECT_FALSE(store->GetServed("t1", "ra")->has_value());
  // B's contributions remain, A's are gone.
  EXPECT_THAT(*store->NextActivities("t1", {"x"}, 5),
              ElementsAre(Pair("y", 1.0)));
  EXPECT_THAT(*store->NextActivities("t1", {"y"}, 5),
              ElementsAre(Pair("w", 1.0)));
  POLKU_ASSERT_OK_AND_ASSIGN(auto arms, store->GetBandit("t1"));
  ASSERT_EQ(arms.size(), 1u);
  EXPECT_EQ(arms[0].shown, 1);
  EXPECT_DOUBLE_EQ(arms[0].successes, 1);
  EXPECT_DOUBLE_EQ(arms[0].failures, 0);
  POLKU_ASSERT_OK_AND_ASSIGN(auto b_state,
                             store->ExportLearnerState("t1", "B"));
  EXPECT_TRUE(b_state.profile.has_value());
  EXPECT_EQ(b_state.activities.size(), 3u);
  EXPECT_EQ(b_state.served.size(), 1u);
  EXPECT_EQ(b_state.feedback.size(), 2u);
  EXPECT_EQ(b_state.weeks.size(), 1u);
  POLKU_ASSERT_OK_AND_ASSIGN(auto weeks, store->ListWeeks("t1", "", 0));
  ASSERT_EQ(weeks.size(), 1u);
  EXPECT_EQ(weeks[0].learner_key, "B");

  // A resend stores nothing and profiles nothing.
  std::vector<EventRecord> resend(records.begin(), records.begin() + 5);
  resend.push_back(Rec("t1", "a-new", "A", "q", kMonday2024 + 20 * kDay));
  POLKU_ASSERT_OK_AND_ASSIGN(auto outcomes, store->Append(resend));
  for (WriteOutcome o : outcomes) EXPECT_EQ(o, WriteOutcome::kErased);
  EXPECT_EQ(*store->Count("t1"), 3);
  EXPECT_FALSE(store->GetProfile("t1", "A")->has_value());
  EXPECT_THAT(*store->GetActivityStates("t1", "A"), IsEmpty());
  EXPECT_THAT(*store->NextActivities("t1", {"z"}, 5), IsEmpty());
}

TEST(SqliteLearningStore, ErasureLeavesNoLearnerKeyInTheFile) {
  const std::string path = TempDbPath();
  const std::string key = "lms.example#secret-42";
  {
    auto store = OpenStore(path);
    POLKU_ASSERT_OK(store->Append(ThirtyEvents(key)));
    POLKU_ASSERT_OK(store->Append({Rec("t1", "other", "B", "obj1", 1)}));
    ServedRecommendation s = Served("r1", key, "REFLECT", "below");
    POLKU_ASSERT_OK(store->RecordServed("t1", {s}));
    POLKU_ASSERT_OK(store->RecordFeedback(
        "t1", Feedback(s, FeedbackOutcome::kAccepted, 1)));
    POLKU_ASSERT_OK(store->EraseLearner("t1", key, 5));
    POLKU_ASSERT_OK(store->Close());
  }
  std::string bytes;
  for (const char* suffix : {"", "-wal"}) {
    std::FILE* f = std::fopen((path + suffix).c_str(), "rb");
    if (f == nullptr) continue;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) bytes.append(buf, n);
    std::fclose(f);
  }
  ASSERT_FALSE(bytes.empty());
  EXPECT_EQ(bytes.find("secret-42"), std::string::npos);
}

TEST(SqliteLearningStore, EraseKeepsAnotherLearnersSharedCounts) {
  auto store = OpenStore(TempDbPath());
  // Both learners go x -> y: the aggregate is 2, then 1, then gone.
  POLKU_ASSERT_OK(store->Append(
      {Rec("t1", "1", "A", "x", 1), Rec("t1", "2", "A", "y", 2),
       Rec("t1", "3", "B", "x", 1), Rec("t1", "4", "B", "y", 2)}));
  EXPECT_THAT(*store->NextActivities("t1", {"x"}, 5),
              ElementsAre(Pair("y", 2.0)));
  POLKU_ASSERT_OK(store->EraseLearner("t1", "A", 10));
  EXPECT_THAT(*store->NextActivities("t1", {"x"}, 5),
              ElementsAre(Pair("y", 1.0)));
  POLKU_ASSERT_OK(store->EraseLearner("t1", "B", 10));
  EXPECT_THAT(*store->NextActivities("t1", {"x"}, 5), IsEmpty());
}

learning::Activity MakeActivity(std::string id, int n) {
  learning::Activity a;
  a.id = std::move(id);
  a.title = "Title " + std::to_string(n);
  a.url = "https://lms.example/a/" + std::to_string(n);
  a.type = model::ObjectType::kCommunity;
  a.visible = n % 2 == 0;
  a.required = n % 3 == 0;
  a.competencies = {"c" + std::to_string(n), "shared"};
  a.goal_ids =
      n % 2 == 0 ? std::vector<std::string>{"g1"} : std::vector<std::string>{};
  a.mode = model::Mode::kSelfDirected;
  a.self_enrol = true;
  return a;
}

void ExpectSameActivity(const learning::Activity& got,
                        const learning::Activity& want) {
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.title, want.title);
  EXPECT_EQ(got.url, want.url);
  EXPECT_EQ(got.type, want.type);
  EXPECT_EQ(got.visible, want.visible);
  EXPECT_EQ(got.required, want.required);
  EXPECT_EQ(got.competencies, want.competencies);
  EXPECT_EQ(got.goal_ids, want.goal_ids);
  EXPECT_EQ(got.mode, want.mode);
  EXPECT_EQ(got.self_enrol, want.self_enrol);
}

learning::LearningPath MakePath(std::string id) {
  learning::LearningPath p;
  p.id = std::move(id);
  p.title = "Path " + p.id;
  p.goal_id = "g1";
  learning::PathStep s1;
  s1.activity_id = "a1";
  s1.mode = model::Mode::kStructured;
  learning::PathStep s2;
  s2.activity_id = "a2";
  s2.mode = model::Mode::kSelfDirected;
  s2.alternative_activity_ids = {"a3", "a4"};
  s2.optional = true;
  p.steps = {s1, s2};
  return p;
}

TEST(SqliteLearningStore, CatalogueUpsertPagesAndVersion) {
  auto store = OpenStore(TempDbPath());
  EXPECT_EQ(*store->CatalogueVersion("t1"), 0);
  std::vector<learning::Activity> activities;
  for (int i = 5; i >= 1; --i) {
    activities.push_back(MakeActivity("a" + std::to_string(i), i));
  }
  POLKU_ASSERT_OK(store->UpsertActivities("t1", activities));
  POLKU_ASSERT_OK_AND_ASSIGN(int64_t v1, store->CatalogueVersion("t1"));
  EXPECT_GT(v1, 0);

  std::vector<std::string> ids;
  std::string token;
  int pages = 0;
  do {
    POLKU_ASSERT_OK_AND_ASSIGN(auto page,
                               store->ListActivities("t1", 2, token));
    ++pages;
    EXPECT_LE(page.items.size(), 2u);
    for (const auto& a : page.items) {
      ids.push_back(a.id);
      ExpectSameActivity(a, MakeActivity(a.id, a.id[1] - '0'));
    }
    token = page.next_page_token;
  } while (!token.empty());
  EXPECT_EQ(pages, 3);
  EXPECT_THAT(ids, ElementsAre("a1", "a2", "a3", "a4", "a5"));

  POLKU_ASSERT_OK_AND_ASSIGN(auto all, store->ListActivities("t1", 0, ""));
  EXPECT_EQ(all.items.size(), 5u);
  EXPECT_TRUE(all.next_page_token.empty());
  EXPECT_THAT(
      store->ListActivities("t1", 2, "not a token!"),
      StatusIs(absl::StatusCode::kInvalidArgument, "page_token: is malformed"));
  EXPECT_THAT(
      store->ListPaths("t1", 2, "abc"),
      StatusIs(absl::StatusCode::kInvalidArgument, "page_token: is malformed"));
  EXPECT_THAT(store->ListActivities("t2", 2, "")->items, IsEmpty());

  // Replacing by id changes the version and the stored value.
  learning::Activity changed = MakeActivity("a3", 3);
  changed.title = "Renamed";
  changed.visible = false;
  POLKU_ASSERT_OK(store->UpsertActivities("t1", {changed}));
  POLKU_ASSERT_OK_AND_ASSIGN(int64_t v2, store->CatalogueVersion("t1"));
  EXPECT_GT(v2, v1);

  POLKU_ASSERT_OK(store->UpsertPaths("t1", {MakePath("p2"), MakePath("p1")}));
  POLKU_ASSERT_OK_AND_ASSIGN(int64_t v3, store->CatalogueVersion("t1"));
  EXPECT_GT(v3, v2);
  POLKU_ASSERT_OK_AND_ASSIGN(auto paths, store->ListPaths("t1", 1, ""));
  ASSERT_EQ(paths.items.size(), 1u);
  EXPECT_EQ(paths.items[0].id, "p1");
  EXPECT_FALSE(paths.next_page_token.empty());
  POLKU_ASSERT_OK_AND_ASSIGN(paths,
                             store->ListPaths("t1", 1, paths.next_page_token));
  ASSERT_EQ(paths.items.size(), 1u);
  EXPECT_EQ(paths.items[0].id, "p2");
  EXPECT_TRUE(paths.next_page_token.empty());

  POLKU_ASSERT_OK_AND_ASSIGN(auto file, store->LoadCatalogue("t1"));
  ASSERT_EQ(file.activities.size(), 5u);
  ExpectSameActivity(file.activities[2], changed);
  ASSERT_EQ(file.paths.size(), 2u);
  const learning::LearningPath want = MakePath("p1");
  const learning::LearningPath& p = file.paths[0];
  EXPECT_EQ(p.id, "p1");
  EXPECT_EQ(p.title, want.title);
  EXPECT_EQ(p.goal_id, "g1");
  ASSERT_EQ(p.steps.size(), 2u);
  EXPECT_EQ(p.steps[0].activity_id, "a1");
  EXPECT_EQ(p.steps[0].mode, model::Mode::kStructured);
  EXPECT_FALSE(p.steps[0].optional);
  EXPECT_EQ(p.steps[1].mode, model::Mode::kSelfDirected);
  EXPECT_THAT(p.steps[1].alternative_activity_ids, ElementsAre("a3", "a4"));
  EXPECT_TRUE(p.steps[1].optional);
  EXPECT_THAT(store->LoadCatalogue("t2")->activities, IsEmpty());
}

TEST(SqliteLearningStore, DeleteTenantLeavesAnotherTenantUntouched) {
  auto store = OpenStore(TempDbPath());
  for (const char* tenant : {"t1", "t2"}) {
    POLKU_ASSERT_OK(store->Append(TwoLearners(tenant)));
    POLKU_ASSERT_OK(store->UpsertActivities(tenant, {MakeActivity("a1", 1)}));
    POLKU_ASSERT_OK(store->UpsertPaths(tenant, {MakePath("p1")}));
    ServedRecommendation s = Served("r", "B", "REFLECT", "below");
    POLKU_ASSERT_OK(store->RecordServed(tenant, {s}));
    POLKU_ASSERT_OK(store->RecordFeedback(
        tenant, Feedback(s, FeedbackOutcome::kAccepted, 1)));
    POLKU_ASSERT_OK(store->SetOptOut(tenant, "B", true, 1));
  }
  POLKU_ASSERT_OK_AND_ASSIGN(int64_t deleted, store->DeleteTenant("t1"));
  EXPECT_EQ(deleted, 8);

  POLKU_ASSERT_OK_AND_ASSIGN(auto a, store->ExportLearnerState("t1", "A"));
  EXPECT_FALSE(a.profile.has_value());
  EXPECT_THAT(a.activities, IsEmpty());
  POLKU_ASSERT_OK_AND_ASSIGN(auto b, store->ExportLearnerState("t1", "B"));
  EXPECT_FALSE(b.opted_out);
  EXPECT_THAT(b.served, IsEmpty());
  EXPECT_THAT(b.feedback, IsEmpty());
  EXPECT_THAT(*store->NextActivities("t1", {"x"}, 5), IsEmpty());
  EXPECT_THAT(*store->ListWeeks("t1", "", 0), IsEmpty());
  EXPECT_THAT(*store->GetBandit("t1"), IsEmpty());
  EXPECT_THAT(store->LoadCatalogue("t1")->activities, IsEmpty());
  EXPECT_THAT(store->LoadCatalogue("t1")->paths, IsEmpty());
  EXPECT_EQ(*store->CatalogueVersion("t1"), 0);
  int profiles = 0;
  POLKU_ASSERT_OK(store->ForEachProfile(
      "t1", "", [&](std::string_view, const Profile&) { ++profiles; }));
  EXPECT_EQ(profiles, 0);

  EXPECT_EQ(*store->Count("t2"), 8);
  POLKU_ASSERT_OK_AND_ASSIGN(auto b2, store->ExportLearnerState("t2", "B"));
  EXPECT_TRUE(b2.profile.has_value());
  EXPECT_TRUE(b2.opted_out);
  EXPECT_EQ(b2.served.size(), 1u);
  EXPECT_EQ(b2.feedback.size(), 1u);
  EXPECT_EQ(b2.activities.size(), 3u);
  EXPECT_THAT(*store->NextActivities("t2", {"x"}, 5),
              ElementsAre(Pair("y", 2.0)));
  EXPECT_EQ(store->GetBandit("t2")->size(), 1u);
  EXPECT_EQ(store->LoadCatalogue("t2")->paths.size(), 1u);
  EXPECT_GT(*store->CatalogueVersion("t2"), 0);
  EXPECT_EQ(store->ListWeeks("t2", "", 0)->size(), 2u);
}

// The released schema 1, as SqliteEventStore created it before the
// learning tables existed.
constexpr char kSchemaV1[] = R"sql(
    CREATE TABLE events (
      tenant         TEXT    NOT NULL,
      event_id       TEXT    NOT NULL,
      learner_key    TEXT    NOT NULL,
      occurred_at_ms INTEGER NOT NULL,
      received_at_ms INTEGER NOT NULL,
      platform       INTEGER NOT NULL,
      verb           INTEGER NOT NULL,
      mode           INTEGER NOT NULL,
      object_id      TEXT    NOT NULL,
      content_hash   TEXT    NOT NULL,
      body           TEXT    NOT NULL,
      tags           TEXT    NOT NULL
    );
    CREATE UNIQUE INDEX events_by_id ON events (tenant, event_id);
    CREATE INDEX events_by_learner ON events (tenant, learner_key, occurred_at_ms);
    CREATE TABLE tombstones (
      tenant       TEXT    NOT NULL,
      learner_hash TEXT    NOT NULL,
      erased_at_ms INTEGER NOT NULL,
      PRIMARY KEY (tenant, learner_hash)
    ) WITHOUT ROWID;
    INSERT INTO events VALUES ('t1', 'old', 'A', 5, 6, 1, 6, 1, 'x', 'h',
                               '{}', '{}');
    PRAGMA user_version=1;
)sql";

TEST(SqliteLearningStore, MigratesASchemaOneDatabaseAndKeepsItsEvents) {
  const std::string path = TempDbPath();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, kSchemaV1, nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);

  auto store = OpenStore(path);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(*store->Count("t1"), 1);
  POLKU_ASSERT_OK_AND_ASSIGN(auto old, store->Get("t1", "old"));
  ASSERT_TRUE(old.has_value());
  EXPECT_EQ(old->object_id, "x");
  POLKU_ASSERT_OK_AND_ASSIGN(auto outcomes,
                             store->Append({Rec("t1", "new", "A", "y", 10)}));
  EXPECT_THAT(outcomes, ElementsAre(WriteOutcome::kAccepted));
  EXPECT_TRUE(store->GetProfile("t1", "A")->has_value());
  POLKU_ASSERT_OK(store->Close());

  POLKU_ASSERT_OK_AND_ASSIGN(DatabaseInfo info, VerifyDatabase(path));
  EXPECT_EQ(info.schema_version, SqliteEventStore::SchemaVersion());
  EXPECT_EQ(info.schema_version, 3);
  EXPECT_EQ(info.events, 2);
}

TEST(SqliteLearningStore, BackupAndRestoreKeepTheLearningState) {
  const std::string path = TempDbPath();
  const std::vector<EventRecord> events = ThirtyEvents("lms#1");
  auto store = OpenStore(path);
  POLKU_ASSERT_OK(store->Append(events));
  POLKU_ASSERT_OK(store->UpsertActivities("t1", {MakeActivity("a1", 1)}));
  POLKU_ASSERT_OK(store->SetOptOut("t1", "lms#2", true, 1));
  // A backup of the running store (its latest commits are in the WAL).
  const std::string backup = TempDir() + "/backup.db";
  POLKU_ASSERT_OK(BackupDatabase(path, backup));
  POLKU_ASSERT_OK(store->Close());
  store.reset();

  const std::string data_dir = TempDir();
  POLKU_ASSERT_OK(RestoreDatabase(backup, data_dir));
  auto restored = OpenStore(data_dir + "/polku.db");
  POLKU_ASSERT_OK_AND_ASSIGN(auto profile, restored->GetProfile("t1", "lms#1"));
  ASSERT_TRUE(profile.has_value());
  ExpectSameProfile(*profile, SumOf(events));
  EXPECT_EQ(restored->LoadCatalogue("t1")->activities.size(), 1u);
  EXPECT_TRUE(*restored->IsOptedOut("t1", "lms#2"));
  EXPECT_FALSE(restored->GetActivityStates("t1", "lms#1")->empty());
}

TEST(SqliteLearningStore, OptOutTableDoesNotHoldTheLearnerKey) {
  const std::string path = TempDbPath();
  {
    auto store = OpenStore(path);
    POLKU_ASSERT_OK(store->SetOptOut("t1", "secret-learner#77", true, 1));
    POLKU_ASSERT_OK(store->Close());
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT learner_hash FROM optouts", -1,
                               &stmt, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  const std::string hash =
      reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  EXPECT_EQ(hash.size(), 64u);
  EXPECT_EQ(hash.find("secret"), std::string::npos);
}

TEST(SqliteLearningStore, WritesFailAfterClose) {
  auto store = OpenStore(TempDbPath());
  POLKU_ASSERT_OK(store->Close());
  EXPECT_THAT(store->SetOptOut("t1", "A", true, 1),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(store->UpsertActivities("t1", {MakeActivity("a1", 1)}),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(store->RecordFeedback("t1", Feedback(Served("r", "A", "K", "s"),
                                                   FeedbackOutcome::kShown, 1)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

// --- A group projects as the same events appended one by one ---------------

// One column of a dumped row: text and integers exactly, reals as numbers.
struct Cell {
  std::string text;
  double real = 0;
  bool is_real = false;
};
using Rows = std::vector<std::vector<Cell>>;

// `columns` of every row of `table`, in the order of `order_by`.
Rows Dump(const std::string& path, const std::string& table,
          const std::string& order_by, const std::string& columns = "*") {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  const std::string sql =
      "SELECT " + columns + " FROM " + table + " ORDER BY " + order_by;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  Rows rows;
  while (sqlite3_step(s) == SQLITE_ROW) {
    std::vector<Cell>& row = rows.emplace_back();
    for (int i = 0; i < sqlite3_column_count(s); ++i) {
      Cell& c = row.emplace_back();
      if (sqlite3_column_type(s, i) == SQLITE_FLOAT) {
        c.is_real = true;
        c.real = sqlite3_column_double(s, i);
      } else {
        const unsigned char* t = sqlite3_column_text(s, i);
        c.text = t != nullptr ? reinterpret_cast<const char*>(t) : "";
      }
    }
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return rows;
}

void ExpectSameRows(const Rows& got, const Rows& want, const char* table) {
  ASSERT_EQ(got.size(), want.size()) << table;
  for (size_t r = 0; r < got.size(); ++r) {
    ASSERT_EQ(got[r].size(), want[r].size()) << table;
    for (size_t c = 0; c < got[r].size(); ++c) {
      ASSERT_EQ(got[r][c].is_real, want[r][c].is_real) << table;
      if (got[r][c].is_real) {
        Near(got[r][c].real, want[r][c].real, table);
      } else {
        EXPECT_EQ(got[r][c].text, want[r][c].text)
            << table << " row " << r << " column " << c;
      }
    }
  }
}

// The learner state of every table the projection writes.
struct Projected {
  Rows activity_states, transitions, cooccurrence, weeks;
  std::vector<Profile> profiles;
};

Projected ReadProjected(const std::string& path,
                        const std::vector<std::string>& learners) {
  Projected p;
  {
    auto store = OpenStore(path);
    for (const std::string& l : learners) {
      auto profile = store->GetProfile("t1", l);
      EXPECT_TRUE(profile.ok() && profile->has_value()) << l;
      if (profile.ok() && profile->has_value()) {
        p.profiles.push_back(**profile);
      }
    }
    POLKU_EXPECT_OK(store->Close());
  }
  p.activity_states =
      Dump(path, "activity_states", "tenant, learner_key, object_id");
  p.transitions =
      Dump(path, "transitions", "tenant, learner_key, from_object, to_object");
  p.cooccurrence = Dump(path, "cooccurrence", "tenant, from_object, to_object");
  // Not org_unit: a week row takes the learner's org unit as known when the
  // row is written (after each event one by one, after the whole group in
  // a group), which depends on arrival order either way.
  p.weeks = Dump(path, "learner_weeks", "tenant, learner_key, week",
                 "tenant, learner_key, week, leadership, development, events");
  return p;
}

void ExpectSameProjection(const Projected& got, const Projected& want) {
  ExpectSameRows(got.activity_states, want.activity_states, "activity_states");
  ExpectSameRows(got.transitions, want.transitions, "transitions");
  ExpectSameRows(got.cooccurrence, want.cooccurrence, "cooccurrence");
  ExpectSameRows(got.weeks, want.weeks, "learner_weeks");
  ASSERT_EQ(got.profiles.size(), want.profiles.size());
  for (size_t i = 0; i < got.profiles.size(); ++i) {
    ExpectSameProfile(got.profiles[i], want.profiles[i]);
  }
}

// Many events of a few learners over several weeks and activities, with
// revisits, earlier events arriving late, completions, equal times and a
// resent id.
std::vector<EventRecord> ManyEvents(std::mt19937& rng) {
  std::vector<EventRecord> v;
  const Verb verbs[] = {Verb::kViewed, Verb::kReplied, Verb::kCompleted};
  for (int i = 0; i < 240; ++i) {
    const std::string learner = "L" + std::to_string(i % 3);
    const int64_t at = kMonday2024 + static_cast<int64_t>(rng() % 40) * kDay +
                       (i % 5 == 0 ? 0 : static_cast<int64_t>(rng() % 1000));
    v.push_back(Rec("t1", "m" + std::to_string(i), learner,
                    "obj" + std::to_string(rng() % 17), at, verbs[rng() % 3],
                    i % 7 == 0 ? "unit-" + std::to_string(i % 2) : ""));
  }
  v.push_back(v[5]);  // a resend: DUPLICATE, changes nothing
  std::shuffle(v.begin(), v.end(), rng);
  return v;
}

// The projection as learning_store.h specifies it, event by event in
// arrival order, in plain maps: what the store's tables must hold.
Projected Reference(const std::vector<EventRecord>& events) {
  struct State {
    int64_t first = 0, last = 0, completed = 0, events = 0;
  };
  struct Week {
    double leadership = 0, development = 0;
    int64_t events = 0;
  };
  std::set<std::string> seen;
  std::map<std::pair<std::string, std::string>, State> states;
  std::map<std::tuple<std::string, std::string, std::string>, int64_t> trans;
  std::map<std::pair<std::string, std::string>, int64_t> cooc;
  std::map<std::pair<std::string, int64_t>, Week> weeks;
  for (const EventRecord& r : events) {
    if (!seen.insert(r.event_id).second) continue;  // a duplicate
    const ProfileDelta& d = *r.delta;
    const std::string& object = d.object_id.empty() ? r.object_id : d.object_id;
    const int64_t at = r.occurred_at_ms;
    const bool completed =
        d.has[static_cast<size_t>(learning::Signal::kCompletion)];
    auto key = std::make_pair(r.learner_key, object);
    auto it = states.find(key);
    if (it == states.end()) {
      const std::string* previous = nullptr;
      int64_t previous_first = 0;
      for (const auto& [k, st] : states) {
        if (k.first != r.learner_key || st.first > at) continue;
        if (previous == nullptr || st.first > previous_first ||
            (st.first == previous_first && k.second > *previous)) {
          previous = &k.second;
          previous_first = st.first;
        }
      }
      if (previous != nullptr) {
        ++trans[{r.learner_key, *previous, object}];
        ++cooc[{*previous, object}];
      }
      states[key] = State{at, at, completed ? at : 0, 1};
    } else {
      State& st = it->second;
      st.first = std::min(st.first, at);
      st.last = std::max(st.last, at);
      if (completed) {
        st.completed = st.completed == 0 ? at : std::min(st.completed, at);
      }
      ++st.events;
    }
    const int64_t week =
        kWeek2024 + (at - kMonday2024) / (7 * kDay);  // all after 2024-01-01
    Week& w = weeks[{r.learner_key, week}];
    const double g = d.growth > 0 ? d.growth : 1;
    w.leadership += d.sums.leadership / g;
    w.development += d.sums.development / g;
    ++w.events;
  }
  auto text = [](const std::string& t) { return Cell{t, 0, false}; };
  auto integer = [](int64_t v) { return Cell{std::to_string(v), 0, false}; };
  auto real = [](double v) { return Cell{"", v, true}; };
  Projected p;
  for (const auto& [k, st] : states) {
    p.activity_states.push_back({text("t1"), text(k.first), text(k.second),
                                 integer(st.first), integer(st.last),
                                 integer(st.completed), integer(st.events)});
  }
  for (const auto& [k, n] : trans) {
    p.transitions.push_back({text("t1"), text(std::get<0>(k)),
                             text(std::get<1>(k)), text(std::get<2>(k)),
                             integer(n)});
  }
  for (const auto& [k, n] : cooc) {
    p.cooccurrence.push_back(
        {text("t1"), text(k.first), text(k.second), integer(n)});
  }
  for (const auto& [k, w] : weeks) {
    p.weeks.push_back({text("t1"), text(k.first), integer(k.second),
                       real(w.leadership), real(w.development),
                       integer(w.events)});
  }
  return p;
}

TEST(SqliteLearningStore, OneGroupProjectsAsTheSameEventsOneByOne) {
  std::mt19937 rng(11);
  const std::vector<EventRecord> events = ManyEvents(rng);
  const std::vector<std::string> learners = {"L0", "L1", "L2"};

  const std::string one_by_one = TempDbPath();
  {
    auto store = OpenStore(one_by_one);
    for (const EventRecord& r : events) POLKU_ASSERT_OK(store->Append({r}));
  }
  const Projected want = ReadProjected(one_by_one, learners);
  ASSERT_FALSE(want.transitions.empty());
  ASSERT_FALSE(want.cooccurrence.empty());
  // One by one, the store holds what the specification says.
  Projected spec = Reference(events);
  for (const std::string& l : learners) {
    std::vector<EventRecord> mine;
    std::set<std::string> ids;
    for (const EventRecord& r : events) {
      if (r.learner_key == l && ids.insert(r.event_id).second) {
        mine.push_back(r);
      }
    }
    spec.profiles.push_back(SumOf(mine));
  }
  ExpectSameProjection(want, spec);

  // All in one group.
  const std::string grouped = TempDbPath();
  {
    auto store = OpenStore(grouped);
    POLKU_ASSERT_OK_AND_ASSIGN(auto outcomes, store->Append(events));
    EXPECT_EQ(
        std::count(outcomes.begin(), outcomes.end(), WriteOutcome::kDuplicate),
        1);
  }
  ExpectSameProjection(ReadProjected(grouped, learners), want);

  // Groups of varying size, with a learner cache so small that learners
  // are reloaded from the database between groups.
  const std::string evicted = TempDbPath();
  {
    SqliteEventStore::Options options;
    options.learner_cache_size = 1;
    POLKU_ASSERT_OK_AND_ASSIGN(auto store,
                               SqliteEventStore::Open(evicted, options));
    size_t i = 0;
    while (i < events.size()) {
      const size_t n = std::min<size_t>(1 + rng() % 40, events.size() - i);
      POLKU_ASSERT_OK(store->Append(absl::MakeConstSpan(events).subspan(i, n)));
      i += n;
    }
  }
  ExpectSameProjection(ReadProjected(evicted, learners), want);
}

TEST(SqliteLearningStore, PreviousActivityWithinOneGroup) {
  auto store = OpenStore(TempDbPath());
  // As PreviousActivityIsTheOneFirstTouchedJustBefore, in one group; d and
  // e are first touched at the same time as c: the greater id is previous.
  POLKU_ASSERT_OK(store->Append(
      {Rec("t1", "1", "C", "a", 10), Rec("t1", "2", "C", "c", 30),
       Rec("t1", "3", "C", "b", 20), Rec("t1", "4", "C", "a", 5),
       Rec("t1", "5", "C", "e", 30), Rec("t1", "6", "C", "d", 30)}));
  EXPECT_THAT(*store->NextActivities("t1", {"a"}, 5),
              ElementsAre(Pair("b", 1.0), Pair("c", 1.0)));
  EXPECT_THAT(*store->NextActivities("t1", {"b"}, 5), IsEmpty());
  EXPECT_THAT(*store->NextActivities("t1", {"c"}, 5),
              ElementsAre(Pair("e", 1.0)));
  EXPECT_THAT(*store->NextActivities("t1", {"e"}, 5),
              ElementsAre(Pair("d", 1.0)));
  POLKU_ASSERT_OK_AND_ASSIGN(auto a, store->GetActivityStates("t1", "C"));
  ASSERT_EQ(a.size(), 5u);
  EXPECT_EQ(a[0].object_id, "a");
  EXPECT_EQ(a[0].first_ms, 5);
  EXPECT_EQ(a[0].last_ms, 10);
  EXPECT_EQ(a[0].events, 2);
}

}  // namespace
}  // namespace polku::store
