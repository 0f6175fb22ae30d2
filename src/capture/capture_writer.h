// Writing captures (`-w FILE`): the frames as read, in pcap or pcapng, with their bytes, original
// lengths, timestamps at the input's resolution and (pcapng) interfaces and comments.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "capture/frame.h"
#include "capture/reader.h"

namespace ps {

enum class CaptureFormat { Pcap, Pcapng };

// "pcap" or "pcapng" (tshark's -F names); nullopt for anything else.
std::optional<CaptureFormat> capture_format_named(std::string_view name);
// pcapng for names ending in .pcapng or .ntar (any case), pcap otherwise (also for "-").
CaptureFormat capture_format_for_path(std::string_view path);
const char* capture_format_name(CaptureFormat f);

struct CaptureWriteError {
  std::string message; // one line, ready to print after "portscope: "
  int exit_code = 1;   // 1: the output cannot be written; 2: the capture cannot be held by the format
};

// Writes into a large buffer (1 MiB), one write() per buffer. The output is "-" (standard output), a
// device or FIFO (written directly), or a file: then the bytes go to FILE.partial-XXXXXX in the same
// directory, renamed to FILE by commit() and removed if the writer is destroyed without a successful
// commit(), so FILE never names a capture that was cut short.
class CaptureWriter {
public:
  // `source` provides the interfaces and sections (CaptureReader::interfaces()/sections()) of the
  // frames to be written; it must outlive the writer. pcap refuses (exit code 2) a capture whose
  // interfaces known at open have different link types. On failure returns null and sets `err`.
  static std::unique_ptr<CaptureWriter> open(const std::string& path, CaptureFormat format,
                                             const CaptureReader& source, CaptureWriteError& err);
  virtual ~CaptureWriter();
  CaptureWriter(const CaptureWriter&) = delete;
  CaptureWriter& operator=(const CaptureWriter&) = delete;

  // Appends one frame read from `source`. False once anything failed (then error() says why and
  // nothing more is written).
  virtual bool write(const Frame& f) = 0;
  // Flushes and, for a file, renames FILE.partial-XXXXXX to FILE. False (with error()) if that fails;
  // the partial file is then removed.
  bool commit();

  const std::optional<CaptureWriteError>& error() const { return error_; }
  uint64_t frames() const { return frames_; }
  // FILE.partial-XXXXXX while writing a file, else empty.
  const std::string& partial_path() const { return temp_path_; }

protected:
  CaptureWriter() = default;
  void put(const void* p, size_t n) {
    if (buf_.size() + n > kBufferSize)
      spill(p, n);
    else
      buf_.insert(buf_.end(), static_cast<const uint8_t*>(p), static_cast<const uint8_t*>(p) + n);
  }
  void put16(uint16_t v) { put(&v, 2); }
  void put32(uint32_t v) { put(&v, 4); }
  void put64(uint64_t v) { put(&v, 8); }
  void pad4(size_t n) {
    static constexpr uint8_t zeros[4] = {};
    put(zeros, (4 - n % 4) % 4);
  }
  bool failed() const { return error_.has_value(); }
  bool fail(std::string message, int exit_code);
  const std::string& display_name() const { return display_; }

  const CaptureReader* source_ = nullptr;
  uint64_t frames_ = 0;

private:
  static constexpr size_t kBufferSize = size_t{1} << 20;
  bool open_output(const std::string& path, CaptureWriteError& err);
  void spill(const void* p, size_t n);
  bool write_all(const uint8_t* p, size_t n);
  bool flush();
  void discard();

  std::vector<uint8_t> buf_;
  int fd_ = -1;
  bool own_fd_ = false;
  bool committed_ = false;
  std::string display_;   // "'out.pcap'" or "standard output"
  std::string target_;    // the path renamed to (files only)
  std::string temp_path_; // FILE.partial-XXXXXX (files only)
  std::optional<CaptureWriteError> error_;
};

// Copies every frame of `reader` (at most `max_frames`, 0: all) to `writer`, calling on_frame(frame)
// after each one. Stops at the end, at damage (reader.error()) or when a write fails (writer.error()).
struct CopyResult {
  uint64_t frames = 0;
  bool write_failed = false;
};
template <class OnFrame>
CopyResult copy_frames(CaptureReader& reader, CaptureWriter& writer, uint64_t max_frames,
                       OnFrame&& on_frame) {
  CopyResult res;
  Frame frame;
  while ((max_frames == 0 || res.frames < max_frames) && reader.next(frame)) {
    ++res.frames;
    if (!writer.write(frame)) {
      res.write_failed = true;
      break;
    }
    on_frame(frame);
  }
  return res;
}

} // namespace ps
