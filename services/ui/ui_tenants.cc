#include "ui/ui_tenants.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <simdjson.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/auth.h"
#include "common/files.h"
#include "common/json_writer.h"
#include "common/logging.h"
#include "common/str_cat.h"

namespace polku::ui {
namespace {

using common::StrCat;

std::string RandomHex(size_t bytes) {
  std::vector<unsigned char> buf(bytes);
  if (RAND_bytes(buf.data(), static_cast<int>(buf.size())) != 1) {
    std::abort();  // no CSPRNG: no secret may be made
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : buf) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

std::string StampOf(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return "missing";
  return StrCat(st.st_ino, ":", st.st_size, ":", st.st_mtim.tv_sec, ".",
                st.st_mtim.tv_nsec);
}

template <typename Fn>
absl::StatusOr<UiTenant> Edit(const std::string& path, std::string_view tenant,
                              Fn&& change) {
  if (auto s = api::ValidateTenantId(tenant, "tenant"); !s.ok()) return s;
  std::error_code ec;
  auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  common::FileLock lock(path);
  if (!lock.status().ok()) return lock.status();
  auto tenants = ReadUiTenantsFile(path);
  if (!tenants.ok()) return tenants.status();
  UiTenant* record = nullptr;
  for (UiTenant& t : *tenants) {
    if (t.tenant == tenant) record = &t;
  }
  if (record == nullptr) {
    tenants->emplace_back();
    record = &tenants->back();
    record->tenant = std::string(tenant);
  }
  if (auto s = change(*record); !s.ok()) return s;
  UiTenant result = *record;
  if (auto s = WriteUiTenantsFile(path, *tenants); !s.ok()) return s;
  return result;
}

}  // namespace

std::vector<std::string> UiTenant::SecretsAt(int64_t now_ms) const {
  std::vector<std::string> out;
  if (!secret.empty()) out.push_back(secret);
  if (!previous_secret.empty() && now_ms < previous_valid_until_ms) {
    out.push_back(previous_secret);
  }
  return out;
}

std::string DefaultUiTenantsFile(std::string_view data_dir) {
  return (std::filesystem::path(std::string(data_dir)) / "ui_tenants.json")
      .string();
}

absl::Status ValidateFrameAncestor(std::string_view origin,
                                   std::string_view field) {
  auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(
        StrCat(field, ": '", origin.substr(0, 100), "' ", why));
  };
  if (origin == "'self'") return absl::OkStatus();
  std::string_view rest;
  if (origin.substr(0, 8) == "https://") {
    rest = origin.substr(8);
  } else if (origin.substr(0, 7) == "http://") {
    rest = origin.substr(7);
  } else {
    return bad("is not an origin (https://host[:port]) or 'self'");
  }
  if (rest.empty() || rest.size() > 253) return bad("has no valid host");
  if (rest.substr(0, 2) == "*.") rest.remove_prefix(2);
  size_t colon = rest.rfind(':');
  std::string_view host = rest.substr(0, colon);
  if (colon != std::string_view::npos) {
    std::string_view port = rest.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string_view::npos) {
      return bad("has a bad port");
    }
  }
  if (host.empty()) return bad("has no host");
  for (char c : host) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '-' || c == '.';
    if (!ok) {
      return bad(
          "may hold only a scheme, a host name or address and a port (no "
          "path, spaces or punctuation)");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<UiTenant>> ReadUiTenantsFile(
    const std::string& path) {
  std::vector<UiTenant> out;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return out;
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::UnavailableError(StrCat(path, ": cannot read"));
  std::stringstream buf;
  buf << in.rdbuf();
  std::string text = buf.str();
  std::string name = std::filesystem::path(path).filename().string();
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto error = parser.parse(text).get(root)) {
    return absl::InvalidArgumentError(
        StrCat(name, ": not valid JSON: ", simdjson::error_message(error)));
  }
  simdjson::dom::array list;
  if (root["tenants"].get_array().get(list)) {
    return absl::InvalidArgumentError(StrCat(name, ": tenants: is required"));
  }
  size_t index = 0;
  for (simdjson::dom::element e : list) {
    std::string field = StrCat(name, ": tenants[", index++, "]");
    UiTenant t;
    std::string_view s;
    if (e["tenant"].get_string().get(s)) {
      return absl::InvalidArgumentError(StrCat(field, ".tenant: is required"));
    }
    t.tenant = std::string(s);
    if (auto st = api::ValidateTenantId(t.tenant, StrCat(field, ".tenant"));
        !st.ok()) {
      return st;
    }
    if (!e["secret"].get_string().get(s)) t.secret = std::string(s);
    if (!e["previous_secret"].get_string().get(s)) {
      t.previous_secret = std::string(s);
    }
    int64_t v = 0;
    if (!e["previous_valid_until_ms"].get_int64().get(v)) {
      t.previous_valid_until_ms = v;
    }
    if (!e["updated_at_ms"].get_int64().get(v)) t.updated_at_ms = v;
    simdjson::dom::array origins;
    if (!e["frame_ancestors"].get_array().get(origins)) {
      size_t i = 0;
      for (simdjson::dom::element o : origins) {
        std::string of = StrCat(field, ".frame_ancestors[", i++, "]");
        if (o.get_string().get(s)) {
          return absl::InvalidArgumentError(StrCat(of, ": must be a string"));
        }
        if (auto st = ValidateFrameAncestor(s, of); !st.ok()) return st;
        t.frame_ancestors.emplace_back(s);
      }
    }
    out.push_back(std::move(t));
  }
  return out;
}

absl::Status WriteUiTenantsFile(const std::string& path,
                                const std::vector<UiTenant>& tenants) {
  common::JsonWriter w;
  w.BeginObject();
  w.Key("version");
  w.Int(1);
  w.Key("tenants");
  w.BeginArray();
  for (const UiTenant& t : tenants) {
    w.BeginObject();
    w.Key("tenant");
    w.String(t.tenant);
    w.Key("secret");
    w.String(t.secret);
    w.Key("previous_secret");
    w.String(t.previous_secret);
    w.Key("previous_valid_until_ms");
    w.Int(t.previous_valid_until_ms);
    w.Key("frame_ancestors");
    w.BeginArray();
    for (const std::string& o : t.frame_ancestors) w.String(o);
    w.EndArray();
    w.Key("updated_at_ms");
    w.Int(t.updated_at_ms);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  std::string text = w.Take();
  text.push_back('\n');
  return common::WriteFileAtomically(path, text);
}

absl::StatusOr<UiTenant> RotateUiSecret(const std::string& path,
                                        std::string_view tenant,
                                        int64_t grace_ms, int64_t now_ms) {
  if (grace_ms < 0) {
    return absl::InvalidArgumentError("grace: must not be negative");
  }
  return Edit(path, tenant, [&](UiTenant& t) {
    if (!t.secret.empty()) {
      t.previous_secret = t.secret;
      t.previous_valid_until_ms = now_ms + grace_ms;
    }
    t.secret = RandomHex(32);
    t.updated_at_ms = now_ms;
    return absl::OkStatus();
  });
}

absl::StatusOr<UiTenant> SetFrameAncestors(
    const std::string& path, std::string_view tenant,
    const std::vector<std::string>& origins, int64_t now_ms) {
  for (size_t i = 0; i < origins.size(); ++i) {
    if (auto s = ValidateFrameAncestor(origins[i],
                                       StrCat("frame_ancestors[", i, "]"));
        !s.ok()) {
      return s;
    }
  }
  return Edit(path, tenant, [&](UiTenant& t) {
    t.frame_ancestors = origins;
    t.updated_at_ms = now_ms;
    return absl::OkStatus();
  });
}

UiTenantStore::UiTenantStore(std::string path, const common::Clock* clock)
    : path_(std::move(path)), clock_(clock) {}

void UiTenantStore::MaybeReload() {
  int64_t now = clock_->NowMillis();
  if (checked_ms_ >= 0 && now - checked_ms_ < 1000) return;
  checked_ms_ = now;
  std::string stamp = StampOf(path_);
  if (stamp == stamp_) return;
  auto tenants = ReadUiTenantsFile(path_);
  if (!tenants.ok()) {
    common::LogError("UI tenant file reload failed; keeping the previous one",
                     {{"error", tenants.status().ToString()}});
    return;
  }
  stamp_ = stamp;
  tenants_.clear();
  for (UiTenant& t : *tenants) {
    std::string name = t.tenant;
    tenants_[name] = std::move(t);
  }
}

std::optional<UiTenant> UiTenantStore::Find(std::string_view tenant) {
  std::lock_guard<std::mutex> lock(mu_);
  MaybeReload();
  auto it = tenants_.find(tenant);
  if (it == tenants_.end()) return std::nullopt;
  return it->second;
}

}  // namespace polku::ui
