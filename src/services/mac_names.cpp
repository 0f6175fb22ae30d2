#include "services/mac_names.h"

#include <algorithm>
#include <cstring>
#include <iterator>

namespace ps {

namespace {

struct OuiRow {
  uint64_t prefix;                   // left-aligned in 48 bits
  uint8_t bits;                      // 24 (MA-L), 28 (MA-M), 36 (MA-S, IAB)
  uint32_t short_name, organization; // pool << 16 | offset in it (kOuiPools)
};

struct WellKnownRow {
  uint64_t value; // left-aligned in 48 bits
  uint8_t bits;
  const char* name;
};

#include "oui_table.inc"

const char* pooled(uint32_t at) {
  return kOuiPools[at >> 16] + (at & 0xffff);
}
const char* short_name_of(const OuiRow& r) {
  return pooled(r.short_name);
}
const char* organization_of(const OuiRow& r) {
  return pooled(r.organization);
}

uint64_t mask_of(unsigned bits) {
  return bits == 0 ? 0 : (~uint64_t{0} << (48 - bits)) & 0xffffffffffffULL;
}

const OuiRow* find_oui(uint64_t addr, unsigned bits) {
  const uint64_t key = addr & mask_of(bits);
  const auto* it =
      std::lower_bound(std::begin(kOuiRows), std::end(kOuiRows), key, [&](const OuiRow& r, uint64_t k) {
        return r.prefix < k || (r.prefix == k && r.bits < bits);
      });
  return it != std::end(kOuiRows) && it->prefix == key && it->bits == bits ? it : nullptr;
}

const WellKnownRow* find_well_known(uint64_t addr, unsigned bits) {
  for (const WellKnownRow& w : kWellKnownRows) {
    if (w.bits == bits && (addr & mask_of(bits)) == w.value) return &w;
  }
  return nullptr;
}

constexpr char kHex[] = "0123456789abcdef";

size_t put_name(char* out, const char* name) {
  const size_t n = std::min(std::strlen(name), kMacNameMax - 19);
  std::memcpy(out, name, n);
  return n;
}

size_t put_byte(char* out, uint8_t b) {
  out[0] = kHex[b >> 4];
  out[1] = kHex[b & 15];
  return 2;
}

// "NAME_" and the bytes of the address past a range's prefix: from the first byte holding bits of the
// rest, its prefix bits cleared, leading zero bytes left out (one byte at least), as tshark 4.0 prints
// a well-known range or an IEEE assignment longer than 24 bits.
size_t put_range(char* out, const char* name, const uint8_t* mac, unsigned bits) {
  size_t n = put_name(out, name);
  out[n++] = '_';
  uint8_t rest[6];
  size_t count = 0;
  for (unsigned i = bits / 8; i < 6; ++i) {
    const uint8_t b = i == bits / 8 ? static_cast<uint8_t>(mac[i] & (0xff >> (bits % 8))) : mac[i];
    if (count == 0 && b == 0 && i < 5) continue;
    rest[count++] = b;
  }
  for (size_t i = 0; i < count; ++i) {
    if (i) out[n++] = ':';
    n += put_byte(out + n, rest[i]);
  }
  return n;
}

} // namespace

size_t mac_name(const uint8_t* mac, char* out) noexcept {
  uint64_t addr = 0;
  for (int i = 0; i < 6; ++i) addr = (addr << 8) | mac[i];
  if (const WellKnownRow* w = find_well_known(addr, 48)) return put_name(out, w->name);
  // Ranges longer than a vendor's 24 bits (well-known ranges, MA-M and MA-S assignments), longest first.
  for (unsigned bits = 47; bits >= 24; --bits) {
    if (bits > 24 && (bits == 28 || bits == 36)) {
      if (const OuiRow* o = find_oui(addr, bits)) return put_range(out, short_name_of(*o), mac, bits);
    }
    if (const WellKnownRow* w = find_well_known(addr, bits)) return put_range(out, w->name, mac, bits);
  }
  if (const OuiRow* o = find_oui(addr, 24)) {
    size_t n = put_name(out, short_name_of(*o));
    out[n++] = '_';
    for (int i = 3; i < 6; ++i) {
      if (i > 3) out[n++] = ':';
      n += put_byte(out + n, mac[i]);
    }
    return n;
  }
  for (unsigned bits = 23; bits >= 1; --bits) {
    if (const WellKnownRow* w = find_well_known(addr, bits)) return put_range(out, w->name, mac, bits);
  }
  // tshark 4.0 also names an address past a well-known range whose length is not whole bytes when its
  // whole bytes match (01:00:5e:80:00:01 "IPv4mcast_80:00:01"), the rest printed in full.
  // Longest whole bytes first; among ranges of the same whole bytes, the shortest.
  for (unsigned whole = 40; whole >= 8; whole -= 8) {
    for (unsigned bits = whole + 1; bits < whole + 8; ++bits) {
      for (const WellKnownRow& w : kWellKnownRows) {
        if (w.bits == bits && (addr & mask_of(whole)) == (w.value & mask_of(whole)))
          return put_range(out, w.name, mac, whole);
      }
    }
  }
  return 0;
}

std::string_view oui_organization(uint32_t oui) noexcept {
  const OuiRow* o = find_oui(uint64_t{oui & 0xffffff} << 24, 24);
  return o ? std::string_view{organization_of(*o)} : std::string_view{};
}

} // namespace ps
