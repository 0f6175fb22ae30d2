// User decode-as rules in tshark's syntax: "tcp.port==2222,http" (also udp.port). Several allowed;
// a rule matches a connection when either of its ports equals the rule's port.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "app/service.h"

namespace ps::app {

struct DecodeAsRule {
  bool tcp = true;
  uint16_t port = 0;
  Service service = Service::None;
};

class DecodeAs {
public:
  // Adds one rule; on a syntax error returns false and sets `error`.
  bool add(std::string_view spec, std::string& error);
  // The user's service for a connection between these ports, or Service::None.
  Service lookup(bool tcp, uint16_t port_a, uint16_t port_b) const;
  bool empty() const { return rules_.empty(); }

private:
  std::vector<DecodeAsRule> rules_;
};

} // namespace ps::app
