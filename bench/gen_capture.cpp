// gen_capture: writes a large synthetic but realistic pcap for benchmarks and memory tests.
//
// The capture is Ethernet, microsecond timestamps, little-endian, and depends only on --seed: the same
// options always give a byte-identical file. It uses the C++ standard library only (no portscope code)
// so that it can judge portscope from the outside.
//
// Default mode: a LAN of client hosts (10.1.0.0/16 and 2001:db8:1::/64) behind gateway 10.1.0.1, seen
// from a mirror port, with --connections TCP connections open at any time (about 12% over IPv6). Each
// connection has a full handshake, application exchanges with consistent sequence/ack numbers, TCP
// timestamps, slow start, delayed ACKs, a few SYN retransmissions, lost segments (a client's seen
// twice; a server's lost upstream, leaving a hole) with the dup ACKs and fast retransmission they
// cause, reordered segments, FIN teardown or an RST, a few refused connections. Servers listen on
//   80, 2222  HTTP/1.1 keep-alive, GET and POST        443  TLS 1.3 (well-formed hellos, app data)
//   21        FTP control                              25   SMTP with a DATA upload
//   110       POP3 with a RETR download                53   DNS over TCP (TXT answers)
// Before many connections the client resolves the server over UDP DNS (valid messages: A/AAAA,
// CNAME chains, NXDOMAIN with SOA); there are also a few ARP exchanges and ICMP/ICMPv6 echo pairs.
// All IPv4 header, TCP, UDP and ICMP checksums are correct.
//
// Other modes (for memory tests):
//   --syn-flood N  N SYNs to 203.0.113.80:80 from random sources/ports, never answered
//   --ooo          one HTTP download whose first segment never arrives: --packets packets of
//                  out-of-order data (and the receiver's dup ACKs) that can never be reassembled
//
// usage: gen_capture -o FILE [--packets N] [--connections N] [--seed S] [--syn-flood N | --ooo]
#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <queue>
#include <string>
#include <string_view>
#include <vector>

namespace {

// ------------------------------------------------------------------------------------------------
// Deterministic random numbers (xoshiro256**, seeded by splitmix64). Not std::*_distribution, whose
// output differs between standard libraries.
class Rng {
public:
  explicit Rng(std::uint64_t seed) {
    std::uint64_t x = seed;
    for (auto& v : s_) v = splitmix(x);
  }
  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  std::uint32_t u32() { return static_cast<std::uint32_t>(next() >> 32); }
  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : next() % n; }
  // Uniform in [lo, hi].
  std::uint64_t range(std::uint64_t lo, std::uint64_t hi) { return lo + below(hi - lo + 1); }
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  bool chance(double p) { return unit() < p; }
  // About log-uniform in [lo, hi]: most values small, a long tail of large ones. An octave
  // [lo*2^k, lo*2^(k+1)) is chosen uniformly, then a point in it; only exact IEEE arithmetic (no
  // libm), so that the output is the same on every platform.
  std::uint64_t log_range(double lo, double hi) {
    int octaves = 1;
    for (double a = lo * 2; a < hi; a *= 2) ++octaves;
    double low = lo;
    for (auto k = below(static_cast<std::uint64_t>(octaves)); k > 0; --k) low *= 2;
    const double high = std::min(hi, low * 2);
    return static_cast<std::uint64_t>(low + unit() * (high - low));
  }

private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static std::uint64_t splitmix(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::uint64_t s_[4];
};

// ------------------------------------------------------------------------------------------------
// Byte helpers.
inline void put16(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}
inline void put32(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}
inline void put32le(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v);
  p[1] = static_cast<std::uint8_t>(v >> 8);
  p[2] = static_cast<std::uint8_t>(v >> 16);
  p[3] = static_cast<std::uint8_t>(v >> 24);
}

// Internet checksum (RFC 1071), summed in host byte order over 32-bit words: the folded sum stored
// back with memcpy is the right value in network order whatever the host's endianness. Chunks summed
// separately must each start at an even offset of the checksummed data.
inline std::uint64_t csum_add(const std::uint8_t* p, std::size_t n, std::uint64_t acc = 0) {
  while (n >= 16) {
    std::uint32_t w[4];
    std::memcpy(w, p, 16);
    acc += static_cast<std::uint64_t>(w[0]) + w[1] + w[2] + w[3];
    p += 16;
    n -= 16;
  }
  while (n >= 4) {
    std::uint32_t w;
    std::memcpy(&w, p, 4);
    acc += w;
    p += 4;
    n -= 4;
  }
  if (n > 0) {
    std::uint8_t tail[4] = {0, 0, 0, 0};
    std::memcpy(tail, p, n);
    std::uint32_t w;
    std::memcpy(&w, tail, 4);
    acc += w;
  }
  return acc;
}
inline void csum_store(std::uint8_t* where, std::uint64_t acc, bool udp = false) {
  while (acc >> 32) acc = (acc & 0xffffffffu) + (acc >> 32);
  while (acc >> 16) acc = (acc & 0xffffu) + (acc >> 16);
  auto c = static_cast<std::uint16_t>(~acc & 0xffffu);
  if (udp && c == 0) c = 0xffff; // a computed 0 is sent as all ones for UDP
  std::memcpy(where, &c, 2);
}

// ------------------------------------------------------------------------------------------------
// pcap writer with a large output buffer.
constexpr std::size_t kMaxFrame = 14 + 40 + 60 + 1500;

class PcapWriter {
public:
  bool open(const std::string& path) {
    f_ = path == "-" ? stdout : std::fopen(path.c_str(), "wb");
    if (f_ == nullptr) return false;
    buf_.resize(8u << 20);
    std::uint8_t* h = buf_.data();
    put32le(h, 0xa1b2c3d4); // microsecond resolution
    h[4] = 2;               // version 2.4, little-endian
    h[5] = 0;
    h[6] = 4;
    h[7] = 0;
    put32le(h + 8, 0);       // thiszone
    put32le(h + 12, 0);      // sigfigs
    put32le(h + 16, 262144); // snaplen
    put32le(h + 20, 1);      // LINKTYPE_ETHERNET
    used_ = 24;
    bytes_ = 24;
    return true;
  }
  // Returns where the frame goes; finish it with end_packet.
  std::uint8_t* begin_packet() {
    if (used_ + 16 + kMaxFrame > buf_.size()) flush();
    return buf_.data() + used_ + 16;
  }
  void end_packet(std::uint64_t t_us, std::uint32_t len) {
    std::uint8_t* h = buf_.data() + used_;
    put32le(h, static_cast<std::uint32_t>(t_us / 1000000));
    put32le(h + 4, static_cast<std::uint32_t>(t_us % 1000000));
    put32le(h + 8, len);
    put32le(h + 12, len);
    used_ += 16 + len;
    bytes_ += 16 + len;
    ++packets_;
  }
  bool close() {
    flush();
    bool ok = !failed_;
    if (f_ != nullptr && f_ != stdout)
      ok = std::fclose(f_) == 0 && ok;
    else if (f_ != nullptr)
      ok = std::fflush(f_) == 0 && ok;
    f_ = nullptr;
    return ok;
  }
  std::uint64_t packets() const { return packets_; }
  std::uint64_t bytes() const { return bytes_; }

private:
  void flush() {
    if (used_ > 0 && std::fwrite(buf_.data(), 1, used_, f_) != used_) failed_ = true;
    used_ = 0;
  }
  std::FILE* f_ = nullptr;
  std::vector<std::uint8_t> buf_;
  std::size_t used_ = 0;
  std::uint64_t packets_ = 0;
  std::uint64_t bytes_ = 0;
  bool failed_ = false;
};

// ------------------------------------------------------------------------------------------------
// Model.
struct Addr {
  bool v6 = false;
  std::array<std::uint8_t, 16> b{}; // IPv4 in b[0..3]
};
Addr v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  Addr x;
  x.b[0] = a;
  x.b[1] = b;
  x.b[2] = c;
  x.b[3] = d;
  return x;
}
Addr v6(std::uint16_t g0, std::uint16_t g1, std::uint16_t g2, std::uint64_t iid) {
  Addr x;
  x.v6 = true;
  put16(x.b.data(), g0);
  put16(x.b.data() + 2, g1);
  put16(x.b.data() + 4, g2);
  put32(x.b.data() + 8, static_cast<std::uint32_t>(iid >> 32));
  put32(x.b.data() + 12, static_cast<std::uint32_t>(iid));
  return x;
}
using Mac = std::array<std::uint8_t, 6>;

enum : std::uint8_t { FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10 };
enum class Kind : std::uint8_t { Tcp, Udp, Icmp, Arp };
enum class Opt : std::uint8_t { None, Ts, Syn };
enum class Body : std::uint8_t { Text, Binary, Tls };

// One application message: head bytes, then body_len generated bytes, then tail bytes.
struct Msg {
  std::string head;
  std::uint32_t body_len = 0;
  std::string tail;
  Body body = Body::Text;
  std::uint32_t salt = 0;
  std::uint32_t size() const { return static_cast<std::uint32_t>(head.size() + body_len + tail.size()); }
};

