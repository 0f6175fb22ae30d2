#include "common/fuzz_input.h"

#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace ps::fuzz {

namespace {

bool write_all(int fd, const uint8_t* p, size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

} // namespace

MemoryCapture::MemoryCapture(const uint8_t* data, size_t size) : data_(data), size_(size) {}

MemoryCapture::~MemoryCapture() {
  if (fd_ >= 0) ::close(fd_);
  if (pipe_read_ >= 0) ::close(pipe_read_);
}

std::unique_ptr<CaptureReader> MemoryCapture::open(Source how) {
  int fd = -1;
  if (how == Source::kMapped) {
    if (fd_ < 0) {
      fd_ = ::memfd_create("fuzz-capture", MFD_CLOEXEC);
      require(fd_ >= 0, "memfd_create failed");
      require(write_all(fd_, data_, size_), "memfd write failed");
    }
    require(::lseek(fd_, 0, SEEK_SET) == 0, "lseek failed");
    fd = fd_;
  } else {
    if (pipe_read_ >= 0) ::close(pipe_read_);
    pipe_read_ = -1;
    int p[2];
    require(::pipe2(p, O_CLOEXEC) == 0, "pipe failed");
    // The whole input goes into the pipe up front (no writer thread): skip inputs that do not fit.
    const int cap = ::fcntl(p[1], F_SETPIPE_SZ, static_cast<int>(size_ < 4096 ? 4096 : size_));
    if (cap < 0 || static_cast<size_t>(cap) < size_) {
      ::close(p[0]);
      ::close(p[1]);
      return nullptr;
    }
    require(write_all(p[1], data_, size_), "pipe write failed");
    ::close(p[1]);
    pipe_read_ = p[0];
    fd = pipe_read_;
  }
  try {
    return open_capture_fd(fd, "fuzz");
  } catch (const CaptureOpenError&) {
    return nullptr;
  }
}

void require(bool cond, const char* what) {
  if (cond) return;
  std::fprintf(stderr, "fuzz invariant violated: %s\n", what);
  std::abort();
}

void check_frame(const Frame& frame, uint64_t expected_number) {
  require(frame.number == expected_number, "frame numbers are 1, 2, 3, ...");
  require(frame.ts.nsec < 1'000'000'000u, "timestamp nanoseconds below one second");
  require(frame.ts.sec >= -kMaxTimestampSec && frame.ts.sec <= kMaxTimestampSec, "timestamp within int64 ns");
  require(frame.data.size() <= (256u << 20), "caplen within the reader's limit");
  // Touch every byte so ASan sees an out-of-bounds span.
  volatile uint8_t sink = 0;
  for (uint8_t b : frame.data) sink = static_cast<uint8_t>(sink ^ b);
  (void)sink;
}

void check_decoded(const Frame& frame, const Decoded& pkt) {
  const uint64_t size = frame.data.size();
  require(pkt.layer_count <= pkt.layers.size(), "layer count within the array");
  // Layers decoded from a reassembled datagram count from its first byte instead of the frame's.
  for (uint8_t i = 0; i < pkt.layer_count; ++i) {
    const LayerSpan& l = pkt.layers[i];
    require(l.source == ps::Source::Frame || (pkt.reassembly && pkt.reassembled.data()),
            "reassembled layer has its bytes");
    require(uint64_t{l.offset} + l.length <= pkt.source(l).size(), "layer span inside its source");
  }
  const uint64_t payload_room =
      pkt.l4_layer >= 0 ? pkt.source(pkt.layers[static_cast<size_t>(pkt.l4_layer)]).size() : size;
  require(uint64_t{pkt.payload_offset} + pkt.payload_len <= payload_room || pkt.payload_len == 0,
          "payload inside its source");
  const uint8_t* begin = frame.data.data();
  const uint8_t* end = begin + size;
  const size_t addr_len = pkt.ip_version == 6 ? 16 : 4;
  if (pkt.src_ip) require(pkt.src_ip >= begin && pkt.src_ip + addr_len <= end, "src_ip inside the frame");
  if (pkt.dst_ip) require(pkt.dst_ip >= begin && pkt.dst_ip + addr_len <= end, "dst_ip inside the frame");
  require(pkt.ip_layer < pkt.layer_count || pkt.ip_layer < 0, "ip_layer indexes a layer");
  require(pkt.l4_layer < pkt.layer_count || pkt.l4_layer < 0, "l4_layer indexes a layer");
}

std::span<const uint32_t> link_types() {
  static constexpr uint32_t kTypes[] = {kLinkEthernet,
                                        kLinkLinuxSll,
                                        kLinkLinuxSll2,
                                        kLinkNull,
                                        kLinkLoop,
                                        kLinkRaw,
                                        12,
                                        14,
                                        kLinkIpv4,
                                        kLinkIpv6,
                                        147 /* user0: not decoded */,
                                        kLinkPpp,
                                        kLinkPppHdlc,
                                        kLinkChdlc,
                                        kLinkIeee80211,
                                        kLinkRadiotap,
                                        kLinkNflog,
                                        kLinkPktap};
  return kTypes;
}

std::vector<SplitFrame> split_frames(const uint8_t* data, size_t size, size_t max_frames) {
  std::vector<SplitFrame> frames;
  const auto types = link_types();
  while (size >= 3 && frames.size() < max_frames) {
    SplitFrame f;
    f.link_type = types[data[0] % types.size()];
    size_t len = (size_t{data[1]} << 8) | data[2];
    data += 3;
    size -= 3;
    if (len > size) len = size;
    f.bytes.assign(data, data + len);
    data += len;
    size -= len;
    frames.push_back(std::move(f));
  }
  return frames;
}

} // namespace ps::fuzz

namespace ps::fuzz {

DrainResult drain(CaptureReader& reader, uint64_t max_frames) {
  DrainResult r;
  Frame frame;
  while (r.frames < max_frames && reader.next(frame)) check_frame(frame, ++r.frames);
  if (r.frames < max_frames) require(!reader.next(frame), "next() stays false after the end");
  if (reader.error()) {
    r.error = true;
    r.error_offset = reader.error()->offset;
    require(!reader.error()->message.empty(), "an error has a message");
    require(reader.error()->message.find('\n') == std::string::npos, "an error message is one line");
  }
  (void)reader.format_name();
  (void)reader.link_type();
  (void)reader.snaplen();
  return r;
}

bool is_pcap_magic(const uint8_t* data, size_t size) {
  if (size < 4) return false;
  const uint32_t be =
      (uint32_t{data[0]} << 24) | (uint32_t{data[1]} << 16) | (uint32_t{data[2]} << 8) | data[3];
  switch (be) {
  case 0xa1b2c3d4:
  case 0xd4c3b2a1:
  case 0xa1b23c4d:
  case 0x4d3cb2a1:
  case 0xa1b2cd34:
  case 0x34cdb2a1:
    return true;
  default:
    return false;
  }
}

bool is_pcapng_magic(const uint8_t* data, size_t size) {
  return size >= 4 && data[0] == 0x0a && data[1] == 0x0d && data[2] == 0x0d && data[3] == 0x0a;
}

void fuzz_reader(const uint8_t* data, size_t size) {
  constexpr uint64_t kMaxFrames = 100'000;
  MemoryCapture cap(data, size);
  auto mapped = cap.open(Source::kMapped);
  const DrainResult a = mapped ? drain(*mapped, kMaxFrames) : DrainResult{};
  // The pipe path costs a 1 MiB buffer per input: compare the two paths on one input in four.
  if (size == 0 || (data[size - 1] & 3) != 0) return;
  auto stream = cap.open(Source::kStream);
  if (!stream) {
    // Stream mode refuses exactly what mapped mode refuses (unless the pipe was too small).
    return;
  }
  require(mapped != nullptr, "a pipe opens what the file does not");
  const DrainResult b = drain(*stream, kMaxFrames);
  require(a.frames == b.frames, "mapped and stream reads deliver the same frames");
  require(a.error == b.error, "mapped and stream reads agree on damage");
  if (a.error)
    require(a.error_offset == b.error_offset, "mapped and stream reads report damage at one offset");
}

} // namespace ps::fuzz
