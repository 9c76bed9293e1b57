#include "store/sqlite_event_store.h"

#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "common/hashing.h"
#include "common/status_matchers.h"
#include "common/str_cat.h"
#include "gmock/gmock.h"
#include "model/event_codec.h"
#include "store/event_store_conformance.h"

namespace polku::store {
namespace {

using ::polku::testing::StatusIs;

// A database path in a directory of its own: a fresh store per call, even
// when a process id is reused by a later test process.
std::string TempDbPath() {
  std::string dir =
      (std::filesystem::temp_directory_path() / "polku-store-test-XXXXXX")
          .string();
  EXPECT_NE(mkdtemp(dir.data()), nullptr);
  return dir + "/polku.sqlite";
}

// Sqlite keeps every id of these small tests in memory; SqliteMergingIds
// writes them to event_ids after every group commit.
INSTANTIATE_TEST_SUITE_P(
    Sqlite, EventStoreConformance,
    ::testing::Values(StoreFactory{"Sqlite",
                                   []() -> std::unique_ptr<EventStore> {
                                     auto store =
                                         SqliteEventStore::Open(TempDbPath());
                                     EXPECT_TRUE(store.ok()) << store.status();
                                     return std::move(store).value();
                                   }},
                      StoreFactory{"SqliteMergingIds",
                                   []() -> std::unique_ptr<EventStore> {
                                     SqliteEventStore::Options options;
                                     options.merge_ids_at = 1;
                                     auto store = SqliteEventStore::Open(
                                         TempDbPath(), options);
                                     EXPECT_TRUE(store.ok()) << store.status();
                                     return std::move(store).value();
                                   }}),
    [](const auto& info) { return info.param.name; });

EventRecord SampleRecord(std::string id) {
  EventRecord r;
  r.tenant = "t1";
  r.event_id = std::move(id);
  r.learner_key = "lms.example#1";
  r.occurred_at_ms = 1;
  r.content_hash = "h";
  r.body_json = "{}";
  r.tags_json = "{}";
  r.object_id = "o";
  return r;
}

TEST(SqliteEventStore, EventsSurviveReopen) {
  std::string path = TempDbPath();
  {
    POLKU_ASSERT_OK_AND_ASSIGN(auto store, SqliteEventStore::Open(path));
    POLKU_ASSERT_OK(store->Append({SampleRecord("a"), SampleRecord("b")}));
  }
  POLKU_ASSERT_OK_AND_ASSIGN(auto store, SqliteEventStore::Open(path));
  EXPECT_EQ(*store->Count("t1"), 2);
}

TEST(SqliteEventStore, UsesWalAndFullSyncByDefault) {
  std::string path = TempDbPath();
  POLKU_ASSERT_OK_AND_ASSIGN(auto store, SqliteEventStore::Open(path));
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)),
               "wal");
  sqlite3_finalize(stmt);
  sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, nullptr);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(stmt, 0), SqliteEventStore::SchemaVersion());
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST(SqliteEventStore, RefusesANewerSchema) {
  std::string path = TempDbPath();
  { POLKU_ASSERT_OK_AND_ASSIGN(auto store, SqliteEventStore::Open(path)); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(db, "PRAGMA user_version=999", nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(db);
  EXPECT_THAT(SqliteEventStore::Open(path),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       ::testing::HasSubstr("newer")));
}

TEST(SqliteEventStore, GroupCommitReportsBatches) {
  std::atomic<size_t> records{0};
  SqliteEventStore::Options options;
  options.on_commit = [&](const CommitStats& s) { records += s.records; };
  POLKU_ASSERT_OK_AND_ASSIGN(auto store,
                             SqliteEventStore::Open(TempDbPath(), options));
  POLKU_ASSERT_OK(store->Append({SampleRecord("a"), SampleRecord("b")}));
  EXPECT_EQ(records.load(), 2u);
}

// Opens a store at `path` (synchronous=NORMAL, the given checkpoint size)
// and appends `batches` of `per_batch` events, each with a body of 2 KiB,
// with `pause` between appends. Null when it cannot open.
std::unique_ptr<SqliteEventStore> StoreAfterAppends(
    const std::string& path, int checkpoint_pages, int batches, int per_batch,
    std::chrono::milliseconds pause) {
  SqliteEventStore::Options options;
  options.durability = SqliteEventStore::Durability::kNormal;
  options.checkpoint_pages = checkpoint_pages;
  auto store = SqliteEventStore::Open(path, options);
  EXPECT_TRUE(store.ok()) << store.status();
  if (!store.ok()) return nullptr;
  for (int b = 0; b < batches; ++b) {
    std::vector<EventRecord> batch;
    for (int i = 0; i < per_batch; ++i) {
      batch.push_back(SampleRecord(common::StrCat("e", b, "-", i)));
      batch.back().body_json = std::string(2048, 'x');
    }
    EXPECT_TRUE((*store)->Append(batch).ok());
    if (pause.count() > 0) std::this_thread::sleep_for(pause);
  }
  EXPECT_EQ(*(*store)->Count("t1"), batches * per_batch);
  return std::move(store).value();
}

// The WAL's largest size after those appends.
int64_t WalBytesAfterAppends(
    int checkpoint_pages, int batches, int per_batch = 50,
    std::chrono::milliseconds pause = std::chrono::milliseconds(0)) {
  const std::string path = TempDbPath();
  auto store =
      StoreAfterAppends(path, checkpoint_pages, batches, per_batch, pause);
  if (store == nullptr) return -1;
  // The WAL file keeps the largest size it reached until Close truncates.
  return static_cast<int64_t>(std::filesystem::file_size(path + "-wal"));
}

TEST(SqliteEventStore, ACheckpointThreadKeepsTheWalBounded) {
  // 100 batches write about 25 MB of WAL pages. Without checkpoints the
  // WAL holds them all. With the checkpoint thread working from 64 pages
  // on, and the writer checkpointing itself from 256, it holds little more
  // than what is committed while one checkpoint runs.
  const int64_t unbounded = WalBytesAfterAppends(1 << 30, 100);
  const int64_t bounded = WalBytesAfterAppends(64, 100);
  EXPECT_GT(unbounded, 20 << 20) << unbounded;
  EXPECT_LT(bounded, unbounded / 2) << bounded;
}

TEST(SqliteEventStore, SmallCommitsStartTheWalOverBeforeTheWriterMust) {
  // 800 commits of two events, 2 ms apart (answers being recorded, not a
  // bulk load), write about 10 MB of WAL pages. The writer would start
  // the WAL over at four times 256 pages (4 MiB) by itself; the checkpoint
  // thread catches up and leaves it the last few pages first, so the WAL
  // starts over at little more than 256 pages (1 MiB).
  const int64_t bytes =
      WalBytesAfterAppends(256, 800, 2, std::chrono::milliseconds(2));
  EXPECT_LT(bytes, 7 * 256 * 4096 / 2) << bytes;
}

TEST(SqliteEventStore, LargerCommitsStartTheWalOverBeforeTheWriterMust) {
  // 200 commits of 100 events (about 106 WAL pages each: more than a rest
  // of 64 pages, so some commit always lands between the thread's last
  // pass and the writer's copy), 2 ms apart, at a checkpoint size of 2048
  // pages. The rest the writer copies grows with the commits, so the WAL
  // starts over before twice 2048 pages (16 MiB; 11.7 to 14 MB measured),
  // not at four times that (34 MB with a fixed rest of 64 pages).
  const int64_t bytes =
      WalBytesAfterAppends(2048, 200, 100, std::chrono::milliseconds(2));
  std::printf("largest WAL: %lld bytes\n", static_cast<long long>(bytes));
  EXPECT_LT(bytes, 2 * 2048 * 4096) << bytes;
}

// The store's checkpoint counts after those appends, 2 ms apart (without
// a pause, commits can outrun a checkpoint thread slowed by a sanitizer,
// whose passes then keep the writer's own copies busy until the last).
SqliteStoreStats SqliteStoreStatsAfterAppends(int checkpoint_pages, int batches,
                                              int per_batch) {
  auto store = StoreAfterAppends(TempDbPath(), checkpoint_pages, batches,
                                 per_batch, std::chrono::milliseconds(2));
  if (store == nullptr) return {};
  return store->stats();
}

TEST(SqliteEventStore, SqliteStoreStatsShowAWalThatIsNeverCopied) {
  // A checkpoint size no WAL reaches: nothing is copied, the WAL only
  // grows.
  const SqliteStoreStats s = SqliteStoreStatsAfterAppends(1 << 30, 20, 50);
  EXPECT_GT(s.wal_pages, 20 * 50 / 2);  // 2 KiB bodies: a page per 2 events
  EXPECT_EQ(s.wal_restarts, 0);
  EXPECT_EQ(s.thread_passes, 0);
  EXPECT_EQ(s.writer_rests, 0);
  EXPECT_EQ(s.writer_forced, 0);
  EXPECT_EQ(s.thread_seconds, 0);
}

TEST(SqliteEventStore, SqliteStoreStatsCountTheThreadsPassesAndTheRestarts) {
  // 100 commits of about 60 pages, 2 ms apart, at a checkpoint size of 64
  // pages: the thread copies the WAL, which then starts over again and
  // again (the writer copies the last pages itself only when commits
  // come faster than the thread).
  const SqliteStoreStats s = SqliteStoreStatsAfterAppends(64, 100, 50);
  EXPECT_GT(s.thread_passes, 0);
  EXPECT_GT(s.thread_seconds, 0);
  EXPECT_GT(s.wal_restarts, 0);
  EXPECT_LT(s.wal_pages, 100 * 50 / 2);
}

TEST(SqliteEventStore, SqliteStoreStatsCountForcedCopiesAfterLargeCommits) {
  // Each commit (about 60 pages) is more than four times a checkpoint
  // size of 8 pages: the writer copies the WAL after such a commit itself
  // (SQLITE_BUSY, and a try at the next commit, while the thread copies).
  const SqliteStoreStats s = SqliteStoreStatsAfterAppends(8, 50, 50);
  EXPECT_GT(s.writer_forced, 0);
  EXPECT_GT(s.writer_forced_seconds, 0);
}

TEST(SqliteEventStore, AfterAFailedWalSyncEveryAppendIsRefused) {
  const std::string path = TempDbPath();
  POLKU_ASSERT_OK_AND_ASSIGN(auto store, SqliteEventStore::Open(path));
  // The connections keep the WAL open; the sync thread opens it by name
  // on its first sync, which now fails.
  ASSERT_TRUE(std::filesystem::remove(path + "-wal"));
  EXPECT_THAT(store->Append({SampleRecord("a")}),
              StatusIs(absl::StatusCode::kUnavailable,
                       ::testing::AllOf(::testing::HasSubstr("-wal"),
                                        ::testing::HasSubstr("refused"))));
  // Not even tried: a sync after a failed one proves nothing.
  EXPECT_THAT(store->Append({SampleRecord("b")}),
              StatusIs(absl::StatusCode::kUnavailable,
                       ::testing::HasSubstr("refused")));
  EXPECT_FALSE(store->Get("t1", "b")->has_value());
}

// One integer from a query on a connection of the test's own.
int64_t QueryInt(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  int64_t v = -1;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    v = sqlite3_column_int64(stmt, 0);
  } else {
    ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return v;
}

void RunSqlOn(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 10000);
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);
}