// One packet of a flow's script, at `at` microseconds after the flow's start.
struct Pkt {
  std::uint64_t at = 0;
  std::uint32_t seq = 0; // TCP seq; ICMP sequence
  std::uint32_t ack = 0; // TCP ack; ICMP identifier
  std::uint32_t off = 0; // payload offset in msgs[msg]
  std::uint16_t len = 0; // payload length
  std::uint16_t msg = 0;
  std::uint8_t dir = 0;   // 0: client -> server, 1: server -> client
  std::uint8_t flags = 0; // TCP flags; ICMP type; ARP opcode
  Opt opt = Opt::None;
};

struct Flow {
  Kind kind = Kind::Tcp;
  bool v6 = false;
  bool conn = false; // a TCP connection whose end starts a new one
  Addr addr[2];
  Mac mac[2]{};
  std::uint16_t port[2] = {0, 0};
  std::uint8_t ttl[2] = {64, 64};
  std::uint16_t ipid[2] = {0, 0};
  std::uint16_t win[2] = {0, 0};             // scaled by 2^7 after the handshake
  std::uint16_t syn_win[2] = {64240, 65160}; // SYN windows are never scaled
  std::uint32_t flowlabel[2] = {0, 0};
  std::uint32_t ts_base[2] = {0, 0};
  std::uint32_t last_ts[2] = {0, 0};
  std::uint64_t start = 0;
  std::size_t pos = 0;
  std::vector<Pkt> pkts;
  std::vector<Msg> msgs;

  void reset() {
    pkts.clear();
    msgs.clear();
    pos = 0;
    conn = false;
  }
  std::uint16_t add_msg(std::string head, std::uint32_t body_len = 0, Body body = Body::Text,
                        std::string tail = {}, std::uint32_t salt = 0) {
    msgs.push_back(Msg{std::move(head), body_len, std::move(tail), body, salt});
    return static_cast<std::uint16_t>(msgs.size() - 1);
  }
};

// ------------------------------------------------------------------------------------------------
// Payload patterns: 1 MiB of text and of random bytes, stored twice so that any copy of up to
// 64 KiB from an offset below 1 MiB is contiguous.
constexpr std::size_t kPat = 1u << 20;

struct Patterns {
  std::vector<std::uint8_t> text, binary;
  explicit Patterns(Rng& rng) : text(2 * kPat), binary(2 * kPat) {
    static constexpr std::string_view words[] = {"the",
                                                 "network",
                                                 "packet",
                                                 "<div class=\"item\">",
                                                 "</div>",
                                                 "data",
                                                 "server",
                                                 "client",
                                                 "request",
                                                 "response",
                                                 "content",
                                                 "value",
                                                 "<a href=\"/index.html\">",
                                                 "</a>",
                                                 "function",
                                                 "return",
                                                 "table",
                                                 "stream",
                                                 "portscope",
                                                 "analysis",
                                                 "lorem",
                                                 "ipsum",
                                                 "dolor",
                                                 "sit",
                                                 "amet",
                                                 "{\"id\":",
                                                 "\"name\":",
                                                 "true",
                                                 "false",
                                                 "null",
                                                 "<p>",
                                                 "</p>",
                                                 "window",
                                                 "segment",
                                                 "capture",
                                                 "traffic"};
    std::size_t i = 0;
    while (i < kPat) {
      std::string_view w = words[rng.below(std::size(words))];
      for (char c : w)
        if (i < kPat) text[i++] = static_cast<std::uint8_t>(c);
      if (i < kPat) text[i++] = rng.chance(0.08) ? '\n' : ' ';
    }
    for (std::size_t j = 0; j < kPat; j += 8) {
      std::uint64_t v = rng.next();
      std::memcpy(&binary[j], &v, 8);
    }
    std::memcpy(&text[kPat], &text[0], kPat);
    std::memcpy(&binary[kPat], &binary[0], kPat);
  }
};

// TLS application data bodies are a sequence of records of at most 16384 bytes each, 5-byte headers
// included in body_len. Pads a length so that the last record is not shorter than its header.
constexpr std::uint32_t kTlsStride = 16384 + 5;
std::uint32_t tls_body_len(std::uint32_t n) {
  if (n < 6) n = 6;
  const std::uint32_t r = n % kTlsStride;
  if (r != 0 && r < 6) n += 6;
  return n;
}

void fill_body(std::uint8_t* dst, const Patterns& pat, const Msg& m, std::uint32_t start, std::uint32_t n) {
  const std::uint8_t* src = m.body == Body::Text ? pat.text.data() : pat.binary.data();
  std::memcpy(dst, src + ((m.salt + start) & (kPat - 1)), n);
  if (m.body != Body::Tls) return;
  // Patch the record headers that fall within [start, start + n).
  const std::uint32_t end = start + n;
  for (std::uint64_t rec = start / kTlsStride * std::uint64_t{kTlsStride}; rec < end; rec += kTlsStride) {
    const auto rlen = static_cast<std::uint32_t>(std::min<std::uint64_t>(16384, m.body_len - rec - 5));
    const std::uint8_t hdr[5] = {0x17, 0x03, 0x03, static_cast<std::uint8_t>(rlen >> 8),
                                 static_cast<std::uint8_t>(rlen)};
    for (std::uint32_t j = 0; j < 5; ++j) {
      const std::uint64_t p = rec + j;
      if (p >= start && p < end) dst[p - start] = hdr[j];
    }
  }
}

void fill_payload(std::uint8_t* dst, const Patterns& pat, const Msg& m, std::uint32_t off,
                  std::uint32_t len) {
  const std::uint32_t h = static_cast<std::uint32_t>(m.head.size());
  const std::uint32_t hb = h + m.body_len;
  std::uint32_t pos = off;
  const std::uint32_t end = off + len;
  if (pos < h) {
    const std::uint32_t n = std::min(end, h) - pos;
    std::memcpy(dst, m.head.data() + pos, n);
    pos += n;
  }
  if (pos < end && pos < hb) {
    const std::uint32_t n = std::min(end, hb) - pos;
    fill_body(dst + (pos - off), pat, m, pos - h, n);
    pos += n;
  }
  if (pos < end) std::memcpy(dst + (pos - off), m.tail.data() + (pos - hb), end - pos);
}

// ------------------------------------------------------------------------------------------------
// Frame builder: turns one Pkt of a Flow into bytes.
std::size_t write_l2(std::uint8_t* p, const Mac& dst, const Mac& src, std::uint16_t type) {
  std::memcpy(p, dst.data(), 6);
  std::memcpy(p + 6, src.data(), 6);
  put16(p + 12, type);
  return 14;
}

// Writes the IP header for `l4len` bytes of protocol `proto`; returns the pseudo-header sum.
std::uint64_t write_ip(std::uint8_t* p, Flow& f, int d, std::uint8_t proto, std::uint32_t l4len, bool df) {
  const Addr& s = f.addr[d];
  const Addr& t = f.addr[1 - d];
  std::uint8_t ph[40];
  if (!f.v6) {
    p[0] = 0x45;
    p[1] = 0;
    put16(p + 2, 20 + l4len);
    put16(p + 4, f.ipid[d]++);
    put16(p + 6, df ? 0x4000 : 0);
    p[8] = f.ttl[d];
    p[9] = proto;
    p[10] = p[11] = 0;
    std::memcpy(p + 12, s.b.data(), 4);
    std::memcpy(p + 16, t.b.data(), 4);
    csum_store(p + 10, csum_add(p, 20));
    std::memcpy(ph, s.b.data(), 4);
    std::memcpy(ph + 4, t.b.data(), 4);
    ph[8] = 0;
    ph[9] = proto;
    put16(ph + 10, l4len);
    return csum_add(ph, 12);
  }
  put32(p, 0x60000000u | (f.flowlabel[d] & 0xfffffu));
  put16(p + 4, l4len);
  p[6] = proto;
  p[7] = f.ttl[d];
  std::memcpy(p + 8, s.b.data(), 16);
  std::memcpy(p + 24, t.b.data(), 16);
  std::memcpy(ph, s.b.data(), 16);
  std::memcpy(ph + 16, t.b.data(), 16);
  put32(ph + 32, l4len);
  put32(ph + 36, proto);
  return csum_add(ph, 40);
}

