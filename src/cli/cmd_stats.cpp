// `portscope stats FILE KIND`: tshark's -z statistics in tshark's layouts -- the protocol hierarchy
// (phs), endpoint tables (endpoints,eth|ip|ipv6|tcp|udp), the I/O table (io,INTERVAL[,FILTER...]), the HTTP
// and DNS trees and the expert items (expert[,LEVEL]).
#include <cmath>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "capture/reader.h"
#include "cli/commands.h"
#include "cli/input_options.h"
#include "cli/limit_options.h"
#include "engine/engine.h"
#include "engine/progress.h"
#include "pipeline/packet_filter.h"
#include "report/expert_stats.h"
#include "report/stats_tree.h"
#include "report/tshark_stats.h"

namespace ps::cli {

namespace {

struct StatsArgs {
  InputArgs in;
  std::string kind;
};

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t c = s.find(',', start);
    out.push_back(s.substr(start, c == std::string::npos ? std::string::npos : c - start));
    if (c == std::string::npos) break;
    start = c + 1;
  }
  return out;
}

// "0.01" -> 10000 us, rounded as tshark does; nullopt when not a number >= 0.
std::optional<int64_t> parse_interval_us(const std::string& s) {
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (*end || !std::isfinite(v) || v < 0 || v > 1e9) return std::nullopt;
  if (v == 0) return 0;
  const auto us = static_cast<int64_t>(v * 1'000'000.0 + 0.5);
  if (us < 1) return std::nullopt;
  return us;
}

