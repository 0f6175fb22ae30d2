// BpfFilter and filter_capture: libpcap's verdicts on built frames and on every test capture, bad
// expressions, link types met later in a file, and the renumbering of the frames that pass.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <pcap/pcap.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "capture/bpf_filter.h"
#include "capture/reader.h"

namespace {

namespace fs = std::filesystem;

std::vector<uint8_t> ipv4(uint8_t proto, uint16_t sport, uint16_t dport, size_t payload = 0) {
  const size_t l4 = proto == 6 ? 20 : 8;
  const size_t total = 20 + l4 + payload;
  std::vector<uint8_t> p(total, 0);
  p[0] = 0x45;
  p[2] = static_cast<uint8_t>(total >> 8);
  p[3] = static_cast<uint8_t>(total);
  p[8] = 64;
  p[9] = proto;
  const uint8_t src[4] = {192, 168, 1, 21}, dst[4] = {192, 168, 1, 200};
  std::copy(src, src + 4, p.begin() + 12);
  std::copy(dst, dst + 4, p.begin() + 16);
  p[20] = static_cast<uint8_t>(sport >> 8);
  p[21] = static_cast<uint8_t>(sport);
  p[22] = static_cast<uint8_t>(dport >> 8);
  p[23] = static_cast<uint8_t>(dport);
  if (proto == 6) {
    p[32] = 5 << 4;
    p[33] = 0x02; // SYN
  }
  return p;
}

std::vector<uint8_t> ether(const std::vector<uint8_t>& ip) {
  static constexpr uint8_t hdr[14] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00};
  std::vector<uint8_t> f(sizeof hdr + ip.size());
  std::copy(hdr, hdr + sizeof hdr, f.begin());
  std::copy(ip.begin(), ip.end(), f.begin() + sizeof hdr);
  return f;
}

ps::Frame frame(const std::vector<uint8_t>& bytes, uint32_t link, uint32_t wire = 0) {
  ps::Frame f;
  f.data = bytes;
  f.link_type = link;
  f.wire_len = wire ? wire : static_cast<uint32_t>(bytes.size());
  return f;
}

TEST(BpfFilter, BadExpressionIsOneLine) {
  std::string err;
  EXPECT_FALSE(ps::BpfFilter::create("tcp port", ps::kLinkEthernet, err));
  EXPECT_EQ(err.rfind("capture filter 'tcp port': ", 0), 0u) << err;
  EXPECT_NE(err.find("syntax error"), std::string::npos) << err;
  EXPECT_EQ(err.find('\n'), std::string::npos);
  err.clear();
  EXPECT_FALSE(ps::BpfFilter::create("host 999.1.1.1", ps::kLinkEthernet, err));
  EXPECT_FALSE(err.empty());
  // Valid syntax, but not for the first link type: refused up front too.
  err.clear();
  EXPECT_FALSE(ps::BpfFilter::create("ether host 02:00:00:00:00:01", ps::kLinkRaw, err));
  EXPECT_NE(err.find("capture filter 'ether host 02:00:00:00:00:01'"), std::string::npos) << err;
}

TEST(BpfFilter, MatchesAsLibpcap) {
  const auto syn80 = ether(ipv4(6, 40000, 80));
  const auto dns = ether(ipv4(17, 5353, 53, 20));
  std::string err;
  auto f = ps::BpfFilter::create("tcp port 80", ps::kLinkEthernet, err);
  ASSERT_TRUE(f) << err;
  EXPECT_TRUE(f->matches(frame(syn80, ps::kLinkEthernet)));
  EXPECT_FALSE(f->matches(frame(dns, ps::kLinkEthernet)));
  auto u = ps::BpfFilter::create("udp and dst port 53 and host 192.168.1.200", ps::kLinkEthernet, err);
  ASSERT_TRUE(u) << err;
  EXPECT_FALSE(u->matches(frame(syn80, ps::kLinkEthernet)));
  EXPECT_TRUE(u->matches(frame(dns, ps::kLinkEthernet)));
  auto syn = ps::BpfFilter::create("tcp[tcpflags] & tcp-syn != 0", ps::kLinkEthernet, err);
  ASSERT_TRUE(syn) << err;
  EXPECT_TRUE(syn->matches(frame(syn80, ps::kLinkEthernet)));
  // An empty expression passes everything (tcpdump with no expression).
  auto all = ps::BpfFilter::create("", ps::kLinkEthernet, err);
  ASSERT_TRUE(all) << err;
  EXPECT_TRUE(all->matches(frame(dns, ps::kLinkEthernet)));
}

