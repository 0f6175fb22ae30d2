// One engine, or N sharded ones (src/engine/parallel_run.h), behind one interface for the commands
// that consume connections and transactions (conns, log): each worker gets its own consumers, and
// the command merges what they produced.
#pragma once

#include <memory>
#include <vector>

#include "capture/reader.h"
#include "engine/engine.h"
#include "engine/parallel_run.h"

namespace ps {

class EngineSet {
public:
  // `jobs` engines with `eo` (each with its own Shard when jobs > 1).
  EngineSet(const EngineOptions& eo, unsigned jobs);
  unsigned size() const { return static_cast<unsigned>(engines_.size()); }
  Engine& operator[](unsigned k) { return *engines_[k]; }
  const Engine& operator[](unsigned k) const { return *engines_[k]; }

  // Reads `reader` through every engine (the hooks apply to parallel runs only).
  RunResult run(CaptureReader& reader, const RunLimits& limits, const ParallelHooks& hooks = {});
  // finish() on each engine, in worker order.
  void finish();
  LimitHits limit_hits() const;

private:
  std::vector<std::unique_ptr<Engine>> engines_;
};

// Transactions of every worker in the order one engine keeps them (by their emit tags).
app::Transactions merge_transactions(const EngineSet& set);

} // namespace ps
