// Engine: the learning side of Polku, composed from the pure logic in
// learning/ and the LearningStore port. The RPC handlers, `polku eval` and
// the benchmarks all call this one class, so what they measure is what the
// service does.
//
//   - Catalogue: validated upserts (a path step naming an activity that is
//     neither in the request nor stored is INVALID_ARGUMENT naming the
//     field) and a per-tenant snapshot cache keyed by the store's
//     catalogue version.
//   - Recommend: reads the learner's profile, activities, the co-occurrence
//     of their recent activities, their dismissals and the arms of their
//     segment, runs learning::Recommend and logs what it served (with
//     propensities) for feedback and offline evaluation. An opted-out
//     learner gets nothing.
//   - Feedback: checked against what was served to that learner; updates
//     the bandit arm in the store.
//   - Insights: a learner's profile with an explanation in words, the
//     organisation overview (never a group below `min_group_size`), path
//     suggestions mined from completion sequences.
//
// Thread-safe.
#ifndef POLKU_ENGINE_ENGINE_H_
#define POLKU_ENGINE_ENGINE_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "engine/served_log.h"
#include "learning/catalogue.h"
#include "learning/insights.h"
#include "learning/recommender.h"
#include "store/event_store.h"
#include "store/learning_store.h"

namespace polku::engine {

struct EngineConfig {
  learning::RecommenderConfig recommender;
  learning::InsightConfig insights;
  // Co-occurrence looks at the learner's most recently touched activities.
  size_t recent_activities = 5;
  size_t max_k = 50;
};

class Engine {
 public:
  // Pointers are not owned and must outlive the engine.
  Engine(store::LearningStore* store, const common::Clock* clock,
         EngineConfig config);

  const EngineConfig& config() const { return config_; }

  // --- Catalogue ----------------------------------------------------------
  // kInvalidArgument naming "activities[i].field" / "paths[i].field".
  absl::Status UpsertActivities(std::string_view tenant,
                                std::vector<learning::Activity> activities);
  absl::Status UpsertPaths(std::string_view tenant,
                           std::vector<learning::LearningPath> paths);
  // Activities first, then paths checked against them and the stored ones.
  absl::Status LoadCatalogue(std::string_view tenant,
                             learning::CatalogueFile file);
  absl::StatusOr<std::shared_ptr<const learning::Catalogue>> Catalogue(
      std::string_view tenant);

  // --- Recommendations ----------------------------------------------------
  // kInvalidArgument for an empty learner or k outside 1..max_k (0 means
  // 5); an unknown locale falls back to English.
  absl::StatusOr<learning::RecommendOutput> Recommend(
      std::string_view tenant, std::string_view learner_key, int k,
      std::string_view locale);
  // kNotFound when the recommendation was not served to this learner;
  // kInvalidArgument for an unspecified outcome. Returns the kind of the
  // recommendation.
  absl::StatusOr<learning::NudgeKind> RecordFeedback(
      std::string_view tenant, std::string_view learner_key,
      std::string_view recommendation_id, store::FeedbackOutcome outcome,
      int64_t at_ms);

  // --- Insights -----------------------------------------------------------
  absl::StatusOr<learning::LearnerReport> LearnerProfile(
      std::string_view tenant, std::string_view learner_key,
      std::string_view locale);
  absl::StatusOr<learning::OrgOverview> OrgOverview(std::string_view tenant,
                                                    std::string_view org_unit,
                                                    int weeks);
  absl::StatusOr<std::vector<learning::SuggestedPath>> SuggestPaths(
      std::string_view tenant, int max_suggestions, int min_support);

  // Loads into the cache the catalogues of up to `max_tenants` tenants, the
  // most recently changed first, until `budget` has passed; returns how
  // many it loaded. A starting server calls it before it serves, so that
  // the first recommendations do not wait for a load.
  absl::StatusOr<int> WarmCatalogues(size_t max_tenants,
                                     std::chrono::milliseconds budget);
  // Catalogue loads from the store so far (a load per tenant and change).
  int64_t catalogue_loads() const;

 private:
  // The cached catalogue when it is at `version`, else loads and caches it.
  absl::StatusOr<std::shared_ptr<const learning::Catalogue>> CatalogueAt(
      std::string_view tenant, int64_t version);

  store::LearningStore* store_;
  const common::Clock* clock_;
  const EngineConfig config_;
  ServedLog served_log_;  // group commit of what Recommend served

  struct CachedCatalogue {
    int64_t version = -1;
    std::shared_ptr<const learning::Catalogue> catalogue;
    bool loading = false;  // a call is loading it; the others wait
  };
  mutable absl::Mutex mu_;
  std::map<std::string, CachedCatalogue, std::less<>> catalogues_
      ABSL_GUARDED_BY(mu_);
  int64_t catalogue_loads_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace polku::engine

#endif  // POLKU_ENGINE_ENGINE_H_
