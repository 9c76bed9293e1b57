// Benchmarks of the SQLite store's group commit: SqliteEventStore::Append
// with and without the projection (profile deltas), for a realistic shape
// (2,000 learners x 50 activities, a third of the events first touches,
// times mostly increasing with a day of jitter), in batches of 100 and
// 2,000 records; and a raw-SQLite ceiling that writes the same event rows
// and the same profile upserts with the same pragmas and no Polku logic, so
// that Polku can be reported as a ratio of it. Also MakeRecord, which the
// ingestor calls once per event before Append.
//
// Every Append benchmark starts from an empty database and writes the same
// kEvents records in fixed iterations, so runs are comparable. The machine
// these run on is shared, so the time measured is the process's CPU time
// (all threads: Append hands its records to the store's writer thread);
// items_per_second is events per CPU second, and wall_events_per_s the
// same per wall-clock second. Run with
//   build/<dir>/services/bench/polku_store_benchmark
// (synchronous=NORMAL, as the measurements in the store's notes).
#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "learning/profile.h"
#include "model/event_codec.h"
#include "model/learning_event.h"
#include "model/rules.h"
#include "model/tagger.h"
#include "model/tags.h"
#include "store/event_store.h"
#include "store/sqlite_event_store.h"
#include "store/sqlite_page_cache.h"
#include "store/sqlite_wal_vfs.h"

