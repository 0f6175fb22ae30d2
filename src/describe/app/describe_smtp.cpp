// SMTP lines, AUTH credentials, DATA-phase fragments and the end of a message (SMTP/IMF), as tshark shows
// them.
#include "describe/app/app_describe.h"
#include "describe/app/reply_codes.h"

namespace ps::app {

namespace {

// "Username: dXNlcg==" (credentials are shown as sent: tshark decodes base64 only when asked to).
void auth_item(Record& r, const SmtpLine& l) {
  static constexpr F kField[] = {F::TEXT, F::SMTP_AUTH_USERNAME, F::SMTP_AUTH_PASSWORD,
                                 F::SMTP_AUTH_USERNAME_PASSWORD};
  const F f = kField[static_cast<int>(l.auth)];
  if (!r.want(f)) return;
  Item& it = r.push(f, 0, 0);
  it.str = l.auth_value;
  if (r.tree()) {
    it.text = r.format("{}: {}", field_info(f).name, l.auth_value);
    if (l.auth == SmtpAuth::UsernamePassword)
      expert_item(r, "Warning", "Protocol",
                  "base64 decode failed or is not enabled (check SMTP preferences)");
  }
  r.pop();
}

// A line's tree item "Command Line: EHLO x\r\n" / "Response: 250 Ok\r\n" (field smtp.command_line /
// smtp.response), which opens its subtree.
void push_line_item(Record& r, F f, std::string_view label, std::string_view line) {
  Item& it = r.push(f, 0, 0);
  // The value ends with the line's CRLF, as tshark keeps it (-T fields escapes it); the tree shows it
  // escaped.
  it.str = r.format("{}\r\n", line);
  if (r.tree()) it.text = r.format("{}: {}\\r\\n", label, line);
}

// One line; a reply's subtree is left open (returns true) so that the later lines of a multi-line reply
// in the same frame add their "Response parameter" under its first line, as tshark shows them.
bool describe_line(Record& r, const SmtpLine& l, bool continues) {
  const bool tree = r.tree();
  if (l.request && l.command.empty() && l.auth != SmtpAuth::None) { // a bare credential line
    if (r.want(F::SMTP_REQ)) r.add(F::SMTP_REQ, 0, 0, 1).hidden = true;
    auth_item(r, l);
    return false;
  }
  if (l.request) {
    if (r.want(F::SMTP_REQ)) r.add(F::SMTP_REQ, 0, 0, 1).hidden = true;
    const bool pushed = tree || r.want(F::SMTP_COMMAND_LINE);
    if (pushed) push_line_item(r, F::SMTP_COMMAND_LINE, "Command Line", l.line);
    add_string(r, F::SMTP_REQ_COMMAND, l.command);
    if (!l.param.empty()) add_string(r, F::SMTP_REQ_PARAMETER, l.param);
    if (l.auth != SmtpAuth::None) auth_item(r, l);
    if (pushed) r.pop();
    return false;
  }
  bool pushed = false;
  if (!continues) {
    if (r.want(F::SMTP_RSP)) r.add(F::SMTP_RSP, 0, 0, 1).hidden = true;
    pushed = tree || r.want(F::SMTP_RESPONSE);
    if (pushed) push_line_item(r, F::SMTP_RESPONSE, "Response", l.line);
    if (l.code >= 0 && r.want(F::SMTP_RESPONSE_CODE)) {
      Item& it = r.add(F::SMTP_RESPONSE_CODE, 0, 0, static_cast<uint64_t>(l.code));
      if (tree) {
        std::string_view name = smtp_reply_name(l.code);
        it.text = r.format("Response code: {} ({})", name.empty() ? "Unknown" : name, l.code);
      }
    }
  }
  if (l.line.size() >= 4) add_string(r, F::SMTP_RSP_PARAMETER, std::string_view(l.line).substr(4));
  return pushed;
}

// Whether line i continues a multi-line reply begun earlier in the same frame ("250-" before it).
bool continues_reply(const std::vector<SmtpLine>& lines, size_t i) {
  if (!i || lines[i].request || lines[i - 1].request || lines[i].code < 0) return false;
  std::string_view prev = lines[i - 1].line;
  return prev.size() >= 4 && prev[3] == '-';
}

// The last frame of a message: tshark's "C: ." and its DATA reassembly subtree.
void describe_fragments(Record& r, const AppFrame& f) {
  const bool tree = r.tree();
  if (tree) r.text("C: .");
  uint64_t total = 0;
  for (const SmtpFragment& g : f.smtp_fragments) total += g.len;
  const size_t n = f.smtp_fragments.size();
  if (!tree && !r.want(F::SMTP_DATA_FRAGMENTS) && !r.want(F::SMTP_DATA_FRAGMENT) &&
      !r.want(F::SMTP_DATA_FRAGMENT_COUNT) && !r.want(F::SMTP_DATA_REASSEMBLED_LENGTH))
    return;
  Item& head = r.push(F::SMTP_DATA_FRAGMENTS, 0, 0);
  head.generated = true;
  if (tree) {
    fmt::memory_buffer b;
    fmt::format_to(std::back_inserter(b), "{} DATA fragment{} ({} bytes): ", n, n == 1 ? "" : "s", total);
    for (size_t i = 0; i < n; ++i)
      fmt::format_to(std::back_inserter(b), "{}#{}({})", i ? ", " : "", f.smtp_fragments[i].frame,
                     f.smtp_fragments[i].len);
    head.text = r.save({b.data(), b.size()});
  }
  uint64_t at = 0;
  for (const SmtpFragment& g : f.smtp_fragments) {
    Item& it = r.add(F::SMTP_DATA_FRAGMENT, 0, 0, g.frame);
    it.generated = true;
    if (tree)
      it.text =
          r.format("Frame: {}, payload: {}-{} ({} bytes)", g.frame, at, at + g.len - (g.len ? 1 : 0), g.len);
    at += g.len;
  }
  Item& cnt = r.add(F::SMTP_DATA_FRAGMENT_COUNT, 0, 0, n);
  cnt.generated = true;
  if (tree) cnt.text = r.format("DATA fragment count: {}", n);
  Item& len = r.add(F::SMTP_DATA_REASSEMBLED_LENGTH, 0, 0, total);
  len.generated = true;
  if (tree) len.text = r.format("Reassembled DATA length: {}", total);
  r.pop();
}

} // namespace

void describe_smtp(proto::Ctx& c, const AppFrame& f) {
  Record& r = c.rec;
  const bool tree = r.tree();
  if (tree)
    r.push(F::SMTP, 0, 0).text = field_info(F::SMTP).name;
  else if (r.want(F::SMTP))
    r.add(F::SMTP, 0, 0);
  bool open = false; // a reply's subtree is open
  for (size_t i = 0; i < f.smtp.size(); ++i) {
    const bool continues = continues_reply(f.smtp, i);
    if (open && !continues) r.pop();
    const bool pushed = describe_line(r, f.smtp[i], continues);
    open = continues ? open : pushed;
  }
  if (open) r.pop();
  if (f.smtp_data_end) {
    describe_fragments(r, f);
  } else if (f.smtp_data_bytes && tree) {
    std::string_view text = f.smtp_data_text;
    push_text_lines(r, r.format("Line-based text data ({} lines)", count_text_lines(text)), text);
    r.pop();
  }
  if (tree) r.pop();
  if (f.smtp_data_end) {
    if (tree)
      r.push(F::IMF, 0, 0).text = field_info(F::IMF).name;
    else if (r.want(F::IMF))
      r.add(F::IMF, 0, 0);
    if (!f.smtp_from.empty()) add_string(r, F::IMF_FROM, f.smtp_from);
    if (!f.smtp_subject.empty()) add_string(r, F::IMF_SUBJECT, f.smtp_subject);
    if (tree) r.pop();
  }
  if (!r.columns_wanted()) return;
  if (f.smtp_data_end) {
    r.cols().protocol = "SMTP/IMF";
    set_info(r, f.smtp_imf_info);
    return;
  }
  r.cols().protocol = "SMTP";
  if (f.smtp.empty()) {
    set_info(r, r.format("C: DATA fragment, {} bytes", f.smtp_data_bytes));
    return;
  }
  fmt::memory_buffer text;
  auto out = std::back_inserter(text);
  fmt::format_to(out, "{}: ", f.smtp.front().request ? "C" : "S");
  for (size_t i = 0; i < f.smtp.size(); ++i) {
    const SmtpLine& l = f.smtp[i];
    std::string_view line = l.line;
    if (i) fmt::format_to(out, " | ");
    // AUTH credentials as tshark writes them: "User: ...", "Pass: ...", "AUTH LOGIN User: ...".
    if (l.auth == SmtpAuth::Username || l.auth == SmtpAuth::Password) {
      if (!l.command.empty()) fmt::format_to(out, "{}", line.substr(0, 11)); // "AUTH LOGIN "
      fmt::format_to(out, "{}: {}", l.auth == SmtpAuth::Username ? "User" : "Pass", l.auth_value);
      continue;
    }
    // tshark shows a multi-line reply's code once: its later lines without their "250-"; a new reply
    // (pipelining: "250 Ok | 250 Ok | 354 ...") keeps its code.
    if (continues_reply(f.smtp, i) && line.size() >= 4) line.remove_prefix(4);
    fmt::format_to(out, "{}", line);
  }
  set_info(r, {text.data(), text.size()});
}

} // namespace ps::app
