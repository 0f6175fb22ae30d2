// Per-connection TCP bookkeeping for the connection table: Zeek's endpoint state machine (which gives
// conn_state, history letters, sequence-space byte counts and missed bytes) and the netstat view of each
// endpoint. Fixed size, no allocation: one lives inside every open connection.
#pragma once

#include <array>
#include <cstdint>

#include "flow/conn_record.h"

namespace ps {

// The parts of a TCP segment the state machines read.
struct ZeekSegment {
  uint16_t flags = 0; // wire::tcpflag bits
  uint32_t seq = 0, ack = 0;
  uint32_t len = 0; // payload length as the IP header promises it (captured or not)
  uint16_t window = 0;
};

// Zeek's TCP_Endpoint states.
enum class ZeekTcpState : uint8_t { Inactive, SynSent, SynAckSent, Partial, Established, Closed, Reset };

class ConnTcpState {
public:
  // Feeds one segment sent by the originator (is_orig) or the responder. Letters go to `hist`,
  // content gaps to `missed_bytes`.
  void process(bool is_orig, const ZeekSegment& seg, ConnHistory& hist, uint64_t& missed_bytes);

  // Both sides closed, or one reset it: the connection is over (Zeek's "close complete").
  bool ended() const;
  // Zeek stops moving the connection's last time once both endpoints have closed.
  bool both_did_close() const { return ep_[0].did_close && ep_[1].did_close; }

  ConnState conn_state(const ConnHistory& hist) const;
  uint64_t size(bool orig) const; // payload bytes by sequence space (Zeek's endpoint size)
  NetstatState netstat(bool orig) const { return ep_[orig ? 0 : 1].ns; }
  ZeekTcpState zeek_state(bool orig) const { return ep_[orig ? 0 : 1].state; }

private:
  struct Block {
    uint64_t begin = 0, end = 0;
  };
  struct Endpoint {
    ZeekTcpState state = ZeekTcpState::Inactive, prev_state = ZeekTcpState::Inactive;
    bool did_close = false;
    uint32_t start_seq = 0;             // ISN (partial connections: first seq - 1)
    uint32_t last_seq = 0;              // highest sequence number sent + 1 (absolute)
    uint32_t ack_seq = 0;               // highest sequence number the peer acknowledged (absolute)
    uint64_t last_rel = 0, ack_rel = 0; // the same two, relative to start_seq, 64-bit (wraps)
    uint32_t fin_cnt = 0;
    uint64_t fin_seq = 0; // relative sequence number just after the FIN
    uint64_t hist_last_syn = ~0ull, hist_last_fin = ~0ull, hist_last_rst = ~0ull;
    uint32_t rxmit_cnt = 0, rxmit_thresh = 1, zero_win_cnt = 0, zero_win_thresh = 1, gap_cnt = 0,
             gap_thresh = 1;
    // Content accounting: bytes below `contig` were seen in order; `pending` holds a few
    // out-of-order blocks above it (bounded; an overflow merges blocks, see docs/decisions.md).
    uint64_t contig = 1;
    std::array<Block, 4> pending{};
    uint8_t npending = 0;
    // netstat view.
    NetstatState ns = NetstatState::None;
    bool fin_sent = false;
    uint32_t fin_end = 0; // absolute sequence number after the FIN: an ACK of it acknowledges the FIN
    bool syn_seen = false;

    void set_state(ZeekTcpState s) {
      prev_state = state;
      state = s;
    }
  };

  uint64_t rel_of(const Endpoint& e, uint32_t seq, bool& underflow) const;
  bool check_history(uint32_t bit, bool orig, char code, ConnHistory& hist);
  static void scaled(char code, bool orig, uint32_t& cnt, uint32_t& thresh, ConnHistory& hist);
  static void reinit(Endpoint& e, uint32_t start, uint32_t last);
  void init_endpoint(Endpoint& e, const ZeekSegment& s, uint32_t one_past);
  void update_state_machine(Endpoint& e, Endpoint& peer, bool is_orig, const ZeekSegment& s, bool& do_close);
  void update_netstat(Endpoint& e, Endpoint& peer, const ZeekSegment& s);
  void data_sent(Endpoint& e, uint64_t rel_seq, uint32_t len);
  void ack_received(Endpoint& e, bool orig, uint64_t rel_ack, ConnHistory& hist, uint64_t& missed);

  std::array<Endpoint, 2> ep_{}; // [0] originator, [1] responder
  uint32_t hist_seen_ = 0;       // Zeek's per-connection history mask
};

} // namespace ps
