// polku-bench: the load generator and scenarios of `make bench`.
//
//   polku-bench <scenario> [--flag=value ...]
//
// Scenarios against a running polku-server (development mode: the tenant
// goes in x-polku-tenant; loopback only):
//   ingest          unary EventService.Ingest, --batch events per call
//   stream          EventService.IngestStream, --batch events per chunk
//   recommend       RecommendationService.GetRecommendations (after
//                   prepare-recommend filled the server's database)
//   echo            the transport ceiling (polku-server --bench_echo=true):
//                   the same request bytes as `ingest --batch`, answered
//                   with as many bytes as a real Ingest answer has
//   xapi-http       POST /xapi/statements, --statements per request, over
//                   plain HTTP/1.1 keep-alive connections
//   oulad-replay    every OULAD presentation (services/oulad reader)
//                   through IngestStream
// Scenarios without a server:
//   prepare-recommend  writes a synthetic catalogue and learners straight
//                      into a database through the store API (--db)
//   profiles           resident memory per learner profile held in the
//                      SQLite store's learner cache (--count profiles)
//   h2load-body        writes the gRPC-framed request body of `echo` for
//                      h2load (--out) and prints the reply size to ask for
//
// Unary scenarios are driven asynchronously (a CompletionQueue per client
// thread, each with its own channel): closed loop with --concurrency
// calls in flight, or open loop at --rate calls/s. In open loop a call's
// latency runs from the time it was due, not the time it was sent, so a
// stalled server is charged for the calls it delayed (no coordinated
// omission). Latencies go into log-bucketed histograms (load.h); the first
// --warmup seconds are not counted. After an ingest scenario the bench
// checks that what it sent is stored: ExportLearnerData for sampled
// learners, and the tenant's row count when --db names the database.
//
// Each scenario prints its figures and writes them as one JSON object to
// --json (when given). Exit code 0, 1 when a call or the verification
// failed, 2 on bad usage.
#include <arpa/inet.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "api/convert.h"
#include "bench/load.h"
#include "bench/synthetic.h"
#include "common/str_cat.h"
#include "learning/profile.h"
#include "model/rules.h"
#include "model/tagger.h"
#include "oulad/oulad.h"
#include "polku/v1/event_service.grpc.pb.h"
#include "polku/v1/privacy_service.grpc.pb.h"
#include "polku/v1/recommendation_service.grpc.pb.h"
#include "server/bench_echo.h"
#include "store/sqlite_event_store.h"

namespace polku::bench {
namespace {

namespace v1 = polku::v1;
using common::StrCat;

constexpr char kIngestMethod[] = "/polku.v1.EventService/Ingest";
constexpr char kRecommendMethod[] =
    "/polku.v1.RecommendationService/GetRecommendations";
constexpr char kTenantHeader[] = "x-polku-tenant";

// --- Flags ---

class Flags {
 public:
  // argv after the scenario; "--name=value" only.
  bool Parse(int argc, char** argv, std::string* error) {
    for (int i = 0; i < argc; ++i) {
      std::string a = argv[i];
      const size_t eq = a.find('=');
      if (a.rfind("--", 0) != 0 || eq == std::string::npos) {
        *error = StrCat("unexpected argument '", a, "' (use --name=value)");
        return false;
      }
      values_[a.substr(2, eq - 2)] = a.substr(eq + 1);
    }
    return true;
  }
  std::string Str(const std::string& name, const std::string& def) const {
    auto it = values_.find(name);
    return it == values_.end() ? def : it->second;
  }
  int64_t Int(const std::string& name, int64_t def) const {
    auto it = values_.find(name);
    return it == values_.end() ? def : std::atoll(it->second.c_str());
  }
  double Double(const std::string& name, double def) const {
    auto it = values_.find(name);
    return it == values_.end() ? def : std::atof(it->second.c_str());
  }

 private:
  std::map<std::string, std::string> values_;
};

// What every scenario against a server shares.
struct Common {
  std::string address = "127.0.0.1:50051";
  std::string tenant = "bench";
  std::string run;  // distinguishes the learner keys and event ids of runs
  double duration_s = 10;
  double warmup_s = 1;
  int threads = 1;  // client threads, one channel and queue each
  std::string json_path;
  std::string db_path;  // the server's database, for verification
  int server_pid = 0;   // for the server's resident memory
  // Unary scenarios: also print each second's latencies (warm-up
  // included) to stderr, to see when a tail happens.
  bool timeline = false;
};

Common CommonOf(const Flags& f, const std::string& scenario) {
  Common c;
  c.address = f.Str("address", c.address);
  c.tenant = f.Str("tenant", StrCat("bench-", scenario));
  c.run = f.Str("run", StrCat(getpid(), "-", NowNs() / 1000000 % 100000000));
  c.duration_s = f.Double("duration", c.duration_s);
  c.warmup_s = f.Double("warmup", std::min(1.0, c.duration_s / 5));
  c.threads = static_cast<int>(std::max<int64_t>(1, f.Int("threads", 1)));
  c.json_path = f.Str("json", "");
  c.db_path = f.Str("db", "");
  c.server_pid = static_cast<int>(f.Int("server_pid", 0));
  c.timeline = f.Int("timeline", 0) != 0;
  return c;
}

int WriteJson(const Common& c, const JsonFigures& figures) {
  const std::string text = figures.ToString();
  std::cout << text << "\n";
  if (c.json_path.empty()) return 0;
  std::ofstream out(c.json_path);
  out << text << "\n";
  return out.good() ? 0 : 1;
}

std::shared_ptr<grpc::Channel> NewChannel(const std::string& address,
                                          int index) {
  grpc::ChannelArguments args;
  // A distinct argument per channel keeps gRPC from sharing one TCP
  // connection (subchannel) between them.
  args.SetInt("polku.bench.channel", index);
  args.SetMaxReceiveMessageSize(64 << 20);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(),
                                   args);
}

grpc::ByteBuffer Serialize(const google::protobuf::Message& m) {
  std::string bytes;
  m.SerializeToString(&bytes);
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

bool Parse(const grpc::ByteBuffer& buffer, google::protobuf::Message* m) {
  grpc::Slice slice;
  if (!buffer.DumpToSingleSlice(&slice).ok()) return false;
  return m->ParseFromArray(slice.begin(), static_cast<int>(slice.size()));
}

// Runs fn(0), ..., fn(n - 1) on n threads and waits for all of them.
void RunOnThreads(int n, const std::function<void(int)>& fn) {
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) threads.emplace_back(fn, i);
  for (auto& t : threads) t.join();
}

// --- The asynchronous unary driver ---

// One call to make: its bytes, how many events it carries, and what to do
// with the answer (runs on the client thread that made the call).
struct UnaryWork {
  grpc::ByteBuffer request;
  int64_t events = 1;
  std::vector<std::pair<std::string, std::string>> metadata;
  // Returns false when the answer is wrong (counted as an error).
  std::function<bool(const grpc::ByteBuffer&)> check;
};

struct UnaryOptions {
  std::string method;
  int concurrency = 64;      // closed loop: calls in flight per thread
  double rate = 0;           // open loop: calls/s over all threads; 0: closed
  int max_in_flight = 2000;  // open loop: per thread
};

struct UnaryResult {
  Histogram latency;  // of the calls due in the measured window
  // With Common::timeline: the latencies of the calls due in each second
  // from the start, warm-up included.
  std::vector<Histogram> seconds;
  // Calls (and their events) that completed inside the measured window:
  // the throughput, which an overloaded server cannot inflate by
  // finishing its backlog after the window.
  int64_t calls = 0;
  int64_t events = 0;
  int64_t errors = 0;
  int64_t sent = 0;  // calls started in total (warm-up included)
  // Calls cancelled after the window, or due and never sent because the
  // in-flight cap was reached (their waits are in `latency`).
  int64_t unfinished = 0;
  double window_s = 0;
  double client_cpu_s = 0;
  std::string first_error;
};

// Makes the calls of one client thread. `make(thread, seq)` builds call
// `seq` of the thread.
class UnaryWorker {
 public:
  UnaryWorker(int index, const Common& common, const UnaryOptions& options,
              std::function<UnaryWork(int, uint64_t)> make)
      : index_(index),
        common_(common),
        options_(options),
        make_(std::move(make)),
        stub_(NewChannel(common.address, index)) {}

