// Data care, end to end against the real polku-server: backup while serving
// and restore into a fresh data directory, tenant offboarding with
// `polku tenant delete`, proof that an erased learner's key is nowhere on
// disk, and the store size and in-flight metrics.
#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration/server_process.h"
#include "polku/v1/event_service.grpc.pb.h"
#include "polku/v1/privacy_service.grpc.pb.h"

namespace polku::testing {
namespace {

namespace v1 = ::polku::v1;
using ::google::protobuf::util::TimeUtil;
using ::testing::HasSubstr;

constexpr char kPolku[] = POLKU_BINARY_DIR "/bin/polku";

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

v1::IngestItem NativeEvent(const std::string& id, const std::string& learner) {
  v1::IngestItem item;
  v1::LearningEvent* e = item.mutable_native();
  e->set_event_id(id);
  e->mutable_source()->set_platform(v1::PLATFORM_NATIVE);
  e->mutable_source()->set_instance("lms.example");
  static const int64_t kOccurredAt = NowMillis() - 3600 * 1000;
  *e->mutable_occurred_at() = TimeUtil::MillisecondsToTimestamp(kOccurredAt);
  e->mutable_learner()->set_key(learner);
  e->set_verb(v1::VERB_COMPLETED);
  e->mutable_object()->set_type(v1::OBJECT_TYPE_COURSE);
  e->mutable_object()->set_id("lms.example/course/view.php?id=2");
  e->mutable_context()->set_required(true);
  e->set_initiator(v1::INITIATOR_SELF);
  return item;
}

std::string FreshDir() {
  char tmpl[] = "/tmp/polku-dc-XXXXXX";
  return mkdtemp(tmpl);
}

// Runs `polku ARGS`; returns the exit status, stdout and stderr in `output`.
int Polku(const std::string& args, std::string* output) {
  return RunCommand(std::string(kPolku) + " " + args + " 2>&1", output);
}

class DataCareTest : public ::testing::Test {
 protected:
  void StartServer(const std::string& data_dir = "") {
    server_ = std::make_unique<ServerProcess>(data_dir);
    ASSERT_TRUE(server_->Start()) << "polku-server did not start; see "
                                  << server_->data_dir() << "/server.log";
    auto channel = grpc::CreateChannel(server_->grpc_address(),
                                       grpc::InsecureChannelCredentials());
    events_ = v1::EventService::NewStub(channel);
    privacy_ = v1::PrivacyService::NewStub(channel);
  }
  std::unique_ptr<grpc::ClientContext> Context(const std::string& tenant) {
    auto c = std::make_unique<grpc::ClientContext>();
    c->AddMetadata("x-polku-tenant", tenant);
    c->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(30));
    return c;
  }
  v1::IngestResponse Ingest(const std::vector<v1::IngestItem>& items,
                            const std::string& tenant) {
    v1::IngestRequest req;
    for (const auto& i : items) *req.add_events() = i;
    v1::IngestResponse resp;
    auto ctx = Context(tenant);
    grpc::Status s = events_->Ingest(ctx.get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  }
  // Ingests `n` events of `learners` learners for `tenant`, ids PREFIX-i.
  void IngestMany(const std::string& tenant, const std::string& prefix, int n,
                  int learners = 5) {
    for (int start = 0; start < n; start += 50) {
      std::vector<v1::IngestItem> items;
      for (int i = start; i < std::min(n, start + 50); ++i) {
        items.push_back(
            NativeEvent(prefix + "-" + std::to_string(i),
                        "lms.example#" + std::to_string(i % learners)));
      }
      EXPECT_EQ(Ingest(items, tenant).accepted(),
                static_cast<int>(items.size()));
    }
  }
  int ExportedEvents(const std::string& tenant, const std::string& learner) {
    v1::ExportLearnerDataRequest req;
    req.set_learner(learner);
    v1::ExportLearnerDataResponse resp;
    auto ctx = Context(tenant);
    grpc::Status s = privacy_->ExportLearnerData(ctx.get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.events_json_size();
  }
  // Rows in the events table of `db`, read with SQLite (-1 on error).
  static int64_t Rows(const std::string& db_path,
                      const std::string& where = "1=1") {
    sqlite3* db = nullptr;
    int64_t n = -1;
    if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) ==
        SQLITE_OK) {
      sqlite3_stmt* stmt = nullptr;
      std::string sql = "SELECT count(*) FROM events WHERE " + where;
      if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) ==
              SQLITE_OK &&
          sqlite3_step(stmt) == SQLITE_ROW) {
        n = sqlite3_column_int64(stmt, 0);
      }
      sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
    return n;
  }

  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<v1::EventService::Stub> events_;
  std::unique_ptr<v1::PrivacyService::Stub> privacy_;
};

