#include "dissect/packet.h"

#include <algorithm>

#include "wire/arp.h"
#include "wire/ethernet.h"
#include "wire/ipv4.h"
#include "wire/ipv6.h"
#include "wire/tcp.h"
#include "wire/udp.h"

namespace ps {

namespace {

using wire::Bytes;

constexpr uint16_t kEtherBridging = 0x6558; // transparent Ethernet bridging (gretap, Geneve)
constexpr uint16_t kEtherMpls = 0x8847, kEtherMplsMulticast = 0x8848;
constexpr uint16_t kEtherWccp = 0x883e, kEtherCiscoMetaData = 0x8909;
constexpr uint16_t kVxlanPort = 4789, kGenevePort = 6081, kGtpUPort = 2152, kTeredoPort = 3544;
constexpr uint16_t kMplsUdpPort = 6635; // RFC 7510
constexpr uint16_t kAyiyaPort = 5072;
constexpr uint16_t kEtherPppoeDiscovery = 0x8863, kEtherPppoeSession = 0x8864;
constexpr uint16_t kEtherErspan = 0x88be, kEtherErspan3 = 0x22eb; // GRE protocol types
constexpr uint16_t kEtherPbb = 0x88e7;                            // 802.1ah I-TAG

struct Decoder {
  const Frame& f;
  Decoded& d;
  Bytes base;                    // the bytes layer offsets count from: the frame's, or a reassembled datagram
  Source source = Source::Frame; // which of the two `base` is

  uint32_t off(Bytes b) const { return static_cast<uint32_t>(b.data() - base.data()); }
  void push(Layer k, uint32_t offset, uint32_t len, uint8_t aux = 0) { d.push(k, offset, len, source, aux); }
  bool cut() const { return f.data.size() < f.wire_len; }

  void fail(const char* why) {
    d.malformed = why;
    d.malformed_layer = static_cast<int8_t>(d.layer_count);
    // Running out of bytes in a frame the capture cut short is "size limited", not malformed.
    d.truncated = f.data.size() < f.wire_len;
  }

  // VLAN tags and IP-in-IP nest without limit on the wire: stop before the layer array fills (so
  // ip_layer / l4_layer always index a pushed layer) and before recursion can exhaust the stack.
  bool too_deep() {
    if (d.layer_count < d.layers.size() - 3) return false;
    fail("Too many nested headers");
    return true;
  }

  void data(Bytes b) {
    if (!b.empty()) push(Layer::Data, off(b), static_cast<uint32_t>(b.size()));
  }

  // tunnel: the type comes from an encapsulation (GRE, Geneve), where 0x6558 is a whole Ethernet frame.
  void ethertype(uint16_t type, Bytes b, bool tunnel = false) {
    switch (type) {
    case kEtherBridging:
      if (tunnel) return ethernet(b);
      return data(b);
    case kEtherMpls:
    case kEtherMplsMulticast:
      return mpls(b);
    case kEtherCiscoMetaData:
      return cisco_metadata(b);
    case wire::ethertype::kIpv4:
      return ipv4(b);
    case wire::ethertype::kIpv6:
      return ipv6(b);
    case wire::ethertype::kArp:
      return arp(b);
    case wire::ethertype::kVlan:
    case wire::ethertype::kQinQ:
    case wire::ethertype::kQinQOld:
      return vlan(b);
    case kEtherPppoeDiscovery:
    case kEtherPppoeSession:
      return pppoe(b, type == kEtherPppoeDiscovery);
    case kEtherPbb:
      return pbb(b);
    default:
      return data(b);
    }
  }

  // 802.2 LLC; a SNAP header with OUI 00:00:00 names an EtherType for what follows. `own_layer`:
  // pushed as a layer of its own (802.11, FDDI), not the tail of an 802.3 frame's layer.
  void llc(Bytes p, bool own_layer) {
    if (p.size() < 3) {
      if (own_layer) return fail(cut() ? "LLC truncated" : "LLC");
      return data(p);
    }
    const size_t hdr = (p[2] & 3) == 3 ? 3 : 4;
    const bool snap = p[0] == 0xaa && p[1] == 0xaa && hdr == 3;
    const size_t len = snap ? 8 : hdr;
    if (p.size() < len) {
      if (own_layer) return fail(cut() ? "LLC truncated" : "LLC");
      return data(p.subspan(std::min(hdr, p.size())));
    }
    if (own_layer) {
      if (too_deep()) return;
      push(Layer::Llc, off(p), static_cast<uint32_t>(p.size()));
    }
    if (snap && p[3] == 0 && p[4] == 0 && p[5] == 0) return ethertype(wire::be16(&p[6]), p.subspan(8));
    data(p.subspan(len));
  }

