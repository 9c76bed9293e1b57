#include "store/sqlite_wal_vfs.h"

#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include "gtest/gtest.h"
#include "store/testing/raw_sqlite.h"

namespace polku::store {
namespace {

using store_test::Exec;
using store_test::One;
using store_test::Open;

std::string TempDir() { return store_test::TempDir("polku-vfs-test"); }

// `n` rows of 1000 random bytes in one transaction.
void InsertRows(sqlite3* db, int n) {
  Exec(db, "BEGIN");
  for (int i = 0; i < n; ++i) {
    Exec(db, "INSERT INTO t (v) VALUES (randomblob(1000))");
  }
  Exec(db, "COMMIT");
}

// Every row's id, length and first and last bytes.
constexpr char kRowsText[] =
    "SELECT group_concat(id || ':' || length(v) || ':' || hex(substr(v, 1, 6))"
    " || hex(substr(v, -6)), ',') FROM (SELECT * FROM t ORDER BY id)";

// Opens `path` through SQLite's own VFS (recovering from its WAL, if any)
// and expects a sound database whose table t has `rows` rows and, unless
// empty, the content `rows_text` (kRowsText).
void ExpectSoundWithRows(const std::string& path, const std::string& rows,
                         const std::string& rows_text = "") {
  sqlite3* db = Open(path, nullptr);
  EXPECT_EQ(One(db, "PRAGMA integrity_check"), "ok");
  EXPECT_EQ(One(db, "SELECT count(*) FROM t"), rows);
  if (!rows_text.empty()) {
    EXPECT_EQ(One(db, kRowsText), rows_text);
  }
  sqlite3_close(db);
}

// Copies the database at `path` and its WAL, as a crash would leave them,
// to `copy`.
void CopyWithWal(const std::string& path, const std::string& copy) {
  std::filesystem::copy_file(path, copy);
  std::filesystem::copy_file(path + "-wal", copy + "-wal");
}

// Since `before`, one commit of 2000 rows of 1000 bytes: without the
// buffer each of its 500 or more pages would be two writes.
void ExpectOneCommitBatchedSince(const WalBatchingVfsStats& before) {
  const WalBatchingVfsStats after = GetWalBatchingVfsStats();
  const uint64_t asked = after.wal_writes - before.wal_writes;
  const uint64_t made = after.file_writes - before.file_writes;
  EXPECT_GT(asked, 2 * 500u) << "2 MB of rows are 500 pages or more";
  EXPECT_LT(made * 10, asked) << "asked " << asked << ", made " << made;
  EXPECT_EQ(after.commit_flushes - before.commit_flushes, 1u);
}

sqlite3* NewDatabase(const std::string& path) {
  sqlite3* db = Open(path, WalBatchingVfsName());
  Exec(db,
       "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
       "PRAGMA wal_autocheckpoint=0;"
       "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v BLOB)");
  return db;
}

TEST(WalBatchingVfs, IsRegistered) {
  ASSERT_NE(WalBatchingVfsName(), nullptr);
  EXPECT_NE(sqlite3_vfs_find(WalBatchingVfsName()), nullptr);
  EXPECT_NE(sqlite3_vfs_find(nullptr), sqlite3_vfs_find(WalBatchingVfsName()))
      << "must not replace the default VFS";
}

TEST(WalBatchingVfs, ACommitReachesTheWalInFewWrites) {
  const std::string dir = TempDir();
  sqlite3* db = NewDatabase(dir + "/db");
  const WalBatchingVfsStats before = GetWalBatchingVfsStats();
  InsertRows(db, 2000);
  ExpectOneCommitBatchedSince(before);
  sqlite3_close(db);
  std::filesystem::remove_all(dir);
}

// Another connection reads while commits are written: each read sees a
// whole number of commits, and the pages it reads are the committed ones
// (a frame still in the buffer would read as zeros or an old page).
TEST(WalBatchingVfs, ReadersSeeWholeCommitsOnly) {
  const std::string dir = TempDir();
  const std::string path = dir + "/db";
  sqlite3* writer = NewDatabase(path);
  Exec(writer, "CREATE TABLE sums (n INTEGER, total INTEGER)");
  Exec(writer, "INSERT INTO sums VALUES (0, 0)");
  constexpr int kCommits = 60;
  constexpr int kRows = 200;
  std::atomic<bool> done{false};
  std::thread w([&] {
    for (int c = 0; c < kCommits; ++c) {
      Exec(writer, "BEGIN");
      for (int i = 0; i < kRows; ++i) {
        Exec(writer, "INSERT INTO t (v) VALUES (randomblob(900))");
      }
      Exec(writer,
           "UPDATE sums SET n = (SELECT count(*) FROM t),"
           " total = (SELECT sum(length(v)) FROM t)");
      Exec(writer, "COMMIT");
    }
    done = true;
  });
  sqlite3* reader = Open(path, WalBatchingVfsName());
  int reads = 0;
  while (!done || reads == 0) {
    Exec(reader, "BEGIN");
    const std::string rows = One(reader, "SELECT count(*) FROM t");
    const std::string bytes = One(reader, "SELECT sum(length(v)) FROM t");
    const std::string sums = One(reader, "SELECT n || ' ' || total FROM sums");
    Exec(reader, "COMMIT");
    const int n = std::stoi(rows);
    EXPECT_EQ(n % kRows, 0) << "a commit seen in part";
    EXPECT_EQ(sums, rows + " " + (n == 0 ? "0" : bytes));
    ++reads;
  }
  w.join();
  EXPECT_EQ(One(reader, "PRAGMA quick_check"), "ok");
  EXPECT_EQ(One(reader, "SELECT count(*) FROM t"),
            std::to_string(kCommits * kRows));
  sqlite3_close(reader);
  sqlite3_close(writer);
  std::filesystem::remove_all(dir);
}

// A transaction larger than the page cache spills pages into the WAL
// before it commits, reads some back and rewrites others in place, and
// SQLite then rewrites the checksums of the frames after the first
// rewritten one. Copied while the connection is still open (as a crash
// would leave them), the database and WAL recover to every commit.
TEST(WalBatchingVfs, SpilledTransactionsRecoverFromTheWal) {
  const std::string dir = TempDir();
  const std::string path = dir + "/db";
  sqlite3* db = NewDatabase(path);
  Exec(db, "PRAGMA cache_size=20");
  InsertRows(db, 3000);
  Exec(db, "BEGIN");
  Exec(db, "UPDATE t SET v = randomblob(1000) WHERE id % 3 = 0");
  Exec(db, "INSERT INTO t (v) SELECT randomblob(800) FROM t WHERE id < 500");
  Exec(db, "UPDATE t SET v = zeroblob(10) WHERE id % 7 = 0");
  Exec(db, "COMMIT");
  InsertRows(db, 50);
  const std::string expected_rows = One(db, "SELECT count(*) FROM t");
  const std::string expected_rows_text = One(db, kRowsText);
  ASSERT_GT(std::filesystem::file_size(path + "-wal"), 3000u * 1000u);

  const std::string copy = dir + "/copy";
  CopyWithWal(path, copy);
  ExpectSoundWithRows(copy, expected_rows, expected_rows_text);
  sqlite3_close(db);
  std::filesystem::remove_all(dir);
}

// The WAL starting over (after a checkpoint that emptied it) writes its
// header at the start again; later commits are batched as before.
TEST(WalBatchingVfs, BatchesAgainAfterTheWalStartsOver) {
  const std::string dir = TempDir();
  const std::string path = dir + "/db";
  sqlite3* db = NewDatabase(path);
  InsertRows(db, 500);
  Exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
  EXPECT_EQ(std::filesystem::file_size(path + "-wal"), 0u);
  const WalBatchingVfsStats before = GetWalBatchingVfsStats();
  InsertRows(db, 2000);
  ExpectOneCommitBatchedSince(before);
  ExpectSoundWithRows(path, "2500");
  sqlite3_close(db);
  std::filesystem::remove_all(dir);
}

// SQLite's default VFS, except that writes to WAL files fail while
// `fail_wal_writes` is set: its files keep the default VFS's methods but
// for xWrite.
std::atomic<bool> fail_wal_writes{false};
sqlite3_io_methods failing_wal_methods;
int (*default_write)(sqlite3_file*, const void*, int, sqlite3_int64) = nullptr;

int FailingWrite(sqlite3_file* f, const void* data, int amount,
                 sqlite3_int64 offset) {
  if (fail_wal_writes) return SQLITE_IOERR_WRITE;
  return default_write(f, data, amount, offset);
}

int FailingOpen(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* f,
                int flags, int* out_flags) {
  auto* root = static_cast<sqlite3_vfs*>(vfs->pAppData);
  const int rc = root->xOpen(root, name, f, flags, out_flags);
  if (rc == SQLITE_OK && (flags & SQLITE_OPEN_WAL) != 0) {
    if (default_write == nullptr) {
      failing_wal_methods = *f->pMethods;
      default_write = f->pMethods->xWrite;
      failing_wal_methods.xWrite = FailingWrite;
    }
    f->pMethods = &failing_wal_methods;
  }
  return rc;
}

const char* BatchingOverFailingVfs() {
  static const char* const name = []() -> const char* {
    static sqlite3_vfs failing = *sqlite3_vfs_find(nullptr);
    failing.zName = "polku-test-failing-wal";
    failing.pAppData = sqlite3_vfs_find(nullptr);
    failing.xOpen = FailingOpen;
    failing.pNext = nullptr;
    if (sqlite3_vfs_register(&failing, 0) != SQLITE_OK) return nullptr;
    return RegisterWalBatchingVfs("polku-test-batching-over-failing", &failing);
  }();
  return name;
}

// A failed write of the buffer fails the commit: its rows are not there,
// the database is sound, and the next commit succeeds.
TEST(WalBatchingVfs, AFailedWriteFailsTheCommit) {
  ASSERT_NE(BatchingOverFailingVfs(), nullptr);
  const std::string dir = TempDir();
  const std::string path = dir + "/db";
  sqlite3* db = Open(path, BatchingOverFailingVfs());
  Exec(db,
       "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
       "PRAGMA wal_autocheckpoint=0;"
       "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)");
  InsertRows(db, 100);

  fail_wal_writes = true;
  Exec(db, "BEGIN");
  // Under 127 KiB of frames: the write that fails is the commit frame's.
  for (int i = 0; i < 50; ++i) {
    Exec(db, "INSERT INTO t (v) VALUES (randomblob(1000))");
  }
  EXPECT_NE(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  fail_wal_writes = false;
  sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);  // if still open

  sqlite3* reader = Open(path, nullptr);
  EXPECT_EQ(One(reader, "SELECT count(*) FROM t"), "100");
  InsertRows(db, 10);
  EXPECT_EQ(One(reader, "SELECT count(*) FROM t"), "110");
  EXPECT_EQ(One(reader, "PRAGMA quick_check"), "ok");
  sqlite3_close(reader);

  const std::string copy = dir + "/copy";
  CopyWithWal(path, copy);
  ExpectSoundWithRows(copy, "110");
  sqlite3_close(db);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace polku::store
