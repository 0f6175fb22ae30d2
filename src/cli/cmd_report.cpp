// `portscope report FILE -o report.html` (or `-i IFACE --duration S`, a live capture): one self-contained
// HTML report of a capture -- summary, protocol hierarchy, talkers, connection timeline, I/O graph,
// sequence graphs, transactions and the expert summary (src/report/html_report.h), from one pass of the
// engine.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "capture/reader.h"
#include "cli/commands.h"
#include "cli/input_options.h"
#include "cli/limit_options.h"
#include "cli/live_options.h"
#include "describe/describe.h"
#include "engine/engine.h"
#include "engine/progress.h"
#include "pipeline/packet_filter.h"
#include "report/html_report.h"

namespace ps::cli {

namespace {

struct ReportArgs {
  InputArgs in;
  std::string output;
  std::vector<std::string> conns;
  size_t top = 10, timeline = 300, seq = 4;
};

// What the capture lost: libpcap's counts of a live capture, or the last interface statistics of every
// pcapng interface that has them.
report::CaptureDrops capture_drops(const CaptureReader& r) {
  report::CaptureDrops d;
  if (live_drops(r, d.by_os, d.by_interface)) {
    d.known = d.live = d.interface_known = d.os_known = true;
    return d;
  }
  for (const InterfaceInfo& i : r.interfaces()) {
    if (i.isb_ifdrop) {
      d.known = d.interface_known = true;
      d.by_interface += *i.isb_ifdrop;
    }
    if (i.isb_osdrop) {
      d.known = d.os_known = true;
      d.by_os += *i.isb_osdrop;
    }
  }
  return d;
}

int run_report(const ReportArgs& a) {
  if (a.output.empty()) {
    fail("report: give the output file with -o FILE ('-' for standard output)");
    return kExitUsage;
  }
  report::ReportOptions ro;
  ro.file = a.in.path();
  if (a.in.live.active()) {
    ro.file = "live capture on ";
    for (size_t i = 0; i < a.in.live.interfaces.size(); ++i)
      ro.file += (i ? ", " : "") + a.in.live.interfaces[i];
  }
  ro.conns = a.conns;
  ro.top = a.top;
  ro.timeline = a.timeline;
  ro.seq_graphs = a.seq;
  EngineOptions eo;
  eo.limits = a.in.limits;
  eo.check_checksums = false; // nothing in the report depends on them (as conns)
  if (!parse_decode_as(a.in, eo.decode_as)) return kExitUsage;
  report::ReportBuilder builder(ro);
  builder.add_needs(eo.needs);
  if (!a.in.display_filter.empty()) // -Y may test tls.app_data or a body's text
    eo.needs.tls_app_data = eo.needs.http_bodies = true;
  // -Y: the report covers the packets the filter matches.
  std::optional<filter::DisplayFilter> df;
  std::optional<PacketFilter> pf;
  if (!compile_packet_filter(a.in, df, pf, eo.needs)) return kExitUsage;
  int code = 0;
  std::unique_ptr<CaptureReader> reader = open_input(a.in, "report", code);
  if (!reader) return code;
  // Written beside the target and renamed at the end, so a failed run leaves no half report.
  std::string tmp;
  int fd = 1;
  if (a.output != "-") {
    tmp = a.output + ".partial-XXXXXX";
    fd = mkstemp(tmp.data());
    if (fd < 0) {
      fail("report: cannot write " + a.output + ": " + std::strerror(errno));
      return kExitData;
    }
    fchmod(fd, 0644);
  }
  std::set<uint32_t> link_types;
  Engine engine(std::move(eo));
  engine.on_connection([&](ConnRecord&& r) {
    if (!pf || r.marked) builder.connection(r);
  });
  engine.on_packet([&](const PacketView& v) {
    if (pf) {
      if (!pf->matches(v)) return true;
      if (v.conn) v.conn->marked = true;
    }
    link_types.insert(v.frame.link_type);
    builder.packet(v);
    return true;
  });
  const bool live = is_live(*reader);
  Progress progress(input_size(a.in.path()), !a.in.quiet && !live);
  RunLimits rl;
  rl.max_frames = a.in.count;
  rl.progress = &progress;
  // Live: connections idle past their timeout end on the clock even while no packet comes.
  on_live_tick(*reader, [&](Timestamp now) { engine.advance_clock(now); });
  engine.run(*reader, rl);
  engine.finish();
  close_live(*reader); // the capture's final counts (and its summary line on stderr)
  report_limits(a.in.limits, engine.limit_hits());
  std::vector<std::string> lts;
  for (uint32_t lt : link_types) lts.emplace_back(link_type_text(lt));
  bool ok = true;
  {
    OutBuffer out(fd);
    builder.write(out, engine.transactions(), lts, capture_drops(*reader));
    out.flush();
    ok = out.ok();
    if (!ok && fd != 1) fail("report: cannot write " + a.output + ": " + std::strerror(out.error()));
  }
  if (fd != 1) {
    ok = ::close(fd) == 0 && ok;
    if (!ok || reader->error()) {
      ::unlink(tmp.c_str());
    } else if (::rename(tmp.c_str(), a.output.c_str()) != 0) {
      fail("report: cannot write " + a.output + ": " + std::strerror(errno));
      ::unlink(tmp.c_str());
      return kExitData;
    }
  }
  if (reader->error()) {
    fail(reader->error()->message);
    return kExitData;
  }
  return ok ? kExitOk : kExitData;
}

} // namespace

void add_report_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ReportArgs>();
  CLI::App* cmd = app.add_subcommand("report", "One self-contained HTML report of a capture, with plots");
  cmd->footer("Examples:\n"
              "  portscope report capture.pcap -o report.html\n"
              "  portscope report capture.pcap -o web.html -Y 'tcp.port == 80' --conn CbUaxp5ZxA5\n"
              "  portscope report -i eth0 --duration 60 -o live.html   (live capture, as conns -i)");
  add_input_options(cmd, args->in);
  cmd->add_option("-o,--output", args->output, "The HTML file to write ('-': standard output)")
      ->type_name("FILE");
  cmd->add_option("--conn", args->conns,
                  "Also draw this connection's sequence graph (uid as conns prints it)")
      ->type_name("UID");
  cmd->add_option("--top", args->top, "Rows of the talker, server and service tables (default 10)");
  cmd->add_option("--timeline", args->timeline,
                  "Connections on the timeline, the largest first (default 300)");
  cmd->add_option("--seq-graphs", args->seq, "Sequence graphs of the busiest TCP connections (default 4)");
  cmd->callback([args, &exit_code] { exit_code = run_report(*args); });
}

} // namespace ps::cli
