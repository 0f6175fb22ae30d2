#include "engine/engine.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "engine/connection_table.h"
#include "engine/progress.h"
#include "wire/tcp.h"

namespace ps {

namespace {

using namespace wire::tcpflag;

int64_t ns_of(const Timestamp& t) {
  return t.sec * 1'000'000'000 + t.nsec;
}

constexpr int64_t kSecond = 1'000'000'000;
// When an entry whose record is finished is forgotten, once the table holds more than kSoftLimit
// entries: ordinary captures keep exactly tshark's stream numbering, which never forgets.
constexpr size_t kSoftLimit = 65536;
constexpr int64_t kDoneShortNs = 120 * kSecond; // closed TCP (stragglers), idle UDP
constexpr int64_t kDoneLongNs = 2 * 3600 * kSecond;
constexpr int64_t kUdpDoneNs = 60 * kSecond;

// The app layer's verdict as the connection record keeps it. A verdict by port keeps the record's own
// IANA name (the app layer knows only the few protocols it analyzes).
bool record_source(const app::StreamService& s, ServiceSource& source) {
  if (!s.decided || s.service == app::Service::None) return false;
  switch (s.source) {
  case app::ServiceSource::User:
    source = ServiceSource::User;
    return true;
  case app::ServiceSource::Expected:
    source = ServiceSource::Expected;
    return true;
  case app::ServiceSource::Content:
    source = ServiceSource::Content;
    return true;
  case app::ServiceSource::Port:
  case app::ServiceSource::None:
    return false;
  }
  return false;
}

// The fragment limit of a run (Limits::fragment_bytes).
DefragOptions defrag_options(const Limits& limits) {
  DefragOptions o;
  o.max_pending_bytes = limits.fragment_bytes;
  return o;
}

} // namespace

struct Engine::Impl {
  EngineOptions opt;
  FrameDecoder decoder;
  app::AppEngine app;
  ConnectionTable table;
  PacketConsumer packet_consumer;
  ConnConsumer conn_consumer;
  std::function<bool(const Frame&)> frame_filter;
  Decoded pkt;
  Decoded tunnel_pkt; // the outer UDP flow of a UDP tunnel, tracked as a connection of its own
  PacketMeta meta;
  app::AppFrame app_frame;
  uint32_t next_tcp = 0, next_udp = 0;
  uint64_t evicted = 0, analyses_evicted = 0;
  size_t max_entries;

  TcpDetail tcp_detail;

  explicit Impl(EngineOptions o)
      : opt(std::move(o)), decoder(opt.defrag.value_or(defrag_options(opt.limits))), app(app_options(opt)),
        max_entries(std::max<size_t>(1, opt.limits.max_connections)),
        tcp_detail(opt.needs.analysis  ? TcpDetail::Analysis
                   : opt.needs.numbers ? TcpDetail::Numbers
                                       : TcpDetail::Stream) {}

  static app::EngineOptions app_options(const EngineOptions& o) {
    app::EngineOptions a;
    a.decode_as = o.decode_as;
    a.check_checksums = o.check_checksums;
    a.keep_transactions = o.needs.transactions;
    a.limits = o.limits;
    a.service_only = o.needs.service_only;
    return a;
  }

  int64_t record_timeout(uint8_t list) const {
    return list == kListEnded ? opt.close_grace_ns : list == kListUdp ? opt.udp_idle_ns : opt.tcp_idle_ns;
  }

  bool record_ended(const Connection& c) const {
    if (c.proto != 6) return false;
    return c.account ? c.account->ended() : c.track.closed();
  }

  uint8_t open_list(const Connection& c) const {
    return c.proto == 17 ? kListUdp : record_ended(c) ? kListEnded : kListTcp;
  }

  void apply_service(Connection& c) {
    if (c.service_applied || !c.app.service.decided) return;
    c.service_applied = true;
    if (!c.account) return;
    ConnRecord& r = c.account->rec;
    ServiceSource src = ServiceSource::None;
    if (record_source(c.app.service, src)) {
      r.service.assign(app::service_name(c.app.service.service));
      r.service_source = src;
    }
    if (c.app.service.parent && c.app.service.parent->uid != r.uid) r.parent = c.app.service.parent;
  }

