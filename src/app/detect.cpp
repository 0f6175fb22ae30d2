#include "app/detect.h"

#include <algorithm>
#include <string_view>

namespace ps::app {

namespace {

bool starts(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(0, p.size()) == p;
}

bool starts_nocase(std::string_view s, std::string_view p) {
  if (s.size() < p.size()) return false;
  for (size_t i = 0; i < p.size(); ++i) {
    char c = s[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    if (c != p[i]) return false;
  }
  return true;
}

bool http_request(std::string_view s) {
  static constexpr std::string_view kMethods[] = {"GET ",     "POST ",  "HEAD ",    "PUT ",   "DELETE ",
                                                  "OPTIONS ", "TRACE ", "CONNECT ", "PATCH ", "PROPFIND "};
  if (!std::any_of(std::begin(kMethods), std::end(kMethods),
                   [&](std::string_view m) { return starts(s, m); }))
    return false;
  // The first line must carry a version (within what we have), so "GET" in a chat is not HTTP.
  size_t eol = s.find('\n');
  std::string_view line = s.substr(0, eol);
  return line.find(" HTTP/1.") != std::string_view::npos || eol == std::string_view::npos;
}

bool three_digits(std::string_view s) {
  return s.size() >= 4 &&
         std::all_of(s.begin(), s.begin() + 3, [](char c) { return c >= '0' && c <= '9'; }) &&
         (s[3] == ' ' || s[3] == '-');
}

bool contains_nocase(std::string_view s, std::string_view needle) {
  for (size_t i = 0; i + needle.size() <= s.size(); ++i)
    if (starts_nocase(s.substr(i), needle)) return true;
  return false;
}

} // namespace

Service detect_service(std::span<const uint8_t> first, bool from_server, uint16_t server_port) {
  std::string_view s(reinterpret_cast<const char*>(first.data()), first.size());
  if (s.empty()) return Service::None;
  if (starts(s, "SSH-")) return Service::Ssh;
  if (first.size() >= 3 && first[0] == 0x16 && first[1] == 0x03 && first[2] <= 0x04) return Service::Tls;
  if (first.size() >= 2 && first[0] == 0xff && first[1] >= 0xfa && first[1] <= 0xfe) return Service::Telnet;
  if (starts(s, "HTTP/1.") || (!from_server && http_request(s))) return Service::Http;
  if (from_server) {
    if (starts(s, "+OK")) return Service::Pop3;
    if (three_digits(s) && starts(s, "220")) {
      size_t eol = s.find('\n');
      std::string_view banner = s.substr(0, eol);
      if (contains_nocase(banner, "FTP")) return Service::Ftp;
      if (contains_nocase(banner, "SMTP") || contains_nocase(banner, "MAIL")) return Service::Smtp;
      if (server_port == 21) return Service::Ftp;
      if (server_port == 25 || server_port == 587) return Service::Smtp;
    }
    return Service::None;
  }
  if (starts_nocase(s, "EHLO ") || starts_nocase(s, "HELO ")) return Service::Smtp;
  if (starts_nocase(s, "USER ") && server_port == 110) return Service::Pop3;
  if (starts_nocase(s, "USER ") || starts_nocase(s, "FEAT\r") || starts_nocase(s, "AUTH TLS")) {
    if (server_port == 110) return Service::Pop3;
    return Service::Ftp;
  }
  return Service::None;
}

} // namespace ps::app
