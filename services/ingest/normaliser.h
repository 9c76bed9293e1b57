// Normalisers: source payloads to LearningEvents, one pure function per
// source format, all behind Normalise().
//
// Contract shared by every normaliser:
// - Appends one LearningEvent per source event to `out` (an xAPI array or a
//   Caliper envelope gives several). On error, `out` is left as it was:
//   a payload is taken whole or not at all.
// - Errors are kInvalidArgument naming the field, with the JSON path of the
//   payload ("payload.actor.account.name: is required"); kUnimplemented for
//   a well-formed event of a type Polku does not map (the caller reports it
//   as rejected, with the type named).
// - Keeps no personal data: names, e-mails, usernames, IP addresses, user
//   agents and session ids are never copied into the event.
// - The learner key is model::LearnerKey(instance, platform user id); see
//   README "Learner keys" for the rule per source.
// - An event without a source id gets model::DeriveEventId(tenant, ...).
// - Pure and thread-safe (the JSON parser is per thread).
#ifndef POLKU_INGEST_NORMALISER_H_
#define POLKU_INGEST_NORMALISER_H_

#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "ingest/source_event.h"
#include "model/learning_event.h"

namespace polku::ingest {

// Dispatches on source.format. kUnspecified is detected from the payload's
// shape (see DetectFormat).
absl::Status Normalise(std::string_view tenant, const SourceEvent& source,
                       std::vector<model::LearningEvent>& out);

// Guesses the format of a JSON payload from its keys: "eventname" (Moodle),
// "actor"+"verb" (xAPI, also an array of them), "@context" or "sensor"
// (Caliper), "name"+"context"+"data"/"event" (Open edX tracking),
// "signal" (Open edX signal). kUnspecified when none fits.
SourceFormat DetectFormat(std::string_view payload);

absl::Status NormaliseMoodle(std::string_view tenant, const SourceEvent& source,
                             std::vector<model::LearningEvent>& out);
absl::Status NormaliseXapi(std::string_view tenant, const SourceEvent& source,
                           std::vector<model::LearningEvent>& out);
absl::Status NormaliseCaliper(std::string_view tenant,
                              const SourceEvent& source,
                              std::vector<model::LearningEvent>& out);
absl::Status NormaliseOpenEdxTracking(std::string_view tenant,
                                      const SourceEvent& source,
                                      std::vector<model::LearningEvent>& out);
absl::Status NormaliseOpenEdxSignal(std::string_view tenant,
                                    const SourceEvent& source,
                                    std::vector<model::LearningEvent>& out);

// Applies the enrichment fields that every normaliser honours the same way
// (org unit, role, required flag, goals, competencies, enrolment method when
// the payload has none, work-flow and future-skill flags, extensions,
// adapter version). Called by each normaliser after its own mapping.
void ApplyEnrichment(const Enrichment& enrichment, model::LearningEvent& event);

}  // namespace polku::ingest

#endif  // POLKU_INGEST_NORMALISER_H_
