// Small text checks shared by the line-based analyzers (FTP, SMTP, POP3).
#pragma once

#include <algorithm>
#include <string>
#include <string_view>

namespace ps::app {

// A command or reply line with control characters (other than tab) is not the protocol we think.
inline bool has_control_chars(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 && c != '\t'; });
}

// ASCII upper case (commands are case-insensitive; logs show them upper case).
inline std::string upper(std::string_view s) {
  std::string u(s);
  for (char& c : u)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  return u;
}

} // namespace ps::app
