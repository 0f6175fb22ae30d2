// Link layers and encapsulations that are not IP tunnels (PPP, PPPoE, Cisco HDLC, LLC/SNAP, 802.1ah,
// NFLOG, PKTAP, radiotap + 802.11) and ERSPAN/AYIYA: decoded to the inner IP header, whose addresses
// key the connection; headers that lie about their lengths are marked, never read past.
#include <gtest/gtest.h>

#include <vector>

#include "dissect/packet.h"

namespace ps {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes cat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

Bytes ipv4_udp(uint16_t dport) {
  // 10.0.0.5 -> 10.0.0.6, UDP 1234 -> dport, 4 bytes of payload.
  return {0x45,
          0,
          0,
          32,
          0,
          1,
          0x40,
          0,
          64,
          17,
          0,
          0,
          10,
          0,
          0,
          5,
          10,
          0,
          0,
          6,
          0x04,
          0xd2,
          uint8_t(dport >> 8),
          uint8_t(dport),
          0,
          12,
          0,
          0,
          'a',
          'b',
          'c',
          'd'};
}

struct Probe {
  Bytes bytes;
  Frame f;
  Decoded d;
};

void run(Probe& r, const Bytes& frame, uint32_t link, uint32_t extra_wire = 0) {
  r.bytes = frame;
  r.f.link_type = link;
  r.f.data = r.bytes;
  r.f.wire_len = static_cast<uint32_t>(r.bytes.size()) + extra_wire;
  decode(r.f, r.d);
}

std::vector<Layer> kinds(const Decoded& d) {
  std::vector<Layer> v;
  for (uint8_t i = 0; i < d.layer_count; ++i) v.push_back(d.layers[i].kind);
  return v;
}

void expect_inner_udp(const Decoded& d, uint16_t port = 53) {
  ASSERT_EQ(d.malformed, nullptr) << d.malformed;
  ASSERT_NE(d.src_ip, nullptr);
  EXPECT_EQ(d.src_ip[3], 5);
  EXPECT_EQ(d.dst_ip[3], 6);
  EXPECT_EQ(d.dst_port, port);
  EXPECT_EQ(d.payload_len, 4u);
}

const Bytes kMacs = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};

TEST(DecodeEncap, PppoeSessionInQinQ) {
  Bytes ppp = cat({0x00, 0x21}, ipv4_udp(53));
  Bytes pppoe = cat({0x11, 0x00, 0x00, 0x2a, 0, uint8_t(ppp.size())}, ppp);
  Bytes f = cat(cat(kMacs, {0x88, 0xa8, 0, 100, 0x81, 0x00, 0, 200, 0x88, 0x64}), pppoe);
  f = cat(f, {0, 0, 0, 0}); // Ethernet padding after the PPPoE payload
  Probe r;
  run(r, f, kLinkEthernet);
  EXPECT_EQ(kinds(r.d), (std::vector<Layer>{Layer::Eth, Layer::Vlan, Layer::Vlan, Layer::Pppoe, Layer::Ppp,
                                            Layer::Ipv4, Layer::Udp}));
  expect_inner_udp(r.d);
  EXPECT_EQ(r.d.layers[3].aux, 0); // session
  EXPECT_EQ(r.d.layers[3].length, 6 + ppp.size());
}

TEST(DecodeEncap, PppoeDiscoveryAndLyingPayloadLength) {
  Probe r;
  run(r, cat(cat(kMacs, {0x88, 0x63}), {0x11, 0x09, 0, 0, 0x00, 0x04, 0x01, 0x01, 0x00, 0x00}),
      kLinkEthernet);
  EXPECT_EQ(kinds(r.d), (std::vector<Layer>{Layer::Eth, Layer::Pppoe, Layer::Data}));
  EXPECT_EQ(r.d.layers[1].aux, 1);
  // A session claiming 0xffff payload bytes of a 3-byte PPP frame: PPP gets what is there.
  run(r, cat(cat(kMacs, {0x88, 0x64}), {0x11, 0, 0, 1, 0xff, 0xff, 0x00, 0x21, 0x45}), kLinkEthernet);
  EXPECT_NE(r.d.malformed, nullptr);
}

