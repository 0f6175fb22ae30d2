#include "describe/proto/context.h"
#include "services/mac_names.h"
#include "wire/ethernet.h"

namespace ps::proto {

namespace {

struct AddressFields {
  F addr, resolved, oui, oui_resolved, lg, ig;
};
constexpr AddressFields kDst{F::ETH_DST,    F::ETH_DST_RESOLVED, F::ETH_DST_OUI, F::ETH_DST_OUI_RESOLVED,
                             F::ETH_DST_LG, F::ETH_DST_IG};
constexpr AddressFields kSrc{F::ETH_SRC,    F::ETH_SRC_RESOLVED, F::ETH_SRC_OUI, F::ETH_SRC_OUI_RESOLVED,
                             F::ETH_SRC_LG, F::ETH_SRC_IG};

// The hidden name fields under an address (tshark's eth.dst_resolved, eth.dst.oui, eth.dst.oui_resolved).
void names(Ctx& c, F resolved, F oui_field, F oui_resolved, const uint8_t* mac, uint32_t off) {
  Record& r = c.rec;
  if (r.want(resolved)) r.add_str(resolved, off, 6, ether_resolved_str(c, mac)).hidden = true;
  const uint32_t oui = (uint32_t{mac[0]} << 16) | (uint32_t{mac[1]} << 8) | mac[2];
  if (r.want(oui_field)) r.add(oui_field, off, 3, oui).hidden = true;
  if (r.want(oui_resolved)) {
    const std::string_view org = oui_organization(oui);
    if (!org.empty()) r.add_str(oui_resolved, off, 3, org).hidden = true;
  }
}

void address(Ctx& c, const AddressFields& f, const uint8_t* mac, uint32_t off) {
  Record& r = c.rec;
  std::string_view raw{reinterpret_cast<const char*>(mac), 6};
  if (!r.tree()) {
    if (r.want(f.addr)) r.add_str(f.addr, off, 6, raw);
    names(c, f.resolved, f.oui, f.oui_resolved, mac, off);
    if (r.want(F::ETH_ADDR)) r.add_str(F::ETH_ADDR, off, 6, raw);
    names(c, F::ETH_ADDR_RESOLVED, F::ETH_ADDR_OUI, F::ETH_ADDR_OUI_RESOLVED, mac, off);
    if (r.want(f.lg)) r.add(f.lg, off, 3, (mac[0] & 0x02) != 0);
    if (r.want(f.ig)) r.add(f.ig, off, 3, (mac[0] & 0x01) != 0);
    return;
  }
  std::string_view text = ether_tree_str(c, mac);
  r.push(f.addr, off, 6).str = raw;
  r.items().back().text = r.format("{}: {}", field_info(f.addr).name, text);
  names(c, f.resolved, f.oui, f.oui_resolved, mac, off);
  r.add_str(F::ETH_ADDR, off, 6, raw).text = r.format("Address: {}", text);
  names(c, F::ETH_ADDR_RESOLVED, F::ETH_ADDR_OUI, F::ETH_ADDR_OUI_RESOLVED, mac, off);
  bool local = mac[0] & 0x02, group = mac[0] & 0x01;
  r.add(f.lg, off, 3, local).text =
      r.format("{} = LG bit: {}", bit_pattern(r, uint64_t{mac[0]} << 16, 24, 0x020000),
               local ? "Locally administered address (this is NOT the factory default)"
                     : "Globally unique address (factory default)");
  r.add(f.ig, off, 3, group).text =
      r.format("{} = IG bit: {}", bit_pattern(r, uint64_t{mac[0]} << 16, 24, 0x010000),
               group ? "Group address (multicast/broadcast)" : "Individual address (unicast)");
  r.pop();
}

} // namespace

void emit_padding(Ctx& c, const LayerSpan& link) {
  Record& r = c.rec;
  // The layer right after `link` (Ethernet or a VLAN tag) owns its frame's padding when its own length
  // ends before the frame does (minimum-size frames).
  for (uint8_t i = 0; i < c.pkt.layer_count; ++i) {
    const LayerSpan& n = c.pkt.layers[i];
    if (n.offset <= link.offset) continue;
    if (n.kind != Layer::Ipv4 && n.kind != Layer::Ipv6 && n.kind != Layer::Arp) return;
    // The link layer's own extent: the frame, or the inner frame of an encapsulation.
    const uint32_t end = n.offset + n.length, size = link.offset + link.length;
    if (end >= size || !r.want(F::ETH_PADDING)) return;
    wire::Bytes src = c.pkt.source(link);
    Item& pad = r.add_str(F::ETH_PADDING, end, size - end,
                          {reinterpret_cast<const char*>(src.data() + end), size - end});
    if (r.tree()) pad.text = r.format("Padding: {}", hex_str(r, src.subspan(end, size - end)));
    return;
  }
}

void describe_eth(Ctx& c, const LayerSpan& l) {
  Record& r = c.rec;
  wire::EthernetView e(c.bytes(l));
  if (r.tree()) {
    r.push(F::ETH, l.offset, 14).text =
        r.format("Ethernet II, Src: {}, Dst: {}", ether_tree_str(c, e.src()), ether_tree_str(c, e.dst()));
  } else if (r.want(F::ETH)) {
    r.add(F::ETH, l.offset, 14);
  }
  address(c, kDst, e.dst(), l.offset);
  address(c, kSrc, e.src(), l.offset + 6);
  if (r.want(F::ETH_TYPE)) {
    uint16_t t = e.type_or_length();
    Item& it = r.add(F::ETH_TYPE, l.offset + 12, 2, t);
    if (r.tree()) it.text = r.format("Type: {} (0x{:04x})", ethertype_name(t), t);
  }
  emit_padding(c, l);
  if (r.tree()) r.pop();
  if (r.columns_wanted()) {
    r.cols().protocol = "Ethernet";
    r.cols().src = ether_resolved_str(c, e.src());
    r.cols().dst = ether_resolved_str(c, e.dst());
  }
}

} // namespace ps::proto
