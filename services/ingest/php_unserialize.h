// A small, safe reader for PHP's serialize() format.
//
// Moodle's log store keeps an event's `other` field as PHP-serialised text
// in older sites (a:1:{s:5:"enrol";s:6:"manual";}) and as JSON in newer
// ones; adapters that forward log rows send whichever they find. This reader
// turns the PHP form into a PhpValue tree so the Moodle normaliser can read
// `other` the same way whatever its encoding.
//
// Supported: N; b:0|1; i:<int>; d:<float> (also INF, -INF, NAN);
// s:<len>:"<bytes>"; a:<n>:{<key><value>...} with integer or string keys;
// O:<len>:"<class>":<n>:{...} (an object, read like an array; the class
// name is kept). Not supported, reported as errors: custom-serialised
// objects (C:), references (r:, R:), enums (E:) and the escaped string
// form (S:).
//
// Safety: the reader never reads past the end of its input, checks every
// declared length and element count against the bytes that remain, bounds
// the nesting depth and the total number of array entries, and rejects
// trailing bytes after the value. Every error is kInvalidArgument with a
// message that names the problem and the byte offset, e.g.
// "string length 40 exceeds the remaining input at offset 7".
//
// Thread-safe: PhpUnserialize is a pure function.
#ifndef POLKU_INGEST_PHP_UNSERIALIZE_H_
#define POLKU_INGEST_PHP_UNSERIALIZE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace polku::ingest {

enum class PhpType : uint8_t {
  kNull = 0,
  kBool,
  kInt,
  kDouble,
  kString,
  kArray,  // a PHP array, or an object read as one (is_object set)
};

struct PhpArrayEntry;

// One decoded value. String contents and class names are views into the
// text given to PhpUnserialize: they are valid only while that text is.
struct PhpValue {
  PhpType type = PhpType::kNull;
  bool bool_value = false;
  int64_t int_value = 0;
  double double_value = 0;
  // kString: the bytes (not necessarily UTF-8); kArray from an object: the
  // class name.
  std::string_view string_value;
  bool is_object = false;
  // kArray: the entries in serialised order.
  std::vector<PhpArrayEntry> entries;

  bool is_null() const { return type == PhpType::kNull; }
  bool is_array() const { return type == PhpType::kArray; }

  // The value of key `key` in an array, or of property `key` in an object
  // (also its protected "\0*\0key" and private "\0Class\0key" forms); an
  // integer key matches its decimal text. nullptr when this is not an array
  // or has no such key.
  const PhpValue* Find(std::string_view key) const;

  // Scalar readers, lenient in the way PHP code is: AsInt accepts an int, a
  // bool, an integral double or a decimal string ("42"); AsDouble accepts an
  // int, a double or a numeric string. nullopt otherwise (and for null).
  std::optional<int64_t> AsInt() const;
  std::optional<double> AsDouble() const;
};

struct PhpArrayEntry {
  PhpValue key;  // kInt or kString
  PhpValue value;
};

struct PhpUnserializeLimits {
  // Arrays and objects nested deeper than this are rejected.
  int max_depth = 32;
  // The total number of array entries in the whole value.
  size_t max_entries = 65536;
};

// Decodes `text`, which must hold exactly one serialised value. Returns
// kInvalidArgument for malformed, truncated or unsupported input or when a
// limit is exceeded. The result refers to `text` (see PhpValue).
absl::StatusOr<PhpValue> PhpUnserialize(
    std::string_view text, const PhpUnserializeLimits& limits = {});

// True when `text` looks like a serialised PHP value rather than JSON or
// plain text: "N;" or a type letter (a, O, s, i, d, b) followed by ':'.
// A cheap test for choosing a decoder; it does not validate.
bool LooksPhpSerialized(std::string_view text);

}  // namespace polku::ingest

#endif  // POLKU_INGEST_PHP_UNSERIALIZE_H_