TEST(DecodeEncap, PppLinkWithAndWithoutAddressControl) {
  Probe r;
  run(r, cat({0xff, 0x03, 0x00, 0x21}, ipv4_udp(53)), kLinkPpp);
  EXPECT_EQ(kinds(r.d), (std::vector<Layer>{Layer::Ppp, Layer::Ipv4, Layer::Udp}));
  expect_inner_udp(r.d);
  run(r, cat({0x21}, ipv4_udp(53)), kLinkPppHdlc); // compressed protocol field
  expect_inner_udp(r.d);
  run(r, {0xff, 0x03, 0x00}, kLinkPpp);
  EXPECT_STREQ(r.d.malformed, "PPP");
}

TEST(DecodeEncap, CiscoHdlcAndSnap) {
  Probe r;
  run(r, cat({0x0f, 0x00, 0x08, 0x00}, ipv4_udp(53)), kLinkChdlc);
  EXPECT_EQ(kinds(r.d), (std::vector<Layer>{Layer::Chdlc, Layer::Ipv4, Layer::Udp}));
  expect_inner_udp(r.d);
  run(r, {0x0f, 0x00, 0x08}, kLinkChdlc);
  EXPECT_NE(r.d.malformed, nullptr);
  // 802.3 length frame, LLC/SNAP with OUI 0 naming IPv4.
  Bytes llc = cat({0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00}, ipv4_udp(53));
  run(r, cat(cat(kMacs, {0, uint8_t(llc.size())}), llc), kLinkEthernet);
  EXPECT_EQ(kinds(r.d), (std::vector<Layer>{Layer::Eth8023, Layer::Ipv4, Layer::Udp}));
  expect_inner_udp(r.d);
}

TEST(DecodeEncap, ErspanTypesOverGre) {
  const Bytes inner = cat(cat(kMacs, {0x08, 0x00}), ipv4_udp(53));
  auto outer = [](const Bytes& gre) {
    Bytes ip = {0x45, 0, 0, uint8_t(20 + gre.size()), 0, 1, 0, 0, 64, 47, 0, 0, 10, 9, 0, 1, 10, 9, 0, 2};
    ip[2] = uint8_t((20 + gre.size()) >> 8);
    ip[3] = uint8_t(20 + gre.size());
    return cat(cat(kMacs, {0x08, 0x00}), cat(ip, gre));
  };
  Probe r;
  run(r, outer(cat({0, 0, 0x88, 0xbe}, inner)), kLinkEthernet); // type I
  EXPECT_EQ(kinds(r.d), (std::vector<Layer>{Layer::Eth, Layer::Ipv4, Layer::Gre, Layer::Erspan, Layer::Eth,
                                            Layer::Ipv4, Layer::Udp}));
  EXPECT_EQ(r.d.layers[3].aux, 1);
  expect_inner_udp(r.d);
  run(r, outer(cat({0x10, 0, 0x88, 0xbe, 0, 0, 0, 1, 0x10, 0, 0, 1, 0, 0, 0, 7}, inner)), kLinkEthernet);
  EXPECT_EQ(r.d.layers[3].aux, 2);
  expect_inner_udp(r.d);
  // Type III with the O bit: 8 more header bytes, which this frame lacks.
  run(r, outer({0, 0, 0x22, 0xeb, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}), kLinkEthernet);
  EXPECT_STREQ(r.d.malformed, "ERSPAN");
}

TEST(DecodeEncap, NflogTlvs) {
  // family IPv4, version 0, resource 1; a 5-byte prefix TLV (padded to 8), then the payload TLV.
  Bytes f = {2, 0, 0, 1, 5, 0, 10, 0, 'x', 0, 0, 0};
  const Bytes ip = ipv4_udp(53);
  f = cat(f, {uint8_t(4 + ip.size()), 0, 9, 0});
  f = cat(f, ip);
  Probe r;
  run(r, f, kLinkNflog);
  EXPECT_EQ(kinds(r.d), (std::vector<Layer>{Layer::Nflog, Layer::Ipv4, Layer::Udp}));
  expect_inner_udp(r.d);
  // A TLV of length 0 would loop forever: marked instead.
  run(r, {2, 0, 0, 1, 0, 0, 9, 0, 1, 2, 3, 4}, kLinkNflog);
  EXPECT_STREQ(r.d.malformed, "NFLOG TLV length < 4");
  // A TLV longer than the frame.
  run(r, {2, 0, 0, 1, 0xff, 0, 9, 0, 1, 2, 3, 4}, kLinkNflog);
  EXPECT_NE(r.d.malformed, nullptr);
}

