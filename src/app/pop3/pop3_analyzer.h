// POP3: commands, +OK/-ERR status lines, and the multi-line responses (RETR, TOP, LIST, UIDL, CAPA)
// that end with a "." line.
#pragma once

#include "app/analyzer.h"
#include "app/dot_terminator.h"
#include "app/line_buffer.h"
#include "app/starttls.h"

namespace ps::app {

class Pop3Analyzer final : public Analyzer {
public:
  explicit Pop3Analyzer(AnalyzerEnv env) : env_(std::move(env)) {
    for (LineBuffer& l : lines_) l.set_max(env_.max_message);
  }
  void data(int dir, std::span<const uint8_t> bytes, const FrameInfo& f, AppFrame& out) override;
  void gap(int dir, uint64_t bytes, const FrameInfo& f, AppFrame& out) override;
  void finish() override { tls_.finish(); }

private:
  void command(std::string_view line, const FrameInfo& f, AppFrame& out);
  void status(std::string_view line, AppFrame& out);
  bool stls_ = false, encrypted_ = false; // STLS sent; accepted (+OK): TLS from here on
  StartTls tls_;

  AnalyzerEnv env_;
  LineBuffer lines_[2];
  DotTerminator dot_;
  bool multiline_expected_ = false; // the last command answers with a multi-line body on +OK
  bool in_body_ = false;
  size_t txn_ = SIZE_MAX;
};

} // namespace ps::app
