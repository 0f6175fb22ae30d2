// Every core on one capture: one reading thread hands out batches of frames (copied from the reader's
// buffer) to N workers, each an Engine with Shard{k, N}. Every worker sees every
// batch (the stream view and the table are the same everywhere); each analyzes and outputs only the
// connections it owns. A batch slot is reused once every worker is done with it and the reading
// thread has merged its output, so memory stays bounded and a slow output makes the reading wait.
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include "capture/frame.h"
#include "capture/reader.h"
#include "engine/engine.h"

namespace ps {

struct ParallelHooks {
  // In worker `worker`'s thread, after it processed every frame of batch slot `slot`.
  std::function<void(unsigned worker, unsigned slot)> after_batch;
  // In the reading thread, batch after batch in capture order, once every worker is done with it.
  // Returns false to stop the run (e.g. the output was closed).
  std::function<bool(unsigned slot, std::span<const Frame> frames)> merge_batch;
};

struct ParallelOptions {
  unsigned batch_frames = 1024;
  unsigned slots = 0; // batches in flight; 0: 2 per worker, at least 4
};

// The number of batch slots a run with `workers` workers uses (hooks index their buffers by slot).
unsigned parallel_slots(unsigned workers, const ParallelOptions& opt = {});

// Adds worker `first ? 0 : k`'s limit counts to `total`: what analyses cost adds up; what decoding costs
// (fragments) is the same in every worker and counts once.
void add_worker_limit_hits(LimitHits& total, const LimitHits& worker, bool first);

// Runs `engines` (engine k built with Shard{k, engines.size()}) over `reader` until its end, a limit
// or a stop. Call finish() on each engine afterwards.
RunResult run_parallel(CaptureReader& reader, std::span<Engine* const> engines, const RunLimits& limits,
                       const ParallelHooks& hooks, const ParallelOptions& opt = {});

} // namespace ps
