#include "model/tags.h"

#include <array>

#include "common/strings.h"

namespace polku::model {
namespace {
constexpr std::array<std::string_view, kDimensionCount> kDimensionNames = {
    "initiative", "format", "setting", "social", "orientation", "goal_link"};
constexpr std::array<std::string_view, 4> kModeNames = {
    "MODE_UNSPECIFIED", "STRUCTURED", "SELF_DIRECTED", "BLENDED"};
}  // namespace

std::string_view DimensionName(Dimension d) {
  return kDimensionNames[static_cast<size_t>(d)];
}

std::optional<Dimension> ParseDimension(std::string_view name) {
  for (size_t i = 0; i < kDimensionNames.size(); ++i) {
    if (kDimensionNames[i] == name) return static_cast<Dimension>(i);
  }
  return std::nullopt;
}

std::string_view ModeName(Mode m) { return kModeNames[static_cast<size_t>(m)]; }

std::optional<Mode> ParseMode(std::string_view s) {
  for (size_t i = 1; i < kModeNames.size(); ++i) {
    if (common::EqualsIgnoreCase(kModeNames[i], s)) return static_cast<Mode>(i);
  }
  return std::nullopt;
}

}  // namespace polku::model
