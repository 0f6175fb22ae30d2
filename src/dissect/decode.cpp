#include "dissect/packet.h"
#include "wire/ethernet.h"
#include "wire/ipv4.h"
#include "wire/tcp.h"
#include "wire/udp.h"

namespace ps {

namespace {

using wire::Bytes;

struct Decoder {
  const Frame& f;
  Decoded& d;

  uint32_t off(Bytes b) const { return static_cast<uint32_t>(b.data() - f.data.data()); }

  void fail(const char* why) {
    d.malformed = why;
    d.malformed_layer = static_cast<int8_t>(d.layer_count);
    // Running out of bytes in a frame the capture cut short is "size limited", not malformed.
    d.truncated = f.data.size() < f.wire_len;
  }

  void data(Bytes b) {
    if (!b.empty()) d.push(Layer::Data, off(b), static_cast<uint32_t>(b.size()));
  }

  void ethertype(uint16_t type, Bytes b) {
    switch (type) {
    case wire::ethertype::kIpv4: return ipv4(b);
    case wire::ethertype::kIpv6: return ipv6(b);
    case wire::ethertype::kArp: return arp(b);
    case wire::ethertype::kVlan:
    case wire::ethertype::kQinQ:
    case wire::ethertype::kQinQOld: return vlan(b);
    default: return data(b);
    }
  }

  void ethernet(Bytes b) {
    if (!wire::EthernetView::valid(b)) return fail("Ethernet header truncated");
    wire::EthernetView e(b);
    if (e.is_8023()) {
      // 802.3: the payload is as long as the length field says; the rest is padding/trailer.
      d.push(Layer::Eth8023, off(b), static_cast<uint32_t>(b.size()));
      Bytes p = e.payload();
      return data(p.first(std::min<size_t>(p.size(), e.type_or_length())));
    }
    d.push(Layer::Eth, off(b), static_cast<uint32_t>(b.size()));
    ethertype(e.type_or_length(), e.payload());
  }

  void vlan(Bytes b) {
    if (b.size() < 4) return fail("VLAN tag truncated");
    d.push(Layer::Vlan, off(b), static_cast<uint32_t>(b.size()));
    uint16_t type = wire::be16(&b[2]);
    if (type <= 1500) return data(b.subspan(4, std::min<size_t>(b.size() - 4, type)));
    ethertype(type, b.subspan(4));
  }

  void sll(Bytes b) {
    if (b.size() < 16) return fail("Linux cooked header truncated");
    d.push(Layer::Sll, off(b), static_cast<uint32_t>(b.size()));
    ethertype(wire::be16(&b[14]), b.subspan(16));
  }

  void sll2(Bytes b) {
    if (b.size() < 20) return fail("Linux cooked v2 header truncated");
    d.push(Layer::Sll2, off(b), static_cast<uint32_t>(b.size()));
    ethertype(wire::be16(&b[0]), b.subspan(20));
  }

  void null_link(Bytes b, bool network_order) {
    if (b.size() < 4) return fail("Loopback header truncated");
    d.push(Layer::Null, off(b), static_cast<uint32_t>(b.size()));
    uint32_t family = network_order ? wire::be32(b.data()) : wire::le32(b.data());
    // The writer's byte order may differ from ours: accept either reading of the family.
    if (!network_order && family > 0xffff) family = wire::be32(b.data());
    Bytes p = b.subspan(4);
    if (family == 2) return ipv4(p);
    if (family == 24 || family == 28 || family == 30 || family == 10) return ipv6(p);
    data(p);
  }

  void raw_ip(Bytes b) {
    if (b.empty()) return fail("Raw IP packet empty");
    uint8_t v = b[0] >> 4;
    if (v == 4) return ipv4(b);
    if (v == 6) return ipv6(b);
    fail("Raw IP packet with unknown version");
  }

  void arp(Bytes b) {
    if (b.size() < 8) return fail("ARP header truncated");
    size_t need = 8 + 2 * (size_t{b[4]} + b[5]);
    if (b.size() < need) return fail("ARP addresses truncated");
    d.push(Layer::Arp, off(b), static_cast<uint32_t>(need));
  }

  void ipv4(Bytes b) {
    if (const char* why = wire::Ipv4View::check(b)) return fail(why);
    wire::Ipv4View ip(b);
    Bytes extent = b.first(std::min<size_t>(b.size(), ip.total_len()));
    if (d.ip_layer < 0) {
      d.ip_layer = static_cast<int8_t>(d.layer_count);
      d.ip_version = 4;
      d.src_ip = ip.src();
      d.dst_ip = ip.dst();
      d.ip_proto = ip.protocol();
      d.ip_fragment = ip.is_fragment();
    }
    d.push(Layer::Ipv4, off(b), static_cast<uint32_t>(extent.size()));
    uint32_t missing = static_cast<uint32_t>(ip.payload_missing());
    if (missing && f.data.size() >= f.wire_len) return fail("IPv4 total length exceeds packet length");
    if (ip.is_fragment() && ip.frag_offset() != 0) return data(ip.payload());
    if (ip.mf()) return data(ip.payload()); // first fragment: needs reassembly before transport
    transport(ip.protocol(), ip.payload(), missing);
  }

