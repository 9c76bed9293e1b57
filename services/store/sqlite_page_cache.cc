#include "store/sqlite_page_cache.h"

#include <sqlite3.h>

#include <atomic>
#include <new>

namespace polku::store {
namespace {

// SQLite's lock byte (PENDING_BYTE): the first byte past 1 GiB. The page
// that holds it is never used for data; btree.c swaps pages through it.
constexpr uint64_t kLockByte = 0x40000000;

sqlite3_pcache_methods2 base;  // pcache1's methods, set once by Install

std::atomic<uint64_t> renumbered{0};
std::atomic<uint64_t> passed_through{0};
std::atomic<uint64_t> restored{0};

// One connection's cache (a pager's): used by one thread at a time, like
// the connection.
struct Cache {
  sqlite3_pcache* inner = nullptr;
  // The lock-byte page's number at this cache's page size.
  unsigned lock_page = 0;
  // No page with a higher number is held (an upper bound: every number
  // created or rekeyed to since the last truncation below it).
  unsigned max_key = 0;
  // While a swap is in progress: the number the page SQLite parked at
  // lock_page is held under (0 when none), and that page.
  unsigned alias = 0;
  sqlite3_pcache_page* alias_page = nullptr;
};

Cache* AsCache(sqlite3_pcache* p) { return reinterpret_cast<Cache*>(p); }

void Raise(Cache* c, unsigned key) {
  if (key > c->max_key) c->max_key = key;
}

// Puts the parked page back under the lock-byte page's number, where
// pcache1 alone would hold it: for any call but the swap's own next rekey
// that concerns it, so that such a call finds the state it would find
// without this layer.
void Restore(Cache* c) {
  base.xRekey(c->inner, c->alias_page, c->alias, c->lock_page);
  Raise(c, c->lock_page);
  c->alias = 0;
  c->alias_page = nullptr;
  restored.fetch_add(1, std::memory_order_relaxed);
}

// SQLite's key for a page, as pcache1 holds it.
unsigned Inner(Cache* c, unsigned key) {
  if (c->alias == 0) return key;
  if (key == c->lock_page) return c->alias;
  if (key == c->alias) Restore(c);
  return key;
}

sqlite3_pcache* Create(int page_size, int extra, int purgeable) {
  sqlite3_pcache* inner = base.xCreate(page_size, extra, purgeable);
  if (inner == nullptr) return nullptr;
  auto* c = new (std::nothrow) Cache;
  if (c == nullptr) {
    base.xDestroy(inner);
    return nullptr;
  }
  c->inner = inner;
  c->lock_page = static_cast<unsigned>(kLockByte / page_size + 1);
  return reinterpret_cast<sqlite3_pcache*>(c);
}

void Cachesize(sqlite3_pcache* p, int pages) {
  base.xCachesize(AsCache(p)->inner, pages);
}

int Pagecount(sqlite3_pcache* p) { return base.xPagecount(AsCache(p)->inner); }

sqlite3_pcache_page* Fetch(sqlite3_pcache* p, unsigned key, int create) {
  Cache* c = AsCache(p);
  const unsigned inner = Inner(c, key);
  sqlite3_pcache_page* page = base.xFetch(c->inner, inner, create);
  // A page found is numbered at most max_key already; a page created may be
  // above. (Before every rekey SQLite looks the new number up: that must
  // not count.)
  if (page != nullptr) Raise(c, inner);
  return page;
}

void Unpin(sqlite3_pcache* p, sqlite3_pcache_page* page, int discard) {
  Cache* c = AsCache(p);
  if (c->alias != 0 && page == c->alias_page) Restore(c);
  base.xUnpin(c->inner, page, discard);
}

void Rekey(sqlite3_pcache* p, sqlite3_pcache_page* page, unsigned from,
           unsigned to) {
  Cache* c = AsCache(p);
  if (to == c->lock_page && c->alias == 0 && c->max_key + 1 < c->lock_page) {
    // The swap parks `page`: hold it just above everything instead.
    c->alias = c->max_key + 1;
    c->alias_page = page;
    c->max_key = c->alias;
    renumbered.fetch_add(1, std::memory_order_relaxed);
    base.xRekey(c->inner, page, from, c->alias);
    return;
  }
  if (to == c->lock_page) {
    passed_through.fetch_add(1, std::memory_order_relaxed);
  }
  if (from == c->lock_page && c->alias != 0 && page == c->alias_page) {
    // The swap moves the parked page to its place.
    from = c->alias;
    c->alias = 0;
    c->alias_page = nullptr;
  } else if (c->alias != 0 && (to == c->alias || page == c->alias_page)) {
    Restore(c);
  }
  Raise(c, to);
  base.xRekey(c->inner, page, from, to);
}

void Truncate(sqlite3_pcache* p, unsigned limit) {
  Cache* c = AsCache(p);
  if (c->alias != 0) Restore(c);
  base.xTruncate(c->inner, limit);
  if (c->max_key >= limit) c->max_key = limit == 0 ? 0 : limit - 1;
}

void Destroy(sqlite3_pcache* p) {
  Cache* c = AsCache(p);
  base.xDestroy(c->inner);
  delete c;
}

void Shrink(sqlite3_pcache* p) { base.xShrink(AsCache(p)->inner); }

}  // namespace

const sqlite3_pcache_methods2& SqlitePageCacheMethods() {
  static const sqlite3_pcache_methods2 mine = [] {
    sqlite3_pcache_methods2 m{};
    if (sqlite3_config(SQLITE_CONFIG_GETPCACHE2, &base) != SQLITE_OK) {
      // SQLite is initialised already: its pcache1 is what it uses, and
      // what sqlite3_config would have answered before.
      return m;
    }
    m = base;  // iVersion, pArg, xInit and xShutdown
    m.xCreate = Create;
    m.xCachesize = Cachesize;
    m.xPagecount = Pagecount;
    m.xFetch = Fetch;
    m.xUnpin = Unpin;
    m.xRekey = Rekey;
    m.xTruncate = Truncate;
    m.xDestroy = Destroy;
    m.xShrink = Shrink;
    return m;
  }();
  return mine;
}

bool InstallSqlitePageCache() {
  static const bool installed = [] {
    sqlite3_pcache_methods2 mine = SqlitePageCacheMethods();
    return mine.xCreate != nullptr &&
           sqlite3_config(SQLITE_CONFIG_PCACHE2, &mine) == SQLITE_OK;
  }();
  return installed;
}

SqlitePageCacheStats GetSqlitePageCacheStats() {
  SqlitePageCacheStats s;
  s.renumbered = renumbered.load(std::memory_order_relaxed);
  s.passed_through = passed_through.load(std::memory_order_relaxed);
  s.restored = restored.load(std::memory_order_relaxed);
  return s;
}

}  // namespace polku::store
