// SqliteEventStore as a LearningStore: the conformance suite
// (learning_store_conformance.h), and what only SQLite has: the learner
// cache, reopening a file, what the file holds after erasure, migration
// from schema 1, backup/restore, and the projection's rows against the
// specification.
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <thread>
#include <tuple>

#include "common/status_matchers.h"
#include "gmock/gmock.h"
#include "learning/profile.h"
#include "store/learning_store_conformance.h"
#include "store/sqlite_backup.h"
#include "store/sqlite_event_store.h"
#include "store/sqlite_util.h"
#include "store/testing/learning_records.h"

namespace polku::store {
namespace {

using learning::Profile;
using learning::ProfileDelta;
using model::Dimension;
using model::Verb;
using ::polku::testing::StatusIs;
using store_test::ExpectSameProfile;
using store_test::Feedback;
using store_test::kDay;
using store_test::kMonday2024;
using store_test::kWeek2024;
using store_test::MakeActivity;
using store_test::ManyEvents;
using store_test::Near;
using store_test::Rec;
using store_test::Served;
using store_test::SumOf;
using store_test::ThirtyEvents;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

// A directory of its own per call: process ids are reused by later test
// processes, so a name made from one could hold an old database.
std::string TempDir() {
  std::string dir = (std::filesystem::temp_directory_path() /
                     "polku-learning-store-test-XXXXXX")
                        .string();
  EXPECT_NE(mkdtemp(dir.data()), nullptr);
  return dir;
}
std::string TempDbPath() { return TempDir() + "/polku.db"; }

std::unique_ptr<SqliteEventStore> OpenStore(const std::string& path) {
  auto store = SqliteEventStore::Open(path);
  EXPECT_TRUE(store.ok()) << store.status();
  return std::move(store).value();
}

INSTANTIATE_TEST_SUITE_P(Sqlite, LearningStoreConformance,
                         ::testing::Values(StoreFactory{
                             "Sqlite",
                             []() -> std::unique_ptr<EventStore> {
                               return OpenStore(TempDbPath());
                             }}),
                         [](const auto& info) { return info.param.name; });

TEST(SqliteLearningStore, ASmallLearnerCacheGivesTheSameProfiles) {
  SqliteEventStore::Options options;
  options.learner_cache_size = 2;  // most groups evict
  POLKU_ASSERT_OK_AND_ASSIGN(auto store,
                             SqliteEventStore::Open(TempDbPath(), options));
  std::vector<EventRecord> all;
  for (int l = 0; l < 6; ++l) {
    for (EventRecord& r : ThirtyEvents("L" + std::to_string(l))) {
      r.event_id += "-" + std::to_string(l);
      all.push_back(std::move(r));
    }
  }
  std::mt19937 rng(3);
  std::shuffle(all.begin(), all.end(), rng);
  for (size_t i = 0; i < all.size(); i += 5) {
    POLKU_ASSERT_OK(store->Append(absl::MakeConstSpan(all).subspan(
        i, std::min<size_t>(5, all.size() - i))));
  }
  for (int l = 0; l < 6; ++l) {
    const std::string key = "L" + std::to_string(l);
    std::vector<EventRecord> mine;
    for (const EventRecord& r : all) {
      if (r.learner_key == key) mine.push_back(r);
    }
    POLKU_ASSERT_OK_AND_ASSIGN(auto got, store->GetProfile("t1", key));
    ASSERT_TRUE(got.has_value());
    ExpectSameProfile(*got, SumOf(mine));
    EXPECT_EQ(got->sums.counts[0], 30);
  }
}

TEST(SqliteLearningStore, ProfileSurvivesReopen) {
  const std::string path = TempDbPath();
  const std::vector<EventRecord> events = ThirtyEvents("lms#1");
  {
    auto store = OpenStore(path);
    POLKU_ASSERT_OK(store->Append(events));
    POLKU_ASSERT_OK(store->Close());
  }
  auto store = OpenStore(path);
  POLKU_ASSERT_OK_AND_ASSIGN(auto got, store->GetProfile("t1", "lms#1"));
  ASSERT_TRUE(got.has_value());
  ExpectSameProfile(*got, SumOf(events));
  // And it keeps adding up after the reopen.
  EventRecord more = Rec("t1", "late", "lms#1", "obj1", kMonday2024 + 90 * kDay,
                         Verb::kCompleted);
  POLKU_ASSERT_OK(store->Append({more}));
  std::vector<EventRecord> all = events;
  all.push_back(more);
  POLKU_ASSERT_OK_AND_ASSIGN(got, store->GetProfile("t1", "lms#1"));
  ExpectSameProfile(*got, SumOf(all));
}

TEST(SqliteLearningStore, ErasureLeavesNoLearnerKeyInTheFile) {
  const std::string path = TempDbPath();
  const std::string key = "lms.example#secret-42";
  {
    auto store = OpenStore(path);
    POLKU_ASSERT_OK(store->Append(ThirtyEvents(key)));
    POLKU_ASSERT_OK(store->Append({Rec("t1", "other", "B", "obj1", 1)}));
    ServedRecommendation s = Served("r1", key, "REFLECT", "below");
    POLKU_ASSERT_OK(store->RecordServed("t1", {s}));
    POLKU_ASSERT_OK(store->RecordFeedback(
        "t1", Feedback(s, FeedbackOutcome::kAccepted, 1)));
    POLKU_ASSERT_OK(store->EraseLearner("t1", key, 5));
    POLKU_ASSERT_OK(store->Close());
  }
  std::string bytes;
  for (const char* suffix : {"", "-wal"}) {
    std::FILE* f = std::fopen((path + suffix).c_str(), "rb");
    if (f == nullptr) continue;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) bytes.append(buf, n);
    std::fclose(f);
  }
  ASSERT_FALSE(bytes.empty());
  EXPECT_EQ(bytes.find("secret-42"), std::string::npos);
}

// The released schema 1, as SqliteEventStore created it before the
// learning tables existed.
constexpr char kSchemaV1[] = R"sql(
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
    INSERT INTO events VALUES ('t1', 'old', 'A', 5, 6, 1, 6, 1, 'x', 'h',
                               '{}', '{}');
    PRAGMA user_version=1;
)sql";

