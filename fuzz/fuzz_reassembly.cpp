// libFuzzer target: one direction of TCP reassembly (src/flow/reassembly.*) driven by a script of
// SYNs, segments in any order (overlapping, retransmitted, wrapping the 32-bit sequence space), ACKs
// past holes and a final flush, under small buffer limits.
//
// Input: [mode][isn:4] then ops of [op][a:2][b:2]: 0 segment at isn+1+a*.. of b%2048 bytes,
// 1 segment relative to the last one, 2 ack, 3 syn, 4 segment with bytes that differ from the stream.
// Checks: bytes delivered + gaps reported == delivered(); buffering within the limits; with a SYN
// and mode bit 0 clear (every segment carries the true stream bytes) every delivered byte is the true
// byte at its offset.
#include <vector>

#include "common/fuzz_input.h"
#include "flow/reassembly.h"

namespace {

uint8_t true_byte(uint64_t off) {
  return static_cast<uint8_t>((off * 131) ^ (off >> 9));
}

struct CheckingSink final : ps::StreamSink {
  bool check_bytes = true;
  uint64_t at = 0; // stream offset of the next byte handed to us
  void on_data(std::span<const uint8_t> bytes) override {
    for (size_t i = 0; i < bytes.size(); ++i)
      if (check_bytes)
        ps::fuzz::require(bytes[i] == true_byte(at + i), "reassembly delivers the stream's bytes");
    at += bytes.size();
  }
  void on_gap(uint64_t bytes) override {
    ps::fuzz::require(bytes > 0, "a gap reports missing bytes");
    at += bytes;
  }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 5) return -1;
  const uint8_t mode = data[0];
  const uint32_t isn =
      (uint32_t{data[1]} << 24) | (uint32_t{data[2]} << 16) | (uint32_t{data[3]} << 8) | data[4];
  data += 5;
  size -= 5;

  ps::ReassemblyBudget budget;
  budget.limit = (mode & 2) ? 8192 : 1 << 20;
  const size_t max_buffered = (mode & 4) ? 4096 : 64 * 1024;
  ps::DirectionReassembler r(&budget, max_buffered);
  CheckingSink sink;
  const bool with_syn = mode & 8;
  // Without a SYN the first segment seen defines offset 0, so the true bytes are unknown.
  sink.check_bytes = (mode & 1) == 0 && with_syn;
  if (with_syn) r.syn(isn);

  // Stream offset 0 is the byte after the SYN (isn + 1).
  auto seq_of = [&](uint64_t off) { return static_cast<uint32_t>(isn + 1 + off); };
  std::vector<uint8_t> payload;
  uint64_t last = 0;
  for (size_t ops = 0; size >= 5 && ops < 512; ++ops, data += 5, size -= 5) {
    const uint8_t op = data[0] % 5;
    const uint32_t a = (uint32_t{data[1]} << 8) | data[2];
    const uint32_t b = (uint32_t{data[3]} << 8) | data[4];
    uint64_t off = 0;
    switch (op) {
    case 0:
      off = uint64_t{a} * 97;
      break;
    case 1:
      off = last + static_cast<int16_t>(a);
      break;
    case 2:
      r.acked(seq_of(uint64_t{a} * 97 + b), sink);
      continue;
    case 3:
      r.syn(seq_of(a) - 1);
      sink.check_bytes = false;
      continue; // a new ISN: offsets restart
    default:
      off = uint64_t{a} * 97;
      break;
    }
    const size_t len = b % 2048;
    payload.resize(len);
    for (size_t i = 0; i < len; ++i)
      payload[i] = op == 4 ? static_cast<uint8_t>(~true_byte(off + i)) : true_byte(off + i);
    if (op == 4) sink.check_bytes = false;
    // Exactly sized copy: an over-read of the segment hits the redzone.
    std::vector<uint8_t> seg(payload.begin(), payload.end());
    r.segment(seq_of(off), seg, sink);
    last = off + len;
    ps::fuzz::require(r.buffered_bytes() <= max_buffered, "per-direction buffering within its limit");
    ps::fuzz::require(budget.used <= budget.limit, "shared buffering within the budget");
    if (r.started()) ps::fuzz::require(sink.at == r.delivered(), "delivered + gaps == stream position");
  }
  r.flush(sink);
  if (r.started()) ps::fuzz::require(sink.at == r.delivered(), "after flush: delivered + gaps == position");
  ps::fuzz::require(r.buffered_bytes() == 0, "flush empties the buffer");
  return 0;
}
