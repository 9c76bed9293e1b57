#include "api/services.h"

#include "api/convert.h"
#include "api/grpc_status.h"
#include "common/field_error.h"
#include "common/str_cat.h"

namespace polku::api {
namespace {

namespace v1 = ::polku::v1;

constexpr size_t kMaxExportEvents = 1000000;

bool IsSuccess(ingest::Outcome o) {
  return o == ingest::Outcome::kAccepted || o == ingest::Outcome::kDuplicate ||
         o == ingest::Outcome::kErased || o == ingest::Outcome::kTagged;
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

EventServiceImpl::EventServiceImpl(ingest::Ingestor* ingestor,
                                   const Authenticator* auth, Metrics* metrics)
    : ingestor_(ingestor), auth_(auth), metrics_(metrics) {}

absl::Status EventServiceImpl::IngestItems(
    const std::string& tenant,
    const google::protobuf::RepeatedPtrField<v1::IngestItem>& items,
    std::string_view locale, bool only_exceptions,
    google::protobuf::RepeatedPtrField<v1::EventResult>* results, int* accepted,
    int* duplicates, int* rejected) {
  // Items that do not even convert are rejected here; the rest go to the
  // core, and their results are merged back in item order.
  std::vector<ingest::IngestItem> core_items;
  std::vector<int> original_index;
  std::vector<std::pair<int, absl::Status>> bad_items;
  core_items.reserve(static_cast<size_t>(items.size()));
  for (int i = 0; i < items.size(); ++i) {
    auto item = FromProto(items[i]);
    if (!item.ok()) {
      bad_items.emplace_back(
          i, common::PrefixField(item.status(), common::StrCat("events[", i, "].")));
      continue;
    }
    core_items.push_back(std::move(*item));
    original_index.push_back(i);
  }
  std::vector<ingest::EventResult> core_results;
  if (!core_items.empty()) {
    auto r = ingestor_->Ingest(tenant, std::move(core_items));
    if (!r.ok()) return r.status();
    core_results = std::move(*r);
  }
  auto bad = bad_items.begin();
  auto emit_bad_until = [&](int index) {
    for (; bad != bad_items.end() && bad->first < index; ++bad) {
      ++*rejected;
      metrics_->CountEvent(model::Platform::kUnspecified, model::Mode::kUnspecified,
                           ingest::Outcome::kRejected);
      auto* out = results->Add();
      out->set_item_index(bad->first);
      out->set_outcome(v1::EVENT_OUTCOME_REJECTED);
      ToEventError(bad->second, out->mutable_error());
    }
  };
  for (ingest::EventResult& r : core_results) {
    r.item_index = static_cast<size_t>(original_index[r.item_index]);
    emit_bad_until(static_cast<int>(r.item_index));
    if (!r.error.ok() && r.outcome == ingest::Outcome::kRejected) {
      r.error = common::PrefixField(r.error,
                                    common::StrCat("events[", r.item_index, "]."));
    }
    metrics_->CountEvent(r.event.source.platform, r.tags.mode, r.outcome);
    switch (r.outcome) {
      case ingest::Outcome::kAccepted: ++*accepted; break;
      case ingest::Outcome::kDuplicate: ++*duplicates; break;
      case ingest::Outcome::kRejected:
      case ingest::Outcome::kConflict: ++*rejected; break;
      default: break;
    }
    if (only_exceptions && IsSuccess(r.outcome)) continue;
    ToProto(r, locale, results->Add());
  }
  emit_bad_until(items.size());
  return absl::OkStatus();
}

grpc::Status EventServiceImpl::Ingest(grpc::ServerContext* context,
                                      const v1::IngestRequest* request,
                                      v1::IngestResponse* response) {
  RpcScope scope(metrics_, "Ingest");
  auto principal = auth_->Authenticate(CallInfoOf(*context), kScopeEventsWrite);
  if (!principal.ok()) return scope.Done(ToGrpcStatus(principal.status()));
  if (request->events().empty()) {
    return scope.Done(ToGrpcStatus(
        common::InvalidFieldError("events", "must hold at least one event")));
  }
  int accepted = 0, duplicates = 0, rejected = 0;
  absl::Status s = IngestItems(principal->tenant, request->events(),
                               request->locale(), /*only_exceptions=*/false,
                               response->mutable_results(), &accepted,
                               &duplicates, &rejected);
  if (!s.ok()) {
    response->Clear();
    return scope.Done(ToGrpcStatus(s));
  }
  response->set_accepted(accepted);
  response->set_duplicates(duplicates);
  response->set_rejected(rejected);
  return scope.Done(grpc::Status::OK);
}

grpc::Status EventServiceImpl::IngestStream(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<v1::IngestStreamResponse, v1::IngestStreamRequest>*
        stream) {
  RpcScope scope(metrics_, "IngestStream");
  auto principal = auth_->Authenticate(CallInfoOf(*context), kScopeEventsWrite);
  if (!principal.ok()) return scope.Done(ToGrpcStatus(principal.status()));
  v1::IngestStreamRequest chunk;
  while (stream->Read(&chunk)) {
    if (context->IsCancelled()) {
      return scope.Done(grpc::Status(grpc::CANCELLED, "client cancelled"));
    }
    v1::IngestStreamResponse ack;
    ack.set_chunk_id(chunk.chunk_id());
    if (chunk.events().empty()) {
      return scope.Done(ToGrpcStatus(common::InvalidFieldError(
          "events", common::StrCat("chunk ", chunk.chunk_id(), " is empty"))));
    }
    int accepted = 0, duplicates = 0, rejected = 0;
    absl::Status s = IngestItems(principal->tenant, chunk.events(), "en",
                                 !chunk.full_results(), ack.mutable_results(),
                                 &accepted, &duplicates, &rejected);
    if (!s.ok()) return scope.Done(ToGrpcStatus(s));
    ack.set_accepted(accepted);
    ack.set_duplicates(duplicates);
    ack.set_rejected(rejected);
    if (!stream->Write(ack)) break;  // client went away
  }
  return scope.Done(grpc::Status::OK);
}

grpc::Status EventServiceImpl::TagEvent(grpc::ServerContext* context,
                                        const v1::TagEventRequest* request,
                                        v1::TagEventResponse* response) {
  RpcScope scope(metrics_, "TagEvent");
  auto principal = auth_->Authenticate(CallInfoOf(*context), kScopeEventsWrite);
  if (!principal.ok()) return scope.Done(ToGrpcStatus(principal.status()));
  auto item = FromProto(request->event());
  if (!item.ok()) {
    return scope.Done(
        ToGrpcStatus(common::PrefixField(item.status(), "event.")));
  }
  std::vector<ingest::IngestItem> items;
  items.push_back(std::move(*item));
  for (const ingest::EventResult& r :
       ingestor_->Tag(principal->tenant, std::move(items))) {
    auto* out = response->add_events();
    ToProto(r.event, out->mutable_event());
    if (r.outcome == ingest::Outcome::kRejected) {
      ToEventError(r.error, out->mutable_error());
    } else {
      ToProto(r.tags, request->locale(), out->mutable_tags());
    }
  }
  return scope.Done(grpc::Status::OK);
}

PrivacyServiceImpl::PrivacyServiceImpl(store::EventStore* store,
                                       const Authenticator* auth,
                                       Metrics* metrics,
                                       const common::Clock* clock)
    : store_(store), auth_(auth), metrics_(metrics), clock_(clock) {}

grpc::Status PrivacyServiceImpl::DeleteLearnerData(
    grpc::ServerContext* context, const v1::DeleteLearnerDataRequest* request,
    v1::DeleteLearnerDataResponse* response) {
  RpcScope scope(metrics_, "DeleteLearnerData");
  auto principal = auth_->Authenticate(CallInfoOf(*context), kScopePrivacyDelete);
  if (!principal.ok()) return scope.Done(ToGrpcStatus(principal.status()));
  if (request->learner().empty()) {
    return scope.Done(
        ToGrpcStatus(common::InvalidFieldError("learner", "is required")));
  }
  auto n = store_->EraseLearner(principal->tenant, request->learner(),
                                clock_->NowMillis());
  if (!n.ok()) return scope.Done(ToGrpcStatus(n.status()));
  response->set_events_deleted(*n);
  return scope.Done(grpc::Status::OK);
}

grpc::Status PrivacyServiceImpl::ExportLearnerData(
    grpc::ServerContext* context, const v1::ExportLearnerDataRequest* request,
    v1::ExportLearnerDataResponse* response) {
  RpcScope scope(metrics_, "ExportLearnerData");
  auto principal = auth_->Authenticate(CallInfoOf(*context), kScopePrivacyExport);
  if (!principal.ok()) return scope.Done(ToGrpcStatus(principal.status()));
  if (request->learner().empty()) {
    return scope.Done(
        ToGrpcStatus(common::InvalidFieldError("learner", "is required")));
  }
  auto events = store_->ListByLearner(principal->tenant, request->learner(),
                                      kMaxExportEvents);
  if (!events.ok()) return scope.Done(ToGrpcStatus(events.status()));
  for (const store::EventRecord& r : *events) {
    response->add_events_json(r.body_json);
    response->add_tags_json(r.tags_json);
  }
  return scope.Done(grpc::Status::OK);
}

}  // namespace polku::api
