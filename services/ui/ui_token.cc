#include "ui/ui_token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cstdlib>

#include "absl/strings/escaping.h"
#include "api/auth.h"
#include "common/str_cat.h"

namespace polku::ui {
namespace {

constexpr char kVersion1[] = "v1";
constexpr char kVersion2[] = "v2";

std::string Base64Url(std::string_view bytes) {
  return absl::WebSafeBase64Escape(std::string(bytes));
}

bool IsBase64UrlText(std::string_view text) {
  for (char c : text) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

bool FromBase64Url(std::string_view text, std::string* out) {
  return IsBase64UrlText(text) &&
         absl::WebSafeBase64Unescape(std::string(text), out);
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
                              int64_t expiry_seconds, std::string_view nonce) {
  return common::StrCat("polku-ui-v2\n", tenant, "\n", learner, "\n",
                        expiry_seconds, "\n", nonce);
}

std::string TokenSigningInputV1(std::string_view tenant,
                                std::string_view learner,
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

absl::StatusOr<std::string> MintTokenWithNonce(std::string_view secret,
                                               std::string_view tenant,
                                               std::string_view learner,
                                               int64_t expiry_seconds,
                                               std::string_view nonce_bytes) {
  if (auto s = api::ValidateTenantId(tenant, "tenant"); !s.ok()) return s;
  if (learner.empty()) {
    return absl::InvalidArgumentError("learner: is required");
  }
  if (secret.empty()) return absl::InvalidArgumentError("secret: is empty");
  if (nonce_bytes.size() != kNonceBytes) {
    return absl::InvalidArgumentError(
        common::StrCat("nonce: must be ", kNonceBytes, " bytes"));
  }
  std::string nonce = Base64Url(nonce_bytes);
  std::string mac = HmacSha256(
      secret, TokenSigningInput(tenant, learner, expiry_seconds, nonce));
  return common::StrCat(kVersion2, ".", tenant, ".", Base64Url(learner), ".",
                        expiry_seconds, ".", nonce, ".", Base64Url(mac));
}

absl::StatusOr<std::string> MintToken(std::string_view secret,
                                      std::string_view tenant,
                                      std::string_view learner,
                                      int64_t expiry_seconds) {
  unsigned char nonce[kNonceBytes];
  if (RAND_bytes(nonce, sizeof(nonce)) != 1) {
    return absl::InternalError(
        "the system's random generator failed to make a token nonce");
  }
  return MintTokenWithNonce(
      secret, tenant, learner, expiry_seconds,
      std::string_view(reinterpret_cast<const char*>(nonce), sizeof(nonce)));
}

absl::StatusOr<TokenClaims> ParseToken(std::string_view token) {
  if (token.size() > 4096) return Refused("too long");
  std::vector<std::string_view> parts = Split(token, '.');
  TokenClaims claims;
  if (parts[0] == kVersion2) {
    claims.version = 2;
    if (parts.size() != 6) {
      return Refused(
          "not a v2 widget token (v2.tenant.learner.expiry.nonce.signature)");
    }
  } else if (parts[0] == kVersion1) {
    claims.version = 1;
    if (parts.size() != 5) {
      return Refused(
          "not a v1 widget token (v1.tenant.learner.expiry.signature)");
    }
  } else {
    return Refused("not a widget token (it must start with v2. or v1.)");
  }
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
  if (claims.version == 2) {
    std::string_view nonce = parts[4];
    if (nonce.size() != kNonceChars) {
      return Refused(common::StrCat("bad nonce: it has ", nonce.size(),
                                    " characters, not the ", kNonceChars,
                                    " of ", kNonceBytes,
                                    " bytes in base64url without padding"));
    }
    if (!IsBase64UrlText(nonce)) {
      return Refused(
          "bad nonce: it may hold only A-Z, a-z, 0-9, '-' and '_' "
          "(base64url without padding)");
    }
    std::string bytes;
    // The last character carries 4 spare bits, which must be zero: one
    // nonce has one spelling.
    if (!FromBase64Url(nonce, &bytes) || bytes.size() != kNonceBytes ||
        Base64Url(bytes) != nonce) {
      return Refused(common::StrCat(
          "bad nonce: not the canonical base64url of ", kNonceBytes, " bytes"));
    }
    claims.nonce = std::string(nonce);
  }
  if (!FromBase64Url(parts.back(), &claims.signature) ||
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
  std::string input =
      claims->version == 2
          ? TokenSigningInput(claims->tenant, claims->learner,
                              claims->expiry_seconds, claims->nonce)
          : TokenSigningInputV1(claims->tenant, claims->learner,
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
