#include "learning/recommender.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <unordered_map>

#include "common/hashing.h"
#include "common/str_cat.h"
#include "learning/texts.h"

namespace polku::learning {
namespace {

constexpr double kMsPerDay = 86400000.0;
constexpr int kPropensityDraws = 64;

using model::Mode;
using model::ObjectType;

constexpr size_t kObjectTypeCount = static_cast<size_t>(ObjectType::kCount_);

size_t S(Signal s) { return static_cast<size_t>(s); }

// One candidate before ranking. The strings it points to (catalogue,
// profile, literals) outlive the Recommend call that makes it: a
// catalogue can offer thousands of candidates, and only k are served.
struct Candidate {
  NudgeKind kind = NudgeKind::kUnspecified;
  std::string_view target_id;
  bool target_is_path = false;
  // The target's index in the catalogue's activities (or paths).
  uint32_t target_index = 0;
  std::string_view title;
  std::string_view context;  // path title, course just finished
  double relevance = 0;
  // Where the target moves the balance: +1 toward learning leadership,
  // -1 toward competence development, 0 neither or both.
  double direction = 0;
  std::string_view reason_code;
  const Latest* evidence = nullptr;
};

double DirectionOfMode(Mode m) {
  switch (m) {
    case Mode::kSelfDirected:
      return 1;
    case Mode::kStructured:
      return -1;
    default:
      return 0;
  }
}

// A self-contained random stream, so results do not depend on the
// standard library's distribution implementations. The generator is
// xoshiro256** with its state filled by SplitMix64 (Blackman and Vigna):
// a request seeds 65 streams and draws about a hundred numbers from each,
// and a Mersenne Twister spent more on seeding and refilling its 312-word
// state than the ranking itself.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (uint64_t& word : s_) {
      seed += 0x9e3779b97f4a7c15ULL;
      uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      word = z ^ (z >> 31);
    }
  }
  uint64_t Next() {
    const uint64_t result = RotateLeft(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = RotateLeft(s_[3], 45);
    return result;
  }
  double Uniform() {  // (0, 1)
    return (static_cast<double>(Next() >> 11) + 0.5) * 0x1.0p-53;
  }
  // Box and Muller: a pair of uniforms gives two independent normals; the
  // second is kept for the next call.
  double Normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double r = std::sqrt(-2.0 * std::log(Uniform()));
    const double theta = 2.0 * M_PI * Uniform();
    spare_ = r * std::sin(theta);
    has_spare_ = true;
    return r * std::cos(theta);
  }
  // Marsaglia and Tsang's method; shape >= 1 here (Beta(1 + s, 1 + f)).
  double Gamma(double shape) {
    if (shape < 1) {
      return Gamma(shape + 1) * std::pow(Uniform(), 1.0 / shape);
    }
    const double d = shape - 1.0 / 3.0;
    const double c = 1.0 / std::sqrt(9.0 * d);
    for (;;) {
      double x;
      double v;
      do {
        x = Normal();
        v = 1.0 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const double u = Uniform();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (std::log(u) < 0.5 * x * x + d * (1 - v + std::log(v))) return d * v;
    }
  }
  double Beta(double a, double b) {
    const double x = Gamma(a);
    const double y = Gamma(b);
    return x / (x + y);
  }

 private:
  static uint64_t RotateLeft(uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
  }
  std::array<uint64_t, 4> s_;
  double spare_ = 0;
  bool has_spare_ = false;
};

class Generator {
 public:
  // `view` is the learner's profile as of in.now_ms (default without one).
  Generator(const RecommenderConfig& config, const RecommendInput& in,
            const ProfileView& view)
      : config_(config),
        in_(in),
        catalogue_(*in.catalogue),
        view_(view),
        marks_(catalogue_.activities().size(), 0) {
    // What the learner did with each catalogue activity, by index, so the
    // scans over every visible activity below hash no ids.
    for (const auto& [id, touch] : in_.touched) {
      if (const Activity* a = catalogue_.FindActivity(id)) {
        const size_t i = catalogue_.IndexOf(*a);
        marks_[i] |=
            kTouchedMark | (touch.completed_ms != 0 ? kCompletedMark : 0);
        touched_.push_back(i);
      }
    }
    for (const std::string& id : in_.dismissed) {
      if (const Activity* a = catalogue_.FindActivity(id)) {
        marks_[catalogue_.IndexOf(*a)] |= kDismissedMark;
      }
    }
    // Every required activity not completed is a candidate (a tenth of a
    // large catalogue); the other kinds add a few dozen at most.
    out_.reserve(catalogue_.VisibleRequired().size() + 64);
  }

