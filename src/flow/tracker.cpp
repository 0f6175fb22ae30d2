#include "flow/tracker.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "flow/flow_key.h"
#include "flow/lru_evict.h"
#include "flow/tcp_analysis.h"
#include "flow/tcp_option_scan.h"
#include "wire/tcp.h"

namespace ps {

namespace {

using namespace wire::tcpflag;

struct TcpConn {
  uint32_t stream = 0;
  uint8_t fin_dirs = 0; // bit d: a FIN was seen from direction d
  bool reset = false;
  int64_t first_ns = 0, last_ns = 0;
  TcpConnState st;
};

struct UdpConn {
  uint32_t stream = 0;
  int64_t first_ns = 0, last_ns = 0;
};

int64_t ns_of(const Frame& f) {
  return f.ts.sec * 1'000'000'000 + f.ts.nsec;
}

// Timeouts that bound the tables (capture time). They only apply while a table holds more than
// kSoftLimit entries, so ordinary captures keep exactly the stream numbering of tshark, which
// never forgets a conversation.
constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kTcpClosedGrace = 120 * kSecond; // FIN both ways or RST, then stragglers
constexpr int64_t kTcpIdle = 2 * 3600 * kSecond;
constexpr int64_t kUdpIdle = 60 * kSecond;
constexpr int64_t kSweepEvery = 30 * kSecond;
constexpr size_t kSoftLimit = 65536;

// The tables' hash: a few multiply-mix rounds over the key's words, for every packet. (FlowKeyHash,
// a byte-at-a-time FNV-1a, stays as it is: connection uids, which are printed, derive from it.)
struct FastFlowKeyHash {
  size_t operator()(const FlowKey& k) const noexcept {
    uint64_t w[4];
    std::memcpy(w, k.a.data(), 16);
    std::memcpy(w + 2, k.b.data(), 16);
    uint64_t h = (uint64_t{k.a_port} | uint64_t{k.b_port} << 16 | uint64_t{k.proto} << 32 |
                  uint64_t{k.ip_version} << 40) *
                 0x9e3779b97f4a7c15ull;
    for (uint64_t x : w) {
      h = (h ^ x) * 0xbf58476d1ce4e5b9ull;
      h ^= h >> 31;
    }
    return static_cast<size_t>(h);
  }
};

} // namespace

struct FlowTracker::Impl {
  std::unordered_map<FlowKey, TcpConn, FastFlowKeyHash> tcp;
  std::unordered_map<FlowKey, UdpConn, FastFlowKeyHash> udp;
  uint32_t next_tcp = 0, next_udp = 0;
  int64_t next_sweep = 0;
  bool analyze = true;
  size_t max_connections = Limits{}.max_connections;
  uint64_t evicted = 0;

  static bool closed(const TcpConn& c) { return c.reset || c.fin_dirs == 3; }
  static bool closed(const UdpConn&) { return false; }

  // Makes room for `key` when the table is full and `key` is not in it: closed connections go first
  // (forgetting them costs nothing but a straggler's stream number), then the least recently active
  // ones, which are counted.
  template <class Map> void make_room(Map& m, const FlowKey& key) {
    if (m.size() < max_connections || m.find(key) != m.end()) return;
    const size_t keep = entries_kept_after_eviction(max_connections);
    std::erase_if(m, [](const auto& kv) { return closed(kv.second); });
    evicted += evict_least_recent(
        m, keep, [](const auto& c) { return c.last_ns; }, [](const auto&, const auto&) {});
  }

  void maybe_sweep(int64_t now) {
    if (now < next_sweep) return;
    next_sweep = now + kSweepEvery;
    if (tcp.size() > kSoftLimit) {
      std::erase_if(tcp, [now](const auto& kv) {
        const TcpConn& c = kv.second;
        bool closed = c.reset || c.fin_dirs == 3;
        return now - c.last_ns > (closed ? kTcpClosedGrace : kTcpIdle);
      });
    }
    if (udp.size() > kSoftLimit)
      std::erase_if(udp, [now](const auto& kv) { return now - kv.second.last_ns > kUdpIdle; });
  }

