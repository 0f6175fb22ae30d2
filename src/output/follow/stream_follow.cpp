#include "output/follow/stream_follow.h"

#include <arpa/inet.h>

#include <cstdio>
#include <cstring>

#include "flow/reassembly.h"
#include "wire/tcp.h"

namespace ps::app {

namespace {

constexpr std::string_view kRule = "===================================================================\n";

std::string endpoint(uint8_t version, const uint8_t* ip, uint16_t port) {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(version == 6 ? AF_INET6 : AF_INET, ip, buf, sizeof buf);
  return version == 6 ? fmt::format("[{}]:{}", buf, port) : fmt::format("{}:{}", buf, port);
}

bool ascii_keep(uint8_t c) {
  return (c >= 0x20 && c < 0x7f) || c == '\n' || c == '\r';
}
char hexdump_char(uint8_t c) {
  return c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '.';
}

} // namespace

bool parse_follow_target(const std::string& spec, FollowTarget& t, std::string& err) {
  t = FollowTarget{};
  if (!spec.empty() && spec.find_first_not_of("0123456789") == std::string::npos) {
    if (spec.size() > 10 || std::stoull(spec) > UINT32_MAX) {
      err = "stream index '" + spec + "' is too large";
      return false;
    }
    t.stream = static_cast<uint32_t>(std::stoull(spec));
    return true;
  }
  const size_t comma = spec.find(',');
  if (comma == std::string::npos) {
    err = "bad stream '" + spec + "': expected an index or ADDR:PORT,ADDR:PORT";
    return false;
  }
  t.by_address = true;
  for (int n = 0; n < 2; ++n) {
    std::string ep = n == 0 ? spec.substr(0, comma) : spec.substr(comma + 1);
    std::string addr, port;
    if (!ep.empty() && ep[0] == '[') {
      size_t close = ep.find("]:");
      if (close == std::string::npos) break;
      addr = ep.substr(1, close - 1);
      port = ep.substr(close + 2);
    } else {
      size_t colon = ep.rfind(':');
      if (colon == std::string::npos) break;
      addr = ep.substr(0, colon);
      port = ep.substr(colon + 1);
    }
    uint8_t version = addr.find(':') != std::string::npos ? 6 : 4;
    if (inet_pton(version == 6 ? AF_INET6 : AF_INET, addr.c_str(), t.ip[n]) != 1 || port.empty() ||
        port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
        std::stoul(port) > 65535 || (n == 1 && version != t.ip_version)) {
      err = "bad endpoint '" + ep + "' in '" + spec + "' (ADDR:PORT, [IPv6]:PORT, both of one IP version)";
      return false;
    }
    t.ip_version = version;
    t.port[n] = static_cast<uint16_t>(std::stoul(port));
    t.text[n] = addr;
    if (n == 1) return true;
  }
  err = "bad stream '" + spec + "': expected an index or ADDR:PORT,ADDR:PORT";
  return false;
}

struct StreamFollower::Impl {
  bool udp;
  FollowTarget target;
  uint32_t stream;
  FollowFormat format;
  OutBuffer& out;
  bool header_done = false;
  uint8_t ip_version = 0;
  uint8_t node_ip[2][16] = {};
  uint16_t node_port[2] = {0, 0};
  uint64_t hex_offset[2] = {0, 0};
  ReassemblyBudget budget;
  DirectionReassembler rs[2];

  Impl(bool u, const FollowTarget& t, FollowFormat f, OutBuffer& o, const Limits& limits)
      : udp(u), target(t), stream(t.stream), format(f),
        out(o), budget{limits.reassembly_total}, rs{DirectionReassembler(&budget,
                                                                         limits.reassembly_per_direction),
                                                    DirectionReassembler(&budget,
                                                                         limits.reassembly_per_direction)} {}

  std::string_view format_name() const {
    return format == FollowFormat::Ascii ? "ascii" : format == FollowFormat::Hex ? "hex" : "raw";
  }

  void header() {
    out.write("\n");
    out.write(kRule);
    out.print("Follow: {},{}\n", udp ? "udp" : "tcp", format_name());
    if (target.by_address) {
      // tshark's own wording of the address filter.
      const char* ip = target.ip_version == 6 ? "ipv6" : "ip";
      const char* l4 = udp ? "udp" : "tcp";
      auto side = [&](int s, int d) {
        return fmt::format("(({}.src eq {} and {}.srcport eq {}) and ({}.dst eq {} and {}.dstport eq {}))",
                           ip, target.text[s], l4, target.port[s], ip, target.text[d], l4, target.port[d]);
      };
      out.print("Filter: {} or {}\n", side(0, 1), side(1, 0));
    } else {
      out.print("Filter: {}.stream eq {}\n", udp ? "udp" : "tcp", stream);
    }
    for (int n = 0; n < 2; ++n) {
      if (ip_version)
        out.print("Node {}: {}\n", n, endpoint(ip_version, node_ip[n], node_port[n]));
      else
        out.print("Node {}: :0\n", n);
    }
    header_done = true;
  }

