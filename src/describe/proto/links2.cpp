// Link layers of their own link types: Linux ARCNET, IP over InfiniBand, Solaris ipnet (the decoder,
// dissect/decode.cpp, checked each header's length).
#include <bit>

#include "describe/proto/context.h"
#include "wire/bytes.h"

namespace ps::proto {

namespace {

void open_layer(Record& r, F f, uint32_t off, uint32_t len, std::string_view text) {
  if (r.tree())
    r.push(f, off, len).text = text;
  else if (r.want(f))
    r.add(f, off, len);
}

void number(Record& r, F f, uint32_t off, uint32_t len, uint64_t v, std::string_view text) {
  if (!r.want(f)) return;
  Item& it = r.add(f, off, len, v);
  if (r.tree()) it.text = text;
}

// tshark's arcnet.protID value strings (tshark -G values).
std::string_view arcnet_protocol_name(uint8_t id) {
  switch (id) {
  case 0xf0:
    return "RFC 1051 IP";
  case 0xf1:
    return "RFC 1051 ARP";
  case 0xd4:
    return "RFC 1201 IP";
  case 0xd5:
    return "RFC 1201 ARP";
  case 0xd6:
    return "RFC 1201 RARP";
  case 0xfa:
    return "IPX";
  case 0xec:
    return "Novell of some sort";
  case 0xc4:
    return "IPv6";
  case 0xe8:
    return "Encapsulated Ethernet";
  case 0x00:
    return "Datapoint boot";
  case 0x01:
    return "Datapoint mount";
  case 0x08:
    return "PowerLAN beacon";
  case 0xf3:
    return "PowerLAN beacon2";
  case 0xdd:
    return "Appletalk";
  case 0xf7:
    return "Banyan VINES";
  case 0x80:
    return "Diagnose";
  case 0xcd:
    return "BACnet";
  default:
    return "Unknown";
  }
}

void ipv6_field(Record& r, F f, uint32_t off, const uint8_t* a) {
  if (!r.want(f)) return;
  Item& it = r.add_str(f, off, 16, {reinterpret_cast<const char*>(a), 16});
  if (r.tree()) it.text = r.format("{}: {}", field_info(f).name, ipv6_str(r, a));
}

} // namespace

void describe_arcnet(Ctx& c, const LayerSpan& l) {
  Record& r = c.rec;
  const wire::Bytes b = c.bytes(l);
  const uint32_t o = l.offset;
  const bool split = l.aux == 1;
  open_layer(r, F::ARCNET, o, split ? (b[5] == 0xff ? 12 : 8) : 5, "ARCNET");
  number(r, F::ARCNET_SRC, o, 1, b[0], r.tree() ? r.format("Source: 0x{:02x}", b[0]) : "");
  number(r, F::ARCNET_DST, o + 1, 1, b[1], r.tree() ? r.format("Dest: 0x{:02x}", b[1]) : "");
  if (r.want(F::ARCNET_OFFSET)) {
    Item& it = r.add_str(F::ARCNET_OFFSET, o + 2, 2, {reinterpret_cast<const char*>(&b[2]), 2});
    if (r.tree()) it.text = r.format("Offset: {:02x}{:02x}", b[2], b[3]);
  }
  auto prot = [&](uint32_t at) {
    number(r, F::ARCNET_PROTID, o + at, 1, b[at],
           r.tree() ? r.format("Protocol ID: {} (0x{:02x})", arcnet_protocol_name(b[at]), b[at]) : "");
  };
  prot(4);
  if (split) {
    uint32_t at = 5;
    if (b[5] == 0xff) { // exception packet: flag, padding, then the real protocol id
      number(r, F::ARCNET_EXCEPTION_FLAG, o + 5, 1, b[5],
             r.tree() ? r.format("Exception Flag: 0x{:02x}", b[5]) : "");
      const uint16_t pad = wire::be16(&b[6]);
      number(r, F::ARCNET_PADDING, o + 6, 2, pad, r.tree() ? r.format("Padding: 0x{:04x}", pad) : "");
      prot(8);
      at = 9;
    }
    number(r, F::ARCNET_SPLIT_FLAG, o + at, 1, b[at], r.tree() ? r.format("Split Flag: {}", b[at]) : "");
    const uint16_t seq = wire::be16(&b[at + 1]);
    number(r, F::ARCNET_SEQUENCE, o + at + 1, 2, seq, r.tree() ? r.format("Sequence: {}", seq) : "");
  }
  if (r.tree()) r.pop();
  if (r.columns_wanted()) {
    r.cols().protocol = "ARCNET";
    r.cols().src = r.format("0x{:02x}", b[0]);
    r.cols().dst = r.format("0x{:02x}", b[1]);
  }
}

void describe_ipoib(Ctx& c, const LayerSpan& l) {
  Record& r = c.rec;
  const wire::Bytes b = c.bytes(l);
  const uint32_t o = l.offset;
  open_layer(r, F::IPOIB, o, 44, "IP over Infiniband");
  if (wire::be16(&b[0]) == 0) { // no global route header (unicast): only the destination address
    if (r.tree())
      r.push(F::IPOIB_DADDR, o + 20, 20).text = "Destination address";
    else if (r.want(F::IPOIB_DADDR))
      r.add(F::IPOIB_DADDR, o + 20, 20);
    const uint32_t qpn = (uint32_t{b[21]} << 16) | (uint32_t{b[22]} << 8) | b[23];
    number(r, F::IPOIB_DADDR_QPN, o + 21, 3, qpn, r.tree() ? r.format("Destination QPN: 0x{:06x}", qpn) : "");
    ipv6_field(r, F::IPOIB_DGID, o + 24, &b[24]);
    if (r.tree()) r.pop();
  } else {
    if (r.tree())
      r.push(F::IPOIB_GRH, o, 40).text = "Global Route Header";
    else if (r.want(F::IPOIB_GRH))
      r.add(F::IPOIB_GRH, o, 40);
    const uint32_t w = wire::be32(&b[0]);
    if (r.want(F::IPOIB_GRH_IPVER)) {
      Item& it = r.add(F::IPOIB_GRH_IPVER, o, 1, b[0] >> 4);
      if (r.tree()) it.text = r.format("{} = IP Version: {}", bit_pattern(r, b[0], 8, 0xf0), b[0] >> 4);
    }
    if (r.want(F::IPOIB_GRH_TCLASS)) {
      const uint16_t v = (wire::be16(&b[0]) & 0x0ff0) >> 4;
      Item& it = r.add(F::IPOIB_GRH_TCLASS, o, 2, v);
      if (r.tree())
        it.text = r.format("{} = Traffic Class: {}", bit_pattern(r, wire::be16(&b[0]), 16, 0x0ff0), v);
    }
    if (r.want(F::IPOIB_GRH_FLOWLABEL)) {
      Item& it = r.add(F::IPOIB_GRH_FLOWLABEL, o, 4, w & 0xfffff);
      if (r.tree()) it.text = r.format("{} = Flow Label: {}", bit_pattern(r, w, 32, 0xfffff), w & 0xfffff);
    }
    const uint32_t sqpn = (uint32_t{b[5]} << 16) | (uint32_t{b[6]} << 8) | b[7];
    number(r, F::IPOIB_GRH_SQPN, o + 5, 3, sqpn, r.tree() ? r.format("Source QPN: 0x{:06x}", sqpn) : "");
    ipv6_field(r, F::IPOIB_GRH_SGID, o + 8, &b[8]);
    ipv6_field(r, F::IPOIB_DGID, o + 24, &b[24]);
    if (r.tree()) r.pop();
  }
  const uint16_t type = wire::be16(&b[40]);
  number(r, F::IPOIB_TYPE, o + 40, 2, type,
         r.tree() ? r.format("Type: {} (0x{:04x})", ethertype_name(type), type) : "");
  const uint16_t res = wire::be16(&b[42]);
  number(r, F::IPOIB_RESERVED, o + 42, 2, res, r.tree() ? r.format("Reserved: 0x{:04x}", res) : "");
  if (r.tree()) r.pop();
  if (r.columns_wanted()) r.cols().protocol = "IPoIB"; // the layer above writes its own Info
}

void describe_ipnet(Ctx& c, const LayerSpan& l) {
  Record& r = c.rec;
  const wire::Bytes b = c.bytes(l);
  const uint32_t o = l.offset;
  open_layer(r, F::IPNET, o, 24, "Solaris IPNET");
  number(r, F::IPNET_VERSION, o, 1, b[0], r.tree() ? r.format("Header version: {}", b[0]) : "");
  const std::string_view family = b[1] == 2 ? "Solaris AF_INET" : b[1] == 26 ? "Solaris AF_INET6" : "Unknown";
  number(r, F::IPNET_FAMILY, o + 1, 1, b[1],
         r.tree() ? r.format("Address family: {} ({})", family, b[1]) : "");
  const uint16_t hook = wire::be16(&b[2]);
  const std::string_view hook_name = hook == 0   ? "Inbound"
                                     : hook == 1 ? "Outbound"
                                     : hook == 2 ? "Local"
                                                 : "Unknown";
  number(r, F::IPNET_HTYPE, o + 2, 2, hook, r.tree() ? r.format("Hook type: {} ({})", hook_name, hook) : "");
  struct U32 {
    F f;
    uint32_t at;
  };
  for (const U32& u : {U32{F::IPNET_PKTLEN, 4}, U32{F::IPNET_IFINDEX, 8}, U32{F::IPNET_GRIFINDEX, 12},
                       U32{F::IPNET_ZSRC, 16}, U32{F::IPNET_ZDST, 20}}) {
    const uint32_t v = wire::be32(&b[u.at]);
    number(r, u.f, o + u.at, 4, v, r.tree() ? r.format("{}: {}", field_info(u.f).name, v) : "");
  }
  if (r.tree()) r.pop();
  if (r.columns_wanted()) r.cols().protocol = "IPNET";
}

} // namespace ps::proto

