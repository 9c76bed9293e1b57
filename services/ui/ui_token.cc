#include "ui/ui_token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>

#include "absl/strings/escaping.h"
#include "api/auth.h"
#include "common/str_cat.h"

namespace polku::ui {
namespace {

constexpr char kVersion[] = "v1";

std::string Base64Url(std::string_view bytes) {
  return absl::WebSafeBase64Escape(std::string(bytes));
}

bool FromBase64Url(std::string_view text, std::string* out) {
  for (char c : text) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return absl::WebSafeBase64Unescape(std::string(text), out);
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    size_t at = s.find(sep, start);
    if (at == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, at - start));
    start = at + 1;
  }
}

absl::Status Refused(std::string_view why) {
  return absl::UnauthenticatedError(
      common::StrCat("the widget token is refused: ", why));
}

}  // namespace

std::string TokenSigningInput(std::string_view tenant, std::string_view learner,
                              int64_t expiry_seconds) {
  return common::StrCat("polku-ui-v1\n", tenant, "\n", learner, "\n",
                        expiry_seconds);
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out,
       &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

absl::StatusOr<std::string> MintToken(std::string_view secret,
                                      std::string_view tenant,
                                      std::string_view learner,
                                      int64_t expiry_seconds) {
  if (auto s = api::ValidateTenantId(tenant, "tenant"); !s.ok()) return s;
  if (learner.empty()) {
    return absl::InvalidArgumentError("learner: is required");
  }
  if (secret.empty()) return absl::InvalidArgumentError("secret: is empty");
  std::string mac =
      HmacSha256(secret, TokenSigningInput(tenant, learner, expiry_seconds));
  return common::StrCat(kVersion, ".", tenant, ".", Base64Url(learner), ".",
                        expiry_seconds, ".", Base64Url(mac));
}

absl::StatusOr<TokenClaims> ParseToken(std::string_view token) {
  if (token.size() > 4096) return Refused("too long");
  std::vector<std::string_view> parts = Split(token, '.');
  if (parts.size() != 5 || parts[0] != kVersion) {
    return Refused("not a v1 widget token");
  }
  TokenClaims claims;
  claims.tenant = std::string(parts[1]);
  if (!api::ValidateTenantId(claims.tenant, "tenant").ok()) {
    return Refused("bad tenant");
  }
  if (!FromBase64Url(parts[2], &claims.learner) || claims.learner.empty()) {
    return Refused("bad learner");
  }
  std::string expiry(parts[3]);
  if (expiry.empty() || expiry.size() > 12 ||
      expiry.find_first_not_of("0123456789") != std::string::npos) {
    return Refused("bad expiry");
  }
  claims.expiry_seconds = std::strtoll(expiry.c_str(), nullptr, 10);
  if (!FromBase64Url(parts[4], &claims.signature) ||
      claims.signature.size() != 32) {
    return Refused("bad signature");
  }
  return claims;
}

absl::StatusOr<TokenClaims> VerifyToken(std::string_view token,
                                        const std::vector<std::string>& secrets,
                                        int64_t now_seconds) {
  auto claims = ParseToken(token);
  if (!claims.ok()) return claims.status();
  std::string input = TokenSigningInput(claims->tenant, claims->learner,
                                        claims->expiry_seconds);
  bool valid = false;
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    std::string mac = HmacSha256(secret, input);
    if (CRYPTO_memcmp(mac.data(), claims->signature.data(), mac.size()) == 0) {
      valid = true;
    }
  }
  if (!valid) return Refused("the signature does not match");
  if (claims->expiry_seconds + kClockSkewSeconds < now_seconds) {
    return Refused("expired");
  }
  if (claims->expiry_seconds >
      now_seconds + kMaxTokenLifetimeSeconds + kClockSkewSeconds) {
    return Refused(common::StrCat("it lives longer than ",
                                  kMaxTokenLifetimeSeconds, " seconds"));
  }
  return claims;
}

}  // namespace polku::ui
