#include "store/sqlite_event_store.h"

#include <sqlite3.h>

#include <chrono>

#include "common/hashing.h"
#include "common/str_cat.h"

namespace polku::store {
namespace {

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
};
constexpr int kSchemaVersion = sizeof(kMigrations) / sizeof(kMigrations[0]);

absl::Status SqlError(sqlite3* db, std::string_view what) {
  return absl::UnavailableError(
      common::StrCat("sqlite: ", what, ": ", sqlite3_errmsg(db)));
}

absl::Status Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err != nullptr ? err : "unknown error";
    sqlite3_free(err);
    return absl::UnavailableError(common::StrCat("sqlite: ", msg));
  }
  return absl::OkStatus();
}

// A prepared statement, finalised on scope exit.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) {
    rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  bool ok() const { return rc_ == SQLITE_OK; }
  sqlite3_stmt* get() const { return stmt_; }
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  void Bind(int i, std::string_view s) {
    sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()),
                      SQLITE_STATIC);
  }
  void Bind(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  int Step() { return sqlite3_step(stmt_); }
  std::string Text(int col) const {
    const unsigned char* p = sqlite3_column_text(stmt_, col);
    return p == nullptr
               ? std::string()
               : std::string(
                     reinterpret_cast<const char*>(p),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
  }
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

std::string LearnerHash(std::string_view tenant, std::string_view learner) {
  return common::Sha256Hex(common::StrCat(tenant, "\n", learner));
}

absl::StatusOr<sqlite3*> OpenDb(const std::string& path, bool full_sync) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
      nullptr);
  if (rc != SQLITE_OK) {
    absl::Status s = absl::UnavailableError(common::StrCat(
        "sqlite: cannot open ", path, ": ",
        db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
    sqlite3_close(db);
    return s;
  }
  sqlite3_busy_timeout(db, 10000);
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
  if (current > kSchemaVersion) {
    return absl::FailedPreconditionError(common::StrCat(
        "database schema version ", current, " is newer than this Polku (",
        kSchemaVersion, "); upgrade Polku or restore a backup"));
  }
  for (int v = current; v < kSchemaVersion; ++v) {
    if (auto s = Exec(db, "BEGIN IMMEDIATE"); !s.ok()) return s;
    absl::Status s = Exec(db, kMigrations[v]);
    if (s.ok()) {
      s = Exec(db, common::StrCat("PRAGMA user_version=", v + 1).c_str());
    }
    if (!s.ok()) {
      Exec(db, "ROLLBACK").IgnoreError();
      return s;
    }
    if (auto c = Exec(db, "COMMIT"); !c.ok()) return c;
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

int SqliteEventStore::SchemaVersion() { return kSchemaVersion; }

absl::StatusOr<std::unique_ptr<SqliteEventStore>> SqliteEventStore::Open(
    const std::string& path, Options options) {
  const bool full = options.durability == Durability::kFull;
  auto writer = OpenDb(path, full);
  if (!writer.ok()) return writer.status();
  if (auto s = Migrate(*writer); !s.ok()) {
    sqlite3_close(*writer);
    return s;
  }
  auto reader = OpenDb(path, full);
  if (!reader.ok()) {
    sqlite3_close(*writer);
    return reader.status();
  }
  return std::unique_ptr<SqliteEventStore>(
      new SqliteEventStore(*writer, *reader, std::move(options)));
}

SqliteEventStore::SqliteEventStore(sqlite3* writer, sqlite3* reader,
                                   Options options)
    : writer_(writer), reader_(reader), options_(std::move(options)) {
  writer_thread_ = std::thread([this] { WriterLoop(); });
}

SqliteEventStore::~SqliteEventStore() {
  Close().IgnoreError();
  sqlite3_close(writer_);
  sqlite3_close(reader_);
}

absl::Status SqliteEventStore::Close() {
  {
    absl::MutexLock lock(&mu_);
    if (closed_) return absl::OkStatus();
    closing_ = true;
  }
  if (writer_thread_.joinable()) writer_thread_.join();
  absl::MutexLock lock(&mu_);
  closed_ = true;
  absl::MutexLock w(&writer_mu_);
  // Fold the WAL back into the main file so a copy of the file is complete.
  return Exec(writer_, "PRAGMA wal_checkpoint(TRUNCATE)");
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
      if (queue_.empty()) return;  // closing with nothing left to write
      size_t n = 0;
      while (!queue_.empty() &&
             (group.empty() || n + queue_.front()->records.size() <=
                                   options_.max_group_records)) {
        n += queue_.front()->records.size();
        group.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    absl::Status s;
    {
      absl::MutexLock w(&writer_mu_);
      s = CommitGroup(group);
    }
    absl::MutexLock lock(&mu_);
    for (Request* r : group) {
      if (!s.ok()) {
        r->status = s;
        r->outcomes.clear();
      }
      r->done = true;
    }
  }
}

absl::Status SqliteEventStore::CommitGroup(std::deque<Request*>& group) {
  const auto start = std::chrono::steady_clock::now();
  if (auto s = Exec(writer_, "BEGIN IMMEDIATE"); !s.ok()) return s;
  Stmt insert(
      writer_,
      "INSERT INTO events (tenant, event_id, learner_key, "
      "occurred_at_ms, received_at_ms, platform, verb, mode, object_id, "
      "content_hash, body, tags) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) "
      "ON CONFLICT (tenant, event_id) DO NOTHING");
  Stmt existing(
      writer_, "SELECT content_hash FROM events WHERE tenant=? AND event_id=?");
  Stmt tombstone(writer_,
                 "SELECT 1 FROM tombstones WHERE tenant=? AND learner_hash=?");
  if (!insert.ok() || !existing.ok() || !tombstone.ok()) {
    absl::Status s = SqlError(writer_, "prepare");
    Exec(writer_, "ROLLBACK").IgnoreError();
    return s;
  }
  size_t records = 0;
  for (Request* req : group) {
    req->outcomes.clear();
    req->outcomes.reserve(req->records.size());
    for (const EventRecord& r : req->records) {
      ++records;
      tombstone.Reset();
      std::string learner_hash = LearnerHash(r.tenant, r.learner_key);
      tombstone.Bind(1, r.tenant);
      tombstone.Bind(2, learner_hash);
      int rc = tombstone.Step();
      if (rc == SQLITE_ROW) {
        req->outcomes.push_back(WriteOutcome::kErased);
        continue;
      }
      if (rc != SQLITE_DONE) {
        absl::Status s = SqlError(writer_, "tombstone lookup");
        Exec(writer_, "ROLLBACK").IgnoreError();
        return s;
      }
      insert.Reset();
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
      if (insert.Step() != SQLITE_DONE) {
        absl::Status s = SqlError(writer_, "insert");
        Exec(writer_, "ROLLBACK").IgnoreError();
        return s;
      }
      if (sqlite3_changes(writer_) == 1) {
        req->outcomes.push_back(WriteOutcome::kAccepted);
        continue;
      }
      existing.Reset();
      existing.Bind(1, r.tenant);
      existing.Bind(2, r.event_id);
      if (existing.Step() != SQLITE_ROW) {
        absl::Status s = SqlError(writer_, "duplicate lookup");
        Exec(writer_, "ROLLBACK").IgnoreError();
        return s;
      }
      req->outcomes.push_back(existing.Text(0) == r.content_hash
                                  ? WriteOutcome::kDuplicate
                                  : WriteOutcome::kConflict);
    }
  }
  if (auto s = Exec(writer_, "COMMIT"); !s.ok()) {
    Exec(writer_, "ROLLBACK").IgnoreError();
    return s;
  }
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
  absl::MutexLock lock(&reader_mu_);
  Stmt s(
      reader_,
      common::StrCat(kSelectColumns, "WHERE tenant=? AND event_id=?").c_str());
  if (!s.ok()) return SqlError(reader_, "prepare");
  s.Bind(1, tenant);
  s.Bind(2, event_id);
  int rc = s.Step();
  if (rc == SQLITE_DONE) return std::nullopt;
  if (rc != SQLITE_ROW) return SqlError(reader_, "get");
  return ReadRecord(s);
}

absl::StatusOr<int64_t> SqliteEventStore::Count(std::string_view tenant) {
  absl::MutexLock lock(&reader_mu_);
  Stmt s(reader_, "SELECT count(*) FROM events WHERE tenant=?");
  if (!s.ok()) return SqlError(reader_, "prepare");
  s.Bind(1, tenant);
  if (s.Step() != SQLITE_ROW) return SqlError(reader_, "count");
  return s.Int(0);
}

absl::StatusOr<std::vector<EventRecord>> SqliteEventStore::ListByLearner(
    std::string_view tenant, std::string_view learner_key, size_t limit) {
  absl::MutexLock lock(&reader_mu_);
  Stmt s(reader_, common::StrCat(kSelectColumns,
                                 "WHERE tenant=? AND learner_key=? "
                                 "ORDER BY occurred_at_ms, event_id LIMIT ?")
                      .c_str());
  if (!s.ok()) return SqlError(reader_, "prepare");
  s.Bind(1, tenant);
  s.Bind(2, learner_key);
  s.Bind(3, static_cast<int64_t>(limit));
  std::vector<EventRecord> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back(ReadRecord(s));
  if (rc != SQLITE_DONE) return SqlError(reader_, "list");
  return out;
}

absl::StatusOr<int64_t> SqliteEventStore::EraseLearner(
    std::string_view tenant, std::string_view learner_key, int64_t now_ms) {
  {
    absl::MutexLock lock(&mu_);
    if (closing_) return absl::FailedPreconditionError("store is closed");
  }
  absl::MutexLock w(&writer_mu_);
  if (auto s = Exec(writer_, "BEGIN IMMEDIATE"); !s.ok()) return s;
  Stmt del(writer_, "DELETE FROM events WHERE tenant=? AND learner_key=?");
  Stmt tomb(writer_,
            "INSERT INTO tombstones (tenant, learner_hash, erased_at_ms) "
            "VALUES (?,?,?) ON CONFLICT DO NOTHING");
  if (!del.ok() || !tomb.ok()) {
    absl::Status s = SqlError(writer_, "prepare");
    Exec(writer_, "ROLLBACK").IgnoreError();
    return s;
  }
  del.Bind(1, tenant);
  del.Bind(2, learner_key);
  if (del.Step() != SQLITE_DONE) {
    absl::Status s = SqlError(writer_, "erase");
    Exec(writer_, "ROLLBACK").IgnoreError();
    return s;
  }
  int64_t deleted = sqlite3_changes(writer_);
  std::string hash = LearnerHash(tenant, learner_key);
  tomb.Bind(1, tenant);
  tomb.Bind(2, hash);
  tomb.Bind(3, now_ms);
  if (tomb.Step() != SQLITE_DONE) {
    absl::Status s = SqlError(writer_, "tombstone");
    Exec(writer_, "ROLLBACK").IgnoreError();
    return s;
  }
  if (auto s = Exec(writer_, "COMMIT"); !s.ok()) {
    Exec(writer_, "ROLLBACK").IgnoreError();
    return s;
  }
  return deleted;
}

absl::StatusOr<int64_t> SqliteEventStore::DeleteTenant(
    std::string_view tenant) {
  {
    absl::MutexLock lock(&mu_);
    if (closing_) return absl::FailedPreconditionError("store is closed");
  }
  absl::MutexLock w(&writer_mu_);
  sqlite3* const db = writer_;
  if (auto s = Exec(db, "BEGIN IMMEDIATE"); !s.ok()) return s;
  Stmt del(db, "DELETE FROM events WHERE tenant=?");
  Stmt tomb(db, "DELETE FROM tombstones WHERE tenant=?");
  if (!del.ok() || !tomb.ok()) {
    absl::Status s = SqlError(db, "prepare");
    Exec(db, "ROLLBACK").IgnoreError();
    return s;
  }
  del.Bind(1, tenant);
  if (del.Step() != SQLITE_DONE) {
    absl::Status s = SqlError(db, "delete tenant events");
    Exec(db, "ROLLBACK").IgnoreError();
    return s;
  }
  int64_t deleted = sqlite3_changes(db);
  tomb.Bind(1, tenant);
  if (tomb.Step() != SQLITE_DONE) {
    absl::Status s = SqlError(db, "delete tenant tombstones");
    Exec(db, "ROLLBACK").IgnoreError();
    return s;
  }
  if (auto s = Exec(db, "COMMIT"); !s.ok()) {
    Exec(db, "ROLLBACK").IgnoreError();
    return s;
  }
  return deleted;
}

}  // namespace polku::store
