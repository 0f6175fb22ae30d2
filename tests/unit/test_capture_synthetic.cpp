// Capture readers on files built byte by byte: both pcap byte orders and timestamp precisions,
// pcapng with several interfaces/sections/block kinds, huge frames, odd timestamps, pipes, and
// every kind of damage the readers must report.
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include "capture/reader.h"

namespace {

namespace fs = std::filesystem;

// ---- building files ----------------------------------------------------------------------------

struct Buf {
  std::vector<uint8_t> b;
  bool be = false; // byte order of the multi-byte values written

  Buf& u8(uint8_t v) {
    b.push_back(v);
    return *this;
  }
  Buf& u16(uint16_t v) {
    if (be) {
      u8(static_cast<uint8_t>(v >> 8));
      u8(static_cast<uint8_t>(v));
    } else {
      u8(static_cast<uint8_t>(v));
      u8(static_cast<uint8_t>(v >> 8));
    }
    return *this;
  }
  Buf& u32(uint32_t v) {
    if (be) {
      u16(static_cast<uint16_t>(v >> 16));
      u16(static_cast<uint16_t>(v));
    } else {
      u16(static_cast<uint16_t>(v));
      u16(static_cast<uint16_t>(v >> 16));
    }
    return *this;
  }
  Buf& u64(uint64_t v) {
    if (be) {
      u32(static_cast<uint32_t>(v >> 32));
      u32(static_cast<uint32_t>(v));
    } else {
      u32(static_cast<uint32_t>(v));
      u32(static_cast<uint32_t>(v >> 32));
    }
    return *this;
  }
  Buf& bytes(const std::vector<uint8_t>& v) {
    b.insert(b.end(), v.begin(), v.end());
    return *this;
  }
  Buf& pad4() {
    while (b.size() % 4) u8(0);
    return *this;
  }
  void patch32(size_t at, uint32_t v) {
    Buf t;
    t.be = be;
    t.u32(v);
    std::memcpy(&b[at], t.b.data(), 4);
  }
  size_t size() const { return b.size(); }
};

std::vector<uint8_t> payload(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i * 31 + seed);
  return v;
}

// pcap

void pcap_header(Buf& f, uint32_t magic, uint32_t snaplen, uint32_t linktype) {
  f.u32(magic).u16(2).u16(4).u32(0).u32(0).u32(snaplen).u32(linktype);
}
void pcap_record(Buf& f, uint32_t sec, uint32_t frac, const std::vector<uint8_t>& data, uint32_t wire = 0) {
  f.u32(sec)
      .u32(frac)
      .u32(static_cast<uint32_t>(data.size()))
      .u32(wire ? wire : static_cast<uint32_t>(data.size()));
  f.bytes(data);
}

// pcapng: each helper writes one whole block.

size_t block_begin(Buf& f, uint32_t type) {
  const size_t start = f.size();
  f.u32(type).u32(0);
  return start;
}
void block_end(Buf& f, size_t start) {
  f.pad4();
  const auto len = static_cast<uint32_t>(f.size() - start + 4);
  f.u32(len);
  f.patch32(start + 4, len);
}
void shb(Buf& f) {
  const size_t s = block_begin(f, 0x0A0D0D0A);
  f.u32(0x1A2B3C4D).u16(1).u16(0).u64(~uint64_t{0});
  block_end(f, s);
}
struct IdbOptions {
  std::optional<uint8_t> tsresol;
  std::optional<int64_t> tsoffset;
};
void idb(Buf& f, uint16_t link, uint32_t snaplen, IdbOptions o = {}) {
  const size_t s = block_begin(f, 1);
  f.u16(link).u16(0).u32(snaplen);
  // a name option first, to be skipped
  f.u16(2).u16(5).bytes({'e', 't', 'h', '0', 0}).pad4();
  if (o.tsresol) f.u16(9).u16(1).u8(*o.tsresol).pad4();
  if (o.tsoffset) f.u16(14).u16(8).u64(static_cast<uint64_t>(*o.tsoffset));
  f.u16(0).u16(0);
  block_end(f, s);
}
void epb(Buf& f, uint32_t iface, uint64_t ts, const std::vector<uint8_t>& data, uint32_t wire = 0) {
  const size_t s = block_begin(f, 6);
  f.u32(iface).u32(static_cast<uint32_t>(ts >> 32)).u32(static_cast<uint32_t>(ts));
  f.u32(static_cast<uint32_t>(data.size())).u32(wire ? wire : static_cast<uint32_t>(data.size()));
  f.bytes(data).pad4();
  f.u16(1).u16(4).u32(0x1).u16(0).u16(0); // epb_flags option, end of options
  block_end(f, s);
}
void opb(Buf& f, uint16_t iface, uint64_t ts, const std::vector<uint8_t>& data) {
  const size_t s = block_begin(f, 2);
  f.u16(iface).u16(0).u32(static_cast<uint32_t>(ts >> 32)).u32(static_cast<uint32_t>(ts));
  f.u32(static_cast<uint32_t>(data.size())).u32(static_cast<uint32_t>(data.size()));
  f.bytes(data);
  block_end(f, s);
}
void spb(Buf& f, uint32_t wire, const std::vector<uint8_t>& data) {
  const size_t s = block_begin(f, 3);
  f.u32(wire).bytes(data);
  block_end(f, s);
}
void other_block(Buf& f, uint32_t type, size_t body) {
  const size_t s = block_begin(f, type);
  f.bytes(payload(body, 7));
  block_end(f, s);
}

