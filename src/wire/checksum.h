// Internet checksum (RFC 1071) and the TCP/UDP pseudo-header sums for IPv4 and IPv6.
#pragma once

#include <cstdint>
#include <span>

namespace ps::wire {

// One's-complement sum of `data` added to `sum` (not folded, not inverted).
uint32_t checksum_add(uint32_t sum, std::span<const uint8_t> data);
// Folds to 16 bits and inverts: the value a sender puts in the checksum field.
uint16_t checksum_finish(uint32_t sum);

uint32_t pseudo_header_v4(const uint8_t* src, const uint8_t* dst, uint8_t proto, uint32_t length);
uint32_t pseudo_header_v6(const uint8_t* src, const uint8_t* dst, uint8_t next_header, uint32_t length);

// What the checksum field should contain for `segment` (with its checksum field treated as zero):
// computed over the segment with the field left in place, then corrected.
uint16_t expected_checksum(uint32_t pseudo_sum, std::span<const uint8_t> segment, size_t checksum_offset);

} // namespace ps::wire
