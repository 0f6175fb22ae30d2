// Zeek's conn.log in its ASCII format: tab-separated, '#' header lines naming fields and types, '-' for
// unset values. Duration and byte counts are unset for single-instant connections, as Zeek leaves them.
// One column beyond Zeek's: parent_uid, the uid of the connection that announced this one (ftp-data);
// with --url a second one, url (the first HTTP request's URL).
#include <ctime>

#include "output/conn_writers.h"

namespace ps {

namespace {

std::string log_time(int64_t sec) {
  std::time_t t = static_cast<std::time_t>(sec);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d-%H-%M-%S", &tm);
  return buf;
}

class ZeekWriter final : public ConnWriter {
public:
  ZeekWriter(OutBuffer& out, bool url) : out_(out), url_(url) {}

  void begin(Timestamp capture_start) override {
    last_sec_ = capture_start.sec;
    out_.write("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n");
    out_.print("#open\t{}\n", log_time(capture_start.sec));
    out_.write(
        "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\t"
        "orig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\t"
        "orig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\tparent_uid");
    out_.write(url_ ? "\turl\n" : "\n");
    out_.write("#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\t"
               "bool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\tstring");
    out_.write(url_ ? "\tstring\n" : "\n");
  }

  void row(const ConnRecord& r) override {
    bool has_duration = r.duration_ns() > 0;
    std::string dur = has_duration ? conn_seconds_text(r.duration_ns()) : "-";
    std::string ob = has_duration ? fmt::format("{}", r.orig_bytes) : "-";
    std::string rb = has_duration ? fmt::format("{}", r.resp_bytes) : "-";
    out_.print("{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t-\t-\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
               conn_seconds_text(conn_ts_ns(r.first_ts)), conn_uid_text(r.uid),
               conn_addr_text(r.orig_h, r.ip_version), r.orig_p, conn_addr_text(r.resp_h, r.ip_version),
               r.resp_p, conn_proto_name(r.proto), r.service.empty() ? "-" : r.service, dur, ob, rb,
               conn_state_name(r.conn_state), r.missed_bytes, r.history.len ? r.history.view() : "-",
               r.orig_pkts, r.orig_ip_bytes, r.resp_pkts, r.resp_ip_bytes,
               r.tunnel_uid ? conn_uid_text(r.tunnel_uid) : std::string("-"),
               r.parent ? conn_uid_text(r.parent->uid) : std::string("-"));
    if (url_) {
      // Zeek's ASCII writer escapes the separator and non-printable bytes as \xNN.
      out_.write("\t");
      if (r.url.empty()) out_.write("-");
      for (char c : r.url) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u >= 0x7f || c == '\\')
          out_.print("\\x{:02x}", u);
        else
          out_.buf().push_back(c);
      }
    }
    out_.write("\n");
    if (r.last_seen_ts.sec > last_sec_) last_sec_ = r.last_seen_ts.sec;
    out_.maybe_flush();
  }

  void end() override { out_.print("#close\t{}\n", log_time(last_sec_)); }

private:
  OutBuffer& out_;
  bool url_;
  int64_t last_sec_ = 0;
};

} // namespace

std::unique_ptr<ConnWriter> make_conn_zeek_writer(OutBuffer& out, bool url) {
  return std::make_unique<ZeekWriter>(out, url);
}

} // namespace ps
