#include "flow/tcp_option_scan.h"

namespace ps {

TcpOptionScan scan_tcp_options(wire::Bytes opts) {
  TcpOptionScan s;
  size_t i = 0;
  while (i < opts.size()) {
    uint8_t kind = opts[i];
    if (kind == 0) break;
    if (kind == 1) {
      ++i;
      continue;
    }
    if (i + 1 >= opts.size()) break;
    uint8_t len = opts[i + 1];
    if (len < 2 || i + len > opts.size()) break;
    const uint8_t* p = &opts[i];
    if (kind == 3 && len == 3) {
      s.wscale = static_cast<int8_t>(p[2] > 14 ? 14 : p[2]);
    } else if (kind == 5) { // whole blocks only; a trailing partial block is ignored
      for (size_t k = 0; k < (len - 2u) / 8u && s.sack_count < 4; ++k, ++s.sack_count) {
        s.sack_left[s.sack_count] = wire::be32(p + 2 + 8 * k);
        s.sack_right[s.sack_count] = wire::be32(p + 6 + 8 * k);
      }
    }
    i += len;
  }
  return s;
}

} // namespace ps