  void Run(int64_t start_ns, UnaryResult* result) {
    start_ns_ = start_ns;
    warm_end_ = start_ns + static_cast<int64_t>(common_.warmup_s * 1e9);
    stop_ = warm_end_ + static_cast<int64_t>(common_.duration_s * 1e9);
    const bool open = options_.rate > 0;
    const double interval_ns = open ? 1e9 * common_.threads / options_.rate : 0;
    // Threads start their schedules staggered across one interval.
    double next_due = static_cast<double>(start_ns) +
                      interval_ns * index_ / std::max(1, common_.threads);
    int in_flight = 0;
    uint64_t seq = 0;
    bool cancelled = false;
    for (;;) {
      const int64_t now = NowNs();
      const bool sending = now < stop_;
      // An overloaded server must not keep the bench waiting for its whole
      // backlog: after a grace period the calls still out are cancelled
      // (and still counted, below, with the time they waited).
      if (!sending && !cancelled && now >= stop_ + kDrainGraceNs) {
        for (Call* call : out_) call->context.TryCancel();
        cancelled = true;
      }
      if (sending) {
        if (open) {
          while (next_due <= static_cast<double>(now) &&
                 in_flight < options_.max_in_flight) {
            Start(static_cast<int64_t>(next_due), seq++, result);
            ++in_flight;
            next_due += interval_ns;
          }
        } else {
          while (in_flight < options_.concurrency) {
            Start(NowNs(), seq++, result);
            ++in_flight;
          }
        }
      } else if (in_flight == 0) {
        break;
      }
      const int64_t wake = open && sending && in_flight < options_.max_in_flight
                               ? static_cast<int64_t>(next_due)
                               : now + 100000000;
      void* tag = nullptr;
      bool ok = false;
      // gRPC takes system_clock deadlines; the schedule runs on the
      // monotonic clock, so pass the remaining time.
      const auto status = cq_.AsyncNext(
          &tag, &ok,
          std::chrono::system_clock::now() +
              std::chrono::nanoseconds(std::max<int64_t>(wake - now, 0)));
      if (status == grpc::CompletionQueue::SHUTDOWN) break;
      if (status != grpc::CompletionQueue::GOT_EVENT) continue;
      std::unique_ptr<Call> call(static_cast<Call*>(tag));
      out_.erase(call.get());
      --in_flight;
      const int64_t done = NowNs();
      if (cancelled && call->status.error_code() == grpc::CANCELLED) {
        // Unfinished: its latency is at least what it waited.
        RecordLatency(call->due_ns, done, result);
        ++result->unfinished;
        continue;
      }
      const bool good = ok && call->status.ok() &&
                        (!call->work.check || call->work.check(call->response));
      if (!good) {
        ++result->errors;
        if (result->first_error.empty()) {
          result->first_error = call->status.ok()
                                    ? "unexpected answer"
                                    : StrCat(call->status.error_code(), ": ",
                                             call->status.error_message());
        }
        continue;
      }
      RecordLatency(call->due_ns, done, result);
      if (done >= warm_end_ && done < stop_) {
        ++result->calls;
        result->events += call->work.events;
      }
    }
    // Calls that were due but never sent (the in-flight cap was reached):
    // they count too, each with at least the time it has waited by now,
    // or the percentiles would leave out exactly the worst moments.
    const int64_t end = NowNs();
    for (; open && next_due < static_cast<double>(stop_);
         next_due += interval_ns) {
      RecordLatency(static_cast<int64_t>(next_due), end, result);
      ++result->unfinished;
    }
    result->window_s = static_cast<double>(stop_ - warm_end_) / 1e9;
  }

 private:
  // A call due at `due_ns` and done (or given up) at `done_ns`: into the
  // latency histogram when it was due in the measured window, and with
  // --timeline into its second's.
  void RecordLatency(int64_t due_ns, int64_t done_ns,
                     UnaryResult* result) const {
    if (due_ns >= warm_end_ && due_ns < stop_) {
      result->latency.Record(done_ns - due_ns);
    }
    if (!common_.timeline || due_ns < start_ns_) return;
    const auto second = static_cast<size_t>((due_ns - start_ns_) / 1000000000);
    if (second >= result->seconds.size()) result->seconds.resize(second + 1);
    result->seconds[second].Record(done_ns - due_ns);
  }

  struct Call {
    grpc::ClientContext context;
    UnaryWork work;
    grpc::ByteBuffer response;
    grpc::Status status;
    std::unique_ptr<grpc::GenericClientAsyncResponseReader> reader;
    int64_t due_ns = 0;
  };

  void Start(int64_t due_ns, uint64_t seq, UnaryResult* result) {
    auto* call = new Call;
    call->due_ns = due_ns;
    call->work = make_(index_, seq);
    call->context.AddMetadata(kTenantHeader, common_.tenant);
    for (const auto& [k, v] : call->work.metadata) {
      call->context.AddMetadata(k, v);
    }
    call->context.set_deadline(std::chrono::system_clock::now() +
                               std::chrono::seconds(60));
    call->reader = stub_.PrepareUnaryCall(&call->context, options_.method,
                                          call->work.request, &cq_);
    call->reader->StartCall();
    call->reader->Finish(&call->response, &call->status, call);
    out_.insert(call);
    ++result->sent;
  }

  static constexpr int64_t kDrainGraceNs = 2000000000;