  // The record is over: the analysis delivers what it holds, then the record goes to the consumer.
  void finish_record(Connection& c) {
    if (!c.record_open) return;
    c.record_open = false;
    if (c.app.active()) {
      app.close(c.app);
      apply_service(c);
    }
    if (c.account) {
      ConnAccount& a = *c.account;
      account_complete(a, a.rec);
      a.rec.marked = c.marked;
      if (conn_consumer) conn_consumer(std::move(a.rec));
      c.account.reset(); // a finished entry keeps only what numbers its stream
    }
  }

  void forget(uint32_t i) {
    finish_record(table[i]);
    table.erase(i);
  }

  // Records whose time is up end; finished entries go once the table is large.
  // The earliest capture time at which a list head can be due: expire() does nothing before it.
  int64_t next_due = INT64_MIN;
  int64_t list_timeout(uint8_t l, const Connection& c) const {
    if (l <= kListEnded) return record_timeout(l);
    return l == kListDoneLong ? kDoneLongNs : c.proto == 17 ? kUdpDoneNs : kDoneShortNs;
  }
  // An entry went to the tail of list `l` at `now`: it may be due before anything else.
  void listed(uint8_t l, const Connection& c, int64_t now) {
    next_due = std::min(next_due, now + list_timeout(l, c) + 1);
  }
  void compute_next_due() {
    next_due = INT64_MAX;
    for (uint8_t l = 0; l < kListCount; ++l) {
      if (l > kListEnded && table.size() <= kSoftLimit) break;
      const uint32_t h = table.head(l);
      if (h != ConnectionTable::kNone)
        next_due = std::min(next_due, table[h].track.last_ns + list_timeout(l, table[h]) + 1);
    }
  }

  void expire(int64_t now) {
    if (now < next_due) return;
    expire_due(now);
    compute_next_due();
  }

  void expire_due(int64_t now) {
    for (uint8_t l : {kListTcp, kListUdp, kListEnded}) {
      const int64_t limit = record_timeout(l);
      for (uint32_t h = table.head(l); h != ConnectionTable::kNone && table[h].track.last_ns + limit < now;
           h = table.head(l)) {
        Connection& c = table[h];
        finish_record(c);
        table.touch(h, c.proto == 6 && !c.track.closed() ? kListDoneLong : kListDoneShort);
      }
    }
    if (table.size() <= kSoftLimit) return;
    for (uint8_t l : {kListDoneShort, kListDoneLong}) {
      for (uint32_t h = table.head(l); h != ConnectionTable::kNone; h = table.head(l)) {
        const int64_t limit = l == kListDoneLong     ? kDoneLongNs
                              : table[h].proto == 17 ? kUdpDoneNs
                                                     : kDoneShortNs;
        if (table[h].track.last_ns + limit >= now) break;
        table.erase(h);
      }
    }
  }

  // Makes room for one more entry: a finished one goes first, then one whose record is over (both
  // uncounted), else the least recently active open one (counted: it was cut short).
  void make_room() {
    while (table.size() >= max_entries) {
      uint32_t victim = ConnectionTable::kNone;
      for (uint8_t l : {kListDoneShort, kListDoneLong, kListEnded})
        if (victim == ConnectionTable::kNone) victim = table.head(l);
      if (victim == ConnectionTable::kNone) {
        for (uint8_t l : {kListTcp, kListUdp}) {
          uint32_t h = table.head(l);
          if (h != ConnectionTable::kNone &&
              (victim == ConnectionTable::kNone || table[h].track.last_ns < table[victim].track.last_ns))
            victim = h;
        }
        if (victim == ConnectionTable::kNone) return;
        ++evicted;
        if (table[victim].app.active()) ++analyses_evicted;
      }
      forget(victim);
    }
  }

