#include "model/rules.h"

#include <yaml-cpp/yaml.h>

#include <array>
#include <cmath>
#include <fstream>
#include <sstream>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "common/hashing.h"
#include "common/str_cat.h"

namespace polku::model {
namespace {

constexpr std::array<std::string_view, static_cast<size_t>(Fact::kCount_)>
    kFactNames = {"required",        "graded",       "has_due_date",
                  "in_flow_of_work", "future_skill", "completion",
                  "success",         "has_goal",     "has_competency",
                  "has_course"};

// Builds errors that say where in the file the problem is.
class Where {
 public:
  explicit Where(std::string_view origin) : origin_(origin) {}
  void SetRule(std::string rule) { rule_ = std::move(rule); }
  absl::Status Error(std::string_view key, std::string_view what) const {
    std::string msg = common::StrCat(origin_);
    if (!rule_.empty()) common::StrAppend(&msg, ": rule ", rule_);
    if (!key.empty()) common::StrAppend(&msg, ": key '", key, "'");
    common::StrAppend(&msg, ": ", what);
    return absl::InvalidArgumentError(msg);
  }

 private:
  std::string origin_;
  std::string rule_;
};

absl::Status CheckKeys(const YAML::Node& map,
                       std::initializer_list<std::string_view> allowed,
                       const Where& where, std::string_view parent) {
  if (!map.IsMap()) return where.Error(parent, "must be a mapping");
  for (const auto& kv : map) {
    std::string key = kv.first.as<std::string>();
    bool ok = false;
    for (std::string_view a : allowed) ok = ok || key == a;
    if (!ok) {
      std::string list;
      for (std::string_view a : allowed)
        common::StrAppend(&list, list.empty() ? "" : ", ", a);
      return where.Error(
          parent.empty() ? key : common::StrCat(parent, ".", key),
          common::StrCat("unknown key (expected one of: ", list, ")"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<double> GetDouble(const YAML::Node& node, const Where& where,
                                 std::string_view key) {
  double v;
  if (!node.IsScalar() || !YAML::convert<double>::decode(node, v) ||
      !std::isfinite(v)) {
    return where.Error(key, "must be a number");
  }
  return v;
}

// Parses a list of enum names into a bit mask using `parse`.
template <typename Parse>
absl::StatusOr<uint64_t> EnumMask(const YAML::Node& node, Parse parse,
                                  const Where& where, std::string_view key) {
  // Collect the names first: assigning to a copy of a yaml-cpp node would
  // rewrite the node it shares data with.
  std::vector<std::string> names;
  if (node.IsScalar()) {
    names.push_back(node.as<std::string>());
  } else if (node.IsSequence()) {
    for (const auto& item : node) {
      names.push_back(item.IsScalar() ? item.as<std::string>() : "");
    }
  }
  if (names.empty())
    return where.Error(key, "must be a non-empty list of names");
  uint64_t mask = 0;
  for (const std::string& name : names) {
    auto value = parse(name);
    if (!value.has_value() || static_cast<int>(*value) == 0) {
      return where.Error(key, common::StrCat("unknown value '", name, "'"));
    }
    mask |= uint64_t{1} << static_cast<int>(*value);
  }
  return mask;
}

absl::StatusOr<bool> GetBool(const YAML::Node& node, const Where& where,
                             std::string_view key) {
  bool v;
  if (!node.IsScalar() || !YAML::convert<bool>::decode(node, v)) {
    return where.Error(key, "must be true or false");
  }
  return v;
}

absl::Status ParseCondition(const YAML::Node& when, Rule& rule,
                            const Where& where) {
  if (!when.IsMap()) return where.Error("when", "must be a mapping");
  for (const auto& kv : when) {
    const std::string key = kv.first.as<std::string>();
    const std::string path = common::StrCat("when.", key);
    const YAML::Node& v = kv.second;
    absl::StatusOr<uint64_t> mask;
    if (key == "platform") {
      mask = EnumMask(v, ParsePlatform, where, path);
      if (mask.ok()) rule.platform_mask = *mask;
    } else if (key == "verb") {
      mask = EnumMask(v, ParseVerb, where, path);
      if (mask.ok()) rule.verb_mask = *mask;
    } else if (key == "object_type") {
      mask = EnumMask(v, ParseObjectType, where, path);
      if (mask.ok()) rule.object_type_mask = *mask;
    } else if (key == "initiator") {
      mask = EnumMask(v, ParseInitiator, where, path);
      if (mask.ok()) rule.initiator_mask = *mask;
    } else if (key == "enrolment_method") {
      mask = EnumMask(v, ParseEnrolmentMethod, where, path);
      if (mask.ok()) rule.enrolment_method_mask = *mask;
    } else if (key == "event_type" || key == "extension") {
      if (!(v.IsSequence() || v.IsScalar()) ||
          (v.IsSequence() && v.size() == 0)) {
        return where.Error(path,
                           "must be a string or a non-empty list of strings");
      }
      auto& set = key == "event_type" ? rule.event_types : rule.extension_keys;
      if (v.IsScalar()) {
        set.insert(v.as<std::string>());
      } else {
        for (const auto& item : v) {
          if (!item.IsScalar()) return where.Error(path, "must list strings");
          set.insert(item.as<std::string>());
        }
      }
      continue;
    } else {
      bool is_fact = false;
      for (size_t f = 0; f < kFactNames.size(); ++f) {
        if (key != kFactNames[f]) continue;
        is_fact = true;
        auto b = GetBool(v, where, path);
        if (!b.ok()) return b.status();
        (*b ? rule.facts_true : rule.facts_false) |= uint32_t{1} << f;
      }
      if (!is_fact) {
        return where.Error(path,
                           "unknown condition (expected platform, verb, "
                           "object_type, initiator, enrolment_method, "
                           "event_type, extension or a fact such as required)");
      }
      continue;
    }
    if (!mask.ok()) return mask.status();
  }
  return absl::OkStatus();
}

absl::Status ParseRule(const YAML::Node& node, size_t index, Rule& rule,
                       Where& where) {
  where.SetRule(common::StrCat("#", index + 1));
  if (!node.IsMap()) return where.Error("", "must be a mapping");
  if (node["id"] && node["id"].IsScalar()) {
    rule.id = node["id"].as<std::string>();
    where.SetRule(common::StrCat("'", rule.id, "'"));
  }
  if (rule.id.empty()) return where.Error("id", "is required");
  if (auto s = CheckKeys(
          node, {"id", "description", "when", "score", "weight", "reason"},
          where, "");
      !s.ok()) {
    return s;
  }
  if (node["description"])
    rule.description = node["description"].as<std::string>();
  if (!node["when"]) return where.Error("when", "is required");
  if (auto s = ParseCondition(node["when"], rule, where); !s.ok()) return s;

  const YAML::Node score = node["score"];
  if (!score || !score.IsMap() || score.size() == 0) {
    return where.Error("score",
                       "is required: a mapping of dimension to [-1, 1]");
  }
  for (const auto& kv : score) {
    std::string dim_name = kv.first.as<std::string>();
    auto dim = ParseDimension(dim_name);
    std::string path = common::StrCat("score.", dim_name);
    if (!dim.has_value()) {
      return where.Error(path,
                         "unknown dimension (expected initiative, format, "
                         "setting, social, orientation or goal_link)");
    }
    auto v = GetDouble(kv.second, where, path);
    if (!v.ok()) return v.status();
    if (*v < -1.0 || *v > 1.0) return where.Error(path, "must lie in [-1, 1]");
    rule.scores[static_cast<size_t>(*dim)] = *v;
    rule.scores_mask |= static_cast<uint8_t>(1u << static_cast<int>(*dim));
  }
  if (node["weight"]) {
    auto w = GetDouble(node["weight"], where, "weight");
    if (!w.ok()) return w.status();
    if (*w <= 0 || *w > 10) return where.Error("weight", "must lie in (0, 10]");
    rule.weight = *w;
  }
  const YAML::Node reason = node["reason"];
  if (!reason || !reason.IsMap()) {
    return where.Error("reason", "is required: {en: ..., fi: ...}");
  }
  if (auto s = CheckKeys(reason, {"en", "fi"}, where, "reason"); !s.ok())
    return s;
  if (!reason["en"] || reason["en"].as<std::string>().empty()) {
    return where.Error("reason.en", "is required");
  }
  if (!reason["fi"] || reason["fi"].as<std::string>().empty()) {
    return where.Error("reason.fi", "is required");
  }
  rule.reason_en = reason["en"].as<std::string>();
  rule.reason_fi = reason["fi"].as<std::string>();
  return absl::OkStatus();
}

}  // namespace

std::string_view FactName(Fact f) {
  size_t i = static_cast<size_t>(f);
  return i < kFactNames.size() ? kFactNames[i] : "";
}

absl::StatusOr<std::shared_ptr<const RuleSet>> RuleSet::Parse(
    std::string_view yaml_text, std::string_view origin) {
  Where where(origin);
  std::shared_ptr<RuleSet> set(new RuleSet());
  set->origin_ = std::string(origin);
  set->digest_ = common::Sha256Hex(yaml_text);
  try {
    YAML::Node root = YAML::Load(std::string(yaml_text));
    if (!root.IsMap())
      return where.Error("", "the file must be a YAML mapping");
    if (auto s = CheckKeys(
            root, {"version", "mode", "dimension_weights", "rules"}, where, "");
        !s.ok()) {
      return s;
    }
    if (!root["version"] || !root["version"].IsScalar() ||
        root["version"].as<std::string>() != "1") {
      return where.Error("version", "must be 1");
    }
    if (const YAML::Node mode = root["mode"]) {
      if (auto s = CheckKeys(mode, {"threshold", "confidence_weight"}, where,
                             "mode");
          !s.ok()) {
        return s;
      }
      if (mode["threshold"]) {
        auto v = GetDouble(mode["threshold"], where, "mode.threshold");
        if (!v.ok()) return v.status();
        if (*v <= 0 || *v >= 1)
          return where.Error("mode.threshold", "must lie in (0, 1)");
        set->mode_.threshold = *v;
      }
      if (mode["confidence_weight"]) {
        auto v = GetDouble(mode["confidence_weight"], where,
                           "mode.confidence_weight");
        if (!v.ok()) return v.status();
        if (*v <= 0)
          return where.Error("mode.confidence_weight", "must be positive");
        set->mode_.confidence_weight = *v;
      }
    }
    if (const YAML::Node dw = root["dimension_weights"]) {
      if (!dw.IsMap())
        return where.Error("dimension_weights", "must be a mapping");
      for (const auto& kv : dw) {
        std::string name = kv.first.as<std::string>();
        std::string path = common::StrCat("dimension_weights.", name);
        auto dim = ParseDimension(name);
        if (!dim.has_value()) return where.Error(path, "unknown dimension");
        auto v = GetDouble(kv.second, where, path);
        if (!v.ok()) return v.status();
        if (*v < 0) return where.Error(path, "must not be negative");
        set->dimension_weights_[static_cast<size_t>(*dim)] = *v;
      }
    }
    const YAML::Node rules = root["rules"];
    if (!rules || !rules.IsSequence() || rules.size() == 0) {
      return where.Error("rules", "is required: a non-empty list");
    }
    absl::flat_hash_set<std::string> ids;
    set->rules_.resize(rules.size());
    for (size_t i = 0; i < rules.size(); ++i) {
      if (auto s = ParseRule(rules[i], i, set->rules_[i], where); !s.ok())
        return s;
      if (!ids.insert(set->rules_[i].id).second) {
        return where.Error("id", "is used by an earlier rule");
      }
    }
  } catch (const YAML::Exception& e) {
    return where.Error(
        "", common::StrCat("YAML error at line ", e.mark.line + 1, ", column ",
                           e.mark.column + 1, ": ", e.msg));
  }
  return std::shared_ptr<const RuleSet>(std::move(set));
}

absl::StatusOr<std::shared_ptr<const RuleSet>> RuleSet::Load(
    const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(common::StrCat(path, ": cannot be read"));
  std::stringstream buf;
  buf << in.rdbuf();
  return Parse(buf.str(), path);
}

}  // namespace polku::model