// ---- files and reading -------------------------------------------------------------------------

class TempDir {
public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "portscope-capture-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp");
    dir_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string write(const std::string& name, const std::vector<uint8_t>& bytes) const {
    const std::string p = path(name);
    std::ofstream out(p, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return p;
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

private:
  fs::path dir_;
};

struct Got {
  uint64_t number;
  ps::Timestamp ts;
  uint32_t wire_len, link_type, interface_id;
  uint64_t file_offset;
  std::vector<uint8_t> data;
};
struct ReadAll {
  std::vector<Got> frames;
  std::optional<ps::CaptureError> error;
};

ReadAll read_all(ps::CaptureReader& r) {
  ReadAll out;
  ps::Frame f;
  while (r.next(f)) {
    out.frames.push_back(Got{f.number, f.ts, f.wire_len, f.link_type, f.interface_id, f.file_offset,
                             std::vector<uint8_t>(f.data.begin(), f.data.end())});
  }
  EXPECT_FALSE(r.next(f)) << "next() after the end must stay false";
  out.error = r.error();
  return out;
}

ReadAll read_file(const std::string& path) {
  auto r = ps::open_capture(path);
  return read_all(*r);
}

// Streams `bytes` into a pipe from another thread, `chunk` bytes per write.
class PipeFeeder {
public:
  PipeFeeder(std::vector<uint8_t> bytes, size_t chunk) {
    std::signal(SIGPIPE, SIG_IGN);
    if (pipe(fds_) != 0) throw std::runtime_error("pipe");
    thread_ = std::thread([this, b = std::move(bytes), chunk] {
      for (size_t off = 0; off < b.size();) {
        const ssize_t w = write(fds_[1], b.data() + off, std::min(chunk, b.size() - off));
        if (w <= 0) break;
        off += static_cast<size_t>(w);
      }
      close(fds_[1]);
    });
  }
  ~PipeFeeder() {
    close(fds_[0]); // unblocks a writer whose reader stopped early
    thread_.join();
  }
  int read_fd() const { return fds_[0]; }

private:
  int fds_[2] = {-1, -1};
  std::thread thread_;
};

ReadAll read_pipe(const std::vector<uint8_t>& bytes, size_t chunk = 3) {
  PipeFeeder feed(bytes, chunk);
  auto r = ps::open_capture_fd(feed.read_fd(), "-");
  return read_all(*r);
}

std::string open_error(const std::string& path) {
  try {
    ps::open_capture(path);
  } catch (const ps::CaptureOpenError& e) {
    return e.what();
  }
  return "(no error)";
}

void expect_same(const ReadAll& a, const ReadAll& b) {
  ASSERT_EQ(a.frames.size(), b.frames.size());
  for (size_t i = 0; i < a.frames.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(a.frames[i].number, b.frames[i].number);
    EXPECT_EQ(a.frames[i].ts, b.frames[i].ts);
    EXPECT_EQ(a.frames[i].wire_len, b.frames[i].wire_len);
    EXPECT_EQ(a.frames[i].link_type, b.frames[i].link_type);
    EXPECT_EQ(a.frames[i].interface_id, b.frames[i].interface_id);
    EXPECT_EQ(a.frames[i].file_offset, b.frames[i].file_offset);
    EXPECT_EQ(a.frames[i].data, b.frames[i].data);
  }
  ASSERT_EQ(a.error.has_value(), b.error.has_value());
  if (a.error) {
    EXPECT_EQ(a.error->offset, b.error->offset);
    // The file name differs ("'x'" vs "standard input"); the rest of the message must not.
    const auto tail = [](const std::string& m) { return m.substr(m.find(": ")); };
    EXPECT_EQ(tail(a.error->message), tail(b.error->message));
  }
}

// libpcap's view of a file (nanosecond stamps), for cross-checking the synthetic files it reads.
ReadAll read_libpcap(const std::string& path) {
  ReadAll out;
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* pc = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (!pc) {
    ADD_FAILURE() << "libpcap: " << errbuf;
    return out;
  }
  pcap_pkthdr* h;
  const u_char* d;
  int rc;
  while ((rc = pcap_next_ex(pc, &h, &d)) == 1) {
    out.frames.push_back(
        Got{out.frames.size() + 1, ps::Timestamp{h->ts.tv_sec, static_cast<uint32_t>(h->ts.tv_usec)}, h->len,
            static_cast<uint32_t>(pcap_datalink(pc)), 0, 0, std::vector<uint8_t>(d, d + h->caplen)});
  }
  if (rc != PCAP_ERROR_BREAK) out.error = ps::CaptureError{pcap_geterr(pc), 0};
  pcap_close(pc);
  return out;
}

void expect_libpcap_agrees(const std::string& path, const ReadAll& ours) {
  SCOPED_TRACE("libpcap cross-check");
  const auto theirs = read_libpcap(path);
  ASSERT_FALSE(theirs.error) << theirs.error->message;
  ASSERT_EQ(ours.frames.size(), theirs.frames.size());
  for (size_t i = 0; i < ours.frames.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(ours.frames[i].ts, theirs.frames[i].ts);
    EXPECT_EQ(ours.frames[i].wire_len, theirs.frames[i].wire_len);
    EXPECT_EQ(ours.frames[i].link_type, theirs.frames[i].link_type);
    EXPECT_EQ(ours.frames[i].data, theirs.frames[i].data);
  }
}

ps::Timestamp ts(int64_t sec, uint32_t nsec) {
  return ps::Timestamp{sec, nsec};
}

// ---- pcap --------------------------------------------------------------------------------------

Buf three_frame_pcap(bool be, uint32_t magic) {
  Buf f;
  f.be = be;
  pcap_header(f, magic, 65535, 1);
  pcap_record(f, 1700000000, 1, payload(60, 1));
  pcap_record(f, 1700000001, 999999, payload(1514, 2), 1514);
  pcap_record(f, 1700000002, 500000, payload(42, 3), 1000);
  return f;
}

void check_three_frames(const ReadAll& got, bool nano) {
  ASSERT_FALSE(got.error) << got.error->message;
  ASSERT_EQ(got.frames.size(), 3u);
  const uint32_t mul = nano ? 1 : 1000;
  EXPECT_EQ(got.frames[0].ts, ts(1700000000, 1 * mul));
  EXPECT_EQ(got.frames[1].ts, ts(1700000001, 999999 * mul));
  EXPECT_EQ(got.frames[2].ts, ts(1700000002, 500000 * mul));
  EXPECT_EQ(got.frames[0].data, payload(60, 1));
  EXPECT_EQ(got.frames[1].data, payload(1514, 2));
  EXPECT_EQ(got.frames[2].data, payload(42, 3));
  EXPECT_EQ(got.frames[2].wire_len, 1000u);
  EXPECT_EQ(got.frames[0].file_offset, 24u);
  EXPECT_EQ(got.frames[1].file_offset, 24u + 16 + 60);
  EXPECT_EQ(got.frames[2].file_offset, 24u + 16 + 60 + 16 + 1514);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(got.frames[i].number, i + 1);
    EXPECT_EQ(got.frames[i].link_type, 1u);
    EXPECT_EQ(got.frames[i].interface_id, 0u);
  }
}

