// The input options every packet-reading command takes (read, conns, log, follow): the capture
// (FILE or -r FILE, '-' for standard input), -c, -d, -q and the resource limits; opening it; and how
// a run ends (output closed, write errors, damaged input) in exit codes.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "app/decode_as.h"
#include "capture/reader.h"
#include "cli/capture_options.h"
#include "cli/live_options.h"
#include "filter/display_filter.h"
#include "flow/limits.h"
#include "output/out_buffer.h"
#include "pipeline/packet_filter.h"

namespace ps::cli {

inline constexpr int kExitOk = 0, kExitData = 1, kExitUsage = 2;

struct InputArgs {
  std::string file, read_file;
  uint64_t count = 0; // -c: frames to read, 0 all
  std::vector<std::string> decode_as;
  std::string display_filter; // -Y
  CaptureOptions capture;     // -f (and, on read, -w / -F)
  bool quiet = false;
  Limits limits;
  bool transactions_limit = false; // log: --max-transactions too
  unsigned jobs = 0;               // -j: worker threads; 0: one per core
  LiveArgs live;                   // -i and the other live capture flags
  bool snaplen_short = true;       // -s for --snapshot-length (follow uses -s for --stream)

  const std::string& path() const { return read_file.empty() ? file : read_file; }
  // The workers a run uses: -j, else the machine's cores (at most kMaxJobs) where workers pay (read,
  // log), else one.
  unsigned workers(bool cores_by_default = true) const;
  static constexpr unsigned kMaxJobs = 64;
};

// Adds FILE, -r, -c, -d, -Y, -f, -j, -q, the limit flags and the live capture flags (-i ...).
void add_input_options(CLI::App* cmd, InputArgs& a, bool transactions_limit = false);

void fail(const std::string& msg); // "portscope: msg" on stderr

// Parses the -d rules; false (after printing why) on a bad one.
bool parse_decode_as(const InputArgs& a, app::DecodeAs& rules);

// Compiles -Y (when given) into `out`; false (after printing where it broke) on a bad filter.
bool compile_display_filter(const InputArgs& a, std::optional<filter::DisplayFilter>& out);
// -Y as a packet filter for commands that do not print packets (follow, stats, report): compiles it
// into `df` and `pf` (when given) and adds the stages its fields need; false after printing why.
bool compile_packet_filter(const InputArgs& a, std::optional<filter::DisplayFilter>& df,
                           std::optional<PacketFilter>& pf, EngineNeeds& needs);
// One more compiled copy of -Y (a parallel run's workers each evaluate their own).
filter::DisplayFilter compile_display_filter_copy(const InputArgs& a);

// Opens the capture (the file, or the interfaces of -i); nullptr (after printing why) when it cannot.
// `command` names the command in the message for a missing file.
std::unique_ptr<CaptureReader> open_input(const InputArgs& a, const char* command, int& exit_code);

// Bytes of a regular input file (0: unknown, e.g. a pipe), for the progress display.
uint64_t input_size(const std::string& path);

// Flushes the output and turns the state of the run into an exit code: a closed pipe (| head) is a
// normal way to stop (0), another write error or a damaged input is 1.
// A live capture is ended first (close_live: -w files completed, the summary on stderr).
int finish_run(OutBuffer& out, CaptureReader& reader);

} // namespace ps::cli
