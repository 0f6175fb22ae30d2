// Per-server summary: how many connections each server endpoint took, from how many client hosts, and
// the most it held open at once (a sweep over each connection's first..last packet).
#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <tuple>

#include "output/conn_reports.h"
#include "output/conn_writers.h"

namespace ps {

std::vector<ServerSummary> summarize_servers(const std::vector<ConnRecord>& records) {
  using Key = std::tuple<uint8_t, uint8_t, std::array<uint8_t, 16>, uint16_t>;
  struct Acc {
    ServerSummary s;
    std::set<std::array<uint8_t, 16>> clients;
    std::vector<std::pair<int64_t, int>> events; // (time, +1 open / -1 close)
  };
  std::map<Key, Acc> acc;
  for (const ConnRecord& r : records) {
    Acc& a = acc[Key{r.proto, r.ip_version, r.resp_h, r.resp_p}];
    if (a.s.connections == 0) {
      a.s.proto = r.proto;
      a.s.ip_version = r.ip_version;
      a.s.addr = r.resp_h;
      a.s.port = r.resp_p;
      a.s.service = r.service;
    }
    ++a.s.connections;
    a.s.pkts += r.orig_pkts + r.resp_pkts;
    a.s.payload_bytes += r.orig_bytes + r.resp_bytes;
    a.clients.insert(r.orig_h);
    a.events.emplace_back(conn_ts_ns(r.first_ts), +1);
    a.events.emplace_back(conn_ts_ns(r.last_seen_ts), -1);
  }
  std::vector<ServerSummary> out;
  for (auto& [k, a] : acc) {
    // At equal times a close sorts before an open: a connection that ends as another starts does not
    // overlap it.
    std::sort(a.events.begin(), a.events.end());
    int64_t open = 0, peak = 0;
    for (const auto& e : a.events) {
      open += e.second;
      peak = std::max(peak, open);
    }
    a.s.max_concurrent = static_cast<uint64_t>(peak);
    a.s.clients = a.clients.size();
    out.push_back(a.s);
  }
  std::stable_sort(out.begin(), out.end(), [](const ServerSummary& x, const ServerSummary& y) {
    return x.connections > y.connections;
  });
  return out;
}

void render_servers(OutBuffer& out, const std::vector<ServerSummary>& servers, bool numeric, bool json) {
  if (json) {
    out.write("[");
    bool first = true;
    for (const ServerSummary& s : servers) {
      out.print("{}\n  {{\"proto\":\"{}\",\"addr\":\"{}\",\"port\":{},\"service\":\"{}\",\"connections\":{},"
                "\"clients\":{},\"max_concurrent\":{},\"pkts\":{},\"payload_bytes\":{}}}",
                first ? "" : ",", conn_proto_name(s.proto), conn_addr_text(s.addr, s.ip_version), s.port,
                s.service, s.connections, s.clients, s.max_concurrent, s.pkts, s.payload_bytes);
      first = false;
    }
    out.write(first ? "]\n" : "\n]\n");
    return;
  }
  out.print("{:<5} {:<40} {:<12} {:>11} {:>8} {:>14} {:>10} {:>14}\n", "Proto", "Server", "Service",
            "Connections", "Clients", "Max concurrent", "Packets", "Payload bytes");
  for (const ServerSummary& s : servers) {
    std::string addr = conn_addr_text(s.addr, s.ip_version);
    std::string ep =
        s.ip_version == 6 ? fmt::format("[{}]:{}", addr, s.port) : fmt::format("{}:{}", addr, s.port);
    out.print("{:<5} {:<40} {:<12} {:>11} {:>8} {:>14} {:>10} {:>14}\n", conn_proto_name(s.proto), ep,
              numeric || s.service.empty() ? "-" : s.service, s.connections, s.clients, s.max_concurrent,
              s.pkts, s.payload_bytes);
  }
}

void render_open_at(OutBuffer& out, const std::vector<ConnRecord>& open, Timestamp capture_start,
                    Timestamp at, bool numeric) {
  out.print("Connections open at {} s ({} connections)\n",
            conn_seconds_text(conn_ts_ns(at) - conn_ts_ns(capture_start)), open.size());
  out.print("{:<5} {:<28} {:<28} {:<12} {:<12} {:<12} {:>8} {:>10} {:>10}\n", "Proto", "Client", "Server",
            "Client state", "Server state", "Service", "Packets", "Bytes", "Age");
  for (const ConnRecord& r : open) {
    auto ep = [&](const std::array<uint8_t, 16>& a, uint16_t port) {
      std::string addr = conn_addr_text(a, r.ip_version);
      return r.ip_version == 6 ? fmt::format("[{}]:{}", addr, port) : fmt::format("{}:{}", addr, port);
    };
    std::string_view cs = r.proto == 6 ? netstat_state_name(r.orig_tcp) : "-";
    std::string_view ss = r.proto == 6 ? netstat_state_name(r.resp_tcp) : "-";
    out.print("{:<5} {:<28} {:<28} {:<12} {:<12} {:<12} {:>8} {:>10} {:>10}\n", conn_proto_name(r.proto),
              ep(r.orig_h, r.orig_p), ep(r.resp_h, r.resp_p), cs, ss,
              numeric || r.service.empty() ? "-" : r.service, r.orig_pkts + r.resp_pkts,
              r.orig_bytes + r.resp_bytes, conn_seconds_text(conn_ts_ns(at) - conn_ts_ns(r.first_ts)));
  }
}

} // namespace ps
