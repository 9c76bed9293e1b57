#include "store/sqlite_backup.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <thread>

#include "common/str_cat.h"
#include "store/sqlite_event_store.h"

namespace polku::store {
namespace {

namespace fs = std::filesystem;

// A connection, closed on scope exit.
class Db {
 public:
  ~Db() { sqlite3_close(db_); }
  absl::Status Open(const std::string& path, int flags) {
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
      return absl::UnavailableError(common::StrCat(
          "sqlite: cannot open ", path, ": ",
          db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc)));
    }
    return absl::OkStatus();
  }
  sqlite3* get() const { return db_; }
  absl::Status Exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err != nullptr ? err : sqlite3_errmsg(db_);
      sqlite3_free(err);
      return absl::UnavailableError(common::StrCat("sqlite: ", sql, ": ", msg));
    }
    return absl::OkStatus();
  }

 private:
  sqlite3* db_ = nullptr;
};

absl::Status ErrnoError(std::string_view what, const std::string& path) {
  return absl::UnavailableError(
      common::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

// fsync of a file or directory.
absl::Status SyncPath(const std::string& path, bool directory) {
  int fd = ::open(path.c_str(), directory ? O_RDONLY | O_DIRECTORY : O_RDONLY);
  if (fd < 0) return ErrnoError("cannot open", path);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return ErrnoError("cannot sync", path);
  return absl::OkStatus();
}

std::string ParentDir(const std::string& path) {
  fs::path p = fs::absolute(path).parent_path();
  return p.empty() ? std::string(".") : p.string();
}

void RemoveQuietly(const std::string& path) {
  std::error_code ec;
  fs::remove(path, ec);
}

// Copies `from` to `to` (which must not exist) with SQLite's backup API
// from a read-only connection, in one step: one read snapshot.
absl::Status CopyWithBackupApi(const std::string& from, const std::string& to) {
  Db src;
  if (auto s = src.Open(from, SQLITE_OPEN_READONLY); !s.ok()) return s;
  sqlite3_busy_timeout(src.get(), 10000);
  Db dst;
  if (auto s = dst.Open(to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
      !s.ok()) {
    return s;
  }
  sqlite3_backup* backup =
      sqlite3_backup_init(dst.get(), "main", src.get(), "main");
  if (backup == nullptr) {
    return absl::UnavailableError(
        common::StrCat("sqlite: backup: ", sqlite3_errmsg(dst.get())));
  }
  int rc;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::minutes(10);
  // -1: all pages in one step, under one read transaction on the source.
  while ((rc = sqlite3_backup_step(backup, -1)) == SQLITE_BUSY ||
         rc == SQLITE_LOCKED || rc == SQLITE_OK) {
    if (std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) {
    return absl::UnavailableError(
        common::StrCat("sqlite: backup of ", from, ": ", sqlite3_errstr(rc)));
  }
  // The page copy carries the source's WAL mode; make the copy one file.
  return dst.Exec("PRAGMA journal_mode=DELETE");
}

// Copies a file byte for byte and syncs the copy.
absl::Status CopyFile(const std::string& from, const std::string& to) {
  std::error_code ec;
  fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
  if (ec) {
    return absl::UnavailableError(
        common::StrCat("cannot copy ", from, " to ", to, ": ", ec.message()));
  }
  return SyncPath(to, false);
}

}  // namespace

absl::StatusOr<DatabaseInfo> VerifyDatabase(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    return absl::NotFoundError(common::StrCat(path, ": no such file"));
  }
  Db db;
  if (auto s = db.Open(path, SQLITE_OPEN_READONLY); !s.ok()) {
    return absl::DataLossError(s.message());
  }
  sqlite3_busy_timeout(db.get(), 10000);
  auto one_value = [&](const char* sql, std::string* text,
                       int64_t* number) -> absl::Status {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db.get(), sql, -1, &stmt, nullptr);
    if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
    if (rc != SQLITE_ROW) {
      absl::Status s = absl::DataLossError(
          common::StrCat(path, ": not a readable Polku database (", sql, ": ",
                         sqlite3_errmsg(db.get()), ")"));
      sqlite3_finalize(stmt);
      return s;
    }
    if (text != nullptr) {
      const unsigned char* p = sqlite3_column_text(stmt, 0);
      *text = p == nullptr ? "" : reinterpret_cast<const char*>(p);
    }
    if (number != nullptr) *number = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return absl::OkStatus();
  };
  std::string check;
  if (auto s = one_value("PRAGMA integrity_check", &check, nullptr); !s.ok()) {
    return s;
  }
  if (check != "ok") {
    return absl::DataLossError(
        common::StrCat(path, ": integrity check failed: ", check));
  }
  DatabaseInfo info;
  int64_t version = 0;
  if (auto s = one_value("PRAGMA user_version", nullptr, &version); !s.ok()) {
    return s;
  }
  info.schema_version = static_cast<int>(version);
  if (version < 1 || version > SqliteEventStore::SchemaVersion()) {
    return absl::FailedPreconditionError(common::StrCat(
        path, ": schema version ", version, " is not one this Polku knows (1..",
        SqliteEventStore::SchemaVersion(), ")"));
  }
  if (auto s = one_value("SELECT count(*) FROM events", nullptr, &info.events);
      !s.ok()) {
    return s;
  }
  return info;
}

absl::StatusOr<DatabaseInfo> BackupDatabase(const std::string& db_path,
                                            const std::string& out_path) {
  std::error_code ec;
  if (!fs::is_regular_file(db_path, ec)) {
    return absl::NotFoundError(common::StrCat(db_path, ": no such file"));
  }
  const std::string tmp = out_path + ".tmp";
  RemoveQuietly(tmp);
  RemoveQuietly(tmp + "-journal");
  absl::Status s = CopyWithBackupApi(db_path, tmp);
  if (s.ok()) s = SyncPath(tmp, false);
  absl::StatusOr<DatabaseInfo> info =
      s.ok() ? VerifyDatabase(tmp) : absl::StatusOr<DatabaseInfo>(s);
  if (!info.ok()) {
    RemoveQuietly(tmp);
    return info.status();
  }
  if (std::rename(tmp.c_str(), out_path.c_str()) != 0) {
    absl::Status e = ErrnoError("cannot rename to", out_path);
    RemoveQuietly(tmp);
    return e;
  }
  if (auto d = SyncPath(ParentDir(out_path), true); !d.ok()) return d;
  return info;
}

absl::StatusOr<bool> DatabaseInUse(const std::string& db_path) {
  std::error_code ec;
  if (!fs::exists(db_path, ec)) return false;
  Db db;
  if (auto s = db.Open(db_path, SQLITE_OPEN_READWRITE); !s.ok()) return s;
  // No busy timeout: a lock held elsewhere answers SQLITE_BUSY at once. In
  // WAL mode every open connection holds a shared lock on the WAL index, so
  // this fails while a server has the database open, even when idle.
  if (auto s = db.Exec("PRAGMA locking_mode=EXCLUSIVE"); !s.ok()) return s;
  if (sqlite3_exec(db.get(), "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr) !=
      SQLITE_OK) {
    return true;
  }
  if (!db.Exec("SELECT count(*) FROM sqlite_master").ok()) {
    sqlite3_exec(db.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    return true;
  }
  sqlite3_exec(db.get(), "COMMIT", nullptr, nullptr, nullptr);
  return false;
}

absl::StatusOr<DatabaseInfo> RestoreDatabase(const std::string& from,
                                             const std::string& data_dir) {
  absl::StatusOr<DatabaseInfo> info = VerifyDatabase(from);
  if (!info.ok()) return info.status();
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec) {
    return absl::UnavailableError(
        common::StrCat("cannot create ", data_dir, ": ", ec.message()));
  }
  const std::string db_path = (fs::path(data_dir) / "polku.db").string();
  const std::string tmp = db_path + ".restore-tmp";
  RemoveQuietly(tmp);
  if (auto s = CopyFile(from, tmp); !s.ok()) {
    RemoveQuietly(tmp);
    return s;
  }
  info = VerifyDatabase(tmp);
  if (!info.ok()) {
    RemoveQuietly(tmp);
    return info.status();
  }
  absl::StatusOr<bool> in_use = DatabaseInUse(db_path);
  if (!in_use.ok() || *in_use) {
    RemoveQuietly(tmp);
    if (!in_use.ok()) return in_use.status();
    return absl::FailedPreconditionError(
        common::StrCat(db_path,
                       " is in use (is polku-server running?); stop the server "
                       "before restoring"));
  }
  // The old database's WAL and WAL index belong to the old file.
  RemoveQuietly(db_path + "-wal");
  RemoveQuietly(db_path + "-shm");
  RemoveQuietly(db_path + "-journal");
  if (std::rename(tmp.c_str(), db_path.c_str()) != 0) {
    absl::Status e = ErrnoError("cannot rename to", db_path);
    RemoveQuietly(tmp);
    return e;
  }
  if (auto s = SyncPath(data_dir, true); !s.ok()) return s;
  return info;
}

}  // namespace polku::store
