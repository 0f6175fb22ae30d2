// decode() plus IP fragment reassembly: what every command's packet loop calls.
//
// A frame that is not a fragment costs one extra branch. A fragment goes to the defragmenter; when it
// completes its datagram, the transport and application layers of that frame are decoded from the
// reassembled payload (layers marked Source::Reassembled) while its IP layer stays the fragment's own
// header, as tshark shows it. Earlier fragments keep their IP layer and a Data layer.
#pragma once

#include "dissect/ip_defrag.h"
#include "dissect/packet.h"

namespace ps {

class FrameDecoder {
public:
  explicit FrameDecoder(DefragOptions opt = {}) : defrag_(opt) {}

  // `out` (and the reassembled bytes it may point into) is valid until the next call.
  void decode(const Frame& frame, Decoded& out) {
    ps::decode(frame, out);
    if (out.ip_fragment) [[unlikely]]
      defragment(out);
  }

  // Fragments reassembled, and incomplete datagrams dropped by the limits.
  const DefragCounters& defrag_counters() const { return defrag_.counters(); }

private:
  [[gnu::cold]] void defragment(Decoded& out);
  IpDefragmenter defrag_;
};

} // namespace ps
