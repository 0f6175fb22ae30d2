#include "cli/live_log.h"

#include <utility>

#include "output/log/log_rows.h"

namespace ps::cli {

LiveLog::LiveLog(std::string kind, app::LogFormat f, OutBuffer& out, bool filtered,
                 std::function<void(app::LogTable&)> fix)
    : kind_(std::move(kind)), stream_(f, out), filtered_(filtered), fix_(std::move(fix)) {}

void LiveLog::poll(const app::Transactions& t, const app::DnsLogBuilder& dns, bool final) {
  const bool is_dns = kind_ == "dns";
  const size_t n = is_dns            ? dns.size()
                   : kind_ == "http" ? t.http.size()
                   : kind_ == "ftp"  ? t.ftp.size()
                   : kind_ == "smtp" ? t.smtp.size()
                   : kind_ == "ssl"  ? t.ssl.size()
                   : kind_ == "ssh"  ? t.ssh.size()
                                     : t.pop3.size();
  if (printed_.size() < n) printed_.resize(n, false);
  auto complete = [&](size_t i) {
    if (kind_ == "http") return t.http[i].status_code.has_value();
    if (kind_ == "ftp") return t.ftp[i].reply_code.has_value() && *t.ftp[i].reply_code >= 200;
    if (kind_ == "pop3") return !t.pop3[i].status.empty();
    if (is_dns) return dns.answered(i);
    return false; // smtp, ssl, ssh: a transaction lasts until its connection ends
  };
  auto conn_ended = [&](size_t i) {
    if (is_dns) return is_ended(!dns.tcp(i), dns.stream(i));
    const uint32_t s = kind_ == "http"   ? t.http[i].id.stream
                       : kind_ == "ftp"  ? t.ftp[i].id.stream
                       : kind_ == "smtp" ? t.smtp[i].id.stream
                       : kind_ == "ssl"  ? t.ssl[i].id.stream
                       : kind_ == "ssh"  ? t.ssh[i].id.stream
                                         : t.pop3[i].id.stream;
    return is_ended(false, s);
  };
  std::vector<size_t> ready;
  for (size_t i = lo_; i < n; ++i) {
    if (printed_[i]) continue;
    if (final || conn_ended(i) || (!filtered_ && complete(i))) {
      ready.push_back(i);
      printed_[i] = true;
    }
  }
  while (lo_ < n && printed_[lo_]) ++lo_;
  if (ready.empty() && !final) return;
  app::LogTable table;
  if (is_dns) {
    table = dns.table(ready);
  } else {
    app::Transactions sub;
    for (size_t i : ready) {
      if (kind_ == "http") sub.http.push_back(t.http[i]);
      if (kind_ == "ftp") sub.ftp.push_back(t.ftp[i]);
      if (kind_ == "smtp") sub.smtp.push_back(t.smtp[i]);
      if (kind_ == "pop3") sub.pop3.push_back(t.pop3[i]);
      if (kind_ == "ssl") sub.ssl.push_back(t.ssl[i]);
      if (kind_ == "ssh") sub.ssh.push_back(t.ssh[i]);
    }
    table = kind_ == "http"   ? app::http_log(sub)
            : kind_ == "ftp"  ? app::ftp_log(sub)
            : kind_ == "smtp" ? app::smtp_log(sub)
            : kind_ == "ssl"  ? app::ssl_log(sub)
            : kind_ == "ssh"  ? app::ssh_log(sub)
                              : app::pop3_log(sub);
  }
  fix_(table);
  if (publish_)
    publish_(table);
  else
    stream_.rows(table);
}

} // namespace ps::cli