  std::vector<Candidate> Run() {
    Paths();
    if (in_.profile != nullptr) {
      ApplyAtWork();
      ShareWithCommunity();
      Reflect();
      ExploreFutureSkill();
      ChooseYourNextStep();
    }
    Required();
    Similar();
    Goals();
    return std::move(out_);
  }

 private:
  static constexpr uint8_t kTouchedMark = 1;
  static constexpr uint8_t kCompletedMark = 2;
  static constexpr uint8_t kDismissedMark = 4;

  uint8_t MarksOf(const Activity& a) const {
    return marks_[catalogue_.IndexOf(a)];
  }
  bool Touched(const Activity& a) const {
    return (MarksOf(a) & kTouchedMark) != 0;
  }
  // A visible activity the learner has not completed nor dismissed.
  const Activity* Offerable(std::string_view id) const {
    const Activity* a = catalogue_.FindActivity(id);
    return a != nullptr && Offerable(*a) ? a : nullptr;
  }
  bool Offerable(const Activity& a) const {
    return a.visible && (MarksOf(a) & (kCompletedMark | kDismissedMark)) == 0;
  }
  const Latest* LatestOf(Signal s) const {
    if (in_.profile == nullptr) return nullptr;
    const Latest& l = in_.profile->latest[S(s)];
    return l.at_ms == 0 ? nullptr : &l;
  }
  double Signals(Signal s) const { return view_.signals[S(s)]; }
  int64_t Count(Signal s) const {
    return in_.profile == nullptr ? 0 : in_.profile->sums.counts[S(s)];
  }

  void Add(NudgeKind kind, const Activity& a, double relevance,
           std::string_view reason, const Latest* evidence,
           std::string_view context = {}) {
    Candidate c;
    c.kind = kind;
    c.target_id = a.id;
    c.target_index = static_cast<uint32_t>(catalogue_.IndexOf(a));
    c.title = a.title.empty() ? a.id : a.title;
    c.context = context;
    c.relevance = relevance;
    c.direction = DirectionOfMode(a.mode);
    c.reason_code = reason;
    c.evidence = evidence;
    out_.push_back(std::move(c));
  }

  // The activities that share a competency or a goal with `ref`, scored
  // by overlap (0 when none).
  double Overlap(const Activity* ref, const Activity& a) const {
    if (ref == nullptr) return 0;
    const std::vector<uint32_t>& theirs =
        catalogue_.TopicsOf(catalogue_.IndexOf(*ref));
    if (theirs.empty()) return 0;
    double n = 0;
    for (uint32_t t : catalogue_.TopicsOf(catalogue_.IndexOf(a))) {
      n += static_cast<double>(std::count(theirs.begin(), theirs.end(), t));
    }
    return n;
  }

