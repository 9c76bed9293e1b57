// Tagging rules: data, not code.
//
// A rule file (YAML; the shipped default is deploy/config/rules.yaml, and an
// administrator can override it per tenant) lists rules. Each rule has a
// condition over a LearningEvent's normalised fields, the dimension scores it
// contributes, a weight, and a reason a person can read in English and
// Finnish. RuleSet::Parse validates the whole file and compiles every rule
// into bit masks, so matching an event needs no regex and no allocation.
//
// File format (all keys are documented in deploy/config/rules.yaml):
//
//   version: 1
//   mode: {threshold: 0.25, confidence_weight: 2.0}
//   dimension_weights: {initiative: 1.0, format: 1.0, ...}
//   rules:
//     - id: initiative.enrolled_by_staff
//       when: {verb: [ENROLLED], initiator: [STAFF, SYSTEM, SIS_SYNC]}
//       score: {initiative: -1.0}
//       weight: 1.0
//       reason: {en: "enrolled by a manager", fi: "esihenkilö ilmoitti"}
//
// A RuleSet is immutable after Parse and safe to share between threads.
#ifndef POLKU_MODEL_RULES_H_
#define POLKU_MODEL_RULES_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "model/learning_event.h"
#include "model/tags.h"

namespace polku::model {

// Boolean facts of an event that rules can require to be true or false.
// A fact whose source value is unknown is neither true nor false.
enum class Fact : uint8_t {
  kRequired = 0,
  kGraded,
  kHasDueDate,
  kInFlowOfWork,
  kFutureSkill,
  kCompletion,
  kSuccess,
  kHasGoal,
  kHasCompetency,
  kHasCourse,
  kCount_,
};
std::string_view FactName(Fact f);  // the YAML key: "required", "has_goal"...

struct Rule {
  std::string id;
  std::string description;
  std::string reason_en;
  std::string reason_fi;
  double weight = 1.0;
  // Contribution per dimension; `scores_mask` bit d is set when dimension d
  // has a score (a rule may score a dimension 0 to pull it toward neutral).
  DimensionArray scores{};
  uint8_t scores_mask = 0;

  // Compiled condition. A zero mask means "any value".
  uint64_t platform_mask = 0;
  uint64_t verb_mask = 0;
  uint64_t object_type_mask = 0;
  uint64_t initiator_mask = 0;
  uint64_t enrolment_method_mask = 0;
  uint32_t facts_true = 0;   // each of these facts must be known and true
  uint32_t facts_false = 0;  // each of these must be known and false
  absl::flat_hash_set<std::string> event_types;     // empty: any
  absl::flat_hash_set<std::string> extension_keys;  // all must be present

  // The reason in `locale` ("fi" or anything else for English).
  const std::string& Reason(std::string_view locale) const {
    return locale.substr(0, 2) == "fi" ? reason_fi : reason_en;
  }
};

struct ModeSettings {
  // |weighted mean score| at or above this is STRUCTURED / SELF_DIRECTED.
  double threshold = 0.25;
  // Total evidence weight at which confidence stops growing.
  double confidence_weight = 2.0;
};

class RuleSet {
 public:
  // Parses and validates rule-file text. `origin` names the file in errors.
  // Returns kInvalidArgument naming the file, the rule (id or position) and
  // the key for any problem: unknown key, unknown enum value, score outside
  // [-1, 1], missing reason, duplicate id.
  static absl::StatusOr<std::shared_ptr<const RuleSet>> Parse(
      std::string_view yaml_text, std::string_view origin);
  // Reads and parses a file; kNotFound when it cannot be read.
  static absl::StatusOr<std::shared_ptr<const RuleSet>> Load(
      const std::string& path);

  const std::vector<Rule>& rules() const { return rules_; }
  const ModeSettings& mode_settings() const { return mode_; }
  const DimensionArray& dimension_weights() const { return dimension_weights_; }
  const std::string& origin() const { return origin_; }
  // SHA-256 of the file text: shows which rules tagged an event.
  const std::string& digest() const { return digest_; }

 private:
  RuleSet() = default;
  std::vector<Rule> rules_;
  ModeSettings mode_;
  DimensionArray dimension_weights_{1, 1, 1, 1, 1, 1};
  std::string origin_;
  std::string digest_;
};

}  // namespace polku::model

#endif  // POLKU_MODEL_RULES_H_
