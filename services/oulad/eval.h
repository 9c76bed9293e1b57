// The replay evaluation behind `polku eval oulad`.
//
// For one presentation: loads its catalogue through Engine::LoadCatalogue,
// then replays its events in time order, one day at a time, through the
// real Ingestor (with profile deltas) into the given store, with a
// ManualClock at the end of that day. After each day's events, every
// learner who had an event that day is a learner-day: the target is the
// set of sites the learner opens the next day for the first time
// (learner-days with an empty target are skipped). Polku's answer is
// Engine::Recommend(tenant, learner, k, "en") with the engine's clock on
// that day, exactly what the service would serve; the two baselines of
// metrics.h are ranked against the full catalogue on the same learner-days.
// Nothing is excluded for Polku beyond what the engine excludes itself
// (completed activities); only first-time touches count as hits.
//
// Not thread-safe (one evaluation per store and tenant at a time).
#ifndef POLKU_OULAD_EVAL_H_
#define POLKU_OULAD_EVAL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/engine.h"
#include "model/tagger_registry.h"
#include "oulad/metrics.h"
#include "oulad/oulad.h"
#include "store/event_store.h"
#include "store/learning_store.h"

namespace polku::oulad {

struct EvalOptions {
  std::string tenant = "oulad-eval";
  size_t k = 10;
  // Stop after this many scored learner-days (0: no bound).
  int64_t max_learner_days = 0;
  engine::EngineConfig engine;
  size_t ingest_batch = 5000;  // events per Ingest call
};

struct PresentationEval {
  PresentationCode code;
  size_t activities = 0;  // catalogue activities (the coverage denominator)
  size_t paths = 0;
  int64_t events = 0;                // events replayed
  int64_t accepted = 0;              // of which the store accepted
  int64_t rejected = 0;              // rejected or conflicting (should be 0)
  int64_t learner_days_skipped = 0;  // empty target
  bool truncated = false;            // stopped at max_learner_days
  double seconds = 0;                // wall time of the replay
  SystemFigures polku{"polku", 10};
  SystemFigures popularity{"popularity", 10};
  SystemFigures recent{"recent-repeat", 10};
};

// Runs the evaluation of `p` into `events` and `learning` (normally one
// SqliteEventStore, fresh). Errors: those of the store, the engine or the
// catalogue (e.g. kInvalidArgument for an invalid activity), unchanged.
absl::StatusOr<PresentationEval> EvaluatePresentation(
    const Presentation& p, store::EventStore* events,
    store::LearningStore* learning, const model::TaggerRegistry* taggers,
    const EvalOptions& options);

// The figures as a fixed-width text table (one block per presentation) and
// as JSON ({"presentations":[...],"wall_seconds":...}).
std::string EvalTable(const std::vector<PresentationEval>& evals,
                      double wall_seconds);
std::string EvalJson(const std::vector<PresentationEval>& evals,
                     double wall_seconds);

}  // namespace polku::oulad

#endif  // POLKU_OULAD_EVAL_H_
