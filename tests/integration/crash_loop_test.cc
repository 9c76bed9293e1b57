// Crash durability: while several clients ingest (unary Ingest and
// IngestStream, plus two clients racing to send the same events), the
// server is killed with SIGKILL at random moments and restarted on the same
// data directory. Every event id any client saw acknowledged (ACCEPTED or
// DUPLICATE) must afterwards be stored exactly once, read straight from
// the SQLite file.
#include <grpcpp/grpcpp.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "integration/server_process.h"
#include "integration/test_events.h"
#include "polku/v1/event_service.grpc.pb.h"

namespace polku::testing {
namespace {

namespace v1 = ::polku::v1;
using Clock = std::chrono::steady_clock;

constexpr int kKills = 22;
constexpr int kBatch = 8;

// The address of the current server incarnation (a new port after every
// restart, as port 0 picks one).
class Target {
 public:
  void Set(const std::string& address) {
    std::lock_guard<std::mutex> lock(mu_);
    address_ = address;
    ++generation_;
  }
  // A stub for the current server; reuses the channel while it is the same.
  v1::EventService::Stub* Stub(int* seen_generation,
                               std::unique_ptr<v1::EventService::Stub>* stub) {
    std::lock_guard<std::mutex> lock(mu_);
    if (*seen_generation != generation_ || *stub == nullptr) {
      *stub = v1::EventService::NewStub(
          grpc::CreateChannel(address_, grpc::InsecureChannelCredentials()));
      *seen_generation = generation_;
    }
    return stub->get();
  }

