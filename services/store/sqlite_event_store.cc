
#include "store/sqlite_event_store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <limits>
#include <map>
#include <string>
#include <tuple>
#include <unordered_map>

#include "absl/container/inlined_vector.h"
#include "common/logging.h"
#include "common/status_macros.h"
#include "common/str_cat.h"
#include "common/thread_name.h"
#include "store/sqlite_page_cache.h"
#include "store/sqlite_util.h"
#include "store/sqlite_wal_vfs.h"

namespace polku::store {
namespace {

// Passes after the first that a checkpoint makes to copy what commits
// added meanwhile. The WAL pages then left that the writer copies: four of
// the largest commits of the current WAL, at least kSmallRestPages, at
// most kLargestRestPages (and half the checkpoint size).
constexpr int kCatchUpPasses = 16;
constexpr int kSmallRestPages = 64;
constexpr int kLargestRestPages = 1024;

int64_t NanosSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now() - start)
      .count();
}

using sqlite_internal::Connection;
using sqlite_internal::Exec;
using sqlite_internal::LearnerHash;
using sqlite_internal::RunDone;
using sqlite_internal::SetSynchronous;
using sqlite_internal::SqlError;
using sqlite_internal::Stmt;
using sqlite_internal::Transaction;

// Each entry migrates the schema from version i to i + 1. Never edit an
// entry once released; append a new one.
constexpr const char* kMigrations[] = {
    // 0 -> 1: events and erasure tombstones.
    R"sql(
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
    )sql",
    // 1 -> 2: what the core learns from events (sqlite_learning_store.cc),
    // the catalogue, served recommendations, feedback, bandit arms and
    // opt-outs. Small rows are WITHOUT ROWID tables clustered on the key the
    // queries use; rows with blobs (profiles, activities, paths) keep a
    // rowid so that the key b-tree stays dense.
    R"sql(
    CREATE TABLE profiles (
      tenant        TEXT    NOT NULL,
      learner_key   TEXT    NOT NULL,
      org_unit      TEXT    NOT NULL,
      role          TEXT    NOT NULL,
      last_event_ms INTEGER NOT NULL,
      data          BLOB    NOT NULL,
      PRIMARY KEY (tenant, learner_key)
    );
    CREATE INDEX profiles_by_org_unit ON profiles (tenant, org_unit, learner_key);
    CREATE TABLE activity_states (
      tenant       TEXT    NOT NULL,
      learner_key  TEXT    NOT NULL,
      object_id    TEXT    NOT NULL,
      first_ms     INTEGER NOT NULL,
      last_ms      INTEGER NOT NULL,
      completed_ms INTEGER NOT NULL,
      events       INTEGER NOT NULL,
      PRIMARY KEY (tenant, learner_key, object_id)
    ) WITHOUT ROWID;
    CREATE INDEX activity_states_by_first
      ON activity_states (tenant, learner_key, first_ms);
    CREATE TABLE transitions (
      tenant      TEXT    NOT NULL,
      learner_key TEXT    NOT NULL,
      from_object TEXT    NOT NULL,
      to_object   TEXT    NOT NULL,
      n           INTEGER NOT NULL,
      PRIMARY KEY (tenant, learner_key, from_object, to_object)
    ) WITHOUT ROWID;
    CREATE TABLE cooccurrence (
      tenant      TEXT    NOT NULL,
      from_object TEXT    NOT NULL,
      to_object   TEXT    NOT NULL,
      n           INTEGER NOT NULL,
      PRIMARY KEY (tenant, from_object, to_object)
    ) WITHOUT ROWID;
    CREATE TABLE learner_weeks (
      tenant      TEXT    NOT NULL,
      learner_key TEXT    NOT NULL,
      week        INTEGER NOT NULL,
      org_unit    TEXT    NOT NULL,
      leadership  REAL    NOT NULL,
      development REAL    NOT NULL,
      events      INTEGER NOT NULL,
      PRIMARY KEY (tenant, learner_key, week)
    ) WITHOUT ROWID;
    CREATE INDEX learner_weeks_by_week ON learner_weeks (tenant, week);
    CREATE TABLE activities (
      tenant  TEXT    NOT NULL,
      id      TEXT    NOT NULL,
      visible INTEGER NOT NULL,
      data    BLOB    NOT NULL,
      PRIMARY KEY (tenant, id)
    );
    CREATE TABLE paths (
      tenant TEXT NOT NULL,
      id     TEXT NOT NULL,
      data   BLOB NOT NULL,
      PRIMARY KEY (tenant, id)
    );
    CREATE TABLE catalogue_versions (
      tenant  TEXT    NOT NULL PRIMARY KEY,
      version INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE served_recommendations (
      tenant            TEXT    NOT NULL,
      recommendation_id TEXT    NOT NULL,
      learner_key       TEXT    NOT NULL,
      kind              TEXT    NOT NULL,
      target_id         TEXT    NOT NULL,
      segment           TEXT    NOT NULL,
      position          INTEGER NOT NULL,
      score             REAL    NOT NULL,
      propensity        REAL    NOT NULL,
      holdout           INTEGER NOT NULL,
      served_ms         INTEGER NOT NULL,
      PRIMARY KEY (tenant, recommendation_id)
    ) WITHOUT ROWID;
    CREATE INDEX served_by_learner
      ON served_recommendations (tenant, learner_key, served_ms);
    CREATE TABLE feedback (
      tenant            TEXT    NOT NULL,
      recommendation_id TEXT    NOT NULL,
      outcome           INTEGER NOT NULL,
      learner_key       TEXT    NOT NULL,
      at_ms             INTEGER NOT NULL,
      kind              TEXT    NOT NULL,
      target_id         TEXT    NOT NULL,
      segment           TEXT    NOT NULL,
      PRIMARY KEY (tenant, recommendation_id, outcome)
    ) WITHOUT ROWID;
    CREATE INDEX feedback_by_learner ON feedback (tenant, learner_key, at_ms);
    CREATE TABLE bandit_arms (
      tenant    TEXT    NOT NULL,
      segment   TEXT    NOT NULL,
      kind      TEXT    NOT NULL,
      successes REAL    NOT NULL,
      failures  REAL    NOT NULL,
      shown     INTEGER NOT NULL,
      PRIMARY KEY (tenant, segment, kind)
    ) WITHOUT ROWID;
    CREATE TABLE optouts (
      tenant       TEXT    NOT NULL,
      learner_hash TEXT    NOT NULL,
      since_ms     INTEGER NOT NULL,
      PRIMARY KEY (tenant, learner_hash)
    ) WITHOUT ROWID;
    )sql",
    // 2 -> 3: per-tenant retention of raw events.
    R"sql(
    CREATE TABLE retention (
      tenant    TEXT    NOT NULL PRIMARY KEY,
      cutoff_ms INTEGER NOT NULL
    ) WITHOUT ROWID;
    )sql",
    // 3 -> 4: served recommendations clustered by learner. Keyed by id
    // alone, each of an answer's rows (and its entry in served_by_learner)
    // went to a page of its own, six page writes per answer; by learner,
    // an answer's rows share one. Every query names the learner.
    R"sql(
    CREATE TABLE served_by_learner_v4 (
      tenant            TEXT    NOT NULL,
      learner_key       TEXT    NOT NULL,
      recommendation_id TEXT    NOT NULL,
      kind              TEXT    NOT NULL,
      target_id         TEXT    NOT NULL,
      segment           TEXT    NOT NULL,
      position          INTEGER NOT NULL,
      score             REAL    NOT NULL,
      propensity        REAL    NOT NULL,
      holdout           INTEGER NOT NULL,
      served_ms         INTEGER NOT NULL,
      PRIMARY KEY (tenant, learner_key, recommendation_id)
    ) WITHOUT ROWID;
    INSERT INTO served_by_learner_v4
      SELECT tenant, learner_key, recommendation_id, kind, target_id,
             segment, position, score, propensity, holdout, served_ms
      FROM served_recommendations;
    DROP TABLE served_recommendations;
    ALTER TABLE served_by_learner_v4 RENAME TO served_recommendations;
    )sql",
    // 4 -> 5: event ids in a table of their own, written in sorted passes
    // (see "Event ids" below) instead of a unique index on (tenant,
    // event_id), which took a write to a random page for every event.
    // upto: every events row up to this rowid has its entry in event_ids.
    R"sql(
    CREATE TABLE event_ids (
      id_hash INTEGER NOT NULL,
      event   INTEGER NOT NULL,
      PRIMARY KEY (id_hash, event)
    ) WITHOUT ROWID;
    INSERT INTO event_ids
      SELECT polku_id_hash(tenant, event_id), rowid FROM events ORDER BY 1, 2;
    CREATE TABLE event_ids_merged (
      one  INTEGER PRIMARY KEY CHECK (one = 1),
      upto INTEGER NOT NULL
    );
    INSERT INTO event_ids_merged SELECT 1, coalesce(max(rowid), 0) FROM events;
    DROP INDEX events_by_id;
    )sql",
};
constexpr int kSchemaVersion = sizeof(kMigrations) / sizeof(kMigrations[0]);

