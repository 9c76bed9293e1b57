// Group commit of served recommendations.
//
// Every GetRecommendations answer records what it served (with its
// propensity) before it returns, so feedback can later be matched to it.
// One store transaction per answer would cost one durable commit (an fsync
// under SQLite's synchronous=FULL, a WAL flush on PostgreSQL) per request,
// and would bound recommendations to a few hundred per second. Callers
// that arrive while a commit is in flight are written together in the
// next one, one transaction per tenant; each caller still returns only
// after its own records are committed, with that commit's status.
//
// The first caller that finds no commit in flight writes (leader); the
// others wait and either find theirs written or become the next leader.
// No thread of its own.
#ifndef POLKU_ENGINE_SERVED_LOG_H_
#define POLKU_ENGINE_SERVED_LOG_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "store/learning_store.h"

namespace polku::engine {

class ServedLog {
 public:
  // Commits one tenant's records in one transaction
  // (LearningStore::RecordServed).
  using WriteFn = std::function<absl::Status(
      std::string_view tenant,
      absl::Span<const store::ServedRecommendation> served)>;
  explicit ServedLog(WriteFn write) : write_(std::move(write)) {}

  // Returns once `served` is committed (or its commit failed).
  absl::Status Record(std::string_view tenant,
                      std::vector<store::ServedRecommendation> served);

  // Store commits so far and the callers they carried (what the tests
  // check batching by).
  struct Counts {
    int64_t commits = 0;
    int64_t callers = 0;
  };
  Counts counts() const;
  // Callers waiting for the next commit.
  size_t queued() const;

 private:
  struct Pending {
    std::string tenant;
    std::vector<store::ServedRecommendation> served;
    absl::Status status;
    bool done = false;
  };
  // Writes a batch, one transaction per tenant; sets each one's status.
  void Write(const std::vector<Pending*>& batch);

  const WriteFn write_;
  mutable absl::Mutex mu_;
  std::vector<Pending*> queue_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  Counts counts_ ABSL_GUARDED_BY(mu_);
};

}  // namespace polku::engine

#endif  // POLKU_ENGINE_SERVED_LOG_H_
