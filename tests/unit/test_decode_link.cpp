// Link layers and IPv6 extension headers in decode(): each capture in tests/data/crafted/ decodes
// into the layer list tshark's frame.protocols shows (references: crafted/*.fields.tsv).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "capture/reader.h"
#include "dissect/packet.h"
#include "wire/ipv6.h"

namespace ps {
namespace {

std::vector<std::vector<Layer>> layers_of(const std::string& name) {
  auto reader = open_capture(std::string(PORTSCOPE_TEST_DATA) + "/crafted/" + name);
  std::vector<std::vector<Layer>> out;
  Frame f;
  while (reader->next(f)) {
    Decoded d;
    decode(f, d);
    EXPECT_EQ(d.malformed, nullptr) << name << " frame " << f.number << ": " << d.malformed;
    std::vector<Layer> l;
    for (uint8_t i = 0; i < d.layer_count; ++i) l.push_back(d.layers[i].kind);
    out.push_back(l);
  }
  return out;
}

using L = Layer;

TEST(DecodeLink, VlanAndQinQ) {
  auto v = layers_of("vlan.pcap");
  ASSERT_EQ(v.size(), 6u);
  EXPECT_EQ(v[0], (std::vector<L>{L::Eth, L::Vlan, L::Ipv4, L::Icmp}));
  EXPECT_EQ(v[2], (std::vector<L>{L::Eth, L::Vlan, L::Vlan, L::Ipv4, L::Udp}));
  EXPECT_EQ(v[3], (std::vector<L>{L::Eth, L::Vlan, L::Arp}));
  EXPECT_EQ(v[4], (std::vector<L>{L::Eth, L::Vlan, L::Ipv6, L::Icmpv6}));
  EXPECT_EQ(v[5], (std::vector<L>{L::Eth8023, L::Data})); // LLC UI frame, 14 data bytes
}

TEST(DecodeLink, CookedNullRaw) {
  auto s = layers_of("sll.pcap");
  ASSERT_EQ(s.size(), 5u);
  EXPECT_EQ(s[2], (std::vector<L>{L::Sll, L::Arp}));
  EXPECT_EQ(s[3], (std::vector<L>{L::Sll, L::Ipv6, L::Icmpv6}));
  auto n = layers_of("null-le.pcap");
  ASSERT_EQ(n.size(), 3u);
  EXPECT_EQ(n[0], (std::vector<L>{L::Null, L::Ipv4, L::Icmp}));
  EXPECT_EQ(n[1], (std::vector<L>{L::Null, L::Ipv6, L::Icmpv6}));
  auto b = layers_of("loop-be.pcap");
  EXPECT_EQ(b[1], (std::vector<L>{L::Null, L::Ipv6, L::Icmpv6}));
  auto r = layers_of("raw-ip.pcap");
  EXPECT_EQ(r[2], (std::vector<L>{L::Ipv4, L::Tcp}));
}

TEST(DecodeLink, Ipv6Fragments) {
  auto reader = open_capture(std::string(PORTSCOPE_TEST_DATA) + "/crafted/ipv6-ext.pcap");
  Frame f;
  std::vector<Decoded> ds;
  while (reader->next(f)) {
    Decoded d;
    decode(f, d);
    ds.push_back(d);
  }
  ASSERT_EQ(ds.size(), 10u);
  EXPECT_EQ(ds[0].ip_proto, 58); // after hop-by-hop and destination options
  EXPECT_TRUE(ds[0].has(Layer::Icmpv6));
  EXPECT_TRUE(ds[1].has(Layer::Icmpv6)); // after a routing header
  for (int i : {2, 3}) {
    EXPECT_TRUE(ds[static_cast<size_t>(i)].ip_fragment) << i;
    EXPECT_EQ(ds[static_cast<size_t>(i)].ip_proto, 58) << i;
    EXPECT_FALSE(ds[static_cast<size_t>(i)].has(Layer::Icmpv6)) << i;
    EXPECT_TRUE(ds[static_cast<size_t>(i)].has(Layer::Data)) << i;
  }
  EXPECT_EQ(ds[9].l4_layer, 2);
  EXPECT_EQ(ds[9].dst_port, 80);
}

TEST(WireIpv6, WalkerStopsAtUpperLayerAndBoundsEveryHeader) {
  std::vector<uint8_t> p(40, 0);
  p[0] = 0x60;
  p[6] = 0; // hop-by-hop
  for (uint8_t b : {60, 0, 1, 4, 0, 0, 0, 0, 6, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}) p.push_back(b);
  wire::Ipv6ExtWalker w(p);
  wire::Ipv6Ext e;
  ASSERT_TRUE(w.next(e));
  EXPECT_EQ(e.type, 0);
  EXPECT_EQ(e.length, 8u);
  ASSERT_TRUE(w.next(e));
  EXPECT_EQ(e.type, 60);
  EXPECT_EQ(e.length, 16u);
  EXPECT_FALSE(w.next(e));
  EXPECT_EQ(w.upper(), 6);
  EXPECT_EQ(w.upper_offset(), 64u);
  EXPECT_EQ(w.error(), nullptr);
  p.pop_back(); // the destination options header now overruns
  wire::Ipv6ExtWalker w2(p);
  ASSERT_TRUE(w2.next(e));
  EXPECT_FALSE(w2.next(e));
  EXPECT_STREQ(w2.error(), "IPv6 extension header overruns the packet");
}

} // namespace
} // namespace ps