  void udp_packet(const Decoded& d, int64_t now, PacketMeta& meta) {
    bool fwd = true;
    const FlowKey key = make_flow_key(d, fwd);
    make_room(udp, key);
    auto [it, fresh] = udp.try_emplace(key);
    UdpConn& c = it->second;
    if (fresh) {
      c.stream = next_udp++;
      c.first_ns = c.last_ns = now;
    }
    meta.udp.valid = true;
    meta.udp.stream = c.stream;
    meta.udp.time_relative_ns = now - c.first_ns;
    meta.udp.time_delta_ns = now - c.last_ns;
    c.last_ns = now;
  }

  void tcp_packet(const Decoded& d, const wire::TcpView& t, int64_t now, PacketMeta& meta) {
    bool fwd = true;
    const FlowKey key = make_flow_key(d, fwd);
    make_room(tcp, key);
    auto [it, fresh] = tcp.try_emplace(key);
    TcpConn& c = it->second;
    const int dir = fwd ? 0 : 1;
    const uint16_t flags = t.flags();
    uint32_t pre_flags = 0;
    TcpDirState& me = c.st.dir[dir];
    // A SYN on a known tuple: a different ISN starts a new connection (new stream); the same
    // ISN is a retransmitted SYN, which restarts this side's expected sequence number.
    if (!fresh && (flags & (kSyn | kAck)) == kSyn && me.base_set) {
      pre_flags = kPortReuse;
      if (t.seq() != me.base_seq) {
        c = TcpConn{};
        fresh = true;
      } else {
        me.nextseq = me.maxseqtobeacked;
      }
    } else if (!fresh && (flags & (kSyn | kAck)) == (kSyn | kAck) && me.base_set && t.seq() != me.base_seq) {
      me.base_seq = t.seq();
      pre_flags = kPortReuse;
    }
    if (fresh) {
      c.stream = next_tcp++;
      c.first_ns = c.last_ns = now;
    }
    if (flags & kFin) c.fin_dirs |= static_cast<uint8_t>(1u << dir);
    if (flags & kRst) c.reset = true;

    TcpSegment s;
    s.frame = d.frame->number;
    s.ts_ns = now;
    s.seq = t.seq();
    s.ack = t.ack();
    s.seglen = d.payload_len + d.payload_missing;
    s.flags = flags;
    s.window = t.window();
    s.has_seglen = !d.ip_fragment;
    s.opts = scan_tcp_options(t.options());

    TcpMeta& m = meta.tcp;
    m.valid = true;
    m.stream = c.stream;
    if (analyze)
      analyze_tcp_segment(c.st, dir, s, pre_flags, m);
    else
      number_tcp_segment(c.st, dir, s, m);
    m.time_relative_ns = now - c.first_ns;
    m.time_delta_ns = now - c.last_ns;
    c.last_ns = now;
  }
};

FlowTracker::FlowTracker(bool analyze, size_t max_connections) : impl_(std::make_unique<Impl>()) {
  impl_->analyze = analyze;
  impl_->max_connections = std::max<size_t>(1, max_connections);
}
FlowTracker::~FlowTracker() = default;
uint32_t FlowTracker::tcp_streams() const {
  return impl_->next_tcp;
}
uint32_t FlowTracker::udp_streams() const {
  return impl_->next_udp;
}
size_t FlowTracker::tcp_table_size() const {
  return impl_->tcp.size();
}
size_t FlowTracker::udp_table_size() const {
  return impl_->udp.size();
}
uint64_t FlowTracker::evicted() const {
  return impl_->evicted;
}

void FlowTracker::process(const Decoded& d, PacketMeta& meta) {
  meta = PacketMeta{};
  const LayerSpan* l4 = d.l4();
  if (!l4 || d.ip_layer < 0) return;
  const int64_t now = ns_of(*d.frame);
  impl_->maybe_sweep(now);
  if (l4->kind == Layer::Udp) {
    impl_->udp_packet(d, now, meta);
    return;
  }
  if (l4->kind != Layer::Tcp) return;
  wire::Bytes b = d.bytes(*l4);
  if (wire::TcpView::check(b)) return; // no whole header: nothing to track
  impl_->tcp_packet(d, wire::TcpView(b), now, meta);
}

} // namespace ps