// Process-wide SQLite settings, which have to be made before SQLite
// initialises, so before the first open; if something opened a database
// earlier, they are refused and SQLite runs as it is, only slower.
// - SQLite counts every allocation it makes in process-wide statistics,
//   under one global mutex: with the writer and the readers allocating at
//   once, the threads queued on it (pthread_mutex_lock and futex waits were
//   about 8 % of the server's CPU while ingesting xAPI). Polku reads no
//   such statistics.
// - The page cache that keeps a commit from walking all of the cache
//   (sqlite_page_cache.h).
void ConfigureSqlite() {
  static const bool kOnce = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    InstallSqlitePageCache();
    return true;
  }();
  (void)kOnce;
}

// --- Event ids ---
//
// Whether an event is new is decided by its (tenant, event_id). Event ids
// are random (UUIDs), so a unique index on them took, for every stored
// event, a write to a random page of the index; once the index outgrew the
// events of one commit that was a page per event, written to the WAL and
// copied again by the checkpoint: the largest part of ingest's cost on a
// database of millions of events. Instead:
//   - event_ids (id_hash, event rowid) holds the ids of every events row
//     up to event_ids_merged.upto;
//   - the writer keeps the ids of later rows in memory (RecentIds), found
//     again after a restart by reading the rows past upto;
//   - once merge_ids_at of them are held, one transaction writes them to
//     event_ids in hash order (each page of it written once) and moves upto
//     to the last row.
// A lookup takes the rowids under the id's hash from both and reads those
// rows: the tenant and id must match (hashes collide, and rows may have
// been deleted since). Deleting events deletes their event_ids entries.

// The hash of an event's id within its tenant: the first eight bytes of
// SHA-256 (common::Hash64), so that it never changes with the binary.
int64_t IdHash(std::string_view tenant, std::string_view event_id) {
  std::string key;
  key.reserve(tenant.size() + 1 + event_id.size());
  key.append(tenant);
  key.push_back('\0');
  key.append(event_id);
  return static_cast<int64_t>(common::Hash64(key));
}

// polku_id_hash(tenant, event_id) in SQL: IdHash, for the migration that
// fills event_ids and for deletions.
void SqlIdHash(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (argc != 2) {
    sqlite3_result_error(ctx, "polku_id_hash takes two arguments", -1);
    return;
  }
  auto text = [](sqlite3_value* v) {
    const unsigned char* p = sqlite3_value_text(v);
    return p == nullptr
               ? std::string_view()
               : std::string_view(reinterpret_cast<const char*>(p),
                                  static_cast<size_t>(sqlite3_value_bytes(v)));
  };
  sqlite3_result_int64(ctx, IdHash(text(argv[0]), text(argv[1])));
}

// Rows that may hold an event id: the rowids under its hash.
using Rowids = absl::InlinedVector<int64_t, 2>;
using IdsByHash = std::unordered_multimap<int64_t, int64_t>;

void AddRowids(const IdsByHash& ids, int64_t id_hash, Rowids* out) {
  auto [first, last] = ids.equal_range(id_hash);
  for (auto it = first; it != last; ++it) out->push_back(it->second);
}

// Those event_ids holds, through `merged` ("SELECT event FROM event_ids
// WHERE id_hash=?" on `db`).
absl::Status AddMergedRowids(sqlite3* db, Stmt& merged, int64_t id_hash,
                             Rowids* out) {
  merged.Bind(1, id_hash);
  int rc;
  while ((rc = merged.Step()) == SQLITE_ROW) out->push_back(merged.Int(0));
  merged.Reset();
  return rc == SQLITE_DONE ? absl::OkStatus() : SqlError(db, "event id lookup");
}

absl::StatusOr<sqlite3*> OpenDb(const std::string& path, bool full_sync) {
  ConfigureSqlite();  // before anything initialises SQLite
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
      WalBatchingVfsName());
  if (rc != SQLITE_OK) {
    absl::Status s = absl::UnavailableError(common::StrCat(
        "sqlite: cannot open ", path, ": ",
        db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
    sqlite3_close(db);
    return s;
  }
  sqlite3_busy_timeout(db, 10000);
  if (sqlite3_create_function_v2(
          db, "polku_id_hash", 2,
          SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nullptr,
          &SqlIdHash, nullptr, nullptr, nullptr) != SQLITE_OK) {
    absl::Status s = SqlError(db, "registering polku_id_hash");
    sqlite3_close(db);
    return s;
  }
  absl::Status s =
      Exec(db, full_sync ? "PRAGMA journal_mode=WAL;"
                           "PRAGMA synchronous=FULL;"
                           "PRAGMA foreign_keys=ON;PRAGMA secure_delete=ON;"
                         : "PRAGMA journal_mode=WAL;"
                           "PRAGMA synchronous=NORMAL;"
                           "PRAGMA foreign_keys=ON;PRAGMA secure_delete=ON;");
  if (!s.ok()) {
    sqlite3_close(db);
    return s;
  }
  return db;
}

absl::Status Migrate(sqlite3* db) {
  Stmt version(db, "PRAGMA user_version");
  if (!version.ok() || version.Step() != SQLITE_ROW) {
    return SqlError(db, "reading schema version");
  }
  int current = static_cast<int>(version.Int(0));
  version.Reset();
  if (current > kSchemaVersion) {
    return absl::FailedPreconditionError(common::StrCat(
        "database schema version ", current, " is newer than this Polku (",
        kSchemaVersion, "); upgrade Polku or restore a backup"));
  }
  if (current > 0 && current < kSchemaVersion) {
    // One pass over the events for some versions: minutes on a large
    // database, so say what is happening.
    common::LogInfo("sqlite: migrating the database schema",
                    {{"from", std::to_string(current)},
                     {"to", std::to_string(kSchemaVersion)}});
  }
  Connection conn(db);
  for (int v = current; v < kSchemaVersion; ++v) {
    Transaction tx(conn);
    POLKU_RETURN_IF_ERROR(tx.status());
    POLKU_RETURN_IF_ERROR(Exec(db, kMigrations[v]));
    POLKU_RETURN_IF_ERROR(
        Exec(db, common::StrCat("PRAGMA user_version=", v + 1).c_str()));
    POLKU_RETURN_IF_ERROR(tx.Commit());
  }
  return absl::OkStatus();
}

EventRecord ReadRecord(const Stmt& s) {
  EventRecord r;
  r.tenant = s.Text(0);
  r.event_id = s.Text(1);
  r.learner_key = s.Text(2);
  r.occurred_at_ms = s.Int(3);
  r.received_at_ms = s.Int(4);
  r.platform = static_cast<model::Platform>(s.Int(5));
  r.verb = static_cast<model::Verb>(s.Int(6));
  r.mode = static_cast<model::Mode>(s.Int(7));
  r.object_id = s.Text(8);
  r.content_hash = s.Text(9);
  r.body_json = s.Text(10);
  r.tags_json = s.Text(11);
  return r;
}

constexpr char kSelectColumns[] =
    "SELECT tenant, event_id, learner_key, occurred_at_ms, received_at_ms, "
    "platform, verb, mode, object_id, content_hash, body, tags FROM events ";

}  // namespace

struct SqliteEventStore::Request {
  absl::Span<const EventRecord> records;
  std::vector<WriteOutcome> outcomes;
  absl::Status status;
  bool done = false;
};

