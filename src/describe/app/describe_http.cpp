// HTTP messages completed in this frame, or tshark's segment notes for frames inside a PDU.
#include <algorithm>

#include "app/http/media_type.h"
#include "describe/app/app_describe.h"

namespace ps::app {

namespace {

constexpr std::string_view kSegmentNote = "[TCP segment of a reassembled PDU]";

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x >= 'A' && x <= 'Z' ? x + 32 : x) == (y >= 'A' && y <= 'Z' ? y + 32 : y);
         });
}

BodyKind kind_of(const HttpMessage& m) {
  return body_kind(m.content_type, m.body);
}

// tshark's Info text for one message: the first line, then what the body's dissector appends.
void info_text(const HttpMessage& m, fmt::memory_buffer& out) {
  auto it = std::back_inserter(out);
  fmt::format_to(it, "{} ", m.first_line);
  if (m.body_len == 0 || m.content_type.empty()) return;
  std::string_view type = media_type_of(m.content_type);
  switch (kind_of(m)) {
  case BodyKind::Json:
    fmt::format_to(it, ", JavaScript Object Notation ({})", type);
    break;
  case BodyKind::Xml:
    break;
  case BodyKind::Jfif:
    fmt::format_to(it, " (JPEG JFIF image)");
    break;
  case BodyKind::Png:
    fmt::format_to(it, " (PNG)");
    break;
  case BodyKind::Gif:
    fmt::format_to(it, " ({})", std::string_view(m.body).substr(0, 6));
    break;
  default:
    fmt::format_to(it, " ({})", type);
    break;
  }
}

std::string_view status_description(uint16_t code) {
  struct S {
    uint16_t code;
    std::string_view text;
  };
  // tshark 4.0's table of status codes (vals_http_status_code).
  static constexpr S kCodes[] = {{100, "Continue"},
                                 {101, "Switching Protocols"},
                                 {102, "Processing"},
                                 {103, "Early Hints"},
                                 {199, "Informational - Others"},
                                 {200, "OK"},
                                 {201, "Created"},
                                 {202, "Accepted"},
                                 {203, "Non-authoritative Information"},
                                 {204, "No Content"},
                                 {205, "Reset Content"},
                                 {206, "Partial Content"},
                                 {207, "Multi-Status"},
                                 {208, "Already Reported"},
                                 {226, "IM Used"},
                                 {299, "Success - Others"},
                                 {300, "Multiple Choices"},
                                 {301, "Moved Permanently"},
                                 {302, "Found"},
                                 {303, "See Other"},
                                 {304, "Not Modified"},
                                 {305, "Use Proxy"},
                                 {307, "Temporary Redirect"},
                                 {308, "Permanent Redirect"},
                                 {399, "Redirection - Others"},
                                 {400, "Bad Request"},
                                 {401, "Unauthorized"},
                                 {402, "Payment Required"},
                                 {403, "Forbidden"},
                                 {404, "Not Found"},
                                 {405, "Method Not Allowed"},
                                 {406, "Not Acceptable"},
                                 {407, "Proxy Authentication Required"},
                                 {408, "Request Time-out"},
                                 {409, "Conflict"},
                                 {410, "Gone"},
                                 {411, "Length Required"},
                                 {412, "Precondition Failed"},
                                 {413, "Request Entity Too Large"},
                                 {414, "Request-URI Too Long"},
                                 {415, "Unsupported Media Type"},
                                 {416, "Requested Range Not Satisfiable"},
                                 {417, "Expectation Failed"},
                                 {418, "I'm a teapot"},
                                 {421, "Misdirected Request"},
                                 {422, "Unprocessable Entity"},
                                 {423, "Locked"},
                                 {424, "Failed Dependency"},
                                 {425, "Too Early"},
                                 {426, "Upgrade Required"},
                                 {428, "Precondition Required"},
                                 {429, "Too Many Requests"},
                                 {431, "Request Header Fields Too Large"},
                                 {451, "Unavailable For Legal Reasons"},
                                 {499, "Client Error - Others"},
                                 {500, "Internal Server Error"},
                                 {501, "Not Implemented"},
                                 {502, "Bad Gateway"},
                                 {503, "Service Unavailable"},
                                 {504, "Gateway Time-out"},
                                 {505, "HTTP Version not supported"},
                                 {506, "Variant Also Negotiates"},
                                 {507, "Insufficient Storage"},
                                 {508, "Loop Detected"},
                                 {510, "Not Extended"},
                                 {511, "Network Authentication Required"},
                                 {599, "Server Error - Others"}};
  for (const S& s : kCodes)
    if (s.code == code) return s.text;
  return {};
}

