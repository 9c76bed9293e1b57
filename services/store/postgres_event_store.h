// PostgresEventStore: the EventStore and LearningStore for scale-out, on a
// PostgreSQL database shared by any number of Polku replicas (libpq).
//
// - Schema: versioned in the table polku_schema_version and migrated at
//   open under a session advisory lock (pg_advisory_lock with a fixed key),
//   so replicas that start at once migrate one after the other; the
//   others find the schema current. Text keys use COLLATE "C", so orders
//   and page tokens are byte orders whatever the database's locale.
// - Append: one transaction per call. Events go in with INSERT ... ON
//   CONFLICT DO NOTHING; an id already held is a DUPLICATE (same content
//   hash) or a CONFLICT (another hash); a learner with an erasure
//   tombstone (SHA-256 of tenant and learner key, never the key) is ERASED.
// - Projection (learning_store.h) in the same transaction, for accepted
//   records only. Each learner of the call is locked first, in sorted
//   (tenant, learner key) order, through its row in `learners` (one
//   multi-row upsert per tenant, which takes the row locks; a row lock
//   rather than SELECT ... FOR UPDATE on the profile, because a learner
//   may have no profile row yet); so two replicas appending events of one
//   learner take turns, the second reads the profile and the activity
//   states the first committed, and no increment is lost. The learners'
//   tombstones, opt-outs, profiles and activities are read with one query
//   each; events and the projection's rows are written with prepared
//   statements in a loop, within the one transaction.
//   Tenant-wide aggregates (co-occurrence, bandit arms) are additive
//   upserts (n = n + excluded.n), written in key order.
// - Retries: a transaction that fails with a serialization failure
//   (40001), a deadlock (40P01) or a lost connection is run again from the
//   start on a fresh connection, up to Options::max_attempts times with
//   exponential backoff. A commit whose connection dropped may have
//   committed: its retry then reports DUPLICATE for the events it stored.
// - A fixed pool of connections (Options::pool_size); a call waits for a
//   free one. A broken connection is replaced at its next use.
// - The connection string (it holds the password) never appears in a
//   Status or log line: libpq's messages are scrubbed of it.
// Thread-safe.
#ifndef POLKU_STORE_POSTGRES_EVENT_STORE_H_
#define POLKU_STORE_POSTGRES_EVENT_STORE_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "store/event_store.h"
#include "store/learning_store.h"

namespace polku::store {

class PostgresEventStore final : public EventStore, public LearningStore {
 public:
  struct Options {
    // Connections kept open; calls beyond it wait for one.
    size_t pool_size = 4;
    // Attempts of a transaction that fails with a retryable error.
    int max_attempts = 6;
    // Backoff before the second attempt; doubled for each further one,
    // with jitter.
    int initial_backoff_ms = 5;
    CommitObserver on_commit;  // may be empty
  };

  // Connects (libpq keyword/value or URI `dsn`; one connection at once,
  // the rest of the pool when first needed) and migrates the schema. Errors:
  // kInvalidArgument for a malformed connection string or a pool size of 0,
  // kUnavailable if the database cannot be reached, kFailedPrecondition if its
  // schema is newer than this binary knows. No error text contains the
  // connection string.
  static absl::StatusOr<std::unique_ptr<PostgresEventStore>> Open(
      const std::string& dsn, Options options);
  static absl::StatusOr<std::unique_ptr<PostgresEventStore>> Open(
      const std::string& dsn) {
    return Open(dsn, Options());
  }
  ~PostgresEventStore() override;

  // As EventStore::Append; also kInvalidArgument (nothing stored) for a
  // value PostgreSQL refuses, such as text that is not valid UTF-8.
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
  // Waits for calls in progress to return their connections, then closes
  // them.
  absl::Status Close() override;

