// open_capture: opens the input and picks the reader from the magic number.
#include "capture/reader.h"

#include <fmt/format.h>

#include "capture/formats.h"

namespace ps {

namespace {

using capture_detail::ByteSource;

std::unique_ptr<CaptureReader> open_source(ByteSource src) {
  if (!src.ensure(4)) {
    if (src.avail() == 0) throw CaptureOpenError(fmt::format("{} is empty: not a capture file", src.name()));
    throw CaptureOpenError(
        fmt::format("{} is too short to be a capture file ({} bytes)", src.name(), src.avail()));
  }
  const uint8_t* p = src.cur();
  const uint32_t be = (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
  switch (be) {
  case 0xa1b2c3d4: // pcap, microseconds (big-endian, then little-endian)
  case 0xd4c3b2a1:
  case 0xa1b23c4d: // pcap, nanoseconds
  case 0x4d3cb2a1:
  case 0xa1b2cd34: // pcap, Kuznetzov's modified records
  case 0x34cdb2a1:
    return capture_detail::make_pcap_reader(std::move(src));
  case 0x0a0d0d0a: // pcapng section header block
    return capture_detail::make_pcapng_reader(std::move(src));
  default:
    throw CaptureOpenError(
        fmt::format("{} is not a pcap or pcapng capture (magic 0x{:08x})", src.name(), be));
  }
}

} // namespace

std::unique_ptr<CaptureReader> open_capture(const std::string& path) {
  return open_source(ByteSource::open(path));
}

std::unique_ptr<CaptureReader> open_capture_fd(int fd, const std::string& display_name) {
  return open_source(ByteSource::from_fd(fd, display_name, /*owned=*/false));
}

} // namespace ps
