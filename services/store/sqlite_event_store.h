// SqliteEventStore: the embedded default EventStore, one SQLite file.
//
// - WAL journal; synchronous=FULL by default, so an acknowledged event
//   survives power loss. synchronous=NORMAL is an explicit opt-in
//   (Options::durability) that may lose the last commits on power loss.
// - Group commit: Append calls from many threads are queued to one writer
//   thread, which commits everything waiting in one transaction and then
//   wakes each caller with its outcomes. An Append returns only after its
//   transaction committed and, at Durability::kFull, after the WAL was
//   synced. That sync is pipelined: a thread of its own syncs the WAL
//   (one fdatasync for every group committed meanwhile) while the writer
//   commits the next group, so a group is visible to reads up to one sync
//   before an Append returns for it.
// - The schema is versioned (PRAGMA user_version) and migrated at open.
// - Erasure tombstones hold a SHA-256 of (tenant, learner key), never the key.
// - It is also the LearningStore: the projection of each accepted record's
//   ProfileDelta (profile, activity states, transitions, co-occurrence,
//   learner weeks) is written in the group's transaction. The projection
//   runs in memory, event by event in arrival order, on state cached per
//   learner; each distinct profile, week, activity state, transition and
//   co-occurrence row is written once per group, in key order. Catalogue,
//   served, feedback and opt-out writes take the writer connection between
//   group commits.
// - Reads lease one of a few reader connections (Options::readers), so
//   they run side by side and beside the writer; each connection keeps
//   its statements prepared.
// - The WAL is checkpointed by a thread of its own, so no commit waits
//   while the WAL is copied into the database.
// - Connections open through a VFS that writes a commit's WAL frames in a
//   few large writes instead of two per page (sqlite_wal_vfs.h).
// Thread-safe.
#ifndef POLKU_STORE_SQLITE_EVENT_STORE_H_
#define POLKU_STORE_SQLITE_EVENT_STORE_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "store/event_store.h"
#include "store/learning_codec.h"
#include "store/learning_store.h"

struct sqlite3;

namespace polku::store {
namespace sqlite_internal {
class Connection;
class Stmt;
}  // namespace sqlite_internal

// What the WAL, its checkpoints and the event ids have done since the
// store opened: the server exports these as metrics (README "Metrics"), so
// an operator sees whether the WAL keeps starting over near
// checkpoint_pages, whether the checkpoint thread keeps up, and what the
// passes that write event ids cost.
struct SqliteStoreStats {
  // Pages in the WAL after the last commit.
  int64_t wal_pages = 0;
  // Commits that started the WAL over (a checkpoint had copied all of it).
  int64_t wal_restarts = 0;
  // PASSIVE passes of the checkpoint thread (a run makes one or more, as
  // long as commits add pages meanwhile), and their wall time with the
  // syncs of the database file.
  int64_t thread_passes = 0;
  double thread_seconds = 0;
  // The few pages left after the thread's runs, copied by the writer
  // between two commits, and the wall time commits waited for them.
  int64_t writer_rests = 0;
  double writer_rest_seconds = 0;
  // Copies of all that was left because the WAL reached four times
  // checkpoint_pages (the thread fell behind, or one commit was larger
  // than that), and the wall time commits waited for them.
  int64_t writer_forced = 0;
  double writer_forced_seconds = 0;
  // Ids of stored events held in memory, not yet in event_ids; the passes
  // that wrote them there (every Options::merge_ids_at new events), and
  // their wall time, for which the writer's next commit waited.
  int64_t event_ids_held = 0;
  int64_t event_id_passes = 0;
  double event_id_pass_seconds = 0;
};

class SqliteEventStore final : public EventStore, public LearningStore {
 public:
  enum class Durability { kFull, kNormal };
  struct Options {
    Durability durability = Durability::kFull;
    // Most records committed in one transaction.
    size_t max_group_records = 20000;
    CommitObserver on_commit;  // may be empty
    // Learners whose projection state (erased or not, opted out or not,
    // profile, and the id and first touch of every activity they touched)
    // stays in memory between group commits, so that a learner seen again
    // is not read from the database again, and first touches and the
    // previous activity are found without a query per event. Between
    // groups a learner is held compact (the profile in a cache-only
    // encoding, a fifth to a third of the stored blob, decoded when a group
    // projects the learner again): about 450 bytes per learner plus, per
    // touched activity, a few bytes and the part of its id not shared with
    // the previous id in sort order. Learners the last group did not touch
    // are dropped first.
    size_t learner_cache_size = 50000;
    // Reader connections (at least 1). A read waits while all are leased.
    size_t readers = 4;
    // WAL size, in pages, from which a checkpoint thread of its own copies
    // the WAL into the database (PASSIVE: commits go on meanwhile). The
    // writer then copies the small rest between two commits, so that the
    // WAL starts over. Should the WAL still reach four times this, the
    // writer tries to copy it itself after each commit. It cannot while a
    // pass of the thread runs (SQLITE_BUSY), and the thread makes at most
    // 17 passes a run, so the WAL can pass four times this by what
    // commits add during those passes (polku_store_wal_pages shows it).
    int checkpoint_pages = 10000;
    // Ids of newly stored events held in memory (about 50 bytes each)
    // before they are written to the event_ids table in one pass, in
    // hash order. A unique index on the events' ids would take a write to
    // a random page of it for every event; this pass writes each page of
    // the table at most once for this many events.
    size_t merge_ids_at = 200000;
  };

