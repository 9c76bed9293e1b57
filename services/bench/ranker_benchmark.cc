// Micro-benchmark of the ranker: learning::Recommend (candidates, scores,
// the balance re-rank and the explanations) for one learner against a
// synthetic catalogue of the size `make bench`'s recommendation scenario
// uses (10,000 activities and 1,000 paths) and a tenth of it. The
// learner's history (profile and touched activities) is folded from
// tagged synthetic events, as the store keeps it. Run with `make bench`.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "bench/synthetic.h"
#include "learning/catalogue.h"
#include "learning/profile.h"
#include "learning/recommender.h"
#include "model/rules.h"
#include "model/tagger.h"

namespace polku::bench {
namespace {

struct Fixture {
  std::shared_ptr<const learning::Catalogue> catalogue;
  learning::Profile profile;
  learning::RecommendInput input;
};

// One learner who followed a path: `events` events along paths(0)'s steps
// and then scattered activities.
Fixture MakeFixture(int64_t activities, int64_t paths, int events) {
  auto rules =
      model::RuleSet::Load(POLKU_SOURCE_DIR "/deploy/config/rules.yaml");
  if (!rules.ok()) {
    std::fprintf(stderr, "%s\n", rules.status().ToString().c_str());
    std::abort();
  }
  const model::Tagger tagger(*rules);
  learning::CatalogueFile file = SyntheticCatalogue(activities, paths);
  const learning::LearningPath first_path = file.paths.front();
  auto catalogue = learning::Catalogue::Build(std::move(file.activities),
                                              std::move(file.paths));
  if (!catalogue.ok()) {
    std::fprintf(stderr, "%s\n", catalogue.status().ToString().c_str());
    std::abort();
  }
  Fixture f;
  f.catalogue = *catalogue;
  const learning::ProfileConfig config;
  int64_t last_ms = 0;
  for (int i = 0; i < events; ++i) {
    const int64_t activity =
        i < static_cast<int>(first_path.steps.size()) - 1
            ? std::atoll(
                  first_path.steps[static_cast<size_t>(i)].activity_id.c_str() +
                  10)
            : (i * 7919) % activities;
    model::LearningEvent e =
        SyntheticEvent("ranker", 0, static_cast<uint64_t>(i), 1, activity);
    f.profile.Add(learning::MakeDelta(config, e, tagger.Tag(e)));
    learning::ActivityTouch& t = f.input.touched[e.object.id];
    if (t.first_ms == 0) t.first_ms = e.occurred_at_ms;
    t.last_ms = e.occurred_at_ms;
    if (e.verb == model::Verb::kCompleted) t.completed_ms = e.occurred_at_ms;
    last_ms = e.occurred_at_ms;
  }
  f.input.tenant = "bench";
  f.input.learner_key = SyntheticLearnerKey("ranker", 1);
  f.input.catalogue = f.catalogue.get();
  f.input.now_ms = last_ms + 3600000;
  f.input.k = 5;
  for (int i = 0; i < 10; ++i) {
    f.input.next_after_similar.emplace_back(SyntheticActivityId(i * 13),
                                            10.0 - i);
  }
  return f;
}

// Args: activities, paths.
void BM_Recommend(benchmark::State& state) {
  Fixture f = MakeFixture(state.range(0), state.range(1), 40);
  f.input.profile = &f.profile;
  const learning::RecommenderConfig config;
  for (auto _ : state) {
    learning::RecommendOutput out = learning::Recommend(config, f.input);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_Recommend)
    ->ArgNames({"activities", "paths"})
    ->Args({1000, 100})
    ->Args({10000, 1000})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace polku::bench
