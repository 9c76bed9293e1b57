#include "api/key_store.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <simdjson.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/escaping.h"
#include "common/files.h"
#include "common/hashing.h"
#include "common/json_writer.h"
#include "common/str_cat.h"
#include "common/strings.h"
#include "common/thread_name.h"
#include "model/event_codec.h"

namespace polku::api {
namespace {

constexpr std::string_view kKeyPrefix = "polku_";
constexpr size_t kIdHexDigits = 12;
constexpr size_t kSecretHexDigits = 64;
constexpr int kFileVersion = 1;

bool IsLowerHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string RandomHex(size_t bytes) {
  std::vector<unsigned char> buf(bytes);
  if (RAND_bytes(buf.data(), static_cast<int>(buf.size())) != 1) {
    // Without a working CSPRNG no key may be made; this is a broken system.
    std::abort();
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes * 2);
  for (unsigned char b : buf) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

std::string FormatTime(int64_t ms) {
  return ms == 0 ? std::string() : model::FormatTimestamp(ms);
}

absl::Status FileError(const std::string& path, std::string_view where,
                       std::string_view what) {
  return absl::InvalidArgumentError(
      common::StrCat(path, ": ", where, where.empty() ? "" : ": ", what));
}

// Reads a string member; absent is "" unless required.
absl::Status ReadStringMember(simdjson::dom::object obj, std::string_view key,
                              bool required, const std::string& path,
                              const std::string& where, std::string* out) {
  simdjson::dom::element v;
  if (obj.at_key(key).get(v)) {
    if (required)
      return FileError(path, common::StrCat(where, ".", key), "is required");
    out->clear();
    return absl::OkStatus();
  }
  std::string_view s;
  if (v.get_string().get(s)) {
    return FileError(path, common::StrCat(where, ".", key), "must be a string");
  }
  *out = std::string(s);
  return absl::OkStatus();
}

absl::Status ReadTimeMember(simdjson::dom::object obj, std::string_view key,
                            const std::string& path, const std::string& where,
                            int64_t* out) {
  std::string text;
  if (auto s = ReadStringMember(obj, key, false, path, where, &text); !s.ok()) {
    return s;
  }
  *out = 0;
  if (text.empty()) return absl::OkStatus();
  auto ms = model::ParseTimestamp(text);
  if (!ms.ok()) {
    return FileError(path, common::StrCat(where, ".", key),
                     "must be an RFC 3339 timestamp");
  }
  *out = *ms;
  return absl::OkStatus();
}

absl::Status ValidateScopes(const std::vector<std::string>& scopes,
                            std::string_view field) {
  if (scopes.empty()) {
    return absl::InvalidArgumentError(
        common::StrCat(field, ": at least one scope is required"));
  }
  for (const std::string& s : scopes) {
    if (!IsKnownScope(s)) {
      std::string known;
      for (const char* k : kAllScopes)
        common::StrAppend(&known, known.empty() ? "" : ", ", k);
      return absl::InvalidArgumentError(common::StrCat(
          field, ": unknown scope '", s, "' (known: ", known, ")"));
    }
  }
  return absl::OkStatus();
}

std::vector<ApiKeyRecord>::iterator FindKey(std::vector<ApiKeyRecord>& keys,
                                            std::string_view id) {
  return std::find_if(keys.begin(), keys.end(),
                      [&](const ApiKeyRecord& r) { return r.id == id; });
}

// The token of an "authorization" value, or an error.
absl::StatusOr<std::string> TokenOf(std::string_view value, bool allow_basic) {
  size_t space = value.find(' ');
  std::string_view scheme = value.substr(0, space);
  std::string_view rest = space == std::string_view::npos
                              ? std::string_view()
                              : value.substr(space + 1);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  if (common::EqualsIgnoreCase(scheme, "Bearer")) {
    if (rest.empty())
      return absl::UnauthenticatedError("empty Bearer credentials");
    return std::string(rest);
  }
  if (common::EqualsIgnoreCase(scheme, "Basic")) {
    if (!allow_basic) {
      return absl::UnauthenticatedError(
          "Basic credentials are accepted only on the xAPI resource; send "
          "'authorization: Bearer <API key>'");
    }
    std::string decoded;
    if (!absl::Base64Unescape(common::Sv(rest), &decoded)) {
      return absl::UnauthenticatedError("Basic credentials are not base64");
    }
    size_t colon = decoded.find(':');
    if (colon == std::string::npos) {
      return absl::UnauthenticatedError("Basic credentials lack ':'");
    }
    std::string user = decoded.substr(0, colon);
    std::string password = decoded.substr(colon + 1);
    if (common::StartsWith(password, kKeyPrefix)) return password;
    if (password.empty()) return user;
    return common::StrCat(user, "_", password);  // polku_<id> : <secret>
  }
  return absl::UnauthenticatedError(
      "unsupported authorization scheme; send 'authorization: Bearer <API "
      "key>'");
}

}  // namespace

bool ApiKeyRecord::HasScope(std::string_view scope) const {
  return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
}

std::string DefaultKeyFile(std::string_view data_dir) {
  std::string dir(data_dir);
  if (!dir.empty() && dir.back() != '/') dir.push_back('/');
  return common::StrCat(dir, "api_keys.json");
}

bool ParseApiKey(std::string_view key, std::string_view* id,
                 std::string_view* secret) {
  if (key.size() != kKeyPrefix.size() + kIdHexDigits + 1 + kSecretHexDigits ||
      !common::StartsWith(key, kKeyPrefix)) {
    return false;
  }
  std::string_view rest = key.substr(kKeyPrefix.size());
  if (rest[kIdHexDigits] != '_') return false;
  *id = rest.substr(0, kIdHexDigits);
  *secret = rest.substr(kIdHexDigits + 1);
  return IsLowerHex(*id) && IsLowerHex(*secret);
}

absl::StatusOr<std::vector<ApiKeyRecord>> ReadKeyFile(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 && errno == ENOENT) {
    return std::vector<ApiKeyRecord>();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::UnavailableError(
        common::StrCat(path, ": cannot be read: ", std::strerror(errno)));
  }
  std::stringstream buf;
  buf << in.rdbuf();
  std::string text = buf.str();
  std::vector<ApiKeyRecord> keys;
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) return keys;

  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto error = parser.parse(text).get(root)) {
    return FileError(path, "",
                     common::StrCat("is not valid JSON (",
                                    simdjson::error_message(error), ")"));
  }
  simdjson::dom::object obj;
  if (root.get_object().get(obj))
    return FileError(path, "", "must be an object");
  int64_t version = 0;
  if (obj.at_key("version").get_int64().get(version) ||
      version != kFileVersion) {
    return FileError(path, "version", common::StrCat("must be ", kFileVersion));
  }
  simdjson::dom::array list;
  if (obj.at_key("keys").get_array().get(list)) {
    return FileError(path, "keys", "must be an array");
  }
  size_t index = 0;
  for (simdjson::dom::element e : list) {
    std::string where = common::StrCat("keys[", index++, "]");
    simdjson::dom::object k;
    if (e.get_object().get(k))
      return FileError(path, where, "must be an object");
    ApiKeyRecord r;
    absl::Status s = ReadStringMember(k, "id", true, path, where, &r.id);
    if (s.ok()) s = ReadStringMember(k, "tenant", true, path, where, &r.tenant);
    if (s.ok()) s = ReadStringMember(k, "sha256", true, path, where, &r.sha256);
    if (s.ok()) s = ReadStringMember(k, "name", false, path, where, &r.name);
    if (s.ok())
      s = ReadTimeMember(k, "created_at", path, where, &r.created_at_ms);
    if (s.ok())
      s = ReadTimeMember(k, "rotated_at", path, where, &r.rotated_at_ms);
    if (s.ok())
      s = ReadTimeMember(k, "revoked_at", path, where, &r.revoked_at_ms);
    if (!s.ok()) return s;
    if (r.id.size() != kIdHexDigits || !IsLowerHex(r.id)) {
      return FileError(
          path, where + ".id",
          common::StrCat("must be ", kIdHexDigits, " hexadecimal digits"));
    }
    if (r.sha256.size() != 64 || !IsLowerHex(r.sha256)) {
      return FileError(path, where + ".sha256",
                       "must be 64 hexadecimal digits");
    }
    if (auto t = ValidateTenantId(r.tenant, where + ".tenant"); !t.ok()) {
      return FileError(path, "", std::string(t.message()));
    }
    simdjson::dom::array scopes;
    if (k.at_key("scopes").get_array().get(scopes)) {
      return FileError(path, where + ".scopes", "must be an array of strings");
    }
    for (simdjson::dom::element sc : scopes) {
      std::string_view v;
      if (sc.get_string().get(v)) {
        return FileError(path, where + ".scopes",
                         "must be an array of strings");
      }
      r.scopes.emplace_back(v);
    }
    if (auto v = ValidateScopes(r.scopes, where + ".scopes"); !v.ok()) {
      return FileError(path, "", std::string(v.message()));
    }
    if (FindKey(keys, r.id) != keys.end()) {
      return FileError(path, where + ".id", "repeats an earlier key's id");
    }
    keys.push_back(std::move(r));
  }
  return keys;
}

