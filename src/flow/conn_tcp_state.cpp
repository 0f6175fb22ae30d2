// Follows Zeek's TCP session analysis (TCPSessionAdapter / TCP_Endpoint) closely enough that
// conn_state, history and byte counts mean what they mean in a Zeek conn.log.
#include "flow/conn_tcp_state.h"

#include <algorithm>

#include "wire/tcp.h"

namespace ps {

namespace {

// Zeek ignores SYN/RST sequence numbers that jump further than this.
constexpr int32_t kTooLargeSeqDelta = 1048576;

// Zeek's history mask bits (responder bits are these shifted left by 16).
enum : uint32_t {
  kHistSyn = 1u << 0,
  kHistFin = 1u << 1,
  kHistRst = 1u << 2,
  kHistFinRst = 1u << 3,
  kHistData = 1u << 4,
  kHistAck = 1u << 5,
  kHistMulti = 1u << 6,
};

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

uint64_t add_signed(uint64_t base, int64_t delta) {
  if (delta < 0 && static_cast<uint64_t>(-delta) > base) return 0;
  return static_cast<uint64_t>(static_cast<int64_t>(base) + delta);
}

// Zeek's /^\^?S[^HAFGIQ]*R.*$/ for RSTOS0: a SYN, then a RST from the originator before any answer.
bool looks_like_rstos0(std::string_view h) {
  size_t i = 0;
  if (i < h.size() && h[i] == '^') ++i;
  if (i >= h.size() || h[i] != 'S') return false;
  for (++i; i < h.size(); ++i) {
    char c = h[i];
    if (c == 'R') return true;
    if (c == 'H' || c == 'A' || c == 'F' || c == 'G' || c == 'I' || c == 'Q') return false;
  }
  return false;
}

} // namespace

uint64_t ConnTcpState::rel_of(const Endpoint& e, uint32_t seq, bool& underflow) const {
  int64_t rel = static_cast<int64_t>(e.last_rel) + static_cast<int32_t>(seq - e.last_seq);
  if (rel < 0) {
    underflow = true;
    return 0;
  }
  return static_cast<uint64_t>(rel);
}

bool ConnTcpState::check_history(uint32_t bit, bool orig, char code, ConnHistory& hist) {
  uint32_t mask = orig ? bit : bit << 16;
  if (hist_seen_ & mask) return true;
  hist_seen_ |= mask;
  hist.add(orig ? code : lower(code));
  return false;
}

// Zeek records retransmissions, zero windows and gaps on a log scale: at the 1st, 10th, 100th, ...
void ConnTcpState::scaled(char code, bool orig, uint32_t& cnt, uint32_t& thresh, ConnHistory& hist) {
  if (++cnt != thresh) return;
  hist.add(orig ? code : lower(code));
  uint64_t next = uint64_t{thresh} * 10;
  thresh = next > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(next);
}

void ConnTcpState::reinit(Endpoint& e, uint32_t start, uint32_t last) {
  e.start_seq = start;
  e.ack_seq = start;
  e.ack_rel = 0;
  e.last_seq = last;
  e.last_rel = static_cast<uint32_t>(last - start);
  e.contig = 1;
  e.npending = 0;
}

void ConnTcpState::init_endpoint(Endpoint& e, const ZeekSegment& s, uint32_t one_past) {
  bool syn = s.flags & wire::tcpflag::kSyn;
  switch (e.state) {
  case ZeekTcpState::Inactive:
    // Without a SYN, number as though one came just before this segment.
    if (syn)
      reinit(e, s.seq, one_past);
    else
      reinit(e, s.seq - 1, s.seq);
    break;
  case ZeekTcpState::SynSent:
  case ZeekTcpState::SynAckSent:
    if (syn && s.seq != e.start_seq) reinit(e, s.seq, one_past);
    break;
  case ZeekTcpState::Established:
  case ZeekTcpState::Partial:
    if (syn) reinit(e, s.seq, one_past);
    break;
  case ZeekTcpState::Reset:
    if (syn && e.prev_state == ZeekTcpState::Inactive) reinit(e, s.seq, one_past);
    break;
  case ZeekTcpState::Closed:
    break;
  }
}

void ConnTcpState::process(bool is_orig, const ZeekSegment& s, ConnHistory& hist, uint64_t& missed_bytes) {
  using namespace wire::tcpflag;
  Endpoint& e = ep_[is_orig ? 0 : 1];
  Endpoint& peer = ep_[is_orig ? 1 : 0];
  const bool syn = s.flags & kSyn, fin = s.flags & kFin, rst = s.flags & kRst, ack = s.flags & kAck;

  uint32_t seg_len = s.len + (syn ? 1 : 0) + (fin ? 1 : 0);
  if (rst) seg_len -= s.len; // RST payload is not stream data
  const uint32_t one_past = s.seq + seg_len;
  init_endpoint(e, s, one_past);

  bool underflow = false;
  const uint64_t rel_seq = rel_of(e, s.seq, underflow);

  // History letters (Zeek's update_history).
  int bits = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
  if (bits > 1) {
    if (fin && rst)
      check_history(kHistFinRst, is_orig, 'I', hist);
    else
      check_history(kHistMulti, is_orig, 'Q', hist);
  } else if (bits == 1) {
    if (syn) {
      char code = ack ? 'H' : 'S';
      if (check_history(kHistSyn, is_orig, code, hist) && rel_seq != e.hist_last_syn)
        hist.add(is_orig ? code : lower(code));
      e.hist_last_syn = rel_seq;
    }
    if (fin) {
      if (check_history(kHistFin, is_orig, 'F', hist) && rel_seq + s.len != e.hist_last_fin)
        hist.add(is_orig ? 'F' : 'f');
      e.hist_last_fin = rel_seq + s.len;
    }
    if (rst) {
      if (check_history(kHistRst, is_orig, 'R', hist) && rel_seq != e.hist_last_rst)
        hist.add(is_orig ? 'R' : 'r');
      e.hist_last_rst = rel_seq;
    }
  } else if (s.len > 0) {
    check_history(kHistData, is_orig, 'D', hist);
  } else if (ack) {
    check_history(kHistAck, is_orig, 'A', hist);
  }

  if (s.window == 0 && !rst && peer.state != ZeekTcpState::Closed && e.state != ZeekTcpState::Reset)
    scaled('W', is_orig, e.zero_win_cnt, e.zero_win_thresh, hist);

  if (fin) {
    ++e.fin_cnt;
    e.fin_seq = rel_seq + seg_len;
  }

  uint64_t rel_ack = 0;
  if (ack) {
    if (peer.state == ZeekTcpState::Inactive) {
      // Number the silent peer as though its SYN came just before what this segment acknowledges.
      rel_ack = 1;
      reinit(peer, s.ack - 1, s.ack - 1);
    } else {
      int64_t r = static_cast<int64_t>(peer.ack_rel) + static_cast<int32_t>(s.ack - peer.ack_seq);
      rel_ack = r < 0 ? 0 : static_cast<uint64_t>(r);
      int32_t delta = static_cast<int32_t>(s.ack - peer.ack_seq);
      // Acks in RSTs are not trusted; an ack of 0 far ahead is more likely broken than a wrap.
      if (!rst && !(s.ack == 0 && delta > kTooLargeSeqDelta) && delta > 0) {
        peer.ack_seq = s.ack;
        peer.ack_rel += static_cast<uint64_t>(delta);
      }
    }
  }

  // Zeek's update_last_seq.
  int32_t delta_last = static_cast<int32_t>(one_past - e.last_seq);
  if ((syn || rst) && (delta_last > kTooLargeSeqDelta || delta_last < -kTooLargeSeqDelta)) {
  } else if (fin && e.last_rel == 1) {
    e.last_rel = add_signed(e.last_rel, delta_last);
    e.last_seq = one_past;
  } else if (e.state == ZeekTcpState::Reset) {
  } else if (delta_last > 0) {
    e.last_rel += static_cast<uint64_t>(delta_last);
    e.last_seq = one_past;
  } else if (s.len > 0) {
    scaled('T', is_orig, e.rxmit_cnt, e.rxmit_thresh, hist);
  }

  bool do_close = false;
  update_state_machine(e, peer, is_orig, s, do_close);
  if (ack) ack_received(peer, !is_orig, rel_ack, hist, missed_bytes);
  if (s.len > 0 && !rst && !underflow) data_sent(e, syn ? rel_seq + 1 : rel_seq, s.len);
  if (do_close) e.did_close = true;
  update_netstat(e, peer, s);
}

void ConnTcpState::update_state_machine(Endpoint& e, Endpoint& peer, bool is_orig, const ZeekSegment& s,
                                        bool& do_close) {
  using namespace wire::tcpflag;
  const bool syn = s.flags & kSyn, fin = s.flags & kFin, rst = s.flags & kRst, ack = s.flags & kAck;
  switch (e.state) {
  case ZeekTcpState::Inactive:
    if (syn) {
      if (is_orig) {
        e.set_state(ack ? ZeekTcpState::SynAckSent : ZeekTcpState::SynSent);
      } else {
        if (!ack && peer.state == ZeekTcpState::SynAckSent && s.seq == e.start_seq)
          peer.set_state(ZeekTcpState::Established); // SYN/SYN-ACK reversal
        if (peer.state == ZeekTcpState::SynSent) peer.set_state(ZeekTcpState::Established);
        e.set_state(ZeekTcpState::Established);
      }
    }
    if (fin) {
      e.set_state(ZeekTcpState::Closed);
      do_close = true;
    }
    if (rst) {
      e.set_state(ZeekTcpState::Reset);
      do_close = true;
    }
    if (e.state == ZeekTcpState::Inactive) {
      // A responder acking the SYN before answering it does not make the connection partial.
      if (!is_orig && s.len == 0 && ep_[0].state == ZeekTcpState::SynSent) {
      } else if (ack && peer.state == ZeekTcpState::Established) {
        e.set_state(ZeekTcpState::Established); // the SYN was missed, the SYN-ACK was not
      } else {
        e.set_state(ZeekTcpState::Partial);
      }
    }
    break;
  case ZeekTcpState::SynSent:
  case ZeekTcpState::SynAckSent:
    if (fin) {
      e.set_state(ZeekTcpState::Closed);
      do_close = true;
    }
    if (rst) {
      e.set_state(ZeekTcpState::Reset);
      do_close = true;
    }
    break;
  case ZeekTcpState::Established:
  case ZeekTcpState::Partial:
    if (syn && e.state == ZeekTcpState::Partial && peer.state == ZeekTcpState::Inactive && !ack)
      e.set_state(ZeekTcpState::SynSent);
    if (fin && !rst) {
      e.set_state(ZeekTcpState::Closed);
      // A FIN followed by a RST from the peer was a normal close after all.
      if (peer.state == ZeekTcpState::Reset && peer.prev_state == ZeekTcpState::Closed)
        peer.set_state(ZeekTcpState::Closed);
      do_close = true;
    }
    if (rst) {
      e.set_state(ZeekTcpState::Reset);
      do_close = true;
    }
    break;
  case ZeekTcpState::Closed:
    if (rst && peer.state != ZeekTcpState::Closed) {
      e.set_state(ZeekTcpState::Reset);
      if (!e.did_close) do_close = true;
    }
    break;
  case ZeekTcpState::Reset:
    break;
  }
}

void ConnTcpState::update_netstat(Endpoint& e, Endpoint& peer, const ZeekSegment& s) {
  using namespace wire::tcpflag;
  const bool syn = s.flags & kSyn, fin = s.flags & kFin, rst = s.flags & kRst, ack = s.flags & kAck;
  using N = NetstatState;
  if (rst) { // both sockets are gone once a reset is delivered
    e.ns = N::Closed;
    peer.ns = N::Closed;
    return;
  }
  if (syn && !ack) {
    if (e.ns == N::None || e.ns == N::Closed || e.ns == N::SynSent) e.ns = N::SynSent;
  } else if (syn) {
    if (e.ns == N::None || e.ns == N::Closed || e.ns == N::SynSent || e.ns == N::SynRecv) e.ns = N::SynRecv;
    if (peer.ns == N::None || peer.ns == N::SynSent) peer.ns = N::Established;
  }
  if (ack) {
    if (peer.fin_sent && static_cast<int32_t>(s.ack - peer.fin_end) >= 0) {
      if (peer.ns == N::FinWait1)
        peer.ns = N::FinWait2;
      else if (peer.ns == N::Closing)
        peer.ns = N::TimeWait;
      else if (peer.ns == N::LastAck)
        peer.ns = N::Closed;
    }
    if (!syn && peer.ns == N::SynRecv) peer.ns = N::Established;
  }
  if (!syn) { // a segment outside the handshake: whoever sends or receives it is connected
    if (e.ns == N::None || e.ns == N::SynSent || e.ns == N::SynRecv) e.ns = N::Established;
    if (peer.ns == N::None) peer.ns = N::Established;
  }
  if (fin) {
    e.fin_sent = true;
    e.fin_end = s.seq + s.len + (syn ? 1 : 0) + 1;
    // A FIN that does not acknowledge the peer's FIN crossed it: a simultaneous close (CLOSING).
    const bool crossed = peer.fin_sent && !(ack && static_cast<int32_t>(s.ack - peer.fin_end) >= 0);
    if (e.ns == N::Established || e.ns == N::SynRecv || e.ns == N::SynSent || e.ns == N::None)
      e.ns = N::FinWait1;
    else if (e.ns == N::CloseWait)
      e.ns = crossed ? N::Closing : N::LastAck;
    if (peer.ns == N::Established || peer.ns == N::SynRecv || peer.ns == N::None)
      peer.ns = N::CloseWait;
    else if (peer.ns == N::FinWait1)
      peer.ns = N::Closing;
    else if (peer.ns == N::FinWait2)
      peer.ns = N::TimeWait;
  }
}

void ConnTcpState::data_sent(Endpoint& e, uint64_t rel_seq, uint32_t len) {
  Block b{rel_seq, rel_seq + len};
  if (b.end <= e.contig) return; // retransmitted
  if (b.begin > e.contig) {
    // Out of order: keep it in a merged, bounded set of blocks above contig.
    for (uint8_t i = 0; i < e.npending; ++i) {
      Block& p = e.pending[i];
      if (b.begin <= p.end && p.begin <= b.end) {
        p.begin = std::min(p.begin, b.begin);
        p.end = std::max(p.end, b.end);
        return;
      }
    }
    if (e.npending < e.pending.size()) {
      e.pending[e.npending++] = b;
    } else { // full: widen the last block (may undercount missed bytes; bounded memory wins)
      Block& p = e.pending[e.npending - 1];
      p.begin = std::min(p.begin, b.begin);
      p.end = std::max(p.end, b.end);
    }
    return;
  }
  e.contig = b.end;
  // Absorb out-of-order blocks that now join the in-order data.
  for (bool moved = true; moved;) {
    moved = false;
    for (uint8_t i = 0; i < e.npending; ++i) {
      if (e.pending[i].begin <= e.contig) {
        e.contig = std::max(e.contig, e.pending[i].end);
        e.pending[i] = e.pending[--e.npending];
        moved = true;
        break;
      }
    }
  }
}

// The peer acknowledged e's data up to rel_ack: whatever of it was never seen is a content gap.
void ConnTcpState::ack_received(Endpoint& e, bool orig, uint64_t rel_ack, ConnHistory& hist,
                                uint64_t& missed) {
  uint64_t seq = rel_ack;
  if (e.fin_cnt > 0 && seq >= e.fin_seq && e.fin_seq > 0) seq = e.fin_seq - 1; // the FIN is no data
  if (seq <= e.contig) return;
  uint64_t missing = seq - e.contig;
  for (uint8_t i = 0; i < e.npending; ++i) {
    uint64_t b = std::max(e.pending[i].begin, e.contig), en = std::min(e.pending[i].end, seq);
    if (en > b) missing -= en - b;
  }
  bool active = ep_[0].state == ZeekTcpState::Established && ep_[1].state == ZeekTcpState::Established;
  if (active && missing > 0) {
    missed += missing;
    scaled('G', orig, e.gap_cnt, e.gap_thresh, hist);
  }
  e.contig = seq;
  data_sent(e, seq, 0); // absorbs pending blocks at or below the new edge
  for (uint8_t i = 0; i < e.npending;) {
    if (e.pending[i].end <= e.contig)
      e.pending[i] = e.pending[--e.npending];
    else
      ++i;
  }
}

bool ConnTcpState::ended() const {
  const Endpoint &o = ep_[0], &r = ep_[1];
  if (o.state == ZeekTcpState::Reset || r.state == ZeekTcpState::Reset) return true;
  if (o.did_close && r.did_close) return true;
  return (o.did_close && r.state == ZeekTcpState::Inactive) ||
         (r.did_close && o.state == ZeekTcpState::Inactive);
}

uint64_t ConnTcpState::size(bool orig) const {
  const Endpoint& e = ep_[orig ? 0 : 1];
  const Endpoint& peer = ep_[orig ? 1 : 0];
  // A half-open connection found and aborted: its sequence numbers say nothing about data.
  if (e.prev_state == ZeekTcpState::SynSent && e.state == ZeekTcpState::Reset &&
      peer.state == ZeekTcpState::Inactive && !(e.ack_rel == 0 || e.ack_rel == 1))
    return 0;
  uint64_t size = std::max(e.last_rel, e.ack_rel);
  if (size != 0) --size; // the SYN
  if (e.fin_cnt > 0 && size != 0) --size;
  return size;
}

ConnState ConnTcpState::conn_state(const ConnHistory& hist) const {
  using Z = ZeekTcpState;
  const Z os = ep_[0].state, rs = ep_[1].state;
  const bool o_inactive = os == Z::Inactive || os == Z::Partial;
  const bool r_inactive = rs == Z::Inactive || rs == Z::Partial;
  if (rs == Z::Reset) {
    if (os == Z::SynSent || os == Z::SynAckSent || (os == Z::Reset && size(true) == 0 && size(false) == 0))
      return ConnState::REJ;
    return o_inactive ? ConnState::RSTRH : ConnState::RSTR;
  }
  if (os == Z::Reset) {
    if (r_inactive) return looks_like_rstos0(hist.view()) ? ConnState::RSTOS0 : ConnState::OTH;
    return ConnState::RSTO;
  }
  if (rs == Z::Closed && os == Z::Closed) return ConnState::SF;
  if (os == Z::Closed) return r_inactive ? ConnState::SH : ConnState::S2;
  if (rs == Z::Closed) return o_inactive ? ConnState::SHR : ConnState::S3;
  if (os == Z::SynSent && rs == Z::Inactive) return ConnState::S0;
  if (os == Z::Established && rs == Z::Established) return ConnState::S1;
  return ConnState::OTH;
}

} // namespace ps
