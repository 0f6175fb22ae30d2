// `portscope follow FILE --stream N`: one connection's payload in order, as tshark's follow tap.
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "app/follow/stream_follow.h"
#include "capture/reader.h"
#include "cli/capture_options.h"
#include "cli/commands.h"
#include "cli/limit_options.h"
#include "dissect/frame_decoder.h"
#include "flow/tracker.h"

namespace ps::cli {

namespace {

struct FollowArgs {
  std::string file;
  uint32_t stream = 0;
  std::string format = "ascii";
  bool udp = false;
  Limits limits;
  CaptureOptions capture; // -f
};

int run_follow(const FollowArgs& a) {
  int exit_code = 0;
  std::unique_ptr<CaptureReader> reader = open_capture_with(a.file, a.capture, exit_code);
  if (!reader) return exit_code;
  app::FollowFormat fmt = a.format == "hex"   ? app::FollowFormat::Hex
                          : a.format == "raw" ? app::FollowFormat::Raw
                                              : app::FollowFormat::Ascii;
  OutBuffer out;
  app::StreamFollower follower(a.udp, a.stream, fmt, out, a.limits);
  FlowTracker tracker(false, a.limits.max_connections); // stream numbers only
  FrameDecoder decoder(a.limits);
  Decoded pkt;
  PacketMeta meta;
  Frame frame;
  while (reader->next(frame)) {
    decoder.decode(frame, pkt);
    tracker.process(pkt, meta);
    follower.packet(pkt, meta);
    if (!out.ok()) break;
  }
  follower.finish();
  out.flush();
  LimitHits hits;
  hits.connections_evicted = tracker.evicted();
  hits.reassembly_dropped = follower.dropped_bytes();
  decoder.add_limit_hits(hits);
  report_limits(a.limits, hits);
  if (!out.ok()) {
    if (out.error() == EPIPE) return 0;
    std::fprintf(stderr, "portscope: cannot write output: %s\n", std::strerror(out.error()));
    return 1;
  }
  if (reader->error()) {
    std::fprintf(stderr, "portscope: %s\n", reader->error()->message.c_str());
    return 1;
  }
  return 0;
}

} // namespace

void add_follow_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<FollowArgs>();
  CLI::App* cmd =
      app.add_subcommand("follow", "Print one TCP (or UDP) stream's payload in order, as tshark's follow");
  cmd->footer("Examples:\n"
              "  portscope follow capture.pcap --stream 0            like tshark -q -z follow,tcp,ascii,0\n"
              "  portscope follow capture.pcap --stream 3 --format hex\n"
              "  portscope follow capture.pcap --stream 1 --udp");
  cmd->add_option("file", args->file, "Capture file (pcap or pcapng; '-' reads standard input)")->required();
  cmd->add_option("-s,--stream", args->stream, "Stream index (tcp.stream, or udp.stream with --udp)")
      ->required();
  cmd->add_option("--format", args->format, "ascii (default), hex or raw")
      ->check(CLI::IsMember({"ascii", "hex", "raw"}));
  cmd->add_flag("--udp", args->udp, "Follow a UDP stream instead of TCP");
  add_capture_filter_option(cmd, args->capture);
  add_limit_options(cmd, args->limits);
  cmd->callback([args, &exit_code] { exit_code = run_follow(*args); });
}

} // namespace ps::cli
