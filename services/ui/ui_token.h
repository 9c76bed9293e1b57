// Learner widget tokens: short-lived, signed links an LMS adapter mints for
// the user in front of it, so the widget (/ui/learner) knows who it serves
// without the LMS sharing an API key with the browser.
//
// A token reads
//
//   v2.<tenant>.<learner, base64url>.<expiry>.<nonce>.<signature>
//
// base64url is RFC 4648 section 5 without padding. <expiry> is Unix seconds
// (decimal), <nonce> 16 random bytes from a CSPRNG in base64url (exactly 22
// characters), <signature> the base64url of HMAC-SHA256 under the tenant's
// UI secret (the secret's text as printed by `polku ui secret`, used as the
// key bytes) of
//
//   "polku-ui-v2\n" + tenant + "\n" + learner + "\n" + expiry + "\n" + nonce
//
// with the nonce as its base64url text. The nonce makes every token unique,
// so two tokens minted for one learner within the same second differ.
//
// Version 1 tokens, without a nonce,
//
//   v1.<tenant>.<learner, base64url>.<expiry>.<signature>
//
// signed over "polku-ui-v1\n" + tenant + "\n" + learner + "\n" + expiry, are
// still accepted, so that adapters of an earlier release keep working while
// a site upgrades Polku and its LMS plugins one after the other. Nothing here
// mints them any more.
//
// A token lives at most kMaxTokenLifetimeSeconds; it is exchanged once for a
// session (session_store.h), keyed by its signature, and refused after that.
//
// Pure functions apart from MintToken, which draws the nonce; thread-safe.
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
// Random bytes in a v2 token's nonce, and the length of their base64url.
inline constexpr size_t kNonceBytes = 16;
inline constexpr size_t kNonceChars = 22;

struct TokenClaims {
  int version = 0;  // 1 or 2
  std::string tenant;
  std::string learner;
  int64_t expiry_seconds = 0;
  std::string nonce;      // v2: the nonce's base64url text; v1: empty
  std::string signature;  // raw bytes; identifies the token for single use
};

// The exact bytes a v2 token signs (see above); `nonce` is its base64url.
std::string TokenSigningInput(std::string_view tenant, std::string_view learner,
                              int64_t expiry_seconds, std::string_view nonce);
// The exact bytes a v1 token signs.
std::string TokenSigningInputV1(std::string_view tenant,
                                std::string_view learner,
                                int64_t expiry_seconds);

// HMAC-SHA256 of `data` under `key`, raw 32 bytes.
std::string HmacSha256(std::string_view key, std::string_view data);

// Mints a v2 token with a fresh random nonce. kInvalidArgument for a bad
// tenant id, an empty learner or an empty secret; kInternal if the system's
// random generator fails.
absl::StatusOr<std::string> MintToken(std::string_view secret,
                                      std::string_view tenant,
                                      std::string_view learner,
                                      int64_t expiry_seconds);

// MintToken with the nonce's raw bytes given (kNonceBytes of them, else
// kInvalidArgument): for tests and known vectors only. A token's nonce must
// never repeat.
absl::StatusOr<std::string> MintTokenWithNonce(std::string_view secret,
                                               std::string_view tenant,
                                               std::string_view learner,
                                               int64_t expiry_seconds,
                                               std::string_view nonce_bytes);

// Splits a v2 or v1 token without checking its signature (to find the
// tenant whose secrets verify it). kUnauthenticated when the token is
// malformed, with what is wrong in the message.
absl::StatusOr<TokenClaims> ParseToken(std::string_view token);

// Verifies `token` (v2, or v1 from an older adapter) against any of
// `secrets` (current first, then one still valid during a rotation) at
// `now_seconds`. kUnauthenticated: malformed, bad signature, expired, or an
// expiry too far ahead (longer than the maximum lifetime).
absl::StatusOr<TokenClaims> VerifyToken(std::string_view token,
                                        const std::vector<std::string>& secrets,
                                        int64_t now_seconds);

}  // namespace polku::ui

#endif  // POLKU_UI_UI_TOKEN_H_
