#include "app/service.h"

namespace ps::app {

std::string_view service_name(Service s) {
  switch (s) {
  case Service::None:
    return "";
  case Service::Http:
    return "http";
  case Service::Ftp:
    return "ftp";
  case Service::FtpData:
    return "ftp-data";
  case Service::Smtp:
    return "smtp";
  case Service::Pop3:
    return "pop3";
  case Service::Telnet:
    return "telnet";
  case Service::Dns:
    return "dns";
  case Service::Tls:
    return "ssl";
  case Service::Ssh:
    return "ssh";
  case Service::TlsHttp:
    return "ssl,http";
  }
  return "";
}

std::string_view service_source_name(ServiceSource s) {
  switch (s) {
  case ServiceSource::None:
    return "";
  case ServiceSource::User:
    return "decode-as";
  case ServiceSource::Expected:
    return "expected";
  case ServiceSource::Content:
    return "content";
  case ServiceSource::Port:
    return "port";
  }
  return "";
}

std::optional<Service> parse_service(std::string_view n) {
  if (n == "http") return Service::Http;
  if (n == "ftp") return Service::Ftp;
  if (n == "ftp-data") return Service::FtpData;
  if (n == "smtp") return Service::Smtp;
  if (n == "pop" || n == "pop3") return Service::Pop3;
  if (n == "telnet") return Service::Telnet;
  if (n == "dns") return Service::Dns;
  if (n == "tls" || n == "ssl") return Service::Tls;
  if (n == "ssh") return Service::Ssh;
  return std::nullopt;
}

Service service_for_port(bool tcp, uint16_t port) {
  if (!tcp) return port == 53 || port == 5353 ? Service::Dns : Service::None;
  switch (port) {
  case 80:
  case 3128:
  case 3132:
  case 5985:
  case 8080:
  case 8088:
  case 11371:
  case 1900:
  case 2869:
  case 2710:
    return Service::Http; // tshark's default http.tcp.port range
  case 21:
    return Service::Ftp;
  case 20:
    return Service::FtpData;
  case 25:
    return Service::Smtp;
  case 110:
    return Service::Pop3;
  case 23:
    return Service::Telnet;
  case 53:
    return Service::Dns;
  case 443:
    return Service::Tls;
  case 22:
    return Service::Ssh;
  default:
    return Service::None;
  }
}

} // namespace ps::app
