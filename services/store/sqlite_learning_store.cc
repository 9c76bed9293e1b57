// The LearningStore half of SqliteEventStore: the projection of accepted
// events at ingest, the learner state's erasure, and the catalogue,
// recommendation, feedback, bandit and opt-out tables. The schema is the
// 1 -> 2 migration in sqlite_event_store.cc.
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <limits>
#include <unordered_map>

#include "common/status_macros.h"
#include "common/str_cat.h"
#include "store/learning_codec.h"
#include "store/sqlite_event_store.h"
#include "store/sqlite_util.h"

namespace polku::store {
namespace {

using sqlite_internal::Connection;
using sqlite_internal::Exec;
using sqlite_internal::LearnerHash;
using sqlite_internal::RunDone;
using sqlite_internal::SqlError;
using sqlite_internal::Stmt;
using sqlite_internal::Transaction;

// Weeks are counted from Monday 1970-01-05T00:00Z.
constexpr int64_t kFirstMondayMs = 4 * 86400000LL;
constexpr int64_t kWeekMs = 7 * 86400000LL;

int64_t WeekOf(int64_t ms) {
  const int64_t x = ms - kFirstMondayMs;
  int64_t q = x / kWeekMs;
  if (x % kWeekMs < 0) --q;  // floor, also before 1970
  return q;
}

constexpr size_t SignalIndex(learning::Signal s) {
  return static_cast<size_t>(s);
}

// Rows handed to a callback per reader-lock hold.
constexpr int64_t kChunk = 512;

// Reads one page of `table` (activities or paths) after the token.
template <typename T>
absl::StatusOr<Page<T>> ReadPage(
    Connection& db, const char* table, std::string_view tenant,
    size_t page_size, std::string_view page_token,
    absl::StatusOr<T> (*decode)(std::string_view)) {
  POLKU_ASSIGN_OR_RETURN(std::string after, DecodePageToken(page_token));
  const size_t n = EffectivePageSize(page_size);
  Stmt s(db, common::StrCat("SELECT data FROM ", table,
                            " WHERE tenant=?1 AND id>?2 ORDER BY id LIMIT ?3")
                 .c_str());
  if (!s.ok()) return SqlError(db, "prepare");
  s.Bind(1, tenant);
  s.Bind(2, after);
  s.Bind(3, static_cast<int64_t>(n + 1));
  Page<T> page;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    if (page.items.size() == n) {
      page.next_page_token = EncodePageToken(page.items.back().id);
      break;
    }
    POLKU_ASSIGN_OR_RETURN(T item, decode(s.Blob(0)));
    page.items.push_back(std::move(item));
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return SqlError(db, table);
  return page;
}

// --- Reads shared by the getters, ExportLearnerState and
// ReadRecommendationContext -------------------------------------------------

absl::StatusOr<std::optional<learning::Profile>> ReadProfile(
    Connection& db, std::string_view tenant, std::string_view learner_key) {
  Stmt s(db, "SELECT data FROM profiles WHERE tenant=? AND learner_key=?");
  if (!s.ok()) return SqlError(db, "prepare");
  s.Bind(1, tenant);
  s.Bind(2, learner_key);
  const int rc = s.Step();
  if (rc == SQLITE_DONE) return std::nullopt;
  if (rc != SQLITE_ROW) return SqlError(db, "profile");
  POLKU_ASSIGN_OR_RETURN(learning::Profile p,
                         learning::DecodeProfile(s.Blob(0)));
  return p;
}

absl::StatusOr<std::vector<ActivityState>> ReadActivityStates(
    Connection& db, std::string_view tenant, std::string_view learner_key) {
  Stmt s(db,
         "SELECT object_id, first_ms, last_ms, completed_ms, events "
         "FROM activity_states WHERE tenant=? AND learner_key=? "
         "ORDER BY first_ms, object_id");
  if (!s.ok()) return SqlError(db, "prepare");
  s.Bind(1, tenant);
  s.Bind(2, learner_key);
  std::vector<ActivityState> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    ActivityState a;
    a.object_id = s.Text(0);
    a.first_ms = s.Int(1);
    a.last_ms = s.Int(2);
    a.completed_ms = s.Int(3);
    a.events = s.Int(4);
    out.push_back(std::move(a));
  }
  if (rc != SQLITE_DONE) return SqlError(db, "activity states");
  return out;
}

ServedRecommendation ReadServedRow(const Stmt& s) {
  ServedRecommendation r;
  r.recommendation_id = s.Text(0);
  r.learner_key = s.Text(1);
  r.kind = s.Text(2);
  r.target_id = s.Text(3);
  r.segment = s.Text(4);
  r.position = static_cast<int32_t>(s.Int(5));
  r.score = s.Double(6);
  r.propensity = s.Double(7);
  r.holdout = s.Int(8) != 0;
  r.served_ms = s.Int(9);
  return r;
}

constexpr char kServedColumns[] =
    "SELECT recommendation_id, learner_key, kind, target_id, segment, "
    "position, score, propensity, holdout, served_ms "
    "FROM served_recommendations ";

absl::StatusOr<std::vector<FeedbackRecord>> ReadFeedback(
    Connection& db, std::string_view tenant, std::string_view learner_key,
    int64_t since_ms) {
  Stmt s(db,
         "SELECT recommendation_id, outcome, at_ms, kind, target_id, segment "
         "FROM feedback WHERE tenant=? AND learner_key=? AND at_ms>=? "
         "ORDER BY at_ms, recommendation_id, outcome");
  if (!s.ok()) return SqlError(db, "prepare");
  s.Bind(1, tenant);
  s.Bind(2, learner_key);
  s.Bind(3, since_ms);
  std::vector<FeedbackRecord> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    FeedbackRecord f;
    f.recommendation_id = s.Text(0);
    f.learner_key = std::string(learner_key);
    f.outcome = static_cast<FeedbackOutcome>(s.Int(1));
    f.at_ms = s.Int(2);
    f.kind = s.Text(3);
    f.target_id = s.Text(4);
    f.segment = s.Text(5);
    out.push_back(std::move(f));
  }
  if (rc != SQLITE_DONE) return SqlError(db, "feedback");
  return out;
}

