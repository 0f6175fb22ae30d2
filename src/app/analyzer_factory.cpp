#include "app/analyzer_factory.h"

#include "app/dnstcp/dns_tcp_analyzer.h"
#include "app/ftp/ftp_analyzer.h"
#include "app/http/http_analyzer.h"
#include "app/pop3/pop3_analyzer.h"
#include "app/smtp/smtp_analyzer.h"
#include "app/ssh/ssh_analyzer.h"
#include "app/telnet/telnet_analyzer.h"
#include "app/tls/tls_analyzer.h"

namespace ps::app {

std::unique_ptr<Analyzer> make_analyzer(Service s, const AnalyzerEnv& env, const ExpectedConn* expected) {
  switch (s) {
  case Service::Http:
    return std::make_unique<HttpAnalyzer>(env);
  case Service::Ftp:
    return std::make_unique<FtpAnalyzer>(env);
  case Service::FtpData:
    return std::make_unique<FtpDataAnalyzer>(env, expected);
  case Service::Smtp:
    return std::make_unique<SmtpAnalyzer>(env);
  case Service::Pop3:
    return std::make_unique<Pop3Analyzer>(env);
  case Service::Telnet:
    return std::make_unique<TelnetAnalyzer>(env);
  case Service::Dns:
    return std::make_unique<DnsTcpAnalyzer>(env);
  case Service::Tls:
  case Service::TlsHttp:
    return std::make_unique<TlsAnalyzer>(env);
  case Service::Ssh:
    return std::make_unique<SshAnalyzer>(env);
  default:
    return nullptr;
  }
}

} // namespace ps::app
