// Authentication hook: who is calling, for which tenant, with which scopes.
//
// Every RPC asks the Authenticator before doing anything. The tenant always
// comes from the caller's credentials, never from a request body.
// Until API keys are configured, the only authenticator is the development
// mode: off by default, enabled by an explicit flag, it accepts calls only
// from loopback peers and takes the tenant from the "x-polku-tenant"
// metadata entry (default "default"). Thread-safe.
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

struct Principal {
  std::string tenant;
  std::string key_id;  // empty in development mode
};

// What the transport knows about a call.
struct CallInfo {
  // gRPC peer string, e.g. "ipv4:127.0.0.1:5555" or "ipv6:[::1]:5555".
  std::string peer;
  // Request metadata (lowercase keys).
  std::multimap<std::string, std::string> metadata;
};

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // Returns the principal, or kUnauthenticated (no or bad credentials) /
  // kPermissionDenied (credentials without `scope`).
  virtual absl::StatusOr<Principal> Authenticate(const CallInfo& call,
                                                 std::string_view scope) const = 0;
};

// True for loopback peers (127.0.0.0/8, ::1, unix sockets).
bool IsLoopbackPeer(std::string_view peer);

// Development mode (see above).
class DevModeAuthenticator final : public Authenticator {
 public:
  absl::StatusOr<Principal> Authenticate(const CallInfo& call,
                                         std::string_view scope) const override;
};

// Refuses every call: what runs when no authentication is configured.
class DenyAllAuthenticator final : public Authenticator {
 public:
  absl::StatusOr<Principal> Authenticate(const CallInfo& call,
                                         std::string_view scope) const override;
};

// Checks a tenant id: 1-64 characters of [a-z0-9_-], starting with a letter
// or digit. Returns kInvalidArgument naming `field`.
absl::Status ValidateTenantId(std::string_view tenant, std::string_view field);

}  // namespace polku::api

#endif  // POLKU_API_AUTH_H_