namespace polku {
namespace {

constexpr int kLearners = 2000;
constexpr int kActivities = 50;
constexpr int kEventsPerLearner = 30;
constexpr int kEvents = kLearners * kEventsPerLearner;  // 60,000
constexpr int64_t kStartMs = 1704067200000;             // 2024-01-01T00:00Z
constexpr int64_t kDayMs = 86400000;

void Die(const std::string& what) {
  std::fprintf(stderr, "%s\n", what.c_str());
  std::abort();
}

std::string TempDbPath() {
  static std::atomic<int> counter{0};
  auto dir = std::filesystem::temp_directory_path() /
             ("polku-store-bench-" + std::to_string(getpid())) /
             std::to_string(counter++);
  std::filesystem::create_directories(dir);
  return (dir / "polku.db").string();
}

void RemoveDb(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(std::filesystem::path(path).parent_path(), ec);
}

// The real tags: the default rules, as the service loads them.
const model::Tagger& DefaultTagger() {
  static const model::Tagger* tagger = [] {
    auto rules =
        model::RuleSet::Load(POLKU_SOURCE_DIR "/deploy/config/rules.yaml");
    if (!rules.ok()) Die(rules.status().ToString());
    return new model::Tagger(*std::move(rules));
  }();
  return *tagger;
}

// One event as the ingestor sees it, before MakeRecord.
struct Source {
  model::LearningEvent event;
  model::EventTags tags;
};

// The event stream: learners in random order, each event a first touch of
// one of the learner's untouched activities with probability 1/3 (the first
// event of a learner always is), otherwise a revisit.
const std::vector<Source>& Sources() {
  static const std::vector<Source>* sources = [] {
    auto* out = new std::vector<Source>();
    out->reserve(kEvents);
    std::mt19937 rng(20240101);
    std::vector<int> touched(kLearners, 0);
    std::vector<std::vector<int>> order(kLearners);
    for (auto& o : order) {
      for (int a = 0; a < kActivities; ++a) o.push_back(a);
      std::shuffle(o.begin(), o.end(), rng);
    }
    const model::Verb kVerbs[] = {model::Verb::kViewed, model::Verb::kReplied,
                                  model::Verb::kViewed,
                                  model::Verb::kCompleted};
    std::vector<int> remaining(kLearners, kEventsPerLearner);
    std::vector<int> live(kLearners);
    for (int l = 0; l < kLearners; ++l) live[l] = l;
    for (int i = 0; i < kEvents; ++i) {
      const size_t pick = rng() % live.size();
      const int l = live[pick];
      if (--remaining[l] == 0) {
        live[pick] = live.back();
        live.pop_back();
      }
      int activity;
      if (touched[l] == 0 || (touched[l] < kActivities && rng() % 3 == 0)) {
        activity = order[l][touched[l]++];
      } else {
        activity = order[l][rng() % touched[l]];
      }
      Source s;
      model::LearningEvent& e = s.event;
      e.event_id = "ev-" + std::to_string(i) + "-" + std::to_string(rng());
      e.source.platform = model::Platform::kMoodle;
      e.source.instance = "lms.example.org";
      e.source.event_type = "\\mod_resource\\event\\course_module_viewed";
      const int64_t jitter = static_cast<int64_t>(rng() % kDayMs);
      e.occurred_at_ms = kStartMs + int64_t{i} * 60000 + jitter;
      e.learner.key = "moodle#" + std::to_string(100000 + l);
      e.learner.org_unit = "unit-" + std::to_string(l % 40);
      e.verb = kVerbs[rng() % 4];
      e.object.type = e.verb == model::Verb::kReplied
                          ? model::ObjectType::kDiscussion
                          : model::ObjectType::kResource;
      e.object.id = "cm-" + std::to_string(5000 + activity);
      e.object.name = "Activity " + std::to_string(activity);
      e.context.course_id = "course-42";
      s.tags = DefaultTagger().Tag(e);
      out->push_back(std::move(s));
    }
    return out;
  }();
  return *sources;
}

std::vector<store::EventRecord> Records(bool with_deltas) {
  std::vector<store::EventRecord> out;
  out.reserve(kEvents);
  const learning::ProfileConfig config;
  for (const Source& s : Sources()) {
    out.push_back(store::MakeRecord("tenant-a", s.event, s.tags,
                                    s.event.occurred_at_ms + 1000));
    if (with_deltas) {
      out.back().delta = std::make_shared<const learning::ProfileDelta>(
          learning::MakeDelta(config, s.event, s.tags));
    }
  }
  return out;
}

const std::vector<store::EventRecord>& CachedRecords(bool with_deltas) {
  static const auto* with = new std::vector<store::EventRecord>(Records(true));
  static const auto* without =
      new std::vector<store::EventRecord>(Records(false));
  return with_deltas ? *with : *without;
}

// Args: batch size, 1 with deltas / 0 without.
void BM_SqliteAppend(benchmark::State& state) {
  const size_t batch = static_cast<size_t>(state.range(0));
  const bool with_deltas = state.range(1) != 0;
  const std::vector<store::EventRecord>& records = CachedRecords(with_deltas);
  const std::string path = TempDbPath();
  store::SqliteEventStore::Options options;
  options.durability = store::SqliteEventStore::Durability::kNormal;
  auto opened = store::SqliteEventStore::Open(path, options);
  if (!opened.ok()) Die(opened.status().ToString());
  std::unique_ptr<store::SqliteEventStore> db = std::move(opened).value();
  size_t next = 0;
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    const size_t n = std::min(batch, records.size() - next);
    auto outcomes = db->Append(absl::MakeConstSpan(records).subspan(next, n));
    if (!outcomes.ok()) Die(outcomes.status().ToString());
    next += n;
  }
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  state.SetItemsProcessed(static_cast<int64_t>(next));
  state.counters["wall_events_per_s"] = static_cast<double>(next) / wall;
  auto count = db->Count("tenant-a");
  if (!count.ok() || *count != static_cast<int64_t>(next)) {
    Die("store benchmark: wrong event count");
  }
  db->Close().IgnoreError();
  db.reset();
  RemoveDb(path);
}
BENCHMARK(BM_SqliteAppend)
    ->ArgNames({"batch", "deltas"})
    ->Args({100, 0})
    ->Iterations(kEvents / 100)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime();
BENCHMARK(BM_SqliteAppend)
    ->ArgNames({"batch", "deltas"})
    ->Args({100, 1})
    ->Iterations(kEvents / 100)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime();
BENCHMARK(BM_SqliteAppend)
    ->ArgNames({"batch", "deltas"})
    ->Args({2000, 0})
    ->Iterations(kEvents / 2000)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime();
BENCHMARK(BM_SqliteAppend)
    ->ArgNames({"batch", "deltas"})
    ->Args({2000, 1})
    ->Iterations(kEvents / 2000)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime();

// --- The raw-SQLite ceiling --------------------------------------------------

void Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    Die(std::string("sqlite: ") + (err != nullptr ? err : "?") + " in " + sql);
  }
}

