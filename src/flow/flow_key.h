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
  bool operator==(const FlowKey&) const = default;
};

// Builds the canonical key; `forward` says whether the packet goes from endpoint a to endpoint b.
inline FlowKey make_flow_key(const Decoded& d, bool& forward) {
  FlowKey k;
  size_t n = d.ip_version == 6 ? 16 : 4;
  std::array<uint8_t, 16> s{}, t{};
  std::memcpy(s.data(), d.src_ip, n);
  std::memcpy(t.data(), d.dst_ip, n);
  int c = std::memcmp(s.data(), t.data(), 16);
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
