#include "output/conn_writers.h"

#include <arpa/inet.h>

#include <cstdlib>

namespace ps {

std::string conn_addr_text(const std::array<uint8_t, 16>& addr, uint8_t ip_version) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (!inet_ntop(ip_version == 6 ? AF_INET6 : AF_INET, addr.data(), buf, sizeof buf)) return "?";
  return buf;
}

std::string_view conn_proto_name(uint8_t proto) {
  return proto == 6 ? "tcp" : proto == 17 ? "udp" : "unknown";
}

int64_t conn_ts_ns(const Timestamp& t) {
  return t.sec * 1'000'000'000 + t.nsec;
}

std::string conn_seconds_text(int64_t ns) {
  // Round to microseconds, then print exactly (no floating point), as Zeek's %.6f would.
  bool neg = ns < 0;
  uint64_t a = neg ? static_cast<uint64_t>(-(ns + 1)) + 1 : static_cast<uint64_t>(ns);
  uint64_t us = (a + 500) / 1000;
  return fmt::format("{}{}.{:06}", neg ? "-" : "", us / 1'000'000, us % 1'000'000);
}

std::unique_ptr<ConnWriter> make_conn_writer(std::string_view format, OutBuffer& out, ConnWriterOptions opt) {
  if (format == "table") return make_conn_table_writer(out, opt);
  if (format == "zeek") return make_conn_zeek_writer(out, opt.url);
  if (format == "json") return make_conn_json_writer(out, false, opt.url);
  if (format == "ndjson") return make_conn_json_writer(out, true, opt.url);
  if (format == "csv") return make_conn_csv_writer(out, opt.url);
  return nullptr;
}

} // namespace ps
