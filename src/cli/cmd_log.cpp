// `portscope log http|ftp|smtp|pop3|dns FILE`: one line per transaction, in Zeek's log shapes.
#include <arpa/inet.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "app/app_engine.h"
#include "app/log/dns_log.h"
#include "app/log/log_rows.h"
#include "capture/reader.h"
#include "cli/commands.h"
#include "dissect/packet.h"
#include "flow/tracker.h"

namespace ps::cli {

namespace {

struct LogArgs {
  std::string kind;
  std::string file;
  std::string format = "table";
  std::vector<std::string> decode_as;
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
  dns.message(pkt.frame->data.subspan(pkt.payload_offset, pkt.payload_len), false, ts, id);
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

int run_log(const LogArgs& a) {
  app::EngineOptions eo;
  eo.keep_transactions = true;
  for (const std::string& d : a.decode_as) {
    std::string err;
    if (!eo.decode_as.add(d, err)) {
      std::fprintf(stderr, "portscope: %s\n", err.c_str());
      return 2;
    }
  }
  std::unique_ptr<CaptureReader> reader;
  try {
    reader = open_capture(a.file);
  } catch (const CaptureOpenError& e) {
    std::fprintf(stderr, "portscope: %s\n", e.what());
    return 1;
  }
  app::AppEngine engine(std::move(eo));
  app::DnsLogBuilder dns;
  FlowTracker tracker;
  Decoded pkt;
  PacketMeta meta;
  app::AppFrame appf;
  Frame frame;
  while (reader->next(frame)) {
    decode(frame, pkt);
    tracker.process(pkt, meta);
    engine.process(pkt, meta, appf);
    if (a.kind == "dns") {
      udp_dns(pkt, meta, dns);
      tcp_dns(pkt, appf, dns);
    }
  }
  engine.finish();
  const app::Transactions& t = engine.transactions();
  app::LogTable table = a.kind == "http"   ? app::http_log(t)
                        : a.kind == "ftp"  ? app::ftp_log(t)
                        : a.kind == "smtp" ? app::smtp_log(t)
                        : a.kind == "pop3" ? app::pop3_log(t)
                                           : dns.table();
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
  cmd->callback([args, &exit_code] { exit_code = run_log(*args); });
}

} // namespace ps::cli
