// Tunnels: GRE, VXLAN, Geneve, MPLS and IP-in-IP are decoded down to the inner transport, whose IP
// header keys the connection; truncated headers are marked, and endless nesting stops at the cap.
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

Bytes eth(uint16_t type, const Bytes& payload) {
  return cat({2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, uint8_t(type >> 8), uint8_t(type)}, payload);
}

Bytes ipv4(uint8_t last_src, uint8_t last_dst, uint8_t proto, const Bytes& payload) {
  const size_t total = 20 + payload.size();
  return cat({0x45,
              0,
              uint8_t(total >> 8),
              uint8_t(total),
              0,
              1,
              0x40,
              0,
              64,
              proto,
              0,
              0,
              10,
              0,
              0,
              last_src,
              10,
              0,
              0,
              last_dst},
             payload);
}

Bytes ipv6(uint8_t next, const Bytes& payload) {
  Bytes h = {0x60, 0, 0, 0, uint8_t(payload.size() >> 8), uint8_t(payload.size()), next, 64};
  for (int i = 0; i < 2; ++i) h = cat(h, {0xfd, 0, 0, 0x77, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, uint8_t(i + 1)});
  return cat(h, payload);
}

Bytes tcp(uint16_t sport, uint16_t dport) {
  return {uint8_t(sport >> 8),
          uint8_t(sport),
          uint8_t(dport >> 8),
          uint8_t(dport),
          0,
          0,
          0,
          1,
          0,
          0,
          0,
          0,
          0x50,
          0x02,
          0xfa,
          0xf0,
          0,
          0,
          0,
          0};
}

Bytes udp(uint16_t sport, uint16_t dport, const Bytes& payload) {
  const size_t len = 8 + payload.size();
  return cat({uint8_t(sport >> 8), uint8_t(sport), uint8_t(dport >> 8), uint8_t(dport), uint8_t(len >> 8),
              uint8_t(len), 0, 0},
             payload);
}

struct Probe {
  Bytes bytes;
  Frame f;
  Decoded d;
};

void run(Probe& r, const Bytes& frame, uint32_t link = kLinkEthernet) {
  r.bytes = frame;
  r.f.link_type = link;
  r.f.data = r.bytes;
  r.f.wire_len = static_cast<uint32_t>(r.bytes.size());
  decode(r.f, r.d);
}

std::vector<Layer> kinds(const Decoded& d) {
  std::vector<Layer> v;
  for (uint8_t i = 0; i < d.layer_count; ++i) v.push_back(d.layers[i].kind);
  return v;
}

// The inner 10.0.0.5 -> 10.0.0.6:80 TCP packet must be what connections see.
void expect_inner_tcp(const Decoded& d) {
  ASSERT_EQ(d.malformed, nullptr) << d.malformed;
  EXPECT_EQ(d.ip_version, 4);
  ASSERT_NE(d.src_ip, nullptr);
  EXPECT_EQ(d.src_ip[3], 5);
  EXPECT_EQ(d.dst_ip[3], 6);
  EXPECT_EQ(d.ip_proto, 6);
  EXPECT_EQ(d.dst_port, 80);
  ASSERT_GE(d.l4_layer, 0);
  EXPECT_EQ(d.layers[static_cast<size_t>(d.l4_layer)].kind, Layer::Tcp);
  EXPECT_EQ(d.l4_layer, d.ip_layer + 1);
  EXPECT_GE(d.outer_ip_layer, 0);
  EXPECT_LT(d.outer_ip_layer, d.ip_layer);
}

TEST(DecodeTunnels, GreWithChecksumKeySequence) {
  Bytes gre = {0xb0, 0, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0x2a, 0, 0, 0, 1};
  Probe r;
  run(r, eth(0x0800, ipv4(1, 2, 47, cat(gre, ipv4(5, 6, 6, tcp(40000, 80))))));
  EXPECT_EQ(kinds(r.d), (std::vector<Layer>{Layer::Eth, Layer::Ipv4, Layer::Gre, Layer::Ipv4, Layer::Tcp}));
  expect_inner_tcp(r.d);
  EXPECT_EQ(r.d.outer_ip_layer, 1);
}

