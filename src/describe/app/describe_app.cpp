// The application layer of one frame: dispatches to the per-protocol describers (replaces the old
// single-segment HTTP placeholder).
#include "app/http/media_type.h"
#include "describe/app/app_describe.h"
#include "describe/proto/dns.h"

namespace ps::app {

namespace {

// Length of TCP's leading "[...] " notes in the Info column ("[TCP Window Full] ").
size_t tcp_note_prefix(std::string_view info) {
  size_t n = 0;
  while (n < info.size() && info[n] == '[') {
    size_t close = info.find("] ", n);
    if (close == std::string_view::npos) break;
    n = close + 2;
  }
  return n;
}

} // namespace

void set_info(Record& r, std::string_view text) {
  if (!r.columns_wanted()) return;
  auto& info = r.cols().info;
  size_t keep = tcp_note_prefix({info.data(), info.size()});
  info.resize(keep);
  info.append(text.data(), text.data() + text.size());
}

void frame_ref(Record& r, F f, uint64_t frame, std::string_view label) {
  if (!frame || !r.want(f)) return;
  Item& it = r.add(f, 0, 0, frame);
  it.generated = true;
  if (r.tree()) it.text = r.format("[{}: {}]", label, frame);
}

void add_string(Record& r, F f, std::string_view value, uint32_t off, uint32_t len) {
  if (!r.want(f)) return;
  Item& it = r.add_str(f, off, len, r.save(value));
  if (r.tree()) it.text = r.format("{}: {}", field_info(f).name, value);
}

std::string_view long_label(Record& r, std::string_view label, std::string_view value) {
  constexpr size_t kMax = 238; // tshark's label buffer, as its trees show
  if (label.size() + 2 + value.size() <= kMax) return r.format("{}: {}", label, value);
  std::string_view s = r.format("{} [truncated]: {}", label, value);
  return s.substr(0, kMax);
}

void segment_note(Record& r, int where) {
  if (!r.columns_wanted()) return;
  constexpr std::string_view kNote = "[TCP segment of a reassembled PDU]";
  if (where == 1) {
    set_info(r, kNote);
    return;
  }
  auto& info = r.cols().info;
  info.push_back(' ');
  info.append(kNote.data(), kNote.data() + kNote.size());
}

bool push_line(Record& r, std::string_view line, uint32_t off, uint32_t len) {
  if (!r.tree()) return false;
  r.push(F::TEXT, off, len).text = r.format("{}\\r\\n", line);
  return true;
}

namespace {
// The next line of `body` from `i` as tshark's line finder cuts it: up to LF, CR LF, or a CR alone.
// Returns the line without its end; `end` is the end as shown ("\\n", "\\r\\n", "\\r", or none at the
// end of the body) and `next` where the following line starts.
std::string_view next_text_line(std::string_view body, size_t i, std::string_view& end, size_t& next) {
  const size_t e = body.find_first_of("\r\n", i);
  if (e == std::string_view::npos) {
    end = {};
    next = body.size();
    return body.substr(i);
  }
  if (body[e] == '\n') {
    end = "\\n";
    next = e + 1;
  } else if (e + 1 < body.size() && body[e + 1] == '\n') {
    end = "\\r\\n";
    next = e + 2;
  } else {
    end = "\\r";
    next = e + 1;
  }
  return body.substr(i, e - i);
}
} // namespace

bool ftp_data_is_text(std::span<const uint8_t> payload) {
  bool text = !payload.empty();
  for (uint8_t b : payload) text = text && ((b >= 0x20 && b < 0x7f) || b == '\r' || b == '\n' || b == '\t');
  return text;
}

size_t count_text_lines(std::string_view body) {
  size_t lines = 0;
  std::string_view end;
  for (size_t i = 0; i < body.size(); ++lines) next_text_line(body, i, end, i);
  return lines;
}

void push_text_lines(Record& r, std::string_view label, std::string_view body) {
  r.push(F::DATA_TEXT_LINES, 0, 0).text = label;
  std::string_view end;
  for (size_t i = 0; i < body.size();) {
    const std::string_view line = next_text_line(body, i, end, i);
    fmt::memory_buffer b;
    for (char ch : line) {
      auto u = static_cast<unsigned char>(ch);
      if (u == '\t')
        b.append(std::string_view("\\t"));
      else if (u < 0x20 || u == 0x7f)
        fmt::format_to(std::back_inserter(b), "\\x{:02x}", u);
      else
        b.push_back(ch);
    }
    b.append(end);
    r.text(r.save({b.data(), b.size()}));
  }
}

} // namespace ps::app

