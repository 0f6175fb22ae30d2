// libFuzzer target: decode() on one frame under each link type.
// Input: [link selector][flags][frame bytes...]; flags bit 0 marks the frame as cut short by the
// snap length (wire length > captured length).
#include <vector>

#include "common/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return -1;
  const auto types = ps::fuzz::link_types();
  ps::Frame frame;
  frame.number = 1;
  frame.link_type = types[data[0] % types.size()];
  const bool cut = data[1] & 1;
  // Exactly sized copy: one byte too far lands in ASan's redzone.
  std::vector<uint8_t> bytes(data + 2, data + size);
  frame.data = std::span<const uint8_t>(bytes.data(), bytes.size());
  frame.wire_len = static_cast<uint32_t>(bytes.size()) + (cut ? 1500u : 0u);
  ps::Decoded pkt;
  ps::decode(frame, pkt);
  ps::fuzz::check_decoded(frame, pkt);
  return 0;
}