TEST(DecodeEncap, PktapNamesTheLinkType) {
  Bytes hdr(108, 0);
  hdr[0] = 108;
  hdr[4] = 1; // packet record
  hdr[8] = 1; // DLT_EN10MB
  Probe r;
  run(r, cat(hdr, cat(cat(kMacs, {0x08, 0x00}), ipv4_udp(53))), kLinkPktap);
  EXPECT_EQ(kinds(r.d), (std::vector<Layer>{Layer::Pktap, Layer::Eth, Layer::Ipv4, Layer::Udp}));
  expect_inner_udp(r.d);
  hdr[0] = 8; // shorter than the fixed header
  run(r, hdr, kLinkPktap);
  EXPECT_STREQ(r.d.malformed, "PKTAP header length is too short");
  hdr[0] = 0xff;
  hdr[1] = 0xff; // longer than the frame
  run(r, hdr, kLinkPktap);
  EXPECT_NE(r.d.malformed, nullptr);
}

TEST(DecodeEncap, RadiotapQosDataWithFcs) {
  // radiotap: present = TSFT | Flags; TSFT at 8 (aligned), Flags 0x10 (FCS at end) at 16.
  Bytes rt = {0, 0, 18, 0, 0x03, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0x10, 0};
  // QoS data, To DS, three addresses, sequence control, QoS control.
  Bytes w = {0x88, 0x01, 0x30, 0};
  for (int i = 0; i < 18; ++i) w.push_back(uint8_t(i));
  w = cat(w, {0x10, 0x00, 0x00, 0x00});
  Bytes f = cat(cat(rt, w), cat({0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00}, ipv4_udp(53)));
  f = cat(f, {0xde, 0xad, 0xbe, 0xef}); // FCS
  Probe r;
  run(r, f, kLinkRadiotap);
  EXPECT_EQ(kinds(r.d),
            (std::vector<Layer>{Layer::Radiotap, Layer::Wlan, Layer::Llc, Layer::Ipv4, Layer::Udp}));
  expect_inner_udp(r.d);
  EXPECT_EQ(r.d.layers[1].aux, 1);
  // Protected data: the body is not read as LLC.
  f[rt.size() + 1] |= 0x40;
  run(r, f, kLinkRadiotap);
  EXPECT_EQ(kinds(r.d), (std::vector<Layer>{Layer::Radiotap, Layer::Wlan, Layer::Data}));
  // A radiotap length beyond the frame, and one below the fixed header.
  run(r, {0, 0, 0xff, 0, 0, 0, 0, 0}, kLinkRadiotap);
  EXPECT_NE(r.d.malformed, nullptr);
  run(r, {0, 0, 4, 0, 0, 0, 0, 0}, kLinkRadiotap);
  EXPECT_STREQ(r.d.malformed, "The radiotap header length is less than 8 bytes");
  // Endless extended present words stop at the header's length.
  run(r, {0, 0, 16, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
      kLinkRadiotap);
  EXPECT_EQ(r.d.layer_count, 1);
  EXPECT_NE(r.d.malformed, nullptr); // no 802.11 frame after it
}

TEST(DecodeEncap, AyiyaOverUdp) {
  // identity 2^4 = 16 bytes, no signature, forward (1), next header IPv4.
  Bytes ay = {0x41, 0x00, 0x01, 0x04, 0, 0, 0, 0};
  for (int i = 0; i < 16; ++i) ay.push_back(0);
  ay = cat(ay, ipv4_udp(53));
  Bytes udp = {0x13, 0xd0, 0x13, 0xd0, uint8_t((8 + ay.size()) >> 8), uint8_t(8 + ay.size()), 0, 0};
  udp = cat(udp, ay);
  Bytes ip = {0x45,
              0,
              uint8_t((20 + udp.size()) >> 8),
              uint8_t(20 + udp.size()),
              0,
              1,
              0,
              0,
              64,
              17,
              0,
              0,
              10,
              9,
              0,
              1,
              10,
              9,
              0,
              2};
  Probe r;
  run(r, cat(ip, udp), kLinkRaw);
  EXPECT_EQ(kinds(r.d), (std::vector<Layer>{Layer::Ipv4, Layer::Udp, Layer::Ayiya, Layer::Ipv4, Layer::Udp}));
  expect_inner_udp(r.d);
  EXPECT_EQ(r.d.outer_ip_layer, 0);
}

} // namespace
} // namespace ps
