// The report's bounded aggregates: I/O bins that merge as the capture grows, sequence series that thin
// without losing marked segments.
#include <gtest/gtest.h>

#include "report/html_report.h"

namespace ps::report {

TEST(IoBins, MergesPairsKeepingTotals) {
  IoBins b;
  uint64_t pkts = 0, bytes = 0;
  // One packet per millisecond for 10 s: 10000 finest bins would be needed, so the width doubles twice.
  for (int64_t ms = 0; ms < 10'000; ++ms) {
    b.add(ms * 1'000'000, static_cast<int>(ms % 3), 100 + static_cast<uint64_t>(ms % 7));
    pkts += 1;
    bytes += 100 + static_cast<uint64_t>(ms % 7);
  }
  EXPECT_EQ(b.width_ns(), 4'000'000);
  EXPECT_LE(b.bins().size(), IoBins::kMaxBins);
  uint64_t got_p = 0, got_b = 0;
  for (const auto& x : b.bins())
    for (int d = 0; d < 3; ++d) {
      got_p += x.pkts[static_cast<size_t>(d)];
      got_b += x.bytes[static_cast<size_t>(d)];
    }
  EXPECT_EQ(got_p, pkts);
  EXPECT_EQ(got_b, bytes);
  // Bin i holds the packets of [4i, 4i+4) ms.
  EXPECT_EQ(b.bins()[0].pkts[0] + b.bins()[0].pkts[1] + b.bins()[0].pkts[2], 4u);
  EXPECT_EQ(b.bins()[0].pkts[0], 2u); // ms 0 and 3
}

TEST(SeqSeries, ThinsButKeepsMarkedPoints) {
  SeqSeries s;
  size_t marked = 0;
  for (uint32_t i = 0; i < 100'000; ++i) {
    SeqPoint p;
    p.t = static_cast<float>(i) / 1000.f;
    p.seq = i * 1000;
    p.len = 1000;
    p.orig = 1;
    if (i % 997 == 0) {
      p.flags = kMarkRetrans;
      ++marked;
    }
    s.add(p);
  }
  EXPECT_LT(s.points.size(), SeqSeries::kMaxPoints);
  EXPECT_GT(s.stride, 1u);
  size_t got = 0;
  for (const auto& p : s.points) got += p.flags != 0;
  EXPECT_EQ(got, marked);
  for (size_t i = 1; i < s.points.size(); ++i) EXPECT_LT(s.points[i - 1].t, s.points[i].t); // order kept
}

} // namespace ps::report
