// Writers for `portscope conns`: each prints connection records in one format (a netstat-like table,
// Zeek's conn.log, JSON, NDJSON, CSV). They print rows as given, so they work both for a sorted list and
// for records streamed out as connections finish.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "flow/conn_record.h"
#include "output/out_buffer.h"

namespace ps {

struct ConnWriterOptions {
  bool numeric = false; // -n: no service names
  bool url = false;     // --url: a last column with the first HTTP request's URL
};

class ConnWriter {
public:
  virtual ~ConnWriter() = default;
  // capture_start: the first frame's time (relative columns count from it).
  virtual void begin(Timestamp capture_start) = 0;
  virtual void row(const ConnRecord& r) = 0;
  virtual void end() = 0;
};

// "table", "zeek", "json", "ndjson", "csv"; nullptr for anything else.
std::unique_ptr<ConnWriter> make_conn_writer(std::string_view format, OutBuffer& out, ConnWriterOptions opt);

// Text helpers shared by the writers.
std::string conn_addr_text(const std::array<uint8_t, 16>& addr, uint8_t ip_version);
std::string_view conn_proto_name(uint8_t proto);
// Seconds with six decimals, as Zeek prints times and intervals.
std::string conn_seconds_text(int64_t ns);
int64_t conn_ts_ns(const Timestamp& t);

std::unique_ptr<ConnWriter> make_conn_table_writer(OutBuffer& out, ConnWriterOptions opt);
std::unique_ptr<ConnWriter> make_conn_zeek_writer(OutBuffer& out, bool url = false);
std::unique_ptr<ConnWriter> make_conn_json_writer(OutBuffer& out, bool ndjson, bool url = false);
std::unique_ptr<ConnWriter> make_conn_csv_writer(OutBuffer& out, bool url = false);

} // namespace ps