// The event_ids key of an id, as the store computes it.
int64_t IdHashOf(std::string_view tenant, std::string_view event_id) {
  return static_cast<int64_t>(common::Hash64(
      common::StrCat(tenant, std::string_view("\0", 1), event_id)));
}

// A store at `path` that writes the held event ids out every
// `merge_ids_at` new events.
std::unique_ptr<SqliteEventStore> OpenWritingIdsEvery(const std::string& path,
                                                      size_t merge_ids_at) {
  SqliteEventStore::Options options;
  options.merge_ids_at = merge_ids_at;
  auto store = SqliteEventStore::Open(path, options);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? std::move(store).value() : nullptr;
}

// A pass writing the held ids out follows the commit that brought them
// to merge_ids_at, after that commit's callers were handed on: an Append
// can return before it. Waits (at most 2 s) until `passes` have run.
void WaitForIdPasses(SqliteEventStore& store, int64_t passes) {
  for (int i = 0; i < 200 && store.stats().event_id_passes < passes; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

TEST(SqliteEventStore, IdsHeldInMemoryOrWrittenOutAreFoundAfterReopen) {
  const std::string path = TempDbPath();
  {
    auto store = OpenWritingIdsEvery(path, 3);
    ASSERT_NE(store, nullptr);
    for (const char* id : {"e1", "e2", "e3", "e4"}) {
      POLKU_ASSERT_OK_AND_ASSIGN(auto out, store->Append({SampleRecord(id)}));
      EXPECT_THAT(out, ::testing::ElementsAre(WriteOutcome::kAccepted));
    }
    WaitForIdPasses(*store, 1);
    const SqliteStoreStats stats = store->stats();
    EXPECT_EQ(stats.event_id_passes, 1);
    EXPECT_EQ(stats.event_ids_held, 1);
    POLKU_ASSERT_OK(store->Close());
  }
  // e1..e3 were written out when the third arrived; e4 was still in memory.
  EXPECT_EQ(QueryInt(path, "SELECT count(*) FROM event_ids"), 3);
  EXPECT_EQ(QueryInt(path, "SELECT upto FROM event_ids_merged"), 3);
  POLKU_ASSERT_OK_AND_ASSIGN(auto store, SqliteEventStore::Open(path));
  EXPECT_EQ(store->stats().event_ids_held, 1);  // e4, read back
  for (const char* id : {"e1", "e2", "e3", "e4"}) {
    SCOPED_TRACE(id);
    EventRecord same = SampleRecord(id);
    EventRecord other = SampleRecord(id);
    other.content_hash = "other";
    POLKU_ASSERT_OK_AND_ASSIGN(auto out, store->Append({same, other}));
    EXPECT_THAT(out, ::testing::ElementsAre(WriteOutcome::kDuplicate,
                                            WriteOutcome::kConflict));
    POLKU_ASSERT_OK_AND_ASSIGN(auto got, store->Get("t1", id));
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->event_id, id);
  }
  EXPECT_EQ(*store->Count("t1"), 4);
}

TEST(SqliteEventStore, AnIdWhoseHashIsTakenIsStillNew) {
  const std::string path = TempDbPath();
  auto store = OpenWritingIdsEvery(path, 1);
  ASSERT_NE(store, nullptr);
  POLKU_ASSERT_OK(store->Append({SampleRecord("a")}));
  // As if "b" hashed like "a": event_ids names a's row (1) under b's
  // hash.
  RunSqlOn(path, common::StrCat("INSERT INTO event_ids VALUES (",
                                IdHashOf("t1", "b"), ", 1)"));
  POLKU_ASSERT_OK_AND_ASSIGN(auto got, store->Get("t1", "b"));
  EXPECT_FALSE(got.has_value());
  POLKU_ASSERT_OK_AND_ASSIGN(auto out, store->Append({SampleRecord("b")}));
  EXPECT_THAT(out, ::testing::ElementsAre(WriteOutcome::kAccepted));
  POLKU_ASSERT_OK_AND_ASSIGN(
      out, store->Append({SampleRecord("a"), SampleRecord("b")}));
  EXPECT_THAT(out, ::testing::ElementsAre(WriteOutcome::kDuplicate,
                                          WriteOutcome::kDuplicate));
  POLKU_ASSERT_OK_AND_ASSIGN(got, store->Get("t1", "b"));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->event_id, "b");
  EXPECT_EQ(*store->Count("t1"), 2);
}

