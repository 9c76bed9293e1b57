// Encodings the SQL stores share: catalogue entries as a small versioned
// binary (a version byte, then fields in a fixed order; strings and lists
// prefixed by a varint length) and opaque page tokens (the hex of the last
// id of the previous page). Pure functions.
#ifndef POLKU_STORE_LEARNING_CODEC_H_
#define POLKU_STORE_LEARNING_CODEC_H_

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "learning/catalogue.h"

namespace polku::store {

std::string EncodeActivity(const learning::Activity& a);
// kDataLoss for a blob of an unknown format or a malformed one.
absl::StatusOr<learning::Activity> DecodeActivity(std::string_view blob);
std::string EncodePath(const learning::LearningPath& p);
absl::StatusOr<learning::LearningPath> DecodePath(std::string_view blob);

std::string EncodePageToken(std::string_view last_id);
// kInvalidArgument "page_token: is malformed".
absl::StatusOr<std::string> DecodePageToken(std::string_view token);

// What erasure tombstones and opt-outs hold instead of the learner key: the
// SHA-256 (hex) of tenant and key. Every store computes it the same way, so
// a database moved between stores keeps its tombstones.
std::string LearnerHash(std::string_view tenant, std::string_view learner_key);

// Page sizes of the List calls: 0 means the default, more than the maximum
// is clamped.
inline constexpr size_t kDefaultPageSize = 100;
inline constexpr size_t kMaxPageSize = 1000;
inline size_t EffectivePageSize(size_t page_size) {
  if (page_size == 0) return kDefaultPageSize;
  return std::min(page_size, kMaxPageSize);
}

}  // namespace polku::store

#endif  // POLKU_STORE_LEARNING_CODEC_H_