TEST(CapturePcap, BothByteOrdersAndPrecisions) {
  TempDir dir;
  for (bool be : {false, true}) {
    for (uint32_t magic : {0xa1b2c3d4u, 0xa1b23c4du}) {
      SCOPED_TRACE(testing::Message() << "be=" << be << " magic=" << std::hex << magic);
      const auto bytes = three_frame_pcap(be, magic).b;
      const auto path = dir.write("f.pcap", bytes);
      auto r = ps::open_capture(path);
      EXPECT_STREQ(r->format_name(), "pcap");
      EXPECT_EQ(r->link_type(), 1u);
      EXPECT_EQ(r->snaplen(), 65535u);
      const auto got = read_all(*r);
      check_three_frames(got, magic == 0xa1b23c4du);
      expect_libpcap_agrees(path, got);
      expect_same(got, read_pipe(bytes));
    }
  }
}

TEST(CapturePcap, LinkTypeFcsBitsMasked) {
  TempDir dir;
  Buf f;
  pcap_header(f, 0xa1b2c3d4, 65535, 0x14000000u | 276); // FCS present, 1 x 16 bits, LINUX_SLL2
  pcap_record(f, 1, 2, payload(20, 0));
  auto r = ps::open_capture(dir.write("fcs.pcap", f.b));
  EXPECT_EQ(r->link_type(), 276u);
  const auto got = read_all(*r);
  ASSERT_EQ(got.frames.size(), 1u);
  EXPECT_EQ(got.frames[0].link_type, 276u);
}

TEST(CapturePcap, ModifiedPcapRecords) {
  TempDir dir;
  Buf f;
  pcap_header(f, 0xa1b2cd34, 65535, 1);
  f.u32(10).u32(20).u32(4).u32(4).u32(2).u16(0x800).u8(0).u8(0).bytes({1, 2, 3, 4}); // 24-byte header
  const auto got = read_file(dir.write("mod.pcap", f.b));
  ASSERT_FALSE(got.error);
  ASSERT_EQ(got.frames.size(), 1u);
  EXPECT_EQ(got.frames[0].ts, ts(10, 20000));
  EXPECT_EQ(got.frames[0].data, (std::vector<uint8_t>{1, 2, 3, 4}));
}

TEST(CapturePcap, SecondsAreUnsigned32BitAndFractionsCarry) {
  // pcap seconds are unsigned (libpcap and tshark agree): 0x80000000 is 2038-01-19 03:14:08 and
  // 0xffffffff is 2106-02-07 06:28:15, not before 1970.
  TempDir dir;
  for (bool be : {false, true}) {
    Buf f;
    f.be = be;
    pcap_header(f, 0xa1b2c3d4, 65535, 1);
    pcap_record(f, 0xffffffffu, 500000, payload(10, 0));
    pcap_record(f, 0x80000000u, 0, payload(10, 0));
    pcap_record(f, 0x7fffffff, 999999, payload(10, 0));
    pcap_record(f, 0, 0, payload(10, 0));
    pcap_record(f, 100, 2500000, payload(10, 0)); // microseconds >= 1e6 carry into the seconds
    const auto path = dir.write("wide.pcap", f.b);
    auto got = read_file(path);
    ASSERT_EQ(got.frames.size(), 5u);
    EXPECT_EQ(got.frames[0].ts, ts(4294967295, 500000000));
    EXPECT_EQ(got.frames[1].ts, ts(2147483648, 0));
    EXPECT_EQ(got.frames[2].ts, ts(2147483647, 999999000));
    EXPECT_EQ(got.frames[3].ts, ts(0, 0));
    EXPECT_EQ(got.frames[4].ts, ts(102, 500000000));
    // libpcap 1.10 agrees below 2^31 s; above, it sign-extends native-order files only, and it
    // passes an out-of-range fraction through as is.
    got.frames = {got.frames[2], got.frames[3]};
    const size_t rec = 16 + 10;
    std::vector<uint8_t> lower(f.b.begin(), f.b.begin() + 24);
    lower.insert(lower.end(), f.b.begin() + 24 + 2 * rec, f.b.begin() + 24 + 4 * rec);
    expect_libpcap_agrees(dir.write("lower.pcap", lower), got);
  }
}

