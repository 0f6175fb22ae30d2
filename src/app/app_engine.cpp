#include "app/app_engine.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "app/analyzer_factory.h"
#include "app/detect.h"
#include "app/expected.h"
#include "app/tls/tls_analyzer.h"
#include "dissect/fast_text.h"
#include "flow/reassembly.h"
#include "wire/checksum.h"
#include "wire/tcp.h"

namespace ps::app {

namespace {

using namespace wire::tcpflag;

std::string ip_text(uint8_t version, const uint8_t* a) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (version == 4) return std::string(buf, fast::put_ipv4(buf, a)); // inet_ntop goes through sprintf
  inet_ntop(AF_INET6, a, buf, sizeof buf);
  return buf;
}

} // namespace

struct AppConn {
  AppConn(ReassemblyBudget* budget, size_t per_direction)
      : rs{DirectionReassembler(budget, per_direction), DirectionReassembler(budget, per_direction)} {}
  AnalyzerEnv env;
  DirectionReassembler rs[2];
  std::unique_ptr<Analyzer> analyzer;
  ExpectedConn expected_copy;
  bool has_expected = false;
  bool decided = false;
  bool verdict_pending = false; // TLS: the service waits for the ServerHello's ALPN (ssl or ssl,http)
  bool fin[2] = {false, false};
  bool fin_told[2] = {false, false};
};

AppSlot::AppSlot() = default;
AppSlot::~AppSlot() = default;
AppSlot::AppSlot(AppSlot&&) noexcept = default;
AppSlot& AppSlot::operator=(AppSlot&&) noexcept = default;

namespace {

// Hands one direction's in-order bytes to the connection's analyzer, deciding the service first.
class Delivery final : public StreamSink {
public:
  Delivery(struct EngineState& st, AppSlot& slot, int dir, const FrameInfo& fi, AppFrame& out)
      : st_(st), slot_(slot), c_(*slot.conn), dir_(dir), fi_(fi), out_(out) {}
  void on_data(std::span<const uint8_t> bytes) override;
  void on_gap(uint64_t bytes) override {
    if (c_.analyzer && !c_.analyzer->failed()) c_.analyzer->gap(dir_, bytes, fi_, out_);
  }

private:
  struct EngineState& st_;
  AppSlot& slot_;
  AppConn& c_;
  int dir_;
  const FrameInfo& fi_;
  AppFrame& out_;
};

struct EngineState {
  EngineOptions opt;
  ReassemblyBudget budget;
  ExpectedTable expected;
  Transactions log;
  uint64_t missed = 0, dropped = 0;
  uint64_t oversize = 0;