absl::StatusOr<bool> ReadOptedOut(Connection& db, std::string_view tenant,
                                  std::string_view learner_key) {
  Stmt s(db, "SELECT 1 FROM optouts WHERE tenant=? AND learner_hash=?");
  if (!s.ok()) return SqlError(db, "prepare");
  const std::string hash = LearnerHash(tenant, learner_key);
  s.Bind(1, tenant);
  s.Bind(2, hash);
  const int rc = s.Step();
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqlError(db, "opt-out");
}

absl::StatusOr<std::vector<std::pair<std::string, double>>> ReadNextActivities(
    Connection& db, std::string_view tenant, absl::Span<const std::string> from,
    size_t limit) {
  std::unordered_map<std::string, double> sum;
  Stmt s(db,
         "SELECT to_object, n FROM cooccurrence "
         "WHERE tenant=? AND from_object=?");
  if (!s.ok()) return SqlError(db, "prepare");
  std::vector<std::string_view> seen;
  for (const std::string& f : from) {
    if (std::find(seen.begin(), seen.end(), f) != seen.end()) continue;
    seen.push_back(f);
    s.Reset();
    s.Bind(1, tenant);
    s.Bind(2, f);
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      sum[s.Text(0)] += static_cast<double>(s.Int(1));
    }
    if (rc != SQLITE_DONE) return SqlError(db, "co-occurrence");
  }
  std::vector<std::pair<std::string, double>> out(sum.begin(), sum.end());
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  if (out.size() > limit) out.resize(limit);
  return out;
}

absl::StatusOr<std::vector<BanditArm>> ReadBandit(Connection& db,
                                                  std::string_view tenant) {
  Stmt s(db,
         "SELECT segment, kind, successes, failures, shown FROM bandit_arms "
         "WHERE tenant=? ORDER BY segment, kind");
  if (!s.ok()) return SqlError(db, "prepare");
  s.Bind(1, tenant);
  std::vector<BanditArm> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    BanditArm a;
    a.segment = s.Text(0);
    a.kind = s.Text(1);
    a.successes = s.Double(2);
    a.failures = s.Double(3);
    a.shown = s.Int(4);
    out.push_back(std::move(a));
  }
  if (rc != SQLITE_DONE) return SqlError(db, "bandit");
  return out;
}

absl::StatusOr<int64_t> ReadCatalogueVersion(Connection& db,
                                             std::string_view tenant) {
  Stmt s(db, "SELECT version FROM catalogue_versions WHERE tenant=?");
  if (!s.ok()) return SqlError(db, "prepare");
  s.Bind(1, tenant);
  const int rc = s.Step();
  if (rc == SQLITE_DONE) return int64_t{0};
  if (rc != SQLITE_ROW) return SqlError(db, "catalogue version");
  return s.Int(0);
}

// Runs `sql` (bound ?1 = tenant, ?2 = learner key) to completion.
absl::Status RunForLearner(sqlite3* db, const char* sql,
                           std::string_view tenant,
                           std::string_view learner_key) {
  Stmt s(db, sql);
  if (!s.ok()) return SqlError(db, "prepare");
  s.Bind(1, tenant);
  s.Bind(2, learner_key);
  return RunDone(db, s, "erase learner state");
}

}  // namespace

// --- Projection at ingest ----------------------------------------------------

