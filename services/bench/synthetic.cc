#include "bench/synthetic.h"

#include <cstdio>

#include "common/str_cat.h"

namespace polku::bench {
namespace {

constexpr int64_t kSecondMs = 1000;

// A 64-bit mix (SplitMix64's finaliser): spreads consecutive inputs so the
// event ids do not share long prefixes, as real UUIDs do not.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t HashOf(std::string_view s) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return h;
}

}  // namespace

std::string SyntheticActivityId(int64_t i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "bench-act-%06lld",
                static_cast<long long>(i));
  return buf;
}

std::string SyntheticLearnerKey(std::string_view run, int64_t i) {
  return common::StrCat("bench.example#", run, "-", i);
}

learning::CatalogueFile SyntheticCatalogue(int64_t activities, int64_t paths) {
  static constexpr model::ObjectType kTypes[] = {
      model::ObjectType::kCourse,        model::ObjectType::kModule,
      model::ObjectType::kResource,      model::ObjectType::kAssessment,
      model::ObjectType::kAssignment,    model::ObjectType::kDiscussion,
      model::ObjectType::kVideo,         model::ObjectType::kCommunity,
      model::ObjectType::kWorkAssignment};
  static constexpr model::Mode kModes[] = {model::Mode::kStructured,
                                           model::Mode::kSelfDirected,
                                           model::Mode::kBlended};
  learning::CatalogueFile out;
  out.activities.reserve(static_cast<size_t>(activities));
  for (int64_t i = 0; i < activities; ++i) {
    const uint64_t r = Mix(static_cast<uint64_t>(i));
    learning::Activity a;
    a.id = SyntheticActivityId(i);
    a.title = common::StrCat("Activity ", i);
    a.url = common::StrCat("https://lms.bench.example/a/", i);
    a.type = kTypes[r % std::size(kTypes)];
    a.mode = kModes[(r >> 8) % std::size(kModes)];
    a.required = (r >> 16) % 10 == 0;
    a.self_enrol = (r >> 20) % 2 == 0;
    if ((r >> 24) % 3 == 0) {
      a.goal_ids.push_back(common::StrCat("goal-", (r >> 32) % 50));
    }
    a.competencies.push_back(common::StrCat("skill-", (r >> 40) % 200));
    out.activities.push_back(std::move(a));
  }
  out.paths.reserve(static_cast<size_t>(paths));
  for (int64_t p = 0; p < paths && activities > 0; ++p) {
    const uint64_t r = Mix(static_cast<uint64_t>(p) + (1ULL << 40));
    learning::LearningPath path;
    path.id = common::StrCat("bench-path-", p);
    path.title = common::StrCat("Path ", p);
    path.goal_id = common::StrCat("goal-", r % 50);
    const int steps = 4 + static_cast<int>((r >> 8) % 8);
    for (int s = 0; s < steps; ++s) {
      learning::PathStep step;
      step.activity_id = SyntheticActivityId(
          static_cast<int64_t>(Mix(r + static_cast<uint64_t>(s)) %
                               static_cast<uint64_t>(activities)));
      step.mode = kModes[(r >> (16 + s)) % std::size(kModes)];
      path.steps.push_back(std::move(step));
    }
    out.paths.push_back(std::move(path));
  }
  return out;
}

model::LearningEvent SyntheticEvent(std::string_view run, uint32_t stream,
                                    uint64_t seq, int64_t learner,
                                    int64_t activity) {
  static constexpr model::Verb kVerbs[] = {
      model::Verb::kViewed, model::Verb::kCompleted, model::Verb::kReplied,
      model::Verb::kViewed, model::Verb::kSubmitted, model::Verb::kEnrolled};
  static constexpr model::ObjectType kObjects[] = {
      model::ObjectType::kResource,   model::ObjectType::kCourse,
      model::ObjectType::kDiscussion, model::ObjectType::kVideo,
      model::ObjectType::kAssignment, model::ObjectType::kCourse};
  const uint64_t hi = Mix(HashOf(run) ^ (uint64_t{stream} << 48));
  const uint64_t lo = Mix(hi ^ seq);
  char id[40];
  // UUID layout (version 4 and variant bits set) around a unique 128 bits:
  // `seq` itself is in the last 12 hex digits, so ids never collide.
  std::snprintf(id, sizeof(id), "%08x-%04x-4%03x-8%03x-%012llx",
                static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xffff),
                static_cast<unsigned>(lo & 0xfff),
                static_cast<unsigned>((lo >> 12) & 0xfff),
                static_cast<unsigned long long>(
                    (seq ^ (uint64_t{stream} << 40)) & 0xffffffffffffULL));
  const size_t k = seq % std::size(kVerbs);
  model::LearningEvent e;
  e.event_id = id;
  e.source.platform = model::Platform::kNative;
  e.source.instance = "https://lms.bench.example";
  e.source.event_type = "bench";
  e.occurred_at_ms = kSyntheticStartMs + static_cast<int64_t>(seq) * kSecondMs;
  e.learner.key = SyntheticLearnerKey(run, learner);
  e.learner.org_unit = common::StrCat("unit-", learner % 40);
  e.initiator = model::Initiator::kSelf;
  e.verb = kVerbs[k];
  e.object.type = kObjects[k];
  e.object.id = SyntheticActivityId(activity);
  e.context.course_id = "bench-course";
  return e;
}

}  // namespace polku::bench
