#include "api/convert.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>

#include "api/grpc_status.h"
#include "common/field_error.h"
#include "common/str_cat.h"
#include "model/rules.h"

namespace polku::api {
namespace {

namespace v1 = ::polku::v1;
using common::InvalidFieldError;
using model::Tristate;

// Maps a wire enum to the core enum with the same numbering; values the
// core does not know are an error naming the field.
template <typename Core>
absl::StatusOr<Core> EnumFromWire(int value, std::string_view field) {
  if (value < 0 || value >= static_cast<int>(Core::kCount_)) {
    return InvalidFieldError(field, common::StrCat("unknown value ", value));
  }
  return static_cast<Core>(value);
}

Tristate FromOptional(bool has, bool value) {
  if (!has) return Tristate::kUnknown;
  return value ? Tristate::kYes : Tristate::kNo;
}

template <typename Setter>
void SetOptional(Tristate t, Setter set) {
  if (t != Tristate::kUnknown) set(t == Tristate::kYes);
}

void ToDimensionScores(const model::DimensionArray& a,
                       v1::DimensionScores* out) {
  out->set_initiative(a[0]);
  out->set_format(a[1]);
  out->set_setting(a[2]);
  out->set_social(a[3]);
  out->set_orientation(a[4]);
  out->set_goal_link(a[5]);
}

}  // namespace

absl::StatusOr<model::LearningEvent> FromProto(const v1::LearningEvent& in) {
  model::LearningEvent e;
  e.event_id = in.event_id();
  auto platform =
      EnumFromWire<model::Platform>(in.source().platform(), "source.platform");
  if (!platform.ok()) return platform.status();
  e.source.platform = *platform;
  e.source.instance = model::CanonicalInstance(in.source().instance());
  e.source.adapter_version = in.source().adapter_version();
  e.source.event_type = in.source().event_type();
  if (in.has_occurred_at()) {
    const auto& ts = in.occurred_at();
    if (ts.nanos() < 0 || ts.nanos() > 999999999 || ts.seconds() < 0 ||
        ts.seconds() > 253402300799) {
      return InvalidFieldError("occurred_at", "is not a valid timestamp");
    }
    e.occurred_at_ms = ts.seconds() * 1000 + ts.nanos() / 1000000;
  }
  e.learner.key = in.learner().key();
  e.learner.org_unit = in.learner().org_unit();
  e.learner.role = in.learner().role();
  auto initiator = EnumFromWire<model::Initiator>(in.initiator(), "initiator");
  if (!initiator.ok()) return initiator.status();
  e.initiator = *initiator;
  auto verb = EnumFromWire<model::Verb>(in.verb(), "verb");
  if (!verb.ok()) return verb.status();
  e.verb = *verb;
  e.verb_iri = in.verb_iri();
  auto type =
      EnumFromWire<model::ObjectType>(in.object().type(), "object.type");
  if (!type.ok()) return type.status();
  e.object.type = *type;
  e.object.id = in.object().id();
  e.object.name = in.object().name();
  const auto& c = in.context();
  e.context.course_id = c.course_id();
  e.context.parents.assign(c.parents().begin(), c.parents().end());
  auto method = EnumFromWire<model::EnrolmentMethod>(
      c.enrolment_method(), "context.enrolment_method");
  if (!method.ok()) return method.status();
  e.context.enrolment_method = *method;
  e.context.enrolment_mode = c.enrolment_mode();
  e.context.required = FromOptional(c.has_required(), c.required());
  e.context.graded = FromOptional(c.has_graded(), c.graded());
  e.context.has_due_date = FromOptional(c.has_has_due_date(), c.has_due_date());
  e.context.in_flow_of_work =
      FromOptional(c.has_in_flow_of_work(), c.in_flow_of_work());
  e.context.future_skill = FromOptional(c.has_future_skill(), c.future_skill());
  e.context.competencies.assign(c.competencies().begin(),
                                c.competencies().end());
  e.context.goal_ids.assign(c.goal_ids().begin(), c.goal_ids().end());
  e.context.org_unit = c.org_unit();
  const auto& r = in.result();
  e.result.completion = FromOptional(r.has_completion(), r.completion());
  e.result.success = FromOptional(r.has_success(), r.success());
  if (r.has_score_scaled()) e.result.score_scaled = r.score_scaled();
  if (r.has_duration()) {
    e.result.duration_ms =
        r.duration().seconds() * 1000 + r.duration().nanos() / 1000000;
  }
  for (const auto& [k, v] : in.extensions()) e.extensions.emplace(k, v);
  return e;
}

absl::StatusOr<ingest::SourceEvent> FromProto(const v1::SourceEvent& in) {
  ingest::SourceEvent s;
  auto format = EnumFromWire<ingest::SourceFormat>(in.format(), "format");
  if (!format.ok()) return format.status();
  s.format = *format;
  s.payload = in.payload();
  const auto& en = in.enrichment();
  s.enrichment.instance = en.instance();
  s.enrichment.adapter_version = en.adapter_version();
  s.enrichment.event_id = en.event_id();
  auto method = EnumFromWire<model::EnrolmentMethod>(
      en.enrolment_method(), "enrichment.enrolment_method");
  if (!method.ok()) return method.status();
  s.enrichment.enrolment_method = *method;
  s.enrichment.course_required =
      FromOptional(en.has_course_required(), en.course_required());
  s.enrichment.in_flow_of_work =
      FromOptional(en.has_in_flow_of_work(), en.in_flow_of_work());
  s.enrichment.future_skill =
      FromOptional(en.has_future_skill(), en.future_skill());
  s.enrichment.goal_ids.assign(en.goal_ids().begin(), en.goal_ids().end());
  s.enrichment.competencies.assign(en.competencies().begin(),
                                   en.competencies().end());
  s.enrichment.org_unit = en.org_unit();
  s.enrichment.learner_role = en.learner_role();
  for (const auto& [k, v] : en.extensions())
    s.enrichment.extensions.emplace(k, v);
  return s;
}

absl::StatusOr<ingest::IngestItem> FromProto(const v1::IngestItem& in) {
  switch (in.kind_case()) {
    case v1::IngestItem::kNative: {
      auto e = FromProto(in.native());
      if (!e.ok()) return common::PrefixField(e.status(), "native.");
      return ingest::IngestItem(std::move(*e));
    }
    case v1::IngestItem::kSource: {
      auto s = FromProto(in.source());
      if (!s.ok()) return common::PrefixField(s.status(), "source.");
      return ingest::IngestItem(std::move(*s));
    }
    default:
      return InvalidFieldError("kind", "set either native or source");
  }
}

void ToProto(const model::LearningEvent& in, v1::LearningEvent* out) {
  out->set_event_id(in.event_id);
  auto* src = out->mutable_source();
  src->set_platform(static_cast<v1::Platform>(in.source.platform));
  src->set_instance(in.source.instance);
  src->set_adapter_version(in.source.adapter_version);
  src->set_event_type(in.source.event_type);
  if (in.occurred_at_ms != 0) {
    *out->mutable_occurred_at() =
        google::protobuf::util::TimeUtil::MillisecondsToTimestamp(
            in.occurred_at_ms);
  }
  out->mutable_learner()->set_key(in.learner.key);
  out->mutable_learner()->set_org_unit(in.learner.org_unit);
  out->mutable_learner()->set_role(in.learner.role);
  out->set_initiator(static_cast<v1::Initiator>(in.initiator));
  out->set_verb(static_cast<v1::Verb>(in.verb));
  out->set_verb_iri(in.verb_iri);
  out->mutable_object()->set_type(static_cast<v1::ObjectType>(in.object.type));
  out->mutable_object()->set_id(in.object.id);
  out->mutable_object()->set_name(in.object.name);
  auto* c = out->mutable_context();
  c->set_course_id(in.context.course_id);
  for (const auto& p : in.context.parents) c->add_parents(p);
  c->set_enrolment_method(
      static_cast<v1::EnrolmentMethod>(in.context.enrolment_method));
  c->set_enrolment_mode(in.context.enrolment_mode);
  SetOptional(in.context.required, [&](bool v) { c->set_required(v); });
  SetOptional(in.context.graded, [&](bool v) { c->set_graded(v); });
  SetOptional(in.context.has_due_date, [&](bool v) { c->set_has_due_date(v); });
  SetOptional(in.context.in_flow_of_work,
              [&](bool v) { c->set_in_flow_of_work(v); });
  SetOptional(in.context.future_skill, [&](bool v) { c->set_future_skill(v); });
  for (const auto& x : in.context.competencies) c->add_competencies(x);
  for (const auto& x : in.context.goal_ids) c->add_goal_ids(x);
  c->set_org_unit(in.context.org_unit);
  auto* r = out->mutable_result();
  SetOptional(in.result.completion, [&](bool v) { r->set_completion(v); });
  SetOptional(in.result.success, [&](bool v) { r->set_success(v); });
  if (in.result.score_scaled) r->set_score_scaled(*in.result.score_scaled);
  if (in.result.duration_ms) {
    *r->mutable_duration() =
        google::protobuf::util::TimeUtil::MillisecondsToDuration(
            *in.result.duration_ms);
  }
  for (const auto& [k, v] : in.extensions) (*out->mutable_extensions())[k] = v;
}

void ToProto(const model::EventTags& in, std::string_view locale,
             v1::EventTags* out) {
  out->set_mode(static_cast<v1::Mode>(in.mode));
  out->set_confidence(in.confidence);
  ToDimensionScores(in.score, out->mutable_dimensions());
  ToDimensionScores(in.weight, out->mutable_weights());
  for (const model::Rule* rule : in.fired) {
    auto* ev = out->add_evidence();
    ev->set_rule_id(rule->id);
    ev->set_reason(rule->Reason(locale));
  }
}

v1::EventOutcome ToProto(ingest::Outcome outcome) {
  switch (outcome) {
    case ingest::Outcome::kAccepted:
      return v1::EVENT_OUTCOME_ACCEPTED;
    case ingest::Outcome::kDuplicate:
      return v1::EVENT_OUTCOME_DUPLICATE;
    case ingest::Outcome::kConflict:
      return v1::EVENT_OUTCOME_CONFLICT;
    case ingest::Outcome::kErased:
      return v1::EVENT_OUTCOME_ERASED;
    case ingest::Outcome::kRejected:
      return v1::EVENT_OUTCOME_REJECTED;
    case ingest::Outcome::kTagged:
      return v1::EVENT_OUTCOME_TAGGED;
  }
  return v1::EVENT_OUTCOME_UNSPECIFIED;
}

void ToProto(const ingest::EventResult& in, std::string_view locale,
             v1::EventResult* out) {
  out->set_item_index(static_cast<int>(in.item_index));
  out->set_event_id(in.event.event_id);
  out->set_outcome(ToProto(in.outcome));
  if (!in.error.ok()) ToEventError(in.error, out->mutable_error());
  if (in.outcome != ingest::Outcome::kRejected) {
    ToProto(in.tags, locale, out->mutable_tags());
  }
}

learning::Activity FromProto(const polku::v1::Activity& in) {
  learning::Activity a;
  a.id = in.id();
  a.title = in.title();
  a.url = in.url();
  a.type = static_cast<model::ObjectType>(std::clamp<int>(
      in.type(), 0, static_cast<int>(model::ObjectType::kCount_)));
  a.visible = in.visible();
  a.required = in.required();
  a.competencies.assign(in.competencies().begin(), in.competencies().end());
  a.goal_ids.assign(in.goal_ids().begin(), in.goal_ids().end());
  a.mode = static_cast<model::Mode>(std::clamp<int>(in.mode(), 0, 255));
  a.self_enrol = in.self_enrol();
  return a;
}

void ToProto(const learning::Activity& in, polku::v1::Activity* out) {
  out->set_id(in.id);
  out->set_title(in.title);
  out->set_url(in.url);
  out->set_type(static_cast<polku::v1::ObjectType>(in.type));
  out->set_visible(in.visible);
  out->set_required(in.required);
  for (const auto& c : in.competencies) out->add_competencies(c);
  for (const auto& g : in.goal_ids) out->add_goal_ids(g);
  out->set_mode(static_cast<polku::v1::Mode>(in.mode));
  out->set_self_enrol(in.self_enrol);
}

learning::LearningPath FromProto(const polku::v1::LearningPath& in) {
  learning::LearningPath p;
  p.id = in.id();
  p.title = in.title();
  p.goal_id = in.goal_id();
  for (const polku::v1::PathStep& s : in.steps()) {
    learning::PathStep step;
    step.activity_id = s.activity_id();
    step.mode = static_cast<model::Mode>(std::clamp<int>(s.mode(), 0, 255));
    step.alternative_activity_ids.assign(s.alternative_activity_ids().begin(),
                                         s.alternative_activity_ids().end());
    step.optional = s.optional();
    p.steps.push_back(std::move(step));
  }
  return p;
}

void ToProto(const learning::LearningPath& in, polku::v1::LearningPath* out) {
  out->set_id(in.id);
  out->set_title(in.title);
  out->set_goal_id(in.goal_id);
  for (const learning::PathStep& s : in.steps) {
    polku::v1::PathStep* step = out->add_steps();
    step->set_activity_id(s.activity_id);
    step->set_mode(static_cast<polku::v1::Mode>(s.mode));
    for (const auto& alt : s.alternative_activity_ids) {
      step->add_alternative_activity_ids(alt);
    }
    step->set_optional(s.optional);
  }
}

void ToProto(const model::DimensionArray& in, polku::v1::DimensionScores* out) {
  using model::Dimension;
  auto at = [&in](Dimension d) { return in[static_cast<size_t>(d)]; };
  out->set_initiative(at(Dimension::kInitiative));
  out->set_format(at(Dimension::kFormat));
  out->set_setting(at(Dimension::kSetting));
  out->set_social(at(Dimension::kSocial));
  out->set_orientation(at(Dimension::kOrientation));
  out->set_goal_link(at(Dimension::kGoalLink));
}

}  // namespace polku::api
