#include "api/handlers.h"

#include <array>
#include <map>

#include "api/convert.h"
#include "api/grpc_status.h"
#include "common/field_error.h"
#include "common/hashing.h"
#include "common/str_cat.h"
#include "common/strings.h"
#include "model/event_codec.h"

namespace polku::api {
namespace {

namespace v1 = ::polku::v1;

constexpr size_t kMaxExportEvents = 1000000;

bool IsSuccess(ingest::Outcome o) {
  return o == ingest::Outcome::kAccepted || o == ingest::Outcome::kDuplicate ||
         o == ingest::Outcome::kErased || o == ingest::Outcome::kTagged;
}

absl::Status NotYet(std::string_view service) {
  return absl::UnimplementedError(common::StrCat(
      "polku.v1.", service,
      " is not implemented yet; it arrives with profiles and recommendations"));
}

model::Platform PlatformOf(ingest::SourceFormat f) {
  switch (f) {
    case ingest::SourceFormat::kXapi:
      return model::Platform::kXapi;
    case ingest::SourceFormat::kCaliper:
      return model::Platform::kCaliper;
    case ingest::SourceFormat::kMoodle:
      return model::Platform::kMoodle;
    case ingest::SourceFormat::kOpenEdxTracking:
    case ingest::SourceFormat::kOpenEdxSignal:
      return model::Platform::kOpenEdx;
    default:
      return model::Platform::kUnspecified;
  }
}

absl::Status RequireLearner(const std::string& learner) {
  if (learner.empty())
    return common::InvalidFieldError("learner", "is required");
  return absl::OkStatus();
}

// The field path of `s` rewritten by `field_of` for item `index`: a
// normaliser names its fields from "payload" ("payload.verb.id").
absl::Status RenameField(const absl::Status& s, size_t index,
                         const Handlers::FieldNamer& field_of) {
  auto field = common::ErrorField(s);
  std::string_view msg(s.message().data(), s.message().size());
  if (!field.has_value()) {
    return common::FieldError(s.code(), field_of(index, ""), msg);
  }
  std::string_view rest = msg.substr(std::min(msg.size(), field->size() + 2));
  std::string_view f = *field;
  if (common::StartsWith(f, "payload")) f.remove_prefix(7);
  if (!f.empty() && f.front() == '.') f.remove_prefix(1);
  return common::FieldError(s.code(), field_of(index, f), rest);
}

}  // namespace

const RpcInfo& InfoOf(Rpc rpc) {
  static const std::array<RpcInfo, static_cast<size_t>(Rpc::kCount_)> kTable = {
      {
          {"EventService", "Ingest", kScopeEventsWrite},
          {"EventService", "IngestStream", kScopeEventsWrite},
          {"EventService", "TagEvent", kScopeEventsWrite},
          {"CatalogueService", "UpsertActivities", kScopeCatalogueWrite},
          {"CatalogueService", "ListActivities", kScopeCatalogueWrite},
          {"CatalogueService", "UpsertPaths", kScopeCatalogueWrite},
          {"CatalogueService", "ListPaths", kScopeCatalogueWrite},
          {"CatalogueService", "SuggestPaths", kScopeCatalogueWrite},
          {"RecommendationService", "GetRecommendations",
           kScopeRecommendationsRead},
          {"RecommendationService", "RecordFeedback", kScopeFeedbackWrite},
          {"InsightService", "GetLearnerProfile", kScopeInsightsRead},
          {"InsightService", "GetOrgOverview", kScopeInsightsRead},
          {"PrivacyService", "DeleteLearnerData", kScopePrivacyDelete},
          {"PrivacyService", "ExportLearnerData", kScopePrivacyExport},
      }};
  return kTable[static_cast<size_t>(rpc)];
}

Handlers::Handlers(ingest::Ingestor* ingestor, store::EventStore* store,
                   const Authenticator* auth, Metrics* metrics,
                   const common::Clock* clock)
    : ingestor_(ingestor),
      store_(store),
      auth_(auth),
      metrics_(metrics),
      clock_(clock) {}

absl::StatusOr<Principal> Handlers::Authenticate(const CallInfo& call,
                                                 Rpc rpc) const {
  return auth_->Authenticate(call, InfoOf(rpc).scope);
}

absl::Status Handlers::IngestItems(
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
          i, common::PrefixField(item.status(),
                                 common::StrCat("events[", i, "].")));
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
      metrics_->CountEvent(model::Platform::kUnspecified,
                           model::Mode::kUnspecified,
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
      r.error = common::PrefixField(
          r.error, common::StrCat("events[", r.item_index, "]."));
    }
    metrics_->CountEvent(r.event.source.platform, r.tags.mode, r.outcome);
    switch (r.outcome) {
      case ingest::Outcome::kAccepted:
        ++*accepted;
        break;
      case ingest::Outcome::kDuplicate:
        ++*duplicates;
        break;
      case ingest::Outcome::kRejected:
      case ingest::Outcome::kConflict:
        ++*rejected;
        break;
      default:
        break;
    }
    if (only_exceptions && IsSuccess(r.outcome)) continue;
    ToProto(r, locale, results->Add());
  }
  emit_bad_until(items.size());
  return absl::OkStatus();
}

