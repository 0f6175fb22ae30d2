// TCP reassembly: in-order delivery, overlaps (first seen wins), out-of-order, gaps, wrap-around, limits.
#include <gtest/gtest.h>

#include <string>

#include "flow/reassembly.h"

namespace ps {
namespace {

struct Collect final : StreamSink {
  std::string data; // delivered bytes, '#' per missed byte
  uint64_t gaps = 0;
  void on_data(std::span<const uint8_t> b) override {
    data.append(reinterpret_cast<const char*>(b.data()), b.size());
  }
  void on_gap(uint64_t n) override {
    gaps += n;
    data.append(static_cast<size_t>(n), '#');
  }
};

std::span<const uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(Reassembly, InOrderAfterSyn) {
  DirectionReassembler r;
  Collect c;
  r.syn(1000);
  std::string a = "hello ", b = "world";
  r.segment(1001, bytes(a), c);
  r.segment(1007, bytes(b), c);
  EXPECT_EQ(c.data, "hello world");
  EXPECT_EQ(r.delivered(), 11u);
}

TEST(Reassembly, OutOfOrderIsBufferedThenDelivered) {
  DirectionReassembler r;
  Collect c;
  r.syn(0);
  std::string a = "AAAA", b = "BBBB", d = "CCCC";
  r.segment(9, bytes(d), c);
  r.segment(5, bytes(b), c);
  EXPECT_EQ(c.data, "");
  EXPECT_EQ(r.buffered_bytes(), 8u);
  r.segment(1, bytes(a), c);
  EXPECT_EQ(c.data, "AAAABBBBCCCC");
  EXPECT_EQ(r.buffered_bytes(), 0u);
}

TEST(Reassembly, RetransmissionWithDifferentBytesKeepsFirst) {
  DirectionReassembler r;
  Collect c;
  r.syn(0);
  std::string a = "first", b = "XXXXXsecond";
  r.segment(1, bytes(a), c);
  r.segment(1, bytes(b), c); // overlaps the delivered 5 bytes, then adds 6 new ones
  EXPECT_EQ(c.data, "firstsecond");
  EXPECT_EQ(r.retransmitted_bytes(), 5u);
}

TEST(Reassembly, OverlapWithBufferedDataKeepsFirstSeen) {
  DirectionReassembler r;
  Collect c;
  r.syn(0);
  std::string late = "2222", other = "xxxxxx", head = "11";
  r.segment(3, bytes(late), c);  // bytes 2..5 seen first
  r.segment(1, bytes(other), c); // covers 0..5: only 0..1 are new
  EXPECT_EQ(c.data, "xx2222");
  (void)head;
}

TEST(Reassembly, OverlapSpanningSeveralPieces) {
  DirectionReassembler r;
  Collect c;
  r.syn(0);
  std::string p1 = "bb", p2 = "dd", all = "ABCDEFG";
  r.segment(3, bytes(p1), c);  // offsets 2,3
  r.segment(6, bytes(p2), c);  // offsets 5,6
  r.segment(2, bytes(all), c); // offsets 1..7: fills 1, 4 and 7 only; offset 0 still missing
  EXPECT_EQ(c.data, "");
  std::string first = "z";
  r.segment(1, bytes(first), c);
  EXPECT_EQ(c.data, "zAbbDddG");
}

TEST(Reassembly, GapReportedWhenPeerAcksPastIt) {
  DirectionReassembler r;
  Collect c;
  r.syn(0);
  std::string a = "aaa", b = "bbb";
  r.segment(1, bytes(a), c);
  r.segment(7, bytes(b), c); // bytes 3..5 were never captured
  r.acked(4, c);             // not past the hole yet
  EXPECT_EQ(c.data, "aaa");
  r.acked(10, c);
  EXPECT_EQ(c.data, "aaa###bbb");
  EXPECT_EQ(r.missed_bytes(), 3u);
}

TEST(Reassembly, SegmentBeyondAnAckedHoleIsDeliveredAtOnce) {
  DirectionReassembler r;
  Collect c;
  r.syn(0);
  std::string a = "aaa", b = "bbb", d = "ddd";
  r.segment(1, bytes(a), c);
  r.acked(7, c);             // the peer got bytes 3..5, which the capture lost
  r.segment(7, bytes(b), c); // beyond the acked hole: no reason to wait for it
  EXPECT_EQ(c.data, "aaa###bbb");
  EXPECT_EQ(r.missed_bytes(), 3u);
  r.segment(13, bytes(d), c); // beyond a hole not acked yet: may still be filled (reordering)
  EXPECT_EQ(c.data, "aaa###bbb");
  std::string e = "ccc";
  r.segment(10, bytes(e), c);
  EXPECT_EQ(c.data, "aaa###bbbcccddd");
}

TEST(Reassembly, FlushDeliversAcrossHoles) {
  DirectionReassembler r;
  Collect c;
  r.syn(0);
  std::string a = "a", b = "b";
  r.segment(3, bytes(a), c);
  r.segment(6, bytes(b), c);
  r.flush(c);
  EXPECT_EQ(c.data, "##a##b");
  EXPECT_EQ(c.gaps, 4u);
}

TEST(Reassembly, SequenceWrapAround) {
  DirectionReassembler r;
  Collect c;
  r.syn(0xfffffffd); // data starts at 0xfffffffe
  std::string a = "ab", b = "cd", d = "ef";
  r.segment(0x00000002, bytes(d), c); // after the wrap, out of order
  r.segment(0xfffffffe, bytes(a), c);
  r.segment(0x00000000, bytes(b), c);
  EXPECT_EQ(c.data, "abcdef");
  EXPECT_EQ(r.delivered(), 6u);
}

TEST(Reassembly, MidStreamPickupStartsAtFirstSegment) {
  DirectionReassembler r;
  Collect c;
  std::string a = "xyz";
  r.segment(123456, bytes(a), c);
  EXPECT_EQ(c.data, "xyz");
}

TEST(Reassembly, PerConnectionLimitDropsAndStopsWaiting) {
  DirectionReassembler r(nullptr, 10);
  Collect c;
  r.syn(0);
  std::string a = "12345678", b = "ABCDEFGH";
  r.segment(11, bytes(a), c); // buffered
  EXPECT_EQ(r.buffered_bytes(), 8u);
  EXPECT_EQ(c.data, "");
  r.segment(21, bytes(b), c); // does not fit: dropped, and the reassembler stops waiting for the hole
  EXPECT_EQ(r.dropped_bytes(), 8u);
  EXPECT_EQ(c.data.substr(0, 10), std::string(10, '#'));
  EXPECT_EQ(c.data.substr(10), "12345678");
}

TEST(Reassembly, SharedBudgetBoundsAllConnections) {
  ReassemblyBudget budget;
  budget.limit = 10;
  Collect c1, c2;
  {
    DirectionReassembler r1(&budget), r2(&budget);
    r1.syn(0);
    r2.syn(0);
    std::string six = "666666";
    r1.segment(5, bytes(six), c1);
    EXPECT_EQ(budget.used, 6u);
    r2.segment(5, bytes(six), c2); // only 4 bytes of budget left
    EXPECT_GT(budget.dropped_bytes, 0u);
    EXPECT_LE(budget.used, 10u);
  }
  EXPECT_EQ(budget.used, 0u); // destructors give the budget back
}

TEST(Reassembly, EmptySegmentsAndOldDataAreHarmless) {
  DirectionReassembler r;
  Collect c;
  r.syn(100);
  r.segment(101, {}, c);
  std::string a = "abc";
  r.segment(101, bytes(a), c);
  r.segment(50, bytes(a), c); // far in the past
  EXPECT_EQ(c.data, "abc");
}

} // namespace
} // namespace ps