  // PPPoE (RFC 2516): version/type, code, session id, payload length. A session carries PPP.
  void pppoe(Bytes b, bool discovery) {
    if (too_deep()) return;
    if (b.size() < 6) return fail(cut() ? "PPPoE truncated" : "PPPoE");
    const uint16_t plen = wire::be16(&b[4]);
    Bytes p = b.subspan(6);
    // The payload length bounds what follows (Ethernet padding is not PPP); a larger one is cut.
    if (plen < p.size()) p = p.first(plen);
    push(Layer::Pppoe, off(b), static_cast<uint32_t>(6 + p.size()), discovery ? 1 : 0);
    if (discovery || b[1] != 0) return data(p);
    ppp(p, false);
  }

  // PPP: address 0xff and control (when `framed` and present), then the protocol, one byte when
  // its low bit is set (protocol field compression).
  void ppp(Bytes b, bool framed) {
    if (too_deep()) return;
    size_t at = framed && b.size() >= 2 && b[0] == 0xff ? 2 : 0;
    if (b.size() <= at) return fail(cut() ? "PPP truncated" : "PPP");
    uint16_t proto = b[at];
    if (proto & 1) {
      at += 1;
    } else {
      if (b.size() < at + 2) return fail(cut() ? "PPP truncated" : "PPP");
      proto = wire::be16(&b[at]);
      at += 2;
    }
    push(Layer::Ppp, off(b), static_cast<uint32_t>(b.size()));
    Bytes p = b.subspan(at);
    switch (proto) {
    case 0x0021:
      return ipv4(p);
    case 0x0057:
      return ipv6(p);
    case 0x0281:
    case 0x0283:
      return mpls(p);
    default:
      return data(p);
    }
  }

  // Frame Relay: a Q.922 address of 2 to 4 octets (EA ends it), then, in Cisco's encapsulation, an
  // EtherType; other encapsulations (Q.933 UI + NLPID, LAPF control fields) are shown as data.
  void frame_relay(Bytes b) {
    size_t n = 0;
    while (n < b.size() && n < 4 && !(b[n] & 1)) ++n;
    if (n >= b.size() || n == 0 || n == 4) return data(b); // cut, 1-octet or over-long address
    const size_t addr = n + 1;
    const bool cisco = b.size() >= addr + 2 && b[addr] != 0x03 && wire::be16(&b[addr]) >= 0x0600;
    push(Layer::FrameRelay, off(b), static_cast<uint32_t>(b.size()),
         static_cast<uint8_t>(addr | (cisco ? 0x10 : 0)));
    if (!cisco) return data(b.subspan(addr));
    ethertype(wire::be16(&b[addr]), b.subspan(addr + 2));
  }

  // Linux ARCNET: source, destination, 2 offset bytes, protocol id; RFC 1201 protocols then have a split
  // flag (0xff: an exception packet, whose flag, padding and protocol id come first) and a sequence.
  void arcnet(Bytes b) {
    if (b.size() < 5) return fail("ARCNET truncated");
    uint8_t id = b[4];
    size_t hdr = 5;
    const bool rfc1051 = id == 0xf0 || id == 0xf1 || id == 0x80 || id == 0xcd;
    if (!rfc1051) {
      if (b.size() < 8) return fail("ARCNET truncated");
      if (b[5] == 0xff) {
        if (b.size() < 12) return fail("ARCNET truncated");
        id = b[8];
        hdr = 12;
      } else {
        hdr = 8;
      }
    }
    push(Layer::Arcnet, off(b), static_cast<uint32_t>(b.size()), rfc1051 ? 0 : 1);
    Bytes p = b.subspan(hdr);
    if (id == 0xd4 || id == 0xf0) return ipv4(p);
    if (id == 0xd5 || id == 0xf1 || id == 0xd6) return arp(p);
    data(p);
  }

  // IP over InfiniBand: a 40-byte pseudo header (destination address, or a global route header),
  // then an EtherType and 2 reserved bytes.
  void ipoib(Bytes b) {
    if (b.size() < 44) return fail("IPoIB truncated");
    push(Layer::Ipoib, off(b), static_cast<uint32_t>(b.size()));
    const uint16_t type = wire::be16(&b[40]);
    Bytes p = b.subspan(44);
    if (type == 0x0800) return ipv4(p);
    if (type == 0x86dd) return ipv6(p);
    if (type == 0x0806 || type == 0x8035) return arp(p);
    data(p);
  }

  // Solaris ipnet: version, family (2 IPv4, 26 IPv6), hook, length, interfaces, zones; 24 bytes.
  void ipnet(Bytes b) {
    if (b.size() < 24) return fail("IPNET truncated");
    push(Layer::Ipnet, off(b), static_cast<uint32_t>(b.size()));
    Bytes p = b.subspan(24);
    if (b[1] == 2) return ipv4(p);
    if (b[1] == 26) return ipv6(p);
    data(p);
  }

