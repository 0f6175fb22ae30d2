// Ethernet II / 802.3 header view.
#pragma once

#include "wire/bytes.h"

namespace ps::wire {

class EthernetView {
public:
  static constexpr size_t kHeaderLen = 14;
  static bool valid(Bytes b) { return b.size() >= kHeaderLen; }
  explicit EthernetView(Bytes b) : b_(b) {}
  const uint8_t* dst() const { return b_.data(); }
  const uint8_t* src() const { return b_.data() + 6; }
  // EtherType for Ethernet II (>= 0x0600), length for 802.3 (<= 1500).
  uint16_t type_or_length() const { return be16(b_.data() + 12); }
  bool is_8023() const { return type_or_length() <= 1500; }
  Bytes payload() const { return b_.subspan(kHeaderLen); }

private:
  Bytes b_;
};

namespace ethertype {
inline constexpr uint16_t kIpv4 = 0x0800;
inline constexpr uint16_t kArp = 0x0806;
inline constexpr uint16_t kVlan = 0x8100;
inline constexpr uint16_t kQinQ = 0x88a8;
inline constexpr uint16_t kQinQOld = 0x9100;
inline constexpr uint16_t kIpv6 = 0x86dd;
} // namespace ethertype

} // namespace ps::wire
