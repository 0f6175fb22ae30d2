// Sequence-number comparisons modulo 2^32 (RFC 9293 section 3.4): a is "after" b when the signed
// distance from b to a is positive.
#pragma once

#include <cstdint>

namespace ps::tcpseq {

inline constexpr bool lt(uint32_t a, uint32_t b) {
  return static_cast<int32_t>(a - b) < 0;
}
inline constexpr bool le(uint32_t a, uint32_t b) {
  return static_cast<int32_t>(a - b) <= 0;
}
inline constexpr bool gt(uint32_t a, uint32_t b) {
  return static_cast<int32_t>(a - b) > 0;
}
inline constexpr bool ge(uint32_t a, uint32_t b) {
  return static_cast<int32_t>(a - b) >= 0;
}

} // namespace ps::tcpseq
