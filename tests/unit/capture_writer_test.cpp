// CaptureWriter: reader → writer → reader round trips (pcap in micro- and nanoseconds, pcapng with
// several sections, interfaces, resolutions and comments), format conversions, and write failures
// that must leave no file behind.
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include <gtest/gtest.h>

#include "capture/capture_writer.h"
#include "capture/reader.h"

namespace {

namespace fs = std::filesystem;

// ---- building inputs (little-endian unless `be`) -------------------------------------------------

struct Bytes {
  std::vector<uint8_t> b;
  bool be = false;
  Bytes& u8(uint8_t v) {
    b.push_back(v);
    return *this;
  }
  Bytes& u16(uint16_t v) {
    return be ? u8(static_cast<uint8_t>(v >> 8)).u8(static_cast<uint8_t>(v))
              : u8(static_cast<uint8_t>(v)).u8(static_cast<uint8_t>(v >> 8));
  }
  Bytes& u32(uint32_t v) {
    return be ? u16(static_cast<uint16_t>(v >> 16)).u16(static_cast<uint16_t>(v))
              : u16(static_cast<uint16_t>(v)).u16(static_cast<uint16_t>(v >> 16));
  }
  Bytes& u64(uint64_t v) {
    return be ? u32(static_cast<uint32_t>(v >> 32)).u32(static_cast<uint32_t>(v))
              : u32(static_cast<uint32_t>(v)).u32(static_cast<uint32_t>(v >> 32));
  }
  Bytes& raw(const void* p, size_t n) {
    b.insert(b.end(), static_cast<const uint8_t*>(p), static_cast<const uint8_t*>(p) + n);
    return *this;
  }
  Bytes& pad4() {
    while (b.size() % 4) u8(0);
    return *this;
  }
  Bytes& option(uint16_t code, const std::string& v) {
    u16(code).u16(static_cast<uint16_t>(v.size())).raw(v.data(), v.size());
    return pad4();
  }
  size_t begin_block(uint32_t type) {
    const size_t at = b.size();
    u32(type).u32(0);
    return at;
  }
  void end_block(size_t at) {
    pad4();
    const uint32_t len = static_cast<uint32_t>(b.size() - at + 4);
    u32(len);
    Bytes t;
    t.be = be;
    t.u32(len);
    std::memcpy(&b[at + 4], t.b.data(), 4);
  }
};

std::vector<uint8_t> payload(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 7);
  return v;
}

void shb(Bytes& f, const std::vector<std::string>& comments = {}) {
  const size_t at = f.begin_block(0x0A0D0D0A);
  f.u32(0x1A2B3C4D).u16(1).u16(0).u64(~uint64_t{0});
  for (const std::string& c : comments) f.option(1, c);
  if (!comments.empty()) f.u32(0);
  f.end_block(at);
}

void idb(Bytes& f, uint16_t link, uint32_t snaplen, const std::string& name = "",
         const std::string& descr = "", int tsresol = -1) {
  const size_t at = f.begin_block(1);
  f.u16(link).u16(0).u32(snaplen);
  const bool opts = !name.empty() || !descr.empty() || tsresol >= 0;
  if (!name.empty()) f.option(2, name);
  if (!descr.empty()) f.option(3, descr);
  if (tsresol >= 0) f.option(9, std::string(1, static_cast<char>(tsresol)));
  if (opts) f.u32(0);
  f.end_block(at);
}

void epb(Bytes& f, uint32_t iface, uint64_t ts, const std::vector<uint8_t>& data, uint32_t wire = 0,
         const std::string& comment = "") {
  const size_t at = f.begin_block(6);
  f.u32(iface).u32(static_cast<uint32_t>(ts >> 32)).u32(static_cast<uint32_t>(ts));
  f.u32(static_cast<uint32_t>(data.size())).u32(wire ? wire : static_cast<uint32_t>(data.size()));
  f.raw(data.data(), data.size()).pad4();
  if (!comment.empty()) f.option(1, comment).u32(0);
  f.end_block(at);
}

