// libFuzzer target: the FTP analyzers (src/app/ftp/) on one control connection and the data connection
// it announces, cut into frames with gaps and FINs where the fuzzer likes (script format:
// common/app_script.h; records with ctl bit 3 go to the data connection). Checks that lines are bounded
// and free of control characters, that every PORT/EPRT/227/229 the analyzer parsed was announced in
// the expected-connection table, and that the data connection counts exactly the bytes it was given.
#include <algorithm>
#include <arpa/inet.h>
#include <memory>
#include <optional>

#include "app/expected.h"
#include "app/ftp/ftp_address.h"
#include "app/ftp/ftp_analyzer.h"
#include "app/line_buffer.h"
#include "common/app_script.h"

namespace {

using ps::fuzz::require;

bool clean(const std::string& s) {
  return std::none_of(s.begin(), s.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20 && c != '\t'; });
}

std::string upper(std::string s) {
  for (char& c : s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  return s;
}

struct State {
  ps::app::Transactions log;
  ps::app::ExpectedTable expected;
  ps::app::AnalyzerEnv env;
  std::unique_ptr<ps::app::FtpDataAnalyzer> data_conn; // the newest announced data connection
  std::string method;                                  // how it was announced
};

// The endpoint a control line announces, as the analyzer parses it.
std::optional<ps::app::FtpEndpoint> announced(const State& st, const ps::app::FtpLine& l,
                                              std::string& method) {
  if (l.request) {
    method = upper(l.command);
    if (method == "PORT") return ps::app::parse_ftp_hostport(l.arg);
    if (method == "EPRT") return ps::app::parse_eprt(l.arg);
    return std::nullopt;
  }
  if (l.code == 227) {
    method = "PASV";
    return ps::app::parse_ftp_hostport(std::string_view(l.line).substr(3));
  }
  if (l.code == 229) {
    method = "EPSV";
    auto e = ps::app::parse_epsv_reply(l.line);
    if (e) {
      e->ip_version = st.env.ip_version;
      e->ip = st.env.resp_ip;
    }
    return e;
  }
  return std::nullopt;
}

void check(State& st, const ps::app::AppFrame& out, const ps::fuzz::AppTally& t) {
  if (t.side > 0 && st.data_conn) {
    require(out.ftp_data_bytes == t.side, "the data connection counts every byte");
    require(out.ftp_data && out.ftp_data->setup_method == st.method, "the data link names its setup");
  }
  // The table keeps the newest kMaxEntries announcements: older ones in a huge frame are gone.
  const bool all_kept = out.ftp.size() <= ps::app::ExpectedTable::kMaxEntries;
  for (const ps::app::FtpLine& l : out.ftp) {
    require(l.line.size() <= ps::app::LineBuffer::kDefaultMaxLine, "a line within the line limit");
    require(clean(l.line), "no control characters in a line");
    require(l.code >= -1 && l.code <= 999, "a reply code has three digits");
    require(l.request || (l.command.empty() && l.arg.empty()), "only requests have a command");
    require(l.command.size() + l.arg.size() <= l.line.size(), "command and argument come from the line");
    require(l.response_arg.size() <= l.line.size(), "the reply text comes from the line");
    std::string method;
    if (auto e = announced(st, l, method)) {
      const uint8_t other[16] = {};
      const ps::app::ExpectedConn* x = st.expected.match(e->ip_version, e->ip.data(), e->port, other, 0);
      require(x != nullptr || !all_kept, "an announced data connection is expected");
      if (!x) continue;
      require(x->control != nullptr, "an expected data connection knows its control connection");
      st.data_conn = std::make_unique<ps::app::FtpDataAnalyzer>(st.env, x);
      st.method = x->link.setup_method;
    }
  }
  require(st.log.ftp.size() <= st.log.max_per_kind, "the log is bounded");
  for (const ps::app::FtpTxn& x : st.log.ftp) {
    require(x.command != "USER" && x.command != "PASS", "USER/PASS are not transactions");
    require(!x.reply_code || (*x.reply_code >= 0 && *x.reply_code <= 999), "a logged code has three digits");
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  State st;
  ps::app::AnalyzerEnv& env = st.env;
  env.id.orig_h = "192.0.2.1";
  env.id.resp_h = "192.0.2.2";
  env.id.orig_p = 40000;
  env.id.resp_p = 21;
  inet_pton(AF_INET, "192.0.2.1", env.orig_ip.data());
  inet_pton(AF_INET, "192.0.2.2", env.resp_ip.data());
  env.log = &st.log;
  env.expected = &st.expected;
  ps::app::FtpAnalyzer ftp(env);
  ps::fuzz::run_app_script(
      ftp, data, size, [&](const ps::app::AppFrame& out, const ps::fuzz::AppTally& t) { check(st, out, t); },
      [&](std::span<const uint8_t> bytes, const ps::app::FrameInfo& f, ps::app::AppFrame& out) {
        if (st.data_conn) st.data_conn->data(1, bytes, f, out);
      });
  return 0;
}
