// EventStore: the port through which the core keeps events durably.
//
// Implementations: InMemoryEventStore (tests), SqliteEventStore (the
// embedded default) and, for scale-out, a PostgreSQL one. All of them pass
// the conformance suite in event_store_conformance.h.
//
// Identity and idempotency: an event is identified by (tenant, event_id).
// Appending an id the store already holds with the same content hash is a
// DUPLICATE (a success; nothing changes); with another hash it is a
// CONFLICT (nothing changes). An event of a learner whose data was erased
// is ERASED: acknowledged, never stored, so an adapter's resend cannot bring
// the data back.
//
// Durability: when Append returns OK, every ACCEPTED record is committed
// (for SQLite with synchronous=FULL: it survives power loss).
// Implementations are thread-safe.
#ifndef POLKU_STORE_EVENT_STORE_H_
#define POLKU_STORE_EVENT_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "learning/profile.h"
#include "model/learning_event.h"
#include "model/tags.h"

namespace polku::store {

enum class WriteOutcome : uint8_t {
  kAccepted = 0,
  kDuplicate,
  kConflict,
  kErased,
};
std::string_view WriteOutcomeName(WriteOutcome o);  // "ACCEPTED", ...

// One stored event: the canonical event text and its tag, plus the columns
// the store indexes.
struct EventRecord {
  std::string tenant;
  std::string event_id;
  std::string learner_key;
  int64_t occurred_at_ms = 0;
  int64_t received_at_ms = 0;
  model::Platform platform = model::Platform::kUnspecified;
  model::Verb verb = model::Verb::kUnspecified;
  model::Mode mode = model::Mode::kUnspecified;
  std::string object_id;
  std::string content_hash;  // model::ContentHash(event)
  std::string body_json;     // model::CanonicalJson(event)
  std::string tags_json;     // model::TagsJson(tags)
  // The event's contribution to the learner's profile; null when the event
  // is not to be profiled. Stores that implement LearningStore apply it in
  // the transaction that accepts the event (learning_store.h).
  std::shared_ptr<const learning::ProfileDelta> delta;
};

// Builds a record from a tagged event.
EventRecord MakeRecord(std::string_view tenant,
                       const model::LearningEvent& event,
                       const model::EventTags& tags, int64_t received_at_ms);

// Reported after each commit, for metrics.
struct CommitStats {
  size_t records = 0;   // records written in the transaction
  size_t requests = 0;  // Append calls grouped into it
  double seconds = 0;   // time spent committing
};
using CommitObserver = std::function<void(const CommitStats&)>;

class EventStore {
 public:
  virtual ~EventStore() = default;

  // Stores `records`; returns one outcome per record, in order. Two records
  // with the same id in one call are treated as if appended one after the
  // other. Errors: kUnavailable when the store cannot commit (nothing of
  // this call is stored; the caller may retry), kFailedPrecondition after
  // Close().
  virtual absl::StatusOr<std::vector<WriteOutcome>> Append(
      absl::Span<const EventRecord> records) = 0;

  // The record with this id, or nullopt.
  virtual absl::StatusOr<std::optional<EventRecord>> Get(
      std::string_view tenant, std::string_view event_id) = 0;

  // Number of events held for `tenant`.
  virtual absl::StatusOr<int64_t> Count(std::string_view tenant) = 0;

  // A learner's events, oldest first, at most `limit`.
  virtual absl::StatusOr<std::vector<EventRecord>> ListByLearner(
      std::string_view tenant, std::string_view learner_key, size_t limit) = 0;

  // Deletes every event of the learner and leaves a tombstone, so that later
  // appends of the learner's events are ERASED. Returns the number deleted.
  virtual absl::StatusOr<int64_t> EraseLearner(std::string_view tenant,
                                               std::string_view learner_key,
                                               int64_t now_ms) = 0;

  // Tenant offboarding: deletes every event and every erasure tombstone of
  // `tenant`, in one transaction. Returns the number of events deleted (0
  // for an unknown tenant). Other tenants are untouched. Afterwards the
  // tenant is as if it had never existed: appends are ACCEPTED again.
  // Errors: kUnavailable when the store cannot commit (nothing deleted),
  // kFailedPrecondition after Close().
  virtual absl::StatusOr<int64_t> DeleteTenant(std::string_view tenant) = 0;

  // Retention of raw events: deletes the tenant's events that occurred
  // before `cutoff_ms` and remembers the cutoff, so that an event older
  // than it (a resend of a deleted one, or a late backfill) is acknowledged
  // as DUPLICATE and not stored again. What was learned from the deleted
  // events (profiles, activity states, co-occurrence, weeks) stays. A lower
  // cutoff than one already applied changes nothing. Returns the number of
  // events deleted. Errors as DeleteTenant.
  virtual absl::StatusOr<int64_t> DeleteEventsBefore(std::string_view tenant,
                                                     int64_t cutoff_ms) = 0;

  // Flushes and releases resources; later calls fail with
  // kFailedPrecondition. Idempotent.
  virtual absl::Status Close() = 0;
};

}  // namespace polku::store

#endif  // POLKU_STORE_EVENT_STORE_H_
