// Internal helpers of the SQLite store (sqlite_event_store.cc and
// sqlite_learning_store.cc): prepared statements, transactions, errors and
// the learner hash. Not part of any public interface; include only from
// the store's own .cc files.
#ifndef POLKU_STORE_SQLITE_UTIL_H_
#define POLKU_STORE_SQLITE_UTIL_H_

#include <sqlite3.h>

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/container/node_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "common/hashing.h"
#include "common/str_cat.h"
#include "learning/profile.h"
#include "store/learning_codec.h"
#include "store/sqlite_event_store.h"

namespace polku::store::sqlite_internal {

inline absl::Status SqlError(sqlite3* db, std::string_view what) {
  return absl::UnavailableError(
      common::StrCat("sqlite: ", what, ": ", sqlite3_errmsg(db)));
}

class Connection;
absl::Status SqlError(const Connection& c, std::string_view what);

inline absl::Status Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err != nullptr ? err : "unknown error";
    sqlite3_free(err);
    return absl::UnavailableError(common::StrCat("sqlite: ", msg));
  }
  return absl::OkStatus();
}

// One connection and the statements prepared on it: each SQL text is
// parsed once (SQLITE_PREPARE_PERSISTENT) and kept until the connection's
// Connection object goes, so a read costs no parse. Every SQL text given
// must be fixed (placeholders for values), or the cache would grow without
// bound. Not thread-safe: use it under whatever guards the connection.
class Connection {
 public:
  struct Cached {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };
  explicit Connection(sqlite3* db) : db_(db) {}
  ~Connection() {
    for (auto& [sql, c] : statements_) sqlite3_finalize(c.stmt);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* db() const { return db_; }
  // The statement for `sql`, prepared on first use; nullptr if it does not
  // prepare (the error is on db()) or is in use already (the caller then
  // prepares one of its own).
  Cached* Borrow(std::string_view sql) {
    // Looked up without building a key: a read does not allocate here.
    auto it = statements_.find(absl::string_view(sql.data(), sql.size()));
    if (it == statements_.end()) {
      Cached c;
      const int rc =
          sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                             SQLITE_PREPARE_PERSISTENT, &c.stmt, nullptr);
      if (rc != SQLITE_OK) {
        sqlite3_finalize(c.stmt);
        return nullptr;
      }
      it = statements_.emplace(std::string(sql), c).first;
    }
    if (it->second.in_use) return nullptr;
    it->second.in_use = true;
    return &it->second;
  }

 private:
  sqlite3* const db_;
  // Node-based: a borrowed Cached stays where it is while others are added.
  absl::node_hash_map<std::string, Cached> statements_;
};

inline absl::Status SqlError(const Connection& c, std::string_view what) {
  return SqlError(c.db(), what);
}