  const int index_;
  const Common& common_;
  const UnaryOptions& options_;
  std::function<UnaryWork(int, uint64_t)> make_;
  grpc::GenericStub stub_;
  // The schedule of Run: its start, the end of the warm-up, the end of the
  // measured window (steady clock, ns).
  int64_t start_ns_ = 0;
  int64_t warm_end_ = 0;
  int64_t stop_ = 0;
  grpc::CompletionQueue cq_;
  std::unordered_set<Call*> out_;  // in flight
};

UnaryResult RunUnary(const Common& common, const UnaryOptions& options,
                     const std::function<UnaryWork(int, uint64_t)>& make) {
  std::vector<std::unique_ptr<UnaryWorker>> workers;
  std::vector<UnaryResult> results(static_cast<size_t>(common.threads));
  for (int t = 0; t < common.threads; ++t) {
    workers.push_back(std::make_unique<UnaryWorker>(t, common, options, make));
  }
  const double cpu0 = ProcessCpuSeconds();
  const int64_t start = NowNs();
  RunOnThreads(common.threads, [&](int t) {
    workers[static_cast<size_t>(t)]->Run(start,
                                         &results[static_cast<size_t>(t)]);
  });
  UnaryResult total;
  for (const UnaryResult& r : results) {
    total.latency.Merge(r.latency);
    total.calls += r.calls;
    total.events += r.events;
    total.errors += r.errors;
    total.sent += r.sent;
    total.unfinished += r.unfinished;
    total.window_s = std::max(total.window_s, r.window_s);
    if (total.first_error.empty()) total.first_error = r.first_error;
    if (r.seconds.size() > total.seconds.size()) {
      total.seconds.resize(r.seconds.size());
    }
    for (size_t i = 0; i < r.seconds.size(); ++i) {
      total.seconds[i].Merge(r.seconds[i]);
    }
  }
  total.client_cpu_s = ProcessCpuSeconds() - cpu0;
  if (common.timeline) {
    std::fprintf(stderr, "second  calls   p50 ms   p99 ms   max ms%s\n",
                 common.warmup_s > 0 ? "  (warm-up first)" : "");
    for (size_t i = 0; i < total.seconds.size(); ++i) {
      const Histogram& h = total.seconds[i];
      std::fprintf(stderr, "%6zu %6lld %8.2f %8.2f %8.2f\n", i,
                   static_cast<long long>(h.count()), h.Percentile(0.5) / 1e6,
                   h.Percentile(0.99) / 1e6,
                   static_cast<double>(h.max()) / 1e6);
    }
  }
  return total;
}

// The server's CPU seconds over a scenario, so that figures can also be
// read per server CPU second: on a shared machine the wall-clock rate
// depends on what else runs, the CPU cost per event much less.
class ServerCpu {
 public:
  explicit ServerCpu(int pid) : pid_(pid), start_(Read()) {}
  void AddTo(double events, JsonFigures* out) const {
    if (pid_ == 0 || start_ < 0) return;
    const double used = Read() - start_;
    out->Add("server_cpu_s", used);
    if (used > 0) out->Add("events_per_server_cpu_s", events / used);
  }

 private:
  double Read() const { return pid_ == 0 ? -1 : ProcCpuSeconds(pid_); }
  const int pid_;
  const double start_;
};

void AddUnaryFigures(const UnaryOptions& options, const UnaryResult& r,
                     JsonFigures* out) {
  out->Add("mode", options.rate > 0 ? "open" : "closed");
  if (options.rate > 0) {
    out->Add("target_rate", options.rate);
  } else {
    out->Add("concurrency", options.concurrency);
  }
  out->Add("window_s", r.window_s);
  out->Add("requests_per_s", static_cast<double>(r.calls) / r.window_s);
  out->Add("events_per_s", static_cast<double>(r.events) / r.window_s);
  out->AddLatency("latency", r.latency);
  out->Add("errors", r.errors);
  out->Add("unfinished", r.unfinished);
  out->Add("client_cpu_s", r.client_cpu_s);
  if (!r.first_error.empty()) out->Add("first_error", r.first_error);
}

// --- Ingest and what it stored ---

// Events per learner and the learners each client thread writes to: a
// thread's events go round its own learners, so the bench knows how many
// events each learner must have.
struct IngestShape {
  int batch = 100;
  int64_t learners_per_thread = 2000;
  int64_t activities = 500;
};

v1::IngestRequest IngestRequestOf(const Common& c, const IngestShape& shape,
                                  int thread, uint64_t seq) {
  v1::IngestRequest request;
  for (int i = 0; i < shape.batch; ++i) {
    const uint64_t n =
        seq * static_cast<uint64_t>(shape.batch) + static_cast<uint64_t>(i);
    const int64_t learner =
        thread * shape.learners_per_thread +
        static_cast<int64_t>(n %
                             static_cast<uint64_t>(shape.learners_per_thread));
    api::ToProto(SyntheticEvent(
                     c.run, static_cast<uint32_t>(thread), n, learner,
                     static_cast<int64_t>(
                         (n * 7919) % static_cast<uint64_t>(shape.activities))),
                 request.add_events()->mutable_native());
  }
  return request;
}

// Counts a tenant's stored events straight from the server's database
// (read-only, beside the running server: WAL lets a reader in).
int64_t CountStored(const std::string& db_path, const std::string& tenant) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) !=
      SQLITE_OK) {
    sqlite3_close(db);
    return -1;
  }
  sqlite3_busy_timeout(db, 10000);
  int64_t n = -1;
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT count(*) FROM events WHERE tenant = ?", -1,
                         &s, nullptr) == SQLITE_OK) {
    sqlite3_bind_text(s, 1, tenant.data(), static_cast<int>(tenant.size()),
                      SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) n = sqlite3_column_int64(s, 0);
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return n;
}

// Asks the server for the events of `learner` (PrivacyService).
int64_t ExportedEvents(const Common& c, const std::string& learner) {
  auto stub = v1::PrivacyService::NewStub(NewChannel(c.address, 9999));
  grpc::ClientContext context;
  context.AddMetadata(kTenantHeader, c.tenant);
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(60));
  v1::ExportLearnerDataRequest request;
  request.set_learner(learner);
  v1::ExportLearnerDataResponse response;
  if (!stub->ExportLearnerData(&context, request, &response).ok()) return -1;
  return response.events_json_size();
}

// Checks that the server stored what was acknowledged: `accepted` rows in
// the tenant (when the database is known) and, for a few learners, as
// many exported events as were sent to them. `sent_to(learner index)`
// gives the events sent to a learner.
bool Verify(const Common& c, int64_t accepted,
            const std::vector<std::pair<int64_t, int64_t>>& samples,
            JsonFigures* out) {
  bool ok = true;
  if (!c.db_path.empty()) {
    const int64_t stored = CountStored(c.db_path, c.tenant);
    out->Add("stored_events", stored);
    ok = ok && stored == accepted;
  }
  int64_t checked = 0;
  for (const auto& [learner, expected] : samples) {
    const int64_t got = ExportedEvents(c, SyntheticLearnerKey(c.run, learner));
    ++checked;
    if (got != expected) {
      std::cerr << "verify: learner " << learner << ": expected " << expected
                << " events, the server exports " << got << "\n";
      ok = false;
    }
  }
  out->Add("verified_learners", checked);
  out->Add("verified", ok);
  std::cout << "verification: " << (ok ? "OK" : "FAILED") << " (" << accepted
            << " events acknowledged"
            << (c.db_path.empty() ? "" : ", counted in the database") << ", "
            << checked << " learners exported)\n";
  return ok;
}

// Events each sampled learner got: the calls that completed are the first
// `calls` of each thread only when no call failed, so sampling is only
// done then; per thread, call seq covers events [seq*batch, (seq+1)*batch).
std::vector<std::pair<int64_t, int64_t>> SampleLearners(
    const IngestShape& shape, const std::vector<int64_t>& events_per_thread) {
  std::vector<std::pair<int64_t, int64_t>> out;
  for (size_t t = 0; t < events_per_thread.size(); ++t) {
    const int64_t n = events_per_thread[t];
    for (int64_t l : {int64_t{0}, shape.learners_per_thread / 2,
                      shape.learners_per_thread - 1}) {
      // Events i < n with i % learners == l.
      const int64_t count = n / shape.learners_per_thread +
                            (l < n % shape.learners_per_thread ? 1 : 0);
      out.emplace_back(static_cast<int64_t>(t) * shape.learners_per_thread + l,
                       count);
    }
  }
  return out;
}