// The Chat/Sequence expert item tshark puts under each first line.
void expert_chat(Record& r, std::string_view line) {
  // tshark formats the message into a label buffer: at most 239 characters, cut without a mark.
  expert_item(r, "Chat", "Sequence", r.format("{}\\r\\n", line));
}

// Request URI Path / Query / Query Parameter, as tshark splits a URI with a query.
void uri_parts(Record& r, std::string_view uri) {
  size_t q = uri.find('?');
  if (q == std::string_view::npos) return;
  add_string(r, F::HTTP_REQUEST_URI_PATH, uri.substr(0, q));
  std::string_view query = uri.substr(q + 1);
  if (r.tree()) {
    Item& it = r.push(F::HTTP_REQUEST_URI_QUERY, 0, 0);
    it.str = r.save(query);
    it.text = r.format("Request URI Query: {}", query);
  } else {
    add_string(r, F::HTTP_REQUEST_URI_QUERY, query);
  }
  while (true) {
    size_t amp = query.find('&');
    if (amp != 0) add_string(r, F::HTTP_REQUEST_URI_QUERY_PARAMETER, query.substr(0, amp)); // "&&": none
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  if (r.tree()) r.pop();
}

// "Cookie pair: a=b" for each ';'-separated pair of a Cookie header.
void cookie_pairs(Record& r, std::string_view value) {
  for (std::string_view rest = value; !rest.empty();) {
    size_t semi = rest.find(';');
    std::string_view pair = rest.substr(0, semi);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (!pair.empty()) add_string(r, F::HTTP_COOKIE_PAIR, pair);
    if (semi == std::string_view::npos) break;
    rest.remove_prefix(semi + 1);
  }
}

// Line-based text data: one tree line per body line, as tshark's data-text-lines dissector.
void text_lines(Record& r, const HttpMessage& m) {
  std::string_view body = m.body;
  push_text_lines(
      r,
      r.format("Line-based text data: {} ({} lines)", media_type_of(m.content_type), count_text_lines(body)),
      body);
  r.pop();
}

// A header line as sent: "Name: value" and its line end; "Name:" when the value is empty ("EXT:").
std::string_view header_text(Record& r, std::string_view name, std::string_view value, std::string_view end) {
  return value.empty() ? r.format("{}:{}", name, end) : r.format("{}: {}{}", name, value, end);
}

F header_field(std::string_view name) {
  struct H {
    std::string_view name;
    F field;
  };
  static constexpr H kHeaders[] = {{"host", F::HTTP_HOST},
                                   {"user-agent", F::HTTP_USER_AGENT},
                                   {"content-type", F::HTTP_CONTENT_TYPE},
                                   {"server", F::HTTP_SERVER},
                                   {"connection", F::HTTP_CONNECTION},
                                   {"accept", F::HTTP_ACCEPT},
                                   {"cookie", F::HTTP_COOKIE},
                                   {"referer", F::HTTP_REFERER},
                                   {"location", F::HTTP_LOCATION},
                                   {"cache-control", F::HTTP_CACHE_CONTROL}};
  for (const H& h : kHeaders)
    if (iequals(h.name, name)) return h.field;
  return F::TEXT;
}

// One message under its protocol item: HTTP's, or SSDP's (HTTP over UDP, same fields).
void message(Record& r, const HttpMessage& m, F proto = F::HTTP,
             std::string_view label = "Hypertext Transfer Protocol") {
  const bool tree = r.tree();
  if (tree)
    r.push(proto, 0, 0).text = label;
  else if (r.want(proto))
    r.add(proto, 0, 0);
  push_line(r, m.first_line, 0, 0);
  if (tree) expert_chat(r, m.first_line);
  // tshark's NOTIFY (GENA, SSDP) is a notification: no request number, its other header lines are
  // http.unknown_header instead of http.request.line.
  const bool notification = m.request && m.method == "NOTIFY";
  if (m.request) {
    // tshark marks the message a request or response once its headers ended (a cut frame: not).
    const bool ended = !m.truncated || !m.partial_line.empty();
    const F kind = notification ? F::HTTP_NOTIFICATION : F::HTTP_REQUEST;
    if (ended && r.want(kind)) r.add(kind, 0, 0).hidden = true;
    add_string(r, F::HTTP_REQUEST_METHOD, m.method);
    if (tree && m.uri.find('?') != std::string::npos) {
      r.push(F::HTTP_REQUEST_URI, 0, 0).str = r.save(m.uri);
      r.items().back().text = r.format("Request URI: {}", m.uri);
      uri_parts(r, m.uri);
      r.pop();
    } else {
      add_string(r, F::HTTP_REQUEST_URI, m.uri);
      uri_parts(r, m.uri);
    }
    add_string(r, F::HTTP_REQUEST_VERSION, m.version);
  } else {
    const bool ended = !m.truncated || !m.partial_line.empty();
    if (ended && r.want(F::HTTP_RESPONSE)) r.add(F::HTTP_RESPONSE, 0, 0).hidden = true;
    add_string(r, F::HTTP_RESPONSE_VERSION, m.version);
    if (r.want(F::HTTP_RESPONSE_CODE)) {
      Item& it = r.add(F::HTTP_RESPONSE_CODE, 0, 0, m.code);
      if (tree) it.text = r.format("Status Code: {}", m.code);
    }
    if (r.want(F::HTTP_RESPONSE_CODE_DESC)) {
      std::string_view desc = status_description(m.code);
      std::string_view shown = desc.empty() ? r.format("Unknown ({})", m.code) : desc;
      Item& it = r.add_str(F::HTTP_RESPONSE_CODE_DESC, 0, 0, shown);
      it.generated = true;
      if (tree) it.text = r.format("[Status Code Description: {}]", shown);
    }
    add_string(r, F::HTTP_RESPONSE_PHRASE, m.phrase);
  }
  if (tree) r.pop();
  // Every header line also as http.request.line / http.response.line (hidden in the tree, as tshark's).
  const F line_field = notification ? F::HTTP_UNKNOWN_HEADER
                       : m.request  ? F::HTTP_REQUEST_LINE
                                    : F::HTTP_RESPONSE_LINE;
  for (const auto& [name, value] : m.headers) {
    F f = header_field(name);
    if (notification && f == F::TEXT) f = F::HTTP_UNKNOWN_HEADER;
    bool is_length = iequals(name, "content-length");
    if (tree) {
      std::string_view line = header_text(r, name, value, "\\r\\n");
      if (is_length && m.content_length) {
        r.push(F::TEXT, 0, 0).text = line;
        r.add(F::HTTP_CONTENT_LENGTH, 0, 0, *m.content_length).text =
            r.format("[Content length: {}]", *m.content_length);
        r.pop();
      } else if (f == F::HTTP_COOKIE) {
        r.push(f, 0, 0).str = r.save(value);
        r.items().back().text = line;
        cookie_pairs(r, value);
        r.pop();
      } else if (f == F::HTTP_UNKNOWN_HEADER) {
        r.add_str(f, 0, 0, line).text = line; // the line as the tree shows it, "\r\n" as text
      } else if (f != F::TEXT) {
        r.add_str(f, 0, 0, r.save(value)).text = line;
      } else {
        r.text(line);
      }
    } else if (is_length && m.content_length && r.want(F::HTTP_CONTENT_LENGTH)) {
      r.add(F::HTTP_CONTENT_LENGTH, 0, 0, *m.content_length);
    } else if (f == F::HTTP_UNKNOWN_HEADER && r.want(f)) {
      r.add_str(f, 0, 0, header_text(r, name, value, "\\r\\n"));
    } else if (f != F::TEXT && r.want(f)) {
      r.add_str(f, 0, 0, r.save(value));
    }
    if (!tree && f == F::HTTP_COOKIE && r.want(F::HTTP_COOKIE_PAIR)) cookie_pairs(r, value);
    if (!notification && r.want(line_field))
      r.add_str(line_field, 0, 0, header_text(r, name, value, "\r\n")).hidden = true;
  }
  if (m.truncated && !m.partial_line.empty()) {
    // A frame cut inside a header line: tshark reads it as the last header (no line end follows).
    std::string_view line = m.partial_line, name = line.substr(0, line.find(':'));
    std::string_view value = line.substr(name.size() + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    F f = header_field(name);
    if (f == F::HTTP_COOKIE && tree) {
      r.push(f, 0, 0).str = r.save(value);
      r.items().back().text = r.save(line);
      cookie_pairs(r, value);
      r.pop();
    } else if (f != F::TEXT && r.want(f)) {
      r.add_str(f, 0, 0, r.save(value)).text = tree ? r.save(line) : std::string_view{};
    } else if (tree) {
      r.text(r.save(line));
    }
    if (!tree && f == F::HTTP_COOKIE && r.want(F::HTTP_COOKIE_PAIR)) cookie_pairs(r, value);
    if (r.want(line_field)) r.add_str(line_field, 0, 0, r.save(line)).hidden = true;
  } else if (m.truncated) {
    // A frame cut elsewhere in the headers: tshark's exception ends the HTTP tree here.
    if (tree) r.pop();
    return;
  }
  if (tree && !m.truncated) r.text("\\r\\n");
  if (m.request && !m.host.empty() && r.want(F::HTTP_REQUEST_FULL_URI)) {
    std::string_view full =
        m.uri.starts_with("http://") ? r.save(m.uri) : r.format("http://{}{}", m.host, m.uri);
    Item& it = r.add_str(F::HTTP_REQUEST_FULL_URI, 0, 0, full);
    it.generated = true;
    if (tree) it.text = r.format("[Full request URI: {}]", full);
  }
  if (m.index) {
    F num = m.request ? F::HTTP_REQUEST_NUMBER : F::HTTP_RESPONSE_NUMBER;
    if (r.want(num)) {
      Item& it = r.add(num, 0, 0, m.index);
      it.generated = true;
      if (tree)
        it.text = r.format("[HTTP {} {}/{}]", m.request ? "request" : "response", m.index,
                           std::max(m.requests_so_far, m.index));
    }
  }
  if (!m.request && m.request_in && m.time_ns >= 0 && r.want(F::HTTP_TIME)) {
    Item& it = r.add(F::HTTP_TIME, 0, 0, static_cast<uint64_t>(m.time_ns));
    it.generated = true;
    if (tree)
      it.text = r.format("[Time since request: {}.{:09} seconds]", m.time_ns / 1'000'000'000,
                         m.time_ns % 1'000'000'000);
  }
  frame_ref(r, F::HTTP_PREV_REQUEST_IN, m.prev_request, "Prev request in frame");
  if (!m.request) {
    frame_ref(r, F::HTTP_PREV_RESPONSE_IN, m.prev_response, "Prev response in frame");
    frame_ref(r, F::HTTP_REQUEST_IN, m.request_in, "Request in frame");
    if (!m.request_uri.empty() && r.want(F::HTTP_RESPONSE_FOR_URI)) {
      Item& it = r.add_str(F::HTTP_RESPONSE_FOR_URI, 0, 0, r.save(m.request_uri));
      it.generated = true;
      if (tree) it.text = r.format("[Request URI: {}]", m.request_uri);
    }
  }
  // A decoded body: its coding and sizes, then File Data and the body dissector see the decoded bytes.
  if (m.decoded && tree)
    r.text(r.format("Content-encoded entity body ({}): {} bytes -> {} bytes", m.content_encoding, m.body_len,
                    m.decoded_len));
  const uint64_t body_len = m.decoded ? m.decoded_len : m.body_len;
  if (body_len && tree) r.text(r.format("File Data: {} bytes", body_len));
  if (tree) r.pop();
  if (tree && body_len && (!m.encoded || m.decoded) && kind_of(m) == BodyKind::TextLines &&
      m.body.size() == body_len)
    text_lines(r, m);
}

// tshark's "[N Reassembled TCP Segments (...)]" block, before the message it built.
void reassembled_segments(Record& r, const HttpMessage& m) {
  if (m.segments.size() < 2) return;
  const bool tree = r.tree();
  uint64_t total = m.stream_end - m.stream_begin;
  if (tree) {
    fmt::memory_buffer label;
    auto out = std::back_inserter(label);
    fmt::format_to(out, "{} Reassembled TCP Segments ({} bytes): ", m.segments.size(), total);
    for (size_t i = 0; i < m.segments.size() && label.size() < 240; ++i)
      fmt::format_to(out, "{}#{}({})", i ? ", " : "", m.segments[i].first, m.segments[i].second);
    // Appended to a label buffer: cut at 239 characters without a mark.
    std::string_view text(label.data(), std::min<size_t>(label.size(), 239));
    Item& head = r.push(F::TCP_SEGMENTS, 0, 0);
    head.generated = true;
    head.text = r.format("[{}]", text);
  } else if (r.want(F::TCP_SEGMENTS)) {
    r.add(F::TCP_SEGMENTS, 0, 0).generated = true;
  }
  uint64_t off = 0;
  for (const auto& [frame, len] : m.segments) {
    if (r.want(F::TCP_SEGMENT)) {
      Item& it = r.add(F::TCP_SEGMENT, 0, 0, frame);
      it.generated = true;
      if (tree) it.text = r.format("[Frame: {}, payload: {}-{} ({} bytes)]", frame, off, off + len - 1, len);
    }
    off += len;
  }
  if (r.want(F::TCP_SEGMENT_COUNT)) {
    Item& it = r.add(F::TCP_SEGMENT_COUNT, 0, 0, m.segments.size());
    it.generated = true;
    if (tree) it.text = r.format("[Segment count: {}]", m.segments.size());
  }
  if (r.want(F::TCP_REASSEMBLED_LENGTH)) {
    Item& it = r.add(F::TCP_REASSEMBLED_LENGTH, 0, 0, total);
    it.generated = true;
    if (tree) it.text = r.format("[Reassembled TCP length: {}]", total);
  }
  if (r.want(F::TCP_REASSEMBLED_DATA)) {
    Item& it = r.add_str(F::TCP_REASSEMBLED_DATA, 0, 0, r.save(m.raw_head));
    it.generated = true;
    if (tree) {
      fmt::memory_buffer hex;
      for (char ch : m.raw_head)
        fmt::format_to(std::back_inserter(hex), "{:02x}", static_cast<unsigned char>(ch));
      it.text = r.format("[Reassembled TCP Data: {}{}]", std::string_view(hex.data(), hex.size()),
                         total > m.raw_head.size() ? "\u2026" : "");
    }
  }
  if (tree) r.pop();
}

} // namespace

void describe_http_message(Record& r, const HttpMessage& m, F proto, std::string_view label) {
  message(r, m, proto, label);
}

void http_info_text(const HttpMessage& m, fmt::memory_buffer& out) {
  info_text(m, out);
}

void describe_http(proto::Ctx& c, const AppFrame& f) {
  Record& r = c.rec;
  if (!f.http.empty()) {
    for (const HttpMessage& m : f.http) {
      reassembled_segments(r, m);
      message(r, m);
    }
    if (r.columns_wanted()) {
      bool json = std::any_of(f.http.begin(), f.http.end(), [](const HttpMessage& m) {
        return m.body_len && kind_of(m) == BodyKind::Json;
      });
      bool xml = std::any_of(f.http.begin(), f.http.end(),
                             [](const HttpMessage& m) { return m.body_len && kind_of(m) == BodyKind::Xml; });
      r.cols().protocol = json ? "HTTP/JSON" : xml ? "HTTP/XML" : "HTTP";
      fmt::memory_buffer text;
      for (const HttpMessage& m : f.http) info_text(m, text);
      set_info(r, {text.data(), text.size()});
    }
    return;
  }
  if (f.continuation) {
    // Body bytes dissected without their headers: tshark shows them as File Data, then as Data.
    const uint32_t n = std::min<uint32_t>(f.continuation_bytes, c.pkt.payload_len);
    const uint32_t off = c.pkt.payload_offset;
    const std::string_view bytes{reinterpret_cast<const char*>(c.pkt.payload().data()), n};
    if (r.tree()) {
      r.push(F::HTTP, 0, 0).text = "Hypertext Transfer Protocol";
      if (n) {
        r.add_str(F::HTTP_FILE_DATA, off, n, bytes).text = r.format("File Data: {} bytes", n);
        r.push(F::DATA, off, n).text = r.format("Data ({} bytes)", n);
        r.add_str(F::DATA_DATA, off, n, bytes).text =
            r.format("Data: {}", proto::short_hex(r, c.pkt.payload().first(n)));
        r.add(F::DATA_LEN, off, n, n).text = r.format("[Length: {}]", n);
        r.pop();
      } else {
        r.text("Continuation");
      }
      r.pop();
    } else {
      if (r.want(F::HTTP)) r.add(F::HTTP, 0, 0);
      if (n && r.want(F::HTTP_FILE_DATA)) r.add_str(F::HTTP_FILE_DATA, off, n, bytes);
      if (n && r.want(F::DATA_DATA)) r.add_str(F::DATA_DATA, off, n, bytes);
      if (n && r.want(F::DATA_LEN)) r.add(F::DATA_LEN, off, n, n);
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