// A prepared statement, finalised on scope exit; or, made from a
// Connection, that connection's cached statement, reset and unbound on
// scope exit. Binds text and blobs without copying (SQLITE_STATIC): the
// bound data must outlive the step.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) {
    rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  }
  Stmt(Connection& c, std::string_view sql) : cached_(c.Borrow(sql)) {
    if (cached_ != nullptr) {
      stmt_ = cached_->stmt;
      rc_ = SQLITE_OK;
    } else {
      rc_ = sqlite3_prepare_v2(c.db(), sql.data(), static_cast<int>(sql.size()),
                               &stmt_, nullptr);
    }
  }
  ~Stmt() {
    if (cached_ == nullptr) {
      sqlite3_finalize(stmt_);
      return;
    }
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    cached_->in_use = false;
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  bool ok() const { return rc_ == SQLITE_OK; }
  sqlite3_stmt* get() const { return stmt_; }
  // Ends the previous use (releasing its read locks) and clears bindings.
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  void Bind(int i, std::string_view s) {
    sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()),
                      SQLITE_STATIC);
  }
  void BindBlob(int i, std::string_view s) {
    sqlite3_bind_blob(stmt_, i, s.data(), static_cast<int>(s.size()),
                      SQLITE_STATIC);
  }
  void Bind(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void BindDouble(int i, double v) { sqlite3_bind_double(stmt_, i, v); }
  int Step() { return sqlite3_step(stmt_); }
  std::string Text(int col) const { return std::string(View(col)); }
  // Valid until the next Step or Reset.
  std::string_view View(int col) const {
    const unsigned char* p = sqlite3_column_text(stmt_, col);
    return p == nullptr
               ? std::string_view()
               : std::string_view(
                     reinterpret_cast<const char*>(p),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
  }
  // Valid until the next Step or Reset.
  std::string_view Blob(int col) const {
    const void* p = sqlite3_column_blob(stmt_, col);
    return p == nullptr
               ? std::string_view()
               : std::string_view(
                     static_cast<const char*>(p),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
  }
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  double Double(int col) const { return sqlite3_column_double(stmt_, col); }

 private:
  Connection::Cached* cached_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

// BEGIN IMMEDIATE (a write transaction) on construction, or with
// kSnapshot a deferred BEGIN (one read snapshot across several SELECTs);
// rolls back on scope exit unless Commit() succeeded.
class Transaction {
 public:
  enum Kind { kWrite, kSnapshot };
  // BEGIN, COMMIT and ROLLBACK are the connection's cached statements: a
  // transaction costs no parse (every recommendation begins a read snapshot
  // and joins a served-record commit).
  explicit Transaction(Connection& c, Kind kind = kWrite) : connection_(c) {
    status_ = Run(kind == kWrite ? "BEGIN IMMEDIATE" : "BEGIN");
  }
  ~Transaction() {
    if (status_.ok() && !committed_) Run("ROLLBACK").IgnoreError();
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // The status of BEGIN.
  const absl::Status& status() const { return status_; }
  absl::Status Commit() {
    absl::Status s = Run("COMMIT");
    if (s.ok()) committed_ = true;
    return s;
  }

 private:
  absl::Status Run(const char* sql) {
    Stmt s(connection_, sql);
    if (!s.ok()) return SqlError(connection_, sql);
    return s.Step() == SQLITE_DONE ? absl::OkStatus()
                                   : SqlError(connection_, sql);
  }

  Connection& connection_;
  absl::Status status_;
  bool committed_ = false;
};

// Runs a statement that returns no rows (after binding); resets it.
inline absl::Status RunDone(sqlite3* db, Stmt& s, std::string_view what) {
  int rc = s.Step();
  s.Reset();
  return rc == SQLITE_DONE ? absl::OkStatus() : SqlError(db, what);
}

// PRAGMA synchronous=`level` on the connection, between transactions.
inline absl::Status SetSynchronous(Connection& c, std::string_view level) {
  Stmt s(c, level == "FULL" ? "PRAGMA synchronous=FULL"
                            : "PRAGMA synchronous=NORMAL");
  if (!s.ok()) return SqlError(c, "prepare");
  return RunDone(c.db(), s, "synchronous");
}

// What tombstones and opt-outs hold instead of the learner key.
using ::polku::store::LearnerHash;

// The learner cache's own encoding of a profile: what EncodeProfile holds,
// in a fifth to a third of its size (sums that are zero left out, varints,
// times as differences from last_event_ms, each distinct string of the
// latest entries once). Memory only: never stored, so it may change with
// the binary. Appends to `out`.
void EncodeCachedProfile(const learning::Profile& profile, std::string* out);
// Reads what EncodeCachedProfile wrote at the start of `*in` into
// `*profile` (overwriting every field, reusing its strings' capacity) and
// removes it from `*in`. False if malformed.
bool DecodeCachedProfile(std::string_view* in, learning::Profile* profile);

// Unsigned LEB128 varints, and zigzag for signed values.
inline void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(static_cast<uint8_t>(v) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}
inline bool GetVarint(std::string_view* in, uint64_t* v) {
  uint64_t r = 0;
  for (int shift = 0; shift < 64 && !in->empty(); shift += 7) {
    const auto b = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    r |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *v = r;
      return true;
    }
  }
  return false;
}
// a - b and b + d, wrapping (times may be anything a record carries).
inline uint64_t ZigZagDiff(int64_t a, int64_t b) {
  const auto d =
      static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
  return (static_cast<uint64_t>(d) << 1) ^ static_cast<uint64_t>(d >> 63);
}
inline int64_t UnZigZagAdd(int64_t b, uint64_t z) {
  const uint64_t d = (z >> 1) ^ (~(z & 1) + 1);
  return static_cast<int64_t>(static_cast<uint64_t>(b) + d);
}

}  // namespace polku::store::sqlite_internal

namespace polku::store {

// The reader connections. A read leases one for as long as it reads; the
// lease gives it back. Each connection keeps its prepared statements.
class SqliteEventStore::ReaderPool {
 public:
  // Takes ownership of `dbs` (at least one), closing them when it goes.
  explicit ReaderPool(std::vector<sqlite3*> dbs) {
    for (sqlite3* db : dbs) {
      all_.push_back(std::make_unique<sqlite_internal::Connection>(db));
      free_.push_back(all_.back().get());
    }
  }
  ~ReaderPool() {
    for (auto& c : all_) {
      sqlite3* db = c->db();
      c.reset();  // finalises its statements first
      sqlite3_close(db);
    }
  }
  ReaderPool(const ReaderPool&) = delete;
  ReaderPool& operator=(const ReaderPool&) = delete;

  class Lease {
   public:
    explicit Lease(ReaderPool& pool) : pool_(pool) {
      absl::MutexLock lock(&pool_.mu_);
      pool_.mu_.Await(absl::Condition(
          +[](std::vector<sqlite_internal::Connection*>* free) {
            return !free->empty();
          },
          &pool_.free_));
      c_ = pool_.free_.back();
      pool_.free_.pop_back();
    }
    ~Lease() {
      absl::MutexLock lock(&pool_.mu_);
      pool_.free_.push_back(c_);
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;

    sqlite_internal::Connection& operator*() const { return *c_; }
    sqlite3* db() const { return c_->db(); }

   private:
    ReaderPool& pool_;
    sqlite_internal::Connection* c_;
  };

 private:
  std::vector<std::unique_ptr<sqlite_internal::Connection>> all_;
  absl::Mutex mu_;
  std::vector<sqlite_internal::Connection*> free_ ABSL_GUARDED_BY(mu_);
};

// The statements of a group commit, prepared once on the writer connection
// and reused for every record (SQL in PrepareCommitStatements).
struct SqliteEventStore::CommitStatements {
  explicit CommitStatements(sqlite3* db);
  bool ok() const;

  sqlite_internal::Stmt insert_event;
  // A stored event's tenant, id and content hash, by rowid.
  sqlite_internal::Stmt event_by_rowid;
  // The rowids event_ids holds for an id hash.
  sqlite_internal::Stmt merged_ids;
  // The largest events rowid (0 without rows).
  sqlite_internal::Stmt last_rowid;
  sqlite_internal::Stmt tombstone;
  sqlite_internal::Stmt optout;
  sqlite_internal::Stmt retention;
  sqlite_internal::Stmt get_profile;
  sqlite_internal::Stmt put_profile;
  sqlite_internal::Stmt update_profile;
  sqlite_internal::Stmt get_activities;
  sqlite_internal::Stmt add_activity;
  sqlite_internal::Stmt update_activity;
  sqlite_internal::Stmt add_transition;
  sqlite_internal::Stmt add_cooccurrence;
  sqlite_internal::Stmt add_week;
};

// Between group commits the cache keeps, per learner, only a CachedLearner:
// flags and one compact string (the profile in the encoding below, then
// the touched activities). A group commit works on a GroupLearner, taken
// from a small pool for each learner it touches, decoded from the compact
// string (or read from the database) when the group projects an event of
// the learner, and encoded back after COMMIT.
struct SqliteEventStore::CachedLearner {
  // Valid when projection_loaded and not opted_out: the profile
  // (sqlite_internal::EncodeCachedProfile) and the touched activities
  // (GroupLearner::SaveState). Between groups the profiles row holds this
  // profile, with this profile's org_unit, whenever profile_stored.
  std::string state;
  uint64_t last_group = 0;         // the group commit that last touched it
  GroupLearner* active = nullptr;  // while the current group touches it
  // Erasure and opt-out cannot change while a group commits (both take
  // writer_mu_), so they are looked up once per learner and kept until
  // whatever changes them forgets the learner.
  bool erased = false;
  bool projection_loaded = false;  // opted_out and state are valid
  bool opted_out = false;
  bool profile_stored = false;  // the profiles row exists
};

// What a group commit knows about one learner while it commits.
struct SqliteEventStore::GroupLearner {
  struct Week {
    int64_t week = 0;
    double leadership = 0;
    double development = 0;
    int64_t events = 0;
  };
  // What this group adds to one activity_states row.
  struct ActivityDelta {
    int64_t first_ms = 0;
    int64_t last_ms = 0;
    int64_t completed_ms = 0;  // 0: no completion in this group
    int64_t events = 0;
    // The row's first_ms before this group; 0 when it has no row yet.
    int64_t stored_first_ms = 0;
  };
  // An activity the learner touched (stored or in this group), with its
  // first touch: what first-touch detection and the previous-activity
  // lookup need, so that neither reads the database per event.
  struct Touched {
    std::string_view object_id;  // into ids or new_ids
    int64_t first_ms = 0;
    int32_t delta = -1;  // index into activity_deltas; -1: none this group
  };
  CachedLearner* cached = nullptr;
  // Views of the cache's key (tenant, '\0', learner key): map nodes do not
  // move while the group commits.
  std::string_view tenant;
  std::string_view learner_key;
  // LearnerHash(tenant, learner_key); empty until a lookup needs it.
  std::string learner_hash;
  // profile, stored_org_unit and touched are valid for this group (decoded
  // from cached->state or read from the database).
  bool projection_ready = false;
  bool profile_dirty = false;
  learning::Profile profile;
  // The profiles row's org_unit when cached->profile_stored: a write that
  // keeps the org unit need not touch the profiles_by_org_unit index.
  std::string stored_org_unit;
  std::vector<Touched> touched;  // sorted by object_id
  std::string ids;  // object ids decoded from the cache (reserved up front)
  std::deque<std::string> new_ids;  // other object ids (addresses stable)
  // This group's changes, written once per row before COMMIT:
  std::vector<Week> weeks;  // undecayed sums, to add
  std::vector<ActivityDelta> activity_deltas;
  // (from, to) first-touch transitions; each `to` at most once per group.
  std::vector<std::pair<std::string_view, std::string_view>> transitions;

  // Prepares a pooled object for `c`, whose map key is `key` (tenant
  // `tenant_size` bytes long, then '\0'). Keeps the vectors' capacity.
  void Activate(CachedLearner& c, std::string_view key, size_t tenant_size);
  // Appends the touched activities to `out` (after the profile), in a
  // compact form: object ids sorted, each stored as the length it shares
  // with the previous one and the rest; first touches as varint deltas.
  void SaveState(std::string* out) const;
  // Reads cached->state into profile, touched and stored_org_unit. False
  // if the state is malformed.
  bool LoadState();
};

struct SqliteEventStore::LearnerCache {
  // Working objects kept between groups, at most this many (more are made
  // for a larger group and freed after it): about 2 KiB each plus their
  // buffers, so at most about 10 to 20 MB however many learners are
  // cached. Fewer than the distinct learners of a large group would free
  // and make objects (and heap pages) again every group.
  static constexpr size_t kPoolSize = 4096;
  // A working object that held more touched activities than this gives
  // its buffers back after the group.
  static constexpr size_t kPooledActivities = 1024;

  // Key: tenant, '\0', learner key.
  std::unordered_map<std::string, CachedLearner> learners;
  uint64_t group = 0;                  // the current group commit
  std::vector<GroupLearner*> touched;  // by the current group commit
  std::string key;                     // reused lookup buffer
  std::string scratch;                 // reused encoding buffer
  // touched points into pool[0, touched.size()).
  std::vector<std::unique_ptr<GroupLearner>> pool;
  // The current group's additions to the tenant-wide co-occurrence, by
  // (tenant, from, to): written once per row, in key order.
  std::map<std::tuple<std::string, std::string, std::string>, int64_t>
      cooccurrence;

  const std::string& KeyOf(std::string_view tenant,
                           std::string_view learner_key) {
    key.assign(tenant);
    key.push_back('\0');
    key.append(learner_key);
    return key;
  }
  // The working state of a learner for the current group (made once per
  // group and learner); `it` is the learner's map entry.
  GroupLearner& Touch(
      std::unordered_map<std::string, CachedLearner>::iterator it,
      size_t tenant_size);
  // After COMMIT: encodes every learner the group projected back into its
  // CachedLearner and returns the working objects to the pool.
  void Release();
  // After a failed group: forgets every learner (the cache may hold what
  // was rolled back).
  void Clear();
  void Forget(std::string_view tenant, std::string_view learner_key) {
    learners.erase(KeyOf(tenant, learner_key));
  }
  // Drops learners the current group did not touch until at most 3/4 of
  // `capacity` remain, once the cache holds more than `capacity`.
  void Trim(size_t capacity) {
    if (learners.size() <= capacity) return;
    const size_t target = capacity / 4 * 3;
    for (auto it = learners.begin();
         it != learners.end() && learners.size() > target;) {
      if (it->second.last_group == group) {
        ++it;
      } else {
        it = learners.erase(it);
      }
    }
  }
};

}  // namespace polku::store

#endif  // POLKU_STORE_SQLITE_UTIL_H_
