// libFuzzer target: ingest::NormaliseMoodle on arbitrary payloads (see
// fuzz_support.h for the invariants checked). Run with scripts/run-fuzz.sh.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_support.h"
#include "ingest/normaliser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  polku::fuzz::FuzzNormaliser(&polku::ingest::NormaliseMoodle,
                              polku::ingest::SourceFormat::kMoodle, data, size);
  return 0;
}
