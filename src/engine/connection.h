// One entry of the connection table: everything portscope knows about one TCP or UDP connection,
// whichever outputs run — tshark's stream numbering and sequence analysis, the Zeek-style record, the
// application layer's reassemblers and analyzer — with one client/server orientation for all of them.
#pragma once

#include <cstdint>
#include <memory>

#include "app/app_engine.h"
#include "flow/conn_account.h"
#include "flow/flow_key.h"
#include "flow/stream_track.h"

namespace ps {

struct Connection {
  FlowKey key;
  StreamTrack track;     // tcp.stream / udp.stream, times, sequence analysis
  uint64_t uid = 0;      // the current record's uid (conn_uid), also set without records
  uint8_t proto = 0;     // 6 TCP, 17 UDP
  bool orig_is_a = true; // the originator (client) is endpoint a of the key
  bool inferred = false; // no SYN decided the orientation: ports did
  bool record_open = false;
  bool service_applied = false;         // the app layer's verdict is in the record
  bool marked = false;                  // a consumer's mark on the current record (conns -Y), copied into it
  Timestamp record_first_ts;            // first packet of the current record
  std::unique_ptr<ConnAccount> account; // the Zeek-style record, when an output wants records
  app::AppSlot app;                     // the application layer's state (TCP)

  uint8_t list = 0;        // its entry list (connection_table.h)
  uint8_t record_list = 0; // its record list, or kNoRecordList
  bool used = false;
  // Parallel runs: every worker keeps every entry (the same stream numbering everywhere), and only the
  // owner runs the record, the sequence analysis and the application layer.
  bool mine = true;
  bool ftp_probed = false; // its first payload was looked at for an FTP banner (FTP hosts share an owner)
  uint16_t owner = 0;
  // Where it stands on its record list: the frame of its last packet, and whether that was the inner
  // packet of a UDP tunnel (the outer flow is touched first). Orders records across workers.
  uint64_t touch_frame = 0;
  uint8_t touch_sub = 0;

  // Whether a packet travelling in key direction `forward` was sent by the originator.
  bool from_orig(bool forward) const { return forward == orig_is_a; }
  const uint8_t* orig_ip() const { return orig_is_a ? key.a.data() : key.b.data(); }
  const uint8_t* resp_ip() const { return orig_is_a ? key.b.data() : key.a.data(); }
  uint16_t orig_port() const { return orig_is_a ? key.a_port : key.b_port; }
  uint16_t resp_port() const { return orig_is_a ? key.b_port : key.a_port; }
};

} // namespace ps
