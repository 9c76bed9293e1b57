// Handlers: the logic behind every RPC, shared by both transports.
//
// The gRPC services (services.h) and the HTTP/JSON gateway (http_gateway.h)
// are thin adapters: each authenticates the call with Handlers::Authenticate
// (which knows the scope every RPC needs, from one table), then calls the
// same handler with the Principal and the request proto, and writes the
// result in its own wire form. So a rule (validation, tenant scoping, the
// scope of a method) lives in one place and both doors behave alike.
//
// Handlers never see a tenant from a request: the Principal carries it.
// Errors are absl::Status codes naming the field (common/field_error.h);
// each transport converts them once, at its edge.
//
// Thread-safe: the collaborators are.
#ifndef POLKU_API_HANDLERS_H_
#define POLKU_API_HANDLERS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "api/auth.h"
#include "api/learning_metrics.h"
#include "api/metrics.h"
#include "common/clock.h"
#include "engine/engine.h"
#include "ingest/ingestor.h"
#include "polku/v1/catalogue_service.pb.h"
#include "polku/v1/event_service.pb.h"
#include "polku/v1/insight_service.pb.h"
#include "polku/v1/privacy_service.pb.h"
#include "polku/v1/recommendation_service.pb.h"
#include "store/event_store.h"
#include "store/learning_store.h"

namespace polku::api {

// Every RPC of polku.v1.
enum class Rpc : uint8_t {
  kIngest = 0,
  kIngestStream,
  kTagEvent,
  kUpsertActivities,
  kListActivities,
  kUpsertPaths,
  kListPaths,
  kSuggestPaths,
  kGetRecommendations,
  kRecordFeedback,
  kGetLearnerProfile,
  kGetOrgOverview,
  kDeleteLearnerData,
  kExportLearnerData,
  kSetProfilingOptOut,
  kCount_,
};

struct RpcInfo {
  std::string_view service;  // "EventService"
  std::string_view method;   // "Ingest"
  std::string_view scope;    // the scope a caller's key needs
};

// The table: scope of each RPC. Catalogue reads and writes both need
// catalogue:write (the catalogue is an administrator's tool).
const RpcInfo& InfoOf(Rpc rpc);

// Result of an all-or-nothing ingest (xAPI POST/PUT, a Caliper envelope).
struct AtomicIngestResult {
  // One id per item, in item order: the stored (or already stored) event's
  // id, or for an item Polku does not map, the item's own or derived id.
  std::vector<std::string> ids;
  int accepted = 0;    // stored now
  int duplicates = 0;  // already stored with the same content
  int erased = 0;      // of an erased learner: acknowledged, not stored
  int ignored = 0;     // well-formed but not a learning activity Polku maps
};

class Handlers {
 public:
  // None of the pointers is owned; all must outlive this object.
  Handlers(ingest::Ingestor* ingestor, store::EventStore* store,
           const Authenticator* auth, Metrics* metrics,
           const common::Clock* clock);

  // Connects the learning side; no pointer is owned; metrics may be null.
  void SetLearning(engine::Engine* engine, store::LearningStore* learning,
                   LearningMetrics* metrics) {
    engine_ = engine;
    learning_ = learning;
    learning_metrics_ = metrics;
  }

  // Authenticates `call` with the scope of `rpc` (see Authenticator for
  // the codes: kUnauthenticated, kPermissionDenied).
  absl::StatusOr<Principal> Authenticate(const CallInfo& call, Rpc rpc) const;

  // EventService. Ingest is per event (see event_service.proto); errors for
  // the whole call: kInvalidArgument (empty or oversized batch),
  // kUnavailable (store; nothing stored).
  absl::StatusOr<polku::v1::IngestResponse> Ingest(
      const Principal& p, const polku::v1::IngestRequest& request);
  // One chunk of IngestStream; the acknowledgement to send back.
  absl::StatusOr<polku::v1::IngestStreamResponse> IngestChunk(
      const Principal& p, const polku::v1::IngestStreamRequest& chunk);
  absl::StatusOr<polku::v1::TagEventResponse> TagEvent(
      const Principal& p, const polku::v1::TagEventRequest& request);

