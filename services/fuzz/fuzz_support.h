// Shared by the libFuzzer targets of services/fuzz: runs one normaliser on
// the fuzz input and checks the contract of normaliser.h, trapping
// (__builtin_trap) on any violation so libFuzzer records it as a crash.
//
// Checked for every input:
// - the normaliser returns (no crash, no sanitizer report, no hang);
// - an error is kInvalidArgument or kUnimplemented, and leaves `out` as it
//   was (a sentinel event put there first is still the only element);
// - on success the sentinel is untouched, at least one event was appended,
//   and each has an event id, a platform, a learner key and a verb (what
//   every normaliser promises). The object id, lengths and time limits are
//   checked by the Ingestor's ValidateEvent, which must merely return here:
//   an IRI such as "http://#x" canonicalises to an empty object id, which
//   ValidateEvent rejects ("object.id: is required"); see
//   seeds/caliper/empty_object_iri.json.
// - the normaliser is deterministic: a second run gives the same events
//   (compared by canonical JSON).
#ifndef POLKU_FUZZ_FUZZ_SUPPORT_H_
#define POLKU_FUZZ_FUZZ_SUPPORT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "ingest/normaliser.h"
#include "ingest/source_event.h"
#include "model/event_codec.h"
#include "model/learning_event.h"

namespace polku::fuzz {

inline constexpr std::string_view kTenant = "fuzz-tenant";
inline constexpr int64_t kReceivedAtMs = 1700000000000;  // 2023-11-14
inline constexpr std::string_view kSentinelId = "fuzz-sentinel-event";

// A fixed enrichment that exercises ApplyEnrichment too.
inline ingest::Enrichment FixedEnrichment() {
  ingest::Enrichment e;
  e.instance = "https://lms.example.edu";
  e.adapter_version = "fuzz/1";
  e.event_id = "fuzz-adapter-event-id";
  e.course_required = model::Tristate::kYes;
  e.goal_ids = {"goal-1"};
  e.competencies = {"comp-1"};
  e.org_unit = "unit-1";
  e.learner_role = "learner";
  e.extensions = {{"fuzz", "1"}};
  return e;
}

inline model::LearningEvent Sentinel() {
  model::LearningEvent e;
  e.event_id = std::string(kSentinelId);
  return e;
}

using NormaliseFn = absl::Status (*)(std::string_view tenant,
                                     const ingest::SourceEvent& source,
                                     std::vector<model::LearningEvent>& out);

inline void Check(bool ok) {
  if (!ok) __builtin_trap();
}

// Runs `fn` on the input as a payload of `format` and checks the contract.
inline void FuzzNormaliser(NormaliseFn fn, ingest::SourceFormat format,
                           const uint8_t* data, size_t size) {
  ingest::SourceEvent source;
  source.format = format;
  source.payload.assign(reinterpret_cast<const char*>(data), size);
  source.enrichment = FixedEnrichment();
  source.received_at_ms = kReceivedAtMs;

  std::vector<model::LearningEvent> out;
  out.push_back(Sentinel());
  absl::Status s = fn(kTenant, source, out);
  Check(!out.empty() && out[0].event_id == kSentinelId &&
        out[0].learner.key.empty() && out[0].object.id.empty());
  if (!s.ok()) {
    Check(s.code() == absl::StatusCode::kInvalidArgument ||
          s.code() == absl::StatusCode::kUnimplemented);
    Check(out.size() == 1);
    return;
  }
  Check(out.size() > 1);
  for (size_t i = 1; i < out.size(); ++i) {
    const model::LearningEvent& e = out[i];
    Check(!e.event_id.empty());
    Check(e.source.platform != model::Platform::kUnspecified);
    Check(!e.learner.key.empty());
    Check(e.verb != model::Verb::kUnspecified);
    // The Ingestor validates next; it must return (not crash) on any event.
    (void)model::ValidateEvent(e, kReceivedAtMs);
  }
  // Pure: the same input gives the same events.
  std::vector<model::LearningEvent> again;
  Check(fn(kTenant, source, again).ok());
  Check(again.size() + 1 == out.size());
  for (size_t i = 0; i < again.size(); ++i) {
    Check(model::CanonicalJson(again[i]) == model::CanonicalJson(out[i + 1]));
  }
}

}  // namespace polku::fuzz

#endif  // POLKU_FUZZ_FUZZ_SUPPORT_H_
