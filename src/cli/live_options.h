// Live capture flags for every packet-reading command: -i IFACE (repeatable, "any"), -D, --duration,
// -s, -p, -B, -b (ring buffer with -w), -Z; opening the interfaces (src/capture/live_reader.h), the -w
// recorder, the run summary and the clock ticks that drive timeouts while no packet comes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "capture/reader.h"

namespace ps::cli {

struct LiveArgs {
  std::vector<std::string> interfaces; // -i
  double duration_s = 0;               // --duration
  uint32_t snaplen = 262144;           // -s
  bool no_promiscuous = false;         // -p
  uint32_t buffer_mib = 32;            // -B
  std::vector<std::string> ring;       // -b
  std::string user;                    // -Z
  bool active() const { return !interfaces.empty(); }
};

struct InputArgs;

// Adds -i, -D, --duration, -s (only --snapshot-length when `short_snaplen` is false), -p, -B, -b, -Z.
void add_live_options(CLI::App* cmd, LiveArgs& a, bool short_snaplen);

// Opens the interfaces of `a.live` with -f, drops privileges (-Z), starts the -w recorder (every
// captured frame, ring buffer with -b) and makes SIGINT/SIGTERM end the capture cleanly. nullptr with
// `exit_code` set (2) after printing one line when it cannot.
// `immediate` false when nothing is printed (read -i -w without -P).
std::unique_ptr<CaptureReader> open_live_input(const InputArgs& a, int& exit_code, bool immediate = true);

// True for a reader open_live_input made.
bool is_live(const CaptureReader& r);

// While capturing, `tick(now)` runs about ten times a second between frames (also when none come):
// the caller advances its engine's clock and flushes its output. Does nothing for a file.
void on_live_tick(CaptureReader& r, std::function<void(Timestamp now)> tick);

// libpcap's counts so far (received, dropped) when `r` is live.
bool live_counts(const CaptureReader& r, uint64_t& received, uint64_t& dropped);

// libpcap's drop counts so far (by the kernel, by the interface) when `r` is live; after close_live,
// the final ones.
bool live_drops(const CaptureReader& r, uint64_t& by_kernel, uint64_t& by_interface);

// Ends the capture (if `r` is live): the -w files are completed and the summary with libpcap's counts
// goes to stderr. A failure to complete the files becomes r.error().
void close_live(CaptureReader& r);

} // namespace ps::cli
