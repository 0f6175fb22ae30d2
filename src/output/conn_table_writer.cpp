// The netstat-like table a person reads: one connection per line, client and server, state, service,
// packets and payload bytes each way, start (seconds from the first frame) and duration; a connection
// announced by another one (ftp-data) ends with that parent connection's endpoints.
#include "output/conn_writers.h"

namespace ps {

namespace {

class TableWriter final : public ConnWriter {
public:
  TableWriter(OutBuffer& out, ConnWriterOptions opt) : out_(out), opt_(opt) {}

  void begin(Timestamp capture_start) override {
    start_ = capture_start;
    if (opt_.numeric)
      out_.print("{:<5} {:<28} {:<28} {:<6} {:>8} {:>10} {:>8} {:>10} {:>11} {:>10}\n", "Proto", "Client",
                 "Server", "State", "C>S pkts", "C>S bytes", "S>C pkts", "S>C bytes", "Start", "Duration");
    else
      out_.print("{:<5} {:<28} {:<28} {:<6} {:<14} {:>8} {:>10} {:>8} {:>10} {:>11} {:>10}\n", "Proto",
                 "Client", "Server", "State", "Service", "C>S pkts", "C>S bytes", "S>C pkts", "S>C bytes",
                 "Start", "Duration");
  }

  void row(const ConnRecord& r) override {
    std::string client = endpoint(r.orig_h, r.ip_version, r.orig_p);
    std::string server = endpoint(r.resp_h, r.ip_version, r.resp_p);
    std::string start = conn_seconds_text(conn_ts_ns(r.first_ts) - conn_ts_ns(start_));
    std::string dur = conn_seconds_text(r.duration_ns());
    if (opt_.numeric)
      out_.print("{:<5} {:<28} {:<28} {:<6} {:>8} {:>10} {:>8} {:>10} {:>11} {:>10}",
                 conn_proto_name(r.proto), client, server, conn_state_name(r.conn_state), r.orig_pkts,
                 r.orig_bytes, r.resp_pkts, r.resp_bytes, start, dur);
    else
      out_.print("{:<5} {:<28} {:<28} {:<6} {:<14} {:>8} {:>10} {:>8} {:>10} {:>11} {:>10}",
                 conn_proto_name(r.proto), client, server, conn_state_name(r.conn_state),
                 r.service.empty() ? "-" : r.service, r.orig_pkts, r.orig_bytes, r.resp_pkts, r.resp_bytes,
                 start, dur);
    if (const ConnParent* p = r.parent.get())
      out_.print("  parent: {} {} > {}", conn_proto_name(p->proto),
                 endpoint(p->orig_h, p->ip_version, p->orig_p),
                 endpoint(p->resp_h, p->ip_version, p->resp_p));
    out_.write("\n");
    out_.maybe_flush();
  }

  void end() override {}

private:
  static std::string endpoint(const std::array<uint8_t, 16>& a, uint8_t v, uint16_t port) {
    std::string addr = conn_addr_text(a, v);
    return v == 6 ? fmt::format("[{}]:{}", addr, port) : fmt::format("{}:{}", addr, port);
  }

  OutBuffer& out_;
  ConnWriterOptions opt_;
  Timestamp start_;
};

} // namespace

std::unique_ptr<ConnWriter> make_conn_table_writer(OutBuffer& out, ConnWriterOptions opt) {
  return std::make_unique<TableWriter>(out, opt);
}

} // namespace ps
