// Names tshark uses for DNS codes, for the tree, the Info column and `portscope log dns`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ps::dns {

// "A", "AAAA", ...; empty when the type has no name (callers print "Unknown (N)").
std::string_view type_name(uint16_t type);
// "A (Host Address)", "SPF"; empty when unknown.
std::string_view type_description(uint16_t type);
// "IN", "CH", ...; empty when unknown.
std::string_view class_name(uint16_t cls);
// "Standard query", ...; empty when unknown.
std::string_view opcode_name(uint8_t opcode);
// "No error", "No such name", ...; empty when unknown.
std::string_view rcode_name(uint8_t rcode);
// EDNS0 option code names: "COOKIE", "NSID - Name Server Identifier"; empty when unknown.
std::string_view option_name(uint16_t code);
// Extended DNS Error info codes (RFC 8914): "Not Ready"; empty when unknown.
std::string_view ede_name(uint16_t code);
// "1 day, 1 hour, 1 minute, 1 second"; "0 seconds" for zero.
std::string seconds_text(uint32_t secs);

} // namespace ps::dns
