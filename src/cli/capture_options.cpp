#include "cli/capture_options.h"

#include <csignal>
#include <cstdio>
#include <cstring>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/bpf_filter.h"
#include "capture/capture_writer.h"
#include "engine/progress.h"

namespace ps::cli {

namespace {

// The partial file of the running -w, removed if the run is interrupted (Ctrl-C, kill): a signal
// handler may only use async-signal-safe calls, hence the fixed buffer.
char g_partial[4096];

extern "C" void remove_partial_and_die(int sig) {
  if (g_partial[0] != '\0') ::unlink(g_partial);
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

void remove_partial_on_signals(const std::string& partial) {
  if (partial.empty() || partial.size() >= sizeof g_partial) return;
  std::memcpy(g_partial, partial.c_str(), partial.size() + 1);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction old {};
    if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue; // e.g. under nohup
    std::signal(sig, remove_partial_and_die);
  }
}

void forget_partial() {
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction old {};
    if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == remove_partial_and_die)
      std::signal(sig, SIG_DFL);
  }
  g_partial[0] = '\0';
}

} // namespace

void add_capture_filter_option(CLI::App* cmd, CaptureOptions& o) {
  cmd->add_option_function<std::string>(
         "-f,--capture-filter",
         [&o](const std::string& v) {
           o.filter = v;
           o.has_filter = true;
         },
         "Capture filter (BPF, as tcpdump and tshark -f: 'tcp port 80'): other frames are skipped "
         "before decoding, as if not captured")
      ->type_name("BPF");
}

void add_capture_write_options(CLI::App* cmd, CaptureOptions& o) {
  cmd->add_option("-w,--write", o.write_file,
                  "Write the frames to FILE instead of printing them ('-': standard output)")
      ->type_name("FILE");
  cmd->add_option("-F,--output-format", o.write_format,
                  "Format for -w: pcap or pcapng (default: pcapng for .pcapng/.ntar names, else pcap)")
      ->check(CLI::IsMember({"pcap", "pcapng"}));
  cmd->add_flag("-P,--print", o.print, "With -w, also print the frames (as tshark -P)");
}

std::unique_ptr<CaptureReader> open_capture_with(const std::string& path, const CaptureOptions& o,
                                                 int& exit_code) {
  std::unique_ptr<CaptureReader> reader;
  try {
    reader = open_capture(path);
  } catch (const CaptureOpenError& e) {
    std::fprintf(stderr, "portscope: %s\n", e.what());
    exit_code = 1;
    return nullptr;
  }
  if (!o.has_filter) return reader;
  std::string err;
  auto filter = BpfFilter::create(o.filter, reader->link_type(), err, [](const std::string& w) {
    std::fprintf(stderr, "portscope: warning: %s\n", w.c_str());
  });
  if (!filter) {
    std::fprintf(stderr, "portscope: %s\n", err.c_str());
    exit_code = 2;
    return nullptr;
  }
  return filter_capture(std::move(reader), std::move(*filter));
}

std::unique_ptr<CaptureWriter> open_capture_writer(const CaptureReader& reader, const CaptureOptions& o,
                                                   int& exit_code) {
  if (o.print && o.write_file == "-") {
    std::fprintf(stderr,
                 "portscope: -P with -w -: the frames and the capture cannot both go to standard output\n");
    exit_code = 2;
    return nullptr;
  }
  if (o.write_file == "-" && ::isatty(STDOUT_FILENO)) {
    std::fprintf(stderr,
                 "portscope: -w -: not writing a binary capture to a terminal (redirect or pipe it)\n");
    exit_code = 2;
    return nullptr;
  }
  const CaptureFormat format =
      o.write_format.empty() ? capture_format_for_path(o.write_file) : *capture_format_named(o.write_format);
  // A reader that closes the pipe must not kill the run: the write error is reported instead.
  std::signal(SIGPIPE, SIG_IGN);
  CaptureWriteError err;
  std::unique_ptr<CaptureWriter> writer = CaptureWriter::open(o.write_file, format, reader, err);
  if (!writer) {
    std::fprintf(stderr, "portscope: %s\n", err.message.c_str());
    exit_code = err.exit_code;
    return nullptr;
  }
  remove_partial_on_signals(writer->partial_path());
  return writer;
}

int finish_capture_writer(CaptureWriter& writer, bool abandon) {
  const bool committed = !abandon && !writer.error() && writer.commit();
  forget_partial(); // renamed, or removed when the writer goes
  if (committed) return 0;
  if (!writer.error()) return 1; // abandoned: the caller says why
  std::fprintf(stderr, "portscope: %s\n", writer.error()->message.c_str());
  return writer.error()->exit_code;
}

int write_capture(CaptureReader& reader, const std::string& input_path, const CaptureOptions& o,
                  uint64_t max_frames, bool quiet) {
  int exit_code = 0;
  std::unique_ptr<CaptureWriter> writer = open_capture_writer(reader, o, exit_code);
  if (!writer) return exit_code;
  struct stat st {};
  const uint64_t size =
      input_path != "-" && ::stat(input_path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  Progress progress(size, !quiet);
  const CopyResult res = copy_frames(reader, *writer, max_frames,
                                     [&](const Frame& f) { progress.update(f.file_offset, f.number); });
  progress.finish();
  // Damage in the input: the frames before it are a valid capture and are kept (exit code 1 all the same).
  if (const int rc = finish_capture_writer(*writer, res.write_failed); rc != 0) return rc;
  if (reader.error()) {
    std::fprintf(stderr, "portscope: %s\n", reader.error()->message.c_str());
    return 1;
  }
  return 0;
}

} // namespace ps::cli
