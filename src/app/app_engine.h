// The application layer: per TCP connection a reassembler per direction and one analyzer, chosen by
// the user's decode-as, an expected-connection announcement, the first payload bytes, or the server
// port (in that order). It keeps no table of its own: each connection's state (an AppSlot) lives in
// the engine's connection table (src/engine/), which also decides who is the client.
#pragma once

#include <cstdint>
#include <memory>

#include "app/decode_as.h"
#include "app/messages.h"
#include "app/service.h"
#include "app/transactions.h"
#include "dissect/packet.h"
#include "flow/conn_record.h"
#include "flow/limits.h"
#include "flow/meta.h"

namespace ps::app {

struct EngineOptions {
  DecodeAs decode_as;
  bool check_checksums = true;    // mirror tshark: no reassembly for segments with a wrong checksum
  bool keep_transactions = false; // for `log`
  // Reassembly sizes; max_message; max_transactions (with keep_transactions).
  Limits limits;
  // For `conns`: only decide each connection's service (and link ftp-data to its control connection).
  // Analyzers run for FTP control connections only; every other connection ends its analysis once decided.
  bool service_only = false;
  // Keep the bytes of TLS application data records; off: they are skipped as they stream by (only
  // their lengths are known), for outputs that never show them.
  bool tls_app_data = true;
  // Keep HTTP text bodies whole (the tree's lines); off: only each body's signature (its protocol name).
  bool http_bodies = true;
};

struct StreamService {
  Service service = Service::None;
  ServiceSource source = ServiceSource::None;
  bool decided = false;                     // final (service may still be None: nothing matched)
  std::shared_ptr<const ConnParent> parent; // ftp-data: the FTP control connection that announced it
};

struct AppConn; // reassemblers and analyzer of one connection (app_engine.cpp)

// One connection's application state, owned by its entry in the connection table.
struct AppSlot {
  AppSlot();
  ~AppSlot();
  AppSlot(AppSlot&&) noexcept;
  AppSlot& operator=(AppSlot&&) noexcept;
  std::unique_ptr<AppConn> conn; // null until the connection carries more than a client's SYN
  StreamService service;
  bool closed = false;   // analysis over: later frames only carry the verdict
  bool lone_syn = false; // only the client's SYN so far (a SYN flood costs no AppConn)
  uint32_t syn_seq = 0;
  bool active() const { return conn != nullptr; }
};

// Who the connection's client and server are, as the connection table decided it.
struct Endpoints {
  uint32_t stream = 0;
  uint64_t uid = 0;
  uint8_t ip_version = 4;
  const uint8_t* orig_ip = nullptr; // 4 or 16 bytes
  const uint8_t* resp_ip = nullptr;
  uint16_t orig_p = 0, resp_p = 0;
};

class AppEngine {
public:
  explicit AppEngine(EngineOptions opt);
  ~AppEngine();
  AppEngine(const AppEngine&) = delete;
  AppEngine& operator=(const AppEngine&) = delete;

  // Feeds one TCP frame of the connection whose state is `slot`; `from_orig`: sent by the client.
  // `out` (clear on entry) receives what the analyzers attach to it.
  void process(AppSlot& slot, const Endpoints& ends, bool from_orig, const Decoded& pkt,
               const PacketMeta& meta, AppFrame& out);
  // The connection is over (or forgotten): deliver what is buffered, close open transactions, and
  // keep only the verdict. No effect on a closed slot.
  void close(AppSlot& slot);
  // Whether the analysis still wants this connection's frames.
  bool wants_frames(const AppSlot& slot) const { return !slot.closed; }

  const Transactions& transactions() const;
  // Adds what the limits cost so far: reassembly bytes dropped, oversize messages, transactions not kept.
  void add_limit_hits(LimitHits& hits) const;
  uint64_t missed_bytes() const; // holes in the streams (not captured or dropped)

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace ps::app
