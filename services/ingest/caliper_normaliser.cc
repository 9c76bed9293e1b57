// NormaliseCaliper: IMS Caliper 1.1 and 1.2 events to LearningEvents.
//
// A payload is one event, an array of events, or an envelope
// {sensor, sendTime, dataVersion, data: [...]}. An envelope (or array) is
// taken whole or not at all; an error names the entry
// ("payload.data[3].actor: ..."). Entities in data[] (Caliper lets a sensor
// describe entities apart from events) are skipped when the envelope also
// holds events, and an envelope of entities only is rejected.
//
// Mapping:
//   verb      the action through the table of xapi_vocabulary.h, with the
//             event type deciding where it changes the meaning: every
//             MediaEvent is INTERACTED except Ended (COMPLETED when played
//             to the end); SessionEvent, ResourceManagementEvent and
//             SurveyInvitationEvent are administration; Event/Activated and
//             Deactivated on a CourseOffering, CourseSection or Membership
//             are ENROLLED and UNENROLLED (as Open edX emits enrolments);
//             Event/Viewed of an Annotation (Open edX hints and answers) is
//             ASKED about an ASSESSMENT; a GradeEvent whose actor is the
//             learner (Open edX problem_check) is the learner's SUBMITTED
//             answer, otherwise GRADED.
//   object    the entity type (CourseOffering -> COURSE, Assessment ->
//             ASSESSMENT, VideoObject -> VIDEO...), refined for generic types
//             by the platform's IRI structure; a Membership stands for its
//             organization, a graded Attempt for its assignable.
//   learner   actor.id "<base>/user/<id>" (or "/users/") ->
//             LearnerKey(base, id); any other IRI with a host ->
//             LearnerKey(origin, path); a URN -> LearnerKey(instance, URN).
//             When the membership member (or a graded attempt's assignee) is
//             someone else than the actor, that member is the learner and
//             the initiator is STAFF (a Person acted) or SYSTEM (software).
//   context   course from the object, its isPartOf chain (also Open edX's
//             extensions.isPartOf) or the event's group; Open edX enrolment
//             mode from object.extensions.mode; graded yes for a GRADED verb
//             and for an object or parent in a Moodle quiz or assignment
//             (IsGradedMoodleModule), as the other normalisers decide.
//   result    Completed -> completion; generated Score -> score_scaled
//             (scoreGiven / maxScore) and success; generated Attempt
//             duration.
// Nothing personal is kept: names, session ids, user agents and extensions
// are never copied.
#include <algorithm>

#include "common/field_error.h"
#include "common/hashing.h"
#include "common/status_macros.h"
#include "common/str_cat.h"
#include "common/strings.h"
#include "ingest/json_util.h"
#include "ingest/normaliser.h"
#include "ingest/xapi_vocabulary.h"
#include "model/event_codec.h"