SqliteEventStore::CommitStatements::CommitStatements(sqlite3* db)
    : insert_event(
          db,
          "INSERT INTO events (tenant, event_id, learner_key, "
          "occurred_at_ms, received_at_ms, platform, verb, mode, object_id, "
          "content_hash, body, tags) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"),
      event_by_rowid(db,
                     "SELECT tenant, event_id, content_hash FROM events "
                     "WHERE rowid=?"),
      merged_ids(db, "SELECT event FROM event_ids WHERE id_hash=?"),
      last_rowid(db, "SELECT coalesce(max(rowid), 0) FROM events"),
      tombstone(db,
                "SELECT 1 FROM tombstones WHERE tenant=? AND learner_hash=?"),
      optout(db, "SELECT 1 FROM optouts WHERE tenant=? AND learner_hash=?"),
      retention(db, "SELECT cutoff_ms FROM retention WHERE tenant=?"),
      get_profile(db,
                  "SELECT data FROM profiles WHERE tenant=? AND learner_key=?"),
      put_profile(db,
                  "INSERT INTO profiles (tenant, learner_key, org_unit, role, "
                  "last_event_ms, data) VALUES (?,?,?,?,?,?) "
                  "ON CONFLICT (tenant, learner_key) DO UPDATE SET "
                  "org_unit=excluded.org_unit, role=excluded.role, "
                  "last_event_ms=excluded.last_event_ms, data=excluded.data"),
      update_profile(db,
                     "UPDATE profiles SET role=?3, last_event_ms=?4, data=?5 "
                     "WHERE tenant=?1 AND learner_key=?2"),
      get_activities(db,
                     "SELECT object_id, first_ms FROM activity_states "
                     "WHERE tenant=? AND learner_key=? ORDER BY object_id"),
      // Adds a group's aggregate of one (learner, activity): the same
      // result as adding its events one by one.
      add_activity(
          db,
          "INSERT INTO activity_states (tenant, learner_key, object_id, "
          "first_ms, last_ms, completed_ms, events) VALUES "
          "(?,?,?,?,?,?,?) "
          "ON CONFLICT (tenant, learner_key, object_id) DO UPDATE SET "
          "first_ms=min(first_ms, excluded.first_ms), "
          "last_ms=max(last_ms, excluded.last_ms), "
          "completed_ms=CASE WHEN excluded.completed_ms=0 THEN completed_ms "
          "WHEN completed_ms=0 THEN excluded.completed_ms "
          "ELSE min(completed_ms, excluded.completed_ms) END, "
          "events=events+excluded.events"),
      // For a row whose first_ms stays: the activity_states_by_first
      // index is left alone.
      update_activity(
          db,
          "UPDATE activity_states SET last_ms=max(last_ms, ?4), "
          "completed_ms=CASE WHEN ?5=0 THEN completed_ms "
          "WHEN completed_ms=0 THEN ?5 ELSE min(completed_ms, ?5) END, "
          "events=events+?6 "
          "WHERE tenant=?1 AND learner_key=?2 AND object_id=?3"),
      add_transition(db,
                     "INSERT INTO transitions (tenant, learner_key, "
                     "from_object, to_object, n) VALUES (?,?,?,?,?) "
                     "ON CONFLICT (tenant, learner_key, from_object, "
                     "to_object) DO UPDATE SET n=n+excluded.n"),
      add_cooccurrence(db,
                       "INSERT INTO cooccurrence (tenant, from_object, "
                       "to_object, n) VALUES (?,?,?,?) "
                       "ON CONFLICT (tenant, from_object, to_object) "
                       "DO UPDATE SET n=n+excluded.n"),
      add_week(db,
               "INSERT INTO learner_weeks (tenant, learner_key, week, "
               "org_unit, leadership, development, events) "
               "VALUES (?,?,?,?,?,?,?) "
               "ON CONFLICT (tenant, learner_key, week) DO UPDATE SET "
               "org_unit=CASE WHEN excluded.org_unit<>'' "
               "THEN excluded.org_unit ELSE org_unit END, "
               "leadership=leadership+excluded.leadership, "
               "development=development+excluded.development, "
               "events=events+excluded.events") {}

bool SqliteEventStore::CommitStatements::ok() const {
  return insert_event.ok() && event_by_rowid.ok() && merged_ids.ok() &&
         last_rowid.ok() && tombstone.ok() && optout.ok() && retention.ok() &&
         get_profile.ok() && put_profile.ok() && update_profile.ok() &&
         get_activities.ok() && add_activity.ok() && update_activity.ok() &&
         add_transition.ok() && add_cooccurrence.ok() && add_week.ok();
}

absl::StatusOr<std::unique_ptr<SqliteEventStore::CommitStatements>>
SqliteEventStore::PrepareCommitStatements(sqlite3* db) {
  auto s = std::make_unique<CommitStatements>(db);
  if (!s->ok()) return SqlError(db, "prepare");
  return s;
}

int SqliteEventStore::SchemaVersion() { return kSchemaVersion; }

// --- The learner cache --------------------------------------------------

namespace sqlite_internal {
namespace {

// The profile's sums in a fixed order; EncodeCachedProfile stores the
// nonzero ones (by bit pattern, so -0.0 survives) under a mask.
template <typename P, typename Fn>
void ForEachSum(P& p, Fn fn) {
  for (auto& v : p.sums.score_sum) fn(v);
  for (auto& v : p.sums.weight_sum) fn(v);
  fn(p.sums.leadership);
  fn(p.sums.development);
  for (auto& v : p.sums.signals) fn(v);
}
constexpr size_t kSumCount =
    2 * model::kDimensionCount + 2 + learning::kSignalCount;
static_assert(kSumCount <= 64, "the sums' mask is one uint64_t");

bool LatestIsSet(const learning::Latest& l) {
  return l.at_ms != 0 || !l.event_id.empty() || !l.object_id.empty() ||
         !l.rule_ids.empty();
}

void PutString(std::string* out, std::string_view s) {
  PutVarint(out, s.size());
  out->append(s.data(), s.size());
}

bool GetString(std::string_view* in, std::string_view* s) {
  uint64_t n;
  if (!GetVarint(in, &n) || n > in->size()) return false;
  *s = in->substr(0, static_cast<size_t>(n));
  in->remove_prefix(static_cast<size_t>(n));
  return true;
}

bool GetTime(std::string_view* in, int64_t base, int64_t* out) {
  uint64_t z;
  if (!GetVarint(in, &z)) return false;
  *out = UnZigZagAdd(base, z);
  return true;
}

}  // namespace

// Layout: mask of nonzero sums, those sums (8 bytes each), the 14 counts
// (zigzag), last_event_ms (zigzag), first_event_ms, org_unit_at_ms and
// role_at_ms (zigzag differences from last_event_ms), org_unit, role, the
// string table (each distinct string of the latest entries once), the
// mask of set latest entries, and per set entry its time (difference from
// last_event_ms), event id, object id and rule ids as table indexes.
void EncodeCachedProfile(const learning::Profile& p, std::string* out) {
  uint64_t mask = 0;
  size_t bit = 0;
  ForEachSum(p, [&](const double& v) {
    uint64_t bits;
    std::memcpy(&bits, &v, 8);
    if (bits != 0) mask |= uint64_t{1} << bit;
    ++bit;
  });
  PutVarint(out, mask);
  ForEachSum(p, [&](const double& v) {
    uint64_t bits;
    std::memcpy(&bits, &v, 8);
    if (bits == 0) return;
    char b[8];
    std::memcpy(b, &v, 8);
    out->append(b, 8);
  });
  for (int64_t c : p.sums.counts) PutVarint(out, ZigZagDiff(c, 0));
  const int64_t last = p.last_event_ms;
  PutVarint(out, ZigZagDiff(last, 0));
  PutVarint(out, ZigZagDiff(p.first_event_ms, last));
  PutVarint(out, ZigZagDiff(p.org_unit_at_ms, last));
  PutVarint(out, ZigZagDiff(p.role_at_ms, last));
  PutString(out, p.org_unit);
  PutString(out, p.role);
  // The table, and each set entry's indexes into it in order.
  absl::InlinedVector<std::string_view, 32> table;
  absl::InlinedVector<uint32_t, 64> refs;
  auto ref = [&](std::string_view s) {
    size_t i = 0;
    while (i < table.size() && table[i] != s) ++i;
    if (i == table.size()) table.push_back(s);
    refs.push_back(static_cast<uint32_t>(i));
  };
  uint64_t latest_mask = 0;
  for (size_t i = 0; i < learning::kSignalCount; ++i) {
    const learning::Latest& l = p.latest[i];
    if (!LatestIsSet(l)) continue;
    latest_mask |= uint64_t{1} << i;
    ref(l.event_id);
    ref(l.object_id);
    for (const std::string& r : l.rule_ids) ref(r);
  }
  PutVarint(out, table.size());
  for (std::string_view s : table) PutString(out, s);
  PutVarint(out, latest_mask);
  size_t next = 0;
  for (size_t i = 0; i < learning::kSignalCount; ++i) {
    const learning::Latest& l = p.latest[i];
    if ((latest_mask >> i & 1) == 0) continue;
    PutVarint(out, ZigZagDiff(l.at_ms, last));
    PutVarint(out, refs[next++]);
    PutVarint(out, refs[next++]);
    PutVarint(out, l.rule_ids.size());
    for (size_t k = 0; k < l.rule_ids.size(); ++k) {
      PutVarint(out, refs[next++]);
    }
  }
}

bool DecodeCachedProfile(std::string_view* in, learning::Profile* p) {
  uint64_t mask;
  if (!GetVarint(in, &mask)) return false;
  bool ok = true;
  size_t bit = 0;
  ForEachSum(*p, [&](double& v) {
    if ((mask >> bit++ & 1) == 0) {
      v = 0;
    } else if (in->size() < 8) {
      ok = false;
    } else {
      std::memcpy(&v, in->data(), 8);
      in->remove_prefix(8);
    }
  });
  if (!ok || mask >> kSumCount != 0) return false;
  for (int64_t& c : p->sums.counts) {
    if (!GetTime(in, 0, &c)) return false;
  }
  std::string_view org_unit, role;
  if (!GetTime(in, 0, &p->last_event_ms)) return false;
  const int64_t last = p->last_event_ms;
  if (!GetTime(in, last, &p->first_event_ms) ||
      !GetTime(in, last, &p->org_unit_at_ms) ||
      !GetTime(in, last, &p->role_at_ms) || !GetString(in, &org_unit) ||
      !GetString(in, &role)) {
    return false;
  }
  p->org_unit.assign(org_unit);
  p->role.assign(role);
  uint64_t n;
  if (!GetVarint(in, &n) || n > in->size()) return false;
  absl::InlinedVector<std::string_view, 32> table(static_cast<size_t>(n));
  for (std::string_view& s : table) {
    if (!GetString(in, &s)) return false;
  }
  auto get = [&](std::string* s) {
    uint64_t i;
    if (!GetVarint(in, &i) || i >= table.size()) return false;
    s->assign(table[static_cast<size_t>(i)]);
    return true;
  };
  uint64_t latest_mask;
  if (!GetVarint(in, &latest_mask) ||
      latest_mask >> learning::kSignalCount != 0) {
    return false;
  }
  for (size_t i = 0; i < learning::kSignalCount; ++i) {
    learning::Latest& l = p->latest[i];
    if ((latest_mask >> i & 1) == 0) {
      l.at_ms = 0;
      l.event_id.clear();
      l.object_id.clear();
      l.rule_ids.clear();
      continue;
    }
    uint64_t rules;
    if (!GetTime(in, last, &l.at_ms) || !get(&l.event_id) ||
        !get(&l.object_id) || !GetVarint(in, &rules) || rules > in->size()) {
      return false;
    }
    l.rule_ids.resize(static_cast<size_t>(rules));
    for (std::string& r : l.rule_ids) {
      if (!get(&r)) return false;
    }
  }
  return true;
}

}  // namespace sqlite_internal

