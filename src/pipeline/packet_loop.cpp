#include "pipeline/packet_loop.h"

#include "capture/capture_writer.h"
#include "engine/engine.h"
#include "engine/parallel_run.h"
#include "engine/progress.h"
#include "filter/display_filter.h"

namespace ps {

namespace {

// What the sink and the filter need from the engine and the describer.
struct LoopSetup {
  DescribeNeeds needs;
  const std::bitset<kFieldCount>* sink_wanted = nullptr;
  bool filtered = false;
  std::bitset<kFieldCount> filter_wanted; // with a filter: the sink's fields and the filter's
  const std::bitset<kFieldCount>* wanted() const { return filtered ? &filter_wanted : sink_wanted; }
};

LoopSetup loop_setup(const PacketSink& sink, const filter::DisplayFilter* dfilter) {
  LoopSetup s;
  // Run only the stages the sink's output depends on (-T fields with layer fields needs neither
  // the connection table nor the application layer).
  s.needs = describe_needs(sink.wants_tree(), sink.wants_columns(), sink.wanted_fields());
  s.sink_wanted = sink.wanted_fields();
  // A display filter adds its fields to what the record holds, and the stages they come from.
  if (dfilter) {
    s.filtered = true;
    if (s.sink_wanted) s.filter_wanted = *s.sink_wanted;
    s.filter_wanted |= dfilter->fields();
    const DescribeNeeds fn = dfilter->needs();
    s.needs.streams = s.needs.streams || fn.streams;
    s.needs.analysis = s.needs.analysis || fn.analysis;
    s.needs.app = s.needs.app || fn.app;
  }
  return s;
}

EngineOptions engine_options(const LoopSetup& s, const ReadOptions& opt) {
  EngineOptions eo;
  eo.needs.streams = s.needs.streams;
  eo.needs.numbers = s.needs.streams;
  eo.needs.analysis = s.needs.analysis;
  eo.needs.app = s.needs.app;
  eo.limits = opt.limits;
  eo.decode_as = opt.decode_as;
  eo.check_checksums = opt.describe.check_checksums;
  return eo;
}

int64_t rel_ns(const Timestamp& ts, const Timestamp& first) {
  return (ts.sec - first.sec) * 1'000'000'000 +
         (static_cast<int64_t>(ts.nsec) - static_cast<int64_t>(first.nsec));
}

// One worker of a parallel read: its engine, its sink writing to memory, and per batch slot the
// output of the frames it owns (text, and where each frame's ends).
struct ReadWorker {
  explicit ReadWorker(EngineOptions eo) : engine(std::move(eo)), out(OutBuffer::kMemory) {}
  Engine engine;
  OutBuffer out;
  std::unique_ptr<PacketSink> sink;
  Record rec;
  struct Chunk {
    fmt::memory_buffer text;
    std::vector<std::pair<uint32_t, size_t>> frames; // (index in batch, end of its text)
    std::vector<uint64_t> uids;                      // with ReadOptions::publish: each frame's connection
  };
  std::vector<Chunk> slots;
  std::vector<std::pair<uint32_t, size_t>> current;
  std::vector<uint64_t> current_uids;
  uint64_t batch_first = 0; // number of the batch's first frame
  bool batch_started = false;
};

ReadResult run_parallel_loop(CaptureReader& reader, const SinkFactory& make_sink, OutBuffer& out,
                             const ReadOptions& opt) {
  ReadResult res;
  std::unique_ptr<PacketSink> main_sink = make_sink(out);
  const LoopSetup setup = loop_setup(*main_sink, opt.display_filter);
  const std::bitset<kFieldCount>* wanted = setup.wanted();
  const unsigned n = opt.jobs;
  const unsigned nslots = parallel_slots(n);
  std::vector<std::unique_ptr<ReadWorker>> workers;
  std::vector<Engine*> engines;
  for (unsigned k = 0; k < n; ++k) {
    EngineOptions eo = engine_options(setup, opt);
    eo.shard = Shard{static_cast<uint16_t>(k), static_cast<uint16_t>(n)};
    auto w = std::make_unique<ReadWorker>(std::move(eo));
    w->sink = make_sink(w->out);
    w->sink->separate_externally();
    w->slots.resize(nslots);
    const filter::DisplayFilter* dfilter = opt.display_filter ? opt.worker_filters.at(k) : nullptr;
    ReadWorker* wp = w.get();
    w->engine.on_packet([wp, dfilter, wanted, &opt](const PacketView& v) {
      const Frame& frame = v.frame;
      if (!wp->batch_started) {
        wp->batch_started = true;
        wp->batch_first = frame.number;
      }
      wp->rec.reset(wp->sink->wants_tree(), wanted, wp->sink->wants_columns());
      FrameTimes times{v.first_ts, v.previous_ts, nullptr};
      describe(v.pkt, v.meta, opt.describe, times, wp->rec, v.app);
      if (dfilter && !dfilter->matches(wp->rec, frame.data)) return true;
      wp->sink->packet(frame, wp->rec, rel_ns(frame.ts, v.first_ts));
      wp->current.emplace_back(static_cast<uint32_t>(frame.number), wp->out.buf().size());
      if (opt.publish) wp->current_uids.push_back(v.conn ? v.conn->uid : 0);
      return true;
    });
    engines.push_back(&w->engine);
    workers.push_back(std::move(w));
  }
  ParallelHooks hooks;
  hooks.after_batch = [&](unsigned k, unsigned slot) {
    ReadWorker& w = *workers[k];
    ReadWorker::Chunk& c = w.slots[slot];
    c.text.clear();
    c.text.append(w.out.buf().data(), w.out.buf().data() + w.out.buf().size());
    w.out.buf().clear();
    c.frames.swap(w.current);
    w.current.clear();
    c.uids.swap(w.current_uids);
    w.current_uids.clear();
    w.batch_started = false;
  };
  bool any = false;
  const std::string_view sep = main_sink->separator();
  hooks.merge_batch = [&](unsigned slot, std::span<const Frame> frames) {
    // Frames are numbered consecutively within a batch: each worker's list is in capture order.
    std::vector<size_t> pos(n, 0), start(n, 0);
    for (;;) {
      unsigned best = n;
      uint32_t best_frame = 0;
      for (unsigned k = 0; k < n; ++k) {
        const auto& f = workers[k]->slots[slot].frames;
        if (pos[k] < f.size() && (best == n || f[pos[k]].first < best_frame)) {
          best = k;
          best_frame = f[pos[k]].first;
        }
      }
      if (best == n) break;
      ReadWorker::Chunk& c = workers[best]->slots[slot];
      const size_t end = c.frames[pos[best]].second;
      if (opt.writer) {
        const Frame& frame = frames[best_frame - frames.front().number];
        if (!opt.writer->write(frame)) [[unlikely]] {
          res.write_failed = true;
          return false;
        }
      }
      if (opt.publish) {
        opt.publish({c.text.data() + start[best], end - start[best]}, c.uids[pos[best]]);
        start[best] = end;
        ++pos[best];
        continue;
      }
      if (any && !sep.empty()) out.buf().append(sep);
      any = true;
      out.buf().append(c.text.data() + start[best], c.text.data() + end);
      start[best] = end;
      ++pos[best];
      out.maybe_flush();
      if (!out.ok()) {
        res.output_failed = true;
        return false;
      }
    }
    return true;
  };
  main_sink->begin();
  RunLimits rl;
  rl.max_frames = opt.max_frames;
  rl.progress = opt.progress;
  RunResult run = run_parallel(reader, engines, rl, hooks);
  res.frames = run.frames;
  // Table-level counts are the same in every worker; what analyses cost adds up.
  res.defrag = workers[0]->engine.defrag_counters();
  for (unsigned k = 0; k < n; ++k)
    add_worker_limit_hits(res.limit_hits, workers[k]->engine.limit_hits(), k == 0);
  if (res.output_failed) return res;
  main_sink->packets_written(any);
  main_sink->end();
  out.flush();
  res.output_failed = !out.ok();
  return res;
}

} // namespace

bool parallel_read_possible(const PacketSink& sink, const filter::DisplayFilter* display_filter) {
  if (!display_filter) return true;
  if (display_filter->fields().test(static_cast<size_t>(F::FRAME_TIME_DELTA_DISPLAYED))) return false;
  if (sink.wants_tree()) return false;
  const std::bitset<kFieldCount>* w = sink.wanted_fields();
  return !w || !w->test(static_cast<size_t>(F::FRAME_TIME_DELTA_DISPLAYED));
}

ReadResult run_packet_loop(CaptureReader& reader, const SinkFactory& make_sink, OutBuffer& out,
                           const ReadOptions& opt) {
  if (opt.jobs > 1) return run_parallel_loop(reader, make_sink, out, opt);
  std::unique_ptr<PacketSink> sink_owner = make_sink(out);
  PacketSink& sink = *sink_owner;
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
    const size_t before = out.buf().size();
    sink.packet(frame, rec, rel);
    if (opt.publish) {
      opt.publish({out.buf().data() + before, out.buf().size() - before}, v.conn ? v.conn->uid : 0);
      out.buf().resize(before);
    }
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
