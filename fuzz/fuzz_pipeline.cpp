// libFuzzer target: a whole capture file (pcap or pcapng) through `read`'s pipeline (reader → decode →
// connection tracker → describe → sink), as `read -V` and as `read -T fields` with every field. The
// -V run uses tiny resource limits so that eviction, reassembly drops and oversize messages run too.
#include "common/fuzz_input.h"
#include "common/fuzz_output.h"
#include "pipeline/packet_loop.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (!ps::fuzz::is_pcap_magic(data, size) && !ps::fuzz::is_pcapng_magic(data, size)) return -1;
  ps::fuzz::MemoryCapture cap(data, size);
  ps::OutBuffer& out = ps::fuzz::null_output();
  ps::ReadOptions ro;
  ro.max_frames = 20'000;
  // Sink 1 is the tree (-V), sink 2 every field; the last byte varies the fields options.
  for (int kind : {1, 2}) {
    auto reader = cap.open(ps::fuzz::Source::kMapped);
    if (!reader) return 0;
    const uint8_t variant = data[size - 1];
    auto make = [kind, variant](ps::OutBuffer& o) { return ps::fuzz::make_sink(kind, o, variant); };
    ps::ReadOptions run = ro;
    if (kind == 1) {
      run.limits.max_connections = 1 + (data[size - 1] & 3);
      run.limits.reassembly_per_direction = 512;
      run.limits.reassembly_total = 2048;
      run.limits.max_message = 128;
    }
    ps::run_packet_loop(*reader, make, out, run);
    out.buf().clear();
  }
  return 0;
}