TEST(CapturePcap, HugeFramesBeyondSnaplen) {
  TempDir dir;
  Buf f;
  pcap_header(f, 0xa1b2c3d4, 262144, 1);
  pcap_record(f, 1, 0, payload(300 * 1024, 9));      // 300 KiB: above the snaplen, still accepted
  pcap_record(f, 2, 0, payload(3 * 1024 * 1024, 4)); // 3 MiB: bigger than the stream buffer
  pcap_record(f, 3, 0, payload(64, 5));
  const auto got = read_file(dir.write("big.pcap", f.b));
  ASSERT_FALSE(got.error) << got.error->message;
  ASSERT_EQ(got.frames.size(), 3u);
  EXPECT_EQ(got.frames[0].data, payload(300 * 1024, 9));
  EXPECT_EQ(got.frames[1].data, payload(3 * 1024 * 1024, 4));
  EXPECT_EQ(got.frames[2].data, payload(64, 5));
  expect_same(got, read_pipe(f.b, 65536));
}

// ---- pcapng ------------------------------------------------------------------------------------

TEST(CapturePcapng, TwoInterfacesResolutionsAndBlockKinds) {
  TempDir dir;
  for (bool be : {false, true}) {
    SCOPED_TRACE(be ? "big-endian" : "little-endian");
    Buf f;
    f.be = be;
    shb(f);
    other_block(f, 0xBAD, 13);                                // unknown block before any interface
    idb(f, 1, 96, {.tsresol = 9});                            // Ethernet, nanoseconds, snaplen 96
    idb(f, 101, 0, {.tsresol = 0x80 | 20, .tsoffset = 1000}); // raw IP, 2^-20 s, +1000 s
    epb(f, 0, 1700000000123456789ull, payload(60, 1));
    other_block(f, 4, 20);                                                      // name resolution block
    epb(f, 1, (uint64_t{5} << 20) | (uint64_t{1} << 19), payload(40, 2), 1500); // 5.5 s + 1000 s
    spb(f, 200, payload(96, 3));                                                // cut to snaplen 96
    other_block(f, 0x40000BAD, 0);                                              // custom block
    opb(f, 1, (uint64_t{7} << 20) | 1, payload(33, 4));                         // 7 s + 2^-20 s + 1000 s
    other_block(f, 5, 16);                                                      // interface statistics
    const auto path = dir.write("two.pcapng", f.b);

    auto r = ps::open_capture(path);
    EXPECT_STREQ(r->format_name(), "pcapng");
    EXPECT_EQ(r->link_type(), 1u);
    EXPECT_EQ(r->snaplen(), 96u);
    const auto got = read_all(*r);
    ASSERT_FALSE(got.error) << got.error->message;
    ASSERT_EQ(got.frames.size(), 4u);

    EXPECT_EQ(got.frames[0].number, 1u);
    EXPECT_EQ(got.frames[0].ts, ts(1700000000, 123456789));
    EXPECT_EQ(got.frames[0].link_type, 1u);
    EXPECT_EQ(got.frames[0].interface_id, 0u);
    EXPECT_EQ(got.frames[0].data, payload(60, 1));

    EXPECT_EQ(got.frames[1].ts, ts(1005, 500000000));
    EXPECT_EQ(got.frames[1].link_type, 101u);
    EXPECT_EQ(got.frames[1].interface_id, 1u);
    EXPECT_EQ(got.frames[1].wire_len, 1500u);
    EXPECT_EQ(got.frames[1].data, payload(40, 2));

    EXPECT_EQ(got.frames[2].ts, ts(0, 0)); // simple packet blocks have no timestamp
    EXPECT_EQ(got.frames[2].link_type, 1u);
    EXPECT_EQ(got.frames[2].interface_id, 0u);
    EXPECT_EQ(got.frames[2].wire_len, 200u);
    EXPECT_EQ(got.frames[2].data, payload(96, 3));

    EXPECT_EQ(got.frames[3].number, 4u);
    EXPECT_EQ(got.frames[3].ts, ts(1007, 953)); // 1e9 / 2^20 = 953.67 ns, truncated
    EXPECT_EQ(got.frames[3].link_type, 101u);
    EXPECT_EQ(got.frames[3].data, payload(33, 4));

    // Block offsets: the first EPB follows SHB (28), unknown (28), IDB (44), IDB (56).
    EXPECT_EQ(got.frames[0].file_offset, 28u + 28 + 44 + 56);

    expect_same(got, read_pipe(f.b));
  }
}

