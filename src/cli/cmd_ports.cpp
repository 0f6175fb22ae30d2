// `portscope ports`: look up the IANA service-name and port-number registry by port or by service name.
#include "cli/commands.h"
#include "services/port_registry.h"
#include "services/url.h"

#include <fmt/core.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ps::cli {
namespace {

struct PortsOptions {
  std::vector<std::string> queries;
  bool tcp = false, udp = false, sctp = false, dccp = false;
  std::string format = "table";
};

constexpr int kExitOk = 0, kExitNotFound = 1, kExitUsage = 2;

bool is_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A decimal port 0..65535; nullopt when out of range.
std::optional<uint16_t> parse_port(std::string_view s) {
  uint32_t v = 0;
  for (char c : s) {
    v = v * 10 + static_cast<uint32_t>(c - '0');
    if (v > 65535) return std::nullopt;
  }
  return static_cast<uint16_t>(v);
}

std::string port_text(const PortEntry& e) {
  return e.is_range() ? fmt::format("{}-{}", e.first_port, e.last_port) : fmt::format("{}", e.first_port);
}

// "udp", "tcp or udp", ... for messages; empty when every protocol was asked for.
std::string protocols_text(const std::vector<Transport>& protos) {
  if (protos.size() == std::size(kAllTransports)) return {};
  std::string out;
  for (size_t i = 0; i < protos.size(); ++i) {
    if (i > 0) out += i + 1 == protos.size() ? " or " : ", ";
    out += transport_name(protos[i]);
  }
  return out;
}

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      if (u < 0x20) {
        out += fmt::format("\\u{:04x}", u);
      } else {
        out += c; // UTF-8 passes through
      }
    }
  }
  out += '"';
  return out;
}

std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

void print_json(const std::vector<PortEntry>& rows) {
  std::string out = "[\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    const PortEntry& e = rows[i];
    out += fmt::format("  {{\"service\": {}, \"port\": {}, \"last_port\": {}, \"protocol\": \"{}\", "
                       "\"description\": {}, \"primary\": {}, \"related\": {}}}{}\n",
                       json_string(e.service), e.first_port, e.last_port, transport_name(e.proto),
                       json_string(e.description), e.primary, e.related, i + 1 < rows.size() ? "," : "");
  }
  out += "]\n";
  fmt::print("{}", out);
}

void print_csv(const std::vector<PortEntry>& rows) {
  std::string out = "service,port,protocol,description\n";
  for (const PortEntry& e : rows) {
    out += fmt::format("{},{},{},{}\n", csv_field(e.service), port_text(e), transport_name(e.proto),
                       csv_field(e.description));
  }
  fmt::print("{}", out);
}

// One line per service/port/description; registrations that differ only by protocol share a line
// ("tcp/udp"), like Wireshark's services file.
void print_table(const std::vector<PortEntry>& rows) {
  struct Line {
    std::string service, port, protos;
    std::string_view description;
  };
  std::vector<Line> lines;
  const PortEntry* prev = nullptr;
  for (const PortEntry& e : rows) {
    if (prev && prev->service == e.service && prev->first_port == e.first_port &&
        prev->last_port == e.last_port && prev->description == e.description && prev->proto < e.proto) {
      lines.back().protos += '/';
      lines.back().protos += transport_name(e.proto);
    } else {
      lines.push_back(
          {std::string(e.service), port_text(e), std::string(transport_name(e.proto)), e.description});
    }
    prev = &e;
  }
  size_t w_service = 7, w_port = 4, w_proto = 8; // header widths
  for (const Line& l : lines) {
    w_service = std::max(w_service, l.service.size());
    w_port = std::max(w_port, l.port.size());
    w_proto = std::max(w_proto, l.protos.size());
  }
  std::string out = fmt::format("{:<{}}  {:<{}}  {:<{}}  DESCRIPTION\n", "SERVICE", w_service, "PORT", w_port,
                                "PROTOCOL", w_proto);
  for (const Line& l : lines) {
    std::string line = fmt::format("{:<{}}  {:<{}}  {:<{}}  {}", l.service, w_service, l.port, w_port,
                                   l.protos, w_proto, l.description);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line;
    out += '\n';
  }
  fmt::print("{}", out);
}

