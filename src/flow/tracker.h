// Connection tracking for per-packet output: stream indexes (tshark's tcp.stream / udp.stream),
// relative sequence numbers and TCP sequence analysis. Fed packets in capture order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "dissect/packet.h"
#include "flow/limits.h"
#include "flow/meta.h"

namespace ps {

class FlowTracker {
public:
  // analyze = false: stream indexes, relative numbers and windows only, no tcp.analysis.* results
  // (nor their cost: no per-segment bookkeeping, no unacknowledged-segment lists).
  // max_connections: TCP (and, separately, UDP) connections remembered at once; beyond it the least
  // recently active are forgotten (a forgotten tuple seen again starts a new stream).
  explicit FlowTracker(bool analyze = true, size_t max_connections = Limits{}.max_connections);
  ~FlowTracker();
  FlowTracker(const FlowTracker&) = delete;
  FlowTracker& operator=(const FlowTracker&) = delete;

  // Updates the state with `pkt` and fills `meta` with what is known about it.
  void process(const Decoded& pkt, PacketMeta& meta);

  uint32_t tcp_streams() const;
  uint32_t udp_streams() const;
  // Connections currently remembered (bounded by timeouts once the tables grow large).
  size_t tcp_table_size() const;
  size_t udp_table_size() const;
  // Connections forgotten by max_connections while still active.
  uint64_t evicted() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace ps