  // Cisco HDLC: address, control, then an EtherType-like protocol.
  void chdlc(Bytes b) {
    if (b.size() < 4) return fail(cut() ? "Cisco HDLC truncated" : "Cisco HDLC");
    push(Layer::Chdlc, off(b), static_cast<uint32_t>(b.size()));
    // Nothing after the header in a frame the capture cut: tshark's "CHDLC truncated".
    if (b.size() == 4 && cut()) return fail("CHDLC truncated");
    ethertype(wire::be16(&b[2]), b.subspan(4));
  }

  // 802.1ah I-TAG: priority, DEI, UCA, reserved, I-SID, then the customer's addresses and type (one
  // layer, as tshark shows it).
  void pbb(Bytes b) {
    if (too_deep()) return;
    if (b.size() < 18) return fail(cut() ? "IEEE 802.1ah truncated" : "IEEE 802.1ah");
    push(Layer::Pbb, off(b), static_cast<uint32_t>(b.size()));
    ethertype(wire::be16(&b[16]), b.subspan(18));
  }

  // ERSPAN (draft-foschiano-erspan): type I has no header (GRE without a sequence number), type II
  // 8 bytes, type III 12 bytes plus an 8-byte platform subheader when its O bit is set.
  void erspan(Bytes b, uint16_t gre_proto, bool gre_seq) {
    if (too_deep()) return;
    if (gre_proto == kEtherErspan && !gre_seq) {
      push(Layer::Erspan, off(b), static_cast<uint32_t>(b.size()), 1);
      return ethernet(b);
    }
    const bool three = gre_proto == kEtherErspan3;
    size_t len = three ? 12 : 8;
    if (b.size() < len) return fail(cut() ? "ERSPAN truncated" : "ERSPAN");
    if (three && (b[11] & 1)) len += 8;
    if (b.size() < len) return fail(cut() ? "ERSPAN truncated" : "ERSPAN");
    push(Layer::Erspan, off(b), static_cast<uint32_t>(b.size()), three ? 3 : 2);
    // Type III frame type: 0 Ethernet; anything else is left as data.
    if (three && ((wire::be16(&b[10]) >> 10) & 0x1f) != 0) return data(b.subspan(len));
    ethernet(b.subspan(len));
  }

  // NFLOG: family, version, resource id, then TLVs (host-order length and type, 4-byte aligned);
  // NFULA_PAYLOAD (9) is the packet, IPv4 or IPv6 by the family.
  void nflog(Bytes b) {
    if (b.size() < 4) return fail(cut() ? "NFLOG truncated" : "NFLOG");
    const uint8_t family = b[0];
    size_t at = 4;
    Bytes payload;
    bool found = false;
    while (at + 4 <= b.size()) {
      const size_t len = wire::le16(&b[at]), type = wire::le16(&b[at + 2]) & 0x7fff;
      if (len < 4) {
        push(Layer::Nflog, off(b), static_cast<uint32_t>(b.size()));
        return fail("NFLOG TLV length < 4");
      }
      if (at + len > b.size()) break;
      if (type == 9) {
        payload = b.subspan(at + 4, len - 4);
        found = true;
        break;
      }
      at += (len + 3) & ~size_t{3};
    }
    push(Layer::Nflog, off(b), static_cast<uint32_t>(found ? payload.data() - b.data() : b.size()));
    if (!found) {
      if (at < b.size()) return fail(cut() ? "NFLOG truncated" : "NFLOG TLV runs past the packet");
      return;
    }
    if (family == 2) return ipv4(payload);
    if (family == 10) return ipv6(payload);
    data(payload);
  }

  // PKTAP: a little-endian header whose first word is its length and third the link type of the
  // frame after it.
  void pktap(Bytes b) {
    if (b.size() < 12) return fail(cut() ? "PKTAP truncated" : "PKTAP");
    const uint32_t hdr = wire::le32(&b[0]), rectype = wire::le32(&b[4]), dlt = wire::le32(&b[8]);
    if (hdr < 108) return fail("PKTAP header length is too short");
    if (hdr > b.size()) return fail(cut() ? "PKTAP truncated" : "PKTAP");
    push(Layer::Pktap, off(b), hdr);
    Bytes p = b.subspan(hdr);
    if (rectype != 1) return data(p);
    switch (dlt) { // DLT_ values
    case 1:
      return ethernet(p);
    case 0:
      return null_link(p, false);
    case 12:
    case 14:
      return raw_ip(p);
    case 9:
    case 50:
      return ppp(p, true);
    case 104:
      return chdlc(p);
    default:
      return data(p);
    }
  }