// A query naming a URL: which host and port it connects to, and what is registered on that port.
int run_url(const PortsOptions& opt, const std::string& q) {
  std::string error;
  std::optional<Url> u = parse_url(q, error);
  if (!u) {
    fmt::print(stderr, "portscope ports: malformed URL '{}': {}\n", q, error);
    return kExitUsage;
  }
  const std::optional<uint16_t> def = scheme_default_port(u->scheme);
  if (!u->port && !def) {
    fmt::print(stderr, "portscope ports: URL '{}' names no port and scheme '{}' has no default port\n", q,
               u->scheme);
    return kExitNotFound;
  }
  const uint16_t port = u->port ? *u->port : *def;
  std::string why;
  if (u->port && def)
    why = *u->port == *def ? fmt::format("named in the URL; also {}'s default", u->scheme)
                           : fmt::format("named in the URL; {}'s default would be {}", u->scheme, *def);
  else if (u->port)
    why = fmt::format("named in the URL; {} has no default port", u->scheme);
  else
    why = fmt::format("{}'s default port", u->scheme);
  std::vector<PortEntry> found = lookup_port(port, Transport::Tcp);
  const std::string_view name = port_service_name(Transport::Tcp, port);
  if (opt.format == "json") {
    std::string out = fmt::format(
        "{{\"url\": {}, \"scheme\": {}, \"host\": {}, \"ipv6\": {}, \"userinfo\": {}, \"port\": {}, "
        "\"port_in_url\": {}, \"default_port\": {}, \"protocol\": \"tcp\", \"registered\": [",
        json_string(q), json_string(u->scheme), json_string(u->host), u->ipv6,
        u->has_userinfo ? json_string(u->userinfo) : "null", port, u->port.has_value(),
        def ? std::to_string(*def) : "null");
    for (size_t i = 0; i < found.size(); ++i)
      out += fmt::format("{}{{\"service\": {}, \"description\": {}}}", i ? ", " : "",
                         json_string(found[i].service), json_string(found[i].description));
    out += "]}\n";
    fmt::print("{}", out);
  } else {
    std::string out = fmt::format("URL       {}\nscheme    {}\nhost      {}{}\n", q, u->scheme,
                                  u->ipv6 ? "[" + u->host + "]" : u->host, u->ipv6 ? " (IPv6 literal)" : "");
    if (u->has_userinfo) out += fmt::format("userinfo  {}\n", u->userinfo);
    out += fmt::format("port      {}/tcp ({})\n", port, why);
    out += fmt::format("service   {}\n", name.empty() ? "- (nothing registered on this TCP port)" : name);
    if (!u->path.empty() || u->has_query)
      out += fmt::format("path      {}{}{}\n", u->path.empty() ? "/" : u->path, u->has_query ? "?" : "",
                         u->query);
    fmt::print("{}", out);
    if (!found.empty()) {
      fmt::print("\n");
      print_table(found);
    }
  }
  std::fflush(stdout);
  return kExitOk;
}

