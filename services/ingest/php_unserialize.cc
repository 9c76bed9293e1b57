#include "ingest/php_unserialize.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <system_error>
#include <utility>

#include "absl/status/status.h"
#include "common/str_cat.h"

namespace polku::ingest {
namespace {

// The shortest serialised array entry is "i:0;N;" (6 bytes); a declared
// count larger than the remaining input allows is rejected before anything
// is reserved, so a forged count cannot make the reader allocate.
constexpr size_t kMinEntryBytes = 6;
// Longest double text PHP writes is about 24 characters.
constexpr size_t kMaxDoubleChars = 64;

class Reader {
 public:
  Reader(std::string_view in, const PhpUnserializeLimits& limits)
      : in_(in), limits_(limits) {}

  absl::Status ReadTop(PhpValue& out) {
    if (in_.empty()) return Error("empty input");
    absl::Status s = ReadValue(out, 0);
    if (!s.ok()) return s;
    if (pos_ != in_.size()) return Error("unexpected bytes after the value");
    return absl::OkStatus();
  }

 private:
  absl::Status Error(std::string_view what) const {
    return absl::InvalidArgumentError(
        common::StrCat(what, " at offset ", pos_));
  }

  size_t Remaining() const { return in_.size() - pos_; }

  bool Peek(char c) const { return pos_ < in_.size() && in_[pos_] == c; }

  absl::Status Expect(char c) {
    if (pos_ >= in_.size()) {
      return Error(common::StrCat("truncated input, expected '", c, "'"));
    }
    if (in_[pos_] != c) {
      return Error(common::StrCat("expected '", c, "'"));
    }
    ++pos_;
    return absl::OkStatus();
  }

  // A decimal integer ending at `terminator` (consumed). Negative values
  // only when `allow_negative`.
  absl::Status ReadInteger(char terminator, bool allow_negative, int64_t& out) {
    bool negative = false;
    if (allow_negative && Peek('-')) {
      negative = true;
      ++pos_;
    } else if (allow_negative && Peek('+')) {
      ++pos_;
    }
    size_t start = pos_;
    // Accumulate as a negative number so INT64_MIN fits.
    int64_t value = 0;
    while (pos_ < in_.size() && in_[pos_] >= '0' && in_[pos_] <= '9') {
      int digit = in_[pos_] - '0';
      if (value < (std::numeric_limits<int64_t>::min() + digit) / 10) {
        return Error("integer out of range");
      }
      value = value * 10 - digit;
      ++pos_;
    }
    if (pos_ == start) return Error("expected a decimal integer");
    if (!negative) {
      if (value == std::numeric_limits<int64_t>::min()) {
        return Error("integer out of range");
      }
      value = -value;
    }
    out = value;
    return Expect(terminator);
  }

  // A length or count: a non-negative integer that must not exceed what the
  // remaining input could hold.
  absl::Status ReadSize(char terminator, std::string_view what, size_t& out) {
    int64_t n = 0;
    absl::Status s = ReadInteger(terminator, /*allow_negative=*/false, n);
    if (!s.ok()) return s;
    if (static_cast<uint64_t>(n) > Remaining()) {
      return Error(
          common::StrCat(what, " ", n, " exceeds the remaining input"));
    }
    out = static_cast<size_t>(n);
    return absl::OkStatus();
  }

  // "<len>:"<bytes>"" after the type letter and its ':'.
  absl::Status ReadQuoted(std::string_view& out) {
    size_t len = 0;
    absl::Status s = ReadSize(':', "string length", len);
    if (!s.ok()) return s;
    s = Expect('"');
    if (!s.ok()) return s;
    if (len > Remaining()) {
      return Error(common::StrCat("string length ", len,
                                  " exceeds the remaining input"));
    }
    out = in_.substr(pos_, len);
    pos_ += len;
    return Expect('"');
  }

  absl::Status ReadDouble(double& out) {
    size_t end = in_.find(';', pos_);
    if (end == std::string_view::npos) {
      return Error("truncated input, expected ';'");
    }
    std::string_view text = in_.substr(pos_, end - pos_);
    if (text.empty() || text.size() > kMaxDoubleChars) {
      return Error("invalid floating-point number");
    }
    if (text == "INF") {
      out = std::numeric_limits<double>::infinity();
    } else if (text == "-INF") {
      out = -std::numeric_limits<double>::infinity();
    } else if (text == "NAN") {
      out = std::numeric_limits<double>::quiet_NaN();
    } else {
      const char* first = text.data();
      const char* last = text.data() + text.size();
      if (*first == '+') ++first;  // from_chars does not take a '+' sign
      auto [ptr, ec] = std::from_chars(first, last, out);
      if (ec != std::errc() || ptr != last) {
        return Error("invalid floating-point number");
      }
    }
    pos_ = end + 1;
    return absl::OkStatus();
  }

  // "<n>:{<key><value>...}" after "a:" or after an object's class name.
  absl::Status ReadEntries(PhpValue& out, int depth) {
    size_t count = 0;
    absl::Status s = ReadSize(':', "element count", count);
    if (!s.ok()) return s;
    if (count > Remaining() / kMinEntryBytes) {
      return Error(common::StrCat("element count ", count,
                                  " exceeds the remaining input"));
    }
    if (count > limits_.max_entries - total_entries_) {
      return Error(
          common::StrCat("more than ", limits_.max_entries, " array entries"));
    }
    total_entries_ += count;
    s = Expect('{');
    if (!s.ok()) return s;
    out.type = PhpType::kArray;
    out.entries.resize(count);
    for (PhpArrayEntry& entry : out.entries) {
      if (pos_ >= in_.size()) return Error("truncated input, expected a key");
      char k = in_[pos_];
      if (k != 'i' && k != 's') {
        return Error("array key must be an integer or a string");
      }
      s = ReadValue(entry.key, depth);
      if (!s.ok()) return s;
      s = ReadValue(entry.value, depth);
      if (!s.ok()) return s;
    }
    return Expect('}');
  }

