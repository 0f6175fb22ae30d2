#include "wire/arp.h"
#include "describe/proto/context.h"

namespace ps::proto {

namespace {

std::string_view opcode_name(uint16_t op) {
  switch (op) {
  case 1:
    return "request";
  case 2:
    return "reply";
  case 3:
    return "request-reverse";
  case 4:
    return "reply-reverse";
  case 8:
    return "Inverse ARP request";
  case 9:
    return "Inverse ARP reply";
  default:
    return "Unknown";
  }
}

std::string_view hw_name(uint16_t t) {
  switch (t) {
  case 1:
    return "Ethernet";
  case 6:
    return "IEEE 802 Networks";
  case 7:
    return "ARCNET";
  case 32:
    return "InfiniBand";
  default:
    return "Unknown";
  }
}

} // namespace

void describe_arp(Ctx& c, const LayerSpan& l) {
  Record& r = c.rec;
  wire::Bytes b = c.bytes(l);
  wire::ArpView a(b);
  const uint32_t o = l.offset;
  uint16_t op = a.opcode();
  if (l.aux == 1) { // the fixed header only: the addresses run past the frame (decoder: malformed)
    if (r.tree())
      r.push(F::ARP, o, l.length).text = "Address Resolution Protocol";
    else if (r.want(F::ARP))
      r.add(F::ARP, o, l.length);
    auto fixed = [&](F f, uint32_t off, uint32_t len, uint64_t v, std::string_view text) {
      if (!r.want(f)) return;
      Item& it = r.add(f, o + off, len, v);
      if (r.tree()) it.text = text;
    };
    const bool tree = r.tree();
    fixed(F::ARP_HW_TYPE, 0, 2, a.hw_type(),
          tree ? r.format("Hardware type: {} ({})", hw_name(a.hw_type()), a.hw_type()) : "");
    fixed(F::ARP_PROTO_TYPE, 2, 2, a.proto_type(),
          tree ? r.format("Protocol type: {} (0x{:04x})", a.proto_type() == 0x0800 ? "IPv4" : "Unknown",
                          a.proto_type())
               : "");
    fixed(F::ARP_HW_SIZE, 4, 1, a.hw_size(), tree ? r.format("Hardware size: {}", a.hw_size()) : "");
    fixed(F::ARP_PROTO_SIZE, 5, 1, a.proto_size(), tree ? r.format("Protocol size: {}", a.proto_size()) : "");
    fixed(F::ARP_OPCODE, 6, 2, op, tree ? r.format("Opcode: {} ({})", opcode_name(op), op) : "");
    if (tree) r.pop();
    if (r.columns_wanted()) {
      r.cols().protocol = "ARP";
      r.cols().info.clear();
    }
    return;
  }
  // IPv4 addresses over any hardware address size (Ethernet, ARCNET's 1 byte, InfiniBand's 20).
  const bool eip = a.proto_type() == 0x0800 && a.proto_size() == 4 && b.size() >= a.tpa_off() + 4;
  const uint8_t* spa = eip ? &b[a.spa_off()] : nullptr;
  const uint8_t* tpa = eip ? &b[a.tpa_off()] : nullptr;
  bool announce = eip && op == 1 && std::equal(spa, spa + 4, tpa);
  if (r.tree()) {
    // An opcode without a name: tshark's "(opcode 0x7501)".
    std::string_view what = announce                       ? "ARP Announcement"
                            : opcode_name(op) != "Unknown" ? opcode_name(op)
                                                           : r.format("opcode 0x{:04x}", op);
    r.push(F::ARP, o, l.length).text = r.format("Address Resolution Protocol ({})", what);
  } else if (r.want(F::ARP)) {
    r.add(F::ARP, o, l.length);
  }
  auto add = [&](F f, size_t off, size_t len, uint64_t v) -> Item* {
    return r.want(f) ? &r.add(f, o + static_cast<uint32_t>(off), static_cast<uint32_t>(len), v) : nullptr;
  };
  if (Item* it = add(F::ARP_HW_TYPE, 0, 2, a.hw_type()); it && r.tree())
    it->text = r.format("Hardware type: {} ({})", hw_name(a.hw_type()), a.hw_type());
  if (Item* it = add(F::ARP_PROTO_TYPE, 2, 2, a.proto_type()); it && r.tree())
    it->text = r.format("Protocol type: {} (0x{:04x})", a.proto_type() == 0x0800 ? "IPv4" : "Unknown",
                        a.proto_type());
  add(F::ARP_HW_SIZE, 4, 1, a.hw_size());
  add(F::ARP_PROTO_SIZE, 5, 1, a.proto_size());
  if (Item* it = add(F::ARP_OPCODE, 6, 2, op); it && r.tree())
    it->text = r.format("Opcode: {} ({})", opcode_name(op), op);
  if (announce) {
    if (Item* it = add(F::ARP_ISGRATUITOUS, 6, 0, 1)) {
      it->generated = true;
      if (r.tree()) it->text = "Is gratuitous: True";
    }
    if (Item* it = add(F::ARP_ISANNOUNCEMENT, 6, 0, 1)) {
      it->generated = true;
      if (r.tree()) it->text = "Is announcement: True";
    }
  }
  auto hw = [&](F mac, F other, size_t off, std::string_view name) {
    wire::Bytes v = b.subspan(off, a.hw_size());
    F f = a.hw_size() == 6 ? mac : other;
    if (!r.want(f)) return;
    Item& it = r.add_str(f, o + static_cast<uint32_t>(off), a.hw_size(),
                         {reinterpret_cast<const char*>(v.data()), v.size()});
    if (r.tree())
      it.text = a.hw_size() == 6 ? r.format("{} MAC address: {}", name, ether_tree_str(c, v.data()))
                                 : r.format("{} hardware address: {}", name, hex_str(r, v));
  };
  auto pr = [&](F ip4, F other, size_t off, std::string_view name) {
    wire::Bytes v = b.subspan(off, a.proto_size());
    if (eip) {
      if (Item* it = add(ip4, off, 4, wire::be32(v.data())); it && r.tree())
        it->text = r.format("{} IP address: {}", name, ipv4_str(r, v.data()));
    } else if (r.want(other)) {
      Item& it = r.add_str(other, o + static_cast<uint32_t>(off), a.proto_size(),
                           {reinterpret_cast<const char*>(v.data()), v.size()});
      if (r.tree()) it.text = r.format("{} protocol address: {}", name, hex_str(r, v));
    }
  };
  hw(F::ARP_SRC_HW_MAC, F::ARP_SRC_HW, a.sha_off(), "Sender");
  pr(F::ARP_SRC_PROTO_IPV4, F::ARP_SRC_PROTO, a.spa_off(), "Sender");
  hw(F::ARP_DST_HW_MAC, F::ARP_DST_HW, a.tha_off(), "Target");
  pr(F::ARP_DST_PROTO_IPV4, F::ARP_DST_PROTO, a.tpa_off(), "Target");
  if (r.tree()) r.pop();
  if (r.columns_wanted()) {
    r.cols().protocol = "ARP";
    auto out = std::back_inserter(r.cols().info);
    r.cols().info.clear();
    if (announce)
      fmt::format_to(out, "ARP Announcement for {}", ipv4_str(r, spa));
    else if (eip && op == 1)
      fmt::format_to(out, "Who has {}? Tell {}", ipv4_str(r, tpa), ipv4_str(r, spa));
    else if (eip && op == 2)
      fmt::format_to(out, "{} is at {}", ipv4_str(r, spa),
                     a.hw_size() == 6 ? ether_str(r, &b[8]) : hex_str(r, b.subspan(8, a.hw_size())));
    else
      fmt::format_to(out, "Unknown ARP opcode 0x{:04x}", op);
  }
}

} // namespace ps::proto
