// Resource limits of one run and what hitting them cost. Every table that grows with the capture is
// bounded by one of these; each component counts what a limit made it drop, and the command prints
// one summary line per limit that was reached (src/cli/limit_options.h). Defaults: docs/errors.md.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ps {

struct Limits {
  // Connections tracked at once by each table (stream tracker, connection table, application
  // analyzers). Beyond it the least recently active ones are forgotten.
  size_t max_connections = 1'000'000;
  // Out-of-order bytes a reassembler holds per direction, and in total for the run.
  size_t reassembly_per_direction = size_t{4} << 20;
  size_t reassembly_total = size_t{256} << 20;
  // Longest application message header an analyzer holds: an HTTP header section, an FTP, SMTP or
  // POP3 line. A longer one stops that connection's analysis.
  size_t max_message = size_t{64} << 10;
  // Transactions `portscope log` keeps per kind (it prints them at the end).
  size_t max_transactions = 1'000'000;
  // Bytes held by incomplete IP datagrams waiting for their other fragments (65,536 datagrams at most,
  // a fixed bound); beyond it the oldest incomplete datagrams are dropped.
  size_t fragment_bytes = size_t{64} << 20;
};

// What the limits cost; zero everywhere when no limit was reached.
struct LimitHits {
  uint64_t connections_evicted = 0;  // forgotten before they ended (max over the tables)
  uint64_t analyses_evicted = 0;     // application analyses ended early by max_connections
  uint64_t reassembly_dropped = 0;   // out-of-order bytes refused by a reassembly limit
  uint64_t oversize_messages = 0;    // connections whose analysis stopped at max_message
  uint64_t transactions_dropped = 0; // log rows not kept
  uint64_t datagrams_dropped = 0;    // incomplete IP datagrams dropped by the fragment limits
};

} // namespace ps
