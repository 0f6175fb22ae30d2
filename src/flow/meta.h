// What the connection tracker knows about one packet, handed to describe() and the outputs.
#pragma once

#include <cstdint>

namespace ps {

// tcp.analysis.* flags, one bit each.
enum TcpAnalysis : uint32_t {
  kRetransmission = 1u << 0,
  kFastRetransmission = 1u << 1,
  kSpuriousRetransmission = 1u << 2,
  kOutOfOrder = 1u << 3,
  kLostSegment = 1u << 4,
  kAckLostSegment = 1u << 5,
  kDuplicateAck = 1u << 6,
  kZeroWindow = 1u << 7,
  kZeroWindowProbe = 1u << 8,
  kZeroWindowProbeAck = 1u << 9,
  kWindowFull = 1u << 10,
  kWindowUpdate = 1u << 11,
  kKeepAlive = 1u << 12,
  kKeepAliveAck = 1u << 13,
  kPortReuse = 1u << 14,
};

struct TcpMeta {
  bool valid = false;      // the tracker saw this segment
  uint32_t stream = 0;     // tcp.stream
  uint32_t seq = 0;        // relative
  uint32_t nxtseq = 0;     // relative next sequence number
  bool has_nxtseq = false; // tshark prints nxtseq only when the segment occupies sequence space? (always set)
  uint32_t ack = 0;        // relative
  bool ack_valid = false;  // ACK flag set
  uint32_t window_size = 0;        // calculated (scaled) window
  int32_t window_scalefactor = -1; // -1 unknown, -2 no window scaling used, else multiplier
  uint32_t analysis = 0;           // TcpAnalysis bits
  uint32_t dup_ack_num = 0;
  uint64_t dup_ack_frame = 0;
  uint64_t acks_frame = 0; // the segment this ACKs
  int64_t ack_rtt_ns = -1;
  int64_t initial_rtt_ns = -1;
  int64_t bytes_in_flight = -1;
  int64_t push_bytes_sent = -1;
  int64_t time_relative_ns = 0; // since the first frame of the stream
  int64_t time_delta_ns = 0;    // since the previous frame of the stream
  bool peer_fin = false;        // the other side sent a FIN before this segment
  uint8_t completeness = 0;     // tcp.completeness bits of the stream's earlier segments (as tshark shows it)
};

// tcp.completeness bits (tshark's TCP_COMPLETENESS_*).
inline constexpr uint8_t kCompletenessSyn = 1, kCompletenessSynAck = 2, kCompletenessAck = 4,
                         kCompletenessData = 8, kCompletenessFin = 16, kCompletenessRst = 32;

struct UdpMeta {
  bool valid = false;
  uint32_t stream = 0;
  int64_t time_relative_ns = 0;
  int64_t time_delta_ns = 0;
};

struct PacketMeta {
  TcpMeta tcp;
  UdpMeta udp;
  UdpMeta outer_udp; // a UDP tunnel's own flow (VXLAN, Geneve): udp.stream of the outer UDP header
};

} // namespace ps
