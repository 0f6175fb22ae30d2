// Link layers and encapsulations beyond Ethernet: PPP, PPPoE, Cisco HDLC, 802.1ah, ERSPAN, NFLOG,
// PKTAP, radiotap, IEEE 802.11, AYIYA. The decoder (dissect/decode.cpp) checked every fixed header
// read here; what they carry is described by its own layers.
#include <array>

#include "describe/proto/context.h"

namespace ps::proto {

namespace {

struct Named {
  uint16_t value;
  std::string_view name;
};

// tshark's ppp.protocol value strings (tshark -G values).
constexpr Named kPppProtocols[] = {
#include "describe/proto/ppp_protocols.inc"
};

std::string_view ppp_protocol_name(uint16_t p) {
  for (const Named& n : kPppProtocols)
    if (n.value == p) return n.name;
  return "Unknown";
}

std::string_view pppoe_code_name(uint8_t c) {
  switch (c) {
  case 0x00:
    return "Session Data";
  case 0x07:
    return "Active Discovery Offer (PADO)";
  case 0x09:
    return "Active Discovery Initiation (PADI)";
  case 0x0a:
    return "Active Discovery Session-Grant (PADG)";
  case 0x0b:
    return "Active Discovery Session-Credit Resp.(PADC)";
  case 0x0c:
    return "Active Discovery Quality (PADQ)";
  case 0x19:
    return "Active Discovery Request (PADR)";
  case 0x65:
    return "Active Discovery Session-confirmation (PADS)";
  case 0xa7:
    return "Active Discovery Terminate (PADT)";
  case 0xd3:
    return "Active Discovery Message (PADM)";
  case 0xd4:
    return "Active Discovery Network (PADN)";
  default:
    return "Unknown";
  }
}

// A numbered field with a tree line "<pattern> = Name: value" over a `bits`-wide word.
void bits(Record& r, F f, uint32_t off, uint32_t len, uint64_t word, unsigned width, uint64_t mask,
          std::string_view value_text) {
  if (!r.want(f)) return;
  unsigned shift = 0;
  while (shift < 64 && !((mask >> shift) & 1)) ++shift;
  const uint64_t v = (word & mask) >> shift;
  Item& it = r.add(f, off, len, v);
  if (r.tree())
    it.text = r.format("{} = {}: {}", bit_pattern(r, word, width, mask), field_info(f).name,
                       value_text.empty() ? r.format("{}", v) : value_text);
}

void num(Record& r, F f, uint32_t off, uint32_t len, uint64_t v, std::string_view text) {
  if (!r.want(f)) return;
  Item& it = r.add(f, off, len, v);
  if (r.tree()) it.text = text;
}

std::string_view raw(const std::array<uint8_t, 6>& a) {
  return {reinterpret_cast<const char*>(a.data()), a.size()};
}

std::string_view raw(wire::Bytes b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// A NUL-terminated string inside a fixed-size field.
std::string_view cstr(wire::Bytes b) {
  size_t n = 0;
  while (n < b.size() && b[n] != 0) ++n;
  return raw(b.first(n));
}

void open(Record& r, F f, uint32_t off, uint32_t len, std::string_view text) {
  if (r.tree())
    r.push(f, off, len).text = text;
  else if (r.want(f))
    r.add(f, off, len);
}
void close(Record& r) {
  if (r.tree()) r.pop();
}

} // namespace

std::string_view chdlc_protocol_name(uint16_t p) {
  switch (p) {
  case 0x2000:
    return "Cisco Discovery Protocol";
  case 0x0800:
    return "IP";
  case 0x86dd:
    return "IPv6";
  case 0x8035:
    return "SLARP";
  case 0x8038:
    return "DEC LanBridge";
  case 0x4242:
    return "Spanning Tree BPDU";
  case 0x809b:
    return "Appletalk";
  case 0x80f3:
    return "AARP";
  case 0x8137:
    return "Netware IPX/SPX";
  case 0x6558:
    return "Transparent Ethernet bridging";
  case 0xfefe:
    return "OSI";
  case 0x8847:
    return "MPLS unicast";
  case 0x8848:
    return "MPLS multicast";
  default:
    return ethertype_name(p);
  }
}

void describe_ppp(Ctx& c, const LayerSpan& l) {
  Record& r = c.rec;
  const wire::Bytes b = c.bytes(l);
  const uint32_t o = l.offset;
  // The decoder's rules: address/control only on a PPP link (not inside PPPoE), compressed protocol.
  const bool framed = c.frame().link_type == kLinkPpp || c.frame().link_type == kLinkPppHdlc;
  uint32_t at = framed && b.size() >= 2 && b[0] == 0xff ? 2 : 0;
  uint16_t proto = b[at];
  uint32_t plen = 1;
  if (!(proto & 1)) {
    proto = wire::be16(&b[at]);
    plen = 2;
  }
  open(r, F::PPP, o, at + plen, "Point-to-Point Protocol");
  if (at) {
    num(r, F::PPP_ADDRESS, o, 1, b[0], r.tree() ? r.format("Address: 0x{:02x}", b[0]) : "");
    num(r, F::PPP_CONTROL, o + 1, 1, b[1], r.tree() ? r.format("Control: 0x{:02x}", b[1]) : "");
  }
  num(r, F::PPP_PROTOCOL, o + at, plen, proto,
      r.tree() ? r.format("Protocol: {} (0x{:04x})", ppp_protocol_name(proto), proto) : "");
  close(r);
  if (r.columns_wanted()) {
    r.cols().protocol = "PPP";
    if (framed) { // the link layer has no addresses; inside PPPoE the Ethernet ones stay
      r.cols().src = "N/A";
      r.cols().dst = "N/A";
    }
    r.cols().info.clear();
    fmt::format_to(std::back_inserter(r.cols().info), "{}", ppp_protocol_name(proto));
  }
}

void describe_pppoe(Ctx& c, const LayerSpan& l) {
  Record& r = c.rec;
  const wire::Bytes b = c.bytes(l);
  const uint32_t o = l.offset;
  const bool disc = l.aux == 1;
  const uint8_t vt = b[0], code = b[1];
  const uint16_t sid = wire::be16(&b[2]), plen = wire::be16(&b[4]);
  open(r, disc ? F::PPPOED : F::PPPOES, o, disc ? l.length : 6,
       disc ? "PPP-over-Ethernet Discovery" : "PPP-over-Ethernet Session");
  bits(r, F::PPPOE_VERSION, o, 1, vt, 8, 0xf0, "");
  bits(r, F::PPPOE_TYPE, o, 1, vt, 8, 0x0f, "");
  num(r, F::PPPOE_CODE, o + 1, 1, code,
      r.tree() ? r.format("Code: {} (0x{:02x})", pppoe_code_name(code), code) : "");
  num(r, F::PPPOE_SESSION_ID, o + 2, 2, sid, r.tree() ? r.format("Session ID: 0x{:04x}", sid) : "");
  num(r, F::PPPOE_PAYLOAD_LENGTH, o + 4, 2, plen, r.tree() ? r.format("Payload Length: {}", plen) : "");
  if (disc && l.length > 6) {
    // Tags: type, length, value; a tag running past the payload ends the list.
    const wire::Bytes tags = b.subspan(6, l.length - 6);
    if (r.tree()) r.push(F::PPPOED_TAGS, o + 6, static_cast<uint32_t>(tags.size())).text = "PPPoE Tags";
    for (size_t i = 0; i + 4 <= tags.size();) {
      const uint16_t type = wire::be16(&tags[i]), len = wire::be16(&tags[i + 2]);
      if (i + 4 + len > tags.size()) break;
      const uint32_t at = o + 6 + static_cast<uint32_t>(i);
      const wire::Bytes v = tags.subspan(i + 4, len);
      if (type == 0x0000) break; // End-Of-List
      if (len == 0) {            // an empty tag (a Service-Name asking for any service) has no line in tshark
        i += 4;
        continue;
      }
      if (r.want(F::PPPOED_TAG)) r.add(F::PPPOED_TAG, at, 2, type).hidden = true;
      if (r.want(F::PPPOED_TAG_LENGTH)) r.add(F::PPPOED_TAG_LENGTH, at + 2, 2, len).hidden = true;
      F f = F::PPPOED_TAG_UNKNOWN_DATA;
      bool text = false;
      switch (type) {
      case 0x0101:
        f = F::PPPOED_TAGS_SERVICE_NAME;
        text = true;
        break;
      case 0x0102:
        f = F::PPPOED_TAGS_AC_NAME;
        text = true;
        break;
      case 0x0103:
        f = F::PPPOED_TAGS_HOST_UNIQ;
        break;
      case 0x0104:
        f = F::PPPOED_TAGS_AC_COOKIE;
        break;
      case 0x0120:
        f = F::PPPOED_TAGS_MAX_PAYLOAD;
        break;
      default:
        break;
      }
      if (r.want(f)) {
        Item& it = r.add_str(f, at + 4, len, raw(v));
        if (r.tree()) it.text = r.format("{}: {}", field_info(f).name, text ? raw(v) : hex_str(r, v));
      }
      i += 4 + size_t{len};
    }
    if (r.tree()) r.pop();
  }
  close(r);
  if (r.columns_wanted()) {
    r.cols().protocol = disc ? "PPPoED" : "PPPoES";
    r.cols().info.clear();
    fmt::format_to(std::back_inserter(r.cols().info), "{}", pppoe_code_name(code));
  }
}

void describe_chdlc(Ctx& c, const LayerSpan& l) {
  Record& r = c.rec;
  const wire::Bytes b = c.bytes(l);
  const uint32_t o = l.offset;
  const uint16_t proto = wire::be16(&b[2]);
  open(r, F::CHDLC, o, 4, "Cisco HDLC");
  num(r, F::CHDLC_ADDRESS, o, 1, b[0],
      r.tree() ? r.format("Address: {} (0x{:02x})",
                          b[0] == 0x0f   ? "Unicast"
                          : b[0] == 0x8f ? "Multicast"
                                         : "Unknown",
                          b[0])
               : "");
  num(r, F::CHDLC_CONTROL, o + 1, 1, b[1], r.tree() ? r.format("Control: 0x{:02x}", b[1]) : "");
  num(r, F::CHDLC_PROTOCOL, o + 2, 2, proto,
      r.tree() ? r.format("Protocol: {} (0x{:04x})", chdlc_protocol_name(proto), proto) : "");
  close(r);
  if (r.columns_wanted()) {
    r.cols().protocol = "CHDLC";
    r.cols().src = "N/A";
    r.cols().dst = "N/A";
  }
}

void describe_llc_layer(Ctx& c, const LayerSpan& l) {
  describe_llc(c, c.bytes(l), l.offset);
}

void describe_pbb(Ctx& c, const LayerSpan& l) {
  Record& r = c.rec;
  const wire::Bytes b = c.bytes(l);
  const uint32_t o = l.offset;
  const uint32_t tag = wire::be32(&b[0]);
  const uint16_t type = wire::be16(&b[16]);
  open(r, F::IEEE8021AH, o, 18, r.tree() ? r.format("IEEE 802.1ah, I-SID: {}", tag & 0xffffff) : "");
  bits(r, F::IEEE8021AH_PRIORITY, o, 4, tag, 32, 0xe0000000, "");
  bits(r, F::IEEE8021AH_DROP, o, 4, tag, 32, 0x10000000, "");
  bits(r, F::IEEE8021AH_NCA, o, 4, tag, 32, 0x08000000, "");
  bits(r, F::IEEE8021AH_RES1, o, 4, tag, 32, 0x04000000, "");
  bits(r, F::IEEE8021AH_RES2, o, 4, tag, 32, 0x03000000, "");
  bits(r, F::IEEE8021AH_ISID, o, 4, tag, 32, 0x00ffffff, "");
  for (auto [f, at, name] : {std::tuple{F::IEEE8021AH_CDST, 4u, "C-Destination"},
                             std::tuple{F::IEEE8021AH_CSRC, 10u, "C-Source"}}) {
    if (!r.want(f)) continue;
    Item& it = r.add_str(f, o + at, 6, raw(b.subspan(at, 6)));
    if (r.tree()) it.text = r.format("{}: {}", name, ether_tree_str(c, &b[at]));
  }
  num(r, F::IEEE8021AH_ETYPE, o + 16, 2, type,
      r.tree() ? r.format("Type: {} (0x{:04x})", ethertype_name(type), type) : "");
  close(r);
}

void describe_erspan(Ctx& c, const LayerSpan& l) {
  Record& r = c.rec;
  const wire::Bytes b = c.bytes(l);
  const uint32_t o = l.offset;
  if (l.aux == 1) {
    open(r, F::ERSPAN, o, 0, "Encapsulated Remote Switch Packet ANalysis Type I");
    close(r);
    return;
  }
  const bool three = l.aux == 3;
  const uint16_t w0 = wire::be16(&b[0]), w1 = wire::be16(&b[2]);
  const uint32_t hdr = three ? ((b[11] & 1) ? 20 : 12) : 8;
  open(r, F::ERSPAN, o, hdr,
       three ? "Encapsulated Remote Switch Packet ANalysis Type III"
             : "Encapsulated Remote Switch Packet ANalysis Type II");
  const unsigned ver = w0 >> 12;
  bits(r, F::ERSPAN_VERSION, o, 2, w0, 16, 0xf000,
       r.tree() ? r.format("{} ({})",
                           ver == 1   ? "Type II"
                           : ver == 2 ? "Type III"
                                      : "Unknown",
                           ver)
                : "");
  bits(r, F::ERSPAN_VLAN, o, 2, w0, 16, 0x0fff, "");
  bits(r, F::ERSPAN_COS, o + 2, 2, w1, 16, 0xe000, "");
  const unsigned en = (w1 >> 11) & 3;
  if (three) {
    static constexpr std::string_view kBso[] = {"Good or unknown integrity", "Short frame", "Oversized frame",
                                                "CRC or alignment error"};
    bits(r, F::ERSPAN_BSO, o + 2, 2, w1, 16, 0x1800, r.tree() ? r.format("{} ({})", kBso[en], en) : "");
  } else {
    static constexpr std::string_view kEncap[] = {
        "Originally without VLAN tag", "Originally ISL encapsulated", "Originally 802.1Q encapsulated",
        "VLAN tag preserved in frame"};
    bits(r, F::ERSPAN_ENCAP, o + 2, 2, w1, 16, 0x1800, r.tree() ? r.format("{} ({})", kEncap[en], en) : "");
  }
  const unsigned t = (w1 >> 10) & 1;
  bits(r, F::ERSPAN_TRUNCATED, o + 2, 2, w1, 16, 0x0400,
       r.tree() ? r.format("{} ({})", t ? "Truncated" : "Not truncated", t) : "");
  bits(r, F::ERSPAN_SPANID, o + 2, 2, w1, 16, 0x03ff, "");
  if (!three) {
    const uint32_t w = wire::be32(&b[4]);
    bits(r, F::ERSPAN_RESERVED, o + 4, 4, w, 32, 0xfff00000, "");
    bits(r, F::ERSPAN_INDEX, o + 4, 4, w, 32, 0x000fffff, "");
  } else {
    const uint32_t ts = wire::be32(&b[4]);
    const uint16_t sgt = wire::be16(&b[8]), w = wire::be16(&b[10]);
    bits(r, F::ERSPAN_TIMESTAMP, o + 4, 4, ts, 32, 0xffffffff, "");
    bits(r, F::ERSPAN_SGT, o + 8, 2, sgt, 16, 0xffff, "");
    bits(r, F::ERSPAN_P, o + 10, 2, w, 16, 0x8000, "");
    const unsigned ft = (w >> 10) & 0x1f;
    bits(r, F::ERSPAN_FT, o + 10, 2, w, 16, 0x7c00,
         r.tree() ? r.format("{} ({})",
                             ft == 0   ? "Ethernet"
                             : ft == 2 ? "IP"
                                       : "Unknown",
                             ft)
                  : "");
    bits(r, F::ERSPAN_HW, o + 10, 2, w, 16, 0x03f0, "");
    if (r.want(F::ERSPAN_DIRECTION)) {
      Item& it = r.add(F::ERSPAN_DIRECTION, o + 10, 2, (w >> 3) & 1);
      if (r.tree())
        it.text =
            r.format("{} = Direction: {}", bit_pattern(r, w, 16, 0x0008), (w & 8) ? "Egress" : "Ingress");
    }
    static constexpr std::string_view kGra[] = {"100 microseconds", "100 nanoseconds", "IEEE 1588",
                                                "Custom granularity"};
    const unsigned gra = (w >> 1) & 3;
    bits(r, F::ERSPAN_GRA, o + 10, 2, w, 16, 0x0006, r.tree() ? r.format("{} ({})", kGra[gra], gra) : "");
    bits(r, F::ERSPAN_O, o + 10, 2, w, 16, 0x0001, "");
    if (hdr == 20) { // the platform-specific subheader, by its Platform ID
      const uint32_t p = wire::be32(&b[12]), q = wire::be32(&b[16]);
      bits(r, F::ERSPAN_PLATID, o + 12, 4, p, 32, 0xfc000000, "");
      struct Part {
        F f;
        int word;
        uint32_t mask;
      };
      std::span<const Part> parts;
      static constexpr Part k1[] = {{F::ERSPAN_PID1_RSVD1, 0, 0x03fff000},
                                    {F::ERSPAN_PID1_VSMID, 0, 0x00000fff},
                                    {F::ERSPAN_PID1_PORT_INDEX, 1, 0xffffffff}};
      static constexpr Part k3[] = {{F::ERSPAN_PID3_RSVD1, 0, 0x03ffc000},
                                    {F::ERSPAN_PID3_PORT_INDEX, 0, 0x00003fff},
                                    {F::ERSPAN_PID3_TIMESTAMP, 1, 0xffffffff}};
      static constexpr Part k4[] = {{F::ERSPAN_PID4_RSVD1, 0, 0x03ffc000},
                                    {F::ERSPAN_PID4_RSVD2, 0, 0x00003fff},
                                    {F::ERSPAN_PID4_RSVD3, 1, 0xffffffff}};
      static constexpr Part k5[] = {{F::ERSPAN_PID5_SWITCHID, 0, 0x03ff0000},
                                    {F::ERSPAN_PID5_PORT_INDEX, 0, 0x0000ffff},
                                    {F::ERSPAN_PID5_TIMESTAMP, 1, 0xffffffff}};
      static constexpr Part k7[] = {{F::ERSPAN_PID7_RSVD1, 0, 0x03f00000},
                                    {F::ERSPAN_PID7_SOURCE_INDEX, 0, 0x000fffff},
                                    {F::ERSPAN_PID7_TIMESTAMP, 1, 0xffffffff}};
      switch (p >> 26) {
      case 1:
        parts = k1;
        break;
      case 3:
        parts = k3;
        break;
      case 4:
        parts = k4;
        break;
      case 5:
      case 6:
        parts = k5;
        break;
      case 7:
        parts = k7;
        break;
      default:
        break;
      }
      for (const Part& x : parts) bits(r, x.f, o + 12 + 4 * x.word, 4, x.word ? q : p, 32, x.mask, "");
    }
  }
  close(r);
}

namespace {

std::string_view nflog_tlv_name(unsigned t) {
  static constexpr std::array<std::string_view, 18> kNames = {"NFULA_UNSPEC",
                                                              "NFULA_PACKET_HDR",
                                                              "NFULA_MARK",
                                                              "NFULA_TIMESTAMP",
                                                              "NFULA_IFINDEX_INDEV",
                                                              "NFULA_IFINDEX_OUTDEV",
                                                              "NFULA_IFINDEX_PHYSINDEV",
                                                              "NFULA_IFINDEX_PHYSOUTDEV",
                                                              "NFULA_HWADDR",
                                                              "NFULA_PAYLOAD",
                                                              "NFULA_PREFIX",
                                                              "NFULA_UID",
                                                              "NFULA_SEQ",
                                                              "NFULA_SEQ_GLOBAL",
                                                              "NFULA_GID",
                                                              "NFULA_HWTYPE",
                                                              "NFULA_HWHEADER",
                                                              "NFULA_HWLEN"};
  return t < kNames.size() ? kNames[t] : "Unknown";
}

std::string_view nflog_family_name(uint8_t f) {
  switch (f) {
  case 0:
    return "Unspecified";
  case 1:
    return "IPv4/IPv6";
  case 2:
    return "IPv4";
  case 3:
    return "ARP";
  case 5:
    return "Netdev";
  case 7:
    return "Bridge";
  case 10:
    return "IPv6";
  case 12:
    return "DECNET";
  default:
    return "Unknown";
  }
}

std::string_view nflog_hook_name(uint8_t h) {
  static constexpr std::string_view kNames[] = {"Pre-routing", "Local in",     "Forward",
                                                "Local out",   "Post-routing", "Number of hooks"};
  return h < 6 ? kNames[h] : "Unknown";
}

} // namespace

void describe_nflog(Ctx& c, const LayerSpan& l) {
  Record& r = c.rec;
  const wire::Bytes b = c.frame().data.subspan(l.offset); // the TLVs run to the payload's end
  const uint32_t o = l.offset;
  open(r, F::NFLOG, o, static_cast<uint32_t>(b.size()), "Linux Netfilter NFLOG");
  num(r, F::NFLOG_FAMILY, o, 1, b[0],
      r.tree() ? r.format("Family: {} ({})", nflog_family_name(b[0]), b[0]) : "");
  num(r, F::NFLOG_VERSION, o + 1, 1, b[1], r.tree() ? r.format("Version: {}", b[1]) : "");
  const uint16_t res = wire::be16(&b[2]);
  num(r, F::NFLOG_RES_ID, o + 2, 2, res, r.tree() ? r.format("Resource id: {}", res) : "");
  for (size_t at = 4; at + 4 <= b.size();) {
    const uint16_t len = wire::le16(&b[at]), tw = wire::le16(&b[at + 2]);
    const unsigned type = tw & 0x7fff;
    if (len < 4) break;
    const size_t shown = std::min<size_t>(len, b.size() - at);
    const uint32_t t0 = o + static_cast<uint32_t>(at);
    const wire::Bytes v = b.subspan(at + 4, shown - 4);
    if (r.tree()) {
      Item& it = r.push(F::NFLOG_TLV, t0, static_cast<uint32_t>(shown));
      it.str = raw(b.subspan(at, shown));
      it.text = r.format("TLV Type: {} ({}), Length: {}", nflog_tlv_name(type), type, len);
    } else if (r.want(F::NFLOG_TLV)) {
      r.add_str(F::NFLOG_TLV, t0, static_cast<uint32_t>(shown), raw(b.subspan(at, shown)));
    }
    num(r, F::NFLOG_TLV_LENGTH, t0, 2, len, r.tree() ? r.format("Length: {}", len) : "");
    if (r.want(F::NFLOG_TLV_TYPE)) {
      Item& it = r.add(F::NFLOG_TLV_TYPE, t0 + 2, 2, type);
      // The type is little-endian on the wire: the pattern is of its value.
      if (r.tree())
        it.text = r.format("{} = Type: {} ({})", bit_pattern(r, tw, 16, 0x7fff), nflog_tlv_name(type), type);
    }
    const uint32_t v0 = t0 + 4;
    switch (type) {
    case 1:
      if (v.size() >= 3) {
        const uint16_t hw = wire::be16(&v[0]);
        num(r, F::NFLOG_PROTOCOL, v0, 2, hw,
            r.tree() ? r.format("HW protocol: {} (0x{:04x})", ethertype_name(hw), hw) : "");
        num(r, F::NFLOG_HOOK, v0 + 2, 1, v[2],
            r.tree() ? r.format("Netfilter hook: {} ({})", nflog_hook_name(v[2]), v[2]) : "");
      }
      break;
    case 4:
    case 5:
    case 6:
    case 7:
      if (v.size() >= 4) {
        static constexpr F kIf[] = {F::NFLOG_IFINDEX_INDEV, F::NFLOG_IFINDEX_OUTDEV,
                                    F::NFLOG_IFINDEX_PHYSINDEV, F::NFLOG_IFINDEX_PHYSOUTDEV};
        const F f = kIf[type - 4];
        const uint32_t x = wire::be32(&v[0]);
        num(r, f, v0, 4, x, r.tree() ? r.format("{}: {}", field_info(f).name, x) : "");
      }
      break;
    case 10:
      if (r.want(F::NFLOG_PREFIX)) {
        const std::string_view s = cstr(v);
        Item& it = r.add_str(F::NFLOG_PREFIX, v0, static_cast<uint32_t>(v.size()), s);
        if (r.tree()) it.text = r.format("Prefix: {}", s);
      }
      break;
    case 11:
    case 14:
      if (v.size() >= 4) {
        const F f = type == 11 ? F::NFLOG_UID : F::NFLOG_GID;
        const int32_t x = static_cast<int32_t>(wire::be32(&v[0]));
        num(r, f, v0, 4, static_cast<uint64_t>(static_cast<int64_t>(x)),
            r.tree() ? r.format("{}: {}", field_info(f).name, x) : "");
      }
      break;
    case 3:
      if (v.size() >= 16 && r.want(F::NFLOG_TIMESTAMP)) {
        const uint64_t sec = (uint64_t{wire::be32(&v[0])} << 32) | wire::be32(&v[4]);
        const uint64_t usec = (uint64_t{wire::be32(&v[8])} << 32) | wire::be32(&v[12]);
        const int64_t ns = static_cast<int64_t>(std::min<uint64_t>(sec, kMaxTimestampSec)) * 1'000'000'000 +
                           static_cast<int64_t>(std::min<uint64_t>(usec, 999'999)) * 1000;
        Item& it = r.add(F::NFLOG_TIMESTAMP, v0, 16, static_cast<uint64_t>(ns));
        if (r.tree()) it.text = r.format("Timestamp: {}", utc_date_str(r, ns));
      }
      break;
    case 9:
      break; // the payload: its own layers
    default:
      if (r.want(F::NFLOG_TLV_VALUE)) {
        Item& it = r.add_str(F::NFLOG_TLV_VALUE, v0, static_cast<uint32_t>(v.size()), raw(v));
        if (r.tree()) it.text = r.format("Value: {}", hex_str(r, v));
      }
      break;
    }
    if (r.tree()) r.pop();
    if (type == 9) break;
    at += (size_t{len} + 3) & ~size_t{3};
  }
  close(r);
  if (r.columns_wanted()) r.cols().protocol = "NFLOG";
}

void describe_pktap(Ctx& c, const LayerSpan& l) {
  Record& r = c.rec;
  const wire::Bytes b = c.bytes(l);
  const uint32_t o = l.offset;
  open(r, F::PKTAP, o, l.length, "PKTAP packet header");
  auto u32 = [&](F f, uint32_t at, bool hex = false) {
    const uint32_t v = wire::le32(&b[at]);
    num(r, f, o + at, 4, v,
        r.tree() ? (hex ? r.format("{}: 0x{:08x}", field_info(f).name, v)
                        : r.format("{}: {}", field_info(f).name, v))
                 : "");
  };
  auto u16 = [&](F f, uint32_t at) {
    const uint16_t v = wire::le16(&b[at]);
    num(r, f, o + at, 2, v, r.tree() ? r.format("{}: {}", field_info(f).name, v) : "");
  };
  auto str = [&](F f, uint32_t at, uint32_t len) {
    if (!r.want(f)) return;
    const std::string_view s = cstr(b.subspan(at, len));
    Item& it = r.add_str(f, o + at, len, s);
    if (r.tree()) it.text = r.format("{}: {}", field_info(f).name, s);
  };
  u32(F::PKTAP_HDRLEN, 0);
  u32(F::PKTAP_RECTYPE, 4);
  u32(F::PKTAP_DLT, 8);
  str(F::PKTAP_IFNAME, 12, 24);
  u32(F::PKTAP_FLAGS, 36, true);
  u32(F::PKTAP_PFAMILY, 40);
  u32(F::PKTAP_LLHDRLEN, 44);
  u32(F::PKTAP_LLTRLRLEN, 48);
  u32(F::PKTAP_PID, 52);
  str(F::PKTAP_CMDNAME, 56, 20);
  u32(F::PKTAP_SVC_CLASS, 76);
  u16(F::PKTAP_IFTYPE, 80);
  u16(F::PKTAP_IFUNIT, 82);
  u32(F::PKTAP_EPID, 84);
  str(F::PKTAP_ECMDNAME, 88, 20);
  close(r);
}

void describe_radiotap(Ctx& c, const LayerSpan& l) {
  Record& r = c.rec;
  const wire::Bytes b = c.bytes(l);
  const uint32_t o = l.offset;
  const uint16_t len = wire::le16(&b[2]);
  open(r, F::RADIOTAP, o, len, r.tree() ? r.format("Radiotap Header v{}, Length {}", b[0], len) : "");
  num(r, F::RADIOTAP_VERSION, o, 1, b[0], r.tree() ? r.format("Header revision: {}", b[0]) : "");
  num(r, F::RADIOTAP_PAD, o + 1, 1, b[1], r.tree() ? r.format("Header pad: {}", b[1]) : "");
  num(r, F::RADIOTAP_LENGTH, o + 2, 2, len, r.tree() ? r.format("Header length: {}", len) : "");
  // The present words, then (as the decoder found it) the Flags field.
  size_t at = 4;
  uint32_t w = wire::le32(&b[4]);
  const uint32_t first = w;
  while (true) {
    num(r, F::RADIOTAP_PRESENT_WORD, o + static_cast<uint32_t>(at), 4, w, "");
    if (r.want(F::RADIOTAP_PRESENT_WORD)) r.items().back().hidden = true;
    if (!(w & 0x80000000u) || at + 8 > len) break;
    at += 4;
    w = wire::le32(&b[at]);
  }
  at += 4;
  if (first & 2) {
    if (first & 1) at = ((at + 7) & ~size_t{7}) + 8;
    if (at < len) {
      const uint8_t fl = b[at];
      num(r, F::RADIOTAP_FLAGS, o + static_cast<uint32_t>(at), 1, fl,
          r.tree() ? r.format("Flags: 0x{:02x}", fl) : "");
      if (r.want(F::RADIOTAP_FLAGS_FCS))
        r.add(F::RADIOTAP_FLAGS_FCS, o + static_cast<uint32_t>(at), 1, (fl >> 4) & 1).hidden = true;
    }
  }
  close(r);
}

namespace {

std::string_view wlan_type_name(uint8_t type, uint8_t sub) {
  static constexpr std::string_view kMgmt[16] = {"Association Request",   "Association Response",
                                                 "Reassociation Request", "Reassociation Response",
                                                 "Probe Request",         "Probe Response",
                                                 "Measurement Pilot",     "Reserved",
                                                 "Beacon frame",          "ATIM",
                                                 "Disassociate",          "Authentication",
                                                 "Deauthentication",      "Action",
                                                 "Action No Ack",         "Aruba Management"};
  static constexpr std::string_view kCtl[16] = {"Reserved",
                                                "Reserved",
                                                "Trigger",
                                                "TWT Ack",
                                                "Beamforming Report Poll",
                                                "VHT/HE NDP Announcement",
                                                "Control Frame Extension",
                                                "Control Wrapper",
                                                "802.11 Block Ack Req",
                                                "802.11 Block Ack",
                                                "Power-Save poll",
                                                "Request-to-send",
                                                "Clear-to-send",
                                                "Acknowledgement",
                                                "CF-End (Control-frame)",
                                                "CF-End + CF-Ack (Control-frame)"};
  static constexpr std::string_view kData[16] = {"Data",
                                                 "Data + CF-Ack",
                                                 "Data + CF-Poll",
                                                 "Data + CF-Ack + CF-Poll",
                                                 "Null function (No data)",
                                                 "Acknowledgement (No data)",
                                                 "CF-poll (No data)",
                                                 "CF-ack/poll (No data)",
                                                 "QoS Data",
                                                 "QoS Data + CF-Acknowledgment",
                                                 "QoS Data + CF-Poll",
                                                 "QoS Data + CF-Ack + CF-Poll",
                                                 "QoS Null function (No data)",
                                                 "Reserved",
                                                 "QoS CF-Poll (No Data)",
                                                 "QoS CF-Ack + CF-Poll (No data)"};
  switch (type) {
  case 0:
    return kMgmt[sub & 15];
  case 1:
    return kCtl[sub & 15];
  case 2:
    return kData[sub & 15];
  default:
    return "Unrecognized (Reserved frame)";
  }
}

} // namespace

void describe_wlan(Ctx& c, const LayerSpan& l) {
  Record& r = c.rec;
  const wire::Bytes b = c.bytes(l);
  const uint32_t o = l.offset;
  const uint8_t type = (b[0] >> 2) & 3, sub = b[0] >> 4, fl = b[1];
  const uint16_t fc = wire::be16(&b[0]);
  const bool qos = type == 2 && (sub & 8);
  size_t hdr = 2;
  if (type == 2)
    hdr = 24 + ((fl & 3) == 3 ? 6 : 0) + (qos ? 2 + ((fl & 0x80) ? 4 : 0) : 0);
  else if (type == 0)
    hdr = 24;
  else if (type == 1)
    hdr = (sub == 0xc || sub == 0xd) ? 10 : 16;
  const bool fcs = l.aux == 1;
  const uint32_t total = static_cast<uint32_t>(b.size()) + (fcs ? 4u : 0u);
  char flag_text[9];
  for (int i = 0; i < 8; ++i) flag_text[i] = (fl & (0x80 >> i)) ? "opmPRMFT"[i] : '.';
  flag_text[8] = 0;
  const std::string_view tname = wlan_type_name(type, sub);
  open(r, F::WLAN, o, static_cast<uint32_t>(hdr),
       r.tree() ? r.format("IEEE 802.11 {}, Flags: {}", tname, std::string_view(flag_text, 8)) : "");
  const unsigned ts = (unsigned{type} << 4) | sub;
  num(r, F::WLAN_FC_TYPE_SUBTYPE, o, 1, ts,
      r.tree() ? r.format("Type/Subtype: {} (0x{:04x})", tname, ts) : "");
  if (r.tree()) {
    Item& it = r.push(F::WLAN_FC, o, 2);
    it.num = fc;
    it.text = r.format("Frame Control Field: 0x{:04x}", fc);
  } else if (r.want(F::WLAN_FC)) {
    r.add(F::WLAN_FC, o, 2, fc);
  }
  bits(r, F::WLAN_FC_VERSION, o, 1, b[0], 8, 0x03, "");
  bits(r, F::WLAN_FC_TYPE, o, 1, b[0], 8, 0x0c,
       r.tree() ? r.format("{} frame ({})",
                           type == 0   ? "Management"
                           : type == 1 ? "Control"
                           : type == 2 ? "Data"
                                       : "Extension",
                           type)
                : "");
  bits(r, F::WLAN_FC_SUBTYPE, o, 1, b[0], 8, 0xf0, "");
  if (r.tree()) {
    Item& it = r.push(F::WLAN_FLAGS, o + 1, 1);
    it.num = fl;
    it.text = r.format("Flags: 0x{:02x}", fl);
    static constexpr std::string_view kDs[] = {
        "Not leaving DS or network is operating in AD-HOC mode (To DS: 0 From DS: 0)",
        "Frame from STA to DS via an AP (To DS: 1 From DS: 0)",
        "Frame from DS to a STA via AP(To DS: 0 From DS: 1)",
        "WDS (AP to AP) or Mesh (MP to MP) Frame (To DS: 1 From DS: 1)"};
    r.add(F::WLAN_FC_DS, o + 1, 1, fl & 3).text =
        r.format("{} = DS status: {} (0x{:x})", bit_pattern(r, fl, 8, 0x03), kDs[fl & 3], fl & 3);
    struct Bit {
      uint8_t mask;
      std::string_view name, on, off;
    };
    static constexpr Bit kBits[] = {
        {0x04, "More Fragments", "More fragments follow", "This is the last fragment"},
        {0x08, "Retry", "Frame is being retransmitted", "Frame is not being retransmitted"},
        {0x10, "PWR MGT", "STA will go to sleep", "STA will stay up"},
        {0x20, "More Data", "Data is buffered for STA at AP", "No data buffered"},
        {0x40, "Protected flag", "Data is protected", "Data is not protected"},
        {0x80, "+HTC/Order flag", "Strictly ordered", "Not strictly ordered"}};
    for (const Bit& bt : kBits) {
      const std::string_view line =
          r.format("{} = {}: {}", bit_pattern(r, fl, 8, bt.mask), bt.name, (fl & bt.mask) ? bt.on : bt.off);
      if (bt.mask == 0x40)
        r.add(F::WLAN_FC_PROTECTED, o + 1, 1, (fl >> 6) & 1).text = line;
      else
        r.text(line, o + 1, 1);
    }
    r.pop();
  } else {
    if (r.want(F::WLAN_FLAGS)) r.add(F::WLAN_FLAGS, o + 1, 1, fl);
    if (r.want(F::WLAN_FC_DS)) r.add(F::WLAN_FC_DS, o + 1, 1, fl & 3);
    if (r.want(F::WLAN_FC_PROTECTED)) r.add(F::WLAN_FC_PROTECTED, o + 1, 1, (fl >> 6) & 1);
  }
  if (r.tree()) r.pop();
  if (b.size() >= 4) {
    const uint16_t dur = wire::le16(&b[2]);
    if (r.want(F::WLAN_DURATION)) {
      Item& it = r.add(F::WLAN_DURATION, o + 2, 2, dur & 0x7fff);
      if (r.tree())
        it.text = r.format("{} = Duration: {} microseconds", bit_pattern(r, dur, 16, 0x7fff), dur & 0x7fff);
    }
  }
  auto addr = [&](F f, size_t at, std::string_view name) {
    if (b.size() < at + 6) return;
    const uint32_t a = o + static_cast<uint32_t>(at);
    const std::string_view mac = raw(b.subspan(at, 6));
    if (r.want(f)) {
      Item& it = r.add_str(f, a, 6, mac);
      if (r.tree()) it.text = r.format("{}: {}", name, ether_tree_str(c, &b[at]));
    }
    if (r.want(F::WLAN_ADDR)) r.add_str(F::WLAN_ADDR, a, 6, mac).hidden = true;
  };
  const uint8_t ds = fl & 3;
  const uint8_t* src = nullptr;
  const uint8_t* dst = nullptr;
  if (type == 2 || type == 0) {
    // RA/TA, then DA/SA/BSSID by the DS bits (IEEE 802.11 table 9-26), as tshark lists them.
    addr(F::WLAN_RA, 4, "Receiver address");
    addr(F::WLAN_TA, 10, "Transmitter address");
    const size_t da = ds & 1 ? 16 : 4, sa = ds == 3 ? 24 : (ds & 2 ? 16 : 10);
    addr(F::WLAN_DA, da, "Destination address");
    addr(F::WLAN_SA, sa, "Source address");
    if (ds != 3) addr(F::WLAN_BSSID, ds == 1 ? 4 : ds == 2 ? 10 : 16, "BSS Id");
    if (ds == 1) addr(F::WLAN_STAA, 10, "STA address");
    if (ds == 2) addr(F::WLAN_STAA, 4, "STA address");
    if (b.size() >= 24) {
      const uint16_t sc = wire::le16(&b[22]);
      bits(r, F::WLAN_FRAG, o + 22, 2, sc, 16, 0x000f, "");
      bits(r, F::WLAN_SEQ, o + 22, 2, sc, 16, 0xfff0, "");
    }
    if (qos && b.size() >= hdr) {
      const size_t q = (ds == 3 ? 30 : 24);
      const uint16_t qc = wire::le16(&b[q]);
      num(r, F::WLAN_QOS, o + static_cast<uint32_t>(q), 2, qc,
          r.tree() ? r.format("Qos Control: 0x{:04x}", qc) : "");
      if (fl & 0x80) {
        const uint32_t h = wire::le32(&b[q + 2]);
        num(r, F::WLAN_HTC, o + static_cast<uint32_t>(q) + 2, 4, h,
            r.tree() ? r.format("HT Control (+HTC): 0x{:08x}", h) : "");
      }
    }
    if (b.size() >= 16) {
      src = &b[sa];
      dst = &b[da];
    }
  } else if (type == 1 && b.size() >= 10) {
    addr(F::WLAN_RA, 4, "Receiver address");
    if (b.size() >= 16 && hdr == 16) addr(F::WLAN_TA, 10, "Transmitter address");
  }
  if (fcs && c.frame().data.size() >= size_t{o} + total) {
    const uint32_t v = wire::le32(&c.frame().data[o + b.size()]);
    num(r, F::WLAN_FCS, o + static_cast<uint32_t>(b.size()), 4, v,
        r.tree() ? r.format("Frame check sequence: 0x{:08x} [unverified]", v) : "");
  }
  close(r);
  if (r.columns_wanted()) {
    r.cols().protocol = "802.11";
    if (src && dst) {
      r.cols().src = ether_resolved_str(c, src);
      r.cols().dst = ether_resolved_str(c, dst);
    }
    r.cols().info.clear();
    fmt::format_to(std::back_inserter(r.cols().info), "{}", tname);
  }
}

void describe_fddi(Ctx& c, const LayerSpan& l) {
  Record& r = c.rec;
  const wire::Bytes b = c.bytes(l);
  const uint32_t o = l.offset;
  const uint8_t fc = b[0];
  // LINKTYPE_FDDI addresses are bit-swapped within each byte, as tshark shows them corrected.
  auto swap = [](uint8_t x) {
    x = static_cast<uint8_t>((x & 0xf0) >> 4 | (x & 0x0f) << 4);
    x = static_cast<uint8_t>((x & 0xcc) >> 2 | (x & 0x33) << 2);
    return static_cast<uint8_t>((x & 0xaa) >> 1 | (x & 0x55) << 1);
  };
  std::array<uint8_t, 6> dst{}, src{};
  for (int i = 0; i < 6; ++i) {
    dst[static_cast<size_t>(i)] = swap(b[1 + static_cast<size_t>(i)]);
    src[static_cast<size_t>(i)] = swap(b[7 + static_cast<size_t>(i)]);
  }
  const uint8_t cls = fc & 0xf0;
  const std::string_view kind = (fc & 0x70) == 0x50 ? ((fc & 0x80) ? "Sync LLC frame" : "Async LLC frame")
                                : fc == 0x41 || fc == 0x4f ? "SMT frame"
                                                           : "Unknown frame type";
  const std::string_view clf = (fc & 0x70) == 0x50 ? ((fc & 0x80) ? "Sync LLC" : "Async LLC") : "Unknown";
  const std::string_view title =
      (fc & 0x70) == 0x50 ? r.format("{}, priority {}", kind, fc & 7) : std::string_view(kind);
  open(r, F::FDDI, o, 13, r.tree() ? r.format("Fiber Distributed Data Interface, {}", title) : "");
  if (r.tree()) {
    Item& it = r.push(F::FDDI_FC, o, 1);
    it.num = fc;
    it.text = r.format("Frame Control: 0x{:02x} ({})", fc, title);
    r.add(F::FDDI_FC_CLF, o, 1, cls).text =
        r.format("{} = Class/Length/Format: {} (0x{:x})", bit_pattern(r, fc, 8, 0xf0), clf, cls >> 4);
    r.add(F::FDDI_FC_PRIO, o, 1, fc & 7).text =
        r.format("{} = Priority: {}", bit_pattern(r, fc, 8, 0x07), fc & 7);
    r.pop();
  } else {
    if (r.want(F::FDDI_FC)) r.add(F::FDDI_FC, o, 1, fc);
    if (r.want(F::FDDI_FC_CLF)) r.add(F::FDDI_FC_CLF, o, 1, cls);
    if (r.want(F::FDDI_FC_PRIO)) r.add(F::FDDI_FC_PRIO, o, 1, fc & 7);
  }
  for (auto [f, a, at, name] :
       {std::tuple{F::FDDI_DST, &dst, 1u, "Destination"}, std::tuple{F::FDDI_SRC, &src, 7u, "Source"}}) {
    const std::string_view mac = r.save(raw(*a));
    if (r.want(f)) {
      Item& it = r.add_str(f, o + at, 6, mac);
      if (r.tree()) it.text = r.format("{}: {}", name, ether_tree_str(c, a->data()));
    }
    if (r.want(F::FDDI_ADDR)) r.add_str(F::FDDI_ADDR, o + at, 6, mac).hidden = true;
  }
  close(r);
  if (r.columns_wanted()) {
    r.cols().protocol = "FDDI";
    r.cols().src = ether_resolved_str(c, src.data());
    r.cols().dst = ether_resolved_str(c, dst.data());
  }
}

void describe_ayiya(Ctx& c, const LayerSpan& l) {
  Record& r = c.rec;
  const wire::Bytes b = c.bytes(l);
  const uint32_t o = l.offset;
  const uint32_t id = 1u << (b[0] >> 4), sig = (b[1] >> 4) * 4u;
  static constexpr std::string_view kIdType[] = {"None", "Integer", "ASCII string"};
  static constexpr std::string_view kHash[] = {"No hash", "MD5", "SHA1"};
  static constexpr std::string_view kAuth[] = {"No authentication", "Hash using a Shared Secret",
                                               "Hash using a public/private key method"};
  static constexpr std::string_view kOp[] = {
      "No Operation/Heartbeat", "Forward", "Echo Request",  "Echo Request and Forward",
      "Echo Response",          "MOTD",    "Query Request", "Query Response"};
  auto named = [&](F f, uint32_t at, uint8_t byte, uint8_t mask, std::span<const std::string_view> names) {
    if (!r.want(f)) return;
    const unsigned v = mask == 0xf0 ? byte >> 4 : byte & 15;
    Item& it = r.add(f, o + at, 1, v);
    if (r.tree())
      it.text = v < names.size()
                    ? r.format("{} = {}: {} (0x{:02x})", bit_pattern(r, byte, 8, mask), field_info(f).name,
                               names[v], v)
                    : r.format("{} = {}: 0x{:02x}", bit_pattern(r, byte, 8, mask), field_info(f).name, v);
  };
  open(r, F::AYIYA, o, 8 + id + sig, "AYIYA");
  named(F::AYIYA_IDLEN, 0, b[0], 0xf0, {});
  named(F::AYIYA_IDTYPE, 0, b[0], 0x0f, kIdType);
  named(F::AYIYA_SIGLEN, 1, b[1], 0xf0, {});
  named(F::AYIYA_HASHMETHOD, 1, b[1], 0x0f, kHash);
  named(F::AYIYA_AUTHMETHOD, 2, b[2], 0xf0, kAuth);
  named(F::AYIYA_OPCODE, 2, b[2], 0x0f, kOp);
  num(r, F::AYIYA_NEXTHEADER, o + 3, 1, b[3],
      r.tree() ? r.format("Next Header: {} (0x{:02x})", ip_proto_name(b[3]), b[3]) : "");
  if (r.want(F::AYIYA_EPOCH)) {
    const int64_t ns = int64_t{wire::be32(&b[4])} * 1'000'000'000;
    Item& it = r.add(F::AYIYA_EPOCH, o + 4, 4, static_cast<uint64_t>(ns));
    if (r.tree()) it.text = r.format("Epoch: {}", utc_date_str(r, ns));
  }
  if (r.want(F::AYIYA_IDENTITY)) {
    Item& it = r.add_str(F::AYIYA_IDENTITY, o + 8, id, raw(b.subspan(8, id)));
    if (r.tree()) it.text = r.format("Identity: {}", short_hex(r, b.subspan(8, id)));
  }
  if (sig && r.want(F::AYIYA_SIGNATURE)) {
    Item& it = r.add_str(F::AYIYA_SIGNATURE, o + 8 + id, sig, raw(b.subspan(8 + id, sig)));
    if (r.tree()) it.text = r.format("Signature: {}", short_hex(r, b.subspan(8 + id, sig)));
  }
  close(r);
  if (r.columns_wanted()) r.cols().protocol = "AYIYA";
}

} // namespace ps::proto
