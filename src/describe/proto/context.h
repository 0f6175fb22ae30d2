// Shared by the per-protocol describers in this folder.
#pragma once

#include <string_view>

#include "describe/describe.h"
#include "wire/bytes.h"

namespace ps::app {
struct AppFrame;
}

namespace ps::proto {

struct Ctx {
  const Decoded& pkt;
  const PacketMeta& meta;
  const DescribeOptions& opt;
  Record& rec;
  const app::AppFrame* app = nullptr; // what the application analyzers attached (src/app/)
  const Frame& frame() const { return *pkt.frame; }
  wire::Bytes bytes(const LayerSpan& l) const { return pkt.bytes(l); }
};

// "0100 .... " style bit pattern of `mask` within a `bits`-wide value, as tshark prints bitfields.
std::string_view bit_pattern(Record& rec, uint64_t value, unsigned bits, uint64_t mask);
// "Set" / "Not set"
inline std::string_view set_str(bool b) {
  return b ? "Set" : "Not set";
}
// Ethernet address as lowercase colon hex.
std::string_view ether_str(Record& rec, const uint8_t* mac);
// An Ethernet address as tshark shows it in a tree: "HonHaiPr_6e:8b:24 (00:16:ce:6e:8b:24)", the
// address twice when it has no name, the address alone when MAC names are off (-n).
std::string_view ether_tree_str(Ctx& c, const uint8_t* mac);
// Its name as a column and eth.*_resolved show it: the name, else the address.
std::string_view ether_resolved_str(Ctx& c, const uint8_t* mac);
// IPv4 / IPv6 address text.
std::string_view ipv4_str(Record& rec, const uint8_t* a);
std::string_view ipv6_str(Record& rec, const uint8_t* a);
// Cisco HDLC's (and Frame Relay's Cisco encapsulation) names of its protocol types ("IP", "IPv6").
std::string_view chdlc_protocol_name(uint16_t p);
// "IPv4", "ARP", "802.1Q Virtual LAN", ... as tshark names EtherTypes.
std::string_view ethertype_name(uint16_t type);
// Bytes as lowercase hex digits, no separators (tshark's "Padding: 0000...").
std::string_view hex_str(Record& rec, wire::Bytes b);
// tshark's hex of a byte field: at most 36 bytes, then "…".
std::string_view short_hex(Record& rec, wire::Bytes b);
// The same for a tree line: at most 36 bytes, then "…" (tshark's display of long byte fields).
std::string_view short_hex(Record& rec, wire::Bytes b);
// Times in tree text: "Nov 26, 2026 12:40:46.000000000 UTC" and "-0.283082000 seconds".
std::string_view utc_date_str(Record& rec, int64_t ns);
std::string_view seconds_str(Record& rec, int64_t ns);
// "80 (http)" or "80" when names are off or the port has none.
std::string_view port_str(Ctx& c, uint16_t port, bool tcp);

// A generated expert item "[Expert Info (Severity/Group): message]" with its three generated lines
// (message, severity, group), as tshark puts one under the item it is about.
void expert_item(Record& r, std::string_view severity, std::string_view group, std::string_view message);

// The per-protocol describers; each emits its layer's items (and columns) into ctx.rec.
void describe_frame(Ctx& c, const FrameTimes& t);
void describe_eth(Ctx& c, const LayerSpan& l);
void describe_eth8023(Ctx& c, const LayerSpan& l);
void describe_vlan(Ctx& c, const LayerSpan& l);
void describe_sll(Ctx& c, const LayerSpan& l);
void describe_sll2(Ctx& c, const LayerSpan& l);
void describe_null(Ctx& c, const LayerSpan& l);
void describe_arp(Ctx& c, const LayerSpan& l);
void describe_ipv4(Ctx& c, const LayerSpan& l);
void describe_ipv6(Ctx& c, const LayerSpan& l);
void describe_icmp(Ctx& c, const LayerSpan& l);
void describe_icmpv6(Ctx& c, const LayerSpan& l);
void describe_tcp(Ctx& c, const LayerSpan& l);
void describe_udp(Ctx& c, const LayerSpan& l);
void describe_data(Ctx& c, const LayerSpan& l);
void describe_gre(Ctx& c, const LayerSpan& l);
void describe_vxlan(Ctx& c, const LayerSpan& l);
void describe_geneve(Ctx& c, const LayerSpan& l);
void describe_mpls(Ctx& c, const LayerSpan& l);
void describe_gtpu(Ctx& c, const LayerSpan& l);
void describe_teredo(Ctx& c, const LayerSpan& l);
void describe_cmd(Ctx& c, const LayerSpan& l);
void describe_ppp(Ctx& c, const LayerSpan& l);
void describe_pppoe(Ctx& c, const LayerSpan& l);
void describe_chdlc(Ctx& c, const LayerSpan& l);
void describe_llc_layer(Ctx& c, const LayerSpan& l);
void describe_pbb(Ctx& c, const LayerSpan& l);
void describe_erspan(Ctx& c, const LayerSpan& l);
void describe_nflog(Ctx& c, const LayerSpan& l);
void describe_pktap(Ctx& c, const LayerSpan& l);
void describe_radiotap(Ctx& c, const LayerSpan& l);
void describe_wlan(Ctx& c, const LayerSpan& l);
void describe_ayiya(Ctx& c, const LayerSpan& l);
void describe_fddi(Ctx& c, const LayerSpan& l);
void describe_arcnet(Ctx& c, const LayerSpan& l);
void describe_ipoib(Ctx& c, const LayerSpan& l);
void describe_ipnet(Ctx& c, const LayerSpan& l);
void describe_frame_relay(Ctx& c, const LayerSpan& l);
// LLC (and SNAP) fields of `p`, the bytes after a MAC header, at frame offset `off`.
void describe_llc(Ctx& c, wire::Bytes p, uint32_t off);
// Under the IP layer of a frame that completed a fragmented datagram: tshark's
// "[4 IPv4 Fragments (4008 bytes): #3(1256), ...]" subtree and the ip(v6).fragment* fields.
[[gnu::cold]] void describe_reassembly(Ctx& c);
// Application layer of a TCP/UDP packet from ctx.app (src/app/describe/); returns true when claimed.
bool describe_app(Ctx& c);

} // namespace ps::proto

namespace ps::proto {
// "TCP", "UDP", "ICMP", ... for IP protocol numbers (tshark's names).
std::string_view ip_proto_name(uint8_t p);
// "Padding: ..." for bytes after the network layer's length, under the link layer `link`.
void emit_padding(Ctx& c, const LayerSpan& link);
// Checksum tree lines shared by IPv4/TCP/UDP/ICMP: "<Name>: 0x1234 [correct]" plus status lines.
// status: 1 good, 0 bad, 2 unverified.
void checksum_items(Ctx& c, F field, F status_field, F calc_field, uint32_t off, uint16_t stored,
                    uint16_t computed, uint8_t status, std::string_view status_name);
} // namespace ps::proto
