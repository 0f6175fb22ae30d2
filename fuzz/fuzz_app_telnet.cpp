// libFuzzer target: the Telnet analyzer (src/app/telnet/) on both directions of one connection, cut
// into frames with gaps and FINs where the fuzzer likes (script format: common/app_script.h), so IAC
// sequences and suboptions split across segments all run. Checks each frame's commands: known command
// bytes, options only where the command has one, offsets inside the bytes the frame delivered, and the
// per-frame command list within its limit.
#include "app/telnet/telnet_analyzer.h"
#include "common/app_script.h"

namespace {

constexpr size_t kMaxCommandsPerFrame = 256; // the analyzer's cap on a frame's command list

void check(const ps::app::AppFrame& out, const ps::fuzz::AppTally& t) {
  using ps::fuzz::require;
  const uint64_t delivered = t.bytes[0] + t.bytes[1];
  require(out.telnet || delivered == 0, "a frame with Telnet bytes is marked Telnet");
  require(out.telnet_data_bytes <= delivered, "data bytes within the bytes delivered");
  require(out.telnet_cmds.size() <= kMaxCommandsPerFrame, "a frame's command list is bounded");
  for (const ps::app::TelnetCommand& c : out.telnet_cmds) {
    require(c.cmd >= 240, "a command byte is 240..254");
    require(c.option >= -1 && c.option <= 255, "an option is a byte");
    require(c.option < 0 || c.cmd >= 250, "only SB/WILL/WONT/DO/DONT carry an option");
    require(c.offset < t.largest, "a command's offset lies inside the bytes delivered");
    require(c.length >= 1 && c.length <= 3, "a command is 1 to 3 bytes");
    (void)ps::app::telnet_command_name(c.cmd);
    (void)ps::app::telnet_option_name(c.option);
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ps::app::AnalyzerEnv env;
  env.id.orig_h = "192.0.2.1";
  env.id.resp_h = "192.0.2.2";
  env.id.orig_p = 40000;
  env.id.resp_p = 23;
  ps::app::TelnetAnalyzer telnet(env);
  ps::fuzz::run_app_script(telnet, data, size, check,
                           [](std::span<const uint8_t>, const ps::app::FrameInfo&, ps::app::AppFrame&) {});
  return 0;
}
