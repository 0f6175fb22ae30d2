
#include "describe/proto/context.h"

namespace ps {

std::string_view link_type_text(uint32_t link) {
  switch (link) {
  case kLinkEthernet:
    return "Ethernet (1)";
  case kLinkNull:
    return "NULL/Loopback (15)";
  case kLinkLoop:
    return "OpenBSD loopback (108)";
  case kLinkRaw:
    return "Raw IP (7)";
  case kLinkIpv4:
    return "Raw IPv4 (129)";
  case kLinkIpv6:
    return "Raw IPv6 (130)";
  case kLinkLinuxSll:
    return "Linux cooked-mode capture v1 (25)";
  case kLinkLinuxSll2:
    return "Linux cooked-mode capture v2 (210)";
  case kLinkPpp:
  case kLinkPppHdlc:
    return "PPP (4)";
  case kLinkChdlc:
    return "Cisco HDLC (28)";
  case kLinkFddi:
    return "FDDI with bit-swapped MAC addresses (6)";
  case kLinkIeee80211:
    return "IEEE 802.11 Wireless LAN (20)";
  case kLinkRadiotap:
    return "IEEE 802.11 plus radiotap radio header (23)";
  case kLinkNflog:
    return "NFLOG (141)";
  case kLinkPktap:
    return "Apple PKTAP (171)";
  case kLinkFrelay:
    return "Frame Relay (26)";
  case kLinkArcnetLinux:
    return "Linux ARCNET (9)";
  case kLinkIpoib:
    return "IP over IB (180)";
  case kLinkIpnet:
    return "Solaris IPNET (124)";
  default:
    return "Unknown";
  }
}

} // namespace ps

namespace ps::proto {

namespace {
int64_t ns_of(Timestamp t) {
  return t.sec * 1'000'000'000 + t.nsec;
}

} // namespace

void describe_frame(Ctx& c, const FrameTimes& t) {
  Record& r = c.rec;
  const Frame& f = c.frame();
  uint32_t cap = static_cast<uint32_t>(f.data.size());
  int64_t now = ns_of(f.ts);
  if (r.tree()) {
    Item& top = r.push(F::FRAME, 0, cap);
    top.text = r.format("Frame {}: {} bytes on wire ({} bits), {} bytes captured ({} bits)", f.number,
                        f.wire_len, uint64_t{f.wire_len} * 8, cap, uint64_t{cap} * 8);
    if (f.section) { // pcapng: tshark names the section and the interface
      const std::string_view name = f.if_name.empty() ? std::string_view("unknown") : f.if_name;
      top.text = r.format("{} on interface {}, id {}", top.text, name, f.interface_id);
      r.text(r.format("Section number: {}", f.section));
      r.add(F::FRAME_INTERFACE_ID, 0, 0, f.interface_id).text =
          r.format("Interface id: {} ({})", f.interface_id, name);
      r.open_last();
      r.text(r.format("Interface name: {}", name));
      r.pop();
    }
    r.add(F::FRAME_ENCAP_TYPE, 0, 0, f.link_type).text =
        r.format("Encapsulation type: {}", link_type_text(f.link_type));
  } else if (r.want(F::FRAME)) {
    r.add(F::FRAME, 0, cap);
  }
  if (r.want(F::FRAME_TIME)) {
    Item& it = r.add(F::FRAME_TIME, 0, 0, static_cast<uint64_t>(now));
    if (r.tree()) it.text = r.format("Arrival Time: {}", utc_date_str(r, now));
  }
  if (r.tree()) {
    Item& shift = r.text("Time shift for this packet: 0.000000000 seconds");
    shift.generated = true;
  }
  auto seconds_text = [&](std::string_view label, int64_t ns) {
    return r.format("{}: {}", label, seconds_str(r, ns));
  };
  if (r.want(F::FRAME_TIME_EPOCH)) {
    Item& it = r.add(F::FRAME_TIME_EPOCH, 0, 0, static_cast<uint64_t>(now));
    if (r.tree()) it.text = seconds_text("Epoch Time", now);
  }
  auto rel = [&](F field, int64_t ns) {
    if (!r.want(field)) return;
    Item& it = r.add(field, 0, 0, static_cast<uint64_t>(ns));
    it.generated = true;
    if (r.tree()) it.text = seconds_text(field_info(field).name, ns);
  };
  rel(F::FRAME_TIME_DELTA, now - ns_of(t.previous));
  rel(F::FRAME_TIME_DELTA_DISPLAYED, now - ns_of(t.previous_displayed ? *t.previous_displayed : t.previous));
  rel(F::FRAME_TIME_RELATIVE, now - ns_of(t.first));
  if (r.want(F::FRAME_NUMBER)) r.add(F::FRAME_NUMBER, 0, 0, f.number);
  if (r.want(F::FRAME_LEN)) {
    Item& it = r.add(F::FRAME_LEN, 0, 0, f.wire_len);
    if (r.tree())
      it.text = r.format("Frame Length: {} bytes ({} bits)", f.wire_len, uint64_t{f.wire_len} * 8);
  }
  if (r.want(F::FRAME_CAP_LEN)) {
    Item& it = r.add(F::FRAME_CAP_LEN, 0, 0, cap);
    if (r.tree()) it.text = r.format("Capture Length: {} bytes ({} bits)", cap, uint64_t{cap} * 8);
  }
  if (r.tree()) {
    r.text("Frame is marked: False").generated = true;
    r.text("Frame is ignored: False").generated = true;
  }
  if (r.want(F::FRAME_PROTOCOLS)) r.add(F::FRAME_PROTOCOLS, 0, 0).generated = true;
  if (r.tree()) r.pop();
  if (r.columns_wanted()) r.cols().protocol = "Frame";
}

} // namespace ps::proto