  // Opens (creating if needed) the database at `path` and migrates it.
  // Errors: kUnavailable if the file cannot be opened, kFailedPrecondition
  // if its schema is newer than this binary knows.
  static absl::StatusOr<std::unique_ptr<SqliteEventStore>> Open(
      const std::string& path, Options options);
  static absl::StatusOr<std::unique_ptr<SqliteEventStore>> Open(
      const std::string& path) {
    return Open(path, Options());
  }
  ~SqliteEventStore() override;

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

  // --- LearningStore --------------------------------------------------
  // Callbacks (ForEachProfile, ForEachCompletionSequence) run without any
  // lock held, in chunks, so they may call back into the store; a
  // concurrent write may or may not be seen by a later chunk.
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
  // A page_size of 0 means kDefaultPageSize; larger than kMaxPageSize is
  // clamped. A malformed token is kInvalidArgument "page_token: is
  // malformed".
  absl::StatusOr<Page<learning::Activity>> ListActivities(
      std::string_view tenant, size_t page_size,
      std::string_view page_token) override;
  absl::StatusOr<Page<learning::LearningPath>> ListPaths(
      std::string_view tenant, size_t page_size,
      std::string_view page_token) override;
  absl::StatusOr<learning::CatalogueFile> LoadCatalogue(
      std::string_view tenant) override;
  // 0 for a tenant that never had a catalogue. Each upsert sets it to
  // max(previous + 1, wall-clock milliseconds), so it also changes after a
  // DeleteTenant and a new upload.
  absl::StatusOr<int64_t> CatalogueVersion(std::string_view tenant) override;
  absl::StatusOr<std::vector<std::string>> CatalogueTenants(
      size_t max) override;
  absl::Status RecordServed(
      std::string_view tenant,
      absl::Span<const ServedRecommendation> served) override;
  absl::StatusOr<std::optional<ServedRecommendation>> GetServed(
      std::string_view tenant, std::string_view learner_key,
      std::string_view recommendation_id) override;
  // kInvalidArgument "outcome: is required" for kUnspecified.
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
  // Opting out keeps the profile as it is (ExportLearnerState still shows
  // it; EraseLearner removes it) and stops every projection of the
  // learner's new events; opting back in resumes them.
  absl::Status SetOptOut(std::string_view tenant, std::string_view learner_key,
                         bool opted_out, int64_t now_ms) override;
  absl::StatusOr<bool> IsOptedOut(std::string_view tenant,
                                  std::string_view learner_key) override;
  absl::StatusOr<LearnerState> ExportLearnerState(
      std::string_view tenant, std::string_view learner_key) override;