  // Best few offerable activities of the given types, related to `ref`
  // first, untouched before touched.
  std::vector<const Activity*> OfTypes(std::initializer_list<ObjectType> types,
                                       const Activity* ref, size_t limit,
                                       bool self_enrol_only = false) const {
    if (limit == 0) return {};
    // The best `limit` by rank; among equal ranks, the first in catalogue
    // order.
    std::vector<std::pair<double, const Activity*>> best;
    auto consider = [&](size_t i, double overlap) {
      const Activity& a = catalogue_.activities()[i];
      if (self_enrol_only && !a.self_enrol) return;
      if (!Offerable(a)) return;
      const double rank = overlap * 2 + (Touched(a) ? 0 : 1);
      if (best.size() == limit && !(rank > best.back().first)) return;
      auto at = std::find_if(best.begin(), best.end(),
                             [rank](const auto& x) { return rank > x.first; });
      best.emplace(at, rank, &a);
      if (best.size() > limit) best.pop_back();
    };
    // Only an activity sharing a topic with `ref` ranks above 1: those
    // are found through the catalogue's topic lists and considered first,
    // in catalogue order.
    std::vector<uint32_t> related;
    if (ref != nullptr) {
      for (uint32_t t : catalogue_.TopicsOf(catalogue_.IndexOf(*ref))) {
        const std::vector<uint32_t>& with = catalogue_.VisibleWithTopic(t);
        related.insert(related.end(), with.begin(), with.end());
      }
      std::sort(related.begin(), related.end());
      related.erase(std::unique(related.begin(), related.end()), related.end());
      for (uint32_t i : related) {
        const ObjectType type = catalogue_.activities()[i].type;
        if (types.size() == 0 ||
            std::find(types.begin(), types.end(), type) != types.end()) {
          consider(i, Overlap(ref, catalogue_.activities()[i]));
        }
      }
    }
    // Then the others (rank 1 untouched, 0 touched) in catalogue order,
    // until the best `limit` all rank 1 or more: no later one can displace
    // them.
    auto settled = [&] {
      return best.size() == limit && best.back().first >= 1;
    };
    auto consider_unrelated = [&](size_t i) {
      if (!std::binary_search(related.begin(), related.end(),
                              static_cast<uint32_t>(i))) {
        consider(i, 0);
      }
    };
    // The visible activities of those types (all types when none), in
    // catalogue order: each type's list is in catalogue order, and an
    // activity has one type, so the lists are merged by always taking the
    // lowest head.
    if (types.size() == 0) {
      const std::vector<size_t>& all = self_enrol_only
                                           ? catalogue_.VisibleSelfEnrol()
                                           : catalogue_.Visible();
      for (size_t i : all) {
        if (settled()) break;
        consider_unrelated(i);
      }
    } else {
      std::array<const std::vector<size_t>*, kObjectTypeCount> lists{};
      std::array<size_t, kObjectTypeCount> at{};
      size_t n = 0;
      for (ObjectType t : types) lists[n++] = &catalogue_.VisibleOfType(t);
      while (!settled()) {
        size_t lowest = n;
        for (size_t l = 0; l < n; ++l) {
          if (at[l] < lists[l]->size() &&
              (lowest == n ||
               (*lists[l])[at[l]] < (*lists[lowest])[at[lowest]])) {
            lowest = l;
          }
        }
        if (lowest == n) break;
        consider_unrelated((*lists[lowest])[at[lowest]++]);
      }
    }
    std::vector<const Activity*> out;
    for (const auto& [rank, a] : best) out.push_back(a);
    return out;
  }

  void Paths() {
    bool any_path_offered = false;
    // Only a path with a step the learner touched can be offered below
    // (a completed step is a touched one), so only those are walked, in
    // catalogue order.
    std::vector<size_t> walked;
    for (size_t ai : touched_) {
      const std::vector<size_t>& of = catalogue_.PathsWithActivityAt(ai);
      walked.insert(walked.end(), of.begin(), of.end());
    }
    std::sort(walked.begin(), walked.end());
    walked.erase(std::unique(walked.begin(), walked.end()), walked.end());
    for (size_t pi : walked) {
      const LearningPath& p = catalogue_.paths()[pi];
      size_t touched = 0;
      size_t completed = 0;
      // The next step: the first required step not started yet; when every
      // one is started, the first not completed. (Where the LMS tracks no
      // completion, e.g. pages that are only viewed, starting a step is the
      // only progress there is.)
      // Per step: its activity, then its alternatives (catalogue indexes).
      const std::vector<std::vector<uint32_t>>& step_ids =
          catalogue_.StepActivities(pi);
      size_t next = p.steps.size();
      size_t unfinished = p.steps.size();
      for (size_t si = 0; si < p.steps.size(); ++si) {
        uint8_t marks = 0;
        for (uint32_t ai : step_ids[si]) marks |= marks_[ai];
        const bool step_done = (marks & kCompletedMark) != 0;
        const bool step_touched = (marks & kTouchedMark) != 0;
        touched += step_touched ? 1 : 0;
        completed += step_done ? 1 : 0;
        if (step_done || p.steps[si].optional) continue;
        if (unfinished == p.steps.size()) unfinished = si;
        if (!step_touched && next == p.steps.size()) next = si;
      }
      if (next == p.steps.size()) next = unfinished;
      if (next == p.steps.size()) continue;  // path finished
      const double progress =
          static_cast<double>(completed) / static_cast<double>(p.steps.size());
      if (completed >= 1 || touched >= 2) {
        // On the path: the next step (or a visible alternative of it).
        const Activity* a = nullptr;
        for (uint32_t ai : step_ids[next]) {
          const Activity& candidate = catalogue_.activities()[ai];
          if (Offerable(candidate)) {
            a = &candidate;
            break;
          }
        }
        if (a == nullptr) continue;
        const Latest* ev = PathEvidence(p);
        Add(NudgeKind::kContinuePath, *a, 0.75 + 0.25 * progress,
            "continue_path.next_step", ev, p.title.empty() ? p.id : p.title);
        if (p.steps[next].mode != Mode::kUnspecified) {
          out_.back().direction = DirectionOfMode(p.steps[next].mode);
        }
        any_path_offered = true;
      } else if (touched == 1) {
        // Took one activity of the path on its own.
        AddPath(pi, 0.6, "turn_course_into_path.member", PathEvidence(p));
        any_path_offered = true;
      }
    }
    if (!any_path_offered && in_.touched.empty()) {
      // No history: paths to start from.
      for (size_t pi = 0; pi < catalogue_.paths().size(); ++pi) {
        AddPath(pi, 0.3, "turn_course_into_path.start", nullptr);
      }
    }
  }