void SqliteEventStore::GroupLearner::Activate(CachedLearner& c,
                                              std::string_view key,
                                              size_t tenant_size) {
  cached = &c;
  tenant = key.substr(0, tenant_size);
  learner_key = key.substr(tenant_size + 1);
  learner_hash.clear();
  projection_ready = false;
  profile_dirty = false;
  stored_org_unit.clear();
  touched.clear();
  ids.clear();
  new_ids.clear();
  weeks.clear();
  activity_deltas.clear();
  transitions.clear();
}

void SqliteEventStore::GroupLearner::SaveState(std::string* out) const {
  using sqlite_internal::PutVarint;
  using sqlite_internal::ZigZagDiff;
  size_t total = 0;
  for (const Touched& t : touched) total += t.object_id.size();
  PutVarint(out, touched.size());
  PutVarint(out, total);
  std::string_view prev;
  int64_t prev_ms = 0;
  for (const Touched& t : touched) {
    const std::string_view id = t.object_id;
    size_t shared = 0;
    const size_t most = std::min(prev.size(), id.size());
    while (shared < most && prev[shared] == id[shared]) ++shared;
    PutVarint(out, shared);
    PutVarint(out, id.size() - shared);
    out->append(id.data() + shared, id.size() - shared);
    PutVarint(out, ZigZagDiff(t.first_ms, prev_ms));
    prev = id;
    prev_ms = t.first_ms;
  }
}

bool SqliteEventStore::GroupLearner::LoadState() {
  using sqlite_internal::GetVarint;
  std::string_view in = cached->state;
  if (!sqlite_internal::DecodeCachedProfile(&in, &profile)) return false;
  stored_org_unit.assign(cached->profile_stored ? profile.org_unit : "");
  uint64_t n, total;
  if (!GetVarint(&in, &n) || !GetVarint(&in, &total) || n > in.size()) {
    return false;
  }
  touched.clear();
  touched.reserve(static_cast<size_t>(n));
  ids.clear();
  // Reserved once: the views into ids stay valid while it is appended to.
  ids.reserve(static_cast<size_t>(total));
  size_t prev_off = 0, prev_len = 0;
  int64_t prev_ms = 0;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t shared, rest, z;
    if (!GetVarint(&in, &shared) || !GetVarint(&in, &rest) ||
        shared > prev_len || rest > in.size() ||
        ids.size() + shared + rest > total) {
      return false;
    }
    const size_t off = ids.size();
    ids.append(ids.data() + prev_off, static_cast<size_t>(shared));
    ids.append(in.data(), static_cast<size_t>(rest));
    in.remove_prefix(static_cast<size_t>(rest));
    if (!GetVarint(&in, &z)) return false;
    Touched& t = touched.emplace_back();
    prev_off = off;
    prev_len = static_cast<size_t>(shared + rest);
    t.object_id = std::string_view(ids.data() + off, prev_len);
    t.first_ms = sqlite_internal::UnZigZagAdd(prev_ms, z);
    prev_ms = t.first_ms;
  }
  return in.empty();
}

SqliteEventStore::GroupLearner& SqliteEventStore::LearnerCache::Touch(
    std::unordered_map<std::string, CachedLearner>::iterator it,
    size_t tenant_size) {
  CachedLearner& c = it->second;
  if (c.last_group == group) return *c.active;
  c.last_group = group;
  if (touched.size() == pool.size()) {
    pool.push_back(std::make_unique<GroupLearner>());
  }
  GroupLearner* g = pool[touched.size()].get();
  g->Activate(c, it->first, tenant_size);
  c.active = g;
  touched.push_back(g);
  return *g;
}

void SqliteEventStore::LearnerCache::Release() {
  for (GroupLearner* g : touched) {
    CachedLearner& c = *g->cached;
    if (g->projection_ready && !c.opted_out) {
      scratch.clear();
      sqlite_internal::EncodeCachedProfile(g->profile, &scratch);
      g->SaveState(&scratch);
      // A string of its own size: the state is held for long.
      c.state = std::string(scratch);
    }
    c.active = nullptr;
    g->cached = nullptr;
    if (g->touched.capacity() > kPooledActivities) {
      // A pooled object does not keep the buffers of a learner with many
      // activities.
      *g = GroupLearner();
    }
  }
  touched.clear();
  if (pool.size() > kPoolSize) pool.resize(kPoolSize);
}

void SqliteEventStore::LearnerCache::Clear() {
  for (GroupLearner* g : touched) g->cached = nullptr;
  touched.clear();
  learners.clear();
  cooccurrence.clear();
  if (pool.size() > kPoolSize) pool.resize(kPoolSize);
}

struct SqliteEventStore::RecentIds {
  absl::Mutex mu;
  // id hash -> events rowid, for committed rows past event_ids_merged.upto
  // (and, until the next merge, rows another process deleted since).
  // Changed by the writer under writer_mu_; read by the writer and by
  // readers (Get).
  IdsByHash ids ABSL_GUARDED_BY(mu);
  // The ids the current group stored (writer only).
  IdsByHash group;
  // The largest events rowid the writer knows of.
  int64_t last_rowid = 0;

  void AddHeldRowids(int64_t id_hash, Rowids* out) {
    absl::ReaderMutexLock lock(&mu);
    AddRowids(ids, id_hash, out);
  }
  size_t held() {
    absl::ReaderMutexLock lock(&mu);
    return ids.size();
  }

  // Reads the ids of the rows past `after` into `ids`.
  absl::Status Load(sqlite3* db, int64_t after) {
    Stmt rows(db, "SELECT rowid, tenant, event_id FROM events WHERE rowid>?");
    if (!rows.ok()) return SqlError(db, "prepare");
    rows.Bind(1, after);
    int rc;
    absl::MutexLock lock(&mu);
    while ((rc = rows.Step()) == SQLITE_ROW) {
      const int64_t rowid = rows.Int(0);
      ids.emplace(IdHash(rows.View(1), rows.View(2)), rowid);
      last_rowid = std::max(last_rowid, rowid);
    }
    if (rc != SQLITE_DONE) return SqlError(db, "reading recent event ids");
    return absl::OkStatus();
  }
};

