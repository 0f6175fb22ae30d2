#include "app/tls/digest.h"

#include <cstring>
#include <vector>

namespace ps::app {

namespace {

uint32_t rotl(uint32_t x, int c) {
  return (x << c) | (x >> (32 - c));
}
uint32_t rotr(uint32_t x, int c) {
  return (x >> c) | (x << (32 - c));
}

// The message padded to a whole number of 64-byte blocks, its bit length last (little or big endian).
std::vector<uint8_t> pad(std::span<const uint8_t> data, bool big_endian) {
  std::vector<uint8_t> m(data.begin(), data.end());
  const uint64_t bits = uint64_t{data.size()} * 8;
  m.push_back(0x80);
  while (m.size() % 64 != 56) m.push_back(0);
  for (int i = 0; i < 8; ++i) m.push_back(static_cast<uint8_t>(bits >> (big_endian ? 56 - 8 * i : 8 * i)));
  return m;
}

} // namespace

std::array<uint8_t, 16> md5(std::span<const uint8_t> data) {
  static constexpr int kShift[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                                     5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
                                     4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                                     6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};
  static const auto kK = [] {
    std::array<uint32_t, 64> k{};
    // K[i] = floor(2^32 * |sin(i + 1)|); the table is computed, not typed in.
    for (int i = 0; i < 64; ++i) {
      long double s = __builtin_sinl(static_cast<long double>(i + 1));
      if (s < 0) s = -s;
      k[static_cast<size_t>(i)] = static_cast<uint32_t>(s * 4294967296.0L);
    }
    return k;
  }();
  uint32_t a0 = 0x67452301, b0 = 0xefcdab89, c0 = 0x98badcfe, d0 = 0x10325476;
  const std::vector<uint8_t> m = pad(data, false);
  for (size_t off = 0; off < m.size(); off += 64) {
    uint32_t w[16];
    for (int i = 0; i < 16; ++i) {
      const uint8_t* p = &m[off + static_cast<size_t>(4 * i)];
      w[i] = uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
    }
    uint32_t a = a0, b = b0, c = c0, d = d0;
    for (int i = 0; i < 64; ++i) {
      uint32_t f;
      int g;
      if (i < 16) {
        f = (b & c) | (~b & d);
        g = i;
      } else if (i < 32) {
        f = (d & b) | (~d & c);
        g = (5 * i + 1) % 16;
      } else if (i < 48) {
        f = b ^ c ^ d;
        g = (3 * i + 5) % 16;
      } else {
        f = c ^ (b | ~d);
        g = (7 * i) % 16;
      }
      f = f + a + kK[static_cast<size_t>(i)] + w[g];
      a = d;
      d = c;
      c = b;
      b = b + rotl(f, kShift[i]);
    }
    a0 += a;
    b0 += b;
    c0 += c;
    d0 += d;
  }
  std::array<uint8_t, 16> out{};
  const uint32_t h[4] = {a0, b0, c0, d0};
  for (int i = 0; i < 16; ++i) out[static_cast<size_t>(i)] = static_cast<uint8_t>(h[i / 4] >> (8 * (i % 4)));
  return out;
}

std::array<uint8_t, 32> sha256(std::span<const uint8_t> data) {
  // First 32 bits of the fractional parts of the cube roots of the first 64 primes, and of the square
  // roots of the first 8 (FIPS 180-4, 4.2.2 and 5.3.3), computed here.
  static const auto kConsts = [] {
    std::array<uint32_t, 72> c{};
    int n = 0;
    for (int p = 2; n < 64; ++p) {
      bool prime = true;
      for (int q = 2; q * q <= p; ++q) prime = prime && p % q;
      if (!prime) continue;
      long double r = __builtin_cbrtl(static_cast<long double>(p));
      c[static_cast<size_t>(n)] =
          static_cast<uint32_t>((r - static_cast<long double>(static_cast<uint64_t>(r))) * 4294967296.0L);
      if (n < 8) {
        long double s = __builtin_sqrtl(static_cast<long double>(p));
        c[static_cast<size_t>(64 + n)] =
            static_cast<uint32_t>((s - static_cast<long double>(static_cast<uint64_t>(s))) * 4294967296.0L);
      }
      ++n;
    }
    return c;
  }();
  uint32_t h[8];
  for (int i = 0; i < 8; ++i) h[i] = kConsts[static_cast<size_t>(64 + i)];
  const std::vector<uint8_t> m = pad(data, true);
  for (size_t off = 0; off < m.size(); off += 64) {
    uint32_t w[64];
    for (int i = 0; i < 16; ++i) {
      const uint8_t* p = &m[off + static_cast<size_t>(4 * i)];
      w[i] = uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]};
    }
    for (int i = 16; i < 64; ++i) {
      uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; ++i) {
      uint32_t S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
      uint32_t ch = (e & f) ^ (~e & g);
      uint32_t t1 = hh + S1 + ch + kConsts[static_cast<size_t>(i)] + w[i];
      uint32_t S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
      uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
      uint32_t t2 = S0 + maj;
      hh = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
  }
  std::array<uint8_t, 32> out{};
  for (int i = 0; i < 32; ++i)
    out[static_cast<size_t>(i)] = static_cast<uint8_t>(h[i / 4] >> (24 - 8 * (i % 4)));
  return out;
}

std::string hex_lower(std::span<const uint8_t> data) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(data.size() * 2);
  for (uint8_t b : data) {
    s.push_back(kHex[b >> 4]);
    s.push_back(kHex[b & 15]);
  }
  return s;
}

std::string md5_hex(std::string_view text) {
  return hex_lower(md5({reinterpret_cast<const uint8_t*>(text.data()), text.size()}));
}

std::string sha256_hex(std::span<const uint8_t> data) {
  return hex_lower(sha256(data));
}

} // namespace ps::app
