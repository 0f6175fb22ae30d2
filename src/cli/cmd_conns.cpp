// `portscope conns FILE`: the connection table of a capture -- a netstat-like list, Zeek's conn.log,
// JSON/NDJSON/CSV, tshark's conversation tables (--conv), per-server counts (--servers), or the
// connections open at one instant (--at). Each TCP connection's service comes from the application
// layer (decode-as, an FTP announcement, the first payload bytes), which sees each connection only
// until its service is decided (FTP control connections: until they end).
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/app_engine.h"
#include "capture/reader.h"
#include "cli/capture_options.h"
#include "cli/commands.h"
#include "cli/limit_options.h"
#include "dissect/frame_decoder.h"
#include "flow/conn_table.h"
#include "flow/tracker.h"
#include "output/conn_reports.h"
#include "output/conn_writers.h"
#include "output/progress.h"
#include "wire/tcp.h"

namespace ps::cli {

namespace {

struct ConnsArgs {
  std::string file, read_file;
  std::string format = "table";
  bool numeric = false, conv = false, servers = false, quiet = false, stream = false;
  std::string at;
  std::vector<std::string> decode_as;
  Limits limits;
  CaptureOptions capture; // -f
};

constexpr int kExitData = 1, kExitUsage = 2;

void fail(const std::string& msg) {
  std::fprintf(stderr, "portscope: %s\n", msg.c_str());
}

// "12", "0.25": seconds; parsed exactly into nanoseconds. nullopt on anything else.
std::optional<int64_t> parse_seconds(const std::string& s) {
  size_t i = 0;
  int64_t whole = 0, frac = 0;
  int digits = 0, frac_digits = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++digits) {
    if (digits >= 12) return std::nullopt;
    whole = whole * 10 + (s[i] - '0');
  }
  if (i < s.size() && s[i] == '.') {
    for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      if (frac_digits < 9) {
        frac = frac * 10 + (s[i] - '0');
        ++frac_digits;
      }
    }
  }
  if (i != s.size() || (digits == 0 && frac_digits == 0)) return std::nullopt;
  for (int k = frac_digits; k < 9; ++k) frac *= 10;
  return whole * 1'000'000'000 + frac;
}

// 2026-11-26T09:24:45[.fraction][Z] (UTC) -> nanoseconds since the epoch.
std::optional<int64_t> parse_iso_time(const std::string& s) {
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec, &consumed) != 6)
    return std::nullopt;
  if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
      tm.tm_min > 59 || tm.tm_sec > 60 || tm.tm_year < 1970)
    return std::nullopt;
  std::string rest = s.substr(static_cast<size_t>(consumed));
  if (!rest.empty() && rest.back() == 'Z') rest.pop_back();
  int64_t frac = 0;
  if (!rest.empty()) {
    auto f = parse_seconds("0" + rest);
    if (!f || rest[0] != '.') return std::nullopt;
    frac = *f;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  time_t t = timegm(&tm);
  return static_cast<int64_t>(t) * 1'000'000'000 + frac;
}

// Values this large are epoch seconds, not an offset into the capture (over three years long).
constexpr int64_t kEpochThresholdNs = 100'000'000ll * 1'000'000'000;

struct AtTime {
  int64_t ns = 0;
  bool absolute = false;
};

std::optional<AtTime> parse_at(const std::string& s) {
  if (s.find('T') != std::string::npos) {
    if (auto v = parse_iso_time(s)) return AtTime{*v, true};
    return std::nullopt;
  }
  if (auto v = parse_seconds(s)) return AtTime{*v, *v >= kEpochThresholdNs};
  return std::nullopt;
}

Timestamp ts_of_ns(int64_t ns) {
  Timestamp t;
  t.sec = ns / 1'000'000'000;
  int64_t r = ns % 1'000'000'000;
  if (r < 0) {
    r += 1'000'000'000;
    --t.sec;
  }
  t.nsec = static_cast<uint32_t>(r);
  return t;
}

