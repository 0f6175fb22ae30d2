// Runs the application layer for `read`, `follow` and `log`: per TCP connection a reassembler per
// direction and one analyzer, chosen by the user's decode-as, an expected-connection announcement,
// the first payload bytes, or the server port (in that order). Call process() for every frame after
// FlowTracker::process().
#pragma once

#include <cstdint>
#include <memory>

#include "app/decode_as.h"
#include "app/messages.h"
#include "app/service.h"
#include "app/transactions.h"
#include "dissect/packet.h"
#include "flow/limits.h"
#include "flow/meta.h"

namespace ps::app {

struct EngineOptions {
  DecodeAs decode_as;
  bool check_checksums = true;    // mirror tshark: no reassembly for segments with a wrong checksum
  bool keep_transactions = false; // for `log`
  // max_connections: analyzed at once (the least recently active analysis ends early beyond it);
  // reassembly sizes; max_message; max_transactions (with keep_transactions).
  Limits limits;
  // For `conns`: only decide each connection's service (and link ftp-data to its control connection).
  // Analyzers run for FTP control connections only; every other connection is dropped once decided.
  bool service_only = false;
};

struct StreamService {
  Service service = Service::None;
  ServiceSource source = ServiceSource::None;
  bool decided = false;       // final (service may still be None: nothing matched)
  bool has_parent = false;    // ftp-data: announced on the FTP control connection parent_stream
  uint32_t parent_stream = 0; // tcp.stream
};

class AppEngine {
public:
  explicit AppEngine(EngineOptions opt);
  ~AppEngine();
  AppEngine(const AppEngine&) = delete;
  AppEngine& operator=(const AppEngine&) = delete;

  // Feeds one frame; `out` receives what the analyzers attach to it.
  void process(const Decoded& pkt, const PacketMeta& meta, AppFrame& out);
  // End of the capture: deliver what is still buffered and close open transactions.
  void finish();
  // The transport connection is over (e.g. the connection table expired it): deliver what is buffered
  // and forget the stream. No effect on a stream the engine is not tracking.
  void close_stream(uint32_t tcp_stream);

  // The service of tcp.stream N and how it was decided (for the connection table).
  StreamService stream_service(uint32_t tcp_stream) const;
  const Transactions& transactions() const;
  uint64_t dropped_bytes() const; // refused by a reassembly limit
  // Adds what the limits cost so far: analyses evicted, reassembly bytes dropped, oversize messages,
  // transactions not kept.
  void add_limit_hits(LimitHits& hits) const;
  uint64_t missed_bytes() const; // holes in the streams (not captured or dropped)

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace ps::app
