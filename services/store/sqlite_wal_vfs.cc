#include "store/sqlite_wal_vfs.h"

#include <sqlite3.h>

#include <atomic>
#include <cstring>

namespace polku::store {
namespace {

constexpr char kVfsName[] = "polku-wal-batching";
// SQLite's unix VFS writes at most 128 KiB - 1 bytes in one call (it masks
// the length), so the buffer stays below: 31 frames of 4 KiB pages, a
// thirty-first of the write calls. Allocated once per WAL file written to.
constexpr int kBufferBytes = 127 * 1024;
constexpr int kFrameHeaderBytes = 24;  // SQLite's WAL frame header

std::atomic<uint64_t> wal_writes{0};
std::atomic<uint64_t> file_writes{0};
std::atomic<uint64_t> commit_flushes{0};

sqlite3_vfs* Root(sqlite3_vfs* vfs) {
  return static_cast<sqlite3_vfs*>(vfs->pAppData);
}

// What SQLite allocates for each file opened with this VFS: this header,
// then the default VFS's own file object (`real`).
struct File {
  sqlite3_file base;
  sqlite3_file* real;
  bool wal;
  File* db;   // a WAL file: its database file, while both are open
  File* log;  // a database file: its open WAL file
  // A WAL file's pending appends: buffer[0, length) goes to offset `at`.
  char* buffer;
  int length;
  sqlite3_int64 at;
  // Where the next frame goes if SQLite keeps appending: just past the
  // last write. -1 when unknown (just opened or truncated).
  sqlite3_int64 next;
  // The last write was the header of a commit frame, at this offset.
  sqlite3_int64 commit_header_at;
  // A failed write of the buffer where SQLite could not be told (a
  // barrier); every later write and sync of the file returns it.
  int error;
};

const sqlite3_io_methods* Methods();

File* AsFile(sqlite3_file* f) { return reinterpret_cast<File*>(f); }

int WriteOut(File* f) {
  if (f->length == 0) return SQLITE_OK;
  const int rc =
      f->real->pMethods->xWrite(f->real, f->buffer, f->length, f->at);
  file_writes.fetch_add(1, std::memory_order_relaxed);
  f->length = 0;
  return rc;
}

int Close(sqlite3_file* p) {
  File* f = AsFile(p);
  int rc = f->wal ? WriteOut(f) : SQLITE_OK;
  if (f->db != nullptr && f->db->log == f) f->db->log = nullptr;
  if (f->log != nullptr && f->log->db == f) f->log->db = nullptr;
  sqlite3_free(f->buffer);
  f->buffer = nullptr;
  const int closed = f->real->pMethods->xClose(f->real);
  return rc != SQLITE_OK ? rc : closed;
}

int Read(sqlite3_file* p, void* out, int amount, sqlite3_int64 offset) {
  File* f = AsFile(p);
  if (f->length > 0 && offset < f->at + f->length && offset + amount > f->at) {
    if (int rc = WriteOut(f); rc != SQLITE_OK) return rc;
  }
  return f->real->pMethods->xRead(f->real, out, amount, offset);
}

int Write(sqlite3_file* p, const void* data, int amount, sqlite3_int64 offset) {
  File* f = AsFile(p);
  if (!f->wal) return f->real->pMethods->xWrite(f->real, data, amount, offset);
  wal_writes.fetch_add(1, std::memory_order_relaxed);
  if (f->error != SQLITE_OK) return f->error;
  // The page after a commit frame's header ends the transaction.
  const bool ends_commit = f->commit_header_at >= 0 &&
                           offset == f->commit_header_at + kFrameHeaderBytes;
  f->commit_header_at = -1;
  if (amount == kFrameHeaderBytes) {
    // Bytes 4..7 of a frame header: the database size after a commit,
    // zero in every other frame.
    const auto* h = static_cast<const unsigned char*>(data);
    if ((h[4] | h[5] | h[6] | h[7]) != 0) f->commit_header_at = offset;
  }
  const bool append = offset == f->next && amount <= kBufferBytes;
  if (append && f->length > 0 && f->length + amount > kBufferBytes) {
    if (int rc = WriteOut(f); rc != SQLITE_OK) return rc;
  }
  if (!append) {
    if (int rc = WriteOut(f); rc != SQLITE_OK) return rc;
    f->next = offset + amount;
    file_writes.fetch_add(1, std::memory_order_relaxed);
    const int rc = f->real->pMethods->xWrite(f->real, data, amount, offset);
    if (rc != SQLITE_OK || !ends_commit) return rc;
    commit_flushes.fetch_add(1, std::memory_order_relaxed);
    return SQLITE_OK;
  }
  if (f->buffer == nullptr) {
    f->buffer = static_cast<char*>(sqlite3_malloc(kBufferBytes));
    if (f->buffer == nullptr) return SQLITE_IOERR_NOMEM;
  }
  if (f->length == 0) f->at = offset;
  std::memcpy(f->buffer + f->length, data, static_cast<size_t>(amount));
  f->length += amount;
  f->next = offset + amount;
  if (!ends_commit) return SQLITE_OK;
  commit_flushes.fetch_add(1, std::memory_order_relaxed);
  return WriteOut(f);
}

int Truncate(sqlite3_file* p, sqlite3_int64 size) {
  File* f = AsFile(p);
  if (int rc = WriteOut(f); rc != SQLITE_OK) return rc;
  f->next = -1;
  return f->real->pMethods->xTruncate(f->real, size);
}

int Sync(sqlite3_file* p, int flags) {
  File* f = AsFile(p);
  if (f->error != SQLITE_OK) return f->error;
  if (int rc = WriteOut(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xSync(f->real, flags);
}

int FileSize(sqlite3_file* p, sqlite3_int64* size) {
  File* f = AsFile(p);
  if (int rc = WriteOut(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xFileSize(f->real, size);
}

int Lock(sqlite3_file* p, int level) {
  return AsFile(p)->real->pMethods->xLock(AsFile(p)->real, level);
}

int Unlock(sqlite3_file* p, int level) {
  return AsFile(p)->real->pMethods->xUnlock(AsFile(p)->real, level);
}

int CheckReservedLock(sqlite3_file* p, int* out) {
  return AsFile(p)->real->pMethods->xCheckReservedLock(AsFile(p)->real, out);
}

int FileControl(sqlite3_file* p, int op, void* arg) {
  File* f = AsFile(p);
  if (int rc = WriteOut(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xFileControl(f->real, op, arg);
}

int SectorSize(sqlite3_file* p) {
  return AsFile(p)->real->pMethods->xSectorSize(AsFile(p)->real);
}

int DeviceCharacteristics(sqlite3_file* p) {
  return AsFile(p)->real->pMethods->xDeviceCharacteristics(AsFile(p)->real);
}

int ShmMap(sqlite3_file* p, int region, int size, int extend,
           void volatile** out) {
  sqlite3_file* real = AsFile(p)->real;
  if (real->pMethods->iVersion < 2) return SQLITE_IOERR_SHMMAP;
  return real->pMethods->xShmMap(real, region, size, extend, out);
}

int ShmLock(sqlite3_file* p, int offset, int n, int flags) {
  sqlite3_file* real = AsFile(p)->real;
  if (real->pMethods->iVersion < 2) return SQLITE_IOERR_SHMLOCK;
  return real->pMethods->xShmLock(real, offset, n, flags);
}

// SQLite publishes a commit in the wal-index between two barriers. The
// commit frame has written the buffer out already; this is the safety net
// for anything still pending, whose error cannot be returned here.
void ShmBarrier(sqlite3_file* p) {
  File* f = AsFile(p);
  if (File* log = f->log; log != nullptr && log->length > 0) {
    if (int rc = WriteOut(log); rc != SQLITE_OK) log->error = rc;
  }
  if (f->real->pMethods->iVersion >= 2) f->real->pMethods->xShmBarrier(f->real);
}

int ShmUnmap(sqlite3_file* p, int delete_flag) {
  sqlite3_file* real = AsFile(p)->real;
  if (real->pMethods->iVersion < 2) return SQLITE_OK;
  return real->pMethods->xShmUnmap(real, delete_flag);
}

int Fetch(sqlite3_file* p, sqlite3_int64 offset, int amount, void** out) {
  sqlite3_file* real = AsFile(p)->real;
  if (real->pMethods->iVersion < 3 || AsFile(p)->wal) {
    *out = nullptr;  // SQLite reads instead
    return SQLITE_OK;
  }
  return real->pMethods->xFetch(real, offset, amount, out);
}

int Unfetch(sqlite3_file* p, sqlite3_int64 offset, void* page) {
  sqlite3_file* real = AsFile(p)->real;
  if (real->pMethods->iVersion < 3) return SQLITE_OK;
  return real->pMethods->xUnfetch(real, offset, page);
}

const sqlite3_io_methods* Methods() {
  static const sqlite3_io_methods methods = {3,
                                             Close,
                                             Read,
                                             Write,
                                             Truncate,
                                             Sync,
                                             FileSize,
                                             Lock,
                                             Unlock,
                                             CheckReservedLock,
                                             FileControl,
                                             SectorSize,
                                             DeviceCharacteristics,
                                             ShmMap,
                                             ShmLock,
                                             ShmBarrier,
                                             ShmUnmap,
                                             Fetch,
                                             Unfetch};
  return &methods;
}

int Open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* p, int flags,
         int* out_flags) {
  File* f = AsFile(p);
  std::memset(f, 0, sizeof(File));
  f->real = reinterpret_cast<sqlite3_file*>(f + 1);
  f->next = -1;
  f->commit_header_at = -1;
  f->wal = (flags & SQLITE_OPEN_WAL) != 0;
  sqlite3_vfs* root = Root(vfs);
  const int rc = root->xOpen(root, name, f->real, flags, out_flags);
  // SQLite closes a file whose pMethods is set, even when the open failed.
  p->pMethods = f->real->pMethods != nullptr ? Methods() : nullptr;
  if (rc == SQLITE_OK && f->wal && name != nullptr) {
    sqlite3_file* db = sqlite3_database_file_object(name);
    if (db != nullptr && db->pMethods == Methods()) {
      f->db = AsFile(db);
      f->db->log = f;
    }
  }
  return rc;
}

// The rest of the VFS is the default one's.
int Delete(sqlite3_vfs* v, const char* name, int sync_dir) {
  return Root(v)->xDelete(Root(v), name, sync_dir);
}
int Access(sqlite3_vfs* v, const char* name, int flags, int* out) {
  return Root(v)->xAccess(Root(v), name, flags, out);
}
int FullPathname(sqlite3_vfs* v, const char* name, int n, char* out) {
  return Root(v)->xFullPathname(Root(v), name, n, out);
}
void* DlOpen(sqlite3_vfs* v, const char* name) {
  return Root(v)->xDlOpen(Root(v), name);
}
void DlError(sqlite3_vfs* v, int n, char* out) {
  Root(v)->xDlError(Root(v), n, out);
}
void (*DlSym(sqlite3_vfs* v, void* handle, const char* symbol))(void) {
  return Root(v)->xDlSym(Root(v), handle, symbol);
}
void DlClose(sqlite3_vfs* v, void* handle) {
  Root(v)->xDlClose(Root(v), handle);
}
int Randomness(sqlite3_vfs* v, int n, char* out) {
  return Root(v)->xRandomness(Root(v), n, out);
}
int Sleep(sqlite3_vfs* v, int micros) {
  return Root(v)->xSleep(Root(v), micros);
}
int CurrentTime(sqlite3_vfs* v, double* out) {
  return Root(v)->xCurrentTime(Root(v), out);
}
int GetLastError(sqlite3_vfs* v, int n, char* out) {
  return Root(v)->xGetLastError(Root(v), n, out);
}
int CurrentTimeInt64(sqlite3_vfs* v, sqlite3_int64* out) {
  return Root(v)->xCurrentTimeInt64(Root(v), out);
}

}  // namespace

const char* RegisterWalBatchingVfs(const char* name, sqlite3_vfs* root) {
  if (root == nullptr || root->iVersion < 2) return nullptr;
  // Registered VFSes must outlive every connection: never freed.
  auto* vfs = new sqlite3_vfs{};
  vfs->iVersion = 2;
  vfs->szOsFile = static_cast<int>(sizeof(File)) + root->szOsFile;
  vfs->mxPathname = root->mxPathname;
  vfs->zName = name;
  vfs->pAppData = root;
  vfs->xOpen = Open;
  vfs->xDelete = Delete;
  vfs->xAccess = Access;
  vfs->xFullPathname = FullPathname;
  vfs->xDlOpen = DlOpen;
  vfs->xDlError = DlError;
  vfs->xDlSym = DlSym;
  vfs->xDlClose = DlClose;
  vfs->xRandomness = Randomness;
  vfs->xSleep = Sleep;
  vfs->xCurrentTime = CurrentTime;
  vfs->xGetLastError = GetLastError;
  vfs->xCurrentTimeInt64 = CurrentTimeInt64;
  if (sqlite3_vfs_register(vfs, /*makeDflt=*/0) != SQLITE_OK) {
    delete vfs;
    return nullptr;
  }
  return name;
}

const char* WalBatchingVfsName() {
  static const char* const name =
      RegisterWalBatchingVfs(kVfsName, sqlite3_vfs_find(nullptr));
  return name;
}

WalBatchingVfsStats GetWalBatchingVfsStats() {
  WalBatchingVfsStats s;
  s.wal_writes = wal_writes.load(std::memory_order_relaxed);
  s.file_writes = file_writes.load(std::memory_order_relaxed);
  s.commit_flushes = commit_flushes.load(std::memory_order_relaxed);
  return s;
}

}  // namespace polku::store
