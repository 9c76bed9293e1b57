// gRPC services of polku.v1: thin adapters over Handlers (handlers.h).
//
// Each RPC authenticates the call with the RPC's scope, calls the shared
// handler with the Principal and the request, converts the absl::Status to
// a grpc::Status (grpc_status.h) and records the RPC in Metrics. The HTTP
// gateway (http_gateway.h) calls the same handlers, so both doors behave
// alike. Thread-safe.
#ifndef POLKU_API_SERVICES_H_
#define POLKU_API_SERVICES_H_

#include <grpcpp/grpcpp.h>

#include "api/auth.h"
#include "api/handlers.h"
#include "api/limits.h"
#include "api/metrics.h"
#include "polku/v1/catalogue_service.grpc.pb.h"
#include "polku/v1/event_service.grpc.pb.h"
#include "polku/v1/insight_service.grpc.pb.h"
#include "polku/v1/privacy_service.grpc.pb.h"
#include "polku/v1/recommendation_service.grpc.pb.h"

namespace polku::api {

// The CallInfo (peer and metadata) of a gRPC call.
CallInfo CallInfoOf(const grpc::ServerContext& context);

// None of the pointers of the constructors below is owned; all must outlive
// the service.
//
// Every RPC whose deadline has already passed when it is handled is
// answered DEADLINE_EXCEEDED without being processed (counted in
// polku_rejected_requests_total{reason="deadline_exceeded"}).

// Ingest and IngestStream go through `limiter` (limits.h; may be null: no
// limits) right after authentication: batch size and the tenant's rate per
// call and per chunk, and one stream slot per IngestStream. A refusal is
// RESOURCE_EXHAUSTED with google.rpc.RetryInfo when waiting helps.
class EventServiceImpl final : public polku::v1::EventService::Service {
 public:
  EventServiceImpl(Handlers* handlers, Metrics* metrics,
                   Limiter* limiter = nullptr);

  grpc::Status Ingest(grpc::ServerContext* context,
                      const polku::v1::IngestRequest* request,
                      polku::v1::IngestResponse* response) override;
  grpc::Status IngestStream(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<polku::v1::IngestStreamResponse,
                               polku::v1::IngestStreamRequest>* stream)
      override;
  grpc::Status TagEvent(grpc::ServerContext* context,
                        const polku::v1::TagEventRequest* request,
                        polku::v1::TagEventResponse* response) override;

 private:
  Handlers* handlers_;
  Metrics* metrics_;
  Limiter* limiter_;
};

class PrivacyServiceImpl final : public polku::v1::PrivacyService::Service {
 public:
  PrivacyServiceImpl(Handlers* handlers, Metrics* metrics);

  grpc::Status DeleteLearnerData(
      grpc::ServerContext* context,
      const polku::v1::DeleteLearnerDataRequest* request,
      polku::v1::DeleteLearnerDataResponse* response) override;
  grpc::Status ExportLearnerData(
      grpc::ServerContext* context,
      const polku::v1::ExportLearnerDataRequest* request,
      polku::v1::ExportLearnerDataResponse* response) override;
  grpc::Status SetProfilingOptOut(
      grpc::ServerContext* context,
      const polku::v1::SetProfilingOptOutRequest* request,
      polku::v1::SetProfilingOptOutResponse* response) override;

 private:
  Handlers* handlers_;
  Metrics* metrics_;
};

// Not implemented yet: authenticated with their scopes, then UNIMPLEMENTED.
class CatalogueServiceImpl final : public polku::v1::CatalogueService::Service {
 public:
  CatalogueServiceImpl(Handlers* handlers, Metrics* metrics);

  grpc::Status UpsertActivities(
      grpc::ServerContext* context,
      const polku::v1::UpsertActivitiesRequest* request,
      polku::v1::UpsertActivitiesResponse* response) override;
  grpc::Status ListActivities(
      grpc::ServerContext* context,
      const polku::v1::ListActivitiesRequest* request,
      polku::v1::ListActivitiesResponse* response) override;
  grpc::Status UpsertPaths(grpc::ServerContext* context,
                           const polku::v1::UpsertPathsRequest* request,
                           polku::v1::UpsertPathsResponse* response) override;
  grpc::Status ListPaths(grpc::ServerContext* context,
                         const polku::v1::ListPathsRequest* request,
                         polku::v1::ListPathsResponse* response) override;
  grpc::Status SuggestPaths(grpc::ServerContext* context,
                            const polku::v1::SuggestPathsRequest* request,
                            polku::v1::SuggestPathsResponse* response) override;

 private:
  Handlers* handlers_;
  Metrics* metrics_;
};

class RecommendationServiceImpl final
    : public polku::v1::RecommendationService::Service {
 public:
  RecommendationServiceImpl(Handlers* handlers, Metrics* metrics);

  grpc::Status GetRecommendations(
      grpc::ServerContext* context,
      const polku::v1::GetRecommendationsRequest* request,
      polku::v1::GetRecommendationsResponse* response) override;
  grpc::Status RecordFeedback(
      grpc::ServerContext* context,
      const polku::v1::RecordFeedbackRequest* request,
      polku::v1::RecordFeedbackResponse* response) override;

 private:
  Handlers* handlers_;
  Metrics* metrics_;
};

class InsightServiceImpl final : public polku::v1::InsightService::Service {
 public:
  InsightServiceImpl(Handlers* handlers, Metrics* metrics);

  grpc::Status GetLearnerProfile(
      grpc::ServerContext* context,
      const polku::v1::GetLearnerProfileRequest* request,
      polku::v1::GetLearnerProfileResponse* response) override;
  grpc::Status GetOrgOverview(
      grpc::ServerContext* context,
      const polku::v1::GetOrgOverviewRequest* request,
      polku::v1::GetOrgOverviewResponse* response) override;

 private:
  Handlers* handlers_;
  Metrics* metrics_;
};

}  // namespace polku::api

#endif  // POLKU_API_SERVICES_H_
