#include "app/ftp/ftp_analyzer.h"

#include <algorithm>

#include "app/line_text.h"

#include "app/ftp/ftp_address.h"

namespace ps::app {

namespace {

bool is_transfer(std::string_view cmd) {
  static constexpr std::string_view kCmds[] = {"RETR", "STOR", "STOU", "APPE", "LIST", "NLST", "MLSD"};
  return std::find(std::begin(kCmds), std::end(kCmds), cmd) != std::end(kCmds);
}

int reply_code(std::string_view line) {
  if (line.size() < 3 ||
      !std::all_of(line.begin(), line.begin() + 3, [](char c) { return c >= '0' && c <= '9'; }))
    return -1;
  if (line.size() > 3 && line[3] != ' ' && line[3] != '-') return -1;
  return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
}

// The directory a CWD to `path` leads to from `cwd`: an absolute path as written, else each component
// applied in turn ("." stays, ".." goes up; never above "/").
std::string change_directory(const std::string& cwd, std::string_view path) {
  if (path.starts_with('/')) return std::string(path);
  std::string_view base = cwd; // ".." cuts it back, other components go after it
  std::string added;
  while (!path.empty()) {
    const size_t slash = path.find('/');
    const std::string_view part = path.substr(0, slash);
    if (part == "..") {
      if (!added.empty()) {
        added.resize(added.rfind('/'));
      } else {
        const size_t last = base.rfind('/');
        base = base.substr(0, last == std::string_view::npos ? 0 : last);
      }
    } else if (!part.empty() && part != ".") {
      added += '/';
      added += part;
    }
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  while (!base.empty() && base.back() == '/' && !added.empty()) base.remove_suffix(1);
  if (base.empty() && added.empty()) return std::string(1, '/');
  std::string out(base);
  out += added;
  return out;
}

// The quoted directory of a 257 reply ('257 "/pub" is the current directory'), "" quotes doubled.
bool quoted_directory(std::string_view line, std::string& dir) {
  const size_t open = line.find('"');
  if (open == std::string_view::npos) return false;
  dir.clear();
  for (size_t i = open + 1; i < line.size(); ++i) {
    if (line[i] != '"') {
      dir.push_back(line[i]);
    } else if (i + 1 < line.size() && line[i + 1] == '"') {
      dir.push_back('"');
      ++i;
    } else {
      return true;
    }
  }
  return false;
}

} // namespace

FtpAnalyzer::FtpAnalyzer(AnalyzerEnv env) : env_(std::move(env)) {
  for (LineBuffer& l : lines_) l.set_max(env_.max_message);
}

void FtpAnalyzer::expect(uint8_t ip_version, const std::array<uint8_t, 16>& ip, uint16_t port,
                         const FrameInfo& f, std::string_view method) {
  if (!env_.expected) return;
  ExpectedConn e;
  e.ip_version = ip_version;
  e.ip = ip;
  e.port = port;
  e.link.setup_frame = f.number;
  e.link.setup_method = std::string(method);
  e.link.control_stream = env_.id.stream;
  e.control = state_;
  auto parent = std::make_shared<ConnParent>();
  parent->uid = env_.uid;
  parent->stream = env_.id.stream;
  parent->proto = 6;
  parent->ip_version = env_.ip_version;
  parent->orig_h = env_.orig_ip;
  parent->resp_h = env_.resp_ip;
  parent->orig_p = env_.id.orig_p;
  parent->resp_p = env_.id.resp_p;
  e.parent = std::move(parent);
  env_.expected->add(std::move(e));
}

void FtpAnalyzer::request(std::string_view line, const FrameInfo& f, AppFrame& out) {
  FtpLine l;
  l.request = true;
  l.line = std::string(line);
  size_t sp = line.find(' ');
  l.command = std::string(line.substr(0, sp));
  if (sp != std::string_view::npos) l.arg = std::string(line.substr(sp + 1));
  std::string cmd = upper(l.command);
  auth_tls_ = cmd == "AUTH" && (upper(l.arg) == "TLS" || upper(l.arg) == "SSL" || upper(l.arg) == "TLS-C");
  if (cmd == "PORT") {
    if (auto e = parse_ftp_hostport(l.arg)) expect(4, e->ip, e->port, f, "PORT");
  } else if (cmd == "EPRT") {
    if (auto e = parse_eprt(l.arg)) expect(e->ip_version, e->ip, e->port, f, "EPRT");
  }
  if (is_transfer(cmd)) {
    state_->command = l.line;
    state_->command_frame = f.number;
  }
  state_->last_command = cmd;
  state_->last_arg = l.arg;
  if (cmd == "USER")
    user_ = l.arg;
  else if (cmd == "PASS")
    password_ = l.arg;
  if (env_.log && cmd != "USER" && cmd != "PASS" && env_.log->room(env_.log->ftp)) {
    FtpTxn t;
    t.ts_ns = f.ts_ns;
    t.id = env_.id;
    t.user = user_;
    t.password = password_;
    t.command = cmd;
    t.arg = l.arg;
    open_txn_ = env_.log->ftp.size();
    env_.log->ftp.push_back(std::move(t));
    if (is_transfer(cmd)) state_->log_index = open_txn_;
  }
  out.ftp.push_back(std::move(l));
}

void FtpAnalyzer::reply(std::string_view line, const FrameInfo& f, AppFrame& out) {
  FtpLine l;
  l.line = std::string(line);
  int code = reply_code(line);
  bool final_line = false;
  if (multiline_code_ >= 0) {
    // Inside a multi-line reply only "NNN " with the same code ends it.
    if (code == multiline_code_ && line.size() >= 4 && line[3] == ' ')
      final_line = true, multiline_code_ = -1;
  } else if (code >= 0) {
    if (line.size() > 3 && line[3] == '-')
      multiline_code_ = code;
    else
      final_line = true;
  }
  if (code >= 0) {
    l.code = code;
    l.response_arg = line.size() > 4 ? std::string(line.substr(4)) : std::string();
  }
  if (code == 227) {
    if (auto e = parse_ftp_hostport(line.substr(3))) expect(4, e->ip, e->port, f, "PASV");
  } else if (code == 229) {
    if (auto e = parse_epsv_reply(line))
      expect(env_.ip_version, env_.resp_ip, e->port, f, "EPASV"); // tshark's name
  }
  if (final_line && env_.log && open_txn_ < env_.log->ftp.size() && code >= 0) {
    FtpTxn& t = env_.log->ftp[open_txn_];
    if (code == 150 || code == 125) {
      // "... (5430 bytes)." announces the size; the transfer's final reply comes later.
      size_t p = line.rfind(" bytes)");
      size_t open = line.rfind('(', p);
      if (p != std::string_view::npos && open != std::string_view::npos) {
        uint64_t n = 0;
        bool ok = open + 1 < p;
        for (size_t i = open + 1; i < p && ok; ++i)
          ok = line[i] >= '0' && line[i] <= '9', n = n * 10 + uint64_t(line[i] - '0');
        if (ok) t.file_size = n;
      }
    } else {
      t.reply_code = code;
      t.reply_msg = l.response_arg;
      open_txn_ = SIZE_MAX;
    }
  }
  if (final_line && code >= 0) {
    if (auth_tls_ && code == 234) encrypted_ = true;
    auth_tls_ = false;
    FtpControlState& s = *state_;
    std::string dir;
    bool changed = true;
    if (code == 257 && s.last_command == "PWD" && quoted_directory(line, dir))
      s.cwd = std::move(dir);
    else if (code == 250 && s.last_command == "CWD")
      s.cwd = change_directory(s.cwd, s.last_arg);
    else if (code == 250 && s.last_command == "CDUP")
      s.cwd = change_directory(s.cwd, "..");
    else
      changed = false;
    // Relative CWDs add up: bounded as a path is (PATH_MAX), so a hostile session cannot grow it.
    constexpr size_t kMaxCwd = 4096;
    if (s.cwd.size() > kMaxCwd) s.cwd.resize(kMaxCwd);
    cwd_changed_ = cwd_changed_ || changed;
  }
  out.ftp.push_back(std::move(l));
}

void FtpAnalyzer::data(int dir, std::span<const uint8_t> bytes, const FrameInfo& f, AppFrame& out) {
  while (!bytes.empty() && !failed() && !encrypted_) {
    size_t used = 0;
    std::string_view line;
    bool got = lines_[dir].feed(bytes, used, line);
    bytes = bytes.subspan(used);
    if (lines_[dir].overflow) return oversize(env_, out, "FTP: line too long");
    if (!got) continue;
    if (has_control_chars(line)) return violation(out, "FTP: control characters in a command line");
    const bool first_line = out.ftp.empty();
    if (dir == 0)
      request(line, f, out);
    else
      reply(line, f, out);
    if (first_line || cwd_changed_) out.ftp_cwd = state_->cwd; // copied once per frame, or on a change
    cwd_changed_ = false;
  }
  if (encrypted_ && !failed() && !bytes.empty()) {
    tls_.start(env_, 5);
    if (!tls_.data(dir, bytes, f, out)) violation(out, out.malformed);
  }
}

void FtpAnalyzer::gap(int dir, uint64_t bytes, const FrameInfo& f, AppFrame& out) {
  if (encrypted_) return tls_.gap(dir, bytes, f, out);
  lines_[dir].resync(); // resynchronise at the next line start
}

FtpDataAnalyzer::FtpDataAnalyzer(AnalyzerEnv env, const ExpectedConn* expected) : env_(std::move(env)) {
  if (expected) {
    link_ = expected->link;
    control_ = expected->control;
  }
}

void FtpDataAnalyzer::data(int dir, std::span<const uint8_t> bytes, const FrameInfo& f, AppFrame& out) {
  (void)dir;
  (void)f;
  FtpDataLink link = link_;
  if (control_) {
    link.command = control_->command;
    link.command_frame = control_->command_frame;
    link.cwd = control_->cwd;
    if (env_.log && control_->log_index < env_.log->ftp.size()) {
      FtpTxn& t = env_.log->ftp[control_->log_index];
      t.has_data_channel = true;
      t.data_channel_passive = link_.setup_method == "PASV" || link_.setup_method == "EPASV";
      t.data_orig_h = env_.id.orig_h;
      t.data_resp_h = env_.id.resp_h;
      t.data_resp_p = env_.id.resp_p;
      t.data_bytes += bytes.size();
    }
  }
  out.ftp_data = std::move(link);
  out.ftp_data_bytes += static_cast<uint32_t>(bytes.size());
}

} // namespace ps::app
