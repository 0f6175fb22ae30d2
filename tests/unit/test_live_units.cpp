// The parts of live capture that need no interface: -b parsing, ring file names and rotation, and the
// socket state names of `portscope sockets`.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "capture/reader.h"
#include "capture/ring_writer.h"
#include "sockets/sock_diag.h"

namespace fs = std::filesystem;

namespace ps {
namespace {

TEST(RingOptions, ParsesTsharkStyleOptions) {
  RingOptions o;
  std::string err;
  ASSERT_TRUE(parse_ring_option("filesize:10,files:5", o, err)) << err;
  EXPECT_EQ(o.file_bytes, 10'000'000u);
  EXPECT_EQ(o.files, 5u);
  ASSERT_TRUE(parse_ring_option("duration:1.5", o, err)) << err;
  EXPECT_EQ(o.duration_ns, 1'500'000'000);
  EXPECT_TRUE(o.active());
  ASSERT_TRUE(parse_ring_option("filesize:0.02", o, err)) << err;
  EXPECT_EQ(o.file_bytes, 20'000u);
  for (const char* bad : {"filesize", "filesize:", "filesize:-1", "files:1.5", "size:3", "files:0",
                          "duration:x", "filesize:1e300", "filesize:10,", ",files:2"}) {
    RingOptions b;
    EXPECT_FALSE(parse_ring_option(bad, b, err)) << bad;
    EXPECT_NE(err.find("bad -b option"), std::string::npos) << err;
  }
}

TEST(RingOptions, FileNamesAsTshark) {
  const Timestamp ts{1'800'000'000, 0};
  const std::regex pcapng(R"(^dir\.d/out_00003_\d{14}\.pcapng$)"), bare(R"(^dir\.d/out_00012_\d{14}$)");
  EXPECT_TRUE(std::regex_match(ring_file_name("dir.d/out.pcapng", 3, ts), pcapng));
  EXPECT_TRUE(std::regex_match(ring_file_name("dir.d/out", 12, ts), bare));
}

TEST(RingWriter, KeepsTheLastFilesEachAWholeCapture) {
  const fs::path dir = fs::temp_directory_path() / ("ps-ring-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto in = open_capture(std::string(PORTSCOPE_TEST_DATA) + "/http-many-clients.pcap");
  RingOptions ring;
  ring.file_bytes = 40'000;
  ring.files = 2;
  CaptureWriteError err;
  auto w = RingWriter::open((dir / "ring.pcap").string(), CaptureFormat::Pcap, *in, ring, err);
  ASSERT_TRUE(w) << err.message;
  std::vector<std::vector<uint8_t>> all;
  Frame f;
  while (in->next(f)) {
    all.emplace_back(f.data.begin(), f.data.end());
    ASSERT_TRUE(w->write(f));
  }
  ASSERT_TRUE(w->commit());
  ASSERT_EQ(w->files().size(), 2u);
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(dir)) left.push_back(e.path().string());
  std::sort(left.begin(), left.end());
  ASSERT_EQ(left, std::vector<std::string>(w->files().begin(), w->files().end()));
  // Together the two files are the capture's last frames, in order, each file under the size.
  std::vector<std::vector<uint8_t>> got;
  for (const std::string& p : left) {
    EXPECT_LE(fs::file_size(p), 40'000u + 24u);
    auto r = open_capture(p);
    while (r->next(f)) got.emplace_back(f.data.begin(), f.data.end());
    EXPECT_FALSE(r->error());
  }
  ASSERT_FALSE(got.empty());
  ASSERT_LT(got.size(), all.size());
  EXPECT_TRUE(std::equal(got.begin(), got.end(), all.end() - static_cast<std::ptrdiff_t>(got.size())));
  fs::remove_all(dir);
}

TEST(SocketStates, NetstatAndSsNames) {
  sockets::TcpState s{};
  ASSERT_TRUE(sockets::parse_state("time-wait", s));
  EXPECT_EQ(s, sockets::TcpState::TimeWait);
  ASSERT_TRUE(sockets::parse_state("ESTAB", s));
  EXPECT_EQ(s, sockets::TcpState::Established);
  ASSERT_TRUE(sockets::parse_state("established", s));
  EXPECT_EQ(s, sockets::TcpState::Established);
  ASSERT_TRUE(sockets::parse_state("Fin_Wait_1", s));
  EXPECT_EQ(s, sockets::TcpState::FinWait1);
  ASSERT_TRUE(sockets::parse_state("unconn", s));
  EXPECT_EQ(s, sockets::TcpState::Close);
  EXPECT_FALSE(sockets::parse_state("bogus", s));
  EXPECT_EQ(sockets::state_name(sockets::TcpState::Close, true), "UNCONN");
  EXPECT_EQ(sockets::state_name(sockets::TcpState::Listen, false), "LISTEN");
  EXPECT_EQ(sockets::state_name(sockets::TcpState::CloseWait, false), "CLOSE_WAIT");
}

} // namespace
} // namespace ps
