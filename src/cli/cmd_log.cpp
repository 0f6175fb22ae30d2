// `portscope log http|ftp|smtp|pop3|dns|ssl|ssh FILE`: one line per transaction, in Zeek's log shapes.
#include <arpa/inet.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "capture/reader.h"
#include "cli/commands.h"
#include "cli/input_options.h"
#include "cli/kafka_options.h"
#include "cli/limit_options.h"
#include "cli/live_log.h"
#include "engine/engine.h"
#include "engine/progress.h"
#include "flow/conn_record.h"
#include "output/log/dns_log.h"
#include "output/log/log_rows.h"
#include "pipeline/engine_set.h"
#include "pipeline/packet_filter.h"

namespace ps::cli {

namespace {

struct LogArgs {
  std::string kind;
  InputArgs in;
  KafkaArgs kafka;
  std::string format = "table";
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

// Rewrites the rows' uid column (written from the stream index by the log builders) to the uids of
// their connections, as `portscope conns` prints them.
class ConnUids {
public:
  void packet(const Connection& c) {
    const uint64_t id = uint64_t{c.proto} << 32 | c.track.stream;
    auto [it, fresh] = uids_.try_emplace(id, c.uid);
    if (!fresh) it->second = c.uid; // a record that ended and started again: the newest uid
  }
  // Another worker's connections (each stream is owned by one worker).
  void merge(const ConnUids& o) { uids_.insert(o.uids_.begin(), o.uids_.end()); }
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

// Keeps the rows whose uid is one of `uids`.
void keep_rows_of(app::LogTable& t, const std::unordered_set<uint64_t>& uids) {
  size_t col = 0;
  while (col < t.columns.size() && t.columns[col].name != "uid") ++col;
  std::unordered_set<std::string> text;
  for (uint64_t u : uids) text.insert(conn_uid_text(u));
  std::erase_if(t.rows,
                [&](const auto& row) { return col >= row.size() || !row[col] || !text.count(*row[col]); });
}

app::LogTable log_table(const std::string& kind, const app::Transactions& t, const app::DnsLogBuilder& dns) {
  return kind == "http"   ? app::http_log(t)
         : kind == "ftp"  ? app::ftp_log(t)
         : kind == "smtp" ? app::smtp_log(t)
         : kind == "pop3" ? app::pop3_log(t)
         : kind == "ssl"  ? app::ssl_log(t)
         : kind == "ssh"  ? app::ssh_log(t)
                          : dns.table();
}

int run_log(const LogArgs& a) {
  // log all --kafka: every kind, and the conn records, from one engine.
  const bool all = a.kind == "all";
  if (all && !a.kafka.active()) {
    fail("log all publishes every kind to Kafka: give --kafka BROKERS (or name one kind: log http ...)");
    return kExitUsage;
  }
  if (all && !a.in.display_filter.empty()) {
    fail("log all publishes every record; -Y selects rows of one kind (log http -Y ...)");
    return kExitUsage;
  }
  const std::vector<std::string> kinds =
      all ? std::vector<std::string>{"http", "ftp", "smtp", "pop3", "dns", "ssl", "ssh"}
          : std::vector<std::string>{a.kind};
  EngineOptions eo;
  eo.needs.app = true;
  eo.needs.transactions = true;
  // The logs count bodies and encrypted bytes, they do not show them: not kept, not decoded (-Y may
  // test their contents).
  eo.needs.http_bodies = eo.needs.tls_app_data = !a.in.display_filter.empty();
  eo.limits = a.in.limits;
  if (!parse_decode_as(a.in, eo.decode_as)) return kExitUsage;
  // -Y keeps the rows of the connections it matches: one of their packets (packet fields), or the
  // finished connection (conn.* fields).
  std::optional<filter::DisplayFilter> df;
  if (!compile_display_filter(a.in, df)) return kExitUsage;
  std::optional<ConnSelector> sel;
  if (df) {
    sel.emplace(*df);
    if (sel->form() == ConnFilterForm::Mixed) {
      fail("log -Y: a filter tests packet fields or conn.* fields, not both (see docs/filters.md)");
      return kExitUsage;
    }
    sel->add_needs(eo.needs);
  }
  const bool live = a.in.live.active();
  if (!live && !a.in.capture.write_file.empty()) {
    fail("log -w writes a live capture (-i IFACE); a capture file is already written");
    return kExitUsage;
  }
  if (live || all) eo.needs.records = true; // rows wait at most until their connection ends; conn records
  int code = 0;
  std::unique_ptr<kafka::Producer> producer = open_kafka(a.kafka, code);
  if (code) return code;
  std::unique_ptr<CaptureReader> reader = open_input(a.in, "log", code);
  if (!reader) return code;
  if (producer && !live)
    reader = stop_on_signals(std::move(reader), a.in.path() == "-"); // Ctrl-C: publish what was read
  const app::LogFormat f = a.format == "json"     ? app::LogFormat::Json
                           : a.format == "ndjson" ? app::LogFormat::Ndjson
                           : a.format == "zeek"   ? app::LogFormat::Zeek
                                                  : app::LogFormat::Table;
  OutBuffer out;
  const bool want_dns = a.kind == "dns" || all;
  // DNS rows come from each packet as it is read, and a live log prints rows as they complete: one
  // worker.
  const unsigned jobs = want_dns || live ? 1 : a.in.workers();
  EngineSet engines(eo, jobs);
  std::vector<std::unordered_set<uint64_t>> worker_matched(jobs);
  std::vector<ConnUids> worker_uids(jobs);
  WorkerSelectors worker_sel(sel ? &*sel : nullptr, a.in.display_filter, jobs);
  std::vector<std::unique_ptr<LiveLog>> live_logs; // one per kind
  for (const std::string& kind : live ? kinds : std::vector<std::string>{}) {
    live_logs.push_back(std::make_unique<LiveLog>(kind, f, out, df.has_value(), [&](app::LogTable& t) {
      worker_uids[0].apply(t);
      if (df) keep_rows_of(t, worker_matched[0]);
    }));
    if (producer)
      live_logs.back()->publish_to([&, kind](const app::LogTable& t) { publish_log(*producer, kind, t); });
  }
  std::optional<ConnPublisher> conn_publisher; // log all: one worker, records in the order they end
  if (all) conn_publisher.emplace(*producer);
  app::DnsLogBuilder dns(a.in.limits.max_transactions);
  for (unsigned k = 0; k < jobs; ++k) {
    ConnSelector* ws = worker_sel[k];
    auto& wm = worker_matched[k];
    if ((ws && ws->form() == ConnFilterForm::Connections) || live || all)
      engines[k].on_connection([ws, &wm, &live_logs, &conn_publisher](ConnRecord&& r) {
        if (ws && ws->form() == ConnFilterForm::Connections && ws->selected(r)) wm.insert(r.uid);
        for (auto& l : live_logs) l->ended(r.proto, r.stream);
        if (conn_publisher) conn_publisher->publish(r);
      });
    ConnUids& uids = worker_uids[k];
    engines[k].on_packet([&, ws](const PacketView& v) {
      if (!v.conn) return true;
      uids.packet(*v.conn);
      if (ws && ws->packet(v)) wm.insert(v.conn->uid);
      if (want_dns) {
        udp_dns(v.pkt, v.meta, dns);
        if (v.app) tcp_dns(v.pkt, *v.app, dns);
      }
      return true;
    });
  }
  Progress progress(input_size(a.in.path()), !a.in.quiet && !live);
  RunLimits rl;
  rl.max_frames = a.in.count;
  rl.progress = &progress;
  on_live_tick(*reader, [&](Timestamp now) {
    engines[0].advance_clock(now);
    for (auto& l : live_logs) l->poll(engines[0].transactions(), dns, false);
    out.flush();
    if (producer) producer->poll();
  });
  engines.run(*reader, rl);
  engines.finish();
  if (live) {
    for (auto& l : live_logs) {
      l->poll(engines[0].transactions(), dns, true);
      l->end();
    }
    LimitHits hits = engines.limit_hits();
    hits.transactions_dropped += dns.dropped();
    report_limits(a.in.limits, hits);
    if (producer) return finish_kafka(*producer, finish_run(out, *reader), a.in.quiet);
    return finish_run(out, *reader);
  }
  app::Transactions merged;
  LimitHits hits = engines.limit_hits();
  if (jobs > 1) {
    merged = merge_transactions(engines);
    uint64_t worker_dropped = 0;
    for (unsigned k = 0; k < jobs; ++k) worker_dropped += engines[k].transactions().dropped;
    hits.transactions_dropped += merged.dropped - worker_dropped; // beyond the limit once merged
  }
  hits.transactions_dropped += dns.dropped();
  report_limits(a.in.limits, hits);
  std::unordered_set<uint64_t> matched; // uids
  for (auto& m : worker_matched) matched.insert(m.begin(), m.end());
  ConnUids& uids = worker_uids[0];
  for (unsigned k = 1; k < jobs; ++k) uids.merge(worker_uids[k]);
  const app::Transactions& t = jobs > 1 ? merged : engines[0].transactions();
  for (const std::string& kind : kinds) {
    app::LogTable table = log_table(kind, t, dns);
    uids.apply(table);
    if (df) keep_rows_of(table, matched);
    if (producer)
      publish_log(*producer, kind, table);
    else
      app::print_log(table, f, out);
  }
  if (producer) return finish_kafka(*producer, finish_run(out, *reader), a.in.quiet);
  return finish_run(out, *reader);
}

} // namespace

void add_log_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<LogArgs>();
  CLI::App* cmd = app.add_subcommand(
      "log", "One line per application transaction (Zeek http/ftp/smtp/pop3/dns/ssl/ssh log shapes)");
  cmd->footer("Examples:\n"
              "  portscope log http capture.pcap\n"
              "  portscope log ftp capture.pcap --format zeek > ftp.log\n"
              "  portscope log http capture.pcap -d tcp.port==2222,http --format ndjson");
  cmd->add_option("kind", args->kind,
                  "http, ftp, smtp, pop3, dns, ssl or ssh; all (with --kafka): every kind and conn")
      ->required()
      ->check(CLI::IsMember({"http", "ftp", "smtp", "pop3", "dns", "ssl", "ssh", "all"}));
  add_input_options(cmd, args->in, true);
  add_kafka_options(cmd, args->kafka);
  cmd->add_option("-w,--write", args->in.capture.write_file,
                  "With -i: also write every captured frame to FILE (pcapng for .pcapng names)")
      ->type_name("FILE");
  cmd->add_option("-F,--format", args->format, "table (default), json, ndjson or zeek")
      ->check(CLI::IsMember({"table", "json", "ndjson", "zeek"}));
  cmd->callback([args, &exit_code] { exit_code = run_log(*args); });
}

} // namespace ps::cli