TEST(DecodeTunnels, GretapAndGreInGre) {
  Bytes plain = {0, 0, 0x08, 0}, tap = {0, 0, 0x65, 0x58};
  Probe r;
  run(r, eth(0x0800, ipv4(1, 2, 47, cat(tap, eth(0x0800, ipv4(5, 6, 6, tcp(40000, 80)))))));
  EXPECT_EQ(kinds(r.d),
            (std::vector<Layer>{Layer::Eth, Layer::Ipv4, Layer::Gre, Layer::Eth, Layer::Ipv4, Layer::Tcp}));
  expect_inner_tcp(r.d);
  Probe n;
  run(n, eth(0x0800, ipv4(1, 2, 47, cat(plain, ipv4(3, 4, 47, cat(plain, ipv4(5, 6, 6, tcp(40000, 80))))))));
  expect_inner_tcp(n.d);
  EXPECT_EQ(n.d.outer_ip_layer, 1);
  EXPECT_EQ(n.d.ip_layer, 5);
}

TEST(DecodeTunnels, IpInIpAndSixInFour) {
  Probe r;
  run(r, eth(0x0800, ipv4(1, 2, 4, ipv4(5, 6, 6, tcp(40000, 80)))));
  expect_inner_tcp(r.d);
  Probe s;
  run(s, eth(0x0800, ipv4(1, 2, 41, ipv6(6, tcp(40000, 80)))));
  ASSERT_EQ(s.d.malformed, nullptr);
  EXPECT_EQ(s.d.ip_version, 6);
  EXPECT_EQ(s.d.ip_proto, 6);
  EXPECT_EQ(s.d.layers[static_cast<size_t>(s.d.ip_layer)].kind, Layer::Ipv6);
  Probe v;
  run(v, eth(0x86dd, ipv6(4, ipv4(5, 6, 6, tcp(40000, 80)))));
  expect_inner_tcp(v.d);
}

TEST(DecodeTunnels, VxlanAndGeneve) {
  Bytes vx = {0x08, 0, 0, 0, 0, 0x10, 0x92, 0};
  Probe r;
  run(r, eth(0x0800, ipv4(1, 2, 17, udp(33000, 4789, cat(vx, eth(0x0800, ipv4(5, 6, 6, tcp(40000, 80))))))));
  EXPECT_EQ(kinds(r.d), (std::vector<Layer>{Layer::Eth, Layer::Ipv4, Layer::Udp, Layer::Vxlan, Layer::Eth,
                                            Layer::Ipv4, Layer::Tcp}));
  expect_inner_tcp(r.d);
  EXPECT_EQ(r.d.src_port, 40000); // the outer UDP ports are not the connection's
  Bytes gv = {0x02, 0, 0x65, 0x58, 0, 0x12, 0x34, 0, 0x01, 0x02, 0x80, 0x01, 0, 0, 0, 0x2a};
  Probe g;
  run(g, eth(0x0800, ipv4(1, 2, 17, udp(6081, 6081, cat(gv, eth(0x0800, ipv4(5, 6, 6, tcp(40000, 80))))))));
  EXPECT_EQ(g.d.layers[3].kind, Layer::Geneve);
  expect_inner_tcp(g.d);
  // Geneve naming IPv4 directly (GCP does this).
  Bytes gi = {0, 0, 0x08, 0, 0, 0, 1, 0};
  Probe i;
  run(i, eth(0x0800, ipv4(1, 2, 17, udp(6081, 6081, cat(gi, ipv4(5, 6, 6, tcp(40000, 80)))))));
  expect_inner_tcp(i.d);
}

TEST(DecodeTunnels, GtpUAndTeredo) {
  Bytes gtp = {0x30, 0xff, 0, 40, 0x12, 0x34, 0xab, 0xcd};
  Probe g;
  run(g, eth(0x0800, ipv4(1, 2, 17, udp(2152, 2152, cat(gtp, ipv4(5, 6, 6, tcp(40000, 80)))))));
  EXPECT_EQ(g.d.layers[3].kind, Layer::GtpU);
  expect_inner_tcp(g.d);
  // Sequence number and one extension header (length 1 = 4 bytes, next type 0).
  Bytes ext = {0x36, 0xff, 0, 48, 0, 0, 0, 1, 0, 7, 0, 0x85, 1, 0x10, 0x20, 0};
  Probe e;
  run(e, eth(0x0800, ipv4(1, 2, 17, udp(2152, 2152, cat(ext, ipv4(5, 6, 6, tcp(40000, 80)))))));
  expect_inner_tcp(e.d);
  Bytes bad = {0x34, 0xff, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0x85, 0};
  Probe b; // an extension header of length 0 would never end
  run(b, eth(0x0800, ipv4(1, 2, 17, udp(2152, 2152, bad))));
  EXPECT_STREQ(b.d.malformed, "GTP extension header");
  Probe t;
  run(t, eth(0x0800, ipv4(1, 2, 17, udp(3544, 3544, ipv6(6, tcp(40000, 80))))));
  EXPECT_EQ(t.d.layers[3].kind, Layer::Teredo);
  EXPECT_EQ(t.d.ip_version, 6);
  EXPECT_EQ(t.d.dst_port, 80);
  Probe n; // port 3544 without IPv6 is not Teredo
  run(n, eth(0x0800, ipv4(1, 2, 17, udp(3544, 3544, {1, 2, 3, 4}))));
  EXPECT_EQ(n.d.layers[3].kind, Layer::Data);
}

