// SqliteEventStore: the embedded default EventStore, one SQLite file.
//
// - WAL journal; synchronous=FULL by default, so an acknowledged event
//   survives power loss. synchronous=NORMAL is an explicit opt-in
//   (Options::durability) that may lose the last commits on power loss.
// - Group commit: Append calls from many threads are queued to one writer
//   thread, which commits everything waiting in one transaction (one fsync)
//   and then wakes each caller with its outcomes. An Append returns only
//   after its transaction committed.
// - The schema is versioned (PRAGMA user_version) and migrated at open.
// - Erasure tombstones hold a SHA-256 of (tenant, learner key), never the key.
// Thread-safe.
#ifndef POLKU_STORE_SQLITE_EVENT_STORE_H_
#define POLKU_STORE_SQLITE_EVENT_STORE_H_

#include <deque>
#include <memory>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "store/event_store.h"

struct sqlite3;

namespace polku::store {

class SqliteEventStore final : public EventStore {
 public:
  enum class Durability { kFull, kNormal };
  struct Options {
    Durability durability = Durability::kFull;
    // Most records committed in one transaction.
    size_t max_group_records = 20000;
    CommitObserver on_commit;  // may be empty
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
  absl::Status Close() override;

  // The schema version this binary writes.
  static int SchemaVersion();

 private:
  struct Request;
  SqliteEventStore(sqlite3* writer, sqlite3* reader, Options options);
  void WriterLoop();
  absl::Status CommitGroup(std::deque<Request*>& group);

  sqlite3* const writer_;  // used only by the writer thread (and Erase)
  sqlite3* const reader_;  // guarded by reader_mu_
  const Options options_;

  absl::Mutex mu_;
  std::deque<Request*> queue_ ABSL_GUARDED_BY(mu_);
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  absl::Mutex writer_mu_;  // serialises use of writer_
  absl::Mutex reader_mu_;
  std::thread writer_thread_;
};

}  // namespace polku::store

#endif  // POLKU_STORE_SQLITE_EVENT_STORE_H_