namespace {

absl::StatusOr<int64_t> OneInt(sqlite3* db, const char* sql) {
  Stmt s(db, sql);
  if (!s.ok() || s.Step() != SQLITE_ROW) return SqlError(db, sql);
  return s.Int(0);
}

}  // namespace

absl::StatusOr<std::unique_ptr<SqliteEventStore>> SqliteEventStore::Open(
    const std::string& path, Options options) {
  const bool full = options.durability == Durability::kFull;
  auto writer = OpenDb(path, full);
  if (!writer.ok()) return writer.status();
  if (auto s = Migrate(*writer); !s.ok()) {
    sqlite3_close(*writer);
    return s;
  }
  // The projection touches several tables per event; a page cache that
  // holds their hot pages keeps a group commit from re-reading them.
  // Checkpoints are not the writer's (see CheckpointLoop): the WAL hook
  // that replaces SQLite's automatic checkpoint is set by the constructor.
  if (auto s = Exec(*writer, "PRAGMA cache_size=-65536"); !s.ok()) {
    sqlite3_close(*writer);
    return s;
  }
  auto statements = PrepareCommitStatements(*writer);
  if (!statements.ok()) {
    sqlite3_close(*writer);
    return statements.status();
  }
  auto recent = std::make_unique<RecentIds>();
  {
    auto upto = OneInt(*writer, "SELECT upto FROM event_ids_merged");
    auto last = OneInt(*writer, "SELECT coalesce(max(rowid), 0) FROM events");
    absl::Status s = !upto.ok() ? upto.status() : last.status();
    if (s.ok()) {
      recent->last_rowid = *last;
      s = recent->Load(*writer, *upto);
    }
    if (!s.ok()) {
      statements->reset();
      sqlite3_close(*writer);
      return s;
    }
  }
  std::vector<sqlite3*> readers;
  for (size_t i = 0; i < std::max<size_t>(options.readers, 1); ++i) {
    auto reader = OpenDb(path, full);
    if (!reader.ok()) {
      for (sqlite3* r : readers) sqlite3_close(r);
      statements->reset();
      sqlite3_close(*writer);
      return reader.status();
    }
    readers.push_back(*reader);
  }
  auto checkpointer = OpenDb(path, full);
  if (!checkpointer.ok()) {
    for (sqlite3* r : readers) sqlite3_close(r);
    statements->reset();
    sqlite3_close(*writer);
    return checkpointer.status();
  }
  // The WAL's name as SQLite derives it from the database's full path.
  std::string wal_path =
      sqlite3_filename_wal(sqlite3_db_filename(*writer, "main"));
  return std::unique_ptr<SqliteEventStore>(new SqliteEventStore(
      std::move(wal_path), *writer,
      std::make_unique<ReaderPool>(std::move(readers)), *checkpointer,
      std::move(options), std::move(*statements), std::move(recent)));
}

SqliteEventStore::SqliteEventStore(std::string wal_path, sqlite3* writer,
                                   std::unique_ptr<ReaderPool> readers,
                                   sqlite3* checkpointer, Options options,
                                   std::unique_ptr<CommitStatements> statements,
                                   std::unique_ptr<RecentIds> recent)
    : writer_(writer),
      writer_statements_(std::make_unique<Connection>(writer)),
      readers_(std::move(readers)),
      options_(std::move(options)),
      statements_(std::move(statements)),
      cache_(std::make_unique<LearnerCache>()),
      recent_(std::move(recent)),
      checkpointer_(checkpointer),
      db_path_(sqlite3_db_filename(writer, "main")),
      wal_path_(std::move(wal_path)) {
  sqlite3_wal_hook(writer_, &SqliteEventStore::OnWalCommit, this);
  checkpoint_thread_ = std::thread([this] {
    common::SetCurrentThreadName("polku-ckpt");
    CheckpointLoop();
  });
  if (options_.durability == Durability::kFull) {
    sync_thread_ = std::thread([this] {
      common::SetCurrentThreadName("polku-walsync");
      SyncLoop();
    });
  }
  writer_thread_ = std::thread([this] {
    common::SetCurrentThreadName("polku-writer");
    WriterLoop();
  });
}

void SqliteEventStore::SyncLoop() {
  for (;;) {
    std::vector<Request*> synced;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
        return !unsynced_.empty() || writer_done_;
      };
      mu_.Await(absl::Condition(&ready));
      if (unsynced_.empty()) return;  // the writer is done, nothing left
      synced.swap(unsynced_);
    }
    absl::Status s = SyncWal();
    absl::MutexLock lock(&mu_);
    if (!s.ok() && wal_sync_failed_.ok()) {
      wal_sync_failed_ = absl::UnavailableError(
          common::StrCat(std::string(s.message()),
                         "; writes are refused until the store is reopened"));
      common::LogError("sqlite: WAL sync failed; refusing writes",
                       {{"error", std::string(s.message())}});
    }
    if (!wal_sync_failed_.ok()) s = wal_sync_failed_;
    Complete(synced, s);
  }
}

// fdatasync of the WAL through a descriptor of its own: the data of every
// commit written to the file before the call is on disk when it returns.
// The WAL is never deleted while the store's connections are open (a
// TRUNCATE checkpoint only shortens it), so the descriptor stays valid.
absl::Status SqliteEventStore::SyncWal() {
  if (wal_fd_ < 0) {
    wal_fd_ = open(wal_path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (wal_fd_ < 0) {
      return absl::UnavailableError(common::StrCat(
          "sqlite: cannot open ", wal_path_, " to sync it: ", strerror(errno)));
    }
  }
  if (fdatasync(wal_fd_) != 0) {
    return absl::UnavailableError(common::StrCat(
        "sqlite: cannot sync ", wal_path_, ": ", strerror(errno)));
  }
  return absl::OkStatus();
}

int SqliteEventStore::RestPages() const {
  const int largest = largest_commit_pages_.load(std::memory_order_relaxed);
  const int most =
      std::max(kSmallRestPages,
               std::min(kLargestRestPages, options_.checkpoint_pages / 2));
  return std::clamp(4 * largest, kSmallRestPages, most);
}

void SqliteEventStore::SyncDatabaseFile() {
  if (db_fd_ < 0) db_fd_ = open(db_path_.c_str(), O_RDONLY | O_CLOEXEC);
  // Only saves the writer time: SQLite's own sync follows in any case.
  if (db_fd_ < 0 || fdatasync(db_fd_) != 0) {
    common::LogWarning("sqlite: cannot sync the database file",
                       {{"path", db_path_}, {"error", strerror(errno)}});
  }
}

int SqliteEventStore::OnWalCommit(void* store, sqlite3* db, const char* name,
                                  int pages) {
  auto* self = static_cast<SqliteEventStore*>(store);
  const int before = self->wal_pages_now_.exchange(pages);
  const int limit = self->options_.checkpoint_pages;
  int copied = self->checkpointed_pages_.load(std::memory_order_relaxed);
  if (pages < copied) {  // the WAL started over
    copied = 0;
    self->checkpointed_pages_.store(0, std::memory_order_relaxed);
  }
  // This commit's pages; the largest commit of the WAL sets how large a
  // rest the writer copies (RestPages).
  const bool new_wal = pages <= before;
  if (new_wal) self->wal_restarts_.fetch_add(1, std::memory_order_relaxed);
  const int commit = new_wal ? pages : pages - before;
  const int largest =
      self->largest_commit_pages_.load(std::memory_order_relaxed);
  self->largest_commit_pages_.store(
      new_wal ? commit : std::max(largest, commit), std::memory_order_relaxed);
  const int rest_limit = self->RestPages();
  // The WAL starts over at the first commit after a checkpoint copied all
  // of it. The checkpoint thread copies the WAL once it has `limit` new
  // pages, then again what came meanwhile until little is left (see
  // CheckpointLoop), without holding up the writer. The writer then
  // copies that little here, between two commits (a few page writes and
  // two fsyncs), so that the next commit starts the WAL over and it stays
  // about `limit` pages long. When commits came faster than the thread's
  // last pass, the thread makes another (while commits are small enough
  // that it can catch up). Should the WAL still reach four times `limit`
  // (a busy machine, or commits larger than the largest rest), the writer
  // copies whatever is left, as SQLite's own automatic checkpoint would;
  // while a pass of the thread runs it gets SQLITE_BUSY and tries again
  // after the next commit.
  const int rest = pages - copied;
  const bool caught_up = pages >= limit && copied > 0;
  const bool finish = caught_up && rest <= rest_limit;
  if (finish || pages >= int64_t{4} * limit) {
    int done = 0;
    const auto start = std::chrono::steady_clock::now();
    // SQLITE_BUSY while the thread's checkpoint runs: the next commit
    // tries again.
    if (sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr,
                                  &done) == SQLITE_OK) {
      self->checkpointed_pages_.store(done, std::memory_order_relaxed);
      const int64_t nanos = NanosSince(start);
      if (finish) {
        self->writer_rests_.Add(nanos);
      } else {
        self->writer_forced_.Add(nanos);
      }
    }
  } else if (rest >= limit || (caught_up && commit <= kLargestRestPages / 4)) {
    absl::MutexLock lock(&self->checkpoint_mu_);
    self->checkpoint_due_ = true;
  }
  return SQLITE_OK;
}

