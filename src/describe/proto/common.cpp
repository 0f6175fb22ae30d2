#include <arpa/inet.h>

#include <algorithm>

#include "describe/proto/context.h"
#include "dissect/fast_text.h"
#include "dissect/value_format.h"
#include "services/mac_names.h"
#include "services/port_registry.h"

namespace ps::proto {

std::string_view bit_pattern(Record& rec, uint64_t value, unsigned bits, uint64_t mask) {
  char buf[128];
  size_t n = 0;
  for (unsigned i = 0; i < bits; ++i) {
    unsigned bit = bits - 1 - i;
    if (i && i % 4 == 0) buf[n++] = ' ';
    buf[n++] = (mask >> bit) & 1 ? ((value >> bit) & 1 ? '1' : '0') : '.';
  }
  return rec.save({buf, n});
}

// Addresses and ports are formatted for every packet's columns: by hand, straight into the arena.
std::string_view ether_str(Record& rec, const uint8_t* m) {
  char* p = rec.alloc(17);
  return {p, static_cast<size_t>(fast::put_ether(p, m) - p)};
}

std::string_view ether_resolved_str(Ctx& c, const uint8_t* mac) {
  if (!c.opt.resolve_macs) return ether_str(c.rec, mac);
  char* p = c.rec.alloc(kMacNameMax);
  const size_t n = mac_name(mac, p);
  return n ? std::string_view{p, n} : ether_str(c.rec, mac);
}

std::string_view ether_tree_str(Ctx& c, const uint8_t* mac) {
  if (!c.opt.resolve_macs) return ether_str(c.rec, mac);
  return c.rec.format("{} ({})", ether_resolved_str(c, mac), ether_str(c.rec, mac));
}

std::string_view ipv4_str(Record& rec, const uint8_t* a) {
  char* p = rec.alloc(15);
  return {p, static_cast<size_t>(fast::put_ipv4(p, a) - p)};
}

std::string_view ipv6_str(Record& rec, const uint8_t* a) {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, a, buf, sizeof buf);
  return rec.save(buf);
}

std::string_view ethertype_name(uint16_t t) {
  switch (t) {
  case 0x0800:
    return "IPv4";
  case 0x0806:
    return "ARP";
  case 0x86dd:
    return "IPv6";
  case 0x8100:
    return "802.1Q Virtual LAN";
  case 0x88a8:
    return "802.1ad Provider Bridge (Q-in-Q)";
  case 0x9100:
    return "VLAN-tagged frame (Q-in-Q)";
  case 0x8863:
    return "PPPoE Discovery";
  case 0x8864:
    return "PPPoE Session";
  case 0x88cc:
    return "802.1 Link Layer Discovery Protocol (LLDP)";
  case 0x8847:
    return "MPLS label switched packet";
  case 0x88e7:
    return "802.1ah Provider Backbone Bridge (mac-in-mac)";
  case 0x8035:
    return "Reverse ARP";
  case 0x888e:
    return "802.1X Authentication";
  default:
    return "Unknown";
  }
}

std::string_view hex_str(Record& rec, wire::Bytes b) {
  static constexpr char kHex[] = "0123456789abcdef";
  char* out = rec.alloc(b.size() * 2);
  for (size_t i = 0; i < b.size(); ++i) {
    out[2 * i] = kHex[b[i] >> 4];
    out[2 * i + 1] = kHex[b[i] & 15];
  }
  return {out, b.size() * 2};
}

std::string_view short_hex(Record& rec, wire::Bytes b) {
  constexpr size_t kShown = 36;
  if (b.size() <= kShown) return hex_str(rec, b);
  return rec.format("{}\xe2\x80\xa6", hex_str(rec, b.first(kShown)));
}

std::string_view utc_date_str(Record& rec, int64_t ns) {
  fmt::memory_buffer date;
  format_utc_date(ns, date);
  return rec.save({date.data(), date.size()});
}

std::string_view seconds_str(Record& rec, int64_t ns) {
  const uint64_t a = static_cast<uint64_t>(ns < 0 ? -ns : ns);
  return rec.format("{}{}.{:09} seconds", ns < 0 ? "-" : "", a / 1'000'000'000, a % 1'000'000'000);
}

std::string_view port_str(Ctx& c, uint16_t port, bool tcp) {
  std::string_view name;
  if (c.opt.resolve_ports) name = port_service_name(tcp ? Transport::Tcp : Transport::Udp, port);
  fmt::format_int digits(port);
  const size_t n = digits.size() + (name.empty() ? 0 : name.size() + 3);
  char* p = c.rec.alloc(n);
  char* end = std::copy(digits.data(), digits.data() + digits.size(), p);
  if (!name.empty()) { // "80 (http)"
    end = std::copy_n(" (", 2, end);
    end = std::copy(name.begin(), name.end(), end);
    *end = ')';
  }
  return {p, n};
}

} // namespace ps::proto

