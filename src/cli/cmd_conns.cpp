// `portscope conns FILE`: the connection table of a capture -- a netstat-like list, Zeek's conn.log,
// JSON/NDJSON/CSV, tshark's conversation tables (--conv), per-server counts (--servers), or the
// connections open at one instant (--at). Each TCP connection's service comes from the application
// layer (decode-as, an FTP announcement, the first payload bytes), which sees each connection only
// until its service is decided (FTP control connections: until they end).
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "capture/capture_writer.h"
#include "capture/reader.h"
#include "cli/commands.h"
#include "cli/input_options.h"
#include "cli/kafka_options.h"
#include "cli/limit_options.h"
#include "engine/engine.h"
#include "engine/progress.h"
#include "output/conn_reports.h"
#include "output/conn_writers.h"
#include "output/log/log_rows.h"
#include "pipeline/engine_set.h"
#include "pipeline/packet_filter.h"

namespace ps::cli {

namespace {

struct ConnsArgs {
  InputArgs in;
  KafkaArgs kafka;
  std::string format = "table";
  bool numeric = false, conv = false, servers = false, stream = false, url = false;
  std::string at;
};

// conns --url: the URL of each TCP connection's first HTTP request, from the transactions of the engine
// that analyzed it (in a parallel run, the worker whose records these are).
class FirstUrls {
public:
  std::string take(const app::Transactions& t, const ConnRecord& r) {
    for (; scanned_ < t.http.size(); ++scanned_) {
      const app::HttpTxn& x = t.http[scanned_];
      if (x.uri.empty()) continue;
      auto [it, fresh] = first_.try_emplace(x.id.stream, x.trans_depth, std::string());
      if (fresh || x.trans_depth < it->second.first) it->second = {x.trans_depth, app::http_request_url(x)};
    }
    if (r.proto != 6) return {};
    auto it = first_.find(r.stream);
    if (it == first_.end()) return {};
    std::string url = std::move(it->second.second);
    first_.erase(it);
    return url;
  }

private:
  size_t scanned_ = 0;
  std::unordered_map<uint32_t, std::pair<uint32_t, std::string>> first_; // stream -> (depth, URL)
};

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

bool earlier(const ConnRecord& a, const ConnRecord& b) {
  if (a.first_ts != b.first_ts) return a.first_ts < b.first_ts;
  if (a.proto != b.proto) return a.proto < b.proto;
  return a.stream < b.stream;
}

// Sorts by start as earlier() orders them (ties keep their order). Records are large: the order is
// found on small keys and each record then moves once.
void sort_records(std::vector<ConnRecord>& records) {
  struct Key {
    int64_t sec;
    uint32_t nsec;
    uint32_t proto;
    uint32_t stream;
    uint32_t index;
    auto operator<=>(const Key&) const = default;
  };
  std::vector<Key> keys(records.size());
  for (uint32_t i = 0; i < keys.size(); ++i) {
    const ConnRecord& r = records[i];
    keys[i] = Key{r.first_ts.sec, r.first_ts.nsec, r.proto, r.stream, i};
  }
  std::sort(keys.begin(), keys.end());
  std::vector<ConnRecord> sorted;
  sorted.reserve(records.size());
  for (const Key& k : keys) sorted.push_back(std::move(records[k.index]));
  records = std::move(sorted);
}

// conns -w, second pass: reads the capture again through an engine that numbers connections exactly
// as the first pass did (same stages that decide when records end) and writes every frame of the
// connections whose uid the first pass selected, in capture order.
int write_selected(const ConnsArgs& a, const std::unordered_set<uint64_t>& uids) {
  int code = 0;
  std::unique_ptr<CaptureReader> reader = open_input(a.in, "conns", code);
  if (!reader) return code;
  std::unique_ptr<CaptureWriter> writer = open_capture_writer(*reader, a.in.capture, code);
  if (!writer) return code;
  EngineOptions eo;
  eo.needs.records = true;
  eo.limits = a.in.limits;
  if (!parse_decode_as(a.in, eo.decode_as)) return kExitUsage;
  Engine engine(std::move(eo));
  bool failed = false;
  engine.on_packet([&](const PacketView& v) {
    if (!v.conn || !uids.count(v.conn->uid)) return true;
    failed = !writer->write(v.frame);
    return !failed;
  });
  RunLimits rl;
  rl.max_frames = a.in.count;
  engine.run(*reader, rl);
  if (reader->error() && !failed) {
    finish_capture_writer(*writer, true);
    fail(reader->error()->message);
    return kExitData;
  }
  return finish_capture_writer(*writer, failed);
}

int run_conns(const ConnsArgs& a) {
  if (a.format != "table" && a.format != "zeek" && a.format != "json" && a.format != "ndjson" &&
      a.format != "csv") {
    fail("unknown --format '" + a.format + "' (table, zeek, json, ndjson, csv)");
    return kExitUsage;
  }
  if (int modes = int{a.conv} + int{a.servers} + int{!a.at.empty()}; modes > 1) {
    fail("--conv, --servers and --at cannot be combined");
    return kExitUsage;
  }
  const bool live = a.in.live.active();
  if (live && !a.at.empty()) {
    fail("--at reads a capture file; while capturing, 'portscope top -i IFACE' shows what is open now");
    return kExitUsage;
  }
  if (live && !a.in.capture.write_file.empty() && !a.in.display_filter.empty()) {
    fail("-Y cannot select what -w writes while capturing: -w gets every captured frame (-f filters them); "
         "run conns FILE -Y ... -w on the file afterwards");
    return kExitUsage;
  }
  if (!a.in.capture.write_file.empty() && !live) {
    if (a.conv || a.servers || !a.at.empty() || a.stream) {
      fail("-w writes the packets of the connections; it cannot be combined with --conv, --servers, --at or "
           "--stream");
      return kExitUsage;
    }
    if (a.in.path() == "-") {
      fail("conns -w reads the capture twice: give a file, not standard input");
      return kExitUsage;
    }
  }
  if (a.stream && (a.conv || a.servers || !a.at.empty())) {
    fail("--stream only applies to the connection list, not to --conv, --servers or --at");
    return kExitUsage;
  }
  if (a.kafka.active() && (a.conv || a.servers || !a.at.empty() || !a.in.capture.write_file.empty())) {
    fail(
        "--kafka publishes the connection records; it cannot be combined with --conv, --servers, --at or -w");
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
  EngineOptions eo;
  eo.needs.records = true;
  eo.needs.app = true;
  eo.needs.service_only = !a.url; // --url: the HTTP analyzer runs and keeps its requests
  eo.needs.transactions = a.url;
  eo.needs.http_bodies = eo.needs.tls_app_data = !a.in.display_filter.empty(); // counted, never shown
  eo.check_checksums = false; // matters only for per-frame HTTP output
  eo.limits = a.in.limits;
  if (!parse_decode_as(a.in, eo.decode_as)) return kExitUsage;
  // -Y: on packet fields, a connection matches when one of its packets does; on conn.* fields, the
  // finished record is tested.
  std::optional<filter::DisplayFilter> df;
  if (!compile_display_filter(a.in, df)) return kExitUsage;
  std::optional<ConnSelector> sel;
  if (df) {
    sel.emplace(*df);
    if (sel->form() == ConnFilterForm::Mixed) {
      fail("conns -Y: a filter tests packet fields or conn.* fields, not both (see docs/filters.md)");
      return kExitUsage;
    }
    sel->add_needs(eo.needs);
  }
  auto selected = [&](const ConnRecord& r) { return !sel || sel->selected(r); };
  int code = 0;
  std::unique_ptr<kafka::Producer> producer = open_kafka(a.kafka, code);
  if (code) return code;
  std::optional<ConnPublisher> publisher;
  if (producer) publisher.emplace(*producer);
  std::unique_ptr<CaptureReader> reader = open_input(a.in, "conns", code);
  if (!reader) return code;
  if (producer && !live)
    reader = stop_on_signals(std::move(reader), a.in.path() == "-"); // Ctrl-C: publish what was read

  OutBuffer out;
  ConnWriterOptions wo;
  wo.numeric = a.numeric;
  wo.url = a.url;
  std::unique_ptr<ConnWriter> writer = make_conn_writer(a.format, out, wo);
  std::vector<ConnRecord> records;
  std::unordered_set<uint64_t> selected_uids;                     // -w: the connections to write
  const bool writing = !a.in.capture.write_file.empty() && !live; // live: the reader's recorder writes
  bool begun = false;
  Timestamp capture_start;
  auto handle = [&](ConnRecord&& r) {
    if (!selected(r)) return;
    if (publisher) { // in the order they end (merged from the workers), as --stream prints them
      publisher->publish(r);
      return;
    }
    if (writing) {
      selected_uids.insert(r.uid);
      return;
    }
    if (a.stream)
      writer->row(r);
    else
      records.push_back(std::move(r));
  };
  auto first_frame = [&](const Timestamp& ts) {
    capture_start = ts;
    if (a.stream && !publisher) {
      writer->begin(capture_start);
      begun = true;
    }
  };
  // Every worker numbers every connection, which is most of what conns costs: one by default.
  const unsigned jobs = a.in.workers(false);
  EngineSet engines(eo, jobs);
  // Parallel: each worker's records wait, with their tags, until the batch that produced them is
  // merged; each worker tests packets with its own copy of the filter.
  struct Tagged {
    EmitTag tag;
    ConnRecord rec;
  };
  const unsigned nslots = parallel_slots(jobs);
  std::vector<std::vector<Tagged>> current(jobs);
  std::vector<std::vector<std::vector<Tagged>>> done(jobs, std::vector<std::vector<Tagged>>(nslots));
  WorkerSelectors worker_sel(sel ? &*sel : nullptr, a.in.display_filter, jobs);
  std::vector<FirstUrls> urls(jobs);
  bool first = true;
  for (unsigned k = 0; k < jobs; ++k) {
    Engine& e = engines[k];
    ConnSelector* ws = worker_sel[k];
    if (jobs == 1)
      e.on_connection([&, k](ConnRecord&& r) {
        if (a.url) r.url = urls[k].take(e.transactions(), r);
        handle(std::move(r));
      });
    else
      e.on_connection([&current, &e, &urls, &a, k](ConnRecord&& r) {
        if (a.url) r.url = urls[k].take(e.transactions(), r);
        current[k].push_back({e.emit_tag(), std::move(r)});
      });
    // The first frame fixes the capture start; --stream rows may follow at once.
    e.on_packet([&, ws, jobs](const PacketView& v) {
      if (ws) ws->packet(v);
      if (jobs == 1 && first) {
        first = false;
        first_frame(v.frame.ts);
      }
      return jobs > 1 || !a.stream || out.ok();
    });
  }
  auto merge = [&](std::vector<Tagged*>& pending) {
    std::stable_sort(pending.begin(), pending.end(),
                     [](const Tagged* x, const Tagged* y) { return x->tag < y->tag; });
    for (Tagged* t : pending) handle(std::move(t->rec));
    pending.clear();
  };
  std::vector<Tagged*> pending;
  ParallelHooks hooks;
  hooks.after_batch = [&](unsigned k, unsigned slot) { done[k][slot].swap(current[k]); };
  hooks.merge_batch = [&](unsigned slot, std::span<const Frame> frames) {
    if (first && !frames.empty()) {
      first = false;
      first_frame(frames.front().ts);
    }
    for (unsigned k = 0; k < jobs; ++k)
      for (Tagged& t : done[k][slot]) pending.push_back(&t);
    merge(pending);
    for (unsigned k = 0; k < jobs; ++k) done[k][slot].clear();
    return !a.stream || out.ok();
  };
  Progress progress(input_size(a.in.path()), !a.in.quiet && !live);
  RunLimits rl;
  rl.max_frames = a.in.count;
  rl.progress = &progress;
  int64_t at_ns = 0;
  // Live: idle connections end on the clock even when no packet comes; --stream rows show at once.
  on_live_tick(*reader, [&](Timestamp now) {
    engines[0].advance_clock(now);
    out.flush();
    if (producer) producer->poll();
  });
  bool at_set = false;
  if (at) {
    // The state at T is the state after every earlier packet.
    rl.stop_before = [&](const Frame& f) {
      if (!at_set) {
        at_set = true;
        at_ns = at->absolute ? at->ns : conn_ts_ns(f.ts) + at->ns;
      }
      return conn_ts_ns(f.ts) > at_ns;
    };
  }
  engines.run(*reader, rl, hooks);
  report_limits(a.in.limits, engines.limit_hits());

  if (at) {
    std::vector<ConnRecord> open;
    Timestamp at_ts = ts_of_ns(at_ns);
    for (unsigned k = 0; k < jobs; ++k)
      engines[k].for_each_open([&](const ConnRecord& r) {
        // Over once neither side is more than TIME_WAIT: the connection itself is closed.
        auto over = [](NetstatState s) { return s == NetstatState::Closed || s == NetstatState::TimeWait; };
        bool tcp_gone = r.proto == 6 && over(r.orig_tcp) && over(r.resp_tcp);
        bool udp_idle = r.proto == 17 && at_ns - conn_ts_ns(r.last_seen_ts) > EngineOptions{}.udp_idle_ns;
        if (!tcp_gone && !udp_idle && selected(r)) open.push_back(r);
      });
    std::stable_sort(open.begin(), open.end(), earlier); // the workers' lists, as one engine orders them
    render_open_at(out, open, capture_start, at_ts, a.numeric);
    return finish_run(out, *reader);
  }

  engines.finish();
  if (jobs > 1) {
    for (unsigned k = 0; k < jobs; ++k)
      for (Tagged& t : current[k]) pending.push_back(&t);
    merge(pending);
  }
  if (producer) return finish_kafka(*producer, finish_run(out, *reader), a.in.quiet);
  if (writing) {
    if (reader->error()) {
      fail(reader->error()->message);
      return kExitData;
    }
    return write_selected(a, selected_uids);
  }
  if (a.stream) {
    if (!begun) writer->begin(capture_start);
    writer->end();
    return finish_run(out, *reader);
  }
  sort_records(records);
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
  return finish_run(out, *reader);
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
              "  portscope conns capture.pcap -Y 'http.request.method == \"POST\"' -w posts.pcapng\n"
              "  tcpdump -w - | portscope conns -r - --format ndjson --stream");
  add_input_options(cmd, args->in);
  add_kafka_options(cmd, args->kafka);
  cmd->add_option(
         "-w,--write", args->in.capture.write_file,
         "Write every packet of the listed connections (those -Y selects) to FILE, in capture order; "
         "'-' for standard output")
      ->type_name("FILE");
  cmd->add_option("--output-format", args->in.capture.write_format, "Format for -w: pcap or pcapng")
      ->check(CLI::IsMember({"pcap", "pcapng"}));
  cmd->add_option("-F,--format", args->format, "Output: table (default), zeek, json, ndjson, csv");
  cmd->add_flag("-n,--no-resolve", args->numeric, "No service names");
  cmd->add_flag("--conv", args->conv,
                "Print tshark's TCP and UDP conversation tables (-z conv,tcp -z conv,udp)");
  cmd->add_flag("--servers", args->servers,
                "Per server endpoint: connections, distinct clients, most open at once");
  cmd->add_option("--at", args->at,
                  "Connections open at T: seconds from the capture start, epoch seconds, or "
                  "2026-11-26T09:24:45.1 (UTC)");
  cmd->add_flag("--url", args->url,
                "Add a last column: the URL of the connection's first HTTP request, as a browser showed it "
                "(http://host:2222/path; the port only when not 80)");
  cmd->add_flag("--stream", args->stream,
                "Print each connection as soon as it ends (order of completion, constant memory)");
  cmd->callback([args, &exit_code] { exit_code = run_conns(*args); });
}

} // namespace ps::cli
