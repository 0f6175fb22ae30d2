#include "pipeline/packet_loop.h"

#include "app/app_engine.h"
#include "flow/tracker.h"

namespace ps {

ReadResult run_packet_loop(CaptureReader& reader, PacketSink& sink, OutBuffer& out, const ReadOptions& opt) {
  ReadResult res;
  FlowTracker tracker;
  // Application layer: reassembly + analyzers (src/app/).
  app::EngineOptions app_opt;
  app_opt.decode_as = opt.decode_as;
  app_opt.check_checksums = opt.describe.check_checksums;
  app::AppEngine app_engine(std::move(app_opt));
  app::AppFrame app_frame;
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
    decode(frame, pkt);
    tracker.process(pkt, meta);
    app_engine.process(pkt, meta, app_frame);
    rec.reset(sink.wants_tree(), sink.wanted_fields(), sink.wants_columns());
    describe(pkt, meta, opt.describe, times, rec, &app_frame);
    int64_t rel = (frame.ts.sec - times.first.sec) * 1'000'000'000 +
                  (static_cast<int64_t>(frame.ts.nsec) - static_cast<int64_t>(times.first.nsec));
    sink.packet(frame, rec, rel);
    times.previous = frame.ts;
    if (!out.ok()) {
      res.output_failed = true;
      return res;
    }
  }
  sink.end();
  out.flush();
  res.output_failed = !out.ok();
  return res;
}

} // namespace ps
