// ServedLog against the real SQLite store: callers that arrive during a
// commit share the next one, each caller gets its own tenant's status,
// and every record a caller was told is committed can be read back.
#include "engine/served_log.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "common/status_matchers.h"
#include "common/str_cat.h"
#include "store/sqlite_event_store.h"

namespace polku::engine {
namespace {

store::ServedRecommendation Served(std::string id) {
  store::ServedRecommendation s;
  s.recommendation_id = std::move(id);
  s.learner_key = "learner";
  s.kind = "REFLECT";
  s.target_id = "act-1";
  s.segment = "inside";
  s.propensity = 0.5;
  s.served_ms = 1772442000000;
  return s;
}

class ServedLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/served_log_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    store::SqliteEventStore::Options options;
    options.durability = store::SqliteEventStore::Durability::kNormal;
    auto store =
        store::SqliteEventStore::Open((dir_ / "polku.db").string(), options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  // Waits (bounded) until `n` callers are queued behind a commit.
  static void AwaitQueued(const ServedLog& log, size_t n) {
    for (int i = 0; i < 5000 && log.queued() < n; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ASSERT_EQ(log.queued(), n);
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::SqliteEventStore> store_;
};

TEST_F(ServedLogTest, CallersArrivingDuringACommitShareTheNextOne) {
  absl::Notification release;
  std::atomic<int> calls{0};
  std::vector<size_t> batch_rows;  // written by the one leader at a time
  ServedLog log([&](std::string_view tenant,
                    absl::Span<const store::ServedRecommendation> rows) {
    if (calls.fetch_add(1) == 0) release.WaitForNotification();
    batch_rows.push_back(rows.size());
    return store_->RecordServed(tenant, rows);
  });
  std::thread first(
      [&] { POLKU_EXPECT_OK(log.Record("acme", {Served("r-first")})); });
  // The first caller is committing (held in its write).
  for (int i = 0; i < 5000 && calls.load() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ASSERT_EQ(calls.load(), 1);
  constexpr int kCallers = 6;
  std::vector<std::thread> others;
  for (int t = 0; t < kCallers; ++t) {
    others.emplace_back([&, t] {
      POLKU_EXPECT_OK(
          log.Record("acme", {Served(common::StrCat("r-", t, "-a")),
                              Served(common::StrCat("r-", t, "-b"))}));
    });
  }
  AwaitQueued(log, kCallers);
  release.Notify();
  first.join();
  for (auto& t : others) t.join();
  // One commit for the first caller, one for the six that waited.
  EXPECT_EQ(calls.load(), 2);
  ASSERT_EQ(batch_rows.size(), 2u);
  EXPECT_EQ(batch_rows[0], 1u);
  EXPECT_EQ(batch_rows[1], 2u * kCallers);
  EXPECT_EQ(log.counts().commits, 2);
  EXPECT_EQ(log.counts().callers, 1 + kCallers);
  EXPECT_EQ(log.queued(), 0u);
  for (int t = 0; t < kCallers; ++t) {
    for (const char* suffix : {"-a", "-b"}) {
      POLKU_ASSERT_OK_AND_ASSIGN(
          auto got, store_->GetServed("acme", "learner",
                                      common::StrCat("r-", t, suffix)));
      EXPECT_TRUE(got.has_value()) << t << suffix;
    }
  }
}

TEST_F(ServedLogTest, EachCallerGetsItsOwnTenantsCommitStatus) {
  absl::Notification release;
  std::atomic<int> calls{0};
  ServedLog log([&](std::string_view tenant,
                    absl::Span<const store::ServedRecommendation> rows) {
    if (calls.fetch_add(1) == 0) release.WaitForNotification();
    if (tenant == "broken") {
      return absl::UnavailableError("disk full (test)");
    }
    return store_->RecordServed(tenant, rows);
  });
  std::thread first(
      [&] { POLKU_EXPECT_OK(log.Record("acme", {Served("r-0")})); });
  for (int i = 0; i < 5000 && calls.load() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  absl::Status broken_status;
  absl::Status acme_status;
  std::thread broken(
      [&] { broken_status = log.Record("broken", {Served("r-b")}); });
  std::thread acme([&] { acme_status = log.Record("acme", {Served("r-1")}); });
  AwaitQueued(log, 2);
  release.Notify();
  first.join();
  broken.join();
  acme.join();
  // Both waited for the same batch: a transaction per tenant.
  EXPECT_EQ(calls.load(), 3);
  EXPECT_EQ(broken_status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(broken_status.message(), "disk full (test)");
  POLKU_EXPECT_OK(acme_status);
  POLKU_ASSERT_OK_AND_ASSIGN(auto got,
                             store_->GetServed("acme", "learner", "r-1"));
  EXPECT_TRUE(got.has_value());
}

TEST_F(ServedLogTest, ManyCallersEverythingCommittedOnce) {
  std::atomic<int64_t> writes{0};
  std::atomic<int64_t> rows_written{0};
  ServedLog log([&](std::string_view tenant,
                    absl::Span<const store::ServedRecommendation> rows) {
    ++writes;
    rows_written += static_cast<int64_t>(rows.size());
    return store_->RecordServed(tenant, rows);
  });
  constexpr int kThreads = 8;
  constexpr int kEach = 40;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        POLKU_EXPECT_OK(log.Record(t % 2 == 0 ? "acme" : "globex",
                                   {Served(common::StrCat("r-", t, "-", i))}));
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(log.counts().callers, kThreads * kEach);
  // Every transaction is counted, and each record went into exactly one
  // (the store replaces a served id, so a record written twice would not
  // show in what is read back below).
  EXPECT_EQ(log.counts().commits, writes.load());
  EXPECT_EQ(rows_written.load(), kThreads * kEach);
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kEach; ++i) {
      POLKU_ASSERT_OK_AND_ASSIGN(
          auto got, store_->GetServed(t % 2 == 0 ? "acme" : "globex", "learner",
                                      common::StrCat("r-", t, "-", i)));
      EXPECT_TRUE(got.has_value()) << t << " " << i;
    }
  }
}

}  // namespace
}  // namespace polku::engine
