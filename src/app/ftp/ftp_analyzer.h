// FTP control connection: command and reply lines (multi-line replies grouped for the log), the data
// connections PORT/PASV/EPRT/EPSV announce, and which command a transfer belongs to.
#pragma once

#include <memory>

#include "app/analyzer.h"
#include "app/expected.h"
#include "app/line_buffer.h"
#include "app/starttls.h"

namespace ps::app {

class FtpAnalyzer final : public Analyzer {
public:
  explicit FtpAnalyzer(AnalyzerEnv env);
  void data(int dir, std::span<const uint8_t> bytes, const FrameInfo& f, AppFrame& out) override;
  void gap(int dir, uint64_t bytes, const FrameInfo& f, AppFrame& out) override;
  void finish() override { tls_.finish(); }

private:
  void request(std::string_view line, const FrameInfo& f, AppFrame& out);
  void reply(std::string_view line, const FrameInfo& f, AppFrame& out);
  void expect(uint8_t ip_version, const std::array<uint8_t, 16>& ip, uint16_t port, const FrameInfo& f,
              std::string_view method);

  AnalyzerEnv env_;
  LineBuffer lines_[2];
  std::shared_ptr<FtpControlState> state_ = std::make_shared<FtpControlState>();
  bool cwd_changed_ = false; // by the reply just parsed
  int multiline_code_ = -1;  // inside "211-...": the code that ends it
  std::string user_, password_;
  size_t open_txn_ = SIZE_MAX;                // log entry awaiting its final reply
  bool auth_tls_ = false, encrypted_ = false; // AUTH TLS/SSL sent; accepted (234): TLS from here on
  StartTls tls_;
};

// ftp-data: counts the bytes of a data connection and labels them with the control command.
class FtpDataAnalyzer final : public Analyzer {
public:
  FtpDataAnalyzer(AnalyzerEnv env, const ExpectedConn* expected);
  void data(int dir, std::span<const uint8_t> bytes, const FrameInfo& f, AppFrame& out) override;

private:
  AnalyzerEnv env_;
  FtpDataLink link_;
  std::shared_ptr<FtpControlState> control_;
};

} // namespace ps::app
