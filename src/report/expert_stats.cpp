#include "report/expert_stats.h"

#include <cstdio>

namespace ps::report {

namespace {

// tshark's short name of a protocol (proto_register_protocol's second argument) for the top-level
// tree an expert item sits in; other protocols are their abbreviation in capitals.
std::string_view short_name(std::string_view abbrev, std::string& buf) {
  static constexpr std::pair<std::string_view, std::string_view> kNames[] = {
      {"eth", "Ethernet"},      {"ip", "IPv4"},
      {"ipv6", "IPv6"},         {"icmpv6", "ICMPv6"},
      {"frame", "Frame"},       {"data", "Data"},
      {"pop", "POP"},           {"ftp-data", "FTP-DATA"},
      {"imf", "IMF"},           {"sll", "SLL"},
      {"vlan", "VLAN"},         {"data-text-lines", "Line-based text data"},
      {"ssh", "SSH"},           {"_ws.malformed", "Malformed"},
      {"pkt_comment", "Frame"},
  };
  for (const auto& [a, n] : kNames)
    if (a == abbrev) return n;
  buf.assign(abbrev);
  for (char& c : buf)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return buf;
}

// Each severity as tshark's trees print it ("Warning") and as -z expert,LEVEL names it ("warn").
struct SeverityName {
  ExpertSeverity severity;
  std::string_view tree, option;
};
constexpr SeverityName kSeverityNames[] = {{ExpertSeverity::Error, "Error", "error"},
                                           {ExpertSeverity::Warn, "Warning", "warn"},
                                           {ExpertSeverity::Note, "Note", "note"},
                                           {ExpertSeverity::Chat, "Chat", "chat"},
                                           {ExpertSeverity::Comment, "Comment", "comment"}};

std::optional<ExpertSeverity> severity_of(std::string_view s) {
  for (const SeverityName& n : kSeverityNames)
    if (n.tree == s) return n.severity;
  return std::nullopt;
}

} // namespace

std::optional<ExpertSeverity> expert_severity(std::string_view name) {
  for (const SeverityName& n : kSeverityNames)
    if (n.option == name) return n.severity;
  return std::nullopt;
}

void ExpertStats::add_needs(EngineNeeds& needs) {
  needs.streams = true;
  needs.numbers = true;
  needs.analysis = true;
  needs.app = true;
  needs.service_only = false;
}

void ExpertStats::add(ExpertSeverity s, std::string_view group, std::string_view protocol,
                      std::string_view summary) {
  if (s < lowest_) return;
  const auto i = static_cast<size_t>(s);
  key_.assign(protocol);
  key_.push_back('\0');
  key_.append(summary);
  auto [it, fresh] = index_[i].try_emplace(key_, static_cast<uint32_t>(levels_[i].size()));
  if (fresh) levels_[i].push_back(Entry{std::string(group), std::string(protocol), std::string(summary), 0});
  ++levels_[i][it->second].frequency;
}

// Every item whose tree line is "Expert Info (Severity/Group): message" (bracketed or not, as the
// describers write it) is one expert item of the protocol whose top-level tree holds it; a "[Malformed
// Packet: ...]" line is tshark's Error/Malformed item of the protocol before it.
void ExpertStats::packet(const PacketView& v) {
  if (first_) {
    times_.first = times_.previous = v.frame.ts;
    first_ = false;
  }
  rec_.reset(true, nullptr, false);
  DescribeOptions opt;
  opt.check_checksums = false; // tshark 4.0 checks none of the checksums that have expert items
  describe(v.pkt, v.meta, opt, times_, rec_, v.app);
  times_.previous = v.frame.ts;
  std::string_view protocol;
  std::string buf;
  for (const Item& it : rec_.items()) {
    std::string_view t = it.text;
    if (it.depth == 0 && it.field == F::MALFORMED) {
      // "[Malformed Packet: ...]": tshark's Error/Malformed item, of the protocol being dissected.
      if (t.starts_with("[Malformed Packet"))
        add(ExpertSeverity::Error, "Malformed", protocol, "Malformed Packet (Exception occurred)");
      continue;
    }
    if (it.depth == 0 && field_info(it.field).type == FieldType::Protocol)
      protocol = rec_.save(short_name(field_info(it.field).abbrev, buf));
    if (t.starts_with('[')) t.remove_prefix(1);
    if (!t.starts_with("Expert Info (")) continue;
    t.remove_prefix(13);
    const size_t slash = t.find('/'), close = t.find("): ");
    if (slash == std::string_view::npos || close == std::string_view::npos || slash > close) continue;
    auto sev = severity_of(t.substr(0, slash));
    if (!sev) continue;
    std::string_view msg = t.substr(close + 3);
    if (it.text.starts_with('[') && msg.ends_with(']')) msg.remove_suffix(1);
    // tshark keeps a summary of at most 239 bytes (its item label buffer).
    add(*sev, t.substr(slash + 1, close - slash - 1), protocol, msg.substr(0, 239));
  }
}

void ExpertStats::print(OutBuffer& out) const {
  static constexpr std::string_view kLabels[] = {"Comments", "Chats", "Notes", "Warns", "Errors"};
  for (int i = 4; i >= 0; --i) {
    const auto& items = levels_[i];
    if (items.empty()) continue;
    uint64_t total = 0;
    for (const Entry& e : items) total += e.frequency;
    out.print("\n{} ({})\n=============\n   Frequency      Group           Protocol  Summary\n", kLabels[i],
              total);
    for (const Entry& e : items)
      out.print("{:>12} {:>10} {:>18}  {}\n", e.frequency, e.group, e.protocol, e.summary);
  }
}

} // namespace ps::report
