#include "app/smtp/smtp_analyzer.h"

#include <algorithm>

#include "app/line_text.h"

namespace ps::app {

namespace {

// The value of header `name` in a message's header block ("From: a@b" → "a@b"); unfolds nothing.
std::string header_value(std::string_view block, std::string_view name) {
  size_t pos = 0;
  while (pos < block.size()) {
    size_t eol = block.find('\n', pos);
    std::string_view line =
        block.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break; // end of the header block
    if (line.size() > name.size() && line[name.size()] == ':' &&
        upper(line.substr(0, name.size())) == upper(name)) {
      std::string_view v = line.substr(name.size() + 1);
      while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      return std::string(v);
    }
    if (eol == std::string_view::npos) break;
    pos = eol + 1;
  }
  return {};
}

// ASCII lower case.
std::string lower_ascii(std::string_view s) {
  std::string o(s);
  for (char& c : o)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return o;
}

// Calls f for each line of `text` with its line end (the last one possibly without).
template <class F> void for_each_line(std::string_view text, F&& f) {
  for (size_t i = 0; i < text.size();) {
    size_t nl = text.find('\n', i);
    size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    f(text.substr(i, end - i));
    i = end;
  }
}

// "type/subtype" of a Content-Type value, lowercase, without parameters.
std::string media_type(std::string_view v) {
  std::string t = lower_ascii(v.substr(0, v.find(';')));
  while (!t.empty() && t.back() == ' ') t.pop_back();
  return t;
}

// tshark's IMF Info column: "from: X, subject: Y, " for those headers in order, then " (type)" for the
// body's media type (each part's for multipart), or without Content-Type ", line" for every body line
// (its CR LF shown as two spaces). `msg` is the message as tshark reassembled it (what was kept of it).
std::string imf_info(std::string_view msg) {
  std::string info, ctype, boundary;
  size_t body = msg.size();
  size_t pos = 0;
  while (pos < msg.size()) {
    size_t nl = msg.find('\n', pos);
    std::string_view line = msg.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? msg.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {
      body = pos;
      break;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name = lower_ascii(line.substr(0, colon));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (name == "from" || name == "subject") info += name + ": " + std::string(value) + ", ";
    if (name == "content-type") {
      ctype = media_type(value);
      size_t b = lower_ascii(value).find("boundary=");
      if (b != std::string::npos) {
        boundary = std::string(value.substr(b + 9));
        if (!boundary.empty() && boundary.front() == '"')
          boundary = boundary.substr(1, boundary.find('"', 1) - 1);
      }
    }
  }
  std::string_view rest = msg.substr(std::min(body, msg.size()));
  if (ctype.empty()) {
    for_each_line(rest, [&](std::string_view l) {
      info += ", ";
      for (char c : l) info += c == '\r' || c == '\n' ? ' ' : c;
    });
  } else if (ctype.starts_with("multipart/") && !boundary.empty()) {
    // Each part: its Content-Type (text/plain when absent) after the boundary line.
    const std::string delim = "--" + boundary;
    bool in_headers = false;
    std::string part_type;
    for_each_line(rest, [&](std::string_view l) {
      std::string_view t = l;
      while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) t.remove_suffix(1);
      if (t == delim) {
        in_headers = true;
        part_type = "text/plain";
      } else if (in_headers && t.empty()) {
        in_headers = false;
        info += " (" + part_type + ")";
      } else if (in_headers && t.size() > 13 && lower_ascii(t.substr(0, 13)) == "content-type:") {
        std::string_view v = t.substr(13);
        while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
        part_type = media_type(v);
      }
    });
  } else {
    info += " (" + ctype + ")";
  }
  return info;
}

} // namespace

// Where tshark ends the message in the segment that holds its end: at a line start holding "\r\n.\r\n"
// (the CRLF before the dot then not counted), or ".\r\n" after a line break. RFC 5321 counts that CRLF
// to the message (the log's size does); the tree's DATA fragments follow tshark.
size_t SmtpAnalyzer::tshark_eom(std::span<const uint8_t> chunk) const {
  auto at = [&](size_t i, std::string_view s) {
    return chunk.size() - i >= s.size() &&
           std::equal(s.begin(), s.end(), chunk.begin() + static_cast<long>(i));
  };
  bool crlf = data_crlf_;
  for (size_t i = 0; i < chunk.size();) {
    if ((crlf && at(i, ".\r\n")) || at(i, "\r\n.\r\n")) return i;
    crlf = true;
    while (i < chunk.size() && chunk[i] != '\n') ++i;
    ++i;
  }
  return chunk.size() >= 3 ? chunk.size() - 3 : 0;
}

void SmtpAnalyzer::add_fragment(uint64_t frame, size_t len) {
  constexpr size_t kMaxFragments = 4096;
  if (!len) return;
  if (!fragments_.empty() && fragments_.back().frame == frame)
    fragments_.back().len += static_cast<uint32_t>(len);
  else if (fragments_.size() < kMaxFragments)
    fragments_.push_back({frame, static_cast<uint32_t>(len)});
}

bool SmtpAnalyzer::can_log() {
  return env_.log && (txn_ < env_.log->smtp.size() || env_.log->room(env_.log->smtp));
}

SmtpTxn& SmtpAnalyzer::txn(const FrameInfo& f) {
  if (txn_ >= env_.log->smtp.size()) {
    SmtpTxn t;
    t.ts_ns = f.ts_ns;
    t.id = env_.id;
    t.trans_depth = ++depth_;
    t.helo = helo_;
    t.tls = starttls_;
    txn_ = env_.log->smtp.size();
    env_.log->smtp.push_back(std::move(t));
  }
  return env_.log->smtp[txn_];
}

// A client line the AUTH exchange asked for: a credential, not a command.
bool SmtpAnalyzer::auth_line(std::string_view line, AppFrame& out) {
  SmtpLine l;
  l.request = true;
  l.line = std::string(line);
  l.auth_value = l.line;
  switch (auth_) {
  case Auth::UserReq:
    l.auth = SmtpAuth::Username;
    auth_ = Auth::UserRsp;
    break;
  case Auth::PassReq:
    l.auth = SmtpAuth::Password;
    auth_ = Auth::PassRsp;
    break;
  case Auth::PlainReq:
    l.auth = SmtpAuth::UsernamePassword;
    auth_ = Auth::PlainRsp;
    break;
  default:
    return false;
  }
  constexpr size_t kMaxAwaiting = 256;
  if (awaiting_.size() < kMaxAwaiting) awaiting_.push_back(false);
  out.smtp.push_back(std::move(l));
  return true;
}

// "AUTH LOGIN [user]" / "AUTH PLAIN [credentials]": where the exchange goes next.
void SmtpAnalyzer::auth_command(SmtpLine& l) {
  std::string_view p = l.param;
  size_t sp = p.find(' ');
  std::string mech = upper(p.substr(0, sp));
  std::string_view initial = sp == std::string_view::npos ? std::string_view{} : p.substr(sp + 1);
  if (mech == "LOGIN") {
    auth_ = initial.empty() ? Auth::Start : Auth::UserRsp;
    if (!initial.empty()) l.auth = SmtpAuth::Username;
  } else if (mech == "PLAIN") {
    auth_ = initial.empty() ? Auth::PlainStart : Auth::PlainRsp;
    if (!initial.empty()) l.auth = SmtpAuth::UsernamePassword;
  } else {
    auth_ = Auth::None;
  }
  l.auth_value = std::string(initial);
}

void SmtpAnalyzer::command(std::string_view line, const FrameInfo& f, AppFrame& out) {
  if (auth_line(line, out)) return;
  SmtpLine l;
  l.request = true;
  l.line = std::string(line);
  size_t sp = line.find(' ');
  l.command = std::string(line.substr(0, sp));
  if (sp != std::string_view::npos) l.param = std::string(line.substr(sp + 1));
  std::string cmd = upper(l.command);
  if (cmd == "HELO" || cmd == "EHLO")
    helo_ = l.param;
  else if (cmd == "STARTTLS")
    starttls_ = true;
  else if (cmd == "AUTH")
    auth_command(l);
  else if (cmd == "MAIL" && can_log())
    txn(f).mailfrom = l.param.substr(std::min(l.param.size(), size_t{5}));
  else if (cmd == "RCPT" && can_log()) {
    SmtpTxn& t = txn(f);
    if (t.rcptto.size() < 100) t.rcptto.push_back(l.param.substr(std::min(l.param.size(), size_t{3})));
  }
  constexpr size_t kMaxAwaiting = 256; // pipelined commands remembered
  if (awaiting_.size() < kMaxAwaiting) awaiting_.push_back(cmd == "DATA");
  // tshark dissects the rest of the segment that ended a message as part of the message: a command
  // pipelined after the "." there (QUIT) is not shown.
  if (f.number != data_end_frame_) out.smtp.push_back(std::move(l));
}

void SmtpAnalyzer::reply(std::string_view line, const FrameInfo& f, AppFrame& out) {
  (void)f;
  SmtpLine l;
  l.line = std::string(line);
  if (line.size() >= 3 &&
      std::all_of(line.begin(), line.begin() + 3, [](char c) { return c >= '0' && c <= '9'; }))
    l.code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  bool final_line = line.size() <= 3 || line[3] != '-';
  bool data_reply = false;
  if (final_line && !awaiting_.empty() && l.code >= 0) {
    data_reply = awaiting_.front();
    awaiting_.pop_front();
  }
  if (data_reply) {
    if (l.code == 354) {
      data_phase_ = true;
      dot_.reset();
      headers_.clear();
      fragments_.clear();
      data_crlf_ = true; // the DATA command's line ended with one
      msg_size_ = 0;
    }
  }
  if (final_line && starttls_ && l.code == 220) encrypted_ = true; // TLS from here on
  if (final_line && l.code == 334) {
    switch (auth_) {
    case Auth::Start:
      auth_ = Auth::UserReq;
      break;
    case Auth::UserRsp:
      auth_ = Auth::PassReq;
      break;
    case Auth::PlainStart:
      auth_ = Auth::PlainReq;
      break;
    default:
      break;
    }
  } else if (final_line && l.code >= 0) {
    auth_ = Auth::None; // 235 success, 535 refused, or any other end of the exchange
  }
  size_t t = txn_ < SIZE_MAX ? txn_ : last_txn_;
  if (final_line && env_.log && t < env_.log->smtp.size()) env_.log->smtp[t].last_reply = l.line;
  out.smtp.push_back(std::move(l));
}

void SmtpAnalyzer::message_header_fields(AppFrame& out) {
  out.smtp_from = header_value(headers_, "From");
  out.smtp_subject = header_value(headers_, "Subject");
}

void SmtpAnalyzer::data(int dir, std::span<const uint8_t> bytes, const FrameInfo& f, AppFrame& out) {
  while (!bytes.empty() && !failed() && !encrypted_) {
    if (dir == 0 && data_phase_) {
      size_t n = dot_.scan(bytes);
      size_t take = n == DotTerminator::npos ? bytes.size() : n;
      size_t keep = std::min(take, kMaxHeaderKeep - std::min(kMaxHeaderKeep, headers_.size()));
      headers_.append(reinterpret_cast<const char*>(bytes.data()), keep);
      size_t show = std::min(take, env_.max_message - std::min(env_.max_message, out.smtp_data_text.size()));
      out.smtp_data_text.append(reinterpret_cast<const char*>(bytes.data()), show);
      add_fragment(f.number, n == DotTerminator::npos ? take : tshark_eom(bytes.first(take)));
      if (take) data_crlf_ = take >= 2 && bytes[take - 2] == '\r' && bytes[take - 1] == '\n';
      msg_size_ += take;
      out.smtp_data_bytes += static_cast<uint32_t>(take);
      bytes = bytes.subspan(take);
      if (n != DotTerminator::npos) {
        data_phase_ = false;
        out.smtp_data_end = true;
        uint64_t reassembled = 0;
        for (const SmtpFragment& g : fragments_) reassembled += g.len;
        out.smtp_imf_info = imf_info(std::string_view(headers_).substr(0, reassembled));
        out.smtp_fragments = std::move(fragments_);
        fragments_.clear();
        data_end_frame_ = f.number;
        message_header_fields(out);
        if (can_log()) {
          SmtpTxn& t = txn(f);
          t.msg_size = msg_size_ >= 3 ? msg_size_ - 3 : 0; // without the ".\r\n" terminator line
          t.from = out.smtp_from;
          t.subject = out.smtp_subject;
          last_txn_ = txn_; // the reply to the message still belongs to it
          txn_ = SIZE_MAX;  // the next MAIL starts a new transaction
        }
      }
      continue;
    }
    size_t used = 0;
    std::string_view line;
    bool got = lines_[dir].feed(bytes, used, line);
    bytes = bytes.subspan(used);
    if (lines_[dir].overflow) return oversize(env_, out, "SMTP: line too long");
    if (!got) continue;
    if (has_control_chars(line)) return violation(out, "SMTP: control characters in a command line");
    if (dir == 0)
      command(line, f, out);
    else
      reply(line, f, out);
  }
  if (encrypted_ && !failed() && !bytes.empty()) {
    tls_.start(env_, 3);
    if (!tls_.data(dir, bytes, f, out)) violation(out, out.malformed);
  }
}

void SmtpAnalyzer::gap(int dir, uint64_t bytes, const FrameInfo& f, AppFrame& out) {
  if (encrypted_) return tls_.gap(dir, bytes, f, out);
  if (dir == 0 && data_phase_)
    msg_size_ += bytes; // a hole inside the message: keep counting its size
  else
    lines_[dir].resync();
}

void SmtpAnalyzer::finish() {
  tls_.finish();
}

} // namespace ps::app