TEST(SqliteLearningStore, MigratesASchemaOneDatabaseAndKeepsItsEvents) {
  const std::string path = TempDbPath();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, kSchemaV1, nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);

  auto store = OpenStore(path);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(*store->Count("t1"), 1);
  POLKU_ASSERT_OK_AND_ASSIGN(auto old, store->Get("t1", "old"));
  ASSERT_TRUE(old.has_value());
  EXPECT_EQ(old->object_id, "x");
  POLKU_ASSERT_OK_AND_ASSIGN(auto outcomes,
                             store->Append({Rec("t1", "new", "A", "y", 10)}));
  EXPECT_THAT(outcomes, ElementsAre(WriteOutcome::kAccepted));
  EXPECT_TRUE(store->GetProfile("t1", "A")->has_value());
  // The old event's id came through the migration (event_ids).
  EventRecord same = Rec("t1", "old", "A", "x", 5);
  same.content_hash = "h";
  EventRecord other = same;
  other.content_hash = "other";
  POLKU_ASSERT_OK_AND_ASSIGN(outcomes, store->Append({same, other}));
  EXPECT_THAT(outcomes,
              ElementsAre(WriteOutcome::kDuplicate, WriteOutcome::kConflict));
  POLKU_ASSERT_OK(store->Close());

  POLKU_ASSERT_OK_AND_ASSIGN(DatabaseInfo info, VerifyDatabase(path));
  EXPECT_EQ(info.schema_version, SqliteEventStore::SchemaVersion());
  EXPECT_EQ(info.schema_version, 5);
  EXPECT_EQ(info.events, 2);
}