absl::Status SqliteEventStore::Project(const EventRecord& r,
                                       GroupLearner& learner) {
  CommitStatements& st = *statements_;
  CachedLearner& cached = *learner.cached;
  if (!cached.projection_loaded) {
    if (learner.learner_hash.empty()) {
      learner.learner_hash = LearnerHash(learner.tenant, learner.learner_key);
    }
    Stmt& optout = st.optout;
    optout.Bind(1, learner.tenant);
    optout.Bind(2, learner.learner_hash);
    int rc = optout.Step();
    optout.Reset();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
      return SqlError(writer_, "opt-out lookup");
    }
    cached.opted_out = rc == SQLITE_ROW;
    if (!cached.opted_out) {
      Stmt& get = st.get_profile;
      get.Bind(1, learner.tenant);
      get.Bind(2, learner.learner_key);
      rc = get.Step();
      if (rc == SQLITE_ROW) {
        auto profile = learning::DecodeProfile(get.Blob(0));
        get.Reset();
        if (!profile.ok()) return profile.status();
        learner.profile = *std::move(profile);
        cached.profile_stored = true;
        learner.stored_org_unit = learner.profile.org_unit;
      } else {
        get.Reset();
        if (rc != SQLITE_DONE) return SqlError(writer_, "profile lookup");
        learner.profile = learning::Profile();
        cached.profile_stored = false;
        learner.stored_org_unit.clear();
      }
      // Every activity the learner touched, in object_id order (the
      // primary key's), for first-touch detection and the previous
      // activity.
      Stmt& acts = st.get_activities;
      acts.Bind(1, learner.tenant);
      acts.Bind(2, learner.learner_key);
      learner.touched.clear();
      while ((rc = acts.Step()) == SQLITE_ROW) {
        GroupLearner::Touched& t = learner.touched.emplace_back();
        t.object_id = learner.new_ids.emplace_back(acts.View(0));
        t.first_ms = acts.Int(1);
      }
      acts.Reset();
      if (rc != SQLITE_DONE) return SqlError(writer_, "activity states");
      learner.projection_ready = true;
    }
    cached.projection_loaded = true;
  } else if (!learner.projection_ready && !cached.opted_out) {
    // Seen by an earlier group: its state is in the cache, compact.
    if (!learner.LoadState()) {
      return absl::InternalError("learner cache: malformed learner state");
    }
    learner.projection_ready = true;
  }
  if (cached.opted_out) return absl::OkStatus();

  const learning::ProfileDelta& d = *r.delta;
  const int64_t at = r.occurred_at_ms;
  learner.profile.Add(d);
  learner.profile_dirty = true;

  // Activity state, and on a first touch the transition from the activity
  // first touched just before it: the one with the greatest (first_ms,
  // object_id) at or before `at`, as if read from activity_states after
  // each earlier event of the group was applied.
  const std::string_view object =
      d.object_id.empty() ? std::string_view(r.object_id) : d.object_id;
  if (!object.empty()) {
    const bool completed = d.has[SignalIndex(learning::Signal::kCompletion)];
    const int64_t completed_ms = completed ? at : 0;
    std::vector<GroupLearner::Touched>& touched = learner.touched;
    auto it =
        std::lower_bound(touched.begin(), touched.end(), object,
                         [](const GroupLearner::Touched& t,
                            std::string_view o) { return t.object_id < o; });
    if (it == touched.end() || it->object_id != object) {
      const GroupLearner::Touched* previous = nullptr;
      for (const GroupLearner::Touched& t : touched) {
        if (t.first_ms > at) continue;
        if (previous == nullptr || t.first_ms > previous->first_ms ||
            (t.first_ms == previous->first_ms &&
             t.object_id > previous->object_id)) {
          previous = &t;
        }
      }
      const std::string_view id = learner.new_ids.emplace_back(object);
      if (previous != nullptr) {
        learner.transitions.emplace_back(previous->object_id, id);
        ++cache_->cooccurrence[std::make_tuple(std::string(learner.tenant),
                                               std::string(previous->object_id),
                                               std::string(id))];
      }
      it = touched.emplace(it);
      it->object_id = id;
      it->first_ms = at;
      it->delta = static_cast<int32_t>(learner.activity_deltas.size());
      GroupLearner::ActivityDelta& a = learner.activity_deltas.emplace_back();
      a.first_ms = at;
      a.last_ms = at;
      a.completed_ms = completed_ms;
      a.events = 1;
    } else {
      if (it->delta < 0) {
        it->delta = static_cast<int32_t>(learner.activity_deltas.size());
        GroupLearner::ActivityDelta& a = learner.activity_deltas.emplace_back();
        a.first_ms = at;
        a.last_ms = at;
        a.completed_ms = completed_ms;
        a.events = 1;
        a.stored_first_ms = it->first_ms;
      } else {
        GroupLearner::ActivityDelta& a =
            learner.activity_deltas[static_cast<size_t>(it->delta)];
        a.first_ms = std::min(a.first_ms, at);
        a.last_ms = std::max(a.last_ms, at);
        if (completed_ms != 0) {
          a.completed_ms = a.completed_ms == 0
                               ? completed_ms
                               : std::min(a.completed_ms, completed_ms);
        }
        a.events += 1;
      }
      it->first_ms = std::min(it->first_ms, at);
    }
  }

  // The week row, undecayed: the sums divided by the growth factor.
  const int64_t week = WeekOf(at);
  const double g = d.growth > 0 ? d.growth : 1;
  GroupLearner::Week* w = nullptr;
  for (auto it = learner.weeks.rbegin(); it != learner.weeks.rend(); ++it) {
    if (it->week == week) {
      w = &*it;
      break;
    }
  }
  if (w == nullptr) {
    learner.weeks.emplace_back();
    w = &learner.weeks.back();
    w->week = week;
  }
  w->leadership += d.sums.leadership / g;
  w->development += d.sums.development / g;
  w->events += 1;
  return absl::OkStatus();
}

absl::Status SqliteEventStore::FlushLearner(GroupLearner& learner) {
  if (!learner.profile_dirty) return absl::OkStatus();
  CommitStatements& st = *statements_;
  const std::string blob = learning::EncodeProfile(learner.profile);
  bool updated = false;
  if (learner.cached->profile_stored &&
      learner.stored_org_unit == learner.profile.org_unit) {
    Stmt& update = st.update_profile;
    update.Bind(1, learner.tenant);
    update.Bind(2, learner.learner_key);
    update.Bind(3, learner.profile.role);
    update.Bind(4, learner.profile.last_event_ms);
    update.BindBlob(5, blob);
    POLKU_RETURN_IF_ERROR(RunDone(writer_, update, "profile"));
    updated = sqlite3_changes(writer_) == 1;
  }
  if (!updated) {
    Stmt& put = st.put_profile;
    put.Bind(1, learner.tenant);
    put.Bind(2, learner.learner_key);
    put.Bind(3, learner.profile.org_unit);
    put.Bind(4, learner.profile.role);
    put.Bind(5, learner.profile.last_event_ms);
    put.BindBlob(6, blob);
    POLKU_RETURN_IF_ERROR(RunDone(writer_, put, "profile"));
    learner.cached->profile_stored = true;
    learner.stored_org_unit = learner.profile.org_unit;
  }
  Stmt& add = st.add_week;
  std::sort(learner.weeks.begin(), learner.weeks.end(),
            [](const GroupLearner::Week& a, const GroupLearner::Week& b) {
              return a.week < b.week;
            });
  for (const GroupLearner::Week& w : learner.weeks) {
    add.Bind(1, learner.tenant);
    add.Bind(2, learner.learner_key);
    add.Bind(3, w.week);
    add.Bind(4, learner.profile.org_unit);
    add.BindDouble(5, w.leadership);
    add.BindDouble(6, w.development);
    add.Bind(7, w.events);
    POLKU_RETURN_IF_ERROR(RunDone(writer_, add, "learner week"));
  }
  if (!learner.activity_deltas.empty()) {
    // `touched` is in object_id order, so the rows go in key order.
    Stmt& act = st.add_activity;
    for (GroupLearner::Touched& t : learner.touched) {
      if (t.delta < 0) continue;
      const GroupLearner::ActivityDelta& a =
          learner.activity_deltas[static_cast<size_t>(t.delta)];
      t.delta = -1;
      if (a.stored_first_ms != 0 && a.first_ms >= a.stored_first_ms) {
        Stmt& update = st.update_activity;
        update.Bind(1, learner.tenant);
        update.Bind(2, learner.learner_key);
        update.Bind(3, t.object_id);
        update.Bind(4, a.last_ms);
        update.Bind(5, a.completed_ms);
        update.Bind(6, a.events);
        POLKU_RETURN_IF_ERROR(RunDone(writer_, update, "activity state"));
        if (sqlite3_changes(writer_) == 1) continue;
      }
      act.Bind(1, learner.tenant);
      act.Bind(2, learner.learner_key);
      act.Bind(3, t.object_id);
      act.Bind(4, a.first_ms);
      act.Bind(5, a.last_ms);
      act.Bind(6, a.completed_ms);
      act.Bind(7, a.events);
      POLKU_RETURN_IF_ERROR(RunDone(writer_, act, "activity state"));
    }
  }
  std::sort(learner.transitions.begin(), learner.transitions.end());
  Stmt& tr = st.add_transition;
  for (size_t i = 0; i < learner.transitions.size();) {
    size_t j = i + 1;
    while (j < learner.transitions.size() &&
           learner.transitions[j] == learner.transitions[i]) {
      ++j;
    }
    tr.Bind(1, learner.tenant);
    tr.Bind(2, learner.learner_key);
    tr.Bind(3, learner.transitions[i].first);
    tr.Bind(4, learner.transitions[i].second);
    tr.Bind(5, static_cast<int64_t>(j - i));
    POLKU_RETURN_IF_ERROR(RunDone(writer_, tr, "transition"));
    i = j;
  }
  // Written: the next group starts from here (a failed commit clears the
  // whole cache instead).
  learner.profile_dirty = false;
  learner.weeks.clear();
  learner.activity_deltas.clear();
  learner.transitions.clear();
  return absl::OkStatus();
}