// A PASSIVE checkpoint copies what no reader still needs while commits go
// on. (A RESTART checkpoint here would hold the writer lock while it waits
// for readers, and a writer waiting behind it could time out.) The thread
// keeps the normal CPU priority: while it checkpoints, the writer's own
// checkpoint gets SQLITE_BUSY, so a thread starved of CPU would leave the
// WAL to grow without bound.
void SqliteEventStore::CheckpointLoop() {
  for (;;) {
    {
      absl::MutexLock lock(&checkpoint_mu_);
      auto due = [this]() ABSL_SHARED_LOCKS_REQUIRED(checkpoint_mu_) {
        return checkpoint_stop_ || checkpoint_due_;
      };
      checkpoint_mu_.Await(absl::Condition(&due));
      if (checkpoint_stop_) return;
      checkpoint_due_ = false;
    }
    // The first pass copies the bulk, and the database file is synced
    // (PASSIVE passes that leave pages behind do not sync it: SQLite syncs
    // it when a checkpoint copies the last page, which is the writer's).
    // Commits go on meanwhile, so further passes copy what they added,
    // until little is left for the writer (OnWalCommit) or after
    // kCatchUpPasses; a second sync covers those few pages. Only then is
    // the writer told what was copied: its own sync is left with the few
    // pages it copies, not queued behind the thread's.
    // Each pass is counted when it ends (SqliteStoreStats), so a long run
    // of passes shows while it lasts.
    int rc = SQLITE_OK;
    int bulk = -1;
    int copied = -1;
    for (int pass = 0; pass <= kCatchUpPasses; ++pass) {
      const auto start = std::chrono::steady_clock::now();
      int done = 0;
      rc = sqlite3_wal_checkpoint_v2(checkpointer_, nullptr,
                                     SQLITE_CHECKPOINT_PASSIVE, nullptr, &done);
      if (rc != SQLITE_OK) break;
      copied = done;
      if (pass == 0) {
        SyncDatabaseFile();
        bulk = done;
      }
      thread_passes_.Add(NanosSince(start));
      // Pages committed since: the writer copies them once they are few
      // (or the WAL started over).
      const int now = wal_pages_now_.load(std::memory_order_relaxed);
      if (now - done <= RestPages()) break;
    }
    if (copied >= 0) {
      if (copied > bulk) {
        const auto start = std::chrono::steady_clock::now();
        SyncDatabaseFile();
        thread_passes_.AddTime(NanosSince(start));
      }
      checkpointed_pages_.store(copied, std::memory_order_relaxed);
    }
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
      common::LogWarning("sqlite: checkpoint failed",
                         {{"error", sqlite3_errmsg(checkpointer_)}});
    }
  }
}

SqliteStoreStats SqliteEventStore::stats() const {
  constexpr auto kRelaxed = std::memory_order_relaxed;
  SqliteStoreStats s;
  s.wal_pages = wal_pages_now_.load(kRelaxed);
  s.wal_restarts = wal_restarts_.load(kRelaxed);
  s.thread_passes = thread_passes_.Count();
  s.thread_seconds = thread_passes_.Seconds();
  s.writer_rests = writer_rests_.Count();
  s.writer_rest_seconds = writer_rests_.Seconds();
  s.writer_forced = writer_forced_.Count();
  s.writer_forced_seconds = writer_forced_.Seconds();
  s.event_ids_held = static_cast<int64_t>(recent_->held());
  s.event_id_passes = event_id_passes_.Count();
  s.event_id_pass_seconds = event_id_passes_.Seconds();
  return s;
}

SqliteEventStore::~SqliteEventStore() {
  Close().IgnoreError();
  statements_.reset();
  writer_statements_.reset();
  if (wal_fd_ >= 0) close(wal_fd_);
  if (db_fd_ >= 0) close(db_fd_);
  sqlite3_close(checkpointer_);
  sqlite3_close(writer_);
}

absl::Status SqliteEventStore::Close() {
  {
    absl::MutexLock lock(&mu_);
    if (closed_) return absl::OkStatus();
    closing_ = true;
  }
  if (writer_thread_.joinable()) writer_thread_.join();
  if (sync_thread_.joinable()) sync_thread_.join();
  {
    absl::MutexLock lock(&checkpoint_mu_);
    checkpoint_stop_ = true;
  }
  if (checkpoint_thread_.joinable()) checkpoint_thread_.join();
  absl::MutexLock lock(&mu_);
  closed_ = true;
  absl::MutexLock w(&writer_mu_);
  // Fold the WAL back into the main file so a copy of the file is complete.
  return Exec(writer_, "PRAGMA wal_checkpoint(TRUNCATE)");
}

absl::Status SqliteEventStore::CheckOpen() {
  absl::MutexLock lock(&mu_);
  if (closing_) return absl::FailedPreconditionError("store is closed");
  return absl::OkStatus();
}

absl::StatusOr<std::vector<WriteOutcome>> SqliteEventStore::Append(
    absl::Span<const EventRecord> records) {
  Request req;
  req.records = records;
  {
    absl::MutexLock lock(&mu_);
    if (closing_) return absl::FailedPreconditionError("store is closed");
    queue_.push_back(&req);
    // Wait until the writer thread committed (or failed) this request.
    mu_.Await(absl::Condition(&req.done));
  }
  if (!req.status.ok()) return req.status;
  return std::move(req.outcomes);
}

void SqliteEventStore::WriterLoop() {
  for (;;) {
    std::deque<Request*> group;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
        return !queue_.empty() || closing_;
      };
      mu_.Await(absl::Condition(&ready));
      if (queue_.empty()) {  // closing with nothing left to write
        writer_done_ = true;
        return;
      }
      size_t n = 0;
      while (!queue_.empty() &&
             (group.empty() || n + queue_.front()->records.size() <=
                                   options_.max_group_records)) {
        n += queue_.front()->records.size();
        group.push_back(queue_.front());
        queue_.pop_front();
      }
      if (!wal_sync_failed_.ok()) {
        Complete(group, wal_sync_failed_);
        continue;
      }
    }
    // At kFull the commit itself does not sync (synchronous=NORMAL); the
    // sync thread does, while this thread commits the next group.
    const bool pipelined = options_.durability == Durability::kFull;
    absl::Status s;
    {
      absl::MutexLock w(&writer_mu_);
      s = WithoutSync([&] { return CommitGroup(group); });
    }
    {
      absl::MutexLock lock(&mu_);
      if (s.ok() && pipelined) {
        unsynced_.insert(unsynced_.end(), group.begin(), group.end());
      } else {
        Complete(group, s);
      }
    }
    // After the group went on to its sync: its callers do not wait for
    // this.
    if (s.ok()) {
      absl::MutexLock w(&writer_mu_);
      if (recent_->held() >= std::max<size_t>(options_.merge_ids_at, 1)) {
        // On failure the ids stay in memory and the next group tries again.
        if (absl::Status m = WithoutSync([&] { return MergeRecentIds(); });
            !m.ok()) {
          common::LogWarning("sqlite: writing event ids failed",
                             {{"error", std::string(m.message())}});
        }
      }
    }
  }
}

absl::Status SqliteEventStore::WithoutSync(
    const std::function<absl::Status()>& write) {
  if (options_.durability != Durability::kFull) return write();
  POLKU_RETURN_IF_ERROR(SetSynchronous(*writer_statements_, "NORMAL"));
  absl::Status s = write();
  absl::Status restored = SetSynchronous(*writer_statements_, "FULL");
  return s.ok() ? restored : s;
}

template <typename Requests>
void SqliteEventStore::Complete(const Requests& requests,
                                const absl::Status& s) {
  for (Request* r : requests) {
    if (!s.ok()) {
      r->status = s;
      r->outcomes.clear();
    }
    r->done = true;
  }
}

