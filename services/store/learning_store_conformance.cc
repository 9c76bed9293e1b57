#include "store/learning_store_conformance.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <random>
#include <set>
#include <thread>

#include "common/status_matchers.h"
#include "gmock/gmock.h"
#include "store/testing/learning_records.h"

namespace polku::store {

void LearningStoreConformance::SetUp() {
  store_ = GetParam().make();
  ASSERT_NE(store_, nullptr) << GetParam().name << ": no store";
  events_ = store_.get();
  learning_ = dynamic_cast<LearningStore*>(store_.get());
  ASSERT_NE(learning_, nullptr)
      << GetParam().name << " does not implement LearningStore";
}

namespace {

using learning::Profile;
using model::Verb;
using ::polku::testing::StatusIs;
using store_test::ExpectSameActivity;
using store_test::ExpectSameProfile;
using store_test::ExpectSameSnapshot;
using store_test::Feedback;
using store_test::kDay;
using store_test::kMonday2024;
using store_test::kWeek2024;
using store_test::LearningSnapshot;
using store_test::MakeActivity;
using store_test::MakePath;
using store_test::ManyEvents;
using store_test::Names;
using store_test::Near;
using store_test::Rec;
using store_test::Served;
using store_test::Snapshot;
using store_test::SumOf;
using store_test::ThirtyEvents;
using store_test::TwoLearners;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

TEST_P(LearningStoreConformance, ProfileIsTheSumOfDeltasInAnyArrivalOrder) {
  const std::vector<EventRecord> events = ThirtyEvents("lms#1");
  const Profile want = SumOf(events);
  std::mt19937 rng(7);
  for (int round = 0; round < 3; ++round) {
    // Each round in a tenant of its own: a fresh start.
    const std::string tenant = "round" + std::to_string(round);
    std::vector<EventRecord> shuffled = events;
    for (EventRecord& r : shuffled) r.tenant = tenant;
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    // Batches of varying size, so some deltas meet in one transaction.
    size_t i = 0;
    while (i < shuffled.size()) {
      size_t n = std::min<size_t>(1 + rng() % 6, shuffled.size() - i);
      POLKU_ASSERT_OK(
          events_->Append(absl::MakeConstSpan(shuffled).subspan(i, n)));
      i += n;
    }
    POLKU_ASSERT_OK_AND_ASSIGN(auto got,
                               learning_->GetProfile(tenant, "lms#1"));
    ASSERT_TRUE(got.has_value());
    ExpectSameProfile(*got, want);
    EXPECT_EQ(got->sums.counts[0], 30);
  }
}

TEST_P(LearningStoreConformance, ConcurrentAppendsOfOneLearnerAllCount) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < 25; ++i) {
        std::string id = "e" + std::to_string(t) + "-" + std::to_string(i);
        auto r = events_->Append(
            {Rec("t1", id, "lms#1", "o" + std::to_string(i), kMonday2024 + i)});
        EXPECT_TRUE(r.ok()) << r.status();
      }
    });
  }
  for (auto& t : threads) t.join();
  POLKU_ASSERT_OK_AND_ASSIGN(auto got, learning_->GetProfile("t1", "lms#1"));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->sums.counts[0], 100);
  POLKU_ASSERT_OK_AND_ASSIGN(auto states,
                             learning_->GetActivityStates("t1", "lms#1"));
  ASSERT_EQ(states.size(), 25u);
  for (const ActivityState& s : states) EXPECT_EQ(s.events, 4);
}

TEST_P(LearningStoreConformance, DuplicateAndConflictDoNotChangeTheProjection) {
  std::vector<EventRecord> first = {
      Rec("t1", "e1", "lms#1", "x", kMonday2024, Verb::kCompleted),
      Rec("t1", "e2", "lms#1", "y", kMonday2024 + kDay, Verb::kReplied)};
  POLKU_ASSERT_OK(events_->Append(first));
  POLKU_ASSERT_OK_AND_ASSIGN(auto before, learning_->GetProfile("t1", "lms#1"));
  POLKU_ASSERT_OK_AND_ASSIGN(auto before_states,
                             learning_->GetActivityStates("t1", "lms#1"));

  // The same id again, and the same id with other content (another verb,
  // another object, another time): neither may count.
  EventRecord conflict =
      Rec("t1", "e1", "lms#1", "z", kMonday2024 + 5 * kDay, Verb::kReplied);
  ASSERT_NE(conflict.content_hash, first[0].content_hash);
  POLKU_ASSERT_OK_AND_ASSIGN(auto outcomes,
                             events_->Append({first[0], conflict, first[1]}));
  EXPECT_THAT(outcomes,
              ElementsAre(WriteOutcome::kDuplicate, WriteOutcome::kConflict,
                          WriteOutcome::kDuplicate));
  POLKU_ASSERT_OK_AND_ASSIGN(auto after, learning_->GetProfile("t1", "lms#1"));
  ASSERT_TRUE(after.has_value());
  ExpectSameProfile(*after, *before);
  EXPECT_EQ(after->sums.counts[0], 2);
  POLKU_ASSERT_OK_AND_ASSIGN(auto after_states,
                             learning_->GetActivityStates("t1", "lms#1"));
  ASSERT_EQ(after_states.size(), before_states.size());
  for (size_t i = 0; i < after_states.size(); ++i) {
    EXPECT_EQ(after_states[i].object_id, before_states[i].object_id);
    EXPECT_EQ(after_states[i].events, 1);
  }
  POLKU_ASSERT_OK_AND_ASSIGN(auto weeks, learning_->ListWeeks("t1", "", 0));
  ASSERT_EQ(weeks.size(), 1u);
  EXPECT_EQ(weeks[0].events, 2);
}

