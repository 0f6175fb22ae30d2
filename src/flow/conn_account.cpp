#include "flow/conn_account.h"

#include <cstring>

#include "services/port_registry.h"
#include "wire/bytes.h"
#include "wire/tcp.h"

namespace ps {

namespace {

// IP total length (IPv4 header field; IPv6 payload length + 40), as Zeek counts ip_bytes.
uint64_t ip_total_len(const Decoded& d) {
  const LayerSpan& ip = d.layers[static_cast<size_t>(d.ip_layer)];
  auto data = d.bytes(ip); // a tunnel's inner header may lie in a reassembled datagram
  if (d.ip_version == 4 && data.size() >= 4) {
    const uint16_t len = wire::be16(&data[2]);
    return len ? len : ip.length; // 0: captured before TSO, the length is the frame's (as Zeek copes)
  }
  if (d.ip_version == 6 && data.size() >= 6) return 40u + wire::be16(&data[4]);
  return ip.length;
}

// The tunnel a connection's packets arrived in: the nearest IP header outside the one that carries
// the transport, and the encapsulation after it (plus its ports for a UDP tunnel). The same tunnel
// gives the same uid whichever way a packet goes, so every connection it carried names it alike.
uint64_t tunnel_uid(const Decoded& d) {
  if (d.outer_ip_layer < 0 || d.ip_layer <= 0) return 0;
  for (int i = d.ip_layer - 1; i >= 0; --i) {
    const LayerSpan& l = d.layers[static_cast<size_t>(i)];
    if (l.kind != Layer::Ipv4 && l.kind != Layer::Ipv6) continue;
    const auto b = d.bytes(l);
    const size_t n = l.kind == Layer::Ipv4 ? 4 : 16, at = l.kind == Layer::Ipv4 ? 12 : 8;
    if (b.size() < at + 2 * n) return 0;
    FlowKey k;
    std::memcpy(k.a.data(), &b[at], n);
    std::memcpy(k.b.data(), &b[at + n], n);
    const LayerSpan& next = d.layers[static_cast<size_t>(i + 1)];
    if (next.kind == Layer::Udp) {
      const auto u = d.bytes(next);
      k.a_port = wire::be16(&u[0]);
      k.b_port = wire::be16(&u[2]);
    }
    if (std::memcmp(k.a.data(), k.b.data(), n) > 0 ||
        (std::memcmp(k.a.data(), k.b.data(), n) == 0 && k.a_port > k.b_port)) {
      std::swap(k.a, k.b);
      std::swap(k.a_port, k.b_port);
    }
    k.proto = static_cast<uint8_t>(next.kind);
    k.ip_version = l.kind == Layer::Ipv4 ? 4 : 6;
    return conn_uid(k, Timestamp{}, k.proto, 0xffffffffu);
  }
  return 0;
}

} // namespace

bool likely_server_port(uint8_t proto, uint16_t port) noexcept {
  if (port == 0) return false;
  if (port < 1024) return true;
  if (port >= 49152) return false;
  return !port_service_name(proto == 17 ? Transport::Udp : Transport::Tcp, port).empty();
}

bool first_sender_is_originator(uint8_t proto, uint16_t tcp_flags, uint16_t src_port, uint16_t dst_port,
                                bool& inferred) noexcept {
  const bool syn = tcp_flags & wire::tcpflag::kSyn, ack = tcp_flags & wire::tcpflag::kAck;
  if (proto == 6 && syn) {
    inferred = ack;
    return !ack;
  }
  inferred = true;
  const bool ls = likely_server_port(proto, src_port), ld = likely_server_port(proto, dst_port);
  if (ls != ld) return ld;
  if (src_port != dst_port) return dst_port < src_port;
  return true;
}

void account_open(ConnAccount& a, const Decoded& d, uint8_t proto, uint32_t stream, uint64_t uid,
                  bool sender_is_orig, bool inferred) {
  a.rec = ConnRecord{};
  a.tcp = ConnTcpState{};
  a.orig_sent = a.resp_sent = false;
  ConnRecord& r = a.rec;
  r.stream = stream;
  r.proto = proto;
  r.ip_version = d.ip_version;
  r.first_ts = r.last_ts = r.last_seen_ts = d.frame->ts;
  r.direction_inferred = inferred;
  r.first_from_orig = sender_is_orig;
  if (!sender_is_orig) r.history.add('^'); // Zeek marks flipped roles so
  const size_t n = d.ip_version == 6 ? 16 : 4;
  std::memcpy(r.orig_h.data(), sender_is_orig ? d.src_ip : d.dst_ip, n);
  std::memcpy(r.resp_h.data(), sender_is_orig ? d.dst_ip : d.src_ip, n);
  r.orig_p = sender_is_orig ? d.src_port : d.dst_port;
  r.resp_p = sender_is_orig ? d.dst_port : d.src_port;
  std::string_view svc = port_service_name(proto == 17 ? Transport::Udp : Transport::Tcp, r.resp_p);
  if (!svc.empty()) {
    r.service.assign(svc);
    r.service_source = ServiceSource::Port;
  }
  r.uid = uid;
  r.tunnel_uid = tunnel_uid(d);
}

void account_packet(ConnAccount& a, const Decoded& d, bool is_orig) {
  ConnRecord& r = a.rec;
  const uint64_t ip_bytes = ip_total_len(d);
  if (is_orig) {
    ++r.orig_pkts;
    r.orig_ip_bytes += ip_bytes;
    r.orig_frame_bytes += d.frame->wire_len;
  } else {
    ++r.resp_pkts;
    r.resp_ip_bytes += ip_bytes;
    r.resp_frame_bytes += d.frame->wire_len;
  }
  const Timestamp& ts = d.frame->ts;
  if (ts > r.last_seen_ts) r.last_seen_ts = ts;
  if (ts < r.first_ts) r.first_ts = ts;
  const uint32_t len = d.payload_len + d.payload_missing;
  if (r.proto == 6) {
    wire::TcpView t(d.bytes(*d.l4()));
    ZeekSegment seg;
    seg.flags = t.flags();
    seg.seq = t.seq();
    seg.ack = t.ack();
    seg.window = t.window();
    seg.len = len;
    // Zeek stops the clock once both sides have closed: a trailing ACK does not lengthen it.
    if (!a.tcp.both_did_close() && ts > r.last_ts) r.last_ts = ts;
    a.tcp.process(is_orig, seg, r.history, r.missed_bytes);
  } else {
    if (ts > r.last_ts) r.last_ts = ts;
    bool& sent = is_orig ? a.orig_sent : a.resp_sent;
    if (!sent) r.history.add(is_orig ? 'D' : 'd');
    sent = true;
    (is_orig ? r.orig_bytes : r.resp_bytes) += len;
  }
}

void account_complete(const ConnAccount& a, ConnRecord& r) {
  if (r.proto == 6) {
    r.conn_state = a.tcp.conn_state(r.history);
    r.orig_bytes = a.tcp.size(true);
    r.resp_bytes = a.tcp.size(false);
    r.orig_tcp = a.tcp.netstat(true);
    r.resp_tcp = a.tcp.netstat(false);
  } else if (a.orig_sent) {
    r.conn_state = a.resp_sent ? ConnState::SF : ConnState::S0;
  } else {
    r.conn_state = a.resp_sent ? ConnState::SHR : ConnState::OTH;
  }
}

} // namespace ps
