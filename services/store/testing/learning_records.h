// Records and helpers shared by the LearningStore tests: tagged events
// with their profile deltas, served recommendations, feedback, catalogue
// entries, and expectations that compare profiles within a relative
// tolerance of 1e-9 (sums of doubles added in another order).
#ifndef POLKU_STORE_TESTING_LEARNING_RECORDS_H_
#define POLKU_STORE_TESTING_LEARNING_RECORDS_H_

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "learning/catalogue.h"
#include "learning/profile.h"
#include "model/learning_event.h"
#include "model/tags.h"
#include "store/event_store.h"
#include "store/learning_store.h"

namespace polku::store::store_test {

inline constexpr int64_t kDay = 86400000;
// 2024-01-01T00:00Z, a Monday, and its week (weeks from 1970-01-05).
inline constexpr int64_t kMonday2024 = 1704067200000;
inline constexpr int64_t kWeek2024 = 2817;

// What the tagger would say about one event, in a few shapes.
model::EventTags Tags(model::Verb verb);

struct Made {
  model::LearningEvent event;
  EventRecord record;
};

// A tagged event of `learner` about `object`, with its profile delta.
Made Make(std::string tenant, std::string id, std::string learner,
          std::string object, int64_t at_ms, model::Verb verb,
          std::string org_unit = "");
EventRecord Rec(std::string tenant, std::string id, std::string learner,
                std::string object, int64_t at_ms,
                model::Verb verb = model::Verb::kViewed,
                std::string org_unit = "");

// The profile the deltas of `records` add up to.
learning::Profile SumOf(const std::vector<EventRecord>& records);
// EXPECT_NEAR within 1e-9 relative.
void Near(double got, double want, const char* what);
void ExpectSameProfile(const learning::Profile& got,
                       const learning::Profile& want);

// 30 events of `learner` in tenant t1 over a month, 7 activities.
std::vector<EventRecord> ThirtyEvents(const std::string& learner);
// Learner A touches x, y, z, then comes back to y and x with completions;
// learner B touches x, y, w.
std::vector<EventRecord> TwoLearners(const std::string& tenant);
// Many events of three learners (L0..L2) of tenant t1 over several weeks
// and 17 activities, with revisits, earlier events arriving late,
// completions, equal times and one resent id, shuffled.
std::vector<EventRecord> ManyEvents(std::mt19937& rng);

ServedRecommendation Served(std::string id, std::string learner,
                            std::string kind, std::string segment);
FeedbackRecord Feedback(const ServedRecommendation& s, FeedbackOutcome o,
                        int64_t at_ms);

learning::Activity MakeActivity(std::string id, int n);
void ExpectSameActivity(const learning::Activity& got,
                        const learning::Activity& want);
learning::LearningPath MakePath(std::string id);

// "prefix0" .. "prefix<n-1>".
std::vector<std::string> Names(const std::string& prefix, int n);

// What a store's reads say about some learners and activities of a tenant:
// enough to compare two stores' projections through the ports.
struct LearningSnapshot {
  std::vector<std::optional<learning::Profile>> profiles;  // per learner
  std::vector<std::vector<ActivityState>> activities;      // per learner
  std::vector<std::tuple<std::string, std::string, double>>
      next;  // from, to, n
  std::vector<LearnerWeek> weeks;
  std::vector<std::pair<std::string, std::vector<std::string>>> completions;
};
LearningSnapshot Snapshot(LearningStore& store, const std::string& tenant,
                          const std::vector<std::string>& learners,
                          const std::vector<std::string>& objects);
// Exact but for sums of doubles (1e-9 relative) and the week rows' org
// unit (it depends on arrival order). Co-occurrence depends on arrival
// order too (a first touch counts the transition from the activity first
// touched before it among those already seen): compared only when both
// stores received the events in the same order.
void ExpectSameSnapshot(const LearningSnapshot& got,
                        const LearningSnapshot& want,
                        bool same_arrival_order = true);

}  // namespace polku::store::store_test

#endif  // POLKU_STORE_TESTING_LEARNING_RECORDS_H_