absl::StatusOr<std::optional<std::string>> SqliteEventStore::FindStored(
    const EventRecord& r, int64_t id_hash) {
  CommitStatements& st = *statements_;
  Rowids rowids;
  AddRowids(recent_->group, id_hash, &rowids);
  recent_->AddHeldRowids(id_hash, &rowids);
  POLKU_RETURN_IF_ERROR(
      AddMergedRowids(writer_, st.merged_ids, id_hash, &rowids));
  for (int64_t rowid : rowids) {
    Stmt& row = st.event_by_rowid;
    row.Bind(1, rowid);
    const int rc = row.Step();
    if (rc == SQLITE_ROW && row.View(0) == r.tenant &&
        row.View(1) == r.event_id) {
      std::string hash = row.Text(2);
      row.Reset();
      return std::optional<std::string>(std::move(hash));
    }
    row.Reset();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
      return SqlError(writer_, "event lookup");
    }
  }
  return std::optional<std::string>();
}

absl::Status SqliteEventStore::CatchUpWithOtherWriters() {
  Stmt& max_rowid = statements_->last_rowid;
  const int rc = max_rowid.Step();
  const int64_t last = rc == SQLITE_ROW ? max_rowid.Int(0) : 0;
  max_rowid.Reset();
  if (rc != SQLITE_ROW) return SqlError(writer_, "last event");
  RecentIds& recent = *recent_;
  if (last > recent.last_rowid) {
    POLKU_RETURN_IF_ERROR(recent.Load(writer_, recent.last_rowid));
  }
  // Lower when another process deleted the last rows.
  recent.last_rowid = last;
  return absl::OkStatus();
}

absl::Status SqliteEventStore::MergeRecentIds() {
  const auto start = std::chrono::steady_clock::now();
  RecentIds& recent = *recent_;
  Transaction tx(*writer_statements_);
  POLKU_RETURN_IF_ERROR(tx.status());
  // Rows another process appended join recent.ids first, so that upto
  // may move past them.
  POLKU_RETURN_IF_ERROR(CatchUpWithOtherWriters());
  std::vector<std::pair<int64_t, int64_t>> sorted;
  {
    absl::ReaderMutexLock lock(&recent.mu);
    sorted.assign(recent.ids.begin(), recent.ids.end());
  }
  std::sort(sorted.begin(), sorted.end());
  {
    Stmt put(writer_,
             "INSERT INTO event_ids (id_hash, event) VALUES (?,?) "
             "ON CONFLICT DO NOTHING");
    if (!put.ok()) return SqlError(writer_, "prepare");
    for (const auto& [id_hash, rowid] : sorted) {
      put.Bind(1, id_hash);
      put.Bind(2, rowid);
      POLKU_RETURN_IF_ERROR(RunDone(writer_, put, "event id merge"));
    }
  }
  Stmt upto(writer_, "UPDATE event_ids_merged SET upto=max(upto, ?)");
  if (!upto.ok()) return SqlError(writer_, "prepare");
  upto.Bind(1, recent.last_rowid);
  POLKU_RETURN_IF_ERROR(RunDone(writer_, upto, "event id merge"));
  POLKU_RETURN_IF_ERROR(tx.Commit());
  {
    absl::MutexLock lock(&recent.mu);
    recent.ids.clear();
  }
  event_id_passes_.Add(NanosSince(start));
  return absl::OkStatus();
}

absl::StatusOr<SqliteEventStore::DeletedEvents> SqliteEventStore::DeleteEvents(
    const char* where, const std::function<void(Stmt&)>& bind) {
  Stmt merged(writer_,
              common::StrCat("DELETE FROM event_ids WHERE (id_hash, event) IN "
                             "(SELECT polku_id_hash(tenant, event_id), rowid "
                             "FROM events WHERE ",
                             where, ")")
                  .c_str());
  if (!merged.ok()) return SqlError(writer_, "prepare");
  bind(merged);
  POLKU_RETURN_IF_ERROR(RunDone(writer_, merged, "event id deletion"));
  DeletedEvents out;
  {
    Stmt held(writer_,
              common::StrCat("SELECT polku_id_hash(tenant, event_id), rowid "
                             "FROM events WHERE rowid>(SELECT upto FROM "
                             "event_ids_merged) AND (",
                             where, ")")
                  .c_str());
    if (!held.ok()) return SqlError(writer_, "prepare");
    bind(held);
    int rc;
    while ((rc = held.Step()) == SQLITE_ROW) {
      out.held.emplace_back(held.Int(0), held.Int(1));
    }
    if (rc != SQLITE_DONE) return SqlError(writer_, "event id deletion");
  }
  Stmt del(writer_, common::StrCat("DELETE FROM events WHERE ", where).c_str());
  if (!del.ok()) return SqlError(writer_, "prepare");
  bind(del);
  POLKU_RETURN_IF_ERROR(RunDone(writer_, del, "event deletion"));
  out.count = sqlite3_changes(writer_);
  // SQLite numbers a new row one past the largest left, so when the last
  // rows went, upto must not stay past it (the next rows would count as
  // written out).
  POLKU_RETURN_IF_ERROR(Exec(writer_,
                             "UPDATE event_ids_merged SET upto=min(upto, "
                             "(SELECT coalesce(max(rowid), 0) FROM events))"));
  return out;
}

void SqliteEventStore::ForgetRecent(
    const std::vector<std::pair<int64_t, int64_t>>& ids) {
  RecentIds& recent = *recent_;
  absl::MutexLock lock(&recent.mu);
  for (const auto& [id_hash, rowid] : ids) {
    auto [first, last] = recent.ids.equal_range(id_hash);
    for (auto it = first; it != last; ++it) {
      if (it->second == rowid) {
        recent.ids.erase(it);
        break;
      }
    }
  }
}

