#include "api/metrics.h"

#include <cctype>
#include <utility>

#include "api/grpc_status.h"
#include "common/strings.h"
#include "store/sqlite_event_store.h"

namespace polku::api {
namespace {

prometheus::Histogram::BucketBoundaries LatencyBuckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
}

std::string Lower(std::string_view s) { return common::AsciiToLower(s); }

}  // namespace

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      rpc_requests_(prometheus::BuildCounter()
                        .Name("polku_grpc_requests_total")
                        .Help("RPCs handled, by method and status code.")
                        .Register(*registry_)),
      rpc_duration_(prometheus::BuildHistogram()
                        .Name("polku_grpc_request_duration_seconds")
                        .Help("Time to handle an RPC, by method.")
                        .Register(*registry_)),
      events_(prometheus::BuildCounter()
                  .Name("polku_events_ingested_total")
                  .Help("Events by source platform, tagged mode and result.")
                  .Register(*registry_)),
      commit_duration_(prometheus::BuildHistogram()
                           .Name("polku_store_commit_duration_seconds")
                           .Help("Time to commit one group of events.")
                           .Register(*registry_)
                           .Add({}, LatencyBuckets())),
      commit_events_(
          prometheus::BuildHistogram()
              .Name("polku_store_commit_batch_events")
              .Help("Events written per store commit (group commit size).")
              .Register(*registry_)
              .Add({},
                   prometheus::Histogram::BucketBoundaries{
                       1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000,
                       10000, 20000})),
      reloads_ok_(prometheus::BuildCounter()
                      .Name("polku_rule_reloads_total")
                      .Help("Rule file reloads, by result.")
                      .Register(*registry_)
                      .Add({{"result", "ok"}})),
      reloads_failed_(prometheus::BuildCounter()
                          .Name("polku_rule_reloads_total")
                          .Help("Rule file reloads, by result.")
                          .Register(*registry_)
                          .Add({{"result", "failed"}})),
      http_requests_(prometheus::BuildCounter()
                         .Name("polku_http_requests_total")
                         .Help("HTTP requests handled, by route and status.")
                         .Register(*registry_)),
      http_duration_(prometheus::BuildHistogram()
                         .Name("polku_http_request_duration_seconds")
                         .Help("Time to handle an HTTP request, by route.")
                         .Register(*registry_)),
      key_reloads_ok_(prometheus::BuildCounter()
                          .Name("polku_api_key_reloads_total")
                          .Help("API key file reloads, by result.")
                          .Register(*registry_)
                          .Add({{"result", "ok"}})),
      key_reloads_failed_(prometheus::BuildCounter()
                              .Name("polku_api_key_reloads_total")
                              .Help("API key file reloads, by result.")
                              .Register(*registry_)
                              .Add({{"result", "failed"}})),
      database_bytes_(
          prometheus::BuildGauge()
              .Name("polku_store_database_bytes")
              .Help("Size of the SQLite database file plus its WAL, "
                    "refreshed every 10 s.")
              .Register(*registry_)
              .Add({})),
      inflight_grpc_(prometheus::BuildGauge()
                         .Name("polku_inflight_requests")
                         .Help("Requests being handled now, by transport.")
                         .Register(*registry_)
                         .Add({{"transport", "grpc"}})),
      rejected_(prometheus::BuildCounter()
                    .Name("polku_rejected_requests_total")
                    .Help("Calls refused by a limit (rate, streams, batch or "
                          "message size, deadline), by reason.")
                    .Register(*registry_)) {
  // Every reason shows from the start (0), so alerts and dashboards see the
  // series before the first refusal.
  for (const char* reason :
       {"rate_limited", "too_many_streams", "batch_too_large",
        "message_too_large", "deadline_exceeded", "other"}) {
    rejected_.Add({{"reason", reason}});
  }
  for (size_t p = 0; p < kPlatforms; ++p) {
    for (size_t m = 0; m < kModes; ++m) {
      for (size_t o = 0; o < kOutcomes; ++o) {
        std::string mode =
            m == 0 ? "none"
                   : Lower(model::ModeName(static_cast<model::Mode>(m)));
        event_counters_[(p * kModes + m) * kOutcomes + o] = &events_.Add(
            {{"source",
              Lower(model::PlatformName(static_cast<model::Platform>(p)))},
             {"mode", mode},
             {"result",
              Lower(ingest::OutcomeName(static_cast<ingest::Outcome>(o)))}});
      }
    }
  }
  prometheus::BuildGauge()
      .Name("polku_build_info")
      .Help("Build information; the value is always 1.")
      .Register(*registry_)
      .Add({{"version", POLKU_VERSION}})
      .Set(1);
}

