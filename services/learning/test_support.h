// Test-only helpers of the learning tests: learning events built in a line,
// tagged by the shipped default rules, and a learner's history kept the
// way the store keeps it (profile and activity touches).
#ifndef POLKU_LEARNING_TEST_SUPPORT_H_
#define POLKU_LEARNING_TEST_SUPPORT_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <unordered_map>

#include "common/str_cat.h"
#include "learning/profile.h"
#include "learning/recommender.h"
#include "model/rules.h"
#include "model/tagger.h"

namespace polku::learning::testing {

inline constexpr int64_t kDayMs = 86400000;
// 2026-03-02T09:00:00Z, a Monday.
inline constexpr int64_t kT0 = 1772442000000;

inline const model::Tagger& DefaultTagger() {
  static const auto* tagger = [] {
    auto rules =
        model::RuleSet::Load(POLKU_SOURCE_DIR "/deploy/config/rules.yaml");
    if (!rules.ok()) {
      ADD_FAILURE() << rules.status();
      std::abort();
    }
    return new model::Tagger(*rules);
  }();
  return *tagger;
}

// A learner's history: events are tagged with the default rules and
// folded into a profile and activity touches, as the store does at ingest.
class History {
 public:
  explicit History(std::string learner = "https://lms.example|42")
      : learner_(std::move(learner)) {}

  // Adds one event on day `day` (from kT0) and returns it for inspection.
  model::LearningEvent& Add(int day, model::Verb verb, model::ObjectType type,
                            const std::string& object_id) {
    model::LearningEvent e;
    e.event_id = common::StrCat("ev-", ++n_);
    e.source.platform = model::Platform::kNative;
    e.occurred_at_ms = kT0 + day * kDayMs;
    e.learner.key = learner_;
    e.initiator = model::Initiator::kSelf;
    e.verb = verb;
    e.object.type = type;
    e.object.id = object_id;
    pending_.push_back(e);
    return pending_.back();
  }

  // Tags and folds the events added since the last call.
  void Fold(const ProfileConfig& config = ProfileConfig()) {
    for (const model::LearningEvent& e : pending_) {
      model::EventTags tags = DefaultTagger().Tag(e);
      profile_.Add(MakeDelta(config, e, tags));
      ActivityTouch& t = touched_[e.object.id];
      if (t.first_ms == 0 || e.occurred_at_ms < t.first_ms) {
        t.first_ms = e.occurred_at_ms;
      }
      t.last_ms = std::max(t.last_ms, e.occurred_at_ms);
      const bool done = e.verb == model::Verb::kCompleted ||
                        e.verb == model::Verb::kPassed ||
                        e.verb == model::Verb::kAchieved;
      if (done && (t.completed_ms == 0 || e.occurred_at_ms < t.completed_ms)) {
        t.completed_ms = e.occurred_at_ms;
      }
    }
    pending_.clear();
  }

  const Profile& profile() const { return profile_; }
  const std::unordered_map<std::string, ActivityTouch>& touched() const {
    return touched_;
  }
  const std::string& learner() const { return learner_; }

 private:
  std::string learner_;
  int n_ = 0;
  std::vector<model::LearningEvent> pending_;
  Profile profile_;
  std::unordered_map<std::string, ActivityTouch> touched_;
};

inline Activity MakeActivity(std::string id, model::ObjectType type,
                             model::Mode mode) {
  Activity a;
  a.id = std::move(id);
  a.title = common::StrCat("Title of ", a.id);
  a.url = common::StrCat("https://lms.example/", a.id);
  a.type = type;
  a.mode = mode;
  a.visible = true;
  return a;
}

}  // namespace polku::learning::testing

#endif  // POLKU_LEARNING_TEST_SUPPORT_H_
