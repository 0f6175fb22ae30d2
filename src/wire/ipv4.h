// IPv4 header view (RFC 791). check() tests version, IHL and total length against the bytes.
#pragma once

#include "wire/bytes.h"

namespace ps::wire {

class Ipv4View {
public:
  static constexpr size_t kMinHeaderLen = 20;
  explicit Ipv4View(Bytes b) : b_(b) {}

  // Returns nullptr when the header is usable, else why not. A total length beyond the captured
  // bytes is allowed here (truncated capture): callers clip with payload().
  static const char* check(Bytes b) {
    if (b.size() < kMinHeaderLen) return "IPv4 header truncated";
    Ipv4View v(b);
    if (v.version() != 4) return "IPv4 version is not 4";
    if (v.header_len() < kMinHeaderLen) return "IPv4 header length < 20";
    if (v.header_len() > b.size()) return "IPv4 header length beyond the captured bytes";
    if (!v.tso() && v.total_len() < v.header_len()) return "IPv4 total length < header length";
    return nullptr;
  }

  uint8_t version() const { return b_[0] >> 4; }
  size_t header_len() const { return size_t{b_[0] & 0x0fu} * 4; }
  uint8_t dsfield() const { return b_[1]; }
  uint16_t total_len() const { return be16(&b_[2]); }
  // Total length 0: a frame captured on the sending host before TCP segmentation offload (TSO/GSO)
  // split it. As tshark, the length is then the frame's: the bytes given to the view.
  bool tso() const { return total_len() == 0; }
  size_t length() const { return tso() ? b_.size() : total_len(); }
  uint16_t id() const { return be16(&b_[4]); }
  uint16_t flags_frag() const { return be16(&b_[6]); }
  uint8_t flags() const { return static_cast<uint8_t>(b_[6] >> 5); } // RB DF MF
  bool df() const { return b_[6] & 0x40; }
  bool mf() const { return b_[6] & 0x20; }
  uint16_t frag_offset() const { return flags_frag() & 0x1fff; } // in 8-byte units
  bool is_fragment() const { return mf() || frag_offset() != 0; }
  uint8_t ttl() const { return b_[8]; }
  uint8_t protocol() const { return b_[9]; }
  uint16_t checksum() const { return be16(&b_[10]); }
  const uint8_t* src() const { return &b_[12]; }
  const uint8_t* dst() const { return &b_[16]; }
  uint32_t src_u32() const { return be32(&b_[12]); }
  uint32_t dst_u32() const { return be32(&b_[16]); }
  Bytes header() const { return b_.first(header_len()); }
  Bytes options() const { return b_.subspan(kMinHeaderLen, header_len() - kMinHeaderLen); }
  // Payload as declared by total length, clipped to the captured bytes.
  Bytes payload() const {
    size_t end = length() < b_.size() ? length() : b_.size();
    return b_.subspan(header_len(), end - header_len());
  }
  // Bytes of the payload that the header promises but the capture lacks.
  size_t payload_missing() const { return length() > b_.size() ? length() - b_.size() : 0; }

private:
  Bytes b_;
};

} // namespace ps::wire
