// Tagger: scores a LearningEvent on the six dimensions of the model.
//
// Every rule of the RuleSet whose condition holds contributes its scores,
// weighted. Per dimension the score is the weighted sum divided by
// max(total weight, 1): one strong rule can reach the pole, while a weak
// rule (a passive view) stays near 0 with a low weight. The mode comes from
// the mean of the dimension scores weighed by evidence and the rule file's
// dimension_weights; confidence grows with the distance from the threshold
// and with the amount of evidence.
//
// A Tagger is immutable and thread-safe; Tag() does not allocate once `out`
// has been used for an event (its `fired` vector keeps its capacity).
#ifndef POLKU_MODEL_TAGGER_H_
#define POLKU_MODEL_TAGGER_H_

#include <memory>

#include "model/learning_event.h"
#include "model/rules.h"
#include "model/tags.h"

namespace polku::model {

class Tagger {
 public:
  explicit Tagger(std::shared_ptr<const RuleSet> rules);

  // Tags `event` into `out`, replacing what `out` held.
  void Tag(const LearningEvent& event, EventTags& out) const;
  EventTags Tag(const LearningEvent& event) const;

  const RuleSet& rules() const { return *rules_; }
  const std::shared_ptr<const RuleSet>& shared_rules() const { return rules_; }

 private:
  std::shared_ptr<const RuleSet> rules_;
};

}  // namespace polku::model

#endif  // POLKU_MODEL_TAGGER_H_
