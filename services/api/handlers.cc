#include "api/handlers.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <array>
#include <map>

#include "api/convert.h"
#include "api/grpc_status.h"
#include "common/field_error.h"
#include "common/hashing.h"
#include "common/json_writer.h"
#include "common/status_macros.h"
#include "common/str_cat.h"
#include "common/strings.h"
#include "model/event_codec.h"

namespace polku::api {
namespace {

namespace v1 = ::polku::v1;
// The conversions of convert.h, overloaded below for the overview's types.
using ::polku::api::FromProto;
using ::polku::api::ToProto;

constexpr size_t kMaxExportEvents = 1000000;

bool IsSuccess(ingest::Outcome o) {
  return o == ingest::Outcome::kAccepted || o == ingest::Outcome::kDuplicate ||
         o == ingest::Outcome::kErased || o == ingest::Outcome::kTagged;
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

constexpr int kMaxCatalogueBatch = 10000;

absl::StatusOr<size_t> PageSize(int32_t requested) {
  if (requested < 0 || requested > 1000) {
    return common::InvalidFieldError("page_size", "must be between 0 and 1000");
  }
  return requested == 0 ? size_t{100} : static_cast<size_t>(requested);
}

void ToProto(const learning::GroupFigures& in, v1::GroupFigures* out) {
  out->set_name(in.name);
  out->set_learners(in.learners);
  out->set_suppressed(in.suppressed);
  if (in.suppressed) return;
  out->set_share_in_band(in.share_in_band);
  out->set_mean_balance(in.mean_balance);
  ToProto(in.mean, out->mutable_dimensions());
  for (const auto& d : in.lagging) out->add_lagging_dimensions(d);
}

// Everything besides the events, as one JSON document; "" when nothing.
std::string StateJson(const learning::ProfileConfig& config,
                      const store::LearnerState& st, int64_t now_ms) {
  if (!st.profile.has_value() && st.activities.empty() && st.served.empty() &&
      st.feedback.empty() && st.weeks.empty() && !st.opted_out) {
    return std::string();
  }
  common::JsonWriter w;
  w.BeginObject();
  w.Key("opted_out_of_profiling");
  w.Bool(st.opted_out);
  w.Key("profile");
  if (st.profile.has_value()) {
    w.Raw(learning::ProfileJson(config, *st.profile, now_ms));
  } else {
    w.Null();
  }
  w.Key("activities");
  w.BeginArray();
  for (const store::ActivityState& a : st.activities) {
    w.BeginObject();
    w.Key("activity_id");
    w.String(a.object_id);
    w.Key("first_ms");
    w.Int(a.first_ms);
    w.Key("last_ms");
    w.Int(a.last_ms);
    w.Key("completed_ms");
    w.Int(a.completed_ms);
    w.Key("events");
    w.Int(a.events);
    w.EndObject();
  }
  w.EndArray();
  w.Key("recommendations_served");
  w.BeginArray();
  for (const store::ServedRecommendation& r : st.served) {
    w.BeginObject();
    w.Key("recommendation_id");
    w.String(r.recommendation_id);
    w.Key("kind");
    w.String(r.kind);
    w.Key("target_id");
    w.String(r.target_id);
    w.Key("served_ms");
    w.Int(r.served_ms);
    w.EndObject();
  }
  w.EndArray();
  w.Key("feedback");
  w.BeginArray();
  for (const store::FeedbackRecord& f : st.feedback) {
    w.BeginObject();
    w.Key("recommendation_id");
    w.String(f.recommendation_id);
    w.Key("outcome");
    w.String(store::FeedbackOutcomeName(f.outcome));
    w.Key("at_ms");
    w.Int(f.at_ms);
    w.Key("target_id");
    w.String(f.target_id);
    w.EndObject();
  }
  w.EndArray();
  w.Key("weeks");
  w.BeginArray();
  for (const store::LearnerWeek& wk : st.weeks) {
    w.BeginObject();
    w.Key("week_start_ms");
    w.Int(learning::WeekStartMs(wk.week));
    w.Key("org_unit");
    w.String(wk.org_unit);
    w.Key("leadership");
    w.Double(wk.leadership);
    w.Key("development");
    w.Double(wk.development);
    w.Key("events");
    w.Int(wk.events);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.Take();
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
          {"PrivacyService", "SetProfilingOptOut", kScopeFeedbackWrite},
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
    if (learning_metrics_ != nullptr &&
        r.outcome == ingest::Outcome::kAccepted) {
      learning_metrics_->CountTenantEvent(tenant, r.tags.mode);
    }
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
    if (learning_metrics_ != nullptr &&
        r.outcome == ingest::Outcome::kAccepted) {
      learning_metrics_->CountTenantEvent(p.tenant, r.tags.mode);
    }
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
  if (learning_ != nullptr) {
    POLKU_ASSIGN_OR_RETURN(
        store::LearnerState state,
        learning_->ExportLearnerState(p.tenant, request.learner()));
    response.set_state_json(
        StateJson(engine_ != nullptr ? engine_->config().recommender.profile
                                     : learning::ProfileConfig(),
                  state, clock_->NowMillis()));
  }
  return response;
}

// --- Learning: catalogue, recommendations, insights
// ---------------------------

absl::Status Handlers::RequireEngine() const {
  if (engine_ == nullptr || learning_ == nullptr) {
    return absl::FailedPreconditionError(
        "this server's store keeps no learning state (profiles, catalogue, "
        "recommendations); run polku-server with the SQLite store");
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::UpsertActivitiesResponse> Handlers::UpsertActivities(
    const Principal& p, const v1::UpsertActivitiesRequest& request) {
  POLKU_RETURN_IF_ERROR(RequireEngine());
  if (request.activities().empty()) {
    return common::InvalidFieldError("activities", "is empty");
  }
  if (request.activities_size() > kMaxCatalogueBatch) {
    return common::InvalidFieldError(
        "activities",
        common::StrCat("holds more than ", kMaxCatalogueBatch, " activities"));
  }
  std::vector<learning::Activity> activities;
  activities.reserve(request.activities_size());
  for (const v1::Activity& a : request.activities()) {
    activities.push_back(FromProto(a));
  }
  POLKU_RETURN_IF_ERROR(
      engine_->UpsertActivities(p.tenant, std::move(activities)));
  v1::UpsertActivitiesResponse response;
  response.set_upserted(request.activities_size());
  return response;
}

absl::StatusOr<v1::ListActivitiesResponse> Handlers::ListActivities(
    const Principal& p, const v1::ListActivitiesRequest& request) {
  POLKU_RETURN_IF_ERROR(RequireEngine());
  POLKU_ASSIGN_OR_RETURN(size_t size, PageSize(request.page_size()));
  POLKU_ASSIGN_OR_RETURN(auto page, learning_->ListActivities(
                                        p.tenant, size, request.page_token()));
  v1::ListActivitiesResponse response;
  for (const learning::Activity& a : page.items) {
    ToProto(a, response.add_activities());
  }
  response.set_next_page_token(page.next_page_token);
  return response;
}

absl::StatusOr<v1::UpsertPathsResponse> Handlers::UpsertPaths(
    const Principal& p, const v1::UpsertPathsRequest& request) {
  POLKU_RETURN_IF_ERROR(RequireEngine());
  if (request.paths().empty()) {
    return common::InvalidFieldError("paths", "is empty");
  }
  if (request.paths_size() > kMaxCatalogueBatch) {
    return common::InvalidFieldError(
        "paths",
        common::StrCat("holds more than ", kMaxCatalogueBatch, " paths"));
  }
  std::vector<learning::LearningPath> paths;
  paths.reserve(request.paths_size());
  for (const v1::LearningPath& path : request.paths()) {
    paths.push_back(FromProto(path));
  }
  POLKU_RETURN_IF_ERROR(engine_->UpsertPaths(p.tenant, std::move(paths)));
  v1::UpsertPathsResponse response;
  response.set_upserted(request.paths_size());
  return response;
}

absl::StatusOr<v1::ListPathsResponse> Handlers::ListPaths(
    const Principal& p, const v1::ListPathsRequest& request) {
  POLKU_RETURN_IF_ERROR(RequireEngine());
  POLKU_ASSIGN_OR_RETURN(size_t size, PageSize(request.page_size()));
  POLKU_ASSIGN_OR_RETURN(
      auto page, learning_->ListPaths(p.tenant, size, request.page_token()));
  v1::ListPathsResponse response;
  for (const learning::LearningPath& path : page.items) {
    ToProto(path, response.add_paths());
  }
  response.set_next_page_token(page.next_page_token);
  return response;
}

absl::StatusOr<v1::SuggestPathsResponse> Handlers::SuggestPaths(
    const Principal& p, const v1::SuggestPathsRequest& request) {
  POLKU_RETURN_IF_ERROR(RequireEngine());
  POLKU_ASSIGN_OR_RETURN(
      auto suggestions,
      engine_->SuggestPaths(p.tenant, request.max_suggestions(),
                            request.min_support()));
  v1::SuggestPathsResponse response;
  for (const learning::SuggestedPath& s : suggestions) {
    v1::SuggestedPath* out = response.add_suggestions();
    ToProto(s.path, out->mutable_path());
    out->set_support(s.support);
    for (const auto& id : s.added_self_directed) {
      out->add_added_self_directed_activity_ids(id);
    }
  }
  return response;
}

absl::StatusOr<v1::GetRecommendationsResponse> Handlers::GetRecommendations(
    const Principal& p, const v1::GetRecommendationsRequest& request) {
  POLKU_RETURN_IF_ERROR(RequireEngine());
  POLKU_ASSIGN_OR_RETURN(learning::RecommendOutput out,
                         engine_->Recommend(p.tenant, request.learner(),
                                            request.k(), request.locale()));
  v1::GetRecommendationsResponse response;
  response.set_opted_out(out.segment == "opted_out");
  for (const learning::Recommendation& r : out.items) {
    v1::Recommendation* o = response.add_recommendations();
    o->set_recommendation_id(r.recommendation_id);
    o->set_kind(static_cast<v1::NudgeKind>(r.kind));
    o->set_target_id(r.target_id);
    o->set_score(r.score);
    o->set_reason_code(r.reason_code);
    o->set_text(r.text);
    for (const auto& e : r.evidence_event_ids) o->add_evidence_event_ids(e);
    for (const auto& e : r.evidence_rule_ids) o->add_evidence_rule_ids(e);
    o->set_target_is_path(r.target_is_path);
    o->set_target_title(r.target_title);
    o->set_target_url(r.target_url);
    if (learning_metrics_ != nullptr) learning_metrics_->CountServed(r.kind);
  }
  return response;
}

absl::StatusOr<v1::RecordFeedbackResponse> Handlers::RecordFeedback(
    const Principal& p, const v1::RecordFeedbackRequest& request) {
  POLKU_RETURN_IF_ERROR(RequireEngine());
  const int outcome = static_cast<int>(request.outcome());
  if (outcome < 0 ||
      outcome > static_cast<int>(store::FeedbackOutcome::kCompleted)) {
    return common::InvalidFieldError("outcome", "is not a known outcome");
  }
  int64_t at_ms = 0;
  if (request.has_occurred_at()) {
    at_ms = google::protobuf::util::TimeUtil::TimestampToMilliseconds(
        request.occurred_at());
  }
  POLKU_ASSIGN_OR_RETURN(
      learning::NudgeKind kind,
      engine_->RecordFeedback(
          p.tenant, request.learner(), request.recommendation_id(),
          static_cast<store::FeedbackOutcome>(outcome), at_ms));
  if (learning_metrics_ != nullptr) {
    learning_metrics_->CountFeedback(
        kind, static_cast<store::FeedbackOutcome>(outcome));
  }
  return v1::RecordFeedbackResponse();
}

absl::StatusOr<v1::GetLearnerProfileResponse> Handlers::GetLearnerProfile(
    const Principal& p, const v1::GetLearnerProfileRequest& request) {
  POLKU_RETURN_IF_ERROR(RequireEngine());
  POLKU_ASSIGN_OR_RETURN(
      learning::LearnerReport report,
      engine_->LearnerProfile(p.tenant, request.learner(), request.locale()));
  POLKU_ASSIGN_OR_RETURN(bool opted_out,
                         learning_->IsOptedOut(p.tenant, request.learner()));
  const learning::ProfileConfig& config = engine_->config().recommender.profile;
  v1::GetLearnerProfileResponse response;
  ToProto(report.view.mean, response.mutable_dimensions());
  response.set_balance(report.view.balance);
  response.set_band_low(config.band_low);
  response.set_band_high(config.band_high);
  response.set_event_count(report.event_count);
  response.set_explanation(report.explanation);
  response.set_band_position(
      std::string(learning::BandPositionName(report.view.position)));
  response.set_opted_out(opted_out);
  return response;
}

absl::StatusOr<v1::GetOrgOverviewResponse> Handlers::GetOrgOverview(
    const Principal& p, const v1::GetOrgOverviewRequest& request) {
  POLKU_RETURN_IF_ERROR(RequireEngine());
  POLKU_ASSIGN_OR_RETURN(
      learning::OrgOverview o,
      engine_->OrgOverview(p.tenant, request.org_unit(), request.weeks()));
  v1::GetOrgOverviewResponse response;
  response.set_min_group_size(engine_->config().insights.min_group_size);
  response.set_learners(o.total.learners);
  response.set_suppressed(o.total.suppressed);
  if (!o.total.suppressed) {
    response.set_share_in_band(o.total.share_in_band);
    response.set_mean_balance(o.total.mean_balance);
    ToProto(o.total.mean, response.mutable_dimensions());
    for (const auto& d : o.total.lagging) response.add_lagging_dimensions(d);
    response.set_self_directed_goal_linked_share(
        o.total.self_directed_goal_linked_share);
  }
  for (const auto& g : o.units) ToProto(g, response.add_units());
  for (const auto& g : o.roles) ToProto(g, response.add_roles());
  for (const auto& w : o.trend) {
    v1::WeekFigures* out = response.add_trend();
    *out->mutable_week_start() =
        google::protobuf::util::TimeUtil::MillisecondsToTimestamp(
            w.week_start_ms);
    out->set_learners(w.learners);
    out->set_suppressed(w.suppressed);
    if (!w.suppressed) {
      out->set_share_in_band(w.share_in_band);
      out->set_mean_balance(w.mean_balance);
    }
  }
  v1::CatalogueComposition* c = response.mutable_catalogue();
  c->set_visible(o.catalogue.visible);
  c->set_structured(o.catalogue.structured);
  c->set_self_directed(o.catalogue.self_directed);
  c->set_blended(o.catalogue.blended);
  c->set_self_enrol(o.catalogue.self_enrol);
  c->set_social(o.catalogue.social);
  c->set_at_work(o.catalogue.at_work);
  c->set_required(o.catalogue.required);
  return response;
}

absl::StatusOr<v1::SetProfilingOptOutResponse> Handlers::SetProfilingOptOut(
    const Principal& p, const v1::SetProfilingOptOutRequest& request) {
  POLKU_RETURN_IF_ERROR(RequireEngine());
  if (auto s = RequireLearner(request.learner()); !s.ok()) return s;
  POLKU_RETURN_IF_ERROR(learning_->SetOptOut(
      p.tenant, request.learner(), request.opted_out(), clock_->NowMillis()));
  v1::SetProfilingOptOutResponse response;
  response.set_opted_out(request.opted_out());
  return response;
}

}  // namespace polku::api
