#include "flow/reassembly.h"

#include <algorithm>

namespace ps {

DirectionReassembler::~DirectionReassembler() {
  release(buffered_);
}

void DirectionReassembler::release(size_t n) {
  buffered_ -= n;
  if (budget_) budget_->used -= std::min(budget_->used, n);
}

void DirectionReassembler::syn(uint32_t seq) {
  if (started_) return; // a retransmitted SYN changes nothing
  started_ = true;
  next_seq_ = seq + 1;
}

void DirectionReassembler::segment(uint32_t seq, std::span<const uint8_t> data, StreamSink& out) {
  if (data.empty()) return;
  if (!started_) { // picked up mid-stream: the first segment seen starts the stream
    started_ = true;
    next_seq_ = seq;
  }
  int64_t off = offset_of(seq);
  int64_t end = off + static_cast<int64_t>(data.size());
  int64_t next = static_cast<int64_t>(next_off_);
  if (end <= next) { // entirely delivered already: first seen wins
    retransmitted_ += data.size();
    return;
  }
  if (off < next) { // partly old: keep only the new tail
    retransmitted_ += static_cast<uint64_t>(next - off);
    data = data.subspan(static_cast<size_t>(next - off));
    off = next;
  }
  if (off > next && acked_seen_ && static_cast<uint64_t>(off) <= acked_off_ &&
      (pending_.empty() || pending_.begin()->first > static_cast<uint64_t>(off))) {
    // The peer acknowledged the hole before this segment: it was received but never captured, and
    // will not be sent again. Report it now so the segment's bytes belong to their own frame.
    uint64_t hole = static_cast<uint64_t>(off - next);
    missed_ += hole;
    advance(hole);
    out.on_gap(hole);
    next = off;
  }
  if (off == next) { // in order: deliver up to the first buffered piece, which was seen first
    size_t n = data.size();
    if (!pending_.empty())
      n = static_cast<size_t>(std::min<uint64_t>(n, pending_.begin()->first - next_off_));
    advance(n);
    out.on_data(data.first(n));
    data = data.subspan(n);
    off += static_cast<int64_t>(n);
    if (data.empty()) {
      drain(out);
      return;
    }
  }
  store(static_cast<uint64_t>(off), data.data(), data.size());
  drain(out);
}

// Buffers [off, off+n) except the parts some earlier piece already covers (first seen wins).
void DirectionReassembler::store(uint64_t off, const uint8_t* p, size_t n) {
  uint64_t cur = off, end = off + n;
  bool refused = false;
  auto it = pending_.upper_bound(cur);
  if (it != pending_.begin()) {
    auto prev = std::prev(it);
    uint64_t prev_end = prev->first + prev->second.size();
    if (prev_end > cur) {
      retransmitted_ += std::min(prev_end, end) - cur;
      cur = prev_end;
    }
  }
  while (cur < end) {
    auto nx = pending_.lower_bound(cur);
    uint64_t piece_end = nx == pending_.end() ? end : std::min(end, nx->first);
    if (piece_end > cur) {
      size_t len = static_cast<size_t>(piece_end - cur);
      bool fits = buffered_ + len <= max_buffered_ && (!budget_ || budget_->used + len <= budget_->limit);
      if (fits) {
        pending_.emplace(cur, std::vector<uint8_t>(p + (cur - off), p + (piece_end - off)));
        buffered_ += len;
        if (budget_) budget_->used += len;
      } else {
        dropped_ += len;
        if (budget_) budget_->dropped_bytes += len;
        refused = true;
      }
    }
    if (nx == pending_.end() || nx->first >= end) break;
    uint64_t nx_end = nx->first + nx->second.size();
    retransmitted_ += std::min(nx_end, end) - std::max(nx->first, cur);
    cur = nx_end;
  }
  // A full buffer cannot wait for the hole any longer: give up on it now.
  if (refused || buffered_ >= max_buffered_ || (budget_ && budget_->used >= budget_->limit)) {
    // drain() below delivers what follows the hole.
    if (!pending_.empty() && pending_.begin()->first > next_off_) stalled_ = true;
  }
}

void DirectionReassembler::drain(StreamSink& out) {
  while (!pending_.empty()) {
    auto it = pending_.begin();
    if (it->first > next_off_) {
      if (!stalled_) return;
      stalled_ = false;
      skip_to_first_pending(out);
      continue;
    }
    std::vector<uint8_t> piece = std::move(it->second);
    uint64_t start = it->first;
    pending_.erase(it);
    release(piece.size());
    uint64_t end = start + piece.size();
    if (end <= next_off_) continue;
    size_t skip = static_cast<size_t>(next_off_ - start);
    std::span<const uint8_t> fresh(piece.data() + skip, piece.size() - skip);
    advance(fresh.size());
    out.on_data(fresh);
  }
  stalled_ = false;
}

void DirectionReassembler::skip_to_first_pending(StreamSink& out) {
  if (pending_.empty()) return;
  uint64_t hole = pending_.begin()->first - next_off_;
  if (hole == 0) return;
  missed_ += hole;
  advance(hole);
  out.on_gap(hole);
}

void DirectionReassembler::acked(uint32_t ack, StreamSink& out) {
  if (!started_) return;
  int64_t off = offset_of(ack);
  if (off > 0 && (!acked_seen_ || static_cast<uint64_t>(off) > acked_off_)) {
    acked_seen_ = true;
    acked_off_ = static_cast<uint64_t>(off);
  }
  if (pending_.empty()) return; // no evidence of a hole without buffered data after it
  if (off <= static_cast<int64_t>(next_off_)) return;
  if (static_cast<uint64_t>(off) < pending_.begin()->first) return; // the hole is not fully acked yet
  skip_to_first_pending(out);
  drain(out);
}

void DirectionReassembler::uncaptured(uint32_t end, StreamSink& out, bool report) {
  if (!started_) return;
  int64_t off = offset_of(end);
  if (off <= static_cast<int64_t>(next_off_)) return;
  uint64_t upto = static_cast<uint64_t>(off);
  if (!pending_.empty() && pending_.begin()->first < upto) return; // out of order: the ACK will tell
  uint64_t n = upto - next_off_;
  missed_ += n;
  advance(n);
  if (report) out.on_gap(n);
  drain(out);
}

void DirectionReassembler::flush(StreamSink& out) {
  while (!pending_.empty()) {
    skip_to_first_pending(out);
    drain(out);
  }
}

} // namespace ps
