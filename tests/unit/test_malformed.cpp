// Malformed and truncated frames: decode() stops at the failing layer with a reason, describe()
// shows it where tshark would, and nothing is read past the frame. Built from bytes here, and read
// from tests/data/crafted/malformed.pcap (each bad frame followed by a good one).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "capture/reader.h"
#include "describe/describe.h"
#include "dissect/packet.h"

namespace ps {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes eth(uint16_t type, const Bytes& payload) {
  Bytes f = {0x02, 0, 0xc0, 0xa8, 1, 0xc8, 0x02, 0, 0xc0, 0xa8, 1, 0x15, uint8_t(type >> 8), uint8_t(type)};
  for (uint8_t b : payload) f.push_back(b);
  return f;
}

Bytes ipv4(uint8_t vihl, uint16_t total, uint8_t proto, const Bytes& payload) {
  Bytes h = {vihl,
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
             192,
             168,
             1,
             21,
             192,
             168,
             1,
             200};
  for (uint8_t b : payload) h.push_back(b);
  return h;
}

Bytes tcp(uint8_t doff) {
  Bytes t = {0x9c, 0x44, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, uint8_t(doff << 4), 0x02, 0xfa, 0xf0, 0, 0, 0, 0};
  return t;
}

Bytes ipv6(uint8_t next, const Bytes& payload) {
  Bytes h = {0x60, 0, 0, 0, uint8_t(payload.size() >> 8), uint8_t(payload.size()), next, 64};
  for (int i = 0; i < 2; ++i) {
    Bytes a = {0xfd, 0, 0, 0x77, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, uint8_t(i ? 0 : 0x21)};
    for (uint8_t b : a) h.push_back(b);
  }
  for (uint8_t b : payload) h.push_back(b);
  return h;
}

struct Result {
  Decoded d;
  std::string tree;
};

Result run(const Bytes& bytes, uint32_t wire_len = 0) {
  Frame f;
  f.number = 1;
  f.data = bytes;
  f.wire_len = wire_len ? wire_len : static_cast<uint32_t>(bytes.size());
  Result res;
  decode(f, res.d);
  Record rec;
  rec.reset(true, nullptr, true);
  PacketMeta meta;
  DescribeOptions opt;
  describe(res.d, meta, opt, FrameTimes{}, rec);
  for (const Item& it : rec.items()) {
    res.tree.append(it.depth * 4u, ' ');
    res.tree += it.text;
    res.tree += '\n';
  }
  res.d.frame = nullptr; // `f` dies here
  return res;
}

TEST(Malformed, TruncatedEthernet) {
  Result r = run({2, 0, 0xc0, 0xa8, 1, 0xc8, 2, 0, 0xc0, 0xa8});
  ASSERT_NE(r.d.malformed, nullptr);
  EXPECT_STREQ(r.d.malformed, "Ethernet");
  EXPECT_FALSE(r.d.truncated);
  EXPECT_EQ(r.d.layer_count, 0);
  EXPECT_NE(r.tree.find("[Malformed Packet: Ethernet]"), std::string::npos) << r.tree;
}

TEST(Malformed, TruncatedEthernetSizeLimited) {
  Result r = run({2, 0, 0xc0, 0xa8, 1, 0xc8, 2, 0, 0xc0, 0xa8}, 60);
  EXPECT_TRUE(r.d.truncated);
  EXPECT_NE(r.tree.find("[Packet size limited during capture: Ethernet truncated]"), std::string::npos)
      << r.tree;
}

TEST(Malformed, Ipv4IhlBelowFive) {
  Result r = run(eth(0x0800, ipv4(0x44, 28, 1, Bytes(8))));
  ASSERT_NE(r.d.malformed, nullptr);
  EXPECT_EQ(r.d.malformed_layer, 1); // after Ethernet
  EXPECT_EQ(r.d.ip_layer, -1);
  EXPECT_NE(r.tree.find("[Malformed Packet: IPv4 header length < 20]"), std::string::npos) << r.tree;
}

TEST(Malformed, Ipv4TotalLengthBeyondFrame) {
  Result r = run(eth(0x0800, ipv4(0x45, 200, 1, Bytes{8, 0, 0, 0, 0, 1, 0, 1})));
  ASSERT_NE(r.d.malformed, nullptr);
  EXPECT_FALSE(r.d.truncated);
  EXPECT_EQ(r.d.ip_layer, 1);
  EXPECT_NE(r.tree.find("Internet Protocol Version 4, Src: 192.168.1.21"), std::string::npos);
  EXPECT_NE(r.tree.find("[Malformed Packet: IPv4 total length exceeds packet length]"), std::string::npos)
      << r.tree;
}

TEST(Malformed, Ipv4TotalLengthBeyondCaptureIsSizeLimited) {
  Bytes f = eth(0x0800, ipv4(0x45, 40, 6, tcp(5)));
  Bytes cut(f.begin(), f.begin() + 40);
  Result r = run(cut, static_cast<uint32_t>(f.size()));
  ASSERT_NE(r.d.malformed, nullptr);
  EXPECT_TRUE(r.d.truncated);
  EXPECT_NE(r.tree.find("[Packet size limited during capture:"), std::string::npos) << r.tree;
  EXPECT_EQ(r.tree.find("[Malformed Packet"), std::string::npos) << r.tree;
}

TEST(Malformed, TcpDataOffsetBelowFive) {
  Result r = run(eth(0x0800, ipv4(0x45, 40, 6, tcp(4))));
  ASSERT_NE(r.d.malformed, nullptr);
  EXPECT_EQ(r.d.l4_layer, -1);
  EXPECT_EQ(r.d.malformed_layer, 2);
  EXPECT_NE(r.tree.find("[Malformed Packet:"), std::string::npos) << r.tree;
}

TEST(Malformed, TcpDataOffsetBeyondSegment) {
  Result r = run(eth(0x0800, ipv4(0x45, 40, 6, tcp(15))));
  ASSERT_NE(r.d.malformed, nullptr);
  EXPECT_EQ(r.d.malformed_layer, 2);
  EXPECT_NE(r.tree.find("[Malformed Packet:"), std::string::npos) << r.tree;
}

TEST(Malformed, Ipv6ExtensionChainTooLong) {
  Bytes chain;
  for (int i = 0; i < 20; ++i) chain.insert(chain.end(), {60, 0, 1, 4, 0, 0, 0, 0});
  chain.insert(chain.end(), {59, 0, 1, 4, 0, 0, 0, 0});
  Result r = run(eth(0x86dd, ipv6(0, chain)));
  ASSERT_NE(r.d.malformed, nullptr);
  EXPECT_STREQ(r.d.malformed, "IPv6 extension header chain too long");
  EXPECT_EQ(r.d.ip_layer, 1);
  EXPECT_NE(r.tree.find("[Malformed Packet: IPv6 extension header chain too long]"), std::string::npos);
}

TEST(Malformed, Ipv6ExtensionOverrun) {
  Result r = run(eth(0x86dd, ipv6(0, {58, 4, 1, 4, 0, 0, 0, 0})));
  ASSERT_NE(r.d.malformed, nullptr);
  EXPECT_STREQ(r.d.malformed, "IPv6 extension header overruns the packet");
  EXPECT_FALSE(r.d.has(Layer::Icmpv6));
  EXPECT_NE(r.tree.find("Internet Protocol Version 6"), std::string::npos);
}

TEST(Malformed, EveryPrefixOfAGoodFrameIsSafe) {
  // Cut a well-formed IPv6 hop-by-hop + ICMPv6 echo at every length, as size-limited and as not.
  Bytes body = {58, 0, 5, 2, 0, 0, 1, 0, 128, 0, 0, 0, 0, 1, 0, 1, 'a', 'b'};
  Bytes f = eth(0x86dd, ipv6(0, body));
  for (size_t n = 0; n <= f.size(); ++n) {
    Bytes cut(f.begin(), f.begin() + static_cast<long>(n));
    Result a = run(cut, static_cast<uint32_t>(f.size()));
    Result b = run(cut);
    if (n < f.size()) {
      EXPECT_NE(a.d.malformed, nullptr) << n;
      EXPECT_TRUE(a.d.truncated) << n;
    }
    EXPECT_FALSE(b.d.truncated) << n;
  }
}

TEST(Malformed, CraftedFileRecoversAfterEachBadFrame) {
  auto reader = open_capture(std::string(PORTSCOPE_TEST_DATA) + "/crafted/malformed.pcap");
  Frame f;
  std::vector<std::pair<const char*, bool>> got;
  std::vector<bool> icmp;
  while (reader->next(f)) {
    Decoded d;
    decode(f, d);
    got.emplace_back(d.malformed, d.truncated);
    icmp.push_back(d.has(Layer::Icmp));
  }
  ASSERT_EQ(got.size(), 16u);
  for (size_t i = 0; i < got.size(); i += 2) {
    EXPECT_NE(got[i].first, nullptr) << "frame " << i + 1;
    EXPECT_EQ(got[i + 1].first, nullptr) << "frame " << i + 2;
    EXPECT_TRUE(icmp[i + 1]) << "frame " << i + 2;
  }
  EXPECT_TRUE(got[14].second); // frame 15: caplen < wire length
}

} // namespace
} // namespace ps
