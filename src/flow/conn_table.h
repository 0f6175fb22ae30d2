// The connection table: fed every packet in capture order (with the tracker's stream indexes), it
// keeps one open record per live TCP/UDP connection and hands each record to a callback as soon as the
// connection is over (closed or reset, plus a grace period) or has idled past its timeout. Memory is
// therefore proportional to the connections open at once, not to the capture.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "dissect/packet.h"
#include "flow/conn_record.h"
#include "flow/limits.h"
#include "flow/meta.h"

namespace ps {

struct ConnTableOptions {
  // Seconds of capture time; defaults follow Zeek (tcp_inactivity_timeout, udp_inactivity_timeout,
  // tcp_close_delay/tcp_reset_delay).
  int64_t tcp_idle_ns = 300'000'000'000;
  int64_t udp_idle_ns = 60'000'000'000;
  int64_t close_grace_ns = 5'000'000'000;
  // Open connections at once; beyond it the least recently active one is finished early (counted).
  size_t max_open = Limits{}.max_connections;
};

// A view of a still-open connection (for `conns --at`): the record so far, with current states.
using ConnVisitor = std::function<void(const ConnRecord&)>;
using ConnSink = std::function<void(ConnRecord&&)>;

class ConnTable {
public:
  explicit ConnTable(ConnSink on_finished, ConnTableOptions opt = {});
  ~ConnTable();
  ConnTable(const ConnTable&) = delete;
  ConnTable& operator=(const ConnTable&) = delete;

  // Accounts one packet. Packets that are not TCP/UDP over IP (or that the tracker did not see) are
  // ignored. Expires connections whose time is up relative to this packet's timestamp.
  void process(const Decoded& pkt, const PacketMeta& meta);

  // Finishes every open connection (end of capture), oldest first.
  void finish_all();

  // Visits every open connection as it stands now (states, counters), oldest first.
  void for_each_open(const ConnVisitor& visit) const;

  // The app layer's verdict on what a connection carries; false when no such open connection.
  bool set_service(uint8_t proto, uint32_t stream, std::string_view service, ServiceSource source);
  // Links a connection to the one that announced it (ftp-data to its FTP control connection); both
  // must be open. False otherwise.
  bool set_parent(uint8_t proto, uint32_t stream, uint8_t parent_proto, uint32_t parent_stream);

  size_t open_count() const;
  uint64_t finished_count() const;
  // Connections finished early because max_open was reached.
  uint64_t evicted_count() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The connection a packet belongs to, as the table counts it: TCP or UDP over IP with the tracker's
// stream index. False for any other packet (the table ignores it).
bool conn_stream_of(const Decoded& d, const PacketMeta& meta, uint8_t& proto, uint32_t& stream) noexcept;

// Whether a port is one Zeek-style heuristics would take for a server's: well known (< 1024) or
// registered with IANA below the dynamic range.
bool likely_server_port(uint8_t proto, uint16_t port) noexcept;

} // namespace ps