absl::Status SqliteEventStore::FlushCooccurrence() {
  Stmt& co = statements_->add_cooccurrence;
  for (const auto& [key, n] : cache_->cooccurrence) {
    co.Bind(1, std::get<0>(key));
    co.Bind(2, std::get<1>(key));
    co.Bind(3, std::get<2>(key));
    co.Bind(4, n);
    POLKU_RETURN_IF_ERROR(RunDone(writer_, co, "co-occurrence"));
  }
  cache_->cooccurrence.clear();
  return absl::OkStatus();
}

// --- Erasure
// -------------------------------------------------------------------

absl::Status SqliteEventStore::EraseLearnerState(std::string_view tenant,
                                                 std::string_view learner_key) {
  sqlite3* const db = writer_;
  // Take the learner's own contributions out of the tenant-wide aggregates
  // first, while the rows that say what they were still exist.
  constexpr const char* kSteps[] = {
      "UPDATE cooccurrence SET n = n - t.dn FROM ("
      "  SELECT from_object AS f, to_object AS o, n AS dn FROM transitions"
      "  WHERE tenant=?1 AND learner_key=?2) AS t "
      "WHERE cooccurrence.tenant=?1 AND cooccurrence.from_object=t.f"
      "  AND cooccurrence.to_object=t.o",
      "DELETE FROM cooccurrence WHERE tenant=?1 AND n<=0 AND "
      "(from_object, to_object) IN (SELECT from_object, to_object "
      "FROM transitions WHERE tenant=?1 AND learner_key=?2)",
      "UPDATE bandit_arms SET shown = shown - f.d_shown,"
      "  successes = successes - f.d_successes,"
      "  failures = failures - f.d_failures "
      "FROM (SELECT segment AS s, kind AS k, sum(outcome=1) AS d_shown,"
      "  sum(outcome IN (2, 4)) AS d_successes, sum(outcome=3) AS d_failures"
      "  FROM feedback WHERE tenant=?1 AND learner_key=?2"
      "  GROUP BY segment, kind) AS f "
      "WHERE bandit_arms.tenant=?1 AND bandit_arms.segment=f.s"
      "  AND bandit_arms.kind=f.k",
      "DELETE FROM bandit_arms WHERE tenant=?1 AND shown<=0 AND successes<=0 "
      "AND failures<=0 AND (segment, kind) IN (SELECT segment, kind "
      "FROM feedback WHERE tenant=?1 AND learner_key=?2)",
      "DELETE FROM transitions WHERE tenant=?1 AND learner_key=?2",
      "DELETE FROM feedback WHERE tenant=?1 AND learner_key=?2",
      "DELETE FROM served_recommendations WHERE tenant=?1 AND learner_key=?2",
      "DELETE FROM profiles WHERE tenant=?1 AND learner_key=?2",
      "DELETE FROM activity_states WHERE tenant=?1 AND learner_key=?2",
      "DELETE FROM learner_weeks WHERE tenant=?1 AND learner_key=?2",
  };
  for (const char* sql : kSteps) {
    POLKU_RETURN_IF_ERROR(RunForLearner(db, sql, tenant, learner_key));
  }
  const std::string hash = LearnerHash(tenant, learner_key);
  return RunForLearner(db,
                       "DELETE FROM optouts WHERE tenant=?1 AND "
                       "learner_hash=?2",
                       tenant, hash);
}

