// `portscope follow FILE --stream N`: one connection's payload in order, as tshark's follow tap.
#include <cstdio>
#include <cstring>

#include <unistd.h>

#include "capture/reader.h"
#include "cli/commands.h"
#include "cli/input_options.h"
#include "cli/limit_options.h"
#include "engine/engine.h"
#include "engine/progress.h"
#include "output/follow/stream_follow.h"
#include "pipeline/packet_filter.h"

namespace ps::cli {

namespace {

struct FollowArgs {
  InputArgs in;
  std::string stream;
  std::string z; // -z follow,tcp|udp,ascii|hex|raw,SPEC
  std::string format = "ascii";
  bool udp = false;
};

// tshark's "-z follow,tcp,ascii,0" (or ...,10.0.0.1:80,10.0.0.2:5000): protocol, format, target.
bool parse_z(FollowArgs& a) {
  const std::string& z = a.z;
  size_t p1 = z.find(','), p2 = p1 == std::string::npos ? p1 : z.find(',', p1 + 1),
         p3 = p2 == std::string::npos ? p2 : z.find(',', p2 + 1);
  if (z.rfind("follow,", 0) != 0 || p3 == std::string::npos) {
    fail("bad -z '" + z + "' (follow,tcp|udp,ascii|hex|raw,STREAM or follow,...,ADDR:PORT,ADDR:PORT)");
    return false;
  }
  std::string proto = z.substr(p1 + 1, p2 - p1 - 1), format = z.substr(p2 + 1, p3 - p2 - 1);
  if ((proto != "tcp" && proto != "udp") || (format != "ascii" && format != "hex" && format != "raw")) {
    fail("bad -z '" + z + "': protocol tcp or udp, format ascii, hex or raw");
    return false;
  }
  a.udp = proto == "udp";
  a.format = format;
  a.stream = z.substr(p3 + 1);
  return true;
}

int run_follow(FollowArgs& a) {
  if (!a.z.empty() && !parse_z(a)) return kExitUsage;
  if (a.stream.empty()) {
    fail("follow: which stream? --stream N, --stream ADDR:PORT,ADDR:PORT or -z follow,tcp,ascii,N");
    return kExitUsage;
  }
  app::FollowTarget target;
  std::string err;
  if (!app::parse_follow_target(a.stream, target, err)) {
    fail(err);
    return kExitUsage;
  }
  EngineOptions eo;
  eo.limits = a.in.limits;
  // -Y: only the packets it matches reach the follower, as with tshark -Y ... -z follow.
  std::optional<filter::DisplayFilter> df;
  std::optional<PacketFilter> pf;
  if (!compile_packet_filter(a.in, df, pf, eo.needs)) return kExitUsage;
  if (!parse_decode_as(a.in, eo.decode_as)) return kExitUsage;
  int code = 0;
  std::unique_ptr<CaptureReader> reader = open_input(a.in, "follow", code);
  if (!reader) return code;
  app::FollowFormat fmt = a.format == "hex"   ? app::FollowFormat::Hex
                          : a.format == "raw" ? app::FollowFormat::Raw
                                              : app::FollowFormat::Ascii;
  OutBuffer out;
  app::StreamFollower follower(a.udp, target, fmt, out, a.in.limits);
  Engine engine(std::move(eo));
  engine.on_packet([&](const PacketView& v) {
    if (pf && !pf->matches(v)) return true;
    follower.packet(v.pkt, v.meta);
    return out.ok();
  });
  Progress progress(input_size(a.in.path()), !a.in.quiet && !a.in.live.active() && !::isatty(STDOUT_FILENO));
  on_live_tick(*reader, [&out](Timestamp) { out.flush(); });
  RunLimits rl;
  rl.max_frames = a.in.count;
  rl.progress = &progress;
  engine.run(*reader, rl);
  if (out.ok()) follower.finish();
  LimitHits hits = engine.limit_hits();
  hits.reassembly_dropped += follower.dropped_bytes();
  report_limits(a.in.limits, hits);
  return finish_run(out, *reader);
}

} // namespace

void add_follow_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<FollowArgs>();
  CLI::App* cmd =
      app.add_subcommand("follow", "Print one TCP (or UDP) stream's payload in order, as tshark's follow");
  cmd->footer("Examples:\n"
              "  portscope follow capture.pcap --stream 0            like tshark -q -z follow,tcp,ascii,0\n"
              "  portscope follow capture.pcap --stream 3 --format hex\n"
              "  portscope follow capture.pcap --stream 10.0.0.1:80,10.0.0.2:5000\n"
              "  portscope follow capture.pcap -z follow,udp,raw,1");
  args->in.snaplen_short = false; // -s is --stream here
  add_input_options(cmd, args->in);
  cmd->add_option("-s,--stream", args->stream,
                  "Stream index (tcp.stream, or udp.stream with --udp), or ADDR:PORT,ADDR:PORT");
  cmd->add_option("-z", args->z, "tshark's form: follow,tcp|udp,ascii|hex|raw,STREAM|ADDR:PORT,ADDR:PORT");
  cmd->add_option("--format", args->format, "ascii (default), hex or raw")
      ->check(CLI::IsMember({"ascii", "hex", "raw"}));
  cmd->add_flag("--udp", args->udp, "Follow a UDP stream instead of TCP");
  cmd->callback([args, &exit_code] { exit_code = run_follow(*args); });
}

} // namespace ps::cli
