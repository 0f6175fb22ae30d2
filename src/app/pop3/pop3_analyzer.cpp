#include "app/pop3/pop3_analyzer.h"

#include <algorithm>

#include "app/line_text.h"

namespace ps::app {

namespace {} // namespace

void Pop3Analyzer::command(std::string_view line, const FrameInfo& f, AppFrame& out) {
  PopLine l;
  l.request = true;
  l.line = std::string(line);
  size_t sp = line.find(' ');
  l.command = std::string(line.substr(0, sp));
  if (sp != std::string_view::npos) l.param = std::string(line.substr(sp + 1));
  std::string cmd = upper(l.command);
  stls_ = cmd == "STLS";
  multiline_expected_ =
      cmd == "RETR" || cmd == "TOP" || cmd == "CAPA" || ((cmd == "LIST" || cmd == "UIDL") && l.param.empty());
  if (env_.log && env_.log->room(env_.log->pop3)) {
    Pop3Txn t;
    t.ts_ns = f.ts_ns;
    t.id = env_.id;
    t.command = cmd;
    t.arg = cmd == "PASS" ? std::string("<hidden>") : l.param;
    txn_ = env_.log->pop3.size();
    env_.log->pop3.push_back(std::move(t));
  }
  out.pop.push_back(std::move(l));
}

void Pop3Analyzer::status(std::string_view line, AppFrame& out) {
  PopLine l;
  l.line = std::string(line);
  bool ok = line.starts_with("+OK"), err = line.starts_with("-ERR");
  if (ok || err) {
    l.indicator = ok ? "+OK" : "-ERR";
    std::string_view d = line.substr(l.indicator.size());
    if (!d.empty() && d.front() == ' ') d.remove_prefix(1);
    l.description = std::string(d);
    if (ok && multiline_expected_) {
      in_body_ = true;
      dot_.reset();
    }
    multiline_expected_ = false;
    if (stls_ && ok) encrypted_ = true;
    stls_ = false;
    if (env_.log && txn_ < env_.log->pop3.size()) {
      env_.log->pop3[txn_].status = l.indicator;
      env_.log->pop3[txn_].reply = l.description;
    }
  }
  out.pop.push_back(std::move(l));
}

void Pop3Analyzer::data(int dir, std::span<const uint8_t> bytes, const FrameInfo& f, AppFrame& out) {
  while (!bytes.empty() && !failed() && !encrypted_) {
    if (dir == 1 && in_body_) {
      size_t n = dot_.scan(bytes);
      size_t take = n == DotTerminator::npos ? bytes.size() : n;
      out.pop_data_bytes += static_cast<uint32_t>(take);
      if (env_.log && txn_ < env_.log->pop3.size()) env_.log->pop3[txn_].data_len += take;
      bytes = bytes.subspan(take);
      if (n != DotTerminator::npos) in_body_ = false;
      continue;
    }
    size_t used = 0;
    std::string_view line;
    bool got = lines_[dir].feed(bytes, used, line);
    bytes = bytes.subspan(used);
    if (lines_[dir].overflow) return oversize(env_, out, "POP: line too long");
    if (!got) continue;
    if (has_control_chars(line)) return violation(out, "POP: control characters in a command line");
    if (dir == 0)
      command(line, f, out);
    else
      status(line, out);
  }
  if (encrypted_ && !failed() && !bytes.empty()) {
    tls_.start(env_, 4);
    if (!tls_.data(dir, bytes, f, out)) violation(out, out.malformed);
  }
}

void Pop3Analyzer::gap(int dir, uint64_t bytes, const FrameInfo& f, AppFrame& out) {
  if (encrypted_) return tls_.gap(dir, bytes, f, out);
  (void)bytes;
  (void)f;
  (void)out;
  if (!(dir == 1 && in_body_)) lines_[dir].resync();
}

} // namespace ps::app