TEST_F(DataCareTest, BackupWhileServingRestoresEveryEvent) {
  StartServer();
  IngestMany("acme", "b", 300);
  IngestMany("globex", "g", 40);
  // Keep writing while the backup runs: the copy must still be consistent.
  std::atomic<bool> stop{false};
  std::atomic<int> extra{0};
  std::thread writer([&] {
    auto channel = grpc::CreateChannel(server_->grpc_address(),
                                       grpc::InsecureChannelCredentials());
    auto stub = v1::EventService::NewStub(channel);
    for (int i = 0; !stop; ++i) {
      v1::IngestRequest req;
      *req.add_events() =
          NativeEvent("w-" + std::to_string(i), "lms.example#w");
      v1::IngestResponse resp;
      auto ctx = Context("acme");
      if (stub->Ingest(ctx.get(), req, &resp).ok()) ++extra;
    }
  });
  std::string backup = FreshDir() + "/polku-backup.db";
  std::string out;
  int rc = Polku(
      "backup --data_dir=" + server_->data_dir() + " --out=" + backup, &out);
  stop = true;
  writer.join();
  ASSERT_EQ(rc, 0) << out;
  EXPECT_THAT(out, HasSubstr("integrity ok"));
  EXPECT_FALSE(std::filesystem::exists(backup + ".tmp"));
  // A snapshot: everything acknowledged before the backup, perhaps some of
  // the concurrent writes, nothing torn.
  int64_t in_backup = Rows(backup);
  EXPECT_GE(in_backup, 340);
  EXPECT_LE(in_backup, 340 + extra.load());

  // Restore refuses while a server holds the target database.
  rc = Polku("restore --data_dir=" + server_->data_dir() + " --from=" + backup,
             &out);
  EXPECT_EQ(rc, 2) << out;
  EXPECT_THAT(out, HasSubstr("in use"));
  EXPECT_EQ(server_->Stop(), 0);

  // A bad backup is refused and leaves nothing behind.
  std::string fresh = FreshDir();
  std::string junk = fresh + "-junk.db";
  {
    std::ofstream(junk)
        << "not a database at all, but long enough to look like one";
  }
  rc = Polku("restore --data_dir=" + fresh + " --from=" + junk, &out);
  EXPECT_NE(rc, 0) << out;
  EXPECT_FALSE(std::filesystem::exists(fresh + "/polku.db"));

  // Stale WAL files in the target are removed.
  { std::ofstream(fresh + "/polku.db-wal") << "stale"; }
  rc = Polku("restore --data_dir=" + fresh + " --from=" + backup, &out);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_FALSE(std::filesystem::exists(fresh + "/polku.db-wal"));
  EXPECT_EQ(Rows(fresh + "/polku.db"), in_backup);

  StartServer(fresh);
  for (int learner = 0; learner < 5; ++learner) {
    EXPECT_EQ(ExportedEvents("acme", "lms.example#" + std::to_string(learner)),
              60);
  }
  EXPECT_EQ(ExportedEvents("globex", "lms.example#0"), 8);
  // Every restored event is known: resending them is DUPLICATE.
  std::vector<v1::IngestItem> again;
  for (int i = 0; i < 300; i += 7) {
    again.push_back(NativeEvent("b-" + std::to_string(i),
                                "lms.example#" + std::to_string(i % 5)));
  }
  EXPECT_EQ(Ingest(again, "acme").duplicates(), static_cast<int>(again.size()));
  EXPECT_EQ(server_->Stop(), 0);
}

