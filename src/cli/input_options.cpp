#include "cli/input_options.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>

#include "cli/limit_options.h"

namespace ps::cli {

void fail(const std::string& msg) {
  std::fprintf(stderr, "portscope: %s\n", msg.c_str());
}

void add_input_options(CLI::App* cmd, InputArgs& a, bool transactions_limit) {
  cmd->add_option("file", a.file, "Capture file (pcap or pcapng; '-' reads standard input)");
  cmd->add_option("-r,--read-file", a.read_file, "Capture file, as tshark -r");
  cmd->add_option("-c,--count", a.count, "Stop after N frames")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 62, "a count from 1"))
      ->each([](const std::string& v) {
        // CLI11 would wrap "-5" into a huge unsigned number: refuse signs outright.
        if (!v.empty() && (v[0] == '-' || v[0] == '+'))
          throw CLI::ValidationError("--count", "'" + v + "' is not a count");
      });
  cmd->add_option(
         "-d,--decode-as", a.decode_as,
         "Decode a port as a protocol, as tshark -d: tcp.port==2222,http (repeatable; also udp.port)")
      ->allow_extra_args(false);
  cmd->add_option(
      "-Y,--display-filter", a.display_filter,
      "Wireshark display filter: 'ip.addr == 10.0.0.0/8 && tcp.port in {80, 443}' (docs/filters.md)");
  add_capture_filter_option(cmd, a.capture);
  cmd->add_option(
         "-j,--jobs", a.jobs,
         "Worker threads; the output is the same with any number (default: one per core for read and "
         "log, 1 for conns and follow)")
      ->check(CLI::Range(1u, InputArgs::kMaxJobs));
  cmd->add_flag("-q,--quiet", a.quiet, "No progress display on stderr (shown only on a terminal anyway)");
  add_limit_options(cmd, a.limits, transactions_limit);
  add_live_options(cmd, a.live, a.snaplen_short);
}

unsigned InputArgs::workers(bool cores_by_default) const {
  // A live capture prints as frames arrive and ends connections on the clock: one worker.
  if (live.active()) return 1;
  if (jobs) return jobs;
  if (!cores_by_default) return 1;
  const unsigned cores = std::thread::hardware_concurrency();
  return std::clamp(cores, 1u, kMaxJobs);
}

bool parse_decode_as(const InputArgs& a, app::DecodeAs& rules) {
  for (const std::string& d : a.decode_as) {
    std::string err;
    if (!rules.add(d, err)) {
      fail(err);
      return false;
    }
  }
  return true;
}

bool compile_display_filter(const InputArgs& a, std::optional<filter::DisplayFilter>& out) {
  if (a.display_filter.empty()) return true;
  filter::CompileError ce;
  out = filter::DisplayFilter::compile(a.display_filter, ce);
  if (!out) fail(filter::format_error(a.display_filter, ce));
  return out.has_value();
}

bool compile_packet_filter(const InputArgs& a, std::optional<filter::DisplayFilter>& df,
                           std::optional<PacketFilter>& pf, EngineNeeds& needs) {
  if (!compile_display_filter(a, df)) return false;
  if (df) {
    pf.emplace(*df);
    pf->add_needs(needs);
  }
  return true;
}

filter::DisplayFilter compile_display_filter_copy(const InputArgs& a) {
  filter::CompileError ce;
  return std::move(*filter::DisplayFilter::compile(a.display_filter, ce)); // compiled once already
}

std::unique_ptr<CaptureReader> open_input(const InputArgs& a, const char* command, int& exit_code) {
  if (a.live.active()) return open_live_input(a, exit_code);
  if (a.path().empty()) {
    fail(std::string(command) + ": no capture file given (portscope " + command +
         " FILE, or -r FILE; '-' reads standard input; -i IFACE captures live)");
    exit_code = kExitUsage;
    return nullptr;
  }
  return open_capture_with(a.path(), a.capture, exit_code); // with -f applied
}

uint64_t input_size(const std::string& path) {
  struct stat st {};
  if (path == "-" || ::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return 0;
  return static_cast<uint64_t>(st.st_size);
}

int finish_run(OutBuffer& out, CaptureReader& reader) {
  close_live(reader);
  out.flush();
  if (!out.ok()) {
    if (out.error() == EPIPE) return kExitOk;
    fail(std::string("cannot write output: ") + std::strerror(out.error()));
    return kExitData;
  }
  if (reader.error()) {
    fail(reader.error()->message);
    return kExitData;
  }
  return kExitOk;
}

} // namespace ps::cli
