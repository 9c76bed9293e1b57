#include "model/tagger.h"

#include <algorithm>
#include <cmath>

namespace polku::model {
namespace {

inline uint64_t Bit(uint8_t v) { return uint64_t{1} << v; }

// The facts of an event, as two bit sets: known true and known false.
struct Facts {
  uint32_t yes = 0;
  uint32_t no = 0;
  void Set(Fact f, Tristate t) {
    if (t == Tristate::kYes) yes |= 1u << static_cast<int>(f);
    if (t == Tristate::kNo) no |= 1u << static_cast<int>(f);
  }
  void Set(Fact f, bool b) { Set(f, b ? Tristate::kYes : Tristate::kNo); }
};

Facts FactsOf(const LearningEvent& e) {
  Facts f;
  f.Set(Fact::kRequired, e.context.required);
  f.Set(Fact::kGraded, e.context.graded);
  f.Set(Fact::kHasDueDate, e.context.has_due_date);
  f.Set(Fact::kInFlowOfWork, e.context.in_flow_of_work);
  f.Set(Fact::kFutureSkill, e.context.future_skill);
  f.Set(Fact::kCompletion, e.result.completion);
  f.Set(Fact::kSuccess, e.result.success);
  f.Set(Fact::kHasGoal, !e.context.goal_ids.empty());
  f.Set(Fact::kHasCompetency, !e.context.competencies.empty());
  f.Set(Fact::kHasCourse, !e.context.course_id.empty());
  return f;
}

inline bool MaskAllows(uint64_t mask, uint8_t value) {
  return mask == 0 || (mask & Bit(value)) != 0;
}

bool Matches(const Rule& r, const LearningEvent& e, const Facts& facts) {
  if (!MaskAllows(r.verb_mask, static_cast<uint8_t>(e.verb)) ||
      !MaskAllows(r.object_type_mask, static_cast<uint8_t>(e.object.type)) ||
      !MaskAllows(r.initiator_mask, static_cast<uint8_t>(e.initiator)) ||
      !MaskAllows(r.platform_mask, static_cast<uint8_t>(e.source.platform)) ||
      !MaskAllows(r.enrolment_method_mask,
                  static_cast<uint8_t>(e.context.enrolment_method))) {
    return false;
  }
  if ((facts.yes & r.facts_true) != r.facts_true) return false;
  if ((facts.no & r.facts_false) != r.facts_false) return false;
  if (!r.event_types.empty() && !r.event_types.contains(e.source.event_type)) {
    return false;
  }
  for (const std::string& key : r.extension_keys) {
    if (e.extensions.find(key) == e.extensions.end()) return false;
  }
  return true;
}

}  // namespace

Tagger::Tagger(std::shared_ptr<const RuleSet> rules)
    : rules_(std::move(rules)) {}

EventTags Tagger::Tag(const LearningEvent& event) const {
  EventTags tags;
  Tag(event, tags);
  return tags;
}

void Tagger::Tag(const LearningEvent& event, EventTags& out) const {
  out.fired.clear();
  out.rules = rules_;
  DimensionArray sum{};
  DimensionArray weight{};
  const Facts facts = FactsOf(event);
  for (const Rule& rule : rules_->rules()) {
    if (!Matches(rule, event, facts)) continue;
    out.fired.push_back(&rule);
    for (size_t d = 0; d < kDimensionCount; ++d) {
      if ((rule.scores_mask >> d & 1u) == 0) continue;
      sum[d] += rule.weight * rule.scores[d];
      weight[d] += rule.weight;
    }
  }
  const DimensionArray& dw = rules_->dimension_weights();
  double mean_num = 0;
  double mean_den = 0;
  double total_weight = 0;
  for (size_t d = 0; d < kDimensionCount; ++d) {
    out.weight[d] = weight[d];
    out.score[d] =
        weight[d] > 0 ? std::clamp(sum[d] / std::max(weight[d], 1.0), -1.0, 1.0)
                      : 0.0;
    mean_num += dw[d] * out.score[d] * std::max(weight[d], 1.0) *
                (weight[d] > 0 ? 1.0 : 0.0);
    mean_den += dw[d] * std::max(weight[d], 1.0) * (weight[d] > 0 ? 1.0 : 0.0);
    total_weight += weight[d];
  }
  const ModeSettings& ms = rules_->mode_settings();
  const double mean = mean_den > 0 ? mean_num / mean_den : 0.0;
  const double evidence = std::min(1.0, total_weight / ms.confidence_weight);
  const double distance = std::fabs(mean);
  if (distance >= ms.threshold) {
    out.mode = mean < 0 ? Mode::kStructured : Mode::kSelfDirected;
    // 0.5 at the threshold, 1 at the pole.
    out.confidence = evidence * (0.5 + 0.5 * (distance - ms.threshold) /
                                           (1.0 - ms.threshold));
  } else {
    out.mode = Mode::kBlended;
    // 1 at the centre, 0.5 at the threshold.
    out.confidence = evidence * (1.0 - 0.5 * distance / ms.threshold);
  }
  out.confidence = std::clamp(out.confidence, 0.0, 1.0);
}

}  // namespace polku::model
