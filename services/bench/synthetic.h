// Synthetic learning data for the benchmarks: a catalogue of activities and
// learning paths, and native LearningEvents of many learners over it. Both
// are deterministic functions of their arguments, so polku-bench's
// preparation step, its load generator and the ranker micro-benchmark see
// the same shapes without sharing files. Pure core: no gRPC or SQLite.
//
// Thread-compatible (plain functions over plain data).
#ifndef POLKU_BENCH_SYNTHETIC_H_
#define POLKU_BENCH_SYNTHETIC_H_

#include <cstdint>
#include <string>

#include "learning/catalogue.h"
#include "model/learning_event.h"

namespace polku::bench {

// 2026-01-05T00:00:00Z: day 0 of every synthetic event.
inline constexpr int64_t kSyntheticStartMs = 1767571200000;

// The id of activity `i` ("bench-act-000042").
std::string SyntheticActivityId(int64_t i);
// The learner key of learner `i` under `run` ("bench.example#<run>-<i>").
std::string SyntheticLearnerKey(std::string_view run, int64_t i);

// `activities` activities of mixed kinds and modes (a tenth of them
// required, a third carrying one of 50 goal ids) and `paths` paths of
// 4 to 11 steps over them. Every path step names an existing activity.
learning::CatalogueFile SyntheticCatalogue(int64_t activities, int64_t paths);

// Event `seq` of a stream: learner `learner` of `run` acting on activity
// `activity` of the synthetic catalogue. The event id is a UUID-shaped
// string unique for (run, stream, seq); occurred_at grows by a second per
// `seq`. Verbs cycle through viewed, completed, replied, submitted and enrolled
// so that profiles, touches and completions all get written.
model::LearningEvent SyntheticEvent(std::string_view run, uint32_t stream,
                                    uint64_t seq, int64_t learner,
                                    int64_t activity);

}  // namespace polku::bench

#endif  // POLKU_BENCH_SYNTHETIC_H_
