// MD5 (RFC 1321) and SHA-256 (FIPS 180-4) of a byte string, as lowercase hex: the hashes of the JA3/JA3S
// and JA4 fingerprints, Zeek's certificate fingerprints and SSH host key fingerprints.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace ps::app {

std::array<uint8_t, 16> md5(std::span<const uint8_t> data);
std::array<uint8_t, 32> sha256(std::span<const uint8_t> data);
std::string md5_hex(std::string_view text);
std::string sha256_hex(std::span<const uint8_t> data);
std::string hex_lower(std::span<const uint8_t> data);

} // namespace ps::app
