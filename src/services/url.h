// URLs as RFC 3986 parses them (scheme "://" authority path ? query # fragment), far enough to say which
// host and port a client connects to: the port the URL names, else the scheme's default port.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ps {

struct Url {
  std::string scheme;   // lowercased
  std::string userinfo; // as written (percent-encoding kept); empty when absent
  bool has_userinfo = false;
  std::string host; // reg-name/IPv4 lowercased as written; an IPv6 literal without its brackets
  bool ipv6 = false;
  std::optional<uint16_t> port; // nullopt: not in the URL (or empty after ':')
  std::string path, query, fragment;
  bool has_query = false, has_fragment = false;
};

// Parses `text`; on failure returns nullopt and sets `error` to a one-line reason.
std::optional<Url> parse_url(std::string_view text, std::string& error);

// The default TCP port of a URL scheme (http 80, https 443, ftp 21, telnet 23, smtp 25, pop3 110,
// ssh 22, ...); nullopt for a scheme portscope does not know.
std::optional<uint16_t> scheme_default_port(std::string_view scheme);

// The URL a browser shows for an HTTP request: scheme://host[:port]path, the port only when it is
// not the scheme's default. An IPv6 host gets its brackets back.
std::string browser_url(std::string_view scheme, std::string_view host, uint16_t port, std::string_view path);

} // namespace ps
