// gRPC services of polku.v1. Each is a thin translation layer: it
// authenticates the call, converts protobuf to core types, calls the core
// (ingest::Ingestor, store::EventStore) and converts the result back,
// recording metrics on the way. Thread-safe.
#ifndef POLKU_API_SERVICES_H_
#define POLKU_API_SERVICES_H_

#include <grpcpp/grpcpp.h>

#include "api/auth.h"
#include "api/metrics.h"
#include "common/clock.h"
#include "ingest/ingestor.h"
#include "polku/v1/event_service.grpc.pb.h"
#include "polku/v1/privacy_service.grpc.pb.h"
#include "store/event_store.h"

namespace polku::api {

// The CallInfo (peer and metadata) of a gRPC call.
CallInfo CallInfoOf(const grpc::ServerContext& context);

class EventServiceImpl final : public polku::v1::EventService::Service {
 public:
  EventServiceImpl(ingest::Ingestor* ingestor, const Authenticator* auth,
                   Metrics* metrics);

  grpc::Status Ingest(grpc::ServerContext* context,
                      const polku::v1::IngestRequest* request,
                      polku::v1::IngestResponse* response) override;
  grpc::Status IngestStream(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<polku::v1::IngestStreamResponse,
                               polku::v1::IngestStreamRequest>* stream) override;
  grpc::Status TagEvent(grpc::ServerContext* context,
                        const polku::v1::TagEventRequest* request,
                        polku::v1::TagEventResponse* response) override;

 private:
  // Ingests `items` for `tenant`; fills `results` and the counts.
  absl::Status IngestItems(
      const std::string& tenant,
      const google::protobuf::RepeatedPtrField<polku::v1::IngestItem>& items,
      std::string_view locale, bool only_exceptions,
      google::protobuf::RepeatedPtrField<polku::v1::EventResult>* results,
      int* accepted, int* duplicates, int* rejected);

  ingest::Ingestor* ingestor_;
  const Authenticator* auth_;
  Metrics* metrics_;
};

class PrivacyServiceImpl final : public polku::v1::PrivacyService::Service {
 public:
  PrivacyServiceImpl(store::EventStore* store, const Authenticator* auth,
                     Metrics* metrics, const common::Clock* clock);

  grpc::Status DeleteLearnerData(
      grpc::ServerContext* context,
      const polku::v1::DeleteLearnerDataRequest* request,
      polku::v1::DeleteLearnerDataResponse* response) override;
  grpc::Status ExportLearnerData(
      grpc::ServerContext* context,
      const polku::v1::ExportLearnerDataRequest* request,
      polku::v1::ExportLearnerDataResponse* response) override;

 private:
  store::EventStore* store_;
  const Authenticator* auth_;
  Metrics* metrics_;
  const common::Clock* clock_;
};

}  // namespace polku::api

#endif  // POLKU_API_SERVICES_H_