int IngestScenario(const Flags& f) {
  const Common c = CommonOf(f, StrCat("ingest-b", f.Int("batch", 100)));
  IngestShape shape;
  shape.batch = static_cast<int>(f.Int("batch", 100));
  shape.learners_per_thread = f.Int("learners", 2000);
  UnaryOptions options;
  options.method = kIngestMethod;
  options.concurrency = static_cast<int>(f.Int("concurrency", 32));
  options.rate = f.Double("rate", 0);
  // Calls each thread sent; all of them are accepted or the run fails.
  std::vector<std::atomic<int64_t>> accepted(static_cast<size_t>(c.threads));
  std::vector<std::atomic<int64_t>> calls_made(static_cast<size_t>(c.threads));
  const ServerCpu server_cpu(c.server_pid);
  const UnaryResult r = RunUnary(c, options, [&](int t, uint64_t seq) {
    UnaryWork w;
    w.request = Serialize(IngestRequestOf(c, shape, t, seq));
    w.events = shape.batch;
    ++calls_made[static_cast<size_t>(t)];
    std::atomic<int64_t>* acc = &accepted[static_cast<size_t>(t)];
    w.check = [acc, n = shape.batch](const grpc::ByteBuffer& b) {
      v1::IngestResponse response;
      if (!Parse(b, &response)) return false;
      *acc += response.accepted();
      return response.accepted() == n;
    };
    return w;
  });
  JsonFigures out;
  out.Add("scenario", "ingest");
  out.Add("batch", shape.batch);
  AddUnaryFigures(options, r, &out);
  if (c.server_pid != 0) {
    out.Add("server_rss_bytes", ProcStatusBytes(c.server_pid, "VmRSS"));
  }
  int64_t total_accepted = 0;
  std::vector<int64_t> events_per_thread;
  for (size_t t = 0; t < accepted.size(); ++t) {
    total_accepted += accepted[t];
    events_per_thread.push_back(calls_made[t] * shape.batch);
  }
  out.Add("accepted_events", total_accepted);
  server_cpu.AddTo(static_cast<double>(total_accepted), &out);
  const bool ok =
      r.errors == 0 &&
      Verify(c, total_accepted, SampleLearners(shape, events_per_thread), &out);
  return WriteJson(c, out) != 0 || !ok ? 1 : 0;
}

// --- Echo: the transport ceiling ---

// The size of a real IngestResponse to a batch of `batch` events, learnt
// from one real call (into its own tenant, so the runs do not mix).
int64_t IngestResponseBytes(const Common& c, const IngestShape& shape) {
  auto stub = v1::EventService::NewStub(NewChannel(c.address, 9998));
  grpc::ClientContext context;
  context.AddMetadata(kTenantHeader, c.tenant + "-probe");
  v1::IngestResponse response;
  grpc::Status s =
      stub->Ingest(&context, IngestRequestOf(c, shape, 0, 0), &response);
  if (!s.ok()) {
    std::cerr << "echo: the probe Ingest failed: " << s.error_message() << "\n";
    return -1;
  }
  return static_cast<int64_t>(response.ByteSizeLong());
}

int EchoScenario(const Flags& f) {
  const Common c = CommonOf(f, "echo");
  IngestShape shape;
  shape.batch = static_cast<int>(f.Int("batch", 1));
  const int64_t reply = f.Int("response_bytes", IngestResponseBytes(c, shape));
  if (reply < 0) return 1;
  UnaryOptions options;
  options.method = server::kBenchEchoMethod;
  options.concurrency = static_cast<int>(f.Int("concurrency", 32));
  options.rate = f.Double("rate", 0);
  // One request, sent every time: its bytes are what an Ingest call of the
  // batch carries; the echo does not look at them.
  const grpc::ByteBuffer request = Serialize(IngestRequestOf(c, shape, 0, 0));
  const size_t request_bytes = request.Length();
  const ServerCpu server_cpu(c.server_pid);
  const UnaryResult r = RunUnary(c, options, [&](int, uint64_t) {
    UnaryWork w;
    w.request = request;
    w.events = shape.batch;
    w.metadata.emplace_back(server::kBenchEchoResponseBytes,
                            std::to_string(reply));
    w.check = [reply](const grpc::ByteBuffer& b) {
      return static_cast<int64_t>(b.Length()) == reply;
    };
    return w;
  });
  JsonFigures out;
  out.Add("scenario", "echo");
  out.Add("batch", shape.batch);
  out.Add("request_bytes", static_cast<int64_t>(request_bytes));
  out.Add("response_bytes", reply);
  AddUnaryFigures(options, r, &out);
  server_cpu.AddTo(static_cast<double>(r.sent * shape.batch), &out);
  return WriteJson(c, out) != 0 || r.errors != 0 ? 1 : 0;
}

// The body h2load posts: the echo's request in a gRPC frame (a zero
// compression flag and a big-endian length before the message).
int H2loadBody(const Flags& f) {
  const Common c = CommonOf(f, "echo");
  IngestShape shape;
  shape.batch = static_cast<int>(f.Int("batch", 1));
  const std::string out_path = f.Str("out", "");
  if (out_path.empty()) {
    std::cerr << "h2load-body: --out is required\n";
    return 2;
  }
  std::string message;
  IngestRequestOf(c, shape, 0, 0).SerializeToString(&message);
  std::string frame(5, '\0');
  const uint32_t n = htonl(static_cast<uint32_t>(message.size()));
  std::memcpy(&frame[1], &n, 4);
  std::ofstream out(out_path, std::ios::binary);
  out << frame << message;
  const int64_t reply = IngestResponseBytes(c, shape);
  std::cout << "{\"request_bytes\": " << message.size()
            << ", \"response_bytes\": " << reply << "}\n";
  return out.good() && reply >= 0 ? 0 : 1;
}

// --- Recommendations ---

int RecommendScenario(const Flags& f) {
  Common c = CommonOf(f, "recommend");
  c.tenant = f.Str("tenant", "bench-recommend");
  c.run = f.Str("run", "rec");
  const int64_t learners = f.Int("learners", 100000);
  UnaryOptions options;
  options.method = kRecommendMethod;
  options.concurrency = static_cast<int>(f.Int("concurrency", 8));
  options.rate = f.Double("rate", 2000);
  // Bounds the server's work queue when it cannot keep up; calls beyond
  // wait in the bench, their latency still running from when they were due.
  options.max_in_flight = static_cast<int>(f.Int("max_in_flight", 256));
  std::atomic<int64_t> empty{0};
  const ServerCpu server_cpu(c.server_pid);
  const UnaryResult r = RunUnary(c, options, [&](int t, uint64_t seq) {
    v1::GetRecommendationsRequest request;
    // Learners in a scattered order, so caches see a realistic spread.
    const uint64_t n = (seq * 2654435761ULL + static_cast<uint64_t>(t)) %
                       static_cast<uint64_t>(learners);
    request.set_learner(SyntheticLearnerKey(c.run, static_cast<int64_t>(n)));
    request.set_k(5);
    request.set_locale("en");
    UnaryWork w;
    w.request = Serialize(request);
    w.check = [&empty](const grpc::ByteBuffer& b) {
      v1::GetRecommendationsResponse response;
      if (!Parse(b, &response)) return false;
      if (response.recommendations_size() == 0) ++empty;
      return true;
    };
    return w;
  });
  JsonFigures out;
  out.Add("scenario", "recommend");
  out.Add("learners", learners);
  AddUnaryFigures(options, r, &out);
  out.Add("empty_answers", empty.load());
  server_cpu.AddTo(static_cast<double>(r.sent), &out);
  if (c.server_pid != 0) {
    out.Add("server_rss_bytes", ProcStatusBytes(c.server_pid, "VmRSS"));
  }
  return WriteJson(c, out) != 0 || r.errors != 0 ? 1 : 0;
}