TEST(SqliteEventStore, DeletedEventsLeaveNoIdsBehind) {
  const std::string path = TempDbPath();
  auto store = OpenWritingIdsEvery(path, 2);
  ASSERT_NE(store, nullptr);
  auto three = [] {
    std::vector<EventRecord> out;
    for (const char* id : {"x1", "x2", "x3"}) {
      EventRecord r = SampleRecord(id);
      r.tenant = "t9";
      out.push_back(r);
    }
    return out;
  };
  // x1 and x2 in one group, written out after it; x3 held in memory.
  std::vector<EventRecord> rs = three();
  POLKU_ASSERT_OK(store->Append({rs[0], rs[1]}));
  POLKU_ASSERT_OK(store->Append({rs[2]}));
  EXPECT_EQ(QueryInt(path, "SELECT count(*) FROM event_ids"), 2);
  POLKU_ASSERT_OK_AND_ASSIGN(int64_t deleted, store->DeleteTenant("t9"));
  EXPECT_EQ(deleted, 3);
  EXPECT_EQ(QueryInt(path, "SELECT count(*) FROM event_ids"), 0);
  // The same ids are new again, in new rows.
  POLKU_ASSERT_OK_AND_ASSIGN(auto out, store->Append(three()));
  EXPECT_THAT(out, ::testing::Each(WriteOutcome::kAccepted));
  EXPECT_EQ(*store->Count("t9"), 3);
  // Erasing the learner removes the ids too (and its tombstone answers).
  POLKU_ASSERT_OK(store->EraseLearner("t9", "lms.example#1", 5));
  EXPECT_EQ(QueryInt(path, "SELECT count(*) FROM event_ids"), 0);
  POLKU_ASSERT_OK_AND_ASSIGN(out, store->Append(three()));
  EXPECT_THAT(out, ::testing::Each(WriteOutcome::kErased));
}

