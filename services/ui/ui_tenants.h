// Per-tenant settings of the learner widget: the secret that signs widget
// tokens (ui_token.h), the previous secret during a rotation, and the
// origins allowed to frame the widget (CSP frame-ancestors).
//
// The file (<data_dir>/ui_tenants.json unless configured otherwise) is JSON
// written atomically with mode 0600, edited by `polku ui` and re-read by a
// running server when it changes:
//
//   {"version": 1, "tenants": [{"tenant": "acme", "secret": "<64 hex>",
//     "previous_secret": "<64 hex>", "previous_valid_until_ms": 1767225600000,
//     "frame_ancestors": ["https://moodle.example.edu"],
//     "updated_at_ms": 1767139200000}]}
#ifndef POLKU_UI_UI_TENANTS_H_
#define POLKU_UI_UI_TENANTS_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"

namespace polku::ui {

struct UiTenant {
  std::string tenant;
  std::string secret;           // current signing secret; "" until created
  std::string previous_secret;  // still accepted until the time below
  int64_t previous_valid_until_ms = 0;
  std::vector<std::string> frame_ancestors;  // origins; empty: 'self' only
  int64_t updated_at_ms = 0;

  // The secrets that verify a token at `now_ms`, current first.
  std::vector<std::string> SecretsAt(int64_t now_ms) const;
};

// <data_dir>/ui_tenants.json.
std::string DefaultUiTenantsFile(std::string_view data_dir);

// Checks one frame-ancestors entry: an origin "scheme://host[:port]" (http
// or https; the host may start with "*."), or 'self'. kInvalidArgument
// naming `field` otherwise (a space, ';', ',', quote or path could change
// the policy's meaning).
absl::Status ValidateFrameAncestor(std::string_view origin,
                                   std::string_view field);

// Reads the file; a missing file is an empty list. kInvalidArgument naming
// the file and entry; kUnavailable when unreadable.
absl::StatusOr<std::vector<UiTenant>> ReadUiTenantsFile(
    const std::string& path);
// Writes atomically (temporary file, fsync, rename), mode 0600.
absl::Status WriteUiTenantsFile(const std::string& path,
                                const std::vector<UiTenant>& tenants);

// Edits for `polku ui`; each locks <path>.lock, reads, changes, rewrites.
// Creates the tenant's secret, or rotates it: the old one stays valid for
// `grace_ms` more. Returns the record as stored (with the new secret).
absl::StatusOr<UiTenant> RotateUiSecret(const std::string& path,
                                        std::string_view tenant,
                                        int64_t grace_ms, int64_t now_ms);
// Replaces the frame-ancestors list (each entry validated).
absl::StatusOr<UiTenant> SetFrameAncestors(
    const std::string& path, std::string_view tenant,
    const std::vector<std::string>& origins, int64_t now_ms);

// The file as a server reads it: re-read when it changed (checked at most
// once a second, on lookup). On a bad file the previous contents stay.
// Thread-safe.
class UiTenantStore {
 public:
  UiTenantStore(std::string path, const common::Clock* clock);
  // The tenant's settings, if the file has them.
  std::optional<UiTenant> Find(std::string_view tenant);
  const std::string& path() const { return path_; }

 private:
  void MaybeReload();

  const std::string path_;
  const common::Clock* clock_;
  std::mutex mu_;
  int64_t checked_ms_ = -1;
  std::string stamp_;
  std::map<std::string, UiTenant, std::less<>> tenants_;
};

}  // namespace polku::ui

#endif  // POLKU_UI_UI_TENANTS_H_
