// Two polku-server replicas on one PostgreSQL database (--store=postgres),
// as behind a Kubernetes Service: clients ingest different events through
// each replica and the very same events through both at once, while one
// replica is killed with SIGKILL mid-load and restarted. Afterwards every
// acknowledged event is stored exactly once, and every learner's profile
// equals, within 1e-9 relative, what one SQLite server computes from the
// same events. Also: the maintenance commands (`polku tenant delete`,
// `polku retention apply`) with --store=postgres.
#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "integration/server_process.h"
#include "polku/v1/event_service.grpc.pb.h"
#include "store/postgres_event_store.h"
#include "store/sqlite_event_store.h"
#include "store/testing/postgres_cluster.h"

namespace polku::testing {
namespace {

namespace v1 = ::polku::v1;

constexpr char kTenant[] = "replicas";
constexpr int kLearners = 7;
constexpr int kBatch = 10;
constexpr double kTolerance = 1e-9;  // relative, per profile sum

const ::testing::Environment* const kCluster =
    ::testing::AddGlobalTestEnvironment(
        new store::store_test::PostgresClusterEnvironment);

// The number n of an id "<prefix>-<n>".
int NumberOf(const std::string& id) {
  return std::stoi(id.substr(id.rfind('-') + 1));
}

// An event whose content depends only on its id (so a resend is a
// DUPLICATE): learner, activity, verb and time follow from its number, so
// that ids of different prefixes hit the same learners and activities.
v1::IngestItem ReplicaEvent(const std::string& id) {
  const int n = NumberOf(id);
  v1::IngestItem item;
  v1::LearningEvent* e = item.mutable_native();
  e->set_event_id(id);
  e->mutable_source()->set_platform(v1::PLATFORM_NATIVE);
  e->mutable_source()->set_instance("lms.example");
  *e->mutable_occurred_at() =
      google::protobuf::util::TimeUtil::SecondsToTimestamp(
          1748772000 + static_cast<int64_t>(n % 500) * 3607 +
          (id[0] == 'd'   ? 11
           : id[0] == 'a' ? 22
                          : 33));
  e->mutable_learner()->set_key("lms.example#" + std::to_string(n % kLearners));
  const v1::Verb verbs[] = {v1::VERB_VIEWED, v1::VERB_COMPLETED,
                            v1::VERB_REPLIED, v1::VERB_REFLECTED};
  e->set_verb(verbs[n % 4]);
  e->mutable_object()->set_type(n % 4 == 2 ? v1::OBJECT_TYPE_DISCUSSION
                                           : v1::OBJECT_TYPE_COURSE);
  e->mutable_object()->set_id("lms.example/course/view.php?id=" +
                              std::to_string(n % 11));
  e->mutable_context()->set_required(n % 5 == 0);
  e->set_initiator(n % 2 == 0 ? v1::INITIATOR_SELF : v1::INITIATOR_STAFF);
  return item;
}

// The current address of one replica (a new port after a restart).
class Address {
 public:
  void Set(std::string address) {
    std::lock_guard<std::mutex> lock(mu_);
    address_ = std::move(address);
  }
  std::string Get() {
    std::lock_guard<std::mutex> lock(mu_);
    return address_;
  }

