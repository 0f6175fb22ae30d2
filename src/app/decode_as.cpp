#include "app/decode_as.h"

#include <charconv>

namespace ps::app {

bool DecodeAs::add(std::string_view spec, std::string& error) {
  auto bad = [&](std::string_view why) {
    error = "bad decode-as '" + std::string(spec) + "': " + std::string(why) +
            " (expected tcp.port==PORT,PROTO or udp.port==PORT,PROTO)";
    return false;
  };
  DecodeAsRule r;
  std::string_view s = spec;
  if (s.starts_with("tcp.port"))
    r.tcp = true;
  else if (s.starts_with("udp.port"))
    r.tcp = false;
  else
    return bad("selector must be tcp.port or udp.port");
  s.remove_prefix(8);
  if (s.starts_with("=="))
    s.remove_prefix(2);
  else if (s.starts_with(":"))
    s.remove_prefix(1);
  else
    return bad("missing ==");
  size_t comma = s.find(',');
  if (comma == std::string_view::npos) return bad("missing ,PROTO");
  std::string_view port = s.substr(0, comma), proto = s.substr(comma + 1);
  unsigned v = 0;
  auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
  if (ec != std::errc{} || p != port.data() + port.size() || v > 65535 || port.empty())
    return bad("bad port");
  auto svc = parse_service(proto);
  if (!svc) return bad("unknown protocol (http, ftp, ftp-data, smtp, pop, telnet, dns, tls, ssh)");
  r.port = static_cast<uint16_t>(v);
  r.service = *svc;
  rules_.push_back(r);
  return true;
}

Service DecodeAs::lookup(bool tcp, uint16_t a, uint16_t b) const {
  // The last matching rule wins, like a later -d on tshark's command line.
  for (auto it = rules_.rbegin(); it != rules_.rend(); ++it)
    if (it->tcp == tcp && (it->port == a || it->port == b)) return it->service;
  return Service::None;
}

} // namespace ps::app
