// LearningStore: the port through which the core keeps what it learns from
// events (profiles, the activities each learner touched, co-occurrence of
// activities), the tenant's catalogue, recommendations served, feedback,
// bandit state and opt-outs.
//
// Projection at ingest: an EventRecord that carries a ProfileDelta updates,
// in the same transaction that stores the event and only if the event is
// ACCEPTED (never for a duplicate, a conflict or an erased learner):
//   - the learner's profile (Profile::Add; skipped while the learner has
//     opted out of profiling),
//   - the learner's activity states (first and last touch, completion),
//   - co-occurrence: when the event is the learner's first touch of an
//     activity, the transition from the activity the learner first touched
//     just before it (by time) to this one is counted, per learner and in
//     a tenant-wide aggregate ("what similar learners did next"),
//   - the learner's week row (undecayed leadership and development weight
//     of the ISO week of the event, with the org unit), for trends.
// So a restart never replays history, and a resend changes nothing.
//
// Erasure: EventStore::EraseLearner removes all of the above for the
// learner in the same transaction as the events (the co-occurrence
// aggregate and the bandit arms are decremented by the learner's own
// contributions), and DeleteTenant removes the tenant's whole state.
//
// Implementations are thread-safe.
#ifndef POLKU_STORE_LEARNING_STORE_H_
#define POLKU_STORE_LEARNING_STORE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "learning/catalogue.h"
#include "learning/profile.h"

namespace polku::store {

// What a learner did with one activity.
struct ActivityState {
  std::string object_id;
  int64_t first_ms = 0;
  int64_t last_ms = 0;
  int64_t completed_ms = 0;  // 0: not completed
  int64_t events = 0;
};

// One recommendation as it was served (for feedback, the bandit and
// offline evaluation).
struct ServedRecommendation {
  std::string recommendation_id;
  std::string learner_key;
  std::string kind;       // NudgeKind name, e.g. "CONTINUE_PATH"
  std::string target_id;  // activity or path id
  std::string segment;    // bandit segment, e.g. "below"
  int32_t position = 0;   // 0 = first
  double score = 0;
  double propensity = 1;  // chance the policy shows it in the top k
  bool holdout = false;   // served by the plain ranking
  int64_t served_ms = 0;
};

enum class FeedbackOutcome : uint8_t {
  kUnspecified = 0,
  kShown,
  kAccepted,
  kDismissed,
  kCompleted,
};
std::string_view FeedbackOutcomeName(FeedbackOutcome o);  // "shown", ...

struct FeedbackRecord {
  std::string recommendation_id;
  std::string learner_key;
  FeedbackOutcome outcome = FeedbackOutcome::kUnspecified;
  int64_t at_ms = 0;
  // Copied from the served recommendation.
  std::string kind;
  std::string target_id;
  std::string segment;
};

// Thompson-sampling state of one (segment, kind) arm.
struct BanditArm {
  std::string segment;
  std::string kind;
  double successes = 0;  // accepted + completed
  double failures = 0;   // dismissed
  int64_t shown = 0;
};

// A learner's undecayed weight in one week (weeks since 1970-01-05, a
// Monday, in UTC).
struct LearnerWeek {
  std::string learner_key;
  int64_t week = 0;
  std::string org_unit;
  double leadership = 0;
  double development = 0;
  int64_t events = 0;
};

// Everything held about a learner besides the events themselves.
struct LearnerState {
  std::optional<learning::Profile> profile;
  std::vector<ActivityState> activities;
  std::vector<ServedRecommendation> served;
  std::vector<FeedbackRecord> feedback;
  std::vector<LearnerWeek> weeks;
  bool opted_out = false;
};

// What one recommendation reads about a learner (ReadRecommendationContext).
struct RecommendationQuery {
  // Co-occurrence is read after this many of the learner's most recently
  // touched activities ...
  size_t recent_activities = 5;
  // ... and at most this many next activities are returned.
  size_t next_limit = 50;
  // Feedback at or after this time.
  int64_t feedback_since_ms = 0;
};
struct RecommendationContext {
  // When true, nothing else was read: an opted-out learner gets no
  // recommendations.
  bool opted_out = false;
  std::optional<learning::Profile> profile;
  std::vector<ActivityState> activities;  // as GetActivityStates
  // NextActivities from MostRecentlyTouched(activities, recent_activities).
  std::vector<std::pair<std::string, double>> next_activities;
  std::vector<FeedbackRecord> feedback;  // as ListFeedback
  std::vector<BanditArm> bandit;         // as GetBandit
  int64_t catalogue_version = 0;         // as CatalogueVersion
};

// The ids of the `n` activities touched last (latest first; ties by id).
std::vector<std::string> MostRecentlyTouched(
    const std::vector<ActivityState>& activities, size_t n);

template <typename T>
struct Page {
  std::vector<T> items;
  std::string next_page_token;  // empty on the last page
};

class LearningStore {
 public:
  virtual ~LearningStore() = default;

