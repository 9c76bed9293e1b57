#include "api/learning_metrics.h"

#include <string>

namespace polku::api {

LearningMetrics::LearningMetrics(prometheus::Registry& registry)
    : tenant_events_(&prometheus::BuildCounter()
                          .Name("polku_tenant_events_total")
                          .Help("Accepted events per tenant and tagged mode.")
                          .Register(registry)),
      tenant_learners_(&prometheus::BuildGauge()
                            .Name("polku_tenant_learners")
                            .Help("Learners with a profile, per tenant "
                                  "(refreshed every minute).")
                            .Register(registry)),
      tenant_in_band_(&prometheus::BuildGauge()
                           .Name("polku_tenant_share_in_band")
                           .Help("Share of a tenant's learners whose balance "
                                 "is inside the band (refreshed every "
                                 "minute).")
                           .Register(registry)),
      tenant_balance_(&prometheus::BuildGauge()
                           .Name("polku_tenant_self_directed_share")
                           .Help("Mean learning-leadership (self-directed) "
                                 "share of a tenant's learners (refreshed "
                                 "every minute).")
                           .Register(registry)) {
  auto& served = prometheus::BuildCounter()
                     .Name("polku_recommendations_served_total")
                     .Help("Recommendations served, by nudge kind.")
                     .Register(registry);
  auto& feedback = prometheus::BuildCounter()
                       .Name("polku_feedback_total")
                       .Help(
                           "Feedback on recommendations, by nudge kind and "
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

std::string LearningMetrics::TenantLabel(std::string_view tenant) {
  auto it = tenants_.find(tenant);
  if (it != tenants_.end()) return it->first;
  if (tenants_.size() >= kMaxTenants) return "other";
  return tenants_.emplace(std::string(tenant), true).first->first;
}

void LearningMetrics::CountTenantEvent(std::string_view tenant,
                                       model::Mode mode) {
  std::string label;
  {
    absl::MutexLock lock(&mu_);
    label = TenantLabel(tenant);
  }
  const char* m = "unspecified";
  switch (mode) {
    case model::Mode::kStructured:
      m = "structured";
      break;
    case model::Mode::kSelfDirected:
      m = "self_directed";
      break;
    case model::Mode::kBlended:
      m = "blended";
      break;
    case model::Mode::kUnspecified:
      break;
  }
  tenant_events_->Add({{"tenant", label}, {"mode", m}}).Increment();
}

std::vector<std::string> LearningMetrics::SeenTenants() {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> out;
  out.reserve(tenants_.size());
  for (const auto& [tenant, unused] : tenants_) out.push_back(tenant);
  return out;
}

void LearningMetrics::SetTenantBalance(std::string_view tenant, double learners,
                                       double share_in_band,
                                       double self_directed_share) {
  std::string label;
  {
    absl::MutexLock lock(&mu_);
    label = TenantLabel(tenant);
  }
  if (label == "other") return;  // a gauge cannot be summed across tenants
  tenant_learners_->Add({{"tenant", label}}).Set(learners);
  if (share_in_band < 0 || self_directed_share < 0) {
    // Fewer learners than k: no shares (a series shown before goes away).
    tenant_in_band_->Remove(&tenant_in_band_->Add({{"tenant", label}}));
    tenant_balance_->Remove(&tenant_balance_->Add({{"tenant", label}}));
    return;
  }
  tenant_in_band_->Add({{"tenant", label}}).Set(share_in_band);
  tenant_balance_->Add({{"tenant", label}}).Set(self_directed_share);
}

}  // namespace polku::api
