// API keys: per-tenant credentials with scopes, stored hashed in one file.
//
// A key reads "polku_<id>_<secret>": <id> is 12 hexadecimal digits and
// names the key (in `polku keys list`, in logs and in error messages; it is
// not secret); <secret> is 64 hexadecimal digits from 32 random bytes. The
// key file keeps only the SHA-256 of the whole key, never the key itself:
// whoever reads the file cannot call Polku. (A fast hash is enough because
// the secret carries 256 bits of entropy; there is no password to guess.)
//
// The key file (<data_dir>/api_keys.json unless configured otherwise) is
// JSON written atomically (temporary file, fsync, rename) with mode 0600:
//
//   {"version": 1, "keys": [{"id": "3f2a9c0d11b7", "tenant": "acme",
//     "scopes": ["events:write"], "sha256": "<hex>", "name": "moodle prod",
//     "created_at": "2026-11-27T10:00:00.000Z", "rotated_at": "",
//     "revoked_at": ""}]}
//
// `polku keys create|list|rotate|revoke` edit it through the functions
// below; a running server picks the change up without restart
// (KeyStore::StartAutoReload polls the file; SIGHUP reloads at once).
//
// Credentials accepted by KeyStore::Authenticate:
//   authorization: Bearer polku_<id>_<secret>        (gRPC metadata, HTTP)
//   authorization: Basic base64(polku_<id>:<secret>)  (HTTP, xAPI only; the
//                  whole key as user name with an empty password, or as the
//                  password with any user name, works too)
#ifndef POLKU_API_KEY_STORE_H_
#define POLKU_API_KEY_STORE_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "api/auth.h"

namespace polku::api {

// One key as the file holds it.
struct ApiKeyRecord {
  std::string id;
  std::string tenant;
  std::vector<std::string> scopes;
  std::string sha256;  // lowercase hex SHA-256 of the whole key text
  std::string name;    // free text for people, e.g. "moodle production"
  int64_t created_at_ms = 0;
  int64_t rotated_at_ms = 0;  // 0: never
  int64_t revoked_at_ms = 0;  // 0: active

  bool active() const { return revoked_at_ms == 0; }
  bool HasScope(std::string_view scope) const;
};

// The file name used when no key file is configured: <data_dir>/api_keys.json.
std::string DefaultKeyFile(std::string_view data_dir);

// Reads a key file. A missing file is an empty list. Errors:
// kInvalidArgument naming the file and the entry ("api_keys.json:
// keys[2].scopes: unknown scope 'x'"), kUnavailable when unreadable.
absl::StatusOr<std::vector<ApiKeyRecord>> ReadKeyFile(const std::string& path);

// Writes a key file atomically with mode 0600. kUnavailable on I/O errors.
absl::Status WriteKeyFile(const std::string& path,
                          const std::vector<ApiKeyRecord>& keys);

// A key just made: the record as stored and the key text, which is shown
// once and never stored.
struct NewApiKey {
  ApiKeyRecord record;
  std::string key;
};

// Key management, for `polku keys`. Each call locks <path>.lock (flock), so
// concurrent invocations do not lose each other's changes, then reads,
// changes and atomically rewrites the file.
// Errors: kInvalidArgument (bad tenant, unknown or no scope), kNotFound
// (no key with that id), kFailedPrecondition (rotating a revoked key),
// kUnavailable (I/O).
absl::StatusOr<NewApiKey> CreateApiKey(const std::string& path,
                                       std::string_view tenant,
                                       const std::vector<std::string>& scopes,
                                       std::string_view name, int64_t now_ms);
// Replaces the secret of key `id` (same id, tenant and scopes); the old key
// stops working as soon as servers reload.
absl::StatusOr<NewApiKey> RotateApiKey(const std::string& path,
                                       std::string_view id, int64_t now_ms);
// Marks key `id` revoked (kept in the file for the record). Idempotent.
absl::Status RevokeApiKey(const std::string& path, std::string_view id,
                          int64_t now_ms);

// Splits "polku_<id>_<secret>"; false when the text has another shape.
bool ParseApiKey(std::string_view key, std::string_view* id,
                 std::string_view* secret);

// The Authenticator of API keys, over a snapshot of the key file.
// Thread-safe: Authenticate reads an immutable snapshot that reloads swap.
class KeyStore final : public Authenticator {
 public:
  // Loads `path` (a missing file: no keys yet). Errors as ReadKeyFile.
  static absl::StatusOr<std::unique_ptr<KeyStore>> Open(std::string path);
  ~KeyStore() override;

  // kUnauthenticated: no, malformed, unknown or revoked credentials;
  // kPermissionDenied: the key lacks `scope`, or the call's
  // "x-polku-tenant" entry names another tenant than the key's.
  absl::StatusOr<Principal> Authenticate(const CallInfo& call,
                                         std::string_view scope) const override;

  // Re-reads the file if it changed (inode, size or modification time)
  // since the last load. Returns whether it reloaded; on error keeps the
  // previous keys.
  absl::StatusOr<bool> ReloadIfChanged();
  // Re-reads the file unconditionally; on error keeps the previous keys.
  absl::Status Reload();

  // Polls the file every `interval` on a thread of its own and calls
  // `on_reload` after each reload attempt that found a change (with the
  // result). Stopped by the destructor. Call at most once.
  void StartAutoReload(std::chrono::milliseconds interval,
                       std::function<void(const absl::Status&)> on_reload);

  // Number of active keys in the current snapshot.
  size_t active_keys() const;
  // The tenants with at least one active key in the current snapshot, in
  // order (no file read).
  std::vector<std::string> active_tenants() const;
  const std::string& path() const { return path_; }

 private:
  struct FileStamp {
    bool exists = false;
    uint64_t inode = 0;
    int64_t size = 0;
    int64_t mtime_ns = 0;
    bool operator==(const FileStamp& o) const {
      return exists == o.exists && inode == o.inode && size == o.size &&
             mtime_ns == o.mtime_ns;
    }
  };
  struct Snapshot {
    std::map<std::string, ApiKeyRecord, std::less<>> by_id;
  };
  explicit KeyStore(std::string path) : path_(std::move(path)) {}
  static FileStamp StampOf(const std::string& path);
  absl::Status LoadLocked(const FileStamp& stamp);

  const std::string path_;
  std::mutex reload_mu_;  // serialises reloads
  FileStamp stamp_;       // guarded by reload_mu_
  mutable std::mutex mu_;
  std::shared_ptr<const Snapshot> snapshot_;  // guarded by mu_

  std::mutex watch_mu_;
  std::condition_variable watch_cv_;
  bool stop_watching_ = false;  // guarded by watch_mu_
  std::thread watcher_;
};

}  // namespace polku::api

#endif  // POLKU_API_KEY_STORE_H_