absl::Status WriteKeyFile(const std::string& path,
                          const std::vector<ApiKeyRecord>& keys) {
  common::JsonWriter w;
  w.BeginObject();
  w.Key("version");
  w.Int(kFileVersion);
  w.Key("keys");
  w.BeginArray();
  for (const ApiKeyRecord& r : keys) {
    w.BeginObject();
    w.Key("id");
    w.String(r.id);
    w.Key("tenant");
    w.String(r.tenant);
    w.Key("scopes");
    w.BeginArray();
    for (const std::string& s : r.scopes) w.String(s);
    w.EndArray();
    w.Key("sha256");
    w.String(r.sha256);
    w.Key("name");
    w.String(r.name);
    w.Key("created_at");
    w.String(FormatTime(r.created_at_ms));
    w.Key("rotated_at");
    w.String(FormatTime(r.rotated_at_ms));
    w.Key("revoked_at");
    w.String(FormatTime(r.revoked_at_ms));
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  std::string text = w.Take();
  text.push_back('\n');

  return common::WriteFileAtomically(path, text);
}

absl::StatusOr<NewApiKey> CreateApiKey(const std::string& path,
                                       std::string_view tenant,
                                       const std::vector<std::string>& scopes,
                                       std::string_view name, int64_t now_ms) {
  if (auto s = ValidateTenantId(tenant, "--tenant"); !s.ok()) return s;
  if (auto s = ValidateScopes(scopes, "--scopes"); !s.ok()) return s;
  common::FileLock lock(path);
  if (!lock.status().ok()) return lock.status();
  auto keys = ReadKeyFile(path);
  if (!keys.ok()) return keys.status();
  NewApiKey out;
  do {
    out.record.id = RandomHex(kIdHexDigits / 2);
  } while (FindKey(*keys, out.record.id) != keys->end());
  out.key = common::StrCat(kKeyPrefix, out.record.id, "_",
                           RandomHex(kSecretHexDigits / 2));
  out.record.tenant = std::string(tenant);
  out.record.scopes = scopes;
  std::sort(out.record.scopes.begin(), out.record.scopes.end());
  out.record.scopes.erase(
      std::unique(out.record.scopes.begin(), out.record.scopes.end()),
      out.record.scopes.end());
  out.record.sha256 = common::Sha256Hex(out.key);
  out.record.name = std::string(name);
  out.record.created_at_ms = now_ms;
  keys->push_back(out.record);
  if (auto s = WriteKeyFile(path, *keys); !s.ok()) return s;
  return out;
}

absl::StatusOr<NewApiKey> RotateApiKey(const std::string& path,
                                       std::string_view id, int64_t now_ms) {
  common::FileLock lock(path);
  if (!lock.status().ok()) return lock.status();
  auto keys = ReadKeyFile(path);
  if (!keys.ok()) return keys.status();
  auto it = FindKey(*keys, id);
  if (it == keys->end()) {
    return absl::NotFoundError(common::StrCat("no API key with id '", id, "'"));
  }
  if (!it->active()) {
    return absl::FailedPreconditionError(
        common::StrCat("API key ", id, " is revoked; create a new one"));
  }
  NewApiKey out;
  out.key =
      common::StrCat(kKeyPrefix, it->id, "_", RandomHex(kSecretHexDigits / 2));
  it->sha256 = common::Sha256Hex(out.key);
  it->rotated_at_ms = now_ms;
  out.record = *it;
  if (auto s = WriteKeyFile(path, *keys); !s.ok()) return s;
  return out;
}

absl::Status RevokeApiKey(const std::string& path, std::string_view id,
                          int64_t now_ms) {
  common::FileLock lock(path);
  if (!lock.status().ok()) return lock.status();
  auto keys = ReadKeyFile(path);
  if (!keys.ok()) return keys.status();
  auto it = FindKey(*keys, id);
  if (it == keys->end()) {
    return absl::NotFoundError(common::StrCat("no API key with id '", id, "'"));
  }
  if (!it->active()) return absl::OkStatus();
  it->revoked_at_ms = now_ms;
  return WriteKeyFile(path, *keys);
}

absl::StatusOr<std::unique_ptr<KeyStore>> KeyStore::Open(std::string path) {
  std::unique_ptr<KeyStore> store(new KeyStore(std::move(path)));
  if (auto s = store->Reload(); !s.ok()) return s;
  return store;
}

KeyStore::~KeyStore() {
  {
    std::lock_guard<std::mutex> lock(watch_mu_);
    stop_watching_ = true;
  }
  watch_cv_.notify_all();
  if (watcher_.joinable()) watcher_.join();
}

KeyStore::FileStamp KeyStore::StampOf(const std::string& path) {
  FileStamp stamp;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return stamp;
  stamp.exists = true;
  stamp.inode = static_cast<uint64_t>(st.st_ino);
  stamp.size = static_cast<int64_t>(st.st_size);
  stamp.mtime_ns =
      static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  return stamp;
}

absl::Status KeyStore::LoadLocked(const FileStamp& stamp) {
  auto keys = ReadKeyFile(path_);
  if (!keys.ok()) {
    // Remember the stamp anyway, so a broken file is reported once, not on
    // every poll; the next change is tried again.
    stamp_ = stamp;
    return keys.status();
  }
  auto snapshot = std::make_shared<Snapshot>();
  for (ApiKeyRecord& r : *keys) {
    std::string id = r.id;
    snapshot->by_id.emplace(std::move(id), std::move(r));
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    snapshot_ = std::move(snapshot);
  }
  stamp_ = stamp;
  return absl::OkStatus();
}

absl::Status KeyStore::Reload() {
  std::lock_guard<std::mutex> lock(reload_mu_);
  return LoadLocked(StampOf(path_));
}

absl::StatusOr<bool> KeyStore::ReloadIfChanged() {
  std::lock_guard<std::mutex> lock(reload_mu_);
  FileStamp stamp = StampOf(path_);
  if (stamp == stamp_) return false;
  if (auto s = LoadLocked(stamp); !s.ok()) return s;
  return true;
}

void KeyStore::StartAutoReload(
    std::chrono::milliseconds interval,
    std::function<void(const absl::Status&)> on_reload) {
  watcher_ = std::thread([this, interval, on_reload = std::move(on_reload)] {
    common::SetCurrentThreadName("polku-keywatch");
    std::unique_lock<std::mutex> lock(watch_mu_);
    while (!watch_cv_.wait_for(lock, interval,
                               [this] { return stop_watching_; })) {
      lock.unlock();
      auto changed = ReloadIfChanged();
      if (!changed.ok()) {
        on_reload(changed.status());
      } else if (*changed) {
        on_reload(absl::OkStatus());
      }
      lock.lock();
    }
  });
}

size_t KeyStore::active_keys() const {
  std::shared_ptr<const Snapshot> snapshot;
  {
    std::lock_guard<std::mutex> lock(mu_);
    snapshot = snapshot_;
  }
  size_t n = 0;
  for (const auto& [id, r] : snapshot->by_id) n += r.active() ? 1 : 0;
  return n;
}

std::vector<std::string> KeyStore::active_tenants() const {
  std::shared_ptr<const Snapshot> snapshot;
  {
    std::lock_guard<std::mutex> lock(mu_);
    snapshot = snapshot_;
  }
  std::set<std::string> tenants;
  for (const auto& [id, r] : snapshot->by_id) {
    if (r.active()) tenants.insert(r.tenant);
  }
  return {tenants.begin(), tenants.end()};
}

absl::StatusOr<Principal> KeyStore::Authenticate(const CallInfo& call,
                                                 std::string_view scope) const {
  auto auth = call.metadata.find("authorization");
  if (auth == call.metadata.end()) {
    return absl::UnauthenticatedError(
        "missing credentials: send 'authorization: Bearer <API key>'");
  }
  if (call.metadata.count("authorization") > 1) {
    return absl::UnauthenticatedError("more than one authorization entry");
  }
  auto token = TokenOf(auth->second, call.allow_basic);
  if (!token.ok()) return token.status();
  std::string_view id, secret;
  if (!ParseApiKey(*token, &id, &secret)) {
    return absl::UnauthenticatedError(
        "malformed API key (expected polku_<id>_<secret>)");
  }
  std::shared_ptr<const Snapshot> snapshot;
  {
    std::lock_guard<std::mutex> lock(mu_);
    snapshot = snapshot_;
  }
  auto it = snapshot->by_id.find(id);
  std::string hash = common::Sha256Hex(*token);
  // Compare in constant time, and compare even for unknown ids, so timing
  // tells nothing about which ids exist.
  static const std::string kNoKey(64, '0');
  const std::string& want =
      it == snapshot->by_id.end() ? kNoKey : it->second.sha256;
  bool match = want.size() == hash.size() &&
               CRYPTO_memcmp(want.data(), hash.data(), hash.size()) == 0;
  if (it == snapshot->by_id.end() || !match || !it->second.active()) {
    return absl::UnauthenticatedError("invalid or revoked API key");
  }
  const ApiKeyRecord& key = it->second;
  if (!scope.empty() && !key.HasScope(scope)) {
    return absl::PermissionDeniedError(
        common::StrCat("API key ", key.id, " lacks the scope '", scope, "'"));
  }
  Principal p;
  p.tenant = key.tenant;
  p.key_id = key.id;
  auto named = call.metadata.find("x-polku-tenant");
  if (named != call.metadata.end()) {
    if (auto s = CheckNamedTenant(p, named->second, "x-polku-tenant");
        !s.ok()) {
      return s;
    }
  }
  return p;
}

}  // namespace polku::api