// Writes the recommendation scenario's data through the store API: the
// synthetic catalogue, then `events` events spread over `learners`
// learners (with their profile deltas, as the ingestor makes them), so
// profiles, touches and co-occurrence exist as after real ingest.
int PrepareRecommend(const Flags& f) {
  const std::string db = f.Str("db", "");
  const std::string rules =
      f.Str("rules", POLKU_SOURCE_DIR "/deploy/config/rules.yaml");
  const std::string tenant = f.Str("tenant", "bench-recommend");
  const std::string run = f.Str("run", "rec");
  const int64_t learners = f.Int("learners", 100000);
  const int64_t activities = f.Int("activities", 10000);
  const int64_t paths = f.Int("paths", 1000);
  const int64_t per_learner = f.Int("events_per_learner", 5);
  if (db.empty()) {
    std::cerr << "prepare-recommend: --db is required\n";
    return 2;
  }
  const int64_t t0 = NowNs();
  std::filesystem::create_directories(std::filesystem::path(db).parent_path());
  store::SqliteEventStore::Options options;
  options.durability = store::SqliteEventStore::Durability::kNormal;
  auto opened = store::SqliteEventStore::Open(db, options);
  if (!opened.ok()) {
    std::cerr << opened.status() << "\n";
    return 1;
  }
  auto& s = **opened;
  learning::CatalogueFile catalogue = SyntheticCatalogue(activities, paths);
  if (auto st = s.UpsertActivities(tenant, catalogue.activities); !st.ok()) {
    std::cerr << st << "\n";
    return 1;
  }
  if (auto st = s.UpsertPaths(tenant, catalogue.paths); !st.ok()) {
    std::cerr << st << "\n";
    return 1;
  }
  auto rule_set = model::RuleSet::Load(rules);
  if (!rule_set.ok()) {
    std::cerr << rule_set.status() << "\n";
    return 1;
  }
  const model::Tagger tagger(*rule_set);
  const learning::ProfileConfig profile_config;
  // Each learner's events go to neighbouring activities along one of the
  // paths, so "next after similar" has material.
  const int64_t total = learners * per_learner;
  constexpr int64_t kBatch = 5000;
  std::vector<store::EventRecord> records;
  for (int64_t i = 0; i < total;) {
    records.clear();
    for (; i < total && static_cast<int64_t>(records.size()) < kBatch; ++i) {
      const int64_t learner = i % learners;
      const int64_t step = i / learners;
      const auto& path = catalogue.paths[static_cast<size_t>(learner % paths)];
      const std::string& activity_id =
          path.steps[static_cast<size_t>(step) % path.steps.size()].activity_id;
      const int64_t activity = std::atoll(activity_id.c_str() + 10);
      model::LearningEvent e =
          SyntheticEvent(run, 0, static_cast<uint64_t>(i), learner, activity);
      const model::EventTags tags = tagger.Tag(e);
      records.push_back(
          store::MakeRecord(tenant, e, tags, e.occurred_at_ms + 1000));
      records.back().delta = std::make_shared<const learning::ProfileDelta>(
          learning::MakeDelta(profile_config, e, tags));
    }
    auto outcomes = s.Append(records);
    if (!outcomes.ok()) {
      std::cerr << outcomes.status() << "\n";
      return 1;
    }
  }
  if (auto st = s.Close(); !st.ok()) {
    std::cerr << st << "\n";
    return 1;
  }
  std::cout << "{\"learners\": " << learners
            << ", \"activities\": " << activities << ", \"paths\": " << paths
            << ", \"events\": " << total
            << ", \"seconds\": " << static_cast<double>(NowNs() - t0) / 1e9
            << "}\n";
  return 0;
}

// --- Streams ---

struct StreamTotals {
  Histogram ack_latency;  // chunk written to chunk acknowledged
  int64_t chunks = 0;
  int64_t events = 0;
  int64_t accepted = 0;
  int64_t duplicates = 0;
  int64_t rejected = 0;
  std::string error;
};

// One IngestStream with up to `window` chunks written and not yet
// acknowledged. `next(request)` fills the next chunk and returns false
// when there is none. Synchronous API, a writer and a reader thread: the
// server answers a stream's chunks in order, so the window only keeps the
// next chunk ready for it.
void RunStream(const Common& c, int index, int window,
               const std::function<bool(v1::IngestStreamRequest*)>& next,
               StreamTotals* totals) {
  auto stub = v1::EventService::NewStub(NewChannel(c.address, index));
  grpc::ClientContext context;
  context.AddMetadata(kTenantHeader, c.tenant);
  auto stream = stub->IngestStream(&context);
  std::mutex mu;
  std::condition_variable cv;
  std::deque<int64_t> sent_at;
  bool reader_done = false;
  std::thread reader([&] {
    v1::IngestStreamResponse ack;
    while (stream->Read(&ack)) {
      int64_t at = 0;
      {
        std::lock_guard<std::mutex> lock(mu);
        if (sent_at.empty()) break;
        at = sent_at.front();
        sent_at.pop_front();
      }
      cv.notify_all();
      totals->ack_latency.Record(NowNs() - at);
      ++totals->chunks;
      totals->accepted += ack.accepted();
      totals->duplicates += ack.duplicates();
      totals->rejected += ack.rejected();
      if (totals->error.empty() && ack.results_size() > 0) {
        totals->error = ack.results(0).error().message();
      }
    }
    std::lock_guard<std::mutex> lock(mu);
    reader_done = true;  // nothing more will be read: stop the writer too
    cv.notify_all();
  });
  v1::IngestStreamRequest request;
  int64_t chunk_id = 0;
  for (;;) {
    request.Clear();
    if (!next(&request)) break;
    request.set_chunk_id(++chunk_id);
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] {
        return reader_done || static_cast<int>(sent_at.size()) < window;
      });
      if (reader_done) break;
      sent_at.push_back(NowNs());
    }
    totals->events += request.events_size();
    if (!stream->Write(request)) break;
  }
  stream->WritesDone();
  reader.join();
  grpc::Status s = stream->Finish();
  if (!s.ok() && totals->error.empty()) {
    totals->error = StrCat(s.error_code(), ": ", s.error_message());
  }
}

StreamTotals RunStreams(
    const Common& c, int streams, int window,
    const std::function<bool(int, v1::IngestStreamRequest*)>& next) {
  std::vector<StreamTotals> each(static_cast<size_t>(streams));
  RunOnThreads(streams, [&](int i) {
    RunStream(
        c, i, window, [&, i](v1::IngestStreamRequest* r) { return next(i, r); },
        &each[static_cast<size_t>(i)]);
  });
  StreamTotals total;
  for (const StreamTotals& t : each) {
    total.ack_latency.Merge(t.ack_latency);
    total.chunks += t.chunks;
    total.events += t.events;
    total.accepted += t.accepted;
    total.duplicates += t.duplicates;
    total.rejected += t.rejected;
    if (total.error.empty()) total.error = t.error;
  }
  return total;
}

void AddStreamFigures(const StreamTotals& t, double seconds, JsonFigures* out) {
  out->Add("wall_s", seconds);
  out->Add("events", t.events);
  out->Add("events_per_s",
           static_cast<double>(t.accepted + t.duplicates) / seconds);
  out->Add("accepted", t.accepted);
  out->Add("duplicates", t.duplicates);
  out->Add("rejected", t.rejected);
  out->Add("chunks", t.chunks);
  out->AddLatency("ack", t.ack_latency);
  if (!t.error.empty()) out->Add("first_error", t.error);
}

