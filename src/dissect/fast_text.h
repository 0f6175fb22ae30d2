// Hand-rolled text for the per-packet hot paths (summary lines, Info columns, -T fields): numbers,
// times, IPv4 and Ethernet addresses. fmt::format_to parses its format string at run time on every
// call, which cost more than decoding the packet; these write the same characters directly.
#pragma once

#include <cstdint>
#include <string_view>

#include <fmt/format.h>

namespace ps::fast {

inline void append(fmt::memory_buffer& out, std::string_view s) {
  out.append(s.data(), s.data() + s.size());
}

// Decimal digits, as "{}".
inline void append_uint(fmt::memory_buffer& out, uint64_t v) {
  fmt::format_int digits(v);
  out.append(digits.data(), digits.data() + digits.size());
}

inline void append_int(fmt::memory_buffer& out, int64_t v) {
  fmt::format_int digits(v);
  out.append(digits.data(), digits.data() + digits.size());
}

// Lowercase hex zero-padded to `width` digits, as "{:0{width}x}".
inline void append_hex(fmt::memory_buffer& out, uint64_t v, unsigned width) {
  static constexpr char kHex[] = "0123456789abcdef";
  char buf[16];
  unsigned n = 0;
  do {
    buf[15 - n++] = kHex[v & 15];
    v >>= 4;
  } while (v);
  for (; n < width && n < 16; ++n) buf[15 - n] = '0';
  out.append(buf + 16 - n, buf + 16);
}

// Signed nanoseconds as seconds with nine decimals, as "{}{}.{:09}" with the sign first.
inline void append_seconds(fmt::memory_buffer& out, int64_t ns) {
  uint64_t a = static_cast<uint64_t>(ns < 0 ? -ns : ns);
  if (ns < 0) out.push_back('-');
  append_uint(out, a / 1'000'000'000);
  char frac[10];
  frac[0] = '.';
  uint64_t f = a % 1'000'000'000;
  for (int i = 9; i >= 1; --i, f /= 10) frac[i] = static_cast<char>('0' + f % 10);
  out.append(frac, frac + 10);
}

// Dotted quad at `p` (at most 15 characters); returns the end.
inline char* put_ipv4(char* p, const uint8_t* a) {
  for (int i = 0; i < 4; ++i) {
    if (i) *p++ = '.';
    unsigned v = a[i];
    if (v >= 100) *p++ = static_cast<char>('0' + v / 100);
    if (v >= 10) *p++ = static_cast<char>('0' + v / 10 % 10);
    *p++ = static_cast<char>('0' + v % 10);
  }
  return p;
}

// Lowercase colon-separated hex at `p` (exactly 17 characters); returns the end.
inline char* put_ether(char* p, const uint8_t* m) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 6; ++i) {
    if (i) *p++ = ':';
    *p++ = kHex[m[i] >> 4];
    *p++ = kHex[m[i] & 15];
  }
  return p;
}

} // namespace ps::fast
