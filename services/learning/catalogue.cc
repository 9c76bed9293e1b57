#include "learning/catalogue.h"

#include <yaml-cpp/yaml.h>

#include <functional>
#include <utility>

#include "common/field_error.h"
#include "common/status_macros.h"
#include "common/str_cat.h"

namespace polku::learning {

namespace {

// Debian's Abseil keeps its own string_view type; the maps' heterogeneous
// look-ups take that one.
absl::string_view Key(std::string_view s) { return {s.data(), s.size()}; }

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

absl::Status CheckId(std::string_view field, std::string_view id) {
  if (id.empty()) return common::InvalidFieldError(field, "is required");
  if (id.size() > kMaxIdLength) {
    return common::InvalidFieldError(
        field, common::StrCat("is longer than ", kMaxIdLength, " bytes"));
  }
  return absl::OkStatus();
}

absl::Status CheckTags(std::string_view field,
                       const std::vector<std::string>& tags) {
  if (tags.size() > kMaxTags) {
    return common::InvalidFieldError(
        field, common::StrCat("has more than ", kMaxTags, " entries"));
  }
  for (size_t i = 0; i < tags.size(); ++i) {
    if (auto s = CheckId(common::StrCat(field, "[", i, "]"), tags[i]);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

const std::vector<size_t>& EmptyIndexes() {
  static const auto* empty = new std::vector<size_t>();
  return *empty;
}

}  // namespace

absl::Status ValidateActivity(const Activity& a) {
  if (auto s = CheckId("id", a.id); !s.ok()) return s;
  if (a.title.size() > kMaxTitleLength) {
    return common::InvalidFieldError(
        "title", common::StrCat("is longer than ", kMaxTitleLength, " bytes"));
  }
  if (!a.url.empty()) {
    if (a.url.size() > kMaxUrlLength) {
      return common::InvalidFieldError(
          "url", common::StrCat("is longer than ", kMaxUrlLength, " bytes"));
    }
    if (!StartsWith(a.url, "https://") && !StartsWith(a.url, "http://")) {
      return common::InvalidFieldError("url", "must be an http or https URL");
    }
  }
  if (a.type == model::ObjectType::kUnspecified ||
      a.type >= model::ObjectType::kCount_) {
    return common::InvalidFieldError("type", "is required (an object type)");
  }
  if (a.mode > model::Mode::kBlended) {
    return common::InvalidFieldError("mode", "is not a known mode");
  }
  if (auto s = CheckTags("competencies", a.competencies); !s.ok()) return s;
  return CheckTags("goal_ids", a.goal_ids);
}

absl::Status ValidatePath(
    const LearningPath& p,
    const std::function<bool(std::string_view activity_id)>& known) {
  if (auto s = CheckId("id", p.id); !s.ok()) return s;
  if (p.title.size() > kMaxTitleLength) {
    return common::InvalidFieldError(
        "title", common::StrCat("is longer than ", kMaxTitleLength, " bytes"));
  }
  if (!p.goal_id.empty()) {
    if (auto s = CheckId("goal_id", p.goal_id); !s.ok()) return s;
  }
  if (p.steps.empty()) {
    return common::InvalidFieldError("steps", "must have at least one step");
  }
  if (p.steps.size() > kMaxPathSteps) {
    return common::InvalidFieldError(
        "steps", common::StrCat("has more than ", kMaxPathSteps, " steps"));
  }
  for (size_t i = 0; i < p.steps.size(); ++i) {
    const PathStep& step = p.steps[i];
    const std::string field = common::StrCat("steps[", i, "]");
    if (auto s =
            CheckId(common::StrCat(field, ".activity_id"), step.activity_id);
        !s.ok()) {
      return s;
    }
    if (!known(step.activity_id)) {
      return common::InvalidFieldError(
          common::StrCat(field, ".activity_id"),
          common::StrCat("names an unknown activity \"", step.activity_id,
                         "\""));
    }
    if (step.mode > model::Mode::kBlended) {
      return common::InvalidFieldError(common::StrCat(field, ".mode"),
                                       "is not a known mode");
    }
    for (size_t k = 0; k < step.alternative_activity_ids.size(); ++k) {
      const std::string alt =
          common::StrCat(field, ".alternative_activity_ids[", k, "]");
      if (auto s = CheckId(alt, step.alternative_activity_ids[k]); !s.ok()) {
        return s;
      }
      if (!known(step.alternative_activity_ids[k])) {
        return common::InvalidFieldError(
            alt, common::StrCat("names an unknown activity \"",
                                step.alternative_activity_ids[k], "\""));
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const Catalogue>> Catalogue::Build(
    std::vector<Activity> activities, std::vector<LearningPath> paths) {
  auto c = std::shared_ptr<Catalogue>(new Catalogue());
  c->activities_ = std::move(activities);
  c->paths_ = std::move(paths);
  for (size_t i = 0; i < c->activities_.size(); ++i) {
    // One entry per id: what is known about a learner and an activity is
    // kept by id, so two entries would disagree about it.
    auto [it, added] = c->activity_index_.emplace(c->activities_[i].id, i);
    if (!added) {
      return common::InvalidFieldError(
          common::StrCat("activities[", i, "].id"),
          common::StrCat("repeats the id of activities[", it->second, "]"));
    }
    const Activity& a = c->activities_[i];
    if (!a.visible) continue;
    c->visible_.push_back(i);
    if (a.required) c->visible_required_.push_back(i);
    if (a.self_enrol) c->visible_self_enrol_.push_back(i);
    if (static_cast<size_t>(a.type) < c->visible_by_type_.size()) {
      c->visible_by_type_[static_cast<size_t>(a.type)].push_back(i);
    }
  }
  absl::flat_hash_map<std::string, uint32_t> topic_numbers;
  auto topic = [&topic_numbers](std::string key) {
    return topic_numbers
        .emplace(std::move(key), static_cast<uint32_t>(topic_numbers.size()))
        .first->second;
  };
  c->topics_.resize(c->activities_.size());
  c->paths_of_activity_.resize(c->activities_.size());
  for (size_t i = 0; i < c->activities_.size(); ++i) {
    const Activity& a = c->activities_[i];
    for (const std::string& comp : a.competencies) {
      c->topics_[i].push_back(topic(common::StrCat("c\n", comp)));
    }
    for (const std::string& goal : a.goal_ids) {
      c->topics_[i].push_back(topic(common::StrCat("g\n", goal)));
    }
  }
  c->visible_with_topic_.resize(topic_numbers.size());
  for (size_t i : c->visible_) {
    for (uint32_t t : c->topics_[i]) {
      std::vector<uint32_t>& with = c->visible_with_topic_[t];
      if (with.empty() || with.back() != i) {
        with.push_back(static_cast<uint32_t>(i));
      }
    }
  }
  auto known = [&c](std::string_view id) {
    return c->activity_index_.contains(Key(id));
  };
  for (size_t i = 0; i < c->paths_.size(); ++i) {
    const LearningPath& p = c->paths_[i];
    if (auto s = ValidatePath(p, known); !s.ok()) {
      return common::PrefixField(s, common::StrCat("paths[", i, "]."));
    }
    auto [at, added] = c->path_index_.emplace(p.id, i);
    if (!added) {
      return common::InvalidFieldError(
          common::StrCat("paths[", i, "].id"),
          common::StrCat("repeats the id of paths[", at->second, "]"));
    }
    auto index_of = [&c](const std::string& id) {
      return static_cast<uint32_t>(c->activity_index_.find(Key(id))->second);
    };
    std::vector<std::vector<uint32_t>>& steps =
        c->step_activities_.emplace_back();
    for (const PathStep& step : p.steps) {
      std::vector<uint32_t>& ids = steps.emplace_back();
      ids.push_back(index_of(step.activity_id));
      for (const auto& alt : step.alternative_activity_ids) {
        ids.push_back(index_of(alt));
      }
      // Each path once per activity, however many of its steps name it.
      for (uint32_t ai : ids) {
        std::vector<size_t>& of = c->paths_of_activity_[ai];
        if (of.empty() || of.back() != i) of.push_back(i);
      }
    }
  }
  return std::shared_ptr<const Catalogue>(std::move(c));
}

std::shared_ptr<const Catalogue> Catalogue::Empty() {
  static const auto* empty =
      new std::shared_ptr<const Catalogue>(*Build({}, {}));
  return *empty;
}

const Activity* Catalogue::FindActivity(std::string_view id) const {
  auto it = activity_index_.find(Key(id));
  return it == activity_index_.end() ? nullptr : &activities_[it->second];
}

const LearningPath* Catalogue::FindPath(std::string_view id) const {
  auto it = path_index_.find(Key(id));
  return it == path_index_.end() ? nullptr : &paths_[it->second];
}

const std::vector<size_t>& Catalogue::PathsWithActivity(
    std::string_view id) const {
  auto it = activity_index_.find(Key(id));
  return it == activity_index_.end() ? EmptyIndexes()
                                     : paths_of_activity_[it->second];
}

Catalogue::Composition Catalogue::Compose() const {
  Composition c;
  for (size_t i : visible_) {
    const Activity& a = activities_[i];
    ++c.visible;
    switch (a.mode) {
      case model::Mode::kStructured:
        ++c.structured;
        break;
      case model::Mode::kSelfDirected:
        ++c.self_directed;
        break;
      case model::Mode::kBlended:
        ++c.blended;
        break;
      default:
        break;
    }
    if (a.self_enrol) ++c.self_enrol;
    if (a.required) ++c.required;
    if (a.type == model::ObjectType::kCommunity ||
        a.type == model::ObjectType::kDiscussion ||
        a.type == model::ObjectType::kMentoring) {
      ++c.social;
    }
    if (a.type == model::ObjectType::kWorkAssignment) ++c.at_work;
  }
  return c;
}

// --- Catalogue files -------------------------------------------------------

namespace {

absl::Status FileError(std::string_view file, std::string_view field,
                       std::string_view message) {
  return absl::InvalidArgumentError(
      common::StrCat(file, ": ", field, ": ", message));
}

absl::StatusOr<std::string> ReadString(const YAML::Node& node,
                                       std::string_view file,
                                       std::string_view field) {
  if (!node || node.IsNull()) return std::string();
  if (!node.IsScalar()) return FileError(file, field, "must be a string");
  return node.as<std::string>();
}

absl::StatusOr<bool> ReadBool(const YAML::Node& node, bool fallback,
                              std::string_view file, std::string_view field) {
  if (!node || node.IsNull()) return fallback;
  bool v = false;
  if (!node.IsScalar() || !YAML::convert<bool>::decode(node, v)) {
    return FileError(file, field, "must be true or false");
  }
  return v;
}

absl::StatusOr<std::vector<std::string>> ReadList(const YAML::Node& node,
                                                  std::string_view file,
                                                  std::string_view field) {
  std::vector<std::string> out;
  if (!node || node.IsNull()) return out;
  if (!node.IsSequence()) return FileError(file, field, "must be a list");
  for (size_t i = 0; i < node.size(); ++i) {
    if (!node[i].IsScalar()) {
      return FileError(file, common::StrCat(field, "[", i, "]"),
                       "must be a string");
    }
    out.push_back(node[i].as<std::string>());
  }
  return out;
}

absl::StatusOr<model::Mode> ReadMode(const YAML::Node& node,
                                     std::string_view file,
                                     std::string_view field) {
  POLKU_ASSIGN_OR_RETURN(std::string s, ReadString(node, file, field));
  if (s.empty()) return model::Mode::kUnspecified;
  auto m = model::ParseMode(s);
  if (!m.has_value()) {
    return FileError(file, field,
                     common::StrCat("unknown mode \"", s,
                                    "\" (STRUCTURED, SELF_DIRECTED, BLENDED)"));
  }
  return *m;
}

}  // namespace

absl::StatusOr<CatalogueFile> ParseCatalogueYaml(std::string_view text,
                                                 std::string_view file) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(common::StrCat(
        file, ":", e.mark.line + 1, ":", e.mark.column + 1, ": ", e.msg));
  }
  if (!root.IsMap()) {
    return FileError(file, "(top level)",
                     "must be a mapping with activities and paths");
  }
  for (const auto& kv : root) {
    const std::string key = kv.first.as<std::string>();
    if (key != "activities" && key != "paths") {
      return FileError(file, key, "is not a known key (activities, paths)");
    }
  }
  CatalogueFile out;
  const YAML::Node acts = root["activities"];
  if (acts && !acts.IsSequence()) {
    return FileError(file, "activities", "must be a list");
  }
  for (size_t i = 0; acts && i < acts.size(); ++i) {
    const YAML::Node n = acts[i];
    const std::string at = common::StrCat("activities[", i, "]");
    if (!n.IsMap()) return FileError(file, at, "must be a mapping");
    Activity a;
    POLKU_ASSIGN_OR_RETURN(a.id, ReadString(n["id"], file, at + ".id"));
    POLKU_ASSIGN_OR_RETURN(a.title,
                           ReadString(n["title"], file, at + ".title"));
    POLKU_ASSIGN_OR_RETURN(a.url, ReadString(n["url"], file, at + ".url"));
    POLKU_ASSIGN_OR_RETURN(std::string type,
                           ReadString(n["type"], file, at + ".type"));
    if (!type.empty()) {
      auto t = model::ParseObjectType(type);
      if (!t.has_value()) {
        return FileError(file, at + ".type",
                         common::StrCat("unknown activity type \"", type,
                                        "\" (COURSE, COMMUNITY, ...)"));
      }
      a.type = *t;
    }
    POLKU_ASSIGN_OR_RETURN(a.visible,
                           ReadBool(n["visible"], true, file, at + ".visible"));
    POLKU_ASSIGN_OR_RETURN(
        a.required, ReadBool(n["required"], false, file, at + ".required"));
    POLKU_ASSIGN_OR_RETURN(a.self_enrol, ReadBool(n["self_enrol"], false, file,
                                                  at + ".self_enrol"));
    POLKU_ASSIGN_OR_RETURN(a.competencies, ReadList(n["competencies"], file,
                                                    at + ".competencies"));
    POLKU_ASSIGN_OR_RETURN(a.goal_ids,
                           ReadList(n["goal_ids"], file, at + ".goal_ids"));
    POLKU_ASSIGN_OR_RETURN(a.mode, ReadMode(n["mode"], file, at + ".mode"));
    if (auto s = ValidateActivity(a); !s.ok()) {
      return absl::InvalidArgumentError(
          common::StrCat(file, ": ", at, ".", std::string(s.message())));
    }
    out.activities.push_back(std::move(a));
  }
  const YAML::Node paths = root["paths"];
  if (paths && !paths.IsSequence()) {
    return FileError(file, "paths", "must be a list");
  }
  for (size_t i = 0; paths && i < paths.size(); ++i) {
    const YAML::Node n = paths[i];
    const std::string at = common::StrCat("paths[", i, "]");
    if (!n.IsMap()) return FileError(file, at, "must be a mapping");
    LearningPath p;
    POLKU_ASSIGN_OR_RETURN(p.id, ReadString(n["id"], file, at + ".id"));
    POLKU_ASSIGN_OR_RETURN(p.title,
                           ReadString(n["title"], file, at + ".title"));
    POLKU_ASSIGN_OR_RETURN(p.goal_id,
                           ReadString(n["goal_id"], file, at + ".goal_id"));
    const YAML::Node steps = n["steps"];
    if (steps && !steps.IsSequence()) {
      return FileError(file, at + ".steps", "must be a list");
    }
    for (size_t k = 0; steps && k < steps.size(); ++k) {
      const YAML::Node sn = steps[k];
      const std::string st = common::StrCat(at, ".steps[", k, "]");
      PathStep step;
      if (sn.IsScalar()) {
        step.activity_id = sn.as<std::string>();
      } else if (sn.IsMap()) {
        POLKU_ASSIGN_OR_RETURN(
            step.activity_id,
            ReadString(sn["activity"], file, st + ".activity"));
        POLKU_ASSIGN_OR_RETURN(step.mode,
                               ReadMode(sn["mode"], file, st + ".mode"));
        POLKU_ASSIGN_OR_RETURN(
            step.alternative_activity_ids,
            ReadList(sn["alternatives"], file, st + ".alternatives"));
        POLKU_ASSIGN_OR_RETURN(step.optional, ReadBool(sn["optional"], false,
                                                       file, st + ".optional"));
      } else {
        return FileError(file, st, "must be an activity id or a mapping");
      }
      p.steps.push_back(std::move(step));
    }
    out.paths.push_back(std::move(p));
  }
  // Path steps may name activities of this file; the caller checks the
  // rest against the stored catalogue.
  return out;
}

}  // namespace polku::learning
