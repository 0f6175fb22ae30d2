#include "dissect/proto/context.h"

namespace ps::proto {

void describe_ipv6(Ctx& c, const LayerSpan& l) {
  Record& r = c.rec;
  wire::Bytes b = c.bytes(l);
  const uint32_t o = l.offset;
  std::string_view src = (r.tree() || r.columns_wanted()) ? ipv6_str(r, &b[8]) : std::string_view{};
  std::string_view dst = (r.tree() || r.columns_wanted()) ? ipv6_str(r, &b[24]) : std::string_view{};
  if (r.tree())
    r.push(F::IPV6, o, 40).text = r.format("Internet Protocol Version 6, Src: {}, Dst: {}", src, dst);
  uint32_t first = wire::be32(&b[0]);
  if (r.want(F::IPV6_VERSION)) r.add(F::IPV6_VERSION, o, 1, first >> 28);
  if (r.want(F::IPV6_TRAFFIC_CLASS)) r.add(F::IPV6_TRAFFIC_CLASS, o, 2, (first >> 20) & 0xff);
  if (r.want(F::IPV6_FLOW)) r.add(F::IPV6_FLOW, o + 1, 3, first & 0xfffff);
  if (r.want(F::IPV6_PLEN)) r.add(F::IPV6_PLEN, o + 4, 2, wire::be16(&b[4]));
  if (r.want(F::IPV6_NXT)) {
    Item& it = r.add(F::IPV6_NXT, o + 6, 1, b[6]);
    if (r.tree()) it.text = r.format("Next Header: {} ({})", ip_proto_name(b[6]), b[6]);
  }
  if (r.want(F::IPV6_HLIM)) r.add(F::IPV6_HLIM, o + 7, 1, b[7]);
  for (auto [f, off] : {std::pair{F::IPV6_SRC, 8u}, std::pair{F::IPV6_DST, 24u}}) {
    std::string_view raw{reinterpret_cast<const char*>(&b[off]), 16};
    if (r.want(f)) {
      Item& it = r.add_str(f, o + off, 16, raw);
      if (r.tree()) it.text = r.format("{}: {}", field_info(f).name, off == 8 ? src : dst);
    }
    if (!r.tree() && r.want(F::IPV6_ADDR)) r.add_str(F::IPV6_ADDR, o + off, 16, raw);
  }
  if (r.tree()) r.pop();
  if (r.columns_wanted()) {
    r.cols().protocol = "IPv6";
    r.cols().src = src;
    r.cols().dst = dst;
  }
}

} // namespace ps::proto
