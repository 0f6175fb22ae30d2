// 802.1Q / 802.1ad tag view: 2-byte TCI (PCP, DEI, VID) then the inner EtherType or length.
#pragma once

#include "wire/bytes.h"

namespace ps::wire {

class VlanView {
public:
  static constexpr size_t kLen = 4;
  static bool valid(Bytes b) { return b.size() >= kLen; }
  explicit VlanView(Bytes b) : b_(b) {}
  uint16_t tci() const { return be16(&b_[0]); }
  uint8_t priority() const { return static_cast<uint8_t>(tci() >> 13); }
  bool dei() const { return (tci() >> 12) & 1; }
  uint16_t id() const { return tci() & 0xfff; }
  uint16_t type_or_length() const { return be16(&b_[2]); }
  bool is_length() const { return type_or_length() <= 1500; }
  Bytes payload() const { return b_.subspan(kLen); }

private:
  Bytes b_;
};

} // namespace ps::wire
