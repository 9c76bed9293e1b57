#include "learning/profile.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "common/json_writer.h"
#include "common/str_cat.h"
#include "model/rules.h"

namespace polku::learning {
namespace {

constexpr double kMsPerDay = 86400000.0;

using model::Dimension;
using model::ObjectType;
using model::Verb;

size_t Index(Signal s) { return static_cast<size_t>(s); }
size_t Index(Dimension d) { return static_cast<size_t>(d); }

bool IsCompletion(Verb v) {
  return v == Verb::kCompleted || v == Verb::kPassed || v == Verb::kAchieved;
}

bool IsFormalUnit(ObjectType t) {
  switch (t) {
    case ObjectType::kCourse:
    case ObjectType::kModule:
    case ObjectType::kAssessment:
    case ObjectType::kAssignment:
    case ObjectType::kCertificate:
    case ObjectType::kProgram:
    case ObjectType::kLiveSession:
      return true;
    default:
      return false;
  }
}

bool IsSocialVerb(Verb v) {
  return v == Verb::kPosted || v == Verb::kReplied || v == Verb::kCommented ||
         v == Verb::kShared || v == Verb::kMentored;
}

bool IsReflection(const model::LearningEvent& e) {
  if (e.verb == Verb::kReflected) return true;
  const bool made = e.verb == Verb::kCreated || e.verb == Verb::kUpdated;
  switch (e.object.type) {
    case ObjectType::kReflection:
    case ObjectType::kEvidence:
    case ObjectType::kNote:
    case ObjectType::kLearningPlan:
    case ObjectType::kBlog:
      return made;
    default:
      return false;
  }
}

// Little-endian binary writer/reader for EncodeProfile.
class Writer {
 public:
  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void I64(int64_t v) {
    char b[8];
    std::memcpy(b, &v, 8);
    out_.append(b, 8);
  }
  void F64(double v) {
    char b[8];
    std::memcpy(b, &v, 8);
    out_.append(b, 8);
  }
  void Str(std::string_view s) {
    I64(static_cast<int64_t>(s.size()));
    out_.append(s.data(), s.size());
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool done() const { return in_.empty(); }
  uint8_t U8() {
    if (!Need(1)) return 0;
    uint8_t v = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return v;
  }
  int64_t I64() {
    if (!Need(8)) return 0;
    int64_t v;
    std::memcpy(&v, in_.data(), 8);
    in_.remove_prefix(8);
    return v;
  }
  double F64() {
    if (!Need(8)) return 0;
    double v;
    std::memcpy(&v, in_.data(), 8);
    in_.remove_prefix(8);
    return v;
  }
  std::string Str() {
    int64_t n = I64();
    if (!ok_ || n < 0 || static_cast<uint64_t>(n) > in_.size()) {
      ok_ = false;
      return {};
    }
    std::string s(in_.substr(0, static_cast<size_t>(n)));
    in_.remove_prefix(static_cast<size_t>(n));
    return s;
  }

 private:
  bool Need(size_t n) {
    if (!ok_ || in_.size() < n) {
      ok_ = false;
      return false;
    }
    return true;
  }
  std::string_view in_;
  bool ok_ = true;
};

constexpr uint8_t kEncodingVersion = 1;

}  // namespace

std::string_view SignalName(Signal s) {
  switch (s) {
    case Signal::kActivity:
      return "activity";
    case Signal::kCompletion:
      return "completion";
    case Signal::kFormalCompletion:
      return "formal_completion";
    case Signal::kSocial:
      return "social";
    case Signal::kReflection:
      return "reflection";
    case Signal::kAssigned:
      return "assigned";
    case Signal::kSelfChosen:
      return "self_chosen";
    case Signal::kReactive:
      return "reactive";
    case Signal::kProactive:
      return "proactive";
    case Signal::kAtWork:
      return "at_work";
    case Signal::kRequired:
      return "required";
    case Signal::kGoalLinked:
      return "goal_linked";
    case Signal::kSelfDirected:
      return "self_directed";
    case Signal::kSelfDirectedGoalLinked:
      return "self_directed_goal_linked";
    case Signal::kCount_:
      break;
  }
  return "unknown";
}

bool Latest::IsOlderThan(const Latest& other) const {
  if (at_ms != other.at_ms) return at_ms < other.at_ms;
  return event_id < other.event_id;
}

double GrowthFactor(const ProfileConfig& config, int64_t at_ms) {
  const double days = static_cast<double>(at_ms - config.epoch_ms) / kMsPerDay;
  return std::exp2(days / config.half_life_days);
}

void ProfileSums::Add(const ProfileSums& o) {
  for (size_t d = 0; d < model::kDimensionCount; ++d) {
    score_sum[d] += o.score_sum[d];
    weight_sum[d] += o.weight_sum[d];
  }
  leadership += o.leadership;
  development += o.development;
  for (size_t i = 0; i < kSignalCount; ++i) {
    signals[i] += o.signals[i];
    counts[i] += o.counts[i];
  }
}

void ProfileSums::Subtract(const ProfileSums& o) {
  for (size_t d = 0; d < model::kDimensionCount; ++d) {
    score_sum[d] -= o.score_sum[d];
    weight_sum[d] -= o.weight_sum[d];
  }
  leadership -= o.leadership;
  development -= o.development;
  for (size_t i = 0; i < kSignalCount; ++i) {
    signals[i] -= o.signals[i];
    counts[i] -= o.counts[i];
  }
}

ProfileDelta MakeDelta(const ProfileConfig& config,
                       const model::LearningEvent& event,
                       const model::EventTags& tags) {
  ProfileDelta d;
  const double g = GrowthFactor(config, event.occurred_at_ms);
  d.growth = g;
  d.occurred_at_ms = event.occurred_at_ms;
  d.event_id = event.event_id;
  d.object_id = event.object.id;
  d.org_unit = event.learner.org_unit;
  d.role = event.learner.role;
  for (size_t i = 0; i < model::kDimensionCount; ++i) {
    const double w = tags.weight[i];
    const double s = tags.score[i];
    d.sums.score_sum[i] = g * w * s;
    d.sums.weight_sum[i] = g * w;
    if (s > 0) d.sums.leadership += g * w * s;
    if (s < 0) d.sums.development += g * w * -s;
  }
  auto score = [&](Dimension dim) { return tags.score[Index(dim)]; };
  auto& has = d.has;
  has[Index(Signal::kActivity)] = true;
  has[Index(Signal::kCompletion)] = IsCompletion(event.verb);
  has[Index(Signal::kFormalCompletion)] =
      IsCompletion(event.verb) && IsFormalUnit(event.object.type);
  has[Index(Signal::kSocial)] =
      IsSocialVerb(event.verb) || score(Dimension::kSocial) > 0;
  has[Index(Signal::kReflection)] = IsReflection(event);
  has[Index(Signal::kAssigned)] = score(Dimension::kInitiative) < 0;
  has[Index(Signal::kSelfChosen)] = score(Dimension::kInitiative) > 0;
  has[Index(Signal::kReactive)] = score(Dimension::kOrientation) < 0;
  has[Index(Signal::kProactive)] = score(Dimension::kOrientation) > 0;
  has[Index(Signal::kAtWork)] = score(Dimension::kSetting) > 0;
  has[Index(Signal::kRequired)] =
      event.context.required == model::Tristate::kYes;
  has[Index(Signal::kGoalLinked)] = score(Dimension::kGoalLink) > 0;
  has[Index(Signal::kSelfDirected)] = tags.mode == model::Mode::kSelfDirected;
  has[Index(Signal::kSelfDirectedGoalLinked)] =
      has[Index(Signal::kSelfDirected)] && has[Index(Signal::kGoalLinked)];
  for (size_t i = 0; i < kSignalCount; ++i) {
    if (!has[i]) continue;
    d.sums.signals[i] = g;
    d.sums.counts[i] = 1;
  }
  d.rule_ids.reserve(tags.fired.size());
  for (const model::Rule* r : tags.fired) d.rule_ids.push_back(r->id);
  return d;
}

void Profile::Add(const ProfileDelta& delta) {
  sums.Add(delta.sums);
  Latest candidate;
  candidate.at_ms = delta.occurred_at_ms;
  candidate.event_id = delta.event_id;
  for (size_t i = 0; i < kSignalCount; ++i) {
    if (!delta.has[i] || !latest[i].IsOlderThan(candidate)) continue;
    latest[i].at_ms = delta.occurred_at_ms;
    latest[i].event_id = delta.event_id;
    latest[i].object_id = delta.object_id;
    latest[i].rule_ids = delta.rule_ids;
  }
  if (first_event_ms == 0 || delta.occurred_at_ms < first_event_ms) {
    first_event_ms = delta.occurred_at_ms;
  }
  last_event_ms = std::max(last_event_ms, delta.occurred_at_ms);
  // Org unit and role: the most recent event that names them wins (ties by
  // the larger value, so the result does not depend on arrival order).
  if (!delta.org_unit.empty() &&
      (delta.occurred_at_ms > org_unit_at_ms ||
       (delta.occurred_at_ms == org_unit_at_ms && delta.org_unit > org_unit))) {
    org_unit = delta.org_unit;
    org_unit_at_ms = delta.occurred_at_ms;
  }
  if (!delta.role.empty() &&
      (delta.occurred_at_ms > role_at_ms ||
       (delta.occurred_at_ms == role_at_ms && delta.role > role))) {
    role = delta.role;
    role_at_ms = delta.occurred_at_ms;
  }
}

std::string_view BandPositionName(BandPosition p) {
  switch (p) {
    case BandPosition::kBelow:
      return "below";
    case BandPosition::kInside:
      return "inside";
    case BandPosition::kAbove:
      return "above";
    case BandPosition::kUnknown:
      break;
  }
  return "unknown";
}

BandPosition PositionOf(const ProfileConfig& config, double balance,
                        double total_weight) {
  if (total_weight < config.min_weight) return BandPosition::kUnknown;
  if (balance < config.band_low) return BandPosition::kBelow;
  if (balance > config.band_high) return BandPosition::kAbove;
  return BandPosition::kInside;
}

ProfileView ViewAt(const ProfileConfig& config, const Profile& profile,
                   int64_t now_ms) {
  ProfileView v;
  const double decay = 1.0 / GrowthFactor(config, now_ms);
  for (size_t d = 0; d < model::kDimensionCount; ++d) {
    const double w = profile.sums.weight_sum[d];
    v.weight[d] = w * decay;
    v.mean[d] =
        w > 0 ? std::clamp(profile.sums.score_sum[d] / w, -1.0, 1.0) : 0.0;
  }
  const double total = profile.sums.leadership + profile.sums.development;
  v.total_weight = total * decay;
  v.balance = total > 0 ? profile.sums.leadership / total : 0.0;
  for (size_t i = 0; i < kSignalCount; ++i) {
    v.signals[i] = profile.sums.signals[i] * decay;
  }
  v.position = PositionOf(config, v.balance, v.total_weight);
  return v;
}

std::string EncodeProfile(const Profile& p) {
  Writer w;
  w.U8(kEncodingVersion);
  w.U8(static_cast<uint8_t>(model::kDimensionCount));
  w.U8(static_cast<uint8_t>(kSignalCount));
  for (size_t d = 0; d < model::kDimensionCount; ++d) {
    w.F64(p.sums.score_sum[d]);
    w.F64(p.sums.weight_sum[d]);
  }
  w.F64(p.sums.leadership);
  w.F64(p.sums.development);
  for (size_t i = 0; i < kSignalCount; ++i) {
    w.F64(p.sums.signals[i]);
    w.I64(p.sums.counts[i]);
    const Latest& l = p.latest[i];
    w.I64(l.at_ms);
    w.Str(l.event_id);
    w.Str(l.object_id);
    w.I64(static_cast<int64_t>(l.rule_ids.size()));
    for (const auto& r : l.rule_ids) w.Str(r);
  }
  w.I64(p.first_event_ms);
  w.I64(p.last_event_ms);
  w.Str(p.org_unit);
  w.I64(p.org_unit_at_ms);
  w.Str(p.role);
  w.I64(p.role_at_ms);
  return w.Take();
}

absl::StatusOr<Profile> DecodeProfile(std::string_view blob) {
  Reader r(blob);
  Profile p;
  const uint8_t version = r.U8();
  const uint8_t dims = r.U8();
  const uint8_t signals = r.U8();
  if (!r.ok() || version != kEncodingVersion ||
      dims != model::kDimensionCount || signals > kSignalCount) {
    return absl::DataLossError(
        common::StrCat("profile blob: unknown encoding (version ",
                       static_cast<int>(version), ")"));
  }
  for (size_t d = 0; d < model::kDimensionCount; ++d) {
    p.sums.score_sum[d] = r.F64();
    p.sums.weight_sum[d] = r.F64();
  }
  p.sums.leadership = r.F64();
  p.sums.development = r.F64();
  for (size_t i = 0; i < signals; ++i) {
    p.sums.signals[i] = r.F64();
    p.sums.counts[i] = r.I64();
    Latest& l = p.latest[i];
    l.at_ms = r.I64();
    l.event_id = r.Str();
    l.object_id = r.Str();
    const int64_t n = r.I64();
    if (!r.ok() || n < 0 || n > 4096) break;
    for (int64_t k = 0; k < n && r.ok(); ++k) l.rule_ids.push_back(r.Str());
  }
  p.first_event_ms = r.I64();
  p.last_event_ms = r.I64();
  p.org_unit = r.Str();
  p.org_unit_at_ms = r.I64();
  p.role = r.Str();
  p.role_at_ms = r.I64();
  if (!r.ok() || !r.done()) {
    return absl::DataLossError("profile blob: truncated or malformed");
  }
  return p;
}

std::string ProfileJson(const ProfileConfig& config, const Profile& profile,
                        int64_t now_ms) {
  const ProfileView v = ViewAt(config, profile, now_ms);
  common::JsonWriter w;
  w.BeginObject();
  w.Key("balance");
  w.Double(v.balance);
  w.Key("band");
  w.BeginObject();
  w.Key("low");
  w.Double(config.band_low);
  w.Key("high");
  w.Double(config.band_high);
  w.Key("position");
  w.String(BandPositionName(v.position));
  w.EndObject();
  w.Key("dimensions");
  w.BeginObject();
  for (model::Dimension d : model::kAllDimensions) {
    w.Key(model::DimensionName(d));
    w.BeginObject();
    w.Key("mean");
    w.Double(v.mean[Index(d)]);
    w.Key("weight");
    w.Double(v.weight[Index(d)]);
    w.EndObject();
  }
  w.EndObject();
  w.Key("signals");
  w.BeginObject();
  for (size_t i = 0; i < kSignalCount; ++i) {
    const Signal s = static_cast<Signal>(i);
    w.Key(SignalName(s));
    w.BeginObject();
    w.Key("count");
    w.Int(profile.sums.counts[i]);
    w.Key("decayed");
    w.Double(v.signals[i]);
    if (profile.latest[i].at_ms != 0) {
      w.Key("latest_event_id");
      w.String(profile.latest[i].event_id);
      w.Key("latest_object_id");
      w.String(profile.latest[i].object_id);
      w.Key("latest_at_ms");
      w.Int(profile.latest[i].at_ms);
    }
    w.EndObject();
  }
  w.EndObject();
  w.Key("first_event_ms");
  w.Int(profile.first_event_ms);
  w.Key("last_event_ms");
  w.Int(profile.last_event_ms);
  w.Key("org_unit");
  w.String(profile.org_unit);
  w.Key("role");
  w.String(profile.role);
  w.EndObject();
  return w.Take();
}

}  // namespace polku::learning
