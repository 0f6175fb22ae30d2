#include "flow/conn_table.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>
#include <vector>

#include "flow/conn_tcp_state.h"
#include "flow/flow_key.h"
#include "services/port_registry.h"
#include "wire/bytes.h"
#include "wire/tcp.h"

namespace ps {

namespace {

constexpr uint32_t kNone = UINT32_MAX;

// Open connections sit on one of these lists, oldest activity first, each with its own timeout, so
// expiry only ever looks at list heads.
enum ListId : uint8_t { kTcpList, kUdpList, kEndedList, kListCount };

int64_t ns_of(const Timestamp& t) {
  return t.sec * 1'000'000'000 + t.nsec;
}

// IP total length (IPv4 header field; IPv6 payload length + 40), as Zeek counts ip_bytes.
uint64_t ip_total_len(const Decoded& d) {
  const LayerSpan& ip = d.layers[static_cast<size_t>(d.ip_layer)];
  auto data = d.frame->data;
  if (d.ip_version == 4 && ip.offset + 4 <= data.size()) return wire::be16(&data[ip.offset + 2]);
  if (d.ip_version == 6 && ip.offset + 6 <= data.size()) return 40u + wire::be16(&data[ip.offset + 4]);
  return ip.length;
}

} // namespace

bool conn_stream_of(const Decoded& d, const PacketMeta& meta, uint8_t& proto, uint32_t& stream) noexcept {
  const LayerSpan* l4 = d.l4();
  if (!l4 || d.ip_layer < 0 || !d.frame) return false;
  if (l4->kind == Layer::Tcp && meta.tcp.valid) {
    proto = 6;
    stream = meta.tcp.stream;
    return true;
  }
  if (l4->kind == Layer::Udp && meta.udp.valid) {
    proto = 17;
    stream = meta.udp.stream;
    return true;
  }
  return false;
}

bool likely_server_port(uint8_t proto, uint16_t port) noexcept {
  if (port == 0) return false;
  if (port < 1024) return true;
  if (port >= 49152) return false;
  return !port_service_name(proto == 17 ? Transport::Udp : Transport::Tcp, port).empty();
}

struct ConnTable::Impl {
  struct OpenConn {
    ConnRecord rec;
    ConnTcpState tcp;
    FlowKey key;
    bool used = false;
    bool orig_sent = false, resp_sent = false; // UDP activity per side
    uint8_t list = kTcpList;
    uint32_t prev = kNone, next = kNone;
    int64_t last_activity_ns = 0;
  };
  struct List {
    uint32_t head = kNone, tail = kNone;
  };

  ConnSink sink;
  ConnTableOptions opt;
  std::vector<OpenConn> slots;
  std::vector<uint32_t> free_slots;
  std::unordered_map<uint64_t, uint32_t> by_stream; // (proto << 32 | stream) -> slot
  std::unordered_map<FlowKey, uint32_t, FlowKeyHash> by_tuple;
  List lists[kListCount];
  size_t open = 0;
  uint64_t finished = 0, evicted = 0;

  static uint64_t stream_id(uint8_t proto, uint32_t stream) { return (uint64_t{proto} << 32) | stream; }

  int64_t timeout(uint8_t list) const {
    return list == kEndedList ? opt.close_grace_ns : list == kUdpList ? opt.udp_idle_ns : opt.tcp_idle_ns;
  }

  void unlink(uint32_t i) {
    OpenConn& c = slots[i];
    List& l = lists[c.list];
    if (c.prev != kNone)
      slots[c.prev].next = c.next;
    else
      l.head = c.next;
    if (c.next != kNone)
      slots[c.next].prev = c.prev;
    else
      l.tail = c.prev;
    c.prev = c.next = kNone;
  }

  void push_tail(uint32_t i, uint8_t list) {
    OpenConn& c = slots[i];
    c.list = list;
    List& l = lists[list];
    c.prev = l.tail;
    c.next = kNone;
    if (l.tail != kNone)
      slots[l.tail].next = i;
    else
      l.head = i;
    l.tail = i;
  }

  // The record with its derived fields (states, sizes) filled in from the live analysis.
  static void complete(const OpenConn& c, ConnRecord& r) {
    if (r.proto == 6) {
      r.conn_state = c.tcp.conn_state(r.history);
      r.orig_bytes = c.tcp.size(true);
      r.resp_bytes = c.tcp.size(false);
      r.orig_tcp = c.tcp.netstat(true);
      r.resp_tcp = c.tcp.netstat(false);
    } else if (c.orig_sent) {
      r.conn_state = c.resp_sent ? ConnState::SF : ConnState::S0;
    } else {
      r.conn_state = c.resp_sent ? ConnState::SHR : ConnState::OTH;
    }
  }

