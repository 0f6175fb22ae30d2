#include "wire/checksum.h"

#include <bit>
#include <cstring>

#include "wire/bytes.h"

namespace ps::wire {

namespace {

// Folds a 64-bit one's-complement sum to 16 bits with end-around carries: the result is 0 only for
// an all-zero sum, else the unique value in [1, 0xffff] of the same residue.
uint32_t fold16(uint64_t acc) {
  acc = (acc & 0xffffffffu) + (acc >> 32);
  acc = (acc & 0xffffffffu) + (acc >> 32);
  acc = (acc & 0xffff) + (acc >> 16);
  acc = (acc & 0xffff) + (acc >> 16);
  return static_cast<uint32_t>((acc & 0xffff) + (acc >> 16));
}

// One's-complement sum of `data` as 16-bit words in host byte order (0 only for all-zero data).
// RFC 1071 §2(B): the sum does not depend on byte order, so the words are read eight bytes at a time
// without swapping; the caller swaps the folded result once.
uint32_t host_order_sum(const uint8_t* p, size_t n) {
  uint64_t acc = 0, carries = 0;
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    acc += w;
    carries += acc < w;
  }
  if (n) { // the tail starts at an even offset: pad it with zeros to a whole word
    uint64_t w = 0;
    std::memcpy(&w, p, n);
    acc += w;
    carries += acc < w;
  }
  return fold16(fold16(acc) + carries);
}

} // namespace

uint32_t checksum_add(uint32_t sum, std::span<const uint8_t> data) {
  uint32_t s = host_order_sum(data.data(), data.size());
  if constexpr (std::endian::native == std::endian::little) s = ((s & 0xff) << 8) | (s >> 8);
  // Keep it a partial sum (at most 16 bits) so further additions stay correct.
  return fold16(uint64_t{sum} + s);
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