TEST_P(LearningStoreConformance, RecordsWithoutADeltaAreNotProfiled) {
  EventRecord r = Rec("t1", "e1", "lms#1", "x", kMonday2024);
  r.delta = nullptr;
  POLKU_ASSERT_OK(events_->Append({r}));
  EXPECT_EQ(*events_->Count("t1"), 1);
  POLKU_ASSERT_OK_AND_ASSIGN(auto profile,
                             learning_->GetProfile("t1", "lms#1"));
  EXPECT_FALSE(profile.has_value());
  EXPECT_THAT(*learning_->GetActivityStates("t1", "lms#1"), IsEmpty());
}

TEST_P(LearningStoreConformance, OptOutStopsProfilingAndLiftingItResumes) {
  EventRecord e1 = Rec("t1", "e1", "lms#1", "x", kMonday2024, Verb::kCompleted);
  EventRecord e2 =
      Rec("t1", "e2", "lms#1", "y", kMonday2024 + 1, Verb::kReplied);
  EventRecord e3 = Rec("t1", "e3", "lms#1", "z", kMonday2024 + 2);
  POLKU_ASSERT_OK(events_->Append({e1}));
  POLKU_ASSERT_OK(learning_->SetOptOut("t1", "lms#1", true, 100));
  EXPECT_TRUE(*learning_->IsOptedOut("t1", "lms#1"));
  EXPECT_FALSE(*learning_->IsOptedOut("t1", "lms#2"));
  POLKU_ASSERT_OK_AND_ASSIGN(auto outcomes, events_->Append({e2}));
  EXPECT_THAT(outcomes, ElementsAre(WriteOutcome::kAccepted));  // stored
  POLKU_ASSERT_OK_AND_ASSIGN(auto profile,
                             learning_->GetProfile("t1", "lms#1"));
  ASSERT_TRUE(profile.has_value());
  ExpectSameProfile(*profile, SumOf({e1}));
  POLKU_ASSERT_OK_AND_ASSIGN(auto states,
                             learning_->GetActivityStates("t1", "lms#1"));
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0].object_id, "x");
  EXPECT_THAT(*learning_->NextActivities("t1", {"x"}, 5), IsEmpty());
  POLKU_ASSERT_OK_AND_ASSIGN(auto state,
                             learning_->ExportLearnerState("t1", "lms#1"));
  EXPECT_TRUE(state.opted_out);
  ASSERT_EQ(state.weeks.size(), 1u);
  EXPECT_EQ(state.weeks[0].events, 1);

  POLKU_ASSERT_OK(learning_->SetOptOut("t1", "lms#1", false, 200));
  EXPECT_FALSE(*learning_->IsOptedOut("t1", "lms#1"));
  POLKU_ASSERT_OK(events_->Append({e3}));
  POLKU_ASSERT_OK_AND_ASSIGN(profile, learning_->GetProfile("t1", "lms#1"));
  ExpectSameProfile(*profile, SumOf({e1, e3}));
  POLKU_ASSERT_OK_AND_ASSIGN(states,
                             learning_->GetActivityStates("t1", "lms#1"));
  EXPECT_EQ(states.size(), 2u);
}

