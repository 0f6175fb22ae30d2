// libFuzzer target: the POP3 analyzer (src/app/pop3/) on both directions of one connection, cut into
// frames with gaps and FINs where the fuzzer likes (script format: common/app_script.h), so commands,
// status lines and multi-line bodies with their "." terminator run split at every point. Checks that
// lines are bounded and free of control characters, body bytes come from what the server delivered,
// and the log's entries are consistent.
#include <algorithm>

#include "app/line_buffer.h"
#include "app/pop3/pop3_analyzer.h"
#include "common/app_script.h"

namespace {

using ps::fuzz::require;

bool clean(const std::string& s) {
  return std::none_of(s.begin(), s.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20 && c != '\t'; });
}

struct State {
  ps::app::Transactions log;
  uint64_t server_bytes = 0; // everything the server delivered so far
};

void check(State& st, const ps::app::AppFrame& out, const ps::fuzz::AppTally& t) {
  st.server_bytes += t.bytes[1];
  require(out.pop_data_bytes <= t.bytes[1], "body bytes within the server bytes delivered");
  for (const ps::app::PopLine& l : out.pop) {
    require(l.line.size() <= ps::app::LineBuffer::kDefaultMaxLine, "a line within the line limit");
    require(clean(l.line), "no control characters in a line");
    require(l.request || (l.command.empty() && l.param.empty()), "only commands have a verb");
    require(!l.request || (l.indicator.empty() && l.description.empty()), "only replies have a status");
    require(l.indicator.empty() || l.indicator == "+OK" || l.indicator == "-ERR", "status is +OK or -ERR");
    require(l.command.size() + l.param.size() <= l.line.size(), "verb and parameter come from the line");
    require(l.description.size() <= l.line.size(), "the description comes from the line");
  }
  require(st.log.pop3.size() <= st.log.max_per_kind, "the log is bounded");
  uint64_t body = 0;
  for (const ps::app::Pop3Txn& x : st.log.pop3) {
    require(x.status.empty() || x.status == "+OK" || x.status == "-ERR", "logged status is +OK or -ERR");
    require(x.command != "PASS" || x.arg == "<hidden>", "passwords stay out of the log");
    body += x.data_len;
  }
  require(body <= st.server_bytes, "logged body bytes within the server's stream");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  State st;
  ps::app::AnalyzerEnv env;
  env.id.orig_h = "192.0.2.1";
  env.id.resp_h = "192.0.2.2";
  env.id.orig_p = 40000;
  env.id.resp_p = 110;
  env.log = &st.log;
  ps::app::Pop3Analyzer pop3(env);
  ps::fuzz::run_app_script(
      pop3, data, size, [&](const ps::app::AppFrame& out, const ps::fuzz::AppTally& t) { check(st, out, t); },
      [](std::span<const uint8_t>, const ps::app::FrameInfo&, ps::app::AppFrame&) {});
  return 0;
}
