#include "dissect/proto/context.h"
#include "wire/checksum.h"

namespace ps::proto {

namespace {
void common(Ctx& c, const LayerSpan& l, bool v6) {
  Record& r = c.rec;
  wire::Bytes b = c.bytes(l);
  const uint32_t o = l.offset;
  if (r.tree()) r.push(v6 ? F::ICMPV6 : F::ICMP, o, l.length).text = field_info(v6 ? F::ICMPV6 : F::ICMP).name;
  F type = v6 ? F::ICMPV6_TYPE : F::ICMP_TYPE, code = v6 ? F::ICMPV6_CODE : F::ICMP_CODE;
  if (r.want(type)) r.add(type, o, 1, b[0]);
  if (r.want(code)) r.add(code, o + 1, 1, b[1]);
  F ck = v6 ? F::ICMPV6_CHECKSUM : F::ICMP_CHECKSUM;
  F st = v6 ? F::ICMPV6_CHECKSUM_STATUS : F::ICMP_CHECKSUM_STATUS;
  F calc = v6 ? F::ICMPV6_CHECKSUM_CALCULATED : F::ICMP_CHECKSUM_CALCULATED;
  if (r.want(ck) || r.want(st) || r.want(calc)) {
    uint8_t status = 2;
    uint16_t computed = 0;
    if (c.opt.check_checksums && c.pkt.payload_missing == 0 && !c.pkt.ip_fragment && c.pkt.l4_layer > 0) {
      const LayerSpan& ipl = c.pkt.layers[static_cast<size_t>(c.pkt.l4_layer - 1)];
      const uint8_t* ip = c.frame().data.data() + ipl.offset;
      uint32_t pseudo = 0;
      if (v6 && ipl.kind == Layer::Ipv6)
        pseudo = wire::pseudo_header_v6(ip + 8, ip + 24, 58, static_cast<uint32_t>(b.size()));
      computed = wire::expected_checksum(pseudo, b, 2);
      status = computed == wire::be16(&b[2]) ? 1 : 0;
    }
    checksum_items(c, ck, st, calc, o + 2, wire::be16(&b[2]), computed, status, "Checksum Status");
  }
  if (r.tree()) r.pop();
  if (r.columns_wanted()) r.cols().protocol = v6 ? "ICMPv6" : "ICMP";
}
} // namespace

void describe_icmp(Ctx& c, const LayerSpan& l) { common(c, l, false); }
void describe_icmpv6(Ctx& c, const LayerSpan& l) { common(c, l, true); }

} // namespace ps::proto
