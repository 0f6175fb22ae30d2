#include "report/html_report.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "app/messages.h"
#include "flow/meta.h"
#include "output/log/log_rows.h"
#include "output/log/log_table.h"

namespace ps::report {

namespace {

std::string esc(std::string_view s) {
  std::string o;
  o.reserve(s.size());
  for (char c : s) {
    switch (c) {
    case '&':
      o += "&amp;";
      break;
    case '<':
      o += "&lt;";
      break;
    case '>':
      o += "&gt;";
      break;
    case '"':
      o += "&quot;";
      break;
    default:
      o += c;
    }
  }
  return o;
}

std::string ip_text(uint8_t version, const uint8_t* a) {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(version == 6 ? AF_INET6 : AF_INET, a, buf, sizeof buf);
  return buf;
}

std::string endpoint_text(uint8_t version, const uint8_t* a, uint16_t port) {
  return version == 6 ? fmt::format("[{}]:{}", ip_text(6, a), port)
                      : fmt::format("{}:{}", ip_text(4, a), port);
}

std::string human_bytes(uint64_t b) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  double v = static_cast<double>(b);
  int u = 0;
  while (v >= 1000 && u < 4) {
    v /= 1000;
    ++u;
  }
  return u == 0 ? fmt::format("{} B", b) : fmt::format("{:.1f} {}", v, units[u]);
}

// A colour per service name, stable across reports.
std::string service_colour(std::string_view s) {
  static const char* palette[] = {"#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2",
                                  "#edc948", "#9c755f", "#ff9da7", "#86bcb6", "#d37295"};
  if (s.empty() || s == "-") return "#9aa0a6";
  uint32_t h = 2166136261u;
  for (char c : s) h = (h ^ static_cast<uint8_t>(c)) * 16777619u;
  return palette[h % 10];
}

std::string num(double v) {
  if (std::fabs(v) >= 100) return fmt::format("{:.0f}", v);
  return fmt::format("{:.2f}", v);
}

// A "nice" step (1, 2, 5 x 10^k) for about `n` ticks over `span`.
double nice_step(double span, int n) {
  if (span <= 0) return 1;
  double raw = span / n, mag = std::pow(10.0, std::floor(std::log10(raw)));
  double f = raw / mag;
  return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * mag;
}

// A tick label with as many decimals as the step needs.
std::string tick(double v, double step) {
  if (std::fabs(v) >= 1e6) return fmt::format("{:.3g}", v);
  int dec = step >= 1 ? 0 : std::min(9, static_cast<int>(std::ceil(-std::log10(step) - 1e-9)));
  return fmt::format("{:.{}f}", v, dec);
}

// An interval in words: "250 ms", "2 s".
std::string interval_text(int64_t ns) {
  if (ns < 1'000'000) return fmt::format("{} µs", num(static_cast<double>(ns) / 1e3));
  if (ns < 1'000'000'000) return fmt::format("{} ms", num(static_cast<double>(ns) / 1e6));
  return fmt::format("{} s", num(static_cast<double>(ns) / 1e9));
}

// Axes and grid for a plot area of w x h at (l, t), x and y ranges given.
void axes(std::string& s, double l, double t, double w, double h, double x0, double x1, double y0, double y1,
          const char* xlabel, const char* ylabel) {
  s += fmt::format("<rect x='{}' y='{}' width='{}' height='{}' class='plot'/>", l, t, w, h);
  double xs = nice_step(x1 - x0, 8);
  for (double x = std::ceil(x0 / xs) * xs; x <= x1 + 1e-12; x += xs) {
    double px = l + (x - x0) / (x1 - x0 > 0 ? x1 - x0 : 1) * w;
    s += fmt::format("<line x1='{:.1f}' y1='{}' x2='{:.1f}' y2='{}' class='grid'/><text x='{:.1f}' y='{}' "
                     "class='tick' text-anchor='middle'>{}</text>",
                     px, t, px, t + h, px, t + h + 12, tick(x, xs));
  }
  double ys = nice_step(y1 - y0, 5);
  for (double y = std::ceil(y0 / ys) * ys; y <= y1 + 1e-12; y += ys) {
    double py = t + h - (y - y0) / (y1 - y0 > 0 ? y1 - y0 : 1) * h;
    s += fmt::format("<line x1='{}' y1='{:.1f}' x2='{}' y2='{:.1f}' class='grid'/><text x='{}' y='{:.1f}' "
                     "class='tick' text-anchor='end'>{}</text>",
                     l, py, l + w, py, l - 4, py + 3, tick(y, ys));
  }
  s += fmt::format("<text x='{}' y='{}' class='axis' text-anchor='middle'>{}</text>", l + w / 2, t + h + 26,
                   xlabel);
  s += fmt::format("<text x='12' y='{}' class='axis' transform='rotate(-90 12 {})' "
                   "text-anchor='middle'>{}</text>",
                   t + h / 2, t + h / 2, ylabel);
}

constexpr const char* kStyle = R"(
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1200px;padding:0 16px;color:#202124}
h1{font-size:22px;margin:16px 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #dadce0;padding-bottom:4px}
table{border-collapse:collapse;margin:4px 0 12px;font-size:13px}th,td{padding:2px 8px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
th{background:#f1f3f4}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.plot{fill:#fff;stroke:#bbb}.grid{stroke:#eee}.tick{font-size:10px;fill:#5f6368}.axis{font-size:11px;fill:#3c4043}
.kv td:first-child{color:#5f6368}.legend span{display:inline-block;margin-right:12px}.sw{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}
.scroll{max-height:420px;overflow:auto;border:1px solid #eee}.note{color:#5f6368;font-size:12px}
svg{max-width:100%;height:auto}a{color:#1a73e8;text-decoration:none}
.grid3{display:flex;flex-wrap:wrap;gap:8px 28px;align-items:flex-start}
@media print{select,.noprint{display:none}.scroll{max-height:none;overflow:visible}section{break-inside:avoid-page}body{max-width:none}}
)";

constexpr const char* kScript = R"(
window.addEventListener('error',function(e){document.body.setAttribute('data-js-error',String(e.message))});
function showIo(v){document.querySelectorAll('.io-graph').forEach(function(g){g.style.display=g.getAttribute('data-width')===v?'':'none'});}
document.addEventListener('DOMContentLoaded',function(){var s=document.getElementById('io-interval');if(s){s.addEventListener('change',function(){showIo(s.value)});showIo(s.value);}
document.body.setAttribute('data-ready','1');});
)";

} // namespace

// ---- bins and series ---------------------------------------------------------------------------------

void IoBins::add(int64_t rel_ns, int dir, uint64_t bytes) {
  if (rel_ns < 0) rel_ns = 0;
  size_t i = static_cast<size_t>(rel_ns / width_ns_);
  while (i >= kMaxBins) {
    // Merge pairs: the bins double in width.
    std::vector<Bin> merged((bins_.size() + 1) / 2);
    for (size_t k = 0; k < bins_.size(); ++k)
      for (int d = 0; d < 3; ++d) {
        merged[k / 2].pkts[d] += bins_[k].pkts[d];
        merged[k / 2].bytes[d] += bins_[k].bytes[d];
      }
    bins_ = std::move(merged);
    width_ns_ *= 2;
    i = static_cast<size_t>(rel_ns / width_ns_);
  }
  if (bins_.size() <= i) bins_.resize(i + 1);
  bins_[i].pkts[static_cast<size_t>(dir)]++;
  bins_[i].bytes[static_cast<size_t>(dir)] += bytes;
}

void SeqSeries::add(const SeqPoint& p) {
  if (p.flags == 0 && ++skipped % stride != 0) return;
  points.push_back(p);
  if (points.size() < kMaxPoints) return;
  // Thin: keep every flagged point and every other unflagged one.
  std::vector<SeqPoint> kept;
  kept.reserve(points.size() / 2 + 1);
  bool keep = true;
  for (const SeqPoint& q : points) {
    if (q.flags || keep) kept.push_back(q);
    if (!q.flags) keep = !keep;
  }
  points = std::move(kept);
  stride *= 2;
}

// ---- collecting ----------------------------------------------------------------------------------------

ReportBuilder::ReportBuilder(ReportOptions opt) : opt_(std::move(opt)) {
  expert_ = {{"Retransmission", "Note", 0, {}, {}},
             {"Out-of-order segment", "Warning", 0, {}, {}},
             {"Lost segment (capture gap)", "Warning", 0, {}, {}},
             {"Duplicate ACK", "Note", 0, {}, {}},
             {"Zero window", "Warning", 0, {}, {}},
             {"Connection reset (RST)", "Warning", 0, {}, {}},
             {"Rejected connection (REJ)", "Warning", 0, {}, {}},
             {"Malformed frame", "Error", 0, {}, {}}};
}

void ReportBuilder::add_needs(EngineNeeds& needs) const {
  ProtocolHierarchy::add_needs(needs);
  needs.records = true;
  needs.transactions = true;
  needs.tls_app_data = false; // no section shows encrypted bytes: TLS records are counted, not copied
  needs.http_bodies = false;  // nor HTTP bodies: their signatures name their protocols
}

bool ReportBuilder::named(uint64_t uid) const {
  if (opt_.conns.empty()) return false;
  const std::string t = conn_uid_text(uid);
  return std::find(opt_.conns.begin(), opt_.conns.end(), t) != opt_.conns.end();
}

void ReportBuilder::expert_hit(size_t i, uint64_t uid, uint64_t frame) {
  Expert& e = expert_[i];
  e.count++;
  if (uid && e.uids.size() < 50 && std::find(e.uids.begin(), e.uids.end(), uid) == e.uids.end())
    e.uids.push_back(uid);
  if (e.frames.size() < 20) e.frames.push_back(frame);
}

void ReportBuilder::packet(const PacketView& v) {
  const int64_t now = ts_ns(v.frame.ts);
  if (first_) {
    first_ = false;
    start_ns_ = now;
  }
  last_ns_ = std::max(last_ns_, now);
  frames_++;
  bytes_ += v.frame.wire_len;
  phs_.packet(v);
  const int dir = v.conn ? (v.from_orig ? 0 : 1) : 2;
  io_.add(now - start_ns_, dir, v.frame.wire_len);

  if (v.pkt.malformed) expert_hit(7, v.conn ? v.conn->uid : 0, v.frame.number);
  // UDP DNS and DNS over TCP, for the DNS table.
  if (v.conn) {
    const Decoded& p = v.pkt;
    const int64_t ts = now;
    if (v.conn->proto == 17 && v.meta.udp.valid && p.payload_len &&
        (p.src_port == 53 || p.dst_port == 53 || p.src_port == 5353 || p.dst_port == 5353)) {
      app::ConnId id;
      id.stream = v.meta.udp.stream;
      id.orig_h = ip_text(p.ip_version, p.src_ip);
      id.resp_h = ip_text(p.ip_version, p.dst_ip);
      id.orig_p = p.src_port;
      id.resp_p = p.dst_port;
      dns_.message(p.payload(), false, ts, id);
    }
    if (v.app && !v.app->dns_messages.empty()) {
      app::ConnId id;
      id.stream = v.app->stream;
      id.orig_h = ip_text(p.ip_version, p.src_ip);
      id.resp_h = ip_text(p.ip_version, p.dst_ip);
      id.orig_p = p.src_port;
      id.resp_p = p.dst_port;
      for (const auto& m : v.app->dns_messages) dns_.message(m, true, ts, id);
    }
  }
  if (!v.conn || v.conn->proto != 6 || !v.meta.tcp.valid) return;
  const TcpMeta& m = v.meta.tcp;
  const uint64_t uid = v.conn->uid;
  if (m.analysis & (kRetransmission | kFastRetransmission | kSpuriousRetransmission))
    expert_hit(0, uid, v.frame.number);
  if (m.analysis & kOutOfOrder) expert_hit(1, uid, v.frame.number);
  if (m.analysis & kLostSegment) expert_hit(2, uid, v.frame.number);
  if (m.analysis & kDuplicateAck) expert_hit(3, uid, v.frame.number);
  if (m.analysis & kZeroWindow) expert_hit(4, uid, v.frame.number);
  if (const LayerSpan* l4 = v.pkt.l4(); l4 && l4->kind == Layer::Tcp) {
    std::span<const uint8_t> b = v.pkt.bytes(*l4);
    if (b.size() >= 14 && (b[13] & 0x04)) expert_hit(5, uid, v.frame.number);
  }
  // The sequence-graph sample.
  auto it = live_series_.find(uid);
  if (it == live_series_.end()) {
    if (live_series_.size() >= kMaxLiveSeries && !named(uid)) return;
    it = live_series_.emplace(uid, SeqSeries{}).first;
  }
  SeqPoint p;
  p.t = static_cast<float>(static_cast<double>(now - start_ns_) / 1e9);
  p.seq = m.seq;
  p.len = v.pkt.payload_len;
  p.ack = m.ack_valid ? m.ack : 0;
  p.win = m.window_size;
  p.rtt_ms = m.ack_rtt_ns >= 0 ? static_cast<float>(static_cast<double>(m.ack_rtt_ns) / 1e6) : -1.f;
  p.orig = v.from_orig;
  if (m.analysis & (kRetransmission | kFastRetransmission | kSpuriousRetransmission)) p.flags |= kMarkRetrans;
  if (m.analysis & kOutOfOrder) p.flags |= kMarkOoo;
  if (m.analysis & kZeroWindow) p.flags |= kMarkZeroWin;
  it->second.add(p);
}

void ReportBuilder::connection(const ConnRecord& r) {
  conn_count_++;
  (r.proto == 6 ? tcp_count_ : udp_count_)++;
  states_[std::string(conn_state_name(r.conn_state))]++;
  const uint64_t bytes = r.orig_bytes + r.resp_bytes;
  const uint64_t pkts = r.orig_pkts + r.resp_pkts;
  const std::string svc = r.service.empty() ? "-" : r.service;
  Agg& s = services_[svc + (r.proto == 6 ? "/tcp" : "/udp")];
  s.conns++, s.bytes += bytes, s.pkts += pkts, s.service = svc;
  if (servers_.size() < 1'000'000 || servers_.count(endpoint_text(r.ip_version, r.resp_h.data(), r.resp_p))) {
    Agg& sv =
        servers_[endpoint_text(r.ip_version, r.resp_h.data(), r.resp_p) + (r.proto == 6 ? " tcp" : " udp")];
    sv.conns++, sv.bytes += bytes, sv.pkts += pkts, sv.service = svc;
  }
  if (r.conn_state == ConnState::REJ) expert_hit(6, r.uid, 0);
  stream_uids_[uint64_t{r.proto} << 32 | r.stream] = r.uid; // a stream's newest record, as log does
  auto host = [&](const std::array<uint8_t, 16>& a, uint64_t pk, uint64_t tx, uint64_t rx) {
    std::string k = ip_text(r.ip_version, a.data());
    if (hosts_.size() >= 1'000'000 && !hosts_.count(k)) return;
    Host& hh = hosts_[k];
    hh.pkts += pk, hh.tx += tx, hh.rx += rx;
  };
  host(r.orig_h, pkts, r.orig_frame_bytes, r.resp_frame_bytes);
  host(r.resp_h, pkts, r.resp_frame_bytes, r.orig_frame_bytes);

  // Timeline: the largest connections (a min-heap by bytes).
  auto smaller = [](const ConnRecord& a, const ConnRecord& b) {
    return a.orig_bytes + a.resp_bytes > b.orig_bytes + b.resp_bytes;
  };
  const bool is_named = named(r.uid);
  if (timeline_.size() < opt_.timeline || is_named) {
    timeline_.push_back(r);
    std::push_heap(timeline_.begin(), timeline_.end(), smaller);
  } else if (bytes > timeline_.front().orig_bytes + timeline_.front().resp_bytes) {
    std::pop_heap(timeline_.begin(), timeline_.end(), smaller);
    timeline_.back() = r;
    std::push_heap(timeline_.begin(), timeline_.end(), smaller);
  }

  // Sequence graphs: keep the busiest finished TCP connections' series and any named one.
  auto it = live_series_.find(r.uid);
  if (it == live_series_.end()) return;
  SeqSeries series = std::move(it->second);
  live_series_.erase(it);
  if (r.proto != 6) return;
  size_t busiest = 0;
  for (const Kept& k : kept_series_)
    if (!named(k.rec.uid)) ++busiest;
  if (is_named || busiest < opt_.seq_graphs) {
    kept_series_.push_back(Kept{bytes, r, std::move(series)});
    return;
  }
  size_t min_i = SIZE_MAX;
  for (size_t i = 0; i < kept_series_.size(); ++i) {
    if (named(kept_series_[i].rec.uid)) continue;
    if (min_i == SIZE_MAX || kept_series_[i].bytes < kept_series_[min_i].bytes) min_i = i;
  }
  if (min_i != SIZE_MAX && bytes > kept_series_[min_i].bytes)
    kept_series_[min_i] = Kept{bytes, r, std::move(series)};
}

std::string ReportBuilder::conn_label(const ConnRecord& r) const {
  return fmt::format(
      "{} {} → {} {}", r.proto == 6 ? "tcp" : "udp", endpoint_text(r.ip_version, r.orig_h.data(), r.orig_p),
      endpoint_text(r.ip_version, r.resp_h.data(), r.resp_p), r.service.empty() ? "-" : r.service);
}

// ---- the document --------------------------------------------------------------------------------------

void ReportBuilder::section_summary(std::string& h, const std::vector<std::string>& link_types,
                                    const CaptureDrops& drops) {
  const double span = static_cast<double>(last_ns_ - start_ns_) / 1e9;
  auto when = [](int64_t ns) {
    time_t t = static_cast<time_t>(ns / 1'000'000'000);
    char buf[64];
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return fmt::format("{}.{:06} UTC", buf, (ns % 1'000'000'000) / 1000);
  };
  std::string lt;
  for (const auto& l : link_types) lt += (lt.empty() ? "" : ", ") + l;
  h += "<section id='summary' data-section='summary'><h2>Capture summary</h2><table class='kv'>";
  h += fmt::format("<tr><td>File</td><td id='sum-file'>{}</td></tr>", esc(opt_.file));
  h += fmt::format("<tr><td>Link types</td><td>{}</td></tr>", esc(lt.empty() ? "-" : lt));
  if (frames_) {
    h += fmt::format("<tr><td>First packet</td><td>{}</td></tr>", when(start_ns_));
    h += fmt::format("<tr><td>Last packet</td><td>{}</td></tr>", when(last_ns_));
  }
  h += fmt::format("<tr><td>Span</td><td id='sum-span'>{:.6f} s</td></tr>", span);
  h += fmt::format("<tr><td>Packets</td><td id='sum-packets' class='n'>{}</td></tr>", frames_);
  h += fmt::format("<tr><td>Bytes</td><td id='sum-bytes' class='n'>{} ({})</td></tr>", bytes_,
                   human_bytes(bytes_));
  h += fmt::format("<tr><td>Connections</td><td id='sum-conns' class='n'>{} ({} TCP, {} UDP)</td></tr>",
                   conn_count_, tcp_count_, udp_count_);
  std::string dropped = "not recorded in the file";
  if (drops.known) {
    std::string parts;
    auto part = [&](bool known, uint64_t n, std::string_view what) {
      if (known) parts += fmt::format("{}{} {}", parts.empty() ? "" : ", ", n, what);
    };
    part(drops.interface_known, drops.by_interface, "by the interface");
    part(drops.os_known, drops.by_os, drops.live ? "by the kernel" : "by the OS");
    dropped = fmt::format(
        "<span id='sum-drops' class='n'>{}</span> ({}; {})", drops.by_interface + drops.by_os, parts,
        drops.live ? "libpcap's counts of the live capture" : "the file's interface statistics");
  }
  h += fmt::format("<tr><td>Dropped by the capture</td><td>{}</td></tr>", dropped);
  std::string st;
  for (const auto& [name, n] : states_) st += fmt::format("{}{} {}", st.empty() ? "" : ", ", name, n);
  h += fmt::format("<tr><td>Connection states</td><td>{}</td></tr>", esc(st.empty() ? "-" : st));
  h += "</table></section>\n";
}

void ReportBuilder::section_hierarchy(std::string& h) {
  h += "<section id='hierarchy' data-section='hierarchy'><h2>Protocol hierarchy</h2>"
       "<p class='note'>As <code>tshark -q -z io,phs</code> (also <code>portscope stats FILE phs</code>).</p>"
       "<table id='phs-table'><tr><th>Protocol</th><th class='n'>Frames</th><th class='n'>% frames</th>"
       "<th class='n'>Bytes</th><th class='n'>% bytes</th></tr>";
  const auto& nodes = phs_.nodes();
  const double tf = std::max<double>(1, static_cast<double>(nodes[0].frames));
  const double tb = std::max<double>(1, static_cast<double>(nodes[0].bytes));
  std::vector<std::pair<uint32_t, int>> stack;
  for (auto it = nodes[0].children.rbegin(); it != nodes[0].children.rend(); ++it) stack.push_back({*it, 0});
  size_t rows = 0;
  while (!stack.empty() && rows < 400) {
    auto [i, depth] = stack.back();
    stack.pop_back();
    const auto& n = nodes[i];
    ++rows;
    h += fmt::format(
        "<tr data-proto='{}' data-depth='{}'><td style='padding-left:{}px'>{}</td><td class='n'>{}</td>"
        "<td class='n'>{:.1f}</td><td class='n'>{}</td><td class='n'>{:.1f}</td></tr>",
        esc(n.name), depth, 8 + depth * 16, esc(n.name), n.frames, 100.0 * n.frames / tf, n.bytes,
        100.0 * n.bytes / tb);
    for (auto it = n.children.rbegin(); it != n.children.rend(); ++it) stack.push_back({*it, depth + 1});
  }
  h += "</table></section>\n";
}

void ReportBuilder::section_talkers(std::string& h) {
  h += "<section id='talkers' data-section='talkers'><h2>Top talkers, servers and services</h2><div "
       "class='grid3'>";
  // Hosts by bytes sent and received over their connections.
  std::vector<std::pair<std::string, Host>> hosts(hosts_.begin(), hosts_.end());
  std::sort(hosts.begin(), hosts.end(), [](const auto& x, const auto& y) {
    return x.second.tx + x.second.rx != y.second.tx + y.second.rx
               ? x.second.tx + x.second.rx > y.second.tx + y.second.rx
               : x.first < y.first;
  });
  h += "<div><h3>Hosts</h3><table id='talkers-table'><tr><th>Address</th><th class='n'>Packets</th>"
       "<th class='n'>Bytes</th><th class='n'>Sent</th><th class='n'>Received</th></tr>";
  for (size_t i = 0; i < hosts.size() && i < opt_.top; ++i) {
    const Host& x = hosts[i].second;
    h += fmt::format("<tr><td>{}</td><td class='n'>{}</td><td class='n'>{}</td><td class='n'>{}</td><td "
                     "class='n'>{}</td></tr>",
                     esc(hosts[i].first), x.pkts, x.tx + x.rx, x.tx, x.rx);
  }
  h += "</table></div>";
  auto top = [&](const std::unordered_map<std::string, Agg>& m, const char* id, const char* title,
                 const char* key) {
    std::vector<std::pair<std::string, Agg>> v(m.begin(), m.end());
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
      return a.second.conns != b.second.conns ? a.second.conns > b.second.conns : a.first < b.first;
    });
    h += fmt::format(
        "<div><h3>{}</h3><table id='{}'><tr><th>{}</th><th>Service</th><th class='n'>Connections</th>"
        "<th class='n'>Packets</th><th class='n'>Payload bytes</th></tr>",
        title, id, key);
    for (size_t i = 0; i < v.size() && i < opt_.top; ++i)
      h += fmt::format("<tr><td>{}</td><td><span class='sw' style='background:{}'></span>{}</td><td "
                       "class='n'>{}</td><td class='n'>{}</td><td class='n'>{}</td></tr>",
                       esc(v[i].first), service_colour(v[i].second.service), esc(v[i].second.service),
                       v[i].second.conns, v[i].second.pkts, v[i].second.bytes);
    h += "</table></div>";
  };
  top(servers_, "servers-table", "Servers", "Server");
  top(services_, "services-table", "Services", "Service/proto");
  h += "</div></section>\n";
}

void ReportBuilder::section_timeline(std::string& h) {
  // Oldest first, each FTP data connection right under its control connection.
  std::vector<const ConnRecord*> rows;
  std::vector<const ConnRecord*> sorted;
  for (const auto& r : timeline_) sorted.push_back(&r);
  std::sort(sorted.begin(), sorted.end(), [](const ConnRecord* a, const ConnRecord* b) {
    return a->first_ts != b->first_ts ? a->first_ts < b->first_ts : a->uid < b->uid;
  });
  std::unordered_map<uint64_t, std::vector<const ConnRecord*>> children;
  std::unordered_set<uint64_t> present;
  for (const auto* r : sorted) present.insert(r->uid);
  for (const auto* r : sorted)
    if (r->parent && present.count(r->parent->uid)) children[r->parent->uid].push_back(r);
  for (const auto* r : sorted) {
    if (r->parent && present.count(r->parent->uid)) continue;
    rows.push_back(r);
    for (const auto* c : children[r->uid]) rows.push_back(c);
  }
  const double span = std::max(1e-6, static_cast<double>(last_ns_ - start_ns_) / 1e9);
  const double label_w = 330, plot_w = 820, row_h = 14;
  const double height = 30 + row_h * static_cast<double>(rows.size()) + 30;
  h += fmt::format(
      "<section id='timeline' data-section='timeline'><h2>Connection timeline</h2><p class='note'>{} "
      "largest of {} connections by payload bytes, oldest first; FTP data connections are indented "
      "under their control connection. Colour: service; dashed outline: not established (S0, REJ, "
      "...); red outline: reset.</p><div class='scroll'>",
      rows.size(), conn_count_);
  h += fmt::format(
      "<svg id='timeline-svg' xmlns='http://www.w3.org/2000/svg' width='{}' height='{}' viewBox='0 0 {} "
      "{}'>",
      label_w + plot_w + 20, height, label_w + plot_w + 20, height);
  double xs = nice_step(span, 8);
  for (double x = 0; x <= span + 1e-12; x += xs) {
    double px = label_w + x / span * plot_w;
    h += fmt::format("<line x1='{:.1f}' y1='20' x2='{:.1f}' y2='{}' class='grid'/><text x='{:.1f}' y='14' "
                     "class='tick' text-anchor='middle'>{} s</text>",
                     px, px, height - 20, px, tick(x, xs));
  }
  double y = 24;
  for (const ConnRecord* r : rows) {
    const double t0 = static_cast<double>(ts_ns(r->first_ts) - start_ns_) / 1e9;
    const double t1 = std::max(t0, static_cast<double>(ts_ns(r->last_seen_ts) - start_ns_) / 1e9);
    const double x0 = label_w + t0 / span * plot_w;
    const double w = std::max(2.0, (t1 - t0) / span * plot_w);
    const std::string uid = conn_uid_text(r->uid);
    const bool child = r->parent != nullptr;
    const auto st = r->conn_state;
    const bool failed = st == ConnState::S0 || st == ConnState::REJ || st == ConnState::SH ||
                        st == ConnState::SHR || st == ConnState::OTH;
    const bool reset =
        st == ConnState::RSTO || st == ConnState::RSTR || st == ConnState::RSTOS0 || st == ConnState::RSTRH;
    std::string label = conn_label(*r);
    if (label.size() > 52) label = label.substr(0, 51) + "…";
    h += fmt::format(
        "<g class='conn' id='c-{}' data-uid='{}' data-start='{:.6f}' data-end='{:.6f}' data-service='{}' "
        "data-state='{}'><title>{} {} {} {:.6f}s, {} / {} bytes</title>",
        uid, uid, t0, t1, esc(r->service.empty() ? "-" : r->service), conn_state_name(st), uid,
        esc(conn_label(*r)), conn_state_name(st), t1 - t0, r->orig_bytes, r->resp_bytes);
    h += fmt::format("<text x='{}' y='{:.1f}' class='tick'>{}{}</text>", child ? 16 : 4, y + 10,
                     child ? "↳ " : "", esc(label));
    h += fmt::format("<rect x='{:.1f}' y='{:.1f}' width='{:.1f}' height='{}' fill='{}'{}/></g>", x0, y + 2, w,
                     row_h - 4, service_colour(r->service),
                     reset ? " stroke='#d93025' stroke-width='1.5'"
                           : (failed ? " fill-opacity='0.35' stroke='#5f6368' stroke-dasharray='2 2'" : ""));
    y += row_h;
  }
  h += "</svg></div></section>\n";
}

void ReportBuilder::section_io(std::string& h) {
  const auto& bins = io_.bins();
  const int64_t w = io_.width_ns();
  h += "<section id='io' data-section='io'><h2>I/O graph</h2><p class='noprint'>Interval: <select "
       "id='io-interval'>";
  std::vector<int64_t> widths;
  for (int64_t f = 1; f <= 64 && (f == 1 || bins.size() / static_cast<size_t>(f) >= 8); f *= 4)
    widths.push_back(w * f);
  for (size_t i = 0; i < widths.size(); ++i)
    h += fmt::format("<option value='{}'{}>{}</option>", widths[i],
                     i == (widths.size() > 1 ? 1 : 0) ? " selected" : "", interval_text(widths[i]));
  h += "</select></p><p class='legend'><span><span class='sw' style='background:#1a73e8'></span>client → "
       "server"
       "</span><span><span class='sw' style='background:#e8710a'></span>server → client</span><span><span "
       "class='sw' style='background:#9aa0a6'></span>no connection</span></p>";
  // The finest bins as data, for scripts and tests: [packets c>s, s>c, other, bytes c>s, s>c, other].
  h += fmt::format("<script type='application/json' id='io-data'>{{\"width_ns\":{},\"bins\":[", w);
  for (size_t i = 0; i < bins.size(); ++i)
    h += fmt::format("{}[{},{},{},{},{},{}]", i ? "," : "", bins[i].pkts[0], bins[i].pkts[1], bins[i].pkts[2],
                     bins[i].bytes[0], bins[i].bytes[1], bins[i].bytes[2]);
  h += "]}</script>";
  static const char* colours[] = {"#1a73e8", "#e8710a", "#9aa0a6"};
  for (size_t wi = 0; wi < widths.size(); ++wi) {
    const size_t f = static_cast<size_t>(widths[wi] / w);
    const size_t n = std::max<size_t>(1, (bins.size() + f - 1) / f);
    std::vector<IoBins::Bin> b(n);
    for (size_t i = 0; i < bins.size(); ++i)
      for (int d = 0; d < 3; ++d) {
        b[i / f].pkts[d] += bins[i].pkts[d];
        b[i / f].bytes[d] += bins[i].bytes[d];
      }
    const double secs = static_cast<double>(widths[wi]) / 1e9;
    h += fmt::format("<div class='io-graph' data-width='{}'>", widths[wi]);
    for (int kind = 0; kind < 2; ++kind) {
      uint64_t maxv = 1;
      for (const auto& x : b)
        maxv =
            std::max(maxv, kind ? x.bytes[0] + x.bytes[1] + x.bytes[2] : x.pkts[0] + x.pkts[1] + x.pkts[2]);
      const double L = 70, T = 10, W = 1080, H = 150;
      h += fmt::format(
          "<svg xmlns='http://www.w3.org/2000/svg' class='io-{}' width='1160' height='200' viewBox='0 0 "
          "1160 200'>",
          kind ? "bytes" : "packets");
      axes(h, L, T, W, H, 0, secs * static_cast<double>(n), 0, static_cast<double>(maxv), "seconds",
           kind ? "bytes / interval" : "packets / interval");
      const double bw = W / static_cast<double>(n);
      for (size_t i = 0; i < n; ++i) {
        double base = 0;
        for (int d = 0; d < 3; ++d) {
          const double v = static_cast<double>(kind ? b[i].bytes[d] : b[i].pkts[d]);
          if (v <= 0) continue;
          const double bh = v / static_cast<double>(maxv) * H;
          h += fmt::format("<rect x='{:.2f}' y='{:.2f}' width='{:.2f}' height='{:.2f}' fill='{}'/>",
                           L + bw * static_cast<double>(i), T + H - base - bh, std::max(bw - 0.2, 0.3), bh,
                           colours[d]);
          base += bh;
        }
      }
      h += "</svg>";
    }
    h += "</div>";
  }
  h += "</section>\n";
}

void ReportBuilder::section_seq(std::string& h) {
  std::vector<const Kept*> ks;
  for (const auto& k : kept_series_) ks.push_back(&k);
  std::sort(ks.begin(), ks.end(), [](const Kept* a, const Kept* b) { return a->bytes > b->bytes; });
  h += fmt::format(
      "<section id='seq' data-section='seq'><h2>TCP sequence graphs</h2><p class='note'>The {} busiest "
      "TCP connections (and those named with --conn), Stevens style: each data segment is a vertical "
      "bar from its sequence number to its end, the ACK line and the receive window edge follow the "
      "other side. <span style='color:#d93025'>Retransmissions</span>, <span "
      "style='color:#e37400'>out-of-order segments</span> and zero windows (×) are marked.</p>",
      opt_.seq_graphs);
  if (ks.empty()) h += "<p>No TCP connection.</p>";
  for (const Kept* k : ks) {
    const ConnRecord& r = k->rec;
    const bool data_orig = r.orig_bytes >= r.resp_bytes;
    const auto& pts = k->series.points;
    double t0 = 1e300, t1 = -1e300, smax = 1;
    for (const auto& p : pts) {
      t0 = std::min<double>(t0, p.t), t1 = std::max<double>(t1, p.t);
      if (p.orig == data_orig)
        smax = std::max<double>(smax, p.seq + p.len);
      else
        smax = std::max<double>(smax, p.ack);
    }
    if (pts.empty()) t0 = t1 = 0;
    if (t1 <= t0) t1 = t0 + 1e-3;
    const std::string uid = conn_uid_text(r.uid);
    uint64_t retrans = 0, ooo = 0, zw = 0;
    for (const auto& p : pts) {
      retrans += (p.flags & kMarkRetrans) != 0;
      ooo += (p.flags & kMarkOoo) != 0;
      zw += (p.flags & kMarkZeroWin) != 0;
    }
    h += fmt::format(
        "<div class='seqgraph' id='seq-{}' data-uid='{}' data-points='{}'><h3><a href='#c-{}'>{}</a> "
        "{}</h3><p class='note'>{} data bytes this way; {} retransmissions, {} out-of-order, {} "
        "zero-window segments marked{}</p>",
        uid, uid, pts.size(), uid, uid, esc(conn_label(r)), data_orig ? r.orig_bytes : r.resp_bytes, retrans,
        ooo, zw,
        k->series.stride > 1 ? fmt::format(" (1 in {} unmarked segments drawn)", k->series.stride) : "");
    const double L = 80, T = 10, W = 1060, H = 260;
    h += "<svg xmlns='http://www.w3.org/2000/svg' width='1160' height='310' viewBox='0 0 1160 310'>";
    axes(h, L, T, W, H, t0, t1, 0, smax, "seconds", "relative sequence number");
    auto X = [&](double t) { return L + (t - t0) / (t1 - t0) * W; };
    auto Y = [&](double s) { return T + H - s / smax * H; };
    std::string ackline, winline, marks;
    for (const auto& p : pts) {
      if (p.orig == data_orig) {
        if (p.len == 0) continue;
        const char* c = (p.flags & kMarkRetrans) ? "#d93025" : (p.flags & kMarkOoo) ? "#e37400" : "#1a73e8";
        h += fmt::format(
            "<line x1='{0:.1f}' y1='{1:.1f}' x2='{0:.1f}' y2='{2:.1f}' stroke='{3}' stroke-width='{4}'/>",
            X(p.t), Y(p.seq), std::min(Y(p.seq + p.len), Y(p.seq) - 1.0), c, p.flags ? 2 : 1);
      } else if (p.ack) {
        ackline += fmt::format("{:.1f},{:.1f} ", X(p.t), Y(p.ack));
        winline += fmt::format("{:.1f},{:.1f} ", X(p.t), Y(std::min<double>(smax, double(p.ack) + p.win)));
        if (p.flags & kMarkZeroWin)
          marks += fmt::format("<text x='{:.1f}' y='{:.1f}' class='zw' fill='#000' font-size='12' "
                               "text-anchor='middle'>×</text>",
                               X(p.t), Y(p.ack) + 4);
      }
    }
    h += fmt::format("<polyline points='{}' fill='none' stroke='#188038' stroke-width='1'/>", ackline);
    h += fmt::format("<polyline points='{}' fill='none' stroke='#9aa0a6' stroke-dasharray='3 2'/>", winline);
    h += marks + "</svg>";
    // Throughput and RTT.
    constexpr size_t kBins = 100;
    std::vector<double> thr(kBins, 0);
    std::string rtt;
    double rmax = 0;
    for (const auto& p : pts)
      if (p.orig != data_orig && p.rtt_ms >= 0) rmax = std::max<double>(rmax, p.rtt_ms);
    for (const auto& p : pts)
      if (p.orig == data_orig)
        thr[std::min(kBins - 1, static_cast<size_t>((p.t - t0) / (t1 - t0) * kBins))] +=
            p.len * k->series.stride;
    double tmax = 1;
    const double bin_s = (t1 - t0) / kBins;
    for (double& v : thr) tmax = std::max(tmax, v /= bin_s);
    h += "<div class='grid3'><svg xmlns='http://www.w3.org/2000/svg' class='thr' width='560' height='190' "
         "viewBox='0 0 560 190'>";
    axes(h, 70, 10, 470, 140, t0, t1, 0, tmax, "seconds", "bytes/s");
    std::string tl;
    for (size_t i = 0; i < kBins; ++i)
      tl += fmt::format("{:.1f},{:.1f} ", 70 + (i + 0.5) / kBins * 470, 150 - thr[i] / tmax * 140);
    h += fmt::format("<polyline points='{}' fill='none' stroke='#1a73e8'/></svg>", tl);
    h +=
        "<svg xmlns='http://www.w3.org/2000/svg' class='rtt' width='560' height='190' viewBox='0 0 560 190'>";
    axes(h, 70, 10, 470, 140, t0, t1, 0, rmax > 0 ? rmax * 1.1 : 1, "seconds", "ACK RTT (ms)");
    for (const auto& p : pts)
      if (p.orig != data_orig && p.rtt_ms >= 0)
        rtt += fmt::format("<circle cx='{:.1f}' cy='{:.1f}' r='1.5' fill='#188038'/>",
                           70 + (p.t - t0) / (t1 - t0) * 470, 150 - p.rtt_ms / (rmax * 1.1) * 140);
    h += rtt + "</svg></div></div>";
  }
  h += "</section>\n";
}

void ReportBuilder::section_transactions(std::string& h, const app::Transactions& t) {
  h += "<section id='transactions' data-section='transactions'><h2>Transactions</h2><p class='note'>As "
       "<code>portscope log KIND</code>; uid links to the connection on the timeline.</p>";
  std::unordered_map<std::string, std::string> uid_text;
  for (const auto& [id, uid] : stream_uids_)
    uid_text.emplace(app::stream_uid(static_cast<uint32_t>(id), id >> 32 == 17), conn_uid_text(uid));
  const std::pair<const char*, app::LogTable> tables[] = {{"http", app::http_log(t)},
                                                          {"ftp", app::ftp_log(t)},
                                                          {"smtp", app::smtp_log(t)},
                                                          {"pop3", app::pop3_log(t)},
                                                          {"dns", dns_.table()}};
  for (const auto& [kind, table] : tables) {
    size_t uid_col = SIZE_MAX;
    std::vector<size_t> cols;
    for (size_t c = 0; c < table.columns.size(); ++c) {
      const std::string& n = table.columns[c].name;
      if (n == "uid") uid_col = c;
      // The columns that tell a transaction apart; the full set is in `portscope log`.
      static const std::set<std::string> keep = {
          "ts",      "uid",   "id.orig_h",   "id.resp_h",  "id.resp_p",         "method",
          "host",    "uri",   "status_code", "status_msg", "response_body_len", "user",
          "command", "arg",   "reply_code",  "reply_msg",  "mailfrom",          "rcptto",
          "subject", "query", "qtype_name",  "rcode_name", "answers",           "status",
          "msg"};
      if (keep.count(n)) cols.push_back(c);
    }
    h += fmt::format("<h3 id='tx-{0}-title'>{1} ({2})</h3>", kind, kind, table.rows.size());
    if (table.rows.empty()) {
      h += fmt::format("<p class='note' id='tx-{}'>none</p>", kind);
      continue;
    }
    h += fmt::format("<div class='scroll'><table id='tx-{}' data-rows='{}'><tr>", kind, table.rows.size());
    for (size_t c : cols) h += "<th>" + esc(table.columns[c].name) + "</th>";
    h += "</tr>";
    for (size_t r = 0; r < table.rows.size() && r < opt_.table_rows; ++r) {
      h += "<tr>";
      for (size_t c : cols) {
        const auto& cell = c < table.rows[r].size() ? table.rows[r][c] : std::nullopt;
        std::string v = cell ? *cell : "-";
        if (c == uid_col) {
          auto it = uid_text.find(v);
          if (it != uid_text.end()) v = it->second;
          h += fmt::format("<td><a href='#c-{0}'>{0}</a></td>", esc(v));
        } else {
          if (v.size() > 120) v = v.substr(0, 119) + "…";
          h += "<td>" + esc(v) + "</td>";
        }
      }
      h += "</tr>";
    }
    h += "</table></div>";
    if (table.rows.size() > opt_.table_rows)
      h += fmt::format(
          "<p class='note'>First {} of {} rows; <code>portscope log {}</code> prints them all.</p>",
          opt_.table_rows, table.rows.size(), kind);
  }
  h += "</section>\n";
}

void ReportBuilder::section_expert(std::string& h) {
  h +=
      "<section id='expert' data-section='expert'><h2>Expert summary</h2><table id='expert-table'><tr>"
      "<th>Severity</th><th>Event</th><th class='n'>Count</th><th>Connections</th><th>First frames</th></tr>";
  for (const Expert& e : expert_) {
    std::string links, frames;
    for (uint64_t u : e.uids) {
      const std::string t = conn_uid_text(u);
      links += fmt::format("<a href='#c-{0}'>{0}</a> ", t);
    }
    for (uint64_t f : e.frames)
      if (f) frames += fmt::format("{} ", f);
    h += fmt::format(
        "<tr data-event='{}'><td>{}</td><td>{}</td><td class='n'>{}</td><td>{}</td><td>{}</td></tr>",
        esc(e.name), e.severity, esc(e.name), e.count, links.empty() ? "-" : links,
        frames.empty() ? "-" : frames);
  }
  h += "</table></section>\n";
}

void ReportBuilder::write(OutBuffer& out, const app::Transactions& t,
                          const std::vector<std::string>& link_types, const CaptureDrops& drops) {
  std::string h;
  h.reserve(1 << 20);
  h +=
      "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><meta name='viewport' "
      "content='width=device-width,initial-scale=1'><meta http-equiv='Content-Security-Policy' "
      "content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">";
  h += fmt::format("<title>portscope report: {}</title><style>{}</style></head><body>", esc(opt_.file),
                   kStyle);
  h += fmt::format("<h1>portscope report</h1><p class='note'>{}</p>", esc(opt_.file));
  h += "<nav class='noprint'><a href='#summary'>Summary</a> · <a href='#hierarchy'>Protocols</a> · <a "
       "href='#talkers'>Talkers</a> · <a href='#timeline'>Timeline</a> · <a href='#io'>I/O</a> · <a "
       "href='#seq'>Sequence graphs</a> · <a href='#transactions'>Transactions</a> · <a "
       "href='#expert'>Expert</a></nav>";
  out.write(h);
  h.clear();
  section_summary(h, link_types, drops);
  section_hierarchy(h);
  section_talkers(h);
  out.write(h);
  h.clear();
  section_timeline(h);
  section_io(h);
  out.write(h);
  h.clear();
  section_seq(h);
  out.write(h);
  h.clear();
  section_transactions(h, t);
  section_expert(h);
  h += fmt::format("<script>{}</script></body></html>\n", kScript);
  out.write(h);
}

} // namespace ps::report
