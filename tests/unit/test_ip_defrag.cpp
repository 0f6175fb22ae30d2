// IP fragment reassembly: in order, out of order, duplicates and overlaps (first seen wins), IPv4 and
// IPv6 keys, the limits and their counters.
#include <gtest/gtest.h>

#include <vector>

#include "dissect/ip_defrag.h"
#include "ip_frag_builder.h"

namespace ps {
namespace {

using namespace test;

// Fragment [off, off + len) of `dg` as the decoder would hand it over.
IpFragment frag4(const std::vector<uint8_t>& dg, uint32_t off, uint32_t len, uint64_t frame,
                 uint16_t id = 0x1234, uint8_t proto = 17, const uint8_t* src = kSrc4) {
  IpFragment f;
  f.ip_version = 4;
  f.proto = proto;
  f.id = id;
  f.src = src;
  f.dst = kDst4;
  f.offset = off;
  f.more = off + len < dg.size();
  f.frame = frame;
  f.payload = std::span<const uint8_t>(dg).subspan(off, len);
  return f;
}

IpFragment frag6(const std::vector<uint8_t>& dg, uint32_t off, uint32_t len, uint64_t frame, uint8_t next) {
  IpFragment f = frag4(dg, off, len, frame, 0, next);
  f.ip_version = 6;
  f.id = 0xccca3210;
  f.src = kSrc6;
  f.dst = kDst6;
  return f;
}

TEST(IpDefrag, InOrderCompletesOnTheLastFragment) {
  IpDefragmenter d;
  const auto dg = pattern(3000);
  EXPECT_EQ(d.add(frag4(dg, 0, 1480, 1)), nullptr);
  EXPECT_EQ(d.add(frag4(dg, 1480, 1480, 2)), nullptr);
  EXPECT_EQ(d.counters().pending_datagrams, 1u);
  EXPECT_EQ(d.counters().pending_bytes, 2960u);
  const IpReassembly* r = d.add(frag4(dg, 2960, 40, 3));
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->data, dg);
  EXPECT_EQ(r->proto, 17);
  EXPECT_EQ(r->ip_version, 4);
  ASSERT_EQ(r->fragments.size(), 3u);
  EXPECT_EQ(r->fragments[2].frame, 3u);
  EXPECT_EQ(r->fragments[2].offset, 2960u);
  EXPECT_EQ(r->fragments[2].length, 40u);
  EXPECT_EQ(d.counters().reassembled, 1u);
  EXPECT_EQ(d.counters().fragments, 3u);
  EXPECT_EQ(d.counters().pending_datagrams, 0u);
  EXPECT_EQ(d.counters().pending_bytes, 0u);
}

TEST(IpDefrag, OutOfOrderListsFragmentsByOffset) {
  IpDefragmenter d;
  const auto dg = pattern(2500);
  EXPECT_EQ(d.add(frag4(dg, 2000, 500, 1)), nullptr); // the tail first: total known, holes before it
  EXPECT_EQ(d.add(frag4(dg, 0, 1000, 2)), nullptr);
  const IpReassembly* r = d.add(frag4(dg, 1000, 1000, 3));
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->data, dg);
  ASSERT_EQ(r->fragments.size(), 3u);
  EXPECT_EQ(r->fragments[0].frame, 2u);
  EXPECT_EQ(r->fragments[1].frame, 3u);
  EXPECT_EQ(r->fragments[2].frame, 1u);
}

TEST(IpDefrag, DuplicateIsCountedAndHarmless) {
  IpDefragmenter d;
  const auto dg = pattern(2000);
  EXPECT_EQ(d.add(frag4(dg, 0, 1000, 1)), nullptr);
  EXPECT_EQ(d.add(frag4(dg, 0, 1000, 2)), nullptr);
  EXPECT_EQ(d.counters().overlapping, 1u);
  EXPECT_EQ(d.counters().pending_bytes, 1000u);
  const IpReassembly* r = d.add(frag4(dg, 1000, 1000, 3));
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->data, dg);
  EXPECT_EQ(r->fragments.size(), 3u); // tshark lists the duplicate too
}

TEST(IpDefrag, OverlapKeepsTheBytesSeenFirst) {
  IpDefragmenter d;
  const auto dg = pattern(3000);
  auto other = pattern(3000, 99); // same datagram, different bytes: only its new ranges may count
  EXPECT_EQ(d.add(frag4(dg, 1000, 500, 1)), nullptr);
  EXPECT_EQ(d.add(frag4(other, 0, 1200, 2)), nullptr); // overlaps [1000, 1200)
  EXPECT_EQ(d.counters().overlapping, 1u);
  EXPECT_EQ(d.add(frag4(other, 1800, 1200, 3)), nullptr); // the tail; [1500, 1800) still missing
  EXPECT_EQ(d.counters().overlapping, 1u);
  const IpReassembly* r = d.add(frag4(other, 1400, 500, 4)); // fills the hole, overlapping both sides
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(d.counters().overlapping, 2u);
  std::vector<uint8_t> want(other.begin(), other.begin() + 1000);
  want.insert(want.end(), dg.begin() + 1000, dg.begin() + 1500);
  want.insert(want.end(), other.begin() + 1500, other.end());
  EXPECT_EQ(r->data, want);
}