// Returns the frame length.
std::uint32_t build_frame(std::uint8_t* p, Flow& f, const Pkt& k, std::uint64_t t_us, const Patterns& pat) {
  const int d = k.dir;
  const int r = 1 - d;
  if (f.kind == Kind::Arp) {
    // flags = opcode; dir 0 = the client asking for the gateway, dir 1 = the gateway's reply.
    static constexpr Mac bcast = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    std::size_t n = write_l2(p, k.flags == 1 ? bcast : f.mac[r], f.mac[d], 0x0806);
    std::uint8_t* a = p + n;
    put16(a, 1);
    put16(a + 2, 0x0800);
    a[4] = 6;
    a[5] = 4;
    put16(a + 6, k.flags);
    std::memcpy(a + 8, f.mac[d].data(), 6);
    std::memcpy(a + 14, f.addr[d].b.data(), 4);
    if (k.flags == 1)
      std::memset(a + 18, 0, 6);
    else
      std::memcpy(a + 18, f.mac[r].data(), 6);
    std::memcpy(a + 24, f.addr[r].b.data(), 4);
    std::memset(a + 28, 0, 60 - 14 - 28); // Ethernet minimum frame (no FCS)
    return 60;
  }
  std::size_t n = write_l2(p, f.mac[r], f.mac[d], f.v6 ? 0x86dd : 0x0800);
  std::uint8_t* ip = p + n;
  std::uint8_t* l4 = ip + (f.v6 ? 40 : 20);

  if (f.kind == Kind::Icmp) {
    // flags = ICMP type (8/0 or 128/129); payload as Linux ping: timeval + 0x10..0x37.
    const std::uint32_t l4len = 8 + 56;
    const std::uint64_t ph = write_ip(ip, f, d, f.v6 ? 58 : 1, l4len, true);
    l4[0] = k.flags;
    l4[1] = 0;
    l4[2] = l4[3] = 0;
    put16(l4 + 4, k.ack);
    put16(l4 + 6, k.seq);
    const std::uint64_t sent = f.start + k.off; // when the request left
    put32le(l4 + 8, static_cast<std::uint32_t>(sent / 1000000));
    put32le(l4 + 12, 0);
    put32le(l4 + 16, static_cast<std::uint32_t>(sent % 1000000));
    put32le(l4 + 20, 0);
    for (int i = 0; i < 40; ++i) l4[24 + i] = static_cast<std::uint8_t>(0x10 + i);
    csum_store(l4 + 2, csum_add(l4, l4len, f.v6 ? ph : 0));
    return static_cast<std::uint32_t>(l4 + l4len - p);
  }

  if (f.kind == Kind::Udp) {
    const Msg& m = f.msgs[k.msg];
    const std::uint32_t l4len = 8 + k.len;
    const std::uint64_t ph = write_ip(ip, f, d, 17, l4len, false);
    put16(l4, f.port[d]);
    put16(l4 + 2, f.port[r]);
    put16(l4 + 4, l4len);
    l4[6] = l4[7] = 0;
    fill_payload(l4 + 8, pat, m, k.off, k.len);
    csum_store(l4 + 6, csum_add(l4, l4len, ph), true);
    return static_cast<std::uint32_t>(l4 + l4len - p);
  }

  // TCP.
  const std::uint32_t optlen = k.opt == Opt::Syn ? 20 : k.opt == Opt::Ts ? 12 : 0;
  const std::uint32_t hlen = 20 + optlen;
  const std::uint32_t l4len = hlen + k.len;
  const std::uint64_t ph = write_ip(ip, f, d, 6, l4len, true);
  put16(l4, f.port[d]);
  put16(l4 + 2, f.port[r]);
  put32(l4 + 4, k.seq);
  put32(l4 + 8, k.ack);
  l4[12] = static_cast<std::uint8_t>((hlen / 4) << 4);
  l4[13] = k.flags;
  std::uint16_t win = f.win[d];
  if (k.flags & SYN) win = f.syn_win[d];
  if (k.flags & RST) win = 0;
  put16(l4 + 14, win);
  l4[16] = l4[17] = 0;
  l4[18] = l4[19] = 0;
  if (k.opt != Opt::None) {
    const std::uint32_t tsval = f.ts_base[d] + static_cast<std::uint32_t>(t_us / 1000);
    const std::uint32_t tsecr = (k.flags & SYN) && d == 0 ? 0 : f.last_ts[r];
    f.last_ts[d] = tsval;
    std::uint8_t* o = l4 + 20;
    if (k.opt == Opt::Syn) { // Linux order: MSS, SACK_PERM, TS, NOP, WS
      o[0] = 2;
      o[1] = 4;
      put16(o + 2, f.v6 ? 1440 : 1460);
      o[4] = 4;
      o[5] = 2;
      o += 6;
    } else {
      o[0] = o[1] = 1;
      o += 2;
    }
    o[0] = 8;
    o[1] = 10;
    put32(o + 2, tsval);
    put32(o + 6, tsecr);
    if (k.opt == Opt::Syn) {
      o[10] = 1;
      o[11] = 3;
      o[12] = 3;
      o[13] = 7;
    }
  }
  if (k.len > 0) fill_payload(l4 + hlen, pat, f.msgs[k.msg], k.off, k.len);
  csum_store(l4 + 16, csum_add(l4, l4len, ph));
  return static_cast<std::uint32_t>(l4 + l4len - p);
}

// ------------------------------------------------------------------------------------------------
// DNS messages.
class DnsBuf {
public:
  std::string b;
  void u8(std::uint32_t v) { b.push_back(static_cast<char>(v & 0xff)); }
  void u16(std::uint32_t v) {
    u8(v >> 8);
    u8(v);
  }
  void u32(std::uint32_t v) {
    u16(v >> 16);
    u16(v);
  }
  // Encodes a dotted name; records the offset of each label so that suffixes can be pointed to.
  void name(std::string_view dotted, std::vector<std::size_t>* label_offsets = nullptr,
            bool terminate = true) {
    std::size_t i = 0;
    while (i < dotted.size()) {
      std::size_t dot = dotted.find('.', i);
      if (dot == std::string_view::npos) dot = dotted.size();
      if (label_offsets) label_offsets->push_back(b.size());
      u8(static_cast<std::uint32_t>(dot - i));
      b.append(dotted.substr(i, dot - i));
      i = dot + 1;
    }
    if (terminate) u8(0);
  }
  void ptr(std::size_t off) { u16(0xc000u | static_cast<std::uint32_t>(off)); }
  std::size_t size() const { return b.size(); }
};

std::string dns_query(std::uint16_t id, std::string_view qname, std::uint16_t qtype, bool edns) {
  DnsBuf q;
  q.u16(id);
  q.u16(0x0100); // RD
  q.u16(1);
  q.u16(0);
  q.u16(0);
  q.u16(edns ? 1 : 0);
  q.name(qname);
  q.u16(qtype);
  q.u16(1);
  if (edns) { // OPT pseudo-record, UDP size 1232
    q.u8(0);
    q.u16(41);
    q.u16(1232);
    q.u32(0);
    q.u16(0);
  }
  return q.b;
}

struct DnsAnswer {
  std::vector<Addr> addrs; // A or AAAA records
  std::string cname;       // if set, a CNAME to this name precedes the addresses
  bool nxdomain = false;
  int txt = 0; // number of TXT records
};

std::string dns_response(std::uint16_t id, std::string_view qname, std::uint16_t qtype, const DnsAnswer& a,
                         bool edns, Rng& rng) {
  DnsBuf r;
  r.u16(id);
  r.u16(a.nxdomain ? 0x8183 : 0x8180);
  const int an = a.nxdomain ? 0 : static_cast<int>(a.addrs.size()) + (a.cname.empty() ? 0 : 1) + a.txt;
  r.u16(1);
  r.u16(static_cast<std::uint32_t>(an));
  r.u16(a.nxdomain ? 1 : 0);
  r.u16(edns ? 1 : 0);
  std::vector<std::size_t> labels;
  r.name(qname, &labels);
  r.u16(qtype);
  r.u16(1);
  std::size_t owner = 12; // the question name
  if (a.nxdomain) {
    // Authority: SOA of the last two labels.
    const std::size_t zone = labels.size() >= 2 ? labels[labels.size() - 2] : 12;
    r.ptr(zone);
    r.u16(6);
    r.u16(1);
    r.u32(900);
    const std::size_t rdlen_at = r.size();
    r.u16(0);
    r.name("ns1", nullptr, false);
    r.ptr(zone);
    r.name("hostmaster", nullptr, false);
    r.ptr(zone);
    r.u32(2024031401);
    r.u32(7200);
    r.u32(3600);
    r.u32(1209600);
    r.u32(300);
    const std::size_t rdlen = r.size() - rdlen_at - 2;
    r.b[rdlen_at] = static_cast<char>(rdlen >> 8);
    r.b[rdlen_at + 1] = static_cast<char>(rdlen);
  } else {
    const std::uint32_t ttl = static_cast<std::uint32_t>(rng.range(30, 3600));
    if (!a.cname.empty()) {
      r.ptr(owner);
      r.u16(5);
      r.u16(1);
      r.u32(ttl);
      const std::size_t rdlen_at = r.size();
      r.u16(0);
      owner = r.size();
      r.name(a.cname);
      const std::size_t rdlen = r.size() - rdlen_at - 2;
      r.b[rdlen_at] = static_cast<char>(rdlen >> 8);
      r.b[rdlen_at + 1] = static_cast<char>(rdlen);
    }
    for (const Addr& x : a.addrs) {
      r.ptr(owner);
      r.u16(x.v6 ? 28 : 1);
      r.u16(1);
      r.u32(ttl);
      r.u16(x.v6 ? 16 : 4);
      r.b.append(reinterpret_cast<const char*>(x.b.data()), x.v6 ? 16 : 4);
    }
    for (int i = 0; i < a.txt; ++i) {
      r.ptr(owner);
      r.u16(16);
      r.u16(1);
      r.u32(ttl);
      const auto len = static_cast<std::uint32_t>(rng.range(40, 250));
      r.u16(len + 1);
      r.u8(len);
      std::string s = i == 0 ? "v=spf1 include:_spf.example.net ~all " : "key=";
      while (s.size() < len) s.push_back(static_cast<char>('a' + rng.below(26)));
      s.resize(len);
      r.b += s;
    }
  }
  if (edns) {
    r.u8(0);
    r.u16(41);
    r.u16(1232);
    r.u32(0);
    r.u16(0);
  }
  return r.b;
}

