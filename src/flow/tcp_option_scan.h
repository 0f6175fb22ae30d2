// The two TCP options the sequence analysis needs (window scale, SACK blocks), read without
// building any record. Stops quietly at the first malformed option, like the describer does.
#pragma once

#include <cstdint>

#include "wire/bytes.h"

namespace ps {

struct TcpOptionScan {
  int8_t wscale = -1; // shift count clamped to 14; -1 when the option is absent
  uint8_t sack_count = 0;
  uint32_t sack_left[4] = {}, sack_right[4] = {}; // raw (absolute) edges
};

TcpOptionScan scan_tcp_options(wire::Bytes opts);

} // namespace ps
