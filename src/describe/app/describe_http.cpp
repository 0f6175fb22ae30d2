// HTTP messages completed in this frame, or tshark's segment notes for frames inside a PDU.
#include <algorithm>

#include "describe/app/app_describe.h"

namespace ps::app {

namespace {

constexpr std::string_view kSegmentNote = "[TCP segment of a reassembled PDU]";

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x >= 'A' && x <= 'Z' ? x + 32 : x) == (y >= 'A' && y <= 'Z' ? y + 32 : y);
         });
}

std::string_view media_type(std::string_view ct) {
  ct = ct.substr(0, ct.find(';'));
  while (!ct.empty() && ct.back() == ' ') ct.remove_suffix(1);
  return ct;
}

bool is_json(const HttpMessage& m) {
  return iequals(media_type(m.content_type), "application/json");
}

// tshark's Info text for one message: the first line, then the body's media type.
void info_text(const HttpMessage& m, fmt::memory_buffer& out) {
  auto it = std::back_inserter(out);
  fmt::format_to(it, "{} ", m.first_line);
  if (m.body_len == 0 || m.content_type.empty()) return;
  if (is_json(m))
    fmt::format_to(it, ", JavaScript Object Notation ({})", media_type(m.content_type));
  else
    fmt::format_to(it, " ({})", media_type(m.content_type));
}

F header_field(std::string_view name) {
  struct H {
    std::string_view name;
    F field;
  };
  static constexpr H kHeaders[] = {
      {"host", F::HTTP_HOST},     {"user-agent", F::HTTP_USER_AGENT}, {"content-type", F::HTTP_CONTENT_TYPE},
      {"server", F::HTTP_SERVER}, {"connection", F::HTTP_CONNECTION}, {"accept", F::HTTP_ACCEPT},
      {"cookie", F::HTTP_COOKIE}, {"referer", F::HTTP_REFERER}};
  for (const H& h : kHeaders)
    if (iequals(h.name, name)) return h.field;
  return F::TEXT;
}

void message(Record& r, const HttpMessage& m) {
  const bool tree = r.tree();
  if (tree)
    r.push(F::HTTP, 0, 0).text = "Hypertext Transfer Protocol";
  else if (r.want(F::HTTP))
    r.add(F::HTTP, 0, 0);
  push_line(r, m.first_line, 0, 0);
  if (m.request) {
    if (r.want(F::HTTP_REQUEST)) r.add(F::HTTP_REQUEST, 0, 0).hidden = true;
    add_string(r, F::HTTP_REQUEST_METHOD, m.method);
    add_string(r, F::HTTP_REQUEST_URI, m.uri);
    add_string(r, F::HTTP_REQUEST_VERSION, m.version);
  } else {
    if (r.want(F::HTTP_RESPONSE)) r.add(F::HTTP_RESPONSE, 0, 0).hidden = true;
    add_string(r, F::HTTP_RESPONSE_VERSION, m.version);
    if (r.want(F::HTTP_RESPONSE_CODE)) {
      Item& it = r.add(F::HTTP_RESPONSE_CODE, 0, 0, m.code);
      if (tree) it.text = r.format("Status Code: {}", m.code);
    }
    add_string(r, F::HTTP_RESPONSE_PHRASE, m.phrase);
  }
  if (tree) r.pop();
  for (const auto& [name, value] : m.headers) {
    F f = header_field(name);
    bool is_length = iequals(name, "content-length");
    if (tree) {
      std::string_view line = r.format("{}: {}\\r\\n", name, value);
      if (is_length && m.content_length) {
        r.push(F::TEXT, 0, 0).text = line;
        r.add(F::HTTP_CONTENT_LENGTH, 0, 0, *m.content_length).text =
            r.format("[Content length: {}]", *m.content_length);
        r.pop();
      } else if (f != F::TEXT) {
        r.add_str(f, 0, 0, r.save(value)).text = line;
      } else {
        r.text(line);
      }
    } else if (is_length && m.content_length && r.want(F::HTTP_CONTENT_LENGTH)) {
      r.add(F::HTTP_CONTENT_LENGTH, 0, 0, *m.content_length);
    } else if (f != F::TEXT && r.want(f)) {
      r.add_str(f, 0, 0, r.save(value));
    }
  }
  if (tree) r.text("\\r\\n");
  if (m.request && !m.host.empty() && r.want(F::HTTP_REQUEST_FULL_URI)) {
    std::string_view full =
        m.uri.starts_with("http://") ? r.save(m.uri) : r.format("http://{}{}", m.host, m.uri);
    Item& it = r.add_str(F::HTTP_REQUEST_FULL_URI, 0, 0, full);
    it.generated = true;
    if (tree) it.text = r.format("[Full request URI: {}]", full);
  }
  if (tree) r.text(r.format("[HTTP {} {}]", m.request ? "request" : "response", m.index)).generated = true;
  if (!m.request && m.request_in) {
    if (m.time_ns >= 0 && r.want(F::HTTP_TIME)) {
      Item& it = r.add(F::HTTP_TIME, 0, 0, static_cast<uint64_t>(m.time_ns));
      it.generated = true;
      if (tree)
        it.text = r.format("[Time since request: {}.{:09} seconds]", m.time_ns / 1'000'000'000,
                           m.time_ns % 1'000'000'000);
    }
    if (r.want(F::HTTP_REQUEST_IN)) {
      Item& it = r.add(F::HTTP_REQUEST_IN, 0, 0, m.request_in);
      it.generated = true;
      if (tree) it.text = r.format("[Request in frame: {}]", m.request_in);
    }
  }
  if (m.body_len && tree) r.text(r.format("File Data: {} bytes", m.body_len));
  if (tree) r.pop();
}

} // namespace

void describe_http(proto::Ctx& c, const AppFrame& f) {
  Record& r = c.rec;
  if (!f.http.empty()) {
    for (const HttpMessage& m : f.http) message(r, m);
    if (r.columns_wanted()) {
      bool json = std::any_of(f.http.begin(), f.http.end(),
                              [](const HttpMessage& m) { return m.body_len && is_json(m); });
      r.cols().protocol = json ? "HTTP/JSON" : "HTTP";
      fmt::memory_buffer text;
      for (const HttpMessage& m : f.http) info_text(m, text);
      set_info(r, {text.data(), text.size()});
    }
    return;
  }
  if (f.continuation) {
    if (r.tree()) {
      r.push(F::HTTP, 0, 0).text = "Hypertext Transfer Protocol";
      r.text("Continuation");
      r.pop();
    } else if (r.want(F::HTTP)) {
      r.add(F::HTTP, 0, 0);
    }
    if (r.columns_wanted()) {
      r.cols().protocol = "HTTP";
      set_info(r, "Continuation");
    }
    return;
  }
  if (!r.columns_wanted()) return;
  if (f.segment == AppFrame::Segment::PduStart) {
    set_info(r, r.format("{}  {}", f.pdu_first_line, kSegmentNote));
  } else if (f.segment == AppFrame::Segment::PduMiddle) {
    auto& info = r.cols().info;
    info.push_back(' ');
    info.append(kSegmentNote.data(), kSegmentNote.data() + kSegmentNote.size());
  }
}

} // namespace ps::app
