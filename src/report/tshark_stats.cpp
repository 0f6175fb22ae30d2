#include "report/tshark_stats.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>

#include "app/messages.h"

namespace ps::report {

namespace {

// The MPLS label stack entries of a layer (tshark shows one "mpls" tree per entry).
int mpls_entries(const Decoded& pkt, const LayerSpan& l) {
  std::span<const uint8_t> b = pkt.bytes(l);
  int n = 0;
  for (size_t i = 0; i + 4 <= b.size(); i += 4) {
    ++n;
    if (b[i + 2] & 1) break; // bottom of stack
  }
  return std::max(n, 1);
}

} // namespace

// ---- io,phs ----------------------------------------------------------------------------------------

ProtocolHierarchy::ProtocolHierarchy() {
  nodes_.push_back(Node{});
  wanted_.set(static_cast<size_t>(F::FRAME_PROTOCOLS));
}

void ProtocolHierarchy::add_needs(EngineNeeds& needs) {
  needs.streams = true;
  needs.numbers = true;
  needs.analysis = true; // retransmitted payload is not handed to a dissector
  needs.app = true;
  needs.service_only = false;
}

// tshark's hierarchy walks the top-level items of the protocol tree. frame.protocols names the same
// protocols with a few differences, mended here: pseudo-layers that are not top-level trees
// (ethertype, IPv6 extension headers), items tshark puts at the top level (FTP's working directory,
// FTP data's setup fields, "[N Reassembled TCP Segments]"), one MPLS tree per label, and the MIME parts
// that IMF shows inside its own tree (and the text lines of an SMTP DATA fragment, inside SMTP's).
void ProtocolHierarchy::path_of(const PacketView& v, std::vector<std::string_view>& path) {
  path.clear();
  if (!v.frame.comment.empty()) path.push_back("pkt_comment"); // its own top-level tree, first
  if (first_) {
    times_.first = times_.previous = v.frame.ts;
    first_ = false;
  }
  // A plain TCP frame (Ethernet or cooked, IPv4 or IPv6 without extension headers, no tunnel) is named
  // by its layer stack, the same for every such frame, plus what the application layer found: the stack's
  // names are described once and kept, so most frames skip describe().
  const Decoded& pk = v.pkt;
  uint64_t sig = 0;
  if (pk.l4_layer >= 0 && pk.l4_layer + 1 == pk.layer_count && pk.layer_count <= 12 && !pk.malformed &&
      !pk.truncated && !pk.ip_fragment && !pk.reassembly &&
      pk.layers[static_cast<size_t>(pk.l4_layer)].kind == Layer::Tcp &&
      (!v.app || (v.app->dns_messages.empty() && v.app->malformed.empty()))) {
    sig = uint64_t{1} << 63;
    for (uint8_t i = 0; i < pk.layer_count; ++i) {
      const LayerSpan& l = pk.layers[i];
      const bool simple = l.kind == Layer::Eth || l.kind == Layer::Sll || l.kind == Layer::Sll2 ||
                          l.kind == Layer::Null || l.kind == Layer::Ipv4 || l.kind == Layer::Tcp ||
                          (l.kind == Layer::Ipv6 && pk.bytes(l).size() > 6 && pk.bytes(l)[6] == 6);
      if (!simple) {
        sig = 0;
        break;
      }
      sig |= uint64_t(l.kind) << (5 * i);
    }
  }
  if (sig) {
    auto it = plain_names_.find(sig);
    if (it == plain_names_.end()) {
      rec_.reset(false, &wanted_, false);
      DescribeOptions opt;
      opt.check_checksums = false; // names only
      describe(v.pkt, v.meta, opt, times_, rec_, nullptr);
      it = plain_names_.emplace(sig, std::string(rec_.protocols())).first;
    }
    proto_buf_ = it->second;
    rec_.reset(false, &wanted_, false);
    if (v.app && v.app->valid) append_app_protocols(*v.app, v.pkt.payload(), rec_);
    if (!rec_.protocols().empty()) {
      proto_buf_ += ':';
      proto_buf_ += rec_.protocols();
    }
  } else {
    rec_.reset(false, &wanted_, false);
    DescribeOptions opt;
    opt.check_checksums = false; // names only
    describe(v.pkt, v.meta, opt, times_, rec_, v.app);
    proto_buf_.assign(rec_.protocols());
  }
  times_.previous = v.frame.ts;
  std::string_view p = proto_buf_;
  int mpls_layer = 0;
  auto next_mpls = [&]() {
    for (int i = mpls_layer; i < v.pkt.layer_count; ++i)
      if (v.pkt.layers[static_cast<size_t>(i)].kind == Layer::Mpls) {
        mpls_layer = i + 1;
        return mpls_entries(v.pkt, v.pkt.layers[static_cast<size_t>(i)]);
      }
    return 1;
  };
  // Most frames' names need nothing of the packet itself (no MPLS stack, HTTP count or FTP data setup):
  // their path is the protocol string's, split once and kept.
  auto split = split_.find(proto_buf_);
  if (split == split_.end() && split_.size() < 4096) {
    Split s;
    std::string_view q = proto_buf_;
    while (!q.empty()) {
      size_t c = q.find(':');
      std::string_view name = q.substr(0, c);
      q = c == std::string_view::npos ? std::string_view{} : q.substr(c + 1);
      if (name == "mpls" || name == "http" || name == "ftp-data") {
        s.dynamic = true;
        break;
      }
      if (name == "ethertype" || name.starts_with("ipv6.")) continue;
      if (name == "data-text-lines" && !s.names.empty() && s.names.back() == "smtp") continue;
      s.names.emplace_back(name);
      if (name == "imf") break;
      if (name == "ftp") s.names.emplace_back("ftp.current-working-directory");
    }
    split = split_.emplace(proto_buf_, std::move(s)).first;
  }
  if (split != split_.end() && !split->second.dynamic) {
    for (const std::string& n : split->second.names) path.push_back(n);
    p = {};
  }
  while (!p.empty()) {
    size_t c = p.find(':');
    std::string_view name = p.substr(0, c);
    p = c == std::string_view::npos ? std::string_view{} : p.substr(c + 1);
    if (name == "ethertype" || name.starts_with("ipv6.")) continue;
    if (name == "mpls") {
      for (int k = next_mpls(); k > 0; --k) path.push_back("mpls");
      continue;
    }
    if (name == "data-text-lines" && !path.empty() && path.back() == "smtp") continue; // inside SMTP's tree
    path.push_back(name);
    if (name == "imf") break;
    // Several HTTP messages completed in one frame: one more tree for each.
    if (name == "http" && v.app)
      for (size_t k = 1; k < v.app->http.size(); ++k) path.push_back("http");
    if (name == "ftp") path.push_back("ftp.current-working-directory");
    if (name == "ftp-data" && v.app && v.app->ftp_data) {
      for (std::string_view n : {"ftp-data.setup-frame", "ftp-data.setup-method", "ftp-data.command",
                                 "ftp-data.command-frame", "ftp-data.current-working-directory"})
        path.push_back(n);
    }
  }
  // A frame that only carries part of a PDU is plain TCP to tshark; payload no analyzer claims is "data".
  if (v.app && v.app->valid && v.app->segment != app::AppFrame::Segment::None) {
    while (!path.empty() && path.back() != "tcp") path.pop_back();
  } else if (!path.empty() && (path.back() == "tcp" || path.back() == "udp") && v.pkt.payload_len > 0 &&
             !v.pkt.ip_fragment &&
             !(v.meta.tcp.valid &&
               (v.meta.tcp.analysis & (kRetransmission | kFastRetransmission | kSpuriousRetransmission)))) {
    path.push_back("data");
  }
  // A PDU reassembled from several segments: tshark adds the segment list after the protocols.
  if (v.app && v.app->valid && v.conn) {
    const uint64_t key = v.conn->uid * 2 + (v.from_orig ? 1 : 0);
    auto it = pdu_pending_.find(key);
    const bool pending = it != pdu_pending_.end() && it->second;
    if (pending && !v.app->http.empty()) path.push_back("tcp.segments");
    const bool now = v.app->segment != app::AppFrame::Segment::None;
    if (now || pending) {
      if (v.app->segment == app::AppFrame::Segment::None && !v.app->http.empty())
        pdu_pending_.erase(key);
      else if (now)
        pdu_pending_[key] = true;
    }
  }
}

void ProtocolHierarchy::packet(const PacketView& v) {
  path_of(v, path_);
  add_path(path_, v.frame.wire_len);
}

void ProtocolHierarchy::add_path(const std::vector<std::string_view>& path, uint64_t bytes) {
  uint32_t at = 0;
  nodes_[0].frames++;
  nodes_[0].bytes += bytes;
  for (std::string_view name : path) {
    uint32_t found = UINT32_MAX;
    for (uint32_t c : nodes_[at].children)
      if (nodes_[c].name == name) {
        found = c;
        break;
      }
    if (found == UINT32_MAX) {
      found = static_cast<uint32_t>(nodes_.size());
      nodes_.push_back(Node{std::string(name), 0, 0, {}});
      nodes_[at].children.push_back(found);
    }
    at = found;
    nodes_[at].frames++;
    nodes_[at].bytes += bytes;
  }
}

void ProtocolHierarchy::print(OutBuffer& out) const {
  out.write("\n===================================================================\n"
            "Protocol Hierarchy Statistics\nFilter: \n\n");
  std::vector<std::pair<uint32_t, int>> stack;
  for (auto it = nodes_[0].children.rbegin(); it != nodes_[0].children.rend(); ++it)
    stack.push_back({*it, 0});
  std::string line;
  while (!stack.empty()) {
    auto [i, depth] = stack.back();
    stack.pop_back();
    const Node& n = nodes_[i];
    line.assign(static_cast<size_t>(depth) * 2, ' ');
    line += n.name;
    out.print("{:<40} frames:{} bytes:{}\n", line, n.frames, n.bytes);
    for (auto it = n.children.rbegin(); it != n.children.rend(); ++it) stack.push_back({*it, depth + 1});
  }
  out.write("===================================================================\n");
}

// ---- endpoints ---------------------------------------------------------------------------------------

std::optional<EndpointKind> endpoint_kind(std::string_view name) {
  if (name == "eth") return EndpointKind::Eth;
  if (name == "ip") return EndpointKind::Ip;
  if (name == "ipv6") return EndpointKind::Ipv6;
  if (name == "tcp") return EndpointKind::Tcp;
  if (name == "udp") return EndpointKind::Udp;
  return std::nullopt;
}

void Endpoints::add(const uint8_t* a, uint8_t alen, uint16_t port, bool tx, uint64_t bytes) {
  key_.assign(reinterpret_cast<const char*>(a), alen);
  if (kind_ == EndpointKind::Tcp || kind_ == EndpointKind::Udp) {
    key_.push_back(static_cast<char>(port >> 8));
    key_.push_back(static_cast<char>(port & 0xff));
  }
  auto [it, fresh] = index_.try_emplace(key_, static_cast<uint32_t>(entries_.size()));
  if (fresh) {
    Entry e;
    std::copy(a, a + alen, e.addr.begin());
    e.addr_len = alen;
    e.port = port;
    entries_.push_back(e);
  }
  Entry& e = entries_[it->second];
  if (tx) {
    e.tx_frames++;
    e.tx_bytes += bytes;
  } else {
    e.rx_frames++;
    e.rx_bytes += bytes;
  }
}

void Endpoints::packet(const PacketView& v) {
  const Decoded& p = v.pkt;
  const uint64_t len = v.frame.wire_len;
  // The transport endpoints take their addresses from the IP header that carries them.
  const uint8_t* ip_src = nullptr;
  const uint8_t* ip_dst = nullptr;
  uint8_t alen = 0;
  for (uint8_t i = 0; i < p.layer_count; ++i) {
    const LayerSpan& l = p.layers[i];
    std::span<const uint8_t> b = p.bytes(l);
    switch (l.kind) {
    case Layer::Eth:
      if (kind_ == EndpointKind::Eth && b.size() >= 12) {
        add(b.data() + 6, 6, 0, true, len);
        add(b.data(), 6, 0, false, len);
      }
      break;
    case Layer::Ipv4:
      if (b.size() < 20) break;
      ip_src = b.data() + 12, ip_dst = b.data() + 16, alen = 4;
      if (kind_ == EndpointKind::Ip) {
        add(ip_src, 4, 0, true, len);
        add(ip_dst, 4, 0, false, len);
      }
      break;
    case Layer::Ipv6:
      // A fragment that does not complete its datagram never reaches tshark's IPv6 tap.
      if (b.size() < 40 || (p.ip_fragment && i == p.ip_layer)) break;
      ip_src = b.data() + 8, ip_dst = b.data() + 24, alen = 16;
      if (kind_ == EndpointKind::Ipv6) {
        add(ip_src, 16, 0, true, len);
        add(ip_dst, 16, 0, false, len);
      }
      break;
    case Layer::Tcp:
    case Layer::Udp: {
      const bool want = (l.kind == Layer::Tcp && kind_ == EndpointKind::Tcp) ||
                        (l.kind == Layer::Udp && kind_ == EndpointKind::Udp);
      if (!want || !ip_src || b.size() < 8) break;
      add(ip_src, alen, static_cast<uint16_t>(b[0] << 8 | b[1]), true, len);
      add(ip_dst, alen, static_cast<uint16_t>(b[2] << 8 | b[3]), false, len);
      break;
    }
    default:
      break;
    }
  }
}

std::vector<const Endpoints::Entry*> Endpoints::sorted() const {
  std::vector<const Entry*> v;
  v.reserve(entries_.size());
  for (const Entry& e : entries_) v.push_back(&e);
  std::stable_sort(v.begin(), v.end(), [](const Entry* a, const Entry* b) {
    return a->tx_frames + a->rx_frames > b->tx_frames + b->rx_frames;
  });
  return v;
}

std::string Endpoints::address_text(const Entry& e) const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (e.addr_len == 6)
    std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", e.addr[0], e.addr[1], e.addr[2],
                  e.addr[3], e.addr[4], e.addr[5]);
  else
    inet_ntop(e.addr_len == 16 ? AF_INET6 : AF_INET, e.addr.data(), buf, sizeof buf);
  return buf;
}

