// A SQLite VFS that writes each commit's WAL frames in a few large writes.
//
// SQLite appends a commit to the WAL one frame at a time, with two write
// calls per page (a 24-byte frame header, then the page). A group commit
// of thousands of pages makes thousands of system calls on the writer
// thread. This VFS wraps the default one and, for WAL files only, gathers
// consecutive appended frames in a buffer that goes to the file in one
// write when it is full and, at the latest, with the page of the commit
// frame (the frame that marks the end of a transaction). A commit is
// therefore entirely in the file before SQLite publishes it in the
// wal-index, so readers and the checkpoint never see a frame that is
// still in the buffer, and a write error fails the commit as before.
//
// Everything else goes straight through: the database file, the
// wal-index, reads, syncs, truncation and writes that are not appends
// (the WAL header, a frame rewritten in place) each write out what is
// buffered first.
#ifndef POLKU_STORE_SQLITE_WAL_VFS_H_
#define POLKU_STORE_SQLITE_WAL_VFS_H_

#include <cstdint>

struct sqlite3_vfs;

namespace polku::store {

// Registers the VFS once (not as the default) and returns its name for
// sqlite3_open_v2; nullptr when it could not be registered (the caller
// then opens with SQLite's default VFS).
const char* WalBatchingVfsName();

// Registers the same VFS over `root` (which must stay registered) under
// `name` (a string that lives as long as the process) and returns `name`;
// nullptr on failure. WalBatchingVfsName() is this over SQLite's default
// VFS; tests put a VFS of their own beneath it.
const char* RegisterWalBatchingVfs(const char* name, sqlite3_vfs* root);

// Counts over all files opened with the VFS since the process started.
struct WalBatchingVfsStats {
  uint64_t wal_writes = 0;      // write calls SQLite made on WAL files
  uint64_t file_writes = 0;     // writes that reached those files
  uint64_t commit_flushes = 0;  // commits whose last frame ended a write
};
WalBatchingVfsStats GetWalBatchingVfsStats();

}  // namespace polku::store

#endif  // POLKU_STORE_SQLITE_WAL_VFS_H_
