#include "store/sqlite_page_cache.h"

#include <sqlite3.h>

#include <cstring>
#include <filesystem>
#include <random>
#include <string>

#include "gtest/gtest.h"
#include "store/testing/raw_sqlite.h"

namespace polku::store {
namespace {

// Before any test of this binary initialises SQLite, so that every store
// test runs over this cache too.
const bool kInstalled = InstallSqlitePageCache();

constexpr unsigned kLockPage = 0x40000000 / 4096 + 1;  // 262,145

TEST(SqlitePageCacheTest, IsInstalledBeforeSqliteStarts) {
  EXPECT_TRUE(kInstalled);
}

// Drives a cache the way the pager does around a B-tree balance.
class PageCacheCallsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(sqlite3_initialize(), SQLITE_OK);
    ASSERT_NE(m_.xCreate, nullptr);
    cache_ = m_.xCreate(4096, 64, /*purgeable=*/1);
    ASSERT_NE(cache_, nullptr);
    m_.xCachesize(cache_, 1000);
  }
  void TearDown() override {
    if (cache_ != nullptr) m_.xDestroy(cache_);
  }

  // Creates the page `key` and writes `key` into it.
  sqlite3_pcache_page* Make(unsigned key) {
    sqlite3_pcache_page* p = m_.xFetch(cache_, key, 2);
    EXPECT_NE(p, nullptr);
    if (p != nullptr) std::memcpy(p->pBuf, &key, sizeof key);
    return p;
  }
  // Pages 1 to 10, each holding its number; returns page `keep`.
  sqlite3_pcache_page* MakeTen(unsigned keep) {
    sqlite3_pcache_page* kept = nullptr;
    for (unsigned k = 1; k <= 10; ++k) {
      sqlite3_pcache_page* p = Make(k);
      if (k == keep) kept = p;
    }
    return kept;
  }
  // What the page held under `key` holds, or 0 when there is none.
  unsigned Held(unsigned key) {
    sqlite3_pcache_page* p = m_.xFetch(cache_, key, 0);
    if (p == nullptr) return 0;
    unsigned v = 0;
    std::memcpy(&v, p->pBuf, sizeof v);
    return v;
  }

  const sqlite3_pcache_methods2& m_ = SqlitePageCacheMethods();
  sqlite3_pcache* cache_ = nullptr;
};

TEST_F(PageCacheCallsTest, SwapThroughTheLockBytePageIsRenumbered) {
  sqlite3_pcache_page* a = MakeTen(4);
  sqlite3_pcache_page* b = m_.xFetch(cache_, 9, 0);
  const SqlitePageCacheStats before = GetSqlitePageCacheStats();
  // balance_nonroot's swap of pages 4 and 9.
  m_.xRekey(cache_, a, 4, kLockPage);
  EXPECT_EQ(GetSqlitePageCacheStats().renumbered, before.renumbered + 1);
  EXPECT_EQ(Held(kLockPage), 4u);  // found under SQLite's number
  EXPECT_EQ(Held(4), 0u);
  m_.xRekey(cache_, b, 9, 4);
  m_.xRekey(cache_, a, kLockPage, 9);
  EXPECT_EQ(Held(4), 9u);
  EXPECT_EQ(Held(9), 4u);
  EXPECT_EQ(Held(kLockPage), 0u);
  EXPECT_EQ(Held(11), 0u);  // the number the page was parked under
  EXPECT_EQ(m_.xPagecount(cache_), 10);
  // The commit truncates to the database's size; nothing is lost.
  m_.xTruncate(cache_, 11);
  for (unsigned k = 1; k <= 10; ++k) {
    EXPECT_NE(Held(k), 0u) << k;
  }
  EXPECT_EQ(GetSqlitePageCacheStats().restored, before.restored);
}

TEST_F(PageCacheCallsTest, AnyOtherCallOnTheParkedPageSeesPcache1sState) {
  sqlite3_pcache_page* a = MakeTen(4);
  const SqlitePageCacheStats before = GetSqlitePageCacheStats();
  m_.xRekey(cache_, a, 4, kLockPage);
  // A new page under the number the parked page is held under.
  sqlite3_pcache_page* fresh = Make(11);
  EXPECT_EQ(GetSqlitePageCacheStats().restored, before.restored + 1);
  EXPECT_NE(fresh, a);
  EXPECT_EQ(Held(11), 11u);
  EXPECT_EQ(Held(kLockPage), 4u);
  // A truncation below the lock-byte page drops the parked page, as
  // pcache1 does.
  m_.xTruncate(cache_, 12);
  EXPECT_EQ(Held(kLockPage), 0u);
  EXPECT_EQ(Held(11), 11u);
  EXPECT_EQ(m_.xPagecount(cache_), 10);
}

