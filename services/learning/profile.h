// Learner profiles: the balance between competence development and learning
// leadership (MODEL.md, "Per learner and per organisation unit").
//
// A profile is a sum of per-event contributions (ProfileDelta). Each
// contribution is weighted by g(t) = 2^((t - epoch) / half_life), a growth
// factor against a fixed epoch, instead of decaying the stored sums as time
// passes. Adding contributions is then commutative and associative: events
// may arrive in any order, from any replica, and the sums are the same. To
// read a profile at time `now`, every sum is multiplied by 2^(-(now - epoch)
// / half_life) (ProfileView); means and shares are ratios of sums, so the
// factor cancels in them. With a 90-day half-life, g stays below 2^60 until
// the 2030s' end and far inside double range for centuries.
//
// The "latest" entries (the most recent completion, social act, ...) are
// kept by maximum of (time, event id), which commutes as well.
//
// Pure and thread-compatible.
#ifndef POLKU_LEARNING_PROFILE_H_
#define POLKU_LEARNING_PROFILE_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "model/learning_event.h"
#include "model/tags.h"

namespace polku::learning {

// What a profile counts besides the six dimensions: the evidence that the
// nudges of MODEL.md look at.
enum class Signal : uint8_t {
  kActivity = 0,      // any event
  kCompletion,        // completed, passed or achieved anything
  kFormalCompletion,  // completed or passed a course, module, exam, program
  kSocial,            // posted, replied, commented, shared, mentored
  kReflection,        // reflected, or made a note, evidence or plan
  kAssigned,          // initiative scored toward "assigned"
  kSelfChosen,        // initiative scored toward "self-chosen"
  kReactive,          // orientation toward current-role gap-filling
  kProactive,         // orientation toward future skills
  kAtWork,            // setting: in the flow of work
  kRequired,          // mandatory or compliance training
  kGoalLinked,        // goal_link scored positive
  kSelfDirected,      // the event's mode is SELF_DIRECTED
  kSelfDirectedGoalLinked,  // both of the above
  kCount_,
};
inline constexpr size_t kSignalCount = static_cast<size_t>(Signal::kCount_);
std::string_view SignalName(Signal s);  // "activity", "completion", ...

using SignalArray = std::array<double, kSignalCount>;

// The most recent event of one signal: evidence for a recommendation.
struct Latest {
  int64_t at_ms = 0;  // 0: none yet
  std::string event_id;
  std::string object_id;
  std::vector<std::string> rule_ids;  // the rules that fired on it

  // True if (at_ms, event_id) of `other` is later than this one's.
  bool IsOlderThan(const Latest& other) const;
};

// Tunables of the profile arithmetic. The half-life is fixed for a store:
// the stored sums are scaled by it (changing it later rescales nothing, so
// profiles would mix scales; `polku profiles rebuild` recomputes them).
struct ProfileConfig {
  double half_life_days = 90;
  int64_t epoch_ms = 1577836800000;  // 2020-01-01T00:00:00Z
  // The balance band: a learner whose learning-leadership share lies in
  // [band_low, band_high] is in balance.
  double band_low = 0.30;
  double band_high = 0.70;
  // The least decayed evidence weight before a balance is reported (below
  // it the profile is "too little evidence yet").
  double min_weight = 0.5;
};

// g(t) of the header comment.
double GrowthFactor(const ProfileConfig& config, int64_t at_ms);

// The additive part of a profile.
struct ProfileSums {
  model::DimensionArray score_sum{};           // sum of g * w_d * s_d
  model::DimensionArray weight_sum{};          // sum of g * w_d
  double leadership = 0;                       // sum of g * w_d * max(s_d, 0)
  double development = 0;                      // sum of g * w_d * max(-s_d, 0)
  SignalArray signals{};                       // sum of g per signal
  std::array<int64_t, kSignalCount> counts{};  // plain counts per signal

  void Add(const ProfileSums& other);
  void Subtract(const ProfileSums& other);
};

// One event's contribution.
struct ProfileDelta {
  ProfileSums sums;
  double growth = 1;  // g(occurred_at_ms): sums / growth are undecayed
  int64_t occurred_at_ms = 0;
  std::string event_id;
  std::string object_id;
  std::string org_unit;  // the learner's org unit as the event tells it
  std::string role;
  std::array<bool, kSignalCount> has{};  // which signals the event carries
  std::vector<std::string> rule_ids;
};

// Computes the contribution of one tagged event.
ProfileDelta MakeDelta(const ProfileConfig& config,
                       const model::LearningEvent& event,
                       const model::EventTags& tags);

// A learner's stored profile.
struct Profile {
  ProfileSums sums;
  std::array<Latest, kSignalCount> latest;
  int64_t first_event_ms = 0;
  int64_t last_event_ms = 0;
  // Org unit and role of the most recent event that named them.
  std::string org_unit;
  int64_t org_unit_at_ms = 0;
  std::string role;
  int64_t role_at_ms = 0;

  // Adds one contribution (commutative, see the header comment).
  void Add(const ProfileDelta& delta);
  bool empty() const { return sums.counts[0] == 0; }
};

// Where a balance sits against the band.
enum class BandPosition : uint8_t {
  kUnknown = 0,  // too little evidence
  kBelow,        // mostly competence development
  kInside,
  kAbove,  // mostly learning leadership
};
std::string_view BandPositionName(BandPosition p);  // "below", ...

// A profile read at a moment.
struct ProfileView {
  model::DimensionArray mean{};    // per dimension, in [-1, 1]; 0 if none
  model::DimensionArray weight{};  // decayed evidence weight per dimension
  double balance = 0;              // learning-leadership share, [0, 1]
  double total_weight = 0;         // decayed leadership + development
  BandPosition position = BandPosition::kUnknown;
  SignalArray signals{};  // decayed signal counts
};
ProfileView ViewAt(const ProfileConfig& config, const Profile& profile,
                   int64_t now_ms);
BandPosition PositionOf(const ProfileConfig& config, double balance,
                        double total_weight);

// Binary encoding for storage (versioned; little-endian on every platform
// Polku runs on). Decode fails with kDataLoss on a malformed blob.
std::string EncodeProfile(const Profile& profile);
absl::StatusOr<Profile> DecodeProfile(std::string_view blob);

// The profile as JSON, for export and for people to read.
std::string ProfileJson(const ProfileConfig& config, const Profile& profile,
                        int64_t now_ms);

}  // namespace polku::learning

#endif  // POLKU_LEARNING_PROFILE_H_
