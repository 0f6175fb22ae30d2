#include "engine/parallel_run.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

#include "engine/progress.h"

namespace ps {

namespace {

// One batch of frames; `bytes` holds their data (a reader's frames are valid only until its next call).
struct Batch {
  std::vector<Frame> frames;
  std::vector<uint8_t> bytes;
  std::atomic<unsigned> pending{0}; // workers not done with it yet
};

// Each frame's bytes (and comment) are appended to the batch as it is read, and the frames point at
// the copies once the batch is full (the buffer may move while it grows). Copying costs the reading
// thread less than mapping the file would (docs/decisions.md).
void keep_bytes(Batch& b, Frame& f) {
  b.bytes.insert(b.bytes.end(), f.data.begin(), f.data.end());
  b.bytes.insert(b.bytes.end(), f.comment.begin(), f.comment.end());
}

void point_at_bytes(Batch& b) {
  size_t at = 0;
  for (Frame& f : b.frames) {
    f.data = std::span<const uint8_t>(b.bytes.data() + at, f.data.size());
    at += f.data.size();
    f.comment = std::string_view(reinterpret_cast<const char*>(b.bytes.data() + at), f.comment.size());
    at += f.comment.size();
  }
}

} // namespace

void add_worker_limit_hits(LimitHits& total, const LimitHits& w, bool first) {
  total.connections_evicted += w.connections_evicted;
  total.analyses_evicted += w.analyses_evicted;
  total.reassembly_dropped += w.reassembly_dropped;
  total.oversize_messages += w.oversize_messages;
  total.transactions_dropped += w.transactions_dropped;
  if (first) total.datagrams_dropped += w.datagrams_dropped;
}

unsigned parallel_slots(unsigned workers, const ParallelOptions& opt) {
  return opt.slots ? opt.slots : std::max(4u, 2 * workers);
}

RunResult run_parallel(CaptureReader& reader, std::span<Engine* const> engines, const RunLimits& limits,
                       const ParallelHooks& hooks, const ParallelOptions& opt) {
  const auto workers = static_cast<unsigned>(engines.size());
  const unsigned nslots = parallel_slots(workers, opt);
  std::vector<Batch> slots(nslots);
  // Batches handed out so far, with kEnd set once no batch will follow them.
  constexpr uint64_t kEnd = uint64_t{1} << 63;
  std::atomic<uint64_t> published{0};
  std::atomic<bool> stop{false};         // a consumer asked to stop
  std::atomic<uint64_t> finished_any{0}; // bumped whenever a worker finishes a batch (the reader waits on it)

  auto work = [&](unsigned k) {
    Engine& engine = *engines[k];
    for (uint64_t b = 0;; ++b) {
      // Wait for batch b, or the end.
      for (;;) {
        const uint64_t p = published.load(std::memory_order_acquire);
        if ((p & ~kEnd) > b) break;
        if (p & kEnd) return;
        published.wait(p, std::memory_order_acquire);
      }
      Batch& batch = slots[b % nslots];
      if (!stop.load(std::memory_order_relaxed)) {
        for (const Frame& f : batch.frames) {
          if (!engine.process(f)) {
            stop.store(true, std::memory_order_relaxed);
            break;
          }
        }
      }
      if (hooks.after_batch) hooks.after_batch(k, static_cast<unsigned>(b % nslots));
      batch.pending.fetch_sub(1, std::memory_order_acq_rel);
      finished_any.fetch_add(1, std::memory_order_release);
      finished_any.notify_all();
    }
  };

  std::vector<std::thread> threads;
  threads.reserve(workers);
  for (unsigned k = 0; k < workers; ++k) threads.emplace_back(work, k);

  RunResult res;
  uint64_t filled = 0, merged = 0;
  bool eof = false;
  // Merges every batch whose workers are all done, in order; with `wait`, waits for the oldest.
  auto merge_ready = [&](bool wait) {
    while (merged < filled) {
      Batch& batch = slots[merged % nslots];
      if (batch.pending.load(std::memory_order_acquire) != 0) {
        if (!wait) return;
        const uint64_t seen = finished_any.load(std::memory_order_acquire);
        if (batch.pending.load(std::memory_order_acquire) != 0)
          finished_any.wait(seen, std::memory_order_acquire);
        continue;
      }
      if (hooks.merge_batch && !stop.load(std::memory_order_relaxed) &&
          !hooks.merge_batch(static_cast<unsigned>(merged % nslots), batch.frames))
        stop.store(true, std::memory_order_relaxed);
      ++merged;
      wait = false; // one slot is free now
    }
  };

  while (!eof && !stop.load(std::memory_order_relaxed)) {
    if (filled - merged == nslots) merge_ready(true); // every slot in flight: wait for the oldest
    if (filled - merged == nslots) continue;
    Batch& batch = slots[filled % nslots];
    batch.frames.clear();
    batch.bytes.clear();
    Frame frame;
    while (batch.frames.size() < opt.batch_frames) {
      if (limits.max_frames != 0 && res.frames >= limits.max_frames) {
        eof = true;
        break;
      }
      if (!reader.next(frame)) {
        eof = true;
        break;
      }
      if (res.frames == 0) res.first_ts = frame.ts;
      if (limits.stop_before && limits.stop_before(frame)) {
        eof = true;
        break;
      }
      ++res.frames;
      batch.frames.push_back(frame);
      keep_bytes(batch, batch.frames.back()); // the next call may reuse the reader's buffer
      if (limits.progress) limits.progress->update(frame.file_offset, res.frames);
    }
    if (batch.frames.empty()) break;
    point_at_bytes(batch);
    batch.pending.store(workers, std::memory_order_relaxed);
    ++filled;
    published.store(filled, std::memory_order_release);
    published.notify_all();
    merge_ready(false);
  }
  published.store(filled | kEnd, std::memory_order_release);
  published.notify_all();
  merge_ready(true);
  while (merged < filled) merge_ready(true);
  for (std::thread& t : threads) t.join();
  if (limits.progress) limits.progress->finish();
  res.stopped = stop.load();
  return res;
}

} // namespace ps