void pcap_header(Bytes& f, uint32_t magic, uint32_t snaplen, uint32_t link) {
  f.u32(magic).u16(2).u16(4).u32(0).u32(0).u32(snaplen).u32(link);
}
void pcap_record(Bytes& f, uint32_t sec, uint32_t frac, const std::vector<uint8_t>& d, uint32_t wire = 0) {
  f.u32(sec)
      .u32(frac)
      .u32(static_cast<uint32_t>(d.size()))
      .u32(wire ? wire : static_cast<uint32_t>(d.size()));
  f.raw(d.data(), d.size());
}

// ---- reading back --------------------------------------------------------------------------------

struct Owned {
  uint64_t number;
  ps::Timestamp ts;
  uint32_t wire_len, link_type, interface_id;
  std::vector<uint8_t> data;
  std::string comment;
  bool operator==(const Owned&) const = default;
};

std::vector<Owned> read_all(ps::CaptureReader& r) {
  std::vector<Owned> v;
  ps::Frame f;
  while (r.next(f))
    v.push_back(Owned{f.number, f.ts, f.wire_len, f.link_type, f.interface_id,
                      std::vector<uint8_t>(f.data.begin(), f.data.end()), std::string(f.comment)});
  EXPECT_FALSE(r.error()) << r.error()->message;
  return v;
}

class TempDir {
public:
  TempDir() {
    std::string t = (fs::temp_directory_path() / "ps-writer-XXXXXX").string();
    path_ = ::mkdtemp(t.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string file(const std::string& name) const { return (fs::path(path_) / name).string(); }
  std::vector<std::string> entries() const {
    std::vector<std::string> v;
    for (const auto& e : fs::directory_iterator(path_)) v.push_back(e.path().filename().string());
    std::sort(v.begin(), v.end());
    return v;
  }

private:
  std::string path_;
};

void save(const std::string& path, const std::vector<uint8_t>& b) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
}
std::vector<uint8_t> load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

// Copies every frame of `in` to `out` in `format`; returns the output's bytes.
std::vector<uint8_t> copy_file(const std::string& in, const std::string& out, ps::CaptureFormat format) {
  auto r = ps::open_capture(in);
  ps::CaptureWriteError err;
  auto w = ps::CaptureWriter::open(out, format, *r, err);
  EXPECT_TRUE(w) << err.message;
  if (!w) return {};
  ps::CopyResult res = ps::copy_frames(*r, *w, 0, [](const ps::Frame&) {});
  EXPECT_FALSE(res.write_failed);
  EXPECT_TRUE(w->commit()) << (w->error() ? w->error()->message : "");
  EXPECT_FALSE(r->error());
  return load(out);
}

struct Roundtrip {
  std::vector<Owned> before, after;
  std::vector<ps::InterfaceInfo> if_before, if_after;
  std::vector<ps::SectionInfo> sec_before, sec_after;
};

Roundtrip roundtrip(const TempDir& d, const Bytes& input, ps::CaptureFormat format) {
  Roundtrip rt;
  const std::string in = d.file("in"),
                    out = d.file(format == ps::CaptureFormat::Pcap ? "out.pcap" : "out.pcapng");
  save(in, input.b);
  copy_file(in, out, format);
  auto a = ps::open_capture(in);
  rt.before = read_all(*a);
  rt.if_before = a->interfaces();
  rt.sec_before = a->sections();
  auto b = ps::open_capture(out);
  rt.after = read_all(*b);
  rt.if_after = b->interfaces();
  rt.sec_after = b->sections();
  return rt;
}

void expect_same_interfaces(const std::vector<ps::InterfaceInfo>& a,
                            const std::vector<ps::InterfaceInfo>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(a[i].link_type, b[i].link_type);
    EXPECT_EQ(a[i].snaplen, b[i].snaplen);
    EXPECT_EQ(a[i].tsresol, b[i].tsresol);
    EXPECT_EQ(a[i].section, b[i].section);
    EXPECT_EQ(a[i].name, b[i].name);
    EXPECT_EQ(a[i].description, b[i].description);
  }
}

