// The cheap result of decoding one frame: which protocol sits at which offset, the addresses and
// ports, and where decoding stopped. No strings, no allocation: the connection tracker and the
// fast paths read only this; describe() turns it into a field record when output needs one.
#pragma once

#include <array>
#include <cstdint>

#include "capture/frame.h"

namespace ps {

enum class Layer : uint8_t {
  Eth,     // Ethernet II
  Eth8023, // IEEE 802.3 length frame (+ LLC)
  Vlan,    // 802.1Q / 802.1ad tag
  Sll,     // Linux cooked v1
  Sll2,    // Linux cooked v2
  Null,    // BSD loopback / OpenBSD loop
  Arp,
  Ipv4,
  Ipv6,
  Icmp,
  Icmpv6,
  Tcp,
  Udp,
  Data, // payload no dissector claimed
};

struct LayerSpan {
  Layer kind;
  uint32_t offset; // where the layer's header starts in the frame
  uint32_t length; // header + everything it carries, clipped to the captured bytes
};

struct Decoded {
  const Frame* frame = nullptr;
  std::array<LayerSpan, 16> layers{};
  uint8_t layer_count = 0;

  // Network layer (first IP header).
  uint8_t ip_version = 0;          // 0, 4 or 6
  const uint8_t* src_ip = nullptr; // 4 or 16 bytes inside the frame
  const uint8_t* dst_ip = nullptr;
  uint8_t ip_proto = 0;     // transport protocol number after extension headers
  bool ip_fragment = false; // a fragment: transport not decoded (unless first w/o MF?)
  int8_t ip_layer = -1;     // index in layers
  int8_t l4_layer = -1;     // index of Tcp/Udp/Icmp layer

  // Transport.
  uint16_t src_port = 0, dst_port = 0;
  uint32_t payload_offset = 0;  // transport payload in the frame
  uint32_t payload_len = 0;     // captured payload bytes
  uint32_t payload_missing = 0; // payload bytes the headers promise but the capture lacks

  // Where decoding stopped early: nullptr when the whole frame was understood.
  const char* malformed = nullptr;
  int8_t malformed_layer = -1; // layer index being decoded when it failed (may == layer_count)
  bool truncated = false;      // stopped because caplen < wire length ("size limited")

  void push(Layer k, uint32_t off, uint32_t len) {
    if (layer_count < layers.size()) layers[layer_count++] = {k, off, len};
  }
  bool has(Layer k) const {
    for (uint8_t i = 0; i < layer_count; ++i)
      if (layers[i].kind == k) return true;
    return false;
  }
  const LayerSpan* l4() const { return l4_layer >= 0 ? &layers[static_cast<size_t>(l4_layer)] : nullptr; }
};

// Decodes `frame` from its link layer down to the transport payload. Never throws, never reads past
// frame.data.
void decode(const Frame& frame, Decoded& out);

} // namespace ps