uint64_t file_size(const std::string& path) {
  struct stat st {};
  if (path == "-" || ::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return 0;
  return static_cast<uint64_t>(st.st_size);
}

// The application layer's verdict as the connection table records it. A verdict by port keeps the
// table's own IANA name (the app layer knows only the few protocols it analyzes).
bool app_service(const app::StreamService& s, std::string_view& name, ServiceSource& source) {
  if (!s.decided || s.service == app::Service::None) return false;
  switch (s.source) {
  case app::ServiceSource::User:
    source = ServiceSource::User;
    break;
  case app::ServiceSource::Expected:
    source = ServiceSource::Expected;
    break;
  case app::ServiceSource::Content:
    source = ServiceSource::Content;
    break;
  case app::ServiceSource::Port:
  case app::ServiceSource::None:
    return false;
  }
  name = app::service_name(s.service);
  return true;
}

// A SYN without ACK or payload: the app layer need not see it (a connection that gets no further stays
// out of the engine, which keeps a SYN flood cheap; the SYN-ACK orients the connection just as well).
bool lone_syn(const Decoded& pkt) {
  if (pkt.payload_len) return false;
  const LayerSpan* l4 = pkt.l4();
  wire::Bytes seg = pkt.bytes(*l4);
  if (wire::TcpView::check(seg)) return false;
  wire::TcpView t(seg);
  return t.has(wire::tcpflag::kSyn) && !t.has(wire::tcpflag::kAck);
}

// Per tcp.stream: whether the application layer still needs the connection's packets.
enum class AppNeed : uint8_t { Undecided, FtpControl, Done };

bool earlier(const ConnRecord& a, const ConnRecord& b) {
  if (a.first_ts != b.first_ts) return a.first_ts < b.first_ts;
  if (a.proto != b.proto) return a.proto < b.proto;
  return a.stream < b.stream;
}

int finish_output(OutBuffer& out, const CaptureReader& reader) {
  out.flush();
  if (!out.ok()) {
    if (out.error() == EPIPE) return 0; // `| head` is a normal way to stop
    fail(std::string("cannot write output: ") + std::strerror(out.error()));
    return kExitData;
  }
  if (reader.error()) {
    fail(reader.error()->message);
    return kExitData;
  }
  return 0;
}

ConnTableOptions table_options(const Limits& limits) {
  ConnTableOptions o;
  o.max_open = limits.max_connections;
  return o;
}

int run_conns(const ConnsArgs& a) {
  std::string path = !a.read_file.empty() ? a.read_file : a.file;
  if (path.empty()) {
    fail("conns: no capture file given (portscope conns FILE, or -r FILE; '-' reads standard input)");
    return kExitUsage;
  }
  if (a.format != "table" && a.format != "zeek" && a.format != "json" && a.format != "ndjson" &&
      a.format != "csv") {
    fail("unknown --format '" + a.format + "' (table, zeek, json, ndjson, csv)");
    return kExitUsage;
  }
  if (int modes = int{a.conv} + int{a.servers} + int{!a.at.empty()}; modes > 1) {
    fail("--conv, --servers and --at cannot be combined");
    return kExitUsage;
  }
  if (a.stream && (a.conv || a.servers || !a.at.empty())) {
    fail("--stream only applies to the connection list, not to --conv, --servers or --at");
    return kExitUsage;
  }
  std::optional<AtTime> at;
  if (!a.at.empty()) {
    at = parse_at(a.at);
    if (!at) {
      fail("bad --at value '" + a.at +
           "' (seconds from the capture start like 1.5, epoch seconds, or 2026-11-26T09:24:45.1 in UTC)");
      return kExitUsage;
    }
  }

  app::EngineOptions eo;
  eo.service_only = true;
  eo.check_checksums = false; // matters only for per-frame HTTP output
  eo.limits = a.limits;
  for (const std::string& rule : a.decode_as) {
    std::string err;
    if (!eo.decode_as.add(rule, err)) {
      fail(err);
      return kExitUsage;
    }
  }
  const app::DecodeAs rules = eo.decode_as; // UDP connections: the user's word is all there is
  const bool udp_rules = !rules.empty();

  int exit_code = 0;
  std::unique_ptr<CaptureReader> reader = open_capture_with(path, a.capture, exit_code);
  if (!reader) return exit_code;

  OutBuffer out;
  ConnWriterOptions wo;
  wo.numeric = a.numeric;
  std::unique_ptr<ConnWriter> writer = make_conn_writer(a.format, out, wo);
  std::vector<ConnRecord> records;
  bool begun = false;
  app::AppEngine engine(std::move(eo));
  app::AppFrame app_frame;
  std::vector<AppNeed> tcp_need; // by tcp.stream
  std::vector<bool> udp_seen;    // by udp.stream (decode-as rules for UDP)
  ConnTable table(
      [&](ConnRecord&& r) {
        if (r.proto == 6 && r.stream < tcp_need.size() && tcp_need[r.stream] != AppNeed::Done) {
          // Over before the app layer decided (e.g. no payload, or only out-of-order bytes): let it deliver
          // what it holds, then take its verdict.
          engine.close_stream(r.stream);
          std::string_view name;
          ServiceSource source = ServiceSource::None;
          if (tcp_need[r.stream] == AppNeed::Undecided &&
              app_service(engine.stream_service(r.stream), name, source)) {
            r.service.assign(name);
            r.service_source = source;
          }
          tcp_need[r.stream] = AppNeed::Done;
        }
        if (a.stream)
          writer->row(r);
        else
          records.push_back(std::move(r));
      },
      table_options(a.limits));
  FlowTracker tracker(false, a.limits.max_connections); // stream numbers only: no per-segment analysis
  Progress progress(file_size(path), !a.quiet);
  Frame frame;
  FrameDecoder decoder(a.limits);
  Decoded pkt;
  PacketMeta meta;
  Timestamp capture_start;
  int64_t at_ns = 0;
  uint64_t frames = 0;
  while (reader->next(frame)) {
    if (frames == 0) {
      capture_start = frame.ts;
      if (at) at_ns = at->absolute ? at->ns : conn_ts_ns(capture_start) + at->ns;
      if (a.stream) {
        writer->begin(capture_start);
        begun = true;
      }
    }
    if (at && conn_ts_ns(frame.ts) > at_ns) break; // the state at T is the state after every earlier packet
    ++frames;
    decoder.decode(frame, pkt);
    tracker.process(pkt, meta);
    table.process(pkt, meta);
    uint8_t proto;
    uint32_t stream;
    if (conn_stream_of(pkt, meta, proto, stream)) {
      if (proto == 6) {
        if (stream >= tcp_need.size()) tcp_need.resize(size_t{stream} + 1, AppNeed::Undecided);
        if (tcp_need[stream] != AppNeed::Done && !lone_syn(pkt)) {
          engine.process(pkt, meta, app_frame);
          const app::StreamService& s = engine.stream_service(stream);
          if (tcp_need[stream] == AppNeed::Undecided && s.decided) {
            std::string_view name;
            ServiceSource source = ServiceSource::None;
            if (app_service(s, name, source)) table.set_service(6, stream, name, source);
            if (s.has_parent) table.set_parent(6, stream, 6, s.parent_stream);
            tcp_need[stream] = s.service == app::Service::Ftp ? AppNeed::FtpControl : AppNeed::Done;
          }
        }
      } else if (udp_rules) {
        if (stream >= udp_seen.size()) udp_seen.resize(size_t{stream} + 1);
        if (!udp_seen[stream]) {
          udp_seen[stream] = true;
          app::Service s = rules.lookup(false, pkt.src_port, pkt.dst_port);
          if (s != app::Service::None)
            table.set_service(17, stream, app::service_name(s), ServiceSource::User);
        }
      }
    }
    progress.update(frame.file_offset, frames);
    if (a.stream && !out.ok()) break;
  }
  progress.finish();
  LimitHits hits;
  hits.connections_evicted = std::max(tracker.evicted(), table.evicted_count());
  engine.add_limit_hits(hits);
  decoder.add_limit_hits(hits);
  report_limits(a.limits, hits);

  if (at) {
    std::vector<ConnRecord> open;
    Timestamp at_ts = ts_of_ns(at_ns);
    table.for_each_open([&](const ConnRecord& r) {
      // Over once neither side is more than TIME_WAIT: the connection itself is closed.
      auto done = [](NetstatState s) { return s == NetstatState::Closed || s == NetstatState::TimeWait; };
      bool tcp_gone = r.proto == 6 && done(r.orig_tcp) && done(r.resp_tcp);
      bool udp_idle = r.proto == 17 && at_ns - conn_ts_ns(r.last_seen_ts) > ConnTableOptions{}.udp_idle_ns;
      if (!tcp_gone && !udp_idle) open.push_back(r);
    });
    render_open_at(out, open, capture_start, at_ts, a.numeric);
    return finish_output(out, *reader);
  }

  table.finish_all();
  if (a.stream) {
    if (!begun) writer->begin(capture_start);
    writer->end();
    return finish_output(out, *reader);
  }
  std::sort(records.begin(), records.end(), earlier);
  if (a.conv) {
    render_tshark_conv(out, records, capture_start);
  } else if (a.servers) {
    render_servers(out, summarize_servers(records), a.numeric, a.format == "json" || a.format == "ndjson");
  } else {
    writer->begin(capture_start);
    for (const ConnRecord& r : records) {
      writer->row(r);
      if (!out.ok()) break;
    }
    writer->end();
  }
  return finish_output(out, *reader);
}

} // namespace

