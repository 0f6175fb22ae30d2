#include "dissect/proto/context.h"

namespace ps::proto {

void describe_arp(Ctx& c, const LayerSpan& l) {
  Record& r = c.rec;
  wire::Bytes b = c.bytes(l);
  const uint32_t o = l.offset;
  uint16_t op = wire::be16(&b[6]);
  uint8_t hl = b[4], pl = b[5];
  bool ether_ipv4 = hl == 6 && pl == 4;
  if (r.tree())
    r.push(F::ARP, o, l.length).text =
        r.format("Address Resolution Protocol ({})", op == 1 ? "request" : op == 2 ? "reply" : "unknown");
  if (r.want(F::ARP_HW_TYPE)) r.add(F::ARP_HW_TYPE, o, 2, wire::be16(&b[0]));
  if (r.want(F::ARP_PROTO_TYPE)) r.add(F::ARP_PROTO_TYPE, o + 2, 2, wire::be16(&b[2]));
  if (r.want(F::ARP_HW_SIZE)) r.add(F::ARP_HW_SIZE, o + 4, 1, hl);
  if (r.want(F::ARP_PROTO_SIZE)) r.add(F::ARP_PROTO_SIZE, o + 5, 1, pl);
  if (r.want(F::ARP_OPCODE)) r.add(F::ARP_OPCODE, o + 6, 2, op);
  if (ether_ipv4) {
    auto mac = [&](F f, uint32_t off) {
      if (r.want(f)) r.add_str(f, o + off, 6, {reinterpret_cast<const char*>(&b[off]), 6});
    };
    auto ip = [&](F f, uint32_t off) {
      if (r.want(f)) r.add(f, o + off, 4, wire::be32(&b[off]));
    };
    mac(F::ARP_SRC_HW_MAC, 8);
    ip(F::ARP_SRC_PROTO_IPV4, 14);
    mac(F::ARP_DST_HW_MAC, 18);
    ip(F::ARP_DST_PROTO_IPV4, 24);
  }
  if (r.tree()) r.pop();
  if (r.columns_wanted()) {
    r.cols().protocol = "ARP";
    auto out = std::back_inserter(r.cols().info);
    r.cols().info.clear();
    if (ether_ipv4 && op == 1)
      fmt::format_to(out, "Who has {}? Tell {}", ipv4_str(r, &b[24]), ipv4_str(r, &b[14]));
    else if (ether_ipv4 && op == 2)
      fmt::format_to(out, "{} is at {}", ipv4_str(r, &b[14]), ether_str(r, &b[8]));
    else
      fmt::format_to(out, "Unknown ARP opcode 0x{:04x}", op);
  }
}

} // namespace ps::proto