TEST_P(LearningStoreConformance, ActivityStatesAndFirstTouchTransitions) {
  POLKU_ASSERT_OK(events_->Append(TwoLearners("t1")));
  const int64_t t = kMonday2024;

  POLKU_ASSERT_OK_AND_ASSIGN(auto a, learning_->GetActivityStates("t1", "A"));
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
  EXPECT_THAT(*learning_->NextActivities("t1", {"x"}, 5),
              ElementsAre(Pair("y", 2.0)));
  EXPECT_THAT(*learning_->NextActivities("t1", {"y"}, 5),
              ElementsAre(Pair("w", 1.0), Pair("z", 1.0)));
  EXPECT_THAT(*learning_->NextActivities("t1", {"x", "y", "x"}, 2),
              ElementsAre(Pair("y", 2.0), Pair("w", 1.0)));
  EXPECT_THAT(*learning_->NextActivities("t1", {"z"}, 5), IsEmpty());
  EXPECT_THAT(*learning_->NextActivities("t2", {"x"}, 5), IsEmpty());

  // An earlier completion that arrives late wins; a later one does not.
  POLKU_ASSERT_OK(events_->Append(
      {Rec("t1", "a6", "A", "x", t + 3 * kDay, Verb::kCompleted),
       Rec("t1", "a7", "A", "y", t + 9 * kDay, Verb::kCompleted)}));
  POLKU_ASSERT_OK_AND_ASSIGN(a, learning_->GetActivityStates("t1", "A"));
  EXPECT_EQ(a[0].completed_ms, t + 3 * kDay);
  EXPECT_EQ(a[1].completed_ms, t + 4 * kDay);
  EXPECT_EQ(a[1].last_ms, t + 9 * kDay);

  std::vector<std::pair<std::string, std::vector<std::string>>> sequences;
  POLKU_ASSERT_OK(learning_->ForEachCompletionSequence(
      "t1", [&](std::string_view learner, const std::vector<std::string>& c) {
        sequences.emplace_back(std::string(learner), c);
      }));
  EXPECT_THAT(sequences, ElementsAre(Pair("A", ElementsAre("x", "y"))));
}

TEST_P(LearningStoreConformance,
       PreviousActivityIsTheOneFirstTouchedJustBefore) {
  // c arrives before b although b happened first: b's predecessor is a.
  POLKU_ASSERT_OK(events_->Append({Rec("t1", "1", "C", "a", 10)}));
  POLKU_ASSERT_OK(events_->Append({Rec("t1", "2", "C", "c", 30)}));
  POLKU_ASSERT_OK(events_->Append({Rec("t1", "3", "C", "b", 20)}));
  EXPECT_THAT(*learning_->NextActivities("t1", {"a"}, 5),
              ElementsAre(Pair("b", 1.0), Pair("c", 1.0)));
  EXPECT_THAT(*learning_->NextActivities("t1", {"b"}, 5), IsEmpty());
}

TEST_P(LearningStoreConformance, LearnerWeeksHoldUndecayedWeightPerWeek) {
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
  POLKU_ASSERT_OK(events_->Append({week0[1], other}));
  POLKU_ASSERT_OK(events_->Append({week1[0], week0[0]}));

  auto undecayed = [](const std::vector<EventRecord>& v, bool leadership) {
    double sum = 0;
    for (const EventRecord& r : v) {
      sum +=
          (leadership ? r.delta->sums.leadership : r.delta->sums.development) /
          r.delta->growth;
    }
    return sum;
  };
  POLKU_ASSERT_OK_AND_ASSIGN(auto all, learning_->ListWeeks("t1", "", 0));
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

  POLKU_ASSERT_OK_AND_ASSIGN(auto b, learning_->ListWeeks("t1", "unit-b", 0));
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].learner_key, "B");
  POLKU_ASSERT_OK_AND_ASSIGN(auto later,
                             learning_->ListWeeks("t1", "", kWeek2024 + 1));
  EXPECT_EQ(later.size(), 2u);
  EXPECT_THAT(*learning_->ListWeeks("t2", "", 0), IsEmpty());
}

TEST_P(LearningStoreConformance, ForEachProfileFiltersByOrgUnitInKeyOrder) {
  std::vector<EventRecord> records;
  // More learners than one read chunk holds.
  for (int i = 0; i < 1100; ++i) {
    char key[16];
    std::snprintf(key, sizeof(key), "L%04d", i);
    records.push_back(Rec("t1", key, key, "x", kMonday2024 + i, Verb::kViewed,
                          i % 2 == 0 ? "even" : "odd"));
  }
  POLKU_ASSERT_OK(events_->Append(records));
  std::vector<std::string> keys;
  POLKU_ASSERT_OK(learning_->ForEachProfile(
      "t1", "", [&](std::string_view key, const Profile& p) {
        keys.emplace_back(key);
        EXPECT_EQ(p.sums.counts[0], 1);
      }));
  ASSERT_EQ(keys.size(), 1100u);
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
  keys.clear();
  POLKU_ASSERT_OK(learning_->ForEachProfile(
      "t1", "odd", [&](std::string_view key, const Profile& p) {
        keys.emplace_back(key);
        EXPECT_EQ(p.org_unit, "odd");
      }));
  EXPECT_EQ(keys.size(), 550u);
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
}

