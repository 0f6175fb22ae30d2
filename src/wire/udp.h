// UDP header view (RFC 768).
#pragma once

#include "wire/bytes.h"

namespace ps::wire {

class UdpView {
public:
  static constexpr size_t kHeaderLen = 8;
  explicit UdpView(Bytes b) : b_(b) {}

  static const char* check(Bytes b) {
    if (b.size() < kHeaderLen) return "UDP header truncated";
    if (UdpView(b).length() < kHeaderLen) return "UDP length < 8";
    return nullptr;
  }

  uint16_t src_port() const { return be16(&b_[0]); }
  uint16_t dst_port() const { return be16(&b_[2]); }
  uint16_t length() const { return be16(&b_[4]); }
  uint16_t checksum() const { return be16(&b_[6]); }
  // Payload as declared by the length field, clipped to the bytes present.
  Bytes payload() const {
    size_t end = length() < b_.size() ? length() : b_.size();
    return b_.subspan(kHeaderLen, end - kHeaderLen);
  }

private:
  Bytes b_;
};

} // namespace ps::wire