TEST_F(PageCacheCallsTest, TruncationWhileParkedDropsThePageAsPcache1Does) {
  sqlite3_pcache_page* a = MakeTen(4);
  const SqlitePageCacheStats before = GetSqlitePageCacheStats();
  m_.xRekey(cache_, a, 4, kLockPage);
  m_.xTruncate(cache_, 8);
  EXPECT_EQ(GetSqlitePageCacheStats().restored, before.restored + 1);
  EXPECT_EQ(Held(kLockPage), 0u);
  EXPECT_EQ(Held(7), 7u);
  EXPECT_EQ(Held(8), 0u);
  EXPECT_EQ(m_.xPagecount(cache_), 6);  // 1-3 and 5-7
}

TEST_F(PageCacheCallsTest, UnpinningTheParkedPageRestoresItFirst) {
  sqlite3_pcache_page* a = MakeTen(4);
  m_.xRekey(cache_, a, 4, kLockPage);
  m_.xUnpin(cache_, a, /*discard=*/1);
  EXPECT_EQ(Held(kLockPage), 0u);
  EXPECT_EQ(Held(11), 0u);
  EXPECT_EQ(m_.xPagecount(cache_), 9);
}

TEST_F(PageCacheCallsTest, AboveTheLockBytePageSwapsPassThrough) {
  sqlite3_pcache_page* a = Make(3);
  Make(kLockPage + 5);  // a database past 1 GiB
  const SqlitePageCacheStats before = GetSqlitePageCacheStats();
  m_.xRekey(cache_, a, 3, kLockPage);
  EXPECT_EQ(GetSqlitePageCacheStats().renumbered, before.renumbered);
  EXPECT_EQ(GetSqlitePageCacheStats().passed_through,
            before.passed_through + 1);
  EXPECT_EQ(Held(kLockPage), 3u);
  m_.xRekey(cache_, a, kLockPage, 3);
  EXPECT_EQ(Held(3), 3u);
}

using store_test::Exec;
using store_test::One;
using store_test::Open;

// Random keys split index pages in the middle, which is where SQLite swaps
// pages through the lock-byte page number. The database stays whole and
// answers what was written, across commits, rollbacks and a VACUUM.
TEST(SqlitePageCacheDatabaseTest, RandomInsertsRollbacksAndVacuumStayWhole) {
  ASSERT_TRUE(kInstalled);
  const std::string dir = store_test::TempDir("polku-pcache-test");
  const std::string path = dir + "/t.db";
  sqlite3* db = Open(path);
  Exec(db, "PRAGMA journal_mode=WAL; PRAGMA cache_size=-8192;");
  Exec(db,
       "CREATE TABLE t (k BLOB NOT NULL, v INTEGER NOT NULL);"
       "CREATE INDEX t_k ON t (k);");
  const SqlitePageCacheStats before = GetSqlitePageCacheStats();
  std::mt19937_64 rng(7);
  sqlite3_stmt* insert = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "INSERT INTO t VALUES (?1, ?2)", -1, &insert,
                               nullptr),
            SQLITE_OK);
  int64_t expected_rows = 0;
  int64_t expected_sum = 0;
  for (int txn = 0; txn < 60; ++txn) {
    Exec(db, "BEGIN");
    int64_t rows = 0;
    int64_t sum = 0;
    for (int i = 0; i < 500; ++i) {
      char key[48];
      for (char& c : key) c = static_cast<char>(rng());
      const int64_t v = static_cast<int64_t>(rng() % 1000);
      sqlite3_bind_blob(insert, 1, key, sizeof key, SQLITE_TRANSIENT);
      sqlite3_bind_int64(insert, 2, v);
      ASSERT_EQ(sqlite3_step(insert), SQLITE_DONE);
      sqlite3_reset(insert);
      ++rows;
      sum += v;
    }
    if (txn % 5 == 4) {
      Exec(db, "ROLLBACK");  // the cache is truncated back
    } else {
      Exec(db, "COMMIT");
      expected_rows += rows;
      expected_sum += sum;
    }
  }
  sqlite3_finalize(insert);
  const SqlitePageCacheStats after = GetSqlitePageCacheStats();
  EXPECT_GT(after.renumbered, before.renumbered);
  EXPECT_EQ(after.restored, before.restored);
  EXPECT_EQ(One(db, "PRAGMA integrity_check"), "ok");
  EXPECT_EQ(One(db, "SELECT count(*) FROM t"), std::to_string(expected_rows));
  EXPECT_EQ(One(db, "SELECT sum(v) FROM t"), std::to_string(expected_sum));
  // A second connection reads the same from the file.
  sqlite3* other = Open(path);
  EXPECT_EQ(One(other, "SELECT count(*) FROM t INDEXED BY t_k WHERE k > x''"),
            std::to_string(expected_rows));
  sqlite3_close(other);
  // Shrinking the file truncates every connection's cache below it.
  Exec(db, "DELETE FROM t WHERE v % 2 = 0; VACUUM;");
  EXPECT_EQ(One(db, "PRAGMA integrity_check"), "ok");
  EXPECT_EQ(One(db, "SELECT count(*) FROM t WHERE v % 2 = 0"), "0");
  sqlite3_close(db);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace polku::store
