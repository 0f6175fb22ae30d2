#include "flow/stream_track.h"

#include "flow/tcp_option_scan.h"

namespace ps {

using namespace wire::tcpflag;

uint32_t tcp_reuse_check(StreamTrack& t, int dir, const wire::TcpView& seg, bool& restart) {
  // Decided from the ISNs the stream view keeps at every level of detail, so that a worker that only
  // numbers streams decides as the one that analyzes them.
  restart = false;
  if (!t.base_set[dir]) return 0;
  const uint16_t flags = seg.flags();
  TcpDirState* me = t.tcp && t.tcp->dir[dir].base_set ? &t.tcp->dir[dir] : nullptr;
  if ((flags & (kSyn | kAck)) == kSyn) {
    restart = seg.seq() != t.base_seq[dir];
    // A retransmitted SYN (same ISN) rewinds and is no port reuse (tshark checks the ISN too).
    if (!restart && me) me->nextseq = me->maxseqtobeacked;
    return restart ? static_cast<uint32_t>(kPortReuse) : 0u;
  }
  if ((flags & (kSyn | kAck)) == (kSyn | kAck) && seg.seq() != t.base_seq[dir]) {
    t.base_seq[dir] = seg.seq();
    if (me) me->base_seq = seg.seq();
    return kPortReuse;
  }
  return 0;
}

void track_tcp(StreamTrack& t, int dir, const Decoded& d, const wire::TcpView& seg, int64_t now_ns,
               TcpDetail detail, uint32_t pre_flags, PacketMeta& meta) {
  const uint16_t flags = seg.flags();
  TcpMeta& m = meta.tcp;
  m.peer_fin = t.fin_dirs & (1u << (dir ^ 1));
  if (flags & kFin) t.fin_dirs |= static_cast<uint8_t>(1u << dir);
  if (flags & kRst) t.reset = true;
  m.valid = true;
  m.stream = t.stream;
  m.time_relative_ns = now_ns - t.first_ns;
  m.time_delta_ns = now_ns - t.last_ns;
  t.last_ns = now_ns;
  // tcp.completeness as tshark 4.0 shows it: the bits of the earlier segments. Measured on its output:
  // a SYN counts only as SYN / SYN-ACK, a conversation's first other segment not at all, and only a segment
  // without payload counts as an ACK; a FIN counts with the ACK flag (docs/decisions.md).
  m.completeness = t.completeness;
  const uint32_t seglen = d.payload_len + d.payload_missing;
  if (flags & kSyn) {
    t.completeness |= flags & kAck ? kCompletenessSynAck : kCompletenessSyn;
  } else if (t.seen_dirs) {
    if ((flags & (kSyn | kAck)) == kAck && !seglen) t.completeness |= kCompletenessAck;
    if (seglen) t.completeness |= kCompletenessData;
    if ((flags & kFin) && (flags & kAck)) t.completeness |= kCompletenessFin;
    if (flags & kRst) t.completeness |= kCompletenessRst;
  }
  t.seen_dirs |= static_cast<uint8_t>(1u << dir);
  // As number_tcp_segment sets them: this side's ISN from its first segment, the peer's from the
  // first ACK number.
  if (!d.ip_fragment) {
    if (!t.base_set[dir]) {
      t.base_seq[dir] = flags & kSyn ? seg.seq() : seg.seq() - 1;
      t.base_set[dir] = true;
    }
    if (!t.base_set[dir ^ 1] && (flags & kAck)) {
      t.base_seq[dir ^ 1] = seg.ack() - 1;
      t.base_set[dir ^ 1] = true;
    }
  }
  if (detail == TcpDetail::Stream) return;
  if (!t.tcp) t.tcp = std::make_unique<TcpConnState>();

  TcpSegment s;
  s.frame = d.frame->number;
  s.ts_ns = now_ns;
  s.seq = seg.seq();
  s.ack = seg.ack();
  s.seglen = d.payload_len + d.payload_missing;
  s.flags = flags;
  s.window = seg.window();
  s.has_seglen = !d.ip_fragment;
  s.opts = scan_tcp_options(seg.options());

  if (detail == TcpDetail::Analysis)
    analyze_tcp_segment(*t.tcp, dir, s, pre_flags, m);
  else
    number_tcp_segment(*t.tcp, dir, s, m);
}

void track_udp(StreamTrack& t, int64_t now_ns, PacketMeta& meta) {
  meta.udp.valid = true;
  meta.udp.stream = t.stream;
  meta.udp.time_relative_ns = now_ns - t.first_ns;
  meta.udp.time_delta_ns = now_ns - t.last_ns;
  t.last_ns = now_ns;
}

} // namespace ps
