#include "store/postgres_event_store.h"

#include <libpq-fe.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "common/status_macros.h"
#include "common/str_cat.h"
#include "learning/insights.h"
#include "store/learning_codec.h"

namespace polku::store {
namespace {

// The key of the session advisory lock held while migrating ("polku" in
// ASCII). Every replica uses the same one, so migrations never overlap.
constexpr int64_t kMigrationLockKey = 0x706f6c6b75;

// Each entry migrates the schema from version i to i + 1. Never edit an
// entry once released; append a new one. Text keys use COLLATE "C": byte
// order, as the SQLite store and the page tokens assume, whatever locale
// the database was created with.
constexpr const char* kMigrations[] = {
    // 0 -> 1: events, tombstones, retention, the learners' lock rows and
    // everything the LearningStore keeps (as SQLite's schema 3).
    R"sql(
    CREATE TABLE events (
      tenant         TEXT COLLATE "C" NOT NULL,
      event_id       TEXT COLLATE "C" NOT NULL,
      learner_key    TEXT COLLATE "C" NOT NULL,
      occurred_at_ms BIGINT NOT NULL,
      received_at_ms BIGINT NOT NULL,
      platform       INTEGER NOT NULL,
      verb           INTEGER NOT NULL,
      mode           INTEGER NOT NULL,
      object_id      TEXT NOT NULL,
      content_hash   TEXT NOT NULL,
      body           TEXT NOT NULL,
      tags           TEXT NOT NULL,
      PRIMARY KEY (tenant, event_id)
    );
    CREATE INDEX events_by_learner
      ON events (tenant, learner_key, occurred_at_ms);
    CREATE INDEX events_by_time ON events (tenant, occurred_at_ms);
    CREATE TABLE tombstones (
      tenant       TEXT COLLATE "C" NOT NULL,
      learner_hash TEXT COLLATE "C" NOT NULL,
      erased_at_ms BIGINT NOT NULL,
      PRIMARY KEY (tenant, learner_hash)
    );
    CREATE TABLE retention (
      tenant    TEXT COLLATE "C" NOT NULL PRIMARY KEY,
      cutoff_ms BIGINT NOT NULL
    );
    -- One row per learner with state: the row Append and EraseLearner lock
    -- so that one learner's projection is never computed twice at once.
    CREATE TABLE learners (
      tenant      TEXT COLLATE "C" NOT NULL,
      learner_key TEXT COLLATE "C" NOT NULL,
      PRIMARY KEY (tenant, learner_key)
    );
    CREATE TABLE profiles (
      tenant        TEXT COLLATE "C" NOT NULL,
      learner_key   TEXT COLLATE "C" NOT NULL,
      org_unit      TEXT COLLATE "C" NOT NULL,
      role          TEXT NOT NULL,
      last_event_ms BIGINT NOT NULL,
      data          BYTEA NOT NULL,
      PRIMARY KEY (tenant, learner_key)
    );
    CREATE INDEX profiles_by_org_unit
      ON profiles (tenant, org_unit, learner_key);
    CREATE TABLE activity_states (
      tenant       TEXT COLLATE "C" NOT NULL,
      learner_key  TEXT COLLATE "C" NOT NULL,
      object_id    TEXT COLLATE "C" NOT NULL,
      first_ms     BIGINT NOT NULL,
      last_ms      BIGINT NOT NULL,
      completed_ms BIGINT NOT NULL,
      events       BIGINT NOT NULL,
      PRIMARY KEY (tenant, learner_key, object_id)
    );
    CREATE TABLE transitions (
      tenant      TEXT COLLATE "C" NOT NULL,
      learner_key TEXT COLLATE "C" NOT NULL,
      from_object TEXT COLLATE "C" NOT NULL,
      to_object   TEXT COLLATE "C" NOT NULL,
      n           BIGINT NOT NULL,
      PRIMARY KEY (tenant, learner_key, from_object, to_object)
    );
    CREATE TABLE cooccurrence (
      tenant      TEXT COLLATE "C" NOT NULL,
      from_object TEXT COLLATE "C" NOT NULL,
      to_object   TEXT COLLATE "C" NOT NULL,
      n           BIGINT NOT NULL,
      PRIMARY KEY (tenant, from_object, to_object)
    );
    CREATE TABLE learner_weeks (
      tenant      TEXT COLLATE "C" NOT NULL,
      learner_key TEXT COLLATE "C" NOT NULL,
      week        BIGINT NOT NULL,
      org_unit    TEXT COLLATE "C" NOT NULL,
      leadership  DOUBLE PRECISION NOT NULL,
      development DOUBLE PRECISION NOT NULL,
      events      BIGINT NOT NULL,
      PRIMARY KEY (tenant, learner_key, week)
    );
    CREATE INDEX learner_weeks_by_week ON learner_weeks (tenant, week);
    CREATE TABLE activities (
      tenant  TEXT COLLATE "C" NOT NULL,
      id      TEXT COLLATE "C" NOT NULL,
      visible BOOLEAN NOT NULL,
      data    BYTEA NOT NULL,
      PRIMARY KEY (tenant, id)
    );
    CREATE TABLE paths (
      tenant TEXT COLLATE "C" NOT NULL,
      id     TEXT COLLATE "C" NOT NULL,
      data   BYTEA NOT NULL,
      PRIMARY KEY (tenant, id)
    );
    CREATE TABLE catalogue_versions (
      tenant  TEXT COLLATE "C" NOT NULL PRIMARY KEY,
      version BIGINT NOT NULL
    );
    CREATE TABLE served_recommendations (
      tenant            TEXT COLLATE "C" NOT NULL,
      recommendation_id TEXT COLLATE "C" NOT NULL,
      learner_key       TEXT COLLATE "C" NOT NULL,
      kind              TEXT NOT NULL,
      target_id         TEXT NOT NULL,
      segment           TEXT NOT NULL,
      position          INTEGER NOT NULL,
      score             DOUBLE PRECISION NOT NULL,
      propensity        DOUBLE PRECISION NOT NULL,
      holdout           BOOLEAN NOT NULL,
      served_ms         BIGINT NOT NULL,
      PRIMARY KEY (tenant, recommendation_id)
    );
    CREATE INDEX served_by_learner
      ON served_recommendations (tenant, learner_key, served_ms);
    CREATE TABLE feedback (
      tenant            TEXT COLLATE "C" NOT NULL,
      recommendation_id TEXT COLLATE "C" NOT NULL,
      outcome           INTEGER NOT NULL,
      learner_key       TEXT COLLATE "C" NOT NULL,
      at_ms             BIGINT NOT NULL,
      kind              TEXT COLLATE "C" NOT NULL,
      target_id         TEXT NOT NULL,
      segment           TEXT COLLATE "C" NOT NULL,
      PRIMARY KEY (tenant, recommendation_id, outcome)
    );
    CREATE INDEX feedback_by_learner ON feedback (tenant, learner_key, at_ms);
    CREATE TABLE bandit_arms (
      tenant    TEXT COLLATE "C" NOT NULL,
      segment   TEXT COLLATE "C" NOT NULL,
      kind      TEXT COLLATE "C" NOT NULL,
      successes DOUBLE PRECISION NOT NULL,
      failures  DOUBLE PRECISION NOT NULL,
      shown     BIGINT NOT NULL,
      PRIMARY KEY (tenant, segment, kind)
    );
    CREATE TABLE optouts (
      tenant       TEXT COLLATE "C" NOT NULL,
      learner_hash TEXT COLLATE "C" NOT NULL,
      since_ms     BIGINT NOT NULL,
      PRIMARY KEY (tenant, learner_hash)
    );
    )sql",
};
constexpr int kSchemaVersion = sizeof(kMigrations) / sizeof(kMigrations[0]);

// Rows handed to a callback per query.
constexpr int64_t kChunk = 512;

constexpr size_t SignalIndex(learning::Signal s) {
  return static_cast<size_t>(s);
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Removes every occurrence of each secret from `text`.
std::string Scrub(std::string text, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    for (size_t at = text.find(secret); at != std::string::npos;
         at = text.find(secret, at)) {
      text.replace(at, secret.size(), "[redacted]");
    }
  }
  // libpq's messages end with a newline and may span lines.
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
    text.pop_back();
  }
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

// One parameter of a statement, in PostgreSQL's text format (or binary,
// for bytea).
class Param {
 public:
  // Copied: libpq reads a text-format value up to its NUL, and a view
  // need not end in one.
  static Param Text(std::string_view s) { return Param(std::string(s)); }
  static Param Bytes(std::string_view b) { return Param(b, true); }
  static Param Int(int64_t v) { return Param(std::to_string(v)); }
  static Param Real(double v) {
    char buf[40];
    // 17 significant digits: the exact double comes back.
    const int n = std::snprintf(buf, sizeof(buf), "%.17g", v);
    return Param(std::string(buf, static_cast<size_t>(n)));
  }
  static Param Bool(bool v) { return Param(std::string(v ? "t" : "f")); }

  const char* data() const { return owned_ ? text_.data() : view_.data(); }
  int size() const {
    return static_cast<int>(owned_ ? text_.size() : view_.size());
  }
  bool binary() const { return binary_; }

 private:
  Param(std::string_view view, bool binary) : view_(view), binary_(binary) {}
  explicit Param(std::string text) : text_(std::move(text)), owned_(true) {}
  std::string text_;
  std::string_view view_;
  bool owned_ = false;
  bool binary_ = false;
};

using P = Param;

// A query's result (text format), cleared on scope exit.
class Result {
 public:
  explicit Result(PGresult* r) : r_(r) {}
  ~Result() { PQclear(r_); }
  Result(Result&& o) noexcept : r_(std::exchange(o.r_, nullptr)) {}
  Result& operator=(Result&& o) noexcept {
    if (this != &o) {
      PQclear(r_);
      r_ = std::exchange(o.r_, nullptr);
    }
    return *this;
  }
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;