TEST_F(DataCareTest, TenantDeleteRemovesOneTenantAndKeepsTheOther) {
  StartServer();
  IngestMany("leaving", "l", 120);
  IngestMany("staying", "s", 80);
  {
    v1::DeleteLearnerDataRequest del;
    del.set_learner("lms.example#0");
    v1::DeleteLearnerDataResponse resp;
    auto ctx = Context("leaving");
    ASSERT_TRUE(privacy_->DeleteLearnerData(ctx.get(), del, &resp).ok());
  }
  std::string out;
  // While the server runs: SQLite serialises the two writers.
  int rc = Polku(
      "tenant delete --data_dir=" + server_->data_dir() + " --tenant=leaving",
      &out);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_THAT(out, HasSubstr("deleted 96 events of tenant leaving"));
  EXPECT_EQ(Rows(server_->db_path(), "tenant='leaving'"), 0);
  EXPECT_EQ(Rows(server_->db_path(), "tenant='staying'"), 80);
  EXPECT_EQ(ExportedEvents("leaving", "lms.example#1"), 0);
  EXPECT_EQ(ExportedEvents("staying", "lms.example#1"), 16);
  // The tenant's tombstones went too.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(server_->db_path().c_str(), &db,
                            SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db,
                     "SELECT count(*) FROM tombstones WHERE tenant='leaving'",
                     -1, &stmt, nullptr);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int64(stmt, 0), 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  // Usage errors.
  EXPECT_EQ(Polku("tenant delete --data_dir=" + server_->data_dir(), &out), 2);
  EXPECT_EQ(Polku("tenant delete --data_dir=/nonexistent/dir --tenant=x", &out),
            2);
  EXPECT_EQ(server_->Stop(), 0);
}

// Every byte of every file under `dir`, concatenated per file.
std::vector<std::pair<std::string, std::string>> ReadAllFiles(
    const std::string& dir) {
  std::vector<std::pair<std::string, std::string>> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream buf;
    buf << in.rdbuf();
    files.emplace_back(entry.path().string(), buf.str());
  }
  return files;
}

TEST_F(DataCareTest, ErasedLearnerKeyIsNowhereOnDisk) {
  const std::string kLearner = "erasure-proof-learner-7f3a9c2e";
  StartServer();
  // The key file is under the data directory too.
  std::string out;
  ASSERT_EQ(Polku("keys create --data_dir=" + server_->data_dir() +
                      " --tenant=acme --scopes=events:write",
                  &out),
            0)
      << out;
  std::vector<v1::IngestItem> items;
  for (int i = 0; i < 40; ++i) {
    items.push_back(NativeEvent("x-" + std::to_string(i), kLearner));
    items.push_back(NativeEvent("o-" + std::to_string(i), "lms.example#other"));
  }
  ASSERT_EQ(Ingest(items, "acme").accepted(), 80);
  // The check can see the key: before erasure it is on disk.
  bool found_before = false;
  for (const auto& [path, bytes] : ReadAllFiles(server_->data_dir())) {
    found_before |= bytes.find(kLearner) != std::string::npos;
  }
  ASSERT_TRUE(found_before);

  v1::DeleteLearnerDataRequest del;
  del.set_learner(kLearner);
  v1::DeleteLearnerDataResponse resp;
  auto ctx = Context("acme");
  ASSERT_TRUE(privacy_->DeleteLearnerData(ctx.get(), del, &resp).ok());
  EXPECT_EQ(resp.events_deleted(), 40);
  ASSERT_EQ(server_->Stop(), 0);

  auto files = ReadAllFiles(server_->data_dir());
  EXPECT_GE(files.size(), 3u);  // at least polku.db, server.log, api_keys.json
  for (const auto& [path, bytes] : files) {
    EXPECT_EQ(bytes.find(kLearner), std::string::npos)
        << "the erased learner's key is still in " << path;
  }
  EXPECT_EQ(Rows(server_->db_path(), "learner_key='lms.example#other'"), 40);

  // Resending the learner's events stores nothing.
  std::string dir = server_->data_dir();
  StartServer(dir);
  v1::IngestResponse resend = Ingest({NativeEvent("x-0", kLearner)}, "acme");
  ASSERT_EQ(resend.results_size(), 1);
  EXPECT_EQ(resend.results(0).outcome(), v1::EVENT_OUTCOME_ERASED);
  EXPECT_EQ(server_->Stop(), 0);
}

