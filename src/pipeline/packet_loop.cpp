#include "pipeline/packet_loop.h"

#include "engine/engine.h"
#include "engine/progress.h"

namespace ps {

ReadResult run_packet_loop(CaptureReader& reader, PacketSink& sink, OutBuffer& out, const ReadOptions& opt) {
  ReadResult res;
  // Run only the stages the sink's output depends on (-T fields with layer fields needs neither
  // the connection table nor the application layer).
  const DescribeNeeds needs = describe_needs(sink.wants_tree(), sink.wants_columns(), sink.wanted_fields());
  EngineOptions eo;
  eo.needs.streams = needs.streams;
  eo.needs.numbers = needs.streams;
  eo.needs.analysis = needs.analysis;
  eo.needs.app = needs.app;
  eo.limits = opt.limits;
  eo.decode_as = opt.decode_as;
  eo.check_checksums = opt.describe.check_checksums;
  Engine engine(std::move(eo));
  Record rec;
  FrameTimes times;
  bool first = true;
  sink.begin();
  engine.on_packet([&](const PacketView& v) {
    const Frame& frame = v.frame;
    if (first) {
      times.first = times.previous = frame.ts;
      first = false;
    }
    rec.reset(sink.wants_tree(), sink.wanted_fields(), sink.wants_columns());
    describe(v.pkt, v.meta, opt.describe, times, rec, v.app);
    int64_t rel = (frame.ts.sec - times.first.sec) * 1'000'000'000 +
                  (static_cast<int64_t>(frame.ts.nsec) - static_cast<int64_t>(times.first.nsec));
    sink.packet(frame, rec, rel);
    times.previous = frame.ts;
    if (!out.ok()) {
      res.output_failed = true;
      return false;
    }
    return true;
  });
  RunLimits rl;
  rl.max_frames = opt.max_frames;
  rl.progress = opt.progress;
  RunResult run = engine.run(reader, rl);
  res.frames = run.frames;
  res.limit_hits = engine.limit_hits();
  res.defrag = engine.defrag_counters();
  if (res.output_failed) return res;
  sink.end();
  out.flush();
  res.output_failed = !out.ok();
  return res;
}

} // namespace ps
