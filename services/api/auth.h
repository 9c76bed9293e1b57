// Authentication: who is calling, for which tenant, with which scopes.
//
// Every RPC and HTTP route asks an Authenticator before doing anything, with
// the scope the call needs (handlers.h lists the scope of each). The tenant
// always comes from the caller's credentials, never from a request body.
// Implementations:
//   - KeyStore (key_store.h): per-tenant API keys with scopes, sent as
//     "authorization: Bearer <key>" (gRPC metadata or HTTP header), or as
//     HTTP Basic credentials on the xAPI resource.
//   - DevModeAuthenticator: development mode, off by default, enabled by an
//     explicit flag; accepts calls only from loopback peers and takes the
//     tenant from the "x-polku-tenant" metadata entry (default "default").
//   - CredentialsThenDevMode: what the server runs: a call carrying
//     credentials goes to the key store; a call without any goes to the
//     development mode when it is on, and is refused otherwise.
//   - DenyAllAuthenticator: refuses everything.
// All are thread-safe.
#ifndef POLKU_API_AUTH_H_
#define POLKU_API_AUTH_H_

#include <map>
#include <set>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace polku::api {

// Scopes of DESIGN.md.
inline constexpr char kScopeEventsWrite[] = "events:write";
inline constexpr char kScopeFeedbackWrite[] = "feedback:write";
inline constexpr char kScopeRecommendationsRead[] = "recommendations:read";
inline constexpr char kScopeCatalogueWrite[] = "catalogue:write";
inline constexpr char kScopeInsightsRead[] = "insights:read";
inline constexpr char kScopePrivacyDelete[] = "privacy:delete";
inline constexpr char kScopePrivacyExport[] = "privacy:export";

// Every scope, in the order above.
inline constexpr const char* kAllScopes[] = {
    kScopeEventsWrite,    kScopeFeedbackWrite, kScopeRecommendationsRead,
    kScopeCatalogueWrite, kScopeInsightsRead,  kScopePrivacyDelete,
    kScopePrivacyExport};
bool IsKnownScope(std::string_view scope);

// The authenticated caller.
struct Principal {
  std::string tenant;
  std::string key_id;  // empty in development mode
};

// What the transport knows about a call.
struct CallInfo {
  // Peer in gRPC's form, e.g. "ipv4:127.0.0.1:5555" or "ipv6:[::1]:5555"
  // (the HTTP gateway writes its peers the same way).
  std::string peer;
  // Request metadata or HTTP headers (lowercase keys).
  std::multimap<std::string, std::string> metadata;
  // Whether HTTP Basic credentials are accepted (only on the xAPI resource,
  // whose clients often know no other scheme).
  bool allow_basic = false;
};

// kPermissionDenied when a request names a tenant (`named`, from `field`)
// other than the caller's; OK when `named` is empty or the caller's.
absl::Status CheckNamedTenant(const Principal& principal,
                              std::string_view named, std::string_view field);

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // Returns the principal, or kUnauthenticated (no or bad credentials) /
  // kPermissionDenied (credentials without `scope`).
  virtual absl::StatusOr<Principal> Authenticate(
      const CallInfo& call, std::string_view scope) const = 0;
};

// True for loopback peers (127.0.0.0/8, ::1, unix sockets).
bool IsLoopbackPeer(std::string_view peer);

// Development mode (see above).
class DevModeAuthenticator final : public Authenticator {
 public:
  absl::StatusOr<Principal> Authenticate(const CallInfo& call,
                                         std::string_view scope) const override;
};

// Refuses every call with kUnauthenticated.
class DenyAllAuthenticator final : public Authenticator {
 public:
  absl::StatusOr<Principal> Authenticate(const CallInfo& call,
                                         std::string_view scope) const override;
};

// Calls with an "authorization" entry go to `keys`; calls without one go to
// `dev_mode` when it is not null, and are kUnauthenticated otherwise. So
// development mode never overrides credentials: a bad key is refused even
// on loopback. Neither pointer is owned; both must outlive this object.
class CredentialsThenDevMode final : public Authenticator {
 public:
  CredentialsThenDevMode(const Authenticator* keys,
                         const Authenticator* dev_mode)
      : keys_(keys), dev_mode_(dev_mode) {}
  absl::StatusOr<Principal> Authenticate(const CallInfo& call,
                                         std::string_view scope) const override;

 private:
  const Authenticator* keys_;
  const Authenticator* dev_mode_;
};

// Checks a tenant id: 1-64 characters of [a-z0-9_-], starting with a letter
// or digit. Returns kInvalidArgument naming `field`.
absl::Status ValidateTenantId(std::string_view tenant, std::string_view field);

}  // namespace polku::api

#endif  // POLKU_API_AUTH_H_
