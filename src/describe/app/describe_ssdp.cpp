// SSDP: HTTP messages over UDP port 1900, one per datagram (tshark's "ssdp" protocol, http.* fields).
#include <string>
#include <unordered_map>
#include <vector>

#include "app/http/http_parser.h"
#include "describe/app/app_describe.h"

namespace ps::app {

namespace {

constexpr uint16_t kSsdpPort = 1900;

// tshark's request/response records of one UDP conversation: a request (not a NOTIFY) opens one, a
// response completes the last one, or opens one of its own when that one was answered.
struct Conversation {
  uint32_t records = 0;
  uint64_t request_frame = 0, response_frame = 0; // of the last record
  int64_t request_ts = 0;
  bool answered = true;
  uint64_t prev_request = 0, prev_response = 0; // of the record before it
  std::string uri;                              // the last full request URI
};

// describe() keeps no per-capture state: the table lives here, per thread, and starts over when frame
// numbers go backwards (a new capture), as DNS's matcher does.
struct Table {
  std::unordered_map<uint32_t, Conversation> conv;
  uint64_t last_frame = 0;
};

// Bounded whatever the traffic (a flood of SSDP from distinct ports): past kMaxConversations the
// numbering starts over, as it does for a new capture.
constexpr size_t kMaxConversations = 4096;

Conversation& conversation(uint32_t stream, uint64_t frame) {
  thread_local Table t;
  if (frame <= t.last_frame || (t.conv.size() >= kMaxConversations && !t.conv.count(stream))) t.conv.clear();
  t.last_frame = frame;
  return t.conv[stream];
}

void number(Conversation& cv, HttpMessage& m, uint64_t frame, int64_t ts) {
  if (m.request) {
    if (!m.host.empty()) cv.uri = m.uri.starts_with("http://") ? m.uri : "http://" + m.host + m.uri;
    if (m.method == "NOTIFY") return;
    cv.prev_request = cv.request_frame;
    cv.prev_response = cv.response_frame;
    m.index = ++cv.records;
    m.requests_so_far = cv.records;
    m.prev_request = cv.prev_request;
    cv.request_frame = frame;
    cv.request_ts = ts;
    cv.response_frame = 0;
    cv.answered = false;
    return;
  }
  if (!cv.answered) {
    m.request_in = cv.request_frame;
    m.time_ns = ts - cv.request_ts;
  } else {
    cv.prev_request = cv.request_frame;
    cv.prev_response = cv.response_frame;
    ++cv.records;
    cv.request_frame = 0;
  }
  m.index = cv.records;
  m.requests_so_far = cv.records;
  m.prev_request = cv.prev_request;
  m.prev_response = cv.prev_response;
  m.request_uri = cv.uri;
  cv.response_frame = frame;
  cv.answered = true;
}

} // namespace

bool describe_ssdp(proto::Ctx& c) {
  const Decoded& d = c.pkt;
  if (!d.payload_len || !d.l4() || d.l4()->kind != Layer::Udp) return false;
  if (d.src_port != kSsdpPort && d.dst_port != kSsdpPort) return false;
  const std::span<const uint8_t> p = d.payload();
  const bool response =
      p.size() >= 5 && std::string_view(reinterpret_cast<const char*>(p.data()), 5) == "HTTP/";
  HttpParser parser(!response);
  std::vector<HttpMessage> done;
  std::string error;
  if (!parser.feed(p, done, error)) return false;
  parser.close(done);
  if (done.empty()) return false;
  const Frame& fr = c.frame();
  const int64_t ts = fr.ts.sec * 1'000'000'000 + static_cast<int64_t>(fr.ts.nsec);
  Conversation& cv = conversation(c.meta.udp.valid ? c.meta.udp.stream : 0, fr.number);
  Record& r = c.rec;
  r.append_protocol("ssdp");
  fmt::memory_buffer info;
  for (HttpMessage& m : done) {
    number(cv, m, fr.number, ts);
    describe_http_message(r, m, F::SSDP, "Simple Service Discovery Protocol");
    http_info_text(m, info);
  }
  if (r.columns_wanted()) {
    r.cols().protocol = "SSDP";
    set_info(r, {info.data(), info.size()});
  }
  return true;
}

} // namespace ps::app