TEST(SqliteEventStore, RowsNumberedAgainAfterDeletionsAreFoundAfterReopen) {
  const std::string path = TempDbPath();
  {
    auto store = OpenWritingIdsEvery(path, 2);
    ASSERT_NE(store, nullptr);
    POLKU_ASSERT_OK(store->Append({SampleRecord("a"), SampleRecord("b")}));
    WaitForIdPasses(*store, 1);
    EXPECT_EQ(QueryInt(path, "SELECT upto FROM event_ids_merged"), 2);
    POLKU_ASSERT_OK(store->DeleteTenant("t1"));
    // SQLite numbers the next row 1 again: it must not count as written
    // out.
    EXPECT_EQ(QueryInt(path, "SELECT upto FROM event_ids_merged"), 0);
    POLKU_ASSERT_OK(store->Append({SampleRecord("c")}));
    POLKU_ASSERT_OK(store->Close());
  }
  EXPECT_EQ(QueryInt(path, "SELECT max(rowid) FROM events"), 1);
  auto store = OpenWritingIdsEvery(path, 2);
  ASSERT_NE(store, nullptr);
  POLKU_ASSERT_OK_AND_ASSIGN(auto out, store->Append({SampleRecord("c")}));
  EXPECT_THAT(out, ::testing::ElementsAre(WriteOutcome::kDuplicate));
}