TEST(CapturePcapng, TimestampResolutions) {
  struct Case {
    uint8_t tsresol;
    uint64_t t;
    ps::Timestamp want;
    bool libpcap = true; // libpcap 1.10 refuses resolutions finer than 2^-63
  };
  const Case cases[] = {
      {6, 1700000000999999ull, ts(1700000000, 999999000)},                // default-equivalent
      {3, 1234567ull, ts(1234, 567000000)},                               // milliseconds
      {0, 42ull, ts(42, 0)},                                              // seconds
      {12, 1500000000001ull, ts(1, 500000000)},                           // picoseconds, truncated
      {19, 18446744073709551615ull, ts(1, 844674407)},                    // 10^-19
      {0x80, 77ull, ts(77, 0)},                                           // 2^0
      {0x80 | 10, (uint64_t{3} << 10) | 512, ts(3, 500000000)},           // 2^-10
      {0x80 | 32, (uint64_t{9} << 32) | 0x40000000ull, ts(9, 250000000)}, // 2^-32
      {0x80 | 64, uint64_t{1} << 63, ts(0, 500000000), false},            // 2^-64
      {9, 4102444800ull * 1000000000ull + 123, ts(4102444800, 123)},      // 2100-01-01: after 2038
  };
  TempDir dir;
  for (const auto& c : cases) {
    SCOPED_TRACE(testing::Message() << "tsresol=" << int(c.tsresol));
    Buf f;
    shb(f);
    idb(f, 1, 0, {.tsresol = c.tsresol});
    epb(f, 0, c.t, payload(14, 0));
    const auto path = dir.write("res.pcapng", f.b);
    const auto got = read_file(path);
    ASSERT_FALSE(got.error) << got.error->message;
    ASSERT_EQ(got.frames.size(), 1u);
    EXPECT_EQ(got.frames[0].ts, c.want);
    if (c.libpcap) expect_libpcap_agrees(path, got);
  }
}

TEST(CapturePcapng, DefaultResolutionAndTimesBefore1970) {
  TempDir dir;
  Buf f;
  shb(f);
  idb(f, 1, 0);                                          // no if_tsresol: microseconds
  idb(f, 1, 0, {.tsresol = 9, .tsoffset = -1000000000}); // 1938
  idb(f, 1, 0, {.tsoffset = -2});
  epb(f, 0, 1700000000123456ull, payload(14, 0));
  epb(f, 1, 250, payload(14, 0));
  epb(f, 1, 0, payload(14, 0));
  epb(f, 2, 500000, payload(14, 0)); // -1.5 s: 1969-12-31 23:59:58.5
  const auto path = dir.write("off.pcapng", f.b);
  const auto got = read_file(path);
  ASSERT_FALSE(got.error) << got.error->message;
  ASSERT_EQ(got.frames.size(), 4u);
  expect_libpcap_agrees(path, got);
  EXPECT_EQ(got.frames[0].ts, ts(1700000000, 123456000));
  EXPECT_EQ(got.frames[1].ts, ts(-1000000000, 250));
  EXPECT_EQ(got.frames[2].ts, ts(-1000000000, 0));
  EXPECT_EQ(got.frames[3].ts, ts(-2, 500000000));
}

TEST(CapturePcapng, TimestampsClampedToTheSupportedRange) {
  // See ps::kMaxTimestampSec: stamps stay within int64 nanoseconds (years 1823..2116).
  TempDir dir;
  Buf f;
  shb(f);
  idb(f, 1, 0, {.tsresol = 0});                            // whole seconds
  idb(f, 1, 0, {.tsoffset = INT64_MIN});                   // microseconds, huge negative offset
  idb(f, 1, 0, {.tsresol = 9, .tsoffset = INT64_MAX});     // nanoseconds, huge positive offset
  idb(f, 1, 0, {.tsresol = 0, .tsoffset = -4611686017ll}); // exactly the lower bound
  epb(f, 0, ~uint64_t{0}, payload(14, 0));
  epb(f, 0, 4611686017ull, payload(14, 0));
  epb(f, 1, 5, payload(14, 0));
  epb(f, 2, 7, payload(14, 0));
  epb(f, 3, 0, payload(14, 0));
  const auto got = read_file(dir.write("clamp.pcapng", f.b));
  ASSERT_FALSE(got.error) << got.error->message;
  ASSERT_EQ(got.frames.size(), 5u);
  EXPECT_EQ(got.frames[0].ts, ts(ps::kMaxTimestampSec, 0));
  EXPECT_EQ(got.frames[1].ts, ts(ps::kMaxTimestampSec, 0));
  EXPECT_EQ(got.frames[2].ts, ts(-ps::kMaxTimestampSec, 5000));
  EXPECT_EQ(got.frames[3].ts, ts(ps::kMaxTimestampSec, 7));
  EXPECT_EQ(got.frames[4].ts, ts(-ps::kMaxTimestampSec, 0));
}

TEST(CapturePcapng, SeveralSectionsOfBothByteOrders) {
  TempDir dir;
  Buf f;
  shb(f);
  idb(f, 1, 0);
  epb(f, 0, 1000000, payload(20, 1));
  // Second section: big-endian, interfaces start again at 0 (numbered 1 and 2 overall).
  Buf g;
  g.be = true;
  shb(g);
  idb(g, 113, 0);
  idb(g, 276, 0, {.tsresol = 3});
  epb(g, 1, 2500, payload(30, 2));
  epb(g, 0, 3000000, payload(31, 3));
  f.bytes(g.b);
  // Third section: little-endian again.
  Buf h;
  shb(h);
  idb(h, 101, 0);
  epb(h, 0, 4000000, payload(32, 4));
  const size_t third = f.size();
  f.bytes(h.b);
  const auto got = read_file(dir.write("sections.pcapng", f.b));
  ASSERT_FALSE(got.error) << got.error->message;
  ASSERT_EQ(got.frames.size(), 4u);
  EXPECT_EQ(got.frames[0].link_type, 1u);
  EXPECT_EQ(got.frames[1].link_type, 276u);
  EXPECT_EQ(got.frames[1].interface_id, 2u);
  EXPECT_EQ(got.frames[1].ts, ts(2, 500000000));
  EXPECT_EQ(got.frames[1].data, payload(30, 2));
  EXPECT_EQ(got.frames[2].link_type, 113u);
  EXPECT_EQ(got.frames[2].interface_id, 1u);
  EXPECT_EQ(got.frames[3].link_type, 101u);
  EXPECT_EQ(got.frames[3].interface_id, 3u);
  EXPECT_EQ(got.frames[3].number, 4u);
  EXPECT_EQ(got.frames[3].file_offset, third + 28 + 36);
  expect_same(got, read_pipe(f.b, 5));
}

