// The capture-layer flags: -f (capture filter) for every command that reads a capture, and -w / -F
// (write the frames as a capture file) for `read`. The logic lives in src/capture/.
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "capture/capture_writer.h"
#include "capture/reader.h"

namespace ps::cli {

struct CaptureOptions {
  std::string filter;       // -f, --capture-filter (empty: none)
  bool has_filter = false;  // -f given (an empty expression is a valid filter passing everything)
  std::string write_file;   // -w, --write ("-": standard output)
  std::string write_format; // -F, --output-format (empty: from the file name)
  bool print = false;       // -P, --print: with -w, print the frames too
};

// -f,--capture-filter BPF.
void add_capture_filter_option(CLI::App* cmd, CaptureOptions& o);
// -w,--write FILE, -F,--output-format pcap|pcapng and -P,--print.
void add_capture_write_options(CLI::App* cmd, CaptureOptions& o);

// Opens `path` and applies -f. On failure prints one line and returns null with `exit_code` set: 1 when
// the capture cannot be opened, 2 for a filter libpcap cannot compile.
std::unique_ptr<CaptureReader> open_capture_with(const std::string& path, const CaptureOptions& o,
                                                 int& exit_code);

// Opens the -w output for `reader`'s frames; on failure prints one line and returns null with
// `exit_code` set (1, or 2 for a capture the format cannot hold, or -P with -w -). Removes the partial
// file if the run is interrupted by SIGINT, SIGTERM or SIGHUP until finish_capture_writer().
std::unique_ptr<CaptureWriter> open_capture_writer(const CaptureReader& reader, const CaptureOptions& o,
                                                   int& exit_code);
// Commits the output unless `abandon` (then it is removed); returns 0, or the exit code after printing
// the writer's error in one line.
int finish_capture_writer(CaptureWriter& writer, bool abandon);

// `read -w`: copies the frames (at most max_frames, 0: all) of `reader` to the -w output. Returns the
// exit code, after printing one line on any error.
int write_capture(CaptureReader& reader, const std::string& input_path, const CaptureOptions& o,
                  uint64_t max_frames, bool quiet);

} // namespace ps::cli