  void finish(uint32_t i) {
    OpenConn& c = slots[i];
    complete(c, c.rec);
    unlink(i);
    by_stream.erase(stream_id(c.rec.proto, c.rec.stream));
    auto t = by_tuple.find(c.key);
    if (t != by_tuple.end() && t->second == i) by_tuple.erase(t);
    ConnRecord rec = std::move(c.rec);
    c = OpenConn{};
    free_slots.push_back(i);
    --open;
    ++finished;
    sink(std::move(rec));
  }

  void expire(int64_t now) {
    for (uint8_t l = 0; l < kListCount; ++l) {
      int64_t limit = timeout(l);
      while (lists[l].head != kNone && slots[lists[l].head].last_activity_ns + limit < now)
        finish(lists[l].head);
    }
  }

  // Makes room for one connection: finishes an ended one waiting out its grace period if any, else
  // the least recently active open one (counted: it was cut short).
  void evict_one() {
    if (lists[kEndedList].head != kNone) return finish(lists[kEndedList].head);
    uint32_t oldest = kNone;
    for (const List& l : lists)
      if (l.head != kNone &&
          (oldest == kNone || slots[l.head].last_activity_ns < slots[oldest].last_activity_ns))
        oldest = l.head;
    if (oldest == kNone) return;
    ++evicted;
    finish(oldest);
  }

  uint32_t create(const Decoded& d, const FlowKey& key, uint8_t proto, uint32_t stream, uint16_t tcp_flags) {
    uint32_t i;
    if (!free_slots.empty()) {
      i = free_slots.back();
      free_slots.pop_back();
    } else {
      i = static_cast<uint32_t>(slots.size());
      slots.emplace_back();
    }
    OpenConn& c = slots[i];
    c.used = true;
    c.key = key;
    ConnRecord& r = c.rec;
    r.stream = stream;
    r.proto = proto;
    r.ip_version = d.ip_version;
    r.first_ts = r.last_ts = r.last_seen_ts = d.frame->ts;

    // Who is the client: the SYN sender; the SYN-ACK sender is the server; otherwise ports decide.
    bool sender_is_orig;
    bool syn = tcp_flags & wire::tcpflag::kSyn, ack = tcp_flags & wire::tcpflag::kAck;
    if (proto == 6 && syn) {
      sender_is_orig = !ack;
      r.direction_inferred = ack;
    } else {
      bool ls = likely_server_port(proto, d.src_port), ld = likely_server_port(proto, d.dst_port);
      if (ls != ld)
        sender_is_orig = ld;
      else if (d.src_port != d.dst_port)
        sender_is_orig = d.dst_port < d.src_port;
      else
        sender_is_orig = true;
      r.direction_inferred = true;
    }
    r.first_from_orig = sender_is_orig;
    if (!sender_is_orig) r.history.add('^'); // Zeek marks flipped roles so
    size_t n = d.ip_version == 6 ? 16 : 4;
    const uint8_t* oh = sender_is_orig ? d.src_ip : d.dst_ip;
    const uint8_t* rh = sender_is_orig ? d.dst_ip : d.src_ip;
    std::memcpy(r.orig_h.data(), oh, n);
    std::memcpy(r.resp_h.data(), rh, n);
    r.orig_p = sender_is_orig ? d.src_port : d.dst_port;
    r.resp_p = sender_is_orig ? d.dst_port : d.src_port;

    std::string_view svc = port_service_name(proto == 17 ? Transport::Udp : Transport::Tcp, r.resp_p);
    if (!svc.empty()) {
      r.service.assign(svc);
      r.service_source = ServiceSource::Port;
    }
    r.uid = conn_uid(key, r.first_ts, proto, stream);

    by_stream.emplace(stream_id(proto, stream), i);
    by_tuple[key] = i;
    ++open;
    push_tail(i, proto == 17 ? kUdpList : kTcpList);
    return i;
  }

  bool from_orig(const ConnRecord& r, const Decoded& d) const {
    size_t n = d.ip_version == 6 ? 16 : 4;
    if (d.src_port != r.orig_p || std::memcmp(d.src_ip, r.orig_h.data(), n) != 0) return false;
    // Same address and port on both ends (a host talking to itself): count it as the originator.
    return true;
  }