TEST(SqliteLearningStore, MigratesServedRecommendationsToTheirLearners) {
  // A schema 3 database: served recommendations keyed by id alone, with
  // an index by learner; event ids in a unique index.
  const std::string path = TempDbPath();
  {
    auto store = OpenStore(path);
    ASSERT_NE(store, nullptr);
    POLKU_ASSERT_OK(store->Close());
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, R"sql(
    DROP TABLE event_ids;
    DROP TABLE event_ids_merged;
    CREATE UNIQUE INDEX events_by_id ON events (tenant, event_id);
    DROP TABLE served_recommendations;
    CREATE TABLE served_recommendations (
      tenant TEXT NOT NULL, recommendation_id TEXT NOT NULL,
      learner_key TEXT NOT NULL, kind TEXT NOT NULL, target_id TEXT NOT NULL,
      segment TEXT NOT NULL, position INTEGER NOT NULL, score REAL NOT NULL,
      propensity REAL NOT NULL, holdout INTEGER NOT NULL,
      served_ms INTEGER NOT NULL,
      PRIMARY KEY (tenant, recommendation_id)
    ) WITHOUT ROWID;
    CREATE INDEX served_by_learner
      ON served_recommendations (tenant, learner_key, served_ms);
    INSERT INTO served_recommendations VALUES
      ('t1', 'r1', 'A', 'REFLECT', 'x', 'below', 0, 0.5, 0.25, 0, 1000),
      ('t1', 'r2', 'B', 'APPLY_AT_WORK', 'y', 'inside', 1, 0.75, 1.0, 1, 2000);
    PRAGMA user_version=3;
  )sql",
                         nullptr, nullptr, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);

  auto store = OpenStore(path);
  ASSERT_NE(store, nullptr);
  POLKU_ASSERT_OK_AND_ASSIGN(auto r2, store->GetServed("t1", "B", "r2"));
  ASSERT_TRUE(r2.has_value());
  EXPECT_EQ(r2->kind, "APPLY_AT_WORK");
  EXPECT_EQ(r2->target_id, "y");
  EXPECT_EQ(r2->segment, "inside");
  EXPECT_EQ(r2->position, 1);
  EXPECT_DOUBLE_EQ(r2->score, 0.75);
  EXPECT_DOUBLE_EQ(r2->propensity, 1.0);
  EXPECT_TRUE(r2->holdout);
  EXPECT_EQ(r2->served_ms, 2000);
  EXPECT_FALSE(store->GetServed("t1", "A", "r2")->has_value());
  POLKU_ASSERT_OK_AND_ASSIGN(auto a, store->ExportLearnerState("t1", "A"));
  ASSERT_EQ(a.served.size(), 1u);
  EXPECT_EQ(a.served[0].recommendation_id, "r1");
  // Serving r1 again replaces it, as before.
  ServedRecommendation again = a.served[0];
  again.served_ms = 3000;
  POLKU_ASSERT_OK(store->RecordServed("t1", {again}));
  POLKU_ASSERT_OK_AND_ASSIGN(a, store->ExportLearnerState("t1", "A"));
  ASSERT_EQ(a.served.size(), 1u);
  EXPECT_EQ(a.served[0].served_ms, 3000);
  POLKU_ASSERT_OK(store->Close());
  POLKU_ASSERT_OK_AND_ASSIGN(DatabaseInfo info, VerifyDatabase(path));
  EXPECT_EQ(info.schema_version, 5);
}

TEST(SqliteLearningStore, BackupAndRestoreKeepTheLearningState) {
  const std::string path = TempDbPath();
  const std::vector<EventRecord> events = ThirtyEvents("lms#1");
  auto store = OpenStore(path);
  POLKU_ASSERT_OK(store->Append(events));
  POLKU_ASSERT_OK(store->UpsertActivities("t1", {MakeActivity("a1", 1)}));
  POLKU_ASSERT_OK(store->SetOptOut("t1", "lms#2", true, 1));
  // A backup of the running store (its latest commits are in the WAL).
  const std::string backup = TempDir() + "/backup.db";
  POLKU_ASSERT_OK(BackupDatabase(path, backup));
  POLKU_ASSERT_OK(store->Close());
  store.reset();

  const std::string data_dir = TempDir();
  POLKU_ASSERT_OK(RestoreDatabase(backup, data_dir));
  auto restored = OpenStore(data_dir + "/polku.db");
  POLKU_ASSERT_OK_AND_ASSIGN(auto profile, restored->GetProfile("t1", "lms#1"));
  ASSERT_TRUE(profile.has_value());
  ExpectSameProfile(*profile, SumOf(events));
  EXPECT_EQ(restored->LoadCatalogue("t1")->activities.size(), 1u);
  EXPECT_TRUE(*restored->IsOptedOut("t1", "lms#2"));
  EXPECT_FALSE(restored->GetActivityStates("t1", "lms#1")->empty());
}