  static constexpr size_t kDefaultPageSize = store::kDefaultPageSize;
  static constexpr size_t kMaxPageSize = store::kMaxPageSize;

  // The schema version this binary writes.
  static int SchemaVersion();

  // Counts since Open; cheap (atomic loads and one short lock), callable
  // from any thread.
  SqliteStoreStats stats() const;

 private:
  struct Request;
  struct CommitStatements;  // prepared once on writer_
  struct CachedLearner;     // one learner's state between group commits
  struct GroupLearner;      // one learner's projection state in a group
  struct LearnerCache;      // CachedLearners kept between group commits
  class ReaderPool;         // the reader connections
  struct RecentIds;         // ids of events not yet in event_ids
  // fdatasync of the database file (the checkpoint thread's).
  void SyncDatabaseFile();
  // WAL pages few enough for the writer to copy between two commits.
  int RestPages() const;
  SqliteEventStore(std::string wal_path, sqlite3* writer,
                   std::unique_ptr<ReaderPool> readers, sqlite3* checkpointer,
                   Options options,
                   std::unique_ptr<CommitStatements> statements,
                   std::unique_ptr<RecentIds> recent);
  // The stored event with r's tenant and id, found through the ids of the
  // current group, recent_ and event_ids: its content hash, or nullopt.
  absl::StatusOr<std::optional<std::string>> FindStored(const EventRecord& r,
                                                        int64_t id_hash);
  // Adds the ids of rows another process appended since this store last
  // looked (inside the group's transaction).
  absl::Status CatchUpWithOtherWriters();
  // Writes recent_ to event_ids in hash order, in a transaction of its own,
  // and empties it. Under writer_mu_.
  absl::Status MergeRecentIds();
  // Deletes the events matching `where` (a condition on events, its
  // parameters bound by `bind`) with their event_ids entries, inside the
  // caller's transaction; `held` are the ids to drop from recent_ once it
  // commits (ForgetRecent).
  struct DeletedEvents {
    int64_t count = 0;
    std::vector<std::pair<int64_t, int64_t>> held;  // id hash, rowid
  };
  absl::StatusOr<DeletedEvents> DeleteEvents(
      const char* where,
      const std::function<void(sqlite_internal::Stmt&)>& bind);
  void ForgetRecent(const std::vector<std::pair<int64_t, int64_t>>& ids);
  void WriterLoop();
  void CheckpointLoop();
  // At kFull: syncs the WAL for the groups the writer committed, then
  // wakes their callers.
  void SyncLoop();
  absl::Status SyncWal();
  // Wakes the callers of `requests` (a range of Request*): with `s`, or
  // with their outcomes when it is ok. Under mu_.
  template <typename Requests>
  void Complete(const Requests& requests, const absl::Status& s)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // sqlite3_wal_hook on the writer: after each commit, the WAL's pages.
  static int OnWalCommit(void* store, sqlite3* db, const char* name, int pages);
  absl::Status CommitGroup(std::deque<Request*>& group);
  // Applies an accepted record's delta (r.delta != nullptr) inside the
  // group's transaction (sqlite_learning_store.cc).
  absl::Status Project(const EventRecord& r, GroupLearner& learner);
  // Writes what the group's projection kept in memory (profile, weeks,
  // activity states, transitions) for one learner, before COMMIT.
  absl::Status FlushLearner(GroupLearner& learner);
  // Writes the group's co-occurrence additions, before COMMIT.
  absl::Status FlushCooccurrence();
  // The learner-state part of EraseLearner and DeleteTenant, inside their
  // transactions.
  absl::Status EraseLearnerState(std::string_view tenant,
                                 std::string_view learner_key);
  absl::Status DeleteTenantState(std::string_view tenant);
  // Runs `write` (transactions on writer_, under writer_mu_) at
  // synchronous=NORMAL when the store's durability is kFull, and puts FULL
  // back: its commits do not wait for fsync. The group commit (whose WAL
  // the sync thread syncs) and served records use it.
  absl::Status WithoutSync(const std::function<absl::Status()>& write);
  // RecordServed's transaction, under writer_mu_.
  absl::Status WriteServed(std::string_view tenant,
                           absl::Span<const ServedRecommendation> served);
  // kFailedPrecondition once Close() began.
  absl::Status CheckOpen();
  static absl::StatusOr<std::unique_ptr<CommitStatements>>
  PrepareCommitStatements(sqlite3* db);

