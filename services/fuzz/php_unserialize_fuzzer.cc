// libFuzzer target: ingest::PhpUnserialize on arbitrary text. Checks that it
// returns kInvalidArgument or a value, never reads out of bounds (ASan), and
// that the readers of the result (Find, AsInt, AsDouble) are safe on
// whatever it returns. Run with scripts/run-fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ingest/php_unserialize.h"

namespace {

void Walk(const polku::ingest::PhpValue& v, int depth) {
  if (depth > 64) __builtin_trap();  // the reader bounds depth at 32
  (void)v.AsInt();
  (void)v.AsDouble();
  (void)v.Find("enrol");
  (void)v.Find("0");
  if (!v.is_array() && !v.entries.empty()) __builtin_trap();
  for (const polku::ingest::PhpArrayEntry& e : v.entries) {
    if (e.key.type != polku::ingest::PhpType::kInt &&
        e.key.type != polku::ingest::PhpType::kString) {
      __builtin_trap();
    }
    if (e.key.type == polku::ingest::PhpType::kString)
      (void)v.Find(e.key.string_value);
    Walk(e.value, depth + 1);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)polku::ingest::LooksPhpSerialized(text);
  auto v = polku::ingest::PhpUnserialize(text);
  if (!v.ok()) {
    if (v.status().code() != absl::StatusCode::kInvalidArgument)
      __builtin_trap();
    return 0;
  }
  Walk(*v, 0);
  // Small limits must be honoured too.
  polku::ingest::PhpUnserializeLimits small;
  small.max_depth = 2;
  small.max_entries = 4;
  auto w = polku::ingest::PhpUnserialize(text, small);
  if (!w.ok() && w.status().code() != absl::StatusCode::kInvalidArgument) {
    __builtin_trap();
  }
  return 0;
}
