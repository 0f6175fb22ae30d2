// Names of MAC addresses as tshark shows them: the IEEE vendor registry (Debian's ieee-data, compiled in
// at build time by tools/gen_oui_table.py) and well-known multicast addresses (data/mac/).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ps {

// Longest name mac_name() writes.
inline constexpr size_t kMacNameMax = 96;

// Writes the name of the 6-byte address `mac` to `out` (kMacNameMax bytes) as tshark 4.0 resolves it —
// "Broadcast", "IPv6mcast_16", "HonHaiPr_6e:8b:24", "Private_0a:bc:de" — and returns its length; 0 when
// the address has no name (tshark then shows the address itself).
size_t mac_name(const uint8_t* mac, char* out) noexcept;

// The organization registered for a 24-bit OUI as eth.src.oui_resolved shows it ("Hon Hai Precision
// Ind. Co.,Ltd."); empty when none.
std::string_view oui_organization(uint32_t oui) noexcept;

} // namespace ps
