// tshark's per-connection view of a TCP/UDP conversation: the stream index, times since its first and
// previous frame, relative sequence numbers and the TCP sequence analysis. One lives in every entry of
// the connection table (src/engine/); these functions update it with one packet.
#pragma once

#include <cstdint>
#include <memory>

#include "dissect/packet.h"
#include "flow/meta.h"
#include "flow/tcp_analysis.h"
#include "wire/tcp.h"

namespace ps {

struct StreamTrack {
  uint32_t stream = 0;
  uint8_t fin_dirs = 0; // bit d: a FIN was seen from key direction d
  bool reset = false;
  bool base_set[2] = {false, false}; // each key direction's ISN (port reuse is decided from it)
  uint32_t base_seq[2] = {0, 0};
  int64_t first_ns = 0, last_ns = 0;
  uint8_t seen_dirs = 0;    // bit d: a segment came from key direction d
  uint8_t completeness = 0; // tcp.completeness bits so far (kCompleteness* in flow/meta.h)
  // Sequence state per key direction (TCP with relative numbers or analysis only: a few hundred bytes
  // that a connection table of stream indexes does without).
  std::unique_ptr<TcpConnState> tcp;
  bool closed() const { return reset || fin_dirs == 3; }
};

// A SYN on a tuple this track already knows: with a new ISN it starts a new connection (`restart`);
// with the same ISN it is a retransmission, which rewinds that side's expected sequence number.
// Returns the analysis flags to add to the segment (tcp.analysis.reused_ports).
uint32_t tcp_reuse_check(StreamTrack& t, int dir, const wire::TcpView& seg, bool& restart);

// How much of tshark's TCP view a run computes (a connection must use one level throughout).
enum class TcpDetail : uint8_t {
  Stream,   // the stream index and times only (outputs that show no sequence numbers)
  Numbers,  // relative seq/ack/nxtseq and scaled windows
  Analysis, // and tcp.analysis.*
};

// Accounts one TCP segment travelling in key direction `dir` and fills meta.tcp.
void track_tcp(StreamTrack& t, int dir, const Decoded& d, const wire::TcpView& seg, int64_t now_ns,
               TcpDetail detail, uint32_t pre_flags, PacketMeta& meta);

void track_udp(StreamTrack& t, int64_t now_ns, PacketMeta& meta);

} // namespace ps
