#include "ingest/normaliser.h"
namespace polku::ingest {
absl::Status NormaliseMoodle(std::string_view, const SourceEvent&,
                             std::vector<model::LearningEvent>&) {
  return absl::UnimplementedError("Moodle events are not mapped yet");
}
}  // namespace polku::ingest
