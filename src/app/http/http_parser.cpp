#include "app/http/http_parser.h"

#include "app/http/content_coding.h"
#include "app/http/media_type.h"

#include <algorithm>
#include <charconv>

namespace ps::app {

namespace {

bool is_token_method(std::string_view m) {
  static constexpr std::string_view kMethods[] = {
      "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE", "CONNECT", "PATCH", "PROPFIND", "PROPPATCH",
      "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK",
      // GENA and SSDP (UPnP), which tshark's HTTP dissector reads too
      "NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE", "M-SEARCH"};
  return std::find(std::begin(kMethods), std::end(kMethods), m) != std::end(kMethods);
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lo = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
           return lo(x) == lo(y);
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool parse_dec(std::string_view s, uint64_t& v) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc{} && p == s.data() + s.size();
}

} // namespace

void split_host_port(std::string_view host, std::string& name, uint16_t& port) {
  port = 0;
  size_t colon = host.rfind(':');
  bool v6 = !host.empty() && host.front() == '[';
  if (colon != std::string_view::npos && (!v6 || host.find(']') < colon)) {
    uint64_t p = 0;
    if (parse_dec(host.substr(colon + 1), p) && p <= 65535) {
      name = std::string(host.substr(0, colon));
      port = static_cast<uint16_t>(p);
      return;
    }
  }
  name = std::string(host);
}

bool HttpParser::start_line(std::string_view line, std::string& error) {
  cur_ = HttpMessage{};
  cur_.request = requests_;
  cur_.stream_begin = line_begin_;
  cur_.first_line = std::string(line);
  size_t s1 = line.find(' ');
  if (s1 == std::string_view::npos) {
    error = "HTTP: no space in the first line";
    return false;
  }
  std::string_view a = line.substr(0, s1);
  std::string_view rest = line.substr(s1 + 1);
  size_t s2 = rest.find(' ');
  std::string_view b = rest.substr(0, s2);
  std::string_view c = s2 == std::string_view::npos ? std::string_view{} : rest.substr(s2 + 1);
  if (requests_) {
    if (!is_token_method(a) || !c.starts_with("HTTP/")) {
      error = "HTTP: not a request line";
      return false;
    }
    cur_.method = std::string(a);
    cur_.uri = std::string(b);
    cur_.version = std::string(c);
  } else {
    if (!a.starts_with("HTTP/") || b.size() != 3 ||
        !std::all_of(b.begin(), b.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
      error = "HTTP: not a status line";
      return false;
    }
    cur_.version = std::string(a);
    cur_.code = static_cast<uint16_t>((b[0] - '0') * 100 + (b[1] - '0') * 10 + (b[2] - '0'));
    cur_.phrase = std::string(c);
  }
  return true;
}

void HttpParser::header_line(std::string_view h) {
  apply_header(cur_, h);
}

HttpMessage HttpParser::partial_with_pending() const {
  HttpMessage m = cur_;
  if (state_ == State::Headers && lines_.pending().find(':') != std::string_view::npos) {
    size_t kept = m.headers.size();
    apply_header(m, lines_.pending());
    m.headers.resize(kept); // shown as the partial line, without a line end
    m.partial_line = std::string(lines_.pending());
  }
  return m;
}

void HttpParser::apply_header(HttpMessage& cur_, std::string_view h) {
  size_t colon = h.find(':');
  if (colon == std::string_view::npos) return; // tolerated, like tshark: shown, not interpreted
  std::string_view name = trim(h.substr(0, colon)), value = trim(h.substr(colon + 1));
  if (cur_.headers.size() < kMaxHeadersKept) cur_.headers.emplace_back(std::string(name), std::string(value));
  if (iequals(name, "host"))
    cur_.host = std::string(value);
  else if (iequals(name, "user-agent"))
    cur_.user_agent = std::string(value);
  else if (iequals(name, "content-type"))
    cur_.content_type = std::string(value);
  else if (iequals(name, "referer"))
    cur_.referer = std::string(value);
  else if (iequals(name, "server"))
    cur_.server = std::string(value);
  else if (iequals(name, "content-length")) {
    uint64_t v = 0;
    if (parse_dec(value, v)) cur_.content_length = v;
  } else if (iequals(name, "content-encoding")) {
    cur_.encoded = !value.empty() && !iequals(value, "identity");
    cur_.content_encoding = std::string(value);
  } else if (iequals(name, "transfer-encoding")) {
    std::string_view v = value;
    cur_.chunked = v.size() >= 7 && iequals(v.substr(v.size() - 7), "chunked");
  }
}

bool HttpParser::headers_done(std::vector<HttpMessage>& done, std::string& error) {
  (void)error;
  bool body_allowed = true;
  if (!requests_) {
    if ((cur_.code >= 100 && cur_.code < 200) || cur_.code == 204 || cur_.code == 304) body_allowed = false;
    if (body_allowed && response_may_have_body && !response_may_have_body(done.size() - done_at_start_))
      body_allowed = false;
  }
  if (!body_allowed) {
    finish(done);
    return true;
  }
  constexpr size_t kSignature = 8; // enough for the image dissectors' magic numbers
  // Compressed bodies are kept whole (up to the limit) to be decoded when they end.
  const bool whole = keep_bodies_ && (cur_.encoded ? decodable_coding(cur_.content_encoding)
                                                   : body_kept_whole(body_kind(cur_.content_type, {})));
  body_keep_ = whole ? max_header_bytes_ : kSignature;
  if (cur_.chunked) {
    state_ = State::ChunkSize;
  } else if (cur_.content_length) {
    remaining_ = *cur_.content_length;
    if (remaining_ == 0)
      finish(done);
    else
      state_ = State::Body;
  } else if (requests_) {
    finish(done); // a request without a length has no body
  } else {
    state_ = State::UntilClose;
  }
  return true;
}

void HttpParser::keep(std::span<const uint8_t> consumed) {
  constexpr size_t kHead = 36; // what tshark shows of reassembled data
  if (head_.size() >= kHead) return;
  size_t n = std::min(kHead - head_.size(), consumed.size());
  head_.append(reinterpret_cast<const char*>(consumed.data()), n);
}

void HttpParser::keep_body(std::span<const uint8_t> body) {
  if (cur_.body.size() >= body_keep_) return;
  size_t n = std::min(body_keep_ - cur_.body.size(), body.size());
  cur_.body.append(reinterpret_cast<const char*>(body.data()), n);
}

void HttpParser::finish(std::vector<HttpMessage>& done) {
  cur_.stream_end = pos_;
  if (cur_.encoded && cur_.body_len && cur_.body.size() == cur_.body_len &&
      decodable_coding(cur_.content_encoding)) {
    // Bounded: a decompression bomb is left encoded. The decoded bytes live only while this frame is
    // shown, so more of them are kept than of a body in progress.
    constexpr uint64_t kMaxDecoded = uint64_t{64} << 20;
    constexpr size_t kDecodedKeep = size_t{16} << 20;
    DecodedBody d;
    if (decode_body(cur_.body, kDecodedKeep, kMaxDecoded, d)) {
      cur_.body = std::move(d.head);
      cur_.decoded = true;
      cur_.decoded_len = d.size;
    }
  }
  cur_.raw_head = std::move(head_);
  head_.clear();
  body_keep_ = 0;
  done.push_back(std::move(cur_));
  cur_ = HttpMessage{};
  state_ = State::Idle;
  header_bytes_ = 0;
}

HttpParser::GapEffect HttpParser::gap(uint64_t n, std::vector<HttpMessage>& done) {
  if (bad_ || n == 0) return GapEffect::Absorbed;
  struct Advance { // the hole's bytes count in the stream offsets whatever happens to the message
    uint64_t& pos;
    uint64_t& line;
    uint64_t n;
    ~Advance() { line = pos += n; }
  } advance{pos_, line_begin_, n};
  switch (state_) {
  case State::Body:
  case State::ChunkData:
    if (n <= remaining_) { // the hole lies inside the body: only its bytes are missing
      remaining_ -= n;
      cur_.body_len += n;
      if (remaining_ == 0) {
        if (state_ == State::Body)
          finish(done);
        else
          state_ = State::ChunkDataEnd, header_bytes_ = 0;
      }
      return GapEffect::Absorbed;
    }
    break;
  case State::UntilClose:
    cur_.body_len += n;
    return GapEffect::Absorbed;
  case State::Resync:
    lines_.reset();
    resync_skipped_ += resync_line_;
    resync_line_ = 0;
    return GapEffect::Absorbed; // still looking; the message before was already counted
  default:
    break;
  }
  GapEffect effect = GapEffect::Lost;
  if (state_ != State::Idle && state_ != State::FirstLine) { // the first line was seen
    finish(done);
    effect = GapEffect::Cut;
  }
  cur_ = HttpMessage{};
  head_.clear();
  lines_.reset();
  header_bytes_ = 0;
  remaining_ = 0;
  resync_line_ = 0;
  state_ = State::Resync;
  return effect;
}

bool HttpParser::feed(std::span<const uint8_t> in, std::vector<HttpMessage>& done, std::string& error) {
  if (bad_) return false;
  done_at_start_ = done.size();
  auto fail = [&](std::string why) {
    bad_ = true;
    error = std::move(why);
    return false;
  };
  while (!in.empty()) {
    switch (state_) {
    case State::Resync: {
      // Every line is a candidate, the first (partial) one too: the gap may end at a message start.
      size_t used = 0;
      std::string_view line;
      if (!lines_.mid_line()) line_begin_ = pos_, head_.clear();
      bool got = lines_.feed(in, used, line);
      keep(in.first(used));
      in = in.subspan(used);
      pos_ += used;
      resync_line_ += used;
      if (lines_.overflow) { // only a long run of body bytes
        resync_skipped_ += resync_line_;
        resync_line_ = 0;
      }
      if (!got) continue;
      std::string ignored;
      if (!line.empty() && start_line(line, ignored)) {
        header_bytes_ = resync_line_;
        msg_begin_ = line_begin_;
        state_ = State::Headers;
      } else {
        cur_ = HttpMessage{};
        resync_skipped_ += resync_line_;
      }
      resync_line_ = 0;
      continue;
    }
    case State::Idle:
    case State::FirstLine:
    case State::Headers:
    case State::Trailers:
    case State::ChunkSize:
    case State::ChunkDataEnd: {
      size_t used = 0;
      std::string_view line;
      if (!lines_.mid_line()) {
        line_begin_ = pos_;
        if (state_ == State::Idle) msg_begin_ = pos_, head_.clear();
      }
      bool got = lines_.feed(in, used, line);
      keep(in.first(used));
      in = in.subspan(used);
      pos_ += used;
      header_bytes_ += used;
      if (lines_.overflow || header_bytes_ > max_header_bytes_) {
        over_limit_ = true;
        return fail("HTTP: header section too long");
      }
      if (!got) {
        if (state_ == State::Idle && lines_.mid_line()) state_ = State::FirstLine;
        continue;
      }
      if (state_ == State::Idle || state_ == State::FirstLine) {
        if (line.empty()) { // CRLF between messages is tolerated
          state_ = State::Idle;
          header_bytes_ = 0;
          continue;
        }
        if (!start_line(line, error)) return fail(error);
        state_ = State::Headers;
        continue;
      }
      if (state_ == State::Headers) {
        if (line.empty()) {
          if (!headers_done(done, error)) return fail(error);
        } else {
          header_line(line);
        }
      } else if (state_ == State::ChunkSize) {
        std::string_view hex = line.substr(0, line.find(';'));
        hex = trim(hex);
        uint64_t v = 0;
        auto [p, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), v, 16);
        if (hex.empty() || ec != std::errc{} || p != hex.data() + hex.size())
          return fail("HTTP: bad chunk size");
        if (v == 0)
          state_ = State::Trailers;
        else
          remaining_ = v, state_ = State::ChunkData;
      } else if (state_ == State::ChunkDataEnd) {
        if (!line.empty()) return fail("HTTP: chunk not followed by CRLF");
        state_ = State::ChunkSize;
      } else if (state_ == State::Trailers) {
        if (line.empty()) finish(done);
      }
      continue;
    }
    case State::Body:
    case State::ChunkData: {
      size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, in.size()));
      remaining_ -= n;
      cur_.body_len += n;
      keep(in.first(n));
      keep_body(in.first(n));
      in = in.subspan(n);
      pos_ += n;
      if (remaining_ == 0) {
        if (state_ == State::Body)
          finish(done);
        else
          state_ = State::ChunkDataEnd, header_bytes_ = 0;
      }
      continue;
    }
    case State::UntilClose:
      cur_.body_len += in.size();
      keep(in);
      keep_body(in);
      pos_ += in.size();
      in = {};
      continue;
    }
  }
  return true;
}

void HttpParser::close(std::vector<HttpMessage>& done) {
  if (state_ == State::UntilClose) finish(done);
}

} // namespace ps::app
