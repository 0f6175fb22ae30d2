// Application services portscope recognises, and how a connection's service was decided.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace ps::app {

// TlsHttp: TLS whose ALPN chose HTTP (Zeek's "ssl,http"); the analysis is TLS's.
enum class Service : uint8_t { None, Http, Ftp, FtpData, Smtp, Pop3, Telnet, Dns, Tls, Ssh, TlsHttp };

enum class ServiceSource : uint8_t {
  None,
  User,     // decode-as (-d tcp.port==2222,http)
  Expected, // announced by another connection (FTP PORT/PASV → ftp-data)
  Content,  // the first payload bytes matched a signature
  Port,     // the server port's registered service
};

// Zeek-style lowercase names: "http", "ftp", "ftp-data", "smtp", "pop3", "telnet", "dns", "ssl", "ssh",
// "ssl,http".
std::string_view service_name(Service s);
std::string_view service_source_name(ServiceSource s);
// Accepts tshark's decode-as protocol names and ours: http, ftp, ftp-data, smtp, pop/pop3, telnet,
// dns, tls/ssl, ssh.
std::optional<Service> parse_service(std::string_view name);
// The service a well-known server port implies (tshark's default port table for these protocols).
Service service_for_port(bool tcp, uint16_t port);

} // namespace ps::app
