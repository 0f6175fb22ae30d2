#include "flow/tcp_analysis.h"

#include "flow/tcp_seq.h"
#include "wire/tcp.h"

namespace ps {

namespace {

using namespace wire::tcpflag;
using tcpseq::gt;
using tcpseq::le;
using tcpseq::lt;

// Retransmissions within this long after the peer's duplicate ACKs count as fast ones.
constexpr uint64_t kFastRetransmitWindowNs = 20'000'000;
// Out-of-order threshold when no initial RTT is known.
constexpr uint64_t kDefaultOutOfOrderNs = 3'000'000;

// Time since `then`; a clock going backwards gives a huge value, so "recent" tests fail.
uint64_t since(int64_t now, int64_t then) {
  return static_cast<uint64_t>(now - then);
}

struct Verdict {
  bool exists = false; // some analysis result is attached to this segment
  uint32_t flags = 0;
  void set(uint32_t f) {
    exists = true;
    flags |= f;
  }
};

// Each direction's ISN, the first time this segment can tell it (relative numbers subtract it).
void set_bases(TcpDirState& fwd, TcpDirState& rev, const TcpSegment& s) {
  if (!fwd.base_set) {
    fwd.base_seq = s.flags & kSyn ? s.seq : s.seq - 1;
    fwd.base_set = true;
  }
  // The peer's ISN comes from the first ACK number seen, not from a SYN's (possibly junk) ack.
  if (!rev.base_set && (s.flags & kAck)) {
    rev.base_seq = s.ack - 1;
    rev.base_set = true;
  }
}

// The per-segment checks, in tshark's order; returns with `fwd`/`rev` updated.
void classify(TcpConnState& c, TcpDirState& fwd, TcpDirState& rev, const TcpSegment& s, Verdict& v,
              TcpMeta& m) {
  const uint32_t seq = s.seq, ack = s.ack, seglen = s.seglen, window = s.window;
  const uint16_t flags = s.flags;
  const bool syn_fin_rst = flags & (kSyn | kFin | kRst);

  set_bases(fwd, rev, s);
  if (flags & kAck) rev.valid_bif = true;

  bool skip_to_ack_bookkeeping = false;
  if (seglen == 1 && seq == fwd.nextseq && rev.window == 0) {
    v.set(kZeroWindowProbe);
    skip_to_ack_bookkeeping = true;
  }
  if (!skip_to_ack_bookkeeping) {
    if (window == 0 && !syn_fin_rst) v.set(kZeroWindow);
    if (fwd.nextseq && gt(seq, fwd.nextseq) && !(flags & kRst)) {
      v.set(kLostSegment);
      fwd.valid_bif = false; // until the peer ACKs again
    }
    if (seglen <= 1 && seq == fwd.nextseq - 1 && !syn_fin_rst) v.set(kKeepAlive);
    const bool same_seq_ack = seq == fwd.nextseq && ack == fwd.lastack;
    if (seglen == 0 && window && window != fwd.window && same_seq_ack && !syn_fin_rst) v.set(kWindowUpdate);
    if (seglen > 0 && rev.win_scale != -1 && !syn_fin_rst) {
      int shift = rev.is_first_ack || rev.win_scale == -2 ? 0 : rev.win_scale;
      if (seq + seglen == rev.lastack + (rev.window << shift)) v.set(kWindowFull);
    }
    if (seglen == 0 && window && window == fwd.window && same_seq_ack && (rev.last_flags & kKeepAlive) &&
        !syn_fin_rst) {
      v.set(kKeepAliveAck);
    } else if (seglen == 0 && window == 0 && window == fwd.window && same_seq_ack &&
               (rev.last_flags & kZeroWindowProbe) && !syn_fin_rst) {
      v.set(kZeroWindowProbeAck);
    } else if (seglen == 0 && window && window == fwd.window && same_seq_ack && !syn_fin_rst) {
      fwd.dupacknum = fwd.dupacknum == -1 ? 1 : fwd.dupacknum + 1;
      v.set(kDuplicateAck);
      m.dup_ack_num = static_cast<uint32_t>(fwd.dupacknum);
      m.dup_ack_frame = fwd.last_non_dup_ack;
    }
  }

  if (ack != fwd.lastack) {
    fwd.last_non_dup_ack = s.frame;
    fwd.dupacknum = 0;
  }

  // ACKs beyond anything seen from the peer: the peer's segment was not captured.
  if (rev.maxseqtobeacked && gt(ack, rev.maxseqtobeacked) && (flags & kAck)) {
    v.exists = true;
    if (rev.maxseqtobeacked > rev.nextseq) { // plain comparison, as the reference does
      rev.maxseqtobeacked = rev.nextseq;
      v.flags |= kAckLostSegment;
    } else {
      // Report the same hole once even when this side keeps sending pure ACKs.
      if (rev.dupacknum == 0) v.flags |= kAckLostSegment;
      rev.dupacknum = -1;
      // The peer's segments after the hole were seen: a later ACK of them is no news (tshark marks only
      // the ACKs up to the first segment that follows the hole on from there).
      rev.maxseqtobeacked = rev.nextseq;
    }
  }

  if ((seglen > 0 || (flags & (kSyn | kFin))) && !(v.flags & kKeepAlive)) {
    bool not_advanced = fwd.nextseq && lt(seq, fwd.nextseq);
    // New data starting one byte early (after a zero-window probe) is not a retransmission.
    if (seglen > 1 && fwd.nextseq - 1 == seq) not_advanced = false;
    const uint32_t end = seq + seglen + (flags & (kSyn | kFin) ? 1 : 0);
    const uint64_t ooo_limit = c.first_rtt ? static_cast<uint64_t>(c.first_rtt) : kDefaultOutOfOrderNs;
    if (seglen > 0 && rev.lastack && le(seq + seglen, rev.lastack)) {
      v.set(kSpuriousRetransmission);
    } else if (not_advanced && rev.dupacknum >= 2 && rev.lastack == seq &&
               since(s.ts_ns, rev.lastack_ts) < kFastRetransmitWindowNs) {
      v.set(kFastRetransmission);
    } else if (not_advanced && since(s.ts_ns, fwd.nextseq_ts) < ooo_limit && fwd.nextseq != end) {
      v.set(kOutOfOrder);
    } else if (not_advanced) {
      v.set(kRetransmission);
    }
  }
}

// Remembers the segment, advances the highest sequence numbers, then lets this segment's ACK
// retire the peer's segments.
void bookkeeping(TcpDirState& fwd, TcpDirState& rev, const TcpSegment& s, Verdict& v, TcpMeta& m) {
  const uint32_t seq = s.seq, ack = s.ack;
  const bool syn_fin = s.flags & (kSyn | kFin);
  uint32_t nextseq = seq + s.seglen;
  if ((s.seglen || syn_fin) && fwd.unacked.size() < kMaxUnacked) {
    if (syn_fin) nextseq += 1;
    fwd.unacked.push_back({seq, nextseq, s.frame, s.ts_ns});
  }
  const bool probe = v.flags & kZeroWindowProbe; // probes do not advance the stream
  if ((gt(nextseq, fwd.nextseq) || !fwd.nextseq) && !probe) {
    fwd.nextseq = nextseq;
    fwd.nextseq_frame = s.frame;
    fwd.nextseq_ts = s.ts_ns;
  }
  if ((seq == fwd.maxseqtobeacked || !fwd.maxseqtobeacked) && !probe) fwd.maxseqtobeacked = fwd.nextseq;
  fwd.window = s.window;
  fwd.lastack = ack;
  fwd.lastack_ts = s.ts_ns;
  fwd.last_flags = v.exists ? v.flags : 0;

  // Retire what this ACK covers; the oldest exactly-acked segment names the acked frame.
  bool matched = false;
  size_t keep = 0;
  for (size_t i = 0; i < rev.unacked.size(); ++i) {
    TcpUnacked& u = rev.unacked[i];
    if (ack == u.nextseq) {
      if (!matched) {
        matched = true;
        v.exists = true;
        m.acks_frame = u.frame;
        int64_t rtt = s.ts_ns - u.ts_ns;
        m.ack_rtt_ns = rtt ? rtt : -1;
      }
      continue;
    }
    if (gt(ack, u.seq) && le(ack, u.nextseq)) u.seq = ack; // partly acknowledged
    if (gt(u.nextseq, ack)) {
      rev.unacked[keep++] = u;
      continue;
    }
  }
  rev.unacked.resize(keep);
}

void bytes_in_flight(TcpDirState& fwd, const TcpDirState& rev, const TcpSegment& s, Verdict& v, TcpMeta& m) {
  if (s.seglen == 0 || fwd.unacked.empty() || !fwd.valid_bif) return;
  uint32_t first = fwd.unacked.back().seq - fwd.base_seq, last = fwd.unacked.back().nextseq - fwd.base_seq;
  for (const TcpUnacked& u : fwd.unacked) {
    if (u.nextseq - fwd.base_seq > last) last = u.nextseq - fwd.base_seq;
    if (u.seq - fwd.base_seq < first) first = u.seq - fwd.base_seq;
  }
  uint32_t in_flight = last - first;
  for (uint8_t i = 0; i < rev.sack_count; ++i) in_flight -= rev.sack_right[i] - rev.sack_left[i];
  if (in_flight > 0 && in_flight < 2'000'000'000u) {
    v.exists = true;
    uint32_t bif = in_flight - (s.flags & (kSyn | kFin) ? 1 : 0);
    if (bif) m.bytes_in_flight = bif;
  }
  const bool psh = s.flags & kPsh;
  if (psh && !fwd.push_set_last)
    fwd.push_bytes_sent += s.seglen;
  else if (psh || fwd.push_set_last)
    fwd.push_bytes_sent = s.seglen;
  else
    fwd.push_bytes_sent += s.seglen;
  fwd.push_set_last = psh;
  v.exists = true;
  if (m.bytes_in_flight >= 0) m.push_bytes_sent = fwd.push_bytes_sent;
}

// Relative numbers and the scaled window of the segment, then the state its SYN flag and options
// change (window scale, SACK blocks, iRTT). Needs the bases set.
void number_segment(TcpConnState& c, TcpDirState& fwd, TcpDirState& rev, const TcpSegment& s, TcpMeta& m) {
  const uint16_t flags = s.flags;
  m.seq = s.seq - fwd.base_seq;
  m.ack_valid = flags & kAck;
  m.ack = m.ack_valid ? s.ack - rev.base_seq : s.ack;
  m.nxtseq = m.seq + s.seglen + (flags & (kSyn | kFin) ? 1 : 0);
  m.has_nxtseq = s.has_seglen;
  if (flags & kSyn) {
    m.window_size = s.window;
    m.window_scalefactor = -1;
  } else {
    m.window_size = fwd.win_scale >= 0 ? uint32_t{s.window} << fwd.win_scale : s.window;
    m.window_scalefactor = fwd.win_scale >= 0 ? 1 << fwd.win_scale : fwd.win_scale;
  }

  if (flags & kSyn) {
    if (!(flags & kAck)) c.ts_mru_syn = s.ts_ns;
    fwd.is_first_ack = true;
  }
  if ((flags & (kSyn | kAck)) == kAck) {
    if (c.ts_mru_syn && !c.first_rtt) c.first_rtt = s.ts_ns - c.ts_mru_syn;
    fwd.is_first_ack = false;
  }

  // Options are read after the analysis of this segment, as in the reference.
  if (s.opts.wscale >= 0) fwd.win_scale = s.opts.wscale;
  fwd.sack_count = s.opts.sack_count;
  for (uint8_t i = 0; i < s.opts.sack_count; ++i) {
    fwd.sack_left[i] = s.opts.sack_left[i];
    fwd.sack_right[i] = s.opts.sack_right[i];
  }
  if (flags & kSyn) {
    // A SYN without the option means no scaling either way; a SYN/ACK cannot turn it back on.
    if (fwd.win_scale == -1) {
      fwd.win_scale = -2;
      rev.win_scale = -2;
    } else if ((flags & kAck) && rev.win_scale == -2) {
      fwd.win_scale = -2;
    }
  }
}

} // namespace

void analyze_tcp_segment(TcpConnState& c, int d, const TcpSegment& s, uint32_t pre_flags, TcpMeta& m) {
  TcpDirState& fwd = c.dir[d];
  TcpDirState& rev = c.dir[d ^ 1];
  Verdict v;
  if (pre_flags) v.set(pre_flags);
  fwd.sack_count = 0;
  if (s.has_seglen) {
    classify(c, fwd, rev, s, v, m);
    bookkeeping(fwd, rev, s, v, m);
    bytes_in_flight(fwd, rev, s, v, m);
  }
  number_segment(c, fwd, rev, s, m);
  m.analysis = v.flags;
  if (v.exists && c.first_rtt) m.initial_rtt_ns = c.first_rtt;
  if (!v.exists) {
    m.acks_frame = 0;
    m.ack_rtt_ns = -1;
  }
}

void number_tcp_segment(TcpConnState& c, int d, const TcpSegment& s, TcpMeta& m) {
  TcpDirState& fwd = c.dir[d];
  TcpDirState& rev = c.dir[d ^ 1];
  fwd.sack_count = 0;
  if (s.has_seglen) set_bases(fwd, rev, s);
  number_segment(c, fwd, rev, s, m);
}

} // namespace ps