  void open_record(Connection& c, const Decoded& d) {
    c.record_open = true;
    c.record_first_ts = d.frame->ts;
    c.service_applied = false;
    c.marked = false;
    c.uid = conn_uid(c.key, d.frame->ts, c.proto, c.track.stream);
    if (!opt.needs.records) return;
    if (!c.account) c.account = std::make_unique<ConnAccount>();
    const bool sender_is_orig =
        d.src_port == c.orig_port() && std::memcmp(d.src_ip, c.orig_ip(), d.ip_version == 6 ? 16 : 4) == 0;
    account_open(*c.account, d, c.key, c.proto, c.track.stream, sender_is_orig, c.inferred);
    if (c.proto == 17 && !opt.decode_as.empty()) {
      app::Service s = opt.decode_as.lookup(false, d.src_port, d.dst_port);
      if (s != app::Service::None) {
        c.account->rec.service.assign(app::service_name(s));
        c.account->rec.service_source = ServiceSource::User;
      }
    }
    if (c.app.service.decided) apply_service(c);
  }

  // A fresh entry: its stream index and who is the client.
  void start(Connection& c, const Decoded& d, uint8_t proto, uint16_t flags, bool forward, int64_t now) {
    c.proto = proto;
    c.track = StreamTrack{};
    c.track.stream = proto == 6 ? next_tcp++ : next_udp++;
    c.track.first_ns = c.track.last_ns = now;
    c.app = app::AppSlot{};
    bool inferred = false;
    const bool sender_is_orig = first_sender_is_originator(proto, flags, d.src_port, d.dst_port, inferred);
    c.inferred = inferred;
    c.orig_is_a = sender_is_orig == forward;
  }

  bool packet(const Frame& frame) {
    if (frame_filter && !frame_filter(frame)) return true;
    decoder.decode(frame, pkt);
    meta = PacketMeta{};
    const bool app_wanted = opt.needs.app;
    if (app_frame.valid) app_frame.clear(); // only the application layer fills it, and only for TCP
    Connection* conn = nullptr;
    bool from_orig = true;
    const LayerSpan* l4 = pkt.l4();
    // A UDP tunnel's own flow first, as tshark numbers it; Zeek logs it and names it as the parent.
    uint64_t tunnel_uid = 0;
    if (opt.needs.streams && pkt.outer_ip_layer >= 0 && tunnel_udp_view(pkt, tunnel_pkt)) [[unlikely]] {
      bool outer_from_orig = true;
      Connection* t = track(frame, tunnel_pkt.bytes(*tunnel_pkt.l4()), false, outer_from_orig, tunnel_pkt);
      meta.outer_udp = meta.udp;
      meta.udp = UdpMeta{};
      tunnel_uid = t ? t->uid : 0;
    }
    if (opt.needs.streams && l4 && pkt.ip_layer >= 0 && (l4->kind == Layer::Tcp || l4->kind == Layer::Udp)) {
      const bool tcp = l4->kind == Layer::Tcp;
      wire::Bytes seg = pkt.bytes(*l4);
      if (!tcp || !wire::TcpView::check(seg)) conn = track(frame, seg, tcp, from_orig, pkt);
      if (tunnel_uid && conn && conn->account) conn->account->rec.tunnel_uid = tunnel_uid;
    }
    if (!packet_consumer) return true;
    PacketView v{frame, pkt, meta, app_wanted ? &app_frame : nullptr, conn, from_orig};
    return packet_consumer(v);
  }

  Connection* track(const Frame& frame, wire::Bytes seg, bool tcp, bool& from_orig, const Decoded& d) {
    const int64_t now = ns_of(frame.ts);
    expire(now);
    bool forward = true;
    const FlowKey key = make_flow_key(d, forward);
    const uint8_t proto = tcp ? 6 : 17;
    uint32_t i = table.find(key);
    bool fresh = false;
    const uint16_t flags = tcp ? wire::TcpView(seg).flags() : 0;
    if (i == ConnectionTable::kNone) {
      make_room();
      i = table.insert(key, tcp ? kListTcp : kListUdp);
      listed(tcp ? kListTcp : kListUdp, table[i], now);
      if (table.size() == kSoftLimit + 1) next_due = INT64_MIN; // finished entries may go from now on
      fresh = true;
    }
    Connection& c = table[i];
    const int dir = forward ? 0 : 1;
    uint32_t pre_flags = 0;
    if (!fresh && tcp) {
      bool restart = false;
      pre_flags = tcp_reuse_check(c.track, dir, wire::TcpView(seg), restart);
      if (restart) {
        finish_record(c);
        c.account.reset();
        fresh = true;
      }
    }
    if (fresh) start(c, d, proto, flags, forward, now);
    if (!c.record_open) open_record(c, d);
    if (tcp)
      track_tcp(c.track, dir, d, wire::TcpView(seg), now, tcp_detail, pre_flags, meta);
    else
      track_udp(c.track, now, meta);
    from_orig = c.from_orig(forward);
    if (c.account) account_packet(*c.account, d, from_orig);
    if (opt.needs.app && tcp && !c.app.closed) {
      app::Endpoints ends{c.track.stream, c.uid,         d.ip_version, c.orig_ip(),
                          c.resp_ip(),    c.orig_port(), c.resp_port()};
      app.process(c.app, ends, from_orig, d, meta, app_frame);
      apply_service(c);
    }
    const uint8_t list = open_list(c);
    if (c.list != list) listed(list, c, now); // a move to the tail of its own list keeps next_due valid
    table.touch(i, list);
    return &c;
  }

