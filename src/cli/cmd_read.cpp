// `portscope read FILE`: every frame as a summary line, a protocol tree (-V), fields (-T fields) or JSON.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "capture/reader.h"
#include "cli/capture_options.h"
#include "cli/commands.h"
#include "cli/input_options.h"
#include "cli/kafka_options.h"
#include "cli/limit_options.h"
#include "filter/display_filter.h"
#include <sys/stat.h>
#include <unistd.h>

#include "engine/progress.h"
#include "output/packet_sink.h"
#include "pipeline/packet_loop.h"

namespace ps::cli {

namespace {

struct ReadArgs {
  InputArgs in;
  KafkaArgs kafka;
  bool verbose = false;
  bool hex = false;
  std::string time_format = "r"; // -t
  std::string format = "text";
  std::vector<std::string> fields;
  std::vector<std::string> eopts;
  bool no_resolve = false;
  std::optional<std::string> names; // -N: which names to show, as tshark's letters (m MAC, t transport)
  bool absolute_seq = false;
  bool no_checksums = false;
};

// read -w -Y without -P: the matching frames are written, nothing is printed.
struct NullSink final : PacketSink {
  void packet(const Frame&, const Record&, int64_t) override {}
};

// Parses -E options; returns false (after printing why) on a bad one.
bool parse_eopts(const std::vector<std::string>& eopts, FieldsOptions& fo) {
  for (const std::string& e : eopts) {
    auto eq = e.find('=');
    if (eq == std::string::npos) {
      fail("bad -E option '" + e + "': expected key=value");
      return false;
    }
    std::string k = e.substr(0, eq), v = e.substr(eq + 1);
    if (k == "header" && (v == "y" || v == "n"))
      fo.header = v == "y";
    else if (k == "separator" && !v.empty()) {
      if (v == "/t")
        fo.separator = '\t';
      else if (v == "/s")
        fo.separator = ' ';
      else
        fo.separator = v[0];
    } else if (k == "occurrence" && (v == "f" || v == "l" || v == "a"))
      fo.occurrence = v[0];
    else if (k == "aggregator" && !v.empty()) {
      if (v == "/s")
        fo.aggregator = ' ';
      else
        fo.aggregator = v[0];
    } else if (k == "quote" && (v == "d" || v == "s" || v == "n"))
      fo.quote = v[0];
    else {
      fail("bad -E option '" + e +
           "' (header=y|n, separator=C|/t|/s, occurrence=f|l|a, aggregator=C, quote=d|s|n)");
      return false;
    }
  }
  return true;
}

// read -i -w without -P: the live reader's recorder writes every frame; nothing is dissected.
int capture_to_file(const ReadArgs& a) {
  int exit_code = 0;
  std::unique_ptr<CaptureReader> reader = open_live_input(a.in, exit_code, /*immediate=*/false);
  if (!reader) return exit_code;
  Frame frame;
  for (uint64_t n = 0; (a.in.count == 0 || n < a.in.count) && reader->next(frame);) ++n;
  close_live(*reader);
  if (reader->error()) {
    fail(reader->error()->message);
    return 1;
  }
  return 0;
}

int run_read(const ReadArgs& a) {
  const std::string& path = a.in.path();
  const bool live = a.in.live.active();
  if (path.empty() && !live) {
    fail("read: no capture file given (portscope read FILE, or -r FILE; '-' reads standard input; -i IFACE "
         "captures live)");
    return 2;
  }
  std::optional<filter::DisplayFilter> dfilter;
  if (!compile_display_filter(a.in, dfilter)) return 2;
  int exit_code = 0;
  const CaptureOptions& cap = a.in.capture;
  // --kafka: each frame is published (as -T ndjson, or -T ek documents); -w still writes them.
  const bool kafka = a.kafka.active();
  const bool print = cap.print || kafka;
  if (kafka && a.format != "text" && a.format != "ndjson" && a.format != "ek") {
    fail("--kafka publishes each frame as a -T ndjson (default) or -T ek document, not -T " + a.format);
    return 2;
  }
  std::unique_ptr<kafka::Producer> producer = open_kafka(a.kafka, exit_code);
  if (exit_code) return exit_code;
  if (live && !cap.write_file.empty() && dfilter) {
    fail("-Y cannot select what -w writes while capturing: -w gets every captured frame (-f filters them); "
         "read the file with -Y -w afterwards");
    return 2;
  }
  if (live && !cap.write_file.empty() && !print) return capture_to_file(a);
  // -w without -Y or -P: the frames are copied, not dissected (as tshark -w).
  if (!cap.write_file.empty() && !print && !dfilter) {
    auto reader = open_capture_with(path, cap, exit_code);
    return reader ? write_capture(*reader, path, cap, a.in.count, a.in.quiet) : exit_code;
  }
  OutBuffer out(kafka ? OutBuffer::kMemory : 1);
  SinkFactory make_sink;
  if (a.hex && a.format != "text") {
    fail("-x goes with text output (no -T " + a.format + ")");
    return 2;
  }
  if (kafka) {
    if (a.format == "ek")
      make_sink = [](OutBuffer& o) { return make_ek_sink(o, /*index_lines=*/false); };
    else
      make_sink = [](OutBuffer& o) { return make_json_sink(o, true); };
  } else if (a.format == "fields") {
    FieldsOptions fo;
    if (a.fields.empty()) {
      fail("-T fields needs at least one -e FIELD");
      return 2;
    }
    for (const std::string& name : a.fields) {
      auto f = find_field(name);
      if (!f) {
        fail("unknown field '" + name + "' in -e (see 'portscope fields')");
        return 2;
      }
      fo.fields.push_back(*f);
    }
    if (!parse_eopts(a.eopts, fo)) return 2;
    make_sink = [fo](OutBuffer& o) { return make_fields_sink(o, fo); };
  } else if (a.format == "json" || a.format == "ndjson") {
    const bool nd = a.format == "ndjson";
    make_sink = [nd](OutBuffer& o) { return make_json_sink(o, nd); };
  } else if (a.format == "ek") {
    make_sink = [](OutBuffer& o) { return make_ek_sink(o); };
  } else if (a.format == "text") {
    const bool tree = a.verbose;
    TimeFormat time = TimeFormat::Relative;
    if (!parse_time_format(a.time_format, time)) {
      fail("unknown time format '" + a.time_format + "' for -t (a, ad, adoy, d, dd, e, r, u, ud, udoy)");
      return 2;
    }
    make_sink = [tree, time](OutBuffer& o) { return tree ? make_tree_sink(o) : make_summary_sink(o, time); };
    if (a.hex) { // as tshark -x: the dump alone, after the tree with -V, after the summary with -P
      const bool inner = tree || cap.print;
      make_sink = [tree, inner, time](OutBuffer& o) {
        return make_hex_sink(o, !inner ? nullptr : tree ? make_tree_sink(o) : make_summary_sink(o, time));
      };
    }
  } else {
    fail("unknown output format '" + a.format + "' for -T (text, fields, json, ndjson, ek)");
    return 2;
  }
  if (!cap.write_file.empty() && !print) // -w -Y: written only
    make_sink = [](OutBuffer&) -> std::unique_ptr<PacketSink> { return std::make_unique<NullSink>(); };
  std::unique_ptr<CaptureReader> reader =
      live ? open_live_input(a.in, exit_code) : open_capture_with(path, a.in.capture, exit_code);
  if (!reader) return exit_code;
  if (producer && !live)
    reader = stop_on_signals(std::move(reader), a.in.path() == "-"); // Ctrl-C: publish what was read
  on_live_tick(*reader, [&out, &producer](Timestamp) {               // frames show as they arrive
    out.flush();
    if (producer) producer->poll();
  });
  ReadOptions ro;
  ro.max_frames = a.in.count;
  ro.describe.resolve_ports = !a.no_resolve && (!a.names || a.names->find('t') != std::string::npos);
  ro.describe.resolve_macs = !a.no_resolve && (!a.names || a.names->find('m') != std::string::npos);
  ro.describe.absolute_seq = a.absolute_seq;
  ro.describe.check_checksums = !a.no_checksums;
  ro.limits = a.in.limits;
  ro.display_filter = dfilter ? &*dfilter : nullptr;
  if (!parse_decode_as(a.in, ro.decode_as)) return 2;
  // Frames printed to a terminal already show progress; a redirected run gets the progress line.
  Progress progress(input_size(path), !a.in.quiet && !live && !::isatty(STDOUT_FILENO));
  ro.progress = &progress;
  std::unique_ptr<CaptureWriter> writer;           // -w with -P: written and printed
  if (!a.in.capture.write_file.empty() && !live) { // live: the reader's recorder writes
    writer = open_capture_writer(*reader, a.in.capture, exit_code);
    if (!writer) return exit_code;
    ro.writer = writer.get();
  }
  // Workers, each with its own copy of the filter, unless a frame's output depends on which earlier
  // frames the filter showed.
  std::vector<filter::DisplayFilter> filters;
  ro.jobs = a.in.workers();
  if (ro.jobs > 1 && !parallel_read_possible(*make_sink(out), ro.display_filter)) ro.jobs = 1;
  if (ro.jobs > 1 && dfilter) {
    filters.reserve(ro.jobs);
    for (unsigned k = 0; k < ro.jobs; ++k) filters.push_back(compile_display_filter_copy(a.in));
    for (const filter::DisplayFilter& f : filters) ro.worker_filters.push_back(&f);
  }
  if (producer)
    ro.publish = [&producer](std::string_view text, uint64_t uid) {
      while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
      producer->publish("packet", uid ? conn_uid_text(uid) : std::string(), text);
    };
  ReadResult res = run_packet_loop(*reader, make_sink, out, ro);
  close_live(*reader);
  if (producer) {
    const int code = res.write_failed || reader->error() ? 1 : 0;
    if (reader->error()) fail(reader->error()->message);
    if (writer && finish_capture_writer(*writer, res.write_failed) != 0)
      return finish_kafka(*producer, 1, a.in.quiet);
    return finish_kafka(*producer, code, a.in.quiet);
  }
  report_limits(a.in.limits, res.limit_hits);
  if (writer) {
    if (res.output_failed && !res.write_failed) { // printing stopped first: the capture is incomplete
      finish_capture_writer(*writer, /*abandon=*/true);
      fail("'" + a.in.capture.write_file + "' not written: the printed output ended before the last frame");
      return 1;
    }
    if (const int rc = finish_capture_writer(*writer, res.write_failed); rc != 0) return rc;
  }
  if (res.output_failed) {
    // A closed pipe (| head) is a normal way to stop reading; anything else is an error.
    if (out.error() == EPIPE) return 0;
    fail(std::string("cannot write output: ") + std::strerror(out.error()));
    return 1;
  }
  if (reader->error()) {
    fail(reader->error()->message);
    return 1;
  }
  return 0;
}

} // namespace

void add_read_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ReadArgs>();
  CLI::App* cmd =
      app.add_subcommand("read", "Print every frame: summary lines, protocol trees, fields or JSON");
  cmd->footer("Examples:\n"
              "  portscope read capture.pcap                  one line per frame\n"
              "  portscope read capture.pcap -V               full protocol trees\n"
              "  portscope read capture.pcap -V --absolute-seq  raw TCP sequence numbers\n"
              "  portscope read capture.pcap -T fields -e ip.src -e tcp.srcport -E header=y\n"
              "  portscope read capture.pcap -T json -c 10\n"
              "  portscope read capture.pcap -Y 'tcp.port == 80 && http.request'\n"
              "  portscope read capture.pcap -f 'tcp port 80' -w web.pcapng\n"
              "  tcpdump -w - | portscope read -r -");
  add_input_options(cmd, args->in);
  cmd->add_flag("-V,--verbose", args->verbose, "Print the full protocol tree of every frame");
  cmd->add_flag("-x,--hex", args->hex,
                "Print each frame's bytes in hex and ASCII (after the tree with -V, the summary with -P)");
  cmd->add_option("-T,--format", args->format,
                  "Output format: text (default), fields, json, ndjson, ek (tshark's bulk-index NDJSON)")
      ->check(CLI::IsMember({"text", "fields", "json", "ndjson", "ek"}));
  cmd->add_option("-e,--field", args->fields, "Field to print with -T fields (repeat; tshark names)")
      ->allow_extra_args(false);
  cmd->add_option(
         "-E", args->eopts,
         "Fields output option: header=y|n, separator=C|/t|/s, occurrence=f|l|a, aggregator=C, quote=d|s|n")
      ->allow_extra_args(false);
  cmd->add_option(
      "-t", args->time_format,
      "Time on summary lines, as tshark: r (since the first frame, default), a/ad/adoy (local "
      "time, date, year/day), u/ud/udoy (UTC), d/dd (since the previous captured/displayed frame), "
      "e (epoch)");
  cmd->add_flag("-n,--no-resolve", args->no_resolve,
                "Show addresses and port numbers without names (MAC vendors, services)");
  cmd->add_option("-N,--names", args->names,
                  "Show only these names, as tshark's -N: m (MAC address vendors), t (port services)")
      ->check(CLI::Validator(
          [](const std::string& s) {
            return s.find_first_not_of("mtndNvsg") == std::string::npos ? std::string{}
                                                                        : "letters of m (MAC) and t (ports)";
          },
          "FLAGS"));
  cmd->add_flag("-S,--absolute-seq", args->absolute_seq,
                "Show TCP sequence and acknowledgment numbers as on the wire, not relative to the ISN");
  cmd->add_flag("--no-checksums", args->no_checksums, "Do not verify IP/TCP/UDP/ICMP checksums");
  add_capture_write_options(cmd, args->in.capture);
  add_kafka_options(cmd, args->kafka);
  cmd->callback([args, &exit_code] { exit_code = run_read(*args); });
}

} // namespace ps::cli