namespace ps::proto {

std::string_view ip_proto_name(uint8_t p) {
  switch (p) {
  case 0:
    return "IPv6 Hop-by-Hop Option";
  case 1:
    return "ICMP";
  case 2:
    return "IGMP";
  case 4:
    return "IPIP";
  case 6:
    return "TCP";
  case 17:
    return "UDP";
  case 41:
    return "IPv6";
  case 43:
    return "Routing Header for IPv6";
  case 44:
    return "Fragment Header for IPv6";
  case 47:
    return "Generic Routing Encapsulation";
  case 50:
    return "Encap Security Payload";
  case 51:
    return "Authentication Header";
  case 58:
    return "ICMPv6";
  case 59:
    return "IPv6 No Next Header";
  case 60:
    return "Destination Options for IPv6";
  case 89:
    return "OSPF IGP";
  case 103:
    return "PIM";
  case 112:
    return "Virtual Router Redundancy Protocol";
  case 132:
    return "SCTP";
  case 136:
    return "UDPLite";
  default:
    return "Unknown";
  }
}

void checksum_items(Ctx& c, F field, F status_field, F calc_field, uint32_t off, uint16_t stored,
                    uint16_t computed, uint8_t status, std::string_view status_name) {
  Record& r = c.rec;
  bool nested = false; // the calculated checksum went under the checksum item
  if (r.want(field)) {
    Item& it = r.add(field, off, 2, stored);
    if (r.tree()) {
      std::string_view name = field_info(field).name;
      // tshark's hint after a bad IPv4/TCP/UDP checksum, spaced and worded as each dissector has it.
      std::string_view hint = field == F::IP_HDR_CHECKSUM ? "(may be caused by \"IP checksum offload\"?)"
                              : field == F::TCP_CHECKSUM  ? "(maybe caused by \"TCP checksum offload\"?)"
                              : field == F::UDP_CHECKSUM  ? " (maybe caused by \"UDP checksum offload\"?)"
                                                          : "";
      if (status == 1) {
        it.text = r.format("{}: 0x{:04x} [correct]", name, stored);
        if (field == F::UDP_CHECKSUM && r.want(calc_field)) {
          // UDP puts the calculated checksum under a good checksum, before the status line.
          r.open_last();
          Item& calc = r.add(calc_field, off, 2, computed);
          calc.generated = true;
          calc.text = r.format("Calculated Checksum: 0x{:04x}", computed);
          r.pop();
          nested = true;
        }
      } else if (status == 0 && !hint.empty()) {
        it.text = r.format("{}: 0x{:04x} incorrect, should be 0x{:04x}{}", name, stored, computed, hint);
        r.open_last();
        expert_item(r, "Error", "Checksum", r.format("Bad checksum [should be 0x{:04x}]", computed));
        r.pop();
      } else if (status == 0)
        it.text = r.format("{}: 0x{:04x} incorrect, should be 0x{:04x}", name, stored, computed);
      else if (status == 3)
        it.text = r.format("{}: 0x{:04x} [zero-value ignored]", name, stored);
      else
        it.text = r.format("{}: 0x{:04x} [unverified]", name, stored);
    }
  }
  if (r.want(status_field)) {
    Item& it = r.add(status_field, off, 0, status);
    it.generated = true;
    if (r.tree())
      it.text = r.format("{}: {}", status_name,
                         status == 1   ? "Good"
                         : status == 0 ? "Bad"
                         : status == 3 ? "Not present"
                                       : "Unverified");
  }
  if (status < 2 && !nested && r.want(calc_field)) {
    Item& it = r.add(calc_field, off, 2, computed);
    it.generated = true;
    if (r.tree()) it.text = r.format("Calculated Checksum: 0x{:04x}", computed);
  }
}

void expert_item(Record& r, std::string_view severity, std::string_view group, std::string_view message) {
  message = r.save(message);
  Item& e = r.push(F::EXPERT, 0, 0);
  e.generated = true;
  e.text = r.format("Expert Info ({}/{}): {}", severity, group, message);
  Item& msg = r.add_str(F::EXPERT_MESSAGE, 0, 0, message.substr(0, 239));
  msg.generated = true;
  msg.text = msg.str;
  r.text(r.format("Severity level: {}", severity)).generated = true;
  r.text(r.format("Group: {}", group)).generated = true;
  r.pop();
}

} // namespace ps::proto