// ------------------------------------------------------------------------------------------------
// TLS 1.3 handshake messages (well-formed, random keys).
class Bytes {
public:
  std::string b;
  void u8(std::uint32_t v) { b.push_back(static_cast<char>(v & 0xff)); }
  void u16(std::uint32_t v) {
    u8(v >> 8);
    u8(v);
  }
  void u24(std::uint32_t v) {
    u8(v >> 16);
    u16(v);
  }
  void rnd(Rng& rng, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) u8(static_cast<std::uint32_t>(rng.next()));
  }
  std::size_t mark() { // placeholder for a 16-bit length, patched by close16
    u16(0);
    return b.size();
  }
  void close16(std::size_t at) {
    const std::size_t n = b.size() - at;
    b[at - 2] = static_cast<char>(n >> 8);
    b[at - 1] = static_cast<char>(n);
  }
  std::size_t mark24() {
    u24(0);
    return b.size();
  }
  void close24(std::size_t at) {
    const std::size_t n = b.size() - at;
    b[at - 3] = static_cast<char>(n >> 16);
    b[at - 2] = static_cast<char>(n >> 8);
    b[at - 1] = static_cast<char>(n);
  }
};

std::string tls_client_hello(Rng& rng, std::string_view sni, std::string& session_id) {
  Bytes m;
  m.u8(0x16);
  m.u16(0x0301);
  const std::size_t rec = m.mark();
  m.u8(1); // ClientHello
  const std::size_t hs = m.mark24();
  m.u16(0x0303);
  m.rnd(rng, 32);
  m.u8(32);
  const std::size_t sid = m.b.size();
  m.rnd(rng, 32);
  session_id = m.b.substr(sid, 32);
  m.u16(8);
  for (std::uint32_t cs : {0x1301u, 0x1302u, 0x1303u, 0xc02fu}) m.u16(cs);
  m.u8(1);
  m.u8(0);
  const std::size_t exts = m.mark();
  m.u16(0x0000); // server_name
  const std::size_t e0 = m.mark();
  const std::size_t list = m.mark();
  m.u8(0);
  m.u16(static_cast<std::uint32_t>(sni.size()));
  m.b.append(sni);
  m.close16(list);
  m.close16(e0);
  m.u16(0x000a); // supported_groups: x25519, secp256r1
  m.u16(6);
  m.u16(4);
  m.u16(0x001d);
  m.u16(0x0017);
  m.u16(0x000d); // signature_algorithms
  m.u16(8);
  m.u16(6);
  m.u16(0x0403);
  m.u16(0x0804);
  m.u16(0x0401);
  m.u16(0x0010); // ALPN: h2, http/1.1
  m.u16(14);
  m.u16(12);
  m.u8(2);
  m.b += "h2";
  m.u8(8);
  m.b += "http/1.1";
  m.u16(0x002b); // supported_versions: TLS 1.3, 1.2
  m.u16(5);
  m.u8(4);
  m.u16(0x0304);
  m.u16(0x0303);
  m.u16(0x0033); // key_share: x25519
  m.u16(38);
  m.u16(36);
  m.u16(0x001d);
  m.u16(32);
  m.rnd(rng, 32);
  m.close16(exts);
  m.close24(hs);
  m.close16(rec);
  return m.b;
}

// ServerHello + ChangeCipherSpec; the encrypted flight that follows is application data.
std::string tls_server_hello(Rng& rng, const std::string& session_id) {
  Bytes m;
  m.u8(0x16);
  m.u16(0x0303);
  const std::size_t rec = m.mark();
  m.u8(2); // ServerHello
  const std::size_t hs = m.mark24();
  m.u16(0x0303);
  m.rnd(rng, 32);
  m.u8(32);
  m.b += session_id;
  m.u16(0x1301);
  m.u8(0);
  const std::size_t exts = m.mark();
  m.u16(0x002b);
  m.u16(2);
  m.u16(0x0304);
  m.u16(0x0033);
  m.u16(36);
  m.u16(0x001d);
  m.u16(32);
  m.rnd(rng, 32);
  m.close16(exts);
  m.close24(hs);
  m.close16(rec);
  m.b += std::string("\x14\x03\x03\x00\x01\x01", 6);
  return m.b;
}

// ------------------------------------------------------------------------------------------------
// TCP connection script builder. Times are microseconds from the connection's first packet, as seen
// by a capture point next to the clients: the client's packets appear when sent, the server's one
// round trip after the client's packet that caused them.
class TcpScript {
public:
  TcpScript(Flow& f, Rng& rng, std::uint32_t rtt, std::uint32_t gap)
      : f_(f), rng_(rng), rtt_(rtt), gap_(gap) {
    isn_[0] = rng.u32();
    isn_[1] = rng.u32();
    mss_ = f.v6 ? 1428 : 1448; // MSS minus the 12 bytes of timestamp option
  }

  std::uint32_t seq(int d) const { return isn_[d] + 1 + snd_[d]; }
  std::uint32_t ack(int d) const { return isn_[1 - d] + 1 + snd_[1 - d]; }

  // Client SYN (sometimes retransmitted after 1 s), server SYN-ACK, client ACK. Returns the time the
  // client can send its first data, or 0 (with the script finished) if the server refused.
  std::uint64_t handshake(bool refused) {
    std::uint64_t t = 0;
    push(t, 0, SYN, isn_[0], 0, Opt::Syn);
    if (rng_.chance(0.01)) {
      t += 1000000;
      push(t, 0, SYN, isn_[0], 0, Opt::Syn);
    }
    t += rtt_;
    if (refused) {
      push(t, 1, RST | ACK, 0, isn_[0] + 1, Opt::None);
      return 0;
    }
    push(t, 1, SYN | ACK, isn_[1], isn_[0] + 1, Opt::Syn);
    t += rng_.range(20, 120);
    push(t, 0, ACK, seq(0), ack(0), Opt::Ts);
    return t + rng_.range(30, 400);
  }

  // Side d sends message mi starting at time t; the peer's next message (or the next event) comes
  // `reply` us after the last segment reached the capture point (client side). Returns that time.
  std::uint64_t message(int d, std::uint16_t mi, std::uint64_t t, std::uint64_t reply) {
    const std::uint32_t len = f_.msgs[mi].size();
    if (len == 0) return t + reply;
    const std::uint32_t nseg = (len + mss_ - 1) / mss_;
    const int r = 1 - d;
    const std::uint32_t base = snd_[d];

    // Send times: back-to-back at the path's rate, cwnd segments per round trip (slow start).
    sends_.clear();
    std::uint64_t flight_start = t;
    std::uint32_t cwnd = 10, in_flight = 0;
    for (std::uint32_t i = 0; i < nseg; ++i) {
      if (i > 0) t += gap_ + rng_.below(gap_ / 4 + 1);
      if (in_flight == cwnd) {
        t = std::max(t, flight_start + rtt_);
        flight_start = t;
        in_flight = 0;
        cwnd = std::min<std::uint32_t>(cwnd * 2, 2048);
      }
      ++in_flight;
      const bool lost = nseg > 1 && rng_.chance(0.004);
      sends_.push_back(Send{t, i, lost, false});
      // Fast retransmit: three dup ACKs reach the sender, the new copy comes back.
      if (lost) sends_.push_back(Send{t + rtt_ + 3 * gap_ + rng_.range(100, 1000), i, false, true});
    }
    std::stable_sort(sends_.begin(), sends_.end(), [](const Send& a, const Send& b) { return a.at < b.at; });
    // Reordering on the way: swap two neighbours (never a retransmission).
    for (std::size_t j = 0; j + 1 < sends_.size(); ++j) {
      if (!sends_[j].rtx && !sends_[j + 1].rtx && rng_.chance(0.004)) {
        std::swap(sends_[j].idx, sends_[j + 1].idx);
        std::swap(sends_[j].lost, sends_[j + 1].lost);
        ++j;
      }
    }

    // The receiver ACKs every second segment, and at once when a segment leaves or fills a hole.
    got_.assign(nseg, 0);
    std::uint32_t cum = 0, hi = 0, unacked = 0;
    std::uint64_t last = 0, last_arrival = 0;
    auto ack_delay = [&] { return (r == 0 ? 0 : rtt_) + rng_.range(10, 80); };
    for (const Send& s : sends_) {
      const std::uint32_t off = s.idx * mss_;
      const std::uint32_t sl = std::min(mss_, len - off);
      last = std::max(last, s.at);
      // A client segment lost on the way is seen here, then again when retransmitted; a server
      // segment lost on the way never reaches the capture point: a hole, dup ACKs, then the
      // retransmission.
      if (!(s.lost && d == 1))
        push(s.at, d, ACK | (off + sl == len ? PSH : 0), isn_[d] + 1 + base + off, ack(d), Opt::Ts, mi, off,
             sl);
      if (s.lost) continue;
      last_arrival = std::max(last_arrival, s.at);
      const bool had_gap = hi > cum;
      got_[s.idx] = 1;
      hi = std::max(hi, s.idx + 1);
      while (cum < nseg && got_[cum]) ++cum;
      ++unacked;
      if (hi > cum || had_gap || unacked >= 2) {
        const std::uint32_t acked = cum == nseg ? len : cum * mss_;
        push(s.at + ack_delay(), r, ACK, seq(r), isn_[d] + 1 + base + acked, Opt::Ts);
        unacked = 0;
      }
    }
    snd_[d] += len;
    std::uint64_t next = last + reply;
    // A last odd segment: the receiver's reply carries the ACK if it comes within the delayed
    // ACK timeout, otherwise a pure ACK goes out after 40 ms.
    const std::uint64_t reply_at_receiver = r == 1 && reply > rtt_ ? reply - rtt_ : reply;
    if (unacked > 0 && reply_at_receiver >= 40000) {
      const std::uint64_t at = last_arrival + 40000 + (r == 1 ? rtt_ : 0);
      push(at, r, ACK, seq(r), ack(r), Opt::Ts);
      next = std::max(next, at + 1);
    }
    return std::max(next, last_pkt_ + 1);
  }

