#include "cli/live_options.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "capture/bpf_filter.h"
#include "capture/live_reader.h"
#include "capture/ring_writer.h"
#include "cli/input_options.h"

namespace ps::cli {

namespace {

// -Z: the process becomes USER once the interfaces are open (tcpdump -Z): supplementary groups, then
// the group, then the user, each checked.
bool drop_privileges(const std::string& user, std::string& err) {
  errno = 0;
  const passwd* pw = ::getpwnam(user.c_str());
  if (pw == nullptr) {
    err = fmt::format("-Z: no such user '{}'", user);
    return false;
  }
  const uid_t uid = pw->pw_uid;
  const gid_t gid = pw->pw_gid;
  if (::initgroups(user.c_str(), gid) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0) {
    err = fmt::format("-Z: cannot become '{}': {}", user, std::strerror(errno));
    return false;
  }
  if (uid != 0 && ::setuid(0) == 0) { // must not be able to come back
    err = fmt::format("-Z: privileges of '{}' could be regained", user);
    return false;
  }
  return true;
}

std::string summary(const LiveArgs& a, const LiveStats& s, const RingWriter* w) {
  std::string ifaces;
  for (const std::string& i : a.interfaces) ifaces += (ifaces.empty() ? "" : ", ") + i;
  std::string line = fmt::format("{} packets captured on {}, {} received by filter, {} dropped by kernel, "
                                 "{} dropped by interface",
                                 s.captured, ifaces, s.received, s.dropped, s.if_dropped);
  if (w) {
    line += fmt::format("; {} written to ", w->frames());
    if (w->files().size() == 1)
      line += w->files().front() == "-" ? "standard output" : "'" + w->files().front() + "'";
    else
      line +=
          fmt::format("{} files ('{}' ... '{}')", w->files().size(), w->files().front(), w->files().back());
  }
  return line;
}

} // namespace

void add_live_options(CLI::App* cmd, LiveArgs& a, bool short_snaplen) {
  cmd->add_option("-i,--interface", a.interfaces,
                  "Capture live on this interface (repeatable; 'any' for all) instead of reading a file")
      ->allow_extra_args(false)
      ->type_name("IFACE");
  cmd->add_flag_callback(
      "-D,--list-interfaces",
      [] {
        std::vector<std::string> lines;
        std::string err;
        if (!list_interfaces(lines, err)) {
          fail(err);
          std::exit(kExitUsage);
        }
        for (const std::string& l : lines) std::printf("%s\n", l.c_str());
        std::fflush(stdout);
        std::exit(kExitOk);
      },
      "List the interfaces -i can capture on, and exit");
  cmd->add_option("--duration", a.duration_s, "With -i: stop capturing after this many seconds")
      ->check(CLI::PositiveNumber)
      ->type_name("SECONDS");
  cmd->add_option(short_snaplen ? "-s,--snapshot-length" : "--snapshot-length", a.snaplen,
                  "With -i: keep at most this many bytes of each frame (0: all, the default 262144)")
      ->check(CLI::Range(0u, 262144u))
      ->type_name("BYTES");
  cmd->add_flag("-p,--no-promiscuous-mode", a.no_promiscuous,
                "With -i: do not put the interface into promiscuous mode");
  cmd->add_option("-B,--buffer-size", a.buffer_mib,
                  "With -i: kernel capture buffer per interface (MiB, default 32)")
      ->check(CLI::Range(1u, 2047u))
      ->type_name("MIB");
  cmd->add_option("-b,--ring-buffer", a.ring,
                  "With -i -w: switch output files after filesize:MB or duration:SECONDS, keep files:N "
                  "(repeatable or comma-separated)")
      ->allow_extra_args(false);
  cmd->add_option("-Z,--relinquish-privileges", a.user,
                  "With -i: become USER once the interfaces are open (before -w files are created)")
      ->type_name("USER");
}

std::unique_ptr<CaptureReader> open_live_input(const InputArgs& a, int& exit_code, bool immediate) {
  exit_code = kExitUsage;
  const LiveArgs& l = a.live;
  if (!a.path().empty()) {
    fail("give a capture file or -i IFACE, not both");
    return nullptr;
  }
  const CaptureOptions& cap = a.capture;
  RingOptions ring;
  for (const std::string& b : l.ring) {
    std::string err;
    if (!parse_ring_option(b, ring, err)) {
      fail(err);
      return nullptr;
    }
  }
  if (!l.ring.empty() && cap.write_file.empty()) {
    fail("-b (ring buffer) needs -w FILE");
    return nullptr;
  }
  if (ring.files != 0 && !ring.active()) {
    fail("-b files:N needs filesize:MB or duration:SECONDS too");
    return nullptr;
  }
  if (!l.user.empty() && ::getpwnam(l.user.c_str()) == nullptr) {
    fail("-Z: no such user '" + l.user + "'");
    return nullptr;
  }
  if (cap.write_file == "-" && ::isatty(STDOUT_FILENO)) {
    fail("-w -: not writing a binary capture to a terminal (redirect or pipe it)");
    return nullptr;
  }
  LiveOptions lo;
  lo.interfaces = l.interfaces;
  lo.snaplen = l.snaplen;
  lo.promiscuous = !l.no_promiscuous;
  lo.buffer_mib = l.buffer_mib;
  lo.filter = cap.filter;
  lo.has_filter = cap.has_filter;
  lo.duration_ns = static_cast<int64_t>(std::llround(l.duration_s * 1e9));
  lo.immediate = immediate;
  LiveOpenError oerr;
  std::unique_ptr<LiveReader> reader = LiveReader::open(lo, oerr);
  if (!reader) {
    fail(oerr.message);
    return nullptr;
  }
  if (!l.user.empty()) {
    std::string err;
    if (!drop_privileges(l.user, err)) {
      fail(err);
      return nullptr;
    }
  }
  std::shared_ptr<RingWriter> writer;
  if (!cap.write_file.empty()) {
    const CaptureFormat format = cap.write_format.empty() ? capture_format_for_path(cap.write_file)
                                                          : *capture_format_named(cap.write_format);
    CaptureWriteError err;
    writer = RingWriter::open(cap.write_file, format, *reader, ring, err);
    if (!writer) {
      fail(err.message);
      exit_code = err.exit_code;
      return nullptr;
    }
    reader->set_recorder([writer](const Frame& f) -> std::string {
      if (writer->write(f)) [[likely]]
        return {};
      return writer->error() ? writer->error()->message : "cannot write the capture";
    });
  }
  const bool quiet = a.quiet;
  reader->set_on_close([writer, quiet, l](const LiveStats& s) -> std::string {
    std::string err;
    if (writer && !writer->commit())
      err = writer->error() ? writer->error()->message : "cannot write the capture";
    if (!quiet) std::fprintf(stderr, "%s\n", summary(l, s, writer.get()).c_str());
    return err;
  });
  LiveReader::stop_on_signals();
  if (!quiet) { // as tcpdump's "listening on": the capture has begun
    for (const InterfaceInfo& i : reader->interfaces()) {
      const char* dlt = pcap_datalink_val_to_name(linktype_to_dlt(i.link_type));
      std::fprintf(stderr, "capturing on %s, link-type %s, snapshot length %u bytes\n", i.name.c_str(),
                   dlt ? dlt : "?", i.snaplen);
    }
  }
  exit_code = kExitOk;
  return reader;
}

bool is_live(const CaptureReader& r) {
  return dynamic_cast<const LiveReader*>(&r) != nullptr;
}

void on_live_tick(CaptureReader& r, std::function<void(Timestamp now)> tick) {
  if (auto* live = dynamic_cast<LiveReader*>(&r)) live->set_tick(std::move(tick));
}

bool live_counts(const CaptureReader& r, uint64_t& received, uint64_t& dropped) {
  const auto* live = dynamic_cast<const LiveReader*>(&r);
  if (!live) return false;
  const LiveStats s = live->stats();
  received = s.received;
  dropped = s.dropped + s.if_dropped;
  return true;
}

bool live_drops(const CaptureReader& r, uint64_t& by_kernel, uint64_t& by_interface) {
  const auto* live = dynamic_cast<const LiveReader*>(&r);
  if (!live) return false;
  const LiveStats s = live->stats();
  by_kernel = s.dropped;
  by_interface = s.if_dropped;
  return true;
}

void close_live(CaptureReader& r) {
  if (auto* live = dynamic_cast<LiveReader*>(&r)) live->close();
}

} // namespace ps::cli
