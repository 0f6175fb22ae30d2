// FrameDecoder on raw-IP frames (link type 101): earlier fragments stop at the IP layer, the frame
// that completes a datagram gets its transport from the reassembled bytes; other frames are untouched.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "dissect/frame_decoder.h"
#include "ip_frag_builder.h"

namespace ps {
namespace {

using namespace test;

struct Feed {
  FrameDecoder dec;
  Frame frame;
  Decoded d;
  std::vector<uint8_t> bytes;
  const Decoded& run(std::vector<uint8_t> b, uint64_t number) {
    bytes = std::move(b);
    frame.number = number;
    frame.link_type = kLinkRaw;
    frame.data = bytes;
    frame.wire_len = static_cast<uint32_t>(bytes.size());
    dec.decode(frame, d);
    return d;
  }
};

TEST(FrameDecoder, CompletingIpv4FragmentCarriesTheReassembledTransport) {
  Feed t;
  const auto dg = udp_datagram(2992); // 3000 bytes of IP payload
  const Decoded& a = t.run(ipv4_fragment(dg, 1480, 1480, 77), 1);
  EXPECT_TRUE(a.ip_fragment);
  ASSERT_EQ(a.layer_count, 2);
  EXPECT_EQ(a.layers[1].kind, Layer::Data);
  EXPECT_EQ(a.reassembly, nullptr);
  t.run(ipv4_fragment(dg, 0, 1480, 77), 2);
  const Decoded& c = t.run(ipv4_fragment(dg, 2960, 40, 77), 3);
  EXPECT_FALSE(c.ip_fragment);
  ASSERT_NE(c.reassembly, nullptr);
  EXPECT_EQ(c.reassembly->fragments.size(), 3u);
  ASSERT_EQ(c.layer_count, 2);
  EXPECT_EQ(c.layers[0].kind, Layer::Ipv4);
  EXPECT_EQ(c.layers[0].source, Source::Frame);
  EXPECT_EQ(c.layers[0].length, 60u); // the completing fragment's own header and payload
  EXPECT_EQ(c.layers[1].kind, Layer::Udp);
  EXPECT_EQ(c.layers[1].source, Source::Reassembled);
  EXPECT_EQ(c.layers[1].length, 3000u);
  EXPECT_EQ(c.src_port, 41004);
  EXPECT_EQ(c.dst_port, 53);
  const auto payload = c.payload();
  ASSERT_EQ(payload.size(), 2992u);
  EXPECT_TRUE(std::equal(payload.begin(), payload.end(), dg.begin() + 8));
  EXPECT_EQ(t.dec.defrag_counters().reassembled, 1u);
}

TEST(FrameDecoder, Ipv6FragmentsAndPlainFramesAlongside) {
  Feed t;
  const auto dg = udp_datagram(2000);
  const Decoded& a = t.run(ipv6_fragment(dg, 0, 1232), 1);
  EXPECT_TRUE(a.ip_fragment);
  EXPECT_FALSE(a.has(Layer::Udp));
  // A whole datagram in between is decoded as it always was.
  const Decoded& p = t.run(ipv4_fragment(udp_datagram(100), 0, 108, 5), 2);
  EXPECT_FALSE(p.ip_fragment);
  EXPECT_EQ(p.reassembly, nullptr);
  ASSERT_EQ(p.layer_count, 2);
  EXPECT_EQ(p.layers[1].source, Source::Frame);
  const Decoded& c = t.run(ipv6_fragment(dg, 1232, 776), 3);
  ASSERT_NE(c.reassembly, nullptr);
  EXPECT_EQ(c.reassembly->ip_version, 6);
  ASSERT_EQ(c.layer_count, 2);
  EXPECT_EQ(c.layers[1].kind, Layer::Udp);
  EXPECT_EQ(c.layers[1].source, Source::Reassembled);
  EXPECT_EQ(c.ip_proto, 17);
  EXPECT_EQ(c.payload().size(), 2000u);
}

TEST(FrameDecoder, TruncatedFragmentIsNotReassembled) {
  Feed t;
  const auto dg = udp_datagram(2992);
  t.run(ipv4_fragment(dg, 0, 1480, 9), 1);
  auto cut = ipv4_fragment(dg, 1480, 1520, 9);
  const uint32_t wire = static_cast<uint32_t>(cut.size());
  cut.resize(200); // snaplen
  t.bytes = std::move(cut);
  t.frame.number = 2;
  t.frame.link_type = kLinkRaw;
  t.frame.data = t.bytes;
  t.frame.wire_len = wire;
  t.dec.decode(t.frame, t.d);
  EXPECT_TRUE(t.d.ip_fragment);
  EXPECT_EQ(t.d.reassembly, nullptr);
  EXPECT_EQ(t.dec.defrag_counters().fragments, 1u); // the cut one was never offered
}

} // namespace
} // namespace ps