TEST_P(LearningStoreConformance, ServedFeedbackAndBanditArms) {
  ServedRecommendation r1 = Served("r1", "A", "REFLECT", "below");
  ServedRecommendation r2 = Served("r2", "A", "REFLECT", "below");
  ServedRecommendation r3 = Served("r3", "B", "APPLY_AT_WORK", "inside");
  POLKU_ASSERT_OK(learning_->RecordServed("t1", {r1, r2, r3}));
  POLKU_ASSERT_OK_AND_ASSIGN(auto got, learning_->GetServed("t1", "A", "r1"));
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
  EXPECT_FALSE(learning_->GetServed("t1", "A", "nope")->has_value());
  EXPECT_FALSE(learning_->GetServed("t2", "A", "r1")->has_value());
  // Not served to that learner.
  EXPECT_FALSE(learning_->GetServed("t1", "B", "r1")->has_value());
  EXPECT_TRUE(learning_->GetServed("t1", "B", "r3")->has_value());
  // Serving the same id again replaces it.
  r1.position = 0;
  r1.served_ms = 2000;
  POLKU_ASSERT_OK(learning_->RecordServed("t1", {r1}));
  EXPECT_EQ((*learning_->GetServed("t1", "A", "r1"))->position, 0);
  EXPECT_EQ((*learning_->GetServed("t1", "A", "r1"))->served_ms, 2000);

  POLKU_ASSERT_OK(learning_->RecordFeedback(
      "t1", Feedback(r1, FeedbackOutcome::kShown, 10)));
  POLKU_ASSERT_OK(learning_->RecordFeedback(
      "t1", Feedback(r1, FeedbackOutcome::kAccepted, 20)));
  POLKU_ASSERT_OK(learning_->RecordFeedback(
      "t1", Feedback(r1, FeedbackOutcome::kAccepted, 25)));  // counted once
  POLKU_ASSERT_OK(learning_->RecordFeedback(
      "t1", Feedback(r2, FeedbackOutcome::kShown, 30)));
  POLKU_ASSERT_OK(learning_->RecordFeedback(
      "t1", Feedback(r2, FeedbackOutcome::kDismissed, 40)));
  POLKU_ASSERT_OK(learning_->RecordFeedback(
      "t1", Feedback(r3, FeedbackOutcome::kCompleted, 50)));
  EXPECT_THAT(learning_->RecordFeedback(
                  "t1", Feedback(r3, FeedbackOutcome::kUnspecified, 60)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::HasSubstr("outcome")));

  POLKU_ASSERT_OK_AND_ASSIGN(auto arms, learning_->GetBandit("t1"));
  ASSERT_EQ(arms.size(), 2u);
  EXPECT_EQ(arms[0].segment, "below");
  EXPECT_EQ(arms[0].kind, "REFLECT");
  EXPECT_EQ(arms[0].shown, 2);
  EXPECT_DOUBLE_EQ(arms[0].successes, 1);
  EXPECT_DOUBLE_EQ(arms[0].failures, 1);
  EXPECT_EQ(arms[1].segment, "inside");
  EXPECT_EQ(arms[1].shown, 0);
  EXPECT_DOUBLE_EQ(arms[1].successes, 1);
  EXPECT_THAT(*learning_->GetBandit("t2"), IsEmpty());

  POLKU_ASSERT_OK_AND_ASSIGN(auto feedback,
                             learning_->ListFeedback("t1", "A", 20));
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

TEST_P(LearningStoreConformance, RecommendationContextIsWhatTheGettersRead) {
  POLKU_ASSERT_OK(events_->Append(TwoLearners("t1")));
  ServedRecommendation r1 = Served("r1", "A", "REFLECT", "below");
  ServedRecommendation r2 = Served("r2", "A", "APPLY_AT_WORK", "below");
  POLKU_ASSERT_OK(learning_->RecordServed("t1", {r1, r2}));
  POLKU_ASSERT_OK(learning_->RecordFeedback(
      "t1", Feedback(r1, FeedbackOutcome::kDismissed, 10)));
  POLKU_ASSERT_OK(learning_->RecordFeedback(
      "t1", Feedback(r2, FeedbackOutcome::kAccepted, 30)));

  RecommendationQuery query;
  query.recent_activities = 2;
  query.next_limit = 2;
  query.feedback_since_ms = 20;
  POLKU_ASSERT_OK_AND_ASSIGN(
      RecommendationContext c,
      learning_->ReadRecommendationContext("t1", "A", query));
  EXPECT_FALSE(c.opted_out);
  POLKU_ASSERT_OK_AND_ASSIGN(auto profile, learning_->GetProfile("t1", "A"));
  ASSERT_TRUE(c.profile.has_value());
  ExpectSameProfile(*c.profile, *profile);
  POLKU_ASSERT_OK_AND_ASSIGN(auto states,
                             learning_->GetActivityStates("t1", "A"));
  ASSERT_EQ(c.activities.size(), states.size());
  for (size_t i = 0; i < states.size(); ++i) {
    EXPECT_EQ(c.activities[i].object_id, states[i].object_id);
    EXPECT_EQ(c.activities[i].first_ms, states[i].first_ms);
    EXPECT_EQ(c.activities[i].last_ms, states[i].last_ms);
    EXPECT_EQ(c.activities[i].completed_ms, states[i].completed_ms);
    EXPECT_EQ(c.activities[i].events, states[i].events);
  }
  // A touched x last, then y: after x comes y (A and B), after y come w
  // and z; two of them.
  EXPECT_THAT(c.next_activities, ElementsAre(Pair("y", 2.0), Pair("w", 1.0)));
  EXPECT_EQ(c.next_activities, *learning_->NextActivities("t1", {"x", "y"}, 2));
  ASSERT_EQ(c.feedback.size(), 1u);  // the dismissal is older than `since`
  EXPECT_EQ(c.feedback[0].recommendation_id, "r2");
  EXPECT_EQ(c.feedback[0].outcome, FeedbackOutcome::kAccepted);
  POLKU_ASSERT_OK_AND_ASSIGN(auto arms, learning_->GetBandit("t1"));
  ASSERT_EQ(c.bandit.size(), arms.size());
  ASSERT_EQ(c.bandit.size(), 2u);
  for (size_t i = 0; i < arms.size(); ++i) {
    EXPECT_EQ(c.bandit[i].segment, arms[i].segment);
    EXPECT_EQ(c.bandit[i].kind, arms[i].kind);
    EXPECT_DOUBLE_EQ(c.bandit[i].successes, arms[i].successes);
    EXPECT_DOUBLE_EQ(c.bandit[i].failures, arms[i].failures);
  }

  // B last touched w, which nobody moved on from.
  query.recent_activities = 1;
  POLKU_ASSERT_OK_AND_ASSIGN(
      c, learning_->ReadRecommendationContext("t1", "B", query));
  EXPECT_EQ(c.activities.size(), 3u);
  EXPECT_THAT(c.next_activities, IsEmpty());
  EXPECT_THAT(c.feedback, IsEmpty());

  // A learner with nothing stored.
  POLKU_ASSERT_OK_AND_ASSIGN(
      c, learning_->ReadRecommendationContext("t1", "nobody", query));
  EXPECT_FALSE(c.opted_out);
  EXPECT_FALSE(c.profile.has_value());
  EXPECT_THAT(c.activities, IsEmpty());
  EXPECT_THAT(c.next_activities, IsEmpty());
  EXPECT_EQ(c.bandit.size(), 2u);  // the tenant's arms
  EXPECT_EQ(c.catalogue_version, *learning_->CatalogueVersion("t1"));
  POLKU_ASSERT_OK(learning_->UpsertActivities("t1", {MakeActivity("a1", 1)}));
  POLKU_ASSERT_OK_AND_ASSIGN(
      c, learning_->ReadRecommendationContext("t1", "nobody", query));
  EXPECT_EQ(c.catalogue_version, *learning_->CatalogueVersion("t1"));
  EXPECT_GT(c.catalogue_version, 0);

  // An opted-out learner: nothing else is read.
  POLKU_ASSERT_OK(learning_->SetOptOut("t1", "A", true, 100));
  POLKU_ASSERT_OK_AND_ASSIGN(
      c, learning_->ReadRecommendationContext("t1", "A", query));
  EXPECT_TRUE(c.opted_out);
  EXPECT_FALSE(c.profile.has_value());
  EXPECT_THAT(c.activities, IsEmpty());
  EXPECT_THAT(c.feedback, IsEmpty());
  EXPECT_THAT(c.bandit, IsEmpty());
}

TEST_P(LearningStoreConformance, EraseLearnerRemovesEveryTrace) {
  std::vector<EventRecord> records = TwoLearners("t1");
  POLKU_ASSERT_OK(events_->Append(records));
  ServedRecommendation a = Served("ra", "A", "REFLECT", "below");
  ServedRecommendation b = Served("rb", "B", "REFLECT", "below");
  POLKU_ASSERT_OK(learning_->RecordServed("t1", {a, b}));
  for (const auto* s : {&a, &b}) {
    POLKU_ASSERT_OK(learning_->RecordFeedback(
        "t1", Feedback(*s, FeedbackOutcome::kShown, 1)));
    POLKU_ASSERT_OK(learning_->RecordFeedback(
        "t1", Feedback(*s, FeedbackOutcome::kAccepted, 2)));
  }
  POLKU_ASSERT_OK(learning_->RecordFeedback(
      "t1", Feedback(a, FeedbackOutcome::kDismissed, 3)));
  POLKU_ASSERT_OK(learning_->SetOptOut("t1", "A", true, 5));

  POLKU_ASSERT_OK_AND_ASSIGN(int64_t erased,
                             events_->EraseLearner("t1", "A", 100));
  EXPECT_EQ(erased, 5);

  POLKU_ASSERT_OK_AND_ASSIGN(auto state,
                             learning_->ExportLearnerState("t1", "A"));
  EXPECT_FALSE(state.profile.has_value());
  EXPECT_THAT(state.activities, IsEmpty());
  EXPECT_THAT(state.served, IsEmpty());
  EXPECT_THAT(state.feedback, IsEmpty());
  EXPECT_THAT(state.weeks, IsEmpty());
  EXPECT_FALSE(state.opted_out);
  EXPECT_FALSE(learning_->GetProfile("t1", "A")->has_value());
  EXPECT_FALSE(learning_->GetServed("t1", "A", "ra")->has_value());
  // B's contributions remain, A's are gone.
  EXPECT_THAT(*learning_->NextActivities("t1", {"x"}, 5),
              ElementsAre(Pair("y", 1.0)));
  EXPECT_THAT(*learning_->NextActivities("t1", {"y"}, 5),
              ElementsAre(Pair("w", 1.0)));
  POLKU_ASSERT_OK_AND_ASSIGN(auto arms, learning_->GetBandit("t1"));
  ASSERT_EQ(arms.size(), 1u);
  EXPECT_EQ(arms[0].shown, 1);
  EXPECT_DOUBLE_EQ(arms[0].successes, 1);
  EXPECT_DOUBLE_EQ(arms[0].failures, 0);
  POLKU_ASSERT_OK_AND_ASSIGN(auto b_state,
                             learning_->ExportLearnerState("t1", "B"));
  EXPECT_TRUE(b_state.profile.has_value());
  EXPECT_EQ(b_state.activities.size(), 3u);
  EXPECT_EQ(b_state.served.size(), 1u);
  EXPECT_EQ(b_state.feedback.size(), 2u);
  EXPECT_EQ(b_state.weeks.size(), 1u);
  POLKU_ASSERT_OK_AND_ASSIGN(auto weeks, learning_->ListWeeks("t1", "", 0));
  ASSERT_EQ(weeks.size(), 1u);
  EXPECT_EQ(weeks[0].learner_key, "B");

  // A resend stores nothing and profiles nothing.
  std::vector<EventRecord> resend(records.begin(), records.begin() + 5);
  resend.push_back(Rec("t1", "a-new", "A", "q", kMonday2024 + 20 * kDay));
  POLKU_ASSERT_OK_AND_ASSIGN(auto outcomes, events_->Append(resend));
  for (WriteOutcome o : outcomes) EXPECT_EQ(o, WriteOutcome::kErased);
  EXPECT_EQ(*events_->Count("t1"), 3);
  EXPECT_FALSE(learning_->GetProfile("t1", "A")->has_value());
  EXPECT_THAT(*learning_->GetActivityStates("t1", "A"), IsEmpty());
  EXPECT_THAT(*learning_->NextActivities("t1", {"z"}, 5), IsEmpty());
}

TEST_P(LearningStoreConformance, EraseKeepsAnotherLearnersSharedCounts) {
  // Both learners go x -> y: the aggregate is 2, then 1, then gone.
  POLKU_ASSERT_OK(events_->Append(
      {Rec("t1", "1", "A", "x", 1), Rec("t1", "2", "A", "y", 2),
       Rec("t1", "3", "B", "x", 1), Rec("t1", "4", "B", "y", 2)}));
  EXPECT_THAT(*learning_->NextActivities("t1", {"x"}, 5),
              ElementsAre(Pair("y", 2.0)));
  POLKU_ASSERT_OK(events_->EraseLearner("t1", "A", 10));
  EXPECT_THAT(*learning_->NextActivities("t1", {"x"}, 5),
              ElementsAre(Pair("y", 1.0)));
  POLKU_ASSERT_OK(events_->EraseLearner("t1", "B", 10));
  EXPECT_THAT(*learning_->NextActivities("t1", {"x"}, 5), IsEmpty());
}

TEST_P(LearningStoreConformance, CatalogueUpsertPagesAndVersion) {
  EXPECT_EQ(*learning_->CatalogueVersion("t1"), 0);
  std::vector<learning::Activity> activities;
  for (int i = 5; i >= 1; --i) {
    activities.push_back(MakeActivity("a" + std::to_string(i), i));
  }
  POLKU_ASSERT_OK(learning_->UpsertActivities("t1", activities));
  POLKU_ASSERT_OK_AND_ASSIGN(int64_t v1, learning_->CatalogueVersion("t1"));
  EXPECT_GT(v1, 0);

  std::vector<std::string> ids;
  std::string token;
  int pages = 0;
  do {
    POLKU_ASSERT_OK_AND_ASSIGN(auto page,
                               learning_->ListActivities("t1", 2, token));
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

  POLKU_ASSERT_OK_AND_ASSIGN(auto all, learning_->ListActivities("t1", 0, ""));
  EXPECT_EQ(all.items.size(), 5u);
  EXPECT_TRUE(all.next_page_token.empty());
  EXPECT_THAT(
      learning_->ListActivities("t1", 2, "not a token!"),
      StatusIs(absl::StatusCode::kInvalidArgument, "page_token: is malformed"));
  EXPECT_THAT(
      learning_->ListPaths("t1", 2, "abc"),
      StatusIs(absl::StatusCode::kInvalidArgument, "page_token: is malformed"));
  EXPECT_THAT(learning_->ListActivities("t2", 2, "")->items, IsEmpty());

  // Replacing by id changes the version and the stored value.
  learning::Activity changed = MakeActivity("a3", 3);
  changed.title = "Renamed";
  changed.visible = false;
  POLKU_ASSERT_OK(learning_->UpsertActivities("t1", {changed}));
  POLKU_ASSERT_OK_AND_ASSIGN(int64_t v2, learning_->CatalogueVersion("t1"));
  EXPECT_GT(v2, v1);

  POLKU_ASSERT_OK(
      learning_->UpsertPaths("t1", {MakePath("p2"), MakePath("p1")}));
  POLKU_ASSERT_OK_AND_ASSIGN(int64_t v3, learning_->CatalogueVersion("t1"));
  EXPECT_GT(v3, v2);
  POLKU_ASSERT_OK_AND_ASSIGN(auto paths, learning_->ListPaths("t1", 1, ""));
  ASSERT_EQ(paths.items.size(), 1u);
  EXPECT_EQ(paths.items[0].id, "p1");
  EXPECT_FALSE(paths.next_page_token.empty());
  POLKU_ASSERT_OK_AND_ASSIGN(
      paths, learning_->ListPaths("t1", 1, paths.next_page_token));
  ASSERT_EQ(paths.items.size(), 1u);
  EXPECT_EQ(paths.items[0].id, "p2");
  EXPECT_TRUE(paths.next_page_token.empty());

  POLKU_ASSERT_OK_AND_ASSIGN(auto file, learning_->LoadCatalogue("t1"));
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
  EXPECT_THAT(learning_->LoadCatalogue("t2")->activities, IsEmpty());
}

TEST_P(LearningStoreConformance, CatalogueTenantsMostRecentlyChangedFirst) {
  EXPECT_THAT(*learning_->CatalogueTenants(10), IsEmpty());
  // Versions are milliseconds: 2 ms apart, each change is the newest.
  for (const char* tenant : {"t2", "t1", "t3"}) {
    POLKU_ASSERT_OK(
        learning_->UpsertActivities(tenant, {MakeActivity("a1", 1)}));
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  EXPECT_THAT(*learning_->CatalogueTenants(10), ElementsAre("t3", "t1", "t2"));
  // A change to a path moves its tenant to the front.
  POLKU_ASSERT_OK(learning_->UpsertPaths("t2", {MakePath("p1")}));
  EXPECT_THAT(*learning_->CatalogueTenants(10), ElementsAre("t2", "t3", "t1"));
  EXPECT_THAT(*learning_->CatalogueTenants(2), ElementsAre("t2", "t3"));
  // A deleted tenant has no catalogue left.
  POLKU_ASSERT_OK(events_->DeleteTenant("t3").status());
  EXPECT_THAT(*learning_->CatalogueTenants(10), ElementsAre("t2", "t1"));
}

TEST_P(LearningStoreConformance, DeleteTenantLeavesAnotherTenantUntouched) {
  for (const char* tenant : {"t1", "t2"}) {
    POLKU_ASSERT_OK(events_->Append(TwoLearners(tenant)));
    POLKU_ASSERT_OK(
        learning_->UpsertActivities(tenant, {MakeActivity("a1", 1)}));
    POLKU_ASSERT_OK(learning_->UpsertPaths(tenant, {MakePath("p1")}));
    ServedRecommendation s = Served("r", "B", "REFLECT", "below");
    POLKU_ASSERT_OK(learning_->RecordServed(tenant, {s}));
    POLKU_ASSERT_OK(learning_->RecordFeedback(
        tenant, Feedback(s, FeedbackOutcome::kAccepted, 1)));
    POLKU_ASSERT_OK(learning_->SetOptOut(tenant, "B", true, 1));
  }
  POLKU_ASSERT_OK_AND_ASSIGN(int64_t deleted, events_->DeleteTenant("t1"));
  EXPECT_EQ(deleted, 8);

  POLKU_ASSERT_OK_AND_ASSIGN(auto a, learning_->ExportLearnerState("t1", "A"));
  EXPECT_FALSE(a.profile.has_value());
  EXPECT_THAT(a.activities, IsEmpty());
  POLKU_ASSERT_OK_AND_ASSIGN(auto b, learning_->ExportLearnerState("t1", "B"));
  EXPECT_FALSE(b.opted_out);
  EXPECT_THAT(b.served, IsEmpty());
  EXPECT_THAT(b.feedback, IsEmpty());
  EXPECT_THAT(*learning_->NextActivities("t1", {"x"}, 5), IsEmpty());
  EXPECT_THAT(*learning_->ListWeeks("t1", "", 0), IsEmpty());
  EXPECT_THAT(*learning_->GetBandit("t1"), IsEmpty());
  EXPECT_THAT(learning_->LoadCatalogue("t1")->activities, IsEmpty());
  EXPECT_THAT(learning_->LoadCatalogue("t1")->paths, IsEmpty());
  EXPECT_EQ(*learning_->CatalogueVersion("t1"), 0);
  int profiles = 0;
  POLKU_ASSERT_OK(learning_->ForEachProfile(
      "t1", "", [&](std::string_view, const Profile&) { ++profiles; }));
  EXPECT_EQ(profiles, 0);

  EXPECT_EQ(*events_->Count("t2"), 8);
  POLKU_ASSERT_OK_AND_ASSIGN(auto b2, learning_->ExportLearnerState("t2", "B"));
  EXPECT_TRUE(b2.profile.has_value());
  EXPECT_TRUE(b2.opted_out);
  EXPECT_EQ(b2.served.size(), 1u);
  EXPECT_EQ(b2.feedback.size(), 1u);
  EXPECT_EQ(b2.activities.size(), 3u);
  EXPECT_THAT(*learning_->NextActivities("t2", {"x"}, 5),
              ElementsAre(Pair("y", 2.0)));
  EXPECT_EQ(learning_->GetBandit("t2")->size(), 1u);
  EXPECT_EQ(learning_->LoadCatalogue("t2")->paths.size(), 1u);
  EXPECT_GT(*learning_->CatalogueVersion("t2"), 0);
  EXPECT_EQ(learning_->ListWeeks("t2", "", 0)->size(), 2u);
}

TEST_P(LearningStoreConformance, WritesFailAfterClose) {
  POLKU_ASSERT_OK(events_->Close());
  EXPECT_THAT(learning_->SetOptOut("t1", "A", true, 1),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(learning_->UpsertActivities("t1", {MakeActivity("a1", 1)}),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(
      learning_->RecordFeedback("t1", Feedback(Served("r", "A", "K", "s"),
                                               FeedbackOutcome::kShown, 1)),
      StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_P(LearningStoreConformance, PreviousActivityWithinOneGroup) {
  // As PreviousActivityIsTheOneFirstTouchedJustBefore, in one group; d and
  // e are first touched at the same time as c: the greater id is previous.
  POLKU_ASSERT_OK(events_->Append(
      {Rec("t1", "1", "C", "a", 10), Rec("t1", "2", "C", "c", 30),
       Rec("t1", "3", "C", "b", 20), Rec("t1", "4", "C", "a", 5),
       Rec("t1", "5", "C", "e", 30), Rec("t1", "6", "C", "d", 30)}));
  EXPECT_THAT(*learning_->NextActivities("t1", {"a"}, 5),
              ElementsAre(Pair("b", 1.0), Pair("c", 1.0)));
  EXPECT_THAT(*learning_->NextActivities("t1", {"b"}, 5), IsEmpty());
  EXPECT_THAT(*learning_->NextActivities("t1", {"c"}, 5),
              ElementsAre(Pair("e", 1.0)));
  EXPECT_THAT(*learning_->NextActivities("t1", {"e"}, 5),
              ElementsAre(Pair("d", 1.0)));
  POLKU_ASSERT_OK_AND_ASSIGN(auto a, learning_->GetActivityStates("t1", "C"));
  ASSERT_EQ(a.size(), 5u);
  EXPECT_EQ(a[0].object_id, "a");
  EXPECT_EQ(a[0].first_ms, 5);
  EXPECT_EQ(a[0].last_ms, 10);
  EXPECT_EQ(a[0].events, 2);
}

// The same events appended one by one, all at once, and in groups of
// varying size (each way in a tenant of its own) leave the same state.
TEST_P(LearningStoreConformance, OneGroupProjectsAsTheSameEventsOneByOne) {
  std::mt19937 rng(11);
  const std::vector<EventRecord> events = ManyEvents(rng);
  auto in = [&](const std::string& tenant) {
    std::vector<EventRecord> v = events;
    for (EventRecord& r : v) r.tenant = tenant;
    return v;
  };
  for (const EventRecord& r : in("one")) POLKU_ASSERT_OK(events_->Append({r}));
  POLKU_ASSERT_OK_AND_ASSIGN(auto outcomes, events_->Append(in("all")));
  EXPECT_EQ(
      std::count(outcomes.begin(), outcomes.end(), WriteOutcome::kDuplicate),
      1);
  const std::vector<EventRecord> varying = in("varying");
  for (size_t i = 0; i < varying.size();) {
    const size_t n = std::min<size_t>(1 + rng() % 40, varying.size() - i);
    POLKU_ASSERT_OK(
        events_->Append(absl::MakeConstSpan(varying).subspan(i, n)));
    i += n;
  }
  const LearningSnapshot want =
      Snapshot(*learning_, "one", Names("L", 3), Names("obj", 17));
  ASSERT_FALSE(want.next.empty());
  ExpectSameSnapshot(
      Snapshot(*learning_, "all", Names("L", 3), Names("obj", 17)), want);
  ExpectSameSnapshot(
      Snapshot(*learning_, "varying", Names("L", 3), Names("obj", 17)), want);
}

}  // namespace
}  // namespace polku::store
