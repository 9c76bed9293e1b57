#include "api/auth.h"

#include "common/field_error.h"
#include "common/strings.h"

namespace polku::api {

bool IsLoopbackPeer(std::string_view peer) {
  return common::StartsWith(peer, "ipv4:127.") ||
         common::StartsWith(peer, "ipv6:[::1]") ||
         common::StartsWith(peer, "ipv6:[::ffff:127.") ||
         common::StartsWith(peer, "unix:");
}

absl::Status ValidateTenantId(std::string_view tenant, std::string_view field) {
  if (tenant.empty() || tenant.size() > 64) {
    return common::InvalidFieldError(field, "must be 1 to 64 characters");
  }
  for (size_t i = 0; i < tenant.size(); ++i) {
    char c = tenant[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              (i > 0 && (c == '-' || c == '_'));
    if (!ok) {
      return common::InvalidFieldError(field,
                                       "may hold only a-z, 0-9, '-' and '_', "
                                       "starting with a letter or digit");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Principal> DevModeAuthenticator::Authenticate(
    const CallInfo& call, std::string_view scope) const {
  if (!IsLoopbackPeer(call.peer)) {
    return absl::UnauthenticatedError(
        "development mode accepts only loopback callers");
  }
  Principal p;
  p.tenant = "default";
  auto it = call.metadata.find("x-polku-tenant");
  if (it != call.metadata.end()) p.tenant = it->second;
  if (auto s = ValidateTenantId(p.tenant, "x-polku-tenant"); !s.ok()) return s;
  return p;
}

absl::StatusOr<Principal> DenyAllAuthenticator::Authenticate(
    const CallInfo& call, std::string_view scope) const {
  return absl::UnauthenticatedError(
      "no credentials accepted: configure API keys, or start polku-server "
      "with --dev_mode on a loopback address for development");
}

absl::StatusOr<Principal> CredentialsThenDevMode::Authenticate(
    const CallInfo& call, std::string_view scope) const {
  if (call.metadata.count("authorization") > 0 || dev_mode_ == nullptr) {
    return keys_->Authenticate(call, scope);
  }
  return dev_mode_->Authenticate(call, scope);
}

bool IsKnownScope(std::string_view scope) {
  for (const char* s : kAllScopes) {
    if (scope == s) return true;
  }
  return false;
}

absl::Status CheckNamedTenant(const Principal& principal,
                              std::string_view named, std::string_view field) {
  if (named.empty() || named == principal.tenant) return absl::OkStatus();
  return common::FieldError(
      absl::StatusCode::kPermissionDenied, field,
      "names another tenant than the caller's credentials; the tenant always "
      "comes from the credentials");
}

}  // namespace polku::api