  // Radiotap: version, pad, little-endian length, present words; only the Flags field (bit 1,
  // after an 8-byte aligned TSFT when bit 0 is set) matters here: 0x10 says an FCS ends the frame.
  void radiotap(Bytes b) {
    if (b.size() < 8) return fail(cut() ? "Radiotap truncated" : "Radiotap");
    const size_t len = wire::le16(&b[2]);
    if (len < 8) return fail("The radiotap header length is less than 8 bytes");
    if (len > b.size()) return fail(cut() ? "Radiotap truncated" : "Radiotap");
    size_t at = 4;
    const uint32_t first = wire::le32(&b[4]);
    for (uint32_t w = first; (w & 0x80000000u) && at + 8 <= len; at += 4) w = wire::le32(&b[at + 4]);
    at += 4;
    bool fcs = false;
    if (first & 2) {
      if (first & 1) at = ((at + 7) & ~size_t{7}) + 8;
      if (at < len) fcs = b[at] & 0x10;
    }
    push(Layer::Radiotap, off(b), static_cast<uint32_t>(len));
    wlan(b.subspan(len), fcs);
  }

  // FDDI: frame control, destination, source; asynchronous and synchronous LLC frames carry LLC.
  void fddi(Bytes b) {
    if (b.size() < 13) return fail(cut() ? "FDDI truncated" : "FDDI");
    push(Layer::Fddi, off(b), static_cast<uint32_t>(b.size()));
    const uint8_t fc = b[0];
    if ((fc & 0x70) == 0x50) return llc(b.subspan(13), true);
    data(b.subspan(13));
  }

  // IEEE 802.11 MAC header. Data frames that are neither protected nor fragmented carry LLC.
  void wlan(Bytes b, bool fcs) {
    if (too_deep()) return;
    if (fcs && !cut()) {
      if (b.size() < 4) return fail("IEEE 802.11");
      b = b.first(b.size() - 4);
    } else {
      fcs = false;
    }
    if (b.size() < 2) return fail(cut() ? "IEEE 802.11 truncated" : "IEEE 802.11");
    const uint8_t type = (b[0] >> 2) & 3, subtype = b[0] >> 4, flags = b[1];
    size_t hdr = 0;
    if (type == 2) {
      hdr = 24 + ((flags & 3) == 3 ? 6 : 0);
      if (subtype & 8) hdr += 2 + ((flags & 0x80) ? 4 : 0); // QoS control, HT control
    } else if (type == 0) {
      hdr = 24;
    } else if (type == 1) {
      hdr = (subtype == 0xc || subtype == 0xd) ? 10 : 16; // CTS/ACK: one address
    } else {
      hdr = 2;
    }
    if (b.size() < hdr) return fail(cut() ? "IEEE 802.11 truncated" : "IEEE 802.11");
    push(Layer::Wlan, off(b), static_cast<uint32_t>(b.size()), fcs ? 1 : 0);
    Bytes p = b.subspan(hdr);
    if (type != 2 || (subtype & 4) || p.empty()) return; // no body: management, control, null data
    const uint16_t seqctl = wire::le16(&b[22]);
    if ((flags & 0x40) || (flags & 0x04) || (seqctl & 0xf)) return data(p);
    // An A-MSDU (QoS control bit 7): the first subframe (DA, SA, length, then LLC) stands for the rest.
    if ((subtype & 8) && (b[(flags & 3) == 3 ? 30 : 24] & 0x80)) {
      if (p.size() < 14) return fail(cut() ? "IEEE 802.11 truncated" : "IEEE 802.11");
      return llc(p.subspan(14, std::min<size_t>(wire::be16(&p[12]), p.size() - 14)), true);
    }
    llc(p, true);
  }

  // AYIYA (draft-massar-v6ops-ayiya): identity and signature lengths in the first bytes, then the
  // next header (IPv4 4, IPv6 41) of what follows.
  void ayiya(Bytes b) {
    if (b.size() < 8) return data(b);
    const size_t id = size_t{1} << (b[0] >> 4), sig = size_t{b[1]} / 16 * 4;
    const size_t len = 8 + id + sig;
    const uint8_t opcode = b[2] & 0x0f, next = b[3];
    if (b.size() < len) return data(b);
    if (too_deep()) return;
    push(Layer::Ayiya, off(b), static_cast<uint32_t>(b.size()));
    Bytes p = b.subspan(len);
    if (opcode != 1 || p.empty()) return data(p); // 1: forward
    if (next == 4) return ipv4(p);
    if (next == 41) return ipv6(p);
    data(p);
  }

