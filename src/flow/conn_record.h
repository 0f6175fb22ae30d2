// The summary of one finished connection, in the spirit of Zeek's conn.log: who opened it, what it
// carried each way, how it ended. Kept small (no heap beyond the service name) because a capture can
// hold millions of them.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "capture/frame.h"
#include "flow/flow_key.h"

namespace ps {

// Zeek's conn_state values, with Zeek's meanings (see docs/conns.md).
enum class ConnState : uint8_t { S0, S1, SF, REJ, S2, S3, RSTO, RSTR, RSTOS0, RSTRH, SH, SHR, OTH };

// An endpoint's TCP state as netstat would show it on that host, as last seen on the wire.
enum class NetstatState : uint8_t {
  None, // never took part (e.g. UDP, or a peer that never answered)
  SynSent,
  SynRecv,
  Established,
  FinWait1,
  FinWait2,
  CloseWait,
  LastAck,
  TimeWait,
  Closing,
  Closed,
};

// Who named the service: the server port, the application layer (content), a connection announced by
// another one (FTP PORT/PASV -> ftp-data), or the user (decode-as).
enum class ServiceSource : uint8_t { None, Port, Content, Expected, User };

std::string_view conn_state_name(ConnState s) noexcept;
std::string_view netstat_state_name(NetstatState s) noexcept;
std::string_view service_source_name(ServiceSource s) noexcept;

// Zeek's history letters; bounded so a hostile connection cannot grow it without limit.
struct ConnHistory {
  static constexpr size_t kMax = 31;
  std::array<char, kMax + 1> text{};
  uint8_t len = 0;
  void add(char c) {
    if (len < kMax) text[len++] = c;
  }
  std::string_view view() const { return {text.data(), len}; }
};

// The connection that announced this one (an FTP control connection for its data connections).
struct ConnParent {
  uint64_t uid = 0;
  uint32_t stream = 0;
  uint8_t proto = 6;
  uint8_t ip_version = 4;
  std::array<uint8_t, 16> orig_h{}, resp_h{};
  uint16_t orig_p = 0, resp_p = 0;
};

struct ConnRecord {
  uint32_t stream = 0; // tcp.stream / udp.stream
  uint64_t uid = 0;    // printed by conn_uid_text()
  uint8_t proto = 0;   // 6 TCP, 17 UDP
  uint8_t ip_version = 0;
  bool direction_inferred = false; // no SYN seen: client and server chosen by ports
  bool first_from_orig = true;     // the first packet came from the client (tshark orients by it)
  std::array<uint8_t, 16> orig_h{}, resp_h{};
  uint16_t orig_p = 0, resp_p = 0;

  Timestamp first_ts;     // first packet
  Timestamp last_ts;      // Zeek's last time: packets after both sides closed do not extend it
  Timestamp last_seen_ts; // last packet of any kind (tshark's conversation end)

  ConnState conn_state = ConnState::OTH;
  ConnHistory history;
  NetstatState orig_tcp = NetstatState::None, resp_tcp = NetstatState::None;

  uint64_t orig_bytes = 0, resp_bytes = 0; // payload bytes (TCP: by sequence space)
  uint64_t missed_bytes = 0;
  uint64_t orig_pkts = 0, resp_pkts = 0;
  uint64_t orig_ip_bytes = 0, resp_ip_bytes = 0;       // IP total lengths
  uint64_t orig_frame_bytes = 0, resp_frame_bytes = 0; // frame lengths on the wire

  std::string service;
  ServiceSource service_source = ServiceSource::None;
  std::shared_ptr<const ConnParent> parent; // set on the few connections that have one (ftp-data)
  uint64_t tunnel_uid = 0; // the tunnel its first packet came through (Zeek's tunnel_parents), 0: none
  bool marked = false;     // a packet of it matched the run's display filter (conns -Y)
  std::string url;         // conns --url: the URL of its first HTTP request, as a browser showed it

  int64_t duration_ns() const {
    return (last_ts.sec - first_ts.sec) * 1'000'000'000 + (int64_t{last_ts.nsec} - int64_t{first_ts.nsec});
  }
};

// A connection's uid: from its canonical key, the time of its first packet and its tcp.stream /
// udp.stream index. The connection table and `portscope log` both use it, so a log row's uid is the uid
// of its connection in `portscope conns`.
uint64_t conn_uid(const FlowKey& key, const Timestamp& first_ts, uint8_t proto, uint32_t stream) noexcept;

// "C" followed by base62 digits, as Zeek's uids look.
std::string conn_uid_text(uint64_t uid);

} // namespace ps
