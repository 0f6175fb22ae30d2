// Linux cooked capture headers: v1 (16 bytes, LINKTYPE_LINUX_SLL) and v2 (20 bytes, LINUX_SLL2).
#pragma once

#include "wire/bytes.h"

namespace ps::wire {

class SllView {
public:
  static constexpr size_t kLen = 16;
  static bool valid(Bytes b) { return b.size() >= kLen; }
  explicit SllView(Bytes b) : b_(b) {}
  uint16_t pkttype() const { return be16(&b_[0]); }
  uint16_t hatype() const { return be16(&b_[2]); }
  uint16_t halen() const { return be16(&b_[4]); }
  const uint8_t* addr() const { return &b_[6]; } // 8 bytes, halen of them used
  uint16_t protocol() const { return be16(&b_[14]); }
  Bytes payload() const { return b_.subspan(kLen); }

private:
  Bytes b_;
};

class Sll2View {
public:
  static constexpr size_t kLen = 20;
  static bool valid(Bytes b) { return b.size() >= kLen; }
  explicit Sll2View(Bytes b) : b_(b) {}
  uint16_t protocol() const { return be16(&b_[0]); }
  uint16_t reserved() const { return be16(&b_[2]); }
  uint32_t ifindex() const { return be32(&b_[4]); }
  uint16_t hatype() const { return be16(&b_[8]); }
  uint8_t pkttype() const { return b_[10]; }
  uint8_t halen() const { return b_[11]; }
  const uint8_t* addr() const { return &b_[12]; } // 8 bytes
  Bytes payload() const { return b_.subspan(kLen); }

private:
  Bytes b_;
};

} // namespace ps::wire
