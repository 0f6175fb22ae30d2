// HTTP/1.x request/response line and headers found in one segment. Messages spanning segments are
// the stream reassembler's job (src/app/).
#include <algorithm>
#include <cctype>

#include "dissect/proto/context.h"

namespace ps::proto {

namespace {

bool is_method(std::string_view m) {
  static constexpr std::string_view kMethods[] = {"GET",   "POST",    "HEAD",    "PUT",   "DELETE",
                                                  "OPTIONS", "TRACE", "CONNECT", "PATCH", "PROPFIND"};
  return std::find(std::begin(kMethods), std::end(kMethods), m) != std::end(kMethods);
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return std::tolower(x) == std::tolower(y); });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Header name → field.
F header_field(std::string_view name) {
  struct H {
    std::string_view name;
    F field;
  };
  static constexpr H kHeaders[] = {{"host", F::HTTP_HOST},
                                   {"user-agent", F::HTTP_USER_AGENT},
                                   {"content-length", F::HTTP_CONTENT_LENGTH},
                                   {"content-type", F::HTTP_CONTENT_TYPE},
                                   {"server", F::HTTP_SERVER},
                                   {"connection", F::HTTP_CONNECTION},
                                   {"accept", F::HTTP_ACCEPT},
                                   {"cookie", F::HTTP_COOKIE},
                                   {"referer", F::HTTP_REFERER}};
  for (const H& h : kHeaders)
    if (iequals(h.name, name)) return h.field;
  return F::TEXT;
}

} // namespace

bool describe_app(Ctx& c) {
  const Decoded& d = c.pkt;
  if (!d.payload_len || !d.l4() || d.l4()->kind != Layer::Tcp) return false;
  std::string_view p{reinterpret_cast<const char*>(c.frame().data.data() + d.payload_offset), d.payload_len};
  size_t eol = p.find("\r\n");
  if (eol == std::string_view::npos) return false;
  std::string_view line = p.substr(0, eol);
  bool request = false, response = false;
  std::string_view a, b, rest;
  size_t s1 = line.find(' ');
  if (s1 != std::string_view::npos) {
    a = line.substr(0, s1);
    size_t s2 = line.find(' ', s1 + 1);
    b = line.substr(s1 + 1, s2 == std::string_view::npos ? std::string_view::npos : s2 - s1 - 1);
    rest = s2 == std::string_view::npos ? std::string_view{} : line.substr(s2 + 1);
    request = is_method(a) && rest.starts_with("HTTP/1.");
    response = a.starts_with("HTTP/1.") && b.size() == 3 && std::all_of(b.begin(), b.end(), ::isdigit);
  }
  if (!request && !response) return false;

  Record& r = c.rec;
  r.append_protocol("http");
  const uint32_t base = d.payload_offset;
  if (r.tree()) r.push(F::HTTP, base, d.payload_len).text = "Hypertext Transfer Protocol";
  else if (r.want(F::HTTP)) r.add(F::HTTP, base, d.payload_len);
  auto str = [&](F f, std::string_view v, std::string_view label) {
    if (!r.want(f)) return;
    Item& it = r.add_str(f, base + static_cast<uint32_t>(v.data() - p.data()), static_cast<uint32_t>(v.size()), v);
    if (r.tree()) it.text = r.format("{}: {}", label, v);
  };
  if (r.tree()) r.push(F::TEXT, base, static_cast<uint32_t>(eol + 2)).text = r.format("{}\\r\\n", line);
  if (request) {
    if (r.want(F::HTTP_REQUEST)) r.add(F::HTTP_REQUEST, base, 0).hidden = true;
    str(F::HTTP_REQUEST_METHOD, a, "Request Method");
    str(F::HTTP_REQUEST_URI, b, "Request URI");
    str(F::HTTP_REQUEST_VERSION, rest, "Request Version");
  } else {
    if (r.want(F::HTTP_RESPONSE)) r.add(F::HTTP_RESPONSE, base, 0).hidden = true;
    str(F::HTTP_RESPONSE_VERSION, a, "Response Version");
    if (r.want(F::HTTP_RESPONSE_CODE)) {
      unsigned code = unsigned(b[0] - '0') * 100 + unsigned(b[1] - '0') * 10 + unsigned(b[2] - '0');
      Item& it = r.add(F::HTTP_RESPONSE_CODE, base + static_cast<uint32_t>(s1 + 1), 3, code);
      if (r.tree()) it.text = r.format("Status Code: {}", code);
    }
    str(F::HTTP_RESPONSE_PHRASE, rest, "Response Phrase");
  }
  if (r.tree()) r.pop();
  std::string_view content_type;
  size_t pos = eol + 2;
  while (pos < p.size()) {
    size_t e = p.find("\r\n", pos);
    if (e == std::string_view::npos) break; // header cut by the segment boundary
    std::string_view h = p.substr(pos, e - pos);
    uint32_t at = base + static_cast<uint32_t>(pos);
    pos = e + 2;
    if (h.empty()) {
      if (r.tree()) r.text("\\r\\n", at, 2);
      break;
    }
    size_t colon = h.find(':');
    std::string_view name = colon == std::string_view::npos ? h : h.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? std::string_view{} : trim(h.substr(colon + 1));
    F f = header_field(name);
    if (f == F::HTTP_CONTENT_TYPE) content_type = value;
    if (r.tree()) {
      if (f == F::TEXT) {
        r.text(r.format("{}\\r\\n", h), at, static_cast<uint32_t>(h.size() + 2));
        continue;
      }
      Item* it = nullptr;
      if (f == F::HTTP_CONTENT_LENGTH) {
        uint64_t n = 0;
        for (char ch : value) {
          if (ch < '0' || ch > '9') break;
          n = n * 10 + uint64_t(ch - '0');
        }
        r.push(F::TEXT, at, static_cast<uint32_t>(h.size() + 2)).text = r.format("{}\\r\\n", h);
        it = &r.add(f, at, static_cast<uint32_t>(h.size()), n);
        it->text = r.format("Content length: {}", n);
        r.pop();
      } else {
        it = &r.add_str(f, at, static_cast<uint32_t>(h.size()), value);
        it->text = r.format("{}\\r\\n", h);
      }
    } else if (r.want(f)) {
      if (f == F::HTTP_CONTENT_LENGTH) {
        uint64_t n = 0;
        for (char ch : value) {
          if (ch < '0' || ch > '9') break;
          n = n * 10 + uint64_t(ch - '0');
        }
        r.add(f, at, static_cast<uint32_t>(h.size()), n);
      } else {
        r.add_str(f, at, static_cast<uint32_t>(h.size()), value);
      }
    }
  }
  if (r.tree()) r.pop();
  if (r.columns_wanted()) {
    r.cols().protocol = "HTTP";
    r.cols().info.clear();
    auto out = std::back_inserter(r.cols().info);
    if (request) fmt::format_to(out, "{} ", line);
    else if (!content_type.empty()) fmt::format_to(out, "{}  ({})", line, content_type);
    else fmt::format_to(out, "{} ", line);
  }
  return true;
}

} // namespace ps::proto