namespace ps::proto {

namespace {

void flag(Record& r, F f, uint32_t off, uint8_t octet, unsigned width, uint8_t mask, std::string_view yes,
          std::string_view no) {
  if (!r.want(f)) return;
  const bool set = octet & mask;
  Item& it = r.add(f, off, 1, set);
  if (r.tree())
    it.text = r.format("{} = {}: {}", bit_pattern(r, octet, width, mask), field_info(f).name, set ? yes : no);
}

void dlci_part(Record& r, F f, uint32_t off, uint8_t octet, uint8_t mask, unsigned shift) {
  if (!r.want(f)) return;
  const uint8_t v = static_cast<uint8_t>((octet & mask) >> shift);
  Item& it = r.add(f, off, 1, v);
  // BASE_HEX of a masked field: as many hex digits as its bits need (6 bits "0x00", 4 bits "0xe").
  const int digits = (std::popcount(mask) + 3) / 4;
  if (r.tree())
    it.text = r.format("{} = {}: 0x{:0{}x}", bit_pattern(r, octet, 8, mask), field_info(f).name, v, digits);
}

// An address octet's subtree: "Second address octet: 0xe1, EA" (the flags set, for the second octet).
void push_octet(Record& r, F f, uint32_t off, uint8_t octet, std::string_view label, bool flags) {
  if (!r.want(f) && !r.tree()) return;
  Item& it = r.tree() ? r.push(f, off, 1) : r.add(f, off, 1);
  it.num = octet;
  if (!r.tree()) return;
  fmt::memory_buffer t;
  fmt::format_to(std::back_inserter(t), "{}: 0x{:02x}", label, octet);
  if (flags) {
    for (auto [mask, name] :
         {std::pair{0x08, "FECN"}, std::pair{0x04, "BECN"}, std::pair{0x02, "DE"}, std::pair{0x01, "EA"}})
      if (octet & mask) fmt::format_to(std::back_inserter(t), ", {}", name);
  }
  it.text = r.save({t.data(), t.size()});
}

void pop_octet(Record& r) {
  if (r.tree()) r.pop();
}

} // namespace

void describe_frame_relay(Ctx& c, const LayerSpan& l) {
  Record& r = c.rec;
  const wire::Bytes b = c.bytes(l);
  const uint32_t o = l.offset;
  const unsigned n = l.aux & 0x0f; // address octets
  const bool cisco = l.aux & 0x10;
  if (r.tree())
    r.push(F::FR, o, n + (cisco ? 2 : 0)).text = "Frame Relay";
  else if (r.want(F::FR))
    r.add(F::FR, o, n);
  push_octet(r, F::FR_FIRST_ADDR_OCTET, o, b[0], "First address octet", false);
  dlci_part(r, F::FR_UPPER_DLCI, o, b[0], 0xfc, 2);
  flag(r, F::FR_CR, o, b[0], 8, 0x02, "Command", "Response");
  flag(r, F::FR_EA, o, b[0], 8, 0x01, "Last Octet", "More Follows");
  pop_octet(r);
  push_octet(r, F::FR_SECOND_ADDR_OCTET, o + 1, b[1], "Second address octet", true);
  dlci_part(r, F::FR_SECOND_DLCI, o + 1, b[1], 0xf0, 4);
  flag(r, F::FR_FECN, o + 1, b[1], 8, 0x08, "True", "False");
  flag(r, F::FR_BECN, o + 1, b[1], 8, 0x04, "True", "False");
  flag(r, F::FR_DE, o + 1, b[1], 8, 0x02, "True", "False");
  flag(r, F::FR_EA, o + 1, b[1], 8, 0x01, "Last Octet", "More Follows");
  pop_octet(r);
  uint32_t dlci = (uint32_t{b[0]} >> 2 << 4) | (b[1] >> 4);
  if (n == 4) {
    push_octet(r, F::FR_THIRD_ADDR_OCTET, o + 2, b[2], "Third address octet", false);
    dlci_part(r, F::FR_THIRD_DLCI, o + 2, b[2], 0xfe, 1);
    flag(r, F::FR_EA, o + 2, b[2], 8, 0x01, "Last Octet", "More Follows");
    pop_octet(r);
    dlci = (dlci << 7) | (b[2] >> 1);
  }
  if (n >= 3) {
    const uint32_t at = n - 1;
    const uint8_t last = b[at];
    push_octet(r, F::FR_THIRD_ADDR_OCTET, o + at, last, "Final address octet", false);
    dlci_part(r, F::FR_LOWER_DLCI, o + at, last, 0xfc, 2);
    flag(r, F::FR_DC, o + at, last, 16, 0x02, "DLCI Address", "Control");
    flag(r, F::FR_EA, o + at, last, 8, 0x01, "Last Octet", "More Follows");
    pop_octet(r);
    dlci = (dlci << 6) | (last >> 2);
  }
  if (r.want(F::FR_DLCI)) {
    Item& it = r.add(F::FR_DLCI, o, n, dlci);
    if (r.tree()) it.text = r.format("DLCI: {}", dlci);
  }
  if (cisco && r.want(F::FR_CHDLCTYPE)) {
    const uint16_t type = wire::be16(&b[n]);
    Item& it = r.add(F::FR_CHDLCTYPE, o + n, 2, type);
    if (r.tree()) it.text = r.format("Type: {} (0x{:04x})", chdlc_protocol_name(type), type);
  }
  if (r.tree()) r.pop();
  if (r.columns_wanted()) r.cols().protocol = "FR";
}

} // namespace ps::proto