TEST(BpfFilter, LengthIsTheWireLengthAndBytesTheCapturedOnes) {
  const auto syn80 = ether(ipv4(6, 40000, 80)); // 54 bytes
  std::string err;
  auto big = ps::BpfFilter::create("greater 1000", ps::kLinkEthernet, err);
  ASSERT_TRUE(big) << err;
  EXPECT_FALSE(big->matches(frame(syn80, ps::kLinkEthernet)));
  EXPECT_TRUE(big->matches(frame(syn80, ps::kLinkEthernet, 1514))); // cut by the snaplen
  // A port beyond the captured bytes: the program rejects the frame, as libpcap does.
  std::vector<uint8_t> cut(syn80.begin(), syn80.begin() + 30);
  auto port = ps::BpfFilter::create("tcp port 80", ps::kLinkEthernet, err);
  EXPECT_FALSE(port->matches(frame(cut, ps::kLinkEthernet, 54)));
}

TEST(BpfFilter, EachLinkTypeGetsItsOwnProgram) {
  const auto ip = ipv4(6, 40000, 80);
  const auto eth = ether(ip);
  std::vector<std::string> warnings;
  std::string err;
  auto f = ps::BpfFilter::create("tcp port 80", ps::kLinkEthernet, err,
                                 [&](const std::string& w) { warnings.push_back(w); });
  ASSERT_TRUE(f) << err;
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(f->matches(frame(eth, ps::kLinkEthernet)));
    EXPECT_TRUE(f->matches(frame(ip, ps::kLinkRaw))); // LINKTYPE_RAW 101 is DLT_RAW for libpcap
    EXPECT_TRUE(f->matches(frame(ip, ps::kLinkIpv4)));
    // The Ethernet program on raw bytes would look for an EtherType at offset 12 and fail.
  }
  EXPECT_TRUE(warnings.empty());
  auto e = ps::BpfFilter::create("ether src 02:00:00:00:00:01", ps::kLinkEthernet, err,
                                 [&](const std::string& w) { warnings.push_back(w); });
  ASSERT_TRUE(e) << err;
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(e->matches(frame(eth, ps::kLinkEthernet)));
    EXPECT_FALSE(e->matches(frame(ip, ps::kLinkRaw)));
  }
  ASSERT_EQ(warnings.size(), 1u); // once per link type, however many frames
  EXPECT_NE(
      warnings[0].find("capture filter 'ether src 02:00:00:00:00:01' cannot be applied to link type 101"),
      std::string::npos)
      << warnings[0];
}

TEST(BpfFilter, DltMapping) {
  EXPECT_EQ(ps::linktype_to_dlt(ps::kLinkRaw), DLT_RAW);
  EXPECT_EQ(ps::linktype_to_dlt(ps::kLinkEthernet), DLT_EN10MB);
  EXPECT_EQ(ps::linktype_to_dlt(ps::kLinkLinuxSll), DLT_LINUX_SLL);
  EXPECT_EQ(ps::linktype_to_dlt(ps::kLinkLoop), DLT_LOOP);
  EXPECT_EQ(ps::linktype_to_dlt(258), DLT_PKTAP);
}