int StreamScenario(const Flags& f) {
  const Common c = CommonOf(f, StrCat("stream-b", f.Int("batch", 1000)));
  IngestShape shape;
  shape.batch = static_cast<int>(f.Int("batch", 1000));
  shape.learners_per_thread = f.Int("learners", 2000);
  const int streams = static_cast<int>(f.Int("streams", 2));
  const int window = static_cast<int>(f.Int("window", 2));
  // Streams run for the duration (no warm-up: a stream's rate is its
  // whole life's).
  const int64_t stop = NowNs() + static_cast<int64_t>(c.duration_s * 1e9);
  std::vector<uint64_t> seq(static_cast<size_t>(streams), 0);
  const ServerCpu server_cpu(c.server_pid);
  const double cpu0 = ProcessCpuSeconds();
  const int64_t t0 = NowNs();
  StreamTotals t =
      RunStreams(c, streams, window, [&](int i, v1::IngestStreamRequest* r) {
        if (NowNs() >= stop) return false;
        v1::IngestRequest batch =
            IngestRequestOf(c, shape, i, seq[static_cast<size_t>(i)]++);
        r->mutable_events()->Swap(batch.mutable_events());
        return true;
      });
  const double seconds = static_cast<double>(NowNs() - t0) / 1e9;
  JsonFigures out;
  out.Add("scenario", "stream");
  out.Add("batch", shape.batch);
  out.Add("streams", streams);
  AddStreamFigures(t, seconds, &out);
  out.Add("client_cpu_s", ProcessCpuSeconds() - cpu0);
  server_cpu.AddTo(static_cast<double>(t.events), &out);
  std::vector<int64_t> events_per_thread;
  for (uint64_t s : seq) {
    events_per_thread.push_back(static_cast<int64_t>(s) * shape.batch);
  }
  const bool ok =
      t.error.empty() && t.accepted == t.events &&
      Verify(c, t.accepted, SampleLearners(shape, events_per_thread), &out);
  return WriteJson(c, out) != 0 || !ok ? 1 : 0;
}

// --- OULAD replay ---

int OuladReplay(const Flags& f) {
  Common c = CommonOf(f, "oulad");
  const std::string dir = f.Str("data", POLKU_SHARED_DIR "/datasets/oulad");
  const int chunk = static_cast<int>(f.Int("chunk", 2000));
  const int streams = static_cast<int>(f.Int("streams", 2));
  const int window = static_cast<int>(f.Int("window", 2));
  const int64_t max_events = f.Int("max_events", 0);  // 0: all of them
  // 0: no limit. Past it no new chunk is sent; the figures then cover what
  // was replayed, and the full replay's time is projected from its rate.
  const double max_seconds = f.Double("max_seconds", 0);
  auto listed = oulad::ListPresentations(dir);
  if (!listed.ok()) {
    std::cerr << "oulad-replay: " << listed.status().message() << "\n";
    return 2;
  }
  std::vector<oulad::PresentationCode> codes;
  for (const auto& s : *listed) codes.push_back(s.code);
  const std::string only = f.Str("presentation", "");
  if (!only.empty()) {
    auto code = oulad::ParsePresentationCode(only);
    if (!code.ok()) {
      std::cerr << "oulad-replay: --presentation: " << code.status() << "\n";
      return 2;
    }
    codes = {*code};
  }
  // The dataset is read before the clock starts, in one pass over each
  // file, as a load generator prepares its requests: the replay measures
  // the server, not the parsing of 10.6 million CSV rows beside it.
  const double load_cpu0 = ProcessCpuSeconds();
  const int64_t load_t0 = NowNs();
  auto loaded = oulad::LoadPresentations(dir, codes);
  if (!loaded.ok()) {
    std::cerr << "oulad-replay: " << loaded.status().message() << "\n";
    return loaded.status().code() == absl::StatusCode::kNotFound ? 2 : 1;
  }
  const double load_s = static_cast<double>(NowNs() - load_t0) / 1e9;
  const double load_cpu_s = ProcessCpuSeconds() - load_cpu0;
  int64_t vle_rows = 0;
  for (const oulad::Presentation& p : *loaded) {
    vle_rows += static_cast<int64_t>(p.vle.size());
  }
  const ServerCpu server_cpu(c.server_pid);
  const double cpu0 = ProcessCpuSeconds();
  const int64_t t0 = NowNs();
  // Each stream takes whole presentations, so a learner's events of one
  // presentation arrive in order on one stream.
  std::atomic<size_t> next_presentation{0};
  struct Cursor {
    std::unique_ptr<oulad::EventPlan> plan;
    size_t next = 0;
  };
  std::vector<Cursor> cursors(static_cast<size_t>(streams));
  std::atomic<int64_t> budget{max_events > 0 ? max_events : INT64_MAX};
  std::atomic<int> presentations{0};
  const int64_t deadline = max_seconds > 0
                               ? t0 + static_cast<int64_t>(max_seconds * 1e9)
                               : INT64_MAX;
  std::atomic<bool> cut{false};
  StreamTotals t =
      RunStreams(c, streams, window, [&](int i, v1::IngestStreamRequest* r) {
        Cursor& cur = cursors[static_cast<size_t>(i)];
        if (NowNs() >= deadline) {
          cut = true;
          return false;
        }
        while (r->events_size() < chunk) {
          if (cur.plan == nullptr || cur.next == cur.plan->events().size()) {
            cur.plan.reset();
            const size_t taken = next_presentation.fetch_add(1);
            if (taken >= loaded->size()) break;
            cur.plan = std::make_unique<oulad::EventPlan>((*loaded)[taken]);
            cur.next = 0;
            ++presentations;
            continue;
          }
          if (budget.fetch_sub(1) <= 0) break;
          api::ToProto(cur.plan->Make(cur.plan->events()[cur.next++]),
                       r->add_events()->mutable_native());
        }
        return r->events_size() > 0;
      });
  const double seconds = static_cast<double>(NowNs() - t0) / 1e9;
  JsonFigures out;
  out.Add("scenario", "oulad-replay");
  out.Add("presentations", presentations.load());
  out.Add("chunk", chunk);
  out.Add("streams", streams);
  AddStreamFigures(t, seconds, &out);
  out.Add("client_cpu_s", ProcessCpuSeconds() - cpu0);
  server_cpu.AddTo(static_cast<double>(t.events), &out);
  out.Add("load_s", load_s);
  out.Add("load_cpu_s", load_cpu_s);
  out.Add("complete", !cut.load());
  if (cut.load()) {
    // studentVle rows alone: a lower bound of the events still to come.
    out.Add("projected_total_events_at_least", vle_rows);
    out.Add("projected_wall_s_at_least",
            static_cast<double>(vle_rows) * seconds /
                static_cast<double>(std::max<int64_t>(t.events, 1)));
  }
  if (c.server_pid != 0) {
    out.Add("server_peak_rss_bytes", ProcStatusBytes(c.server_pid, "VmHWM"));
    out.Add("server_rss_bytes", ProcStatusBytes(c.server_pid, "VmRSS"));
  }
  if (!c.db_path.empty()) {
    int64_t bytes = 0;
    for (const char* suffix : {"", "-wal"}) {
      std::error_code ec;
      auto n = std::filesystem::file_size(c.db_path + suffix, ec);
      if (!ec) bytes += static_cast<int64_t>(n);
    }
    out.Add("database_bytes", bytes);
  }
  bool ok = t.error.empty() && t.rejected == 0 &&
            t.accepted + t.duplicates == t.events;
  if (!c.db_path.empty()) {
    const int64_t stored = CountStored(c.db_path, c.tenant);
    out.Add("stored_events", stored);
    ok = ok && stored == t.accepted + t.duplicates;
  }
  out.Add("verified", ok);
  std::cout << "verification: " << (ok ? "OK" : "FAILED") << "\n";
  return WriteJson(c, out) != 0 || !ok ? 1 : 0;
}