TEST(SqliteLearningStore, OptOutTableDoesNotHoldTheLearnerKey) {
  const std::string path = TempDbPath();
  {
    auto store = OpenStore(path);
    POLKU_ASSERT_OK(store->SetOptOut("t1", "secret-learner#77", true, 1));
    POLKU_ASSERT_OK(store->Close());
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT learner_hash FROM optouts", -1,
                               &stmt, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  const std::string hash =
      reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  EXPECT_EQ(hash.size(), 64u);
  EXPECT_EQ(hash.find("secret"), std::string::npos);
}

// --- A group projects as the same events appended one by one ---------------

// One column of a dumped row: text and integers exactly, reals as numbers.
struct Cell {
  std::string text;
  double real = 0;
  bool is_real = false;
};
using Rows = std::vector<std::vector<Cell>>;

// `columns` of every row of `table`, in the order of `order_by`.
Rows Dump(const std::string& path, const std::string& table,
          const std::string& order_by, const std::string& columns = "*") {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  const std::string sql =
      "SELECT " + columns + " FROM " + table + " ORDER BY " + order_by;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  Rows rows;
  while (sqlite3_step(s) == SQLITE_ROW) {
    std::vector<Cell>& row = rows.emplace_back();
    for (int i = 0; i < sqlite3_column_count(s); ++i) {
      Cell& c = row.emplace_back();
      if (sqlite3_column_type(s, i) == SQLITE_FLOAT) {
        c.is_real = true;
        c.real = sqlite3_column_double(s, i);
      } else {
        const unsigned char* t = sqlite3_column_text(s, i);
        c.text = t != nullptr ? reinterpret_cast<const char*>(t) : "";
      }
    }
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return rows;
}

void ExpectSameRows(const Rows& got, const Rows& want, const char* table) {
  ASSERT_EQ(got.size(), want.size()) << table;
  for (size_t r = 0; r < got.size(); ++r) {
    ASSERT_EQ(got[r].size(), want[r].size()) << table;
    for (size_t c = 0; c < got[r].size(); ++c) {
      ASSERT_EQ(got[r][c].is_real, want[r][c].is_real) << table;
      if (got[r][c].is_real) {
        Near(got[r][c].real, want[r][c].real, table);
      } else {
        EXPECT_EQ(got[r][c].text, want[r][c].text)
            << table << " row " << r << " column " << c;
      }
    }
  }
}

// The learner state of every table the projection writes.
struct Projected {
  Rows activity_states, transitions, cooccurrence, weeks;
  std::vector<Profile> profiles;
};

Projected ReadProjected(const std::string& path,
                        const std::vector<std::string>& learners) {
  Projected p;
  {
    auto store = OpenStore(path);
    for (const std::string& l : learners) {
      auto profile = store->GetProfile("t1", l);
      EXPECT_TRUE(profile.ok() && profile->has_value()) << l;
      if (profile.ok() && profile->has_value()) {
        p.profiles.push_back(**profile);
      }
    }
    POLKU_EXPECT_OK(store->Close());
  }
  p.activity_states =
      Dump(path, "activity_states", "tenant, learner_key, object_id");
  p.transitions =
      Dump(path, "transitions", "tenant, learner_key, from_object, to_object");
  p.cooccurrence = Dump(path, "cooccurrence", "tenant, from_object, to_object");
  // Not org_unit: a week row takes the learner's org unit as known when the
  // row is written (after each event one by one, after the whole group in
  // a group), which depends on arrival order either way.
  p.weeks = Dump(path, "learner_weeks", "tenant, learner_key, week",
                 "tenant, learner_key, week, leadership, development, events");
  return p;
}

void ExpectSameProjection(const Projected& got, const Projected& want) {
  ExpectSameRows(got.activity_states, want.activity_states, "activity_states");
  ExpectSameRows(got.transitions, want.transitions, "transitions");
  ExpectSameRows(got.cooccurrence, want.cooccurrence, "cooccurrence");
  ExpectSameRows(got.weeks, want.weeks, "learner_weeks");
  ASSERT_EQ(got.profiles.size(), want.profiles.size());
  for (size_t i = 0; i < got.profiles.size(); ++i) {
    ExpectSameProfile(got.profiles[i], want.profiles[i]);
  }
}

// The projection as learning_store.h specifies it, event by event in
// arrival order, in plain maps: what the store's tables must hold.
Projected Reference(const std::vector<EventRecord>& events) {
  struct State {
    int64_t first = 0, last = 0, completed = 0, events = 0;
  };
  struct Week {
    double leadership = 0, development = 0;
    int64_t events = 0;
  };
  std::set<std::string> seen;
  std::map<std::pair<std::string, std::string>, State> states;
  std::map<std::tuple<std::string, std::string, std::string>, int64_t> trans;
  std::map<std::pair<std::string, std::string>, int64_t> cooc;
  std::map<std::pair<std::string, int64_t>, Week> weeks;
  for (const EventRecord& r : events) {
    if (!seen.insert(r.event_id).second) continue;  // a duplicate
    const ProfileDelta& d = *r.delta;
    const std::string& object = d.object_id.empty() ? r.object_id : d.object_id;
    const int64_t at = r.occurred_at_ms;
    const bool completed =
        d.has[static_cast<size_t>(learning::Signal::kCompletion)];
    auto key = std::make_pair(r.learner_key, object);
    auto it = states.find(key);
    if (it == states.end()) {
      const std::string* previous = nullptr;
      int64_t previous_first = 0;
      for (const auto& [k, st] : states) {
        if (k.first != r.learner_key || st.first > at) continue;
        if (previous == nullptr || st.first > previous_first ||
            (st.first == previous_first && k.second > *previous)) {
          previous = &k.second;
          previous_first = st.first;
        }
      }
      if (previous != nullptr) {
        ++trans[{r.learner_key, *previous, object}];
        ++cooc[{*previous, object}];
      }
      states[key] = State{at, at, completed ? at : 0, 1};
    } else {
      State& st = it->second;
      st.first = std::min(st.first, at);
      st.last = std::max(st.last, at);
      if (completed) {
        st.completed = st.completed == 0 ? at : std::min(st.completed, at);
      }
      ++st.events;
    }
    const int64_t week =
        kWeek2024 + (at - kMonday2024) / (7 * kDay);  // all after 2024-01-01
    Week& w = weeks[{r.learner_key, week}];
    const double g = d.growth > 0 ? d.growth : 1;
    w.leadership += d.sums.leadership / g;
    w.development += d.sums.development / g;
    ++w.events;
  }
  auto text = [](const std::string& t) { return Cell{t, 0, false}; };
  auto integer = [](int64_t v) { return Cell{std::to_string(v), 0, false}; };
  auto real = [](double v) { return Cell{"", v, true}; };
  Projected p;
  for (const auto& [k, st] : states) {
    p.activity_states.push_back({text("t1"), text(k.first), text(k.second),
                                 integer(st.first), integer(st.last),
                                 integer(st.completed), integer(st.events)});
  }
  for (const auto& [k, n] : trans) {
    p.transitions.push_back({text("t1"), text(std::get<0>(k)),
                             text(std::get<1>(k)), text(std::get<2>(k)),
                             integer(n)});
  }
  for (const auto& [k, n] : cooc) {
    p.cooccurrence.push_back(
        {text("t1"), text(k.first), text(k.second), integer(n)});
  }
  for (const auto& [k, w] : weeks) {
    p.weeks.push_back({text("t1"), text(k.first), integer(k.second),
                       real(w.leadership), real(w.development),
                       integer(w.events)});
  }
  return p;
}

TEST(SqliteLearningStore, OneGroupProjectsAsTheSameEventsOneByOne) {
  std::mt19937 rng(11);
  const std::vector<EventRecord> events = ManyEvents(rng);
  const std::vector<std::string> learners = {"L0", "L1", "L2"};

  const std::string one_by_one = TempDbPath();
  {
    auto store = OpenStore(one_by_one);
    for (const EventRecord& r : events) POLKU_ASSERT_OK(store->Append({r}));
  }
  const Projected want = ReadProjected(one_by_one, learners);
  ASSERT_FALSE(want.transitions.empty());
  ASSERT_FALSE(want.cooccurrence.empty());
  // One by one, the store holds what the specification says.
  Projected spec = Reference(events);
  for (const std::string& l : learners) {
    std::vector<EventRecord> mine;
    std::set<std::string> ids;
    for (const EventRecord& r : events) {
      if (r.learner_key == l && ids.insert(r.event_id).second) {
        mine.push_back(r);
      }
    }
    spec.profiles.push_back(SumOf(mine));
  }
  ExpectSameProjection(want, spec);

  // All in one group.
  const std::string grouped = TempDbPath();
  {
    auto store = OpenStore(grouped);
    POLKU_ASSERT_OK_AND_ASSIGN(auto outcomes, store->Append(events));
    EXPECT_EQ(
        std::count(outcomes.begin(), outcomes.end(), WriteOutcome::kDuplicate),
        1);
  }
  ExpectSameProjection(ReadProjected(grouped, learners), want);

  // Groups of varying size, with a learner cache so small that learners
  // are reloaded from the database between groups.
  const std::string evicted = TempDbPath();
  {
    SqliteEventStore::Options options;
    options.learner_cache_size = 1;
    POLKU_ASSERT_OK_AND_ASSIGN(auto store,
                               SqliteEventStore::Open(evicted, options));
    size_t i = 0;
    while (i < events.size()) {
      const size_t n = std::min<size_t>(1 + rng() % 40, events.size() - i);
      POLKU_ASSERT_OK(store->Append(absl::MakeConstSpan(events).subspan(i, n)));
      i += n;
    }
  }
  ExpectSameProjection(ReadProjected(evicted, learners), want);
}

// The learner cache keeps a profile in an encoding of its own between
// group commits; decoding must give back every field, into a profile that
// held something else.
TEST(SqliteLearningStore, LearnerCacheEncodingKeepsEveryProfileField) {
  std::mt19937_64 rng(11);
  const std::string strings[] = {"",
                                 "e-1",
                                 "e-2",
                                 "https://lms.example/mod/page/view.php?id=1",
                                 "rule.a",
                                 "rule.b",
                                 std::string(300, 'x')};
  auto pick = [&] { return strings[rng() % std::size(strings)]; };
  auto number = [&]() -> double {
    switch (rng() % 5) {
      case 0:
        return 0;
      case 1:
        return -0.0;
      case 2:
        return std::numeric_limits<double>::denorm_min();
      default:
        return static_cast<double>(rng() % 1000000) / 7.0 - 1000;
    }
  };
  auto time = [&]() -> int64_t {
    switch (rng() % 5) {
      case 0:
        return 0;
      case 1:
        return std::numeric_limits<int64_t>::min();
      case 2:
        return std::numeric_limits<int64_t>::max();
      default:
        return kMonday2024 + static_cast<int64_t>(rng() % 1000000000) - 5000;
    }
  };
  auto random_profile = [&] {
    Profile p;
    for (double& v : p.sums.score_sum) v = number();
    for (double& v : p.sums.weight_sum) v = number();
    p.sums.leadership = number();
    p.sums.development = number();
    for (double& v : p.sums.signals) v = number();
    for (int64_t& c : p.sums.counts) {
      c = rng() % 4 == 0 ? -static_cast<int64_t>(rng() % 5)
                         : static_cast<int64_t>(rng() % 100000);
    }
    for (learning::Latest& l : p.latest) {
      if (rng() % 3 == 0) continue;  // never set
      l.at_ms = time();
      l.event_id = pick();
      l.object_id = pick();
      for (uint64_t k = rng() % 4; k > 0; --k) l.rule_ids.push_back(pick());
    }
    p.first_event_ms = time();
    p.last_event_ms = time();
    p.org_unit = pick();
    p.org_unit_at_ms = time();
    p.role = pick();
    p.role_at_ms = time();
    return p;
  };
  Profile into = random_profile();
  for (int i = 0; i < 300; ++i) {
    const Profile p = random_profile();
    std::string encoded;
    sqlite_internal::EncodeCachedProfile(p, &encoded);
    encoded += "rest";  // what follows it in the cache's state
    std::string_view in = encoded;
    ASSERT_TRUE(sqlite_internal::DecodeCachedProfile(&in, &into)) << i;
    EXPECT_EQ(in, "rest");
    ASSERT_EQ(learning::EncodeProfile(into), learning::EncodeProfile(p)) << i;
    for (size_t n = 0; n + 4 < encoded.size(); ++n) {
      std::string_view cut(encoded.data(), n);
      Profile q;
      EXPECT_FALSE(sqlite_internal::DecodeCachedProfile(&cut, &q)) << n;
    }
  }
  // The usual case is well under half of the stored encoding.
  std::vector<EventRecord> events = ThirtyEvents("lms#1");
  std::string encoded;
  sqlite_internal::EncodeCachedProfile(SumOf(events), &encoded);
  EXPECT_LT(encoded.size() * 2, learning::EncodeProfile(SumOf(events)).size());
}

// Learners kept in the cache between groups (their state encoded and
// decoded again for every group) project exactly as learners read back
// from the database for every group, through opt-out, erasure and
// evictions: the same profiles bit for bit (latest evidence, org unit and
// role with their times), the same activity states, transitions,
// co-occurrence and weeks.
TEST(SqliteLearningStore, CachedLearnersProjectAsLearnersReadBack) {
  std::mt19937 rng(29);
  const Verb verbs[] = {Verb::kViewed, Verb::kReplied, Verb::kCompleted};
  const std::string rules[] = {"format.course", "social.discussion",
                               "initiative.self_enrolled"};
  std::vector<std::string> learners;
  for (int l = 0; l < 12; ++l) learners.push_back("lms#" + std::to_string(l));
  std::vector<EventRecord> events;
  for (int i = 0; i < 1500; ++i) {
    const std::string& learner = learners[rng() % learners.size()];
    // Object ids that share long prefixes, and short ones.
    const std::string object =
        rng() % 4 == 0 ? "o" + std::to_string(rng() % 5)
                       : "https://lms.example/mod/page/view.php?id=" +
                             std::to_string(rng() % 40);
    const int64_t at = kMonday2024 + static_cast<int64_t>(rng() % 60) * kDay +
                       static_cast<int64_t>(rng() % 3);
    EventRecord r = Rec("t1", "ev-" + std::to_string(i), learner, object, at,
                        verbs[rng() % 3],
                        rng() % 5 == 0 ? "unit-" + std::to_string(i % 3) : "");
    auto delta = std::make_shared<ProfileDelta>(*r.delta);
    for (uint32_t k = rng() % 3; k > 0; --k) {
      delta->rule_ids.push_back(rules[rng() % std::size(rules)]);
    }
    if (rng() % 6 == 0) delta->role = "role-" + std::to_string(rng() % 3);
    r.delta = std::move(delta);
    events.push_back(std::move(r));
    if (rng() % 50 == 0) events.push_back(events[rng() % events.size()]);
  }
  const std::string kept = TempDbPath();
  const std::string reread = TempDbPath();
  {
    SqliteEventStore::Options big;  // every learner stays cached
    SqliteEventStore::Options small;
    small.learner_cache_size = 1;  // every learner is read back
    POLKU_ASSERT_OK_AND_ASSIGN(auto a, SqliteEventStore::Open(kept, big));
    POLKU_ASSERT_OK_AND_ASSIGN(auto b, SqliteEventStore::Open(reread, small));
    size_t i = 0;
    int round = 0;
    while (i < events.size()) {
      const size_t n = std::min<size_t>(1 + rng() % 30, events.size() - i);
      auto span = absl::MakeConstSpan(events).subspan(i, n);
      POLKU_ASSERT_OK_AND_ASSIGN(auto got_a, a->Append(span));
      POLKU_ASSERT_OK_AND_ASSIGN(auto got_b, b->Append(span));
      EXPECT_EQ(got_a, got_b);
      i += n;
      ++round;
      if (round == 20 || round == 40) {  // out and back in
        for (auto* s : {a.get(), b.get()}) {
          POLKU_ASSERT_OK(s->SetOptOut("t1", "lms#3", round == 20, 1));
        }
      }
      if (round == 30) {
        for (auto* s : {a.get(), b.get()}) {
          POLKU_ASSERT_OK(s->EraseLearner("t1", "lms#5", 1).status());
        }
      }
    }
    for (const std::string& l : learners) {
      POLKU_ASSERT_OK_AND_ASSIGN(auto pa, a->GetProfile("t1", l));
      POLKU_ASSERT_OK_AND_ASSIGN(auto pb, b->GetProfile("t1", l));
      ASSERT_EQ(pa.has_value(), pb.has_value()) << l;
      if (!pa.has_value()) {
        EXPECT_EQ(l, "lms#5");
        continue;
      }
      EXPECT_EQ(learning::EncodeProfile(*pa), learning::EncodeProfile(*pb))
          << l;
      EXPECT_GT(pa->sums.counts[0], 0);
    }
    POLKU_ASSERT_OK(a->Close());
    POLKU_ASSERT_OK(b->Close());
  }
  learners.erase(std::find(learners.begin(), learners.end(), "lms#5"));
  ExpectSameProjection(ReadProjected(kept, learners),
                       ReadProjected(reread, learners));
}

}  // namespace
}  // namespace polku::store