absl::StatusOr<v1::IngestResponse> Handlers::Ingest(
    const Principal& p, const v1::IngestRequest& request) {
  if (request.events().empty()) {
    return common::InvalidFieldError("events", "must hold at least one event");
  }
  v1::IngestResponse response;
  int accepted = 0, duplicates = 0, rejected = 0;
  absl::Status s =
      IngestItems(p.tenant, request.events(), request.locale(),
                  /*only_exceptions=*/false, response.mutable_results(),
                  &accepted, &duplicates, &rejected);
  if (!s.ok()) return s;
  response.set_accepted(accepted);
  response.set_duplicates(duplicates);
  response.set_rejected(rejected);
  return response;
}

absl::StatusOr<v1::IngestStreamResponse> Handlers::IngestChunk(
    const Principal& p, const v1::IngestStreamRequest& chunk) {
  if (chunk.events().empty()) {
    return common::InvalidFieldError(
        "events", common::StrCat("chunk ", chunk.chunk_id(), " is empty"));
  }
  v1::IngestStreamResponse ack;
  ack.set_chunk_id(chunk.chunk_id());
  int accepted = 0, duplicates = 0, rejected = 0;
  absl::Status s =
      IngestItems(p.tenant, chunk.events(), "en", !chunk.full_results(),
                  ack.mutable_results(), &accepted, &duplicates, &rejected);
  if (!s.ok()) return s;
  ack.set_accepted(accepted);
  ack.set_duplicates(duplicates);
  ack.set_rejected(rejected);
  return ack;
}

absl::StatusOr<v1::TagEventResponse> Handlers::TagEvent(
    const Principal& p, const v1::TagEventRequest& request) {
  auto item = FromProto(request.event());
  if (!item.ok()) return common::PrefixField(item.status(), "event.");
  std::vector<ingest::IngestItem> items;
  items.push_back(std::move(*item));
  v1::TagEventResponse response;
  for (const ingest::EventResult& r :
       ingestor_->Tag(p.tenant, std::move(items))) {
    auto* out = response.add_events();
    ToProto(r.event, out->mutable_event());
    if (r.outcome == ingest::Outcome::kRejected) {
      ToEventError(r.error, out->mutable_error());
    } else {
      ToProto(r.tags, request.locale(), out->mutable_tags());
    }
  }
  return response;
}

