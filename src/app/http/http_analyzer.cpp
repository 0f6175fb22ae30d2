#include "app/http/http_analyzer.h"

#include <algorithm>

namespace ps::app {

namespace {
constexpr size_t kMaxPending = 1024; // unanswered pipelined requests remembered per connection
}

HttpAnalyzer::HttpAnalyzer(AnalyzerEnv env) : env_(std::move(env)) {
  for (HttpParser& p : parser_) {
    p.set_max_message(env_.max_message);
    p.set_keep_bodies(env_.http_bodies);
  }
  parser_[1].response_may_have_body = [this](size_t earlier) {
    return earlier >= pending_.size() || !pending_[earlier].head;
  };
}

namespace {

std::string full_uri(const HttpMessage& m) {
  if (m.uri.starts_with("http://") || m.host.empty()) return m.uri;
  return "http://" + m.host + m.uri;
}

} // namespace

void HttpAnalyzer::note_segment(int dir, uint64_t frame, uint64_t begin, size_t len) {
  if (len == 0) return;
  std::deque<Seg>& q = segs_[dir];
  if (!q.empty() && q.back().frame == frame && q.back().begin + q.back().len == begin) {
    q.back().len += static_cast<uint32_t>(len);
    return;
  }
  if (q.size() >= kMaxSegs) {
    segs_overflow_[dir] = true;
    return;
  }
  q.push_back(Seg{frame, begin, static_cast<uint32_t>(len)});
}

void HttpAnalyzer::attach_segments(int dir, HttpMessage& m, const FrameInfo& f, AppFrame& out) {
  std::deque<Seg>& q = segs_[dir];
  std::vector<std::pair<uint64_t, uint32_t>> list;
  for (const Seg& s : q) {
    uint64_t lo = std::max(s.begin, m.stream_begin), hi = std::min(s.begin + s.len, m.stream_end);
    if (hi > lo) list.emplace_back(s.frame, static_cast<uint32_t>(hi - lo));
  }
  if (list.size() > 1 && !segs_overflow_[dir]) {
    if (list.back().first == f.number) out.segment_bytes += list.back().second;
    m.segments = std::move(list);
  }
  // Forget the frames wholly before what the parser still needs.
  uint64_t keep_from = parser_[dir].message_begin();
  while (!q.empty() && q.front().begin + q.front().len <= keep_from) q.pop_front();
  if (q.empty()) segs_overflow_[dir] = false;
}

void HttpAnalyzer::completed(int dir, std::vector<HttpMessage>& msgs, const FrameInfo& f, AppFrame& out,
                             bool show, bool seen) {
  for (HttpMessage& m : msgs) {
    if (show) attach_segments(dir, m, f, out);
    if (dir == 0) {
      m.index = ++requests_;
      m.requests_so_far = requests_;
      m.prev_request = last_request_frame_;
      if (seen) last_request_frame_ = f.number;
      // A request tshark saw begin in a segment it dissected alone is that segment's.
      const bool begun = standalone_mode_[0] && alone_request_.frame;
      Pending p{begun ? alone_request_.frame : f.number,
                begun ? alone_request_.ts_ns : f.ts_ns,
                m.method == "HEAD",
                SIZE_MAX,
                false,
                m.index,
                m.prev_request,
                full_uri(m)};
      alone_request_ = {};
      p.registered = unregistered_request_ != f.number;
      if (env_.log && env_.log->room(env_.log->http)) {
        HttpTxn t;
        t.ts_ns = f.ts_ns;
        t.id = env_.id;
        t.trans_depth = m.index;
        t.method = m.method;
        t.host = m.host;
        t.uri = m.uri;
        t.referrer = m.referer;
        t.version = m.version.starts_with("HTTP/") ? m.version.substr(5) : m.version;
        t.user_agent = m.user_agent;
        t.request_body_len = m.body_len;
        t.request_frame = f.number;
        p.txn = env_.log->http.size();
        env_.log->http.push_back(std::move(t));
      }
      if (pending_.size() < kMaxPending) pending_.push_back(std::move(p));
    } else {
      ++responses_;
      Pending p;
      bool paired = false;
      if (m.code >= 200 || m.code < 100) { // an interim 1xx does not answer the request
        if (!pending_.empty()) {
          p = std::move(pending_.front());
          pending_.pop_front();
          paired = true;
        }
      } else if (!pending_.empty()) {
        p = pending_.front();
        paired = true;
      }
      if (paired && p.lost) paired = false; // the answer to a request lost in a gap
      // tshark numbers a response after the request it answers ("HTTP response 2/3").
      m.index = paired ? p.number : responses_;
      m.requests_so_far = requests_;
      if (paired) m.request_uri = p.uri;
      if (paired && p.registered) {
        m.request_in = p.frame;
        m.time_ns = f.ts_ns - p.ts_ns;
        m.prev_request = p.prev_request;
        if (last_response_frame_ && last_response_number_ + 1 == p.number)
          m.prev_response = last_response_frame_;
      }
      if (seen && (m.code >= 200 || m.code < 100)) {
        last_response_frame_ = f.number;
        last_response_number_ = m.index;
      }
      if (env_.log && m.code >= 200) {
        HttpTxn* t = nullptr;
        if (paired && p.txn < env_.log->http.size())
          t = &env_.log->http[p.txn];
        else if (!paired && env_.log->room(env_.log->http)) { // a response without its request
          env_.log->http.emplace_back();
          t = &env_.log->http.back();
          t->ts_ns = f.ts_ns;
          t->id = env_.id;
          t->trans_depth = m.index;
        }
        if (t) {
          t->status_code = m.code;
          t->status_msg = m.phrase;
          t->response_body_len = m.body_len;
          t->resp_mime = m.content_type.substr(0, m.content_type.find(';'));
          t->response_frame = f.number;
        }
      }
    }
    completed_in_frame_[dir] = true;
    if (show) out.http.push_back(std::move(m));
  }
}

void HttpAnalyzer::cut_segment(int dir, std::span<const uint8_t> bytes, const FrameInfo& f, AppFrame& out) {
  // tshark cannot reassemble a segment the capture cut short (snapshot length): it dissects the bytes
  // there are, up to the end of the captured part. Such a direction is analyzed segment by segment.
  out.http_truncated = f.truncated;
  HttpParser p(dir == 0);
  p.set_max_message(env_.max_message);
  p.set_keep_bodies(env_.http_bodies);
  std::vector<HttpMessage> msgs;
  std::string err;
  bool ok = p.feed(bytes, msgs, err);
  if (msgs.empty() && (!ok || p.first_line().empty())) { // no first line: bytes of a body
    out.continuation = true;
    out.continuation_bytes = static_cast<uint32_t>(bytes.size());
    return;
  }
  if (p.in_message() && !p.first_line().empty()) {
    if (p.in_headers()) {
      // A last header line without its end is read as a header when it has a colon, and the headers
      // end there; a request cut before that is never counted (its response names no request frame).
      msgs.push_back(p.partial_with_pending());
      msgs.back().truncated = f.truncated;
      if (dir == 0 && msgs.back().partial_line.empty()) unregistered_request_ = f.number;
    } else {
      msgs.push_back(p.partial());
    }
  }
  completed(dir, msgs, f, out, true);
}

void HttpAnalyzer::standalone(int dir, std::span<const uint8_t> bytes, std::vector<HttpMessage>& reassembled,
                              AppFrame& out) {
  // tshark does not reassemble a segment whose checksum is wrong: it dissects the segment alone. The
  // numbering and pairing are those of the stream (the reassembled messages, in order).
  HttpParser p(dir == 0);
  p.set_max_message(env_.max_message);
  p.set_keep_bodies(env_.http_bodies);
  std::vector<HttpMessage> msgs;
  std::string err;
  bool ok = p.feed(bytes, msgs, err);
  if (msgs.empty() && (!ok || p.first_line().empty())) { // no first line: bytes of a body
    out.continuation = true;
    // After a segment that ended inside the headers tshark reads these bytes as more headers.
    out.continuation_bytes = alone_in_headers_[dir] ? 0 : static_cast<uint32_t>(bytes.size());
    alone_in_headers_[dir] = false;
    return;
  }
  alone_in_headers_[dir] = false;
  if (p.in_message() && !p.first_line().empty()) {
    if (p.in_headers()) {
      // The headers go on in a segment tshark will not join to this one: a last line with a colon is
      // read as the last header, otherwise tshark reports the segment unreassembled.
      msgs.push_back(p.partial_with_pending());
      msgs.back().truncated = true;
      out.http_unreassembled = msgs.back().partial_line.empty();
      alone_in_headers_[dir] = true;
      if (dir == 0) alone_request_ = {f_frame_, f_ts_};
    } else {
      msgs.push_back(p.partial());
    }
  }
  for (size_t i = 0; i < msgs.size(); ++i) {
    HttpMessage& m = msgs[i];
    if (i < reassembled.size()) {
      const HttpMessage& r = reassembled[i];
      m.index = r.index;
      m.requests_so_far = r.requests_so_far;
      m.prev_request = r.prev_request;
      m.prev_response = r.prev_response;
      m.request_in = r.request_in;
      m.time_ns = r.time_ns;
      m.request_uri = r.request_uri;
    } else if (dir == 0) { // a request still incomplete in the stream
      m.index = m.requests_so_far = requests_ + 1;
      m.prev_request = last_request_frame_;
    } else if (!pending_.empty() && !pending_.front().lost) { // a response still incomplete
      const Pending& q = pending_.front();
      if (q.registered) m.request_in = q.frame;
      m.index = q.number;
      m.requests_so_far = requests_;
      m.request_uri = q.uri;
    }
    out.http.push_back(std::move(m));
  }
}

void HttpAnalyzer::data(int dir, std::span<const uint8_t> bytes, const FrameInfo& f, AppFrame& out) {
  if (f.truncated) cut_mode_[dir] = true;
  if (cut_mode_[dir]) {
    cut_segment(dir, bytes, f, out);
    return;
  }
  if (frame_seen_[dir] != f.number) {
    frame_seen_[dir] = f.number;
    began_in_message_[dir] = parser_[dir].in_message();
    completed_in_frame_[dir] = false;
    frame_begin_[dir] = parser_[dir].position();
  }
  if (f.checksum_bad) standalone_mode_[dir] = true;
  f_frame_ = f.number;
  f_ts_ = f.ts_ns;
  const bool alone = standalone_mode_[dir];
  if (!alone) note_segment(dir, f.number, parser_[dir].position(), bytes.size());
  std::vector<HttpMessage> msgs;
  std::string err;
  bool ok = parser_[dir].feed(bytes, msgs, err);
  if (alone) {
    completed(dir, msgs, f, out, false);
    standalone(dir, bytes, msgs, out);
  } else {
    completed(dir, msgs, f, out, true);
  }
  if (!ok && !standalone_mode_[dir]) {
    if (parser_[dir].over_limit())
      oversize(env_, out, err);
    else
      violation(out, err);
  }
}

void HttpAnalyzer::gap(int dir, uint64_t bytes, const FrameInfo& f, AppFrame& out) {
  if (cut_mode_[dir]) return; // analyzed segment by segment: nothing to resynchronise
  // Resynchronise at the next message of this direction (HttpParser::gap), as tshark and Zeek do.
  std::vector<HttpMessage> msgs;
  HttpParser::GapEffect effect = parser_[dir].gap(bytes, msgs);
  // A message cut short still pairs and is logged; tshark never shows a PDU it could not complete.
  completed(dir, msgs, f, out, false, false);
  if (effect != HttpParser::GapEffect::Lost) return;
  if (dir == 1) {
    // A response was lost: it answered the oldest unanswered request (responses come in request order,
    // pipelined or not), which keeps no status; the next response found pairs with the one after.
    if (!pending_.empty()) pending_.pop_front();
  } else if (pending_.size() < kMaxPending) {
    // A request was lost: its response, when it comes, must not pair with the next request.
    Pending lost;
    lost.lost = true;
    pending_.push_back(lost);
  }
}

void HttpAnalyzer::frame_end(int dir, const FrameInfo& f, AppFrame& out) {
  if (standalone_mode_[dir] || cut_mode_[dir] || !f.has_payload || !parser_[dir].in_message()) return;
  if (frame_seen_[dir] != f.number) {
    // Old or out-of-order bytes inside a PDU in progress: tshark counts them as part of it.
    out.segment = AppFrame::Segment::PduMiddle;
    return;
  }
  if (completed_in_frame_[dir]) return;
  uint64_t from = std::max(frame_begin_[dir], parser_[dir].message_begin());
  if (parser_[dir].position() > from)
    out.segment_bytes += static_cast<uint32_t>(parser_[dir].position() - from);
  if (!began_in_message_[dir] && !parser_[dir].first_line().empty()) {
    out.segment = AppFrame::Segment::PduStart;
    out.pdu_first_line = parser_[dir].first_line();
  } else {
    out.segment = AppFrame::Segment::PduMiddle;
  }
}

void HttpAnalyzer::fin(int dir, const FrameInfo& f, AppFrame& out) {
  if (cut_mode_[dir]) return;
  std::vector<HttpMessage> msgs;
  parser_[dir].close(msgs);
  completed(dir, msgs, f, out, !standalone_mode_[dir]);
}

void HttpAnalyzer::finish() {
  if (cut_mode_[1]) return;
  std::vector<HttpMessage> msgs;
  parser_[1].close(msgs);
  AppFrame sink;
  completed(1, msgs, FrameInfo{}, sink, false);
}

} // namespace ps::app
