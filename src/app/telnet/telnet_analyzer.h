// Telnet: IAC commands (WILL/WONT/DO/DONT with their option, SB ... SE, the rest) and data bytes,
// with the parser state carried across segments.
#pragma once

#include <string_view>

#include "app/analyzer.h"

namespace ps::app {

// tshark's option names ("Terminal Type", "Negotiate About Window Size", ...); "" when unknown.
std::string_view telnet_option_name(int option);
// "Will", "Do", "Suboption", ... for a command byte.
std::string_view telnet_command_name(uint8_t cmd);

class TelnetAnalyzer final : public Analyzer {
public:
  explicit TelnetAnalyzer(AnalyzerEnv env) : env_(std::move(env)) {}
  void data(int dir, std::span<const uint8_t> bytes, const FrameInfo& f, AppFrame& out) override;
  void gap(int dir, uint64_t bytes, const FrameInfo& f, AppFrame& out) override;

private:
  static constexpr uint32_t kMaxSubneg = 4096;
  enum class State : uint8_t { Data, Iac, Option, Sb, SbIac };
  struct Dir {
    State state = State::Data;
    uint8_t cmd = 0;
    uint32_t sb_len = 0;
  };
  AnalyzerEnv env_;
  Dir dir_[2];
};

} // namespace ps::app