  // All-or-nothing ingest of source events (one xAPI statement or Caliper
  // event each): every item is normalised and validated first (a dry run);
  // if any is invalid nothing is stored and the call fails with
  // kInvalidArgument naming `field_of(index, field)`; if any has the id of
  // a stored event with other content, kAlreadyExists (nothing stored).
  // Items that are well-formed but of a kind Polku does not map (log-ins,
  // administration) are acknowledged and not stored (`ignored`), with
  // `own_ids[i]` as their id when given (the statement's own "id"), else a
  // UUIDv5 of the tenant and the payload. kUnavailable when the store
  // cannot commit.
  using FieldNamer =
      std::function<std::string(size_t index, std::string_view field)>;
  absl::StatusOr<AtomicIngestResult> IngestAllOrNothing(
      const Principal& p, std::vector<ingest::SourceEvent> items,
      const std::vector<std::string>& own_ids, const FieldNamer& field_of);

  // PrivacyService. kInvalidArgument "learner: is required".
  absl::StatusOr<polku::v1::DeleteLearnerDataResponse> DeleteLearnerData(
      const Principal& p, const polku::v1::DeleteLearnerDataRequest& request);
  absl::StatusOr<polku::v1::ExportLearnerDataResponse> ExportLearnerData(
      const Principal& p, const polku::v1::ExportLearnerDataRequest& request);

  // Learning state: catalogue, recommendations, insights and the opt-out
  // need the engine and the learning store (SetLearning); without them
  // they answer kFailedPrecondition. Validation errors name the field.
  absl::StatusOr<polku::v1::SetProfilingOptOutResponse> SetProfilingOptOut(
      const Principal& p, const polku::v1::SetProfilingOptOutRequest& request);
  absl::StatusOr<polku::v1::UpsertActivitiesResponse> UpsertActivities(
      const Principal& p, const polku::v1::UpsertActivitiesRequest& request);
  absl::StatusOr<polku::v1::ListActivitiesResponse> ListActivities(
      const Principal& p, const polku::v1::ListActivitiesRequest& request);
  absl::StatusOr<polku::v1::UpsertPathsResponse> UpsertPaths(
      const Principal& p, const polku::v1::UpsertPathsRequest& request);
  absl::StatusOr<polku::v1::ListPathsResponse> ListPaths(
      const Principal& p, const polku::v1::ListPathsRequest& request);
  absl::StatusOr<polku::v1::SuggestPathsResponse> SuggestPaths(
      const Principal& p, const polku::v1::SuggestPathsRequest& request);
  absl::StatusOr<polku::v1::GetRecommendationsResponse> GetRecommendations(
      const Principal& p, const polku::v1::GetRecommendationsRequest& request);
  absl::StatusOr<polku::v1::RecordFeedbackResponse> RecordFeedback(
      const Principal& p, const polku::v1::RecordFeedbackRequest& request);
  absl::StatusOr<polku::v1::GetLearnerProfileResponse> GetLearnerProfile(
      const Principal& p, const polku::v1::GetLearnerProfileRequest& request);
  absl::StatusOr<polku::v1::GetOrgOverviewResponse> GetOrgOverview(
      const Principal& p, const polku::v1::GetOrgOverviewRequest& request);

 private:
  // Ingests `items` for `tenant`; fills `results` and the counts.
  absl::Status IngestItems(
      const std::string& tenant,
      const google::protobuf::RepeatedPtrField<polku::v1::IngestItem>& items,
      std::string_view locale, bool only_exceptions,
      google::protobuf::RepeatedPtrField<polku::v1::EventResult>* results,
      int* accepted, int* duplicates, int* rejected);

  absl::Status RequireEngine() const;

  ingest::Ingestor* ingestor_;
  store::EventStore* store_;
  engine::Engine* engine_ = nullptr;
  store::LearningStore* learning_ = nullptr;
  LearningMetrics* learning_metrics_ = nullptr;
  const Authenticator* auth_;
  Metrics* metrics_;
  const common::Clock* clock_;
};

}  // namespace polku::api

#endif  // POLKU_API_HANDLERS_H_
