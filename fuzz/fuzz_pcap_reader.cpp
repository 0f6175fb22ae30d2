// libFuzzer target: classic pcap files (every magic, byte order and record header size) through the
// mapped and the streaming byte source. Inputs without a pcap magic are left to fuzz_pcapng_reader.
#include "common/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (!ps::fuzz::is_pcap_magic(data, size)) return -1; // not kept in the corpus
  ps::fuzz::fuzz_reader(data, size);
  return 0;
}
