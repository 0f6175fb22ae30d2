#include "pipeline/packet_loop.h"

#include "app/app_engine.h"
#include "capture/capture_writer.h"
#include "dissect/frame_decoder.h"
#include "flow/tracker.h"
#include "output/progress.h"

namespace ps {

ReadResult run_packet_loop(CaptureReader& reader, PacketSink& sink, OutBuffer& out, const ReadOptions& opt) {
  ReadResult res;
  // Run only the stages the sink's output depends on (-T fields with layer fields needs neither
  // the tracker nor the application layer).
  const DescribeNeeds needs = describe_needs(sink.wants_tree(), sink.wants_columns(), sink.wanted_fields());
  FlowTracker tracker(needs.analysis, opt.limits.max_connections);
  // Application layer: reassembly + analyzers (src/app/).
  app::EngineOptions app_opt;
  app_opt.decode_as = opt.decode_as;
  app_opt.check_checksums = opt.describe.check_checksums;
  app_opt.limits = opt.limits;
  app::AppEngine app_engine(std::move(app_opt));
  app::AppFrame app_frame;
  FrameDecoder decoder(opt.limits);
  Decoded pkt;
  PacketMeta meta;
  Record rec;
  Frame frame;
  FrameTimes times;
  bool first = true;
  sink.begin();
  while ((opt.max_frames == 0 || res.frames < opt.max_frames) && reader.next(frame)) {
    if (first) {
      times.first = times.previous = frame.ts;
      first = false;
    }
    ++res.frames;
    if (opt.writer && !opt.writer->write(frame)) [[unlikely]] {
      res.write_failed = true;
      break;
    }
    decoder.decode(frame, pkt);
    if (needs.streams) tracker.process(pkt, meta);
    if (needs.app) app_engine.process(pkt, meta, app_frame);
    rec.reset(sink.wants_tree(), sink.wanted_fields(), sink.wants_columns());
    describe(pkt, meta, opt.describe, times, rec, needs.app ? &app_frame : nullptr);
    int64_t rel = (frame.ts.sec - times.first.sec) * 1'000'000'000 +
                  (static_cast<int64_t>(frame.ts.nsec) - static_cast<int64_t>(times.first.nsec));
    sink.packet(frame, rec, rel);
    times.previous = frame.ts;
    if (opt.progress) opt.progress->update(frame.file_offset, res.frames);
    if (!out.ok()) {
      res.output_failed = true;
      break;
    }
  }
  res.limit_hits.connections_evicted = tracker.evicted();
  app_engine.add_limit_hits(res.limit_hits);
  res.defrag = decoder.defrag_counters();
  decoder.add_limit_hits(res.limit_hits);
  if (res.output_failed) return res;
  if (opt.progress) opt.progress->finish();
  sink.end();
  out.flush();
  res.output_failed = !out.ok();
  return res;
}

} // namespace ps