  // Orderly close started by `closer`.
  void close_fin(int closer, std::uint64_t t) {
    const int p = 1 - closer;
    const std::uint64_t way = closer == 0 ? rtt_ : rng_.range(20, 200); // closer's FIN -> peer's answer
    push(t, closer, FIN | ACK, seq(closer), ack(closer), Opt::Ts);
    snd_[closer] += 1;
    t += way;
    if (rng_.chance(0.4)) { // peer ACKs the FIN first, closes a little later
      push(t, p, ACK, seq(p), ack(p), Opt::Ts);
      t += rng_.range(50, 2000);
    }
    push(t, p, FIN | ACK, seq(p), ack(p), Opt::Ts);
    snd_[p] += 1;
    t += closer == 0 ? rng_.range(20, 120) : rtt_ + rng_.range(20, 120);
    push(t, closer, ACK, seq(closer), ack(closer), Opt::Ts);
  }
  void close_rst(int d, std::uint64_t t) { push(t, d, RST | ACK, seq(d), ack(d), Opt::None); }

  // Orders the script by time (ACKs and retransmissions interleave with later data).
  void finish() {
    std::stable_sort(f_.pkts.begin(), f_.pkts.end(), [](const Pkt& a, const Pkt& b) { return a.at < b.at; });
  }

private:
  struct Send {
    std::uint64_t at;
    std::uint32_t idx;
    bool lost;
    bool rtx;
  };
  void push(std::uint64_t at, int d, std::uint8_t flags, std::uint32_t sq, std::uint32_t ak, Opt opt,
            std::uint16_t msg = 0, std::uint32_t off = 0, std::uint32_t len = 0) {
    Pkt k;
    k.at = at;
    k.seq = sq;
    k.ack = ak;
    k.off = off;
    k.len = static_cast<std::uint16_t>(len);
    k.msg = msg;
    k.dir = static_cast<std::uint8_t>(d);
    k.flags = flags;
    k.opt = opt;
    f_.pkts.push_back(k);
    last_pkt_ = std::max(last_pkt_, at);
  }

  Flow& f_;
  Rng& rng_;
  std::uint32_t rtt_, gap_;
  std::uint32_t isn_[2];
  std::uint32_t snd_[2] = {0, 0};
  std::uint32_t mss_;
  std::uint64_t last_pkt_ = 0;
  std::vector<Send> sends_;
  std::vector<std::uint8_t> got_;
};

// ------------------------------------------------------------------------------------------------
struct Options {
  std::string out;
  std::uint64_t packets = 1000000;
  std::uint64_t connections = 1000;
  std::uint64_t seed = 1;
  std::uint64_t syn_flood = 0;
  bool ooo = false;
  bool quiet = false;
};

constexpr std::uint64_t kStart = 1710417600ULL * 1000000; // 2024-03-14 12:00:00 UTC

struct Host {
  Addr ip;
  Mac mac;
  std::uint16_t next_port;
};

class Generator {
public:
  Generator(const Options& o, PcapWriter& w) : o_(o), w_(w), rng_(o.seed), pat_(rng_) {
    gw_mac_ = {0x02, 0x00, 0x0a, 0x01, 0x00, 0x01};
    resolver_mac_ = {0x02, 0x00, 0x0a, 0x01, 0x00, 0x35};
    for (std::uint32_t i = 0; i < 1000; ++i) {
      Host h;
      h.ip = v4(10, 1, static_cast<std::uint8_t>(1 + i / 250), static_cast<std::uint8_t>(2 + i % 250));
      h.mac = {0x02, 0x00, 0x0a, 0x01, h.ip.b[2], h.ip.b[3]};
      h.next_port = static_cast<std::uint16_t>(rng_.range(32768, 60999));
      hosts4_.push_back(h);
    }
    for (std::uint32_t i = 0; i < 200; ++i) {
      Host h;
      h.mac = {0x02, 0x00, 0x66, 0x01, static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i)};
      // EUI-64 interface identifier from the MAC.
      const std::uint64_t iid = (std::uint64_t{h.mac[0] ^ 0x02u} << 56) | (std::uint64_t{h.mac[1]} << 48) |
                                (std::uint64_t{h.mac[2]} << 40) | (0xfffeULL << 24) |
                                (std::uint64_t{h.mac[3]} << 16) | (std::uint64_t{h.mac[4]} << 8) | h.mac[5];
      h.ip = v6(0x2001, 0x0db8, 0x0001, iid);
      h.next_port = static_cast<std::uint16_t>(rng_.range(32768, 60999));
      hosts6_.push_back(h);
    }
  }

  int run() {
    if (o_.syn_flood > 0) return syn_flood();
    if (o_.ooo) return ooo();
    for (std::uint64_t i = 0; i < o_.connections; ++i) spawn_tcp(kStart + rng_.below(2000000));
    while (w_.packets() < o_.packets && !heap_.empty()) {
      const Ev ev = heap_.top();
      heap_.pop();
      Flow& f = flows_[ev.flow];
      emit(f, f.pkts[f.pos], ev.t);
      ++f.pos;
      if (f.pos < f.pkts.size())
        schedule(ev.flow, f.start + f.pkts[f.pos].at);
      else
        end_flow(ev.flow, ev.t);
    }
    return 0;
  }

  void report(double secs) const {
    if (o_.quiet) return;
    if (o_.syn_flood > 0 || o_.ooo) {
      std::fprintf(stderr, "gen_capture: %s: %llu packets, %.1f MiB in %.2f s\n",
                   o_.ooo ? "out-of-order download" : "SYN flood",
                   static_cast<unsigned long long>(w_.packets()), static_cast<double>(w_.bytes()) / (1 << 20),
                   secs);
      return;
    }
    std::fprintf(stderr,
                 "gen_capture: %llu packets, %.1f MiB in %.2f s (%.2f Mpkt/s); %llu TCP connections "
                 "(%llu over IPv6, %llu refused), %llu DNS lookups, %llu ICMP pings, %llu ARP\n",
                 static_cast<unsigned long long>(w_.packets()), static_cast<double>(w_.bytes()) / (1 << 20),
                 secs, static_cast<double>(w_.packets()) / secs / 1e6,
                 static_cast<unsigned long long>(n_conns_), static_cast<unsigned long long>(n_conns6_),
                 static_cast<unsigned long long>(n_refused_), static_cast<unsigned long long>(n_dns_),
                 static_cast<unsigned long long>(n_icmp_), static_cast<unsigned long long>(n_arp_));
  }

