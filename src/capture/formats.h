// Internal to src/capture: the format readers behind open_capture.
#pragma once

#include <memory>

#include "capture/byte_source.h"
#include "capture/reader.h"

namespace ps::capture_detail {

// Sanity bound on one frame's captured length (and so on a packet block's length).
inline constexpr uint32_t kMaxCaplen = 256u << 20;

// Both take a source positioned at the file's first byte, whose first 4 bytes are known to be
// the format's magic. They throw CaptureOpenError if the file header is cut short or invalid.
std::unique_ptr<CaptureReader> make_pcap_reader(ByteSource src);
std::unique_ptr<CaptureReader> make_pcapng_reader(ByteSource src);

} // namespace ps::capture_detail
