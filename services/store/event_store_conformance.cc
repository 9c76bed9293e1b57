#include "store/event_store_conformance.h"

#include <thread>

#include "common/status_matchers.h"
#include "gmock/gmock.h"

namespace polku::store {

using ::polku::testing::StatusIs;
using ::testing::ElementsAre;

EventRecord EventStoreConformance::Record(std::string tenant, std::string id,
                                          std::string learner,
                                          std::string content) {
  EventRecord r;
  r.tenant = std::move(tenant);
  r.event_id = std::move(id);
  r.learner_key = std::move(learner);
  r.occurred_at_ms = 1600000000000;
  r.received_at_ms = 1600000001000;
  r.platform = model::Platform::kMoodle;
  r.verb = model::Verb::kCompleted;
  r.mode = model::Mode::kStructured;
  r.object_id = "lms.example/course/view.php?id=2";
  r.content_hash = "hash-" + content;
  r.body_json = "{\"content\":\"" + content + "\"}";
  r.tags_json = "{\"mode\":\"STRUCTURED\"}";
  return r;
}

TEST_P(EventStoreConformance, AcceptsNewEventsAndReadsThemBack) {
  std::vector<EventRecord> batch = {Record("t1", "e1"), Record("t1", "e2")};
  POLKU_ASSERT_OK_AND_ASSIGN(auto outcomes, store_->Append(batch));
  EXPECT_THAT(outcomes,
              ElementsAre(WriteOutcome::kAccepted, WriteOutcome::kAccepted));
  POLKU_ASSERT_OK_AND_ASSIGN(auto got, store_->Get("t1", "e2"));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->event_id, "e2");
  EXPECT_EQ(got->learner_key, "lms.example#1");
  EXPECT_EQ(got->body_json, batch[1].body_json);
  EXPECT_EQ(got->tags_json, batch[1].tags_json);
  EXPECT_EQ(got->verb, model::Verb::kCompleted);
  EXPECT_EQ(got->mode, model::Mode::kStructured);
  EXPECT_EQ(got->occurred_at_ms, 1600000000000);
  EXPECT_EQ(*store_->Count("t1"), 2);
}

TEST_P(EventStoreConformance, SameIdSameContentIsDuplicate) {
  POLKU_ASSERT_OK(store_->Append({Record("t1", "e1")}));
  POLKU_ASSERT_OK_AND_ASSIGN(auto outcomes,
                             store_->Append({Record("t1", "e1")}));
  EXPECT_THAT(outcomes, ElementsAre(WriteOutcome::kDuplicate));
  EXPECT_EQ(*store_->Count("t1"), 1);
}

TEST_P(EventStoreConformance, SameIdOtherContentIsConflictAndKeepsFirst) {
  POLKU_ASSERT_OK(store_->Append({Record("t1", "e1", "lms.example#1", "a")}));
  POLKU_ASSERT_OK_AND_ASSIGN(
      auto outcomes,
      store_->Append({Record("t1", "e1", "lms.example#1", "b")}));
  EXPECT_THAT(outcomes, ElementsAre(WriteOutcome::kConflict));
  EXPECT_EQ((*store_->Get("t1", "e1"))->content_hash, "hash-a");
}

TEST_P(EventStoreConformance, RepeatedIdWithinOneBatch) {
  POLKU_ASSERT_OK_AND_ASSIGN(
      auto outcomes,
      store_->Append({Record("t1", "e1", "lms.example#1", "a"),
                      Record("t1", "e1", "lms.example#1", "a"),
                      Record("t1", "e1", "lms.example#1", "b")}));
  EXPECT_THAT(outcomes,
              ElementsAre(WriteOutcome::kAccepted, WriteOutcome::kDuplicate,
                          WriteOutcome::kConflict));
  EXPECT_EQ(*store_->Count("t1"), 1);
}

TEST_P(EventStoreConformance, TenantsAreSeparate) {
  POLKU_ASSERT_OK(store_->Append({Record("t1", "e1", "lms.example#1", "a")}));
  POLKU_ASSERT_OK_AND_ASSIGN(
      auto outcomes,
      store_->Append({Record("t2", "e1", "lms.example#1", "b")}));
  EXPECT_THAT(outcomes, ElementsAre(WriteOutcome::kAccepted));
  EXPECT_EQ(*store_->Count("t1"), 1);
  EXPECT_EQ(*store_->Count("t2"), 1);
  EXPECT_FALSE(store_->Get("t3", "e1")->has_value());
}

TEST_P(EventStoreConformance, ListsALearnersEventsOldestFirst) {
  EventRecord late = Record("t1", "late");
  late.occurred_at_ms += 5000;
  POLKU_ASSERT_OK(store_->Append(
      {late, Record("t1", "early"), Record("t1", "other", "lms.example#2")}));
  POLKU_ASSERT_OK_AND_ASSIGN(auto list,
                             store_->ListByLearner("t1", "lms.example#1", 10));
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].event_id, "early");
  EXPECT_EQ(list[1].event_id, "late");
  POLKU_ASSERT_OK_AND_ASSIGN(auto one,
                             store_->ListByLearner("t1", "lms.example#1", 1));
  EXPECT_EQ(one.size(), 1u);
}

TEST_P(EventStoreConformance, EraseLeavesATombstoneThatStopsResends) {
  POLKU_ASSERT_OK(store_->Append({Record("t1", "e1"), Record("t1", "e2"),
                                  Record("t1", "x", "lms.example#2")}));
  POLKU_ASSERT_OK_AND_ASSIGN(int64_t n,
                             store_->EraseLearner("t1", "lms.example#1", 1));
  EXPECT_EQ(n, 2);
  EXPECT_TRUE(store_->ListByLearner("t1", "lms.example#1", 10)->empty());
  POLKU_ASSERT_OK_AND_ASSIGN(auto outcomes,
                             store_->Append({Record("t1", "e1")}));
  EXPECT_THAT(outcomes, ElementsAre(WriteOutcome::kErased));
  EXPECT_EQ(*store_->Count("t1"), 1);
  // The same learner key in another tenant is unaffected.
  POLKU_ASSERT_OK_AND_ASSIGN(auto other, store_->Append({Record("t2", "e1")}));
  EXPECT_THAT(other, ElementsAre(WriteOutcome::kAccepted));
}

