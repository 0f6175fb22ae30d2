// The IANA service-name and port-number registry, compiled in from data/iana/ (see docs/ports.md).
//
// port_service_name() is meant for the packet-output hot path (tshark-style "80 → http" resolution): after a
// one-time lazy build it is a single array load per call, lock-free and thread-safe. lookup_port() and
// lookup_service() are for the `portscope ports` command and tests; they allocate and scan.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace ps {

enum class Transport : uint8_t { Tcp, Udp, Sctp, Dccp };

inline constexpr Transport kAllTransports[] = {Transport::Tcp, Transport::Udp, Transport::Sctp,
                                               Transport::Dccp};

// "tcp", "udp", "sctp", "dccp".
std::string_view transport_name(Transport proto) noexcept;
// Inverse of transport_name(), case-insensitive; nullopt when unknown.
std::optional<Transport> parse_transport(std::string_view name) noexcept;

// One registration: a service name on one port (or port range) and one transport protocol.
struct PortEntry {
  std::string_view service; // as registered, e.g. "http", "EtherNet-IP-1"
  uint16_t first_port = 0;
  uint16_t last_port = 0; // == first_port unless the registration is a range (x11 6000-6063)
  Transport proto = Transport::Tcp;
  std::string_view description; // one line, may be empty
  bool primary = false;         // port_service_name() gives this name for proto and the looked-up port
                                // (lookup_service(): first_port)
  bool related = false;         // lookup_service(): a prefix/substring match, not the exact name

  bool is_range() const noexcept { return first_port != last_port; }
  friend bool operator==(const PortEntry&, const PortEntry&) = default;
};

// The name tshark (without -n) shows for a port: the first name IANA registered for that port and
// protocol, as in Wireshark's services file (names Wireshark excludes, such as "shilp" on 2049, are
// skipped). A single-port registration wins over a range that contains the port. Empty when the port
// has no registration. The returned view points at static storage.
std::string_view port_service_name(Transport proto, uint16_t port) noexcept;

// Every registration covering `port` (single ports and ranges), optionally for one protocol only.
// Ordered by name in registry order (the primary name first), then protocol (tcp, udp, sctp, dccp).
std::vector<PortEntry> lookup_port(uint16_t port, std::optional<Transport> proto = std::nullopt);

// Registrations by service name, case-insensitively: the exact name first (ordered by port, protocol),
// then, marked `related`, the names that start with the query (ordered by port, name, protocol), so
// "ftp" gives ftp 21 and then ftp-data 20, ftp-agent 574, ftps-data 989, ftps 990. When neither an
// exact nor a prefix match exists, names containing the query as a substring (also `related`).
// Empty for an empty query or when nothing matches.
std::vector<PortEntry> lookup_service(std::string_view name_or_substring,
                                      std::optional<Transport> proto = std::nullopt);

} // namespace ps
