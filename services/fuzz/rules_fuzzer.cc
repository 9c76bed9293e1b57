// libFuzzer target: model::RuleSet::Parse on arbitrary rule-file text.
// Checks that it returns kInvalidArgument or a rule set whose every score
// lies in [-1, 1] and every weight is finite and non-negative, and that
// tagging an event with the parsed set is safe. Run with scripts/run-fuzz.sh.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "model/learning_event.h"
#include "model/rules.h"
#include "model/tagger.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto rules = polku::model::RuleSet::Parse(text, "fuzz.yaml");
  if (!rules.ok()) {
    if (rules.status().code() != absl::StatusCode::kInvalidArgument)
      __builtin_trap();
    return 0;
  }
  for (const polku::model::Rule& r : (*rules)->rules()) {
    for (double s : r.scores) {
      if (!(s >= -1.0 && s <= 1.0)) __builtin_trap();
    }
    if (!(r.weight > 0 && r.weight <= 10)) __builtin_trap();
  }
  // Tag a fixed event: the result must stay in range whatever the rules.
  polku::model::LearningEvent e;
  e.event_id = "fuzz";
  e.source.platform = polku::model::Platform::kMoodle;
  e.source.event_type = "\\core\\event\\course_viewed";
  e.learner.key = "lms.example.edu#2";
  e.initiator = polku::model::Initiator::kSelf;
  e.verb = polku::model::Verb::kEnrolled;
  e.object.id = "course:2";
  e.object.type = polku::model::ObjectType::kCourse;
  e.context.required = polku::model::Tristate::kYes;
  polku::model::Tagger tagger(*rules);
  polku::model::EventTags tags = tagger.Tag(e);
  if (!std::isfinite(tags.confidence) || tags.confidence < 0 ||
      tags.confidence > 1) {
    __builtin_trap();
  }
  for (double s : tags.score) {
    if (!(s >= -1.0 && s <= 1.0)) __builtin_trap();
  }
  return 0;
}
