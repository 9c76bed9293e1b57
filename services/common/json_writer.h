// JsonWriter: a small, allocation-light JSON encoder.
//
// Used for the canonical form of stored events (whose SHA-256 is the content
// hash that tells a duplicate from a conflict), for `polku tag` output and for
// logs. Keys are written in the order given; callers that need a canonical
// form write keys in a fixed order. Not thread-safe; use one per thread.
//
//   JsonWriter w;
//   w.BeginObject(); w.Key("mode"); w.String("BLENDED"); w.EndObject();
//   std::string out = w.Take();
#ifndef POLKU_COMMON_JSON_WRITER_H_
#define POLKU_COMMON_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace polku::common {

class JsonWriter {
 public:
  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  void Key(std::string_view key);
  void String(std::string_view value);
  void Int(int64_t value);
  // Finite doubles are written with up to 6 significant decimals, so that
  // equal scores always encode to equal text; NaN and infinities become null.
  void Double(double value);
  void Bool(bool value);
  void Null();
  // Inserts already-encoded JSON as a value.
  void Raw(std::string_view json);

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

  // Appends `s` to `out` as a quoted JSON string with escapes; invalid UTF-8
  // bytes are replaced by U+FFFD.
  static void AppendQuoted(std::string_view s, std::string& out);

 private:
  void BeforeValue();
  std::string out_;
  // One entry per open container: true once it holds an element.
  std::vector<bool> has_element_;
  bool after_key_ = false;
};

}  // namespace polku::common

#endif  // POLKU_COMMON_JSON_WRITER_H_
