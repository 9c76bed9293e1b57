#include "api/services.h"

#include <chrono>
#include <functional>

#include "api/grpc_status.h"

namespace polku::api {
namespace {

namespace v1 = ::polku::v1;

// DEADLINE_EXCEEDED (counted) when the call's deadline has passed: a
// client that gave up must not cost a store commit.
absl::Status CheckDeadline(const grpc::ServerContext& context,
                           Metrics* metrics) {
  if (context.deadline() > std::chrono::system_clock::now()) {
    return absl::OkStatus();
  }
  return CountRejection(
      metrics, WithRejectReason(absl::DeadlineExceededError(
                                    "the call's deadline passed before it "
                                    "was handled; nothing was done"),
                                kDeadlineExceeded));
}

// The one shape of a unary RPC: authenticate with the RPC's scope, check
// the deadline and (with `admit`) the limits, call the shared handler,
// convert the status at the edge, record the metric.
template <typename Request, typename Response, typename Handler>
grpc::Status Unary(
    Handlers* handlers, Metrics* metrics, Rpc rpc, grpc::ServerContext* context,
    const Request& request, Response* response, Handler handler,
    const std::function<absl::Status(const Principal&)>& admit = nullptr) {
  RpcScope scope(metrics, std::string(InfoOf(rpc).method));
  auto principal = handlers->Authenticate(CallInfoOf(*context), rpc);
  if (!principal.ok()) return scope.Done(ToGrpcStatus(principal.status()));
  if (auto s = CheckDeadline(*context, metrics); !s.ok()) {
    return scope.Done(ToGrpcStatus(s));
  }
  if (admit != nullptr) {
    if (auto s = admit(*principal); !s.ok()) {
      return scope.Done(ToGrpcStatus(s));
    }
  }
  absl::StatusOr<Response> result = (handlers->*handler)(*principal, request);
  if (!result.ok()) return scope.Done(ToGrpcStatus(result.status()));
  *response = std::move(*result);
  return scope.Done(grpc::Status::OK);
}

}  // namespace

CallInfo CallInfoOf(const grpc::ServerContext& context) {
  CallInfo info;
  info.peer = context.peer();
  for (const auto& [k, v] : context.client_metadata()) {
    info.metadata.emplace(std::string(k.data(), k.size()),
                          std::string(v.data(), v.size()));
  }
  return info;
}

EventServiceImpl::EventServiceImpl(Handlers* handlers, Metrics* metrics,
                                   Limiter* limiter)
    : handlers_(handlers), metrics_(metrics), limiter_(limiter) {}

grpc::Status EventServiceImpl::Ingest(grpc::ServerContext* context,
                                      const v1::IngestRequest* request,
                                      v1::IngestResponse* response) {
  Limiter* limiter = limiter_;
  const size_t events = static_cast<size_t>(request->events_size());
  return Unary(handlers_, metrics_, Rpc::kIngest, context, *request, response,
               &Handlers::Ingest, [limiter, events](const Principal& p) {
                 return limiter == nullptr ? absl::OkStatus()
                                           : limiter->Admit(p.tenant, events);
               });
}

grpc::Status EventServiceImpl::IngestStream(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<v1::IngestStreamResponse, v1::IngestStreamRequest>*
        stream) {
  RpcScope scope(metrics_, "IngestStream");
  auto principal =
      handlers_->Authenticate(CallInfoOf(*context), Rpc::kIngestStream);
  if (!principal.ok()) return scope.Done(ToGrpcStatus(principal.status()));
  if (auto s = CheckDeadline(*context, metrics_); !s.ok()) {
    return scope.Done(ToGrpcStatus(s));
  }
  // Held until the stream ends; streams beyond the limit are refused before
  // reading anything.
  Limiter::StreamSlot slot;
  if (limiter_ != nullptr) {
    if (auto s = limiter_->AcquireStream(&slot); !s.ok()) {
      return scope.Done(ToGrpcStatus(s));
    }
  }
  v1::IngestStreamRequest chunk;
  while (stream->Read(&chunk)) {
    if (context->IsCancelled()) {
      return scope.Done(grpc::Status(grpc::CANCELLED, "client cancelled"));
    }
    // Chunks acknowledged so far stay stored; the client resends from the
    // refused chunk (after the RetryInfo delay when rate limited).
    if (auto s = CheckDeadline(*context, metrics_); !s.ok()) {
      return scope.Done(ToGrpcStatus(s));
    }
    if (limiter_ != nullptr) {
      if (auto s = limiter_->Admit(principal->tenant,
                                   static_cast<size_t>(chunk.events_size()));
          !s.ok()) {
        return scope.Done(ToGrpcStatus(s));
      }
    }
    auto ack = handlers_->IngestChunk(*principal, chunk);
    if (!ack.ok()) return scope.Done(ToGrpcStatus(ack.status()));
    if (!stream->Write(*ack)) break;  // client went away
  }
  return scope.Done(grpc::Status::OK);
}

grpc::Status EventServiceImpl::TagEvent(grpc::ServerContext* context,
                                        const v1::TagEventRequest* request,
                                        v1::TagEventResponse* response) {
  return Unary(handlers_, metrics_, Rpc::kTagEvent, context, *request, response,
               &Handlers::TagEvent);
}

PrivacyServiceImpl::PrivacyServiceImpl(Handlers* handlers, Metrics* metrics)
    : handlers_(handlers), metrics_(metrics) {}

grpc::Status PrivacyServiceImpl::DeleteLearnerData(
    grpc::ServerContext* context, const v1::DeleteLearnerDataRequest* request,
    v1::DeleteLearnerDataResponse* response) {
  return Unary(handlers_, metrics_, Rpc::kDeleteLearnerData, context, *request,
               response, &Handlers::DeleteLearnerData);
}

grpc::Status PrivacyServiceImpl::ExportLearnerData(
    grpc::ServerContext* context, const v1::ExportLearnerDataRequest* request,
    v1::ExportLearnerDataResponse* response) {
  return Unary(handlers_, metrics_, Rpc::kExportLearnerData, context, *request,
               response, &Handlers::ExportLearnerData);
}

grpc::Status PrivacyServiceImpl::SetProfilingOptOut(
    grpc::ServerContext* context, const v1::SetProfilingOptOutRequest* request,
    v1::SetProfilingOptOutResponse* response) {
  return Unary(handlers_, metrics_, Rpc::kSetProfilingOptOut, context, *request,
               response, &Handlers::SetProfilingOptOut);
}

CatalogueServiceImpl::CatalogueServiceImpl(Handlers* handlers, Metrics* metrics)
    : handlers_(handlers), metrics_(metrics) {}

grpc::Status CatalogueServiceImpl::UpsertActivities(
    grpc::ServerContext* context, const v1::UpsertActivitiesRequest* request,
    v1::UpsertActivitiesResponse* response) {
  return Unary(handlers_, metrics_, Rpc::kUpsertActivities, context, *request,
               response, &Handlers::UpsertActivities);
}

grpc::Status CatalogueServiceImpl::ListActivities(
    grpc::ServerContext* context, const v1::ListActivitiesRequest* request,
    v1::ListActivitiesResponse* response) {
  return Unary(handlers_, metrics_, Rpc::kListActivities, context, *request,
               response, &Handlers::ListActivities);
}

grpc::Status CatalogueServiceImpl::UpsertPaths(
    grpc::ServerContext* context, const v1::UpsertPathsRequest* request,
    v1::UpsertPathsResponse* response) {
  return Unary(handlers_, metrics_, Rpc::kUpsertPaths, context, *request,
               response, &Handlers::UpsertPaths);
}

grpc::Status CatalogueServiceImpl::ListPaths(
    grpc::ServerContext* context, const v1::ListPathsRequest* request,
    v1::ListPathsResponse* response) {
  return Unary(handlers_, metrics_, Rpc::kListPaths, context, *request,
               response, &Handlers::ListPaths);
}

grpc::Status CatalogueServiceImpl::SuggestPaths(
    grpc::ServerContext* context, const v1::SuggestPathsRequest* request,
    v1::SuggestPathsResponse* response) {
  return Unary(handlers_, metrics_, Rpc::kSuggestPaths, context, *request,
               response, &Handlers::SuggestPaths);
}

RecommendationServiceImpl::RecommendationServiceImpl(Handlers* handlers,
                                                     Metrics* metrics)
    : handlers_(handlers), metrics_(metrics) {}

grpc::Status RecommendationServiceImpl::GetRecommendations(
    grpc::ServerContext* context, const v1::GetRecommendationsRequest* request,
    v1::GetRecommendationsResponse* response) {
  return Unary(handlers_, metrics_, Rpc::kGetRecommendations, context, *request,
               response, &Handlers::GetRecommendations);
}

grpc::Status RecommendationServiceImpl::RecordFeedback(
    grpc::ServerContext* context, const v1::RecordFeedbackRequest* request,
    v1::RecordFeedbackResponse* response) {
  return Unary(handlers_, metrics_, Rpc::kRecordFeedback, context, *request,
               response, &Handlers::RecordFeedback);
}

InsightServiceImpl::InsightServiceImpl(Handlers* handlers, Metrics* metrics)
    : handlers_(handlers), metrics_(metrics) {}

grpc::Status InsightServiceImpl::GetLearnerProfile(
    grpc::ServerContext* context, const v1::GetLearnerProfileRequest* request,
    v1::GetLearnerProfileResponse* response) {
  return Unary(handlers_, metrics_, Rpc::kGetLearnerProfile, context, *request,
               response, &Handlers::GetLearnerProfile);
}

grpc::Status InsightServiceImpl::GetOrgOverview(
    grpc::ServerContext* context, const v1::GetOrgOverviewRequest* request,
    v1::GetOrgOverviewResponse* response) {
  return Unary(handlers_, metrics_, Rpc::kGetOrgOverview, context, *request,
               response, &Handlers::GetOrgOverview);
}

}  // namespace polku::api
