#include "ingest/normaliser.h"
namespace polku::ingest {
absl::Status NormaliseOpenEdxTracking(std::string_view, const SourceEvent&,
                                      std::vector<model::LearningEvent>&) {
  return absl::UnimplementedError("Open edX events are not mapped yet");
}
absl::Status NormaliseOpenEdxSignal(std::string_view, const SourceEvent&,
                                    std::vector<model::LearningEvent>&) {
  return absl::UnimplementedError("Open edX signals are not mapped yet");
}
}  // namespace polku::ingest
