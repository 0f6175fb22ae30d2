#include "describe/proto/ipv6_ext.h"
#include "wire/ethernet.h"
#include "wire/sll.h"
#include "wire/vlan.h"

namespace ps::proto {

namespace {

std::string_view raw(const uint8_t* p, size_t n) {
  return {reinterpret_cast<const char*>(p), n};
}

void mac_tree(Ctx& c, F field, const uint8_t* mac, uint32_t off, std::string_view name) {
  Record& r = c.rec;
  if (!r.tree()) {
    if (r.want(field)) r.add_str(field, off, 6, raw(mac, 6));
    if (r.want(F::ETH_ADDR)) r.add_str(F::ETH_ADDR, off, 6, raw(mac, 6));
    return;
  }
  std::string_view text = ether_tree_str(c, mac);
  r.push(field, off, 6).str = raw(mac, 6);
  r.items().back().text = r.format("{}: {}", name, text);
  r.add_str(F::ETH_ADDR, off, 6, raw(mac, 6)).text = r.format("Address: {}", text);
  bool local = mac[0] & 0x02, group = mac[0] & 0x01;
  r.add(field == F::ETH_DST ? F::ETH_DST_LG : F::ETH_SRC_LG, off, 3, local).text =
      r.format("{} = LG bit: {}", bit_pattern(r, uint64_t{mac[0]} << 16, 24, 0x020000),
               local ? "Locally administered address (this is NOT the factory default)"
                     : "Globally unique address (factory default)");
  r.add(field == F::ETH_DST ? F::ETH_DST_IG : F::ETH_SRC_IG, off, 3, group).text =
      r.format("{} = IG bit: {}", bit_pattern(r, uint64_t{mac[0]} << 16, 24, 0x010000),
               group ? "Group address (multicast/broadcast)" : "Individual address (unicast)");
  r.pop();
}

std::string_view sap_name(uint8_t sap) {
  switch (sap & 0xfe) {
  case 0x00:
    return "NULL LSAP";
  case 0x06:
    return "TCP/IP";
  case 0x42:
    return "Spanning Tree BPDU";
  case 0xaa:
    return "SNAP";
  case 0xe0:
    return "NetWare";
  case 0xf0:
    return "NetBIOS";
  case 0xfe:
    return "ISO Network Layer";
  default:
    return "Unknown";
  }
}

// SNAP: OUI, then an EtherType (OUI 00:00:00, llc.type) or the organization's protocol id.
void snap_fields(Ctx& c, wire::Bytes p, uint32_t o) {
  Record& r = c.rec;
  const uint32_t oui = (uint32_t{p[3]} << 16) | (uint32_t{p[4]} << 8) | p[5];
  const uint16_t pid = wire::be16(&p[6]);
  if (r.want(F::LLC_OUI)) {
    Item& it = r.add(F::LLC_OUI, o + 3, 3, oui);
    if (r.tree()) {
      // tshark's OUI names, as its manuf file spells them (cut where it cuts them).
      const std::string_view name = oui == 0 ? "Officially Xerox, but" : oui == 0x00000c ? "Cisco" : "";
      // tshark cuts the parenthesized name at the manuf file's comma, without the closing parenthesis.
      it.text = name.empty() ? r.format("Organization Code: {:02x}:{:02x}:{:02x}", p[3], p[4], p[5])
                : oui == 0   ? r.format("Organization Code: {:02x}:{:02x}:{:02x} ({}", p[3], p[4], p[5], name)
                           : r.format("Organization Code: {:02x}:{:02x}:{:02x} ({})", p[3], p[4], p[5], name);
    }
  }
  const F f = oui == 0 ? F::LLC_TYPE : F::LLC_PID;
  if (r.want(f)) {
    Item& it = r.add(f, o + 6, 2, pid);
    if (r.tree())
      it.text = oui == 0 ? r.format("Type: {} (0x{:04x})", ethertype_name(pid), pid)
                         : r.format("PID: 0x{:04x}", pid);
  }
}

void llc_fields(Ctx& c, wire::Bytes p, uint32_t o) {
  Record& r = c.rec;
  if (p.size() < 3) return;
  uint8_t dsap = p[0], ssap = p[1], ctl = p[2];
  bool u = (ctl & 3) == 3;
  const bool snap = dsap == 0xaa && ssap == 0xaa && u && p.size() >= 8;
  if (!r.tree()) {
    if (r.want(F::LLC)) r.add(F::LLC, o, snap ? 8 : u ? 3 : 4);
    if (snap) snap_fields(c, p, o);
    if (r.want(F::LLC_DSAP)) r.add(F::LLC_DSAP, o, 1, dsap);
    if (r.want(F::LLC_SSAP)) r.add(F::LLC_SSAP, o + 1, 1, ssap);
    if (r.want(F::LLC_CONTROL)) r.add(F::LLC_CONTROL, o + 2, 1, ctl);
    return;
  }
  r.push(F::LLC, o, snap ? 8 : u ? 3 : 4).text = "Logical-Link Control";
  r.push(F::LLC_DSAP, o, 1).num = dsap;
  r.items().back().text = r.format("DSAP: {} (0x{:02x})", sap_name(dsap), dsap);
  r.add(F::LLC_DSAP_SAP, o, 1, dsap & 0xfe).text =
      r.format("{} = SAP: {}", bit_pattern(r, dsap, 8, 0xfe), sap_name(dsap));
  r.add(F::LLC_DSAP_IG, o, 1, dsap & 1).text =
      r.format("{} = IG Bit: {}", bit_pattern(r, dsap, 8, 0x01), (dsap & 1) ? "Group" : "Individual");
  r.pop();
  r.push(F::LLC_SSAP, o + 1, 1).num = ssap;
  r.items().back().text = r.format("SSAP: {} (0x{:02x})", sap_name(ssap), ssap);
  r.add(F::LLC_SSAP_SAP, o + 1, 1, ssap & 0xfe).text =
      r.format("{} = SAP: {}", bit_pattern(r, ssap, 8, 0xfe), sap_name(ssap));
  r.add(F::LLC_SSAP_CR, o + 1, 1, ssap & 1).text =
      r.format("{} = CR Bit: {}", bit_pattern(r, ssap, 8, 0x01), (ssap & 1) ? "Response" : "Command");
  r.pop();
  if (u && ctl == 0x03) {
    r.push(F::LLC_CONTROL, o + 2, 1).num = ctl;
    r.items().back().text = "Control field: U, func=UI (0x03)";
    r.add(F::LLC_CONTROL_U_MODIFIER_CMD, o + 2, 1, 0).text =
        r.format("{} = Command: Unnumbered Information (0x00)", bit_pattern(r, ctl, 8, 0xec));
    r.add(F::LLC_CONTROL_FTYPE, o + 2, 1, 3).text =
        r.format("{} = Frame type: Unnumbered frame (0x3)", bit_pattern(r, ctl, 8, 0x03));
    r.pop();
  } else {
    r.add(F::LLC_CONTROL, o + 2, u ? 1 : 2, ctl).text = r.format("Control field: 0x{:02x}", ctl);
  }
  if (snap) snap_fields(c, p, o);
  r.pop();
}

std::string_view pcp_name(uint8_t p) {
  static constexpr std::string_view kNames[] = {"Best Effort (default)",
                                                "Background",
                                                "Excellent Effort",
                                                "Critical Applications",
                                                "Video, < 100ms latency and jitter",
                                                "Voice, < 10ms latency and jitter",
                                                "Internetwork Control",
                                                "Network Control"};
  return kNames[p & 7];
}

std::string_view pkttype_name(uint16_t t) {
  switch (t) {
  case 0:
    return "Unicast to us";
  case 1:
    return "Broadcast";
  case 2:
    return "Multicast";
  case 3:
    return "Unicast to another host";
  case 4:
    return "Sent by us";
  default:
    return "Unknown";
  }
}

std::string_view hatype_name(uint16_t t) {
  switch (t) {
  case 1:
    return "Ethernet";
  case 772:
    return "Loopback";
  case 776:
    return "IPv6-in-IPv4";
  case 778:
    return "GRE over IP";
  case 65534:
    return "None";
  default:
    return "Unknown";
  }
}

bool is_qinq(const Ctx& c, const LayerSpan& l) {
  return l.offset >= 2 && wire::be16(&c.frame().data[l.offset - 2]) == wire::ethertype::kQinQ;
}

// The cooked-header fields both versions share, in the order each version prints them.
void sll_addr(Ctx& c, uint16_t halen, const uint8_t* a, uint32_t off) {
  Record& r = c.rec;
  if (halen == 6) {
    if (r.want(F::SLL_SRC_ETH))
      r.add_str(F::SLL_SRC_ETH, off, 6, raw(a, 6)).text =
          r.tree() ? r.format("Source: {}", ether_tree_str(c, a)) : "";
    if (r.tree())
      r.add_str(F::SLL_UNUSED, off + 6, 2, raw(a + 6, 2)).text =
          r.format("Unused: {}", hex_str(r, {a + 6, 2}));
  } else if (halen > 0 && halen <= 8) {
    if (r.want(F::SLL_SRC_OTHER))
      r.add_str(F::SLL_SRC_OTHER, off, halen, raw(a, halen)).text =
          r.tree() ? r.format("Source: {}", hex_str(r, {a, halen})) : "";
  }
}

} // namespace

void describe_eth8023(Ctx& c, const LayerSpan& l) {
  Record& r = c.rec;
  wire::Bytes b = c.bytes(l);
  wire::EthernetView e(b);
  uint16_t len = e.type_or_length();
  if (r.tree())
    r.push(F::ETH_8023, l.offset, 14).text = "IEEE 802.3 Ethernet ";
  else if (r.want(F::ETH_8023))
    r.add(F::ETH_8023, l.offset, 14);
  mac_tree(c, F::ETH_DST, e.dst(), l.offset, "Destination");
  mac_tree(c, F::ETH_SRC, e.src(), l.offset + 6, "Source");
  if (r.want(F::ETH_LEN))
    r.add(F::ETH_LEN, l.offset + 12, 2, len).text = r.tree() ? r.format("Length: {}", len) : "";
  if (b.size() > 14u + len && r.want(F::ETH_PADDING)) {
    wire::Bytes pad = b.subspan(14 + len);
    r.add_str(F::ETH_PADDING, l.offset + 14 + len, static_cast<uint32_t>(pad.size()),
              raw(pad.data(), pad.size()))
        .text = r.tree() ? r.format("Padding: {}", hex_str(r, pad)) : "";
  }
  if (r.tree()) r.pop();
  llc_fields(c, e.payload().first(std::min<size_t>(e.payload().size(), len)), l.offset + 14);
  if (r.columns_wanted()) {
    r.cols().protocol = "LLC";
    r.cols().src = ether_resolved_str(c, e.src());
    r.cols().dst = ether_resolved_str(c, e.dst());
    r.cols().info.clear();
    if (b.size() >= 17 && b[16] == 0x03) {
      r.cols().info.clear();
      fmt::format_to(std::back_inserter(r.cols().info),
                     "U, func=UI; DSAP 0x{:02x} Individual, SSAP 0x{:02x} Command", b[14] & 0xfe,
                     b[15] & 0xfe);
    }
  }
}

void describe_vlan(Ctx& c, const LayerSpan& l) {
  Record& r = c.rec;
  wire::Bytes b = c.bytes(l);
  wire::VlanView v(b);
  const uint32_t o = l.offset;
  bool ad = is_qinq(c, l);
  uint16_t tci = v.tci(), type = v.type_or_length();
  F pri = ad ? F::IEEE8021AD_PRIORITY : F::VLAN_PRIORITY, dei = ad ? F::IEEE8021AD_DEI : F::VLAN_DEI,
    id = ad ? F::IEEE8021AD_ID : F::VLAN_ID;
  if (r.tree()) {
    r.push(ad ? F::IEEE8021AD : F::VLAN, o, 4).text =
        ad ? r.format("IEEE 802.1ad, ID: {}", v.id())
           : r.format("802.1Q Virtual LAN, PRI: {}, DEI: {}, ID: {}", v.priority(), v.dei() ? 1 : 0, v.id());
    r.add(pri, o, 2, v.priority()).text =
        ad ? r.format("{} = Priority: {}", bit_pattern(r, tci, 16, 0xe000), v.priority())
           : r.format("{} = Priority: {} ({})", bit_pattern(r, tci, 16, 0xe000), pcp_name(v.priority()),
                      v.priority());
    r.add(dei, o, 2, v.dei()).text =
        ad ? r.format("{} = DEI: {}", bit_pattern(r, tci, 16, 0x1000), v.dei() ? 1 : 0)
           : r.format("{} = DEI: {}", bit_pattern(r, tci, 16, 0x1000), v.dei() ? "Eligible" : "Ineligible");
    r.add(id, o, 2, v.id()).text = r.format("{} = ID: {}", bit_pattern(r, tci, 16, 0x0fff), v.id());
    if (v.is_length())
      r.add(F::VLAN_LEN, o + 2, 2, type).text = r.format("Length: {}", type);
    else
      r.add(ad ? F::IEEE8021AD_ETYPE : F::VLAN_ETYPE, o + 2, 2, type).text =
          r.format("Type: {} (0x{:04x})", ethertype_name(type), type);
  } else {
    if (r.want(pri)) r.add(pri, o, 2, v.priority());
    if (r.want(dei)) r.add(dei, o, 2, v.dei());
    if (r.want(id)) r.add(id, o, 2, v.id());
    F tf = v.is_length() ? F::VLAN_LEN : ad ? F::IEEE8021AD_ETYPE : F::VLAN_ETYPE;
    if (r.want(tf)) r.add(tf, o + 2, 2, type);
  }
  // Bytes after the carried packet (Ethernet minimum-size padding) belong to the tag's trailer.
  if ((r.tree() || r.want(F::VLAN_PADDING)) && !ad) {
    size_t used = 4;
    for (uint8_t i = 0; i < c.pkt.layer_count; ++i) {
      const LayerSpan& n = c.pkt.layers[i];
      if (n.offset == o + 4) used = 4 + n.length;
    }
    if (used < b.size() && (type == 0x0806)) {
      wire::Bytes pad = b.subspan(used);
      r.add_str(F::VLAN_PADDING, o + static_cast<uint32_t>(used), static_cast<uint32_t>(pad.size()),
                raw(pad.data(), pad.size()))
          .text = r.tree() ? r.format("Padding: {}", hex_str(r, pad)) : "";
    }
  }
  if (r.tree()) r.pop();
}

void describe_sll(Ctx& c, const LayerSpan& l) {
  Record& r = c.rec;
  wire::SllView s(c.bytes(l));
  const uint32_t o = l.offset;
  if (r.tree())
    r.push(F::SLL, o, 16).text = "Linux cooked capture v1";
  else if (r.want(F::SLL))
    r.add(F::SLL, o, 16);
  if (r.want(F::SLL_PKTTYPE))
    r.add(F::SLL_PKTTYPE, o, 2, s.pkttype()).text =
        r.tree() ? r.format("Packet type: {} ({})", pkttype_name(s.pkttype()), s.pkttype()) : "";
  if (r.want(F::SLL_HATYPE))
    r.add(F::SLL_HATYPE, o + 2, 2, s.hatype()).text =
        r.tree() ? r.format("Link-layer address type: {} ({})", hatype_name(s.hatype()), s.hatype()) : "";
  if (r.want(F::SLL_HALEN))
    r.add(F::SLL_HALEN, o + 4, 2, s.halen()).text =
        r.tree() ? r.format("Link-layer address length: {}", s.halen()) : "";
  sll_addr(c, s.halen(), s.addr(), o + 6);
  if (r.want(F::SLL_ETYPE))
    r.add(F::SLL_ETYPE, o + 14, 2, s.protocol()).text =
        r.tree() ? r.format("Protocol: {} (0x{:04x})", ethertype_name(s.protocol()), s.protocol()) : "";
  if (r.tree()) r.pop();
  if (r.columns_wanted() && s.halen() == 6) {
    r.cols().protocol = "SLL";
    r.cols().src = ether_resolved_str(c, s.addr());
    r.cols().dst = "";
  }
}

void describe_sll2(Ctx& c, const LayerSpan& l) {
  Record& r = c.rec;
  wire::Sll2View s(c.bytes(l));
  const uint32_t o = l.offset;
  if (r.tree())
    r.push(F::SLL, o, 20).text = "Linux cooked capture v2";
  else if (r.want(F::SLL))
    r.add(F::SLL, o, 20);
  if (r.want(F::SLL_ETYPE))
    r.add(F::SLL_ETYPE, o, 2, s.protocol()).text =
        r.tree() ? r.format("Protocol: {} (0x{:04x})", ethertype_name(s.protocol()), s.protocol()) : "";
  if (r.want(F::SLL_IFINDEX))
    r.add(F::SLL_IFINDEX, o + 4, 4, s.ifindex()).text =
        r.tree() ? r.format("Interface index: {}", s.ifindex()) : "";
  if (r.want(F::SLL_HATYPE))
    r.add(F::SLL_HATYPE, o + 8, 2, s.hatype()).text =
        r.tree() ? r.format("Link-layer address type: {} ({})", hatype_name(s.hatype()), s.hatype()) : "";
  if (r.want(F::SLL_PKTTYPE))
    r.add(F::SLL_PKTTYPE, o + 10, 1, s.pkttype()).text =
        r.tree() ? r.format("Packet type: {} ({})", pkttype_name(s.pkttype()), s.pkttype()) : "";
  if (r.want(F::SLL_HALEN))
    r.add(F::SLL_HALEN, o + 11, 1, s.halen()).text =
        r.tree() ? r.format("Link-layer address length: {}", s.halen()) : "";
  sll_addr(c, s.halen(), s.addr(), o + 12);
  if (r.tree()) r.pop();
  if (r.columns_wanted() && s.halen() == 6) {
    r.cols().protocol = "SLL";
    r.cols().src = ether_resolved_str(c, s.addr());
    r.cols().dst = "";
  }
}

void describe_null(Ctx& c, const LayerSpan& l) {
  Record& r = c.rec;
  wire::Bytes b = c.bytes(l);
  uint32_t fam = c.frame().link_type == kLinkLoop ? wire::be32(b.data()) : wire::le32(b.data());
  if (fam > 0xffff) fam = wire::be32(b.data());
  if (r.tree())
    r.push(F::NULL_PROTO, l.offset, 4).text = "Null/Loopback";
  else if (r.want(F::NULL_PROTO))
    r.add(F::NULL_PROTO, l.offset, 4);
  if (r.want(F::NULL_FAMILY)) {
    std::string_view name = fam == 2 ? "IP" : (fam == 24 || fam == 28 || fam == 30) ? "IPv6" : "Unknown";
    r.add(F::NULL_FAMILY, l.offset, 4, fam).text = r.tree() ? r.format("Family: {} ({})", name, fam) : "";
  }
  if (r.tree()) r.pop();
}

void describe_llc(Ctx& c, wire::Bytes p, uint32_t off) {
  llc_fields(c, p, off);
  if (c.rec.columns_wanted()) c.rec.cols().protocol = "LLC";
}

std::string_view layer_protocol_name(const Decoded& pkt, const LayerSpan& l, std::string_view plain) {
  if (l.kind == Layer::Pppoe) return l.aux == 1 ? "pppoed" : "pppoes";
  if (l.kind == Layer::Vlan && l.offset >= 2 &&
      wire::be16(&pkt.frame->data[l.offset - 2]) == wire::ethertype::kQinQ)
    return "ieee8021ad:ethertype";
  return plain;
}

std::string_view link_protocol_prefix(const Decoded& pkt) {
  uint32_t lt = pkt.frame->link_type;
  return lt == kLinkRaw || lt == 12 || lt == 14 ? "raw" : "";
}

} // namespace ps::proto
