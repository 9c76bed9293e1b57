// The recommender: from a learner's profile, what they did and the
// tenant's catalogue, the next steps worth taking, each with its reason
// (MODEL.md, "Nudges: from catalogue to paths").
//
// 1. Candidates. Each nudge kind has a trigger read from the profile and
//    the learner's activities, and proposes catalogue targets:
//      CONTINUE_PATH          on a path (a step completed, or two touched):
//                             the first step not yet started (when all are
//                             started, the first not completed)
//      TURN_COURSE_INTO_PATH  took one activity of a path on its own: the
//                             path (a learner with no history gets paths
//                             to start from, with a low score)
//      APPLY_AT_WORK          finished a formal unit within the last
//                             `apply_window_days`, nothing at work since:
//                             a work assignment, one sharing competencies
//                             first
//      SHARE_WITH_COMMUNITY   completed something, social share below
//                             `social_share_low`: a community, discussion
//                             or mentoring activity
//      REFLECT                `reflect_after` completions or more, almost
//                             no reflection: a reflection, note or evidence
//      EXPLORE_FUTURE_SKILL   mostly reactive, nothing proactive: a
//                             goal-linked self-directed activity
//      CHOOSE_YOUR_NEXT_STEP  mostly assigned, nothing self-chosen: a few
//                             self-enrol activities, a choice
//      COMPLETE_REQUIRED      a required activity not completed: higher
//                             when started, or when the learner sits above
//                             the band (only self-directs)
//      NEXT_AFTER_SIMILAR     what learners first touched right after the
//                             learner's recent activities (co-occurrence)
//      SUPPORTS_GOAL          activities of a goal the learner works on
//    Only visible activities, never one the learner completed, never a
//    target dismissed within `dismiss_days`.
// 2. Score = relevance x the kind's Thompson sample x a balance factor:
//    below the band self-directed targets gain and structured ones lose,
//    above it the reverse; inside it, a target whose projected balance
//    (one more event of its mode, at the learner's mean event weight)
//    leaves the band is damped hard, so a learner in balance is not pushed
//    out of it.
// 3. Re-rank with diversity: greedy, each further item of a kind already
//    chosen is damped (x0.85 each); one item per target.
//
// Thompson sampling: per (segment = band position, kind) a Beta(1 +
// successes, 1 + failures) arm; the random stream is seeded from (tenant,
// learner, day), so the same request on the same day gives the same
// answer. A `holdout_share` of learners (chosen by a hash of tenant and
// learner) gets the plain ranking: relevance only, no bandit, no balance
// re-rank. Each item carries its propensity: the share of 64 re-drawn
// policies that would also put it in the top k (1 for the holdout).
//
// Pure and thread-safe (no state).
#ifndef POLKU_LEARNING_RECOMMENDER_H_
#define POLKU_LEARNING_RECOMMENDER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "learning/catalogue.h"
#include "learning/profile.h"

namespace polku::learning {

enum class NudgeKind : uint8_t {
  kUnspecified = 0,
  kContinuePath,
  kApplyAtWork,
  kShareWithCommunity,
  kReflect,
  kExploreFutureSkill,
  kChooseYourNextStep,
  kTurnCourseIntoPath,
  kCompleteRequired,
  kNextAfterSimilar,
  kSupportsGoal,
  kCount_,
};
inline constexpr size_t kNudgeKindCount =
    static_cast<size_t>(NudgeKind::kCount_);
std::string_view NudgeKindName(NudgeKind k);  // "CONTINUE_PATH", ...
std::optional<NudgeKind> ParseNudgeKind(std::string_view name);

struct RecommenderConfig {
  ProfileConfig profile;
  double dismiss_days = 30;
  double holdout_share = 0.05;
  double apply_window_days = 30;
  int reflect_after = 3;
  double social_share_low = 0.10;
  int choices = 3;  // CHOOSE_YOUR_NEXT_STEP offers up to this many
};

// What a learner did with one activity (from the store).
struct ActivityTouch {
  int64_t first_ms = 0;
  int64_t last_ms = 0;
  int64_t completed_ms = 0;  // 0: not completed
};

// Beta arm of one nudge kind in the learner's segment.
struct Arm {
  double successes = 0;
  double failures = 0;
};

struct RecommendInput {
  std::string tenant;
  std::string learner_key;
  const Profile* profile = nullptr;  // null: no history (or opted out)
  std::unordered_map<std::string, ActivityTouch> touched;
  const Catalogue* catalogue = nullptr;  // required
  // Co-occurrence: activities first touched right after the learner's
  // recent ones, with their counts, most frequent first.
  std::vector<std::pair<std::string, double>> next_after_similar;
  // Targets dismissed within the window.
  std::unordered_set<std::string> dismissed;
  // Bandit arms by segment (band position name, "unknown") and kind;
  // Recommend reads those of the learner's segment. Missing = no feedback
  // yet.
  std::map<std::string, std::map<NudgeKind, Arm>, std::less<>> arms;
  int64_t now_ms = 0;
  int k = 5;
  std::string locale = "en";
};

struct Recommendation {
  std::string recommendation_id;  // UUIDv5 of tenant, learner, day, target
  NudgeKind kind = NudgeKind::kUnspecified;
  std::string target_id;  // activity or path id
  bool target_is_path = false;
  std::string target_title;  // from the catalogue the ranking used
  std::string target_url;    // activities only
  double score = 0;
  std::string reason_code;  // e.g. "continue_path.next_step"
  std::string text;         // in the requested locale
  std::vector<std::string> evidence_event_ids;
  std::vector<std::string> evidence_rule_ids;
  double propensity = 1;
};

struct RecommendOutput {
  std::vector<Recommendation> items;
  // The learner's segment, the key of the bandit arms: the band position
  // name, "unknown" without a profile.
  std::string segment;
  bool holdout = false;
};

// True when the learner falls in the holdout share.
bool InHoldout(const RecommenderConfig& config, std::string_view tenant,
               std::string_view learner_key);

RecommendOutput Recommend(const RecommenderConfig& config,
                          const RecommendInput& input);

}  // namespace polku::learning

#endif  // POLKU_LEARNING_RECOMMENDER_H_