absl::Status SqliteEventStore::DeleteTenantState(std::string_view tenant) {
  constexpr const char* kTables[] = {
      "profiles",     "activity_states",    "transitions",
      "cooccurrence", "learner_weeks",      "activities",
      "paths",        "catalogue_versions", "served_recommendations",
      "feedback",     "bandit_arms",        "optouts",
  };
  for (const char* table : kTables) {
    Stmt s(writer_,
           common::StrCat("DELETE FROM ", table, " WHERE tenant=?").c_str());
    if (!s.ok()) return SqlError(writer_, "prepare");
    s.Bind(1, tenant);
    POLKU_RETURN_IF_ERROR(RunDone(writer_, s, table));
  }
  return absl::OkStatus();
}

// --- Profiles and what learners did ----------------------------------------

absl::StatusOr<std::optional<learning::Profile>> SqliteEventStore::GetProfile(
    std::string_view tenant, std::string_view learner_key) {
  ReaderPool::Lease reader(*readers_);
  return ReadProfile(*reader, tenant, learner_key);
}

absl::Status SqliteEventStore::ForEachProfile(
    std::string_view tenant, std::string_view org_unit,
    const std::function<void(std::string_view, const learning::Profile&)>& fn) {
  std::string after;
  bool first = true;
  for (;;) {
    std::vector<std::pair<std::string, learning::Profile>> chunk;
    {
      ReaderPool::Lease reader(*readers_);
      Stmt s(*reader, common::StrCat("SELECT learner_key, data FROM profiles "
                                     "WHERE tenant=?1 AND learner_key",
                                     first ? ">=" : ">", "?2",
                                     org_unit.empty() ? "" : " AND org_unit=?4",
                                     " ORDER BY learner_key LIMIT ?3")
                          .c_str());
      if (!s.ok()) return SqlError(reader.db(), "prepare");
      s.Bind(1, tenant);
      s.Bind(2, after);
      s.Bind(3, kChunk);
      if (!org_unit.empty()) s.Bind(4, org_unit);
      int rc;
      while ((rc = s.Step()) == SQLITE_ROW) {
        POLKU_ASSIGN_OR_RETURN(learning::Profile p,
                               learning::DecodeProfile(s.Blob(1)));
        chunk.emplace_back(s.Text(0), std::move(p));
      }
      if (rc != SQLITE_DONE) return SqlError(reader.db(), "profiles");
    }
    for (const auto& [key, profile] : chunk) fn(key, profile);
    if (static_cast<int64_t>(chunk.size()) < kChunk) return absl::OkStatus();
    after = std::move(chunk.back().first);
    first = false;
  }
}

absl::StatusOr<std::vector<ActivityState>> SqliteEventStore::GetActivityStates(
    std::string_view tenant, std::string_view learner_key) {
  ReaderPool::Lease reader(*readers_);
  return ReadActivityStates(*reader, tenant, learner_key);
}

absl::StatusOr<std::vector<std::pair<std::string, double>>>
SqliteEventStore::NextActivities(std::string_view tenant,
                                 absl::Span<const std::string> from,
                                 size_t limit) {
  ReaderPool::Lease reader(*readers_);
  return ReadNextActivities(*reader, tenant, from, limit);
}

absl::StatusOr<std::vector<LearnerWeek>> SqliteEventStore::ListWeeks(
    std::string_view tenant, std::string_view org_unit, int64_t from_week) {
  ReaderPool::Lease reader(*readers_);
  Stmt s(*reader,
         common::StrCat("SELECT learner_key, week, org_unit, leadership, "
                        "development, events FROM learner_weeks "
                        "WHERE tenant=?1 AND week>=?2",
                        org_unit.empty() ? "" : " AND org_unit=?3",
                        " ORDER BY week, learner_key")
             .c_str());
  if (!s.ok()) return SqlError(reader.db(), "prepare");
  s.Bind(1, tenant);
  s.Bind(2, from_week);
  if (!org_unit.empty()) s.Bind(3, org_unit);
  std::vector<LearnerWeek> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    LearnerWeek w;
    w.learner_key = s.Text(0);
    w.week = s.Int(1);
    w.org_unit = s.Text(2);
    w.leadership = s.Double(3);
    w.development = s.Double(4);
    w.events = s.Int(5);
    out.push_back(std::move(w));
  }
  if (rc != SQLITE_DONE) return SqlError(reader.db(), "learner weeks");
  return out;
}

absl::Status SqliteEventStore::ForEachCompletionSequence(
    std::string_view tenant,
    const std::function<void(std::string_view,
                             const std::vector<std::string>&)>& fn) {
  std::string after;
  bool first = true;
  for (;;) {
    // A chunk of learners, then all their completions: a learner's sequence
    // is never split between chunks.
    std::vector<std::pair<std::string, std::vector<std::string>>> chunk;
    {
      ReaderPool::Lease reader(*readers_);
      Stmt learners(*reader,
                    common::StrCat("SELECT DISTINCT learner_key FROM "
                                   "activity_states WHERE tenant=?1 AND "
                                   "learner_key",
                                   first ? ">=" : ">",
                                   "?2 AND completed_ms>0 "
                                   "ORDER BY learner_key LIMIT ?3")
                        .c_str());
      Stmt rows(*reader,
                "SELECT learner_key, object_id FROM activity_states "
                "WHERE tenant=?1 AND learner_key>=?2 AND learner_key<=?3 "
                "AND completed_ms>0 "
                "ORDER BY learner_key, completed_ms, object_id");
      if (!learners.ok() || !rows.ok()) return SqlError(reader.db(), "prepare");
      learners.Bind(1, tenant);
      learners.Bind(2, after);
      learners.Bind(3, kChunk);
      int rc;
      while ((rc = learners.Step()) == SQLITE_ROW) {
        chunk.emplace_back(learners.Text(0), std::vector<std::string>());
      }
      if (rc != SQLITE_DONE) return SqlError(reader.db(), "completions");
      if (!chunk.empty()) {
        rows.Bind(1, tenant);
        rows.Bind(2, chunk.front().first);
        rows.Bind(3, chunk.back().first);
        size_t i = 0;
        while ((rc = rows.Step()) == SQLITE_ROW) {
          const std::string_view key = rows.View(0);
          while (i < chunk.size() && chunk[i].first != key) ++i;
          if (i == chunk.size()) break;  // cannot happen: same snapshot
          chunk[i].second.push_back(rows.Text(1));
        }
        if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
          return SqlError(reader.db(), "completions");
        }
      }
    }
    for (const auto& [key, completed] : chunk) {
      if (!completed.empty()) fn(key, completed);
    }
    if (static_cast<int64_t>(chunk.size()) < kChunk) return absl::OkStatus();
    after = std::move(chunk.back().first);
    first = false;
  }
}

