// The `read` pipeline: capture reader → decode → track → describe → sink.
#pragma once

#include <cstdint>
#include <string>

#include "app/decode_as.h"
#include "capture/reader.h"
#include "dissect/describe.h"
#include "flow/ip_defrag.h"
#include "flow/limits.h"
#include "output/packet_sink.h"

namespace ps {

class CaptureWriter;
class Progress;

struct ReadOptions {
  DescribeOptions describe;
  uint64_t max_frames = 0;      // 0: all
  Progress* progress = nullptr; // progress display on stderr, when wanted
  app::DecodeAs decode_as;      // -d tcp.port==N,proto (application analyzers, src/app/)
  Limits limits;
  CaptureWriter* writer = nullptr; // read -w -P: every frame is also written to the capture file
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
