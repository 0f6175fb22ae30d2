// HTTP/1.x over one TCP connection: two parsers (requests, responses), request/response pairing for
// keep-alive and pipelining, and tshark's per-frame placement (fields on the frame completing a PDU;
// the frames before it are "[TCP segment of a reassembled PDU]").
#pragma once

#include <deque>
#include <memory>

#include "app/analyzer.h"
#include "app/http/http_parser.h"

namespace ps::app {

class HttpAnalyzer final : public Analyzer {
public:
  explicit HttpAnalyzer(AnalyzerEnv env);
  void data(int dir, std::span<const uint8_t> bytes, const FrameInfo& f, AppFrame& out) override;
  void gap(int dir, uint64_t bytes, const FrameInfo& f, AppFrame& out) override;
  void frame_end(int dir, const FrameInfo& f, AppFrame& out) override;
  void fin(int dir, const FrameInfo& f, AppFrame& out) override;
  void finish() override;
  bool reads_checksum_status() const override { return true; }

private:
  struct Pending {
    uint64_t frame = 0;
    int64_t ts_ns = 0;
    bool head = false;
    size_t txn = SIZE_MAX; // index in env_.log->http
    bool lost = false;     // a request lost in a gap: a placeholder its response pairs with
    uint32_t number = 0;   // n-th request
    uint64_t prev_request = 0;
    std::string uri;        // full request URI
    bool registered = true; // tshark counted it (a frame cut before any header line: not)
  };
  struct Seg {
    uint64_t frame = 0;
    uint64_t begin = 0; // stream offset
    uint32_t len = 0;
  };
  static constexpr size_t kMaxSegs = 10000; // frames remembered per message for its reassembly subtree
  void note_segment(int dir, uint64_t frame, uint64_t begin, size_t len);
  void attach_segments(int dir, HttpMessage& m, const FrameInfo& f, AppFrame& out);
  // `seen`: tshark saw the message whole (a message cut by a gap is logged, never shown or referred to).
  void completed(int dir, std::vector<HttpMessage>& msgs, const FrameInfo& f, AppFrame& out, bool show,
                 bool seen = true);
  void standalone(int dir, std::span<const uint8_t> bytes, std::vector<HttpMessage>& reassembled,
                  AppFrame& out);
  void cut_segment(int dir, std::span<const uint8_t> bytes, const FrameInfo& f, AppFrame& out);

  AnalyzerEnv env_;
  HttpParser parser_[2]{HttpParser(true), HttpParser(false)};
  std::deque<Pending> pending_; // requests waiting for their response
  std::deque<Seg> segs_[2];     // the frames of the message in progress, per direction
  bool segs_overflow_[2] = {false, false};
  uint64_t frame_begin_[2] = {0, 0}; // stream offset of the current frame's first byte
  uint64_t last_request_frame_ = 0, last_response_frame_ = 0;
  uint32_t last_response_number_ = 0;
  bool alone_in_headers_[2] = {false, false}; // the last segment parsed alone ended inside headers
  bool cut_mode_[2] = {false, false};
  struct Begun {
    uint64_t frame = 0;
    int64_t ts_ns = 0;
  } alone_request_;                   // where a request still incomplete began, in a segment parsed alone
  uint64_t f_frame_ = 0;              // the frame being analyzed
  int64_t f_ts_ = 0;                  // a segment of this direction was cut by the snapshot length
  uint64_t unregistered_request_ = 0; // frame of a request cut before its first header line
  uint32_t requests_ = 0, responses_ = 0;
  uint64_t frame_seen_[2] = {0, 0};
  bool began_in_message_[2] = {false, false}; // a PDU was in progress when the frame began
  bool completed_in_frame_[2] = {false, false};
  bool standalone_mode_[2] = {false, false}; // a segment of this direction had a bad TCP checksum
};

} // namespace ps::app