  void AddPath(size_t pi, double relevance, std::string_view reason,
               const Latest* evidence) {
    const LearningPath& p = catalogue_.paths()[pi];
    // Only a path with a visible step still to take.
    double dir = 0;
    bool offerable = false;
    for (size_t si = 0; si < p.steps.size(); ++si) {
      const uint32_t ai = catalogue_.StepActivities(pi)[si].front();
      if (Offerable(catalogue_.activities()[ai])) offerable = true;
      dir += DirectionOfMode(p.steps[si].mode);
    }
    if (!offerable || in_.dismissed.count(p.id) > 0) return;
    Candidate c;
    c.kind = NudgeKind::kTurnCourseIntoPath;
    c.target_id = p.id;
    c.target_is_path = true;
    c.target_index = static_cast<uint32_t>(pi);
    c.title = p.title.empty() ? p.id : p.title;
    c.relevance = relevance;
    c.direction = p.steps.empty() ? 0 : dir / p.steps.size();
    c.reason_code = reason;
    c.evidence = evidence;
    out_.push_back(std::move(c));
  }

  // The latest completion or activity on one of the path's steps.
  const Latest* PathEvidence(const LearningPath& p) const {
    for (Signal s : {Signal::kCompletion, Signal::kActivity}) {
      const Latest* l = LatestOf(s);
      if (l == nullptr) continue;
      for (const PathStep& step : p.steps) {
        if (step.activity_id == l->object_id) return l;
      }
    }
    return nullptr;
  }

  void ApplyAtWork() {
    const Latest* done = LatestOf(Signal::kFormalCompletion);
    if (done == nullptr) return;
    const double age_days = (in_.now_ms - done->at_ms) / kMsPerDay;
    if (age_days < 0 || age_days > config_.apply_window_days) return;
    const Latest* work = LatestOf(Signal::kAtWork);
    if (work != nullptr && !work->IsOlderThan(*done)) return;
    const Activity* course = catalogue_.FindActivity(done->object_id);
    const std::string_view context = course != nullptr && !course->title.empty()
                                         ? course->title
                                         : done->object_id;
    for (const Activity* a :
         OfTypes({ObjectType::kWorkAssignment}, course, 1)) {
      Add(NudgeKind::kApplyAtWork, *a,
          0.85 + 0.1 * std::min(1.0, Overlap(course, *a)),
          "apply_at_work.after_formal_completion", done, context);
      out_.back().direction = 1;
    }
  }

