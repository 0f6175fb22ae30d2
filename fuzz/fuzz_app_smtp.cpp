// libFuzzer target: the SMTP analyzer (src/app/smtp/) on both directions of one connection, cut into
// frames with gaps and FINs where the fuzzer likes (script format: common/app_script.h), so commands,
// replies, the DATA phase and its "." terminator run split at every point. Checks that lines are bounded
// and free of control characters, DATA bytes come from what the frame delivered, and the log's entries
// stay within their limits.
#include <algorithm>

#include "app/line_buffer.h"
#include "app/smtp/smtp_analyzer.h"
#include "common/app_script.h"

namespace {

using ps::fuzz::require;

constexpr size_t kMaxHeaderKeep = 16 * 1024; // the analyzer keeps this much of a message for From/Subject

bool clean(const std::string& s) {
  return std::none_of(s.begin(), s.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20 && c != '\t'; });
}

struct State {
  ps::app::Transactions log;
  uint64_t client_bytes = 0; // everything the client sent or lost so far
};

void check(State& st, const ps::app::AppFrame& out, const ps::fuzz::AppTally& t) {
  st.client_bytes += t.bytes[0] + t.gap[0];
  require(out.smtp_data_bytes <= t.bytes[0], "DATA bytes within the client bytes delivered");
  require(out.smtp_from.size() <= kMaxHeaderKeep && out.smtp_subject.size() <= kMaxHeaderKeep,
          "From/Subject come from the kept header bytes");
  require(out.smtp_from.empty() || out.smtp_data_end, "From only with the message's end");
  for (const ps::app::SmtpLine& l : out.smtp) {
    require(l.line.size() <= ps::app::LineBuffer::kDefaultMaxLine, "a line within the line limit");
    require(clean(l.line), "no control characters in a line");
    require(l.code >= -1 && l.code <= 999, "a reply code has three digits");
    require(l.request || (l.command.empty() && l.param.empty()), "only commands have a verb");
    require(l.command.size() + l.param.size() <= l.line.size(), "verb and parameter come from the line");
  }
  require(st.log.smtp.size() <= st.log.max_per_kind, "the log is bounded");
  for (const ps::app::SmtpTxn& x : st.log.smtp) {
    require(x.rcptto.size() <= 100, "at most 100 recipients per transaction");
    require(x.msg_size <= st.client_bytes, "a message is no larger than the client's stream");
    require(x.last_reply.size() <= ps::app::LineBuffer::kDefaultMaxLine, "the last reply is one line");
    require(x.from.size() <= kMaxHeaderKeep && x.subject.size() <= kMaxHeaderKeep, "From/Subject bounded");
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  State st;
  ps::app::AnalyzerEnv env;
  env.id.orig_h = "192.0.2.1";
  env.id.resp_h = "192.0.2.2";
  env.id.orig_p = 40000;
  env.id.resp_p = 25;
  env.log = &st.log;
  ps::app::SmtpAnalyzer smtp(env);
  ps::fuzz::run_app_script(
      smtp, data, size, [&](const ps::app::AppFrame& out, const ps::fuzz::AppTally& t) { check(st, out, t); },
      [](std::span<const uint8_t>, const ps::app::FrameInfo&, ps::app::AppFrame&) {});
  return 0;
}
