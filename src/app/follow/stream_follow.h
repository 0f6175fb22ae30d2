// `portscope follow`: one TCP or UDP stream's payload in order, printed like
// `tshark -q -z follow,tcp|udp,ascii|hex|raw,N` (TCP bytes go through the reassembler, so
// retransmissions print once and out-of-order segments print in sequence order).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "dissect/packet.h"
#include "flow/limits.h"
#include "flow/meta.h"
#include "output/out_buffer.h"

namespace ps::app {

enum class FollowFormat : uint8_t { Ascii, Hex, Raw };

class StreamFollower {
public:
  // `limits`: the reassembly sizes (per direction and total).
  StreamFollower(bool udp, uint32_t stream, FollowFormat format, OutBuffer& out, const Limits& limits = {});
  ~StreamFollower();
  StreamFollower(const StreamFollower&) = delete;
  StreamFollower& operator=(const StreamFollower&) = delete;

  void packet(const Decoded& pkt, const PacketMeta& meta);
  // Prints what is still buffered and the closing line.
  void finish();
  // Out-of-order bytes a reassembly limit refused.
  uint64_t dropped_bytes() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace ps::app
