// The short texts a learner reads, in English and Finnish. Kept in one
// table so a translator sees every string of a kind side by side.
#ifndef POLKU_LEARNING_TEXTS_H_
#define POLKU_LEARNING_TEXTS_H_

#include <string>
#include <string_view>

#include "learning/profile.h"
#include "model/tags.h"

namespace polku::learning {

enum class NudgeKind : uint8_t;

// True for "fi" and "fi-*" / "fi_*"; every other locale reads English.
bool IsFinnish(std::string_view locale);

// The recommendation text of a kind, with the target's title and, where the
// kind names one, the context (the path, the course just finished).
std::string NudgeText(NudgeKind kind, std::string_view locale,
                      std::string_view title, std::string_view context);

// TURN_COURSE_INTO_PATH for a learner with no history yet: a path to
// start from.
std::string StartPathText(std::string_view locale, std::string_view title);

// Said to a learner who opted out of profiling.
std::string OptedOutText(std::string_view locale);

// The name of a dimension for people ("initiative" / "aloitteellisuus").
std::string_view DimensionLabel(model::Dimension d, std::string_view locale);
// The two poles of a dimension for people, e.g. "assigned" / "self-chosen".
std::string_view PoleLabel(model::Dimension d, bool leadership_pole,
                           std::string_view locale);

}  // namespace polku::learning

#endif  // POLKU_LEARNING_TEXTS_H_
