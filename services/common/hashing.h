// Content hashes and name-based UUIDs (RFC 4122 version 5).
//
// Polku derives an event id with UuidV5 when a source gives none, so that a
// resend of the same source event always gets the same id. The test vectors
// in tests/data/uuid5_vectors.json are shared with the PHP and Python
// adapters, which must compute the same ids. All functions are thread-safe.
#ifndef POLKU_COMMON_HASHING_H_
#define POLKU_COMMON_HASHING_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace polku::common {

// The RFC 4122 URL namespace, 6ba7b811-9dad-11d1-80b4-00c04fd430c8.
inline constexpr std::string_view kUrlNamespace =
    "6ba7b811-9dad-11d1-80b4-00c04fd430c8";
// The RFC 4122 DNS namespace, 6ba7b810-9dad-11d1-80b4-00c04fd430c8.
inline constexpr std::string_view kDnsNamespace =
    "6ba7b810-9dad-11d1-80b4-00c04fd430c8";

// Returns the lowercase, hyphenated UUIDv5 of `name` in `namespace_uuid`.
// Fails with kInvalidArgument when `namespace_uuid` is not a UUID.
absl::StatusOr<std::string> UuidV5(std::string_view namespace_uuid,
                                   std::string_view name);

// The namespace for event ids, UuidV5(kUrlNamespace, "urn:polku:event").
const std::string& EventIdNamespace();

// True when `s` is a UUID in 8-4-4-4-12 hex form (any case, any version).
bool IsUuid(std::string_view s);

// Lowercase hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

// First 8 bytes of SHA-256 as an integer; for sharding and hash tables.
uint64_t Hash64(std::string_view data);

}  // namespace polku::common

#endif  // POLKU_COMMON_HASHING_H_