int run_stats(const StatsArgs& a) {
  // tshark's spellings are accepted too: io,phs and io,stat,INTERVAL,...
  std::vector<std::string> parts = split_commas(a.kind);
  if (parts.size() >= 2 && parts[0] == "io" && (parts[1] == "phs" || parts[1] == "stat"))
    parts.erase(parts.begin());
  if (!parts.empty() && parts[0] == "stat") parts[0] = "io";
  const std::string& kind = parts[0];

  std::optional<report::ProtocolHierarchy> phs;
  std::vector<report::Endpoints> endpoints;
  std::optional<report::IoStat> io;
  std::optional<report::HttpTrees> http;
  std::optional<report::ExpertStats> expert;
  std::optional<report::DnsTree> dns;
  bool http_packets = false, http_requests = false;
  EngineOptions eo;
  eo.limits = a.in.limits;
  eo.check_checksums = false; // frame names do not depend on them (conns does the same)
  if (kind == "phs") {
    if (parts.size() > 1) {
      fail("stats phs takes no arguments");
      return kExitUsage;
    }
    phs.emplace();
    report::ProtocolHierarchy::add_needs(eo.needs);
  } else if (kind == "endpoints") {
    if (parts.size() == 1) parts = {"endpoints", "eth", "ip", "ipv6", "tcp", "udp"};
    for (size_t i = 1; i < parts.size(); ++i) {
      auto k = report::endpoint_kind(parts[i]);
      if (!k) {
        fail("stats endpoints: unknown table '" + parts[i] + "' (eth, ip, ipv6, tcp, udp)");
        return kExitUsage;
      }
      endpoints.emplace_back(*k);
    }
  } else if (kind == "http" || kind == "http_req") {
    // http,tree / http_req,tree ("tree" optional)
    if (parts.size() > 2 || (parts.size() == 2 && parts[1] != "tree")) {
      fail("stats " + kind + " takes no arguments (" + kind + " or " + kind + ",tree)");
      return kExitUsage;
    }
    http.emplace();
    (kind == "http" ? http_packets : http_requests) = true;
    eo.needs.app = true;
    eo.needs.service_only = false;
  } else if (kind == "dns") {
    if (parts.size() > 2 || (parts.size() == 2 && parts[1] != "tree")) {
      fail("stats dns takes no arguments (dns or dns,tree)");
      return kExitUsage;
    }
    dns.emplace();
    eo.needs.app = true; // DNS over TCP
    eo.needs.service_only = false;
  } else if (kind == "expert") {
    // expert[,error|warn|note|chat|comment]: that severity and the ones above it
    auto lowest = report::ExpertSeverity::Comment;
    if (parts.size() > 2 || (parts.size() == 2 && !report::expert_severity(parts[1]))) {
      fail("stats expert: takes at most a severity (expert[,error|warn|note|chat|comment])");
      return kExitUsage;
    }
    if (parts.size() == 2) lowest = *report::expert_severity(parts[1]);
    expert.emplace(lowest);
    report::ExpertStats::add_needs(eo.needs);
  } else if (kind == "io") {
    if (parts.size() < 2) {
      fail("stats io needs an interval: io,INTERVAL[,FILTER...] (seconds; 0 for the whole capture)");
      return kExitUsage;
    }
    auto us = parse_interval_us(parts[1]);
    if (!us) {
      fail("stats io: bad interval '" + parts[1] + "' (seconds, at least 0.000001, or 0)");
      return kExitUsage;
    }
    io.emplace(*us, std::vector<std::string>(parts.begin() + 2, parts.end()));
    std::string err;
    if (!io->compile(err)) {
      fail(err);
      return kExitUsage;
    }
    io->add_needs(eo.needs);
  } else {
    fail("stats: unknown kind '" + a.kind +
         "' (phs, endpoints[,TYPE], io,INTERVAL[,FILTER...], http, http_req)");
    return kExitUsage;
  }
  if (!parse_decode_as(a.in, eo.decode_as)) return kExitUsage;
  std::optional<filter::DisplayFilter> df;
  std::optional<PacketFilter> pf;
  if (!compile_packet_filter(a.in, df, pf, eo.needs)) return kExitUsage;
  int code = 0;
  std::unique_ptr<CaptureReader> reader = open_input(a.in, "stats", code);
  if (!reader) return code;
  Engine engine(std::move(eo));
  bool first = true;
  int64_t first_ns = 0;
  engine.on_packet([&](const PacketView& v) {
    if (first) {
      first = false;
      first_ns = report::ts_ns(v.frame.ts);
    }
    if (pf && !pf->matches(v)) return true;
    if (phs) phs->packet(v);
    for (auto& e : endpoints) e.packet(v);
    if (io) io->packet(v);
    if (http) http->packet(v, first_ns);
    if (expert) expert->packet(v);
    if (dns) dns->packet(v, first_ns);
    return true;
  });
  Progress progress(input_size(a.in.path()), !a.in.quiet);
  RunLimits rl;
  rl.max_frames = a.in.count;
  rl.progress = &progress;
  engine.run(*reader, rl);
  engine.finish();
  report_limits(a.in.limits, engine.limit_hits());
  OutBuffer out;
  if (phs) phs->print(out);
  for (const auto& e : endpoints) e.print(out, a.in.display_filter);
  if (io) io->print(out);
  if (http_packets) http->packets().print(out);
  if (http_requests) http->requests().print(out);
  if (dns) dns->tree().print(out);
  if (expert) expert->print(out);
  return finish_run(out, *reader);
}

} // namespace

void add_stats_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<StatsArgs>();
  CLI::App* cmd = app.add_subcommand(
      "stats",
      "tshark's -z statistics: protocol hierarchy, endpoints, I/O table, HTTP and DNS trees, expert items");
  cmd->footer(
      "Examples:\n"
      "  portscope stats capture.pcap phs                 tshark -q -z io,phs\n"
      "  portscope stats capture.pcap endpoints,tcp       tshark -q -z endpoints,tcp\n"
      "  portscope stats capture.pcap io,1,tcp,'udp.port==53'   tshark -q -z io,stat,1,tcp,udp.port==53\n"
      "  portscope stats capture.pcap dns                 tshark -q -z dns,tree\n"
      "  portscope stats capture.pcap expert,warn         tshark -q -z expert,warn");
  add_input_options(cmd, args->in);
  cmd->add_option("kind", args->kind,
                  "phs, endpoints[,eth|ip|ipv6|tcp|udp], io,INTERVAL[,FILTER...], http[,tree], "
                  "http_req[,tree], dns[,tree], "
                  "expert[,error|warn|note|chat|comment]")
      ->required();
  cmd->callback([args, &exit_code] { exit_code = run_stats(*args); });
}

} // namespace ps::cli