void Metrics::ObserveRpc(const std::string& method, grpc::StatusCode code,
                         double seconds) {
  rpc_requests_.Add({{"method", method}, {"code", GrpcCodeName(code)}})
      .Increment();
  rpc_duration_.Add({{"method", method}}, LatencyBuckets()).Observe(seconds);
}

void Metrics::CountEvent(model::Platform platform, model::Mode mode,
                         ingest::Outcome outcome) {
  size_t p = static_cast<size_t>(platform);
  size_t m = static_cast<size_t>(mode);
  size_t o = static_cast<size_t>(outcome);
  if (p >= kPlatforms || m >= kModes || o >= kOutcomes) return;
  event_counters_[(p * kModes + m) * kOutcomes + o]->Increment();
}

void Metrics::ObserveCommit(const store::CommitStats& stats) {
  commit_duration_.Observe(stats.seconds);
  commit_events_.Observe(static_cast<double>(stats.records));
}

void Metrics::CountRuleReload(bool ok) {
  (ok ? reloads_ok_ : reloads_failed_).Increment();
}

void Metrics::ObserveHttp(const std::string& route, int status,
                          double seconds) {
  http_requests_.Add({{"route", route}, {"code", std::to_string(status)}})
      .Increment();
  http_duration_.Add({{"route", route}}, LatencyBuckets()).Observe(seconds);
}

void Metrics::CountKeyReload(bool ok) {
  (ok ? key_reloads_ok_ : key_reloads_failed_).Increment();
}

void Metrics::SetDatabaseBytes(double bytes) { database_bytes_.Set(bytes); }

struct Metrics::SqliteSeries {
  explicit SqliteSeries(prometheus::Registry& registry)
      : wal_pages(prometheus::BuildGauge()
                      .Name("polku_store_wal_pages")
                      .Help("Pages in the SQLite WAL after the last commit; "
                            "it starts over near checkpoint_pages.")
                      .Register(registry)
                      .Add({})),
        wal_restarts(prometheus::BuildCounter()
                         .Name("polku_store_wal_restarts_total")
                         .Help("Commits that started the SQLite WAL over "
                               "after a checkpoint copied all of it.")
                         .Register(registry)
                         .Add({})),
        event_ids_held(
            prometheus::BuildGauge()
                .Name("polku_store_event_ids_held")
                .Help("Ids of stored events the SQLite writer holds in "
                      "memory until its next pass writes them to event_ids.")
                .Register(registry)
                .Add({})),
        event_id_passes(prometheus::BuildCounter()
                            .Name("polku_store_event_id_passes_total")
                            .Help("Passes that wrote the held event ids to "
                                  "event_ids, in hash order.")
                            .Register(registry)
                            .Add({})),
        event_id_pass_seconds(
            prometheus::BuildCounter()
                .Name("polku_store_event_id_pass_seconds_total")
                .Help("Wall time of those passes; the writer's next commit "
                      "waited for each.")
                .Register(registry)
                .Add({})) {
    auto& runs = prometheus::BuildCounter()
                     .Name("polku_store_checkpoints_total")
                     .Help(
                         "WAL checkpoints, by who made them: the "
                         "checkpoint thread (each pass), the writer copying "
                         "the rest between two commits, or the writer forced "
                         "by a WAL of four times checkpoint_pages.")
                     .Register(registry);
    auto& seconds = prometheus::BuildCounter()
                        .Name("polku_store_checkpoint_seconds_total")
                        .Help(
                            "Wall time of the WAL checkpoints, by who made "
                            "them; the writer's held up commits.")
                        .Register(registry);
    for (size_t i = 0; i < kBy.size(); ++i) {
      this->runs[i] = &runs.Add({{"by", kBy[i]}});
      this->seconds[i] = &seconds.Add({{"by", kBy[i]}});
    }
  }
  static constexpr std::array<const char*, 3> kBy = {"thread", "writer_rest",
                                                     "writer_forced"};
  prometheus::Gauge& wal_pages;
  prometheus::Counter& wal_restarts;
  prometheus::Gauge& event_ids_held;
  prometheus::Counter& event_id_passes;
  prometheus::Counter& event_id_pass_seconds;
  std::array<prometheus::Counter*, 3> runs{};
  std::array<prometheus::Counter*, 3> seconds{};
  store::SqliteStoreStats last;  // what the counters hold
};