  void ethernet(Bytes b) {
    if (too_deep()) return;
    // tshark's wording: "[Malformed Packet: Ethernet]".
    if (!wire::EthernetView::valid(b))
      return fail(f.data.size() < f.wire_len ? "Ethernet truncated" : "Ethernet");
    wire::EthernetView e(b);
    if (e.is_8023()) {
      // 802.3: the payload is as long as the length field says; the rest is padding/trailer.
      push(Layer::Eth8023, off(b), static_cast<uint32_t>(b.size()));
      Bytes p = e.payload();
      p = p.first(std::min<size_t>(p.size(), e.type_or_length()));
      // LLC: DSAP, SSAP, control (1 byte for U frames, 2 for I/S frames), SNAP.
      if (p.size() < 3 || p.size() < ((p[2] & 3) == 3 ? 3u : 4u)) return;
      return llc(p, false);
    }
    push(Layer::Eth, off(b), static_cast<uint32_t>(b.size()));
    ethertype(e.type_or_length(), e.payload());
  }

  void vlan(Bytes b) {
    if (too_deep()) return;
    if (b.size() < 4) return fail("VLAN tag truncated");
    push(Layer::Vlan, off(b), static_cast<uint32_t>(b.size()));
    uint16_t type = wire::be16(&b[2]);
    if (type <= 1500) return data(b.subspan(4, std::min<size_t>(b.size() - 4, type)));
    ethertype(type, b.subspan(4));
  }

  void sll(Bytes b) {
    if (b.size() < 16) return fail("Linux cooked header truncated");
    push(Layer::Sll, off(b), static_cast<uint32_t>(b.size()));
    ethertype(wire::be16(&b[14]), b.subspan(16));
  }

  void sll2(Bytes b) {
    if (b.size() < 20) return fail("Linux cooked v2 header truncated");
    push(Layer::Sll2, off(b), static_cast<uint32_t>(b.size()));
    ethertype(wire::be16(&b[0]), b.subspan(20));
  }

  void null_link(Bytes b, bool network_order) {
    if (b.size() < 4) return fail("Loopback header truncated");
    push(Layer::Null, off(b), static_cast<uint32_t>(b.size()));
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
    if (!wire::ArpView::valid(b)) {
      // Addresses past the end: tshark still shows the fixed header (aux 1), then the exception.
      if (b.size() >= wire::ArpView::kFixedLen) push(Layer::Arp, off(b), static_cast<uint32_t>(b.size()), 1);
      return fail(f.data.size() < f.wire_len ? "ARP truncated" : "ARP/RARP");
    }
    push(Layer::Arp, off(b), static_cast<uint32_t>(wire::ArpView(b).length()));
  }

  void ipv4(Bytes b) {
    if (too_deep()) return;
    if (const char* why = wire::Ipv4View::check(b)) return fail(why);
    wire::Ipv4View ip(b);
    Bytes extent = b.first(std::min<size_t>(b.size(), ip.length()));
    enter_ip(4, ip.src(), ip.dst());
    d.ip_proto = ip.protocol();
    d.ip_fragment = ip.is_fragment();
    push(Layer::Ipv4, off(b), static_cast<uint32_t>(extent.size()));
    uint32_t missing = static_cast<uint32_t>(ip.payload_missing());
    if (missing && f.data.size() >= f.wire_len) return fail("IPv4 total length exceeds packet length");
    if (ip.is_fragment() && ip.frag_offset() != 0) return data(ip.payload());
    if (ip.mf()) return data(ip.payload()); // first fragment: needs reassembly before transport
    transport(ip.protocol(), ip.payload(), missing);
  }

  void ipv6(Bytes b) {
    if (too_deep()) return;
    if (b.size() < wire::Ipv6View::kHeaderLen)
      return fail(f.data.size() < f.wire_len ? "IPv6 truncated" : "IPv6");
    if (!wire::Ipv6View::valid(b)) return fail("IPv6 version is not 6");
    wire::Ipv6View ip(b);
    uint32_t plen = ip.payload_len();
    Bytes extent = b.first(std::min<size_t>(b.size(), 40 + size_t{plen}));
    uint32_t missing = 40 + plen > b.size() ? static_cast<uint32_t>(40 + plen - b.size()) : 0;
    if (missing && f.data.size() >= f.wire_len) return fail("IPv6 payload length exceeds packet length");
    enter_ip(6, ip.src(), ip.dst());
    push(Layer::Ipv6, off(b), static_cast<uint32_t>(extent.size()));
    // Walk extension headers: each must fit, and the chain is bounded.
    wire::Ipv6ExtWalker walk(extent);
    wire::Ipv6Ext e;
    while (walk.next(e)) {
      if (e.type != 44) continue;
      uint16_t frag = wire::be16(&extent[e.offset + 2]);
      if ((frag & 0xfff8) != 0 || (frag & 1)) {
        d.ip_fragment = true;
        d.ip_proto = e.next;
        return data(extent.subspan(e.offset + e.length));
      }
    }
    if (walk.error()) return fail(walk.error());
    uint8_t next = walk.upper();
    d.ip_proto = next;
    if (next == 59) return; // no next header
    transport(next, extent.subspan(walk.upper_offset()), missing);
  }

