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

// Which conversation to follow: a stream index, or (tshark's address form) the packets between two
// endpoints, "10.0.0.1:80,10.0.0.2:5000" or "[fd00::1]:80,[fd00::2]:5000".
struct FollowTarget {
  uint32_t stream = 0;
  bool by_address = false;
  uint8_t ip_version = 0;
  uint8_t ip[2][16] = {};
  uint16_t port[2] = {0, 0};
  std::string text[2]; // the addresses as given, for the Filter line
};

// Parses "N" or "ADDR:PORT,ADDR:PORT"; false with `err` set on anything else.
bool parse_follow_target(const std::string& spec, FollowTarget& t, std::string& err);

class StreamFollower {
public:
  // `limits`: the reassembly sizes (per direction and total).
  StreamFollower(bool udp, const FollowTarget& target, FollowFormat format, OutBuffer& out,
                 const Limits& limits = {});
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