 private:
  std::mutex mu_;
  std::string address_;
  int generation_ = 0;
};

// What one client saw acknowledged.
struct Acks {
  std::set<std::string> ids;
  int duplicate_results = 0;          // DUPLICATE outcomes (resends, races)
  int calls_failed = 0;               // failed calls, each retried
  std::vector<std::string> problems;  // anything that is a test failure
};

void Record(const v1::EventResult& r, const std::set<std::string>& sent,
            Acks* acks) {
  if (sent.count(r.event_id()) == 0) {
    acks->problems.push_back("acknowledged an id never sent: " + r.event_id());
    return;
  }
  if (r.outcome() == v1::EVENT_OUTCOME_ACCEPTED) {
    acks->ids.insert(r.event_id());
  } else if (r.outcome() == v1::EVENT_OUTCOME_DUPLICATE) {
    acks->ids.insert(r.event_id());
    ++acks->duplicate_results;
  } else {
    acks->problems.push_back("unexpected outcome for " + r.event_id() + ": " +
                             v1::EventOutcome_Name(r.outcome()) + " " +
                             r.error().message());
  }
}

std::unique_ptr<grpc::ClientContext> Context(int timeout_ms) {
  auto c = std::make_unique<grpc::ClientContext>();
  c->AddMetadata("x-polku-tenant", "crash");
  c->set_deadline(std::chrono::system_clock::now() +
                  std::chrono::milliseconds(timeout_ms));
  return c;
}

// Unary Ingest of batches `<prefix>-<n>-<i>`, each retried until
// acknowledged (or `stop`).
void UnaryClient(Target* target, const std::string& prefix,
                 const std::atomic<bool>* stop, Acks* acks) {
  int generation = -1;
  std::unique_ptr<v1::EventService::Stub> stub;
  for (int n = 0; !stop->load(); ++n) {
    v1::IngestRequest req;
    std::set<std::string> sent;
    for (int i = 0; i < kBatch; ++i) {
      std::string id =
          prefix + "-" + std::to_string(n) + "-" + std::to_string(i);
      *req.add_events() = StableEvent(id, 1 + i % 3);
      sent.insert(id);
    }
    while (!stop->load()) {
      v1::IngestResponse resp;
      auto ctx = Context(3000);
      grpc::Status s =
          target->Stub(&generation, &stub)->Ingest(ctx.get(), req, &resp);
      if (s.ok()) {
        if (resp.results_size() != kBatch) {
          acks->problems.push_back("a response without every result");
        }
        for (const auto& r : resp.results()) Record(r, sent, acks);
        break;
      }
      ++acks->calls_failed;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
}

// IngestStream: chunks `<prefix>-<n>-<i>` on streams of up to 10 chunks; a
// chunk without an acknowledgement is sent again on the next stream.
void StreamClient(Target* target, const std::string& prefix,
                  const std::atomic<bool>* stop, Acks* acks) {
  int generation = -1;
  std::unique_ptr<v1::EventService::Stub> stub;
  int n = 0;
  while (!stop->load()) {
    auto ctx = Context(10000);
    auto stream = target->Stub(&generation, &stub)->IngestStream(ctx.get());
    bool broken = false;
    for (int k = 0; k < 10 && !stop->load(); ++k) {
      v1::IngestStreamRequest req;
      req.set_chunk_id(n);
      req.set_full_results(true);
      std::set<std::string> sent;
      for (int i = 0; i < kBatch; ++i) {
        std::string id =
            prefix + "-" + std::to_string(n) + "-" + std::to_string(i);
        *req.add_events() = StableEvent(id, 1 + i % 3);
        sent.insert(id);
      }
      v1::IngestStreamResponse ack;
      if (!stream->Write(req) || !stream->Read(&ack)) {
        broken = true;
        break;
      }
      if (ack.chunk_id() != n || ack.results_size() != kBatch) {
        acks->problems.push_back("an acknowledgement of another chunk");
      }
      for (const auto& r : ack.results()) Record(r, sent, acks);
      ++n;  // acknowledged: the next chunk
    }
    if (!broken) stream->WritesDone();
    grpc::Status s = stream->Finish();
    if (broken || !s.ok()) {
      ++acks->calls_failed;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
}

struct Stored {
  std::map<std::string, int> count_by_id;
  std::string integrity;
};

Stored ReadStore(const std::string& db_path) {
  Stored out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) !=
      SQLITE_OK) {
    sqlite3_close(db);
    return out;
  }
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db,
                     "SELECT event_id, count(*) FROM events WHERE tenant = "
                     "'crash' GROUP BY event_id",
                     -1, &stmt, nullptr);
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    out.count_by_id[reinterpret_cast<const char*>(
        sqlite3_column_text(stmt, 0))] = sqlite3_column_int(stmt, 1);
  }
  sqlite3_finalize(stmt);
  sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, nullptr);
  if (sqlite3_step(stmt) == SQLITE_ROW) {
    out.integrity = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

TEST(CrashLoop, EveryAcknowledgedEventSurvivesSigkillExactlyOnce) {
  ServerProcess server;
  ASSERT_TRUE(server.Start()) << "see " << server.data_dir() << "/server.log";
  Target target;
  target.Set(server.grpc_address());

  std::atomic<bool> stop{false};
  // Two unary clients, two streaming clients, and a pair that sends the
  // very same batches ("dup-...") at the same time.
  std::vector<Acks> acks(6);
  std::vector<std::thread> clients;
  clients.emplace_back(UnaryClient, &target, "u0", &stop, &acks[0]);
  clients.emplace_back(UnaryClient, &target, "u1", &stop, &acks[1]);
  clients.emplace_back(StreamClient, &target, "s0", &stop, &acks[2]);
  clients.emplace_back(StreamClient, &target, "s1", &stop, &acks[3]);
  clients.emplace_back(UnaryClient, &target, "dup", &stop, &acks[4]);
  clients.emplace_back(UnaryClient, &target, "dup", &stop, &acks[5]);

  std::mt19937 random(20250601);
  std::uniform_int_distribution<int> uptime_ms(30, 400);
  const auto start = Clock::now();
  int kills = 0;
  for (; kills < kKills; ++kills) {
    std::this_thread::sleep_for(std::chrono::milliseconds(uptime_ms(random)));
    server.Kill();
    ASSERT_TRUE(server.Start()) << "restart " << kills + 1 << " failed; see "
                                << server.data_dir() << "/server.log";
    target.Set(server.grpc_address());
  }
  // Let the clients get a last round acknowledged by a live server.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  stop = true;
  for (auto& t : clients) t.join();
  EXPECT_EQ(server.Stop(), 0);
  const double seconds =
      std::chrono::duration<double>(Clock::now() - start).count();

  Stored stored = ReadStore(server.db_path());
  EXPECT_EQ(stored.integrity, "ok");
  std::set<std::string> acknowledged;
  int duplicate_results = 0, failed_calls = 0;
  for (const Acks& a : acks) {
    for (const auto& p : a.problems) ADD_FAILURE() << p;
    acknowledged.insert(a.ids.begin(), a.ids.end());
    duplicate_results += a.duplicate_results;
    failed_calls += a.calls_failed;
  }
  int lost = 0, doubled = 0, stored_rows = 0;
  for (const auto& id : acknowledged) {
    auto it = stored.count_by_id.find(id);
    if (it == stored.count_by_id.end()) {
      ++lost;
      ADD_FAILURE() << "acknowledged but not stored: " << id;
    }
  }
  for (const auto& [id, n] : stored.count_by_id) {
    stored_rows += n;
    if (n != 1) {
      ++doubled;
      ADD_FAILURE() << id << " stored " << n << " times";
    }
  }
  // The racing pair: each of their acknowledged ids once, whoever won.
  int pair_ids = 0;
  for (const auto& id : acks[4].ids) {
    if (acks[5].ids.count(id) > 0) ++pair_ids;
  }
  std::printf(
      "crash loop: %d SIGKILLs in %.1f s; %zu event ids acknowledged "
      "(%d DUPLICATE results from resends and the racing pair, %d ids "
      "acknowledged to both racing clients), %d failed calls retried; "
      "%d rows stored; lost %d, stored twice %d\n",
      kills, seconds, acknowledged.size(), duplicate_results, pair_ids,
      failed_calls, stored_rows, lost, doubled);
  EXPECT_EQ(kills, kKills);
  EXPECT_GT(acknowledged.size(), 100u) << "too little load to mean anything";
  EXPECT_GT(pair_ids, 0) << "the racing pair never sent the same batch";
  EXPECT_GE(static_cast<size_t>(stored_rows), acknowledged.size());
}

}  // namespace
}  // namespace polku::testing
