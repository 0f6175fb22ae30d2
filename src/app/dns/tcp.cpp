#include "app/dns/tcp.h"

namespace ps::dns {

size_t tcp_message_size(std::span<const uint8_t> stream) {
  if (stream.size() < 2) return 0;
  return 2u + (size_t{stream[0]} << 8 | stream[1]);
}

ParseResult parse_dns_tcp(std::span<const uint8_t> framed) {
  size_t need = tcp_message_size(framed);
  if (need == 0) {
    ParseResult r;
    r.error = Error::ShortHeader;
    return r;
  }
  if (framed.size() < need) {
    ParseResult r = parse_dns(framed.subspan(2));
    if (r.ok()) r.error = Error::Truncated;
    return r;
  }
  return parse_dns(framed.subspan(2, need - 2));
}

} // namespace ps::dns
