// `polku tag`: tags events from files without a server, so administrators
// can try rules before deploying them. Uses the same Ingestor::Tag as the
// TagEvent RPC.
#ifndef POLKU_CLI_TAG_COMMAND_H_
#define POLKU_CLI_TAG_COMMAND_H_

#include <iosfwd>
#include <string>
#include <vector>

#include "ingest/source_event.h"
#include "model/tagger_registry.h"

namespace polku::cli {

struct TagOptions {
  // "auto", "native", "moodle", "xapi", "caliper", "openedx" (tracking) or
  // "openedx-signal".
  std::string format = "auto";
  std::string tenant = "default";
  std::string locale = "en";
  // Enrichment applied to every source event (instance URL, ...).
  ingest::Enrichment enrichment;
};

// Tags one input text named `file` and writes one JSON line per event to
// `out`: {"file","event_id","mode","confidence","dimensions","evidence"}, or
// {"file","error"} when the input is rejected. Returns the number of
// rejected events (or 1 when the whole input is rejected).
int TagText(const std::string& file, const std::string& text,
            const TagOptions& options, const model::TaggerRegistry& taggers,
            std::ostream& out);

}  // namespace polku::cli

#endif  // POLKU_CLI_TAG_COMMAND_H_
