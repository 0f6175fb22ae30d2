#include "dissect/proto/context.h"
#include "wire/ethernet.h"

namespace ps::proto {

void describe_eth8023(Ctx& c, const LayerSpan& l) {
  Record& r = c.rec;
  wire::EthernetView e(c.bytes(l));
  if (r.tree())
    r.push(F::ETH_8023, l.offset, 14).text =
        r.format("IEEE 802.3 Ethernet, Src: {}, Dst: {}", ether_str(r, e.src()), ether_str(r, e.dst()));
  auto mac = [&](F f, const uint8_t* m, uint32_t off, std::string_view name) {
    if (!r.want(f)) return;
    Item& it = r.add_str(f, off, 6, {reinterpret_cast<const char*>(m), 6});
    if (r.tree()) it.text = r.format("{}: {}", name, ether_str(r, m));
  };
  mac(F::ETH_DST, e.dst(), l.offset, "Destination");
  mac(F::ETH_SRC, e.src(), l.offset + 6, "Source");
  if (r.want(F::ETH_LEN)) r.add(F::ETH_LEN, l.offset + 12, 2, e.type_or_length());
  if (r.tree()) r.pop();
  if (r.columns_wanted()) {
    r.cols().protocol = "LLC";
    r.cols().src = ether_str(r, e.src());
    r.cols().dst = ether_str(r, e.dst());
  }
}

void describe_vlan(Ctx& c, const LayerSpan& l) {
  Record& r = c.rec;
  wire::Bytes b = c.bytes(l);
  uint16_t tci = wire::be16(&b[0]), type = wire::be16(&b[2]);
  if (r.tree())
    r.push(F::VLAN, l.offset, 4).text = r.format("802.1Q Virtual LAN, PRI: {}, DEI: {}, ID: {}", tci >> 13,
                                                 (tci >> 12) & 1, tci & 0xfff);
  if (r.want(F::VLAN_PRIORITY)) r.add(F::VLAN_PRIORITY, l.offset, 2, tci >> 13);
  if (r.want(F::VLAN_DEI)) r.add(F::VLAN_DEI, l.offset, 2, (tci >> 12) & 1);
  if (r.want(F::VLAN_ID)) r.add(F::VLAN_ID, l.offset, 2, tci & 0xfff);
  if (r.want(type <= 1500 ? F::VLAN_LEN : F::VLAN_ETYPE))
    r.add(type <= 1500 ? F::VLAN_LEN : F::VLAN_ETYPE, l.offset + 2, 2, type);
  if (r.tree()) r.pop();
}

void describe_sll(Ctx& c, const LayerSpan& l) {
  Record& r = c.rec;
  wire::Bytes b = c.bytes(l);
  if (r.tree()) r.push(F::SLL, l.offset, 16).text = "Linux cooked capture v1";
  if (r.want(F::SLL_PKTTYPE)) r.add(F::SLL_PKTTYPE, l.offset, 2, wire::be16(&b[0]));
  if (r.want(F::SLL_HATYPE)) r.add(F::SLL_HATYPE, l.offset + 2, 2, wire::be16(&b[2]));
  if (r.want(F::SLL_HALEN)) r.add(F::SLL_HALEN, l.offset + 4, 2, wire::be16(&b[4]));
  if (wire::be16(&b[4]) == 6 && r.want(F::SLL_SRC_ETH))
    r.add_str(F::SLL_SRC_ETH, l.offset + 6, 6, {reinterpret_cast<const char*>(&b[6]), 6});
  if (r.want(F::SLL_ETYPE)) r.add(F::SLL_ETYPE, l.offset + 14, 2, wire::be16(&b[14]));
  if (r.tree()) r.pop();
}

void describe_sll2(Ctx& c, const LayerSpan& l) {
  Record& r = c.rec;
  wire::Bytes b = c.bytes(l);
  if (r.tree()) r.push(F::SLL, l.offset, 20).text = "Linux cooked capture v2";
  if (r.want(F::SLL_ETYPE)) r.add(F::SLL_ETYPE, l.offset, 2, wire::be16(&b[0]));
  if (r.want(F::SLL_IFINDEX)) r.add(F::SLL_IFINDEX, l.offset + 4, 4, wire::be32(&b[4]));
  if (r.want(F::SLL_HATYPE)) r.add(F::SLL_HATYPE, l.offset + 8, 2, wire::be16(&b[8]));
  if (r.want(F::SLL_PKTTYPE)) r.add(F::SLL_PKTTYPE, l.offset + 10, 1, b[10]);
  if (r.want(F::SLL_HALEN)) r.add(F::SLL_HALEN, l.offset + 11, 1, b[11]);
  if (b[11] == 6 && r.want(F::SLL_SRC_ETH))
    r.add_str(F::SLL_SRC_ETH, l.offset + 12, 6, {reinterpret_cast<const char*>(&b[12]), 6});
  if (r.tree()) r.pop();
}

void describe_null(Ctx& c, const LayerSpan& l) {
  Record& r = c.rec;
  wire::Bytes b = c.bytes(l);
  uint32_t fam = c.frame().link_type == kLinkLoop ? wire::be32(b.data()) : wire::le32(b.data());
  if (fam > 0xffff) fam = wire::be32(b.data());
  if (r.tree()) r.push(F::NULL_PROTO, l.offset, 4).text = "Null/Loopback";
  if (r.want(F::NULL_FAMILY)) r.add(F::NULL_FAMILY, l.offset, 4, fam);
  if (r.tree()) r.pop();
}

} // namespace ps::proto
