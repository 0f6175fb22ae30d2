// Content signatures: which protocol the first payload bytes of a connection look like, on any port.
#pragma once

#include <cstdint>
#include <span>

#include "app/service.h"

namespace ps::app {

// `from_server`: the bytes are the server's first bytes (a banner) rather than the client's.
// `server_port` breaks ties between banner protocols that look alike (FTP and SMTP both say "220").
// Returns Service::None when nothing matches.
Service detect_service(std::span<const uint8_t> first, bool from_server, uint16_t server_port);

} // namespace ps::app