 private:
  std::mutex mu_;
  std::string address_;
};

struct Acks {
  std::set<std::string> ids;  // ACCEPTED or DUPLICATE
  int accepted = 0;
  int duplicate = 0;
  int failed_calls = 0;
  std::vector<std::string> problems;
};

// Sends batches "<prefix>-<n>" to `target` until `stop`, each batch
// retried until acknowledged.
void Client(Address* target, const std::string& prefix,
            const std::atomic<bool>* stop, Acks* acks) {
  for (int n = 0; !stop->load(); n += kBatch) {
    v1::IngestRequest req;
    for (int i = 0; i < kBatch; ++i) {
      *req.add_events() = ReplicaEvent(prefix + "-" + std::to_string(n + i));
    }
    while (!stop->load()) {
      grpc::ClientContext ctx;
      ctx.AddMetadata("x-polku-tenant", kTenant);
      ctx.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(5));
      v1::IngestResponse resp;
      // A channel per attempt: after a restart the replica has a new port.
      auto stub = v1::EventService::NewStub(grpc::CreateChannel(
          target->Get(), grpc::InsecureChannelCredentials()));
      if (stub->Ingest(&ctx, req, &resp).ok()) {
        for (const auto& r : resp.results()) {
          if (r.outcome() == v1::EVENT_OUTCOME_ACCEPTED) {
            ++acks->accepted;
          } else if (r.outcome() == v1::EVENT_OUTCOME_DUPLICATE) {
            ++acks->duplicate;
          } else {
            acks->problems.push_back(r.event_id() + ": " +
                                     v1::EventOutcome_Name(r.outcome()) + " " +
                                     r.error().message());
            continue;
          }
          acks->ids.insert(r.event_id());
        }
        break;
      }
      ++acks->failed_calls;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

// Ingests `ids` through `address`, in order, in batches.
void IngestAll(const std::string& address,
               const std::vector<std::string>& ids) {
  auto stub = v1::EventService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  for (size_t i = 0; i < ids.size(); i += 50) {
    v1::IngestRequest req;
    for (size_t j = i; j < std::min(ids.size(), i + 50); ++j) {
      *req.add_events() = ReplicaEvent(ids[j]);
    }
    grpc::ClientContext ctx;
    ctx.AddMetadata("x-polku-tenant", kTenant);
    v1::IngestResponse resp;
    ASSERT_TRUE(stub->Ingest(&ctx, req, &resp).ok());
    for (const auto& r : resp.results()) {
      EXPECT_EQ(r.outcome(), v1::EVENT_OUTCOME_ACCEPTED) << r.event_id();
    }
  }
}

// The largest relative difference between the sums of two profiles.
double MaxRelativeDifference(const learning::Profile& a,
                             const learning::Profile& b) {
  double worst = 0;
  auto diff = [&](double x, double y) {
    const double d = std::fabs(x - y) / std::max(1.0, std::fabs(y));
    worst = std::max(worst, d);
  };
  for (size_t i = 0; i < model::kDimensionCount; ++i) {
    diff(a.sums.score_sum[i], b.sums.score_sum[i]);
    diff(a.sums.weight_sum[i], b.sums.weight_sum[i]);
  }
  diff(a.sums.leadership, b.sums.leadership);
  diff(a.sums.development, b.sums.development);
  for (size_t i = 0; i < learning::kSignalCount; ++i) {
    diff(a.sums.signals[i], b.sums.signals[i]);
    if (a.sums.counts[i] != b.sums.counts[i]) worst = 1;  // must be exact
    if (a.latest[i].event_id != b.latest[i].event_id) worst = 1;
  }
  if (a.first_event_ms != b.first_event_ms ||
      a.last_event_ms != b.last_event_ms) {
    worst = 1;
  }
  return worst;
}

// A fresh, empty database (its own schema) and the name of a file in a new
// directory that holds its connection string and that only the owner can
// read: as in production, the string reaches servers and commands only
// through such a file.
struct DsnFile {
  std::string dsn;
  std::string dir;  // new, for the test's files
  std::string file;
};
absl::StatusOr<DsnFile> FreshDsnFile() {
  auto dsn = store::store_test::FreshSchemaDsn();
  if (!dsn.ok()) return dsn.status();
  char dir[] = "/tmp/polku-pg-test-XXXXXX";
  if (mkdtemp(dir) == nullptr) return absl::InternalError("mkdtemp");
  DsnFile f{*dsn, dir, std::string(dir) + "/postgres.dsn"};
  {
    std::ofstream out(f.file);
    out << f.dsn << "\n";
  }
  if (chmod(f.file.c_str(), 0600) != 0) {
    return absl::InternalError("chmod " + f.file);
  }
  return f;
}

TEST(TwoReplicas, ShareOnePostgresLoseNothingAndProfileAsSqlite) {
  auto db = FreshDsnFile();
  ASSERT_TRUE(db.ok()) << db.status();
  const std::string& dsn_file = db->file;
  const std::vector<std::string> pg_flags = {"--store=postgres",
                                             "--postgres_dsn_file=" + dsn_file};
  ServerProcess a("", pg_flags);
  ServerProcess b("", pg_flags);
  ASSERT_TRUE(a.Start()) << "see " << a.data_dir() << "/server.log";
  ASSERT_TRUE(b.Start()) << "see " << b.data_dir() << "/server.log";
  Address ta, tb;
  ta.Set(a.grpc_address());
  tb.Set(b.grpc_address());

  const auto start = std::chrono::steady_clock::now();
  std::atomic<bool> stop{false};
  std::vector<Acks> acks(4);
  std::vector<std::thread> clients;
  clients.emplace_back(Client, &ta, "a", &stop, &acks[0]);
  clients.emplace_back(Client, &tb, "b", &stop, &acks[1]);
  // The same batches through both replicas at once.
  clients.emplace_back(Client, &ta, "dup", &stop, &acks[2]);
  clients.emplace_back(Client, &tb, "dup", &stop, &acks[3]);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  b.Kill();  // mid-load, with calls in flight
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_TRUE(b.Start()) << "restart failed; see " << b.data_dir()
                         << "/server.log";
  tb.Set(b.grpc_address());
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  stop = true;
  for (auto& t : clients) t.join();
  EXPECT_EQ(a.Stop(), 0);
  EXPECT_EQ(b.Stop(), 0);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();

  std::set<std::string> acknowledged;
  int accepted = 0, duplicate = 0, failed_calls = 0;
  for (const Acks& x : acks) {
    for (const auto& p : x.problems) ADD_FAILURE() << p;
    acknowledged.insert(x.ids.begin(), x.ids.end());
    accepted += x.accepted;
    duplicate += x.duplicate;
    failed_calls += x.failed_calls;
  }

  // What the database holds.
  auto pg = store::PostgresEventStore::Open(db->dsn);
  ASSERT_TRUE(pg.ok()) << pg.status();
  std::vector<std::string> stored_ids;
  for (int l = 0; l < kLearners; ++l) {
    auto events = (*pg)->ListByLearner(
        kTenant, "lms.example#" + std::to_string(l), 1000000);
    ASSERT_TRUE(events.ok()) << events.status();
    for (const auto& e : *events) stored_ids.push_back(e.event_id);
  }
  const std::set<std::string> stored(stored_ids.begin(), stored_ids.end());
  auto rows = (*pg)->Count(kTenant);
  ASSERT_TRUE(rows.ok());
  int lost = 0;
  for (const auto& id : acknowledged) {
    if (stored.count(id) == 0) {
      ++lost;
      ADD_FAILURE() << "acknowledged but not stored: " << id;
    }
  }
  const int64_t duplicated = *rows - static_cast<int64_t>(stored.size());

  // One SQLite server fed the same events, one after the other.
  std::vector<std::string> ids(stored.begin(), stored.end());
  std::sort(ids.begin(), ids.end(), [](const auto& x, const auto& y) {
    return NumberOf(x) != NumberOf(y) ? NumberOf(x) < NumberOf(y) : x < y;
  });
  ServerProcess reference;
  ASSERT_TRUE(reference.Start());
  IngestAll(reference.grpc_address(), ids);
  EXPECT_EQ(reference.Stop(), 0);
  std::filesystem::remove_all(db->dir);  // the connection string file
  auto sqlite = store::SqliteEventStore::Open(reference.db_path());
  ASSERT_TRUE(sqlite.ok()) << sqlite.status();
  double worst = 0;
  int profiles = 0;
  for (int l = 0; l < kLearners; ++l) {
    const std::string key = "lms.example#" + std::to_string(l);
    auto got = (*pg)->GetProfile(kTenant, key);
    auto want = (*sqlite)->GetProfile(kTenant, key);
    ASSERT_TRUE(got.ok() && want.ok());
    ASSERT_EQ(got->has_value(), want->has_value()) << key;
    if (!got->has_value()) continue;
    ++profiles;
    worst = std::max(worst, MaxRelativeDifference(**got, **want));
    auto got_states = (*pg)->GetActivityStates(kTenant, key);
    auto want_states = (*sqlite)->GetActivityStates(kTenant, key);
    ASSERT_TRUE(got_states.ok() && want_states.ok());
    ASSERT_EQ(got_states->size(), want_states->size()) << key;
    for (size_t i = 0; i < got_states->size(); ++i) {
      EXPECT_EQ((*got_states)[i].object_id, (*want_states)[i].object_id);
      EXPECT_EQ((*got_states)[i].events, (*want_states)[i].events);
      EXPECT_EQ((*got_states)[i].completed_ms, (*want_states)[i].completed_ms);
    }
  }
  std::printf(
      "two replicas on one PostgreSQL, one SIGKILLed and restarted: %.1f s; "
      "%zu event ids acknowledged (%d ACCEPTED and %d DUPLICATE results, "
      "%d failed calls retried); %zu stored (%lld rows); lost %d, "
      "duplicated %lld; %d profiles, max relative difference from one "
      "SQLite store %.3g (tolerance %g)\n",
      seconds, acknowledged.size(), accepted, duplicate, failed_calls,
      stored.size(), static_cast<long long>(*rows), lost,
      static_cast<long long>(duplicated), profiles, worst, kTolerance);
  EXPECT_EQ(lost, 0);
  EXPECT_EQ(duplicated, 0);
  EXPECT_LE(worst, kTolerance);
  EXPECT_EQ(profiles, kLearners);
  EXPECT_GT(acknowledged.size(), 200u) << "too little load to mean anything";
  EXPECT_GT(acks[2].ids.size() + acks[3].ids.size(), 0u);
  // No event was ACCEPTED by both replicas (a call that committed but was
  // cut off by the SIGKILL is retried and then DUPLICATE, so fewer
  // ACCEPTED results than rows is expected).
  EXPECT_LE(accepted, *rows);
}

// `polku tenant delete` and `polku retention apply` with --store=postgres
// work on the replicas' database as they do on the SQLite file: one tenant
// goes, another keeps only its recent events, and a resend of a deleted
// old event stays out.
TEST(PostgresMaintenance, TenantDeleteAndRetentionWorkOnTheDatabase) {
  auto db = FreshDsnFile();
  ASSERT_TRUE(db.ok()) << db.status();
  const std::string& dsn_file = db->file;
  constexpr int64_t kDayMs = 86400000;
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count();
  // Per tenant: three events 100 days old, two a day old.
  auto record = [now_ms](const std::string& tenant, int i) {
    store::EventRecord r;
    r.tenant = tenant;
    r.event_id = tenant + "-" + std::to_string(i);
    r.learner_key = "lms.example#" + std::to_string(i % 2);
    r.occurred_at_ms = now_ms - (i < 3 ? 100 : 1) * kDayMs;
    r.received_at_ms = now_ms;
    r.object_id = "lms.example/course/view.php?id=" + std::to_string(i);
    r.content_hash = "hash-" + r.event_id;
    r.body_json = "{}";
    r.tags_json = "{}";
    return r;
  };
  {
    auto store = store::PostgresEventStore::Open(db->dsn);
    ASSERT_TRUE(store.ok()) << store.status();
    std::vector<store::EventRecord> records;
    for (const char* tenant : {"leaving", "staying"}) {
      for (int i = 0; i < 5; ++i) records.push_back(record(tenant, i));
    }
    auto outcomes = (*store)->Append(records);
    ASSERT_TRUE(outcomes.ok()) << outcomes.status();
    for (store::WriteOutcome o : *outcomes) {
      ASSERT_EQ(o, store::WriteOutcome::kAccepted);
    }
    ASSERT_TRUE((*store)->Close().ok());
  }
  const std::string polku = std::string(POLKU_BINARY_DIR) + "/bin/polku";
  const std::string on_pg =
      " --store=postgres --postgres_dsn_file=" + dsn_file + " ";
  std::string out;
  EXPECT_EQ(
      RunCommand(polku + " tenant delete" + on_pg + "--tenant=leaving 2>&1",
                 &out),
      0)
      << out;
  EXPECT_NE(out.find("deleted 5 events of tenant leaving"), std::string::npos)
      << out;
  EXPECT_EQ(RunCommand(polku + " retention apply" + on_pg +
                           "--tenant=staying --days=30 2>&1",
                       &out),
            0)
      << out;
  EXPECT_NE(out.find("deleted 3 events of tenant staying older than 30 days"),
            std::string::npos)
      << out;

  auto store = store::PostgresEventStore::Open(db->dsn);
  ASSERT_TRUE(store.ok()) << store.status();
  auto leaving = (*store)->Count("leaving");
  auto staying = (*store)->Count("staying");
  ASSERT_TRUE(leaving.ok() && staying.ok());
  EXPECT_EQ(*leaving, 0);
  EXPECT_EQ(*staying, 2);
  auto resend = (*store)->Append({record("staying", 0)});
  ASSERT_TRUE(resend.ok()) << resend.status();
  EXPECT_EQ(resend->at(0), store::WriteOutcome::kDuplicate);
  staying = (*store)->Count("staying");
  ASSERT_TRUE(staying.ok());
  EXPECT_EQ(*staying, 2);
  ASSERT_TRUE((*store)->Close().ok());

  // A connection string that cannot be read is named, and nothing runs.
  EXPECT_EQ(RunCommand(polku + " tenant delete --store=postgres " +
                           "--postgres_dsn_file=" + db->dir +
                           "/missing.dsn --tenant=staying 2>&1",
                       &out),
            2);
  EXPECT_NE(out.find("postgres_dsn_file: cannot read"), std::string::npos)
      << out;
  EXPECT_EQ(RunCommand(polku + " tenant delete --store=mysql " +
                           "--tenant=staying 2>&1",
                       &out),
            2);
  EXPECT_NE(out.find("store: must be sqlite or postgres"), std::string::npos)
      << out;
  std::filesystem::remove_all(db->dir);
}

}  // namespace
}  // namespace polku::testing
