// SMTP lines, DATA-phase fragments and the end of a message (SMTP/IMF), as tshark shows them.
#include "describe/app/app_describe.h"

namespace ps::app {

void describe_smtp(proto::Ctx& c, const AppFrame& f) {
  Record& r = c.rec;
  const bool tree = r.tree();
  if (tree)
    r.push(F::SMTP, 0, 0).text = field_info(F::SMTP).name;
  else if (r.want(F::SMTP))
    r.add(F::SMTP, 0, 0);
  for (const SmtpLine& l : f.smtp) {
    bool pushed = push_line(r, l.line, 0, 0);
    if (l.request) {
      if (r.want(F::SMTP_REQ)) r.add(F::SMTP_REQ, 0, 0, 1).hidden = true;
      add_string(r, F::SMTP_REQ_COMMAND, l.command);
      if (!l.param.empty()) add_string(r, F::SMTP_REQ_PARAMETER, l.param);
    } else {
      if (r.want(F::SMTP_RSP)) r.add(F::SMTP_RSP, 0, 0, 1).hidden = true;
      if (l.code >= 0 && r.want(F::SMTP_RESPONSE_CODE)) {
        Item& it = r.add(F::SMTP_RESPONSE_CODE, 0, 0, static_cast<uint64_t>(l.code));
        if (tree) it.text = r.format("Response code: {}", l.code);
      }
      if (l.line.size() > 4) add_string(r, F::SMTP_RSP_PARAMETER, std::string_view(l.line).substr(4));
    }
    if (pushed) r.pop();
  }
  if (f.smtp_data_bytes && tree) r.text(r.format("DATA fragment, {} bytes", f.smtp_data_bytes));
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
    set_info(r, r.format("from: {}, subject: {}, ", f.smtp_from, f.smtp_subject));
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
    std::string_view line = f.smtp[i].line;
    // tshark shows a multi-line reply's code once: its later lines without their "250-"; a new reply
    // (pipelining: "250 Ok | 250 Ok | 354 ...") keeps its code.
    const std::string_view prev = i ? std::string_view(f.smtp[i - 1].line) : std::string_view{};
    const bool continues = i && !f.smtp[i - 1].request && prev.size() >= 4 && prev[3] == '-';
    if (continues && !f.smtp[i].request && f.smtp[i].code >= 0 && line.size() >= 4) line.remove_prefix(4);
    fmt::format_to(out, "{}{}", i ? " | " : "", line);
  }
  set_info(r, {text.data(), text.size()});
}

} // namespace ps::app
