// Insights: a learner's profile in words ("why am I seeing this"), the
// organisation overview (kokonaiskuva) and path suggestions mined from
// what learners actually complete (MODEL.md, "Per learner and per
// organisation unit").
//
// Privacy: the overview never shows a group of fewer than
// `min_group_size` learners: not the unit itself, not a unit row, not a
// role row, not a week of the trend. A hidden group is reported as
// suppressed, without its figures.
//
// Pure and thread-safe.
#ifndef POLKU_LEARNING_INSIGHTS_H_
#define POLKU_LEARNING_INSIGHTS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "learning/catalogue.h"
#include "learning/profile.h"

namespace polku::learning {

struct InsightConfig {
  ProfileConfig profile;
  int min_group_size = 5;  // k of k-anonymity
  // A dimension lags when its mean sits below this (toward the
  // competence-development pole); lagging dimensions are listed worst
  // first.
  double lagging_below = 0.0;
};

// --- A learner ---------------------------------------------------------------

struct LearnerReport {
  ProfileView view;
  int64_t event_count = 0;
  std::string explanation;  // in the requested locale
};

// The explanation of a profile in `locale` ("en" or "fi"; anything else is
// English): where the balance sits against the band, the strongest and the
// weakest dimension, and what the recommendations will lean toward.
LearnerReport ExplainProfile(const ProfileConfig& config,
                             const Profile* profile, int64_t now_ms,
                             std::string_view locale);

// --- The organisation overview ---------------------------------------------

struct GroupFigures {
  std::string name;  // org unit or role; "" for the whole selection
  int64_t learners = 0;
  bool suppressed = false;  // fewer than k learners: no figures below
  double share_in_band = 0;
  double mean_balance = 0;
  model::DimensionArray mean{};
  std::vector<std::string> lagging;  // dimension names, worst first
  // Of self-directed activity, the share linked to an organisation goal.
  double self_directed_goal_linked_share = 0;
};

struct WeekFigures {
  int64_t week = 0;  // weeks since Monday 1970-01-05
  int64_t week_start_ms = 0;
  int64_t learners = 0;  // active that week
  bool suppressed = false;
  double share_in_band = 0;  // of the week's own balance
  double mean_balance = 0;
};

struct OrgOverview {
  GroupFigures total;
  std::vector<GroupFigures> units;  // when the whole tenant was asked for
  std::vector<GroupFigures> roles;  // per role the adapters reported
  std::vector<WeekFigures> trend;   // oldest first
  // Dimensions whose mean fell most since the previous period (the first
  // half of the trend against the second), worst first.
  std::vector<std::string> falling;
  Catalogue::Composition catalogue;
};

struct LearnerSnapshot {
  std::string org_unit;
  std::string role;
  const Profile* profile = nullptr;
};

struct WeekRow {
  std::string learner_key;
  int64_t week = 0;
  double leadership = 0;
  double development = 0;
};

// `learners`: every profile of the selection. `weeks`: week rows of the
// selection for the last `trend_weeks` weeks up to `now_ms`.
OrgOverview ComputeOverview(const InsightConfig& config,
                            const std::vector<LearnerSnapshot>& learners,
                            const std::vector<WeekRow>& weeks,
                            const Catalogue& catalogue, bool per_unit,
                            int trend_weeks, int64_t now_ms);

int64_t WeekOf(int64_t at_ms);  // weeks since Monday 1970-01-05
int64_t WeekStartMs(int64_t week);

// --- Path suggestions
// ---------------------------------------------------------

struct SuggestedPath {
  LearningPath path;  // a draft: id "suggested-<n>", steps in order
  int support = 0;    // learners who completed the sequence in this order
  // The self-directed steps added to the mined sequence (ids).
  std::vector<std::string> added_self_directed;
};

// Frequent sequences: ordered runs of 2 to 4 activities completed one
// after the other by at least `min_support` learners (counted once per
// learner), longest and most supported first, without sequences already
// contained in a stored path or in a longer suggestion. Each is completed
// with a visible self-directed activity (community, reflection, work
// assignment, mentoring) sharing a competency or goal with its steps, when
// the catalogue has one and the sequence has none.
std::vector<SuggestedPath> MinePaths(
    const std::vector<std::vector<std::string>>& sequences,
    const Catalogue& catalogue, int max_suggestions, int min_support);

}  // namespace polku::learning

#endif  // POLKU_LEARNING_INSIGHTS_H_
