// InMemoryEventStore: the EventStore port held in memory, for unit tests
// and `polku tag`-style dry runs. Nothing survives the process.
// Thread-safe (one mutex).
#ifndef POLKU_STORE_IN_MEMORY_EVENT_STORE_H_
#define POLKU_STORE_IN_MEMORY_EVENT_STORE_H_

#include <map>
#include <set>
#include <string>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "store/event_store.h"

namespace polku::store {

class InMemoryEventStore final : public EventStore {
 public:
  absl::StatusOr<std::vector<WriteOutcome>> Append(
      absl::Span<const EventRecord> records) override;
  absl::StatusOr<std::optional<EventRecord>> Get(
      std::string_view tenant, std::string_view event_id) override;
  absl::StatusOr<int64_t> Count(std::string_view tenant) override;
  absl::StatusOr<std::vector<EventRecord>> ListByLearner(
      std::string_view tenant, std::string_view learner_key,
      size_t limit) override;
  absl::StatusOr<int64_t> EraseLearner(std::string_view tenant,
                                       std::string_view learner_key,
                                       int64_t now_ms) override;
  absl::StatusOr<int64_t> DeleteTenant(std::string_view tenant) override;
  absl::StatusOr<int64_t> DeleteEventsBefore(std::string_view tenant,
                                             int64_t cutoff_ms) override;
  absl::Status Close() override;

 private:
  using Key = std::pair<std::string, std::string>;  // (tenant, id)
  absl::Mutex mu_;
  std::map<Key, EventRecord> events_ ABSL_GUARDED_BY(mu_);
  std::set<Key> tombstones_ ABSL_GUARDED_BY(mu_);  // (tenant, learner)
  std::map<std::string, int64_t, std::less<>> cutoffs_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace polku::store

#endif  // POLKU_STORE_IN_MEMORY_EVENT_STORE_H_
