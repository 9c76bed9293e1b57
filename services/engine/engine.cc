#include "engine/engine.h"

#include <algorithm>
#include <chrono>
#include <unordered_set>
#include <utility>

#include "common/field_error.h"
#include "common/status_macros.h"
#include "common/str_cat.h"
#include "learning/texts.h"

namespace polku::engine {
namespace {

constexpr double kMsPerDay = 86400000.0;

absl::Status RequireLearner(std::string_view learner_key) {
  if (learner_key.empty()) {
    return common::InvalidFieldError("learner", "is required");
  }
  return absl::OkStatus();
}

}  // namespace

Engine::Engine(store::LearningStore* store, const common::Clock* clock,
               EngineConfig config)
    : store_(store),
      clock_(clock),
      config_(std::move(config)),
      served_log_([store](std::string_view tenant,
                          absl::Span<const store::ServedRecommendation> s) {
        return store->RecordServed(tenant, s);
      }) {}

// --- Catalogue ---------------------------------------------------------------

absl::Status Engine::UpsertActivities(
    std::string_view tenant, std::vector<learning::Activity> activities) {
  for (size_t i = 0; i < activities.size(); ++i) {
    if (auto s = learning::ValidateActivity(activities[i]); !s.ok()) {
      return common::PrefixField(s, common::StrCat("activities[", i, "]."));
    }
  }
  return store_->UpsertActivities(tenant, activities);
}

absl::Status Engine::UpsertPaths(std::string_view tenant,
                                 std::vector<learning::LearningPath> paths) {
  POLKU_ASSIGN_OR_RETURN(auto catalogue, Catalogue(tenant));
  auto known = [&catalogue](std::string_view id) {
    return catalogue->FindActivity(id) != nullptr;
  };
  for (size_t i = 0; i < paths.size(); ++i) {
    if (auto s = learning::ValidatePath(paths[i], known); !s.ok()) {
      return common::PrefixField(s, common::StrCat("paths[", i, "]."));
    }
  }
  return store_->UpsertPaths(tenant, paths);
}

absl::Status Engine::LoadCatalogue(std::string_view tenant,
                                   learning::CatalogueFile file) {
  // Validate everything before storing anything: the paths against the
  // file's activities and the stored ones.
  POLKU_ASSIGN_OR_RETURN(auto stored, Catalogue(tenant));
  std::unordered_set<std::string> in_file;
  for (size_t i = 0; i < file.activities.size(); ++i) {
    if (auto s = learning::ValidateActivity(file.activities[i]); !s.ok()) {
      return common::PrefixField(s, common::StrCat("activities[", i, "]."));
    }
    in_file.insert(file.activities[i].id);
  }
  auto known = [&](std::string_view id) {
    return in_file.count(std::string(id)) > 0 ||
           stored->FindActivity(id) != nullptr;
  };
  for (size_t i = 0; i < file.paths.size(); ++i) {
    if (auto s = learning::ValidatePath(file.paths[i], known); !s.ok()) {
      return common::PrefixField(s, common::StrCat("paths[", i, "]."));
    }
  }
  POLKU_RETURN_IF_ERROR(store_->UpsertActivities(tenant, file.activities));
  return store_->UpsertPaths(tenant, file.paths);
}

absl::StatusOr<std::shared_ptr<const learning::Catalogue>> Engine::Catalogue(
    std::string_view tenant) {
  POLKU_ASSIGN_OR_RETURN(int64_t version, store_->CatalogueVersion(tenant));
  return CatalogueAt(tenant, version);
}

absl::StatusOr<std::shared_ptr<const learning::Catalogue>> Engine::CatalogueAt(
    std::string_view tenant, int64_t version) {
  absl::MutexLock lock(&mu_);
  auto it = catalogues_.find(tenant);
  if (it == catalogues_.end()) {
    it = catalogues_.emplace(std::string(tenant), CachedCatalogue()).first;
  }
  CachedCatalogue& slot = it->second;
  // One load per tenant at a time: the calls that find it loading wait
  // for it rather than each reading and indexing the whole catalogue
  // (after a start or an upload, every call in flight would).
  for (;;) {
    if (slot.catalogue != nullptr && slot.version == version) {
      return slot.catalogue;
    }
    if (!slot.loading) break;
    mu_.Await(absl::Condition(
        +[](CachedCatalogue* c) { return !c->loading; }, &slot));
  }
  slot.loading = true;
  mu_.Unlock();
  auto built =
      [&]() -> absl::StatusOr<std::shared_ptr<const learning::Catalogue>> {
    POLKU_ASSIGN_OR_RETURN(learning::CatalogueFile file,
                           store_->LoadCatalogue(tenant));
    return learning::Catalogue::Build(std::move(file.activities),
                                      std::move(file.paths));
  }();
  mu_.Lock();
  slot.loading = false;
  ++catalogue_loads_;
  if (!built.ok()) return built.status();
  // Read after `version` was, the catalogue is at least that new.
  slot.version = version;
  slot.catalogue = *built;
  return slot.catalogue;
}

absl::StatusOr<int> Engine::WarmCatalogues(size_t max_tenants,
                                           std::chrono::milliseconds budget) {
  const auto deadline = std::chrono::steady_clock::now() + budget;
  POLKU_ASSIGN_OR_RETURN(std::vector<std::string> tenants,
                         store_->CatalogueTenants(max_tenants));
  int loaded = 0;
  for (const std::string& tenant : tenants) {
    if (std::chrono::steady_clock::now() >= deadline) break;
    POLKU_RETURN_IF_ERROR(Catalogue(tenant).status());
    ++loaded;
  }
  return loaded;
}

int64_t Engine::catalogue_loads() const {
  absl::MutexLock lock(&mu_);
  return catalogue_loads_;
}

// --- Recommendations ---------------------------------------------------------

absl::StatusOr<learning::RecommendOutput> Engine::Recommend(
    std::string_view tenant, std::string_view learner_key, int k,
    std::string_view locale) {
  POLKU_RETURN_IF_ERROR(RequireLearner(learner_key));
  if (k == 0) k = 5;
  if (k < 1 || static_cast<size_t>(k) > config_.max_k) {
    return common::InvalidFieldError(
        "k", common::StrCat("must be between 1 and ", config_.max_k));
  }
  const int64_t now = clock_->NowMillis();
  store::RecommendationQuery query;
  query.recent_activities = config_.recent_activities;
  query.feedback_since_ms =
      now - static_cast<int64_t>(config_.recommender.dismiss_days * kMsPerDay);
  POLKU_ASSIGN_OR_RETURN(
      store::RecommendationContext context,
      store_->ReadRecommendationContext(tenant, learner_key, query));
  if (context.opted_out) {
    learning::RecommendOutput none;
    none.segment = "opted_out";
    return none;
  }
  POLKU_ASSIGN_OR_RETURN(auto catalogue,
                         CatalogueAt(tenant, context.catalogue_version));

  learning::RecommendInput in;
  in.tenant = std::string(tenant);
  in.learner_key = std::string(learner_key);
  in.profile = context.profile.has_value() ? &*context.profile : nullptr;
  in.catalogue = catalogue.get();
  in.now_ms = now;
  in.k = k;
  in.locale = std::string(locale.empty() ? "en" : locale);
  for (const store::ActivityState& s : context.activities) {
    in.touched[s.object_id] =
        learning::ActivityTouch{s.first_ms, s.last_ms, s.completed_ms};
  }
  // Co-occurrence after the most recently touched activities.
  in.next_after_similar = std::move(context.next_activities);
  for (const store::FeedbackRecord& f : context.feedback) {
    if (f.outcome == store::FeedbackOutcome::kDismissed) {
      in.dismissed.insert(f.target_id);
    }
  }
  // Every segment's arms: the ranking reads those of the segment it
  // computes from the profile.
  for (const store::BanditArm& arm : context.bandit) {
    if (auto kind = learning::ParseNudgeKind(arm.kind)) {
      in.arms[arm.segment][*kind] = learning::Arm{arm.successes, arm.failures};
    }
  }

  learning::RecommendOutput out = learning::Recommend(config_.recommender, in);
  std::vector<store::ServedRecommendation> served;
  served.reserve(out.items.size());
  for (size_t i = 0; i < out.items.size(); ++i) {
    const learning::Recommendation& r = out.items[i];
    store::ServedRecommendation s;
    s.recommendation_id = r.recommendation_id;
    s.learner_key = std::string(learner_key);
    s.kind = std::string(learning::NudgeKindName(r.kind));
    s.target_id = r.target_id;
    s.segment = out.segment;
    s.position = static_cast<int32_t>(i);
    s.score = r.score;
    s.propensity = r.propensity;
    s.holdout = out.holdout;
    s.served_ms = now;
    served.push_back(std::move(s));
  }
  if (!served.empty()) {
    POLKU_RETURN_IF_ERROR(served_log_.Record(tenant, std::move(served)));
  }
  return out;
}

absl::StatusOr<learning::NudgeKind> Engine::RecordFeedback(
    std::string_view tenant, std::string_view learner_key,
    std::string_view recommendation_id, store::FeedbackOutcome outcome,
    int64_t at_ms) {
  POLKU_RETURN_IF_ERROR(RequireLearner(learner_key));
  if (recommendation_id.empty()) {
    return common::InvalidFieldError("recommendation_id", "is required");
  }
  if (outcome == store::FeedbackOutcome::kUnspecified) {
    return common::InvalidFieldError(
        "outcome", "is required (SHOWN, ACCEPTED, DISMISSED or COMPLETED)");
  }
  POLKU_ASSIGN_OR_RETURN(
      auto served, store_->GetServed(tenant, learner_key, recommendation_id));
  if (!served.has_value()) {
    return common::FieldError(absl::StatusCode::kNotFound, "recommendation_id",
                              "was not served to this learner");
  }
  store::FeedbackRecord f;
  f.recommendation_id = std::string(recommendation_id);
  f.learner_key = std::string(learner_key);
  f.outcome = outcome;
  f.at_ms = at_ms != 0 ? at_ms : clock_->NowMillis();
  f.kind = served->kind;
  f.target_id = served->target_id;
  f.segment = served->segment;
  POLKU_RETURN_IF_ERROR(store_->RecordFeedback(tenant, f));
  return learning::ParseNudgeKind(served->kind)
      .value_or(learning::NudgeKind::kUnspecified);
}

// --- Insights ----------------------------------------------------------------

absl::StatusOr<learning::LearnerReport> Engine::LearnerProfile(
    std::string_view tenant, std::string_view learner_key,
    std::string_view locale) {
  POLKU_RETURN_IF_ERROR(RequireLearner(learner_key));
  POLKU_ASSIGN_OR_RETURN(auto profile, store_->GetProfile(tenant, learner_key));
  learning::LearnerReport report = learning::ExplainProfile(
      config_.recommender.profile, profile.has_value() ? &*profile : nullptr,
      clock_->NowMillis(), locale);
  POLKU_ASSIGN_OR_RETURN(bool opted_out,
                         store_->IsOptedOut(tenant, learner_key));
  if (opted_out) report.explanation = learning::OptedOutText(locale);
  return report;
}

absl::StatusOr<learning::OrgOverview> Engine::OrgOverview(
    std::string_view tenant, std::string_view org_unit, int weeks) {
  if (weeks == 0) weeks = 12;
  if (weeks < 1 || weeks > 104) {
    return common::InvalidFieldError("weeks", "must be between 1 and 104");
  }
  const int64_t now = clock_->NowMillis();
  std::vector<std::string> units;
  std::vector<std::string> roles;
  std::vector<learning::Profile> profiles;
  POLKU_RETURN_IF_ERROR(store_->ForEachProfile(
      tenant, org_unit, [&](std::string_view, const learning::Profile& p) {
        profiles.push_back(p);
      }));
  std::vector<learning::LearnerSnapshot> snapshots;
  snapshots.reserve(profiles.size());
  for (const learning::Profile& p : profiles) {
    snapshots.push_back(learning::LearnerSnapshot{p.org_unit, p.role, &p});
  }
  POLKU_ASSIGN_OR_RETURN(
      auto rows,
      store_->ListWeeks(tenant, org_unit, learning::WeekOf(now) - weeks + 1));
  std::vector<learning::WeekRow> week_rows;
  week_rows.reserve(rows.size());
  for (const store::LearnerWeek& w : rows) {
    week_rows.push_back(
        learning::WeekRow{w.learner_key, w.week, w.leadership, w.development});
  }
  POLKU_ASSIGN_OR_RETURN(auto catalogue, Catalogue(tenant));
  return learning::ComputeOverview(config_.insights, snapshots, week_rows,
                                   *catalogue, org_unit.empty(), weeks, now);
}

absl::StatusOr<std::vector<learning::SuggestedPath>> Engine::SuggestPaths(
    std::string_view tenant, int max_suggestions, int min_support) {
  if (max_suggestions == 0) max_suggestions = 5;
  if (max_suggestions < 1 || max_suggestions > 100) {
    return common::InvalidFieldError("max_suggestions",
                                     "must be between 1 and 100");
  }
  if (min_support == 0) min_support = config_.insights.min_group_size;
  if (min_support < 1) {
    return common::InvalidFieldError("min_support", "must be at least 1");
  }
  // A sequence followed by fewer learners than k would single people out.
  min_support = std::max(min_support, config_.insights.min_group_size);
  std::vector<std::vector<std::string>> sequences;
  POLKU_RETURN_IF_ERROR(store_->ForEachCompletionSequence(
      tenant, [&](std::string_view, const std::vector<std::string>& seq) {
        sequences.push_back(seq);
      }));
  POLKU_ASSIGN_OR_RETURN(auto catalogue, Catalogue(tenant));
  return learning::MinePaths(sequences, *catalogue, max_suggestions,
                             min_support);
}

}  // namespace polku::engine
