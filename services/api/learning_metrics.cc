#include "api/learning_metrics.h"

#include <string>

namespace polku::api {

LearningMetrics::LearningMetrics(prometheus::Registry& registry) {
  auto& served = prometheus::BuildCounter()
                     .Name("polku_recommendations_served_total")
                     .Help("Recommendations served, by nudge kind.")
                     .Register(registry);
  auto& feedback = prometheus::BuildCounter()
                       .Name("polku_feedback_total")
                       .Help("Feedback on recommendations, by nudge kind and "
                             "outcome (shown, accepted, dismissed, "
                             "completed).")
                       .Register(registry);
  // Every series exists from the start (0), so rates and ratios are
  // defined before the first recommendation.
  for (size_t k = 1; k < kKinds; ++k) {
    const std::string kind(
        learning::NudgeKindName(static_cast<learning::NudgeKind>(k)));
    served_[k] = &served.Add({{"kind", kind}});
    for (size_t o = 1; o < kOutcomes; ++o) {
      feedback_[k * kOutcomes + o] = &feedback.Add(
          {{"kind", kind},
           {"outcome", std::string(store::FeedbackOutcomeName(
                           static_cast<store::FeedbackOutcome>(o)))}});
    }
  }
}

void LearningMetrics::CountServed(learning::NudgeKind kind) {
  const size_t k = static_cast<size_t>(kind);
  if (k < kKinds && served_[k] != nullptr) served_[k]->Increment();
}

void LearningMetrics::CountFeedback(learning::NudgeKind kind,
                                    store::FeedbackOutcome outcome) {
  const size_t k = static_cast<size_t>(kind);
  const size_t o = static_cast<size_t>(outcome);
  if (k < kKinds && o < kOutcomes && feedback_[k * kOutcomes + o] != nullptr) {
    feedback_[k * kOutcomes + o]->Increment();
  }
}

}  // namespace polku::api
