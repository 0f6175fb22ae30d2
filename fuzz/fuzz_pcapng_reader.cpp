// libFuzzer target: pcapng files (sections in both byte orders, interfaces, timestamp resolutions and
// offsets, enhanced / simple / obsolete packet blocks, skipped blocks) through both byte sources.
#include "common/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (!ps::fuzz::is_pcapng_magic(data, size)) return -1; // not kept in the corpus
  ps::fuzz::fuzz_reader(data, size);
  return 0;
}
