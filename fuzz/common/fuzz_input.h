// Shared helpers for the libFuzzer targets: turn the fuzzer's bytes into a capture reader (through an
// in-memory file, so the readers run exactly as on a real file), into frames, and check invariants.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "capture/frame.h"
#include "capture/reader.h"
#include "dissect/packet.h"

namespace ps::fuzz {

// How the bytes reach the reader: a regular (memfd) file is mapped, a pipe is read in chunks.
enum class Source { kMapped, kStream };

// A capture file holding `data`. Owns the descriptor; reader() may be called once per Source.
class MemoryCapture {
public:
  MemoryCapture(const uint8_t* data, size_t size);
  ~MemoryCapture();
  MemoryCapture(const MemoryCapture&) = delete;
  MemoryCapture& operator=(const MemoryCapture&) = delete;

  // nullptr when the bytes are not an openable capture (CaptureOpenError) or, for kStream, when the
  // input does not fit a pipe's buffer.
  std::unique_ptr<CaptureReader> open(Source how);

private:
  const uint8_t* data_;
  size_t size_;
  int fd_ = -1;
  int pipe_read_ = -1;
};

// Traps (abort) with a message when `cond` is false: invariants the parsers promise.
void require(bool cond, const char* what);

// Checks what a reader promises about a frame it handed out, and reads every byte of it.
void check_frame(const Frame& frame, uint64_t expected_number);

// Checks that every offset decode() reports lies inside the frame.
void check_decoded(const Frame& frame, const Decoded& pkt);

// The link types the decoder knows, plus one it does not (falls back to data).
std::span<const uint32_t> link_types();

// Splits fuzzer bytes into frames: each record is [link selector:1][length:2 big-endian][bytes].
// Each frame's bytes are copied to an exactly sized buffer so over-reads hit the redzone.
struct SplitFrame {
  uint32_t link_type = 0;
  std::vector<uint8_t> bytes;
};
std::vector<SplitFrame> split_frames(const uint8_t* data, size_t size, size_t max_frames);

} // namespace ps::fuzz

namespace ps::fuzz {

struct DrainResult {
  uint64_t frames = 0;
  bool error = false;
  uint64_t error_offset = 0;
};

// Reads every frame (at most `max_frames`) and checks each; stops at the end or at damage.
DrainResult drain(CaptureReader& reader, uint64_t max_frames);

// True when the first four bytes are one of the classic pcap magics (either byte order).
bool is_pcap_magic(const uint8_t* data, size_t size);
bool is_pcapng_magic(const uint8_t* data, size_t size);

// Runs a capture through both sources and checks they agree; the body of both reader targets.
void fuzz_reader(const uint8_t* data, size_t size);

} // namespace ps::fuzz