private:
  struct Ev {
    std::uint64_t t;
    std::uint64_t order;
    std::uint32_t flow;
    bool operator>(const Ev& b) const { return t != b.t ? t > b.t : order > b.order; }
  };

  void schedule(std::uint32_t fid, std::uint64_t t) { heap_.push(Ev{t, order_++, fid}); }

  std::uint32_t alloc() {
    std::uint32_t id;
    if (!free_.empty()) {
      id = free_.back();
      free_.pop_back();
    } else {
      id = static_cast<std::uint32_t>(flows_.size());
      flows_.emplace_back();
    }
    flows_[id].reset();
    return id;
  }
  void start_flow(std::uint32_t id, std::uint64_t t) {
    Flow& f = flows_[id];
    f.start = t;
    f.pos = 0;
    if (f.pkts.empty()) {
      free_.push_back(id);
      return;
    }
    schedule(id, t + f.pkts[0].at);
  }

  void emit(Flow& f, const Pkt& k, std::uint64_t t) {
    std::uint8_t* p = w_.begin_packet();
    const std::uint32_t len = build_frame(p, f, k, t, pat_);
    w_.end_packet(t, len);
  }

  void end_flow(std::uint32_t id, std::uint64_t t) {
    const bool conn = flows_[id].conn;
    free_.push_back(id);
    if (!conn) return;
    // Keep the number of open connections constant; now and then some background traffic.
    spawn_tcp(t + rng_.range(100, 300000));
    if (rng_.chance(0.05)) spawn_dns_only(t + rng_.range(100, 500000));
    if (rng_.chance(0.012)) spawn_icmp(t + rng_.range(100, 500000));
    if (rng_.chance(0.006)) spawn_arp(t + rng_.range(100, 500000));
  }

  // --- endpoints --------------------------------------------------------------------------------
  Host& pick_client(bool six) {
    auto& pool = six ? hosts6_ : hosts4_;
    return pool[rng_.below(pool.size())];
  }
  static std::uint16_t next_port(Host& h) {
    const std::uint16_t p = h.next_port;
    h.next_port = h.next_port >= 60999 ? 32768 : static_cast<std::uint16_t>(h.next_port + 1);
    return p;
  }
  // Servers: a skewed popularity (a few very busy ones); 600 IPv4 in the documentation ranges,
  // 200 IPv6 in 2001:db8:100::/48.
  std::uint32_t pick_server(bool six) {
    const double u = rng_.unit();
    return static_cast<std::uint32_t>(u * u * u * (six ? 200 : 600));
  }
  static Addr server_addr(std::uint32_t idx, bool six) {
    if (six) return v6(0x2001, 0x0db8, 0x0100, 0x1000 + idx);
    static constexpr std::uint8_t nets[3][3] = {{192, 0, 2}, {198, 51, 100}, {203, 0, 113}};
    const auto* n = nets[idx % 3];
    return v4(n[0], n[1], n[2], static_cast<std::uint8_t>(10 + idx / 3));
  }
  static std::string server_name(std::uint32_t idx, std::uint16_t port) {
    static constexpr const char* tld[] = {"com", "net", "org"};
    const char* pre = port == 25    ? "mail"
                      : port == 110 ? "pop"
                      : port == 21  ? "ftp"
                      : port == 53  ? "ns1"
                                    : "www";
    return std::string(pre) + ".site" + std::to_string(idx) + ".example." + tld[idx % 3];
  }
  void set_client_side(Flow& f, Host& h, bool six) {
    f.v6 = six;
    f.addr[0] = h.ip;
    f.mac[0] = h.mac;
    f.ttl[0] = 64;
    f.ipid[0] = static_cast<std::uint16_t>(rng_.u32());
    f.ipid[1] = static_cast<std::uint16_t>(rng_.u32());
    f.flowlabel[0] = rng_.u32() & 0xfffff;
    f.flowlabel[1] = rng_.u32() & 0xfffff;
  }

  // --- DNS over UDP -------------------------------------------------------------------------------
  // Adds a lookup flow from host h; returns when the answer arrives (relative to t).
  std::uint64_t spawn_dns(std::uint64_t t, Host& h, bool six, const std::string& name, std::uint16_t qtype,
                          const DnsAnswer& ans) {
    const std::uint32_t id = alloc();
    Flow& f = flows_[id];
    f.kind = Kind::Udp;
    set_client_side(f, h, six);
    f.addr[1] = six ? v6(0x2001, 0x0db8, 0x0001, 0x53) : v4(10, 1, 0, 53);
    f.mac[1] = resolver_mac_;
    f.ttl[1] = 64;
    f.port[0] = next_port(h);
    f.port[1] = 53;
    const auto qid = static_cast<std::uint16_t>(rng_.u32());
    const bool edns = rng_.chance(0.6);
    const std::uint16_t q = f.add_msg(dns_query(qid, name, qtype, edns));
    const std::uint16_t a = f.add_msg(dns_response(qid, name, qtype, ans, edns, rng_));
    std::uint64_t at = 0;
    auto pkt = [&](std::uint8_t dir, std::uint16_t mi) {
      Pkt k;
      k.at = at;
      k.dir = dir;
      k.msg = mi;
      k.len = static_cast<std::uint16_t>(f.msgs[mi].size());
      f.pkts.push_back(k);
    };
    pkt(0, q);
    if (rng_.chance(0.03)) { // no answer: the stub resolver retries after a second
      at += 1000000;
      pkt(0, q);
    }
    at += rng_.chance(0.7) ? rng_.range(150, 1500) : rng_.log_range(2000, 120000);
    pkt(1, a);
    start_flow(id, t);
    ++n_dns_;
    return at;
  }

  void spawn_dns_only(std::uint64_t t) {
    const bool six = rng_.chance(0.12);
    Host& h = pick_client(six);
    DnsAnswer ans;
    std::string name;
    std::uint16_t qtype = six ? 28 : 1;
    if (rng_.chance(0.5)) { // a typo or a blocked tracker: NXDOMAIN
      name = "cdn" + std::to_string(rng_.below(100000)) + ".tracker" + std::to_string(rng_.below(50)) +
             ".example.net";
      ans.nxdomain = true;
    } else {
      const std::uint32_t s = pick_server(six);
      name = "api" + std::to_string(s) + ".service.example.org";
      ans.addrs.push_back(server_addr(s, six));
      if (rng_.chance(0.5)) ans.addrs.push_back(server_addr(pick_server(six), six));
    }
    spawn_dns(t, h, six, name, qtype, ans);
  }

  // --- ICMP echo and ARP ------------------------------------------------------------------------
  void spawn_icmp(std::uint64_t t) {
    const bool six = rng_.chance(0.2);
    Host& h = pick_client(six);
    const std::uint32_t id = alloc();
    Flow& f = flows_[id];
    f.kind = Kind::Icmp;
    set_client_side(f, h, six);
    f.addr[1] = server_addr(pick_server(six), six);
    f.mac[1] = gw_mac_;
    f.ttl[1] = static_cast<std::uint8_t>(rng_.range(48, 58));
    const auto ident = static_cast<std::uint32_t>(rng_.range(1, 65535));
    const std::uint32_t rtt = static_cast<std::uint32_t>(rng_.log_range(500, 150000));
    const auto count = rng_.range(1, 5);
    for (std::uint32_t i = 0; i < count; ++i) {
      Pkt k;
      k.at = i * 1000000ULL + rng_.below(200);
      k.off = static_cast<std::uint32_t>(k.at);
      k.seq = i + 1;
      k.ack = ident;
      k.dir = 0;
      k.flags = six ? 128 : 8;
      f.pkts.push_back(k);
      k.at += rtt;
      k.dir = 1;
      k.flags = six ? 129 : 0;
      f.pkts.push_back(k);
    }
    start_flow(id, t);
    ++n_icmp_;
  }

  void spawn_arp(std::uint64_t t) {
    Host& h = pick_client(false);
    const std::uint32_t id = alloc();
    Flow& f = flows_[id];
    f.kind = Kind::Arp;
    f.addr[0] = h.ip;
    f.mac[0] = h.mac;
    f.addr[1] = v4(10, 1, 0, 1);
    f.mac[1] = gw_mac_;
    Pkt k;
    k.flags = 1;
    f.pkts.push_back(k);
    k.at = rng_.range(50, 600);
    k.dir = 1;
    k.flags = 2;
    f.pkts.push_back(k);
    start_flow(id, t);
    ++n_arp_;
  }

  // --- TCP connections ----------------------------------------------------------------------------
  static std::uint32_t response_size(Rng& rng) {
    const double u = rng.unit();
    if (u < 0.55) return static_cast<std::uint32_t>(rng.log_range(150, 2000));
    if (u < 0.85) return static_cast<std::uint32_t>(rng.log_range(2000, 30000));
    if (u < 0.97) return static_cast<std::uint32_t>(rng.log_range(30000, 300000));
    return static_cast<std::uint32_t>(rng.log_range(300000, 1500000));
  }

  void spawn_tcp(std::uint64_t t) {
    const bool six = rng_.chance(0.12);
    Host& h = pick_client(six);
    const double u = rng_.unit();
    const std::uint16_t port = u < 0.32   ? 80
                               : u < 0.77 ? 443
                               : u < 0.82 ? 25
                               : u < 0.86 ? 110
                               : u < 0.89 ? 21
                               : u < 0.92 ? 53
                                          : 2222;
    const std::uint32_t s = pick_server(six);
    const std::string name = server_name(s, port);

    // Most connections start with a name lookup.
    if (port != 53 && rng_.chance(0.35)) {
      DnsAnswer ans;
      if (rng_.chance(0.3)) ans.cname = "edge" + std::to_string(s % 17) + ".cdn.example.net";
      ans.addrs.push_back(server_addr(s, six));
      for (auto extra = rng_.below(3); extra > 0; --extra)
        ans.addrs.push_back(server_addr(pick_server(six), six));
      t += spawn_dns(t, h, six, name, six ? 28 : 1, ans) + rng_.range(50, 500);
    }

    const std::uint32_t id = alloc();
    Flow& f = flows_[id];
    f.kind = Kind::Tcp;
    f.conn = true;
    set_client_side(f, h, six);
    f.addr[1] = server_addr(s, six);
    f.mac[1] = gw_mac_;
    f.ttl[1] = static_cast<std::uint8_t>(s % 5 == 0 ? rng_.range(110, 120) : rng_.range(46, 58));
    f.port[0] = next_port(h);
    f.port[1] = port;
    f.win[0] = static_cast<std::uint16_t>(rng_.range(490, 512));
    f.win[1] = static_cast<std::uint16_t>(rng_.range(235, 510));
    f.ts_base[0] = rng_.u32();
    f.ts_base[1] = rng_.u32();
    f.last_ts[0] = f.last_ts[1] = 0;

    const auto rtt = static_cast<std::uint32_t>(rng_.log_range(400, 180000));
    const auto mbps = rng_.log_range(5, 1000);
    const auto gap = static_cast<std::uint32_t>(std::max<std::uint64_t>(12, 12000 / mbps));
    TcpScript sc(f, rng_, rtt, gap);
    const bool refused = (port == 21 || port == 2222 || port == 110) && rng_.chance(0.04);
    std::uint64_t at = sc.handshake(refused);
    ++n_conns_;
    if (six) ++n_conns6_;
    if (refused) {
      ++n_refused_;
    } else {
      at = application(f, sc, port, name, at, rtt);
      // Teardown: mostly FIN from either side after keep-alive idle time, a few RSTs.
      const double e = rng_.unit();
      if (e < 0.03)
        sc.close_rst(1, at);
      else if (e < 0.045)
        sc.close_rst(0, at);
      else
        sc.close_fin(e < 0.55 ? 0 : 1, at);
    }
    sc.finish();
    start_flow(id, t);
  }

  // Client think time and server time to answer (one RTT plus processing), in us.
  std::uint64_t think() { return rng_.log_range(300, 2000000); }
  std::uint64_t serve(std::uint32_t rtt) { return rtt + rng_.log_range(80, 60000); }
  std::uint64_t idle() { return rng_.log_range(1000, 5000000); }

  // Exchanges of one connection; returns when the teardown starts.
  std::uint64_t application(Flow& f, TcpScript& sc, std::uint16_t port, const std::string& name,
                            std::uint64_t t, std::uint32_t rtt) {
    auto salt = [&] { return rng_.u32(); };
    auto cmd = [&](std::string c, std::string reply) { // client line, server line
      const std::uint16_t a = f.add_msg(std::move(c));
      const std::uint16_t b = f.add_msg(std::move(reply));
      t = sc.message(0, a, t, serve(rtt));
      t = sc.message(1, b, t, rng_.log_range(200, 400000));
    };
    switch (port) {
    case 80:
    case 2222:
    case 443: {
      const bool tls = port == 443;
      if (tls) {
        std::string sid;
        const std::uint16_t ch = f.add_msg(tls_client_hello(rng_, name, sid));
        t = sc.message(0, ch, t, serve(rtt));
        const std::uint16_t sh = f.add_msg(tls_server_hello(rng_, sid),
                                           tls_body_len(static_cast<std::uint32_t>(rng_.range(2500, 5000))),
                                           Body::Tls, {}, salt());
        t = sc.message(1, sh, t, rng_.range(200, 1500));
        const std::uint16_t fin =
            f.add_msg(std::string("\x14\x03\x03\x00\x01\x01", 6), tls_body_len(58), Body::Tls, {}, salt());
        t = sc.message(0, fin, t, rng_.range(20, 200));
      }
      const auto nreq = 1 + std::min<std::uint64_t>(rng_.log_range(1, 12) - 1, 10);
      for (std::uint64_t i = 0; i < nreq; ++i) {
        const bool post = rng_.chance(0.1);
        const std::uint32_t body = post ? static_cast<std::uint32_t>(rng_.log_range(100, 40000)) : 0;
        std::string req = std::string(post ? "POST" : "GET") + " /" +
                          (post ? "api/v1/upload" : "static/" + std::to_string(rng_.below(5000)) + ".html") +
                          " HTTP/1.1\r\nHost: " + name +
                          "\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 "
                          "Firefox/123.0\r\nAccept: text/html,application/xhtml+xml,*/*;q=0.8\r\n"
                          "Accept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate\r\n"
                          "Connection: keep-alive\r\n";
        if (post) req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body) + "\r\n";
        if (rng_.chance(0.4)) req += "Cookie: session=" + std::to_string(rng_.next()) + "\r\n";
        req += "\r\n";
        const double st = rng_.unit();
        const int status = st < 0.88 ? 200 : st < 0.95 ? 304 : st < 0.98 ? 404 : 500;
        std::uint32_t rlen = status == 200 ? response_size(rng_) : status == 304 ? 0 : 150 + rng_.below(300);
        std::string resp = "HTTP/1.1 " + std::to_string(status) +
                           (status == 200   ? " OK"
                            : status == 304 ? " Not Modified"
                            : status == 404 ? " Not Found"
                                            : " Internal Server Error") +
                           "\r\nDate: Thu, 14 Mar 2024 12:00:00 GMT\r\nServer: nginx/1.24.0\r\n"
                           "Content-Type: text/html; charset=utf-8\r\nContent-Length: " +
                           std::to_string(rlen) + "\r\nConnection: keep-alive\r\n\r\n";
        std::uint16_t q, a;
        if (tls) { // the same exchange inside TLS records
          q = f.add_msg({}, tls_body_len(static_cast<std::uint32_t>(req.size() + body + 22)), Body::Tls, {},
                        salt());
          a = f.add_msg({}, tls_body_len(static_cast<std::uint32_t>(resp.size() + rlen + 22)), Body::Tls, {},
                        salt());
        } else {
          q = f.add_msg(std::move(req), body, Body::Text, {}, salt());
          a = f.add_msg(std::move(resp), rlen, Body::Text, {}, salt());
        }
        t = sc.message(0, q, t, serve(rtt));
        t = sc.message(1, a, t, i + 1 < nreq ? think() : idle());
      }
      return t;
    }
    case 21: {
      const std::uint16_t banner = f.add_msg("220 (vsFTPd 3.0.3)\r\n");
      t = sc.message(1, banner, t, rng_.range(500, 3000));
      cmd("USER anonymous\r\n", "331 Please specify the password.\r\n");
      cmd("PASS guest@example.com\r\n", "230 Login successful.\r\n");
      cmd("SYST\r\n", "215 UNIX Type: L8\r\n");
      cmd("PWD\r\n", "257 \"/\" is the current directory\r\n");
      cmd("TYPE I\r\n", "200 Switching to Binary mode.\r\n");
      cmd("PASV\r\n", "227 Entering Passive Mode (198,51,100,10,195,80).\r\n");
      cmd("RETR pub/file" + std::to_string(rng_.below(100)) + ".tar.gz\r\n",
          "150 Opening BINARY mode data connection.\r\n");
      const std::uint16_t done = f.add_msg("226 Transfer complete.\r\n");
      t = sc.message(1, done, t + rng_.log_range(10000, 3000000), rng_.range(500, 50000));
      cmd("QUIT\r\n", "221 Goodbye.\r\n");
      return t;
    }
    case 25: {
      const std::uint16_t banner = f.add_msg("220 " + name + " ESMTP Postfix (Debian/GNU)\r\n");
      t = sc.message(1, banner, t, rng_.range(500, 3000));
      cmd("EHLO client.example.com\r\n", "250-" + name +
                                             "\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n"
                                             "250-ETRN\r\n250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n"
                                             "250-8BITMIME\r\n250-DSN\r\n250 SMTPUTF8\r\n");
      cmd("MAIL FROM:<alice@example.com>\r\n", "250 2.1.0 Ok\r\n");
      cmd("RCPT TO:<bob@" + name.substr(5) + ">\r\n", "250 2.1.5 Ok\r\n");
      cmd("DATA\r\n", "354 End data with <CR><LF>.<CR><LF>\r\n");
      const std::uint16_t mail =
          f.add_msg("From: Alice <alice@example.com>\r\nTo: Bob <bob@example.org>\r\nSubject: report\r\n"
                    "Date: Thu, 14 Mar 2024 12:00:00 +0000\r\nMIME-Version: 1.0\r\n"
                    "Content-Type: text/plain; charset=utf-8\r\n\r\n",
                    static_cast<std::uint32_t>(rng_.log_range(200, 200000)), Body::Text, "\r\n.\r\n", salt());
      t = sc.message(0, mail, t, serve(rtt));
      const std::uint16_t ok = f.add_msg("250 2.0.0 Ok: queued as " + std::to_string(rng_.u32()) + "\r\n");
      t = sc.message(1, ok, t, rng_.range(200, 5000));
      cmd("QUIT\r\n", "221 2.0.0 Bye\r\n");
      return t;
    }
    case 110: {
      const std::uint16_t banner = f.add_msg("+OK Dovecot (Debian) ready.\r\n");
      t = sc.message(1, banner, t, rng_.range(500, 3000));
      cmd("USER bob\r\n", "+OK\r\n");
      cmd("PASS hunter2\r\n", "+OK Logged in.\r\n");
      const auto n = rng_.range(0, 3);
      cmd("STAT\r\n", "+OK " + std::to_string(n) + " " + std::to_string(n * 4000) + "\r\n");
      for (std::uint64_t i = 1; i <= n; ++i) {
        const auto len = static_cast<std::uint32_t>(rng_.log_range(500, 100000));
        const std::uint16_t rq = f.add_msg("RETR " + std::to_string(i) + "\r\n");
        t = sc.message(0, rq, t, serve(rtt));
        const std::uint16_t m = f.add_msg("+OK " + std::to_string(len) + " octets\r\nSubject: hello\r\n\r\n",
                                          len, Body::Text, "\r\n.\r\n", salt());
        t = sc.message(1, m, t, rng_.range(300, 20000));
      }
      cmd("QUIT\r\n", "+OK Logging out.\r\n");
      return t;
    }
    case 53: { // DNS over TCP: two-byte length prefix
      const auto nq = rng_.range(1, 3);
      for (std::uint64_t i = 0; i < nq; ++i) {
        const auto qid = static_cast<std::uint16_t>(rng_.u32());
        const std::string qn =
            "_spf" + std::to_string(i) + ".site" + std::to_string(rng_.below(600)) + ".example.com";
        DnsAnswer ans;
        ans.txt = static_cast<int>(rng_.range(2, 14));
        std::string q = dns_query(qid, qn, 16, false);
        std::string a = dns_response(qid, qn, 16, ans, false, rng_);
        auto framed = [](std::string m) {
          std::string out(2, '\0');
          out[0] = static_cast<char>(m.size() >> 8);
          out[1] = static_cast<char>(m.size());
          return out + m;
        };
        const std::uint16_t qi = f.add_msg(framed(q));
        const std::uint16_t ai = f.add_msg(framed(a));
        t = sc.message(0, qi, t, serve(rtt));
        t = sc.message(1, ai, t, rng_.range(100, 2000));
      }
      return t;
    }
    default:
      return t;
    }
  }

  // --- special modes ------------------------------------------------------------------------------
  int syn_flood() {
    Flow f;
    f.kind = Kind::Tcp;
    f.mac[0] = gw_mac_; // everything arrives from the outside
    f.mac[1] = {0x02, 0x00, 0xcb, 0x00, 0x71, 0x50};
    f.addr[1] = v4(203, 0, 113, 80);
    f.port[1] = 80;
    std::uint64_t t = kStart;
    for (std::uint64_t i = 0; i < o_.syn_flood; ++i) {
      std::uint8_t a;
      do a = static_cast<std::uint8_t>(rng_.range(1, 223));
      while (a == 10 || a == 127);
      f.addr[0] = v4(a, static_cast<std::uint8_t>(rng_.u32()), static_cast<std::uint8_t>(rng_.u32()),
                     static_cast<std::uint8_t>(rng_.range(1, 254)));
      f.port[0] = static_cast<std::uint16_t>(rng_.range(1024, 65535));
      f.ttl[0] = static_cast<std::uint8_t>(rng_.range(40, 128));
      f.ipid[0] = static_cast<std::uint16_t>(rng_.u32());
      f.ts_base[0] = rng_.u32();
      static constexpr std::uint16_t wins[] = {512, 1024, 5840, 29200, 64240, 65535};
      f.syn_win[0] = wins[rng_.below(std::size(wins))];
      Pkt k;
      k.flags = SYN;
      k.seq = rng_.u32();
      k.opt = rng_.chance(0.5) ? Opt::Syn : Opt::None;
      t += rng_.range(2, 20);
      std::uint8_t* p = w_.begin_packet();
      w_.end_packet(t, build_frame(p, f, k, t, pat_));
    }
    return 0;
  }

  int ooo() {
    // A download whose first data segment is lost for good: everything after it is out of order
    // for the receiver, which sends a dup ACK for every other segment.
    Flow f;
    f.kind = Kind::Tcp;
    Host& h = hosts4_[0];
    set_client_side(f, h, false);
    f.addr[1] = v4(198, 51, 100, 10);
    f.mac[1] = gw_mac_;
    f.ttl[1] = 52;
    f.port[0] = 40000;
    f.port[1] = 80;
    f.win[0] = 501;
    f.win[1] = 509;
    f.ts_base[0] = rng_.u32();
    f.ts_base[1] = rng_.u32();
    const std::uint32_t rtt = 20000;
    TcpScript sc(f, rng_, rtt, 12);
    std::uint64_t t = sc.handshake(false);
    const std::uint16_t req = f.add_msg("GET /huge.iso HTTP/1.1\r\nHost: www.site1.example.net\r\n\r\n");
    t = sc.message(0, req, t, rtt + 500);
    // Not sent through message(): a body of up to 4 GiB, generated as we go.
    const std::uint16_t body =
        f.add_msg("HTTP/1.1 200 OK\r\nContent-Length: 4294900000\r\n\r\n", 0xffff0000u, Body::Binary, {}, 7);
    sc.finish();
    for (const Pkt& k : f.pkts) {
      if (w_.packets() >= o_.packets) return 0;
      std::uint8_t* p = w_.begin_packet();
      w_.end_packet(kStart + k.at, build_frame(p, f, k, kStart + k.at, pat_));
    }
    t += kStart;
    const std::uint32_t srv_seq = sc.seq(1); // first data byte: never delivered
    const std::uint32_t cli_seq = sc.seq(0);
    std::uint64_t seg = 1;
    while (w_.packets() < o_.packets) {
      // Segments go out in pairs with the pair swapped now and then.
      std::uint64_t idx = seg;
      if (seg % 2 == 1 && seg % 14 == 1)
        idx = seg + 1;
      else if (seg % 2 == 0 && (seg - 1) % 14 == 1)
        idx = seg - 1;
      Pkt k;
      k.dir = 1;
      k.flags = ACK;
      k.opt = Opt::Ts;
      k.seq = srv_seq + static_cast<std::uint32_t>(idx * 1448);
      k.ack = cli_seq;
      k.msg = body;
      k.off = static_cast<std::uint32_t>(idx * 1448);
      k.len = 1448;
      t += 12 + rng_.below(4);
      std::uint8_t* p = w_.begin_packet();
      w_.end_packet(t, build_frame(p, f, k, t, pat_));
      if (seg % 2 == 0 && w_.packets() < o_.packets) {
        Pkt a;
        a.dir = 0;
        a.flags = ACK;
        a.opt = Opt::Ts;
        a.seq = cli_seq;
        a.ack = srv_seq; // still waiting for the first byte
        t += 15;
        p = w_.begin_packet();
        w_.end_packet(t, build_frame(p, f, a, t, pat_));
      }
      ++seg;
    }
    return 0;
  }

  const Options& o_;
  PcapWriter& w_;
  Rng rng_;
  Patterns pat_;
  Mac gw_mac_{}, resolver_mac_{};
  std::vector<Host> hosts4_, hosts6_;
  std::vector<Flow> flows_;
  std::vector<std::uint32_t> free_;
  std::priority_queue<Ev, std::vector<Ev>, std::greater<Ev>> heap_;
  std::uint64_t order_ = 0;
  std::uint64_t n_conns_ = 0, n_conns6_ = 0, n_refused_ = 0, n_dns_ = 0, n_icmp_ = 0, n_arp_ = 0;
};