Bytes three_frame_pcap(uint32_t magic, bool be) {
  Bytes f;
  f.be = be;
  pcap_header(f, magic, 65535, 1);
  const bool nano = magic == 0xa1b23c4d;
  pcap_record(f, 1'700'000'000, nano ? 123'456'789 : 123'456, payload(60, 1));
  pcap_record(f, 1'700'000'001, nano ? 999'999'999 : 999'999, payload(100, 2), 1514); // cut by a snaplen
  pcap_record(f, 4'000'000'000u, 0, payload(1, 3));                                   // after 2038
  return f;
}

// ---- tests -----------------------------------------------------------------------------------------

TEST(CaptureWriter, PcapMicrosecondsRoundTripIsByteIdentical) {
  TempDir d;
  Bytes in = three_frame_pcap(0xa1b2c3d4, false);
  Roundtrip rt = roundtrip(d, in, ps::CaptureFormat::Pcap);
  ASSERT_EQ(rt.before.size(), 3u);
  EXPECT_EQ(rt.before, rt.after);
  EXPECT_EQ(load(d.file("out.pcap")), in.b); // same header, same records
}

TEST(CaptureWriter, PcapNanosecondsStayNanoseconds) {
  TempDir d;
  Bytes in = three_frame_pcap(0xa1b23c4d, /*be=*/true); // big-endian input, written in host order
  Roundtrip rt = roundtrip(d, in, ps::CaptureFormat::Pcap);
  ASSERT_EQ(rt.before.size(), 3u);
  EXPECT_EQ(rt.before, rt.after);
  EXPECT_EQ(rt.after[1].ts.nsec, 999'999'999u);
  std::vector<uint8_t> out = load(d.file("out.pcap"));
  uint32_t magic;
  std::memcpy(&magic, out.data(), 4);
  EXPECT_EQ(magic, 0xa1b23c4du);
  expect_same_interfaces(rt.if_before, rt.if_after);
}

TEST(CaptureWriter, PcapKeepsTheLinkTypeFieldsUpperBits) {
  TempDir d;
  Bytes in;
  pcap_header(in, 0xa1b2c3d4, 0, 0x30000000u | 1u); // FCS length bits
  pcap_record(in, 1, 2, payload(64, 9));
  Roundtrip rt = roundtrip(d, in, ps::CaptureFormat::Pcap);
  std::vector<uint8_t> out = load(d.file("out.pcap"));
  uint32_t link, snap;
  std::memcpy(&snap, &out[16], 4);
  std::memcpy(&link, &out[20], 4);
  EXPECT_EQ(link, 0x30000001u);
  EXPECT_EQ(snap, 262144u); // 0 (unknown) is written as libpcap's maximum
  EXPECT_EQ(rt.before, rt.after);
}

Bytes multi_section_pcapng() {
  Bytes f;
  shb(f, {"first section", "a second comment"});
  idb(f, 1, 262144, "eth0", "the wired one", 9);
  idb(f, 101, 65535, "tun0", "", -1);        // microseconds by default
  idb(f, 1, 0, "", "", 0x80 | 20);           // 2^-20 s
  idb(f, 228, 1500, "v4", "ten digits", 12); // picoseconds
  const uint64_t s = 1'700'000'000;
  epb(f, 0, s * 1'000'000'000 + 123'456'789, payload(60, 1), 0, "a packet comment");
  epb(f, 1, s * 1'000'000 + 5, payload(40, 2));
  epb(f, 2, (s << 20) + 777, payload(70, 3), 1000, "binary time");
  epb(f, 3, uint64_t{1'000'000} * 1'000'000'000'000 + 123'456'789'000, payload(20, 4)); // 1970-01-12
  epb(f, 0, s * 1'000'000'000 + 223'456'789, payload(0, 5));                            // empty frame
  shb(f, {"second section"});
  idb(f, 101, 1500, "wg0", "tunnel", 9);
  epb(f, 0, (s + 1) * 1'000'000'000, payload(30, 6), 0, "after the second section header");
  return f;
}

TEST(CaptureWriter, PcapngRoundTripKeepsSectionsInterfacesAndComments) {
  TempDir d;
  Roundtrip rt = roundtrip(d, multi_section_pcapng(), ps::CaptureFormat::Pcapng);
  ASSERT_EQ(rt.before.size(), 6u);
  EXPECT_EQ(rt.before, rt.after);
  EXPECT_EQ(rt.after[0].comment, "a packet comment");
  EXPECT_EQ(rt.after[5].interface_id, 4u);
  expect_same_interfaces(rt.if_before, rt.if_after);
  ASSERT_EQ(rt.sec_after.size(), 2u);
  EXPECT_EQ(rt.sec_after[0].comments, (std::vector<std::string>{"first section", "a second comment"}));
  EXPECT_EQ(rt.sec_after[1].comments, std::vector<std::string>{"second section"});
  EXPECT_EQ(rt.if_after[3].tsresol, 12);
  EXPECT_EQ(rt.if_after[2].tsresol, 0x80 | 20);
}

TEST(CaptureWriter, PcapToPcapngAndBack) {
  TempDir d;
  save(d.file("in.pcap"), three_frame_pcap(0xa1b23c4d, false).b);
  copy_file(d.file("in.pcap"), d.file("mid.pcapng"), ps::CaptureFormat::Pcapng);
  copy_file(d.file("mid.pcapng"), d.file("back.pcap"), ps::CaptureFormat::Pcap);
  auto a = ps::open_capture(d.file("in.pcap"));
  auto b = ps::open_capture(d.file("mid.pcapng"));
  auto c = ps::open_capture(d.file("back.pcap"));
  EXPECT_STREQ(b->format_name(), "pcapng");
  EXPECT_EQ(b->interfaces().at(0).tsresol, 9);
  const auto fa = read_all(*a);
  EXPECT_EQ(fa, read_all(*b));
  EXPECT_EQ(fa, read_all(*c));
  EXPECT_EQ(load(d.file("back.pcap")), load(d.file("in.pcap")));
}

TEST(CaptureWriter, PcapRefusesSeveralLinkTypesBeforeCreatingAnything) {
  TempDir d;
  save(d.file("in.pcapng"), multi_section_pcapng().b);
  auto r = ps::open_capture(d.file("in.pcapng"));
  ps::CaptureWriteError err;
  auto w = ps::CaptureWriter::open(d.file("out.pcap"), ps::CaptureFormat::Pcap, *r, err);
  EXPECT_FALSE(w);
  EXPECT_EQ(err.exit_code, 2);
  EXPECT_NE(err.message.find("link types 1 and 101"), std::string::npos) << err.message;
  EXPECT_EQ(err.message.find('\n'), std::string::npos);
  EXPECT_EQ(d.entries(), std::vector<std::string>{"in.pcapng"});
}

TEST(CaptureWriter, PcapStopsAtALaterInterfaceOfAnotherLinkTypeAndLeavesNoFile) {
  TempDir d;
  Bytes f;
  shb(f);
  idb(f, 1, 0);
  epb(f, 0, 1'000'000, payload(60, 1));
  idb(f, 101, 0); // described only after the first packet: unknown when the writer opens
  epb(f, 1, 2'000'000, payload(40, 2));
  save(d.file("in.pcapng"), f.b);
  auto r = ps::open_capture(d.file("in.pcapng"));
  ps::CaptureWriteError err;
  auto w = ps::CaptureWriter::open(d.file("out.pcap"), ps::CaptureFormat::Pcap, *r, err);
  ASSERT_TRUE(w) << err.message;
  ps::CopyResult res = ps::copy_frames(*r, *w, 0, [](const ps::Frame&) {});
  EXPECT_TRUE(res.write_failed);
  EXPECT_EQ(res.frames, 2u);
  EXPECT_EQ(w->frames(), 1u);
  ASSERT_TRUE(w->error());
  EXPECT_EQ(w->error()->exit_code, 2);
  EXPECT_NE(w->error()->message.find("link types 1 and 101"), std::string::npos) << w->error()->message;
  EXPECT_FALSE(w->commit());
  w.reset();
  EXPECT_EQ(d.entries(), std::vector<std::string>{"in.pcapng"});
  // pcapng takes it: the second interface is described before its frame.
  auto r2 = ps::open_capture(d.file("in.pcapng"));
  copy_file(d.file("in.pcapng"), d.file("out.pcapng"), ps::CaptureFormat::Pcapng);
  auto r3 = ps::open_capture(d.file("out.pcapng"));
  EXPECT_EQ(read_all(*r2), read_all(*r3));
  EXPECT_EQ(r3->interfaces().size(), 2u);
}

TEST(CaptureWriter, PcapFromPcapngWithOneLinkTypeIsNanosecondWhenTheInputIsFiner) {
  TempDir d;
  Bytes f;
  shb(f);
  idb(f, 1, 0, "", "", 9);
  epb(f, 0, 1'700'000'000'123'456'789ull, payload(50, 1));
  save(d.file("in.pcapng"), f.b);
  std::vector<uint8_t> out = copy_file(d.file("in.pcapng"), d.file("out.pcap"), ps::CaptureFormat::Pcap);
  uint32_t magic;
  std::memcpy(&magic, out.data(), 4);
  EXPECT_EQ(magic, 0xa1b23c4du);
  auto a = ps::open_capture(d.file("in.pcapng"));
  auto b = ps::open_capture(d.file("out.pcap"));
  EXPECT_EQ(read_all(*a), read_all(*b));
}

TEST(CaptureWriter, DevFullFailsAndLeavesNothing) {
  if (::access("/dev/full", W_OK) != 0) GTEST_SKIP() << "no /dev/full";
  TempDir d;
  // Bigger than the 1 MiB buffer, so the failure happens while writing, not only at commit().
  Bytes in;
  pcap_header(in, 0xa1b2c3d4, 65535, 1);
  for (int i = 0; i < 2000; ++i) pcap_record(in, 1, static_cast<uint32_t>(i), payload(1400, uint8_t(i)));
  save(d.file("big.pcap"), in.b);
  auto r = ps::open_capture(d.file("big.pcap"));
  ps::CaptureWriteError err;
  auto w = ps::CaptureWriter::open("/dev/full", ps::CaptureFormat::Pcap, *r, err);
  ASSERT_TRUE(w) << err.message;
  EXPECT_TRUE(w->partial_path().empty()); // a device is written directly
  ps::CopyResult res = ps::copy_frames(*r, *w, 0, [](const ps::Frame&) {});
  EXPECT_TRUE(res.write_failed);
  EXPECT_LT(res.frames, 2000u);
  EXPECT_FALSE(w->commit());
  ASSERT_TRUE(w->error());
  EXPECT_EQ(w->error()->exit_code, 1);
  EXPECT_EQ(w->error()->message, "cannot write '/dev/full': No space left on device");
  w.reset();
  EXPECT_TRUE(fs::exists("/dev/full"));
  for (const auto& e : fs::directory_iterator("/dev"))
    EXPECT_EQ(e.path().filename().string().find("full.partial"), std::string::npos);
  // A small capture fits the buffer: the failure comes at commit().
  auto r2 = ps::open_capture(d.file("big.pcap"));
  auto w2 = ps::CaptureWriter::open("/dev/full", ps::CaptureFormat::Pcapng, *r2, err);
  ASSERT_TRUE(w2);
  ps::copy_frames(*r2, *w2, 1, [](const ps::Frame&) {});
  EXPECT_FALSE(w2->commit());
}

TEST(CaptureWriter, PartialFileUntilCommitAndNoneWithoutIt) {
  TempDir d;
  save(d.file("in.pcap"), three_frame_pcap(0xa1b2c3d4, false).b);
  save(d.file("out.pcap"), {'o', 'l', 'd'});
  {
    auto r = ps::open_capture(d.file("in.pcap"));
    ps::CaptureWriteError err;
    auto w = ps::CaptureWriter::open(d.file("out.pcap"), ps::CaptureFormat::Pcap, *r, err);
    ASSERT_TRUE(w);
    const std::string partial = w->partial_path();
    EXPECT_EQ(fs::path(partial).parent_path(), fs::path(d.file("out.pcap")).parent_path());
    EXPECT_EQ(fs::path(partial).filename().string().rfind("out.pcap.partial-", 0), 0u) << partial;
    EXPECT_TRUE(fs::exists(partial));
    ps::copy_frames(*r, *w, 0, [](const ps::Frame&) {});
    EXPECT_EQ(load(d.file("out.pcap")), (std::vector<uint8_t>{'o', 'l', 'd'}));
    // Destroyed without commit(): as if the run failed.
  }
  EXPECT_EQ(d.entries(), (std::vector<std::string>{"in.pcap", "out.pcap"}));
  EXPECT_EQ(load(d.file("out.pcap")), (std::vector<uint8_t>{'o', 'l', 'd'}));
  copy_file(d.file("in.pcap"), d.file("out.pcap"), ps::CaptureFormat::Pcap);
  EXPECT_EQ(d.entries(), (std::vector<std::string>{"in.pcap", "out.pcap"}));
  EXPECT_EQ(load(d.file("out.pcap")), load(d.file("in.pcap")));
}

TEST(CaptureWriter, OutputIntoAMissingDirectoryIsAnError) {
  TempDir d;
  save(d.file("in.pcap"), three_frame_pcap(0xa1b2c3d4, false).b);
  auto r = ps::open_capture(d.file("in.pcap"));
  ps::CaptureWriteError err;
  auto w = ps::CaptureWriter::open(d.file("no/out.pcap"), ps::CaptureFormat::Pcap, *r, err);
  EXPECT_FALSE(w);
  EXPECT_EQ(err.exit_code, 1);
  EXPECT_NE(err.message.find("No such file or directory"), std::string::npos) << err.message;
}

TEST(CaptureWriter, FormatNames) {
  EXPECT_EQ(ps::capture_format_for_path("x.pcapng"), ps::CaptureFormat::Pcapng);
  EXPECT_EQ(ps::capture_format_for_path("X.PCAPNG"), ps::CaptureFormat::Pcapng);
  EXPECT_EQ(ps::capture_format_for_path("x.ntar"), ps::CaptureFormat::Pcapng);
  EXPECT_EQ(ps::capture_format_for_path("x.pcap"), ps::CaptureFormat::Pcap);
  EXPECT_EQ(ps::capture_format_for_path("x.cap"), ps::CaptureFormat::Pcap);
  EXPECT_EQ(ps::capture_format_for_path("-"), ps::CaptureFormat::Pcap);
  EXPECT_EQ(ps::capture_format_named("pcapng"), ps::CaptureFormat::Pcapng);
  EXPECT_EQ(ps::capture_format_named("pcap"), ps::CaptureFormat::Pcap);
  EXPECT_FALSE(ps::capture_format_named("libpcap"));
}

TEST(CaptureWriter, EveryTestCaptureRoundTripsInBothFormats) {
  TempDir d;
  for (const auto& e : fs::directory_iterator(PORTSCOPE_TEST_DATA)) {
    const std::string ext = e.path().extension().string();
    if (ext != ".pcap" && ext != ".pcapng") continue;
    SCOPED_TRACE(e.path().string());
    for (auto format : {ps::CaptureFormat::Pcap, ps::CaptureFormat::Pcapng}) {
      copy_file(e.path().string(), d.file("rt"), format);
      auto a = ps::open_capture(e.path().string());
      auto b = ps::open_capture(d.file("rt"));
      EXPECT_STREQ(b->format_name(), ps::capture_format_name(format));
      EXPECT_EQ(read_all(*a), read_all(*b));
    }
  }
}

} // namespace
