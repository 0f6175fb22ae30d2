// TCP stream reassembly, one direction at a time: segments in, in-order bytes out.
//
// Policy (docs/decisions.md): the first bytes seen for a sequence range win; later retransmissions or
// overlaps with different bytes are ignored (as most IDSes do). Out-of-order segments wait in a
// bounded buffer; when the buffer or the shared budget is full, or the peer acknowledges data we never
// saw, the hole is declared lost: the sink is told how many bytes were missed and is never fed
// made-up bytes. Sequence numbers are unwrapped to 64-bit stream offsets, so wrap-around is harmless.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <vector>

namespace ps {

// Receives one direction's bytes in order.
class StreamSink {
public:
  virtual ~StreamSink() = default;
  virtual void on_data(std::span<const uint8_t> bytes) = 0;
  // `bytes` stream bytes were lost (not captured, or dropped by a limit) before the next on_data.
  virtual void on_gap(uint64_t bytes) = 0;
};

// Memory shared by every reassembler of one run; bounds the total out-of-order buffering.
struct ReassemblyBudget {
  size_t limit = size_t{256} << 20;
  size_t used = 0;
  uint64_t dropped_bytes = 0; // bytes refused by any limit (counted once, when refused)
};

class DirectionReassembler {
public:
  static constexpr size_t kDefaultMaxBuffered = size_t{4} << 20;

  explicit DirectionReassembler(ReassemblyBudget* budget = nullptr, size_t max_buffered = kDefaultMaxBuffered)
      : budget_(budget), max_buffered_(max_buffered) {}
  ~DirectionReassembler();
  DirectionReassembler(const DirectionReassembler&) = delete;
  DirectionReassembler& operator=(const DirectionReassembler&) = delete;

  // A SYN with sequence number `seq`: data starts at seq + 1.
  void syn(uint32_t seq);
  // One segment's payload starting at `seq`; delivers whatever became in order.
  void segment(uint32_t seq, std::span<const uint8_t> data, StreamSink& out);
  // The peer acknowledged up to `ack`: a hole below it will never be filled, so skip over it. A segment
  // that arrives later beyond a hole the peer already acknowledged is delivered at once, after the gap.
  void acked(uint32_t ack, StreamSink& out);
  // The segment just given ended, on the wire, at `end`, but the capture kept only its start (snapshot
  // length): the rest will never be seen. The stream moves on to `end`, reporting the bytes as a gap
  // when `report` (tshark's follow shows nothing for them).
  void uncaptured(uint32_t end, StreamSink& out, bool report);
  // End of input: deliver everything still buffered, reporting the holes between.
  void flush(StreamSink& out);

  bool started() const { return started_; }
  uint64_t delivered() const { return next_off_; } // stream offset of the next expected byte
  uint64_t missed_bytes() const { return missed_; }
  uint64_t dropped_bytes() const { return dropped_; }
  uint64_t retransmitted_bytes() const { return retransmitted_; }
  size_t buffered_bytes() const { return buffered_; }

private:
  int64_t offset_of(uint32_t seq) const {
    return static_cast<int64_t>(next_off_) + static_cast<int32_t>(seq - next_seq_);
  }
  void advance(uint64_t n) {
    next_off_ += n;
    next_seq_ += static_cast<uint32_t>(n);
  }
  void store(uint64_t off, const uint8_t* p, size_t n);
  void drain(StreamSink& out);
  void skip_to_first_pending(StreamSink& out);
  void release(size_t n);

  ReassemblyBudget* budget_;
  size_t max_buffered_;
  bool started_ = false;
  uint32_t next_seq_ = 0;                            // sequence number of the next expected byte
  uint64_t next_off_ = 0;                            // its stream offset
  std::map<uint64_t, std::vector<uint8_t>> pending_; // out-of-order pieces, never overlapping
  size_t buffered_ = 0;
  bool stalled_ = false; // a limit was hit: stop waiting for the hole at the front
  bool acked_seen_ = false;
  uint64_t acked_off_ = 0; // highest stream offset the peer acknowledged
  uint64_t missed_ = 0, dropped_ = 0, retransmitted_ = 0;
};

} // namespace ps