// --- xAPI over HTTP ---

// A blocking HTTP/1.1 client on one keep-alive loopback connection,
// reconnecting when the server closes it.
class HttpConnection {
 public:
  // `quick_ack`: acknowledge every segment at once (TCP_QUICKACK), which
  // takes the client's delayed ACK out of the measurement (a diagnostic:
  // ordinary HTTP clients do not do this).
  HttpConnection(int port, bool quick_ack)
      : port_(port), quick_ack_(quick_ack) {}
  ~HttpConnection() { Close(); }

  // POSTs `body`; returns the status code, or -1 on a transport error.
  int Post(const std::string& head, const std::string& body) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (fd_ < 0 && !Connect()) return -1;
      const std::string request =
          StrCat(head, "Content-Length: ", body.size(), "\r\n\r\n", body);
      if (!SendAll(request)) {
        Close();
        continue;
      }
      int status = 0;
      bool close = false;
      if (ReadResponse(&status, &close)) {
        if (close) Close();
        return status;
      }
      Close();
    }
    return -1;
  }

 private:
  bool Connect() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) return false;
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port_));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      Close();
      return false;
    }
    buffer_.clear();
    return true;
  }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  bool SendAll(const std::string& data) {
    size_t off = 0;
    while (off < data.size()) {
      const ssize_t n =
          send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }
  bool Fill() {
    char chunk[65536];
    const ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) return false;
    if (quick_ack_) {
      int one = 1;  // Linux clears it again after a while: set it each time
      setsockopt(fd_, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
    }
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }
  // Status line and headers, then a Content-Length body (what the
  // gateway sends).
  bool ReadResponse(int* status, bool* close) {
    size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return false;
    }
    std::string head = buffer_.substr(0, end);
    for (char& ch : head) ch = static_cast<char>(std::tolower(ch));
    if (head.size() < 12) return false;
    *status = std::atoi(head.c_str() + 9);
    size_t length = 0;
    if (size_t at = head.find("content-length:"); at != std::string::npos) {
      length = static_cast<size_t>(std::atoll(head.c_str() + at + 15));
    }
    *close = head.find("connection: close") != std::string::npos;
    while (buffer_.size() < end + 4 + length) {
      if (!Fill()) return false;
    }
    buffer_.erase(0, end + 4 + length);
    return true;
  }

  const int port_;
  const bool quick_ack_;
  int fd_ = -1;
  std::string buffer_;
};

// An xAPI statement as an LMS plugin would send it (Moodle's logstore_xapi
// shape, trimmed), with a unique id.
std::string XapiStatement(const Common& c, int thread, uint64_t n,
                          int64_t learners, int64_t activities) {
  const model::LearningEvent e = SyntheticEvent(
      c.run, static_cast<uint32_t>(thread), n,
      static_cast<int64_t>(n % static_cast<uint64_t>(learners)),
      static_cast<int64_t>((n * 7919) % static_cast<uint64_t>(activities)));
  const int64_t secs = e.occurred_at_ms / 1000;
  char when[32];
  const time_t tt = static_cast<time_t>(secs);
  tm utc{};
  gmtime_r(&tt, &utc);
  std::strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return StrCat(
      R"({"id":")", e.event_id,
      R"(","actor":{"objectType":"Agent","account":{)",
      R"("homePage":"https://lms.bench.example","name":")", c.run, "-", thread,
      "-", n % static_cast<uint64_t>(learners), R"("}},)",
      R"("verb":{"id":"http://id.tincanapi.com/verb/viewed",)",
      R"("display":{"en":"viewed"}},)", R"("object":{"objectType":"Activity",)",
      R"("id":"https://lms.bench.example/mod/resource/view.php?id=)",
      e.object.id, R"(","definition":{)",
      R"("type":"http://id.tincanapi.com/activitytype/resource",)",
      R"("name":{"en":"Resource"}}},"timestamp":")", when, R"("})");
}