  void ShareWithCommunity() {
    if (Count(Signal::kCompletion) < 1) return;
    const double activity = Signals(Signal::kActivity);
    if (activity <= 0) return;
    const double share = Signals(Signal::kSocial) / activity;
    if (share >= config_.social_share_low) return;
    const Latest* done = LatestOf(Signal::kCompletion);
    const Activity* ref =
        done == nullptr ? nullptr : catalogue_.FindActivity(done->object_id);
    for (const Activity* a :
         OfTypes({ObjectType::kCommunity, ObjectType::kDiscussion,
                  ObjectType::kMentoring},
                 ref, 1)) {
      Add(NudgeKind::kShareWithCommunity, *a,
          0.55 + 0.2 * (config_.social_share_low - share) /
                     config_.social_share_low,
          "share_with_community.little_social", done);
      out_.back().direction = 1;
    }
  }

  void Reflect() {
    if (Count(Signal::kCompletion) < config_.reflect_after) return;
    if (Signals(Signal::kReflection) >= 0.5) return;
    const Latest* done = LatestOf(Signal::kCompletion);
    const Activity* ref =
        done == nullptr ? nullptr : catalogue_.FindActivity(done->object_id);
    for (const Activity* a :
         OfTypes({ObjectType::kReflection, ObjectType::kEvidence,
                  ObjectType::kNote, ObjectType::kLearningPlan},
                 ref, 1)) {
      Add(NudgeKind::kReflect, *a, 0.75, "reflect.many_completions", done);
      out_.back().direction = 1;
    }
  }

  void ExploreFutureSkill() {
    if (Count(Signal::kReactive) < 3 || Signals(Signal::kProactive) >= 0.5) {
      return;
    }
    if (view_.mean[static_cast<size_t>(model::Dimension::kOrientation)] >
        -0.2) {
      return;
    }
    const Latest* ev = LatestOf(Signal::kReactive);
    size_t added = 0;
    for (size_t i : catalogue_.Visible()) {
      const Activity& a = catalogue_.activities()[i];
      if (a.goal_ids.empty() || a.mode == Mode::kStructured || Touched(a) ||
          !Offerable(a)) {
        continue;
      }
      Add(NudgeKind::kExploreFutureSkill, a, 0.7,
          "explore_future_skill.all_reactive", ev);
      out_.back().direction = 1;
      if (++added == 2) break;
    }
  }

  void ChooseYourNextStep() {
    if (Count(Signal::kAssigned) < 3 || Signals(Signal::kSelfChosen) >= 0.5) {
      return;
    }
    const Latest* ev = LatestOf(Signal::kAssigned);
    for (const Activity* a : OfTypes({}, nullptr, config_.choices, true)) {
      if (Touched(*a)) continue;
      Add(NudgeKind::kChooseYourNextStep, *a, 0.7,
          "choose_your_next_step.all_assigned", ev);
      out_.back().direction = 1;
    }
  }

  void Required() {
    const bool above = view_.position == BandPosition::kAbove;
    for (size_t i : catalogue_.VisibleRequired()) {
      const Activity& a = catalogue_.activities()[i];
      if (!Offerable(a)) continue;
      double relevance = 0.4;
      std::string_view reason = "complete_required.missing";
      if (Touched(a)) {
        relevance = 0.9;
        reason = "complete_required.started";
      } else if (above) {
        relevance = 0.8;
        reason = "complete_required.only_self_directed";
      }
      Add(NudgeKind::kCompleteRequired, a, relevance, reason,
          above ? LatestOf(Signal::kSelfDirected) : nullptr);
      out_.back().direction = -1;
    }
  }

  void Similar() {
    if (in_.next_after_similar.empty()) return;
    const double top = std::max(1.0, in_.next_after_similar.front().second);
    const Latest* ev = LatestOf(Signal::kActivity);
    size_t added = 0;
    for (const auto& [id, n] : in_.next_after_similar) {
      const Activity* a = Offerable(id);
      if (a == nullptr || Touched(*a)) continue;
      Add(NudgeKind::kNextAfterSimilar, *a, 0.3 + 0.5 * (n / top),
          "next_after_similar.cooccurrence", ev);
      if (++added == 10) break;
    }
  }

