#include "services/url.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace ps {

namespace {

bool alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool digit(char c) {
  return c >= '0' && c <= '9';
}
bool hexdig(char c) {
  return digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool unreserved(char c) {
  return alpha(c) || digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}
bool sub_delim(char c) {
  return std::string_view("!$&'()*+,;=").find(c) != std::string_view::npos;
}

// Every character of `s` is unreserved, a sub-delimiter, one of `extra`, or a %XX escape.
bool valid_chars(std::string_view s, std::string_view extra, std::string& bad) {
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size() || !hexdig(s[i + 1]) || !hexdig(s[i + 2])) {
        bad = "a '%' not followed by two hex digits";
        return false;
      }
      i += 2;
      continue;
    }
    if (unreserved(c) || sub_delim(c) || extra.find(c) != std::string_view::npos) continue;
    bad = static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) >= 0x7f
              ? "a space or control character"
              : fmt::format("the character '{}'", c);
    return false;
  }
  return true;
}

std::string lower(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

} // namespace

std::optional<Url> parse_url(std::string_view text, std::string& error) {
  Url u;
  // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
  size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || !alpha(text[0])) {
    error = "no scheme (expected scheme://host[:port]/...)";
    return std::nullopt;
  }
  for (char c : text.substr(0, colon))
    if (!alpha(c) && !digit(c) && c != '+' && c != '-' && c != '.') {
      error = fmt::format("invalid scheme '{}'", text.substr(0, colon));
      return std::nullopt;
    }
  u.scheme = lower(text.substr(0, colon));
  std::string_view rest = text.substr(colon + 1);
  if (!rest.starts_with("//")) {
    error = fmt::format("no authority: expected '//' after '{}:'", u.scheme);
    return std::nullopt;
  }
  rest.remove_prefix(2);
  size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  std::string_view tail = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
  // The authority's userinfo ends at its last '@' (a '@' cannot appear in host or port).
  size_t at = authority.rfind('@');
  std::string bad;
  if (at != std::string_view::npos) {
    u.has_userinfo = true;
    u.userinfo = std::string(authority.substr(0, at));
    if (!valid_chars(u.userinfo, ":", bad)) {
      error = fmt::format("invalid user information: {}", bad);
      return std::nullopt;
    }
    authority.remove_prefix(at + 1);
  }
  std::string_view port_text;
  bool has_port = false;
  if (authority.starts_with("[")) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      error = "IPv6 address without its closing ']'";
      return std::nullopt;
    }
    std::string literal(authority.substr(1, close - 1));
    if (literal.starts_with("v") || literal.starts_with("V")) {
      error = "IPvFuture addresses are not supported";
      return std::nullopt;
    }
    // A zone identifier (RFC 6874: fe80::1%25eth0) is kept as written after the address.
    std::string addr = literal.substr(0, literal.find('%'));
    in6_addr a6{};
    if (inet_pton(AF_INET6, addr.c_str(), &a6) != 1) {
      error = fmt::format("invalid IPv6 address '{}'", literal);
      return std::nullopt;
    }
    u.host = lower(literal);
    u.ipv6 = true;
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') {
        error = fmt::format("unexpected text after the IPv6 address: '{}'", after);
        return std::nullopt;
      }
      has_port = true;
      port_text = after.substr(1);
    }
  } else {
    size_t pc = authority.rfind(':');
    std::string_view host = authority.substr(0, pc);
    if (pc != std::string_view::npos) {
      has_port = true;
      port_text = authority.substr(pc + 1);
    }
    if (host.find(':') != std::string_view::npos) {
      error = "an IPv6 address must be written in brackets ([fd00::1])";
      return std::nullopt;
    }
    if (!valid_chars(host, "", bad)) {
      error = fmt::format("invalid host: {}", bad);
      return std::nullopt;
    }
    u.host = lower(host);
  }
  if (u.host.empty()) {
    error = "no host";
    return std::nullopt;
  }
  if (has_port && !port_text.empty()) {
    if (!std::all_of(port_text.begin(), port_text.end(), digit)) {
      error = fmt::format("invalid port '{}' (expected digits)", port_text);
      return std::nullopt;
    }
    uint32_t v = 0;
    for (char c : port_text) {
      v = v * 10 + static_cast<uint32_t>(c - '0');
      if (v > 65535) {
        error = fmt::format("port {} out of range (0-65535)", port_text);
        return std::nullopt;
      }
    }
    u.port = static_cast<uint16_t>(v);
  }
  // path-abempty, query and fragment.
  size_t q = tail.find('?'), h = tail.find('#');
  if (h != std::string_view::npos && q != std::string_view::npos && q > h) q = std::string_view::npos;
  u.path = std::string(tail.substr(0, std::min(q, h)));
  if (q != std::string_view::npos) {
    u.has_query = true;
    u.query =
        std::string(tail.substr(q + 1, h == std::string_view::npos ? std::string_view::npos : h - q - 1));
  }
  if (h != std::string_view::npos) {
    u.has_fragment = true;
    u.fragment = std::string(tail.substr(h + 1));
  }
  if (!valid_chars(u.path, ":@/", bad)) {
    error = fmt::format("invalid path: {}", bad);
    return std::nullopt;
  }
  if (!valid_chars(u.query, ":@/?", bad) || !valid_chars(u.fragment, ":@/?", bad)) {
    error = fmt::format("invalid query or fragment: {}", bad);
    return std::nullopt;
  }
  return u;
}

std::optional<uint16_t> scheme_default_port(std::string_view s) {
  struct D {
    std::string_view scheme;
    uint16_t port;
  };
  static constexpr D kDefaults[] = {
      {"http", 80},    {"https", 443},      {"ws", 80},           {"wss", 443},    {"ftp", 21},
      {"ftps", 990},   {"sftp", 22},        {"ssh", 22},          {"telnet", 23},  {"smtp", 25},
      {"smtps", 465},  {"submission", 587}, {"pop", 110},         {"pop3", 110},   {"pop3s", 995},
      {"imap", 143},   {"imaps", 993},      {"dns", 53},          {"gopher", 70},  {"nntp", 119},
      {"news", 119},   {"ldap", 389},       {"ldaps", 636},       {"rtsp", 554},   {"sip", 5060},
      {"sips", 5061},  {"irc", 6667},       {"ircs", 6697},       {"git", 9418},   {"rsync", 873},
      {"mysql", 3306}, {"postgres", 5432},  {"postgresql", 5432}, {"redis", 6379}, {"mongodb", 27017},
      {"xmpp", 5222},  {"vnc", 5900},       {"rdp", 3389},        {"nfs", 2049},   {"mqtt", 1883},
  };
  for (const D& d : kDefaults)
    if (d.scheme == s) return d.port;
  return std::nullopt;
}

std::string browser_url(std::string_view scheme, std::string_view host, uint16_t port,
                        std::string_view path) {
  std::string s(scheme);
  s += "://";
  const bool v6 = host.find(':') != std::string_view::npos && !host.starts_with("[");
  if (v6) s += '[';
  s += host;
  if (v6) s += ']';
  std::optional<uint16_t> d = scheme_default_port(scheme);
  if (!d || *d != port) s += fmt::format(":{}", port);
  s += path.empty() ? std::string_view("/") : path;
  return s;
}

} // namespace ps
