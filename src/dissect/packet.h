// The cheap result of decoding one frame: which protocol sits at which offset, the addresses and
// ports, and where decoding stopped. No strings, no allocation: the connection tracker and the
// fast paths read only this; describe() turns it into a field record when output needs one.
#pragma once

#include <array>
#include <cstdint>
#include <span>

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
  Gre,      // RFC 2784/2890 GRE header (checksum, key, sequence number)
  Vxlan,    // RFC 7348, UDP 4789: the inner Ethernet frame follows
  Geneve,   // RFC 8926, UDP 6081: header + options, then the protocol it names
  Mpls,     // a whole MPLS label stack (4 bytes per entry, up to the bottom-of-stack entry)
  GtpU,     // GTP-U (UDP 2152): header, optional fields and extension headers; a T-PDU carries IP
  Cmd,      // Cisco MetaData (0x8909): type, version, length, options, SGT
  Teredo,   // RFC 4380 (UDP 3544): optional authentication / origin indication, then IPv6
  Ppp,      // PPP: optional address/control (0xff 0x03), protocol (1 or 2 bytes)
  Pppoe,    // PPPoE header (6 bytes); aux: 1 discovery (0x8863), 0 session (0x8864)
  Chdlc,    // Cisco HDLC: address, control, protocol
  Llc,      // 802.2 LLC (+ SNAP) on its own (802.11 data); on 802.3 frames it is part of Eth8023
  Erspan,   // ERSPAN; aux: 1 type I (no header), 2 type II, 3 type III
  Nflog,    // Linux NFLOG (LINKTYPE_NFLOG 239): header and TLVs up to the payload
  Pktap,    // Apple PKTAP (LINKTYPE_PKTAP 258): header, then the link type it names
  Radiotap, // radiotap header (LINKTYPE_IEEE802_11_RADIOTAP 127)
  Wlan,     // IEEE 802.11 MAC header; aux: 1 when an FCS ends the frame
  Pbb,      // IEEE 802.1ah I-TAG (0x88e7): 4 bytes, then the customer's Ethernet frame
  Ayiya,    // AYIYA (UDP 5072): header, identity, signature, then IPv4/IPv6
  Fddi,     // FDDI (LINKTYPE_FDDI 10): frame control, bit-swapped addresses, then LLC
  Arcnet, // Linux ARCNET (LINKTYPE_ARCNET_LINUX 129); aux: 1 when the RFC 1201 split flag and sequence follow
  Ipoib,  // IP over InfiniBand (LINKTYPE_IPOIB 242): 40-byte address/GRH header, type, reserved
  Ipnet,  // Solaris ipnet (LINKTYPE_IPNET 226): 24-byte header, then IPv4/IPv6
  FrameRelay, // Frame Relay (LINKTYPE_FRELAY 107): Q.922 address; aux: its octets (2-4), | 0x10 when a
              // Cisco-style EtherType follows
  Data,       // payload no dissector claimed
};

// Which bytes a layer's offset points into: the frame's, or the IP datagram reassembled from
// fragments that this frame completed (the transport and application layers of that frame).
enum class Source : uint8_t { Frame, Reassembled };

struct LayerSpan {
  Layer kind;
  Source source;   // Frame unless the layer was decoded from a reassembled datagram
  uint8_t aux;     // a variant the decoder found (see Layer), 0 for most layers
  uint32_t offset; // where the layer's header starts in its source
  uint32_t length; // header + everything it carries, clipped to the captured bytes
};

struct IpReassembly; // flow/ip_defrag.h: the fragments a reassembled datagram was made of

struct Decoded {
  const Frame* frame = nullptr;
  std::array<LayerSpan, 16> layers{};
  uint8_t layer_count = 0;

  // Network layer: the innermost IP header decoded, the one that carries the transport. Tunnels
  // (IP-in-IP, GRE, VXLAN, Geneve, MPLS, ...) keep their outer IP headers in `layers`; connections
  // are keyed by the inner addresses, as in Zeek. outer_ip_layer is the first IP header when it is
  // not this one (the frame is tunnelled), else -1.
  uint8_t ip_version = 0;          // 0, 4 or 6
  const uint8_t* src_ip = nullptr; // 4 or 16 bytes inside the frame
  const uint8_t* dst_ip = nullptr;
  uint8_t ip_proto = 0;     // transport protocol number after extension headers
  bool ip_fragment = false; // a fragment whose datagram is not (yet) complete: transport not decoded
  int8_t ip_layer = -1;     // index in layers
  int8_t l4_layer = -1;     // index of Tcp/Udp/Icmp layer (the one carried by ip_layer)
  int8_t outer_ip_layer = -1;
  int8_t frag_ip_layer = -1; // the IP header whose fragments this frame completed (when `reassembly`)

  // Transport.
  uint16_t src_port = 0, dst_port = 0;
  uint32_t payload_offset = 0;  // transport payload, in the l4 layer's source
  uint32_t payload_len = 0;     // captured payload bytes
  uint32_t payload_missing = 0; // payload bytes the headers promise but the capture lacks

  // Where decoding stopped early: nullptr when the whole frame was understood.
  const char* malformed = nullptr;
  int8_t malformed_layer = -1; // layer index being decoded when it failed (may == layer_count)
  bool truncated = false;      // stopped because caplen < wire length ("size limited")

  // Set when this frame completed a fragmented datagram (FrameDecoder): the reassembled IP payload
  // that layers with Source::Reassembled point into, and how it was made. Both valid until the next
  // frame is decoded.
  std::span<const uint8_t> reassembled;
  const IpReassembly* reassembly = nullptr;

  void push(Layer k, uint32_t off, uint32_t len, Source src = Source::Frame, uint8_t aux = 0) {
    if (layer_count < layers.size()) layers[layer_count++] = {k, src, aux, off, len};
  }
  // The bytes layer `l` was decoded from, and its own bytes.
  std::span<const uint8_t> source(const LayerSpan& l) const {
    return l.source == Source::Frame ? frame->data : reassembled;
  }
  std::span<const uint8_t> bytes(const LayerSpan& l) const { return source(l).subspan(l.offset, l.length); }
  // The transport payload (payload_len captured bytes).
  std::span<const uint8_t> payload() const {
    return (l4_layer >= 0 ? source(layers[static_cast<size_t>(l4_layer)]) : frame->data)
        .subspan(payload_offset, payload_len);
  }
  bool has(Layer k) const {
    for (uint8_t i = 0; i < layer_count; ++i)
      if (layers[i].kind == k) return true;
    return false;
  }
  const LayerSpan* l4() const { return l4_layer >= 0 ? &layers[static_cast<size_t>(l4_layer)] : nullptr; }
};

// Decodes `frame` from its link layer down to the transport payload. Never throws, never reads past
// frame.data. Fragments stop at the IP layer; FrameDecoder (dissect/frame_decoder.h) adds reassembly.
void decode(const Frame& frame, Decoded& out);

// Continues decoding a fragment `out` whose datagram is now complete: drops the fragment's Data
// layer and decodes protocol `proto` (transport or tunnelled IP) from `datagram`, the reassembled
// IP payload, which must outlive `out`'s use. Clears ip_fragment.
void decode_reassembled(Decoded& out, uint8_t proto, std::span<const uint8_t> datagram,
                        const IpReassembly* how);

// A UDP tunnel (VXLAN, Geneve) is a UDP flow of its own: `out` becomes `d` as if decoding had stopped at
// the outermost UDP header below the transport (addresses, ports and payload of that header). False when
// `d` has no such header.
bool tunnel_udp_view(const Decoded& d, Decoded& out);

} // namespace ps
