// IPv6 header and extension-header chain views (RFC 8200). ExtWalker steps through hop-by-hop,
// routing, fragment, destination-options and AH headers without reading past the bytes it is given.
#pragma once

#include "wire/bytes.h"

namespace ps::wire {

class Ipv6View {
public:
  static constexpr size_t kHeaderLen = 40;
  static bool valid(Bytes b) { return b.size() >= kHeaderLen && (b[0] >> 4) == 6; }
  explicit Ipv6View(Bytes b) : b_(b) {}
  uint32_t first_word() const { return be32(b_.data()); }
  uint8_t version() const { return b_[0] >> 4; }
  uint8_t traffic_class() const { return static_cast<uint8_t>((first_word() >> 20) & 0xff); }
  uint32_t flow_label() const { return first_word() & 0xfffff; }
  uint16_t payload_len() const { return be16(&b_[4]); }
  uint8_t next_header() const { return b_[6]; }
  uint8_t hop_limit() const { return b_[7]; }
  const uint8_t* src() const { return &b_[8]; }
  const uint8_t* dst() const { return &b_[24]; }

private:
  Bytes b_;
};

inline bool is_ipv6_ext(uint8_t nh) {
  return nh == 0 || nh == 43 || nh == 44 || nh == 51 || nh == 60 || nh == 135 || nh == 139 || nh == 140;
}

// One extension header in the chain: its type, where it starts (relative to the IPv6 header) and
// its length in bytes.
struct Ipv6Ext {
  uint8_t type = 0;
  uint8_t next = 0;
  size_t offset = 0;
  size_t length = 0;
};

// Walks the chain of `ip` (the IPv6 header plus as much of its payload as was captured).
class Ipv6ExtWalker {
public:
  static constexpr int kMaxHeaders = 16;
  explicit Ipv6ExtWalker(Bytes ip) : b_(ip), next_(ip.size() >= 40 ? ip[6] : 59) {}

  // Returns true and fills `e` for the next extension header; false at the upper layer or on error.
  bool next(Ipv6Ext& e) {
    if (error_ || !is_ipv6_ext(next_)) return false;
    if (count_ >= kMaxHeaders) return fail("IPv6 extension header chain too long");
    if (pos_ + 2 > b_.size()) return fail("IPv6 extension header overruns the packet");
    size_t len = next_ == 44   ? 8
                 : next_ == 51 ? (size_t{b_[pos_ + 1]} + 2) * 4
                               : (size_t{b_[pos_ + 1]} + 1) * 8;
    if (pos_ + len > b_.size()) return fail("IPv6 extension header overruns the packet");
    e = {next_, b_[pos_], pos_, len};
    next_ = b_[pos_];
    pos_ += len;
    ++count_;
    return true;
  }
  uint8_t upper() const { return next_; } // next header after the last extension header walked
  size_t upper_offset() const { return pos_; }
  const char* error() const { return error_; }

private:
  bool fail(const char* why) {
    error_ = why;
    return false;
  }
  Bytes b_;
  uint8_t next_;
  size_t pos_ = 40;
  int count_ = 0;
  const char* error_ = nullptr;
};

} // namespace ps::wire
