// PostgresEventStore against a real, throwaway PostgreSQL
// (store/testing/postgres_cluster.h): both conformance suites, and what
// only a shared database has: replicas opening (and migrating) at once,
// two stores on one database appending the same learner, lost
// connections, and connection strings kept out of errors.
#include "store/postgres_event_store.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <random>
#include <thread>

#include "common/status_matchers.h"
#include "gmock/gmock.h"
#include "store/event_store_conformance.h"
#include "store/learning_store_conformance.h"
#include "store/sqlite_event_store.h"
#include "store/testing/learning_records.h"
#include "store/testing/postgres_cluster.h"

namespace polku::store {
namespace {

using ::polku::testing::StatusIs;
using store_test::ExpectSameProfile;
using store_test::ExpectSameSnapshot;
using store_test::FreshSchemaDsn;
using store_test::kMonday2024;
using store_test::ManyEvents;
using store_test::Names;
using store_test::Rec;
using store_test::Snapshot;
using store_test::SumOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const ::testing::Environment* const kCluster =
    ::testing::AddGlobalTestEnvironment(
        new store_test::PostgresClusterEnvironment);

// A fresh schema's connection string; fails the test when there is no
// cluster (never skips).
std::string Dsn() {
  auto dsn = FreshSchemaDsn();
  EXPECT_TRUE(dsn.ok()) << dsn.status();
  return dsn.ok() ? *dsn : std::string("host=/nonexistent");
}

std::unique_ptr<PostgresEventStore> OpenAt(
    const std::string& dsn,
    PostgresEventStore::Options options = PostgresEventStore::Options()) {
  auto store = PostgresEventStore::Open(dsn, std::move(options));
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? std::move(store).value() : nullptr;
}

std::unique_ptr<EventStore> FreshStore() { return OpenAt(Dsn()); }

INSTANTIATE_TEST_SUITE_P(Postgres, EventStoreConformance,
                         ::testing::Values(StoreFactory{"Postgres",
                                                        &FreshStore}),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(Postgres, LearningStoreConformance,
                         ::testing::Values(StoreFactory{"Postgres",
                                                        &FreshStore}),
                         [](const auto& info) { return info.param.name; });

TEST(PostgresEventStore, ReplicasOpeningAtOnceMigrateOnce) {
  const std::string dsn = Dsn();
  constexpr int kReplicas = 6;
  std::vector<std::thread> threads;
  std::atomic<int> opened{0};
  for (int i = 0; i < kReplicas; ++i) {
    threads.emplace_back([&] {
      PostgresEventStore::Options options;
      options.pool_size = 1;
      auto store = PostgresEventStore::Open(dsn, options);
      EXPECT_TRUE(store.ok()) << store.status();
      if (store.ok()) ++opened;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(opened.load(), kReplicas);
  auto store = OpenAt(dsn);
  ASSERT_NE(store, nullptr);
  POLKU_ASSERT_OK(store->Append({Rec("t1", "e1", "A", "x", kMonday2024)}));
  EXPECT_EQ(*store->Count("t1"), 1);
}

TEST(PostgresEventStore, RefusesASchemaNewerThanItKnows) {
  const std::string dsn = Dsn();
  ASSERT_NE(OpenAt(dsn), nullptr);
  // The connection string sets the schema's search_path.
  POLKU_ASSERT_OK(
      store_test::RunSql(dsn, "UPDATE polku_schema_version SET version=99"));
  EXPECT_THAT(PostgresEventStore::Open(dsn),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("newer than this Polku")));
}

TEST(PostgresEventStore, ErrorsNeverShowTheConnectionString) {
  POLKU_ASSERT_OK_AND_ASSIGN(std::string dsn, store_test::ClusterDsn());
  // The right server, a wrong password.
  const std::string secret = "Wrong-Secret-Password-42";
  std::string bad = dsn;
  const size_t at = bad.find("password=");
  ASSERT_NE(at, std::string::npos);
  bad.replace(at, bad.find(' ', at) - at, "password=" + secret);
  auto wrong = PostgresEventStore::Open(bad);
  EXPECT_THAT(wrong,
              StatusIs(absl::StatusCode::kUnavailable, Not(HasSubstr(secret))));
  EXPECT_THAT(wrong.status().message(), Not(HasSubstr("password=")));
  // A malformed string is not echoed either.
  EXPECT_THAT(
      PostgresEventStore::Open("host=x password='" + secret),
      StatusIs(absl::StatusCode::kInvalidArgument, Not(HasSubstr(secret))));
  // Nobody listening.
  EXPECT_THAT(
      PostgresEventStore::Open("host=127.0.0.1 port=1 connect_timeout=2 "
                               "password=" +
                               secret),
      StatusIs(absl::StatusCode::kUnavailable, Not(HasSubstr(secret))));
  PostgresEventStore::Options none;
  none.pool_size = 0;
  EXPECT_THAT(PostgresEventStore::Open(dsn, none),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

// Two stores on one database stand for two replicas: they append events of
// the same learners at once, some of them the same events.
TEST(PostgresEventStore, TwoReplicasAppendingOneLearnerLoseNothing) {
  const std::string dsn = Dsn();
  auto a = OpenAt(dsn);
  auto b = OpenAt(dsn);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  std::vector<EventRecord> events;
  for (int i = 0; i < 120; ++i) {
    events.push_back(Rec("t1", "e" + std::to_string(i),
                         i % 3 == 0 ? "L1" : "L0",
                         "obj" + std::to_string(i % 11),
                         kMonday2024 + (i * 7919 % 120) * 3600000));
  }
  std::atomic<int> accepted{0};
  std::atomic<int> failures{0};
  // Each replica sends every event (a retrying adapter), in its own order
  // and batches, on several threads.
  auto run = [&](PostgresEventStore* store, int seed) {
    std::vector<EventRecord> mine = events;
    std::mt19937 rng(seed);
    std::shuffle(mine.begin(), mine.end(), rng);
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t) {
      threads.emplace_back([&, t] {
        for (size_t i = t * 40; i < (t + 1) * 40u; i += 5) {
          auto outcomes =
              store->Append(absl::MakeConstSpan(mine).subspan(i, 5));
          if (!outcomes.ok()) {
            ADD_FAILURE() << outcomes.status();
            ++failures;
            continue;
          }
          for (WriteOutcome o : *outcomes) {
            accepted += o == WriteOutcome::kAccepted;
          }
        }
      });
    }
    for (auto& t : threads) t.join();
  };
  std::thread ra(run, a.get(), 1);
  std::thread rb(run, b.get(), 2);
  ra.join();
  rb.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(accepted.load(), 120);
  EXPECT_EQ(*a->Count("t1"), 120);

  // The same as one SQLite store computes from the same events.
  char dir[] = "/tmp/polku-pg-test-sqlite.XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  POLKU_ASSERT_OK_AND_ASSIGN(
      auto sqlite, SqliteEventStore::Open(std::string(dir) + "/polku.db"));
  POLKU_ASSERT_OK(sqlite->Append(events));
  ExpectSameSnapshot(Snapshot(*a, "t1", Names("L", 2), Names("obj", 11)),
                     Snapshot(*sqlite, "t1", Names("L", 2), Names("obj", 11)),
                     /*same_arrival_order=*/false);
  POLKU_ASSERT_OK(sqlite->Close());
  std::filesystem::remove_all(dir);
}

// The projection of many events, in whatever batches, equals SQLite's.
TEST(PostgresEventStore, ProjectsAsTheSqliteStore) {
  std::mt19937 rng(5);
  const std::vector<EventRecord> events = ManyEvents(rng);
  auto pg = OpenAt(Dsn());
  ASSERT_NE(pg, nullptr);
  for (size_t i = 0; i < events.size();) {
    const size_t n = std::min<size_t>(1 + rng() % 30, events.size() - i);
    POLKU_ASSERT_OK(pg->Append(absl::MakeConstSpan(events).subspan(i, n)));
    i += n;
  }
  char dir[] = "/tmp/polku-pg-test-sqlite.XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  POLKU_ASSERT_OK_AND_ASSIGN(
      auto sqlite, SqliteEventStore::Open(std::string(dir) + "/polku.db"));
  for (const EventRecord& r : events) POLKU_ASSERT_OK(sqlite->Append({r}));
  ExpectSameSnapshot(Snapshot(*pg, "t1", Names("L", 3), Names("obj", 17)),
                     Snapshot(*sqlite, "t1", Names("L", 3), Names("obj", 17)));
  POLKU_ASSERT_OK(sqlite->Close());
  std::filesystem::remove_all(dir);
}

// PostgreSQL refuses text that is not UTF-8 (SQLite would store it): the
// call fails as a bad request, not as a retryable outage, and stores
// nothing.
TEST(PostgresEventStore, TextThatIsNotUtf8IsABadRequest) {
  auto store = OpenAt(Dsn());
  ASSERT_NE(store, nullptr);
  EventRecord bad = Rec("t1", "e1", "A", "x", kMonday2024);
  bad.body_json = "{\"name\":\"\xff\xfe\"}";
  EXPECT_THAT(store->Append({Rec("t1", "e0", "A", "x", kMonday2024), bad}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("22")));
  EXPECT_EQ(*store->Count("t1"), 0);
  EXPECT_FALSE(store->GetProfile("t1", "A")->has_value());
}

// Learner keys are passed to PostgreSQL in arrays: quotes, backslashes,
// commas, braces and spaces must come through as they are.
TEST(PostgresEventStore, LearnerKeysWithArraySyntaxCharacters) {
  auto store = OpenAt(Dsn());
  ASSERT_NE(store, nullptr);
  const std::vector<std::string> keys = {"a\"b", "c\\d", "e,f",   "{g}",
                                         " h ",  "NULL", "i\\\"j"};
  std::vector<EventRecord> records;
  for (size_t i = 0; i < keys.size(); ++i) {
    records.push_back(
        Rec("t1", "e" + std::to_string(i), keys[i], "x", kMonday2024 + i));
    records.push_back(Rec("t1", "f" + std::to_string(i), keys[i], "y",
                          kMonday2024 + 100 + i));
  }
  POLKU_ASSERT_OK(store->Append(records));
  POLKU_ASSERT_OK(store->EraseLearner("t1", "NULL", 1));
  POLKU_ASSERT_OK_AND_ASSIGN(
      auto again, store->Append({Rec("t1", "g", "NULL", "z", kMonday2024),
                                 Rec("t1", "h", "a\"b", "z", kMonday2024)}));
  EXPECT_THAT(again,
              ElementsAre(WriteOutcome::kErased, WriteOutcome::kAccepted));
  for (const std::string& key : keys) {
    POLKU_ASSERT_OK_AND_ASSIGN(auto profile, store->GetProfile("t1", key));
    if (key == "NULL") {
      EXPECT_FALSE(profile.has_value());
      continue;
    }
    ASSERT_TRUE(profile.has_value()) << key;
    EXPECT_EQ(profile->sums.counts[0], key == "a\"b" ? 3 : 2) << key;
    POLKU_ASSERT_OK_AND_ASSIGN(auto states,
                               store->GetActivityStates("t1", key));
    EXPECT_EQ(states.size(), key == "a\"b" ? 3u : 2u) << key;
  }
}

// The server closes every connection of the store (as a restart or a
// failover does): the next calls reconnect and succeed.
TEST(PostgresEventStore, ReconnectsAfterTheServerDropsItsConnections) {
  // Named, so that only this store's connections are closed.
  const std::string dsn = Dsn() + " application_name=polku_reconnect_test";
  PostgresEventStore::Options options;
  options.pool_size = 2;
  auto store = OpenAt(dsn, options);
  ASSERT_NE(store, nullptr);
  POLKU_ASSERT_OK(store->Append({Rec("t1", "e1", "A", "x", kMonday2024)}));
  POLKU_ASSERT_OK(store_test::RunSql(
      dsn,
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
      "WHERE application_name = 'polku_reconnect_test' "
      "AND pid <> pg_backend_pid()"));
  POLKU_ASSERT_OK_AND_ASSIGN(
      auto outcomes, store->Append({Rec("t1", "e2", "A", "y", kMonday2024 + 1),
                                    Rec("t1", "e1", "A", "x", kMonday2024)}));
  EXPECT_THAT(outcomes,
              ElementsAre(WriteOutcome::kAccepted, WriteOutcome::kDuplicate));
  EXPECT_EQ(*store->Count("t1"), 2);
  POLKU_ASSERT_OK_AND_ASSIGN(auto profile, store->GetProfile("t1", "A"));
  ASSERT_TRUE(profile.has_value());
  ExpectSameProfile(*profile,
                    SumOf({Rec("t1", "e1", "A", "x", kMonday2024),
                           Rec("t1", "e2", "A", "y", kMonday2024 + 1)}));
  EXPECT_GE(store->retries(), 1);
}

}  // namespace
}  // namespace polku::store