  // --- LearningStore --------------------------------------------------
  // Semantics as SqliteEventStore's (sqlite_event_store.h): callbacks run
  // without a connection held, in chunks; page sizes 0 and above
  // kMaxPageSize as there; CatalogueVersion is max(previous + 1, now ms).
  absl::StatusOr<std::optional<learning::Profile>> GetProfile(
      std::string_view tenant, std::string_view learner_key) override;
  absl::Status ForEachProfile(
      std::string_view tenant, std::string_view org_unit,
      const std::function<void(std::string_view learner_key,
                               const learning::Profile&)>& fn) override;
  absl::StatusOr<std::vector<ActivityState>> GetActivityStates(
      std::string_view tenant, std::string_view learner_key) override;
  absl::StatusOr<std::vector<std::pair<std::string, double>>> NextActivities(
      std::string_view tenant, absl::Span<const std::string> from,
      size_t limit) override;
  absl::StatusOr<std::vector<LearnerWeek>> ListWeeks(
      std::string_view tenant, std::string_view org_unit,
      int64_t from_week) override;
  absl::Status ForEachCompletionSequence(
      std::string_view tenant,
      const std::function<void(std::string_view learner_key,
                               const std::vector<std::string>& completed)>& fn)
      override;
  absl::Status UpsertActivities(
      std::string_view tenant,
      absl::Span<const learning::Activity> activities) override;
  absl::Status UpsertPaths(
      std::string_view tenant,
      absl::Span<const learning::LearningPath> paths) override;
  absl::StatusOr<Page<learning::Activity>> ListActivities(
      std::string_view tenant, size_t page_size,
      std::string_view page_token) override;
  absl::StatusOr<Page<learning::LearningPath>> ListPaths(
      std::string_view tenant, size_t page_size,
      std::string_view page_token) override;
  absl::StatusOr<learning::CatalogueFile> LoadCatalogue(
      std::string_view tenant) override;
  absl::StatusOr<int64_t> CatalogueVersion(std::string_view tenant) override;
  absl::StatusOr<std::vector<std::string>> CatalogueTenants(
      size_t max) override;
  absl::Status RecordServed(
      std::string_view tenant,
      absl::Span<const ServedRecommendation> served) override;
  absl::StatusOr<std::optional<ServedRecommendation>> GetServed(
      std::string_view tenant, std::string_view learner_key,
      std::string_view recommendation_id) override;
  absl::Status RecordFeedback(std::string_view tenant,
                              const FeedbackRecord& feedback) override;
  absl::StatusOr<std::vector<FeedbackRecord>> ListFeedback(
      std::string_view tenant, std::string_view learner_key,
      int64_t since_ms) override;
  absl::StatusOr<std::vector<BanditArm>> GetBandit(
      std::string_view tenant) override;
  absl::StatusOr<RecommendationContext> ReadRecommendationContext(
      std::string_view tenant, std::string_view learner_key,
      const RecommendationQuery& query) override;
  absl::Status SetOptOut(std::string_view tenant, std::string_view learner_key,
                         bool opted_out, int64_t now_ms) override;
  absl::StatusOr<bool> IsOptedOut(std::string_view tenant,
                                  std::string_view learner_key) override;
  absl::StatusOr<LearnerState> ExportLearnerState(
      std::string_view tenant, std::string_view learner_key) override;

  // The schema version this binary writes.
  static int SchemaVersion();

  // Transactions run again after a retryable error since Open (for
  // metrics and tests).
  int64_t retries() const;

  class Conn;  // one libpq connection (postgres_event_store.cc)

 private:
  class Lease;  // a connection checked out of the pool
  PostgresEventStore(std::string dsn, std::vector<std::unique_ptr<Conn>> pool,
                     Options options);

  // Takes a connection from the pool, waiting for one; kFailedPrecondition
  // once Close() began.
  absl::StatusOr<Lease> Checkout();
  // kFailedPrecondition once Close() began.
  absl::Status CheckOpen() const;
  void Return(std::unique_ptr<Conn> conn);
  // Runs `body` in one transaction, again from the start after a
  // retryable error (see the header comment). `body` must reset whatever
  // it fills in when it starts.
  absl::Status InTransaction(const std::function<absl::Status(Conn&)>& body,
                             bool read_only = false);
  // Runs `body` on a pooled connection outside an explicit transaction,
  // retried as above (for reads and single statements).
  absl::Status OnConnection(const std::function<absl::Status(Conn&)>& body);
  absl::Status AppendTx(Conn& c, absl::Span<const EventRecord> records,
                        std::vector<WriteOutcome>& outcomes);

  const std::string dsn_;
  const Options options_;
  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<Conn>> idle_ ABSL_GUARDED_BY(mu_);
  size_t leased_ ABSL_GUARDED_BY(mu_) = 0;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  int64_t retries_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace polku::store

#endif  // POLKU_STORE_POSTGRES_EVENT_STORE_H_