  void decide(AppSlot& slot, Service s, ServiceSource src) {
    AppConn& c = *slot.conn;
    slot.service.service = s;
    slot.service.source = src;
    if (s == Service::FtpData && c.has_expected) slot.service.parent = c.expected_copy.parent;
    c.decided = true;
    if (!opt.service_only || s == Service::Ftp || s == Service::Tls)
      c.analyzer = make_analyzer(s, c.env, c.has_expected ? &c.expected_copy : nullptr);
    c.verdict_pending = s == Service::Tls && c.analyzer;
    slot.service.decided = !c.verdict_pending;
  }
  // TLS: the ServerHello (or the end of the analysis) settles "ssl" or "ssl,http".
  void settle(AppSlot& slot, bool force) {
    AppConn& c = *slot.conn;
    if (!c.verdict_pending) return;
    auto* tls = static_cast<TlsAnalyzer*>(c.analyzer.get());
    std::optional<Service> v = tls->verdict();
    if (!v && !force) return;
    c.verdict_pending = false;
    if (v) slot.service.service = *v;
    slot.service.decided = true;
  }
  // Delivers what is buffered and ends the analysis.
  void close(AppSlot& slot) {
    if (slot.closed) return;
    slot.closed = true;
    slot.lone_syn = false;
    if (!slot.conn) return;
    AppConn& c = *slot.conn;
    AppFrame ignored;
    FrameInfo fi;
    for (int d = 0; d < 2; ++d) {
      Delivery sink(*this, slot, d, fi, ignored);
      c.rs[d].flush(sink);
      missed += c.rs[d].missed_bytes();
      dropped += c.rs[d].dropped_bytes();
    }
    if (c.analyzer) c.analyzer->finish();
    settle(slot, true);
    slot.conn.reset();
  }
};

void Delivery::on_data(std::span<const uint8_t> bytes) {
  if (!c_.decided) {
    Service s = detect_service(bytes, dir_ == 1, c_.env.id.resp_p);
    if (s != Service::None)
      st_.decide(slot_, s, ServiceSource::Content);
    else {
      s = service_for_port(true, c_.env.id.resp_p);
      if (s == Service::None) s = service_for_port(true, c_.env.id.orig_p);
      st_.decide(slot_, s, s == Service::None ? ServiceSource::None : ServiceSource::Port);
    }
  }
  out_.payload = true;
  if (c_.analyzer && !c_.analyzer->failed()) c_.analyzer->data(dir_, bytes, fi_, out_);
  st_.settle(slot_, false);
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

void AppEngine::process(AppSlot& slot, const Endpoints& ends, bool from_orig, const Decoded& pkt,
                        const PacketMeta& meta, AppFrame& out) {
  const LayerSpan* l4 = pkt.l4();
  if (!pkt.frame || !l4 || l4->kind != Layer::Tcp || !meta.tcp.valid || !pkt.src_ip) return;
  wire::Bytes seg = pkt.bytes(*l4);
  if (wire::TcpView::check(seg)) return;
  wire::TcpView t(seg);
  EngineState& st = *impl_;
  out.valid = true;
  out.stream = ends.stream;
  if (slot.closed) {
    out.service = slot.service.service;
    out.source = slot.service.source;
    return;
  }
  if (!slot.conn) {
    const Service user = st.opt.decode_as.lookup(true, pkt.src_port, pkt.dst_port);
    const ExpectedConn* x =
        st.expected.match(pkt.ip_version, pkt.src_ip, pkt.src_port, pkt.dst_ip, pkt.dst_port);
    if (t.has(kSyn) && !t.has(kAck) && !pkt.payload_len && user == Service::None && !x) {
      slot.lone_syn = true;
      slot.syn_seq = t.seq();
      return;
    }
    slot.conn = std::make_unique<AppConn>(&st.budget, st.opt.limits.reassembly_per_direction);
    AppConn& c = *slot.conn;
    AnalyzerEnv& e = c.env;
    size_t n = ends.ip_version == 6 ? 16 : 4;
    e.ip_version = ends.ip_version;
    std::memcpy(e.orig_ip.data(), ends.orig_ip, n);
    std::memcpy(e.resp_ip.data(), ends.resp_ip, n);
    e.uid = ends.uid;
    e.id.stream = ends.stream;
    e.id.orig_p = ends.orig_p;
    e.id.resp_p = ends.resp_p;
    e.id.orig_h = ip_text(ends.ip_version, e.orig_ip.data());
    e.id.resp_h = ip_text(ends.ip_version, e.resp_ip.data());
    e.log = st.opt.keep_transactions ? &st.log : nullptr;
    e.expected = &st.expected;
    e.max_message = st.opt.limits.max_message;
    e.tls_app_data = st.opt.tls_app_data;
    e.http_bodies = st.opt.http_bodies;
    e.oversize = &st.oversize;
    if (x) {
      c.expected_copy = *x;
      c.has_expected = true;
    }
    if (slot.lone_syn) {
      c.rs[0].syn(slot.syn_seq); // the client's SYN, seen earlier
      slot.lone_syn = false;
    }
    if (user != Service::None)
      st.decide(slot, user, ServiceSource::User);
    else if (c.has_expected)
      st.decide(slot, Service::FtpData, ServiceSource::Expected);
  }
  AppConn& c = *slot.conn;
  const int dir = from_orig ? 0 : 1;
  FrameInfo fi;
  fi.number = pkt.frame->number;
  fi.ts_ns = pkt.frame->ts.sec * 1'000'000'000 + pkt.frame->ts.nsec;
  if (t.has(kSyn)) c.rs[dir].syn(t.seq());
  if (pkt.payload_len) {
    fi.has_payload = true;
    fi.truncated = pkt.payload_missing > 0;
    // The checksum pass reads every payload byte: only for an analyzer that looks at its result
    // (or one not chosen yet, which this frame's bytes may choose).
    const bool checksum_read =
        !c.decided || (c.analyzer && !c.analyzer->failed() && c.analyzer->reads_checksum_status());
    fi.checksum_bad = st.opt.check_checksums && checksum_read && checksum_bad(pkt, seg);
    Delivery sink(st, slot, dir, fi, out);
    c.rs[dir].segment(t.seq(), pkt.payload(), sink);
    // The capture kept only the start of this segment (snapshot length): the rest was on the wire and
    // will never be seen, so it is a gap now, as if acknowledged, not a hole to wait for.
    if (fi.truncated) c.rs[dir].uncaptured(t.seq() + pkt.payload_len + pkt.payload_missing, sink, true);
  }
  if (t.has(kAck)) {
    Delivery other(st, slot, 1 - dir, fi, out);
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
  out.service = slot.service.service;
  out.source = slot.service.source;
  const bool done =
      t.has(kRst) || (c.fin_told[0] && c.fin_told[1]) ||
      (st.opt.service_only && c.decided && !c.verdict_pending && slot.service.service != Service::Ftp);
  if (done) st.close(slot);
}

void AppEngine::close(AppSlot& slot) {
  impl_->close(slot);
}

const Transactions& AppEngine::transactions() const {
  return impl_->log;
}
void AppEngine::add_limit_hits(LimitHits& hits) const {
  hits.reassembly_dropped += impl_->budget.dropped_bytes;
  hits.oversize_messages += impl_->oversize;
  hits.transactions_dropped += impl_->log.dropped;
}

uint64_t AppEngine::missed_bytes() const {
  return impl_->missed;
}

} // namespace ps::app
