// Micro-benchmarks of the hot path: tagging a normalised event, and parsing,
// normalising and tagging an xAPI statement. Run with `make bench`.
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>

#include "ingest/normaliser.h"
#include "model/rules.h"
#include "model/tagger.h"

namespace polku {
namespace {

std::shared_ptr<const model::RuleSet> DefaultRules() {
  auto rules =
      model::RuleSet::Load(POLKU_SOURCE_DIR "/deploy/config/rules.yaml");
  if (!rules.ok()) {
    std::fprintf(stderr, "%s\n", rules.status().ToString().c_str());
    std::abort();
  }
  return *rules;
}

model::LearningEvent SampleEvent(int i) {
  model::LearningEvent e;
  e.event_id = "id";
  e.source.platform = model::Platform::kMoodle;
  e.learner.key = "lms#1";
  static const model::Verb kVerbs[] = {
      model::Verb::kEnrolled, model::Verb::kViewed, model::Verb::kReplied,
      model::Verb::kCompleted};
  static const model::ObjectType kTypes[] = {
      model::ObjectType::kCourse, model::ObjectType::kResource,
      model::ObjectType::kDiscussion, model::ObjectType::kModule};
  e.verb = kVerbs[i % 4];
  e.object.type = kTypes[i % 4];
  e.initiator = i % 3 == 0 ? model::Initiator::kStaff : model::Initiator::kSelf;
  e.context.required =
      i % 2 == 0 ? model::Tristate::kYes : model::Tristate::kNo;
  return e;
}

void BM_TagNormalisedEvent(benchmark::State& state) {
  model::Tagger tagger(DefaultRules());
  std::vector<model::LearningEvent> events;
  for (int i = 0; i < 64; ++i) events.push_back(SampleEvent(i));
  model::EventTags tags;
  size_t i = 0;
  for (auto _ : state) {
    tagger.Tag(events[i++ & 63], tags);
    benchmark::DoNotOptimize(tags.mode);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TagNormalisedEvent);

// Parse + normalise + tag of one real fixture, one event per iteration.
void ParseNormaliseTag(benchmark::State& state, ingest::SourceFormat format,
                       const char* fixture, const char* instance) {
  model::Tagger tagger(DefaultRules());
  std::ifstream in(std::string(POLKU_SHARED_DIR "/fixtures/") + fixture);
  std::stringstream buf;
  buf << in.rdbuf();
  ingest::SourceEvent source;
  source.format = format;
  source.payload = buf.str();
  source.enrichment.instance = instance;
  source.received_at_ms = 1700000000000;
  std::vector<model::LearningEvent> out;
  model::EventTags tags;
  for (auto _ : state) {
    out.clear();
    absl::Status s = ingest::Normalise("bench", source, out);
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
    for (const auto& e : out) tagger.Tag(e, tags);
    benchmark::DoNotOptimize(tags.mode);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(source.payload.size()));
}

void BM_XapiParseNormaliseTag(benchmark::State& state) {
  ParseNormaliseTag(state, ingest::SourceFormat::kXapi,
                    "openedx/xapi/edx.course.enrollment.activated.json", "");
}
BENCHMARK(BM_XapiParseNormaliseTag);

void BM_CaliperParseNormaliseTag(benchmark::State& state) {
  ParseNormaliseTag(state, ingest::SourceFormat::kCaliper,
                    "openedx/caliper/edx.course.enrollment.activated.json", "");
}
BENCHMARK(BM_CaliperParseNormaliseTag);

void BM_MoodleParseNormaliseTag(benchmark::State& state) {
  ParseNormaliseTag(
      state, ingest::SourceFormat::kMoodle,
      "moodle/core/user_enrolment_created/existing_user_enrolled/event.json",
      "http://www.example.org");
}
BENCHMARK(BM_MoodleParseNormaliseTag);

void BM_OpenEdxTrackingParseNormaliseTag(benchmark::State& state) {
  ParseNormaliseTag(state, ingest::SourceFormat::kOpenEdxTracking,
                    "openedx/tracking/problem_check(server).json",
                    "http://localhost:18000");
}
BENCHMARK(BM_OpenEdxTrackingParseNormaliseTag);

}  // namespace
}  // namespace polku
