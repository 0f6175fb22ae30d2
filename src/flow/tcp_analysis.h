// TCP sequence analysis of one connection, computed the way tshark's "analyze TCP sequence
// numbers" does it: relative numbers, scaled windows, RTTs, bytes in flight and the
// tcp.analysis.* flags (retransmission, dup ACK, zero window, keep-alive, ...).
//
// State per direction is a few dozen bytes plus the list of segments not yet acknowledged
// (bounded like tshark's, kMaxUnacked); nothing is allocated per packet once that list has grown
// to the connection's flight size.
#pragma once

#include <cstdint>
#include <vector>

#include "flow/meta.h"
#include "flow/tcp_option_scan.h"

namespace ps {

// One captured segment as the analysis sees it (raw header values).
struct TcpSegment {
  uint64_t frame = 0; // 1-based frame number
  int64_t ts_ns = 0;  // capture time
  uint32_t seq = 0, ack = 0;
  uint32_t seglen = 0;    // payload length the IP header promises (captured or not)
  uint16_t flags = 0;     // the 12 flag bits
  uint16_t window = 0;    // raw window field
  bool has_seglen = true; // false for IP fragments: no sequence analysis is possible
  TcpOptionScan opts;
};

// A segment sent but not yet acknowledged.
struct TcpUnacked {
  uint32_t seq = 0, nextseq = 0;
  uint64_t frame = 0;
  int64_t ts_ns = 0;
};

struct TcpDirState {
  bool base_set = false;
  bool is_first_ack = false; // a SYN was seen and no pure ACK yet: the window is not scaled yet
  bool valid_bif = true;     // bytes in flight are meaningful (no hole since the last peer ACK)
  bool push_set_last = false;
  int8_t win_scale = -1; // shift; -1 unknown, -2 no scaling in use
  uint32_t base_seq = 0;
  uint32_t window = UINT32_MAX; // last raw window
  uint32_t last_flags = 0;      // analysis flags of the last segment in this direction
  uint32_t push_bytes_sent = 0;
  uint32_t nextseq = 0; // highest next sequence number seen
  uint64_t nextseq_frame = 0;
  int64_t nextseq_ts = 0;
  uint32_t lastack = 0;
  int64_t lastack_ts = 0;
  uint64_t last_non_dup_ack = 0; // frame of the last ACK that moved the ack number
  int32_t dupacknum = 0;         // -1: neutralised by an "ACKed unseen segment"
  uint32_t maxseqtobeacked = 0;
  uint8_t sack_count = 0; // SACK blocks of the last segment in this direction
  uint32_t sack_left[4] = {}, sack_right[4] = {};
  std::vector<TcpUnacked> unacked; // oldest first
};

struct TcpConnState {
  TcpDirState dir[2];
  int64_t ts_mru_syn = 0; // time of the most recent pure SYN; 0 none
  int64_t first_rtt = 0;  // iRTT: first non-SYN ACK after a SYN; 0 unknown
};

// Most unacknowledged segments remembered per direction (tshark's limit too).
inline constexpr size_t kMaxUnacked = 10000;

// Extra analysis flags decided before the segment reaches the analysis (port reuse).
// Updates `conn` with the segment travelling in direction `d` (0 or 1) and fills the sequence
// fields of `m` (seq, ack, nxtseq, window, scale factor, analysis results).
void analyze_tcp_segment(TcpConnState& conn, int d, const TcpSegment& s, uint32_t pre_flags, TcpMeta& m);
// The numbering part of analyze_tcp_segment alone: relative seq/ack/nxtseq and the scaled window,
// the same values, without the tcp.analysis.* checks or the unacknowledged-segment list (for
// outputs that show no analysis; a connection must use one or the other throughout).
void number_tcp_segment(TcpConnState& conn, int d, const TcpSegment& s, TcpMeta& m);

} // namespace ps
