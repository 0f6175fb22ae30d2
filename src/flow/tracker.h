// Connection tracking for per-packet output: stream indexes (tshark's tcp.stream / udp.stream),
// relative sequence numbers and TCP sequence analysis. Fed packets in capture order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "dissect/packet.h"
#include "flow/meta.h"

namespace ps {

class FlowTracker {
public:
  // analyze = false: stream indexes, relative numbers and windows only, no tcp.analysis.* results
  // (nor their cost: no per-segment bookkeeping, no unacknowledged-segment lists).
  explicit FlowTracker(bool analyze = true);
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

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace ps