namespace polku::ingest {
namespace {

using model::Initiator;
using model::ObjectType;
using model::Tristate;
using model::Verb;
using statement_internal::CheckIri;
using statement_internal::FieldPrefix;
using statement_internal::Got;
using statement_internal::Invalid;
using statement_internal::IriCheck;
using statement_internal::IriError;
using statement_internal::ReadIri;
using statement_internal::ReadNumber;
using statement_internal::ReadObject;
using statement_internal::ReadString;
using statement_internal::Unmapped;

constexpr size_t kMaxParents = 16;
constexpr int kMaxIsPartOfDepth = 8;

// An entity given as an object {id, type, ...} or as its IRI alone.
struct EntityRef {
  JsonElement element;  // the object, when given as one
  bool is_object = false;
  std::string_view id;
  std::string_view type;
};

// A field path in three parts, joined only when an error names it.
struct PathParts {
  std::string_view a, b = {}, c = {};
  std::string Join(std::string_view leaf = {}) const {
    return common::StrCat(a, b, c, leaf);
  }
};

// Reads the entity at `key` of `parent`. Absent is OK (id empty) unless
// `required`; an entity object needs an IRI id when `required`.
absl::Status ReadEntity(JsonElement parent, std::string_view key, bool required,
                        const FieldPrefix& at, const PathParts& field,
                        EntityRef* out) {
  *out = EntityRef{};
  auto m = Member(parent, key);
  if (!m.has_value()) {
    return required ? Invalid(at, field.Join(), "is required")
                    : absl::OkStatus();
  }
  std::string_view iri;
  if (!m->get_string().get(iri)) {
    if (iri.size() > kMaxIriLength || !IsAbsoluteIri(iri)) {
      return Invalid(at, field.Join(), "must be an entity or its IRI");
    }
    out->id = iri;
    return absl::OkStatus();
  }
  if (!m->is_object()) {
    return Invalid(at, field.Join(), "must be an entity object or an IRI");
  }
  out->element = *m;
  out->is_object = true;
  if (ReadString(*m, "type", &out->type) == Got::kWrongType) {
    return Invalid(at, field.Join(".type"), "must be a string");
  }
  Got got = ReadString(*m, "id", &out->id);
  if (IriCheck c = CheckIri(got, out->id, required); c != IriCheck::kOk) {
    return IriError(at, field.Join(".id"), c, out->id);
  }
  return absl::OkStatus();
}

// The entity reference in an entity's property (or in its "extensions",
// where Open edX puts isPartOf, assignable and assignee).
absl::Status ReadProperty(const EntityRef& entity, std::string_view key,
                          const FieldPrefix& at, std::string_view field,
                          EntityRef* out) {
  *out = EntityRef{};
  if (!entity.is_object) return absl::OkStatus();
  if (Member(entity.element, key).has_value()) {
    return ReadEntity(entity.element, key, /*required=*/false, at,
                      PathParts{field, ".", key}, out);
  }
  if (auto ext = Member(entity.element, "extensions");
      ext.has_value() && Member(*ext, key).has_value()) {
    return ReadEntity(*ext, key, /*required=*/false, at,
                      PathParts{field, ".extensions.", key}, out);
  }
  return absl::OkStatus();
}

bool IsCourseEntity(std::string_view type) {
  return type == "CourseOffering" || type == "CourseSection";
}

// The learner key, and the instance it is formed under, for a person IRI.
struct PersonKey {
  std::string key;
  std::string instance;
};

PersonKey PersonKeyFor(std::string_view iri, const SourceEvent& source,
                       std::string_view ed_app) {
  PersonKey out;
  std::string_view origin = IriOrigin(iri);
  if (!origin.empty()) {
    for (std::string_view marker : {"/user/", "/users/"}) {
      size_t pos = iri.find(marker, origin.size());
      if (pos == std::string_view::npos) continue;
      std::string_view id = iri.substr(pos + marker.size());
      while (!id.empty() && id.back() == '/') id.remove_suffix(1);
      if (id.empty()) continue;
      std::string_view base = iri.substr(0, pos);
      out.instance = model::CanonicalInstance(base);
      out.key = model::LearnerKey(base, id);
      return out;
    }
    std::string_view path = iri.substr(origin.size());
    while (!path.empty() && path.front() == '/') path.remove_prefix(1);
    out.instance = model::CanonicalInstance(origin);
    out.key = model::LearnerKey(origin, path.empty() ? iri : path);
    return out;
  }
  // A URN ("urn:instructure:canvas:user:21"): under the LMS the adapter or
  // the event names.
  if (!source.enrichment.instance.empty()) {
    out.instance = model::CanonicalInstance(source.enrichment.instance);
  } else if (!ed_app.empty()) {
    out.instance = model::CanonicalInstance(
        IriOrigin(ed_app).empty() ? ed_app : IriOrigin(ed_app));
  } else {
    out.instance = "caliper";
  }
  out.key = model::LearnerKey(out.instance, iri);
  return out;
}

// An entry of data[] is an event when it has an action or an event type.
bool IsEvent(JsonElement e) {
  if (Member(e, "action").has_value()) return true;
  std::string_view type;
  if (ReadString(e, "type", &type) != Got::kOk) return false;
  return type == "Event" || common::EndsWith(type, "Event");
}

std::optional<int64_t> DurationMs(JsonElement entity, std::string_view key) {
  std::string_view text;
  if (ReadString(entity, key, &text) != Got::kOk) return std::nullopt;
  return ParseIsoDuration(text);
}

// Maps one event. Caliper events carry their own id, so no id is derived
// (and no tenant is needed).
absl::Status NormaliseEvent(const SourceEvent& source, JsonElement ev,
                            const FieldPrefix& at, model::LearningEvent& e) {
  if (!ev.is_object()) return Invalid(at, "", "must be a Caliper event object");

  if (auto context = Member(ev, "@context"); context.has_value()) {
    if (!context->is_string() && !context->is_array() &&
        !context->is_object()) {
      return Invalid(at, "@context", "must be a string, array or object");
    }
  }
  std::string_view type, action, id, event_time;
  for (auto [key, value] :
       {std::pair<std::string_view, std::string_view*>{"type", &type},
        {"action", &action},
        {"id", &id},
        {"eventTime", &event_time}}) {
    switch (ReadString(ev, key, value)) {
      case Got::kAbsent:
        return Invalid(at, key, "is required");
      case Got::kWrongType:
        return Invalid(at, key, "must be a string");
      case Got::kOk:
        break;
    }
  }
  if (type.empty() || type.size() > 64) {
    return Invalid(at, "type", "must be a Caliper event type");
  }
  if (action.empty() || action.size() > 128) {
    return Invalid(at, "action", "must be a Caliper action");
  }
  constexpr std::string_view kUrnUuid = "urn:uuid:";
  if (id.size() != kUrnUuid.size() + 36 ||
      !common::EqualsIgnoreCase(id.substr(0, kUrnUuid.size()), kUrnUuid) ||
      !common::IsUuid(id.substr(kUrnUuid.size()))) {
    return Invalid(at, "id", "must be a urn:uuid: URN");
  }
  int64_t occurred_at_ms = 0;
  POLKU_RETURN_IF_ERROR(statement_internal::ParseTime(
      event_time, at, "eventTime", &occurred_at_ms));

  EntityRef actor, object, group, membership, ed_app, generated, target;
  POLKU_RETURN_IF_ERROR(ReadEntity(ev, "actor", /*required=*/true, at,
                                   PathParts{"actor"}, &actor));
  POLKU_RETURN_IF_ERROR(ReadEntity(ev, "object", /*required=*/true, at,
                                   PathParts{"object"}, &object));
  POLKU_RETURN_IF_ERROR(ReadEntity(ev, "group", /*required=*/false, at,
                                   PathParts{"group"}, &group));
  POLKU_RETURN_IF_ERROR(ReadEntity(ev, "membership", /*required=*/false, at,
                                   PathParts{"membership"}, &membership));
  POLKU_RETURN_IF_ERROR(ReadEntity(ev, "edApp", /*required=*/false, at,
                                   PathParts{"edApp"}, &ed_app));
  // generated and target may be blank nodes ("_:score"): only their
  // properties are read.
  if (auto g = Member(ev, "generated"); g.has_value()) {
    if (!g->is_object() && !g->is_string()) {
      return Invalid(at, "generated", "must be an entity or its IRI");
    }
    generated.element = *g;
    generated.is_object = g->is_object();
    // Open edX wraps the Score: "generated": {"score": {...}}.
    if (generated.is_object && !Member(*g, "type").has_value()) {
      if (auto score = Member(*g, "score");
          score.has_value() && score->is_object()) {
        generated.element = *score;
      }
    }
    if (generated.is_object &&
        ReadString(*g, "type", &generated.type) == Got::kWrongType) {
      return Invalid(at, "generated.type", "must be a string");
    }
  }
  if (auto t = Member(ev, "target"); t.has_value()) {
    if (!t->is_object() && !t->is_string()) {
      return Invalid(at, "target", "must be an entity or its IRI");
    }
    target.element = *t;
    target.is_object = t->is_object();
  }

  // The learner: the actor, or the member / assignee the actor acted on.
  std::string_view actor_type = actor.type;
  bool actor_is_person = actor_type.empty() || actor_type == "Person";
  const EntityRef original_object = object;
  std::string_view original_object_type = object.type;
  EntityRef subject;
  if (object.type == "Membership") {
    EntityRef member, organization;
    POLKU_RETURN_IF_ERROR(
        ReadProperty(object, "member", at, "object", &member));
    POLKU_RETURN_IF_ERROR(
        ReadProperty(object, "organization", at, "object", &organization));
    subject = member;
    if (!organization.id.empty()) {
      object = organization;  // enrolled in the organization (a course)
      if (object.type.empty()) object.type = "CourseOffering";
    }
  } else if (!membership.id.empty()) {
    POLKU_RETURN_IF_ERROR(
        ReadProperty(membership, "member", at, "membership", &subject));
  }
  if (object.type == "Attempt") {
    EntityRef assignee, assignable;
    POLKU_RETURN_IF_ERROR(
        ReadProperty(object, "assignee", at, "object", &assignee));
    POLKU_RETURN_IF_ERROR(
        ReadProperty(object, "assignable", at, "object", &assignable));
    if (subject.id.empty()) subject = assignee;
    // The attempt's id names the learner; the assessment is the object.
    if (!assignable.id.empty()) {
      object = assignable;
      if (object.type.empty()) object.type = "Assessment";
    }
  }

  // The verb.
  VerbInfo info = LookupCaliperAction(action);
  ActivityTypeInfo type_info = LookupCaliperEntityType(object.type);
  ObjectType object_type = RefinedObjectType(type_info, object.id);
  std::string event_type = common::StrCat(type, ":", action);
  auto not_learning = [&] {
    return Unmapped(at, "action",
                    common::StrCat("not a learning activity: ", event_type));
  };
  if (type == "SessionEvent" || type == "ResourceManagementEvent" ||
      type == "SurveyInvitationEvent") {
    return not_learning();
  }
  Verb verb = Verb::kUnspecified;
  switch (info.rule) {
    case VerbRule::kUnknown:
    case VerbRule::kVoided:
      return Unmapped(at, "action",
                      common::StrCat("Caliper event is not mapped: ",
                                     event_type.substr(0, 128)));
    case VerbRule::kAdministrative:
    case VerbRule::kNotLearning:
    case VerbRule::kRegister:
    case VerbRule::kJoin:
    case VerbRule::kLeave:
    case VerbRule::kAssigned:
      return not_learning();
    case VerbRule::kDirect:
      verb = info.verb;
      break;
    case VerbRule::kCreate:
      if (object_type == ObjectType::kDiscussion) {
        verb = Verb::kPosted;
      } else if (IsLearnerArtefact(object_type)) {
        verb = Verb::kCreated;
      } else {
        return not_learning();
      }
      break;
    case VerbRule::kUpdate:
      if (!IsLearnerArtefact(object_type) &&
          object_type != ObjectType::kDiscussion) {
        return not_learning();
      }
      verb = Verb::kUpdated;
      break;
    case VerbRule::kPosted: {
      EntityRef reply_to;
      POLKU_RETURN_IF_ERROR(
          ReadProperty(object, "replyTo", at, "object", &reply_to));
      verb = reply_to.id.empty() ? Verb::kPosted : Verb::kReplied;
      break;
    }
    case VerbRule::kCompleted:
      verb = Verb::kCompleted;
      break;
    case VerbRule::kInitialized:
    case VerbRule::kResumed:
      verb = Verb::kStarted;
      break;
    case VerbRule::kTerminated:
    case VerbRule::kSuspended:
    case VerbRule::kProgressed:
      verb = Verb::kInteracted;
      break;
    case VerbRule::kActivated:
    case VerbRule::kDeactivated:
      if (object_type != ObjectType::kCourse) return not_learning();
      verb = info.rule == VerbRule::kActivated ? Verb::kEnrolled
                                               : Verb::kUnenrolled;
      break;
    case VerbRule::kEnded: {
      // Open edX sends Ended both for a completed video and for a stop
      // before the end (target.currentTime < object.duration).
      verb = Verb::kCompleted;
      if (target.is_object && object.is_object) {
        auto position = DurationMs(target.element, "currentTime");
        auto length = DurationMs(object.element, "duration");
        if (position.has_value() && length.has_value() && *position < *length) {
          verb = Verb::kInteracted;
        }
      }
      break;
    }
  }
  if (type == "MediaEvent" && verb != Verb::kCompleted) {
    verb = Verb::kInteracted;  // playing, pausing, seeking, captions...
  }
  if (type == "Event" && verb == Verb::kViewed &&
      common::EndsWith(original_object_type, "Annotation")) {
    // Open edX: a hint or the answer of a problem displayed.
    verb = Verb::kAsked;
    object_type = ObjectType::kAssessment;
  }
  if (verb == Verb::kSearched) object_type = ObjectType::kSearch;

  // Who: the learner and the initiator.
  Initiator initiator = Initiator::kSelf;
  std::string_view learner_iri = actor.id;
  if (!subject.id.empty() && subject.id != actor.id) {
    learner_iri = subject.id;
    initiator = actor_is_person ? Initiator::kStaff : Initiator::kSystem;
  } else if (!actor_is_person) {
    return Unmapped(at, "actor",
                    common::StrCat("a ", actor_type.substr(0, 64),
                                   " actor names no learner (no membership "
                                   "member or attempt assignee)"));
  }
  // Open edX sends a checked problem as a GradeEvent whose actor is the
  // learner: that is the learner's scored submission (problem_check), not a
  // grade someone gave.
  if (type == "GradeEvent" && verb == Verb::kGraded &&
      learner_iri == actor.id) {
    verb = Verb::kSubmitted;
  }
  if (verb == Verb::kEnrolled || verb == Verb::kUnenrolled) {
    Initiator by_method =
        InitiatorForEnrolmentMethod(source.enrichment.enrolment_method);
    if (by_method != Initiator::kUnspecified) initiator = by_method;
  }
  PersonKey person = PersonKeyFor(learner_iri, source, ed_app.id);

  e.source.platform = model::Platform::kCaliper;
  e.source.instance = std::move(person.instance);
  e.source.event_type = std::move(event_type);
  e.occurred_at_ms = occurred_at_ms;
  e.learner.key = std::move(person.key);
  e.initiator = initiator;
  e.verb = verb;
  e.object.type = object_type;
  e.object.id = CanonicalObjectId(object.id);
  if (e.object.id.empty()) {
    // e.g. "http://#local": an IRI with nothing left once scheme and
    // fragment are dropped cannot identify an activity.
    return Invalid(at, "object.id", "names no host or path");
  }
  if (object.is_object && MayKeepObjectName(object_type) &&
      !type_info.is_person) {
    std::string_view name;
    if (ReadString(object.element, "name", &name) == Got::kOk &&
        name.size() <= 256) {
      e.object.name = std::string(name);
    }
  }

  // Context: the course and the enclosing activities.
  std::vector<std::string> parents;  // innermost first
  std::string course_id;
  if (object_type == ObjectType::kCourse) course_id = e.object.id;
  // isPartOf of the object, else of the entity it stands for (a graded
  // attempt's course when its assignable names none).
  EntityRef part_of;
  POLKU_RETURN_IF_ERROR(
      ReadProperty(object, "isPartOf", at, "object", &part_of));
  if (part_of.id.empty() && original_object.is_object) {
    POLKU_RETURN_IF_ERROR(
        ReadProperty(original_object, "isPartOf", at, "object", &part_of));
  }
  for (int depth = 0; depth < kMaxIsPartOfDepth && !part_of.id.empty();
       ++depth) {
    if (parents.size() < kMaxParents) {
      parents.push_back(CanonicalObjectId(part_of.id));
    }
    if (IsCourseEntity(part_of.type) &&
        (course_id.empty() || part_of.type == "CourseOffering")) {
      course_id = CanonicalObjectId(part_of.id);
    }
    // Up the chain: isPartOf, else a section's subOrganizationOf.
    EntityRef next;
    POLKU_RETURN_IF_ERROR(
        ReadProperty(part_of, "isPartOf", at, "object", &next));
    if (next.id.empty()) {
      POLKU_RETURN_IF_ERROR(
          ReadProperty(part_of, "subOrganizationOf", at, "object", &next));
    }
    part_of = next;
  }
  if (course_id.empty() && !group.id.empty() && IsCourseEntity(group.type)) {
    EntityRef offering;
    POLKU_RETURN_IF_ERROR(
        ReadProperty(group, "subOrganizationOf", at, "group", &offering));
    course_id = CanonicalObjectId(IsCourseEntity(offering.type) ? offering.id
                                                                : group.id);
  }
  e.context.course_id = std::move(course_id);
  e.context.parents.assign(parents.rbegin(), parents.rend());
  // Whether the activity is graded: a grade was given, or the object is in
  // a Moodle quiz or assignment (as the Moodle and xAPI normalisers decide).
  bool graded = verb == Verb::kGraded ||
                IsGradedMoodleModule(MoodleModuleOfIri(e.object.id));
  for (const std::string& parent : e.context.parents) {
    graded = graded || IsGradedMoodleModule(MoodleModuleOfIri(parent));
  }
  if (graded) e.context.graded = Tristate::kYes;
  if ((verb == Verb::kEnrolled || verb == Verb::kUnenrolled) &&
      object.is_object) {
    if (auto ext = Member(object.element, "extensions"); ext.has_value()) {
      std::string_view mode;
      if (ReadString(*ext, "mode", &mode) == Got::kOk && mode.size() <= 64) {
        e.context.enrolment_mode = std::string(mode);
      }
    }
  }

  // Result.
  if (verb == Verb::kCompleted) e.result.completion = Tristate::kYes;
  if (generated.is_object) {
    double given = 0, max = 0;
    Got got_given = ReadNumber(generated.element, "scoreGiven", &given);
    Got got_max = ReadNumber(generated.element, "maxScore", &max);
    if (got_given == Got::kWrongType) {
      return Invalid(at, "generated.scoreGiven", "must be a number");
    }
    if (got_max == Got::kWrongType) {
      return Invalid(at, "generated.maxScore", "must be a number");
    }
    if (got_given == Got::kOk && got_max == Got::kOk && max > 0 && given >= 0 &&
        given <= max) {
      e.result.score_scaled = given / max;
    }
    // Open edX: generated.extensions.success "True" / "False".
    if (auto ext = Member(generated.element, "extensions"); ext.has_value()) {
      if (auto success = Member(*ext, "success"); success.has_value()) {
        bool b;
        std::string_view s;
        if (!success->get_bool().get(b)) {
          e.result.success = b ? Tristate::kYes : Tristate::kNo;
        } else if (!success->get_string().get(s)) {
          if (common::EqualsIgnoreCase(s, "true")) {
            e.result.success = Tristate::kYes;
          } else if (common::EqualsIgnoreCase(s, "false")) {
            e.result.success = Tristate::kNo;
          }
        }
      }
    }
    if (auto duration = DurationMs(generated.element, "duration");
        duration.has_value()) {
      e.result.duration_ms = *duration;
    }
  }

  e.event_id = common::AsciiToLower(id.substr(kUrnUuid.size()));
  ApplyEnrichment(source.enrichment, e);
  return absl::OkStatus();
}

// Normalises `events` (an array) all or nothing; entities are skipped when
// `skip_entities`.
absl::Status NormaliseList(const SourceEvent& source, JsonArray events,
                           std::string_view base, bool skip_entities,
                           std::vector<model::LearningEvent>& out) {
  const size_t start = out.size();
  int64_t index = 0;
  for (JsonElement element : events) {
    FieldPrefix at(base, index);
    if (!element.is_object()) {
      out.resize(start);
      return Invalid(at, "", "must be a Caliper event or entity object");
    }
    if (skip_entities && !IsEvent(element)) {
      ++index;
      continue;
    }
    absl::Status s = NormaliseEvent(source, element, at, out.emplace_back());
    if (!s.ok()) {
      out.resize(start);
      return s;
    }
    ++index;
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status NormaliseCaliper(std::string_view /*tenant*/,
                              const SourceEvent& source,
                              std::vector<model::LearningEvent>& out) {
  POLKU_ASSIGN_OR_RETURN(JsonElement root, ParseJson(source.payload));
  JsonArray events;
  if (!root.get_array().get(events)) {
    if (events.size() == 0) {
      return common::InvalidFieldError("payload", "is an empty array");
    }
    return NormaliseList(source, events, "payload",
                         /*skip_entities=*/false, out);
  }
  if (!root.is_object()) {
    return common::InvalidFieldError("payload",
                                     "must be a Caliper event or envelope");
  }
  if (!Member(root, "data").has_value() &&
      !Member(root, "sensor").has_value()) {
    const size_t start = out.size();
    absl::Status s =
        NormaliseEvent(source, root, FieldPrefix(), out.emplace_back());
    if (!s.ok()) out.resize(start);
    return s;
  }
  // An envelope.
  const FieldPrefix at;
  std::string_view text;
  switch (ReadString(root, "sensor", &text)) {
    case Got::kAbsent:
      return Invalid(at, "sensor", "is required");
    case Got::kWrongType:
      return Invalid(at, "sensor", "must be a string");
    case Got::kOk:
      break;
  }
  if (ReadString(root, "dataVersion", &text) == Got::kWrongType) {
    return Invalid(at, "dataVersion", "must be a string");
  }
  switch (ReadString(root, "sendTime", &text)) {
    case Got::kWrongType:
      return Invalid(at, "sendTime", "must be a string");
    case Got::kOk: {
      int64_t unused;
      POLKU_RETURN_IF_ERROR(
          statement_internal::ParseTime(text, at, "sendTime", &unused));
      break;
    }
    case Got::kAbsent:
      break;
  }
  auto data = Member(root, "data");
  if (!data.has_value()) return Invalid(at, "data", "is required");
  if (data->get_array().get(events)) {
    return Invalid(at, "data", "must be an array");
  }
  if (events.size() == 0) return Invalid(at, "data", "is empty");
  bool any_event = false;
  int64_t index = 0;
  for (JsonElement element : events) {
    if (!element.is_object()) {
      return Invalid(FieldPrefix("payload.data", index), "",
                     "must be a Caliper event or entity object");
    }
    any_event = any_event || IsEvent(element);
    ++index;
  }
  if (!any_event) {
    return Invalid(at, "data",
                   "holds only entities and no event (an entity alone is "
                   "not a learning event)");
  }
  return NormaliseList(source, events, "payload.data",
                       /*skip_entities=*/true, out);
}

}  // namespace polku::ingest
