// SMTP: commands and replies line by line, the DATA phase (message size, From/Subject for the log),
// and STARTTLS, after which the connection is TLS (app/starttls.h).
#pragma once

#include <deque>

#include "app/analyzer.h"
#include "app/dot_terminator.h"
#include "app/line_buffer.h"
#include "app/starttls.h"

namespace ps::app {

class SmtpAnalyzer final : public Analyzer {
public:
  explicit SmtpAnalyzer(AnalyzerEnv env) : env_(std::move(env)) {
    for (LineBuffer& l : lines_) l.set_max(env_.max_message);
  }
  void data(int dir, std::span<const uint8_t> bytes, const FrameInfo& f, AppFrame& out) override;
  void gap(int dir, uint64_t bytes, const FrameInfo& f, AppFrame& out) override;
  void finish() override;

private:
  static constexpr size_t kMaxHeaderKeep = 16 * 1024;
  void command(std::string_view line, const FrameInfo& f, AppFrame& out);
  void reply(std::string_view line, const FrameInfo& f, AppFrame& out);
  void message_header_fields(AppFrame& out);
  bool auth_line(std::string_view line, AppFrame& out);
  size_t tshark_eom(std::span<const uint8_t> chunk) const;
  void add_fragment(uint64_t frame, size_t len);
  void auth_command(SmtpLine& l);
  SmtpTxn& txn(const FrameInfo& f);
  bool can_log(); // a transaction is open or one more fits in the log (counted when not)

  AnalyzerEnv env_;
  LineBuffer lines_[2];
  DotTerminator dot_;
  bool data_phase_ = false; // client is sending the message
  // Commands waiting for their reply, in order (true: DATA): with PIPELINING (RFC 2920) MAIL, RCPT and
  // DATA come in one segment and their replies in order, so DATA's reply is the one at its place.
  std::deque<bool> awaiting_;
  uint64_t data_end_frame_ = 0; // the frame whose bytes ended the last message
  bool starttls_ = false, encrypted_ = false;
  StartTls tls_;
  std::string headers_; // the message's first bytes, for From/Subject
  uint64_t msg_size_ = 0;
  std::vector<SmtpFragment> fragments_; // frames of the message in progress
  bool data_crlf_ = true;               // the message's bytes so far end with CRLF
  // AUTH LOGIN / PLAIN (RFC 4954) as tshark follows it: after "AUTH LOGIN" the server's 334 asks for
  // the username, the next 334 for the password; after "AUTH PLAIN" a 334 asks for both in one line.
  enum class Auth : uint8_t {
    None,
    Start,
    UserReq,
    UserRsp,
    PassReq,
    PassRsp,
    PlainStart,
    PlainReq,
    PlainRsp
  };
  Auth auth_ = Auth::None;
  std::string helo_;
  uint32_t depth_ = 0;
  size_t txn_ = SIZE_MAX, last_txn_ = SIZE_MAX;
};

} // namespace ps::app
