#include "wire/udp.h"
#include "describe/proto/context.h"
#include "wire/checksum.h"

namespace ps::proto {

void describe_udp(Ctx& c, const LayerSpan& l) {
  Record& r = c.rec;
  wire::Bytes b = c.bytes(l);
  wire::UdpView u(b);
  const uint32_t o = l.offset;
  if (r.tree()) {
    r.push(F::UDP, o, 8).text = r.format("User Datagram Protocol, Src Port: {}, Dst Port: {}",
                                         port_str(c, u.src_port(), false), port_str(c, u.dst_port(), false));
  } else if (r.want(F::UDP)) {
    r.add(F::UDP, o, 8);
  }
  if (r.want(F::UDP_SRCPORT)) {
    Item& it = r.add(F::UDP_SRCPORT, o, 2, u.src_port());
    if (r.tree()) it.text = r.format("Source Port: {}", port_str(c, u.src_port(), false));
  }
  if (r.want(F::UDP_DSTPORT)) {
    Item& it = r.add(F::UDP_DSTPORT, o + 2, 2, u.dst_port());
    if (r.tree()) it.text = r.format("Destination Port: {}", port_str(c, u.dst_port(), false));
  }
  if (r.want(F::UDP_PORT)) { // either direction, hidden as in tshark
    r.add(F::UDP_PORT, o, 2, u.src_port()).hidden = true;
    r.add(F::UDP_PORT, o + 2, 2, u.dst_port()).hidden = true;
  }
  if (r.want(F::UDP_LENGTH)) r.add(F::UDP_LENGTH, o + 4, 2, u.length());
  if (r.want(F::UDP_CHECKSUM) || r.want(F::UDP_CHECKSUM_STATUS) || r.want(F::UDP_CHECKSUM_CALCULATED)) {
    uint8_t status = 2;
    uint16_t computed = 0;
    // The IP header right before this UDP header (a tunnel's outer UDP is not the l4 layer).
    const LayerSpan* ipl = &l > &c.pkt.layers[0] ? &l - 1 : nullptr;
    bool whole = (&l != c.pkt.l4() || c.pkt.payload_missing == 0) && u.length() <= b.size();
    // A zero UDP checksum over IPv4 means "not computed".
    bool zero_v4 = u.checksum() == 0 && ipl && ipl->kind == Layer::Ipv4;
    if (c.opt.check_checksums && whole && !zero_v4 && ipl &&
        (ipl->kind == Layer::Ipv4 || ipl->kind == Layer::Ipv6)) {
      const uint8_t* ip = c.bytes(*ipl).data();
      wire::Bytes seg = b.first(u.length());
      uint32_t pseudo = ipl->kind == Layer::Ipv4 ? wire::pseudo_header_v4(ip + 12, ip + 16, 17, u.length())
                                                 : wire::pseudo_header_v6(ip + 8, ip + 24, 17, u.length());
      computed = wire::expected_checksum(pseudo, seg, 6);
      if (computed == 0) computed = 0xffff; // transmitted as all ones
      status = computed == u.checksum() ? 1 : 0;
    }
    if (zero_v4) status = 3; // tshark: "[zero-value ignored]", "Not present"
    checksum_items(c, F::UDP_CHECKSUM, F::UDP_CHECKSUM_STATUS, F::UDP_CHECKSUM_CALCULATED, o + 6,
                   u.checksum(), computed, status, "Checksum Status");
  }
  const bool own = &l == c.pkt.l4(); // else a UDP tunnel's header, tracked as its own flow
  const UdpMeta& m = own ? c.meta.udp : c.meta.outer_udp;
  if (m.valid && r.want(F::UDP_STREAM)) {
    Item& it = r.add(F::UDP_STREAM, o, 0, m.stream);
    it.generated = true;
  }
  if (m.valid && r.tree()) {
    Item& ts = r.push(F::TEXT, 0, 0);
    ts.generated = true;
    ts.text = "Timestamps";
    for (auto [f, ns, label] :
         {std::tuple{F::UDP_TIME_RELATIVE, m.time_relative_ns, "Time since first frame"},
          std::tuple{F::UDP_TIME_DELTA, m.time_delta_ns, "Time since previous frame"}}) {
      Item& it = r.add(f, 0, 0, static_cast<uint64_t>(ns));
      it.generated = true;
      it.text = r.format("{}: {}.{:09} seconds", label, ns / 1'000'000'000, ns % 1'000'000'000);
    }
    r.pop();
  }
  if (&l == c.pkt.l4() && c.pkt.payload_len && r.want(F::UDP_PAYLOAD)) {
    Item& it = r.add_str(F::UDP_PAYLOAD, c.pkt.payload_offset, c.pkt.payload_len,
                         {reinterpret_cast<const char*>(c.pkt.payload().data()), c.pkt.payload_len});
    if (r.tree()) it.text = r.format("UDP payload ({} bytes)", c.pkt.payload_len);
  }
  if (!own && r.want(F::UDP_PAYLOAD) && b.size() > 8) { // a tunnel's UDP: what it carries
    wire::Bytes p = b.subspan(8, std::min<size_t>(b.size(), u.length()) - 8);
    Item& it = r.add_str(F::UDP_PAYLOAD, o + 8, static_cast<uint32_t>(p.size()),
                         {reinterpret_cast<const char*>(p.data()), p.size()});
    if (r.tree()) it.text = r.format("UDP payload ({} bytes)", p.size());
  }
  if (r.tree()) r.pop();
  if (r.columns_wanted()) {
    r.cols().protocol = "UDP";
    r.cols().info.clear();
    fmt::format_to(std::back_inserter(r.cols().info), "{} \xe2\x86\x92 {} Len={}",
                   c.opt.resolve_ports ? port_str(c, u.src_port(), false) : r.format("{}", u.src_port()),
                   c.opt.resolve_ports ? port_str(c, u.dst_port(), false) : r.format("{}", u.dst_port()),
                   u.length() >= 8 ? u.length() - 8 : 0);
  }
}

void describe_data(Ctx& c, const LayerSpan& l) {
  Record& r = c.rec;
  std::string_view raw{reinterpret_cast<const char*>(c.bytes(l).data()), l.length};
  if (r.tree()) {
    r.push(F::DATA, l.offset, l.length).text = r.format("Data ({} bytes)", l.length);
    r.add_str(F::DATA_DATA, l.offset, l.length, raw).text = r.format("Data: {}", short_hex(r, c.bytes(l)));
    Item& len = r.add(F::DATA_LEN, l.offset, 0, l.length);
    len.generated = true;
    len.text = r.format("Length: {}", l.length);
    r.pop();
  } else {
    if (r.want(F::DATA)) r.add(F::DATA, l.offset, l.length);
    if (r.want(F::DATA_DATA)) r.add_str(F::DATA_DATA, l.offset, l.length, raw);
    if (r.want(F::DATA_LEN)) r.add(F::DATA_LEN, l.offset, 0, l.length);
  }
  if (r.columns_wanted() && (r.cols().protocol == "Ethernet" || r.cols().protocol.empty()))
    r.cols().protocol = "Data";
}

} // namespace ps::proto
