#include "filter/literal.h"

#include <arpa/inet.h>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace ps::filter {

using detail::i128;

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

namespace {

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

} // namespace

bool parse_integer(std::string_view s, i128& out) {
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return false;
  unsigned base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  } else if (s.size() > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
    base = 2;
    s.remove_prefix(2);
  } else if (s.size() > 1 && s[0] == '0') {
    base = 8;
    s.remove_prefix(1);
  }
  i128 v = 0;
  const i128 limit = static_cast<i128>(1) << 80; // far beyond any field, still far from overflow
  for (char c : s) {
    int d = hex_digit(c);
    if (d < 0 || static_cast<unsigned>(d) >= base) return false;
    v = v * base + d;
    if (v > limit) v = limit;
  }
  out = neg ? -v : v;
  return true;
}

bool parse_double(std::string_view s, double& out) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+' || c == 'e' ||
          c == 'E'))
      return false;
  std::string tmp(s);
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(tmp.c_str(), &end);
  if (end != tmp.c_str() + tmp.size() || errno == ERANGE || !std::isfinite(v)) return false;
  out = v;
  return true;
}

namespace {
bool split_prefix(std::string_view& s, int& prefix, int max, std::string& err) {
  prefix = -1;
  size_t slash = s.find('/');
  if (slash == std::string_view::npos) return true;
  std::string_view bits = s.substr(slash + 1);
  s = s.substr(0, slash);
  if (!all_digits(bits) || bits.size() > 3) {
    err = "invalid netmask bits \"" + std::string(bits) + "\"";
    return false;
  }
  int b = std::atoi(std::string(bits).c_str());
  if (b > max) {
    err = "netmask bits should be <= " + std::to_string(max) + ", not " + std::to_string(b);
    return false;
  }
  prefix = b;
  return true;
}
} // namespace

bool parse_ipv4(std::string_view s, uint32_t& addr, int& prefix, std::string& err) {
  if (!split_prefix(s, prefix, 32, err)) return false;
  if (s.size() > 15) {
    err = "not a valid IPv4 address";
    return false;
  }
  std::string tmp(s);
  in_addr a{};
  if (inet_pton(AF_INET, tmp.c_str(), &a) != 1) {
    err = "not a valid IPv4 address";
    return false;
  }
  addr = ntohl(a.s_addr);
  return true;
}

bool parse_ipv6(std::string_view s, uint8_t addr[16], int& prefix, std::string& err) {
  if (!split_prefix(s, prefix, 128, err)) return false;
  if (s.size() > 45) {
    err = "not a valid IPv6 address";
    return false;
  }
  std::string tmp(s);
  if (inet_pton(AF_INET6, tmp.c_str(), addr) != 1) {
    err = "not a valid IPv6 address";
    return false;
  }
  return true;
}

bool parse_bytes(std::string_view s, std::string& out) {
  out.clear();
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && s.size() <= 4) {
    i128 v = 0;
    if (!parse_integer(s, v) || v > 255) return false;
    out.push_back(static_cast<char>(v));
    return true;
  }
  if (s.empty()) return false;
  char sep = 0;
  size_t i = 0;
  while (i <= s.size()) {
    size_t j = i;
    while (j < s.size() && hex_digit(s[j]) >= 0) ++j;
    size_t n = j - i;
    if (n == 0) return false;
    if (n == 1) {
      out.push_back(static_cast<char>(hex_digit(s[i])));
    } else if (n % 2 == 0) {
      for (size_t k = i; k < j; k += 2)
        out.push_back(static_cast<char>(hex_digit(s[k]) * 16 + hex_digit(s[k + 1])));
    } else {
      return false;
    }
    if (j == s.size()) return true;
    char c = s[j];
    if (c != ':' && c != '-' && c != '.') return false;
    if (sep && c != sep) return false;
    sep = c;
    i = j + 1;
    if (i == s.size()) return false;
  }
  return true;
}

bool parse_rel_time(std::string_view s, int64_t& ns) {
  double v = 0;
  if (!parse_double(s, v) || std::fabs(v) > 9.2e9) return false;
  ns = static_cast<int64_t>(std::llround(v * 1e9));
  return true;
}

bool parse_abs_time(std::string_view s, int64_t& ns) {
  std::string t(s);
  while (!t.empty() && t.back() == ' ') t.pop_back();
  bool utc = false;
  if (t.size() > 4 && t.ends_with(" UTC")) {
    utc = true;
    t.resize(t.size() - 4);
  } else if (t.size() > 1 && (t.back() == 'Z' || t.back() == 'z')) {
    utc = true;
    t.pop_back();
  }
  // Fractional seconds: digits after the last '.' that follows the seconds.
  int64_t frac_ns = 0;
  size_t colon = t.rfind(':');
  size_t dot = t.rfind('.');
  if (dot != std::string::npos && colon != std::string::npos && dot > colon) {
    std::string frac = t.substr(dot + 1);
    if (frac.empty() || frac.size() > 9 || !all_digits(frac)) return false;
    frac.append(9 - frac.size(), '0');
    frac_ns = std::atoll(frac.c_str());
    t.resize(dot);
  }
  static const char* const kFormats[] = {"%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%b %d, %Y %H:%M:%S",
                                         "%Y-%m-%d %H:%M",    "%Y-%m-%d",          "%b %d, %Y"};
  for (const char* fmt : kFormats) {
    std::tm tm{};
    const char* end = strptime(t.c_str(), fmt, &tm);
    if (!end || *end != '\0') continue;
    tm.tm_isdst = -1;
    std::time_t secs = utc ? timegm(&tm) : std::mktime(&tm);
    if (secs == static_cast<std::time_t>(-1) && !(tm.tm_year == 69 && tm.tm_mon == 11 && tm.tm_mday == 31))
      return false;
    if (secs > 4'000'000'000LL || secs < -4'000'000'000LL) return false;
    ns = static_cast<int64_t>(secs) * 1'000'000'000 + frac_ns;
    return true;
  }
  return false;
}

} // namespace ps::filter
