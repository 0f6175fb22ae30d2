// `portscope log http|ftp|smtp|pop3|dns FILE`: one line per transaction, in Zeek's log shapes.
#include <arpa/inet.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unordered_map>

#include "app/app_engine.h"
#include "app/log/dns_log.h"
#include "app/log/log_rows.h"
#include "capture/reader.h"
#include "cli/capture_options.h"
#include "cli/commands.h"
#include "cli/limit_options.h"
#include "dissect/frame_decoder.h"
#include "flow/conn_record.h"
#include "flow/conn_table.h"
#include "flow/tracker.h"

namespace ps::cli {

namespace {

struct LogArgs {
  std::string kind;
  std::string file;
  std::string format = "table";
  std::vector<std::string> decode_as;
  Limits limits;
  CaptureOptions capture; // -f
};

std::string ip_text(uint8_t version, const uint8_t* a) {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(version == 6 ? AF_INET6 : AF_INET, a, buf, sizeof buf);
  return buf;
}

// DNS over UDP on the DNS ports: the payload is one message.
void udp_dns(const Decoded& pkt, const PacketMeta& meta, app::DnsLogBuilder& dns) {
  const LayerSpan* l4 = pkt.l4();
  if (!l4 || l4->kind != Layer::Udp || !meta.udp.valid || !pkt.src_ip || !pkt.payload_len) return;
  bool port = pkt.src_port == 53 || pkt.dst_port == 53 || pkt.src_port == 5353 || pkt.dst_port == 5353;
  if (!port) return;
  app::ConnId id;
  id.stream = meta.udp.stream;
  id.orig_h = ip_text(pkt.ip_version, pkt.src_ip);
  id.resp_h = ip_text(pkt.ip_version, pkt.dst_ip);
  id.orig_p = pkt.src_port;
  id.resp_p = pkt.dst_port;
  int64_t ts = pkt.frame->ts.sec * 1'000'000'000 + pkt.frame->ts.nsec;
  dns.message(pkt.payload(), false, ts, id);
}

void tcp_dns(const Decoded& pkt, const app::AppFrame& f, app::DnsLogBuilder& dns) {
  if (f.dns_messages.empty()) return;
  app::ConnId id;
  id.stream = f.stream;
  id.orig_h = ip_text(pkt.ip_version, pkt.src_ip);
  id.resp_h = ip_text(pkt.ip_version, pkt.dst_ip);
  id.orig_p = pkt.src_port;
  id.resp_p = pkt.dst_port;
  int64_t ts = pkt.frame->ts.sec * 1'000'000'000 + pkt.frame->ts.nsec;
  for (const auto& m : f.dns_messages) dns.message(m, true, ts, id);
}

// The uid `portscope conns` gives each connection, computed the same way from the packet that opens it:
// (proto << 32 | stream) -> uid.
class ConnUids {
public:
  void packet(const Decoded& pkt, const PacketMeta& meta) {
    uint8_t proto;
    uint32_t stream;
    if (!conn_stream_of(pkt, meta, proto, stream)) return;
    const uint64_t id = uint64_t{proto} << 32 | stream;
    if (uids_.count(id)) return;
    bool forward;
    uids_.emplace(id, conn_uid(make_flow_key(pkt, forward), pkt.frame->ts, proto, stream));
  }
  // Rewrites the rows' uid column (written from the stream index by the log builders) to those uids.
  void apply(app::LogTable& t) const {
    size_t col = 0;
    while (col < t.columns.size() && t.columns[col].name != "uid") ++col;
    if (col == t.columns.size()) return;
    std::unordered_map<std::string, std::string> text;
    for (const auto& [id, uid] : uids_) {
      const auto stream = static_cast<uint32_t>(id);
      text.emplace(app::stream_uid(stream, id >> 32 == 17), conn_uid_text(uid));
    }
    for (auto& row : t.rows) {
      if (col >= row.size() || !row[col]) continue;
      auto it = text.find(*row[col]);
      if (it != text.end()) row[col] = it->second;
    }
  }

private:
  std::unordered_map<uint64_t, uint64_t> uids_;
};

int run_log(const LogArgs& a) {
  app::EngineOptions eo;
  eo.keep_transactions = true;
  eo.limits = a.limits;
  for (const std::string& d : a.decode_as) {
    std::string err;
    if (!eo.decode_as.add(d, err)) {
      std::fprintf(stderr, "portscope: %s\n", err.c_str());
      return 2;
    }
  }
  int exit_code = 0;
  std::unique_ptr<CaptureReader> reader = open_capture_with(a.file, a.capture, exit_code);
  if (!reader) return exit_code;
  app::AppEngine engine(std::move(eo));
  app::DnsLogBuilder dns(a.limits.max_transactions);
  FlowTracker tracker(false, a.limits.max_connections); // stream numbers only
  FrameDecoder decoder(a.limits);
  Decoded pkt;
  PacketMeta meta;
  app::AppFrame appf;
  ConnUids uids;
  Frame frame;
  while (reader->next(frame)) {
    decoder.decode(frame, pkt);
    tracker.process(pkt, meta);
    uids.packet(pkt, meta);
    engine.process(pkt, meta, appf);
    if (a.kind == "dns") {
      udp_dns(pkt, meta, dns);
      tcp_dns(pkt, appf, dns);
    }
  }
  engine.finish();
  LimitHits hits;
  hits.connections_evicted = tracker.evicted();
  engine.add_limit_hits(hits);
  hits.transactions_dropped += dns.dropped();
  decoder.add_limit_hits(hits);
  report_limits(a.limits, hits);
  const app::Transactions& t = engine.transactions();
  app::LogTable table = a.kind == "http"   ? app::http_log(t)
                        : a.kind == "ftp"  ? app::ftp_log(t)
                        : a.kind == "smtp" ? app::smtp_log(t)
                        : a.kind == "pop3" ? app::pop3_log(t)
                                           : dns.table();
  uids.apply(table);
  app::LogFormat f = a.format == "json"     ? app::LogFormat::Json
                     : a.format == "ndjson" ? app::LogFormat::Ndjson
                     : a.format == "zeek"   ? app::LogFormat::Zeek
                                            : app::LogFormat::Table;
  OutBuffer out;
  app::print_log(table, f, out);
  out.flush();
  if (!out.ok() && out.error() != EPIPE) {
    std::fprintf(stderr, "portscope: cannot write output: %s\n", std::strerror(out.error()));
    return 1;
  }
  if (reader->error()) {
    std::fprintf(stderr, "portscope: %s\n", reader->error()->message.c_str());
    return 1;
  }
  return 0;
}

} // namespace

void add_log_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<LogArgs>();
  CLI::App* cmd = app.add_subcommand(
      "log", "One line per application transaction (Zeek http/ftp/smtp/pop3/dns log shapes)");
  cmd->footer("Examples:\n"
              "  portscope log http capture.pcap\n"
              "  portscope log ftp capture.pcap --format zeek > ftp.log\n"
              "  portscope log http capture.pcap -d tcp.port==2222,http --format ndjson");
  cmd->add_option("kind", args->kind, "http, ftp, smtp, pop3 or dns")
      ->required()
      ->check(CLI::IsMember({"http", "ftp", "smtp", "pop3", "dns"}));
  cmd->add_option("file", args->file, "Capture file (pcap or pcapng; '-' reads standard input)")->required();
  cmd->add_option("-F,--format", args->format, "table (default), json, ndjson or zeek")
      ->check(CLI::IsMember({"table", "json", "ndjson", "zeek"}));
  cmd->add_option("-d,--decode-as", args->decode_as,
                  "Decode a port as a protocol: tcp.port==2222,http (repeatable)")
      ->allow_extra_args(false);
  add_capture_filter_option(cmd, args->capture);
  add_limit_options(cmd, args->limits, true);
  cmd->callback([args, &exit_code] { exit_code = run_log(*args); });
}

} // namespace ps::cli
