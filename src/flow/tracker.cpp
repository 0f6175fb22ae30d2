#include "flow/tracker.h"

#include <unordered_map>

#include "flow/flow_key.h"
#include "wire/tcp.h"

namespace ps {

namespace {

struct TcpDir {
  bool base_set = false;
  uint32_t base_seq = 0;
  int8_t wscale = -1; // shift from the SYN's window-scale option; -1 none seen
  bool syn_seen = false;
};

struct TcpConn {
  uint32_t stream = 0;
  TcpDir dir[2]; // 0: from endpoint a, 1: from endpoint b
  bool closed = false;
  int64_t first_ns = 0, last_ns = 0;
};

struct UdpConn {
  uint32_t stream = 0;
  int64_t first_ns = 0, last_ns = 0;
};

int64_t ns_of(const Frame& f) { return f.ts.sec * 1'000'000'000 + f.ts.nsec; }

int8_t window_scale_option(wire::Bytes opts) {
  size_t i = 0;
  while (i < opts.size()) {
    uint8_t kind = opts[i];
    if (kind == 0) break;
    if (kind == 1) {
      ++i;
      continue;
    }
    if (i + 1 >= opts.size()) break;
    uint8_t len = opts[i + 1];
    if (len < 2 || i + len > opts.size()) break;
    if (kind == 3 && len == 3) return static_cast<int8_t>(opts[i + 2] > 14 ? 14 : opts[i + 2]);
    i += len;
  }
  return -1;
}

} // namespace

struct FlowTracker::Impl {
  std::unordered_map<FlowKey, TcpConn, FlowKeyHash> tcp;
  std::unordered_map<FlowKey, UdpConn, FlowKeyHash> udp;
  uint32_t next_tcp = 0, next_udp = 0;
};

FlowTracker::FlowTracker() : impl_(std::make_unique<Impl>()) {}
FlowTracker::~FlowTracker() = default;
uint32_t FlowTracker::tcp_streams() const { return impl_->next_tcp; }
uint32_t FlowTracker::udp_streams() const { return impl_->next_udp; }

void FlowTracker::process(const Decoded& d, PacketMeta& meta) {
  meta = PacketMeta{};
  const LayerSpan* l4 = d.l4();
  if (!l4 || d.ip_layer < 0) return;
  bool fwd = true;
  int64_t now = ns_of(*d.frame);
  if (l4->kind == Layer::Udp) {
    FlowKey k = make_flow_key(d, fwd);
    auto [it, fresh] = impl_->udp.try_emplace(k);
    if (fresh) {
      it->second.stream = impl_->next_udp++;
      it->second.first_ns = it->second.last_ns = now;
    }
    meta.udp.valid = true;
    meta.udp.stream = it->second.stream;
    meta.udp.time_relative_ns = now - it->second.first_ns;
    meta.udp.time_delta_ns = now - it->second.last_ns;
    it->second.last_ns = now;
    return;
  }
  if (l4->kind != Layer::Tcp) return;
  wire::TcpView t(d.frame->data.subspan(l4->offset, l4->length));
  FlowKey k = make_flow_key(d, fwd);
  auto [it, fresh] = impl_->tcp.try_emplace(k);
  TcpConn& c = it->second;
  bool syn = t.has(wire::tcpflag::kSyn), ack = t.has(wire::tcpflag::kAck);
  if (!fresh && syn && !ack && c.closed) { // port reuse: a new connection on a closed tuple
    c = TcpConn{};
    fresh = true;
  }
  if (fresh) {
    c.stream = impl_->next_tcp++;
    c.first_ns = c.last_ns = now;
  }
  TcpDir& me = c.dir[fwd ? 0 : 1];
  TcpDir& peer = c.dir[fwd ? 1 : 0];
  if (syn) {
    me.syn_seen = true;
    me.base_seq = t.seq();
    me.base_set = true;
    me.wscale = window_scale_option(t.options());
  } else if (!me.base_set) {
    me.base_seq = t.seq() - 1;
    me.base_set = true;
  }
  if (ack && !peer.base_set) {
    peer.base_seq = t.ack() - 1;
    peer.base_set = true;
  }
  if (t.has(wire::tcpflag::kFin) || t.has(wire::tcpflag::kRst)) c.closed = true;

  TcpMeta& m = meta.tcp;
  m.valid = true;
  m.stream = c.stream;
  m.seq = t.seq() - me.base_seq;
  uint32_t seglen = d.payload_len + d.payload_missing;
  m.nxtseq = m.seq + seglen + (syn ? 1 : 0) + (t.has(wire::tcpflag::kFin) ? 1 : 0);
  m.ack_valid = ack;
  m.ack = ack ? t.ack() - peer.base_seq : 0;
  if (syn) {
    m.window_size = t.window();
    m.window_scalefactor = -1;
  } else if (me.syn_seen && peer.syn_seen) {
    bool scaling = me.wscale >= 0 && peer.wscale >= 0;
    m.window_scalefactor = scaling ? (1 << me.wscale) : -2;
    m.window_size = static_cast<uint32_t>(t.window()) << (scaling ? me.wscale : 0);
  } else {
    m.window_scalefactor = -1;
    m.window_size = t.window();
  }
  m.time_relative_ns = now - c.first_ns;
  m.time_delta_ns = now - c.last_ns;
  c.last_ns = now;
}

} // namespace ps
