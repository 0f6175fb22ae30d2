// Display filters evaluated on records built in code: occurrence semantics (== any, != all), missing
// fields, addresses, subnets, slices, strings, regular expressions, times, frame bytes, and that
// evaluation allocates nothing.
#include <atomic>
#include <cstdlib>
#include <new>

#include <gtest/gtest.h>

#include "filter/display_filter.h"

// Counts allocations while `g_counting` is set (the whole test binary shares this operator new).
static std::atomic<bool> g_counting{false};
static std::atomic<size_t> g_allocs{0};

void* operator new(std::size_t n) {
  if (g_counting) ++g_allocs;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
// Every form that pairs with the deletes above must allocate with malloc too (std::stable_sort's
// buffer uses the nothrow form; a sanitizer would otherwise see new/free mismatched).
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  if (g_counting) ++g_allocs;
  return std::malloc(n ? n : 1);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void* operator new[](std::size_t n) {
  if (g_counting) ++g_allocs;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  if (g_counting) ++g_allocs;
  return std::malloc(n ? n : 1);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}

namespace ps::filter {
namespace {

// A TCP/IPv4/Ethernet packet's record (the fields a -T fields run with every field would hold).
struct Packet {
  std::bitset<kFieldCount> all;
  Record rec;
  std::string frame;

  Packet(uint16_t sport, uint16_t dport, std::string_view payload = {}) {
    all.set();
    rec.reset(false, &all, false);
    // eth(14) ip(20) tcp(20) payload
    frame.assign("\x02\x00\xc0\xa8\x01\xc8\x02\x00\xc0\xa8\x01\x15\x08\x00", 14);
    frame.append(20, '\x45');
    frame.append(20, '\0');
    frame[14 + 20 + 0] = static_cast<char>(sport >> 8);
    frame[14 + 20 + 1] = static_cast<char>(sport);
    frame[14 + 20 + 2] = static_cast<char>(dport >> 8);
    frame[14 + 20 + 3] = static_cast<char>(dport);
    frame[14 + 20 + 13] = 0x18;
    frame.append(payload);
    const auto cap = static_cast<uint32_t>(frame.size());
    rec.add(F::FRAME, 0, cap);
    rec.add(F::FRAME_NUMBER, 0, 0, 7);
    rec.add(F::FRAME_LEN, 0, 0, cap);
    rec.add(F::FRAME_TIME, 0, 0, static_cast<uint64_t>(int64_t{1795685085} * 1'000'000'000 + 5));
    rec.add(F::FRAME_TIME_RELATIVE, 0, 0, 1'500'000'000);
    rec.add(F::ETH, 0, 14);
    rec.add_str(F::ETH_DST, 0, 6, std::string_view(frame).substr(0, 6));
    rec.add_str(F::ETH_ADDR, 0, 6, std::string_view(frame).substr(0, 6));
    rec.add_str(F::ETH_SRC, 6, 6, std::string_view(frame).substr(6, 6));
    rec.add_str(F::ETH_ADDR, 6, 6, std::string_view(frame).substr(6, 6));
    rec.add(F::IP, 14, 20);
    rec.add(F::IP_TIME_TO_LIVE, 22, 1, 64);
    rec.add(F::IP_SRC, 26, 4, 0xc0a80115);
    rec.add(F::IP_ADDR, 26, 4, 0xc0a80115);
    rec.add(F::IP_DST, 30, 4, 0xc0a801c8);
    rec.add(F::IP_ADDR, 30, 4, 0xc0a801c8);
    rec.add(F::TCP, 34, 20);
    rec.add(F::TCP_SRCPORT, 34, 2, sport);
    rec.add(F::TCP_DSTPORT, 36, 2, dport);
    rec.add(F::TCP_PORT, 34, 2, sport);
    rec.add(F::TCP_PORT, 36, 2, dport);
    rec.add(F::TCP_FLAGS, 46, 2, 0x018);
    rec.add(F::TCP_FLAGS_SYN, 46, 2, 0);
    rec.add(F::TCP_FLAGS_ACK, 46, 2, 1);
    rec.add(F::TCP_LEN, 0, 0, payload.size());
    if (!payload.empty())
      rec.add_str(F::TCP_PAYLOAD, 54, static_cast<uint32_t>(payload.size()),
                  std::string_view(frame).substr(54));
  }
  std::span<const uint8_t> bytes() const {
    return {reinterpret_cast<const uint8_t*>(frame.data()), frame.size()};
  }
};

bool eval(std::string_view expr, const Packet& p) {
  CompileError err;
  auto f = DisplayFilter::compile(expr, err);
  EXPECT_TRUE(f.has_value()) << expr << ": " << err.message;
  if (!f) return false;
  return f->matches(p.rec, p.bytes());
}

TEST(FilterEval, EqualIsAnyNotEqualIsAll) {
  Packet p(60558, 80);
  EXPECT_TRUE(eval("tcp.port == 80", p));
  EXPECT_TRUE(eval("tcp.port == 60558", p));
  EXPECT_FALSE(eval("tcp.port == 81", p));
  EXPECT_FALSE(eval("tcp.port != 80", p)); // one occurrence is 80
  EXPECT_TRUE(eval("tcp.port != 81", p));
  EXPECT_TRUE(eval("tcp.port ~= 80", p)); // any_ne: 60558 is not 80
  EXPECT_FALSE(eval("tcp.port === 80", p));
  EXPECT_TRUE(eval("!(tcp.port == 81)", p));
  EXPECT_TRUE(eval("ip.addr == 192.168.1.200 and ip.addr == 192.168.1.21", p));
  EXPECT_FALSE(eval("ip.addr != 192.168.1.21", p));
  EXPECT_TRUE(eval("tcp.srcport > tcp.dstport", p));
  EXPECT_TRUE(eval("tcp.port > tcp.port", p)); // some pair
  EXPECT_FALSE(eval("tcp.port != tcp.port", p));
}

TEST(FilterEval, MissingFieldsAreFalseEitherWay) {
  Packet p(60558, 80);
  EXPECT_FALSE(eval("udp.port == 53", p));
  EXPECT_FALSE(eval("udp.port != 53", p));
  EXPECT_FALSE(eval("udp", p));
  EXPECT_TRUE(eval("not udp", p));
  EXPECT_TRUE(eval("tcp and ip and eth and frame", p));
  EXPECT_FALSE(eval("http.request.method == \"GET\"", p));
  EXPECT_FALSE(eval("count(udp.port) > 0", p));
  EXPECT_TRUE(eval("count(udp.port) == 0", p));
  EXPECT_TRUE(eval("count(tcp.port) == 2", p));
}

TEST(FilterEval, IntegersBitsSetsAndLogic) {
  Packet p(60558, 80);
  EXPECT_TRUE(eval("tcp.port == 0x50", p));
  EXPECT_TRUE(eval("tcp.port == 0120", p));
  EXPECT_TRUE(eval("ip.ttl <= 64 && ip.ttl >= 64 && ip.ttl lt 65 && ip.ttl gt 63", p));
  EXPECT_TRUE(eval("tcp.flags & 0x08", p));
  EXPECT_FALSE(eval("tcp.flags & 0x02", p));
  EXPECT_TRUE(eval("tcp.flags & 0x18 == 0x18", p));
  EXPECT_TRUE(eval("tcp.flags.ack == True && tcp.flags.syn == False && tcp.flags.ack == 1", p));
  EXPECT_TRUE(eval("tcp.port in {443 80}", p));
  EXPECT_TRUE(eval("tcp.dstport in {1..100}", p));
  EXPECT_FALSE(eval("tcp.dstport in {81..100, 443}", p));
  EXPECT_TRUE(eval("tcp.port == 81 or tcp.port == 80 and ip", p));
  EXPECT_FALSE(eval("(tcp.port == 81 or tcp.port == 80) and udp", p));
  EXPECT_FALSE(eval("tcp.port == -1", p));
}

TEST(FilterEval, AddressesSubnetsAndSlices) {
  Packet p(60558, 80);
  EXPECT_TRUE(eval("ip.src == 192.168.1.0/24", p));
  EXPECT_TRUE(eval("ip.addr == 10.0.0.0/8 or ip.addr == 192.168.0.0/16", p));
  EXPECT_FALSE(eval("ip.dst == 10.0.0.0/8", p));
  EXPECT_TRUE(eval("ip.dst == 0.0.0.0/0", p));
  EXPECT_TRUE(eval("ip.src < 192.168.1.22", p));
  EXPECT_TRUE(eval("ip.src[0:2] == c0:a8", p));
  EXPECT_TRUE(eval("ip.src[-1] == 15", p));
  EXPECT_TRUE(eval("eth.src == 02:00:c0:a8:01:15", p));
  EXPECT_TRUE(eval("eth.src == 02-00-c0-a8-01-15", p));
  EXPECT_TRUE(eval("eth.dst == 0200.c0a8.01c8", p));
  EXPECT_TRUE(eval("eth.addr == 02:00:c0:a8:01:c8", p));
  EXPECT_TRUE(eval("eth.src[0:3] == 02:00:c0", p));
  EXPECT_TRUE(eval("eth.src[3:] == a8:01:15", p));
  EXPECT_TRUE(eval("eth.src[:1] == 02", p));
  EXPECT_TRUE(eval("eth.src[1-2] == 00:c0", p));
  EXPECT_FALSE(eval("eth.src[5:2] == 15:00", p)); // past the end: no value
  EXPECT_TRUE(eval("frame[12:2] == 08:00", p));
  EXPECT_TRUE(eval("tcp[13] == 18", p));
  EXPECT_TRUE(eval("tcp[0:2] == ec:8e", p));
  EXPECT_FALSE(eval("tcp[20:1] == 00", p)); // the protocol's slice stops at its header
  EXPECT_TRUE(eval("len(tcp) == 20 && len(eth.src) == 6 && len(ip.src) == 4", p));
}

TEST(FilterEval, Ipv6Prefixes) {
  std::bitset<kFieldCount> all;
  all.set();
  Packet p(1, 2);
  const std::string a("\xfd\x00\x00\x77\0\0\0\0\0\0\0\0\0\0\x02\x00", 16);
  p.rec.add_str(F::IPV6_SRC, 0, 16, a);
  p.rec.add_str(F::IPV6_ADDR, 0, 16, a);
  EXPECT_TRUE(eval("ipv6.src == fd00:77::200", p));
  EXPECT_TRUE(eval("ipv6.addr == fd00:77::/32", p));
  EXPECT_TRUE(eval("ipv6.addr == fd00::/8", p));
  EXPECT_TRUE(eval("ipv6.addr == fc00::/7", p));
  EXPECT_FALSE(eval("ipv6.addr == fe80::/10", p));
  EXPECT_FALSE(eval("ipv6.src == fd00:77::201", p));
  EXPECT_TRUE(eval("ipv6.src[0:2] == fd:00", p));
}

TEST(FilterEval, StringsBytesAndRegex) {
  Packet p(60558, 80, "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n");
  p.rec.add(F::HTTP, 0, 0);
  p.rec.add_str(F::HTTP_REQUEST_METHOD, 0, 0, "GET");
  p.rec.add_str(F::HTTP_REQUEST_URI, 0, 0, "/index.html");
  EXPECT_TRUE(eval("http.request.method == \"GET\"", p));
  EXPECT_TRUE(eval("http.request.method == GET", p));
  EXPECT_TRUE(eval("http.request.method == \"\\x47E\\124\"", p));
  EXPECT_FALSE(eval("http.request.method == \"get\"", p));
  EXPECT_TRUE(eval("http.request.method in {\"POST\" \"GET\"}", p));
  EXPECT_TRUE(eval("http.request.uri contains \"index\"", p));
  EXPECT_TRUE(eval("http.request.uri contains 'x'", p));
  EXPECT_TRUE(eval("http.request.uri > \"/a\"", p));
  EXPECT_TRUE(eval("http.request.uri matches \"^/.*\\\\.html$\"", p));
  EXPECT_TRUE(eval("http.request.method matches \"get\"", p)); // case-insensitive, as tshark
  EXPECT_FALSE(eval("http.request.method matches \"(?-i)get\"", p));
  EXPECT_TRUE(eval("frame contains \"GET\"", p));
  EXPECT_TRUE(eval("frame contains 47:45:54", p));
  EXPECT_FALSE(eval("frame contains \"get\"", p));
  EXPECT_TRUE(eval("frame matches \"host: x\"", p));
  EXPECT_TRUE(eval("tcp contains \"Host\"", p)); // a protocol's bytes run to the frame's end
  EXPECT_TRUE(eval("tcp.payload contains \"HTTP/1.1\"", p));
  EXPECT_TRUE(eval("tcp.payload[0:3] == \"GET\"", p));
  EXPECT_TRUE(eval("tcp.payload[0:3] == 47:45:54", p));
  EXPECT_TRUE(eval("len(tcp.payload) == 37", p));
  EXPECT_TRUE(eval("frame[-1] == 0x0a", p));
  EXPECT_TRUE(eval("frame[-2:] == 0d:0a", p));
  EXPECT_TRUE(eval("len(http.request.uri) == 11", p));
}

TEST(FilterEval, FrameBytesAbsentMeansNoMatch) {
  Packet p(60558, 80, "GET");
  CompileError err;
  auto f = DisplayFilter::compile("frame contains \"GET\"", err);
  ASSERT_TRUE(f);
  EXPECT_TRUE(f->matches(p.rec, p.bytes()));
  EXPECT_FALSE(f->matches(p.rec));
  auto g = DisplayFilter::compile("tcp", err); // presence needs no bytes
  EXPECT_TRUE(g->matches(p.rec));
}

TEST(FilterEval, Times) {
  Packet p(1, 2);
  EXPECT_TRUE(eval("frame.time_relative == 1.5", p));
  EXPECT_TRUE(eval("frame.time_relative > 1.4999 && frame.time_relative < 1.5001", p));
  EXPECT_TRUE(eval("frame.time >= \"2026-11-26 09:24:45 UTC\"", p));
  EXPECT_FALSE(eval("frame.time >= \"2026-11-26 09:24:46 UTC\"", p));
  EXPECT_TRUE(eval("frame.time < \"Nov 26, 2026 09:24:45.000000006 UTC\"", p));
}

TEST(FilterEval, AllocatesNothing) {
  Packet p(60558, 80, "GET / HTTP/1.1\r\n");
  p.rec.add_str(F::HTTP_REQUEST_METHOD, 0, 0, "GET");
  CompileError err;
  auto f = DisplayFilter::compile(
      "(tcp.port in {80, 443, 8000..8080} && ip.addr == 192.168.0.0/16 && eth.src[0:3] == 02:00:c0) || "
      "http.request.method matches \"^(GET|POST)$\" || frame contains \"HTTP\" || tcp.payload[0:3] == "
      "\"GET\"",
      err);
  ASSERT_TRUE(f) << err.message;
  EXPECT_TRUE(f->matches(p.rec, p.bytes())); // warm up (PCRE2 may size its frames once)
  g_allocs = 0;
  g_counting = true;
  bool all = true;
  for (int i = 0; i < 1000; ++i) all = all && f->matches(p.rec, p.bytes());
  g_counting = false;
  EXPECT_TRUE(all);
  EXPECT_EQ(g_allocs.load(), 0u);
}

TEST(FilterEval, MovedFilterStillWorks) {
  Packet p(60558, 80);
  CompileError err;
  auto f = DisplayFilter::compile("eth.src == 02:00:c0:a8:01:15 && ip.src == 192.168.1.21", err);
  ASSERT_TRUE(f);
  DisplayFilter g = std::move(*f);
  f.reset();
  EXPECT_TRUE(g.matches(p.rec, p.bytes()));
}

} // namespace
} // namespace ps::filter
