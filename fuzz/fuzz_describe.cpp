// libFuzzer target: a short run of frames through the engine (decode with IP reassembly, the
// connection table with sequence analysis) →
// describe, rendered by every sink (summary, tree, all fields, JSON). Input: a 1-byte option selector
// (bit 6: tiny reassembly limits), then frames as [link selector][length:2 BE][bytes] (see split_frames).
#include "common/fuzz_input.h"
#include "common/fuzz_output.h"
#include "describe/describe.h"
#include "engine/engine.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return -1;
  const uint8_t opts = data[0];
  const auto frames = ps::fuzz::split_frames(data + 1, size - 1, 64);

  ps::DescribeOptions dopt;
  dopt.resolve_ports = opts & 1;
  dopt.absolute_seq = opts & 2;
  dopt.check_checksums = opts & 4;
  ps::OutBuffer& out = ps::fuzz::null_output();
  std::unique_ptr<ps::PacketSink> sinks[ps::fuzz::kSinkKinds];
  for (int k = 0; k < ps::fuzz::kSinkKinds; ++k) {
    sinks[k] = ps::fuzz::make_sink(k, out, opts);
    sinks[k]->begin();
  }

  ps::DefragOptions defrag;
  if (opts & 64) {
    defrag.max_pending_bytes = 3000;
    defrag.max_pending_datagrams = 2;
  }
  ps::EngineOptions eo;
  eo.needs.analysis = true;
  eo.defrag = defrag;
  ps::Engine engine(eo);
  ps::Record rec;
  ps::FrameTimes times;
  ps::Frame frame;
  for (size_t i = 0; i < frames.size(); ++i) {
    frame.number = i + 1;
    frame.link_type = frames[i].link_type;
    frame.data = std::span<const uint8_t>(frames[i].bytes.data(), frames[i].bytes.size());
    frame.wire_len = static_cast<uint32_t>(frames[i].bytes.size()) + ((opts & 8) && (i & 1) ? 100u : 0u);
    // Time runs forward, stands still or jumps back, selected by the option byte.
    frame.ts = ps::Timestamp{static_cast<int64_t>(i) * ((opts >> 4) % 3 == 2 ? -7 : (opts >> 4) % 3), 0};
    if (i == 0) times.first = times.previous = frame.ts;
    engine.on_packet([&](const ps::PacketView& v) {
      ps::fuzz::check_decoded(frame, v.pkt);
      for (int k = 0; k < ps::fuzz::kSinkKinds; ++k) {
        rec.reset(sinks[k]->wants_tree(), sinks[k]->wanted_fields(), sinks[k]->wants_columns());
        ps::describe(v.pkt, v.meta, dopt, times, rec);
        sinks[k]->packet(frame, rec, (frame.ts.sec - times.first.sec) * 1'000'000'000);
      }
      return true;
    });
    engine.process(frame);
    times.previous = frame.ts;
    out.buf().clear(); // nothing needs to reach /dev/null
  }
  for (auto& s : sinks) s->end();
  out.buf().clear();
  return 0;
}