void Endpoints::print(OutBuffer& out, std::string_view filter) const {
  static constexpr std::string_view kNames[] = {"Ethernet", "IPv4", "IPv6", "TCP", "UDP"};
  const bool ports = kind_ == EndpointKind::Tcp || kind_ == EndpointKind::Udp;
  out.write("================================================================================\n");
  out.print("{} Endpoints\nFilter:{}\n", kNames[static_cast<size_t>(kind_)],
            filter.empty() ? std::string_view("<No Filter>") : filter);
  out.print(
      "                       |  {}Packets  | |  Bytes  | | Tx Packets | | Tx Bytes | | Rx Packets | | Rx "
      "Bytes |\n",
      ports ? "Port  ||  " : "");
  for (const Entry* e : sorted()) {
    if (ports)
      out.print("{:<20}      {:>5}     {:>6}     {:>9}     {:>6}       {:>9}      {:>6}       {:>9}   \n",
                address_text(*e), e->port, e->tx_frames + e->rx_frames, e->tx_bytes + e->rx_bytes,
                e->tx_frames, e->tx_bytes, e->rx_frames, e->rx_bytes);
    else
      out.print("{:<20}      {:>6}     {:>9}     {:>6}       {:>9}      {:>6}       {:>9}   \n",
                address_text(*e), e->tx_frames + e->rx_frames, e->tx_bytes + e->rx_bytes, e->tx_frames,
                e->tx_bytes, e->rx_frames, e->rx_bytes);
  }
  out.write("================================================================================\n");
}

