// Canonical connection key: both directions of a conversation map to the same key.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <functional>

#include "dissect/packet.h"

namespace ps {

struct FlowKey {
  std::array<uint8_t, 16> a{}; // lower endpoint address (IPv4 in the first 4 bytes)
  std::array<uint8_t, 16> b{};
  uint16_t a_port = 0, b_port = 0;
  uint8_t proto = 0; // 6 TCP, 17 UDP
  uint8_t ip_version = 0;
  // Word compares: this runs for every packet's table lookup.
  bool operator==(const FlowKey& o) const noexcept {
    uint64_t x[4], y[4];
    std::memcpy(x, a.data(), 16);
    std::memcpy(x + 2, b.data(), 16);
    std::memcpy(y, o.a.data(), 16);
    std::memcpy(y + 2, o.b.data(), 16);
    return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3])) == 0 && a_port == o.a_port &&
           b_port == o.b_port && proto == o.proto && ip_version == o.ip_version;
  }
};

// memcmp's order of two 16-byte addresses, from two big-endian word compares.
inline int compare_address(const uint8_t* x, const uint8_t* y) noexcept {
  for (int w = 0; w < 2; ++w) {
    uint64_t p, q;
    std::memcpy(&p, x + 8 * w, 8);
    std::memcpy(&q, y + 8 * w, 8);
    p = __builtin_bswap64(p);
    q = __builtin_bswap64(q);
    if (p != q) return p < q ? -1 : 1;
  }
  return 0;
}

// Builds the canonical key; `forward` says whether the packet goes from endpoint a to endpoint b.
inline FlowKey make_flow_key(const Decoded& d, bool& forward) {
  FlowKey k;
  size_t n = d.ip_version == 6 ? 16 : 4;
  std::array<uint8_t, 16> s{}, t{};
  std::memcpy(s.data(), d.src_ip, n);
  std::memcpy(t.data(), d.dst_ip, n);
  int c = compare_address(s.data(), t.data());
  forward = c < 0 || (c == 0 && d.src_port <= d.dst_port);
  k.a = forward ? s : t;
  k.b = forward ? t : s;
  k.a_port = forward ? d.src_port : d.dst_port;
  k.b_port = forward ? d.dst_port : d.src_port;
  k.proto = d.ip_proto;
  k.ip_version = d.ip_version;
  return k;
}

struct FlowKeyHash {
  size_t operator()(const FlowKey& k) const noexcept {
    // FNV-1a over the key bytes; symmetric because the key is already canonical.
    uint64_t h = 1469598103934665603ull;
    auto mix = [&h](const uint8_t* p, size_t n) {
      for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
    };
    mix(k.a.data(), 16);
    mix(k.b.data(), 16);
    uint8_t rest[6] = {uint8_t(k.a_port >> 8), uint8_t(k.a_port), uint8_t(k.b_port >> 8),
                       uint8_t(k.b_port),      k.proto,           k.ip_version};
    mix(rest, sizeof rest);
    return static_cast<size_t>(h);
  }
};

} // namespace ps
