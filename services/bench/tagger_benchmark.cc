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
  auto rules = model::RuleSet::Load(POLKU_SOURCE_DIR "/deploy/config/rules.yaml");
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
  static const model::Verb kVerbs[] = {model::Verb::kEnrolled, model::Verb::kViewed,
                                       model::Verb::kReplied, model::Verb::kCompleted};
  static const model::ObjectType kTypes[] = {
      model::ObjectType::kCourse, model::ObjectType::kResource,
      model::ObjectType::kDiscussion, model::ObjectType::kModule};
  e.verb = kVerbs[i % 4];
  e.object.type = kTypes[i % 4];
  e.initiator = i % 3 == 0 ? model::Initiator::kStaff : model::Initiator::kSelf;
  e.context.required = i % 2 == 0 ? model::Tristate::kYes : model::Tristate::kNo;
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

void BM_XapiParseNormaliseTag(benchmark::State& state) {
  model::Tagger tagger(DefaultRules());
  std::ifstream in(POLKU_SHARED_DIR "/fixtures/openedx/xapi/edx.course.enrollment.activated.json");
  std::stringstream buf;
  buf << in.rdbuf();
  ingest::SourceEvent source;
  source.format = ingest::SourceFormat::kXapi;
  source.payload = buf.str();
  std::vector<model::LearningEvent> out;
  model::EventTags tags;
  for (auto _ : state) {
    out.clear();
    absl::Status s = ingest::NormaliseXapi("bench", source, out);
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
    for (const auto& e : out) tagger.Tag(e, tags);
    benchmark::DoNotOptimize(tags.mode);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(source.payload.size()));
}
BENCHMARK(BM_XapiParseNormaliseTag);

}  // namespace
}  // namespace polku