// The value of the first sample line starting with `series` + " ".
double Sample(const std::string& metrics, const std::string& series) {
  std::istringstream in(metrics);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(series + " ", 0) == 0) {
      return std::strtod(line.c_str() + series.size() + 1, nullptr);
    }
  }
  return -1;
}

TEST_F(DataCareTest, MetricsShowDatabaseSizeAndInflightRequests) {
  StartServer();
  IngestMany("acme", "m", 100);
  std::string metrics = HttpGet(server_->metrics_port(), "/metrics");
  double bytes = Sample(metrics, "polku_store_database_bytes");
  std::error_code ec;
  double db_size =
      static_cast<double>(std::filesystem::file_size(server_->db_path(), ec));
  EXPECT_GT(bytes, 0) << metrics;
  EXPECT_GE(bytes, 4096);
  EXPECT_LT(bytes, 1e9);
  EXPECT_GE(db_size, 4096);
  EXPECT_EQ(Sample(metrics, "polku_inflight_requests{transport=\"grpc\"}"), 0)
      << metrics;

  // An open stream is in flight until it finishes.
  auto ctx = Context("acme");
  auto stream = events_->IngestStream(ctx.get());
  v1::IngestStreamRequest req;
  req.set_chunk_id(1);
  *req.add_events() = NativeEvent("m-stream", "lms.example#1");
  ASSERT_TRUE(stream->Write(req));
  v1::IngestStreamResponse ack;
  ASSERT_TRUE(stream->Read(&ack));
  metrics = HttpGet(server_->metrics_port(), "/metrics");
  EXPECT_EQ(Sample(metrics, "polku_inflight_requests{transport=\"grpc\"}"), 1)
      << metrics;
  stream->WritesDone();
  ASSERT_TRUE(stream->Finish().ok());
  metrics = HttpGet(server_->metrics_port(), "/metrics");
  EXPECT_EQ(Sample(metrics, "polku_inflight_requests{transport=\"grpc\"}"), 0)
      << metrics;
  EXPECT_EQ(server_->Stop(), 0);
}

TEST_F(DataCareTest, MetricsShowTheWalAndItsCheckpoints) {
  StartServer();
  std::string metrics = HttpGet(server_->metrics_port(), "/metrics");
  // Every series is there from the start, at 0 until something happens.
  for (const char* by : {"thread", "writer_rest", "writer_forced"}) {
    const std::string labels = std::string("{by=\"") + by + "\"}";
    EXPECT_EQ(Sample(metrics, "polku_store_checkpoints_total" + labels), 0)
        << metrics;
    EXPECT_EQ(Sample(metrics, "polku_store_checkpoint_seconds_total" + labels),
              0)
        << metrics;
  }
  EXPECT_EQ(Sample(metrics, "polku_store_wal_restarts_total"), 0) << metrics;
  EXPECT_EQ(Sample(metrics, "polku_store_event_ids_held"), 0) << metrics;
  EXPECT_EQ(Sample(metrics, "polku_store_event_id_passes_total"), 0) << metrics;
  EXPECT_EQ(Sample(metrics, "polku_store_event_id_pass_seconds_total"), 0)
      << metrics;
  // The WAL holds what was committed (no checkpoint yet: 100 events are
  // far below checkpoint_pages); the refresher sets it within a second.
  IngestMany("acme", "w", 100);
  // Their ids are held in memory until 200,000 have come.
  double wal_pages = 0;
  double ids_held = 0;
  for (int i = 0; i < 50 && (wal_pages <= 0 || ids_held < 100); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    metrics = HttpGet(server_->metrics_port(), "/metrics");
    wal_pages = Sample(metrics, "polku_store_wal_pages");
    ids_held = Sample(metrics, "polku_store_event_ids_held");
  }
  EXPECT_GT(wal_pages, 0) << metrics;
  EXPECT_LT(wal_pages, 10000) << metrics;
  EXPECT_EQ(ids_held, 100) << metrics;
  EXPECT_EQ(server_->Stop(), 0);
}

}  // namespace
}  // namespace polku::testing