  // The IP header about to be pushed becomes the one connections are keyed by: what an outer header
  // had set for its transport (a UDP tunnel's ports and payload) is forgotten.
  void enter_ip(uint8_t version, const uint8_t* src, const uint8_t* dst) {
    if (d.ip_layer >= 0 && d.outer_ip_layer < 0) d.outer_ip_layer = d.ip_layer;
    d.ip_layer = static_cast<int8_t>(d.layer_count);
    d.ip_version = version;
    d.src_ip = src;
    d.dst_ip = dst;
    d.ip_fragment = false;
    d.l4_layer = -1;
    d.src_port = d.dst_port = 0;
    d.payload_offset = d.payload_len = d.payload_missing = 0;
  }

  void transport(uint8_t proto, Bytes b, uint32_t missing) {
    switch (proto) {
    case 6:
      return tcp(b, missing);
    case 17:
      return udp(b, missing);
    case 1:
      return icmp(b, Layer::Icmp, missing);
    case 58:
      return icmp(b, Layer::Icmpv6, missing);
    case 4:
      return ipv4(b); // IP-in-IP
    case 41:
      return ipv6(b); // 6in4
    case 47:
      return gre(b);
    default:
      return data(b);
    }
  }

  void tcp(Bytes b, uint32_t missing) {
    if (const char* why = wire::TcpView::check(b)) return fail(why);
    wire::TcpView t(b);
    d.l4_layer = static_cast<int8_t>(d.layer_count);
    push(Layer::Tcp, off(b), static_cast<uint32_t>(b.size()));
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
    push(Layer::Udp, off(b), static_cast<uint32_t>(extent.size()));
    d.src_port = u.src_port();
    d.dst_port = u.dst_port();
    Bytes p = u.payload();
    d.payload_offset = off(p);
    d.payload_len = static_cast<uint32_t>(p.size());
    d.payload_missing = u.length() > b.size() ? static_cast<uint32_t>(u.length() - b.size()) : 0;
    // UDP encapsulations, by either port as tshark's port table does (the low port first).
    if (d.payload_missing) return;
    uint16_t lo = std::min(u.src_port(), u.dst_port()), hi = std::max(u.src_port(), u.dst_port());
    for (uint16_t port : {lo, hi}) {
      if (port == kVxlanPort) return vxlan(p);
      if (port == kGenevePort) return geneve(p);
      if (port == kGtpUPort) return gtpu(p);
      if (port == kTeredoPort) return teredo(p);
      if (port == kMplsUdpPort) return mpls(p);
      if (port == kAyiyaPort) return ayiya(p);
    }
  }

  // GRE (RFC 2784, keys and sequence numbers of RFC 2890; RFC 1701's routing present bit is
  // shown but its source route entries are not decoded).
  void gre(Bytes b) {
    if (too_deep()) return;
    if (b.size() < 4) return fail(f.data.size() < f.wire_len ? "GRE truncated" : "GRE");
    uint16_t flags = wire::be16(&b[0]);
    size_t len = 4 + ((flags & 0xc000) ? 4 : 0) + ((flags & 0x2000) ? 4 : 0) + ((flags & 0x1000) ? 4 : 0);
    if ((flags & 7) == 1) len = 4 + ((flags & 0x1000) ? 4 : 0) + ((flags & 0x0080) ? 4 : 0) + 4; // PPTP
    if (b.size() < len) return fail(f.data.size() < f.wire_len ? "GRE truncated" : "GRE");
    push(Layer::Gre, off(b), static_cast<uint32_t>(b.size()));
    if (flags & 0x4000) return data(b.subspan(len)); // routing: SREs follow
    if ((flags & 7) != 0) return data(b.subspan(len));
    const uint16_t proto = wire::be16(&b[2]);
    if (proto == kEtherErspan || proto == kEtherErspan3) return erspan(b.subspan(len), proto, flags & 0x1000);
    // Aruba WLAN: an 802.11 frame without FCS (0x8200..0x8370 by 0x10, 0x9000).
    if ((proto >= 0x8200 && proto <= 0x8370 && (proto & 0xf) == 0) || proto == 0x9000)
      return wlan(b.subspan(len), false);
    if (proto ==
        kEtherWccp) { // WCCP redirection: IPv4, after a 4-byte redirect header unless it starts there
      Bytes p = b.subspan(len);
      if (!p.empty() && (p[0] >> 4) != 4) p = p.subspan(std::min<size_t>(4, p.size()));
      return ipv4(p);
    }
    ethertype(proto, b.subspan(len), true);
  }

