#include "common/hashing.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <array>
#include <cstdint>
#include <cstring>

#include "absl/status/status.h"

namespace polku::common {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool ParseUuid(std::string_view s, std::array<uint8_t, 16>& out) {
  if (s.size() != 36) return false;
  size_t byte = 0;
  for (size_t i = 0; i < s.size();) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
      ++i;
      continue;
    }
    int hi = HexValue(s[i]);
    int lo = HexValue(s[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[byte++] = static_cast<uint8_t>(hi << 4 | lo);
    i += 2;
  }
  return byte == 16;
}

std::string FormatUuid(const uint8_t* b) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 0xf]);
  }
  return out;
}

// The digests, fetched from OpenSSL's providers once. The one-shot
// SHA256() and the legacy EVP_sha1() look the algorithm up again on every
// call, which costs as much as hashing a few hundred bytes; a fetched
// EVP_MD is immutable and shared by every thread. Null when the fetch
// failed (a provider configuration without it): callers fall back.
const EVP_MD* FetchedSha256() {
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}
const EVP_MD* FetchedSha1() {
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  return md;
}

void Sha256(std::string_view data, uint8_t (&digest)[SHA256_DIGEST_LENGTH]) {
  unsigned int len = 0;
  if (const EVP_MD* md = FetchedSha256();
      md != nullptr &&
      EVP_Digest(data.data(), data.size(), digest, &len, md, nullptr) == 1) {
    return;
  }
  SHA256(reinterpret_cast<const uint8_t*>(data.data()), data.size(), digest);
}

}  // namespace

absl::StatusOr<std::string> UuidV5(std::string_view namespace_uuid,
                                   std::string_view name) {
  std::array<uint8_t, 16> ns;
  if (!ParseUuid(namespace_uuid, ns)) {
    return absl::InvalidArgumentError("namespace is not a UUID");
  }
  std::string input(reinterpret_cast<const char*>(ns.data()), ns.size());
  input.append(name);
  uint8_t digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  const EVP_MD* sha1 = FetchedSha1();
  if (EVP_Digest(input.data(), input.size(), digest, &digest_len,
                 sha1 != nullptr ? sha1 : EVP_sha1(), nullptr) != 1) {
    return absl::InternalError("SHA-1 failed");
  }
  digest[6] = static_cast<uint8_t>((digest[6] & 0x0f) | 0x50);  // version 5
  digest[8] = static_cast<uint8_t>((digest[8] & 0x3f) | 0x80);  // RFC 4122
  return FormatUuid(digest);
}

const std::string& EventIdNamespace() {
  static const std::string* ns =
      new std::string(*UuidV5(kUrlNamespace, "urn:polku:event"));
  return *ns;
}

bool IsUuid(std::string_view s) {
  std::array<uint8_t, 16> unused;
  return ParseUuid(s, unused);
}

std::string Sha256Hex(std::string_view data) {
  uint8_t digest[SHA256_DIGEST_LENGTH];
  Sha256(data, digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(2 * SHA256_DIGEST_LENGTH, '0');
  for (int i = 0; i < SHA256_DIGEST_LENGTH; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 0xf];
  }
  return out;
}

uint64_t Hash64(std::string_view data) {
  uint8_t digest[SHA256_DIGEST_LENGTH];
  Sha256(data, digest);
  uint64_t v;
  std::memcpy(&v, digest, sizeof(v));
  return v;
}

}  // namespace polku::common