TEST(IpDefrag, KeysSeparateProtocolsSourcesAndIds) {
  IpDefragmenter d;
  const auto dg = pattern(2000);
  EXPECT_EQ(d.add(frag4(dg, 0, 1000, 1, 7, 17)), nullptr);
  EXPECT_EQ(d.add(frag4(dg, 1000, 1000, 2, 7, 6)), nullptr);           // other protocol
  EXPECT_EQ(d.add(frag4(dg, 1000, 1000, 3, 8, 17)), nullptr);          // other id
  EXPECT_EQ(d.add(frag4(dg, 1000, 1000, 4, 7, 17, kOther4)), nullptr); // other source
  EXPECT_EQ(d.counters().pending_datagrams, 4u);
  const IpReassembly* r = d.add(frag4(dg, 1000, 1000, 5, 7, 17));
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->fragments.front().frame, 1u);
  EXPECT_EQ(r->fragments.back().frame, 5u);
}

TEST(IpDefrag, Ipv6TakesTheProtocolFromTheFirstFragment) {
  IpDefragmenter d;
  const auto dg = pattern(3000);
  EXPECT_EQ(d.add(frag6(dg, 1232, 1768, 1, 0)), nullptr); // a later fragment's next header is not the key
  const IpReassembly* r = d.add(frag6(dg, 0, 1232, 2, 58));
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->ip_version, 6);
  EXPECT_EQ(r->proto, 58);
  EXPECT_EQ(r->data, dg);
  // An IPv4 datagram with the same low id bits and addresses elsewhere is another key.
  EXPECT_EQ(d.add(frag4(dg, 0, 1000, 3, 0x3210)), nullptr);
  EXPECT_EQ(d.counters().pending_datagrams, 1u);
}

TEST(IpDefrag, PendingDatagramLimitDropsTheOldest) {
  DefragOptions o;
  o.max_pending_datagrams = 2;
  IpDefragmenter d(o);
  const auto dg = pattern(2000);
  EXPECT_EQ(d.add(frag4(dg, 0, 1000, 1, 1)), nullptr);
  EXPECT_EQ(d.add(frag4(dg, 0, 1000, 2, 2)), nullptr);
  EXPECT_EQ(d.add(frag4(dg, 500, 500, 3, 2)), nullptr);
  EXPECT_EQ(d.add(frag4(dg, 0, 1000, 4, 3)), nullptr); // id 1 must go
  EXPECT_EQ(d.counters().dropped_datagrams, 1u);
  EXPECT_EQ(d.counters().dropped_fragments, 1u);
  EXPECT_EQ(d.counters().pending_datagrams, 2u);
  EXPECT_EQ(d.add(frag4(dg, 1000, 1000, 5, 1)), nullptr); // its head was dropped: cannot complete
  EXPECT_NE(d.add(frag4(dg, 1000, 1000, 6, 3)), nullptr); // id 3 was kept
  EXPECT_EQ(d.counters().dropped_datagrams, 2u);          // id 1's tail pushed id 2 out
  EXPECT_EQ(d.counters().dropped_fragments, 3u);          // id 1's head, id 2's two fragments
}

TEST(IpDefrag, ByteLimitDropsTheOldestAndRefusesWhatCannotFit) {
  DefragOptions o;
  o.max_pending_bytes = 2500;
  IpDefragmenter d(o);
  const auto dg = pattern(4000);
  EXPECT_EQ(d.add(frag4(dg, 0, 1200, 1, 1)), nullptr);
  EXPECT_EQ(d.add(frag4(dg, 0, 1200, 2, 2)), nullptr);
  EXPECT_EQ(d.counters().pending_bytes, 2400u);
  EXPECT_EQ(d.add(frag4(dg, 0, 1200, 3, 3)), nullptr); // 3600 > 2500: id 1 goes
  EXPECT_EQ(d.counters().dropped_datagrams, 1u);
  EXPECT_EQ(d.counters().pending_bytes, 2400u);
  EXPECT_LE(d.counters().pending_bytes, o.max_pending_bytes);
  // One datagram needing more than the whole budget is dropped itself, after the others.
  EXPECT_EQ(d.add(frag4(dg, 2600, 1400, 4, 3)), nullptr);
  EXPECT_EQ(d.counters().pending_datagrams, 0u);
  EXPECT_EQ(d.counters().pending_bytes, 0u);
  EXPECT_EQ(d.counters().dropped_datagrams, 3u);
  EXPECT_EQ(d.counters().dropped_fragments, 4u); // ids 1, 2, 3's head, and the fragment refused
}

TEST(IpDefrag, OversizedAndInconsistentFragmentsAreRefused) {
  IpDefragmenter d;
  const auto big = pattern(70000);
  EXPECT_EQ(d.add(frag4(big, 65000, 1000, 1)), nullptr); // ends past 65,535
  EXPECT_EQ(d.counters().dropped_fragments, 1u);
  EXPECT_EQ(d.counters().pending_datagrams, 0u);
  const auto dg = pattern(3000);
  EXPECT_EQ(d.add(frag4(dg, 2000, 1000, 2)), nullptr); // tail: total 3000
  IpFragment beyond = frag4(big, 2000, 2000, 3);       // data past the known end
  EXPECT_EQ(d.add(beyond), nullptr);
  IpFragment second_tail = frag4(dg, 1000, 1000, 4);
  second_tail.more = false; // a second, shorter tail
  EXPECT_EQ(d.add(second_tail), nullptr);
  EXPECT_EQ(d.counters().dropped_fragments, 3u);
  const IpReassembly* r = d.add(frag4(dg, 0, 2000, 5));
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->data, dg);
}

} // namespace
} // namespace ps