  absl::Status ReadValue(PhpValue& out, int depth) {
    if (pos_ >= in_.size()) return Error("truncated input, expected a value");
    char type = in_[pos_];
    if (type == 'N') {
      ++pos_;
      out.type = PhpType::kNull;
      return Expect(';');
    }
    switch (type) {
      case 'b':
      case 'i':
      case 'd':
      case 's':
      case 'a':
      case 'O':
      case 'C':
      case 'r':
      case 'R':
      case 'E':
      case 'S':
        break;
      default:
        return Error("unknown type letter");
    }
    ++pos_;
    absl::Status s = Expect(':');
    if (!s.ok()) return s;
    switch (type) {
      case 'b': {
        if (Peek('0') || Peek('1')) {
          out.type = PhpType::kBool;
          out.bool_value = in_[pos_++] == '1';
          return Expect(';');
        }
        return Error("boolean must be 0 or 1");
      }
      case 'i':
        out.type = PhpType::kInt;
        return ReadInteger(';', /*allow_negative=*/true, out.int_value);
      case 'd':
        out.type = PhpType::kDouble;
        return ReadDouble(out.double_value);
      case 's':
        out.type = PhpType::kString;
        s = ReadQuoted(out.string_value);
        if (!s.ok()) return s;
        return Expect(';');
      case 'a':
        if (depth >= limits_.max_depth) {
          return Error(common::StrCat("nested deeper than ", limits_.max_depth,
                                      " levels"));
        }
        return ReadEntries(out, depth + 1);
      case 'O':
        if (depth >= limits_.max_depth) {
          return Error(common::StrCat("nested deeper than ", limits_.max_depth,
                                      " levels"));
        }
        s = ReadQuoted(out.string_value);
        if (!s.ok()) return s;
        s = Expect(':');
        if (!s.ok()) return s;
        out.is_object = true;
        return ReadEntries(out, depth + 1);
      case 'C':
        return Error("custom-serialised objects (C:) are not supported");
      case 'r':
      case 'R':
        return Error("references (r:, R:) are not supported");
      case 'E':
        return Error("enums (E:) are not supported");
      case 'S':
        return Error("escaped strings (S:) are not supported");
      default:
        return Error("unknown type letter");
    }
  }

  std::string_view in_;
  const PhpUnserializeLimits& limits_;
  size_t pos_ = 0;
  size_t total_entries_ = 0;
};

bool KeyMatches(const PhpValue& key, std::string_view name, bool is_object) {
  if (key.type == PhpType::kInt) {
    char buf[24];
    auto [ptr, ec] = std::to_chars(buf, buf + sizeof(buf), key.int_value);
    return ec == std::errc() &&
           std::string_view(buf, static_cast<size_t>(ptr - buf)) == name;
  }
  if (key.type != PhpType::kString) return false;
  std::string_view k = key.string_value;
  if (k == name) return true;
  // Protected and private properties: "\0*\0name", "\0Class\0name".
  if (is_object && !k.empty() && k[0] == '\0') {
    size_t second = k.find('\0', 1);
    return second != std::string_view::npos && k.substr(second + 1) == name;
  }
  return false;
}

}  // namespace

const PhpValue* PhpValue::Find(std::string_view key) const {
  if (type != PhpType::kArray) return nullptr;
  for (const PhpArrayEntry& e : entries) {
    if (KeyMatches(e.key, key, is_object)) return &e.value;
  }
  return nullptr;
}

std::optional<int64_t> PhpValue::AsInt() const {
  switch (type) {
    case PhpType::kInt:
      return int_value;
    case PhpType::kBool:
      return bool_value ? 1 : 0;
    case PhpType::kDouble:
      if (std::isfinite(double_value) &&
          std::trunc(double_value) == double_value &&
          std::fabs(double_value) < 9.2e18) {
        return static_cast<int64_t>(double_value);
      }
      return std::nullopt;
    case PhpType::kString: {
      std::string_view s = string_value;
      if (s.empty()) return std::nullopt;
      int64_t v = 0;
      auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
      return v;
    }
    default:
      return std::nullopt;
  }
}

std::optional<double> PhpValue::AsDouble() const {
  switch (type) {
    case PhpType::kInt:
      return static_cast<double>(int_value);
    case PhpType::kDouble:
      return double_value;
    case PhpType::kString: {
      std::string_view s = string_value;
      if (s.empty() || s.size() > kMaxDoubleChars) return std::nullopt;
      double v = 0;
      auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
      return v;
    }
    default:
      return std::nullopt;
  }
}

absl::StatusOr<PhpValue> PhpUnserialize(std::string_view text,
                                        const PhpUnserializeLimits& limits) {
  PhpValue value;
  Reader reader(text, limits);
  absl::Status s = reader.ReadTop(value);
  if (!s.ok()) return s;
  return value;
}

bool LooksPhpSerialized(std::string_view text) {
  if (text.size() < 2) return false;
  if (text[0] == 'N' && text[1] == ';') return true;
  switch (text[0]) {
    case 'a':
    case 'O':
    case 's':
    case 'i':
    case 'd':
    case 'b':
    case 'C':
    case 'r':
    case 'R':
    case 'E':
    case 'S':
      return text[1] == ':';
    default:
      return false;
  }
}

}  // namespace polku::ingest
