#include <gtest/gtest.h>

#include "engine/progress.h"

namespace ps {
namespace {

TEST(Progress, LineShowsBytesPacketsRateAndTimeLeft) {
  EXPECT_EQ(Progress::line(50'000'000, 200'000'000, 123456, 2.0),
            "50.0 MB read of 200.0 MB (25%), 123456 packets, 25.0 MB/s, 0:06 left");
  EXPECT_EQ(Progress::line(1500, 0, 3, 1.0), "1.5 KB read, 3 packets, 1.5 KB/s");
}

TEST(Progress, SilentWhenStderrIsNotATerminal) {
  // ctest runs with stderr redirected: nothing may be drawn even when enabled.
  Progress p(100, true);
  for (int i = 0; i < 5000; ++i) p.update(static_cast<uint64_t>(i), static_cast<uint64_t>(i));
  p.finish();
  SUCCEED();
}

} // namespace
} // namespace ps
