#include "app/app_engine.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <unordered_map>

#include "app/analyzer_factory.h"
#include "app/detect.h"
#include "app/expected.h"
#include "flow/lru_evict.h"
#include "flow/reassembly.h"
#include "wire/checksum.h"
#include "wire/tcp.h"

namespace ps::app {

namespace {

using namespace wire::tcpflag;

std::string ip_text(uint8_t version, const uint8_t* a) {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(version == 6 ? AF_INET6 : AF_INET, a, buf, sizeof buf);
  return buf;
}

struct Conn {
  Conn(ReassemblyBudget* budget, size_t per_direction)
      : rs{DirectionReassembler(budget, per_direction), DirectionReassembler(budget, per_direction)} {}
  AnalyzerEnv env;
  DirectionReassembler rs[2];
  std::unique_ptr<Analyzer> analyzer;
  const ExpectedConn* expected = nullptr; // valid only during creation
  ExpectedConn expected_copy;
  bool has_expected = false;
  bool decided = false;
  bool fin[2] = {false, false};
  bool fin_told[2] = {false, false};
  int64_t last_ns = 0; // capture time of its latest frame (which analyses max_connections ends first)
};

// Hands one direction's in-order bytes to the connection's analyzer, deciding the service first.
class Delivery final : public StreamSink {
public:
  Delivery(struct EngineState& st, Conn& c, int dir, const FrameInfo& fi, AppFrame& out)
      : st_(st), c_(c), dir_(dir), fi_(fi), out_(out) {}
  void on_data(std::span<const uint8_t> bytes) override;
  void on_gap(uint64_t bytes) override {
    if (c_.analyzer && !c_.analyzer->failed()) c_.analyzer->gap(dir_, bytes, fi_, out_);
  }

private:
  struct EngineState& st_;
  Conn& c_;
  int dir_;
  const FrameInfo& fi_;
  AppFrame& out_;
};

struct EngineState {
  EngineOptions opt;
  ReassemblyBudget budget;
  ExpectedTable expected;
  Transactions log;
  std::unordered_map<uint32_t, std::unique_ptr<Conn>> conns;
  // Connections seen only as a client's SYN so far: its sequence number, by tcp.stream. A SYN flood
  // costs an entry here instead of a whole Conn; bounded by max_connections (oldest streams go).
  struct LoneSyn {
    uint32_t seq;
    uint16_t client_port;
  };
  std::map<uint32_t, LoneSyn> lone_syns;
  std::vector<StreamService> services; // by tcp.stream
  std::vector<bool> closed;            // by tcp.stream: analysis over
  uint64_t missed = 0, dropped = 0;
  uint64_t evicted = 0, oversize = 0;

