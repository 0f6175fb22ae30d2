// IPv6 and ICMP pieces shared across the describers in this folder.
#pragma once

#include <string>

#include "describe/proto/context.h"

namespace ps::proto {

// An IPv6 header quoted inside an ICMPv6 error: the tree without adding to frame.protocols.
void describe_ipv6_quoted(Ctx& c, const LayerSpan& l);

// ":data" for echo payloads, ":ip:udp:data" for the packet an error message quotes.
void icmp_extra_protocols(const Decoded& pkt, const LayerSpan& l, std::string& out);

// frame.protocols name of layer `l` where it depends on the bytes ("ieee8021ad:ethertype" for an
// 802.1ad tag); `plain` otherwise. And the name tshark puts before the first layer ("raw").
std::string_view layer_protocol_name(const Decoded& pkt, const LayerSpan& l, std::string_view plain);
std::string_view link_protocol_prefix(const Decoded& pkt);

bool icmp_is_error(uint8_t type);
bool icmpv6_is_error(uint8_t type);

} // namespace ps::proto
