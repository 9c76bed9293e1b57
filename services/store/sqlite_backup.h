// Backup, verification and restore of a Polku SQLite database file.
//
// These functions work on the file, not through a running SqliteEventStore,
// and are meant for the `polku backup` / `polku restore` commands. They
// belong to the store edge (they use SQLite directly); the core never
// includes this header.
//
// Thread-safety: each call uses its own connections; calls may run
// concurrently with each other and with a server using the database.
#ifndef POLKU_STORE_SQLITE_BACKUP_H_
#define POLKU_STORE_SQLITE_BACKUP_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace polku::store {

// What VerifyDatabase found.
struct DatabaseInfo {
  int schema_version = 0;  // PRAGMA user_version
  int64_t events = 0;      // rows in the events table
};

// Checks that `path` is a Polku database this binary can open: SQLite's
// `PRAGMA integrity_check` answers "ok", the schema version is between 1
// and SqliteEventStore::SchemaVersion(), and the events table is readable.
// Opens the file read-only. Errors: kNotFound if the file does not exist,
// kDataLoss if it is not a sound SQLite database, kFailedPrecondition if
// its schema is unknown (0, or newer than this binary).
absl::StatusOr<DatabaseInfo> VerifyDatabase(const std::string& path);

// Writes a consistent copy of the database `db_path` to `out_path` while
// other processes (a running server) may read and write it: SQLite's online
// backup API copies one read snapshot (WAL mode lets writers continue), so
// the copy holds exactly the transactions committed when it started. The
// copy is a single self-contained file (rollback journal mode, no -wal),
// written to `out_path`.tmp, synced, verified with VerifyDatabase and then
// renamed to `out_path` (an existing file there is replaced). Errors:
// kNotFound if `db_path` does not exist, kUnavailable on I/O or SQLite
// errors, VerifyDatabase's errors for a bad copy (then nothing is left at
// `out_path`).
absl::StatusOr<DatabaseInfo> BackupDatabase(const std::string& db_path,
                                            const std::string& out_path);

// True if some connection (a running server) holds the database at
// `db_path`: tries to take SQLite's exclusive lock without waiting. False
// also when the file does not exist. Errors: kUnavailable if the file cannot
// be opened.
absl::StatusOr<bool> DatabaseInUse(const std::string& db_path);

// Restores the backup `from` as DATA_DIR/polku.db: verifies `from`, copies
// it to DATA_DIR/polku.db.restore-tmp, syncs and verifies the copy, refuses
// if a server holds the current database (DatabaseInUse), removes a stale
// polku.db-wal and polku.db-shm, and renames the copy into place (atomic:
// the old database or the new one, never a mix). Creates `data_dir` if
// needed. The check and the rename are not one atomic step: do not start a
// server on `data_dir` while a restore runs. Errors: VerifyDatabase's for a
// bad backup, kFailedPrecondition if a server holds the database,
// kUnavailable on I/O errors.
absl::StatusOr<DatabaseInfo> RestoreDatabase(const std::string& from,
                                             const std::string& data_dir);

}  // namespace polku::store

#endif  // POLKU_STORE_SQLITE_BACKUP_H_
