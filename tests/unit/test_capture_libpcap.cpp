// The capture readers against libpcap on every real capture in tests/data: same frames, same bytes.
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <csignal>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "capture/reader.h"

namespace {

namespace fs = std::filesystem;

std::vector<std::string> capture_files() {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(PORTSCOPE_TEST_DATA)) {
    const auto ext = e.path().extension().string();
    if (e.is_regular_file() && (ext == ".pcap" || ext == ".pcapng")) files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// libpcap reports DLT_ values; they equal the LINKTYPE_ values except for a few historical ones.
uint32_t dlt_to_linktype(int dlt) {
  if (dlt == DLT_RAW) return ps::kLinkRaw;
  return static_cast<uint32_t>(dlt);
}

// Reads the whole of `reader` and compares it frame by frame with libpcap reading `path`.
void expect_same_as_libpcap(const std::string& path, ps::CaptureReader& reader,
                            size_t* frames_out = nullptr) {
  SCOPED_TRACE(path);
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* pc = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
  ASSERT_NE(pc, nullptr) << errbuf;
  const uint32_t link = dlt_to_linktype(pcap_datalink(pc));
  EXPECT_EQ(reader.link_type(), link);

  size_t n = 0;
  ps::Frame f;
  pcap_pkthdr* h = nullptr;
  const u_char* d = nullptr;
  int rc;
  while ((rc = pcap_next_ex(pc, &h, &d)) == 1) {
    ++n;
    ASSERT_TRUE(reader.next(f)) << "reader stopped before frame " << n
                                << (reader.error() ? ": " + reader.error()->message : "");
    EXPECT_EQ(f.number, n);
    EXPECT_EQ(f.ts.sec, static_cast<int64_t>(h->ts.tv_sec)) << "frame " << n;
    EXPECT_EQ(f.ts.nsec, static_cast<uint32_t>(h->ts.tv_usec)) << "frame " << n; // nanoseconds here
    EXPECT_EQ(f.wire_len, h->len) << "frame " << n;
    ASSERT_EQ(f.data.size(), h->caplen) << "frame " << n;
    EXPECT_EQ(std::memcmp(f.data.data(), d, h->caplen), 0) << "frame " << n;
    EXPECT_EQ(f.link_type, link) << "frame " << n;
  }
  EXPECT_EQ(rc, PCAP_ERROR_BREAK) << pcap_geterr(pc);
  pcap_close(pc);
  EXPECT_FALSE(reader.next(f)) << "reader has more frames than libpcap";
  EXPECT_FALSE(reader.error().has_value()) << reader.error()->message;
  EXPECT_GT(n, 0u);
  if (frames_out) *frames_out = n;
}

TEST(CaptureLibpcap, EveryDataFileMatchesLibpcap) {
  const auto files = capture_files();
  ASSERT_GE(files.size(), 16u) << "expected the shipped captures in " << PORTSCOPE_TEST_DATA;
  for (const auto& path : files) {
    auto reader = ps::open_capture(path);
    ASSERT_NE(reader, nullptr);
    EXPECT_STREQ(reader->format_name(), path.ends_with(".pcapng") ? "pcapng" : "pcap");
    expect_same_as_libpcap(path, *reader);
  }
}

TEST(CaptureLibpcap, KnownFrameCounts) {
  // From tests/data/README.md.
  const std::pair<const char*, size_t> counts[] = {
      {"dns.pcap", 28},           {"http-any-sll2.pcap", 22}, {"http-many-clients.pcap", 1854},
      {"http-pcapng.pcapng", 22}, {"mixed.pcap", 1407},       {"telnet.pcap", 57},
  };
  for (const auto& [name, count] : counts) {
    auto reader = ps::open_capture(std::string(PORTSCOPE_TEST_DATA) + "/" + name);
    size_t n = 0;
    ps::Frame f;
    while (reader->next(f)) ++n;
    EXPECT_EQ(n, count) << name;
    EXPECT_FALSE(reader->error().has_value()) << name;
  }
}

// The same files streamed through a pipe (the standard-input code path, refilled in small reads).
TEST(CaptureLibpcap, EveryDataFileThroughAPipeMatchesLibpcap) {
  std::signal(SIGPIPE, SIG_IGN); // a reader that stops early must not kill the writer
  for (const auto& path : capture_files()) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    std::thread writer([path, wfd = fds[1]] {
      int in = open(path.c_str(), O_RDONLY);
      char buf[1000]; // odd-sized writes: records straddle the reader's refills
      ssize_t got;
      while (in >= 0 && (got = read(in, buf, sizeof buf)) > 0) {
        for (ssize_t off = 0; off < got;) {
          const ssize_t w = write(wfd, buf + off, static_cast<size_t>(got - off));
          if (w <= 0) break;
          off += w;
        }
      }
      if (in >= 0) close(in);
      close(wfd);
    });
    {
      auto reader = ps::open_capture_fd(fds[0], "-");
      expect_same_as_libpcap(path, *reader);
    }
    close(fds[0]);
    writer.join();
  }
}

} // namespace
