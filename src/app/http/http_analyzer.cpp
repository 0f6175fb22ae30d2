#include "app/http/http_analyzer.h"

namespace ps::app {

namespace {
constexpr size_t kMaxPending = 1024; // unanswered pipelined requests remembered per connection
}

HttpAnalyzer::HttpAnalyzer(AnalyzerEnv env) : env_(std::move(env)) {
  for (HttpParser& p : parser_) p.set_max_message(env_.max_message);
  parser_[1].response_may_have_body = [this](size_t earlier) {
    return earlier >= pending_.size() || !pending_[earlier].head;
  };
}

void HttpAnalyzer::completed(int dir, std::vector<HttpMessage>& msgs, const FrameInfo& f, AppFrame& out,
                             bool show) {
  for (HttpMessage& m : msgs) {
    if (dir == 0) {
      m.index = ++requests_;
      Pending p{f.number, f.ts_ns, m.method == "HEAD", SIZE_MAX};
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
      if (pending_.size() < kMaxPending) pending_.push_back(p);
    } else {
      m.index = ++responses_;
      Pending p;
      bool paired = false;
      if (m.code >= 200 || m.code < 100) { // an interim 1xx does not answer the request
        if (!pending_.empty()) {
          p = pending_.front();
          pending_.pop_front();
          paired = true;
        }
      } else if (!pending_.empty()) {
        p = pending_.front();
        paired = true;
      }
      if (paired && p.lost) paired = false; // the answer to a request lost in a gap
      if (paired) {
        m.request_in = p.frame;
        m.time_ns = f.ts_ns - p.ts_ns;
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

void HttpAnalyzer::standalone(int dir, std::span<const uint8_t> bytes, AppFrame& out) {
  // tshark does not reassemble a segment whose checksum is wrong: it dissects the segment alone.
  HttpParser p(dir == 0);
  std::vector<HttpMessage> msgs;
  std::string err;
  bool ok = p.feed(bytes, msgs, err);
  if (!ok && msgs.empty()) {
    out.continuation = true;
    return;
  }
  if (p.in_message() && !p.first_line().empty()) msgs.push_back(p.partial());
  for (HttpMessage& m : msgs) {
    if (dir == 1 && !pending_.empty() && !pending_.front().lost) {
      m.request_in = pending_.front().frame;
    }
    out.http.push_back(std::move(m));
  }
}

void HttpAnalyzer::data(int dir, std::span<const uint8_t> bytes, const FrameInfo& f, AppFrame& out) {
  if (frame_seen_[dir] != f.number) {
    frame_seen_[dir] = f.number;
    began_in_message_[dir] = parser_[dir].in_message();
    completed_in_frame_[dir] = false;
  }
  if (f.checksum_bad) standalone_mode_ = true;
  std::vector<HttpMessage> msgs;
  std::string err;
  bool ok = parser_[dir].feed(bytes, msgs, err);
  if (standalone_mode_) {
    standalone(dir, bytes, out); // before completed(): it pairs with the request still pending
    completed(dir, msgs, f, out, false);
  } else {
    completed(dir, msgs, f, out, true);
  }
  if (!ok && !standalone_mode_) {
    if (parser_[dir].over_limit())
      oversize(env_, out, err);
    else
      violation(out, err);
  }
}

void HttpAnalyzer::gap(int dir, uint64_t bytes, const FrameInfo& f, AppFrame& out) {
  // Resynchronise at the next message of this direction (HttpParser::gap), as tshark and Zeek do.
  std::vector<HttpMessage> msgs;
  HttpParser::GapEffect effect = parser_[dir].gap(bytes, msgs);
  completed(dir, msgs, f, out, !standalone_mode_); // a message cut short still pairs
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
  if (standalone_mode_ || !f.has_payload || !parser_[dir].in_message()) return;
  if (frame_seen_[dir] != f.number) {
    // Old or out-of-order bytes inside a PDU in progress: tshark counts them as part of it.
    out.segment = AppFrame::Segment::PduMiddle;
    return;
  }
  if (completed_in_frame_[dir]) return;
  if (!began_in_message_[dir] && !parser_[dir].first_line().empty()) {
    out.segment = AppFrame::Segment::PduStart;
    out.pdu_first_line = parser_[dir].first_line();
  } else {
    out.segment = AppFrame::Segment::PduMiddle;
  }
}

void HttpAnalyzer::fin(int dir, const FrameInfo& f, AppFrame& out) {
  std::vector<HttpMessage> msgs;
  parser_[dir].close(msgs);
  completed(dir, msgs, f, out, !standalone_mode_);
}

void HttpAnalyzer::finish() {
  std::vector<HttpMessage> msgs;
  parser_[1].close(msgs);
  AppFrame sink;
  completed(1, msgs, FrameInfo{}, sink, false);
}

} // namespace ps::app