int XapiScenario(const Flags& f) {
  const Common c = CommonOf(f, StrCat("xapi-s", f.Int("statements", 100)));
  const int port = static_cast<int>(f.Int("http_port", 8080));
  const int statements = static_cast<int>(f.Int("statements", 100));
  const int connections = static_cast<int>(f.Int("connections", 4));
  const int64_t learners = f.Int("learners", 2000);
  const bool quick_ack = f.Str("quick_ack", "false") == "true";
  const std::string head = StrCat(
      "POST /xapi/statements HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Content-Type: application/json\r\nX-Experience-API-Version: 1.0.3\r\n",
      kTenantHeader, ": ", c.tenant, "\r\n");
  const int64_t start = NowNs();
  const int64_t warm_end = start + static_cast<int64_t>(c.warmup_s * 1e9);
  const int64_t stop = warm_end + static_cast<int64_t>(c.duration_s * 1e9);
  std::vector<Histogram> latency(static_cast<size_t>(connections));
  std::vector<int64_t> measured(static_cast<size_t>(connections), 0);
  std::vector<int64_t> statements_sent(static_cast<size_t>(connections), 0);
  std::vector<int64_t> errors(static_cast<size_t>(connections), 0);
  std::vector<int> first_status(static_cast<size_t>(connections), 0);
  const ServerCpu server_cpu(c.server_pid);
  const double cpu0 = ProcessCpuSeconds();
  std::vector<std::thread> threads;
  for (int t = 0; t < connections; ++t) {
    threads.emplace_back([&, t] {
      HttpConnection conn(port, quick_ack);
      uint64_t n = 0;
      while (NowNs() < stop) {
        std::string body = "[";
        for (int i = 0; i < statements; ++i) {
          if (i > 0) body += ",";
          body += XapiStatement(c, t, n++, learners, 500);
        }
        body += "]";
        const int64_t sent = NowNs();
        const int status = conn.Post(head, body);
        const int64_t done = NowNs();
        if (status != 200) {
          ++errors[static_cast<size_t>(t)];
          if (first_status[static_cast<size_t>(t)] == 0) {
            first_status[static_cast<size_t>(t)] = status;
          }
          if (status < 0) break;
          continue;
        }
        statements_sent[static_cast<size_t>(t)] += statements;
        if (sent >= warm_end && sent < stop) {
          latency[static_cast<size_t>(t)].Record(done - sent);
          measured[static_cast<size_t>(t)] += statements;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  Histogram all;
  int64_t total = 0;
  int64_t sent_total = 0;
  int64_t error_total = 0;
  int first = 0;
  for (int t = 0; t < connections; ++t) {
    all.Merge(latency[static_cast<size_t>(t)]);
    total += measured[static_cast<size_t>(t)];
    sent_total += statements_sent[static_cast<size_t>(t)];
    error_total += errors[static_cast<size_t>(t)];
    if (first == 0) first = first_status[static_cast<size_t>(t)];
  }
  const double window = static_cast<double>(stop - warm_end) / 1e9;
  JsonFigures out;
  out.Add("scenario", "xapi-http");
  out.Add("statements_per_request", statements);
  out.Add("connections", connections);
  out.Add("quick_ack", quick_ack);
  out.Add("window_s", window);
  out.Add("statements_per_s", static_cast<double>(total) / window);
  out.Add("requests_per_s", static_cast<double>(all.count()) / window);
  out.AddLatency("latency", all);
  out.Add("errors", error_total);
  if (first != 0) out.Add("first_error_status", first);
  out.Add("client_cpu_s", ProcessCpuSeconds() - cpu0);
  bool ok = error_total == 0;
  if (!c.db_path.empty()) {
    const int64_t stored = CountStored(c.db_path, c.tenant);
    out.Add("stored_events", stored);
    ok = ok && stored == sent_total;
  }
  out.Add("accepted_statements", sent_total);
  server_cpu.AddTo(static_cast<double>(sent_total), &out);
  out.Add("verified", ok);
  std::cout << "verification: " << (ok ? "OK" : "FAILED") << " (" << sent_total
            << " statements acknowledged)\n";
  return WriteJson(c, out) != 0 || !ok ? 1 : 0;
}

// --- Memory per profile ---

// Loads `count` learners (one event each, with its profile delta) into a
// SQLite store whose learner cache holds them all, as the server's store
// holds the learners it has seen, and reports the growth of this
// process's resident memory and of its heap per learner. SQLite's page
// cache is part of both; it is bounded by the store's cache_size, not by
// the number of learners, and is reported apart.
int ProfilesScenario(const Flags& f) {
  const int64_t count = f.Int("count", 1000000);
  const std::string rules =
      f.Str("rules", POLKU_SOURCE_DIR "/deploy/config/rules.yaml");
  const std::string json = f.Str("json", "");
  auto dir = std::filesystem::temp_directory_path() /
             StrCat("polku-bench-profiles-", getpid());
  std::filesystem::create_directories(dir);
  store::SqliteEventStore::Options options;
  options.durability = store::SqliteEventStore::Durability::kNormal;
  options.learner_cache_size = static_cast<size_t>(count) + 1;
  auto opened =
      store::SqliteEventStore::Open((dir / "polku.db").string(), options);
  if (!opened.ok()) {
    std::cerr << opened.status() << "\n";
    return 1;
  }
  auto rule_set = model::RuleSet::Load(rules);
  if (!rule_set.ok()) {
    std::cerr << rule_set.status() << "\n";
    return 1;
  }
  const model::Tagger tagger(*rule_set);
  const learning::ProfileConfig profile_config;
  // The baseline after a first batch, so the store's threads, statements
  // and SQLite's first pages are not charged to the profiles.
  constexpr int64_t kBatch = 5000;
  std::vector<store::EventRecord> records;
  auto append = [&](int64_t from, int64_t to) {
    records.clear();
    for (int64_t i = from; i < to; ++i) {
      model::LearningEvent e =
          SyntheticEvent("mem", 0, static_cast<uint64_t>(i), i, i % 500);
      const model::EventTags tags = tagger.Tag(e);
      records.push_back(
          store::MakeRecord("bench-memory", e, tags, e.occurred_at_ms));
      records.back().delta = std::make_shared<const learning::ProfileDelta>(
          learning::MakeDelta(profile_config, e, tags));
    }
    return (*opened)->Append(records).status();
  };
  const int64_t first = std::min(count, kBatch);
  if (auto s = append(0, first); !s.ok()) {
    std::cerr << s << "\n";
    return 1;
  }
  records = {};
  malloc_trim(0);
  const int64_t rss0 = ProcStatusBytes(0, "VmRSS");
  const auto heap0 = static_cast<int64_t>(mallinfo2().uordblks);
  const int64_t sqlite0 = sqlite3_memory_used();
  const int64_t t0 = NowNs();
  for (int64_t i = first; i < count; i += kBatch) {
    if (auto s = append(i, std::min(count, i + kBatch)); !s.ok()) {
      std::cerr << s << "\n";
      return 1;
    }
  }
  records = {};
  malloc_trim(0);
  const double seconds = static_cast<double>(NowNs() - t0) / 1e9;
  const int64_t rss1 = ProcStatusBytes(0, "VmRSS");
  const auto heap1 = static_cast<int64_t>(mallinfo2().uordblks);
  const int64_t sqlite1 = sqlite3_memory_used();
  // A profile really is held: read one back through the cache.
  auto p = (*opened)->GetProfile("bench-memory",
                                 SyntheticLearnerKey("mem", count - 1));
  const bool held = p.ok() && p->has_value();
  const double n = static_cast<double>(count - first);
  JsonFigures out;
  out.Add("scenario", "profiles");
  out.Add("profiles", count);
  out.Add("measured_profiles", count - first);
  out.Add("rss_growth_bytes", rss1 - rss0);
  out.Add("rss_bytes_per_profile", static_cast<double>(rss1 - rss0) / n);
  out.Add("heap_bytes_per_profile", static_cast<double>(heap1 - heap0) / n);
  // SQLite's own allocations (its page cache, bounded by cache_size) are
  // part of the heap; without them, what Polku holds per learner.
  out.Add("sqlite_bytes_per_profile",
          static_cast<double>(sqlite1 - sqlite0) / n);
  out.Add("heap_without_sqlite_bytes_per_profile",
          static_cast<double>((heap1 - heap0) - (sqlite1 - sqlite0)) / n);
  // The fixed part of one learner's state, to read the figures against.
  out.Add("sizeof_profile", static_cast<int64_t>(sizeof(learning::Profile)));
  out.Add("load_seconds", seconds);
  out.Add("profile_read_back", held);
  (*opened)->Close().IgnoreError();
  opened->reset();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  Common c;
  c.json_path = json;
  return WriteJson(c, out) != 0 || !held ? 1 : 0;
}

constexpr char kUsage[] =
    R"(Usage: polku-bench <scenario> [--flag=value ...]

Against a polku-server in development mode (--dev_mode):
  ingest        --batch=N [--concurrency=C | --rate=R] [--threads=T]
  stream        --batch=N [--streams=S] [--window=W]
  echo          --batch=N [--concurrency=C]  (server with --bench_echo=true)
  recommend     [--rate=R] [--learners=N]    (after prepare-recommend)
  xapi-http     --statements=N --http_port=P [--connections=C]
                [--quick_ack=true] (diagnostic: no delayed ACKs)
  oulad-replay  [--data=DIR] [--chunk=N] [--streams=S] [--max_events=N]
                [--max_seconds=S] (stop there; project the full replay)
Common: --address=HOST:PORT --duration=S --warmup=S --tenant=T --json=FILE
        --timeline=1 (unary scenarios: each second's latencies on stderr)
        --db=PATH (the server's database, to count what was stored)
        --server_pid=PID (the server's resident memory)
Without a server:
  prepare-recommend --db=PATH [--learners=N --activities=N --paths=N]
  profiles          [--count=N]
  h2load-body       --out=FILE --batch=N
)";

}  // namespace
}  // namespace polku::bench

int main(int argc, char** argv) {
  using namespace polku::bench;  // NOLINT(build/namespaces): main only
  if (argc < 2 || std::string(argv[1]) == "--help") {
    std::cout << kUsage;
    return argc < 2 ? 2 : 0;
  }
  const std::string scenario = argv[1];
  Flags flags;
  std::string error;
  if (!flags.Parse(argc - 2, argv + 2, &error)) {
    std::cerr << "polku-bench: " << error << "\n" << kUsage;
    return 2;
  }
  static const std::map<std::string, int (*)(const Flags&)> kScenarios = {
      {"ingest", IngestScenario},
      {"stream", StreamScenario},
      {"echo", EchoScenario},
      {"recommend", RecommendScenario},
      {"xapi-http", XapiScenario},
      {"oulad-replay", OuladReplay},
      {"prepare-recommend", PrepareRecommend},
      {"profiles", ProfilesScenario},
      {"h2load-body", H2loadBody},
  };
  auto it = kScenarios.find(scenario);
  if (it == kScenarios.end()) {
    std::cerr << "polku-bench: unknown scenario '" << scenario << "'\n"
              << kUsage;
    return 2;
  }
  return it->second(flags);
}
