// DNS over TCP (RFC 1035 4.2.2, RFC 7766): every message is preceded by a 2-byte length. The stream
// reassembler hands complete messages to parse_dns_tcp(); tcp_message_size() tells it how many bytes
// the next message needs.
#pragma once

#include <cstddef>
#include <span>

#include "dns/message.h"

namespace ps::dns {

// Bytes (prefix included) the first message in `stream` occupies; 0 while fewer than 2 bytes are known.
size_t tcp_message_size(std::span<const uint8_t> stream);

// Parses the length-prefixed message at the start of `framed`. Offsets in the result are relative to
// the message (after the prefix). error is Truncated when `framed` is shorter than the prefix says.
ParseResult parse_dns_tcp(std::span<const uint8_t> framed);

} // namespace ps::dns
