#include "services/port_registry.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <iterator>
#include <tuple>

namespace ps {
namespace {

// One registry row as written by tools/gen_iana_table.py. The constructor takes the string literals as
// arrays so their lengths come from the type: a constexpr strlen over ~12k rows exceeds clang's constexpr
// step limit.
struct Row {
  uint8_t proto; // Transport as an integer: 0 tcp, 1 udp, 2 sctp, 3 dccp
  uint16_t first;
  uint16_t last;
  std::string_view name;
  std::string_view desc;

  template <size_t N, size_t D>
  constexpr Row(uint8_t proto_, uint16_t first_, uint16_t last_, const char (&name_)[N],
                const char (&desc_)[D])
      : proto(proto_), first(first_), last(last_), name(name_, N - 1), desc(desc_, D - 1) {}
};

// Sorted by (proto, first, last); rows for the same port/protocol keep the registry's order.
constexpr Row kRows[] = {
#include "iana_ports_table.inc"
};

constexpr size_t kRowCount = std::size(kRows);
constexpr size_t kProtoCount = std::size(kAllTransports);
constexpr size_t kPortCount = 65536;
static_assert(kRowCount < 0xFFFF, "row numbers (index + 1) must fit in uint16_t");

// Wireshark's tools/make-services.py leaves these out of its services file (regex '^name'), so tshark
// never shows them for a port; e.g. "shilp" is registered on 2049 before "nfs".
constexpr std::string_view kNotResolved[] = {"spr-itunes", "spl-itunes", "shilp"};

bool not_resolved(std::string_view name) {
  return std::any_of(std::begin(kNotResolved), std::end(kNotResolved),
                     [&](std::string_view prefix) { return name.starts_with(prefix); });
}

// For each protocol and port, 1 + the row whose name port_service_name() returns; 0 for none.
struct Index {
  std::array<std::array<uint16_t, kPortCount>, kProtoCount> primary{};
};

const Index* build_index() {
  auto* idx = new Index{};
  // Single ports first: the first registered (non-excluded) name wins.
  for (size_t r = 0; r < kRowCount; ++r) {
    const Row& row = kRows[r];
    if (row.first != row.last || row.proto >= kProtoCount || not_resolved(row.name)) continue;
    uint16_t& slot = idx->primary[row.proto][row.first];
    if (slot == 0) slot = static_cast<uint16_t>(r + 1);
  }
  // Then ranges, only for ports no single-port registration named.
  for (size_t r = 0; r < kRowCount; ++r) {
    const Row& row = kRows[r];
    if (row.first == row.last || row.proto >= kProtoCount || not_resolved(row.name)) continue;
    for (size_t port = row.first; port <= row.last; ++port) {
      uint16_t& slot = idx->primary[row.proto][port];
      if (slot == 0) slot = static_cast<uint16_t>(r + 1);
    }
  }
  return idx;
}

const Index& index() {
  // Built on first use (thread-safe static init) and intentionally never freed, so the names stay valid
  // even for code running during static destruction.
  static const Index* const idx = build_index();
  return *idx;
}

char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

bool icontains(std::string_view s, std::string_view needle) {
  if (needle.size() > s.size()) return false;
  for (size_t i = 0; i + needle.size() <= s.size(); ++i) {
    if (iequals(s.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

bool proto_matches(const Row& row, std::optional<Transport> proto) {
  return !proto || row.proto == static_cast<uint8_t>(*proto);
}

PortEntry make_entry(const Row& row, uint16_t resolved_port, bool related) {
  PortEntry e;
  e.service = row.name;
  e.first_port = row.first;
  e.last_port = row.last;
  e.proto = static_cast<Transport>(row.proto);
  e.description = row.desc;
  e.primary = port_service_name(e.proto, resolved_port) == row.name;
  e.related = related;
  return e;
}

// Orders by port, then case-insensitive name, then protocol.
bool by_port_name_proto(const PortEntry& a, const PortEntry& b) {
  if (a.first_port != b.first_port) return a.first_port < b.first_port;
  if (a.last_port != b.last_port) return a.last_port < b.last_port;
  const bool name_less =
      std::lexicographical_compare(a.service.begin(), a.service.end(), b.service.begin(), b.service.end(),
                                   [](char x, char y) { return ascii_lower(x) < ascii_lower(y); });
  if (name_less) return true;
  if (!iequals(a.service, b.service)) return false;
  if (a.service != b.service) return a.service < b.service; // same letters, different case
  return a.proto < b.proto;
}

} // namespace

std::string_view transport_name(Transport proto) noexcept {
  switch (proto) {
  case Transport::Tcp:
    return "tcp";
  case Transport::Udp:
    return "udp";
  case Transport::Sctp:
    return "sctp";
  case Transport::Dccp:
    return "dccp";
  }
  return "?";
}

std::optional<Transport> parse_transport(std::string_view name) noexcept {
  for (Transport t : kAllTransports) {
    if (iequals(name, transport_name(t))) return t;
  }
  return std::nullopt;
}

std::string_view port_service_name(Transport proto, uint16_t port) noexcept {
  const auto p = static_cast<size_t>(proto);
  if (p >= kProtoCount) return {};
  const uint16_t r = index().primary[p][port];
  return r != 0 ? kRows[r - 1].name : std::string_view{};
}

std::vector<PortEntry> lookup_port(uint16_t port, std::optional<Transport> proto) {
  // Matches arrive protocol by protocol, each in registry order; rank each name by its first appearance so
  // that "http" (80/tcp's first name) leads, and its udp/sctp rows follow it rather than the other names.
  std::vector<std::pair<size_t, PortEntry>> hits;
  std::vector<std::string_view> names;
  for (const Row& row : kRows) {
    if (!proto_matches(row, proto) || port < row.first || port > row.last) continue;
    auto it = std::find(names.begin(), names.end(), row.name);
    const auto rank = static_cast<size_t>(it - names.begin());
    if (it == names.end()) names.push_back(row.name);
    hits.emplace_back(rank, make_entry(row, port, false));
  }
  std::stable_sort(hits.begin(), hits.end(), [](const auto& a, const auto& b) {
    return std::tie(a.first, a.second.proto) < std::tie(b.first, b.second.proto);
  });
  std::vector<PortEntry> out;
  out.reserve(hits.size());
  for (auto& h : hits) out.push_back(h.second);
  return out;
}

std::vector<PortEntry> lookup_service(std::string_view query, std::optional<Transport> proto) {
  std::vector<PortEntry> exact, related;
  if (query.empty()) return exact;
  for (const Row& row : kRows) {
    if (!proto_matches(row, proto)) continue;
    if (iequals(row.name, query)) {
      exact.push_back(make_entry(row, row.first, false));
    } else if (istarts_with(row.name, query)) {
      related.push_back(make_entry(row, row.first, true));
    }
  }
  if (exact.empty() && related.empty()) {
    for (const Row& row : kRows) {
      if (proto_matches(row, proto) && icontains(row.name, query)) {
        related.push_back(make_entry(row, row.first, true));
      }
    }
  }
  std::stable_sort(exact.begin(), exact.end(), by_port_name_proto);
  std::stable_sort(related.begin(), related.end(), by_port_name_proto);
  exact.insert(exact.end(), related.begin(), related.end());
  return exact;
}

} // namespace ps
