#include "dns/names.h"

#include <fmt/format.h>

namespace ps::dns {

namespace {

struct TypeName {
  uint16_t type;
  std::string_view name, description;
};

constexpr TypeName kTypes[] = {
    {1, "A", "A (Host Address)"},
    {2, "NS", "NS (authoritative Name Server)"},
    {5, "CNAME", "CNAME (Canonical NAME for an alias)"},
    {6, "SOA", "SOA (Start Of a zone of Authority)"},
    {12, "PTR", "PTR (domain name PoinTeR)"},
    {13, "HINFO", "HINFO (host information)"},
    {15, "MX", "MX (Mail eXchange)"},
    {16, "TXT", "TXT (Text strings)"},
    {28, "AAAA", "AAAA (IPv6 Address)"},
    {33, "SRV", "SRV (Server Selection)"},
    {41, "OPT", "OPT"},
    {43, "DS", "DS (Delegation Signer)"},
    {44, "SSHFP", "SSHFP (SSH Key Fingerprint)"},
    {46, "RRSIG", "RRSIG (Resource Record Signature)"},
    {47, "NSEC", "NSEC (Next Secure)"},
    {48, "DNSKEY", "DNSKEY (DNS Public Key)"},
    {50, "NSEC3", "NSEC3"},
    {64, "SVCB", "SVCB (General Purpose Service Endpoints)"},
    {65, "HTTPS", "HTTPS (HTTPS Specific Service Endpoints)"},
    {99, "SPF", "SPF"},
    {251, "IXFR", "IXFR (incremental transfer)"},
    {252, "AXFR", "AXFR (transfer of an entire zone)"},
    {255, "ANY", "* (A request for all records the server/cache has available)"},
    {256, "URI", "URI"},
    {257, "CAA", "CAA (Certification Authority Restriction)"},
};

const TypeName* find_type(uint16_t t) {
  for (const TypeName& n : kTypes)
    if (n.type == t) return &n;
  return nullptr;
}

} // namespace

std::string_view type_name(uint16_t type) {
  const TypeName* n = find_type(type);
  return n ? n->name : std::string_view{};
}

std::string_view type_description(uint16_t type) {
  const TypeName* n = find_type(type);
  return n ? n->description : std::string_view{};
}

std::string_view class_name(uint16_t cls) {
  switch (cls) {
  case 1:
    return "IN";
  case 2:
    return "CS";
  case 3:
    return "CH";
  case 4:
    return "HS";
  case 254:
    return "NONE";
  case 255:
    return "ANY";
  default:
    return {};
  }
}

std::string_view opcode_name(uint8_t opcode) {
  switch (opcode) {
  case 0:
    return "Standard query";
  case 1:
    return "Inverse query";
  case 2:
    return "Server status request";
  case 4:
    return "Zone change notification";
  case 5:
    return "Dynamic update";
  case 6:
    return "DNS Stateful operations (DSO)";
  default:
    return {};
  }
}

std::string_view rcode_name(uint8_t rcode) {
  static constexpr std::string_view kNames[] = {
      "No error",          "Format error",     "Server failure",
      "No such name",      "Not implemented",  "Refused",
      "Name exists",       "RRset exists",     "RRset does not exist",
      "Not authoritative", "Name out of zone", "DSO-Type not implemented"};
  return rcode < std::size(kNames) ? kNames[rcode] : std::string_view{};
}

std::string_view option_name(uint16_t code) {
  switch (code) {
  case 3:
    return "NSID - Name Server Identifier";
  case 8:
    return "CSUBNET - Client subnet";
  case 10:
    return "COOKIE";
  case 11:
    return "EDNS TCP Keepalive";
  case 12:
    return "PADDING";
  case 15:
    return "Extended DNS Error";
  default:
    return {};
  }
}

std::string_view ede_name(uint16_t code) {
  static constexpr std::string_view kNames[] = {"Other Error",
                                                "Unsupported DNSKEY Algorithm",
                                                "Unsupported DS Digest Type",
                                                "Stale Answer",
                                                "Forged Answer",
                                                "DNSSEC Indeterminate",
                                                "DNSSEC Bogus",
                                                "Signature Expired",
                                                "Signature Not Yet Valid",
                                                "DNSKEY Missing",
                                                "RRSIGs Missing",
                                                "No Zone Key Bit Set",
                                                "NSEC Missing",
                                                "Cached Error",
                                                "Not Ready",
                                                "Blocked",
                                                "Censored",
                                                "Filtered",
                                                "Prohibited",
                                                "Stale NXDOMAIN Answer",
                                                "Not Authoritative",
                                                "Not Supported",
                                                "No Reachable Authority",
                                                "Network Error",
                                                "Invalid Data"};
  return code < std::size(kNames) ? kNames[code] : std::string_view{};
}

std::string seconds_text(uint32_t secs) {
  if (secs == 0) return "0 seconds";
  std::string out;
  const uint32_t parts[] = {secs / 86400, secs / 3600 % 24, secs / 60 % 60, secs % 60};
  static constexpr std::string_view kUnits[] = {"day", "hour", "minute", "second"};
  for (size_t i = 0; i < 4; ++i) {
    if (!parts[i]) continue;
    if (!out.empty()) out += ", ";
    out += fmt::format("{} {}{}", parts[i], kUnits[i], parts[i] == 1 ? "" : "s");
  }
  return out;
}

} // namespace ps::dns