// For every test capture and a few expressions: the frames that pass are libpcap's, numbered 1..N.
TEST(BpfFilter, FilteredReaderAgreesWithLibpcapOnEveryTestCapture) {
  const char* exprs[] = {
      "tcp port 80",           "udp",  "ip6",        "arp", "tcp[tcpflags] & (tcp-syn|tcp-fin) != 0",
      "not host 192.168.1.21", "vlan", "greater 500"};
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(PORTSCOPE_TEST_DATA)) {
    const std::string ext = e.path().extension().string();
    if (ext != ".pcap" && ext != ".pcapng") continue;
    ++files;
    const std::string path = e.path().string();
    for (const char* expr : exprs) {
      SCOPED_TRACE(path + " -f '" + expr + "'");
      char errbuf[PCAP_ERRBUF_SIZE] = {};
      pcap_t* pc = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
      ASSERT_NE(pc, nullptr) << errbuf;
      bpf_program prog;
      if (pcap_compile(pc, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        // libpcap cannot compile it for this link type (`vlan` on Linux cooked v2): neither can we.
        const std::string why = pcap_geterr(pc);
        pcap_close(pc);
        auto reader = ps::open_capture(path);
        std::string err;
        EXPECT_FALSE(ps::BpfFilter::create(expr, reader->link_type(), err));
        EXPECT_NE(err.find(why), std::string::npos) << err;
        continue;
      }
      ASSERT_EQ(pcap_setfilter(pc, &prog), 0);
      std::vector<std::pair<int64_t, uint32_t>> want;
      pcap_pkthdr* h;
      const u_char* d;
      while (pcap_next_ex(pc, &h, &d) == 1)
        want.emplace_back(h->ts.tv_sec, static_cast<uint32_t>(h->ts.tv_usec));
      pcap_freecode(&prog);
      pcap_close(pc);

      auto reader = ps::open_capture(path);
      std::string err;
      auto filter = ps::BpfFilter::create(expr, reader->link_type(), err);
      ASSERT_TRUE(filter) << err;
      auto filtered = ps::filter_capture(std::move(reader), std::move(*filter));
      std::vector<std::pair<int64_t, uint32_t>> got;
      ps::Frame f;
      while (filtered->next(f)) {
        EXPECT_EQ(f.number, got.size() + 1);
        got.emplace_back(f.ts.sec, f.ts.nsec);
      }
      EXPECT_FALSE(filtered->error());
      EXPECT_EQ(got, want);
      EXPECT_FALSE(filtered->interfaces().empty());
    }
  }
  EXPECT_GT(files, 10u);
}

TEST(BpfFilter, FilteredReaderPassesDamageOn) {
  // A pcap whose second record is cut: the first frame passes, then the inner reader's error shows.
  std::vector<uint8_t> b = {0xd4, 0xc3, 0xb2, 0xa1, 2,    0,    4, 0, 0, 0, 0, 0,
                            0,    0,    0,    0,    0xff, 0xff, 0, 0, 1, 0, 0, 0};
  auto rec = [&](size_t caplen, size_t present) {
    const uint8_t hdr[16] = {
        1, 0, 0, 0, 0, 0, 0, 0, static_cast<uint8_t>(caplen), 0, 0, 0, static_cast<uint8_t>(caplen), 0, 0, 0};
    b.insert(b.end(), hdr, hdr + 16);
    const auto eth = ether(ipv4(17, 1, 53, caplen - 42));
    b.insert(b.end(), eth.begin(), eth.begin() + static_cast<long>(present));
  };
  rec(60, 60);
  rec(60, 10);
  const fs::path p = fs::temp_directory_path() / ("ps-bpf-damage-" + std::to_string(::getpid()) + ".pcap");
  FILE* fp = std::fopen(p.c_str(), "wb");
  std::fwrite(b.data(), 1, b.size(), fp);
  std::fclose(fp);
  auto reader = ps::open_capture(p.string());
  std::string err;
  auto filtered =
      ps::filter_capture(std::move(reader), *ps::BpfFilter::create("udp", ps::kLinkEthernet, err));
  ps::Frame f;
  EXPECT_TRUE(filtered->next(f));
  EXPECT_FALSE(filtered->next(f));
  ASSERT_TRUE(filtered->error());
  EXPECT_NE(filtered->error()->message.find("truncated record"), std::string::npos);
  fs::remove(p);
}

} // namespace