  void Goals() {
    std::unordered_map<std::string, int> goals;
    for (size_t ai : touched_) {
      for (const auto& g : catalogue_.activities()[ai].goal_ids) ++goals[g];
      for (size_t pi : catalogue_.PathsWithActivityAt(ai)) {
        const std::string& g = catalogue_.paths()[pi].goal_id;
        if (!g.empty()) ++goals[g];
      }
    }
    if (goals.empty()) return;
    const Latest* ev = LatestOf(Signal::kGoalLinked);
    size_t added = 0;
    for (size_t i : catalogue_.Visible()) {
      const Activity& a = catalogue_.activities()[i];
      if (Touched(a) || !Offerable(a)) continue;
      int shared = 0;
      for (const auto& g : a.goal_ids) {
        auto it = goals.find(g);
        if (it != goals.end()) shared += it->second;
      }
      if (shared == 0) continue;
      Add(NudgeKind::kSupportsGoal, a, 0.45 + 0.05 * std::min(shared, 5),
          "supports_goal.shared_goal", ev);
      if (++added == 10) break;
    }
  }

  const RecommenderConfig& config_;
  const RecommendInput& in_;
  const Catalogue& catalogue_;
  const ProfileView& view_;
  std::vector<uint8_t> marks_;  // per activity index: k*Mark bits
  // The catalogue indexes of the touched activities the catalogue knows.
  std::vector<size_t> touched_;
  std::vector<Candidate> out_;
};

// Keeps the best candidate per target, in falling relevance (ties: the
// first generated). Targets are told apart by catalogue index, not by id.
void Deduplicate(const Catalogue& catalogue, std::vector<Candidate>& c) {
  std::vector<uint32_t> order(c.size());
  for (size_t i = 0; i < c.size(); ++i) order[i] = static_cast<uint32_t>(i);
  std::stable_sort(order.begin(), order.end(), [&c](uint32_t a, uint32_t b) {
    return c[a].relevance > c[b].relevance;
  });
  std::vector<bool> seen_activity(catalogue.activities().size());
  std::vector<bool> seen_path(catalogue.paths().size());
  std::vector<Candidate> out;
  out.reserve(c.size());
  for (uint32_t i : order) {
    std::vector<bool>& seen = c[i].target_is_path ? seen_path : seen_activity;
    if (seen[c[i].target_index]) continue;
    seen[c[i].target_index] = true;
    out.push_back(c[i]);
  }
  c = std::move(out);
}

// The balance factor of the header comment.
double BalanceFactor(const RecommenderConfig& config, const Profile* profile,
                     const ProfileView& view, double direction) {
  if (profile == nullptr || view.position == BandPosition::kUnknown ||
      direction == 0) {
    return 1.0;
  }
  switch (view.position) {
    case BandPosition::kBelow:
      return direction > 0 ? 1.4 : 0.7;
    case BandPosition::kAbove:
      return direction < 0 ? 1.4 : 0.7;
    case BandPosition::kInside: {
      // One more event at the learner's mean event weight.
      const double events = std::max(1.0, view.signals[S(Signal::kActivity)]);
      const double w = view.total_weight / events;
      const double l = view.balance * view.total_weight;
      const double projected =
          (l + (direction > 0 ? w * direction : 0)) / (view.total_weight + w);
      const bool leaves = projected < config.profile.band_low ||
                          projected > config.profile.band_high;
      return leaves ? 0.2 : 1.0;
    }
    case BandPosition::kUnknown:
      break;
  }
  return 1.0;
}

// The best `k` candidates of each kind in falling base score (ties: lower
// index first). A policy draw multiplies every score of a kind by the same
// factor, so this order holds for every draw and is sorted once; and a
// draw selects at most k items, so it never reads past a list's k-th.
using KindLists = std::array<std::vector<size_t>, kNudgeKindCount>;
KindLists ByKind(const std::vector<double>& base,
                 const std::vector<Candidate>& c, size_t k) {
  KindLists lists;
  for (size_t i = 0; i < c.size(); ++i) {
    lists[static_cast<size_t>(c[i].kind)].push_back(i);
  }
  const auto before = [&](size_t x, size_t y) {
    return base[x] > base[y] || (base[x] == base[y] && x < y);
  };
  for (std::vector<size_t>& l : lists) {
    if (l.size() > k) {
      std::partial_sort(l.begin(), l.begin() + static_cast<ptrdiff_t>(k),
                        l.end(), before);
      l.resize(k);
    } else {
      std::sort(l.begin(), l.end(), before);
    }
  }
  return lists;
}

