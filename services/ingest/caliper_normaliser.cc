#include "ingest/normaliser.h"
namespace polku::ingest {
absl::Status NormaliseCaliper(std::string_view, const SourceEvent&,
                              std::vector<model::LearningEvent>&) {
  return absl::UnimplementedError("Caliper events are not mapped yet");
}
}  // namespace polku::ingest
