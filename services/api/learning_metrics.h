// Metrics of the learning side: recommendations served by nudge kind and
// feedback by kind and outcome (nudge acceptance is their ratio in
// PromQL). Registered into the server's one registry. Labels are bounded:
// the nudge kinds and the outcomes, never learner or activity ids.
#ifndef POLKU_API_LEARNING_METRICS_H_
#define POLKU_API_LEARNING_METRICS_H_

#include <array>
#include <string_view>

#include "learning/recommender.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/registry.h"
#include "store/learning_store.h"

namespace polku::api {

class LearningMetrics {
 public:
  explicit LearningMetrics(prometheus::Registry& registry);

  // polku_recommendations_served_total{kind}
  void CountServed(learning::NudgeKind kind);
  // polku_feedback_total{kind, outcome}
  void CountFeedback(learning::NudgeKind kind, store::FeedbackOutcome outcome);

 private:
  static constexpr size_t kKinds = learning::kNudgeKindCount;
  static constexpr size_t kOutcomes = 5;
  std::array<prometheus::Counter*, kKinds> served_{};
  std::array<prometheus::Counter*, kKinds * kOutcomes> feedback_{};
};

}  // namespace polku::api

#endif  // POLKU_API_LEARNING_METRICS_H_
