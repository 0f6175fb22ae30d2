// Data-connection endpoints in FTP commands and replies: PORT/227 "h1,h2,h3,h4,p1,p2",
// EPRT "|1|192.0.2.1|6446|" / "|2|fd00::1|6446|", EPSV reply "(|||6446|)".
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace ps::app {

struct FtpEndpoint {
  uint8_t ip_version = 4; // 0: the port only (EPSV: the address is the server's)
  std::array<uint8_t, 16> ip{};
  uint16_t port = 0;
};

// The first "h1,h2,h3,h4,p1,p2" group in `s` (PORT argument, 227 reply text).
std::optional<FtpEndpoint> parse_ftp_hostport(std::string_view s);
// EPRT argument.
std::optional<FtpEndpoint> parse_eprt(std::string_view s);
// 229 reply text: "(|||port|)"; ip_version 0.
std::optional<FtpEndpoint> parse_epsv_reply(std::string_view s);

} // namespace ps::app
