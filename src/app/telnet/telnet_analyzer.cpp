#include "app/telnet/telnet_analyzer.h"

namespace ps::app {

namespace {
constexpr uint8_t kIac = 255, kSb = 250, kSe = 240, kWill = 251, kDont = 254;
}

std::string_view telnet_option_name(int o) {
  switch (o) {
  case 0:
    return "Binary Transmission";
  case 1:
    return "Echo";
  case 3:
    return "Suppress Go Ahead";
  case 5:
    return "Status";
  case 6:
    return "Timing Mark";
  case 24:
    return "Terminal Type";
  case 31:
    return "Negotiate About Window Size";
  case 32:
    return "Terminal Speed";
  case 33:
    return "Remote Flow Control";
  case 34:
    return "Linemode";
  case 35:
    return "X Display Location";
  case 36:
    return "Environment Option";
  case 37:
    return "Authentication Option";
  case 38:
    return "Encryption Option";
  case 39:
    return "New Environment Option";
  default:
    return "";
  }
}

std::string_view telnet_command_name(uint8_t c) {
  switch (c) {
  case 240:
    return "Suboption End";
  case 241:
    return "No Operation";
  case 242:
    return "Data Mark";
  case 243:
    return "Break";
  case 244:
    return "Interrupt Process";
  case 245:
    return "Abort Output";
  case 246:
    return "Are You There";
  case 247:
    return "Escape Character";
  case 248:
    return "Erase Line";
  case 249:
    return "Go Ahead";
  case 250:
    return "Suboption";
  case 251:
    return "Will";
  case 252:
    return "Won't";
  case 253:
    return "Do";
  case 254:
    return "Don't";
  default:
    return "Unknown";
  }
}

void TelnetAnalyzer::data(int dir, std::span<const uint8_t> bytes, const FrameInfo& f, AppFrame& out) {
  (void)f;
  Dir& d = dir_[dir];
  out.telnet = true;
  const uint32_t base = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    uint8_t b = bytes[i];
    uint32_t at = base + static_cast<uint32_t>(i);
    switch (d.state) {
    case State::Data:
      if (b == kIac)
        d.state = State::Iac;
      else
        ++out.telnet_data_bytes;
      break;
    case State::Iac:
      if (b == kIac) { // escaped 0xff data byte
        ++out.telnet_data_bytes;
        d.state = State::Data;
      } else if (b >= kWill && b <= kDont) {
        d.cmd = b;
        d.state = State::Option;
      } else if (b == kSb) {
        d.cmd = b;
        d.state = State::Option;
      } else {
        if (b >= kSe && out.telnet_cmds.size() < 256) out.telnet_cmds.push_back({b, -1, at, 1});
        d.state = State::Data;
      }
      break;
    case State::Option:
      if (out.telnet_cmds.size() < 256) out.telnet_cmds.push_back({d.cmd, b, at, 2});
      if (d.cmd == kSb) {
        d.state = State::Sb;
        d.sb_len = 0;
      } else {
        d.state = State::Data;
      }
      break;
    case State::Sb:
      if (b == kIac)
        d.state = State::SbIac;
      else if (++d.sb_len > kMaxSubneg)
        return violation(out, "Telnet: unterminated suboption");
      break;
    case State::SbIac:
      if (b == kSe)
        d.state = State::Data;
      else
        d.state = State::Sb; // IAC IAC inside a suboption, or a sloppy peer
      break;
    }
  }
}

void TelnetAnalyzer::gap(int dir, uint64_t bytes, const FrameInfo& f, AppFrame& out) {
  (void)bytes;
  (void)f;
  (void)out;
  dir_[dir] = Dir{}; // resynchronise on data
}

} // namespace ps::app
