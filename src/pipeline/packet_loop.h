// The `read` pipeline: capture reader → decode → track → describe → sink.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "app/decode_as.h"
#include "capture/reader.h"
#include "describe/describe.h"
#include "dissect/ip_defrag.h"
#include "engine/engine.h"
#include "flow/limits.h"
#include "output/packet_sink.h"

namespace ps {

class CaptureWriter;
class Progress;
namespace filter {
class DisplayFilter;
}

struct ReadOptions {
  DescribeOptions describe;
  uint64_t max_frames = 0;      // 0: all
  Progress* progress = nullptr; // progress display on stderr, when wanted
  app::DecodeAs decode_as;      // -d tcp.port==N,proto (application analyzers, src/app/)
  Limits limits;
  // -Y: only frames it matches reach the sink (numbered as in the capture). The record is built with
  // the filter's fields and the stages they need.
  const filter::DisplayFilter* display_filter = nullptr;
  CaptureWriter* writer = nullptr; // read -w: the frames -Y matches (all without -Y) are written to it
  // Workers (src/engine/parallel_run.h); 1: this thread alone. With more, each worker needs its own
  // compiled copy of the display filter (worker_filters, one per worker, when display_filter is set).
  unsigned jobs = 1;
  std::vector<const filter::DisplayFilter*> worker_filters;
  // When set, each frame's output goes to `publish` (with the uid of the frame's connection, 0 for
  // none) instead of `out`, in capture order (a parallel run: from the merge, in the reading thread).
  // `out` must then be a memory buffer.
  std::function<void(std::string_view text, uint64_t uid)> publish;
};

// Makes a sink writing to `out` (one per worker in a parallel run, and one for begin/end).
using SinkFactory = std::function<std::unique_ptr<PacketSink>(OutBuffer& out)>;

// Whether a parallel run would print what one engine prints: each frame's output must not depend on
// which earlier frames a display filter showed (frame.time_delta_displayed, in trees and JSON).
bool parallel_read_possible(const PacketSink& sink, const filter::DisplayFilter* display_filter);

struct ReadResult {
  uint64_t frames = 0;
  bool output_failed = false; // stdout closed or unwritable
  bool write_failed = false;  // opt.writer failed (its error() says why)
  DefragCounters defrag;      // IP fragments: reassembled, dropped by a limit
  LimitHits limit_hits;       // what the resource limits cost
};

ReadResult run_packet_loop(CaptureReader& reader, const SinkFactory& make_sink, OutBuffer& out,
                           const ReadOptions& opt);

} // namespace ps