  std::vector<uint32_t> open_in_order() const {
    std::vector<uint32_t> v;
    table.for_each([&](uint32_t i, const Connection& c) {
      if (c.record_open) v.push_back(i);
    });
    std::sort(v.begin(), v.end(), [this](uint32_t a, uint32_t b) {
      const Connection &x = table[a], &y = table[b];
      if (x.record_first_ts != y.record_first_ts) return x.record_first_ts < y.record_first_ts;
      if (x.proto != y.proto) return x.proto < y.proto;
      return x.track.stream < y.track.stream;
    });
    return v;
  }
};

Engine::Engine(EngineOptions opt) : impl_(std::make_unique<Impl>(std::move(opt))) {}
Engine::~Engine() = default;

void Engine::on_packet(PacketConsumer c) {
  impl_->packet_consumer = std::move(c);
}
void Engine::on_connection(ConnConsumer c) {
  impl_->conn_consumer = std::move(c);
}
void Engine::set_frame_filter(std::function<bool(const Frame&)> f) {
  impl_->frame_filter = std::move(f);
}

bool Engine::process(const Frame& frame) {
  return impl_->packet(frame);
}

RunResult Engine::run(CaptureReader& reader, const RunLimits& limits) {
  RunResult res;
  Frame frame;
  while ((limits.max_frames == 0 || res.frames < limits.max_frames) && reader.next(frame)) {
    if (res.frames == 0) res.first_ts = frame.ts;
    if (limits.stop_before && limits.stop_before(frame)) break;
    ++res.frames;
    if (!impl_->packet(frame)) {
      res.stopped = true;
      break;
    }
    if (limits.progress) limits.progress->update(frame.file_offset, res.frames);
  }
  if (limits.progress) limits.progress->finish();
  return res;
}

void Engine::advance_clock(Timestamp now) {
  impl_->expire(ns_of(now));
}

void Engine::finish() {
  for (uint32_t i : impl_->open_in_order()) impl_->finish_record(impl_->table[i]);
}

void Engine::for_each_open(const std::function<void(const ConnRecord&)>& visit) const {
  for (uint32_t i : impl_->open_in_order()) {
    const Connection& c = impl_->table[i];
    if (!c.account) continue;
    ConnRecord snapshot = c.account->rec;
    account_complete(*c.account, snapshot);
    snapshot.marked = c.marked;
    visit(snapshot);
  }
}

const app::Transactions& Engine::transactions() const {
  return impl_->app.transactions();
}

LimitHits Engine::limit_hits() const {
  LimitHits h;
  h.connections_evicted = impl_->evicted;
  h.analyses_evicted = impl_->analyses_evicted;
  impl_->app.add_limit_hits(h);
  h.datagrams_dropped += impl_->decoder.defrag_counters().dropped_datagrams;
  return h;
}

const DefragCounters& Engine::defrag_counters() const {
  return impl_->decoder.defrag_counters();
}
uint32_t Engine::tcp_streams() const {
  return impl_->next_tcp;
}
uint32_t Engine::udp_streams() const {
  return impl_->next_udp;
}
size_t Engine::table_size() const {
  return impl_->table.size();
}

} // namespace ps