TEST(DecodeTunnels, MplsStackByFirstNibble) {
  Bytes labels = {0x00, 0x3e, 0x82, 0x40, 0x00, 0x01, 0x01, 0x3f}; // 1000 (S=0), 16 (S=1)
  Probe r;
  run(r, eth(0x8847, cat(labels, ipv4(5, 6, 6, tcp(40000, 80)))));
  EXPECT_EQ(kinds(r.d), (std::vector<Layer>{Layer::Eth, Layer::Mpls, Layer::Ipv4, Layer::Tcp}));
  EXPECT_EQ(r.d.layers[1].offset, 14u);
  EXPECT_EQ(r.d.outer_ip_layer, -1); // MPLS alone is no IP tunnel
  EXPECT_EQ(r.d.dst_port, 80);
  Probe v; // inside an 802.1Q tag
  run(v, eth(0x8100, cat({0x20, 0x64, 0x88, 0x47}, cat(labels, ipv6(6, tcp(40000, 80))))));
  EXPECT_EQ(kinds(v.d), (std::vector<Layer>{Layer::Eth, Layer::Vlan, Layer::Mpls, Layer::Ipv6, Layer::Tcp}));
}

TEST(DecodeTunnels, TruncatedHeadersAreMarked) {
  Probe g;
  run(g, eth(0x0800, ipv4(1, 2, 47, {0xb0, 0, 0x08, 0, 0, 0}))); // checksum, key, sequence announced
  ASSERT_NE(g.d.malformed, nullptr);
  EXPECT_STREQ(g.d.malformed, "GRE");
  Probe v;
  run(v, eth(0x0800, ipv4(1, 2, 17, udp(33000, 4789, {0x08, 0, 0}))));
  EXPECT_STREQ(v.d.malformed, "VXLAN");
  EXPECT_EQ(v.d.layers[static_cast<size_t>(v.d.l4_layer)].kind, Layer::Udp); // the outer UDP flow
  Probe gv;
  run(gv, eth(0x0800, ipv4(1, 2, 17, udp(6081, 6081, {0x3f, 0, 0x65, 0x58, 0, 0, 1, 0}))));
  EXPECT_STREQ(gv.d.malformed, "Geneve");
  Probe m; // no bottom-of-stack entry before the frame ends
  run(m, eth(0x8847, {0, 1, 0, 0x40, 0, 2, 0, 0x40}));
  EXPECT_STREQ(m.d.malformed, "MPLS");
  // The same cut by the snapshot length: size limited, not malformed.
  Probe t;
  run(t, eth(0x8847, {0, 1, 0, 0x40}));
  t.f.wire_len = 200;
  decode(t.f, t.d);
  EXPECT_TRUE(t.d.truncated);
}

TEST(DecodeTunnels, EndlessNestingStopsAtTheCap) {
  Bytes pkt = ipv4(5, 6, 6, tcp(40000, 80));
  for (int i = 0; i < 40; ++i) pkt = ipv4(1, 2, 47, cat({0, 0, 0x08, 0}, pkt));
  Probe g;
  run(g, pkt, kLinkIpv4);
  ASSERT_NE(g.d.malformed, nullptr);
  EXPECT_STREQ(g.d.malformed, "Too many nested headers");
  EXPECT_LE(g.d.layer_count, g.d.layers.size());
  EXPECT_LT(g.d.ip_layer, g.d.layer_count);
  Bytes frame = eth(0x0800, ipv4(5, 6, 6, tcp(40000, 80)));
  for (int i = 0; i < 20; ++i)
    frame = eth(0x0800, ipv4(1, 2, 17, udp(33000, 4789, cat({0x08, 0, 0, 0, 0, 0, 1, 0}, frame))));
  Probe v;
  run(v, frame);
  EXPECT_STREQ(v.d.malformed, "Too many nested headers");
  if (v.d.l4_layer >= 0) {
    EXPECT_LT(v.d.l4_layer, v.d.layer_count);
  }
}

} // namespace
} // namespace ps