namespace ps {

void append_app_protocols(const app::AppFrame& f, std::span<const uint8_t> payload, Record& rec) {
  if (!f.http.empty() || f.continuation) rec.append_protocol("http");
  if (f.continuation && f.continuation_bytes) rec.append_protocol("data");
  for (const app::HttpMessage& m : f.http) {
    // The body's own dissector, by media type, as tshark chains it.
    if (m.body_len) rec.append_protocol(app::body_protocol(app::body_kind(m.content_type, m.body)));
  }
  if (!f.ftp.empty()) rec.append_protocol("ftp");
  if (f.ftp_data)
    rec.append_protocol(app::ftp_data_is_text(payload) ? "ftp-data:data-text-lines" : "ftp-data");
  if (!f.smtp.empty() || f.smtp_data_bytes)
    rec.append_protocol(f.smtp_data_end     ? "smtp:imf"
                        : f.smtp_data_bytes ? "smtp:data-text-lines" // a DATA fragment's lines
                                            : "smtp");
  if (!f.pop.empty() || f.pop_data_bytes) rec.append_protocol("pop");
  if (f.telnet) rec.append_protocol("telnet");
  if (!f.tls.empty()) rec.append_protocol("tls");
  if (!f.ssh.empty() || f.ssh_segment == 1) rec.append_protocol("ssh");
}

} // namespace ps

namespace ps::proto {

bool describe_app(Ctx& c) {
  if (!c.app || !c.app->valid) return false;
  const app::AppFrame& f = *c.app;
  using app::Service;
  // frame.protocols names the application protocol of the frame in every output mode, as tshark does.
  append_app_protocols(f, c.pkt.payload(), c.rec);
  if (!f.http.empty() ||
      ((f.segment != app::AppFrame::Segment::None || f.continuation) && f.dns_messages.empty()))
    app::describe_http(c, f); // also writes the "[TCP segment of a reassembled PDU]" note
  if (!f.ftp.empty()) app::describe_ftp(c, f);
  if (f.ftp_data) app::describe_ftp_data(c, f);
  if (!f.smtp.empty() || f.smtp_data_bytes) app::describe_smtp(c, f);
  if (!f.pop.empty() || f.pop_data_bytes) app::describe_pop(c, f);
  if (f.telnet) app::describe_telnet(c, f);
  if (!f.tls.empty()) app::describe_tls(c, f);
  if (!f.ssh.empty() || f.ssh_segment == 1) app::describe_ssh(c, f);
  if (f.tls_segment || f.ssh_segment) app::segment_note(c.rec, f.tls_segment | f.ssh_segment);
  for (const auto& msg : f.dns_messages) describe_dns_message(c, msg, 0, true, f.stream);
  if (f.http_truncated) {
    // tshark's exception when HTTP reads past the bytes a small snapshot length kept.
    Record& r = c.rec;
    if (r.want(F::SHORT)) r.add(F::SHORT, 0, 0).text = "[Packet size limited during capture: HTTP truncated]";
    if (r.columns_wanted()) {
      std::string_view note = "[Packet size limited during capture]";
      r.cols().info.append(note.data(), note.data() + note.size());
    }
  }
  if (f.http_unreassembled) {
    Record& r = c.rec;
    if (r.tree()) {
      r.push(F::MALFORMED, 0, 0).text = "[BoundError Unreassembled Packet [incorrect TCP checksum]: HTTP]";
      r.push(F::EXPERT, 0, 0).text =
          "[Expert Info (Note/Reassemble): Unreassembled fragment (change preferences to "
          "enable reassembly)]";
      for (std::string_view t : {"Unreassembled fragment (change preferences to enable reassembly)",
                                 "Severity level: Note", "Group: Reassemble"})
        r.text(t).generated = true;
      r.pop();
      r.pop();
    } else if (r.want(F::MALFORMED)) {
      r.add(F::MALFORMED, 0, 0);
    }
    if (r.columns_wanted()) {
      std::string_view note = "[BoundErrorUnreassembled Packet [incorrect TCP checksum]]";
      r.cols().info.append(note.data(), note.data() + note.size());
    }
  }
  if (!f.malformed.empty()) {
    Record& r = c.rec;
    if (r.want(F::MALFORMED))
      r.add(F::MALFORMED, 0, 0).text = r.format("[Malformed Packet: {}]", f.malformed);
    if (r.columns_wanted()) {
      auto& info = r.cols().info;
      std::string_view note = " [Malformed Packet]";
      info.append(note.data(), note.data() + note.size());
    }
  }
  return true;
}

} // namespace ps::proto
