#include "wire/checksum.h"

#include "wire/bytes.h"

namespace ps::wire {

uint32_t checksum_add(uint32_t sum, std::span<const uint8_t> data) {
  // 64-bit accumulator over 32-bit words: no carry handling in the loop.
  uint64_t acc = sum;
  const uint8_t* p = data.data();
  size_t n = data.size();
  while (n >= 4) {
    acc += be32(p);
    p += 4;
    n -= 4;
  }
  if (n >= 2) {
    acc += be16(p);
    p += 2;
    n -= 2;
  }
  if (n == 1) acc += uint32_t{p[0]} << 8;
  while (acc >> 32) acc = (acc & 0xffffffffu) + (acc >> 32);
  // Fold to 16 bits but keep it as a partial sum so further additions stay correct.
  uint32_t s = static_cast<uint32_t>((acc & 0xffff) + (acc >> 16));
  s = (s & 0xffff) + (s >> 16);
  return s;
}

uint16_t checksum_finish(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum & 0xffff);
}

uint32_t pseudo_header_v4(const uint8_t* src, const uint8_t* dst, uint8_t proto, uint32_t length) {
  uint32_t s = 0;
  s = checksum_add(s, {src, 4});
  s = checksum_add(s, {dst, 4});
  return s + proto + (length >> 16) + (length & 0xffff);
}

uint32_t pseudo_header_v6(const uint8_t* src, const uint8_t* dst, uint8_t next_header, uint32_t length) {
  uint32_t s = 0;
  s = checksum_add(s, {src, 16});
  s = checksum_add(s, {dst, 16});
  return s + next_header + (length >> 16) + (length & 0xffff);
}

uint16_t expected_checksum(uint32_t pseudo_sum, std::span<const uint8_t> segment, size_t checksum_offset) {
  uint32_t s = checksum_add(pseudo_sum, segment);
  // Remove the stored field's contribution (one's-complement subtraction = add its complement).
  uint16_t stored = be16(segment.data() + checksum_offset);
  s += static_cast<uint16_t>(~stored);
  return checksum_finish(s);
}

} // namespace ps::wire
