// Validation, canonical encoding and derived ids of LearningEvents.
//
// The canonical encoding is a JSON text with keys in a fixed order and no
// insignificant white space; its SHA-256 is the content hash the store uses
// to tell a DUPLICATE (same id, same content) from a CONFLICT (same id, other
// content). All functions are pure and thread-safe.
#ifndef POLKU_MODEL_EVENT_CODEC_H_
#define POLKU_MODEL_EVENT_CODEC_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "model/learning_event.h"
#include "model/tags.h"

namespace polku::model {

struct ValidationLimits {
  // Events may be at most this far in the future (clock skew allowance).
  int64_t max_future_ms = 5 * 60 * 1000;
  // Events before this are rejected (1990-01-01T00:00:00Z).
  int64_t min_occurred_at_ms = 631152000000;
  size_t max_id_length = 256;
  size_t max_name_length = 1024;
  size_t max_list_items = 64;
  size_t max_extensions = 32;
  size_t max_extension_value_length = 1024;
};

// Checks a normalised event. Returns kInvalidArgument naming the field
// (see common/field_error.h): "event_id", "learner.key", "occurred_at",
// "verb", "object.id", ... `now_ms` is the current time.
absl::Status ValidateEvent(const LearningEvent& event, int64_t now_ms,
                           const ValidationLimits& limits = {});

// The canonical JSON of `event` (see above).
std::string CanonicalJson(const LearningEvent& event);

// SHA-256 (hex) of CanonicalJson(event) without `event_id`.
std::string ContentHash(const LearningEvent& event);

// CanonicalJson(event) and ContentHash(event) from one encoding of the
// event: what a store record needs, at about half the cost of both calls.
struct CanonicalEncoding {
  std::string json;          // CanonicalJson(event)
  std::string content_hash;  // ContentHash(event)
};
CanonicalEncoding EncodeCanonical(const LearningEvent& event);

// A deterministic UUIDv5 for an event that came without an id, from the
// tenant and the canonical tuple (platform, instance, source event type,
// learner key, verb, object id, occurred_at in ms, `discriminator`). The
// tuple includes the source timestamp, so a retry of the same event gets the
// same id and two views at different times do not merge.
std::string DeriveEventId(std::string_view tenant, const LearningEvent& event,
                          std::string_view discriminator = "");

// The tag as JSON: {"mode":..., "confidence":..., "dimensions":{...},
// "evidence":[{"rule":..., "reason":...}]}; reasons in `locale` (en, fi).
std::string TagsJson(const EventTags& tags, std::string_view locale = "en");

// Parses an RFC 3339 / ISO 8601 timestamp ("2020-07-15T06:36:01.917775+00:00",
// "2020-07-15T06:36:01Z") to epoch milliseconds. kInvalidArgument otherwise.
absl::StatusOr<int64_t> ParseTimestamp(std::string_view text);
// Formats epoch milliseconds as "2020-07-15T06:36:01.917Z".
std::string FormatTimestamp(int64_t epoch_ms);

}  // namespace polku::model

#endif  // POLKU_MODEL_EVENT_CODEC_H_