// ---- io,stat ----------------------------------------------------------------------------------------

IoStat::IoStat(int64_t interval_us, std::vector<std::string> filters) : interval_us_(interval_us) {
  if (filters.empty()) filters.emplace_back();
  for (auto& f : filters) cols_.push_back(Column{std::move(f), std::nullopt, {}, {}});
}

bool IoStat::compile(std::string& error) {
  for (Column& c : cols_) {
    if (c.text.empty()) continue;
    filter::CompileError ce;
    c.filter = filter::DisplayFilter::compile(c.text, ce);
    if (!c.filter) {
      error = filter::format_error(c.text, ce);
      return false;
    }
    wanted_ |= c.filter->fields();
  }
  return true;
}

void IoStat::add_needs(EngineNeeds& needs) const {
  for (const Column& c : cols_) {
    if (!c.filter) continue;
    const DescribeNeeds n = c.filter->needs();
    needs.streams = needs.streams || n.streams;
    needs.numbers = needs.numbers || n.streams;
    needs.analysis = needs.analysis || n.analysis;
    if (n.app) {
      needs.app = true;
      needs.service_only = false;
    }
  }
}

void IoStat::packet(const PacketView& v) {
  const int64_t now = ts_ns(v.frame.ts);
  if (first_) {
    first_ = false;
    start_ns_ = now;
    times_.first = times_.previous = v.frame.ts;
  }
  last_ns_ = std::max(last_ns_, now);
  const int64_t rel_us = std::max<int64_t>(0, (now - start_ns_) / 1000);
  const size_t bin = interval_us_ > 0 ? static_cast<size_t>(rel_us / interval_us_) : 0;
  bool described = false;
  for (Column& c : cols_) {
    if (c.filter) {
      if (!described) {
        rec_.reset(false, &wanted_, false);
        describe(v.pkt, v.meta, DescribeOptions{}, times_, rec_, v.app);
        described = true;
      }
      if (!c.filter->matches(rec_, v.frame.data)) continue;
    }
    if (c.frames.size() <= bin) {
      c.frames.resize(bin + 1);
      c.bytes.resize(bin + 1);
    }
    c.frames[bin]++;
    c.bytes[bin] += v.frame.wire_len;
  }
  times_.previous = v.frame.ts;
}

