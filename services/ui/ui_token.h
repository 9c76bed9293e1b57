// Learner widget tokens: short-lived, signed links an LMS adapter mints for
// the user in front of it, so the widget (/ui/learner) knows who it serves
// without the LMS sharing an API key with the browser.
//
// A token reads
//
//   v1.<tenant>.<learner, base64url without padding>.<expiry>.<signature>
//
// <expiry> is Unix seconds (decimal), <signature> the base64url (no padding)
// of HMAC-SHA256 under the tenant's UI secret (the secret's text as printed
// by `polku ui secret`, used as the key bytes) of
//
//   "polku-ui-v1\n" + tenant + "\n" + learner + "\n" + expiry
//
// A token lives at most kMaxTokenLifetimeSeconds; it is exchanged once for a
// session (session_store.h) and refused after that.
//
// Pure functions; thread-safe.
#ifndef POLKU_UI_UI_TOKEN_H_
#define POLKU_UI_UI_TOKEN_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace polku::ui {

// The longest a token may live (expiry - now at verification), seconds.
inline constexpr int64_t kMaxTokenLifetimeSeconds = 600;
// Clock difference between the adapter's host and Polku tolerated, seconds.
inline constexpr int64_t kClockSkewSeconds = 30;

struct TokenClaims {
  std::string tenant;
  std::string learner;
  int64_t expiry_seconds = 0;
  std::string signature;  // raw bytes; identifies the token for single use
};

// The exact bytes that are signed (see above).
std::string TokenSigningInput(std::string_view tenant, std::string_view learner,
                              int64_t expiry_seconds);

// HMAC-SHA256 of `data` under `key`, raw 32 bytes.
std::string HmacSha256(std::string_view key, std::string_view data);

// Mints a token. kInvalidArgument for a bad tenant id, an empty learner or
// an empty secret.
absl::StatusOr<std::string> MintToken(std::string_view secret,
                                      std::string_view tenant,
                                      std::string_view learner,
                                      int64_t expiry_seconds);

// Splits a token without checking its signature (to find the tenant whose
// secrets verify it). kUnauthenticated when the token is malformed.
absl::StatusOr<TokenClaims> ParseToken(std::string_view token);

// Verifies `token` against any of `secrets` (current first, then one still
// valid during a rotation) at `now_seconds`. kUnauthenticated: malformed,
// bad signature, expired, or an expiry too far ahead (longer than the
// maximum lifetime).
absl::StatusOr<TokenClaims> VerifyToken(std::string_view token,
                                        const std::vector<std::string>& secrets,
                                        int64_t now_seconds);

}  // namespace polku::ui

#endif  // POLKU_UI_UI_TOKEN_H_
