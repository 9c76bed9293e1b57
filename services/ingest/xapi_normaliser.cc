#include "ingest/normaliser.h"
namespace polku::ingest {
absl::Status NormaliseXapi(std::string_view, const SourceEvent&,
                           std::vector<model::LearningEvent>&) {
  return absl::UnimplementedError("xAPI statements are not mapped yet");
}
}  // namespace polku::ingest
