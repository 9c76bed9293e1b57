// Prometheus metrics of the server (all prefixed polku_; see README,
// "Metrics", for the catalogue). Labels are bounded: RPC method, status
// code, source platform, mode, outcome. Never learner or course ids.
// Thread-safe. Hot-path counters are resolved once at construction.
#ifndef POLKU_API_METRICS_H_
#define POLKU_API_METRICS_H_

#include <grpcpp/support/status.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "ingest/ingestor.h"
#include "model/learning_event.h"
#include "model/tags.h"
#include "store/event_store.h"

namespace polku::store {
struct SqliteStoreStats;
}  // namespace polku::store

namespace polku::api {

class Metrics {
 public:
  Metrics();
  ~Metrics();

  // One finished RPC.
  void ObserveRpc(const std::string& method, grpc::StatusCode code,
                  double seconds);
  // One event's result.
  void CountEvent(model::Platform platform, model::Mode mode,
                  ingest::Outcome outcome);
  // One store commit.
  void ObserveCommit(const store::CommitStats& stats);
  // Rule reloads (SIGHUP): success or failure.
  void CountRuleReload(bool ok);
  // One finished HTTP request: `route` is the route's pattern (a bounded
  // set, e.g. "POST /xapi/statements"), `status` the HTTP status.
  void ObserveHttp(const std::string& route, int status, double seconds);
  // API key file reloads: success or failure.
  void CountKeyReload(bool ok);
  // polku_store_database_bytes: the size of the database file plus its WAL,
  // set by the server's refresher thread.
  void SetDatabaseBytes(double bytes);
  // The SQLite store's WAL, checkpoints and event ids, from its counts
  // since it opened: polku_store_wal_pages, polku_store_wal_restarts_total,
  // polku_store_checkpoints_total and polku_store_checkpoint_seconds_total
  // by "thread", "writer_rest" and "writer_forced",
  // polku_store_event_ids_held, polku_store_event_id_passes_total and
  // polku_store_event_id_pass_seconds_total. Registered at the first call,
  // so a server on PostgreSQL has none of them. Set by the server's
  // refresher thread every second.
  void SetSqliteStore(const store::SqliteStoreStats& stats);
  // polku_inflight_requests{transport="grpc"}: RPCs being handled now.
  // RpcScope calls these; every RpcStarted is followed by one RpcFinished.
  void RpcStarted();
  void RpcFinished();
  // polku_rejected_requests_total{reason}: calls refused by a limit
  // (limits.h: rate_limited, too_many_streams, batch_too_large,
  // message_too_large, deadline_exceeded). The reasons are a fixed set;
  // any other value counts as "other".
  void CountRejected(std::string_view reason);

  const std::shared_ptr<prometheus::Registry>& registry() const {
    return registry_;
  }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& rpc_requests_;
  prometheus::Family<prometheus::Histogram>& rpc_duration_;
  prometheus::Family<prometheus::Counter>& events_;
  prometheus::Histogram& commit_duration_;
  prometheus::Histogram& commit_events_;
  prometheus::Counter& reloads_ok_;
  prometheus::Counter& reloads_failed_;
  prometheus::Family<prometheus::Counter>& http_requests_;
  prometheus::Family<prometheus::Histogram>& http_duration_;
  prometheus::Counter& key_reloads_ok_;
  prometheus::Counter& key_reloads_failed_;
  prometheus::Gauge& database_bytes_;
  prometheus::Gauge& inflight_grpc_;
  prometheus::Family<prometheus::Counter>& rejected_;
  struct SqliteSeries;  // registered by the first SetSqliteStore
  std::mutex sqlite_mu_;
  std::unique_ptr<SqliteSeries> sqlite_;  // guarded by sqlite_mu_
  static constexpr size_t kPlatforms =
      static_cast<size_t>(model::Platform::kCount_);
  static constexpr size_t kModes = 4;
  static constexpr size_t kOutcomes = 6;
  std::array<prometheus::Counter*, kPlatforms * kModes * kOutcomes>
      event_counters_{};
};

// Times one RPC and reports it to Metrics when destroyed; counts it in
// polku_inflight_requests{transport="grpc"} while it lives.
class RpcScope {
 public:
  RpcScope(Metrics* metrics, std::string method);
  ~RpcScope();
  // Records the status and returns it, for `return scope.Done(status);`.
  grpc::Status Done(grpc::Status status);

 private:
  Metrics* metrics_;
  std::string method_;
  grpc::StatusCode code_ = grpc::StatusCode::UNKNOWN;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace polku::api

#endif  // POLKU_API_METRICS_H_