// The diversity penalty of the n-th item of one kind: 0.85^n.
double KindPenalty(int n) {
  static const std::array<double, 32> kTable = [] {
    std::array<double, 32> t{};
    for (size_t i = 0; i < t.size(); ++i) t[i] = std::pow(0.85, double(i));
    return t;
  }();
  return static_cast<size_t>(n) < kTable.size() ? kTable[n] : std::pow(0.85, n);
}

// Greedy selection with diversity; returns indexes into `scores`. The best
// remaining item is the best head of some kind's list, so each step looks
// at one candidate per kind instead of all of them (the same choice as a
// scan over every candidate, ties going to the lower index).
// A policy's factor per kind: candidate i scores base[i] x factor[kind].
using KindFactors = std::array<double, kNudgeKindCount>;

std::vector<size_t> Select(const std::vector<double>& base,
                           const KindFactors& factor, const KindLists& lists,
                           size_t k, bool diversity) {
  std::vector<size_t> chosen;
  std::array<size_t, kNudgeKindCount> next{};
  std::array<int, kNudgeKindCount> per_kind{};
  while (chosen.size() < k) {
    double best = -1;
    size_t best_i = 0;
    size_t best_kind = kNudgeKindCount;
    for (size_t kind = 0; kind < kNudgeKindCount; ++kind) {
      if (next[kind] >= lists[kind].size()) continue;
      const size_t i = lists[kind][next[kind]];
      double s = base[i] * factor[kind];
      if (diversity) s *= KindPenalty(per_kind[kind]);
      if (s > best || (s == best && i < best_i)) {
        best = s;
        best_i = i;
        best_kind = kind;
      }
    }
    if (best_kind == kNudgeKindCount) break;
    ++next[best_kind];
    ++per_kind[best_kind];
    chosen.push_back(best_i);
  }
  return chosen;
}

}  // namespace

std::string_view NudgeKindName(NudgeKind k) {
  switch (k) {
    case NudgeKind::kContinuePath:
      return "CONTINUE_PATH";
    case NudgeKind::kApplyAtWork:
      return "APPLY_AT_WORK";
    case NudgeKind::kShareWithCommunity:
      return "SHARE_WITH_COMMUNITY";
    case NudgeKind::kReflect:
      return "REFLECT";
    case NudgeKind::kExploreFutureSkill:
      return "EXPLORE_FUTURE_SKILL";
    case NudgeKind::kChooseYourNextStep:
      return "CHOOSE_YOUR_NEXT_STEP";
    case NudgeKind::kTurnCourseIntoPath:
      return "TURN_COURSE_INTO_PATH";
    case NudgeKind::kCompleteRequired:
      return "COMPLETE_REQUIRED";
    case NudgeKind::kNextAfterSimilar:
      return "NEXT_AFTER_SIMILAR";
    case NudgeKind::kSupportsGoal:
      return "SUPPORTS_GOAL";
    case NudgeKind::kUnspecified:
    case NudgeKind::kCount_:
      break;
  }
  return "UNSPECIFIED";
}

std::optional<NudgeKind> ParseNudgeKind(std::string_view name) {
  for (size_t i = 1; i < kNudgeKindCount; ++i) {
    if (NudgeKindName(static_cast<NudgeKind>(i)) == name) {
      return static_cast<NudgeKind>(i);
    }
  }
  return std::nullopt;
}

bool InHoldout(const RecommenderConfig& config, std::string_view tenant,
               std::string_view learner_key) {
  if (config.holdout_share <= 0) return false;
  const uint64_t h =
      common::Hash64(common::StrCat("holdout\n", tenant, "\n", learner_key));
  return static_cast<double>(h % 1000000) / 1e6 < config.holdout_share;
}

