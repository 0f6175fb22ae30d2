// libFuzzer target: the SSH analyzer (src/app/ssh/) on both directions of one connection, cut into frames
// with gaps and FINs where the fuzzer likes (script format: common/app_script.h): banners, binary packets
// and the KEXINIT name lists split at every point, then encrypted packets feeding Zeek's authentication
// heuristic. Checks that banners and packets keep their bounds and the log row holds together.
#include "app/ssh/ssh_analyzer.h"
#include "common/app_script.h"

namespace {

using ps::fuzz::require;

void check(const ps::app::AppFrame& out, const ps::fuzz::AppTally& t) {
  for (const ps::app::SshMessage& m : out.ssh) {
    if (m.banner) {
      require(m.protocol.rfind("SSH-", 0) == 0, "a banner starts with SSH-");
      require(m.protocol.size() <= 257, "a banner within RFC 4253's line limit");
    } else if (m.encrypted) {
      require(m.encrypted_len <= t.bytes[0] + t.bytes[1] + 35004, "encrypted bytes were delivered");
    } else {
      require(m.packet_length <= 35000, "a packet within RFC 4253's limit");
      // A padding length larger than the packet is the wire's (shown as sent); the payload then is empty.
      const size_t pad = m.padding_length + size_t{2} <= m.packet_length ? m.padding_length : 0;
      require(m.payload.size() + pad <= m.packet_length, "payload and padding within the packet");
    }
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ps::app::Transactions log;
  ps::app::AnalyzerEnv env;
  env.id.orig_h = "192.0.2.1";
  env.id.resp_h = "192.0.2.2";
  env.id.orig_p = 40000;
  env.id.resp_p = 22;
  env.log = &log;
  ps::app::SshAnalyzer ssh(env);
  ps::fuzz::run_app_script(
      ssh, data, size, [&](const ps::app::AppFrame& out, const ps::fuzz::AppTally& t) { check(out, t); },
      [](std::span<const uint8_t>, const ps::app::FrameInfo&, ps::app::AppFrame&) {});
  require(log.ssh.size() <= 1, "one ssh.log row per connection");
  for (const auto& x : log.ssh) require(x.auth_attempts < 1'000'000, "attempts counted per packet");
  return 0;
}