// --- Catalogue ---------------------------------------------------------------

namespace {

// Sets the tenant's catalogue version to max(previous + 1, now in ms).
absl::Status BumpCatalogueVersion(sqlite3* db, std::string_view tenant) {
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count();
  Stmt s(db,
         "INSERT INTO catalogue_versions (tenant, version) VALUES (?,?) "
         "ON CONFLICT (tenant) DO UPDATE SET "
         "version=max(version+1, excluded.version)");
  if (!s.ok()) return SqlError(db, "prepare");
  s.Bind(1, tenant);
  s.Bind(2, now_ms);
  return RunDone(db, s, "catalogue version");
}

}  // namespace

absl::Status SqliteEventStore::UpsertActivities(
    std::string_view tenant, absl::Span<const learning::Activity> activities) {
  POLKU_RETURN_IF_ERROR(CheckOpen());
  if (activities.empty()) return absl::OkStatus();
  absl::MutexLock w(&writer_mu_);
  Transaction tx(*writer_statements_);
  POLKU_RETURN_IF_ERROR(tx.status());
  Stmt s(writer_,
         "INSERT INTO activities (tenant, id, visible, data) VALUES (?,?,?,?) "
         "ON CONFLICT (tenant, id) DO UPDATE SET "
         "visible=excluded.visible, data=excluded.data");
  if (!s.ok()) return SqlError(writer_, "prepare");
  for (const learning::Activity& a : activities) {
    const std::string blob = EncodeActivity(a);
    s.Bind(1, tenant);
    s.Bind(2, a.id);
    s.Bind(3, int64_t{a.visible ? 1 : 0});
    s.BindBlob(4, blob);
    POLKU_RETURN_IF_ERROR(RunDone(writer_, s, "activity"));
  }
  POLKU_RETURN_IF_ERROR(BumpCatalogueVersion(writer_, tenant));
  return tx.Commit();
}

absl::Status SqliteEventStore::UpsertPaths(
    std::string_view tenant, absl::Span<const learning::LearningPath> paths) {
  POLKU_RETURN_IF_ERROR(CheckOpen());
  if (paths.empty()) return absl::OkStatus();
  absl::MutexLock w(&writer_mu_);
  Transaction tx(*writer_statements_);
  POLKU_RETURN_IF_ERROR(tx.status());
  Stmt s(writer_,
         "INSERT INTO paths (tenant, id, data) VALUES (?,?,?) "
         "ON CONFLICT (tenant, id) DO UPDATE SET data=excluded.data");
  if (!s.ok()) return SqlError(writer_, "prepare");
  for (const learning::LearningPath& p : paths) {
    const std::string blob = EncodePath(p);
    s.Bind(1, tenant);
    s.Bind(2, p.id);
    s.BindBlob(3, blob);
    POLKU_RETURN_IF_ERROR(RunDone(writer_, s, "path"));
  }
  POLKU_RETURN_IF_ERROR(BumpCatalogueVersion(writer_, tenant));
  return tx.Commit();
}

absl::StatusOr<Page<learning::Activity>> SqliteEventStore::ListActivities(
    std::string_view tenant, size_t page_size, std::string_view page_token) {
  ReaderPool::Lease reader(*readers_);
  return ReadPage<learning::Activity>(*reader, "activities", tenant, page_size,
                                      page_token, &DecodeActivity);
}

absl::StatusOr<Page<learning::LearningPath>> SqliteEventStore::ListPaths(
    std::string_view tenant, size_t page_size, std::string_view page_token) {
  ReaderPool::Lease reader(*readers_);
  return ReadPage<learning::LearningPath>(*reader, "paths", tenant, page_size,
                                          page_token, &DecodePath);
}

absl::StatusOr<learning::CatalogueFile> SqliteEventStore::LoadCatalogue(
    std::string_view tenant) {
  ReaderPool::Lease reader(*readers_);
  // One read transaction: activities and paths of the same version.
  Transaction snapshot(*reader, Transaction::kSnapshot);
  POLKU_RETURN_IF_ERROR(snapshot.status());
  learning::CatalogueFile file;
  Stmt a(*reader, "SELECT data FROM activities WHERE tenant=? ORDER BY id");
  Stmt p(*reader, "SELECT data FROM paths WHERE tenant=? ORDER BY id");
  if (!a.ok() || !p.ok()) return SqlError(reader.db(), "prepare");
  a.Bind(1, tenant);
  int rc;
  while ((rc = a.Step()) == SQLITE_ROW) {
    POLKU_ASSIGN_OR_RETURN(learning::Activity x, DecodeActivity(a.Blob(0)));
    file.activities.push_back(std::move(x));
  }
  if (rc != SQLITE_DONE) return SqlError(reader.db(), "activities");
  p.Bind(1, tenant);
  while ((rc = p.Step()) == SQLITE_ROW) {
    POLKU_ASSIGN_OR_RETURN(learning::LearningPath x, DecodePath(p.Blob(0)));
    file.paths.push_back(std::move(x));
  }
  if (rc != SQLITE_DONE) return SqlError(reader.db(), "paths");
  return file;
}

absl::StatusOr<int64_t> SqliteEventStore::CatalogueVersion(
    std::string_view tenant) {
  ReaderPool::Lease reader(*readers_);
  return ReadCatalogueVersion(*reader, tenant);
}