  StreamService& service(uint32_t stream) {
    if (services.size() <= stream) {
      services.resize(stream + 1);
      closed.resize(stream + 1);
    }
    return services[stream];
  }
  void decide(Conn& c, Service s, ServiceSource src) {
    StreamService& ss = service(c.env.id.stream);
    ss.service = s;
    ss.source = src;
    ss.decided = true;
    if (s == Service::FtpData && c.has_expected) {
      ss.has_parent = true;
      ss.parent_stream = c.expected_copy.link.control_stream;
    }
    c.decided = true;
    if (!opt.service_only || s == Service::Ftp)
      c.analyzer = make_analyzer(s, c.env, c.has_expected ? &c.expected_copy : nullptr);
  }
  // Delivers what is buffered and ends the analysis; the caller forgets `c` (close() or eviction).
  void end_analysis(uint32_t stream, Conn& c) {
    AppFrame ignored;
    FrameInfo fi;
    for (int d = 0; d < 2; ++d) {
      Delivery sink(*this, c, d, fi, ignored);
      c.rs[d].flush(sink);
      missed += c.rs[d].missed_bytes();
      dropped += c.rs[d].dropped_bytes();
    }
    if (c.analyzer) c.analyzer->finish();
    closed[stream] = true;
  }
  void close(uint32_t stream, Conn& c) {
    end_analysis(stream, c);
    conns.erase(stream);
  }
  // Makes room for one more analysis: the least recently active ones end now.
  void make_room() {
    const size_t max = std::max<size_t>(1, opt.limits.max_connections);
    if (conns.size() < max) return;
    evicted += evict_least_recent(
        conns, entries_kept_after_eviction(max), [](const std::unique_ptr<Conn>& c) { return c->last_ns; },
        [this](uint32_t stream, std::unique_ptr<Conn>& c) { end_analysis(stream, *c); });
  }
};

void Delivery::on_data(std::span<const uint8_t> bytes) {
  if (!c_.decided) {
    Service s = detect_service(bytes, dir_ == 1, c_.env.id.resp_p);
    if (s != Service::None)
      st_.decide(c_, s, ServiceSource::Content);
    else {
      s = service_for_port(true, c_.env.id.resp_p);
      if (s == Service::None) s = service_for_port(true, c_.env.id.orig_p);
      st_.decide(c_, s, s == Service::None ? ServiceSource::None : ServiceSource::Port);
    }
  }
  out_.payload = true;
  if (c_.analyzer && !c_.analyzer->failed()) c_.analyzer->data(dir_, bytes, fi_, out_);
}

bool checksum_bad(const Decoded& pkt, wire::Bytes seg) {
  if (pkt.payload_missing || pkt.ip_fragment || pkt.ip_layer < 0) return false;
  const LayerSpan& ipl = pkt.layers[static_cast<size_t>(pkt.ip_layer)];
  const uint8_t* ip = pkt.bytes(ipl).data();
  uint32_t pseudo = ipl.kind == Layer::Ipv4
                        ? wire::pseudo_header_v4(ip + 12, ip + 16, 6, static_cast<uint32_t>(seg.size()))
                        : wire::pseudo_header_v6(ip + 8, ip + 24, 6, static_cast<uint32_t>(seg.size()));
  return wire::expected_checksum(pseudo, seg, 16) != wire::TcpView(seg).checksum();
}

} // namespace

struct AppEngine::Impl : EngineState {};

AppEngine::AppEngine(EngineOptions opt) : impl_(std::make_unique<Impl>()) {
  impl_->opt = std::move(opt);
  impl_->budget.limit = impl_->opt.limits.reassembly_total;
  impl_->log.max_per_kind = impl_->opt.limits.max_transactions;
}

AppEngine::~AppEngine() = default;

void AppEngine::process(const Decoded& pkt, const PacketMeta& meta, AppFrame& out) {
  out.clear();
  const LayerSpan* l4 = pkt.l4();
  if (!pkt.frame || !l4 || l4->kind != Layer::Tcp || !meta.tcp.valid || !pkt.src_ip) return;
  wire::Bytes seg = pkt.bytes(*l4);
  if (wire::TcpView::check(seg)) return;
  wire::TcpView t(seg);
  EngineState& st = *impl_;
  const uint32_t stream = meta.tcp.stream;
  StreamService& ss = st.service(stream);
  out.valid = true;
  out.stream = stream;
  if (st.closed[stream]) {
    out.service = ss.service;
    out.source = ss.source;
    return;
  }
  auto it = st.conns.find(stream);
  if (it == st.conns.end()) {
    const Service user = st.opt.decode_as.lookup(true, pkt.src_port, pkt.dst_port);
    const ExpectedConn* x =
        st.expected.match(pkt.ip_version, pkt.src_ip, pkt.src_port, pkt.dst_ip, pkt.dst_port);
    if (t.has(kSyn) && !t.has(kAck) && !pkt.payload_len && user == Service::None && !x) {
      if (st.lone_syns.size() >= std::max<size_t>(1, st.opt.limits.max_connections) &&
          !st.lone_syns.count(stream))
        st.lone_syns.erase(st.lone_syns.begin());
      st.lone_syns[stream] = {t.seq(), pkt.src_port};
      return;
    }
    st.make_room();
    auto c = std::make_unique<Conn>(&st.budget, st.opt.limits.reassembly_per_direction);
    // The client: the SYN's sender, else whoever talks to the lower (service) port.
    bool sender_is_orig = true;
    auto syn = st.lone_syns.find(stream);
    if (syn != st.lone_syns.end() && pkt.src_port != pkt.dst_port)
      sender_is_orig = pkt.src_port == syn->second.client_port;
    else if (t.has(kSyn))
      sender_is_orig = !t.has(kAck);
    else if (pkt.src_port < 1024 && pkt.dst_port >= 1024)
      sender_is_orig = false;
    AnalyzerEnv& e = c->env;
    size_t n = pkt.ip_version == 6 ? 16 : 4;
    e.ip_version = pkt.ip_version;
    std::memcpy(e.orig_ip.data(), sender_is_orig ? pkt.src_ip : pkt.dst_ip, n);
    std::memcpy(e.resp_ip.data(), sender_is_orig ? pkt.dst_ip : pkt.src_ip, n);
    e.id.stream = stream;
    e.id.orig_p = sender_is_orig ? pkt.src_port : pkt.dst_port;
    e.id.resp_p = sender_is_orig ? pkt.dst_port : pkt.src_port;
    e.id.orig_h = ip_text(pkt.ip_version, e.orig_ip.data());
    e.id.resp_h = ip_text(pkt.ip_version, e.resp_ip.data());
    e.log = st.opt.keep_transactions ? &st.log : nullptr;
    e.expected = &st.expected;
    e.max_message = st.opt.limits.max_message;
    e.oversize = &st.oversize;
    if (x) {
      c->expected_copy = *x;
      c->has_expected = true;
    }
    if (syn != st.lone_syns.end()) {
      c->rs[0].syn(syn->second.seq); // the client's SYN, seen earlier
      st.lone_syns.erase(syn);
    }
    if (user != Service::None)
      st.decide(*c, user, ServiceSource::User);
    else if (c->has_expected)
      st.decide(*c, Service::FtpData, ServiceSource::Expected);
    it = st.conns.emplace(stream, std::move(c)).first;
  }
  Conn& c = *it->second;
  const int dir = (std::memcmp(pkt.src_ip, c.env.orig_ip.data(), pkt.ip_version == 6 ? 16 : 4) == 0 &&
                   pkt.src_port == c.env.id.orig_p)
                      ? 0
                      : 1;
  FrameInfo fi;
  fi.number = pkt.frame->number;
  fi.ts_ns = pkt.frame->ts.sec * 1'000'000'000 + pkt.frame->ts.nsec;
  c.last_ns = fi.ts_ns;
  if (t.has(kSyn)) c.rs[dir].syn(t.seq());
  if (pkt.payload_len) {
    fi.has_payload = true;
    // The checksum pass reads every payload byte: only for an analyzer that looks at its result
    // (or one not chosen yet, which this frame's bytes may choose).
    const bool checksum_read =
        !c.decided || (c.analyzer && !c.analyzer->failed() && c.analyzer->reads_checksum_status());
    fi.checksum_bad = st.opt.check_checksums && checksum_read && checksum_bad(pkt, seg);
    Delivery sink(st, c, dir, fi, out);
    c.rs[dir].segment(t.seq(), pkt.payload(), sink);
  }
  if (t.has(kAck)) {
    Delivery other(st, c, 1 - dir, fi, out);
    c.rs[1 - dir].acked(t.ack(), other);
  }
  if (c.analyzer && !c.analyzer->failed()) c.analyzer->frame_end(dir, fi, out);
  if (t.has(kFin)) c.fin[dir] = true;
  for (int d = 0; d < 2; ++d) {
    if (c.fin[d] && !c.fin_told[d] && c.rs[d].buffered_bytes() == 0) {
      c.fin_told[d] = true;
      if (c.analyzer && !c.analyzer->failed()) c.analyzer->fin(d, fi, out);
    }
  }
  out.service = ss.service;
  out.source = ss.source;
  const bool done = t.has(kRst) || (c.fin_told[0] && c.fin_told[1]) ||
                    (st.opt.service_only && c.decided && ss.service != Service::Ftp);
  if (done) st.close(stream, c);
}

void AppEngine::close_stream(uint32_t tcp_stream) {
  auto it = impl_->conns.find(tcp_stream);
  if (it != impl_->conns.end()) impl_->close(tcp_stream, *it->second);
}

void AppEngine::finish() {
  EngineState& st = *impl_;
  while (!st.conns.empty()) {
    auto it = st.conns.begin();
    st.close(it->first, *it->second);
  }
}

StreamService AppEngine::stream_service(uint32_t tcp_stream) const {
  return tcp_stream < impl_->services.size() ? impl_->services[tcp_stream] : StreamService{};
}

const Transactions& AppEngine::transactions() const {
  return impl_->log;
}
uint64_t AppEngine::dropped_bytes() const {
  return impl_->budget.dropped_bytes;
}
void AppEngine::add_limit_hits(LimitHits& hits) const {
  hits.analyses_evicted += impl_->evicted;
  hits.reassembly_dropped += impl_->budget.dropped_bytes;
  hits.oversize_messages += impl_->oversize;
  hits.transactions_dropped += impl_->log.dropped;
}

uint64_t AppEngine::missed_bytes() const {
  return impl_->missed;
}

} // namespace ps::app