  void vxlan(Bytes b) {
    if (too_deep()) return;
    if (b.size() < 8) return fail(f.data.size() < f.wire_len ? "VXLAN truncated" : "VXLAN");
    push(Layer::Vxlan, off(b), static_cast<uint32_t>(b.size()));
    ethernet(b.subspan(8));
  }

  void geneve(Bytes b) {
    if (too_deep()) return;
    if (b.size() < 8) return fail(f.data.size() < f.wire_len ? "Geneve truncated" : "Geneve");
    size_t len = 8 + size_t{b[0] & 0x3fu} * 4;
    if ((b[0] >> 6) != 0) { // unknown version: header only
      push(Layer::Geneve, off(b), static_cast<uint32_t>(b.size()));
      return data(b.subspan(std::min(len, b.size())));
    }
    if (b.size() < len) return fail(f.data.size() < f.wire_len ? "Geneve truncated" : "Geneve");
    push(Layer::Geneve, off(b), static_cast<uint32_t>(b.size()));
    ethertype(wire::be16(&b[2]), b.subspan(len), true);
  }

  // Cisco MetaData (security group tag): 8 bytes, the EtherType of what follows first.
  void cisco_metadata(Bytes b) {
    if (too_deep()) return;
    if (b.size() < 8) return fail(f.data.size() < f.wire_len ? "Cisco MetaData truncated" : "Cisco MetaData");
    push(Layer::Cmd, off(b), static_cast<uint32_t>(b.size()));
    ethertype(wire::be16(&b[0]), b.subspan(8));
  }

  // GTP-U (3GPP TS 29.281). Only version 1 with protocol type GTP is decoded; a T-PDU (0xff) carries
  // an IPv4 or IPv6 packet, by its first nibble.
  void gtpu(Bytes b) {
    if (too_deep()) return;
    if (b.size() < 8) return fail(f.data.size() < f.wire_len ? "GTP truncated" : "GTP");
    const uint8_t flags = b[0];
    size_t len = 8;
    if ((flags >> 5) == 1 && (flags & 0x10) && (flags & 7)) {
      len = 12;
      if (b.size() < len) return fail(f.data.size() < f.wire_len ? "GTP truncated" : "GTP");
      // Extension headers: length in 4-byte units, the last byte names the next one.
      uint8_t next = (flags & 4) ? b[11] : 0;
      for (int n = 0; next && n < 16; ++n) {
        if (b.size() < len + 1 || b[len] == 0) return fail("GTP extension header");
        const size_t ext = size_t{b[len]} * 4;
        if (b.size() < len + ext) return fail(f.data.size() < f.wire_len ? "GTP truncated" : "GTP");
        next = b[len + ext - 1];
        len += ext;
      }
      if (next) return fail("GTP extension header");
    }
    push(Layer::GtpU, off(b), static_cast<uint32_t>(b.size()));
    Bytes p = b.subspan(len);
    if ((flags >> 5) != 1 || !(flags & 0x10) || b[1] != 0xff || p.empty()) return data(p);
    if ((p[0] >> 4) == 4) return ipv4(p);
    if ((p[0] >> 4) == 6) return ipv6(p);
    data(p);
  }

  // Teredo: an authentication header (0x0001) and an origin indication (0x0000) may precede IPv6.
  void teredo(Bytes b) {
    if (too_deep()) return;
    size_t at = 0;
    if (b.size() >= 4 && b[0] == 0 && b[1] == 1) {
      const size_t auth = 13 + size_t{b[2]} + b[3];
      if (b.size() < auth) return fail(f.data.size() < f.wire_len ? "Teredo truncated" : "Teredo");
      at = auth;
    }
    if (b.size() >= at + 8 && b[at] == 0 && b[at + 1] == 0) at += 8;
    if (b.size() <= at || (b[at] >> 4) != 6) return data(b); // not Teredo after all
    push(Layer::Teredo, off(b), static_cast<uint32_t>(b.size()));
    ipv6(b.subspan(at));
  }

  // The label stack is one layer; the describer shows one header per entry.
  void mpls(Bytes b) {
    if (too_deep()) return;
    size_t n = 0;
    for (;;) {
      if (b.size() < n + 4) return fail(f.data.size() < f.wire_len ? "MPLS truncated" : "MPLS");
      n += 4;
      if (b[n - 2] & 1) break; // bottom of stack
    }
    push(Layer::Mpls, off(b), static_cast<uint32_t>(b.size()));
    Bytes p = b.subspan(n);
    if (p.empty()) return;
    // What follows the stack is not named: IPv4 and IPv6 by their first nibble, as tshark guesses.
    if ((p[0] >> 4) == 4) return ipv4(p);
    if ((p[0] >> 4) == 6) return ipv6(p);
    data(p);
  }

