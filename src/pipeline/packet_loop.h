// The `read` pipeline: capture reader → decode → track → describe → sink.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

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
};

struct ReadResult {
  uint64_t frames = 0;
  bool output_failed = false; // stdout closed or unwritable
  bool write_failed = false;  // opt.writer failed (its error() says why)
  DefragCounters defrag;      // IP fragments: reassembled, dropped by a limit
  LimitHits limit_hits;       // what the resource limits cost
};

ReadResult run_packet_loop(CaptureReader& reader, PacketSink& sink, OutBuffer& out, const ReadOptions& opt);

} // namespace ps
