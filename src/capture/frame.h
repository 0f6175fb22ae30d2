// One captured frame as the readers hand it to the dissectors: bytes are borrowed, valid until the
// reader's next call.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace ps {

// Readers keep |sec| <= kMaxTimestampSec (years 1823..2116): sec * 1'000'000'000 + nsec, and the
// difference of two such values, then fit in int64 nanoseconds. Stamps beyond are clamped to it.
inline constexpr int64_t kMaxTimestampSec = 4'611'686'017;

struct Timestamp {
  int64_t sec = 0;   // seconds since the epoch (may be negative)
  uint32_t nsec = 0; // 0..999'999'999
  friend auto operator<=>(const Timestamp&, const Timestamp&) = default;
};

// LINKTYPE_* values from the pcap/pcapng link-type registry.
enum LinkType : uint32_t {
  kLinkNull = 0, // BSD loopback, host-order 4-byte family
  kLinkEthernet = 1,
  kLinkPpp = 9,
  kLinkFddi = 10,
  kLinkPppHdlc = 50, // PPP in HDLC-like framing (RFC 1662)
  kLinkRaw = 101,    // raw IPv4/IPv6
  kLinkChdlc = 104,  // Cisco HDLC
  kLinkFrelay = 107, // Frame Relay
  kLinkIeee80211 = 105,
  kLinkLoop = 108, // OpenBSD loopback, network-order family
  kLinkLinuxSll = 113,
  kLinkArcnetLinux = 129, // Linux ARCNET
  kLinkIpnet = 226,       // Solaris ipnet
  kLinkIpoib = 242,       // IP over InfiniBand
  kLinkRadiotap = 127,    // radiotap header + 802.11
  kLinkIpv4 = 228,
  kLinkIpv6 = 229,
  kLinkNflog = 239,
  kLinkPktap = 258, // Apple PKTAP
  kLinkLinuxSll2 = 276,
};

struct Frame {
  uint64_t number = 0; // 1-based frame number in the capture
  Timestamp ts;
  uint32_t wire_len = 0; // original length on the wire
  uint32_t link_type = kLinkEthernet;
  uint32_t interface_id = 0;
  uint64_t file_offset = 0;      // byte offset of the record in the file
  std::span<const uint8_t> data; // captured bytes (caplen = data.size())
  std::string_view comment;      // pcapng: the packet's first opt_comment (same lifetime as data)
  std::string_view if_name;      // pcapng: its interface's if_name (valid while the reader lives)
  uint32_t section = 0;          // pcapng: 1-based section number; 0: a pcap file
  uint8_t ts_digits = 9;         // decimals of the capture's timestamp precision (6: microseconds)
};

} // namespace ps