TEST(CapturePcapng, HugeFrame) {
  TempDir dir;
  Buf f;
  shb(f);
  idb(f, 1, 0, {.tsresol = 9});
  epb(f, 0, 1, payload(300 * 1024 + 1, 8));
  epb(f, 0, 2, payload(2 * 1024 * 1024 + 3, 6));
  epb(f, 0, 3, payload(1, 5));
  const auto got = read_file(dir.write("big.pcapng", f.b));
  ASSERT_FALSE(got.error) << got.error->message;
  ASSERT_EQ(got.frames.size(), 3u);
  EXPECT_EQ(got.frames[0].data, payload(300 * 1024 + 1, 8));
  EXPECT_EQ(got.frames[1].data, payload(2 * 1024 * 1024 + 3, 6));
  EXPECT_EQ(got.frames[2].data, payload(1, 5));
  expect_same(got, read_pipe(f.b, 100000));
}

TEST(CapturePcapng, NoPacketsAtAll) {
  TempDir dir;
  Buf f;
  shb(f);
  auto r = ps::open_capture(dir.write("empty.pcapng", f.b));
  EXPECT_EQ(r->link_type(), 0u);
  const auto got = read_all(*r);
  EXPECT_TRUE(got.frames.empty());
  EXPECT_FALSE(got.error);
}

// ---- standard input ----------------------------------------------------------------------------

// Runs `fn` with standard input replaced by `fd`.
template <class Fn> void with_stdin(int fd, Fn fn) {
  const int saved = dup(STDIN_FILENO);
  ASSERT_GE(saved, 0);
  ASSERT_EQ(dup2(fd, STDIN_FILENO), STDIN_FILENO);
  fn();
  dup2(saved, STDIN_FILENO);
  close(saved);
}

TEST(CaptureStdin, DashReadsAPipe) {
  const auto bytes = three_frame_pcap(false, 0xa1b2c3d4).b;
  PipeFeeder feed(bytes, 7);
  with_stdin(feed.read_fd(), [] {
    auto r = ps::open_capture("-");
    check_three_frames(read_all(*r), false);
  });
}