absl::Status SqliteEventStore::CommitGroup(std::deque<Request*>& group) {
  const auto start = std::chrono::steady_clock::now();
  Transaction tx(*writer_statements_);
  POLKU_RETURN_IF_ERROR(tx.status());
  CommitStatements& st = *statements_;
  LearnerCache& cache = *cache_;
  ++cache.group;
  cache.touched.clear();
  cache.cooccurrence.clear();
  recent_->group.clear();
  POLKU_RETURN_IF_ERROR(CatchUpWithOtherWriters());
  // A failed group leaves the cache holding what was rolled back.
  struct ForgetUnlessCommitted {
    LearnerCache& cache;
    bool committed = false;
    ~ForgetUnlessCommitted() {
      if (!committed) cache.Clear();
    }
  } guard{cache};
  size_t records = 0;
  // Retention cutoffs of the group's tenants, read once per group (another
  // process, `polku retention`, may move them).
  std::map<std::string, int64_t, std::less<>> cutoffs;
  for (Request* req : group) {
    req->outcomes.clear();
    req->outcomes.reserve(req->records.size());
    for (const EventRecord& r : req->records) {
      ++records;
      auto cut = cutoffs.find(r.tenant);
      if (cut == cutoffs.end()) {
        int64_t cutoff = std::numeric_limits<int64_t>::min();
        st.retention.Bind(1, r.tenant);
        const int rc = st.retention.Step();
        if (rc == SQLITE_ROW) cutoff = st.retention.Int(0);
        st.retention.Reset();
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
          return SqlError(writer_, "retention lookup");
        }
        cut = cutoffs.emplace(r.tenant, cutoff).first;
      }
      if (r.occurred_at_ms < cut->second) {
        // Older than the tenant keeps: held once and expired, or never
        // to be held. Either way nothing changes.
        req->outcomes.push_back(WriteOutcome::kDuplicate);
        continue;
      }
      // Found without allocating once the key buffer has grown.
      auto it = cache.learners.find(cache.KeyOf(r.tenant, r.learner_key));
      const bool created = it == cache.learners.end();
      if (created) {
        it = cache.learners.emplace(cache.key, CachedLearner()).first;
      }
      GroupLearner& learner = cache.Touch(it, r.tenant.size());
      if (created) {
        learner.learner_hash = LearnerHash(r.tenant, r.learner_key);
        st.tombstone.Bind(1, r.tenant);
        st.tombstone.Bind(2, learner.learner_hash);
        const int rc = st.tombstone.Step();
        st.tombstone.Reset();
        if (rc == SQLITE_ROW) {
          it->second.erased = true;
        } else if (rc != SQLITE_DONE) {
          return SqlError(writer_, "tombstone lookup");
        }
      }
      if (it->second.erased) {
        req->outcomes.push_back(WriteOutcome::kErased);
        continue;
      }
      const int64_t id_hash = IdHash(r.tenant, r.event_id);
      auto stored = FindStored(r, id_hash);
      if (!stored.ok()) return stored.status();
      if (stored->has_value()) {
        req->outcomes.push_back(**stored == r.content_hash
                                    ? WriteOutcome::kDuplicate
                                    : WriteOutcome::kConflict);
        continue;
      }
      Stmt& insert = st.insert_event;
      insert.Bind(1, r.tenant);
      insert.Bind(2, r.event_id);
      insert.Bind(3, r.learner_key);
      insert.Bind(4, r.occurred_at_ms);
      insert.Bind(5, r.received_at_ms);
      insert.Bind(6, static_cast<int64_t>(r.platform));
      insert.Bind(7, static_cast<int64_t>(r.verb));
      insert.Bind(8, static_cast<int64_t>(r.mode));
      insert.Bind(9, r.object_id);
      insert.Bind(10, r.content_hash);
      insert.Bind(11, r.body_json);
      insert.Bind(12, r.tags_json);
      const int rc = insert.Step();
      insert.Reset();
      if (rc != SQLITE_DONE) return SqlError(writer_, "insert");
      recent_->group.emplace(id_hash, sqlite3_last_insert_rowid(writer_));
      req->outcomes.push_back(WriteOutcome::kAccepted);
      if (r.delta != nullptr) POLKU_RETURN_IF_ERROR(Project(r, learner));
    }
  }
  // Each distinct row once, in key order: neighbouring rows share pages.
  std::sort(cache.touched.begin(), cache.touched.end(),
            [](const GroupLearner* a, const GroupLearner* b) {
              return std::tie(a->tenant, a->learner_key) <
                     std::tie(b->tenant, b->learner_key);
            });
  for (GroupLearner* learner : cache.touched) {
    POLKU_RETURN_IF_ERROR(FlushLearner(*learner));
  }
  POLKU_RETURN_IF_ERROR(FlushCooccurrence());
  POLKU_RETURN_IF_ERROR(tx.Commit());
  guard.committed = true;
  {
    RecentIds& recent = *recent_;
    absl::MutexLock lock(&recent.mu);
    for (const auto& [id_hash, rowid] : recent.group) {
      recent.ids.emplace(id_hash, rowid);
      recent.last_rowid = std::max(recent.last_rowid, rowid);
    }
  }
  recent_->group.clear();
  cache.Release();
  cache.Trim(options_.learner_cache_size);
  if (options_.on_commit) {
    CommitStats stats;
    stats.records = records;
    stats.requests = group.size();
    stats.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    options_.on_commit(stats);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<EventRecord>> SqliteEventStore::Get(
    std::string_view tenant, std::string_view event_id) {
  const int64_t id_hash = IdHash(tenant, event_id);
  // recent_ first, then event_ids: a merge fills event_ids before it
  // empties recent_, so an id is always in one of them.
  Rowids rowids;
  recent_->AddHeldRowids(id_hash, &rowids);
  ReaderPool::Lease reader(*readers_);
  {
    Stmt merged(*reader, "SELECT event FROM event_ids WHERE id_hash=?");
    if (!merged.ok()) return SqlError(reader.db(), "prepare");
    POLKU_RETURN_IF_ERROR(
        AddMergedRowids(reader.db(), merged, id_hash, &rowids));
  }
  Stmt s(*reader, common::StrCat(kSelectColumns, "WHERE rowid=?").c_str());
  if (!s.ok()) return SqlError(reader.db(), "prepare");
  for (int64_t rowid : rowids) {
    s.Bind(1, rowid);
    const int rc = s.Step();
    if (rc == SQLITE_ROW && s.View(0) == tenant && s.View(1) == event_id) {
      return ReadRecord(s);
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
      return SqlError(reader.db(), "get");
    }
    s.Reset();
  }
  return std::nullopt;
}

absl::StatusOr<int64_t> SqliteEventStore::Count(std::string_view tenant) {
  ReaderPool::Lease reader(*readers_);
  Stmt s(*reader, "SELECT count(*) FROM events WHERE tenant=?");
  if (!s.ok()) return SqlError(reader.db(), "prepare");
  s.Bind(1, tenant);
  if (s.Step() != SQLITE_ROW) return SqlError(reader.db(), "count");
  return s.Int(0);
}

absl::StatusOr<std::vector<EventRecord>> SqliteEventStore::ListByLearner(
    std::string_view tenant, std::string_view learner_key, size_t limit) {
  ReaderPool::Lease reader(*readers_);
  Stmt s(*reader, common::StrCat(kSelectColumns,
                                 "WHERE tenant=? AND learner_key=? "
                                 "ORDER BY occurred_at_ms, event_id LIMIT ?")
                      .c_str());
  if (!s.ok()) return SqlError(reader.db(), "prepare");
  s.Bind(1, tenant);
  s.Bind(2, learner_key);
  s.Bind(3, static_cast<int64_t>(limit));
  std::vector<EventRecord> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back(ReadRecord(s));
  if (rc != SQLITE_DONE) return SqlError(reader.db(), "list");
  return out;
}

absl::StatusOr<int64_t> SqliteEventStore::EraseLearner(
    std::string_view tenant, std::string_view learner_key, int64_t now_ms) {
  POLKU_RETURN_IF_ERROR(CheckOpen());
  absl::MutexLock w(&writer_mu_);
  Transaction tx(*writer_statements_);
  POLKU_RETURN_IF_ERROR(tx.status());
  Stmt tomb(writer_,
            "INSERT INTO tombstones (tenant, learner_hash, erased_at_ms) "
            "VALUES (?,?,?) ON CONFLICT DO NOTHING");
  if (!tomb.ok()) return SqlError(writer_, "prepare");
  auto deleted = DeleteEvents("tenant=? AND learner_key=?", [&](Stmt& s) {
    s.Bind(1, tenant);
    s.Bind(2, learner_key);
  });
  if (!deleted.ok()) return deleted.status();
  const std::string hash = LearnerHash(tenant, learner_key);
  tomb.Bind(1, tenant);
  tomb.Bind(2, hash);
  tomb.Bind(3, now_ms);
  POLKU_RETURN_IF_ERROR(RunDone(writer_, tomb, "tombstone"));
  POLKU_RETURN_IF_ERROR(EraseLearnerState(tenant, learner_key));
  cache_->Forget(tenant, learner_key);
  POLKU_RETURN_IF_ERROR(tx.Commit());
  ForgetRecent(deleted->held);
  return deleted->count;
}

absl::StatusOr<int64_t> SqliteEventStore::DeleteTenant(
    std::string_view tenant) {
  POLKU_RETURN_IF_ERROR(CheckOpen());
  absl::MutexLock w(&writer_mu_);
  sqlite3* const db = writer_;
  Transaction tx(*writer_statements_);
  POLKU_RETURN_IF_ERROR(tx.status());
  Stmt tomb(db, "DELETE FROM tombstones WHERE tenant=?");
  if (!tomb.ok()) return SqlError(db, "prepare");
  auto deleted = DeleteEvents("tenant=?", [&](Stmt& s) { s.Bind(1, tenant); });
  if (!deleted.ok()) return deleted.status();
  tomb.Bind(1, tenant);
  POLKU_RETURN_IF_ERROR(RunDone(db, tomb, "delete tenant tombstones"));
  Stmt retention(db, "DELETE FROM retention WHERE tenant=?");
  if (!retention.ok()) return SqlError(db, "prepare");
  retention.Bind(1, tenant);
  POLKU_RETURN_IF_ERROR(RunDone(db, retention, "delete tenant retention"));
  POLKU_RETURN_IF_ERROR(DeleteTenantState(tenant));
  cache_->Clear();
  POLKU_RETURN_IF_ERROR(tx.Commit());
  ForgetRecent(deleted->held);
  return deleted->count;
}

absl::StatusOr<int64_t> SqliteEventStore::DeleteEventsBefore(
    std::string_view tenant, int64_t cutoff_ms) {
  POLKU_RETURN_IF_ERROR(CheckOpen());
  absl::MutexLock w(&writer_mu_);
  sqlite3* const db = writer_;
  Transaction tx(*writer_statements_);
  POLKU_RETURN_IF_ERROR(tx.status());
  Stmt cut(db,
           "INSERT INTO retention (tenant, cutoff_ms) VALUES (?,?) "
           "ON CONFLICT (tenant) DO UPDATE SET "
           "cutoff_ms=max(cutoff_ms, excluded.cutoff_ms)");
  if (!cut.ok()) return SqlError(db, "prepare");
  auto deleted = DeleteEvents("tenant=? AND occurred_at_ms<?", [&](Stmt& s) {
    s.Bind(1, tenant);
    s.Bind(2, cutoff_ms);
  });
  if (!deleted.ok()) return deleted.status();
  cut.Bind(1, tenant);
  cut.Bind(2, cutoff_ms);
  POLKU_RETURN_IF_ERROR(RunDone(db, cut, "retention cutoff"));
  POLKU_RETURN_IF_ERROR(tx.Commit());
  ForgetRecent(deleted->held);
  return deleted->count;
}

}  // namespace polku::store