namespace {

int magnitude(uint64_t v, int max) {
  int m = 1;
  while (v >= 10 && m < max) {
    v /= 10;
    ++m;
  }
  return m;
}

// A label centred in `width` characters between one space of padding each side, then the border.
std::string centred(std::string_view label, int width) {
  const int extra = std::max(0, width - static_cast<int>(label.size()));
  const int left = (extra + 1) / 2;
  return std::string(static_cast<size_t>(1 + left), ' ') + std::string(label) +
         std::string(static_cast<size_t>(extra - left + 1), ' ') + "|";
}

// The row text padded to the table's width, closed by the border.
std::string boxed(std::string text, int borderlen) {
  if (static_cast<int>(text.size()) < borderlen - 1) text.resize(static_cast<size_t>(borderlen - 1), ' ');
  return text + "|\n";
}

} // namespace

// The layout of tshark 4.0's io,stat table: widths from the largest numbers, times in the interval's
// precision, the last row ending at the capture's duration.
void IoStat::print(OutBuffer& out) const {
  int64_t duration = first_ ? 0 : (last_ns_ - start_ns_ + 500) / 1000; // microseconds
  int64_t interval = interval_us_;
  bool whole = false;
  if (interval <= 0 || interval > duration) {
    interval = duration;
    whole = true;
  }
  int prec = 0;
  if (whole) {
    const int dm = magnitude(static_cast<uint64_t>(duration / 1'000'000), 5);
    prec = dm >= 2 ? 1 : dm == 1 ? 3 : 6;
  } else {
    for (int64_t i = interval_us_; prec < 6 && i % 1'000'000 != 0; i *= 10) ++prec;
  }
  int64_t dv = 1'000'000;
  for (int i = 0; i < prec; ++i) dv /= 10;
  int64_t shown_dur = duration;
  if (prec > 0) shown_dur = (duration + dv / 2) / dv * dv;
  if (whole) interval = shown_dur;
  const int dur_mag = magnitude(static_cast<uint64_t>(shown_dur / 1'000'000), 5);
  int invl_col_w = prec == 0 ? 2 * dur_mag + 8 : 2 * dur_mag + 2 * prec + 10;
  invl_col_w = std::max(invl_col_w, 12);

  auto secs = [&](int64_t us, int p) {
    if (p == 0) return fmt::format("{}", us / 1'000'000);
    int64_t d = 1'000'000;
    for (int i = 0; i < p; ++i) d /= 10;
    return fmt::format("{}.{:0{}}", us / 1'000'000, (us % 1'000'000) / d, p);
  };

  size_t rows = 0;
  for (const Column& c : cols_) rows = std::max(rows, c.frames.size());
  size_t nrows = interval > 0 ? static_cast<size_t>(shown_dur / interval) : 1;
  if (interval > 0 && shown_dur % interval > 0) ++nrows;
  nrows = shown_dur > 0 ? std::max(nrows, rows) : 0; // tshark prints no row for a zero-length capture

  std::vector<int> frw, valw;
  int tabrow_w = invl_col_w;
  for (const Column& c : cols_) {
    uint64_t mf = 0, mb = 0;
    for (size_t i = 0; i < c.frames.size(); ++i) {
      mf = std::max(mf, c.frames[i]);
      mb = std::max(mb, c.bytes[i]);
    }
    frw.push_back(std::max(6, magnitude(mf, 15)));
    valw.push_back(std::max(5, magnitude(mb, 15)));
    tabrow_w += frw.back() + 3 + valw.back() + 3;
  }
  int borderlen = std::max(invl_col_w, tabrow_w);
  int maxfltr_w = 0;
  for (const Column& c : cols_)
    maxfltr_w = std::max(maxfltr_w, c.text.empty() ? 26 : int(c.text.size()) + 11);
  if (maxfltr_w > borderlen && borderlen < 102) borderlen = std::min(maxfltr_w, 102);
  if (borderlen - tabrow_w == 1) ++borderlen;

  const std::string rule(static_cast<size_t>(borderlen), '=');
  out.print("\n{}\n", rule);
  out.write(boxed("| IO Statistics", borderlen));
  out.write(boxed("|", borderlen));
  // With a whole-second interval tshark pads the microseconds with spaces, not zeros ("4.  5599").
  out.write(boxed(prec == 0
                      ? fmt::format("| Duration: {}.{:>6} secs", duration / 1'000'000, duration % 1'000'000)
                      : fmt::format("| Duration: {} secs", secs(shown_dur, prec)),
                  borderlen));
  out.write(boxed(fmt::format("| Interval: {} secs", secs(interval, prec)), borderlen));
  out.write(boxed("|", borderlen));
  for (size_t j = 0; j < cols_.size(); ++j)
    out.write(boxed((j == 0 ? fmt::format("| Col {}: ", j + 1) : fmt::format("|    {:>2}: ", j + 1)) +
                        (cols_[j].text.empty() ? std::string("Frames and bytes") : cols_[j].text),
                    borderlen));
  const std::string dashes = "|" + std::string(static_cast<size_t>(borderlen - 2), '-') + "|\n";
  out.write(dashes);
  std::string line = "|" + std::string(static_cast<size_t>(invl_col_w - 2), ' ') + "|";
  for (size_t j = 0; j < cols_.size(); ++j) {
    std::string n = std::to_string(j + 1);
    n.resize(static_cast<size_t>(frw[j] + valw[j] + 5), ' ');
    line += n + "|";
  }
  out.write(line + "\n");
  line = "| Interval" + std::string(static_cast<size_t>(invl_col_w - 11), ' ') + "|";
  for (size_t j = 0; j < cols_.size(); ++j) line += centred("Frames", frw[j]) + centred("Bytes", valw[j]);
  out.write(line + "\n");
  out.write(dashes);
  for (size_t i = 0; i < nrows; ++i) {
    const int64_t t = static_cast<int64_t>(i) * interval;
    const bool last = i + 1 == nrows;
    const int64_t end = last ? shown_dur : t + interval;
    if (prec == 0) {
      if (last && end % 1'000'000 != 0)
        line = fmt::format("| {:>{}} <> Dur|", t / 1'000'000, dur_mag + 1);
      else
        line = fmt::format("| {:>{}} <> {:<{}} |", t / 1'000'000, dur_mag + 1, end / 1'000'000, dur_mag + 1);
    } else {
      line = fmt::format("| {:>{}} <> {:>{}} |", secs(t, prec), dur_mag + prec + 1, secs(end, prec),
                         dur_mag + prec + 1);
    }
    for (size_t j = 0; j < cols_.size(); ++j) {
      const Column& c = cols_[j];
      const uint64_t f = i < c.frames.size() ? c.frames[i] : 0, b = i < c.bytes.size() ? c.bytes[i] : 0;
      line += fmt::format(" {:>{}} | {:>{}} |", f, frw[j], b, valw[j]);
    }
    out.write(line + "\n");
  }
  out.print("{}\n", rule);
}

} // namespace ps::report