  // --- Profiles and what learners did --------------------------------
  virtual absl::StatusOr<std::optional<learning::Profile>> GetProfile(
      std::string_view tenant, std::string_view learner_key) = 0;
  // Calls `fn` for every profile of the tenant whose org unit is `org_unit`
  // (every profile when empty), in learner-key order.
  virtual absl::Status ForEachProfile(
      std::string_view tenant, std::string_view org_unit,
      const std::function<void(std::string_view learner_key,
                               const learning::Profile&)>& fn) = 0;
  virtual absl::StatusOr<std::vector<ActivityState>> GetActivityStates(
      std::string_view tenant, std::string_view learner_key) = 0;
  // Co-occurrence: the activities most often first touched right after any
  // of `from` (summed over `from`), most frequent first, at most `limit`.
  virtual absl::StatusOr<std::vector<std::pair<std::string, double>>>
  NextActivities(std::string_view tenant, absl::Span<const std::string> from,
                 size_t limit) = 0;
  // Week rows of the tenant (org unit filter as above) from `from_week` on.
  virtual absl::StatusOr<std::vector<LearnerWeek>> ListWeeks(
      std::string_view tenant, std::string_view org_unit,
      int64_t from_week) = 0;
  // Calls `fn` for every learner of the tenant with at least one completed
  // activity, with the completed activities in completion order.
  virtual absl::Status ForEachCompletionSequence(
      std::string_view tenant,
      const std::function<void(std::string_view learner_key,
                               const std::vector<std::string>& completed)>&
          fn) = 0;

  // --- Catalogue -----------------------------------------------------------
  // Creates or replaces by id. Validation is the caller's (it knows the
  // request's field names); a path is stored as given.
  virtual absl::Status UpsertActivities(
      std::string_view tenant,
      absl::Span<const learning::Activity> activities) = 0;
  virtual absl::Status UpsertPaths(
      std::string_view tenant,
      absl::Span<const learning::LearningPath> paths) = 0;
  // Pages in id order; the token is opaque to callers.
  virtual absl::StatusOr<Page<learning::Activity>> ListActivities(
      std::string_view tenant, size_t page_size,
      std::string_view page_token) = 0;
  virtual absl::StatusOr<Page<learning::LearningPath>> ListPaths(
      std::string_view tenant, size_t page_size,
      std::string_view page_token) = 0;
  // The whole catalogue of the tenant, and its version: a number that
  // changes whenever the catalogue does (for caches).
  virtual absl::StatusOr<learning::CatalogueFile> LoadCatalogue(
      std::string_view tenant) = 0;
  virtual absl::StatusOr<int64_t> CatalogueVersion(std::string_view tenant) = 0;
  // Tenants that have a catalogue, the most recently changed first, at
  // most `max` (the catalogues a starting server caches first).
  virtual absl::StatusOr<std::vector<std::string>> CatalogueTenants(
      size_t max) = 0;

  // --- Recommendations, feedback, bandit -------------------------------
  // Logs served recommendations; an id served before is replaced (the same
  // request on the same day gives the same ids, and an id names its
  // learner).
  virtual absl::Status RecordServed(
      std::string_view tenant,
      absl::Span<const ServedRecommendation> served) = 0;
  // The recommendation served to this learner under this id, if any.
  virtual absl::StatusOr<std::optional<ServedRecommendation>> GetServed(
      std::string_view tenant, std::string_view learner_key,
      std::string_view recommendation_id) = 0;
  // Stores the feedback and updates the arm of (segment, kind) in the same
  // transaction: shown +1 for kShown, successes +1 for kAccepted and
  // kCompleted, failures +1 for kDismissed. Recording the same (id,
  // outcome) twice changes nothing the second time.
  virtual absl::Status RecordFeedback(std::string_view tenant,
                                      const FeedbackRecord& feedback) = 0;
  // The learner's feedback at or after `since_ms`, oldest first.
  virtual absl::StatusOr<std::vector<FeedbackRecord>> ListFeedback(
      std::string_view tenant, std::string_view learner_key,
      int64_t since_ms) = 0;
  virtual absl::StatusOr<std::vector<BanditArm>> GetBandit(
      std::string_view tenant) = 0;

  // Everything a recommendation reads about the learner, from one
  // snapshot: the opt-out, then (unless opted out) the profile, activity
  // states, next activities, recent feedback, the tenant's bandit arms and
  // catalogue version. The same as the separate getters, in one read
  // transaction, so the parts agree and the store starts one read instead
  // of seven.
  virtual absl::StatusOr<RecommendationContext> ReadRecommendationContext(
      std::string_view tenant, std::string_view learner_key,
      const RecommendationQuery& query) = 0;

  // --- Learner data rights -----------------------------------------------
  virtual absl::Status SetOptOut(std::string_view tenant,
                                 std::string_view learner_key, bool opted_out,
                                 int64_t now_ms) = 0;
  virtual absl::StatusOr<bool> IsOptedOut(std::string_view tenant,
                                          std::string_view learner_key) = 0;
  virtual absl::StatusOr<LearnerState> ExportLearnerState(
      std::string_view tenant, std::string_view learner_key) = 0;
};

}  // namespace polku::store

#endif  // POLKU_STORE_LEARNING_STORE_H_
