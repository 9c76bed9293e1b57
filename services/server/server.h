// Server: wires the store, the rules, the core and the gRPC and metrics
// endpoints from a ServerConfig. main.cc only parses flags, builds a
// Server, waits for signals and shuts it down.
#ifndef POLKU_SERVER_SERVER_H_
#define POLKU_SERVER_SERVER_H_

#include <grpcpp/grpcpp.h>
#include <prometheus/exposer.h>

#include <memory>

#include "absl/status/statusor.h"
#include "api/auth.h"
#include "api/metrics.h"
#include "api/services.h"
#include "common/clock.h"
#include "ingest/ingestor.h"
#include "model/tagger_registry.h"
#include "polku/v1/catalogue_service.grpc.pb.h"
#include "polku/v1/insight_service.grpc.pb.h"
#include "polku/v1/recommendation_service.grpc.pb.h"
#include "server/server_config.h"
#include "store/event_store.h"

namespace polku::server {

class Server {
 public:
  // Opens the store, loads the rules and starts serving.
  static absl::StatusOr<std::unique_ptr<Server>> Start(const ServerConfig& config);
  ~Server();

  // Stops accepting calls, lets in-flight ones finish (up to the grace
  // period), then flushes and closes the store.
  void Shutdown();
  // Re-reads the rule files; on error keeps the old rules.
  absl::Status ReloadRules();

  int grpc_port() const { return grpc_port_; }
  int metrics_port() const { return metrics_port_; }

 private:
  explicit Server(ServerConfig config) : config_(std::move(config)) {}

  ServerConfig config_;
  std::unique_ptr<api::Metrics> metrics_;
  std::unique_ptr<store::EventStore> store_;
  std::unique_ptr<model::TaggerRegistry> taggers_;
  std::unique_ptr<api::Authenticator> auth_;
  std::unique_ptr<ingest::Ingestor> ingestor_;
  std::unique_ptr<api::EventServiceImpl> event_service_;
  std::unique_ptr<api::PrivacyServiceImpl> privacy_service_;
  // Not implemented yet: registered so that clients and reflection see
  // them; every call answers UNIMPLEMENTED.
  std::unique_ptr<polku::v1::CatalogueService::Service> catalogue_service_;
  std::unique_ptr<polku::v1::RecommendationService::Service> recommendation_service_;
  std::unique_ptr<polku::v1::InsightService::Service> insight_service_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::unique_ptr<grpc::Server> grpc_server_;
  int grpc_port_ = 0;
  int metrics_port_ = 0;
  bool shut_down_ = false;
};

}  // namespace polku::server

#endif  // POLKU_SERVER_SERVER_H_
