// Reports over a whole capture's connection records: tshark's conversation tables (--conv), the
// per-server summary (--servers), and the netstat-style snapshot at one instant (--at).
#pragma once

#include <vector>

#include "flow/conn_record.h"
#include "output/out_buffer.h"

namespace ps {

// Prints what `tshark -n -q -z conv,tcp -z conv,udp` prints: the UDP table, then the TCP table.
// Records that share a stream index (split by an idle timeout) are one conversation, as in tshark.
void render_tshark_conv(OutBuffer& out, const std::vector<ConnRecord>& records, Timestamp capture_start);

struct ServerSummary {
  uint8_t proto = 0, ip_version = 0;
  std::array<uint8_t, 16> addr{};
  uint16_t port = 0;
  std::string service;
  uint64_t connections = 0, clients = 0, max_concurrent = 0;
  uint64_t pkts = 0, payload_bytes = 0;
};

// One entry per server endpoint (proto, address, port), most connections first. A connection counts
// as open from its first to its last packet.
std::vector<ServerSummary> summarize_servers(const std::vector<ConnRecord>& records);
void render_servers(OutBuffer& out, const std::vector<ServerSummary>& servers, bool numeric, bool json);

// The connections open at `at` (netstat on either host at that moment).
void render_open_at(OutBuffer& out, const std::vector<ConnRecord>& open, Timestamp capture_start,
                    Timestamp at, bool numeric);

} // namespace ps