absl::StatusOr<std::vector<std::string>> SqliteEventStore::CatalogueTenants(
    size_t max) {
  ReaderPool::Lease reader(*readers_);
  Stmt s(*reader,
         "SELECT tenant FROM catalogue_versions "
         "ORDER BY version DESC, tenant LIMIT ?");
  if (!s.ok()) return SqlError(reader.db(), "prepare");
  s.Bind(1, static_cast<int64_t>(
                std::min<size_t>(max, std::numeric_limits<int64_t>::max())));
  std::vector<std::string> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.emplace_back(s.Text(0));
  if (rc != SQLITE_DONE) return SqlError(reader.db(), "catalogue tenants");
  return out;
}

// --- Recommendations, feedback, bandit ---------------------------------------

absl::Status SqliteEventStore::RecordServed(
    std::string_view tenant, absl::Span<const ServedRecommendation> served) {
  POLKU_RETURN_IF_ERROR(CheckOpen());
  if (served.empty()) return absl::OkStatus();
  absl::MutexLock w(&writer_mu_);
  // Served records are Polku's own output, not accepted input: their commit
  // does not wait for fsync, so an answer is not held up by the disk. They
  // survive a crash of the process; a power loss may lose those committed
  // since the last event commit, which syncs them.
  return WithoutSync([&] { return WriteServed(tenant, served); });
}

absl::Status SqliteEventStore::WriteServed(
    std::string_view tenant, absl::Span<const ServedRecommendation> served) {
  Transaction tx(*writer_statements_);
  POLKU_RETURN_IF_ERROR(tx.status());
  Stmt s(*writer_statements_,
         "INSERT INTO served_recommendations (tenant, recommendation_id, "
         "learner_key, kind, target_id, segment, position, score, propensity, "
         "holdout, served_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?) "
         "ON CONFLICT (tenant, learner_key, recommendation_id) DO UPDATE SET "
         "kind=excluded.kind, "
         "target_id=excluded.target_id, segment=excluded.segment, "
         "position=excluded.position, score=excluded.score, "
         "propensity=excluded.propensity, holdout=excluded.holdout, "
         "served_ms=excluded.served_ms");
  if (!s.ok()) return SqlError(writer_, "prepare");
  for (const ServedRecommendation& r : served) {
    s.Bind(1, tenant);
    s.Bind(2, r.recommendation_id);
    s.Bind(3, r.learner_key);
    s.Bind(4, r.kind);
    s.Bind(5, r.target_id);
    s.Bind(6, r.segment);
    s.Bind(7, int64_t{r.position});
    s.BindDouble(8, r.score);
    s.BindDouble(9, r.propensity);
    s.Bind(10, int64_t{r.holdout ? 1 : 0});
    s.Bind(11, r.served_ms);
    POLKU_RETURN_IF_ERROR(RunDone(writer_, s, "served"));
  }
  return tx.Commit();
}

absl::StatusOr<std::optional<ServedRecommendation>> SqliteEventStore::GetServed(
    std::string_view tenant, std::string_view learner_key,
    std::string_view recommendation_id) {
  ReaderPool::Lease reader(*readers_);
  Stmt s(*reader,
         common::StrCat(
             kServedColumns,
             "WHERE tenant=? AND learner_key=? AND recommendation_id=?"));
  if (!s.ok()) return SqlError(reader.db(), "prepare");
  s.Bind(1, tenant);
  s.Bind(2, learner_key);
  s.Bind(3, recommendation_id);
  const int rc = s.Step();
  if (rc == SQLITE_DONE) return std::nullopt;
  if (rc != SQLITE_ROW) return SqlError(reader.db(), "served");
  return ReadServedRow(s);
}

absl::Status SqliteEventStore::RecordFeedback(std::string_view tenant,
                                              const FeedbackRecord& f) {
  if (f.outcome == FeedbackOutcome::kUnspecified ||
      f.outcome > FeedbackOutcome::kCompleted) {
    return absl::InvalidArgumentError("outcome: is required");
  }
  POLKU_RETURN_IF_ERROR(CheckOpen());
  absl::MutexLock w(&writer_mu_);
  Transaction tx(*writer_statements_);
  POLKU_RETURN_IF_ERROR(tx.status());
  Stmt insert(*writer_statements_,
              "INSERT INTO feedback (tenant, recommendation_id, outcome, "
              "learner_key, at_ms, kind, target_id, segment) "
              "VALUES (?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING");
  Stmt arm(*writer_statements_,
           "INSERT INTO bandit_arms (tenant, segment, kind, successes, "
           "failures, shown) VALUES (?,?,?,?,?,?) "
           "ON CONFLICT (tenant, segment, kind) DO UPDATE SET "
           "successes=successes+excluded.successes, "
           "failures=failures+excluded.failures, shown=shown+excluded.shown");
  if (!insert.ok() || !arm.ok()) return SqlError(writer_, "prepare");
  insert.Bind(1, tenant);
  insert.Bind(2, f.recommendation_id);
  insert.Bind(3, static_cast<int64_t>(f.outcome));
  insert.Bind(4, f.learner_key);
  insert.Bind(5, f.at_ms);
  insert.Bind(6, f.kind);
  insert.Bind(7, f.target_id);
  insert.Bind(8, f.segment);
  if (insert.Step() != SQLITE_DONE) return SqlError(writer_, "feedback");
  if (sqlite3_changes(writer_) == 0) return absl::OkStatus();  // seen before
  const bool success = f.outcome == FeedbackOutcome::kAccepted ||
                       f.outcome == FeedbackOutcome::kCompleted;
  arm.Bind(1, tenant);
  arm.Bind(2, f.segment);
  arm.Bind(3, f.kind);
  arm.BindDouble(4, success ? 1 : 0);
  arm.BindDouble(5, f.outcome == FeedbackOutcome::kDismissed ? 1 : 0);
  arm.Bind(6, int64_t{f.outcome == FeedbackOutcome::kShown ? 1 : 0});
  POLKU_RETURN_IF_ERROR(RunDone(writer_, arm, "bandit arm"));
  return tx.Commit();
}

