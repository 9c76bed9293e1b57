// Server: wires the store, the rules, the key store, the core and the gRPC,
// HTTP and metrics endpoints from a ServerConfig. main.cc only parses
// flags, builds a Server, waits for signals and shuts it down.
#ifndef POLKU_SERVER_SERVER_H_
#define POLKU_SERVER_SERVER_H_

#include <grpcpp/grpcpp.h>
#include <prometheus/exposer.h>

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "api/auth.h"
#include "api/handlers.h"
#include "api/http_gateway.h"
#include "api/http_server.h"
#include "api/key_store.h"
#include "api/limits.h"
#include "api/metrics.h"
#include "api/services.h"
#include "common/clock.h"
#include "ingest/ingestor.h"
#include "model/tagger_registry.h"
#include "server/server_config.h"
#include "store/event_store.h"
#include "store/sqlite_event_store.h"
#include "ui/ui_pages.h"
#include "ui/ui_tenants.h"

namespace polku::server {

// Not thread-safe itself: Start, Shutdown and the Reload calls come from
// main's thread. What it serves is thread-safe.
class Server {
 public:
  // Opens the store, loads the rules and the API keys and starts serving.
  static absl::StatusOr<std::unique_ptr<Server>> Start(
      const ServerConfig& config);
  ~Server();

  // Stops accepting calls, lets in-flight ones finish (up to the grace
  // period), then flushes and closes the store.
  void Shutdown();
  // Re-reads the rule files; on error keeps the old rules.
  absl::Status ReloadRules();
  // Re-reads the API key file; on error keeps the old keys.
  absl::Status ReloadKeys();

  int grpc_port() const { return grpc_port_; }
  int metrics_port() const { return metrics_port_; }
  int http_port() const { return http_port_; }

 private:
  explicit Server(ServerConfig config) : config_(std::move(config)) {}
  // Sets polku_store_database_bytes now and then every 10 s, and the
  // SQLite store's WAL and checkpoint metrics every second, until Shutdown
  // (runs on size_thread_).
  void RefreshDatabaseSizeLoop();
  // Sets the per-tenant learner gauges (api/learning_metrics.h).
  void RefreshTenantGauges();
  void RefreshDatabaseSize();

  ServerConfig config_;
  std::unique_ptr<api::Metrics> metrics_;
  std::unique_ptr<api::Limiter> limiter_;
  std::unique_ptr<store::EventStore> store_;
  store::LearningStore* learning_store_ = nullptr;  // the same store
  // The same store when it is SQLite (its checkpoint metrics), else null.
  store::SqliteEventStore* sqlite_store_ = nullptr;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<api::LearningMetrics> learning_metrics_;
  std::unique_ptr<model::TaggerRegistry> taggers_;
  std::unique_ptr<api::KeyStore> keys_;
  std::unique_ptr<api::Authenticator> dev_mode_auth_;
  std::unique_ptr<api::Authenticator> auth_;
  std::unique_ptr<ingest::Ingestor> ingestor_;
  std::unique_ptr<api::Handlers> handlers_;
  std::unique_ptr<api::EventServiceImpl> event_service_;
  std::unique_ptr<api::PrivacyServiceImpl> privacy_service_;
  // Not implemented yet: authenticated, then UNIMPLEMENTED.
  std::unique_ptr<api::CatalogueServiceImpl> catalogue_service_;
  std::unique_ptr<api::RecommendationServiceImpl> recommendation_service_;
  std::unique_ptr<api::InsightServiceImpl> insight_service_;
  // Only with --bench_echo (server/bench_echo.h).
  std::unique_ptr<grpc::Service> bench_echo_service_;
  std::unique_ptr<api::HttpGateway> http_gateway_;
  // The learner widget and overview pages under /ui/.
  std::unique_ptr<ui::UiTenantStore> ui_tenants_;
  std::unique_ptr<ui::UiPages> ui_pages_;
  std::unique_ptr<api::HttpServer> http_server_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::unique_ptr<grpc::Server> grpc_server_;
  int grpc_port_ = 0;
  int metrics_port_ = 0;
  int http_port_ = 0;
  bool shut_down_ = false;
  std::string db_path_;
  absl::Mutex size_mu_;
  bool stop_size_thread_ ABSL_GUARDED_BY(size_mu_) = false;
  std::thread size_thread_;
};

}  // namespace polku::server

#endif  // POLKU_SERVER_SERVER_H_
