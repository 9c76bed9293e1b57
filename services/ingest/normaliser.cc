#include "ingest/normaliser.h"

#include <array>

#include "common/str_cat.h"
#include "common/strings.h"
#include "ingest/json_util.h"

namespace polku::ingest {
namespace {
constexpr std::array<std::string_view,
                     static_cast<size_t>(SourceFormat::kCount_)>
    kFormatNames = {"UNSPECIFIED", "MOODLE",           "XAPI",
                    "CALIPER",     "OPENEDX_TRACKING", "OPENEDX_SIGNAL"};
}  // namespace

std::string_view SourceFormatName(SourceFormat f) {
  return kFormatNames[static_cast<size_t>(f)];
}

std::optional<SourceFormat> ParseSourceFormat(std::string_view s) {
  for (size_t i = 0; i < kFormatNames.size(); ++i) {
    if (common::EqualsIgnoreCase(kFormatNames[i], s)) {
      return static_cast<SourceFormat>(i);
    }
  }
  return std::nullopt;
}

SourceFormat DetectFormat(std::string_view payload) {
  auto root = ParseJson(payload);
  if (!root.ok()) return SourceFormat::kUnspecified;
  JsonElement e = *root;
  JsonArray arr;
  if (!e.get_array().get(arr)) {
    // An array of xAPI statements (or of Caliper events).
    for (JsonElement first : arr) {
      e = first;
      break;
    }
  }
  if (Member(e, "eventname")) return SourceFormat::kMoodle;
  if (Member(e, "actor") && Member(e, "verb")) return SourceFormat::kXapi;
  if (Member(e, "sensor") || Member(e, "@context"))
    return SourceFormat::kCaliper;
  if (Member(e, "signal")) return SourceFormat::kOpenEdxSignal;
  if (Member(e, "name") && (Member(e, "data") || Member(e, "event")) &&
      Member(e, "context")) {
    return SourceFormat::kOpenEdxTracking;
  }
  if (Member(e, "type") && Member(e, "action") && Member(e, "actor")) {
    return SourceFormat::kCaliper;
  }
  return SourceFormat::kUnspecified;
}

absl::Status Normalise(std::string_view tenant, const SourceEvent& source,
                       std::vector<model::LearningEvent>& out) {
  SourceFormat format = source.format;
  if (format == SourceFormat::kUnspecified)
    format = DetectFormat(source.payload);
  switch (format) {
    case SourceFormat::kMoodle:
      return NormaliseMoodle(tenant, source, out);
    case SourceFormat::kXapi:
      return NormaliseXapi(tenant, source, out);
    case SourceFormat::kCaliper:
      return NormaliseCaliper(tenant, source, out);
    case SourceFormat::kOpenEdxTracking:
      return NormaliseOpenEdxTracking(tenant, source, out);
    case SourceFormat::kOpenEdxSignal:
      return NormaliseOpenEdxSignal(tenant, source, out);
    default:
      break;
  }
  if (auto root = ParseJson(source.payload); !root.ok()) return root.status();
  return absl::InvalidArgumentError(
      "format: is unspecified and the payload matches no known source format");
}

void ApplyEnrichment(const Enrichment& en, model::LearningEvent& e) {
  if (!en.adapter_version.empty())
    e.source.adapter_version = en.adapter_version;
  if (!en.org_unit.empty()) {
    e.learner.org_unit = en.org_unit;
    e.context.org_unit = en.org_unit;
  }
  if (!en.learner_role.empty()) e.learner.role = en.learner_role;
  if (en.course_required != model::Tristate::kUnknown) {
    e.context.required = en.course_required;
  }
  if (en.in_flow_of_work != model::Tristate::kUnknown) {
    e.context.in_flow_of_work = en.in_flow_of_work;
  }
  if (en.future_skill != model::Tristate::kUnknown) {
    e.context.future_skill = en.future_skill;
  }
  if (e.context.enrolment_method == model::EnrolmentMethod::kUnspecified) {
    e.context.enrolment_method = en.enrolment_method;
  }
  for (const auto& g : en.goal_ids) e.context.goal_ids.push_back(g);
  for (const auto& c : en.competencies) e.context.competencies.push_back(c);
  for (const auto& [k, v] : en.extensions) e.extensions.emplace(k, v);
}

}  // namespace polku::ingest