TEST(CaptureStdin, DashReadsARedirectedFile) {
  TempDir dir;
  Buf f;
  shb(f);
  idb(f, 1, 0);
  epb(f, 0, 5, payload(20, 1));
  const int fd = open(dir.write("in.pcapng", f.b).c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  with_stdin(fd, [] {
    auto r = ps::open_capture("-");
    const auto got = read_all(*r);
    ASSERT_EQ(got.frames.size(), 1u);
    EXPECT_EQ(got.frames[0].data, payload(20, 1));
  });
  close(fd);
}

TEST(CaptureStdin, EmptyPipeAndCutPipe) {
  {
    PipeFeeder feed({}, 1);
    try {
      ps::open_capture_fd(feed.read_fd(), "-");
      FAIL() << "no error";
    } catch (const ps::CaptureOpenError& e) {
      EXPECT_STREQ(e.what(), "standard input is empty: not a capture file");
    }
  }
  auto bytes = three_frame_pcap(false, 0xa1b2c3d4).b;
  bytes.resize(bytes.size() - 10);
  const auto got = read_pipe(bytes, 1);
  EXPECT_EQ(got.frames.size(), 2u);
  ASSERT_TRUE(got.error);
  EXPECT_EQ(got.error->message, "standard input: truncated record at byte offset 1630: header says 42 bytes, "
                                "32 remain");
}

// ---- open errors -------------------------------------------------------------------------------

TEST(CaptureOpen, Errors) {
  TempDir dir;
  const auto missing = dir.path("x.pcap");
  EXPECT_EQ(open_error(missing), "cannot open '" + missing + "': No such file or directory");

  const auto sub = dir.path("subdir");
  fs::create_directory(sub);
  EXPECT_EQ(open_error(sub), "cannot open '" + sub + "': Is a directory");

  const auto empty = dir.write("empty.pcap", {});
  EXPECT_EQ(open_error(empty), "'" + empty + "' is empty: not a capture file");

  const auto text = dir.write("notes.txt", {'H', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '\n'});
  EXPECT_EQ(open_error(text), "'" + text + "' is not a pcap or pcapng capture (magic 0x48656c6c)");

  const auto tiny = dir.write("tiny", {0xd4, 0xc3});
  EXPECT_EQ(open_error(tiny), "'" + tiny + "' is too short to be a capture file (2 bytes)");

  auto header = three_frame_pcap(false, 0xa1b2c3d4).b;
  header.resize(10);
  const auto cut = dir.write("cut.pcap", header);
  EXPECT_EQ(open_error(cut), "'" + cut + "' is a pcap file whose header is cut short (10 of 24 bytes)");

  Buf ng;
  shb(ng);
  ng.b.resize(20);
  const auto cutng = dir.write("cut.pcapng", ng.b);
  EXPECT_EQ(open_error(cutng),
            "'" + cutng + "' is a pcapng file whose section header is cut short (20 of 28 bytes)");
  ng.b.resize(6);
  const auto cutng2 = dir.write("cut2.pcapng", ng.b);
  EXPECT_EQ(open_error(cutng2),
            "'" + cutng2 + "' is a pcapng file whose section header is cut short (6 of 8 bytes)");

  Buf badbom;
  shb(badbom);
  badbom.b[8] = 0x99;
  const auto bom = dir.write("bom.pcapng", badbom.b);
  EXPECT_NE(open_error(bom).find("bad byte-order magic"), std::string::npos) << open_error(bom);
}

TEST(CaptureOpen, PermissionDenied) {
  if (geteuid() == 0) GTEST_SKIP() << "root reads any file";
  TempDir dir;
  const auto p = dir.write("secret.pcap", three_frame_pcap(false, 0xa1b2c3d4).b);
  chmod(p.c_str(), 0);
  EXPECT_EQ(open_error(p), "cannot open '" + p + "': Permission denied");
}

// ---- damage while reading ----------------------------------------------------------------------

TEST(CaptureDamage, PcapTruncatedInRecord) {
  TempDir dir;
  auto bytes = three_frame_pcap(false, 0xa1b2c3d4).b;
  bytes.resize(bytes.size() - 10); // third record: 16-byte header + 32 of 42 bytes
  const auto p = dir.write("trunc.pcap", bytes);
  const auto got = read_file(p);
  ASSERT_EQ(got.frames.size(), 2u);
  EXPECT_EQ(got.frames[1].data, payload(1514, 2));
  ASSERT_TRUE(got.error);
  EXPECT_EQ(got.error->offset, 1630u);
  EXPECT_EQ(got.error->message,
            "'" + p + "': truncated record at byte offset 1630: header says 42 bytes, 32 remain");
}

TEST(CaptureDamage, PcapTruncatedInRecordHeader) {
  TempDir dir;
  auto bytes = three_frame_pcap(true, 0xa1b23c4d).b;
  bytes.resize(1630 + 5);
  const auto p = dir.write("trunc.pcap", bytes);
  const auto got = read_file(p);
  ASSERT_EQ(got.frames.size(), 2u);
  ASSERT_TRUE(got.error);
  EXPECT_EQ(got.error->message,
            "'" + p + "': truncated record header at byte offset 1630: 16 bytes needed, 5 remain");
}

TEST(CaptureDamage, PcapAbsurdCaplen) {
  TempDir dir;
  Buf f;
  pcap_header(f, 0xa1b2c3d4, 65535, 1);
  pcap_record(f, 1, 0, payload(10, 0));
  f.u32(2).u32(0).u32(0x10000001).u32(60); // caplen 256 MiB + 1
  f.bytes(payload(100, 0));
  const auto p = dir.write("absurd.pcap", f.b);
  const auto got = read_file(p);
  EXPECT_EQ(got.frames.size(), 1u);
  ASSERT_TRUE(got.error);
  EXPECT_EQ(got.error->offset, 50u);
  EXPECT_EQ(got.error->message,
            "'" + p +
                "': record at byte offset 50 has captured length 268435457, over the 268435456-byte limit");
}

// A small pcapng whose damaged second packet block is produced by `damage`.
ReadAll damaged_pcapng(const TempDir& dir, const std::function<void(Buf&)>& damage, std::string* path_out) {
  Buf f;
  shb(f);
  idb(f, 1, 0);
  epb(f, 0, 1, payload(20, 1)); // at 64
  damage(f);                    // at 128
  epb(f, 0, 3, payload(20, 3));
  *path_out = dir.write("damaged.pcapng", f.b);
  return read_file(*path_out);
}

TEST(CaptureDamage, PcapngBlocks) {
  TempDir dir;
  std::string p;
  struct Case {
    const char* name;
    std::function<void(Buf&)> damage;
    std::string message; // after "'path': "
  };
  const Case cases[] = {
      {"length not a multiple of 4", [](Buf& f) { f.u32(6).u32(34).bytes(payload(26, 0)); },
       "block at byte offset 128 (type 0x6) has length 34, not a multiple of 4"},
      {"length below the minimum", [](Buf& f) { f.u32(6).u32(16).u32(0).u32(16); },
       "block at byte offset 128 (type 0x6) has length 16, below the minimum 32"},
      {"length below the generic minimum", [](Buf& f) { f.u32(0x77).u32(8); },
       "block at byte offset 128 (type 0x77) has length 8, below the minimum 12"},
      {"length past the end", [](Buf& f) { f.u32(6).u32(4000).bytes(payload(40, 0)); },
       "truncated block at byte offset 128: length says 4000 bytes, 112 remain"},
      {"skipped block past the end", [](Buf& f) { f.u32(0x99).u32(4000).bytes(payload(40, 0)); },
       "truncated block at byte offset 128: length says 4000 bytes, 112 remain"},
      {"undefined interface", [](Buf& f) { epb(f, 3, 2, payload(20, 2)); },
       "packet block at byte offset 128 refers to interface 3, but only 1 is defined"},
      {"trailer mismatch",
       [](Buf& f) {
         epb(f, 0, 2, payload(20, 2));
         f.patch32(f.size() - 4, 48);
       },
       "block at byte offset 128 has length 64 but its trailer says 48"},
      {"caplen overruns the block",
       [](Buf& f) {
         const size_t s = f.size();
         epb(f, 0, 2, payload(20, 2));
         f.patch32(s + 20, 40);
       },
       "packet block at byte offset 128 has captured length 40, more than its length 64 can hold"},
      {"huge caplen",
       [](Buf& f) {
         const size_t s = f.size();
         epb(f, 0, 2, payload(20, 2));
         f.patch32(s + 20, 0xffffffff);
       },
       "packet block at byte offset 128 has captured length 4294967295, more than its length 64 can hold"},
      {"huge block", [](Buf& f) { f.u32(6).u32(0xfffffff0).bytes(payload(40, 0)); },
       "block at byte offset 128 has length 4294967280, over the 269484032-byte limit"},
      {"bad version in a later section",
       [](Buf& f) {
         const size_t s = f.size();
         shb(f);
         f.b[s + 12] = 2;
       },
       "section header at byte offset 128 has unsupported pcapng version 2.0"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto got = damaged_pcapng(dir, c.damage, &p);
    ASSERT_EQ(got.frames.size(), 1u);
    EXPECT_EQ(got.frames[0].data, payload(20, 1));
    ASSERT_TRUE(got.error);
    EXPECT_EQ(got.error->offset, 128u);
    EXPECT_EQ(got.error->message, "'" + p + "': " + c.message);
  }
}

TEST(CaptureDamage, PcapngSimplePacketWithoutInterface) {
  TempDir dir;
  Buf f;
  shb(f);
  spb(f, 10, payload(10, 0));
  const auto p = dir.write("spb.pcapng", f.b);
  const auto got = read_file(p);
  EXPECT_TRUE(got.frames.empty());
  ASSERT_TRUE(got.error);
  EXPECT_EQ(got.error->message,
            "'" + p + "': simple packet block at byte offset 28 but no interface defined");
}

// Every prefix of a file: the whole frames in it are delivered, then damage is reported unless
// the cut falls between records. Both the mapped and the streamed paths.
void check_every_prefix(const std::vector<uint8_t>& bytes, const std::vector<size_t>& record_ends,
                        const std::vector<size_t>& other_block_ends, size_t header_len) {
  TempDir dir;
  for (size_t len = 0; len <= bytes.size(); ++len) {
    SCOPED_TRACE(len);
    const std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(len));
    const auto p = dir.write("prefix", prefix);
    if (len < header_len) {
      EXPECT_THROW(ps::open_capture(p), ps::CaptureOpenError);
      continue;
    }
    const auto got = read_file(p);
    size_t whole = 0;
    bool boundary = len == header_len;
    for (size_t end : record_ends) {
      if (end <= len) ++whole;
      if (end == len) boundary = true;
    }
    for (size_t end : other_block_ends) boundary = boundary || end == len;
    ASSERT_EQ(got.frames.size(), whole);
    EXPECT_EQ(got.error.has_value(), !boundary);
    if (len % 97 == 0) expect_same(got, read_pipe(prefix, 11));
  }
}

TEST(CaptureDamage, EveryPrefixOfPcap) {
  const auto bytes = three_frame_pcap(false, 0xa1b2c3d4).b;
  check_every_prefix(bytes, {100, 1630, bytes.size()}, {}, 24);
}

TEST(CaptureDamage, EveryPrefixOfPcapng) {
  Buf f;
  shb(f);
  idb(f, 1, 0);
  std::vector<size_t> ends, others{f.size()};
  epb(f, 0, 1, payload(21, 1));
  ends.push_back(f.size());
  other_block(f, 0x123, 10);
  others.push_back(f.size());
  spb(f, 30, payload(30, 2));
  ends.push_back(f.size());
  idb(f, 101, 0, {.tsresol = 9});
  others.push_back(f.size());
  opb(f, 1, 2, payload(5, 3));
  ends.push_back(f.size());
  check_every_prefix(f.b, ends, others, 28);
}

// Random corruption must never crash or read outside the file; frames stay inside the mapping.
TEST(CaptureDamage, RandomCorruptionIsSafe) {
  Buf ng;
  shb(ng);
  idb(ng, 1, 64, {.tsresol = 0x80 | 20});
  epb(ng, 0, 1, payload(60, 1));
  spb(ng, 100, payload(64, 2));
  opb(ng, 0, 3, payload(30, 3));
  auto pcap = three_frame_pcap(true, 0xa1b2c3d4).b;
  TempDir dir;
  std::mt19937 rng(12345);
  for (const std::vector<uint8_t>* base : {&ng.b, &pcap}) {
    for (int iter = 0; iter < 1500; ++iter) {
      auto bytes = *base;
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int i = 0; i < flips; ++i) bytes[rng() % bytes.size()] = static_cast<uint8_t>(rng());
      if (rng() % 4 == 0) bytes.resize(rng() % bytes.size());
      const auto p = dir.write("fuzz", bytes);
      try {
        auto r = ps::open_capture(p);
        ps::Frame f;
        size_t n = 0;
        while (r->next(f) && n < 100) {
          ++n;
          EXPECT_LE(f.file_offset + f.data.size(), bytes.size());
          EXPECT_LT(f.ts.nsec, 1000000000u);
          volatile uint8_t sink = 0;
          for (uint8_t b : f.data) sink = sink ^ b; // touches every byte (ASan checks the bounds)
        }
        if (r->error()) {
          EXPECT_EQ(r->error()->message.find('\n'), std::string::npos);
        }
      } catch (const ps::CaptureOpenError& e) {
        EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
      }
    }
  }
}

} // namespace
