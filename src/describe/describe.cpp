#include "describe/describe.h"

#include "describe/app/app_describe.h"
#include "describe/proto/context.h"
#include "describe/proto/dns.h"
#include "describe/proto/ipv6_ext.h"

namespace ps {

namespace {

// tshark's frame.protocols names for each layer.
std::string_view protocol_names(Layer k) {
  switch (k) {
  case Layer::Eth:
    return "eth:ethertype";
  case Layer::Eth8023:
    return "eth:llc";
  case Layer::Vlan:
    return "vlan:ethertype";
  case Layer::Sll:
    return "sll:ethertype";
  case Layer::Sll2:
    return "sll:ethertype";
  case Layer::Null:
    return "null";
  case Layer::Arp:
    return "arp";
  case Layer::Ipv4:
    return "ip";
  case Layer::Ipv6:
    return "ipv6";
  case Layer::Icmp:
    return "icmp";
  case Layer::Icmpv6:
    return "icmpv6";
  case Layer::Tcp:
    return "tcp";
  case Layer::Udp:
    return "udp";
  case Layer::Gre:
    return "gre";
  case Layer::Vxlan:
    return "vxlan";
  case Layer::Geneve:
    return "geneve";
  case Layer::Mpls:
    return "mpls";
  case Layer::GtpU:
    return "gtp";
  case Layer::Teredo:
    return "teredo";
  case Layer::Cmd:
    return "cmd";
  case Layer::Ppp:
    return "ppp";
  case Layer::Pppoe:
    return "pppoe";
  case Layer::Chdlc:
    return "chdlc";
  case Layer::Arcnet:
    return "arcnet";
  case Layer::Ipoib:
    return "ipoib";
  case Layer::Ipnet:
    return "ipnet";
  case Layer::FrameRelay:
    return "fr";
  case Layer::Llc:
    return "llc";
  case Layer::Erspan:
    return "erspan";
  case Layer::Nflog:
    return "nflog";
  case Layer::Pktap:
    return "pktap:pcap_pktdata";
  case Layer::Radiotap:
    return "radiotap";
  case Layer::Wlan:
    return "wlan";
  case Layer::Pbb:
    return "ieee8021ah:ethertype";
  case Layer::Ayiya:
    return "ayiya";
  case Layer::Fddi:
    return "fddi";
  case Layer::Data:
    return "data";
  }
  return "";
}

} // namespace

DescribeNeeds describe_needs(bool tree, bool columns, const std::bitset<kFieldCount>* wanted) {
  if (tree || columns) return {}; // the tree and the Info column show everything
  DescribeNeeds n{false, false, false};
  if (!wanted) return n;
  for (size_t i = 0; i < kFieldCount; ++i) {
    if (!(*wanted)[i]) continue;
    // The registry says which stage produces each field (src/dissect/fields/all.def).
    switch (field_info(static_cast<F>(i)).stage) {
    case FieldStage::App:
      n.app = n.streams = true;
      break;
    case FieldStage::Analysis:
      n.analysis = n.streams = true;
      break;
    case FieldStage::Streams:
      n.streams = true;
      break;
    case FieldStage::Decode:
      break;
    }
  }
  return n;
}

void describe(const Decoded& pkt, const PacketMeta& meta, const DescribeOptions& opt, const FrameTimes& times,
              Record& rec, const app::AppFrame* app) {
  proto::Ctx c{pkt, meta, opt, rec, app};
  // A pcapng packet comment: tshark's "Packet comments" tree before the frame's, with a Comment item.
  if (const std::string_view note = c.frame().comment; !note.empty()) {
    if (rec.tree()) {
      rec.push(F::PKT_COMMENT, 0, 0).text = "Packet comments";
      Item& it = rec.add_str(F::FRAME_COMMENT, 0, 0, note);
      it.text = it.str;
      rec.open_last();
      proto::expert_item(rec, "Comment", "Comment", note);
      rec.pop();
      rec.pop();
    } else {
      if (rec.want(F::PKT_COMMENT)) rec.add(F::PKT_COMMENT, 0, 0);
      if (rec.want(F::FRAME_COMMENT)) rec.add_str(F::FRAME_COMMENT, 0, 0, note);
    }
  }
  proto::describe_frame(c, times);
  if (!pkt.reassembled.empty() && pkt.frag_ip_layer >= 0) [[unlikely]]
    rec.add_source(pkt.layers[static_cast<size_t>(pkt.frag_ip_layer)].kind == Layer::Ipv6
                       ? "Reassembled IPv6"
                       : "Reassembled IPv4",
                   pkt.reassembled);
  bool app_done = false;
  if (pkt.frame && !proto::link_protocol_prefix(pkt).empty())
    rec.append_protocol(proto::link_protocol_prefix(pkt));
  for (uint8_t i = 0; i < pkt.layer_count; ++i) {
    const LayerSpan& l = pkt.layers[i];
    rec.append_protocol(proto::layer_protocol_name(pkt, l, protocol_names(l.kind)));
    switch (l.kind) {
    case Layer::Eth:
      proto::describe_eth(c, l);
      break;
    case Layer::Eth8023:
      proto::describe_eth8023(c, l);
      break;
    case Layer::Vlan:
      proto::describe_vlan(c, l);
      break;
    case Layer::Sll:
      proto::describe_sll(c, l);
      break;
    case Layer::Sll2:
      proto::describe_sll2(c, l);
      break;
    case Layer::Null:
      proto::describe_null(c, l);
      break;
    case Layer::Arp:
      proto::describe_arp(c, l);
      break;
    case Layer::Ipv4:
      proto::describe_ipv4(c, l);
      break;
    case Layer::Ipv6:
      proto::describe_ipv6(c, l);
      break;
    case Layer::Icmp:
      proto::describe_icmp(c, l);
      break;
    case Layer::Icmpv6:
      proto::describe_icmpv6(c, l);
      break;
    case Layer::Tcp:
      proto::describe_tcp(c, l);
      break;
    case Layer::Udp:
      proto::describe_udp(c, l);
      if (i == pkt.l4_layer && !app::describe_ssdp(c)) proto::describe_dns_udp(c);
      break;
    case Layer::Gre:
      proto::describe_gre(c, l);
      break;
    case Layer::Vxlan:
      proto::describe_vxlan(c, l);
      break;
    case Layer::Geneve:
      proto::describe_geneve(c, l);
      break;
    case Layer::Mpls:
      proto::describe_mpls(c, l);
      break;
    case Layer::GtpU:
      proto::describe_gtpu(c, l);
      break;
    case Layer::Teredo:
      proto::describe_teredo(c, l);
      break;
    case Layer::Cmd:
      proto::describe_cmd(c, l);
      break;
    case Layer::Ppp:
      proto::describe_ppp(c, l);
      break;
    case Layer::Pppoe:
      proto::describe_pppoe(c, l);
      break;
    case Layer::Chdlc:
      proto::describe_chdlc(c, l);
      break;
    case Layer::Arcnet:
      proto::describe_arcnet(c, l);
      break;
    case Layer::Ipoib:
      proto::describe_ipoib(c, l);
      break;
    case Layer::Ipnet:
      proto::describe_ipnet(c, l);
      break;
    case Layer::FrameRelay:
      proto::describe_frame_relay(c, l);
      break;
    case Layer::Llc:
      proto::describe_llc_layer(c, l);
      break;
    case Layer::Erspan:
      proto::describe_erspan(c, l);
      break;
    case Layer::Nflog:
      proto::describe_nflog(c, l);
      break;
    case Layer::Pktap:
      proto::describe_pktap(c, l);
      break;
    case Layer::Radiotap:
      proto::describe_radiotap(c, l);
      break;
    case Layer::Wlan:
      proto::describe_wlan(c, l);
      break;
    case Layer::Pbb:
      proto::describe_pbb(c, l);
      break;
    case Layer::Ayiya:
      proto::describe_ayiya(c, l);
      break;
    case Layer::Fddi:
      proto::describe_fddi(c, l);
      break;
    case Layer::Data:
      proto::describe_data(c, l);
      break;
    }
    // The application layer belongs to the transport of the innermost IP header (a UDP tunnel's own
    // header is not it).
    if ((l.kind == Layer::Tcp || l.kind == Layer::Udp) && i == pkt.l4_layer && !app_done) {
      app_done = true;
      proto::describe_app(c);
    }
  }
  // tshark shows what a GTP-U tunnel carries as "GTP <TCP>" in the Protocol column.
  if (rec.columns_wanted() && rec.cols().protocol != "GTP" && pkt.has(Layer::GtpU)) [[unlikely]]
    rec.cols().protocol = rec.format("GTP <{}>", rec.cols().protocol);
  // frame.protocols is known only now: fill in the item describe_frame left for it.
  if (rec.want(F::FRAME_PROTOCOLS)) {
    for (Item& it : rec.items()) {
      if (it.field != F::FRAME_PROTOCOLS) continue;
      it.str = rec.save(rec.protocols());
      if (rec.tree()) it.text = rec.format("Protocols in frame: {}", it.str);
      break;
    }
  }
  if (pkt.malformed) {
    rec.truncated = pkt.truncated;
    rec.malformed = pkt.malformed;
    if (pkt.truncated) {
      if (rec.want(F::SHORT))
        rec.add(F::SHORT, 0, 0).text = rec.format("[Packet size limited during capture: {}]", pkt.malformed);
    } else if (rec.want(F::MALFORMED)) {
      rec.add(F::MALFORMED, 0, 0).text = rec.format("[Malformed Packet: {}]", pkt.malformed);
    }
    if (rec.columns_wanted()) {
      fmt::format_to(std::back_inserter(rec.cols().info), "{}",
                     pkt.truncated ? "[Packet size limited during capture]" : "[Malformed Packet]");
    }
  }
}

} // namespace ps
