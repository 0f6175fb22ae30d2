// `-w FILE -b ...` while capturing: the frames go to a sequence of capture files, each switched for the
// next after a size or a duration, keeping at most N files (tshark's ring buffer). Without ring
// options it is one CaptureWriter.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "capture/capture_writer.h"

namespace ps {

struct RingOptions {
  uint64_t file_bytes = 0; // filesize: switch once a file holds this many bytes (0: no limit)
  int64_t duration_ns = 0; // duration: switch after this long (capture time; 0: no limit)
  uint32_t files = 0;      // files: keep at most this many, removing the oldest (0: keep all)
  bool active() const { return file_bytes != 0 || duration_ns != 0; }
};

// Parses one -b argument ("filesize:10", "duration:60", "files:5", or several joined by commas) into
// `o`; false with `err` set on a bad one. filesize is in megabytes (10^6 bytes, fractions allowed).
bool parse_ring_option(const std::string& arg, RingOptions& o, std::string& err);

// The name of ring file number `n` (from 1) started at `ts` (local time): out.pcapng →
// out_00001_20261201101500.pcapng, as tshark names them.
std::string ring_file_name(const std::string& path, uint32_t n, Timestamp ts);

class RingWriter {
public:
  // Opens the first file (named by ring_file_name when ring options are active, else `path` itself).
  static std::unique_ptr<RingWriter> open(const std::string& path, CaptureFormat format,
                                          const CaptureReader& source, const RingOptions& ring,
                                          CaptureWriteError& err);
  // False once a write, a switch or a removal failed (error() says why).
  bool write(const Frame& f);
  // Completes the current file.
  bool commit();
  const std::optional<CaptureWriteError>& error() const { return error_; }
  // Every file written and kept, oldest first (the current one last).
  const std::deque<std::string>& files() const { return files_; }
  uint64_t frames() const { return frames_; }

private:
  RingWriter() = default;
  bool start_file(Timestamp ts);

  std::string path_;
  CaptureFormat format_ = CaptureFormat::Pcap;
  const CaptureReader* source_ = nullptr;
  RingOptions ring_;
  std::unique_ptr<CaptureWriter> current_;
  uint32_t number_ = 0;
  uint64_t bytes_ = 0, frames_ = 0, file_frames_ = 0;
  Timestamp file_start_;
  std::deque<std::string> files_;
  std::optional<CaptureWriteError> error_;
};

} // namespace ps