Metrics::~Metrics() = default;

void Metrics::SetSqliteStore(const store::SqliteStoreStats& stats) {
  std::lock_guard<std::mutex> lock(sqlite_mu_);
  if (sqlite_ == nullptr) sqlite_ = std::make_unique<SqliteSeries>(*registry_);
  SqliteSeries& m = *sqlite_;
  // The store's counts only grow; counters take the difference.
  auto add = [](prometheus::Counter& c, double now, double before) {
    if (now > before) c.Increment(now - before);
  };
  m.wal_pages.Set(static_cast<double>(stats.wal_pages));
  add(m.wal_restarts, static_cast<double>(stats.wal_restarts),
      static_cast<double>(m.last.wal_restarts));
  const std::array<std::pair<int64_t, int64_t>, 3> runs = {
      {{stats.thread_passes, m.last.thread_passes},
       {stats.writer_rests, m.last.writer_rests},
       {stats.writer_forced, m.last.writer_forced}}};
  const std::array<std::pair<double, double>, 3> seconds = {
      {{stats.thread_seconds, m.last.thread_seconds},
       {stats.writer_rest_seconds, m.last.writer_rest_seconds},
       {stats.writer_forced_seconds, m.last.writer_forced_seconds}}};
  for (size_t i = 0; i < runs.size(); ++i) {
    add(*m.runs[i], static_cast<double>(runs[i].first),
        static_cast<double>(runs[i].second));
    add(*m.seconds[i], seconds[i].first, seconds[i].second);
  }
  m.event_ids_held.Set(static_cast<double>(stats.event_ids_held));
  add(m.event_id_passes, static_cast<double>(stats.event_id_passes),
      static_cast<double>(m.last.event_id_passes));
  add(m.event_id_pass_seconds, stats.event_id_pass_seconds,
      m.last.event_id_pass_seconds);
  m.last = stats;
}

void Metrics::RpcStarted() { inflight_grpc_.Increment(); }

void Metrics::RpcFinished() { inflight_grpc_.Decrement(); }

void Metrics::CountRejected(std::string_view reason) {
  static constexpr std::string_view kKnown[] = {
      "rate_limited", "too_many_streams", "batch_too_large",
      "message_too_large", "deadline_exceeded"};
  std::string label = "other";
  for (std::string_view known : kKnown) {
    if (reason == known) label = std::string(known);
  }
  rejected_.Add({{"reason", label}}).Increment();
}

RpcScope::RpcScope(Metrics* metrics, std::string method)
    : metrics_(metrics),
      method_(std::move(method)),
      start_(std::chrono::steady_clock::now()) {
  if (metrics_ != nullptr) metrics_->RpcStarted();
}

RpcScope::~RpcScope() {
  if (metrics_ == nullptr) return;
  metrics_->RpcFinished();
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_)
          .count();
  metrics_->ObserveRpc(method_, code_, seconds);
}

grpc::Status RpcScope::Done(grpc::Status status) {
  code_ = status.error_code();
  return status;
}

}  // namespace polku::api
