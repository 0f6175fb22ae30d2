#include "engine/engine.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>
#include <vector>

#include "app/detect.h"
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

// The fragment limit of a run (Limits::fragment_bytes), shared by the workers of a parallel run (each
// defragments every frame, and all decide alike).
DefragOptions defrag_options(const Limits& limits, const Shard& shard) {
  DefragOptions o;
  o.max_pending_bytes = limits.fragment_bytes / std::max<uint16_t>(1, shard.count);
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
  const bool parallel;

  // What is being emitted now, and the order of table events (forgets, evictions) within the frame:
  // every worker sees the same ones.
  EmitTag tag;
  uint64_t frame_events = 0;
  uint8_t touch_sub = 0;
  Timestamp first_ts, previous_ts;
  bool any_frame = false;
  TransactionTags txn_tags;

  // Parallel runs: address pairs that carry FTP control connections, and their owner, so that data
  // connections (announced between the same hosts) are analyzed by the worker that saw the announcement.
  struct PairKey {
    std::array<uint8_t, 16> lo{}, hi{};
    bool operator==(const PairKey&) const = default;
  };
  struct PairHash {
    size_t operator()(const PairKey& k) const noexcept {
      uint64_t w[4];
      std::memcpy(w, k.lo.data(), 16);
      std::memcpy(w + 2, k.hi.data(), 16);
      return static_cast<size_t>((w[0] * 0x9e3779b97f4a7c15ull) ^ (w[1] * 0xbf58476d1ce4e5b9ull) ^
                                 (w[2] * 0x94d049bb133111ebull) ^ w[3]);
    }
  };
  std::unordered_map<PairKey, uint16_t, PairHash> ftp_pairs;
  static constexpr size_t kMaxFtpPairs = 65536;

  explicit Impl(EngineOptions o)
      : opt(std::move(o)), decoder(opt.defrag.value_or(defrag_options(opt.limits, opt.shard))),
        app(app_options(opt)), max_entries(std::max<size_t>(1, opt.limits.max_connections)),
        tcp_detail(opt.needs.analysis  ? TcpDetail::Analysis
                   : opt.needs.numbers ? TcpDetail::Numbers
                                       : TcpDetail::Stream),
        parallel(opt.shard.count > 1) {}

  static app::EngineOptions app_options(const EngineOptions& o) {
    app::EngineOptions a;
    a.decode_as = o.decode_as;
    a.check_checksums = o.check_checksums;
    a.keep_transactions = o.needs.transactions;
    a.limits = o.limits;
    a.service_only = o.needs.service_only;
    a.tls_app_data = o.needs.tls_app_data;
    a.http_bodies = o.needs.http_bodies;
    return a;
  }

  void set_tag(uint8_t phase, uint64_t a = 0, uint64_t b = 0, uint64_t c = 0) {
    tag.phase = phase;
    tag.a = a;
    tag.b = b;
    tag.c = c;
  }

  // New transactions take the tag of what produced them.
  void tag_transactions() {
    if (!opt.needs.transactions) return;
    const app::Transactions& t = app.transactions();
    auto fill = [this](std::vector<EmitTag>& tags, size_t n) {
      while (tags.size() < n) tags.push_back(tag);
    };
    fill(txn_tags.http, t.http.size());
    fill(txn_tags.ftp, t.ftp.size());
    fill(txn_tags.smtp, t.smtp.size());
    fill(txn_tags.pop3, t.pop3.size());
    fill(txn_tags.ssl, t.ssl.size());
    fill(txn_tags.ssh, t.ssh.size());
  }

  int64_t record_timeout(uint8_t list) const {
    return list == kListEnded ? opt.close_grace_ns : list == kListUdp ? opt.udp_idle_ns : opt.tcp_idle_ns;
  }
  static int64_t entry_timeout(uint8_t list) {
    return list == kEntryTcp ? kDoneLongNs : list == kEntryUdp ? kUdpDoneNs : kDoneShortNs;
  }

  bool record_ended(const Connection& c) const {
    if (c.proto != 6) return false;
    return c.account ? c.account->ended() : c.track.closed();
  }

  uint8_t record_list_of(const Connection& c) const {
    return c.proto == 17 ? kListUdp : record_ended(c) ? kListEnded : kListTcp;
  }
  static uint8_t entry_list_of(const Connection& c) {
    return c.proto == 17 ? kEntryUdp : c.track.closed() ? kEntryClosed : kEntryTcp;
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
      tag_transactions();
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

  // The earliest capture time at which a list head can be due: expire() does nothing before it.
  int64_t next_due = INT64_MIN;
  // Entry i went to the tail of record list `l` at `now`: it may be due before anything else.
  void record_listed(uint8_t l, int64_t now) { next_due = std::min(next_due, now + record_timeout(l) + 1); }
  void entry_listed(uint8_t l, int64_t now) {
    if (table.size() > kSoftLimit) next_due = std::min(next_due, now + entry_timeout(l) + 1);
  }
  void compute_next_due() {
    next_due = INT64_MAX;
    for (uint8_t l = 0; l < kRecordListCount; ++l) {
      const uint32_t h = table.record_head(l);
      if (h != ConnectionTable::kNone)
        next_due = std::min(next_due, table[h].track.last_ns + record_timeout(l) + 1);
    }
    if (table.size() <= kSoftLimit) return;
    for (uint8_t l = 0; l < kEntryListCount; ++l) {
      const uint32_t h = table.head(l);
      if (h != ConnectionTable::kNone)
        next_due = std::min(next_due, table[h].track.last_ns + entry_timeout(l) + 1);
    }
  }

  void expire(int64_t now) {
    if (now < next_due) return;
    expire_due(now);
    compute_next_due();
  }

  // Records whose time is up end; idle entries go once the table is large.
  void expire_due(int64_t now) {
    for (uint8_t l : {kListTcp, kListUdp, kListEnded}) {
      const int64_t limit = record_timeout(l);
      for (uint32_t h = table.record_head(l);
           h != ConnectionTable::kNone && table[h].track.last_ns + limit < now; h = table.record_head(l)) {
        Connection& c = table[h];
        set_tag(EmitTag::Expire, l, c.touch_frame, c.touch_sub);
        finish_record(c);
        table.touch_record(h, kNoRecordList);
      }
    }
    if (table.size() <= kSoftLimit) return;
    for (uint8_t l : {kEntryClosed, kEntryUdp, kEntryTcp}) {
      const int64_t limit = entry_timeout(l);
      for (uint32_t h = table.head(l); h != ConnectionTable::kNone && table[h].track.last_ns + limit < now;
           h = table.head(l)) {
        set_tag(EmitTag::Forget, frame_events++);
        forget(h);
      }
    }
  }

  // Makes room for one more entry: a closed connection goes first, else the least recently active
  // one (counted when its record was still open: it was cut short).
  void make_room() {
    while (table.size() >= max_entries) {
      uint32_t victim = table.head(kEntryClosed);
      if (victim == ConnectionTable::kNone) {
        for (uint8_t l : {kEntryTcp, kEntryUdp}) {
          uint32_t h = table.head(l);
          if (h != ConnectionTable::kNone &&
              (victim == ConnectionTable::kNone || table[h].track.last_ns < table[victim].track.last_ns))
            victim = h;
        }
        if (victim == ConnectionTable::kNone) return;
      }
      const Connection& v = table[victim];
      if (v.record_open && v.mine && v.record_list != kListEnded) {
        ++evicted;
        if (v.app.active()) ++analyses_evicted;
      }
      set_tag(EmitTag::Evict, frame_events++);
      forget(victim);
    }
  }

  void open_record(Connection& c, const Decoded& d) {
    c.record_open = true;
    c.record_first_ts = d.frame->ts;
    c.service_applied = false;
    c.marked = false;
    c.uid = conn_uid(c.key, d.frame->ts, c.proto, c.track.stream);
    if (!opt.needs.records || !c.mine) return;
    if (!c.account) c.account = std::make_unique<ConnAccount>();
    const bool sender_is_orig =
        d.src_port == c.orig_port() && std::memcmp(d.src_ip, c.orig_ip(), d.ip_version == 6 ? 16 : 4) == 0;
    account_open(*c.account, d, c.proto, c.track.stream, c.uid, sender_is_orig, c.inferred);
    if (c.proto == 17 && !opt.decode_as.empty()) {
      app::Service s = opt.decode_as.lookup(false, d.src_port, d.dst_port);
      if (s != app::Service::None) {
        c.account->rec.service.assign(app::service_name(s));
        c.account->rec.service_source = ServiceSource::User;
      }
    }
    if (c.app.service.decided) apply_service(c);
  }

  static PairKey pair_of(const FlowKey& k) {
    PairKey p;
    const bool swap = std::memcmp(k.a.data(), k.b.data(), 16) > 0;
    p.lo = swap ? k.b : k.a;
    p.hi = swap ? k.a : k.b;
    return p;
  }
  void note_ftp_pair(const Connection& c) {
    if (ftp_pairs.size() < kMaxFtpPairs) ftp_pairs.emplace(pair_of(c.key), c.owner);
  }
  // Which worker analyzes a new connection: its key's hash, or the owner of the FTP control connection
  // between the same hosts.
  uint16_t owner_of(const Connection& c) const {
    if (c.proto == 6 && !ftp_pairs.empty()) {
      auto it = ftp_pairs.find(pair_of(c.key));
      if (it != ftp_pairs.end()) return it->second;
    }
    return static_cast<uint16_t>(FlowKeyHash{}(c.key) % opt.shard.count);
  }

  // A fresh entry: its stream index, who is the client and, in a parallel run, who owns it.
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
    c.ftp_probed = false;
    if (!parallel) return;
    c.owner = owner_of(c);
    c.mine = c.owner == opt.shard.index;
    if (proto == 6 && (d.src_port == 21 || d.dst_port == 21 ||
                       opt.decode_as.lookup(true, d.src_port, d.dst_port) == app::Service::Ftp))
      note_ftp_pair(c);
  }

  // Parallel runs: an FTP banner on any port marks the hosts as an FTP pair.
  void probe_ftp(Connection& c, const Decoded& d, bool from_orig) {
    c.ftp_probed = true;
    if (app::detect_service(d.payload(), !from_orig, c.resp_port()) == app::Service::Ftp) note_ftp_pair(c);
  }

  // Whether this worker handles a packet that belongs to no connection: by its addresses, else by
  // its number.
  bool owns_unconnected(const Frame& frame) const {
    if (pkt.src_ip && pkt.dst_ip) {
      const size_t n = pkt.ip_version == 6 ? 16 : 4;
      uint64_t h = 0;
      for (size_t i = 0; i < n; ++i)
        h += (uint64_t{pkt.src_ip[i]} + uint64_t{pkt.dst_ip[i]}) << (8 * (i & 7));
      h *= 0x9e3779b97f4a7c15ull;
      return (h >> 32) % opt.shard.count == opt.shard.index;
    }
    return frame.number % opt.shard.count == opt.shard.index;
  }

  bool packet(const Frame& frame) {
    tag.frame = frame.number;
    frame_events = 0;
    touch_sub = 0;
    if (frame_filter && !frame_filter(frame)) return true;
    if (!any_frame) {
      any_frame = true;
      first_ts = previous_ts = frame.ts;
    }
    const Timestamp prev = previous_ts;
    previous_ts = frame.ts;
    decoder.decode(frame, pkt);
    // Member by member: small enough to be stores (one block clear costs a string instruction's start).
    meta.tcp = TcpMeta{};
    meta.udp = UdpMeta{};
    meta.outer_udp = UdpMeta{};
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
      touch_sub = 1;
    }
    if (opt.needs.streams && l4 && pkt.ip_layer >= 0 && (l4->kind == Layer::Tcp || l4->kind == Layer::Udp)) {
      const bool tcp = l4->kind == Layer::Tcp;
      wire::Bytes seg = pkt.bytes(*l4);
      if (!tcp || !wire::TcpView::check(seg)) conn = track(frame, seg, tcp, from_orig, pkt);
      if (tunnel_uid && conn && conn->account) conn->account->rec.tunnel_uid = tunnel_uid;
    }
    if (!packet_consumer) return true;
    if (parallel && !(conn ? conn->mine : owns_unconnected(frame))) return true;
    set_tag(EmitTag::Packet);
    PacketView v{frame, pkt, meta, app_wanted ? &app_frame : nullptr, conn, from_orig, first_ts, prev};
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
      i = table.insert(key, tcp ? kEntryTcp : kEntryUdp);
      entry_listed(tcp ? kEntryTcp : kEntryUdp, now);
      if (table.size() == kSoftLimit + 1) next_due = INT64_MIN; // idle entries may go from now on
      fresh = true;
    }
    Connection& c = table[i];
    const int dir = forward ? 0 : 1;
    uint32_t pre_flags = 0;
    if (!fresh && tcp) {
      bool restart = false;
      pre_flags = tcp_reuse_check(c.track, dir, wire::TcpView(seg), restart);
      if (restart) {
        set_tag(EmitTag::Packet);
        finish_record(c);
        table.touch_record(i, kNoRecordList);
        c.account.reset();
        fresh = true;
      }
    }
    if (fresh) start(c, d, proto, flags, forward, now);
    if (!c.record_open) open_record(c, d);
    if (tcp)
      track_tcp(c.track, dir, d, wire::TcpView(seg), now, c.mine ? tcp_detail : TcpDetail::Stream, pre_flags,
                meta);
    else
      track_udp(c.track, now, meta);
    from_orig = c.from_orig(forward);
    if (parallel && tcp && !c.ftp_probed && d.payload_len) probe_ftp(c, d, from_orig);
    if (c.mine) {
      if (c.account) account_packet(*c.account, d, from_orig);
      if (opt.needs.app && tcp && !c.app.closed) {
        app::Endpoints ends{c.track.stream, c.uid,         d.ip_version, c.orig_ip(),
                            c.resp_ip(),    c.orig_port(), c.resp_port()};
        set_tag(EmitTag::Packet);
        app.process(c.app, ends, from_orig, d, meta, app_frame);
        apply_service(c);
        tag_transactions();
      }
    }
    c.touch_frame = frame.number;
    c.touch_sub = touch_sub;
    const uint8_t rl = record_list_of(c);
    if (c.record_list != rl) record_listed(rl, now); // the tail of its own list keeps next_due valid
    table.touch_record(i, rl);
    const uint8_t el = entry_list_of(c);
    if (c.list != el) entry_listed(el, now);
    table.touch(i, el);
    return &c;
  }

  std::vector<uint32_t> open_in_order() const {
    std::vector<uint32_t> v;
    table.for_each([&](uint32_t i, const Connection& c) {
      if (c.record_open && c.mine) v.push_back(i);
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
  Impl& m = *impl_;
  m.tag.frame = EmitTag::kEnd;
  for (uint32_t i : m.open_in_order()) {
    Connection& c = m.table[i];
    m.set_tag(EmitTag::Finish, static_cast<uint64_t>(ns_of(c.record_first_ts)), c.proto, c.track.stream);
    m.finish_record(c);
  }
}

const Engine::TransactionTags& Engine::transaction_tags() const {
  return impl_->txn_tags;
}

const EmitTag& Engine::emit_tag() const {
  return impl_->tag;
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
