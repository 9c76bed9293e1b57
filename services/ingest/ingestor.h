// Ingestor: the ingest pipeline of the core.
//
// For each item of a batch: normalise (a SourceEvent may hold several
// events), fill in a derived id where the source has none, validate, tag
// with the tenant's rules, then append everything that passed to the store
// in one call, which is durable before it returns. Results are per event:
// one bad event never fails its neighbours.
//
// A plain class with its collaborators as constructor arguments, so a test
// builds one in a line; the gRPC and HTTP layers only translate to it.
// Thread-safe if the store and registry are (they are).
#ifndef POLKU_INGEST_INGESTOR_H_
#define POLKU_INGEST_INGESTOR_H_

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/clock.h"
#include "ingest/source_event.h"
#include "learning/profile.h"
#include "model/event_codec.h"
#include "model/learning_event.h"
#include "model/tagger_registry.h"
#include "model/tags.h"
#include "store/event_store.h"

namespace polku::ingest {

// One item of a batch: a native LearningEvent or a SourceEvent.
using IngestItem = std::variant<model::LearningEvent, SourceEvent>;

enum class Outcome : uint8_t {
  kAccepted = 0,  // stored now
  kDuplicate,     // already stored with the same content
  kConflict,      // already stored with other content; not changed
  kErased,        // the learner's data was erased; acknowledged, not stored
  kRejected,      // invalid; see `error`
  kTagged,        // dry run: tagged, not stored
};
std::string_view OutcomeName(Outcome o);

struct EventResult {
  size_t item_index = 0;  // which item of the batch it came from
  Outcome outcome = Outcome::kRejected;
  absl::Status error;          // set when kRejected (field named) or kConflict
  model::LearningEvent event;  // normalised (may be partial when rejected)
  model::EventTags tags;       // set unless rejected
};

struct IngestOptions {
  model::ValidationLimits limits;
  size_t max_batch_events = 10000;  // events after normalising
  // When set, each stored event carries its contribution to the learner's
  // profile (learning/profile.h), applied by the store as it accepts the
  // event (store/learning_store.h).
  std::optional<learning::ProfileConfig> profile;
};

class Ingestor {
 public:
  Ingestor(store::EventStore* store, const model::TaggerRegistry* taggers,
           const common::Clock* clock, IngestOptions options = {});

  // Normalises, validates, tags and stores `items` for `tenant`.
  // Returns per-event results in item order. Errors for the whole call:
  // kInvalidArgument when the batch is empty or holds more than
  // max_batch_events events, kUnavailable when the store cannot commit
  // (nothing was stored; retry).
  absl::StatusOr<std::vector<EventResult>> Ingest(
      std::string_view tenant, std::vector<IngestItem> items);

  // The same without storing: outcome kTagged or kRejected.
  std::vector<EventResult> Tag(std::string_view tenant,
                               std::vector<IngestItem> items) const;

 private:
  std::vector<EventResult> Prepare(std::string_view tenant,
                                   std::vector<IngestItem> items) const;

  store::EventStore* store_;
  const model::TaggerRegistry* taggers_;
  const common::Clock* clock_;
  IngestOptions options_;
};

}  // namespace polku::ingest

#endif  // POLKU_INGEST_INGESTOR_H_