  void process(const Decoded& d, const PacketMeta& meta) {
    uint8_t proto;
    uint32_t stream;
    if (!conn_stream_of(d, meta, proto, stream)) return;
    const LayerSpan* l4 = d.l4();
    const int64_t now = ns_of(d.frame->ts);
    expire(now);

    TcpSegment seg;
    if (proto == 6) {
      wire::TcpView t(d.bytes(*l4));
      seg.flags = t.flags();
      seg.seq = t.seq();
      seg.ack = t.ack();
      seg.window = t.window();
    }
    seg.len = d.payload_len + d.payload_missing;

    uint32_t i;
    auto it = by_stream.find(stream_id(proto, stream));
    if (it != by_stream.end()) {
      i = it->second;
    } else {
      bool fwd;
      FlowKey key = make_flow_key(d, fwd);
      auto old = by_tuple.find(key);
      if (old != by_tuple.end()) finish(old->second); // the tuple was reused by a new connection
      while (open >= std::max<size_t>(1, opt.max_open)) evict_one();
      i = create(d, key, proto, stream, seg.flags);
    }
    OpenConn& c = slots[i];
    ConnRecord& r = c.rec;
    const bool is_orig = from_orig(r, d);
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
    if (d.frame->ts > r.last_seen_ts) r.last_seen_ts = d.frame->ts;
    if (d.frame->ts < r.first_ts) r.first_ts = d.frame->ts;

    if (proto == 6) {
      // Zeek stops the clock once both sides have closed: a trailing ACK does not lengthen it.
      if (!c.tcp.both_did_close() && d.frame->ts > r.last_ts) r.last_ts = d.frame->ts;
      c.tcp.process(is_orig, seg, r.history, r.missed_bytes);
    } else {
      if (d.frame->ts > r.last_ts) r.last_ts = d.frame->ts;
      bool& sent = is_orig ? c.orig_sent : c.resp_sent;
      if (!sent) r.history.add(is_orig ? 'D' : 'd');
      sent = true;
      (is_orig ? r.orig_bytes : r.resp_bytes) += seg.len;
    }

    unlink(i);
    c.last_activity_ns = now;
    push_tail(i, proto == 17 ? kUdpList : c.tcp.ended() ? kEndedList : kTcpList);
  }

  std::vector<uint32_t> open_in_order() const {
    std::vector<uint32_t> v;
    v.reserve(open);
    for (uint32_t i = 0; i < slots.size(); ++i)
      if (slots[i].used) v.push_back(i);
    std::sort(v.begin(), v.end(), [this](uint32_t a, uint32_t b) {
      const ConnRecord &x = slots[a].rec, &y = slots[b].rec;
      if (x.first_ts != y.first_ts) return x.first_ts < y.first_ts;
      if (x.proto != y.proto) return x.proto < y.proto;
      return x.stream < y.stream;
    });
    return v;
  }
};

ConnTable::ConnTable(ConnSink on_finished, ConnTableOptions opt) : impl_(std::make_unique<Impl>()) {
  impl_->sink = std::move(on_finished);
  impl_->opt = opt;
}
ConnTable::~ConnTable() = default;

void ConnTable::process(const Decoded& pkt, const PacketMeta& meta) {
  impl_->process(pkt, meta);
}

void ConnTable::finish_all() {
  for (uint32_t i : impl_->open_in_order()) impl_->finish(i);
}

void ConnTable::for_each_open(const ConnVisitor& visit) const {
  for (uint32_t i : impl_->open_in_order()) {
    ConnRecord snapshot = impl_->slots[i].rec;
    Impl::complete(impl_->slots[i], snapshot);
    visit(snapshot);
  }
}

bool ConnTable::set_service(uint8_t proto, uint32_t stream, std::string_view service, ServiceSource source) {
  auto it = impl_->by_stream.find(Impl::stream_id(proto, stream));
  if (it == impl_->by_stream.end()) return false;
  ConnRecord& r = impl_->slots[it->second].rec;
  r.service.assign(service);
  r.service_source = source;
  return true;
}

bool ConnTable::set_parent(uint8_t proto, uint32_t stream, uint8_t parent_proto, uint32_t parent_stream) {
  auto it = impl_->by_stream.find(Impl::stream_id(proto, stream));
  auto pt = impl_->by_stream.find(Impl::stream_id(parent_proto, parent_stream));
  if (it == impl_->by_stream.end() || pt == impl_->by_stream.end() || it->second == pt->second) return false;
  const ConnRecord& p = impl_->slots[pt->second].rec;
  auto link = std::make_shared<ConnParent>();
  link->uid = p.uid;
  link->stream = p.stream;
  link->proto = p.proto;
  link->ip_version = p.ip_version;
  link->orig_h = p.orig_h;
  link->resp_h = p.resp_h;
  link->orig_p = p.orig_p;
  link->resp_p = p.resp_p;
  impl_->slots[it->second].rec.parent = std::move(link);
  return true;
}

size_t ConnTable::open_count() const {
  return impl_->open;
}
uint64_t ConnTable::finished_count() const {
  return impl_->finished;
}
uint64_t ConnTable::evicted_count() const {
  return impl_->evicted;
}

} // namespace ps