int run_ports(const PortsOptions& opt) {
  std::vector<Transport> protos;
  if (opt.tcp) protos.push_back(Transport::Tcp);
  if (opt.udp) protos.push_back(Transport::Udp);
  if (opt.sctp) protos.push_back(Transport::Sctp);
  if (opt.dccp) protos.push_back(Transport::Dccp);
  if (protos.empty()) protos.assign(std::begin(kAllTransports), std::end(kAllTransports));
  const auto wanted = [&](const PortEntry& e) {
    return std::find(protos.begin(), protos.end(), e.proto) != protos.end();
  };
  const std::optional<Transport> only =
      protos.size() == 1 ? std::optional<Transport>(protos.front()) : std::nullopt;
  const std::string over = protocols_text(protos);
  const std::string over_suffix = over.empty() ? std::string() : " over " + over;

  int status = kExitOk;
  std::vector<PortEntry> rows;
  for (const std::string& q : opt.queries) {
    std::vector<PortEntry> found;
    if (q.find(':') != std::string::npos) { // service names hold no ':': a URL
      status = std::max(status, run_url(opt, q));
      continue;
    }
    if (is_digits(q)) {
      const std::optional<uint16_t> port = parse_port(q);
      if (!port) {
        fmt::print(stderr, "portscope ports: invalid port number '{}' (expected 0-65535)\n", q);
        status = std::max(status, kExitUsage);
        continue;
      }
      found = lookup_port(*port, only);
      std::erase_if(found, [&](const PortEntry& e) { return !wanted(e); });
      if (found.empty()) {
        fmt::print(stderr, "portscope ports: no IANA registration for port {}{}\n", *port, over_suffix);
        status = std::max(status, kExitNotFound);
        continue;
      }
    } else {
      found = lookup_service(q, only);
      std::erase_if(found, [&](const PortEntry& e) { return !wanted(e); });
      if (found.empty()) {
        if (q.empty() || (q.front() >= '0' && q.front() <= '9')) {
          // "8x": most likely a mistyped port (names can start with a digit, e.g. 3com-tsmux, 9pfs).
          fmt::print(stderr,
                     "portscope ports: invalid port number '{}' (expected 0-65535 or a service name)\n", q);
          status = std::max(status, kExitUsage);
        } else {
          fmt::print(stderr, "portscope ports: unknown service '{}'{}\n", q, over_suffix);
          status = std::max(status, kExitNotFound);
        }
        continue;
      }
    }
    for (PortEntry& e : found) {
      if (std::find(rows.begin(), rows.end(), e) == rows.end()) rows.push_back(e);
    }
  }

  if (!rows.empty()) {
    if (opt.format == "json") {
      print_json(rows);
    } else if (opt.format == "csv") {
      print_csv(rows);
    } else {
      print_table(rows);
    }
    std::fflush(stdout);
  }
  return status;
}

} // namespace

void add_ports_command(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<PortsOptions>();
  CLI::App* cmd = app.add_subcommand("ports", "Look up IANA service names and port numbers");
  cmd->add_option("query", opt->queries, "Port number (0-65535), service name or URL; several allowed")
      ->required();
  cmd->add_flag("--tcp", opt->tcp, "Only TCP registrations");
  cmd->add_flag("--udp", opt->udp, "Only UDP registrations");
  cmd->add_flag("--sctp", opt->sctp, "Only SCTP registrations");
  cmd->add_flag("--dccp", opt->dccp, "Only DCCP registrations");
  cmd->add_option("--format", opt->format, "Output format (default: table)")
      ->check(CLI::IsMember({"table", "json", "csv"}));
  cmd->footer(R"(Looks the query up in IANA's service-name and port-number registry (see docs/ports.md).
A port lists every name registered on it; the first row is the name tshark shows for it.
A name matches case-insensitively: the exact name first, then related names starting with
it (ftp -> ftp-data, ftps, ...); with neither, names containing it. Protocol flags combine
(--tcp --udp); without any, all four protocols are shown. Registrations that differ only
by protocol share a table line (tcp/udp); json and csv give one record per protocol.

A URL (scheme://[user@]host[:port]/path, RFC 3986; IPv6 hosts in brackets) gives the TCP port
a client connects to: the one the URL names, else the scheme's default (http 80, https 443,
ftp 21, telnet 23, smtp 25, pop3 110, ssh 22, ...), and what IANA registered on it.

Exit status: 0 found, 1 unknown service, unregistered port, or a URL with no port and a scheme
without a default; 2 invalid port number or malformed URL.

Examples:
  portscope ports 80                  http, www, www-http on 80 (tcp/udp, sctp)
  portscope ports ftp                 ftp 21, then related names: ftp-data 20, ftps 990, ...
  portscope ports 53 --udp            domain 53/udp only
  portscope ports HTTPS 22 --tcp      several queries at once, TCP only
  portscope ports 6010                ranges too: x11 6000-6063
  portscope ports ssh --format json   one JSON object per registration
  portscope ports https://www.2000trainers.com:2222    port 2222 (https's default is 443)
  portscope ports 'http://[fd00::1]:8080/'            an IPv6 literal)");
  cmd->callback([opt, &exit_code] { exit_code = run_ports(*opt); });
}

} // namespace ps::cli