  const PGresult* get() const { return r_; }
  int rows() const { return PQntuples(r_); }
  // Rows an INSERT, UPDATE or DELETE changed.
  int64_t affected() const {
    return std::strtoll(PQcmdTuples(r_), nullptr, 10);
  }
  bool IsNull(int row, int col) const { return PQgetisnull(r_, row, col) != 0; }
  std::string_view View(int row, int col) const {
    return std::string_view(PQgetvalue(r_, row, col),
                            static_cast<size_t>(PQgetlength(r_, row, col)));
  }
  std::string Text(int row, int col) const {
    return std::string(View(row, col));
  }
  int64_t Int(int row, int col) const {
    return std::strtoll(PQgetvalue(r_, row, col), nullptr, 10);
  }
  double Real(int row, int col) const {
    return std::strtod(PQgetvalue(r_, row, col), nullptr);
  }
  bool Bool(int row, int col) const { return View(row, col) == "t"; }
  // A bytea column in the text format: "\x" and hex digits.
  std::string Bytes(int row, int col) const {
    std::string_view hex = View(row, col);
    std::string out;
    if (hex.size() < 2 || hex[0] != '\\' || hex[1] != 'x') return out;
    hex.remove_prefix(2);
    out.reserve(hex.size() / 2);
    auto nibble = [](char c) {
      return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    };
    for (size_t i = 0; i + 1 < hex.size(); i += 2) {
      out.push_back(
          static_cast<char>(nibble(hex[i]) * 16 + nibble(hex[i + 1])));
    }
    return out;
  }

 private:
  PGresult* r_;
};

bool IsRetryableSqlState(std::string_view state) {
  // serialization_failure, deadlock_detected; connection exceptions (class
  // 08); admin_shutdown, crash_shutdown, cannot_connect_now (57P01..03).
  return state == "40001" || state == "40P01" || state.substr(0, 2) == "08" ||
         state == "57P01" || state == "57P02" || state == "57P03";
}

}  // namespace

// One libpq connection with the statements it prepared. Not thread-safe:
// used by one call at a time, through a Lease.
class PostgresEventStore::Conn {
 public:
  Conn(std::string dsn, std::vector<std::string> secrets)
      : dsn_(std::move(dsn)), secrets_(std::move(secrets)) {}
  ~Conn() { Disconnect(); }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  // (Re)connects if the connection is missing or broken.
  absl::Status EnsureConnected() {
    if (pg_ != nullptr && PQstatus(pg_) == CONNECTION_OK) {
      return absl::OkStatus();
    }
    Disconnect();
    pg_ = PQconnectdb(dsn_.c_str());
    if (pg_ == nullptr || PQstatus(pg_) != CONNECTION_OK) {
      std::string msg = pg_ != nullptr ? PQerrorMessage(pg_) : "out of memory";
      Disconnect();
      retryable_ = true;
      return absl::UnavailableError(
          common::StrCat("postgres: cannot connect: ", Scrub(msg, secrets_)));
    }
    // Notices (e.g. "relation already exists, skipping") are not errors.
    PQsetNoticeProcessor(
        pg_, [](void*, const char*) {}, nullptr);
    return absl::OkStatus();
  }

  void Disconnect() {
    if (pg_ != nullptr) PQfinish(pg_);
    pg_ = nullptr;
    prepared_.clear();
  }

  bool healthy() const {
    return pg_ != nullptr && PQstatus(pg_) == CONNECTION_OK;
  }
  // Whether the last failure may succeed when the transaction runs again.
  bool retryable() const { return retryable_; }
  void ClearFailure() { retryable_ = false; }

  // Runs `sql` (prepared once per connection) with `params`; `what` names
  // the step in errors.
  absl::StatusOr<Result> Exec(std::string_view what, const std::string& sql,
                              std::initializer_list<Param> params = {}) {
    if (pg_ == nullptr) {
      retryable_ = true;
      return absl::UnavailableError("postgres: not connected");
    }
    auto it = prepared_.find(sql);
    if (it == prepared_.end()) {
      std::string name = common::StrCat("polku_", prepared_.size());
      Result r(PQprepare(pg_, name.c_str(), sql.c_str(), 0, nullptr));
      POLKU_RETURN_IF_ERROR(Check(what, r, PGRES_COMMAND_OK));
      it = prepared_.emplace(sql, std::move(name)).first;
    }
    std::vector<const char*> values;
    std::vector<int> lengths;
    std::vector<int> formats;
    values.reserve(params.size());
    for (const Param& p : params) {
      values.push_back(p.data());
      lengths.push_back(p.size());
      formats.push_back(p.binary() ? 1 : 0);
    }
    Result r(PQexecPrepared(pg_, it->second.c_str(),
                            static_cast<int>(params.size()), values.data(),
                            lengths.data(), formats.data(), 0));
    POLKU_RETURN_IF_ERROR(Check(what, r, PGRES_TUPLES_OK));
    return r;
  }

  // A statement without parameters or results (BEGIN, COMMIT, DDL).
  absl::Status Run(std::string_view what, const char* sql) {
    if (pg_ == nullptr) {
      retryable_ = true;
      return absl::UnavailableError("postgres: not connected");
    }
    Result r(PQexec(pg_, sql));
    return Check(what, r, PGRES_COMMAND_OK);
  }

 private:
  absl::Status Check(std::string_view what, const Result& r,
                     ExecStatusType also_ok) {
    const PGresult* res = r.get();
    const ExecStatusType st =
        res != nullptr ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == also_ok) return absl::OkStatus();
    const char* state =
        res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    const char* primary = res != nullptr
                              ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
                              : nullptr;
    std::string msg = primary != nullptr ? primary : PQerrorMessage(pg_);
    retryable_ = PQstatus(pg_) != CONNECTION_OK ||
                 (state != nullptr && IsRetryableSqlState(state));
    std::string text = common::StrCat(
        "postgres: ", what, ": ", Scrub(msg, secrets_),
        state != nullptr ? common::StrCat(" (SQLSTATE ", state, ")") : "");
    // A data exception (class 22, e.g. text that is not valid UTF-8) fails
    // again however often it is retried.
    if (state != nullptr && std::string_view(state).substr(0, 2) == "22") {
      return absl::InvalidArgumentError(text);
    }
    return absl::UnavailableError(text);
  }

  const std::string dsn_;
  const std::vector<std::string> secrets_;
  PGconn* pg_ = nullptr;
  std::unordered_map<std::string, std::string> prepared_;
  bool retryable_ = false;
};

// A connection checked out of the pool; returned when destroyed.
class PostgresEventStore::Lease {
 public:
  Lease(PostgresEventStore* store, std::unique_ptr<Conn> conn)
      : store_(store), conn_(std::move(conn)) {}
  Lease(Lease&& o) noexcept : store_(o.store_), conn_(std::move(o.conn_)) {}
  Lease& operator=(Lease&&) = delete;
  Lease(const Lease&) = delete;
  ~Lease() {
    if (conn_ != nullptr) store_->Return(std::move(conn_));
  }
  Conn& operator*() const { return *conn_; }

 private:
  PostgresEventStore* store_;
  std::unique_ptr<Conn> conn_;
};

namespace {

// The parts of the connection string that must never be shown: the whole
// string and the password in it.
absl::StatusOr<std::vector<std::string>> Secrets(const std::string& dsn) {
  char* err = nullptr;
  PQconninfoOption* options = PQconninfoParse(dsn.c_str(), &err);
  if (options == nullptr) {
    // libpq's message quotes the string: not repeated.
    PQfreemem(err);
    return absl::InvalidArgumentError(
        "postgres: the connection string is malformed");
  }
  std::vector<std::string> secrets = {dsn};
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val != nullptr && std::string_view(o->keyword) == "password") {
      secrets.emplace_back(o->val);
    }
  }
  PQconninfoFree(options);
  return secrets;
}

