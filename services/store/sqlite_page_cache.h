// SQLite's own page cache, kept from walking all of itself at every commit.
//
// When a B-tree balance puts its new pages in ascending order it swaps two
// of them through a temporary page number: the page of the lock byte at
// 1 GiB (262,145 with 4 KiB pages), which never holds data. SQLite's
// default page cache (pcache1) remembers the highest page number it has
// held since it was last truncated. At the end of every write transaction
// the pager truncates the cache to the database's size, and pcache1 then
// visits only the hash buckets between that size and the highest number
// when they are fewer than its buckets, and every bucket and page
// otherwise. So while a database is smaller than 1 GiB, each commit that
// included such a swap walked the whole cache: with the writer's 64 MiB
// cache about 87 µs a commit, a third of a small group commit's CPU, and a
// tenth of the server's CPU while recommendations (each of which records
// what it served) were answered on a 0.9 GiB database.
//
// This cache is pcache1 beneath a thin layer that holds the page under a
// number just above the highest one the cache may hold instead of the
// lock-byte page number, and translates that number back on the next call
// that names it (the swap's next rekey); should any other call concern
// that page first, it is put back where pcache1 alone would hold it
// before the call goes through. Nothing else changes: the same
// pages, the same sizes and eviction, every other call passed through.
// Once a database reaches 1 GiB its own pages pass the lock byte, the
// commit's truncation is short either way, and the layer steps aside.
#ifndef POLKU_STORE_SQLITE_PAGE_CACHE_H_
#define POLKU_STORE_SQLITE_PAGE_CACHE_H_

#include <cstdint>

struct sqlite3_pcache_methods2;

namespace polku::store {

// Makes this the page cache of every SQLite connection the process opens
// (SQLITE_CONFIG_PCACHE2). Must run before SQLite initialises, so before
// the first connection; returns false when SQLite refused (already
// initialised), and connections then use pcache1 as it is.
bool InstallSqlitePageCache();

// Counts since the process started.
struct SqlitePageCacheStats {
  // Pages held under a number of the layer's instead of the lock-byte
  // page's.
  uint64_t renumbered = 0;
  // Swaps through the lock-byte page number passed to pcache1 unchanged
  // (the cache may already hold a page above it).
  uint64_t passed_through = 0;
  // Parked pages put back under the lock-byte page's number because a
  // call other than the swap's next rekey concerned them first.
  uint64_t restored = 0;
};
SqlitePageCacheStats GetSqlitePageCacheStats();

// The methods InstallSqlitePageCache installs (over pcache1, whether or not
// SQLite took them), for tests that drive a cache as a pager would.
const sqlite3_pcache_methods2& SqlitePageCacheMethods();

}  // namespace polku::store

#endif  // POLKU_STORE_SQLITE_PAGE_CACHE_H_
