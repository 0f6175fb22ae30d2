#include "pipeline/packet_loop.h"

#include "capture/capture_writer.h"
#include "engine/engine.h"
#include "engine/progress.h"
#include "filter/display_filter.h"

namespace ps {

ReadResult run_packet_loop(CaptureReader& reader, PacketSink& sink, OutBuffer& out, const ReadOptions& opt) {
  ReadResult res;
  // Run only the stages the sink's output depends on (-T fields with layer fields needs neither
  // the connection table nor the application layer).
  DescribeNeeds needs = describe_needs(sink.wants_tree(), sink.wants_columns(), sink.wanted_fields());
  // A display filter adds its fields to what the record holds, and the stages they come from.
  const filter::DisplayFilter* dfilter = opt.display_filter;
  const std::bitset<kFieldCount>* wanted = sink.wanted_fields();
  std::bitset<kFieldCount> filter_wanted;
  Timestamp previous_displayed;
  bool displayed_any = false;
  if (dfilter) {
    if (wanted) filter_wanted = *wanted;
    filter_wanted |= dfilter->fields();
    wanted = &filter_wanted;
    const DescribeNeeds fn = dfilter->needs();
    needs.streams = needs.streams || fn.streams;
    needs.analysis = needs.analysis || fn.analysis;
    needs.app = needs.app || fn.app;
  }
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
    rec.reset(sink.wants_tree(), wanted, sink.wants_columns());
    if (dfilter) {
      if (!displayed_any) previous_displayed = frame.ts;
      times.previous_displayed = &previous_displayed;
    }
    describe(v.pkt, v.meta, opt.describe, times, rec, v.app);
    if (dfilter && !dfilter->matches(rec, frame.data)) {
      times.previous = frame.ts;
      return true;
    }
    if (dfilter) {
      displayed_any = true;
      previous_displayed = frame.ts;
    }
    if (opt.writer && !opt.writer->write(frame)) [[unlikely]] {
      res.write_failed = true;
      return false;
    }
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