absl::Status Migrate(PostgresEventStore::Conn& c) {
  POLKU_RETURN_IF_ERROR(
      c.Run("create schema version table",
            "CREATE TABLE IF NOT EXISTS polku_schema_version ("
            "  version INTEGER NOT NULL)"));
  POLKU_ASSIGN_OR_RETURN(Result version,
                         c.Exec("read schema version",
                                "SELECT version FROM polku_schema_version"));
  int current = 0;
  if (version.rows() == 0) {
    POLKU_RETURN_IF_ERROR(
        c.Exec("init schema version",
               "INSERT INTO polku_schema_version (version) VALUES (0)")
            .status());
  } else {
    current = static_cast<int>(version.Int(0, 0));
  }
  if (current > kSchemaVersion) {
    return absl::FailedPreconditionError(common::StrCat(
        "database schema version ", current, " is newer than this Polku (",
        kSchemaVersion, "); upgrade Polku"));
  }
  for (int v = current; v < kSchemaVersion; ++v) {
    POLKU_RETURN_IF_ERROR(c.Run("begin", "BEGIN"));
    absl::Status s = c.Run("migrate", kMigrations[v]);
    if (s.ok()) {
      s = c.Exec("set schema version",
                 "UPDATE polku_schema_version SET version=$1", {P::Int(v + 1)})
              .status();
    }
    if (s.ok()) s = c.Run("commit", "COMMIT");
    if (!s.ok()) {
      c.Run("rollback", "ROLLBACK").IgnoreError();
      return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace

int PostgresEventStore::SchemaVersion() { return kSchemaVersion; }

absl::StatusOr<std::unique_ptr<PostgresEventStore>> PostgresEventStore::Open(
    const std::string& dsn, Options options) {
  if (options.pool_size == 0) {
    return absl::InvalidArgumentError("postgres: pool size must be at least 1");
  }
  if (options.max_attempts < 1) options.max_attempts = 1;
  POLKU_ASSIGN_OR_RETURN(std::vector<std::string> secrets, Secrets(dsn));
  // One connection now (it migrates, and proves the database reachable);
  // the others connect when first used, so a replica starts quickly.
  std::vector<std::unique_ptr<Conn>> pool;
  for (size_t i = 0; i < options.pool_size; ++i) {
    pool.push_back(std::make_unique<Conn>(dsn, secrets));
  }
  POLKU_RETURN_IF_ERROR(pool.front()->EnsureConnected());
  // Replicas starting at once take turns; the lock is the session's, so
  // it goes with the connection if this process dies while migrating.
  Conn& c = *pool.front();
  POLKU_RETURN_IF_ERROR(c.Exec("migration lock", "SELECT pg_advisory_lock($1)",
                               {P::Int(kMigrationLockKey)})
                            .status());
  absl::Status migrated = Migrate(c);
  absl::Status unlocked =
      c.Exec("migration unlock", "SELECT pg_advisory_unlock($1)",
             {P::Int(kMigrationLockKey)})
          .status();
  POLKU_RETURN_IF_ERROR(migrated);
  POLKU_RETURN_IF_ERROR(unlocked);
  return std::unique_ptr<PostgresEventStore>(
      new PostgresEventStore(dsn, std::move(pool), std::move(options)));
}

PostgresEventStore::PostgresEventStore(std::string dsn,
                                       std::vector<std::unique_ptr<Conn>> pool,
                                       Options options)
    : dsn_(std::move(dsn)),
      options_(std::move(options)),
      idle_(std::move(pool)) {}

PostgresEventStore::~PostgresEventStore() { Close().IgnoreError(); }

absl::Status PostgresEventStore::Close() {
  std::vector<std::unique_ptr<Conn>> conns;
  {
    absl::MutexLock lock(&mu_);
    closed_ = true;
    auto returned = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return leased_ == 0;
    };
    mu_.Await(absl::Condition(&returned));
    conns.swap(idle_);
  }
  conns.clear();  // PQfinish, outside the lock
  return absl::OkStatus();
}

absl::Status PostgresEventStore::CheckOpen() const {
  absl::MutexLock lock(&mu_);
  if (closed_) return absl::FailedPreconditionError("store is closed");
  return absl::OkStatus();
}

int64_t PostgresEventStore::retries() const {
  absl::MutexLock lock(&mu_);
  return retries_;
}

absl::StatusOr<PostgresEventStore::Lease> PostgresEventStore::Checkout() {
  absl::MutexLock lock(&mu_);
  auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return closed_ || !idle_.empty();
  };
  mu_.Await(absl::Condition(&ready));
  if (closed_) return absl::FailedPreconditionError("store is closed");
  std::unique_ptr<Conn> conn = std::move(idle_.back());
  idle_.pop_back();
  ++leased_;
  return Lease(this, std::move(conn));
}

void PostgresEventStore::Return(std::unique_ptr<Conn> conn) {
  absl::MutexLock lock(&mu_);
  idle_.push_back(std::move(conn));
  --leased_;
}

namespace {

// Sleeps before attempt `attempt` + 1: exponential with full jitter, longer
// after a lost connection (the server may be restarting).
void Backoff(int attempt, int initial_ms, bool connection_lost) {
  thread_local std::minstd_rand rng(std::random_device{}());
  const int64_t base = connection_lost ? std::max(initial_ms, 100) : initial_ms;
  const int64_t cap =
      std::min<int64_t>(base << std::min(attempt - 1, 10), 2000);
  std::uniform_int_distribution<int64_t> jitter(cap / 2, cap);
  std::this_thread::sleep_for(std::chrono::milliseconds(jitter(rng)));
}

}  // namespace

absl::Status PostgresEventStore::InTransaction(
    const std::function<absl::Status(Conn&)>& body, bool read_only) {
  return OnConnection([&](Conn& c) {
    absl::Status s = c.Run(
        "begin", read_only ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
                           : "BEGIN");
    if (s.ok()) s = body(c);
    if (s.ok()) s = c.Run("commit", "COMMIT");
    if (!s.ok() && c.healthy()) c.Run("rollback", "ROLLBACK").IgnoreError();
    return s;
  });
}

absl::Status PostgresEventStore::OnConnection(
    const std::function<absl::Status(Conn&)>& body) {
  absl::Status s;
  for (int attempt = 1;; ++attempt) {
    bool connection_lost = false;
    {
      POLKU_ASSIGN_OR_RETURN(Lease lease, Checkout());
      Conn& c = *lease;
      c.ClearFailure();
      s = c.EnsureConnected();
      if (s.ok()) s = body(c);
      if (s.ok() || !c.retryable() || attempt >= options_.max_attempts) {
        return s;
      }
      connection_lost = !c.healthy();
    }
    {
      absl::MutexLock lock(&mu_);
      ++retries_;
    }
    Backoff(attempt, options_.initial_backoff_ms, connection_lost);
  }
}

// --- EventStore
// ----------------------------------------------------------------

namespace {

// One learner of an Append call: erased or not, and the projection of the
// call's accepted records, computed in memory while the learner's row is
// locked and written once before COMMIT.
struct TxLearner {
  std::string hash;  // LearnerHash(tenant, learner_key)
  bool erased = false;
  bool projects = false;  // a record of the call carries a delta
  bool loaded = false;    // opted_out, profile and first_touch are read
  bool opted_out = false;
  bool profile_dirty = false;
  learning::Profile profile;
  // First touch of every activity the learner touched (stored and this
  // call's), by object id.
  std::map<std::string, int64_t, std::less<>> first_touch;
  struct Activity {
    int64_t first_ms = 0, last_ms = 0, completed_ms = 0, events = 0;
  };
  std::map<std::string, Activity, std::less<>> activities;  // this call's
  std::map<std::pair<std::string, std::string>, int64_t> transitions;
  struct Week {
    double leadership = 0, development = 0;
    int64_t events = 0;
  };
  std::map<int64_t, Week> weeks;
};

using LearnerId = std::pair<std::string, std::string>;  // tenant, key
using CooccurrenceAdds =
    std::map<std::tuple<std::string, std::string, std::string>, int64_t>;

constexpr char kEventColumns[] =
    "SELECT tenant, event_id, learner_key, occurred_at_ms, received_at_ms, "
    "platform, verb, mode, object_id, content_hash, body, tags FROM events ";

EventRecord ReadEvent(const Result& r, int row) {
  EventRecord e;
  e.tenant = r.Text(row, 0);
  e.event_id = r.Text(row, 1);
  e.learner_key = r.Text(row, 2);
  e.occurred_at_ms = r.Int(row, 3);
  e.received_at_ms = r.Int(row, 4);
  e.platform = static_cast<model::Platform>(r.Int(row, 5));
  e.verb = static_cast<model::Verb>(r.Int(row, 6));
  e.mode = static_cast<model::Mode>(r.Int(row, 7));
  e.object_id = r.Text(row, 8);
  e.content_hash = r.Text(row, 9);
  e.body_json = r.Text(row, 10);
  e.tags_json = r.Text(row, 11);
  return e;
}

// A text[] literal of `items`: {"a","b"}, each element quoted with " and
// \ escaped, so any key can be passed as one parameter.
std::string TextArray(const std::vector<std::string_view>& items) {
  std::string out = "{";
  for (std::string_view item : items) {
    if (out.size() > 1) out.push_back(',');
    out.push_back('"');
    for (char ch : item) {
      if (ch == '"' || ch == '\\') out.push_back('\\');
      out.push_back(ch);
    }
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

// The learner hashes among `hashes` that have an erasure tombstone.
absl::StatusOr<std::set<std::string, std::less<>>> Tombstoned(
    PostgresEventStore::Conn& c, std::string_view tenant,
    const std::vector<std::string_view>& hashes) {
  POLKU_ASSIGN_OR_RETURN(
      Result r, c.Exec("tombstone lookup",
                       "SELECT learner_hash FROM tombstones WHERE tenant=$1 "
                       "AND learner_hash=ANY($2::text[])",
                       {P::Text(tenant), P::Text(TextArray(hashes))}));
  std::set<std::string, std::less<>> out;
  for (int i = 0; i < r.rows(); ++i) out.insert(r.Text(i, 0));
  return out;
}

// Locks the learner's row (creating it if needed) until the transaction
// ends. An upsert rather than SELECT ... FOR UPDATE: it also waits for,
// and then locks, a row another transaction is inserting.
absl::Status LockLearner(PostgresEventStore::Conn& c, std::string_view tenant,
                         std::string_view learner_key) {
  return c
      .Exec("lock learner",
            "INSERT INTO learners (tenant, learner_key) VALUES ($1, $2) "
            "ON CONFLICT (tenant, learner_key) DO UPDATE SET "
            "tenant=EXCLUDED.tenant",
            {P::Text(tenant), P::Text(learner_key)})
      .status();
}

// Reads what the projection of `learners` (of one tenant, by key) starts
// from: opt-outs, profiles and first touches, three queries for all.
absl::Status LoadLearners(
    PostgresEventStore::Conn& c, std::string_view tenant,
    const std::map<std::string_view, TxLearner*>& learners) {
  std::vector<std::string_view> keys;
  std::vector<std::string_view> hashes;
  for (const auto& [key, l] : learners) {
    keys.push_back(key);
    hashes.push_back(l->hash);
    l->loaded = true;
  }
  const std::string key_array = TextArray(keys);
  POLKU_ASSIGN_OR_RETURN(Result optouts,
                         c.Exec("opt-out lookup",
                                "SELECT learner_hash FROM optouts WHERE "
                                "tenant=$1 AND learner_hash=ANY($2::text[])",
                                {P::Text(tenant), P::Text(TextArray(hashes))}));
  std::set<std::string, std::less<>> opted_out;
  for (int i = 0; i < optouts.rows(); ++i) opted_out.insert(optouts.Text(i, 0));
  for (const auto& [key, l] : learners) {
    l->opted_out = opted_out.count(l->hash) != 0;
  }
  POLKU_ASSIGN_OR_RETURN(Result profiles,
                         c.Exec("profile lookup",
                                "SELECT learner_key, data FROM profiles WHERE "
                                "tenant=$1 AND learner_key=ANY($2::text[])",
                                {P::Text(tenant), P::Text(key_array)}));
  for (int i = 0; i < profiles.rows(); ++i) {
    TxLearner* l = learners.find(profiles.View(i, 0))->second;
    POLKU_ASSIGN_OR_RETURN(l->profile,
                           learning::DecodeProfile(profiles.Bytes(i, 1)));
  }
  POLKU_ASSIGN_OR_RETURN(Result acts,
                         c.Exec("activity states",
                                "SELECT learner_key, object_id, first_ms FROM "
                                "activity_states WHERE tenant=$1 AND "
                                "learner_key=ANY($2::text[])",
                                {P::Text(tenant), P::Text(key_array)}));
  for (int i = 0; i < acts.rows(); ++i) {
    TxLearner* l = learners.find(acts.View(i, 0))->second;
    l->first_touch.emplace(acts.Text(i, 1), acts.Int(i, 2));
  }
  return absl::OkStatus();
}

// Applies an accepted record's delta to the learner's projection, as
// learning_store.h specifies it, event by event in arrival order.
absl::Status Project(const EventRecord& r, TxLearner& l,
                     CooccurrenceAdds& cooccurrence) {
  if (!l.loaded) {
    return absl::InternalError("postgres: projection state not loaded");
  }
  if (l.opted_out) return absl::OkStatus();
  const learning::ProfileDelta& d = *r.delta;
  const int64_t at = r.occurred_at_ms;
  l.profile.Add(d);
  l.profile_dirty = true;

  const std::string& object = d.object_id.empty() ? r.object_id : d.object_id;
  if (!object.empty()) {
    const bool completed = d.has[SignalIndex(learning::Signal::kCompletion)];
    const int64_t completed_ms = completed ? at : 0;
    auto touch = l.first_touch.find(object);
    if (touch == l.first_touch.end()) {
      // A first touch: the transition from the activity first touched
      // just before it, the greatest (first_ms, object_id) at or before
      // `at`.
      const std::string* previous = nullptr;
      int64_t previous_first = 0;
      for (const auto& [o, first] : l.first_touch) {
        if (first > at) continue;
        if (previous == nullptr || first > previous_first ||
            (first == previous_first && o > *previous)) {
          previous = &o;
          previous_first = first;
        }
      }
      if (previous != nullptr) {
        ++l.transitions[{*previous, object}];
        ++cooccurrence[{r.tenant, *previous, object}];
      }
      l.first_touch.emplace(object, at);
    } else {
      touch->second = std::min(touch->second, at);
    }
    auto [a, added] = l.activities.try_emplace(object);
    TxLearner::Activity& s = a->second;
    if (added) {
      s = {at, at, completed_ms, 1};
    } else {
      s.first_ms = std::min(s.first_ms, at);
      s.last_ms = std::max(s.last_ms, at);
      if (completed_ms != 0) {
        s.completed_ms = s.completed_ms == 0
                             ? completed_ms
                             : std::min(s.completed_ms, completed_ms);
      }
      ++s.events;
    }
  }
  // The week row, undecayed: the sums divided by the growth factor.
  const double g = d.growth > 0 ? d.growth : 1;
  TxLearner::Week& w = l.weeks[learning::WeekOf(at)];
  w.leadership += d.sums.leadership / g;
  w.development += d.sums.development / g;
  ++w.events;
  return absl::OkStatus();
}

// Writes a learner's projection: the profile as a whole (the row lock makes
// read-modify-write safe), the rest as additive upserts.
absl::Status FlushLearner(PostgresEventStore::Conn& c, const LearnerId& id,
                          const TxLearner& l) {
  if (!l.profile_dirty) return absl::OkStatus();
  const auto& [tenant, key] = id;
  const std::string blob = learning::EncodeProfile(l.profile);
  POLKU_RETURN_IF_ERROR(
      c.Exec("profile",
             "INSERT INTO profiles (tenant, learner_key, org_unit, role, "
             "last_event_ms, data) VALUES ($1, $2, $3, $4, $5, $6) "
             "ON CONFLICT (tenant, learner_key) DO UPDATE SET "
             "org_unit=EXCLUDED.org_unit, role=EXCLUDED.role, "
             "last_event_ms=EXCLUDED.last_event_ms, data=EXCLUDED.data",
             {P::Text(tenant), P::Text(key), P::Text(l.profile.org_unit),
              P::Text(l.profile.role), P::Int(l.profile.last_event_ms),
              P::Bytes(blob)})
          .status());
  for (const auto& [week, w] : l.weeks) {
    POLKU_RETURN_IF_ERROR(
        c.Exec("learner week",
               "INSERT INTO learner_weeks (tenant, learner_key, week, "
               "org_unit, leadership, development, events) "
               "VALUES ($1, $2, $3, $4, $5, $6, $7) "
               "ON CONFLICT (tenant, learner_key, week) DO UPDATE SET "
               "org_unit=CASE WHEN EXCLUDED.org_unit<>'' "
               "THEN EXCLUDED.org_unit ELSE learner_weeks.org_unit END, "
               "leadership=learner_weeks.leadership+EXCLUDED.leadership, "
               "development=learner_weeks.development+EXCLUDED.development, "
               "events=learner_weeks.events+EXCLUDED.events",
               {P::Text(tenant), P::Text(key), P::Int(week),
                P::Text(l.profile.org_unit), P::Real(w.leadership),
                P::Real(w.development), P::Int(w.events)})
            .status());
  }
  for (const auto& [object, a] : l.activities) {
    POLKU_RETURN_IF_ERROR(
        c.Exec("activity state",
               "INSERT INTO activity_states (tenant, learner_key, object_id, "
               "first_ms, last_ms, completed_ms, events) "
               "VALUES ($1, $2, $3, $4, $5, $6, $7) "
               "ON CONFLICT (tenant, learner_key, object_id) DO UPDATE SET "
               "first_ms=LEAST(activity_states.first_ms, EXCLUDED.first_ms), "
               "last_ms=GREATEST(activity_states.last_ms, EXCLUDED.last_ms), "
               "completed_ms=CASE WHEN EXCLUDED.completed_ms=0 "
               "THEN activity_states.completed_ms "
               "WHEN activity_states.completed_ms=0 "
               "THEN EXCLUDED.completed_ms "
               "ELSE LEAST(activity_states.completed_ms, "
               "EXCLUDED.completed_ms) END, "
               "events=activity_states.events+EXCLUDED.events",
               {P::Text(tenant), P::Text(key), P::Text(object),
                P::Int(a.first_ms), P::Int(a.last_ms), P::Int(a.completed_ms),
                P::Int(a.events)})
            .status());
  }
  for (const auto& [fromto, n] : l.transitions) {
    POLKU_RETURN_IF_ERROR(
        c.Exec("transition",
               "INSERT INTO transitions (tenant, learner_key, from_object, "
               "to_object, n) VALUES ($1, $2, $3, $4, $5) "
               "ON CONFLICT (tenant, learner_key, from_object, to_object) "
               "DO UPDATE SET n=transitions.n+EXCLUDED.n",
               {P::Text(tenant), P::Text(key), P::Text(fromto.first),
                P::Text(fromto.second), P::Int(n)})
            .status());
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status PostgresEventStore::AppendTx(Conn& c,
                                          absl::Span<const EventRecord> records,
                                          std::vector<WriteOutcome>& outcomes) {
  outcomes.assign(records.size(), WriteOutcome::kAccepted);
  // Retention cutoffs of the call's tenants.
  std::map<std::string, int64_t, std::less<>> cutoffs;
  for (const EventRecord& r : records) {
    if (cutoffs.count(r.tenant) != 0) continue;
    POLKU_ASSIGN_OR_RETURN(
        Result cut, c.Exec("retention lookup",
                           "SELECT cutoff_ms FROM retention WHERE tenant=$1",
                           {P::Text(r.tenant)}));
    cutoffs.emplace(r.tenant, cut.rows() > 0
                                  ? cut.Int(0, 0)
                                  : std::numeric_limits<int64_t>::min());
  }
  auto expired = [&](const EventRecord& r) {
    return r.occurred_at_ms < cutoffs.find(r.tenant)->second;
  };
  // Every learner of the call, locked in key order, so that two calls never
  // wait for each other in a cycle: tenant by tenant (the map's order),
  // and within a tenant in one statement, by key in byte order.
  std::map<LearnerId, TxLearner> learners;
  for (const EventRecord& r : records) {
    if (expired(r)) continue;
    TxLearner& l = learners[{r.tenant, r.learner_key}];
    l.projects = l.projects || r.delta != nullptr;
  }
  for (auto it = learners.begin(); it != learners.end();) {
    const std::string& tenant = it->first.first;
    auto end = it;
    std::vector<std::string_view> hashes;
    while (end != learners.end() && end->first.first == tenant) {
      end->second.hash = LearnerHash(tenant, end->first.second);
      hashes.push_back(end->second.hash);
      ++end;
    }
    POLKU_ASSIGN_OR_RETURN(auto erased, Tombstoned(c, tenant, hashes));
    // No lock row for an erased learner: it would hold the key.
    std::vector<std::string_view> keys;
    hashes.clear();
    for (auto j = it; j != end; ++j) {
      j->second.erased = erased.count(j->second.hash) != 0;
      if (j->second.erased) continue;
      keys.push_back(j->first.second);
      hashes.push_back(j->second.hash);
    }
    if (!keys.empty()) {
      POLKU_RETURN_IF_ERROR(
          c.Exec("lock learners",
                 "INSERT INTO learners (tenant, learner_key) "
                 "SELECT $1, k FROM unnest($2::text[]) AS k "
                 "ORDER BY k COLLATE \"C\" "
                 "ON CONFLICT (tenant, learner_key) DO UPDATE SET "
                 "tenant=EXCLUDED.tenant",
                 {P::Text(tenant), P::Text(TextArray(keys))})
              .status());
      // An erasure may have committed before the locks were granted.
      POLKU_ASSIGN_OR_RETURN(erased, Tombstoned(c, tenant, hashes));
    }
    std::vector<std::string_view> now_erased;
    std::map<std::string_view, TxLearner*> to_load;
    for (auto j = it; j != end; ++j) {
      TxLearner& l = j->second;
      if (l.erased) continue;
      if (erased.count(l.hash) != 0) {
        l.erased = true;
        now_erased.push_back(j->first.second);
      } else if (l.projects) {
        to_load.emplace(j->first.second, &l);
      }
    }
    if (!now_erased.empty()) {
      POLKU_RETURN_IF_ERROR(
          c.Exec("unlock erased learners",
                 "DELETE FROM learners WHERE tenant=$1 AND "
                 "learner_key=ANY($2::text[])",
                 {P::Text(tenant), P::Text(TextArray(now_erased))})
              .status());
    }
    if (!to_load.empty()) {
      POLKU_RETURN_IF_ERROR(LoadLearners(c, tenant, to_load));
    }
    it = end;
  }
  CooccurrenceAdds cooccurrence;
  for (size_t i = 0; i < records.size(); ++i) {
    const EventRecord& r = records[i];
    if (expired(r)) {
      // Older than the tenant keeps: held once and expired, or never to
      // be held. Either way nothing changes.
      outcomes[i] = WriteOutcome::kDuplicate;
      continue;
    }
    TxLearner& l = learners.find({r.tenant, r.learner_key})->second;
    if (l.erased) {
      outcomes[i] = WriteOutcome::kErased;
      continue;
    }
    POLKU_ASSIGN_OR_RETURN(
        Result inserted,
        c.Exec(
            "insert",
            "INSERT INTO events (tenant, event_id, learner_key, "
            "occurred_at_ms, received_at_ms, platform, verb, mode, "
            "object_id, content_hash, body, tags) VALUES "
            "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) "
            "ON CONFLICT (tenant, event_id) DO NOTHING",
            {P::Text(r.tenant), P::Text(r.event_id), P::Text(r.learner_key),
             P::Int(r.occurred_at_ms), P::Int(r.received_at_ms),
             P::Int(static_cast<int>(r.platform)),
             P::Int(static_cast<int>(r.verb)), P::Int(static_cast<int>(r.mode)),
             P::Text(r.object_id), P::Text(r.content_hash),
             P::Text(r.body_json), P::Text(r.tags_json)}));
    if (inserted.affected() == 1) {
      if (r.delta != nullptr) {
        POLKU_RETURN_IF_ERROR(Project(r, l, cooccurrence));
      }
      continue;
    }
    POLKU_ASSIGN_OR_RETURN(
        Result existing,
        c.Exec("duplicate lookup",
               "SELECT content_hash FROM events WHERE tenant=$1 AND "
               "event_id=$2",
               {P::Text(r.tenant), P::Text(r.event_id)}));
    if (existing.rows() == 0) {
      return absl::InternalError("postgres: a conflicting event vanished");
    }
    outcomes[i] = existing.View(0, 0) == r.content_hash
                      ? WriteOutcome::kDuplicate
                      : WriteOutcome::kConflict;
  }
  for (const auto& [id, l] : learners) {
    POLKU_RETURN_IF_ERROR(FlushLearner(c, id, l));
  }
  // Shared rows in key order, as every replica writes them.
  for (const auto& [key, n] : cooccurrence) {
    POLKU_RETURN_IF_ERROR(
        c.Exec("co-occurrence",
               "INSERT INTO cooccurrence (tenant, from_object, to_object, n) "
               "VALUES ($1, $2, $3, $4) "
               "ON CONFLICT (tenant, from_object, to_object) "
               "DO UPDATE SET n=cooccurrence.n+EXCLUDED.n",
               {P::Text(std::get<0>(key)), P::Text(std::get<1>(key)),
                P::Text(std::get<2>(key)), P::Int(n)})
            .status());
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<WriteOutcome>> PostgresEventStore::Append(
    absl::Span<const EventRecord> records) {
  if (records.empty()) {
    POLKU_RETURN_IF_ERROR(CheckOpen());
    return std::vector<WriteOutcome>();
  }
  const auto start = std::chrono::steady_clock::now();
  std::vector<WriteOutcome> outcomes;
  POLKU_RETURN_IF_ERROR(
      InTransaction([&](Conn& c) { return AppendTx(c, records, outcomes); }));
  if (options_.on_commit) {
    CommitStats stats;
    stats.records = records.size();
    stats.requests = 1;
    stats.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    options_.on_commit(stats);
  }
  return outcomes;
}

absl::StatusOr<std::optional<EventRecord>> PostgresEventStore::Get(
    std::string_view tenant, std::string_view event_id) {
  std::optional<EventRecord> out;
  POLKU_RETURN_IF_ERROR(OnConnection([&](Conn& c) -> absl::Status {
    POLKU_ASSIGN_OR_RETURN(
        Result r,
        c.Exec("get",
               common::StrCat(kEventColumns, "WHERE tenant=$1 AND event_id=$2"),
               {P::Text(tenant), P::Text(event_id)}));
    if (r.rows() > 0) out = ReadEvent(r, 0);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<int64_t> PostgresEventStore::Count(std::string_view tenant) {
  int64_t n = 0;
  POLKU_RETURN_IF_ERROR(OnConnection([&](Conn& c) -> absl::Status {
    POLKU_ASSIGN_OR_RETURN(
        Result r, c.Exec("count", "SELECT count(*) FROM events WHERE tenant=$1",
                         {P::Text(tenant)}));
    n = r.Int(0, 0);
    return absl::OkStatus();
  }));
  return n;
}

absl::StatusOr<std::vector<EventRecord>> PostgresEventStore::ListByLearner(
    std::string_view tenant, std::string_view learner_key, size_t limit) {
  std::vector<EventRecord> out;
  POLKU_RETURN_IF_ERROR(OnConnection([&](Conn& c) -> absl::Status {
    POLKU_ASSIGN_OR_RETURN(
        Result r,
        c.Exec("list",
               common::StrCat(kEventColumns,
                              "WHERE tenant=$1 AND learner_key=$2 "
                              "ORDER BY occurred_at_ms, event_id LIMIT $3"),
               {P::Text(tenant), P::Text(learner_key),
                P::Int(static_cast<int64_t>(std::min<size_t>(
                    limit, std::numeric_limits<int64_t>::max())))}));
    out.clear();
    for (int i = 0; i < r.rows(); ++i) out.push_back(ReadEvent(r, i));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<int64_t> PostgresEventStore::EraseLearner(
    std::string_view tenant, std::string_view learner_key, int64_t now_ms) {
  const std::string hash = LearnerHash(tenant, learner_key);
  int64_t deleted = 0;
  POLKU_RETURN_IF_ERROR(InTransaction([&](Conn& c) -> absl::Status {
    // Waits for an Append of the learner in progress; a later one finds
    // the tombstone once it has the lock.
    POLKU_RETURN_IF_ERROR(LockLearner(c, tenant, learner_key));
    POLKU_ASSIGN_OR_RETURN(Result del,
                           c.Exec("erase",
                                  "DELETE FROM events WHERE tenant=$1 AND "
                                  "learner_key=$2",
                                  {P::Text(tenant), P::Text(learner_key)}));
    deleted = del.affected();
    POLKU_RETURN_IF_ERROR(
        c.Exec("tombstone",
               "INSERT INTO tombstones (tenant, learner_hash, erased_at_ms) "
               "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
               {P::Text(tenant), P::Text(hash), P::Int(now_ms)})
            .status());
    // Take the learner's own contributions out of the tenant-wide
    // aggregates first, while the rows that say what they were exist.
    constexpr const char* kSteps[] = {
        "UPDATE cooccurrence SET n=cooccurrence.n-t.dn FROM ("
        "  SELECT from_object AS f, to_object AS o, n AS dn FROM transitions"
        "  WHERE tenant=$1 AND learner_key=$2) AS t "
        "WHERE cooccurrence.tenant=$1 AND cooccurrence.from_object=t.f"
        "  AND cooccurrence.to_object=t.o",
        "DELETE FROM cooccurrence WHERE tenant=$1 AND n<=0 AND "
        "(from_object, to_object) IN (SELECT from_object, to_object "
        "FROM transitions WHERE tenant=$1 AND learner_key=$2)",
        "UPDATE bandit_arms SET shown=bandit_arms.shown-f.d_shown,"
        "  successes=bandit_arms.successes-f.d_successes,"
        "  failures=bandit_arms.failures-f.d_failures "
        "FROM (SELECT segment AS s, kind AS k,"
        "  sum(CASE WHEN outcome=1 THEN 1 ELSE 0 END) AS d_shown,"
        "  sum(CASE WHEN outcome IN (2, 4) THEN 1 ELSE 0 END) AS d_successes,"
        "  sum(CASE WHEN outcome=3 THEN 1 ELSE 0 END) AS d_failures"
        "  FROM feedback WHERE tenant=$1 AND learner_key=$2"
        "  GROUP BY segment, kind) AS f "
        "WHERE bandit_arms.tenant=$1 AND bandit_arms.segment=f.s"
        "  AND bandit_arms.kind=f.k",
        "DELETE FROM bandit_arms WHERE tenant=$1 AND shown<=0 AND "
        "successes<=0 AND failures<=0 AND (segment, kind) IN (SELECT "
        "segment, kind FROM feedback WHERE tenant=$1 AND learner_key=$2)",
        "DELETE FROM transitions WHERE tenant=$1 AND learner_key=$2",
        "DELETE FROM feedback WHERE tenant=$1 AND learner_key=$2",
        "DELETE FROM served_recommendations WHERE tenant=$1 AND "
        "learner_key=$2",
        "DELETE FROM profiles WHERE tenant=$1 AND learner_key=$2",
        "DELETE FROM activity_states WHERE tenant=$1 AND learner_key=$2",
        "DELETE FROM learner_weeks WHERE tenant=$1 AND learner_key=$2",
        "DELETE FROM learners WHERE tenant=$1 AND learner_key=$2",
    };
    for (const char* sql : kSteps) {
      POLKU_RETURN_IF_ERROR(c.Exec("erase learner state", sql,
                                   {P::Text(tenant), P::Text(learner_key)})
                                .status());
    }
    return c
        .Exec("erase opt-out",
              "DELETE FROM optouts WHERE tenant=$1 AND learner_hash=$2",
              {P::Text(tenant), P::Text(hash)})
        .status();
  }));
  return deleted;
}

absl::StatusOr<int64_t> PostgresEventStore::DeleteTenant(
    std::string_view tenant) {
  int64_t deleted = 0;
  POLKU_RETURN_IF_ERROR(InTransaction([&](Conn& c) -> absl::Status {
    POLKU_ASSIGN_OR_RETURN(
        Result del,
        c.Exec("delete tenant events", "DELETE FROM events WHERE tenant=$1",
               {P::Text(tenant)}));
    deleted = del.affected();
    constexpr const char* kTables[] = {
        "tombstones",   "retention",          "learners",
        "profiles",     "activity_states",    "transitions",
        "cooccurrence", "learner_weeks",      "activities",
        "paths",        "catalogue_versions", "served_recommendations",
        "feedback",     "bandit_arms",        "optouts",
    };
    for (const char* table : kTables) {
      POLKU_RETURN_IF_ERROR(
          c.Exec(table,
                 common::StrCat("DELETE FROM ", table, " WHERE tenant=$1"),
                 {P::Text(tenant)})
              .status());
    }
    return absl::OkStatus();
  }));
  return deleted;
}

absl::StatusOr<int64_t> PostgresEventStore::DeleteEventsBefore(
    std::string_view tenant, int64_t cutoff_ms) {
  int64_t deleted = 0;
  POLKU_RETURN_IF_ERROR(InTransaction([&](Conn& c) -> absl::Status {
    POLKU_ASSIGN_OR_RETURN(Result del,
                           c.Exec("retention delete",
                                  "DELETE FROM events WHERE tenant=$1 AND "
                                  "occurred_at_ms<$2",
                                  {P::Text(tenant), P::Int(cutoff_ms)}));
    deleted = del.affected();
    return c
        .Exec("retention cutoff",
              "INSERT INTO retention (tenant, cutoff_ms) VALUES ($1, $2) "
              "ON CONFLICT (tenant) DO UPDATE SET "
              "cutoff_ms=GREATEST(retention.cutoff_ms, EXCLUDED.cutoff_ms)",
              {P::Text(tenant), P::Int(cutoff_ms)})
        .status();
  }));
  return deleted;
}

// --- LearningStore: profiles and what learners did
// -----------------------------

namespace {

absl::StatusOr<std::optional<learning::Profile>> ReadProfile(
    PostgresEventStore::Conn& c, std::string_view tenant,
    std::string_view learner_key) {
  POLKU_ASSIGN_OR_RETURN(
      Result r,
      c.Exec("profile",
             "SELECT data FROM profiles WHERE tenant=$1 AND learner_key=$2",
             {P::Text(tenant), P::Text(learner_key)}));
  if (r.rows() == 0) return std::nullopt;
  POLKU_ASSIGN_OR_RETURN(learning::Profile p,
                         learning::DecodeProfile(r.Bytes(0, 0)));
  return p;
}

absl::StatusOr<std::vector<ActivityState>> ReadActivityStates(
    PostgresEventStore::Conn& c, std::string_view tenant,
    std::string_view learner_key) {
  POLKU_ASSIGN_OR_RETURN(
      Result r, c.Exec("activity states",
                       "SELECT object_id, first_ms, last_ms, completed_ms, "
                       "events FROM activity_states WHERE tenant=$1 AND "
                       "learner_key=$2 ORDER BY first_ms, object_id",
                       {P::Text(tenant), P::Text(learner_key)}));
  std::vector<ActivityState> out;
  for (int i = 0; i < r.rows(); ++i) {
    ActivityState a;
    a.object_id = r.Text(i, 0);
    a.first_ms = r.Int(i, 1);
    a.last_ms = r.Int(i, 2);
    a.completed_ms = r.Int(i, 3);
    a.events = r.Int(i, 4);
    out.push_back(std::move(a));
  }
  return out;
}

constexpr char kServedColumns[] =
    "SELECT recommendation_id, learner_key, kind, target_id, segment, "
    "position, score, propensity, holdout, served_ms "
    "FROM served_recommendations ";

ServedRecommendation ReadServed(const Result& r, int i) {
  ServedRecommendation s;
  s.recommendation_id = r.Text(i, 0);
  s.learner_key = r.Text(i, 1);
  s.kind = r.Text(i, 2);
  s.target_id = r.Text(i, 3);
  s.segment = r.Text(i, 4);
  s.position = static_cast<int32_t>(r.Int(i, 5));
  s.score = r.Real(i, 6);
  s.propensity = r.Real(i, 7);
  s.holdout = r.Bool(i, 8);
  s.served_ms = r.Int(i, 9);
  return s;
}

absl::StatusOr<std::vector<FeedbackRecord>> ReadFeedback(
    PostgresEventStore::Conn& c, std::string_view tenant,
    std::string_view learner_key, int64_t since_ms) {
  POLKU_ASSIGN_OR_RETURN(
      Result r,
      c.Exec("feedback",
             "SELECT recommendation_id, outcome, at_ms, kind, target_id, "
             "segment FROM feedback WHERE tenant=$1 AND learner_key=$2 AND "
             "at_ms>=$3 ORDER BY at_ms, recommendation_id, outcome",
             {P::Text(tenant), P::Text(learner_key), P::Int(since_ms)}));
  std::vector<FeedbackRecord> out;
  for (int i = 0; i < r.rows(); ++i) {
    FeedbackRecord f;
    f.recommendation_id = r.Text(i, 0);
    f.learner_key = std::string(learner_key);
    f.outcome = static_cast<FeedbackOutcome>(r.Int(i, 1));
    f.at_ms = r.Int(i, 2);
    f.kind = r.Text(i, 3);
    f.target_id = r.Text(i, 4);
    f.segment = r.Text(i, 5);
    out.push_back(std::move(f));
  }
  return out;
}

absl::StatusOr<bool> ReadOptedOut(PostgresEventStore::Conn& c,
                                  std::string_view tenant,
                                  std::string_view learner_key) {
  POLKU_ASSIGN_OR_RETURN(
      Result r,
      c.Exec("opt-out",
             "SELECT 1 FROM optouts WHERE tenant=$1 AND "
             "learner_hash=$2",
             {P::Text(tenant), P::Text(LearnerHash(tenant, learner_key))}));
  return r.rows() > 0;
}

absl::StatusOr<std::vector<std::pair<std::string, double>>> ReadNextActivities(
    PostgresEventStore::Conn& c, std::string_view tenant,
    absl::Span<const std::string> from, size_t limit) {
  std::map<std::string, double> sum;
  std::vector<std::string_view> seen;
  for (const std::string& f : from) {
    if (std::find(seen.begin(), seen.end(), f) != seen.end()) continue;
    seen.push_back(f);
    POLKU_ASSIGN_OR_RETURN(Result r,
                           c.Exec("co-occurrence",
                                  "SELECT to_object, n FROM cooccurrence "
                                  "WHERE tenant=$1 AND from_object=$2",
                                  {P::Text(tenant), P::Text(f)}));
    for (int i = 0; i < r.rows(); ++i) {
      sum[r.Text(i, 0)] += static_cast<double>(r.Int(i, 1));
    }
  }
  std::vector<std::pair<std::string, double>> out(sum.begin(), sum.end());
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.second > b.second;  // ties stay in id order
  });
  if (out.size() > limit) out.resize(limit);
  return out;
}

absl::StatusOr<std::vector<BanditArm>> ReadBandit(PostgresEventStore::Conn& c,
                                                  std::string_view tenant) {
  POLKU_ASSIGN_OR_RETURN(
      Result r, c.Exec("bandit",
                       "SELECT segment, kind, successes, failures, shown "
                       "FROM bandit_arms WHERE tenant=$1 "
                       "ORDER BY segment, kind",
                       {P::Text(tenant)}));
  std::vector<BanditArm> out;
  for (int i = 0; i < r.rows(); ++i) {
    BanditArm a;
    a.segment = r.Text(i, 0);
    a.kind = r.Text(i, 1);
    a.successes = r.Real(i, 2);
    a.failures = r.Real(i, 3);
    a.shown = r.Int(i, 4);
    out.push_back(std::move(a));
  }
  return out;
}

absl::StatusOr<int64_t> ReadCatalogueVersion(PostgresEventStore::Conn& c,
                                             std::string_view tenant) {
  POLKU_ASSIGN_OR_RETURN(Result r,
                         c.Exec("catalogue version",
                                "SELECT version FROM catalogue_versions "
                                "WHERE tenant=$1",
                                {P::Text(tenant)}));
  return r.rows() > 0 ? r.Int(0, 0) : int64_t{0};
}

std::vector<LearnerWeek> ReadWeeks(const Result& r) {
  std::vector<LearnerWeek> out;
  for (int i = 0; i < r.rows(); ++i) {
    LearnerWeek w;
    w.learner_key = r.Text(i, 0);
    w.week = r.Int(i, 1);
    w.org_unit = r.Text(i, 2);
    w.leadership = r.Real(i, 3);
    w.development = r.Real(i, 4);
    w.events = r.Int(i, 5);
    out.push_back(std::move(w));
  }
  return out;
}

}  // namespace

absl::StatusOr<std::optional<learning::Profile>> PostgresEventStore::GetProfile(
    std::string_view tenant, std::string_view learner_key) {
  std::optional<learning::Profile> out;
  POLKU_RETURN_IF_ERROR(OnConnection([&](Conn& c) -> absl::Status {
    POLKU_ASSIGN_OR_RETURN(out, ReadProfile(c, tenant, learner_key));
    return absl::OkStatus();
  }));
  return out;
}

absl::Status PostgresEventStore::ForEachProfile(
    std::string_view tenant, std::string_view org_unit,
    const std::function<void(std::string_view, const learning::Profile&)>& fn) {
  std::string after;
  bool first = true;
  for (;;) {
    // A chunk per query; `fn` runs with no connection held, so it may call
    // back into the store.
    std::vector<std::pair<std::string, learning::Profile>> chunk;
    POLKU_RETURN_IF_ERROR(OnConnection([&](Conn& c) -> absl::Status {
      chunk.clear();
      POLKU_ASSIGN_OR_RETURN(
          Result r,
          c.Exec("profiles",
                 common::StrCat("SELECT learner_key, data FROM profiles "
                                "WHERE tenant=$1 AND learner_key",
                                first ? ">=" : ">",
                                "$2 AND ($4::text='' OR "
                                "org_unit=$4) ORDER BY learner_key LIMIT $3"),
                 {P::Text(tenant), P::Text(after), P::Int(kChunk),
                  P::Text(org_unit)}));
      for (int i = 0; i < r.rows(); ++i) {
        POLKU_ASSIGN_OR_RETURN(learning::Profile p,
                               learning::DecodeProfile(r.Bytes(i, 1)));
        chunk.emplace_back(r.Text(i, 0), std::move(p));
      }
      return absl::OkStatus();
    }));
    for (const auto& [key, profile] : chunk) fn(key, profile);
    if (static_cast<int64_t>(chunk.size()) < kChunk) return absl::OkStatus();
    after = std::move(chunk.back().first);
    first = false;
  }
}

absl::StatusOr<std::vector<ActivityState>>
PostgresEventStore::GetActivityStates(std::string_view tenant,
                                      std::string_view learner_key) {
  std::vector<ActivityState> out;
  POLKU_RETURN_IF_ERROR(OnConnection([&](Conn& c) -> absl::Status {
    POLKU_ASSIGN_OR_RETURN(out, ReadActivityStates(c, tenant, learner_key));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<std::pair<std::string, double>>>
PostgresEventStore::NextActivities(std::string_view tenant,
                                   absl::Span<const std::string> from,
                                   size_t limit) {
  std::vector<std::pair<std::string, double>> out;
  POLKU_RETURN_IF_ERROR(OnConnection([&](Conn& c) -> absl::Status {
    POLKU_ASSIGN_OR_RETURN(out, ReadNextActivities(c, tenant, from, limit));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<LearnerWeek>> PostgresEventStore::ListWeeks(
    std::string_view tenant, std::string_view org_unit, int64_t from_week) {
  std::vector<LearnerWeek> out;
  POLKU_RETURN_IF_ERROR(OnConnection([&](Conn& c) -> absl::Status {
    POLKU_ASSIGN_OR_RETURN(
        Result r,
        c.Exec("learner weeks",
               "SELECT learner_key, week, org_unit, leadership, development, "
               "events FROM learner_weeks WHERE tenant=$1 AND week>=$2 AND "
               "($3::text='' OR org_unit=$3) ORDER BY week, learner_key",
               {P::Text(tenant), P::Int(from_week), P::Text(org_unit)}));
    out = ReadWeeks(r);
    return absl::OkStatus();
  }));
  return out;
}

absl::Status PostgresEventStore::ForEachCompletionSequence(
    std::string_view tenant,
    const std::function<void(std::string_view,
                             const std::vector<std::string>&)>& fn) {
  std::string after;
  bool first = true;
  for (;;) {
    // A chunk of learners and all their completions, read in one snapshot:
    // a learner's sequence is never split between chunks.
    std::vector<std::pair<std::string, std::vector<std::string>>> chunk;
    POLKU_RETURN_IF_ERROR(InTransaction(
        [&](Conn& c) -> absl::Status {
          chunk.clear();
          POLKU_ASSIGN_OR_RETURN(
              Result learners,
              c.Exec("completions",
                     common::StrCat("SELECT DISTINCT learner_key FROM "
                                    "activity_states WHERE tenant=$1 AND "
                                    "learner_key",
                                    first ? ">=" : ">",
                                    "$2 AND completed_ms>0 "
                                    "ORDER BY learner_key LIMIT $3"),
                     {P::Text(tenant), P::Text(after), P::Int(kChunk)}));
          for (int i = 0; i < learners.rows(); ++i) {
            chunk.emplace_back(learners.Text(i, 0), std::vector<std::string>());
          }
          if (chunk.empty()) return absl::OkStatus();
          POLKU_ASSIGN_OR_RETURN(
              Result rows,
              c.Exec("completions",
                     "SELECT learner_key, object_id FROM activity_states "
                     "WHERE tenant=$1 AND learner_key>=$2 AND "
                     "learner_key<=$3 AND completed_ms>0 "
                     "ORDER BY learner_key, completed_ms, object_id",
                     {P::Text(tenant), P::Text(chunk.front().first),
                      P::Text(chunk.back().first)}));
          size_t at = 0;
          for (int i = 0; i < rows.rows(); ++i) {
            const std::string_view key = rows.View(i, 0);
            while (at < chunk.size() && chunk[at].first != key) ++at;
            if (at == chunk.size()) break;  // cannot happen: one snapshot
            chunk[at].second.push_back(rows.Text(i, 1));
          }
          return absl::OkStatus();
        },
        /*read_only=*/true));
    for (const auto& [key, completed] : chunk) {
      if (!completed.empty()) fn(key, completed);
    }
    if (static_cast<int64_t>(chunk.size()) < kChunk) return absl::OkStatus();
    after = std::move(chunk.back().first);
    first = false;
  }
}

// --- Catalogue
// -------------------------------------------------------------------

namespace {

// Sets the tenant's catalogue version to max(previous + 1, now in ms).
absl::Status BumpCatalogueVersion(PostgresEventStore::Conn& c,
                                  std::string_view tenant) {
  return c
      .Exec("catalogue version",
            "INSERT INTO catalogue_versions (tenant, version) VALUES ($1, $2) "
            "ON CONFLICT (tenant) DO UPDATE SET version=GREATEST("
            "catalogue_versions.version+1, EXCLUDED.version)",
            {P::Text(tenant), P::Int(NowMs())})
      .status();
}

// One page of `table` (activities or paths) after the token.
template <typename T>
absl::StatusOr<Page<T>> ReadPage(
    PostgresEventStore::Conn& c, const char* table, std::string_view tenant,
    std::string_view after, size_t n,
    absl::StatusOr<T> (*decode)(std::string_view)) {
  POLKU_ASSIGN_OR_RETURN(Result r,
                         c.Exec(table,
                                common::StrCat("SELECT data FROM ", table,
                                               " WHERE tenant=$1 AND id>$2 "
                                               "ORDER BY id LIMIT $3"),
                                {P::Text(tenant), P::Text(after),
                                 P::Int(static_cast<int64_t>(n + 1))}));
  Page<T> page;
  for (int i = 0; i < r.rows(); ++i) {
    if (page.items.size() == n) {
      page.next_page_token = EncodePageToken(page.items.back().id);
      break;
    }
    POLKU_ASSIGN_OR_RETURN(T item, decode(r.Bytes(i, 0)));
    page.items.push_back(std::move(item));
  }
  return page;
}

}  // namespace

absl::Status PostgresEventStore::UpsertActivities(
    std::string_view tenant, absl::Span<const learning::Activity> activities) {
  if (activities.empty()) return CheckOpen();
  return InTransaction([&](Conn& c) -> absl::Status {
    for (const learning::Activity& a : activities) {
      const std::string blob = EncodeActivity(a);
      POLKU_RETURN_IF_ERROR(
          c.Exec("activity",
                 "INSERT INTO activities (tenant, id, visible, data) "
                 "VALUES ($1, $2, $3, $4) ON CONFLICT (tenant, id) DO UPDATE "
                 "SET visible=EXCLUDED.visible, data=EXCLUDED.data",
                 {P::Text(tenant), P::Text(a.id), P::Bool(a.visible),
                  P::Bytes(blob)})
              .status());
    }
    return BumpCatalogueVersion(c, tenant);
  });
}

absl::Status PostgresEventStore::UpsertPaths(
    std::string_view tenant, absl::Span<const learning::LearningPath> paths) {
  if (paths.empty()) return CheckOpen();
  return InTransaction([&](Conn& c) -> absl::Status {
    for (const learning::LearningPath& p : paths) {
      const std::string blob = EncodePath(p);
      POLKU_RETURN_IF_ERROR(
          c.Exec("path",
                 "INSERT INTO paths (tenant, id, data) VALUES ($1, $2, $3) "
                 "ON CONFLICT (tenant, id) DO UPDATE SET data=EXCLUDED.data",
                 {P::Text(tenant), P::Text(p.id), P::Bytes(blob)})
              .status());
    }
    return BumpCatalogueVersion(c, tenant);
  });
}

absl::StatusOr<Page<learning::Activity>> PostgresEventStore::ListActivities(
    std::string_view tenant, size_t page_size, std::string_view page_token) {
  POLKU_ASSIGN_OR_RETURN(std::string after, DecodePageToken(page_token));
  Page<learning::Activity> page;
  POLKU_RETURN_IF_ERROR(OnConnection([&](Conn& c) -> absl::Status {
    POLKU_ASSIGN_OR_RETURN(
        page, ReadPage<learning::Activity>(c, "activities", tenant, after,
                                           EffectivePageSize(page_size),
                                           &DecodeActivity));
    return absl::OkStatus();
  }));
  return page;
}

absl::StatusOr<Page<learning::LearningPath>> PostgresEventStore::ListPaths(
    std::string_view tenant, size_t page_size, std::string_view page_token) {
  POLKU_ASSIGN_OR_RETURN(std::string after, DecodePageToken(page_token));
  Page<learning::LearningPath> page;
  POLKU_RETURN_IF_ERROR(OnConnection([&](Conn& c) -> absl::Status {
    POLKU_ASSIGN_OR_RETURN(
        page, ReadPage<learning::LearningPath>(c, "paths", tenant, after,
                                               EffectivePageSize(page_size),
                                               &DecodePath));
    return absl::OkStatus();
  }));
  return page;
}

absl::StatusOr<learning::CatalogueFile> PostgresEventStore::LoadCatalogue(
    std::string_view tenant) {
  learning::CatalogueFile file;
  // One snapshot: activities and paths of the same version.
  POLKU_RETURN_IF_ERROR(InTransaction(
      [&](Conn& c) -> absl::Status {
        file = learning::CatalogueFile();
        POLKU_ASSIGN_OR_RETURN(
            Result a, c.Exec("activities",
                             "SELECT data FROM activities WHERE tenant=$1 "
                             "ORDER BY id",
                             {P::Text(tenant)}));
        for (int i = 0; i < a.rows(); ++i) {
          POLKU_ASSIGN_OR_RETURN(learning::Activity x,
                                 DecodeActivity(a.Bytes(i, 0)));
          file.activities.push_back(std::move(x));
        }
        POLKU_ASSIGN_OR_RETURN(
            Result p,
            c.Exec("paths",
                   "SELECT data FROM paths WHERE tenant=$1 ORDER BY id",
                   {P::Text(tenant)}));
        for (int i = 0; i < p.rows(); ++i) {
          POLKU_ASSIGN_OR_RETURN(learning::LearningPath x,
                                 DecodePath(p.Bytes(i, 0)));
          file.paths.push_back(std::move(x));
        }
        return absl::OkStatus();
      },
      /*read_only=*/true));
  return file;
}

absl::StatusOr<int64_t> PostgresEventStore::CatalogueVersion(
    std::string_view tenant) {
  int64_t version = 0;
  POLKU_RETURN_IF_ERROR(OnConnection([&](Conn& c) -> absl::Status {
    POLKU_ASSIGN_OR_RETURN(version, ReadCatalogueVersion(c, tenant));
    return absl::OkStatus();
  }));
  return version;
}

absl::StatusOr<std::vector<std::string>> PostgresEventStore::CatalogueTenants(
    size_t max) {
  std::vector<std::string> out;
  POLKU_RETURN_IF_ERROR(OnConnection([&](Conn& c) -> absl::Status {
    POLKU_ASSIGN_OR_RETURN(
        Result r, c.Exec("catalogue tenants",
                         "SELECT tenant FROM catalogue_versions "
                         "ORDER BY version DESC, tenant LIMIT $1",
                         {P::Int(static_cast<int64_t>(std::min<size_t>(
                             max, std::numeric_limits<int64_t>::max())))}));
    for (int i = 0; i < r.rows(); ++i) out.push_back(r.Text(i, 0));
    return absl::OkStatus();
  }));
  return out;
}

// --- Recommendations, feedback, bandit
// --------------------------------------------

absl::Status PostgresEventStore::RecordServed(
    std::string_view tenant, absl::Span<const ServedRecommendation> served) {
  if (served.empty()) return CheckOpen();
  return InTransaction([&](Conn& c) -> absl::Status {
    for (const ServedRecommendation& s : served) {
      POLKU_RETURN_IF_ERROR(
          c.Exec(
               "served",
               "INSERT INTO served_recommendations (tenant, "
               "recommendation_id, learner_key, kind, target_id, segment, "
               "position, score, propensity, holdout, served_ms) VALUES "
               "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
               "ON CONFLICT (tenant, recommendation_id) DO UPDATE SET "
               "learner_key=EXCLUDED.learner_key, kind=EXCLUDED.kind, "
               "target_id=EXCLUDED.target_id, segment=EXCLUDED.segment, "
               "position=EXCLUDED.position, score=EXCLUDED.score, "
               "propensity=EXCLUDED.propensity, holdout=EXCLUDED.holdout, "
               "served_ms=EXCLUDED.served_ms",
               {P::Text(tenant), P::Text(s.recommendation_id),
                P::Text(s.learner_key), P::Text(s.kind), P::Text(s.target_id),
                P::Text(s.segment), P::Int(s.position), P::Real(s.score),
                P::Real(s.propensity), P::Bool(s.holdout), P::Int(s.served_ms)})
              .status());
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::optional<ServedRecommendation>>
PostgresEventStore::GetServed(std::string_view tenant,
                              std::string_view learner_key,
                              std::string_view recommendation_id) {
  std::optional<ServedRecommendation> out;
  POLKU_RETURN_IF_ERROR(OnConnection([&](Conn& c) -> absl::Status {
    POLKU_ASSIGN_OR_RETURN(
        Result r,
        c.Exec("served",
               common::StrCat(kServedColumns,
                              "WHERE tenant=$1 AND recommendation_id=$2 "
                              "AND learner_key=$3"),
               {P::Text(tenant), P::Text(recommendation_id),
                P::Text(learner_key)}));
    if (r.rows() > 0) out = ReadServed(r, 0);
    return absl::OkStatus();
  }));
  return out;
}

absl::Status PostgresEventStore::RecordFeedback(std::string_view tenant,
                                                const FeedbackRecord& f) {
  if (f.outcome == FeedbackOutcome::kUnspecified ||
      f.outcome > FeedbackOutcome::kCompleted) {
    return absl::InvalidArgumentError("outcome: is required");
  }
  return InTransaction([&](Conn& c) -> absl::Status {
    POLKU_ASSIGN_OR_RETURN(
        Result inserted,
        c.Exec("feedback",
               "INSERT INTO feedback (tenant, recommendation_id, outcome, "
               "learner_key, at_ms, kind, target_id, segment) VALUES "
               "($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
               {P::Text(tenant), P::Text(f.recommendation_id),
                P::Int(static_cast<int>(f.outcome)), P::Text(f.learner_key),
                P::Int(f.at_ms), P::Text(f.kind), P::Text(f.target_id),
                P::Text(f.segment)}));
    if (inserted.affected() == 0) return absl::OkStatus();  // seen before
    const bool success = f.outcome == FeedbackOutcome::kAccepted ||
                         f.outcome == FeedbackOutcome::kCompleted;
    return c
        .Exec("bandit arm",
              "INSERT INTO bandit_arms (tenant, segment, kind, successes, "
              "failures, shown) VALUES ($1, $2, $3, $4, $5, $6) "
              "ON CONFLICT (tenant, segment, kind) DO UPDATE SET "
              "successes=bandit_arms.successes+EXCLUDED.successes, "
              "failures=bandit_arms.failures+EXCLUDED.failures, "
              "shown=bandit_arms.shown+EXCLUDED.shown",
              {P::Text(tenant), P::Text(f.segment), P::Text(f.kind),
               P::Real(success ? 1 : 0),
               P::Real(f.outcome == FeedbackOutcome::kDismissed ? 1 : 0),
               P::Int(f.outcome == FeedbackOutcome::kShown ? 1 : 0)})
        .status();
  });
}

absl::StatusOr<std::vector<FeedbackRecord>> PostgresEventStore::ListFeedback(
    std::string_view tenant, std::string_view learner_key, int64_t since_ms) {
  std::vector<FeedbackRecord> out;
  POLKU_RETURN_IF_ERROR(OnConnection([&](Conn& c) -> absl::Status {
    POLKU_ASSIGN_OR_RETURN(out, ReadFeedback(c, tenant, learner_key, since_ms));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<BanditArm>> PostgresEventStore::GetBandit(
    std::string_view tenant) {
  std::vector<BanditArm> out;
  POLKU_RETURN_IF_ERROR(OnConnection([&](Conn& c) -> absl::Status {
    POLKU_ASSIGN_OR_RETURN(out, ReadBandit(c, tenant));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<RecommendationContext>
PostgresEventStore::ReadRecommendationContext(
    std::string_view tenant, std::string_view learner_key,
    const RecommendationQuery& query) {
  RecommendationContext out;
  // One snapshot, so the parts agree with each other.
  POLKU_RETURN_IF_ERROR(InTransaction(
      [&](Conn& c) -> absl::Status {
        out = RecommendationContext();
        POLKU_ASSIGN_OR_RETURN(out.opted_out,
                               ReadOptedOut(c, tenant, learner_key));
        if (out.opted_out) return absl::OkStatus();
        POLKU_ASSIGN_OR_RETURN(out.profile,
                               ReadProfile(c, tenant, learner_key));
        POLKU_ASSIGN_OR_RETURN(out.activities,
                               ReadActivityStates(c, tenant, learner_key));
        const std::vector<std::string> recent =
            MostRecentlyTouched(out.activities, query.recent_activities);
        if (!recent.empty()) {
          POLKU_ASSIGN_OR_RETURN(
              out.next_activities,
              ReadNextActivities(c, tenant, recent, query.next_limit));
        }
        POLKU_ASSIGN_OR_RETURN(
            out.feedback,
            ReadFeedback(c, tenant, learner_key, query.feedback_since_ms));
        POLKU_ASSIGN_OR_RETURN(out.bandit, ReadBandit(c, tenant));
        POLKU_ASSIGN_OR_RETURN(out.catalogue_version,
                               ReadCatalogueVersion(c, tenant));
        return absl::OkStatus();
      },
      /*read_only=*/true));
  return out;
}

// --- Learner data rights
// ------------------------------------------------------------

absl::Status PostgresEventStore::SetOptOut(std::string_view tenant,
                                           std::string_view learner_key,
                                           bool opted_out, int64_t now_ms) {
  const std::string hash = LearnerHash(tenant, learner_key);
  return OnConnection([&](Conn& c) -> absl::Status {
    if (opted_out) {
      return c
          .Exec("opt-out",
                "INSERT INTO optouts (tenant, learner_hash, since_ms) "
                "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                {P::Text(tenant), P::Text(hash), P::Int(now_ms)})
          .status();
    }
    return c
        .Exec("opt-in",
              "DELETE FROM optouts WHERE tenant=$1 AND learner_hash=$2",
              {P::Text(tenant), P::Text(hash)})
        .status();
  });
}

absl::StatusOr<bool> PostgresEventStore::IsOptedOut(
    std::string_view tenant, std::string_view learner_key) {
  bool out = false;
  POLKU_RETURN_IF_ERROR(OnConnection([&](Conn& c) -> absl::Status {
    POLKU_ASSIGN_OR_RETURN(out, ReadOptedOut(c, tenant, learner_key));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<LearnerState> PostgresEventStore::ExportLearnerState(
    std::string_view tenant, std::string_view learner_key) {
  LearnerState state;
  // One snapshot, so the parts agree with each other.
  POLKU_RETURN_IF_ERROR(InTransaction(
      [&](Conn& c) -> absl::Status {
        state = LearnerState();
        POLKU_ASSIGN_OR_RETURN(state.profile,
                               ReadProfile(c, tenant, learner_key));
        POLKU_ASSIGN_OR_RETURN(state.activities,
                               ReadActivityStates(c, tenant, learner_key));
        POLKU_ASSIGN_OR_RETURN(
            state.feedback, ReadFeedback(c, tenant, learner_key,
                                         std::numeric_limits<int64_t>::min()));
        POLKU_ASSIGN_OR_RETURN(state.opted_out,
                               ReadOptedOut(c, tenant, learner_key));
        POLKU_ASSIGN_OR_RETURN(
            Result served,
            c.Exec("served",
                   common::StrCat(kServedColumns,
                                  "WHERE tenant=$1 AND learner_key=$2 "
                                  "ORDER BY served_ms, recommendation_id"),
                   {P::Text(tenant), P::Text(learner_key)}));
        for (int i = 0; i < served.rows(); ++i) {
          state.served.push_back(ReadServed(served, i));
        }
        POLKU_ASSIGN_OR_RETURN(
            Result weeks,
            c.Exec("learner weeks",
                   "SELECT learner_key, week, org_unit, leadership, "
                   "development, events FROM learner_weeks WHERE tenant=$1 "
                   "AND learner_key=$2 ORDER BY week",
                   {P::Text(tenant), P::Text(learner_key)}));
        state.weeks = ReadWeeks(weeks);
        return absl::OkStatus();
      },
      /*read_only=*/true));
  return state;
}

}  // namespace polku::store
