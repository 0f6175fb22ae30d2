// Incremental HTTP/1.x message parser for one direction of a connection: request or status line,
// headers, then a body framed by Content-Length, chunked encoding, or (responses) the end of the
// connection. Fed arbitrary splits of the stream; keeps at most one header line and one chunk-size
// line buffered.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "app/line_buffer.h"
#include "app/messages.h"

namespace ps::app {

class HttpParser {
public:
  static constexpr size_t kMaxHeadersKept = 64;

  explicit HttpParser(bool requests) : requests_(requests) {}

  // Responses: asked when a response's headers are complete whether it can carry a body (false for
  // the answer to HEAD, like 1xx/204/304 which the parser knows itself). The argument counts the
  // responses this feed() completed before it (their requests are not yet paired).
  std::function<bool(size_t)> response_may_have_body;

  // The longest header section (and line) accepted (Limits::max_message).
  void set_max_message(size_t n) {
    max_header_bytes_ = n;
    lines_.set_max(n);
  }
  // Off: only a body's first bytes (its signature) are kept, whatever its media type.
  void set_keep_bodies(bool on) { keep_bodies_ = on; }
  // The parser stopped because a header section or line exceeded that maximum.
  bool over_limit() const { return over_limit_; }

  // Parses `in`; complete messages are appended to `done`. Returns false on a protocol violation
  // (`error` says why); the parser is then unusable.
  bool feed(std::span<const uint8_t> in, std::vector<HttpMessage>& done, std::string& error);
  // The connection ended: a body delimited by the close is complete now.
  void close(std::vector<HttpMessage>& done);

  // What `n` stream bytes missing before the next feed() did to the message in progress.
  enum class GapEffect : uint8_t {
    Absorbed, // they lay inside a body of known (or close-delimited) length: parsing goes on
    Cut,      // the message in progress ends here as far as it was seen (appended to `done`)
    Lost,     // a message started inside the missing bytes (or its first line was cut)
  };
  // After Cut or Lost the parser skips bytes up to the next line that is a request line (requests) or
  // a status line (responses) and goes on from there.
  GapEffect gap(uint64_t n, std::vector<HttpMessage>& done);
  // Bytes skipped while looking for the next message after a gap.
  uint64_t resync_skipped() const { return resync_skipped_; }

  // Some bytes of a message arrived but the message is not complete.
  bool in_message() const { return state_ != State::Idle && state_ != State::Resync; }
  // The first line of the message in progress (empty until it completed).
  const std::string& first_line() const { return cur_.first_line; }
  // Still in the first line or the headers of a message.
  bool in_headers() const { return state_ == State::FirstLine || state_ == State::Headers; }
  // The header line in progress (no line end seen yet).
  std::string_view pending_line() const { return lines_.pending(); }
  // The message in progress with the header line in progress taken as a header when it has a colon
  // (in `partial_line`): what tshark reads of a frame cut by the snapshot length.
  HttpMessage partial_with_pending() const;
  // The message in progress as parsed so far.
  HttpMessage partial() const { return cur_; }
  // Bytes of this direction's stream consumed so far (gaps included).
  uint64_t position() const { return pos_; }
  // Where the message in progress began (position() when none is).
  uint64_t message_begin() const { return in_message() ? msg_begin_ : pos_; }

private:
  enum class State : uint8_t {
    Idle,
    FirstLine,
    Headers,
    Body,
    ChunkSize,
    ChunkData,
    ChunkDataEnd,
    Trailers,
    UntilClose,
    Resync, // after a gap: looking for the next first line
  };
  bool start_line(std::string_view line, std::string& error);
  void header_line(std::string_view line);
  static void apply_header(HttpMessage& m, std::string_view line);
  bool headers_done(std::vector<HttpMessage>& done, std::string& error);
  void finish(std::vector<HttpMessage>& done);
  void keep(std::span<const uint8_t> consumed); // raw head of the message
  void keep_body(std::span<const uint8_t> body);

  bool requests_;
  State state_ = State::Idle;
  LineBuffer lines_;
  HttpMessage cur_;
  size_t header_bytes_ = 0;
  size_t max_header_bytes_ = LineBuffer::kDefaultMaxLine;
  bool keep_bodies_ = true;
  bool over_limit_ = false;
  uint64_t remaining_ = 0;
  bool bad_ = false;
  size_t done_at_start_ = 0; // size of `done` when feed() began
  uint64_t resync_skipped_ = 0;
  uint64_t resync_line_ = 0; // bytes of the candidate line so far
  uint64_t pos_ = 0;         // stream offset of the next byte
  uint64_t line_begin_ = 0;  // stream offset where the line in progress began
  uint64_t msg_begin_ = 0;   // stream offset where the message in progress began
  std::string head_;         // first bytes of the message in progress
  size_t body_keep_ = 0;     // body bytes of the message in progress to keep
};

// Splits "Host: name:port" style values; port 0 when absent or not a number.
void split_host_port(std::string_view host, std::string& name, uint16_t& port);

} // namespace ps::app