  void chunk(int node, std::span<const uint8_t> b) {
    if (b.empty()) return;
    std::string_view tab = node == 1 ? "\t" : "";
    auto& buf = out.buf();
    switch (format) {
    case FollowFormat::Ascii:
      out.print("{}{}\n", tab, b.size());
      for (uint8_t c : b) buf.push_back(ascii_keep(c) ? static_cast<char>(c) : '.');
      buf.push_back('\n');
      break;
    case FollowFormat::Raw:
      out.write(tab);
      for (uint8_t c : b) out.print("{:02x}", c);
      buf.push_back('\n');
      break;
    case FollowFormat::Hex:
      for (size_t i = 0; i < b.size(); i += 16) {
        size_t n = std::min<size_t>(16, b.size() - i);
        out.print("{}{:08X}  ", tab, hex_offset[node] + i);
        for (size_t k = 0; k < 16; ++k) {
          if (k < n)
            out.print("{:02x} ", b[i + k]);
          else
            buf.append(std::string_view("   ")); // not write(): no flush inside a line
          if (k == 7) buf.push_back(' ');
        }
        buf.push_back(' ');
        for (size_t k = 0; k < n; ++k) {
          buf.push_back(hexdump_char(b[i + k]));
          if (k == 7) buf.push_back(' ');
        }
        // tshark 4.0 writes the group blank after the 8th character, then drops one trailing blank
        // (measured against tshark, tests/e2e/test_follow.py).
        if (buf.size() && buf[buf.size() - 1] == ' ') buf.resize(buf.size() - 1);
        buf.push_back('\n');
      }
      hex_offset[node] += b.size();
      break;
    }
    out.maybe_flush();
  }

  struct Sink final : StreamSink {
    Impl& f;
    int node;
    Sink(Impl& i, int n) : f(i), node(n) {}
    void on_data(std::span<const uint8_t> b) override { f.chunk(node, b); }
    // tshark shows bytes never captured as a chunk of text (with its terminating NUL).
    void on_gap(uint64_t n) override {
      char text[64];
      int len = std::snprintf(text, sizeof text, "[%llu bytes missing in capture file]",
                              static_cast<unsigned long long>(n));
      f.chunk(node, {reinterpret_cast<const uint8_t*>(text), static_cast<size_t>(len) + 1});
    }
  };
};

StreamFollower::StreamFollower(bool udp, const FollowTarget& target, FollowFormat format, OutBuffer& out,
                               const Limits& limits)
    : impl_(std::make_unique<Impl>(udp, target, format, out, limits)) {}

uint64_t StreamFollower::dropped_bytes() const {
  return impl_->budget.dropped_bytes;
}

StreamFollower::~StreamFollower() = default;

void StreamFollower::packet(const Decoded& pkt, const PacketMeta& meta) {
  Impl& f = *impl_;
  const LayerSpan* l4 = pkt.l4();
  if (!l4 || !pkt.src_ip || !pkt.frame) return;
  size_t n = pkt.ip_version == 6 ? 16 : 4;
  if (f.target.by_address) {
    if (l4->kind != (f.udp ? Layer::Udp : Layer::Tcp) || pkt.ip_version != f.target.ip_version) return;
    auto is = [&](const uint8_t* ip, uint16_t port, int e) {
      return port == f.target.port[e] && std::memcmp(ip, f.target.ip[e], n) == 0;
    };
    if (!(is(pkt.src_ip, pkt.src_port, 0) && is(pkt.dst_ip, pkt.dst_port, 1)) &&
        !(is(pkt.src_ip, pkt.src_port, 1) && is(pkt.dst_ip, pkt.dst_port, 0)))
      return;
    // As tshark: the first conversation between the two endpoints (a reused tuple is another stream).
    const bool known = f.udp ? meta.udp.valid : meta.tcp.valid;
    const uint32_t s = f.udp ? meta.udp.stream : meta.tcp.stream;
    if (known && f.header_done && s != f.stream) return;
    if (known) f.stream = s;
  } else if (f.udp ? (l4->kind != Layer::Udp || !meta.udp.valid || meta.udp.stream != f.stream)
                   : (l4->kind != Layer::Tcp || !meta.tcp.valid || meta.tcp.stream != f.stream)) {
    return;
  }
  if (!f.header_done) {
    // Node 0 is the sender of the stream's first packet, as in tshark.
    f.ip_version = pkt.ip_version;
    std::memcpy(f.node_ip[0], pkt.src_ip, n);
    std::memcpy(f.node_ip[1], pkt.dst_ip, n);
    f.node_port[0] = pkt.src_port;
    f.node_port[1] = pkt.dst_port;
    f.header();
  }
  int node = std::memcmp(pkt.src_ip, f.node_ip[0], n) == 0 && pkt.src_port == f.node_port[0] ? 0 : 1;
  std::span<const uint8_t> payload = pkt.payload();
  if (f.udp) {
    f.chunk(node, payload);
    return;
  }
  wire::Bytes seg = pkt.bytes(*l4);
  if (wire::TcpView::check(seg)) return;
  wire::TcpView t(seg);
  if (t.has(wire::tcpflag::kSyn)) f.rs[node].syn(t.seq());
  Impl::Sink sink(f, node);
  if (!payload.empty()) f.rs[node].segment(t.seq(), payload, sink);
  // A segment cut by the snapshot length: tshark follows the captured bytes and marks nothing.
  if (pkt.payload_missing)
    f.rs[node].uncaptured(t.seq() + static_cast<uint32_t>(payload.size() + pkt.payload_missing), sink, false);
  if (t.has(wire::tcpflag::kAck)) { // the peer's data acknowledged but never seen is lost
    Impl::Sink other(f, 1 - node);
    f.rs[1 - node].acked(t.ack(), other);
  }
}

void StreamFollower::finish() {
  Impl& f = *impl_;
  if (!f.header_done) f.header();
  for (int node = 0; node < 2; ++node) {
    Impl::Sink sink(f, node);
    f.rs[node].flush(sink);
  }
  f.out.write(kRule);
}

} // namespace ps::app