absl::StatusOr<std::vector<FeedbackRecord>> SqliteEventStore::ListFeedback(
    std::string_view tenant, std::string_view learner_key, int64_t since_ms) {
  ReaderPool::Lease reader(*readers_);
  return ReadFeedback(*reader, tenant, learner_key, since_ms);
}

absl::StatusOr<std::vector<BanditArm>> SqliteEventStore::GetBandit(
    std::string_view tenant) {
  ReaderPool::Lease reader(*readers_);
  return ReadBandit(*reader, tenant);
}

absl::StatusOr<RecommendationContext>
SqliteEventStore::ReadRecommendationContext(std::string_view tenant,
                                            std::string_view learner_key,
                                            const RecommendationQuery& query) {
  ReaderPool::Lease reader(*readers_);
  Transaction snapshot(*reader, Transaction::kSnapshot);
  POLKU_RETURN_IF_ERROR(snapshot.status());
  RecommendationContext c;
  POLKU_ASSIGN_OR_RETURN(c.opted_out,
                         ReadOptedOut(*reader, tenant, learner_key));
  if (c.opted_out) return c;
  POLKU_ASSIGN_OR_RETURN(c.profile, ReadProfile(*reader, tenant, learner_key));
  POLKU_ASSIGN_OR_RETURN(c.activities,
                         ReadActivityStates(*reader, tenant, learner_key));
  const std::vector<std::string> recent =
      MostRecentlyTouched(c.activities, query.recent_activities);
  if (!recent.empty()) {
    POLKU_ASSIGN_OR_RETURN(
        c.next_activities,
        ReadNextActivities(*reader, tenant, recent, query.next_limit));
  }
  POLKU_ASSIGN_OR_RETURN(c.feedback, ReadFeedback(*reader, tenant, learner_key,
                                                  query.feedback_since_ms));
  POLKU_ASSIGN_OR_RETURN(c.bandit, ReadBandit(*reader, tenant));
  POLKU_ASSIGN_OR_RETURN(c.catalogue_version,
                         ReadCatalogueVersion(*reader, tenant));
  return c;
}

// --- Learner data rights
// -------------------------------------------------------

absl::Status SqliteEventStore::SetOptOut(std::string_view tenant,
                                         std::string_view learner_key,
                                         bool opted_out, int64_t now_ms) {
  POLKU_RETURN_IF_ERROR(CheckOpen());
  const std::string hash = LearnerHash(tenant, learner_key);
  absl::MutexLock w(&writer_mu_);
  Stmt s(*writer_statements_,
         opted_out ? "INSERT INTO optouts (tenant, learner_hash, since_ms) "
                     "VALUES (?,?,?) ON CONFLICT DO NOTHING"
                   : "DELETE FROM optouts WHERE tenant=? AND learner_hash=?");
  if (!s.ok()) return SqlError(writer_, "prepare");
  s.Bind(1, tenant);
  s.Bind(2, hash);
  if (opted_out) s.Bind(3, now_ms);
  cache_->Forget(tenant, learner_key);
  // One statement: SQLite's implicit transaction, between group commits.
  return RunDone(writer_, s, "opt-out");
}

absl::StatusOr<bool> SqliteEventStore::IsOptedOut(
    std::string_view tenant, std::string_view learner_key) {
  ReaderPool::Lease reader(*readers_);
  return ReadOptedOut(*reader, tenant, learner_key);
}

absl::StatusOr<LearnerState> SqliteEventStore::ExportLearnerState(
    std::string_view tenant, std::string_view learner_key) {
  ReaderPool::Lease reader(*readers_);
  // One read transaction, so the parts agree with each other.
  Transaction snapshot(*reader, Transaction::kSnapshot);
  POLKU_RETURN_IF_ERROR(snapshot.status());
  LearnerState state;
  POLKU_ASSIGN_OR_RETURN(state.profile,
                         ReadProfile(*reader, tenant, learner_key));
  POLKU_ASSIGN_OR_RETURN(state.activities,
                         ReadActivityStates(*reader, tenant, learner_key));
  POLKU_ASSIGN_OR_RETURN(state.feedback,
                         ReadFeedback(*reader, tenant, learner_key,
                                      std::numeric_limits<int64_t>::min()));
  POLKU_ASSIGN_OR_RETURN(state.opted_out,
                         ReadOptedOut(*reader, tenant, learner_key));
  {
    Stmt s(*reader, common::StrCat(kServedColumns,
                                   "WHERE tenant=? AND learner_key=? "
                                   "ORDER BY served_ms, recommendation_id")
                        .c_str());
    if (!s.ok()) return SqlError(reader.db(), "prepare");
    s.Bind(1, tenant);
    s.Bind(2, learner_key);
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW)
      state.served.push_back(ReadServedRow(s));
    if (rc != SQLITE_DONE) return SqlError(reader.db(), "served");
  }
  {
    Stmt s(*reader,
           "SELECT week, org_unit, leadership, development, events "
           "FROM learner_weeks WHERE tenant=? AND learner_key=? ORDER BY week");
    if (!s.ok()) return SqlError(reader.db(), "prepare");
    s.Bind(1, tenant);
    s.Bind(2, learner_key);
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      LearnerWeek w;
      w.learner_key = std::string(learner_key);
      w.week = s.Int(0);
      w.org_unit = s.Text(1);
      w.leadership = s.Double(2);
      w.development = s.Double(3);
      w.events = s.Int(4);
      state.weeks.push_back(std::move(w));
    }
    if (rc != SQLITE_DONE) return SqlError(reader.db(), "learner weeks");
  }
  return state;
}

}  // namespace polku::store
