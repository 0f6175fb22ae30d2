// Literal values of the display-filter language, parsed once at compile time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "filter/program.h"

namespace ps::filter {

// 80, 0x50, 0120 (octal), 0b1010, with an optional sign.
// The value of one hexadecimal digit, or -1.
int hex_digit(char c);
bool parse_integer(std::string_view s, detail::i128& out);
// 1.5, -0.25, 2, 1e-3
bool parse_double(std::string_view s, double& out);
// 192.168.1.1 or 10.0.0.0/8 (prefix -1 when none). err names what was wrong.
bool parse_ipv4(std::string_view s, uint32_t& addr, int& prefix, std::string& err);
// fe80::1 or fd00::/16.
bool parse_ipv6(std::string_view s, uint8_t addr[16], int& prefix, std::string& err);
// aa:bb:cc, aa-bb-cc, aabb.ccdd, aabbcc, a single byte "0a" or "0x0a".
bool parse_bytes(std::string_view s, std::string& out);
// "2026-11-26 09:24:45[.123]", "Nov 26, 2026 09:24:45[.123]" (local time unless followed by UTC/Z),
// as nanoseconds since the epoch.
bool parse_abs_time(std::string_view s, int64_t& ns);
// Seconds as a decimal number ("1.5") to nanoseconds.
bool parse_rel_time(std::string_view s, int64_t& ns);

} // namespace ps::filter
