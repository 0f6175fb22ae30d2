#include "describe/proto/context.h"
#include "wire/ethernet.h"

namespace ps::proto {

namespace {

void address(Ctx& c, F field, F lg, F ig, const uint8_t* mac, uint32_t off) {
  Record& r = c.rec;
  std::string_view raw{reinterpret_cast<const char*>(mac), 6};
  if (!r.tree()) {
    if (r.want(field)) r.add_str(field, off, 6, raw);
    if (r.want(F::ETH_ADDR)) r.add_str(F::ETH_ADDR, off, 6, raw);
    if (r.want(lg)) r.add(lg, off, 3, (mac[0] & 0x02) != 0);
    if (r.want(ig)) r.add(ig, off, 3, (mac[0] & 0x01) != 0);
    return;
  }
  std::string_view text = ether_str(r, mac);
  r.push(field, off, 6).str = raw;
  r.items().back().text = r.format("{}: {}", field_info(field).name, text);
  r.add_str(F::ETH_ADDR, off, 6, raw).text = r.format("Address: {}", text);
  bool local = mac[0] & 0x02, group = mac[0] & 0x01;
  r.add(lg, off, 3, local).text =
      r.format("{} = LG bit: {}", bit_pattern(r, uint64_t{mac[0]} << 16, 24, 0x020000),
               local ? "Locally administered address (this is NOT the factory default)"
                     : "Globally unique address (factory default)");
  r.add(ig, off, 3, group).text =
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
        r.format("Ethernet II, Src: {}, Dst: {}", ether_str(r, e.src()), ether_str(r, e.dst()));
  } else if (r.want(F::ETH)) {
    r.add(F::ETH, l.offset, 14);
  }
  address(c, F::ETH_DST, F::ETH_DST_LG, F::ETH_DST_IG, e.dst(), l.offset);
  address(c, F::ETH_SRC, F::ETH_SRC_LG, F::ETH_SRC_IG, e.src(), l.offset + 6);
  if (r.want(F::ETH_TYPE)) {
    uint16_t t = e.type_or_length();
    Item& it = r.add(F::ETH_TYPE, l.offset + 12, 2, t);
    if (r.tree()) it.text = r.format("Type: {} (0x{:04x})", ethertype_name(t), t);
  }
  emit_padding(c, l);
  if (r.tree()) r.pop();
  if (r.columns_wanted()) {
    r.cols().protocol = "Ethernet";
    r.cols().src = ether_str(r, e.src());
    r.cols().dst = ether_str(r, e.dst());
  }
}

} // namespace ps::proto