absl::StatusOr<AtomicIngestResult> Handlers::IngestAllOrNothing(
    const Principal& p, std::vector<ingest::SourceEvent> items,
    const std::vector<std::string>& own_ids, const FieldNamer& field_of) {
  if (items.empty())
    return common::InvalidFieldError(field_of(0, ""), "is empty");
  // One receive time for the dry run and the write, so that an item whose
  // time or id the normaliser derives from it gets the same both times.
  const int64_t now = clock_->NowMillis();
  const size_t n = items.size();
  // The ids of items Polku does not map: their own, else derived.
  std::vector<std::string> fallback_ids(n);
  std::vector<ingest::IngestItem> dry;
  dry.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    items[i].received_at_ms = now;
    // A derived id for an unmapped item without an id of its own: stable
    // for the same content, so a resend acknowledges the same id.
    if (i < own_ids.size() && !own_ids[i].empty()) {
      fallback_ids[i] = own_ids[i];
    } else {
      fallback_ids[i] = *common::UuidV5(
          common::EventIdNamespace(),
          common::StrCat(p.tenant, "\n",
                         ingest::SourceFormatName(items[i].format), "\n",
                         common::Sha256Hex(items[i].payload)));
    }
    dry.emplace_back(items[i]);
  }
  std::vector<ingest::EventResult> tagged =
      ingestor_->Tag(p.tenant, std::move(dry));

  AtomicIngestResult result;
  result.ids.resize(n);
  std::vector<bool> ignored(n, false);
  // Validation first: the first invalid item fails the whole call.
  for (const ingest::EventResult& r : tagged) {
    if (r.outcome != ingest::Outcome::kRejected) continue;
    if (r.error.code() == absl::StatusCode::kUnimplemented) {
      ignored[r.item_index] = true;
      continue;
    }
    metrics_->CountEvent(r.event.source.platform, model::Mode::kUnspecified,
                         ingest::Outcome::kRejected);
    return RenameField(r.error, r.item_index, field_of);
  }
  // Conflicts next, against the store and within the call, so that nothing
  // is written when one item would conflict. (A write racing this check is
  // still caught below, by the store.)
  std::map<std::string, std::pair<std::string, size_t>>
      seen;  // id -> hash, index
  std::vector<ingest::IngestItem> to_store;
  std::vector<size_t> stored_index;
  for (ingest::EventResult& r : tagged) {
    if (r.outcome != ingest::Outcome::kTagged) continue;
    std::string hash = model::ContentHash(r.event);
    auto [it, inserted] =
        seen.emplace(r.event.event_id, std::make_pair(hash, r.item_index));
    if (!inserted && it->second.first != hash) {
      return common::FieldError(
          absl::StatusCode::kAlreadyExists, field_of(r.item_index, "id"),
          common::StrCat("has the id of item ", it->second.second,
                         " with other content"));
    }
    auto stored = store_->Get(p.tenant, r.event.event_id);
    if (!stored.ok()) return stored.status();
    if (stored->has_value() && (*stored)->content_hash != hash &&
        r.event.occurred_at_ms == now) {
      // The item carried no time of its own, so the normaliser used the
      // receive time (an LRS's "stored"); a resend of it is the same
      // statement, received earlier: compare at the first receive time.
      model::LearningEvent earlier = r.event;
      earlier.occurred_at_ms = (*stored)->occurred_at_ms;
      std::string earlier_hash = model::ContentHash(earlier);
      if (earlier_hash == (*stored)->content_hash) {
        r.event = std::move(earlier);
        hash = std::move(earlier_hash);
        seen[r.event.event_id].first = hash;
      }
    }
    if (stored->has_value() && (*stored)->content_hash != hash) {
      metrics_->CountEvent(r.event.source.platform, r.tags.mode,
                           ingest::Outcome::kConflict);
      return common::FieldError(
          absl::StatusCode::kAlreadyExists, field_of(r.item_index, "id"),
          "an event with this id is already stored with other content");
    }
    result.ids[r.item_index] = r.event.event_id;
    stored_index.push_back(r.item_index);
    to_store.emplace_back(std::move(r.event));
  }
  for (size_t i = 0; i < n; ++i) {
    // Unmapped, or (a normaliser's choice) no event at all.
    if (!ignored[i] && !result.ids[i].empty()) continue;
    ++result.ignored;
    result.ids[i] = fallback_ids[i];
    metrics_->CountEvent(PlatformOf(items[i].format), model::Mode::kUnspecified,
                         ingest::Outcome::kRejected);
  }
  if (to_store.empty()) return result;
  // The normalised events go in as native events: no second normalisation,
  // and exactly the ids and content checked above.
  auto written = ingestor_->Ingest(p.tenant, std::move(to_store));
  if (!written.ok()) return written.status();
  absl::Status conflict;
  for (const ingest::EventResult& r : *written) {
    metrics_->CountEvent(r.event.source.platform, r.tags.mode, r.outcome);
    size_t index = stored_index[r.item_index];
    switch (r.outcome) {
      case ingest::Outcome::kAccepted:
        ++result.accepted;
        break;
      case ingest::Outcome::kDuplicate:
        ++result.duplicates;
        break;
      case ingest::Outcome::kErased:
        ++result.erased;
        break;
      case ingest::Outcome::kConflict:
        if (conflict.ok()) {
          conflict = common::FieldError(
              absl::StatusCode::kAlreadyExists, field_of(index, "id"),
              "an event with this id is already stored with other content");
        }
        break;
      default:
        // Validated in the dry run; a difference now is a bug.
        return absl::InternalError(common::StrCat(
            "item ", index, " passed the dry run but not the write: ",
            std::string(r.error.message())));
    }
  }
  if (!conflict.ok()) return conflict;
  return result;
}

