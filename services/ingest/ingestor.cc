#include "ingest/ingestor.h"

#include <memory>

#include "common/field_error.h"
#include "common/str_cat.h"
#include "ingest/normaliser.h"

namespace polku::ingest {

std::string_view OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kAccepted:
      return "ACCEPTED";
    case Outcome::kDuplicate:
      return "DUPLICATE";
    case Outcome::kConflict:
      return "CONFLICT";
    case Outcome::kErased:
      return "ERASED";
    case Outcome::kRejected:
      return "REJECTED";
    case Outcome::kTagged:
      return "TAGGED";
  }
  return "UNKNOWN";
}

Ingestor::Ingestor(store::EventStore* store,
                   const model::TaggerRegistry* taggers,
                   const common::Clock* clock, IngestOptions options)
    : store_(store), taggers_(taggers), clock_(clock), options_(options) {}

std::vector<EventResult> Ingestor::Prepare(
    std::string_view tenant, std::vector<IngestItem> items) const {
  const int64_t now = clock_->NowMillis();
  std::shared_ptr<const model::Tagger> tagger = taggers_->ForTenant(tenant);
  std::vector<EventResult> results;
  results.reserve(items.size());
  std::vector<model::LearningEvent> events;
  for (size_t i = 0; i < items.size(); ++i) {
    events.clear();
    if (auto* native = std::get_if<model::LearningEvent>(&items[i])) {
      native->source.platform =
          native->source.platform == model::Platform::kUnspecified
              ? model::Platform::kNative
              : native->source.platform;
      // Native callers speak Polku's schema and must send an id; ids are
      // derived only for source formats that may lack one.
      events.push_back(std::move(*native));
    } else {
      SourceEvent& source = std::get<SourceEvent>(items[i]);
      if (source.received_at_ms == 0) source.received_at_ms = now;
      absl::Status s = Normalise(tenant, source, events);
      if (!s.ok()) {
        EventResult r;
        r.item_index = i;
        r.error = s;
        results.push_back(std::move(r));
        continue;
      }
    }
    for (model::LearningEvent& e : events) {
      EventResult r;
      r.item_index = i;
      r.error = model::ValidateEvent(e, now, options_.limits);
      if (r.error.ok()) {
        tagger->Tag(e, r.tags);
        r.outcome = Outcome::kTagged;
      }
      r.event = std::move(e);
      results.push_back(std::move(r));
    }
  }
  return results;
}

std::vector<EventResult> Ingestor::Tag(std::string_view tenant,
                                       std::vector<IngestItem> items) const {
  return Prepare(tenant, std::move(items));
}

absl::StatusOr<std::vector<EventResult>> Ingestor::Ingest(
    std::string_view tenant, std::vector<IngestItem> items) {
  if (items.empty()) {
    return common::InvalidFieldError("events", "must hold at least one event");
  }
  std::vector<EventResult> results = Prepare(tenant, std::move(items));
  if (results.size() > options_.max_batch_events) {
    return common::InvalidFieldError(
        "events",
        common::StrCat("holds ", results.size(), " events; the limit is ",
                       options_.max_batch_events));
  }
  const int64_t now = clock_->NowMillis();
  std::vector<store::EventRecord> records;
  std::vector<size_t> record_of;  // index into results
  records.reserve(results.size());
  for (size_t i = 0; i < results.size(); ++i) {
    if (results[i].outcome != Outcome::kTagged) continue;
    records.push_back(
        store::MakeRecord(tenant, results[i].event, results[i].tags, now));
    if (options_.profile.has_value()) {
      records.back().delta =
          std::make_shared<const learning::ProfileDelta>(learning::MakeDelta(
              *options_.profile, results[i].event, results[i].tags));
    }
    record_of.push_back(i);
  }
  if (!records.empty()) {
    auto outcomes = store_->Append(records);
    if (!outcomes.ok()) return outcomes.status();
    for (size_t k = 0; k < outcomes->size(); ++k) {
      EventResult& r = results[record_of[k]];
      switch ((*outcomes)[k]) {
        case store::WriteOutcome::kAccepted:
          r.outcome = Outcome::kAccepted;
          break;
        case store::WriteOutcome::kDuplicate:
          r.outcome = Outcome::kDuplicate;
          break;
        case store::WriteOutcome::kErased:
          r.outcome = Outcome::kErased;
          break;
        case store::WriteOutcome::kConflict:
          r.outcome = Outcome::kConflict;
          r.error = common::FieldError(
              absl::StatusCode::kAlreadyExists, "event_id",
              "an event with this id is already stored with other content");
          break;
      }
    }
  }
  return results;
}

}  // namespace polku::ingest
