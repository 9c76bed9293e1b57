// The per-event tag of the learning-mode model (MODEL.md).
//
// Six dimensions, each scored in [-1, +1]: -1 is the competence-development
// pole (structured, assigned, apart from work, individual, reactive, not
// goal-linked), +1 the learning-leadership pole. A mode with a confidence,
// and the rules that fired as evidence.
#ifndef POLKU_MODEL_TAGS_H_
#define POLKU_MODEL_TAGS_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace polku::model {

enum class Dimension : uint8_t {
  kInitiative = 0,  // assigned (-1) .. self-chosen (+1)
  kFormat,          // bounded formal unit (-1) .. continuous, informal (+1)
  kSetting,         // apart from work (-1) .. in the flow of work (+1)
  kSocial,          // individual (-1) .. social, community (+1)
  kOrientation,     // reactive, current role (-1) .. proactive, future (+1)
  kGoalLink,        // not linked (-1) .. linked to an organisation goal (+1)
};
inline constexpr size_t kDimensionCount = 6;
inline constexpr std::array<Dimension, kDimensionCount> kAllDimensions = {
    Dimension::kInitiative, Dimension::kFormat,      Dimension::kSetting,
    Dimension::kSocial,     Dimension::kOrientation, Dimension::kGoalLink};

// "initiative", "format", "setting", "social", "orientation", "goal_link".
std::string_view DimensionName(Dimension d);
std::optional<Dimension> ParseDimension(std::string_view name);

enum class Mode : uint8_t {
  kUnspecified = 0,
  kStructured,    // competence development
  kSelfDirected,  // learning leadership
  kBlended,
};
std::string_view ModeName(Mode m);  // "STRUCTURED", "SELF_DIRECTED", ...
std::optional<Mode> ParseMode(std::string_view s);

using DimensionArray = std::array<double, kDimensionCount>;

struct Rule;  // defined in model/rules.h

// The tag of one event. `fired` points into the RuleSet that `rules` keeps
// alive, so an EventTags stays valid after the rules are reloaded.
struct EventTags {
  Mode mode = Mode::kUnspecified;
  double confidence = 0;
  // Score per dimension in [-1, 1]; 0 where no rule spoke.
  DimensionArray score{};
  // Evidence weight per dimension (sum of the weights of the rules that
  // scored it); profiles use it to weigh this event against others.
  DimensionArray weight{};
  std::vector<const Rule*> fired;
  std::shared_ptr<const void> rules;  // keeps `fired` valid
};

}  // namespace polku::model

#endif  // POLKU_MODEL_TAGS_H_