  sqlite3* const writer_;  // guarded by writer_mu_
  // writer_'s statements outside group commits; guarded by writer_mu_.
  std::unique_ptr<sqlite_internal::Connection> writer_statements_;
  const std::unique_ptr<ReaderPool> readers_;
  const Options options_;
  // Guarded by writer_mu_; finalised before the connections close.
  std::unique_ptr<CommitStatements> statements_;
  // Guarded by writer_mu_. Whatever changes erasure, opt-out or profiles
  // outside a group commit forgets the learners it touched; a failed
  // commit forgets everything.
  std::unique_ptr<LearnerCache> cache_;
  // Ids of stored events that event_ids does not hold yet (readers look
  // them up too, under its mutex).
  std::unique_ptr<RecentIds> recent_;

  absl::Mutex mu_;
  std::deque<Request*> queue_ ABSL_GUARDED_BY(mu_);
  // Committed, waiting for the WAL sync.
  std::vector<Request*> unsynced_ ABSL_GUARDED_BY(mu_);
  // Set by the first WAL sync that fails. After it, the kernel may have
  // dropped unwritten pages and a later sync may succeed without them, so
  // no sync is trusted again: every later Append fails with this status
  // until the store is reopened (which recovers from what is on disk).
  absl::Status wal_sync_failed_ ABSL_GUARDED_BY(mu_);
  bool writer_done_ ABSL_GUARDED_BY(mu_) = false;
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  absl::Mutex writer_mu_;  // serialises use of writer_
  std::thread writer_thread_;

  sqlite3* const checkpointer_;  // used by checkpoint_thread_ only
  const std::string db_path_;    // the database file's full path
  int db_fd_ = -1;               // used by checkpoint_thread_ only
  absl::Mutex checkpoint_mu_;
  // A checkpoint is due (set by the writer's WAL hook, cleared by the
  // thread when it starts one; the WAL's size is wal_pages_now_).
  bool checkpoint_due_ ABSL_GUARDED_BY(checkpoint_mu_) = false;
  // Pages of the current WAL that the last checkpoint copied (0 when it
  // started over).
  std::atomic<int> checkpointed_pages_{0};
  // The WAL's size in pages after the last commit: what the checkpoint
  // thread compares with what a pass copied.
  std::atomic<int> wal_pages_now_{0};
  // The most pages one commit added to the current WAL.
  std::atomic<int> largest_commit_pages_{0};
  // SqliteStoreStats; durations in nanoseconds.
  std::atomic<int64_t> wal_restarts_{0};
  // Things done, each with the wall time it took (SqliteStoreStats).
  struct TimedCount {
    std::atomic<int64_t> count{0};
    std::atomic<int64_t> nanos{0};
    void Add(int64_t took_nanos) {
      count.fetch_add(1, std::memory_order_relaxed);
      AddTime(took_nanos);
    }
    void AddTime(int64_t took_nanos) {
      nanos.fetch_add(took_nanos, std::memory_order_relaxed);
    }
    int64_t Count() const { return count.load(std::memory_order_relaxed); }
    double Seconds() const {
      return static_cast<double>(nanos.load(std::memory_order_relaxed)) / 1e9;
    }
  };
  TimedCount thread_passes_;
  TimedCount writer_rests_;
  TimedCount writer_forced_;
  TimedCount event_id_passes_;
  bool checkpoint_stop_ ABSL_GUARDED_BY(checkpoint_mu_) = false;
  std::thread checkpoint_thread_;

  const std::string wal_path_;
  int wal_fd_ = -1;  // used by sync_thread_ only
  std::thread sync_thread_;
};

}  // namespace polku::store

#endif  // POLKU_STORE_SQLITE_EVENT_STORE_H_
