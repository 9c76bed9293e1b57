#include "store/event_store.h"

#include <algorithm>

#include "model/event_codec.h"
#include "store/learning_store.h"

namespace polku::store {

std::string_view WriteOutcomeName(WriteOutcome o) {
  switch (o) {
    case WriteOutcome::kAccepted:
      return "ACCEPTED";
    case WriteOutcome::kDuplicate:
      return "DUPLICATE";
    case WriteOutcome::kConflict:
      return "CONFLICT";
    case WriteOutcome::kErased:
      return "ERASED";
  }
  return "UNKNOWN";
}

std::string_view FeedbackOutcomeName(FeedbackOutcome o) {
  switch (o) {
    case FeedbackOutcome::kShown:
      return "shown";
    case FeedbackOutcome::kAccepted:
      return "accepted";
    case FeedbackOutcome::kDismissed:
      return "dismissed";
    case FeedbackOutcome::kCompleted:
      return "completed";
    case FeedbackOutcome::kUnspecified:
      break;
  }
  return "unspecified";
}

std::vector<std::string> MostRecentlyTouched(
    const std::vector<ActivityState>& activities, size_t n) {
  std::vector<const ActivityState*> order;
  order.reserve(activities.size());
  for (const ActivityState& a : activities) order.push_back(&a);
  n = std::min(n, order.size());
  std::partial_sort(order.begin(), order.begin() + n, order.end(),
                    [](const ActivityState* a, const ActivityState* b) {
                      return a->last_ms != b->last_ms
                                 ? a->last_ms > b->last_ms
                                 : a->object_id < b->object_id;
                    });
  std::vector<std::string> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back(order[i]->object_id);
  return out;
}

EventRecord MakeRecord(std::string_view tenant, const model::LearningEvent& e,
                       const model::EventTags& tags, int64_t received_at_ms) {
  EventRecord r;
  r.tenant = std::string(tenant);
  r.event_id = e.event_id;
  r.learner_key = e.learner.key;
  r.occurred_at_ms = e.occurred_at_ms;
  r.received_at_ms = received_at_ms;
  r.platform = e.source.platform;
  r.verb = e.verb;
  r.mode = tags.mode;
  r.object_id = e.object.id;
  model::CanonicalEncoding canonical = model::EncodeCanonical(e);
  r.content_hash = std::move(canonical.content_hash);
  r.body_json = std::move(canonical.json);
  r.tags_json = model::TagsJson(tags);
  return r;
}

}  // namespace polku::store