void add_conns_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ConnsArgs>();
  CLI::App* cmd =
      app.add_subcommand("conns", "List the TCP/UDP connections in a capture (netstat, Zeek conn.log)");
  cmd->footer("Examples:\n"
              "  portscope conns capture.pcap                 one line per connection, like netstat -tan\n"
              "  portscope conns capture.pcap --format zeek   Zeek conn.log\n"
              "  portscope conns capture.pcap --conv          tshark -q -z conv,tcp -z conv,udp\n"
              "  portscope conns capture.pcap --servers       connections and clients per server\n"
              "  portscope conns capture.pcap --at 1.5        what was open 1.5 s into the capture\n"
              "  portscope conns capture.pcap -d tcp.port==2222,http   port 2222 carries HTTP\n"
              "  tcpdump -w - | portscope conns -r - --format ndjson --stream");
  cmd->add_option("file", args->file, "Capture file (pcap or pcapng; '-' reads standard input)");
  cmd->add_option("-r,--read-file", args->read_file, "Capture file, as tshark -r");
  cmd->add_option("-F,--format", args->format, "Output: table (default), zeek, json, ndjson, csv");
  cmd->add_flag("-n,--no-resolve", args->numeric, "No service names");
  cmd->add_flag("--conv", args->conv,
                "Print tshark's TCP and UDP conversation tables (-z conv,tcp -z conv,udp)");
  cmd->add_flag("--servers", args->servers,
                "Per server endpoint: connections, distinct clients, most open at once");
  cmd->add_option("--at", args->at,
                  "Connections open at T: seconds from the capture start, epoch seconds, or "
                  "2026-11-26T09:24:45.1 (UTC)");
  cmd->add_flag("--stream", args->stream,
                "Print each connection as soon as it ends (order of completion, constant memory)");
  cmd->add_option("-d,--decode-as", args->decode_as,
                  "Decode a port as a protocol, as tshark -d: tcp.port==2222,http (repeatable)")
      ->allow_extra_args(false);
  cmd->add_flag("-q,--quiet", args->quiet, "No progress display on stderr");
  add_capture_filter_option(cmd, args->capture);
  add_limit_options(cmd, args->limits);
  cmd->callback([args, &exit_code] { exit_code = run_conns(*args); });
}

} // namespace ps::cli
