// Test helper: byte patterns and raw IPv4/IPv6 fragments of a datagram, for the reassembly tests.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

namespace ps::test {

constexpr uint8_t kSrc4[4] = {10, 77, 0, 21}, kDst4[4] = {10, 78, 0, 200}, kOther4[4] = {10, 77, 0, 22};
constexpr uint8_t kSrc6[16] = {0xfd, 0, 0, 0x77, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x21};
constexpr uint8_t kDst6[16] = {0xfd, 0, 0, 0x78, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0};

inline std::vector<uint8_t> pattern(size_t n, uint8_t seed = 0) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i * 7 + seed);
  return v;
}

// Raw IPv4 fragment [off, off + len) of `dg` (UDP, id `id`), MF set unless it is the tail.
inline std::vector<uint8_t> ipv4_fragment(const std::vector<uint8_t>& dg, uint32_t off, uint32_t len,
                                          uint16_t id) {
  std::vector<uint8_t> p(20);
  const uint16_t total = static_cast<uint16_t>(20 + len);
  const uint16_t ff = static_cast<uint16_t>((off / 8) | (off + len < dg.size() ? 0x2000 : 0));
  p[0] = 0x45;
  p[2] = static_cast<uint8_t>(total >> 8);
  p[3] = static_cast<uint8_t>(total);
  p[4] = static_cast<uint8_t>(id >> 8);
  p[5] = static_cast<uint8_t>(id);
  p[6] = static_cast<uint8_t>(ff >> 8);
  p[7] = static_cast<uint8_t>(ff);
  p[8] = 64;
  p[9] = 17;
  std::memcpy(&p[12], kSrc4, 4);
  std::memcpy(&p[16], kDst4, 4);
  p.resize(20 + len);
  std::memcpy(p.data() + 20, dg.data() + off, len);
  return p;
}

// Raw IPv6 fragment [off, off + len) of `dg` (fragment header, next header UDP, id 9).
inline std::vector<uint8_t> ipv6_fragment(const std::vector<uint8_t>& dg, uint32_t off, uint32_t len) {
  std::vector<uint8_t> p(48);
  const uint16_t plen = static_cast<uint16_t>(8 + len);
  const uint16_t ofs = static_cast<uint16_t>(off | (off + len < dg.size() ? 1 : 0));
  p[0] = 0x60;
  p[4] = static_cast<uint8_t>(plen >> 8);
  p[5] = static_cast<uint8_t>(plen);
  p[6] = 44;
  p[7] = 64;
  std::memcpy(&p[8], kSrc6, 16);
  std::memcpy(&p[24], kDst6, 16);
  p[40] = 17; // fragment header: next header, reserved, offset + M, id
  p[42] = static_cast<uint8_t>(ofs >> 8);
  p[43] = static_cast<uint8_t>(ofs);
  p[47] = 9;
  p.resize(48 + len);
  std::memcpy(p.data() + 48, dg.data() + off, len);
  return p;
}

// A UDP datagram 41004 -> 53 with `payload` pattern bytes and no checksum.
inline std::vector<uint8_t> udp_datagram(size_t payload) {
  std::vector<uint8_t> u = pattern(8 + payload, 3);
  const uint16_t len = static_cast<uint16_t>(8 + payload);
  u[0] = 0xa0, u[1] = 0x2c, u[2] = 0x00, u[3] = 0x35; // 41004 -> 53
  u[4] = static_cast<uint8_t>(len >> 8), u[5] = static_cast<uint8_t>(len);
  u[6] = u[7] = 0; // no checksum
  return u;
}

} // namespace ps::test
