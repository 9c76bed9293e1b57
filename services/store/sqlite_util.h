// Internal helpers of the SQLite store (sqlite_event_store.cc and
// sqlite_learning_store.cc): prepared statements, transactions, errors and
// the learner hash. Not part of any public interface; include only from
// the store's own .cc files.
#ifndef POLKU_STORE_SQLITE_UTIL_H_
#define POLKU_STORE_SQLITE_UTIL_H_

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/status/status.h"
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

inline absl::Status Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err != nullptr ? err : "unknown error";
    sqlite3_free(err);
    return absl::UnavailableError(common::StrCat("sqlite: ", msg));
  }
  return absl::OkStatus();
}

// A prepared statement, finalised on scope exit. Binds text and blobs
// without copying (SQLITE_STATIC): the bound data must outlive the step.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) {
    rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  }
  ~Stmt() { sqlite3_finalize(stmt_); }
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
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

// BEGIN IMMEDIATE (a write transaction) on construction, or with
// kSnapshot a deferred BEGIN (one read snapshot across several SELECTs);
// rolls back on scope exit unless Commit() succeeded.
class Transaction {
 public:
  enum Kind { kWrite, kSnapshot };
  explicit Transaction(sqlite3* db, Kind kind = kWrite) : db_(db) {
    status_ = Exec(db, kind == kWrite ? "BEGIN IMMEDIATE" : "BEGIN");
  }
  ~Transaction() {
    if (status_.ok() && !committed_) Exec(db_, "ROLLBACK").IgnoreError();
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // The status of BEGIN.
  const absl::Status& status() const { return status_; }
  absl::Status Commit() {
    absl::Status s = Exec(db_, "COMMIT");
    if (s.ok()) committed_ = true;
    return s;
  }

 private:
  sqlite3* db_;
  absl::Status status_;
  bool committed_ = false;
};

// Runs a statement that returns no rows (after binding); resets it.
inline absl::Status RunDone(sqlite3* db, Stmt& s, std::string_view what) {
  int rc = s.Step();
  s.Reset();
  return rc == SQLITE_DONE ? absl::OkStatus() : SqlError(db, what);
}

// What tombstones and opt-outs hold instead of the learner key.
using ::polku::store::LearnerHash;

}  // namespace polku::store::sqlite_internal

namespace polku::store {

// The statements of a group commit, prepared once on the writer connection
// and reused for every record (SQL in PrepareCommitStatements).
struct SqliteEventStore::CommitStatements {
  explicit CommitStatements(sqlite3* db);
  bool ok() const;

  sqlite_internal::Stmt insert_event;
  sqlite_internal::Stmt existing_hash;
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

// What a group commit knows about one learner. Erasure and opt-out cannot
// change while a group commits (both take writer_mu_), so they are looked
// up once per learner and group.
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
    std::string object_id;
    int64_t first_ms = 0;
    int32_t delta = -1;  // index into activity_deltas; -1: none this group
  };
  std::string tenant;
  std::string learner_key;
  std::string learner_hash;  // LearnerHash(tenant, learner_key)
  bool erased = false;
  uint64_t last_group = 0;  // the group commit that last touched it
  // opted_out, profile and touched are valid (touched only when not opted
  // out).
  bool projection_loaded = false;
  bool opted_out = false;
  bool profile_dirty = false;
  learning::Profile profile;
  // Whether the profiles row exists, and its org_unit: a write that keeps
  // the org unit need not touch the profiles_by_org_unit index.
  bool profile_stored = false;
  std::string stored_org_unit;
  std::vector<Touched> touched;  // sorted by object_id
  // This group's changes, written once per row before COMMIT:
  std::vector<Week> weeks;  // undecayed sums, to add
  std::vector<ActivityDelta> activity_deltas;
  // (from, to) first-touch transitions; each `to` at most once per group.
  std::vector<std::pair<std::string, std::string>> transitions;
};

struct SqliteEventStore::LearnerCache {
  // Key: tenant, '\0', learner key.
  std::unordered_map<std::string, GroupLearner> learners;
  uint64_t group = 0;                  // the current group commit
  std::vector<GroupLearner*> touched;  // by the current group commit
  std::string key;                     // reused lookup buffer
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