RecommendOutput Recommend(const RecommenderConfig& config,
                          const RecommendInput& in) {
  RecommendOutput out;
  // The decayed view is computed once: candidates, the balance factor and
  // the segment all read it.
  ProfileView view;
  if (in.profile != nullptr) {
    view = ViewAt(config.profile, *in.profile, in.now_ms);
    out.segment = std::string(BandPositionName(view.position));
  } else {
    out.segment = "unknown";
  }
  out.holdout = InHoldout(config, in.tenant, in.learner_key);
  if (in.catalogue == nullptr || in.k <= 0) return out;
  std::vector<Candidate> cands = Generator(config, in, view).Run();
  Deduplicate(*in.catalogue, cands);
  if (cands.empty()) return out;

  const int64_t day = static_cast<int64_t>(
      std::floor(static_cast<double>(in.now_ms) / kMsPerDay));
  const uint64_t seed = common::Hash64(
      common::StrCat("thompson\n", in.tenant, "\n", in.learner_key, "\n", day));
  const size_t k = static_cast<size_t>(in.k);

  std::vector<double> base(cands.size());
  for (size_t i = 0; i < cands.size(); ++i) {
    base[i] = cands[i].relevance *
              (out.holdout ? 1.0
                           : BalanceFactor(config, in.profile, view,
                                           cands[i].direction));
  }
  const KindLists lists = ByKind(base, cands, k);
  std::array<Arm, kNudgeKindCount> arms{};
  if (auto seg = in.arms.find(out.segment); seg != in.arms.end()) {
    for (const auto& [kind, arm] : seg->second) {
      if (static_cast<size_t>(kind) < kNudgeKindCount) {
        arms[static_cast<size_t>(kind)] = arm;
      }
    }
  }
  // One policy draw: a Thompson sample per kind, then the ranking. Only
  // the head of each kind's list is ever scored, so a draw costs k steps
  // over the kinds, not a pass over every candidate.
  auto draw = [&](uint64_t s, KindFactors* factor) {
    Rng rng(s);
    factor->fill(0.5);
    for (size_t kind = 1; kind < kNudgeKindCount; ++kind) {
      const Arm& arm = arms[kind];
      // The sample tilts, it does not overrule: half fixed, half sampled.
      (*factor)[kind] = 0.5 + rng.Beta(1 + std::max(0.0, arm.successes),
                                       1 + std::max(0.0, arm.failures));
    }
    return Select(base, *factor, lists, k, true);
  };

  KindFactors factor;
  std::vector<size_t> chosen;
  std::vector<double> propensity;
  if (out.holdout) {
    factor.fill(1.0);
    chosen = Select(base, factor, lists, k, false);
    propensity.assign(chosen.size(), 1.0);
  } else {
    chosen = draw(seed, &factor);
    std::vector<int> hits(cands.size(), 0);
    KindFactors redrawn;
    for (int d = 0; d < kPropensityDraws; ++d) {
      for (size_t i : draw(seed + 1 + static_cast<uint64_t>(d), &redrawn)) {
        ++hits[i];
      }
    }
    for (size_t i : chosen) {
      propensity.push_back(std::max(1, hits[i]) /
                           static_cast<double>(kPropensityDraws));
    }
  }

  for (size_t j = 0; j < chosen.size(); ++j) {
    const Candidate& c = cands[chosen[j]];
    Recommendation r;
    r.kind = c.kind;
    r.target_id = std::string(c.target_id);
    r.target_is_path = c.target_is_path;
    // Title and link from the same catalogue snapshot the ranking used, so
    // a catalogue upload in between cannot leave an item without them.
    if (c.target_is_path) {
      if (const LearningPath* path = in.catalogue->FindPath(c.target_id)) {
        r.target_title = path->title;
      }
    } else if (const Activity* a = in.catalogue->FindActivity(c.target_id)) {
      r.target_title = a->title;
      r.target_url = a->url;
    }
    r.score =
        base[chosen[j]] * factor[static_cast<size_t>(cands[chosen[j]].kind)];
    r.reason_code = std::string(c.reason_code);
    r.text = c.reason_code == "turn_course_into_path.start"
                 ? StartPathText(in.locale, c.title)
                 : NudgeText(c.kind, in.locale, c.title, c.context);
    if (c.evidence != nullptr) {
      r.evidence_event_ids.push_back(c.evidence->event_id);
      r.evidence_rule_ids = c.evidence->rule_ids;
    }
    r.propensity = propensity[j];
    r.recommendation_id =
        common::UuidV5(common::EventIdNamespace(),
                       common::StrCat("recommendation\n", in.tenant, "\n",
                                      in.learner_key, "\n", day, "\n",
                                      NudgeKindName(c.kind), "\n", c.target_id))
            .value_or("");
    out.items.push_back(std::move(r));
  }
  return out;
}

}  // namespace polku::learning
