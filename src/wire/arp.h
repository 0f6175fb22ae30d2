// ARP packet view (RFC 826): fixed 8-byte header, then sender/target hardware and protocol addresses.
#pragma once

#include "wire/bytes.h"

namespace ps::wire {

class ArpView {
public:
  static constexpr size_t kFixedLen = 8;
  static bool valid(Bytes b) { return b.size() >= kFixedLen && b.size() >= needed(b[4], b[5]); }
  static size_t needed(uint8_t hlen, uint8_t plen) { return kFixedLen + 2 * (size_t{hlen} + plen); }
  explicit ArpView(Bytes b) : b_(b) {}
  uint16_t hw_type() const { return be16(&b_[0]); }
  uint16_t proto_type() const { return be16(&b_[2]); }
  uint8_t hw_size() const { return b_[4]; }
  uint8_t proto_size() const { return b_[5]; }
  uint16_t opcode() const { return be16(&b_[6]); }
  size_t length() const { return needed(hw_size(), proto_size()); }
  size_t sha_off() const { return 8; }
  size_t spa_off() const { return 8 + hw_size(); }
  size_t tha_off() const { return 8 + size_t{hw_size()} + proto_size(); }
  size_t tpa_off() const { return 8 + 2 * size_t{hw_size()} + proto_size(); }
  bool ether_ipv4() const { return hw_size() == 6 && proto_size() == 4; }

private:
  Bytes b_;
};

} // namespace ps::wire