  void icmp(Bytes b, Layer k, uint32_t missing) {
    bool v4 = k == Layer::Icmp;
    // Every ICMP/ICMPv6 message has at least type, code, checksum and a 4-byte rest-of-header.
    if (b.size() < 8) {
      bool cut = f.data.size() < f.wire_len;
      return fail(v4 ? (cut ? "ICMP truncated" : "ICMP") : (cut ? "ICMPv6 truncated" : "ICMPv6"));
    }
    d.l4_layer = static_cast<int8_t>(d.layer_count);
    push(k, off(b), static_cast<uint32_t>(b.size()));
    d.payload_missing = missing;
    if (missing) fail(v4 ? "ICMP truncated" : "ICMPv6 truncated");
  }
};

} // namespace

void decode(const Frame& frame, Decoded& out) {
  out = Decoded{};
  out.frame = &frame;
  Decoder dec{frame, out, frame.data};
  Bytes b = frame.data;
  switch (frame.link_type) {
  case kLinkEthernet:
    dec.ethernet(b);
    break;
  case kLinkLinuxSll:
    dec.sll(b);
    break;
  case kLinkLinuxSll2:
    dec.sll2(b);
    break;
  case kLinkNull:
    dec.null_link(b, false);
    break;
  case kLinkLoop:
    dec.null_link(b, true);
    break;
  case kLinkRaw:
  case 12: // DLT_RAW on some BSDs
  case 14:
    dec.raw_ip(b);
    break;
  case kLinkIpv4:
    dec.ipv4(b);
    break;
  case kLinkIpv6:
    dec.ipv6(b);
    break;
  case kLinkPpp:
  case kLinkPppHdlc:
    dec.ppp(b, true);
    break;
  case kLinkChdlc:
    dec.chdlc(b);
    break;
  case kLinkFrelay:
    dec.frame_relay(b);
    break;
  case kLinkArcnetLinux:
    dec.arcnet(b);
    break;
  case kLinkIpoib:
    dec.ipoib(b);
    break;
  case kLinkIpnet:
    dec.ipnet(b);
    break;
  case kLinkFddi:
    dec.fddi(b);
    break;
  case kLinkNflog:
    dec.nflog(b);
    break;
  case kLinkPktap:
    dec.pktap(b);
    break;
  case kLinkRadiotap:
    dec.radiotap(b);
    break;
  case kLinkIeee80211:
    dec.wlan(b, false);
    break;
  default:
    dec.data(b);
    break;
  }
}

void decode_reassembled(Decoded& out, uint8_t proto, std::span<const uint8_t> datagram,
                        const IpReassembly* how) {
  // The fragment's own payload was pushed as the last layer, Data, right after its IP header.
  if (out.layer_count > 0 && out.layers[out.layer_count - 1u].kind == Layer::Data &&
      static_cast<int>(out.layer_count) - 1 > out.ip_layer)
    --out.layer_count;
  out.ip_fragment = false;
  out.ip_proto = proto;
  out.frag_ip_layer = out.ip_layer;
  out.reassembled = datagram;
  out.reassembly = how;
  Decoder dec{*out.frame, out, datagram, Source::Reassembled};
  dec.transport(proto, datagram, 0);
}

bool tunnel_udp_view(const Decoded& d, Decoded& out) {
  if (d.outer_ip_layer < 0) return false;
  for (int i = d.outer_ip_layer + 1; i < d.ip_layer; ++i) {
    const LayerSpan& l = d.layers[static_cast<size_t>(i)];
    if (l.kind != Layer::Udp) continue;
    const LayerSpan& ip = d.layers[static_cast<size_t>(i - 1)];
    if (ip.kind != Layer::Ipv4 && ip.kind != Layer::Ipv6) return false;
    const Bytes h = d.bytes(ip), u = d.bytes(l);
    if (u.size() < 8) return false;
    out = d;
    out.layer_count = static_cast<uint8_t>(i + 1);
    out.ip_layer = static_cast<int8_t>(i - 1);
    out.l4_layer = static_cast<int8_t>(i);
    out.outer_ip_layer = -1;
    out.ip_version = ip.kind == Layer::Ipv4 ? 4 : 6;
    out.src_ip = h.data() + (ip.kind == Layer::Ipv4 ? 12 : 8);
    out.dst_ip = h.data() + (ip.kind == Layer::Ipv4 ? 16 : 24);
    out.ip_proto = 17;
    out.ip_fragment = false;
    out.src_port = wire::be16(&u[0]);
    out.dst_port = wire::be16(&u[2]);
    out.payload_offset = l.offset + 8;
    out.payload_len = l.length - 8;
    out.payload_missing = 0;
    out.malformed = nullptr;
    out.malformed_layer = -1;
    return true;
  }
  return false;
}

} // namespace ps
