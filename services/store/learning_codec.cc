// Binary encodings of catalogue entries and the page-token format shared by
// the SQL stores (sqlite_learning_store.cc, postgres_event_store.cc).
#include "store/learning_codec.h"

#include <cstdint>

#include "common/hashing.h"
#include "common/str_cat.h"

namespace polku::store {
namespace {

// --- Catalogue encoding ----------------------------------------------------
// A small versioned binary: a version byte, then fields in a fixed order;
// strings and lists are prefixed by a varint length.

constexpr uint8_t kActivityFormat = 1;
constexpr uint8_t kPathFormat = 1;

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
void PutString(std::string& out, std::string_view s) {
  PutVarint(out, s.size());
  out.append(s);
}
void PutStrings(std::string& out, const std::vector<std::string>& v) {
  PutVarint(out, v.size());
  for (const std::string& s : v) PutString(out, s);
}

class Decoder {
 public:
  explicit Decoder(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool done() const { return in_.empty(); }
  uint8_t Byte() {
    if (in_.empty()) return Fail(), 0;
    uint8_t b = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return b;
  }
  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (in_.empty()) return Fail(), 0;
      uint8_t b = static_cast<uint8_t>(in_[0]);
      in_.remove_prefix(1);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    return Fail(), 0;
  }
  std::string String() {
    uint64_t n = Varint();
    if (!ok_ || n > in_.size()) return Fail(), std::string();
    std::string s(in_.substr(0, n));
    in_.remove_prefix(n);
    return s;
  }
  std::vector<std::string> Strings() {
    uint64_t n = Varint();
    std::vector<std::string> v;
    if (!ok_ || n > in_.size()) return Fail(), v;  // each takes >= 1 byte
    v.reserve(n);
    for (uint64_t i = 0; i < n && ok_; ++i) v.push_back(String());
    return v;
  }

 private:
  void Fail() { ok_ = false; }
  std::string_view in_;
  bool ok_ = true;
};

}  // namespace

std::string EncodeActivity(const learning::Activity& a) {
  std::string out;
  out.reserve(64 + a.id.size() + a.title.size() + a.url.size());
  out.push_back(static_cast<char>(kActivityFormat));
  PutString(out, a.id);
  PutString(out, a.title);
  PutString(out, a.url);
  out.push_back(static_cast<char>(a.type));
  out.push_back(static_cast<char>(a.mode));
  out.push_back(static_cast<char>((a.visible ? 1 : 0) | (a.required ? 2 : 0) |
                                  (a.self_enrol ? 4 : 0)));
  PutStrings(out, a.competencies);
  PutStrings(out, a.goal_ids);
  return out;
}

absl::StatusOr<learning::Activity> DecodeActivity(std::string_view blob) {
  Decoder d(blob);
  learning::Activity a;
  if (d.Byte() != kActivityFormat) {
    return absl::DataLossError("stored activity has an unknown format");
  }
  a.id = d.String();
  a.title = d.String();
  a.url = d.String();
  a.type = static_cast<model::ObjectType>(d.Byte());
  a.mode = static_cast<model::Mode>(d.Byte());
  const uint8_t flags = d.Byte();
  a.visible = (flags & 1) != 0;
  a.required = (flags & 2) != 0;
  a.self_enrol = (flags & 4) != 0;
  a.competencies = d.Strings();
  a.goal_ids = d.Strings();
  if (!d.ok() || !d.done() ||
      static_cast<size_t>(a.type) >=
          static_cast<size_t>(model::ObjectType::kCount_) ||
      a.mode > model::Mode::kBlended) {
    return absl::DataLossError("stored activity is malformed");
  }
  return a;
}

std::string EncodePath(const learning::LearningPath& p) {
  std::string out;
  out.reserve(64 + p.steps.size() * 24);
  out.push_back(static_cast<char>(kPathFormat));
  PutString(out, p.id);
  PutString(out, p.title);
  PutString(out, p.goal_id);
  PutVarint(out, p.steps.size());
  for (const learning::PathStep& s : p.steps) {
    PutString(out, s.activity_id);
    out.push_back(static_cast<char>(s.mode));
    out.push_back(static_cast<char>(s.optional ? 1 : 0));
    PutStrings(out, s.alternative_activity_ids);
  }
  return out;
}

absl::StatusOr<learning::LearningPath> DecodePath(std::string_view blob) {
  Decoder d(blob);
  learning::LearningPath p;
  if (d.Byte() != kPathFormat) {
    return absl::DataLossError("stored path has an unknown format");
  }
  p.id = d.String();
  p.title = d.String();
  p.goal_id = d.String();
  const uint64_t n = d.Varint();
  if (!d.ok() || n > blob.size()) {
    return absl::DataLossError("stored path is malformed");
  }
  p.steps.reserve(n);
  bool modes_ok = true;
  for (uint64_t i = 0; i < n && d.ok(); ++i) {
    learning::PathStep s;
    s.activity_id = d.String();
    s.mode = static_cast<model::Mode>(d.Byte());
    modes_ok = modes_ok && s.mode <= model::Mode::kBlended;
    s.optional = d.Byte() != 0;
    s.alternative_activity_ids = d.Strings();
    p.steps.push_back(std::move(s));
  }
  if (!d.ok() || !d.done() || !modes_ok) {
    return absl::DataLossError("stored path is malformed");
  }
  return p;
}

// --- Page tokens -------------------------------------------------------------
// The hex of the last id of the previous page.

std::string EncodePageToken(std::string_view last_id) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(last_id.size() * 2);
  for (unsigned char c : last_id) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

absl::StatusOr<std::string> DecodePageToken(std::string_view token) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  if (token.size() % 2 != 0) {
    return absl::InvalidArgumentError("page_token: is malformed");
  }
  out.reserve(token.size() / 2);
  for (size_t i = 0; i < token.size(); i += 2) {
    const int hi = nibble(token[i]);
    const int lo = nibble(token[i + 1]);
    if (hi < 0 || lo < 0) {
      return absl::InvalidArgumentError("page_token: is malformed");
    }
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}
std::string LearnerHash(std::string_view tenant, std::string_view learner_key) {
  return common::Sha256Hex(common::StrCat(tenant, "\n", learner_key));
}

}  // namespace polku::store
