// The catalogue: what can be recommended. Activities (a course, a module, a
// community, a work assignment, a reflection, mentoring, ...) and learning
// paths, ordered steps toward a goal that mix structured and self-directed
// activities (MODEL.md, "Nudges: from catalogue to paths").
//
// Catalogue is an immutable, indexed snapshot of one tenant's catalogue;
// the recommender reads it without locks. Build it with Catalogue::Build,
// which validates the whole: a path step naming an unknown activity is an
// error, so a stored catalogue is always consistent.
#ifndef POLKU_LEARNING_CATALOGUE_H_
#define POLKU_LEARNING_CATALOGUE_H_

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "model/learning_event.h"
#include "model/tags.h"

namespace polku::learning {

struct Activity {
  std::string id;  // the object id events about it carry
  std::string title;
  std::string url;
  model::ObjectType type = model::ObjectType::kUnspecified;
  bool visible = true;
  bool required = false;
  std::vector<std::string> competencies;
  std::vector<std::string> goal_ids;
  model::Mode mode = model::Mode::kUnspecified;
  bool self_enrol = false;
};

struct PathStep {
  std::string activity_id;
  model::Mode mode = model::Mode::kUnspecified;
  std::vector<std::string> alternative_activity_ids;
  bool optional = false;
};

struct LearningPath {
  std::string id;
  std::string title;
  std::string goal_id;
  std::vector<PathStep> steps;
};

// Limits that keep one tenant's catalogue bounded.
inline constexpr size_t kMaxIdLength = 512;
inline constexpr size_t kMaxTitleLength = 512;
inline constexpr size_t kMaxUrlLength = 2048;
inline constexpr size_t kMaxTags = 64;  // competencies, goal ids
inline constexpr size_t kMaxPathSteps = 200;

// Checks one activity on its own. kInvalidArgument naming the field
// ("id: is required", "url: must be http or https", ...), relative to the
// activity (the caller prefixes "activities[3].").
absl::Status ValidateActivity(const Activity& a);
// Checks a path's own fields and that every step names an activity that
// `known` reports as existing. Field names relative to the path.
absl::Status ValidatePath(
    const LearningPath& p,
    const std::function<bool(std::string_view activity_id)>& known);

class Catalogue {
 public:
  // Builds an indexed snapshot; fails like ValidatePath for a step naming
  // an activity not in `activities`.
  static absl::StatusOr<std::shared_ptr<const Catalogue>> Build(
      std::vector<Activity> activities, std::vector<LearningPath> paths);
  static std::shared_ptr<const Catalogue> Empty();

  const std::vector<Activity>& activities() const { return activities_; }
  const std::vector<LearningPath>& paths() const { return paths_; }

  // nullptr when unknown. Look-ups by string_view allocate nothing.
  const Activity* FindActivity(std::string_view id) const;
  // The index into activities() of an activity of this catalogue.
  size_t IndexOf(const Activity& a) const {
    return static_cast<size_t>(&a - activities_.data());
  }
  const LearningPath* FindPath(std::string_view id) const;
  // Indexes into paths() of the paths with a step (or an alternative)
  // naming the activity.
  const std::vector<size_t>& PathsWithActivity(std::string_view id) const;
  // The same, for activities()[i].
  const std::vector<size_t>& PathsWithActivityAt(size_t i) const {
    return paths_of_activity_[i];
  }
  // Indexes into activities() of the visible activities, in catalogue order.
  const std::vector<size_t>& Visible() const { return visible_; }
  // Indexes into activities() of the visible required activities, in
  // catalogue order.
  const std::vector<size_t>& VisibleRequired() const {
    return visible_required_;
  }
  // Indexes into activities() of the visible activities a learner may
  // enrol on themselves, in catalogue order.
  const std::vector<size_t>& VisibleSelfEnrol() const {
    return visible_self_enrol_;
  }
  // Indexes into activities() of the visible activities of one type, in
  // catalogue order.
  const std::vector<size_t>& VisibleOfType(model::ObjectType type) const {
    return visible_by_type_[static_cast<size_t>(type)];
  }
  // Per step of paths()[path], the indexes into activities() of its
  // activity followed by its alternatives.
  const std::vector<std::vector<uint32_t>>& StepActivities(size_t path) const {
    return step_activities_[path];
  }
  // The competencies and goal ids of activities()[i] as small integers
  // (equal strings, equal numbers; competencies and goals never equal):
  // comparing them needs no string compare.
  const std::vector<uint32_t>& TopicsOf(size_t i) const { return topics_[i]; }
  // Indexes into activities() of the visible activities with a topic (a
  // number from TopicsOf), in catalogue order, each once.
  const std::vector<uint32_t>& VisibleWithTopic(uint32_t topic) const {
    return visible_with_topic_[topic];
  }

  // Share of visible activities per mode, for the organisation overview
  // ("what resources do people have for continuous learning?").
  struct Composition {
    size_t visible = 0;
    size_t structured = 0;
    size_t self_directed = 0;
    size_t blended = 0;
    size_t self_enrol = 0;
    size_t social = 0;   // communities, discussions, mentoring
    size_t at_work = 0;  // work assignments
    size_t required = 0;
  };
  Composition Compose() const;

 private:
  Catalogue() = default;
  std::vector<Activity> activities_;
  std::vector<LearningPath> paths_;
  absl::flat_hash_map<std::string, size_t> activity_index_;
  absl::flat_hash_map<std::string, size_t> path_index_;
  std::vector<std::vector<size_t>> paths_of_activity_;  // by activity index
  std::vector<size_t> visible_;
  std::vector<size_t> visible_required_;
  std::vector<size_t> visible_self_enrol_;
  std::array<std::vector<size_t>,
             static_cast<size_t>(model::ObjectType::kCount_)>
      visible_by_type_;
  std::vector<std::vector<std::vector<uint32_t>>> step_activities_;
  std::vector<std::vector<uint32_t>> topics_;
  std::vector<std::vector<uint32_t>> visible_with_topic_;  // by topic
};

// Loads a catalogue file (YAML or JSON, see deploy/config/catalogue.yaml):
//   activities: [{id, title, url, type, visible, required, competencies,
//                 goal_ids, mode, self_enrol}, ...]
//   paths: [{id, title, goal_id, steps: [{activity, mode, alternatives,
//            optional}, ...]}, ...]
// Errors name the file, the entry and the field.
struct CatalogueFile {
  std::vector<Activity> activities;
  std::vector<LearningPath> paths;
};
absl::StatusOr<CatalogueFile> ParseCatalogueYaml(std::string_view text,
                                                 std::string_view file_name);

}  // namespace polku::learning

#endif  // POLKU_LEARNING_CATALOGUE_H_