absl::StatusOr<v1::DeleteLearnerDataResponse> Handlers::DeleteLearnerData(
    const Principal& p, const v1::DeleteLearnerDataRequest& request) {
  if (auto s = RequireLearner(request.learner()); !s.ok()) return s;
  auto n =
      store_->EraseLearner(p.tenant, request.learner(), clock_->NowMillis());
  if (!n.ok()) return n.status();
  v1::DeleteLearnerDataResponse response;
  response.set_events_deleted(*n);
  return response;
}

absl::StatusOr<v1::ExportLearnerDataResponse> Handlers::ExportLearnerData(
    const Principal& p, const v1::ExportLearnerDataRequest& request) {
  if (auto s = RequireLearner(request.learner()); !s.ok()) return s;
  auto events =
      store_->ListByLearner(p.tenant, request.learner(), kMaxExportEvents);
  if (!events.ok()) return events.status();
  v1::ExportLearnerDataResponse response;
  for (const store::EventRecord& r : *events) {
    response.add_events_json(r.body_json);
    response.add_tags_json(r.tags_json);
  }
  return response;
}

absl::StatusOr<v1::UpsertActivitiesResponse> Handlers::UpsertActivities(
    const Principal&, const v1::UpsertActivitiesRequest&) {
  return NotYet("CatalogueService");
}
absl::StatusOr<v1::ListActivitiesResponse> Handlers::ListActivities(
    const Principal&, const v1::ListActivitiesRequest&) {
  return NotYet("CatalogueService");
}
absl::StatusOr<v1::UpsertPathsResponse> Handlers::UpsertPaths(
    const Principal&, const v1::UpsertPathsRequest&) {
  return NotYet("CatalogueService");
}
absl::StatusOr<v1::ListPathsResponse> Handlers::ListPaths(
    const Principal&, const v1::ListPathsRequest&) {
  return NotYet("CatalogueService");
}
absl::StatusOr<v1::SuggestPathsResponse> Handlers::SuggestPaths(
    const Principal&, const v1::SuggestPathsRequest&) {
  return NotYet("CatalogueService");
}
absl::StatusOr<v1::GetRecommendationsResponse> Handlers::GetRecommendations(
    const Principal&, const v1::GetRecommendationsRequest&) {
  return NotYet("RecommendationService");
}
absl::StatusOr<v1::RecordFeedbackResponse> Handlers::RecordFeedback(
    const Principal&, const v1::RecordFeedbackRequest&) {
  return NotYet("RecommendationService");
}
absl::StatusOr<v1::GetLearnerProfileResponse> Handlers::GetLearnerProfile(
    const Principal&, const v1::GetLearnerProfileRequest&) {
  return NotYet("InsightService");
}
absl::StatusOr<v1::GetOrgOverviewResponse> Handlers::GetOrgOverview(
    const Principal&, const v1::GetOrgOverviewRequest&) {
  return NotYet("InsightService");
}

}  // namespace polku::api