TEST_P(EventStoreConformance, ConcurrentAppendsOfTheSameIdsStoreEachOnce) {
  constexpr int kThreads = 4;
  constexpr int kEvents = 200;
  std::vector<std::thread> threads;
  std::atomic<int> accepted{0};
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEvents; i += 10) {
        std::vector<EventRecord> batch;
        for (int k = i; k < i + 10; ++k) {
          batch.push_back(Record("t1", "e" + std::to_string(k)));
        }
        auto outcomes = store_->Append(batch);
        if (!outcomes.ok()) {
          ++failures;
          continue;
        }
        for (WriteOutcome o : *outcomes)
          accepted += o == WriteOutcome::kAccepted;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(accepted.load(), kEvents);
  EXPECT_EQ(*store_->Count("t1"), kEvents);
}

TEST_P(EventStoreConformance, DeleteTenantRemovesOnlyThatTenant) {
  POLKU_ASSERT_OK(store_->Append({Record("t1", "e1"), Record("t1", "e2"),
                                  Record("t1", "e3", "lms.example#2"),
                                  Record("t2", "e1")}));
  POLKU_ASSERT_OK(store_->EraseLearner("t1", "lms.example#2", 1));
  POLKU_ASSERT_OK(store_->EraseLearner("t2", "lms.example#9", 1));
  POLKU_ASSERT_OK_AND_ASSIGN(int64_t n, store_->DeleteTenant("t1"));
  EXPECT_EQ(n, 2);
  EXPECT_EQ(*store_->Count("t1"), 0);
  EXPECT_FALSE(store_->Get("t1", "e1")->has_value());
  EXPECT_EQ(*store_->Count("t2"), 1);
  EXPECT_TRUE(store_->Get("t2", "e1")->has_value());
  // The tenant's tombstones went with it; the other tenant's stay.
  POLKU_ASSERT_OK_AND_ASSIGN(
      auto again, store_->Append({Record("t1", "e3", "lms.example#2")}));
  EXPECT_THAT(again, ElementsAre(WriteOutcome::kAccepted));
  POLKU_ASSERT_OK_AND_ASSIGN(
      auto other, store_->Append({Record("t2", "e9", "lms.example#9")}));
  EXPECT_THAT(other, ElementsAre(WriteOutcome::kErased));
  POLKU_ASSERT_OK_AND_ASSIGN(int64_t none, store_->DeleteTenant("nobody"));
  EXPECT_EQ(none, 0);
}

TEST_P(EventStoreConformance, RetentionDeletesOlderEventsAndKeepsThemOut) {
  EventRecord old1 = Record("t1", "old-1");
  old1.occurred_at_ms = 1000;
  EventRecord old2 = Record("t1", "old-2");
  old2.occurred_at_ms = 1999;
  EventRecord recent = Record("t1", "recent");
  recent.occurred_at_ms = 2000;
  EventRecord other = Record("t2", "old-1");
  other.occurred_at_ms = 1000;
  POLKU_ASSERT_OK(store_->Append({old1, old2, recent, other}));
  POLKU_ASSERT_OK_AND_ASSIGN(int64_t n, store_->DeleteEventsBefore("t1", 2000));
  EXPECT_EQ(n, 2);
  EXPECT_FALSE(store_->Get("t1", "old-1")->has_value());
  EXPECT_TRUE(store_->Get("t1", "recent")->has_value());
  EXPECT_TRUE(store_->Get("t2", "old-1")->has_value());  // another tenant
  // A resend of a deleted event, and an old one never seen, are
  // acknowledged and not stored; a newer one is stored.
  EventRecord late = Record("t1", "late");
  late.occurred_at_ms = 1500;
  EventRecord fresh = Record("t1", "fresh");
  fresh.occurred_at_ms = 3000;
  POLKU_ASSERT_OK_AND_ASSIGN(auto outcomes,
                             store_->Append({old1, late, fresh}));
  EXPECT_THAT(outcomes,
              ElementsAre(WriteOutcome::kDuplicate, WriteOutcome::kDuplicate,
                          WriteOutcome::kAccepted));
  EXPECT_EQ(*store_->Count("t1"), 2);
  // A lower cutoff later does not bring anything back.
  POLKU_ASSERT_OK_AND_ASSIGN(int64_t none,
                             store_->DeleteEventsBefore("t1", 500));
  EXPECT_EQ(none, 0);
  POLKU_ASSERT_OK_AND_ASSIGN(auto again, store_->Append({late}));
  EXPECT_THAT(again, ElementsAre(WriteOutcome::kDuplicate));
  // Offboarding forgets the cutoff with the rest of the tenant.
  POLKU_ASSERT_OK(store_->DeleteTenant("t1").status());
  POLKU_ASSERT_OK_AND_ASSIGN(auto after, store_->Append({late}));
  EXPECT_THAT(after, ElementsAre(WriteOutcome::kAccepted));
}

TEST_P(EventStoreConformance, FailsAfterClose) {
  POLKU_ASSERT_OK(store_->Close());
  POLKU_EXPECT_OK(store_->Close());  // idempotent
  EXPECT_THAT(store_->Append({Record("t1", "e1")}),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(store_->DeleteTenant("t1"),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

}  // namespace polku::store