  void ipv6(Bytes b) {
    if (b.size() < 40) return fail("IPv6 header truncated");
    if ((b[0] >> 4) != 6) return fail("IPv6 version is not 6");
    uint32_t plen = wire::be16(&b[4]);
    Bytes extent = b.first(std::min<size_t>(b.size(), 40 + size_t{plen}));
    uint32_t missing = 40 + plen > b.size() ? static_cast<uint32_t>(40 + plen - b.size()) : 0;
    if (missing && f.data.size() >= f.wire_len) return fail("IPv6 payload length exceeds packet length");
    bool first = d.ip_layer < 0;
    if (first) {
      d.ip_layer = static_cast<int8_t>(d.layer_count);
      d.ip_version = 6;
      d.src_ip = &b[8];
      d.dst_ip = &b[24];
    }
    d.push(Layer::Ipv6, off(b), static_cast<uint32_t>(extent.size()));
    uint8_t next = b[6];
    size_t pos = 40;
    // Walk extension headers; each must advance, and there can be at most a handful.
    for (int hops = 0;; ++hops) {
      if (hops > 16) return fail("IPv6 extension header chain too long");
      bool ext = next == 0 || next == 43 || next == 60 || next == 44 || next == 51 || next == 135 ||
                 next == 139 || next == 140;
      if (!ext) break;
      if (pos + 8 > extent.size()) return fail("IPv6 extension header overruns the packet");
      size_t len;
      if (next == 44) {
        len = 8;
        uint16_t frag = wire::be16(&extent[pos + 2]);
        if ((frag & 0xfff8) != 0 || (frag & 1)) {
          if (first) d.ip_fragment = true;
          if (first) d.ip_proto = extent[pos];
          return data(extent.subspan(pos + 8));
        }
      } else if (next == 51) {
        len = (size_t{extent[pos + 1]} + 2) * 4;
      } else {
        len = (size_t{extent[pos + 1]} + 1) * 8;
      }
      if (pos + len > extent.size()) return fail("IPv6 extension header overruns the packet");
      next = extent[pos];
      pos += len;
    }
    if (first) d.ip_proto = next;
    if (next == 59) return; // no next header
    transport(next, extent.subspan(pos), missing);
  }

  void transport(uint8_t proto, Bytes b, uint32_t missing) {
    switch (proto) {
    case 6: return tcp(b, missing);
    case 17: return udp(b, missing);
    case 1: return icmp(b, Layer::Icmp);
    case 58: return icmp(b, Layer::Icmpv6);
    case 4: return ipv4(b);  // IP-in-IP
    case 41: return ipv6(b); // 6in4
    default: return data(b);
    }
  }

  void tcp(Bytes b, uint32_t missing) {
    if (const char* why = wire::TcpView::check(b)) return fail(why);
    wire::TcpView t(b);
    d.l4_layer = static_cast<int8_t>(d.layer_count);
    d.push(Layer::Tcp, off(b), static_cast<uint32_t>(b.size()));
    d.src_port = t.src_port();
    d.dst_port = t.dst_port();
    Bytes p = t.payload();
    d.payload_offset = off(p);
    d.payload_len = static_cast<uint32_t>(p.size());
    d.payload_missing = missing;
  }

  void udp(Bytes b, uint32_t missing) {
    if (const char* why = wire::UdpView::check(b)) return fail(why);
    wire::UdpView u(b);
    if (u.length() > b.size() + missing) return fail("UDP length beyond the IP payload");
    d.l4_layer = static_cast<int8_t>(d.layer_count);
    Bytes extent = b.first(std::min<size_t>(b.size(), u.length()));
    d.push(Layer::Udp, off(b), static_cast<uint32_t>(extent.size()));
    d.src_port = u.src_port();
    d.dst_port = u.dst_port();
    Bytes p = u.payload();
    d.payload_offset = off(p);
    d.payload_len = static_cast<uint32_t>(p.size());
    d.payload_missing = u.length() > b.size() ? static_cast<uint32_t>(u.length() - b.size()) : 0;
  }

  void icmp(Bytes b, Layer k) {
    if (b.size() < 4) return fail(k == Layer::Icmp ? "ICMP header truncated" : "ICMPv6 header truncated");
    d.l4_layer = static_cast<int8_t>(d.layer_count);
    d.push(k, off(b), static_cast<uint32_t>(b.size()));
  }
};

} // namespace

void decode(const Frame& frame, Decoded& out) {
  out = Decoded{};
  out.frame = &frame;
  Decoder dec{frame, out};
  Bytes b = frame.data;
  switch (frame.link_type) {
  case kLinkEthernet: dec.ethernet(b); break;
  case kLinkLinuxSll: dec.sll(b); break;
  case kLinkLinuxSll2: dec.sll2(b); break;
  case kLinkNull: dec.null_link(b, false); break;
  case kLinkLoop: dec.null_link(b, true); break;
  case kLinkRaw:
  case 12: // DLT_RAW on some BSDs
  case 14: dec.raw_ip(b); break;
  case kLinkIpv4: dec.ipv4(b); break;
  case kLinkIpv6: dec.ipv6(b); break;
  default: dec.data(b); break;
  }
}

} // namespace ps
