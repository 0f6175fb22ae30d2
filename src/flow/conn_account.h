// The Zeek-style record of one connection while it is open: packet and byte counts per side, Zeek's
// TCP endpoint state machine (conn_state, history, sizes, missed bytes) and the netstat view. Lives in
// the connection's entry of the connection table (src/engine/) when an output wants records.
#pragma once

#include <cstdint>

#include "dissect/packet.h"
#include "flow/conn_record.h"
#include "flow/conn_tcp_state.h"
#include "flow/flow_key.h"

namespace ps {

struct ConnAccount {
  ConnRecord rec;
  ConnTcpState tcp;
  bool orig_sent = false, resp_sent = false; // UDP activity per side
  bool ended() const { return rec.proto == 6 && tcp.ended(); }
};

// Who opened a connection, judged from its first packet: the SYN's sender; the receiver of a SYN-ACK;
// otherwise the side talking to the likely server port (then `inferred`).
bool first_sender_is_originator(uint8_t proto, uint16_t tcp_flags, uint16_t src_port, uint16_t dst_port,
                                bool& inferred) noexcept;

// Whether a port is one Zeek-style heuristics would take for a server's: well known (< 1024) or
// registered with IANA below the dynamic range.
bool likely_server_port(uint8_t proto, uint16_t port) noexcept;

// Starts the record at packet `d` (its first), oriented as decided: `sender_is_orig` for that packet.
// `uid` is conn_uid() of the connection's key, d's time, proto and stream.
void account_open(ConnAccount& a, const Decoded& d, uint8_t proto, uint32_t stream, uint64_t uid,
                  bool sender_is_orig, bool inferred);

// Accounts one packet of the connection, sent by the originator (is_orig) or the responder.
void account_packet(ConnAccount& a, const Decoded& d, bool is_orig);

// The record with its derived fields (states, sizes) filled in from the live state.
void account_complete(const ConnAccount& a, ConnRecord& r);

} // namespace ps
