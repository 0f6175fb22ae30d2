// TCP header view (RFC 9293).
#pragma once

#include "wire/bytes.h"

namespace ps::wire {

namespace tcpflag {
inline constexpr uint16_t kFin = 0x001, kSyn = 0x002, kRst = 0x004, kPsh = 0x008, kAck = 0x010, kUrg = 0x020,
                          kEce = 0x040, kCwr = 0x080, kAe = 0x100, kReserved = 0xe00;
}

class TcpView {
public:
  static constexpr size_t kMinHeaderLen = 20;
  explicit TcpView(Bytes b) : b_(b) {}

  static const char* check(Bytes b) {
    if (b.size() < kMinHeaderLen) return "TCP header truncated";
    TcpView v(b);
    if (v.header_len() < kMinHeaderLen) return "TCP header length < 20";
    if (v.header_len() > b.size()) return "TCP header length beyond the segment";
    return nullptr;
  }

  uint16_t src_port() const { return be16(&b_[0]); }
  uint16_t dst_port() const { return be16(&b_[2]); }
  uint32_t seq() const { return be32(&b_[4]); }
  uint32_t ack() const { return be32(&b_[8]); }
  size_t header_len() const { return static_cast<size_t>(b_[12] >> 4) * 4; }
  uint16_t flags() const { return be16(&b_[12]) & 0x0fff; }
  bool has(uint16_t flag) const { return flags() & flag; }
  uint16_t window() const { return be16(&b_[14]); }
  uint16_t checksum() const { return be16(&b_[16]); }
  uint16_t urgent() const { return be16(&b_[18]); }
  Bytes options() const { return b_.subspan(kMinHeaderLen, header_len() - kMinHeaderLen); }
  Bytes payload() const { return b_.subspan(header_len()); }

private:
  Bytes b_;
};

} // namespace ps::wire