sqlite3_stmt* Prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK) {
    Die(std::string("sqlite: ") + sqlite3_errmsg(db));
  }
  return s;
}

void BindText(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
}

void Step(sqlite3* db, sqlite3_stmt* s) {
  if (sqlite3_step(s) != SQLITE_DONE) {
    Die(std::string("sqlite: ") + sqlite3_errmsg(db));
  }
  sqlite3_reset(s);
}

// The same event rows, in the same table and indexes (the store's schema
// for `events` and `profiles`), with the same pragmas as
// SqliteEventStore with Durability::kNormal; with profiles, one upsert per
// distinct learner of the batch with a blob of the size the store writes.
// No lookups, no projection. (The store writes event ids to event_ids in
// one sorted pass per SqliteEventStore::Options::merge_ids_at events,
// 200,000: a run of 60,000 reaches none, in the store either.) The optional
// third argument 1 commits with synchronous=FULL, as polku-server does by
// default (durability "full"), so that `make bench` can compare the server with
// the ceiling of the pragmas it really runs with. The optional fourth argument
// 1 opens the database through the store's WAL-batching VFS (sqlite_wal_vfs.h),
// as the server does: the ceiling of SQLite written the way Polku writes it.
// Args: batch size, 1 with profile upserts / 0 without[, 1 FULL / 0 NORMAL
// [, 1 Polku's VFS / 0 SQLite's default]].
void BM_RawSqliteCeiling(benchmark::State& state) {
  const size_t batch = static_cast<size_t>(state.range(0));
  const bool with_profiles = state.range(1) != 0;
  const bool full_sync = state.range(2) != 0;
  const bool wal_batching = state.range(3) != 0;
  const std::vector<store::EventRecord>& records = CachedRecords(true);
  // A typical encoded profile: every learner's after all of its events.
  std::string blob;
  {
    learning::Profile p;
    for (const store::EventRecord& r : records) {
      if (r.learner_key == records.front().learner_key) p.Add(*r.delta);
    }
    blob = learning::EncodeProfile(p);
  }
  const std::string path = TempDbPath();
  // The page cache layer Polku's store runs SQLite with (installed by the
  // first store opened in this process, or here), so that the ceiling
  // gains what the store gains from it.
  store::InstallSqlitePageCache();
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(
          path.c_str(), &db,
          SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
          wal_batching ? store::WalBatchingVfsName() : nullptr) != SQLITE_OK) {
    Die("cannot open " + path);
  }
  Exec(db, full_sync ? "PRAGMA journal_mode=WAL;PRAGMA synchronous=FULL;"
                     : "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;");
  Exec(db,
       "PRAGMA foreign_keys=ON;PRAGMA secure_delete=ON;"
       "PRAGMA cache_size=-65536;PRAGMA wal_autocheckpoint=10000;");
  Exec(db, R"sql(
    CREATE TABLE events (
      tenant TEXT NOT NULL, event_id TEXT NOT NULL,
      learner_key TEXT NOT NULL, occurred_at_ms INTEGER NOT NULL,
      received_at_ms INTEGER NOT NULL, platform INTEGER NOT NULL,
      verb INTEGER NOT NULL, mode INTEGER NOT NULL, object_id TEXT NOT NULL,
      content_hash TEXT NOT NULL, body TEXT NOT NULL, tags TEXT NOT NULL);
    CREATE INDEX events_by_learner
      ON events (tenant, learner_key, occurred_at_ms);
    CREATE TABLE profiles (
      tenant TEXT NOT NULL, learner_key TEXT NOT NULL,
      org_unit TEXT NOT NULL, role TEXT NOT NULL,
      last_event_ms INTEGER NOT NULL, data BLOB NOT NULL,
      PRIMARY KEY (tenant, learner_key));
    CREATE INDEX profiles_by_org_unit
      ON profiles (tenant, org_unit, learner_key);
  )sql");
  sqlite3_stmt* insert = Prepare(
      db,
      "INSERT INTO events (tenant, event_id, learner_key, occurred_at_ms, "
      "received_at_ms, platform, verb, mode, object_id, content_hash, body, "
      "tags) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
  sqlite3_stmt* upsert =
      Prepare(db,
              "INSERT INTO profiles (tenant, learner_key, org_unit, role, "
              "last_event_ms, data) VALUES (?,?,?,?,?,?) "
              "ON CONFLICT (tenant, learner_key) DO UPDATE SET "
              "org_unit=excluded.org_unit, role=excluded.role, "
              "last_event_ms=excluded.last_event_ms, data=excluded.data");
  std::unordered_set<std::string_view> learners;
  size_t next = 0;
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    const size_t n = std::min(batch, records.size() - next);
    Exec(db, "BEGIN IMMEDIATE");
    learners.clear();
    for (size_t i = next; i < next + n; ++i) {
      const store::EventRecord& r = records[i];
      BindText(insert, 1, r.tenant);
      BindText(insert, 2, r.event_id);
      BindText(insert, 3, r.learner_key);
      sqlite3_bind_int64(insert, 4, r.occurred_at_ms);
      sqlite3_bind_int64(insert, 5, r.received_at_ms);
      sqlite3_bind_int64(insert, 6, static_cast<int64_t>(r.platform));
      sqlite3_bind_int64(insert, 7, static_cast<int64_t>(r.verb));
      sqlite3_bind_int64(insert, 8, static_cast<int64_t>(r.mode));
      BindText(insert, 9, r.object_id);
      BindText(insert, 10, r.content_hash);
      BindText(insert, 11, r.body_json);
      BindText(insert, 12, r.tags_json);
      Step(db, insert);
      if (with_profiles && learners.insert(r.learner_key).second) {
        BindText(upsert, 1, r.tenant);
        BindText(upsert, 2, r.learner_key);
        BindText(upsert, 3, r.delta->org_unit);
        BindText(upsert, 4, r.delta->role);
        sqlite3_bind_int64(upsert, 5, r.occurred_at_ms);
        sqlite3_bind_blob(upsert, 6, blob.data(), static_cast<int>(blob.size()),
                          SQLITE_STATIC);
        Step(db, upsert);
      }
    }
    Exec(db, "COMMIT");
    next += n;
  }
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  state.SetItemsProcessed(static_cast<int64_t>(next));
  state.counters["wall_events_per_s"] = static_cast<double>(next) / wall;
  sqlite3_finalize(insert);
  sqlite3_finalize(upsert);
  sqlite3_close(db);
  RemoveDb(path);
}
// The variants `make bench` reads (FULL, with profiles, both VFSes) and
// the NORMAL ones next to the store's own benchmark above.
const int kRawCeilingsRegistered = [] {
  constexpr int64_t kVariants[][4] = {
      // batch, profiles, full, vfs
      {100, 1, 1, 0}, {2000, 1, 1, 0}, {100, 1, 1, 1},  {2000, 1, 1, 1},
      {100, 0, 0, 0}, {100, 1, 0, 0},  {2000, 0, 0, 0}, {2000, 1, 0, 0}};
  for (const auto& v : kVariants) {
    benchmark::RegisterBenchmark("BM_RawSqliteCeiling", BM_RawSqliteCeiling)
        ->ArgNames({"batch", "profiles", "full", "vfs"})
        ->Args({v[0], v[1], v[2], v[3]})
        ->Iterations(kEvents / v[0])
        ->Unit(benchmark::kMillisecond)
        ->MeasureProcessCPUTime();
  }
  return 0;
}();

// --- MakeRecord --------------------------------------------------------------

void BM_MakeRecord(benchmark::State& state) {
  const std::vector<Source>& sources = Sources();
  size_t i = 0;
  for (auto _ : state) {
    const Source& s = sources[i++ % sources.size()];
    store::EventRecord r =
        store::MakeRecord("tenant-a", s.event, s.tags, s.event.occurred_at_ms);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_MakeRecord);

}  // namespace
}  // namespace polku