void usage(std::FILE* to) {
  std::fprintf(to,
               "usage: gen_capture -o FILE [options]\n"
               "Writes a deterministic synthetic pcap (Ethernet, microseconds, little-endian).\n\n"
               "  -o, --output FILE     output file ('-' for standard output)\n"
               "  --packets N           packets to write (default 1000000)\n"
               "  --connections N       TCP connections open at any time (default 1000)\n"
               "  --seed S              random seed (default 1)\n"
               "  --syn-flood N         instead: N unanswered SYNs from random sources to 203.0.113.80:80\n"
               "  --ooo                 instead: one download whose first segment never arrives, --packets\n"
               "                        packets of out-of-order data and dup ACKs\n"
               "  -q, --quiet           no summary on standard error\n");
}

bool parse_u64(const char* s, std::uint64_t& v) {
  if (s == nullptr || *s == '\0') return false;
  char* end = nullptr;
  errno = 0;
  const unsigned long long x = std::strtoull(s, &end, 10);
  if (errno != 0 || *end != '\0' || s[0] == '-') return false;
  v = x;
  return true;
}

} // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    auto number = [&](std::uint64_t& dst) {
      const char* v = value();
      if (!parse_u64(v, dst)) {
        std::fprintf(stderr, "gen_capture: %s needs a non-negative integer\n", std::string(a).c_str());
        std::exit(2);
      }
    };
    if (a == "-o" || a == "--output") {
      const char* v = value();
      if (v == nullptr) {
        usage(stderr);
        return 2;
      }
      o.out = v;
    } else if (a == "--packets")
      number(o.packets);
    else if (a == "--connections")
      number(o.connections);
    else if (a == "--seed")
      number(o.seed);
    else if (a == "--syn-flood")
      number(o.syn_flood);
    else if (a == "--ooo")
      o.ooo = true;
    else if (a == "-q" || a == "--quiet")
      o.quiet = true;
    else if (a == "-h" || a == "--help") {
      usage(stdout);
      return 0;
    } else {
      std::fprintf(stderr, "gen_capture: unknown argument '%s'\n", std::string(a).c_str());
      usage(stderr);
      return 2;
    }
  }
  if (o.out.empty()) {
    usage(stderr);
    return 2;
  }
  if (o.connections == 0) o.connections = 1;
  if (o.syn_flood > 0 && o.ooo) {
    std::fprintf(stderr, "gen_capture: --syn-flood and --ooo are exclusive\n");
    return 2;
  }
  PcapWriter w;
  if (!w.open(o.out)) {
    std::fprintf(stderr, "gen_capture: cannot open %s: %s\n", o.out.c_str(), std::strerror(errno));
    return 1;
  }
  const auto t0 = std::chrono::steady_clock::now();
  Generator g(o, w);
  const int rc = g.run();
  if (!w.close()) {
    std::fprintf(stderr, "gen_capture: write error on %s\n", o.out.c_str());
    return 1;
  }
  g.report(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  return rc;
}
