// JSON / NDJSON with Zeek's conn.log names (unset values left out, as Zeek's JSON writer does), plus
// portscope's own: stream, frame bytes per direction, how the roles and service were decided, the
// netstat state each endpoint was last seen in, and the uid of the connection that announced this one.
#include "output/conn_writers.h"

namespace ps {

namespace {

void json_string(fmt::memory_buffer& b, std::string_view s) {
  b.push_back('"');
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      b.push_back('\\');
      b.push_back(c);
    } else if (u < 0x20) {
      fmt::format_to(std::back_inserter(b), "\\u{:04x}", u);
    } else {
      b.push_back(c);
    }
  }
  b.push_back('"');
}

class JsonWriter final : public ConnWriter {
public:
  JsonWriter(OutBuffer& out, bool ndjson, bool url) : out_(out), ndjson_(ndjson), url_(url) {}

  void begin(Timestamp) override {
    if (!ndjson_) out_.write("[");
  }

  void row(const ConnRecord& r) override {
    auto& b = out_.buf();
    auto it = std::back_inserter(b);
    if (!ndjson_) out_.write(first_ ? "\n  " : ",\n  ");
    first_ = false;
    fmt::format_to(it,
                   "{{\"ts\":{},\"uid\":\"{}\",\"id.orig_h\":\"{}\",\"id.orig_p\":{},\"id.resp_h\":\"{}\","
                   "\"id.resp_p\":{},\"proto\":\"{}\"",
                   conn_seconds_text(conn_ts_ns(r.first_ts)), conn_uid_text(r.uid),
                   conn_addr_text(r.orig_h, r.ip_version), r.orig_p, conn_addr_text(r.resp_h, r.ip_version),
                   r.resp_p, conn_proto_name(r.proto));
    if (!r.service.empty()) {
      out_.write(",\"service\":");
      json_string(b, r.service);
    }
    if (r.duration_ns() > 0)
      fmt::format_to(it, ",\"duration\":{},\"orig_bytes\":{},\"resp_bytes\":{}",
                     conn_seconds_text(r.duration_ns()), r.orig_bytes, r.resp_bytes);
    fmt::format_to(it, ",\"conn_state\":\"{}\",\"missed_bytes\":{}", conn_state_name(r.conn_state),
                   r.missed_bytes);
    if (r.history.len) {
      out_.write(",\"history\":");
      json_string(b, r.history.view());
    }
    fmt::format_to(
        it,
        ",\"orig_pkts\":{},\"orig_ip_bytes\":{},\"resp_pkts\":{},\"resp_ip_bytes\":{},\"stream\":{},"
        "\"orig_frame_bytes\":{},\"resp_frame_bytes\":{},\"direction_inferred\":{}",
        r.orig_pkts, r.orig_ip_bytes, r.resp_pkts, r.resp_ip_bytes, r.stream, r.orig_frame_bytes,
        r.resp_frame_bytes, r.direction_inferred);
    if (r.service_source != ServiceSource::None)
      fmt::format_to(it, ",\"service_source\":\"{}\"", service_source_name(r.service_source));
    if (r.proto == 6)
      fmt::format_to(it, ",\"orig_tcp_state\":\"{}\",\"resp_tcp_state\":\"{}\"",
                     netstat_state_name(r.orig_tcp), netstat_state_name(r.resp_tcp));
    if (r.tunnel_uid) fmt::format_to(it, ",\"tunnel_parents\":[\"{}\"]", conn_uid_text(r.tunnel_uid));
    if (r.parent) fmt::format_to(it, ",\"parent_uid\":\"{}\"", conn_uid_text(r.parent->uid));
    if (url_ && !r.url.empty()) {
      out_.write(",\"url\":");
      json_string(b, r.url);
    }
    out_.write(ndjson_ ? "}\n" : "}");
    out_.maybe_flush();
  }

  void end() override {
    if (!ndjson_) out_.write(first_ ? "]\n" : "\n]\n");
  }

private:
  OutBuffer& out_;
  bool ndjson_;
  bool url_;
  bool first_ = true;
};

// Quoted (RFC 4180) when it holds a comma, quote or line break.
std::string csv_cell(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

class CsvWriter final : public ConnWriter {
public:
  CsvWriter(OutBuffer& out, bool url) : out_(out), url_(url) {}
  void begin(Timestamp) override {
    out_.write("ts,uid,id.orig_h,id.orig_p,id.resp_h,id.resp_p,proto,service,duration,orig_bytes,resp_bytes,"
               "conn_state,missed_bytes,history,orig_pkts,orig_ip_bytes,resp_pkts,resp_ip_bytes,stream,"
               "orig_frame_bytes,resp_frame_bytes,direction_inferred,service_source,orig_tcp_state,"
               "resp_tcp_state,parent_uid");
    out_.write(url_ ? ",url\n" : "\n");
  }
  void row(const ConnRecord& r) override {
    // Every value is a number, an address, or a name from a fixed set: nothing needs quoting except
    // a service name set by the app layer, which is quoted when it holds a comma or quote.
    std::string svc = csv_cell(r.service);
    bool has_duration = r.duration_ns() > 0;
    out_.print("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
               conn_seconds_text(conn_ts_ns(r.first_ts)), conn_uid_text(r.uid),
               conn_addr_text(r.orig_h, r.ip_version), r.orig_p, conn_addr_text(r.resp_h, r.ip_version),
               r.resp_p, conn_proto_name(r.proto), svc,
               has_duration ? conn_seconds_text(r.duration_ns()) : "",
               has_duration ? fmt::format("{}", r.orig_bytes) : "",
               has_duration ? fmt::format("{}", r.resp_bytes) : "", conn_state_name(r.conn_state),
               r.missed_bytes, r.history.view(), r.orig_pkts, r.orig_ip_bytes, r.resp_pkts, r.resp_ip_bytes,
               r.stream, r.orig_frame_bytes, r.resp_frame_bytes, r.direction_inferred,
               service_source_name(r.service_source), r.proto == 6 ? netstat_state_name(r.orig_tcp) : "",
               r.proto == 6 ? netstat_state_name(r.resp_tcp) : "",
               r.parent ? conn_uid_text(r.parent->uid) : std::string());
    if (url_) out_.print(",{}", csv_cell(r.url));
    out_.write("\n");
    out_.maybe_flush();
  }
  void end() override {}

private:
  OutBuffer& out_;
  bool url_;
};

} // namespace

std::unique_ptr<ConnWriter> make_conn_json_writer(OutBuffer& out, bool ndjson, bool url) {
  return std::make_unique<JsonWriter>(out, ndjson, url);
}
std::unique_ptr<ConnWriter> make_conn_csv_writer(OutBuffer& out, bool url) {
  return std::make_unique<CsvWriter>(out, url);
}

} // namespace ps