TEST(SqliteEventStore, RowsAnotherWriterAppendedAreKnown) {
  const std::string path = TempDbPath();
  auto first = OpenWritingIdsEvery(path, 2);
  auto second = OpenWritingIdsEvery(path, 2);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  POLKU_ASSERT_OK(first->Append({SampleRecord("p1")}));
  // The second store appends after the first's row and writes out both.
  POLKU_ASSERT_OK_AND_ASSIGN(
      auto out, second->Append({SampleRecord("p1"), SampleRecord("p2")}));
  EXPECT_THAT(out, ::testing::ElementsAre(WriteOutcome::kDuplicate,
                                          WriteOutcome::kAccepted));
  POLKU_ASSERT_OK(second->Append({SampleRecord("p3")}));
  // The first knows p2 and p3, whether held or written out.
  POLKU_ASSERT_OK_AND_ASSIGN(
      out, first->Append(
               {SampleRecord("p2"), SampleRecord("p3"), SampleRecord("p4")}));
  EXPECT_THAT(out, ::testing::ElementsAre(WriteOutcome::kDuplicate,
                                          WriteOutcome::kDuplicate,
                                          WriteOutcome::kAccepted));
  EXPECT_EQ(*first->Count("t1"), 4);
  POLKU_ASSERT_OK(second->Close());
  POLKU_ASSERT_OK(first->Close());
  POLKU_ASSERT_OK_AND_ASSIGN(auto again, SqliteEventStore::Open(path));
  POLKU_ASSERT_OK_AND_ASSIGN(
      out, again->Append({SampleRecord("p1"), SampleRecord("p4")}));
  EXPECT_THAT(out, ::testing::ElementsAre(WriteOutcome::kDuplicate,
                                          WriteOutcome::kDuplicate));
}

TEST(SqliteEventStore, TombstoneDoesNotHoldTheLearnerKey) {
  std::string path = TempDbPath();
  {
    POLKU_ASSERT_OK_AND_ASSIGN(auto store, SqliteEventStore::Open(path));
    POLKU_ASSERT_OK(store->Append({SampleRecord("a")}));
    POLKU_ASSERT_OK(store->EraseLearner("t1", "lms.example#1", 5));
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
  EXPECT_EQ(bytes.find("lms.example#1"), std::string::npos);
}

TEST(SqliteEventStore, OpenFailsOnAnUnwritablePath) {
  EXPECT_THAT(SqliteEventStore::Open("/nonexistent-dir/x/db.sqlite"),
              StatusIs(absl::StatusCode::kUnavailable));
}

TEST(MakeRecord, BodyAndHashAreTheCanonicalEncodings) {
  model::LearningEvent e;
  e.source.platform = model::Platform::kMoodle;
  e.source.instance = "lms.example";
  e.learner.key = "lms#7";
  e.verb = model::Verb::kViewed;
  e.object.id = "cm-1";
  e.object.name = "Tab\there \"quoted\" \\ \u00e4";
  e.occurred_at_ms = 1704067200123;
  for (const char* id : {"e1", "", "id \"with\" quotes\n\\"}) {
    e.event_id = id;
    const EventRecord r = MakeRecord("t1", e, model::EventTags(), 5);
    EXPECT_EQ(r.body_json, model::CanonicalJson(e)) << id;
    EXPECT_EQ(r.content_hash, model::ContentHash(e)) << id;
  }
  // The hash leaves the id out: another id, the same hash.
  model::LearningEvent other = e;
  other.event_id = "e2";
  EXPECT_EQ(MakeRecord("t1", other, model::EventTags(), 5).content_hash,
            MakeRecord("t1", e, model::EventTags(), 5).content_hash);
  other.object.id = "cm-2";
  EXPECT_NE(MakeRecord("t1", other, model::EventTags(), 5).content_hash,
            MakeRecord("t1", e, model::EventTags(), 5).content_hash);
}

}  // namespace
}  // namespace polku::store
