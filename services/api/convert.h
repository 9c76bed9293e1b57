// Conversions between the protobuf contract (polku.v1) and the core's plain
// C++ types. Only the api layer sees both.
#ifndef POLKU_API_CONVERT_H_
#define POLKU_API_CONVERT_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "ingest/ingestor.h"
#include "ingest/source_event.h"
#include "learning/catalogue.h"
#include "model/learning_event.h"
#include "model/tags.h"
#include "polku/v1/catalogue_service.pb.h"
#include "polku/v1/event_service.pb.h"
#include "polku/v1/learning_event.pb.h"

namespace polku::api {

// Native event from the wire. Enum values outside the contract are
// kInvalidArgument naming the field ("verb: unknown value 99").
absl::StatusOr<model::LearningEvent> FromProto(
    const polku::v1::LearningEvent& in);
absl::StatusOr<ingest::SourceEvent> FromProto(const polku::v1::SourceEvent& in);
// An IngestItem; kInvalidArgument "events[i]: ..." when it holds neither.
absl::StatusOr<ingest::IngestItem> FromProto(const polku::v1::IngestItem& in);

void ToProto(const model::LearningEvent& in, polku::v1::LearningEvent* out);
void ToProto(const model::EventTags& in, std::string_view locale,
             polku::v1::EventTags* out);
void ToProto(const ingest::EventResult& in, std::string_view locale,
             polku::v1::EventResult* out);
polku::v1::EventOutcome ToProto(ingest::Outcome outcome);

// The catalogue's types (learning/catalogue.h). Enum values are numbered
// alike on both sides; an out-of-range value from the wire becomes one the
// validation refuses with a field name.
learning::Activity FromProto(const polku::v1::Activity& in);
void ToProto(const learning::Activity& in, polku::v1::Activity* out);
learning::LearningPath FromProto(const polku::v1::LearningPath& in);
void ToProto(const learning::LearningPath& in, polku::v1::LearningPath* out);
void ToProto(const model::DimensionArray& in, polku::v1::DimensionScores* out);

}  // namespace polku::api

#endif  // POLKU_API_CONVERT_H_
