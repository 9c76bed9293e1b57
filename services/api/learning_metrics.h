// Metrics of the learning side: recommendations served by nudge kind,
// feedback by kind and outcome (nudge acceptance is their ratio in
// PromQL), accepted events per tenant and mode, and per-tenant balance
// gauges refreshed by the server. Registered into the server's one
// registry. Labels are bounded: nudge kinds, outcomes, modes, and tenants
// (at most kMaxTenants distinct values; later ones count as "other"),
// never learner or activity ids.
#ifndef POLKU_API_LEARNING_METRICS_H_
#define POLKU_API_LEARNING_METRICS_H_

#include <array>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "learning/recommender.h"
#include "model/tags.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
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
  // polku_tenant_events_total{tenant, mode}: accepted events.
  void CountTenantEvent(std::string_view tenant, model::Mode mode);
  // polku_tenant_learners{tenant}, polku_tenant_share_in_band{tenant},
  // polku_tenant_self_directed_share{tenant} (mean learning-leadership
  // share of the tenant's learners).
  void SetTenantBalance(std::string_view tenant, double learners,
                        double share_in_band, double self_directed_share);

  // Tenants seen since start (at most kMaxTenants).
  std::vector<std::string> SeenTenants();

  static constexpr size_t kMaxTenants = 1000;

 private:
  // The label value for `tenant`: itself, or "other" past kMaxTenants.
  std::string TenantLabel(std::string_view tenant)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  static constexpr size_t kKinds = learning::kNudgeKindCount;
  static constexpr size_t kOutcomes = 5;
  std::array<prometheus::Counter*, kKinds> served_{};
  std::array<prometheus::Counter*, kKinds * kOutcomes> feedback_{};
  prometheus::Family<prometheus::Counter>* tenant_events_;
  prometheus::Family<prometheus::Gauge>* tenant_learners_;
  prometheus::Family<prometheus::Gauge>* tenant_in_band_;
  prometheus::Family<prometheus::Gauge>* tenant_balance_;
  absl::Mutex mu_;
  std::map<std::string, bool, std::less<>> tenants_ ABSL_GUARDED_BY(mu_);
};

}  // namespace polku::api

#endif  // POLKU_API_LEARNING_METRICS_H_
