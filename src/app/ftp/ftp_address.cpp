#include "app/ftp/ftp_address.h"

#include <arpa/inet.h>

#include <charconv>
#include <string>

namespace ps::app {

namespace {

bool digit(char c) {
  return c >= '0' && c <= '9';
}

// Reads a decimal number of at most `max` at s[i]; advances i.
bool number(std::string_view s, size_t& i, unsigned max, unsigned& v) {
  size_t start = i;
  v = 0;
  while (i < s.size() && digit(s[i]) && i - start < 6) v = v * 10 + unsigned(s[i++] - '0');
  return i > start && v <= max;
}

} // namespace

std::optional<FtpEndpoint> parse_ftp_hostport(std::string_view s) {
  for (size_t start = 0; start < s.size(); ++start) {
    if (!digit(s[start]) || (start > 0 && digit(s[start - 1]))) continue;
    size_t i = start;
    unsigned v[6];
    bool ok = true;
    for (int k = 0; k < 6 && ok; ++k) {
      ok = number(s, i, 255, v[k]);
      if (ok && k < 5) {
        while (i < s.size() && s[i] == ' ') ++i;
        ok = i < s.size() && s[i] == ',';
        ++i;
        while (i < s.size() && s[i] == ' ') ++i;
      }
    }
    if (!ok) continue;
    FtpEndpoint e;
    for (int k = 0; k < 4; ++k) e.ip[static_cast<size_t>(k)] = static_cast<uint8_t>(v[k]);
    e.port = static_cast<uint16_t>(v[4] * 256 + v[5]);
    return e;
  }
  return std::nullopt;
}

std::optional<FtpEndpoint> parse_eprt(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  if (s.size() < 7) return std::nullopt;
  char d = s[0];
  size_t p1 = s.find(d, 1), p2 = p1 == std::string_view::npos ? p1 : s.find(d, p1 + 1),
         p3 = p2 == std::string_view::npos ? p2 : s.find(d, p2 + 1);
  if (p3 == std::string_view::npos) return std::nullopt;
  std::string_view proto = s.substr(1, p1 - 1), addr = s.substr(p1 + 1, p2 - p1 - 1),
                   port = s.substr(p2 + 1, p3 - p2 - 1);
  FtpEndpoint e;
  std::string a(addr.substr(0, 63));
  if (proto == "1") {
    e.ip_version = 4;
    if (inet_pton(AF_INET, a.c_str(), e.ip.data()) != 1) return std::nullopt;
  } else if (proto == "2") {
    e.ip_version = 6;
    if (inet_pton(AF_INET6, a.c_str(), e.ip.data()) != 1) return std::nullopt;
  } else {
    return std::nullopt;
  }
  unsigned v = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
  if (ec != std::errc{} || ptr != port.data() + port.size() || v == 0 || v > 65535) return std::nullopt;
  e.port = static_cast<uint16_t>(v);
  return e;
}

std::optional<FtpEndpoint> parse_epsv_reply(std::string_view s) {
  size_t open = s.find('(');
  if (open == std::string_view::npos || open + 4 >= s.size()) return std::nullopt;
  char d = s[open + 1];
  if (s[open + 2] != d || s[open + 3] != d) return std::nullopt;
  size_t i = open + 4;
  unsigned v = 0;
  if (!number(s, i, 65535, v) || v == 0 || i >= s.size() || s[i] != d) return std::nullopt;
  FtpEndpoint e;
  e.ip_version = 0;
  e.port = static_cast<uint16_t>(v);
  return e;
}

} // namespace ps::app
