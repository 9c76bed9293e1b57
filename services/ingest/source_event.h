// SourceEvent: an event as the LMS produced it, plus what only the LMS knows.
//
// Adapters stay thin: they forward the source's own payload (Moodle's
// $event->get_data(), an Open edX tracking-log event or signal payload, an
// xAPI statement, a Caliper event or envelope) with an Enrichment, and
// Polku's normalisers (normaliser.h) map it to LearningEvents once, in C++.
#ifndef POLKU_INGEST_SOURCE_EVENT_H_
#define POLKU_INGEST_SOURCE_EVENT_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/learning_event.h"

namespace polku::ingest {

enum class SourceFormat : uint8_t {
  kUnspecified = 0,
  kMoodle,           // Moodle event data (get_data()), JSON
  kXapi,             // one xAPI statement or an array of them
  kCaliper,          // one Caliper event or an envelope with data[]
  kOpenEdxTracking,  // an Open edX tracking-log event {name, context, data}
  kOpenEdxSignal,    // an openedx-events signal payload (see normaliser docs)
  kCount_,
};
// "MOODLE", "XAPI", "CALIPER", "OPENEDX_TRACKING", "OPENEDX_SIGNAL".
std::string_view SourceFormatName(SourceFormat f);
std::optional<SourceFormat> ParseSourceFormat(std::string_view s);

// Facts the adapter adds because only the LMS knows them.
struct Enrichment {
  // Base URL of the LMS (Moodle wwwroot, Open edX LMS root). Learner keys
  // and object ids are formed under it (model::LearnerKey).
  std::string instance;
  std::string adapter_version;
  // An id the adapter derived for the event; used when the payload has none.
  std::string event_id;
  model::EnrolmentMethod enrolment_method =
      model::EnrolmentMethod::kUnspecified;
  model::Tristate course_required = model::Tristate::kUnknown;
  model::Tristate in_flow_of_work = model::Tristate::kUnknown;
  model::Tristate future_skill = model::Tristate::kUnknown;
  std::vector<std::string> goal_ids;
  std::vector<std::string> competencies;
  std::string org_unit;
  std::string learner_role;  // e.g. "manager"
  std::map<std::string, std::string> extensions;
};

struct SourceEvent {
  SourceFormat format = SourceFormat::kUnspecified;
  std::string payload;  // the source's JSON text
  Enrichment enrichment;
  // When Polku received the event (epoch ms); set by the Ingestor. Used
  // where the source lets the receiver assign the time: an xAPI statement
  // without "timestamp" or "stored" gets this, as an LRS would assign it.
  int64_t received_at_ms = 0;
};

}  // namespace polku::ingest

#endif  // POLKU_INGEST_SOURCE_EVENT_H_
