#include "output/log/log_rows.h"

#include <fmt/format.h>

#include "app/http/http_parser.h"
#include "services/url.h"

namespace ps::app {

namespace {

using Cell = std::optional<std::string>;

Cell ts(int64_t ns) {
  uint64_t a = static_cast<uint64_t>(ns < 0 ? -ns : ns);
  return fmt::format("{}{}.{:06}", ns < 0 ? "-" : "", a / 1'000'000'000, (a % 1'000'000'000) / 1000);
}
Cell num(uint64_t v) {
  return std::to_string(v);
}
Cell str(const std::string& s) {
  return s.empty() ? Cell{} : Cell{s};
}

Cell uid(uint32_t stream) {
  return stream_uid(stream);
}

void id_columns(std::vector<LogColumn>& c) {
  c.push_back({"ts", true});
  c.push_back({"uid"});
  c.push_back({"id.orig_h"});
  c.push_back({"id.orig_p", true});
  c.push_back({"id.resp_h"});
  c.push_back({"id.resp_p", true});
}

void id_cells(std::vector<Cell>& row, int64_t t, const ConnId& id) {
  row.push_back(ts(t));
  row.push_back(uid(id.stream));
  row.push_back(id.orig_h);
  row.push_back(num(id.orig_p));
  row.push_back(id.resp_h);
  row.push_back(num(id.resp_p));
}

// The url column (unset without a request line).
Cell request_url(const HttpTxn& x) {
  if (x.uri.empty()) return {};
  return http_request_url(x);
}

} // namespace

// The Host header's host and port (else the server's address and port); absolute request URIs as they
// are.
std::string http_request_url(const HttpTxn& x) {
  if (x.uri.empty()) return {};
  if (x.uri.starts_with("http://") || x.uri.starts_with("https://")) return x.uri;
  std::string host = x.id.resp_h;
  uint16_t port = x.id.resp_p;
  if (!x.host.empty()) {
    uint16_t p = 0;
    split_host_port(x.host, host, p);
    port = p ? p : 80;
  }
  if (host.size() > 1 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return browser_url("http", host, port,
                     x.uri.front() == '/' ? std::string_view(x.uri) : std::string_view("/"));
}

LogTable http_log(const Transactions& t) {
  LogTable L;
  L.path = "http";
  id_columns(L.columns);
  for (auto [n, numeric] : {std::pair{"trans_depth", true},
                            {"method", false},
                            {"host", false},
                            {"uri", false},
                            {"referrer", false},
                            {"version", false},
                            {"user_agent", false},
                            {"request_body_len", true},
                            {"response_body_len", true},
                            {"status_code", true},
                            {"status_msg", false},
                            {"resp_mime_types", false},
                            {"url", false}})
    L.columns.push_back({n, numeric});
  for (const HttpTxn& x : t.http) {
    std::vector<Cell> row;
    id_cells(row, x.ts_ns, x.id);
    std::string host;
    uint16_t port = 0;
    split_host_port(x.host, host, port); // Zeek logs the Host header without its port
    row.push_back(num(x.trans_depth));
    row.push_back(str(x.method));
    row.push_back(str(host));
    row.push_back(str(x.uri));
    row.push_back(str(x.referrer));
    row.push_back(str(x.version));
    row.push_back(str(x.user_agent));
    row.push_back(num(x.request_body_len));
    row.push_back(num(x.response_body_len));
    row.push_back(x.status_code ? num(*x.status_code) : Cell{});
    row.push_back(str(x.status_msg));
    row.push_back(str(x.resp_mime));
    row.push_back(request_url(x));
    L.rows.push_back(std::move(row));
  }
  return L;
}

LogTable ftp_log(const Transactions& t) {
  LogTable L;
  L.path = "ftp";
  id_columns(L.columns);
  for (auto [n, numeric] : {std::pair{"user", false},
                            {"password", false},
                            {"command", false},
                            {"arg", false},
                            {"file_size", true},
                            {"reply_code", true},
                            {"reply_msg", false},
                            {"data_channel.passive", true},
                            {"data_channel.orig_h", false},
                            {"data_channel.resp_h", false},
                            {"data_channel.resp_p", true}})
    L.columns.push_back({n, numeric});
  for (const FtpTxn& x : t.ftp) {
    std::vector<Cell> row;
    id_cells(row, x.ts_ns, x.id);
    row.push_back(str(x.user));
    row.push_back(x.password.empty() ? Cell{} : Cell{"<hidden>"});
    row.push_back(str(x.command));
    row.push_back(str(x.arg));
    if (x.file_size)
      row.push_back(num(*x.file_size));
    else if (x.has_data_channel)
      row.push_back(num(x.data_bytes));
    else
      row.push_back({});
    row.push_back(x.reply_code ? num(static_cast<uint64_t>(*x.reply_code)) : Cell{});
    row.push_back(str(x.reply_msg));
    if (x.has_data_channel) {
      row.push_back(std::string(x.data_channel_passive ? "true" : "false"));
      row.push_back(x.data_orig_h);
      row.push_back(x.data_resp_h);
      row.push_back(num(x.data_resp_p));
    } else {
      row.insert(row.end(), 4, Cell{});
    }
    L.rows.push_back(std::move(row));
  }
  return L;
}

LogTable smtp_log(const Transactions& t) {
  LogTable L;
  L.path = "smtp";
  id_columns(L.columns);
  for (auto [n, numeric] : {std::pair{"trans_depth", true},
                            {"helo", false},
                            {"mailfrom", false},
                            {"rcptto", false},
                            {"from", false},
                            {"subject", false},
                            {"last_reply", false},
                            {"msg_size", true},
                            {"tls", true}})
    L.columns.push_back({n, numeric});
  for (const SmtpTxn& x : t.smtp) {
    std::vector<Cell> row;
    id_cells(row, x.ts_ns, x.id);
    std::string rcpt;
    for (size_t i = 0; i < x.rcptto.size(); ++i) rcpt += (i ? "," : "") + x.rcptto[i];
    row.push_back(num(x.trans_depth));
    row.push_back(str(x.helo));
    row.push_back(str(x.mailfrom));
    row.push_back(str(rcpt));
    row.push_back(str(x.from));
    row.push_back(str(x.subject));
    row.push_back(str(x.last_reply));
    row.push_back(num(x.msg_size));
    row.push_back(std::string(x.tls ? "true" : "false"));
    L.rows.push_back(std::move(row));
  }
  return L;
}

LogTable pop3_log(const Transactions& t) {
  LogTable L;
  L.path = "pop3";
  id_columns(L.columns);
  for (auto [n, numeric] :
       {std::pair{"command", false}, {"arg", false}, {"status", false}, {"reply", false}, {"data_len", true}})
    L.columns.push_back({n, numeric});
  for (const Pop3Txn& x : t.pop3) {
    std::vector<Cell> row;
    id_cells(row, x.ts_ns, x.id);
    row.push_back(str(x.command));
    row.push_back(str(x.arg));
    row.push_back(str(x.status));
    row.push_back(str(x.reply));
    row.push_back(num(x.data_len));
    L.rows.push_back(std::move(row));
  }
  return L;
}

LogTable ssl_log(const Transactions& t) {
  LogTable L;
  L.path = "ssl";
  id_columns(L.columns);
  for (auto [n, numeric] : {std::pair{"version", false},
                            {"cipher", false},
                            {"curve", false},
                            {"server_name", false},
                            {"resumed", true},
                            {"last_alert", false},
                            {"next_protocol", false},
                            {"established", true},
                            {"cert_chain_fps", false},
                            {"subject", false},
                            {"issuer", false},
                            {"ja3", false},
                            {"ja3s", false},
                            {"ja4", false}})
    L.columns.push_back({n, numeric});
  for (const SslTxn& x : t.ssl) {
    std::vector<Cell> row;
    id_cells(row, x.ts_ns, x.id);
    std::string fps;
    for (size_t i = 0; i < x.cert_chain_fps.size(); ++i) fps += (i ? "," : "") + x.cert_chain_fps[i];
    row.push_back(str(x.version));
    row.push_back(str(x.cipher));
    row.push_back(str(x.curve));
    row.push_back(str(x.server_name));
    row.push_back(std::string(x.resumed ? "true" : "false"));
    row.push_back(str(x.last_alert));
    row.push_back(str(x.next_protocol));
    row.push_back(std::string(x.established ? "true" : "false"));
    row.push_back(str(fps));
    row.push_back(str(x.subject));
    row.push_back(str(x.issuer));
    row.push_back(str(x.ja3));
    row.push_back(str(x.ja3s));
    row.push_back(str(x.ja4));
    L.rows.push_back(std::move(row));
  }
  return L;
}

LogTable ssh_log(const Transactions& t) {
  LogTable L;
  L.path = "ssh";
  id_columns(L.columns);
  for (auto [n, numeric] : {std::pair{"version", true},
                            {"auth_success", true},
                            {"auth_attempts", true},
                            {"client", false},
                            {"server", false},
                            {"cipher_alg", false},
                            {"mac_alg", false},
                            {"compression_alg", false},
                            {"kex_alg", false},
                            {"host_key_alg", false},
                            {"host_key", false}})
    L.columns.push_back({n, numeric});
  for (const SshTxn& x : t.ssh) {
    std::vector<Cell> row;
    id_cells(row, x.ts_ns, x.id);
    row.push_back(x.version ? num(static_cast<uint64_t>(x.version)) : Cell{});
    row.push_back(x.auth_success ? Cell{std::string(*x.auth_success ? "true" : "false")} : Cell{});
    row.push_back(num(x.auth_attempts));
    row.push_back(str(x.client));
    row.push_back(str(x.server));
    row.push_back(str(x.cipher_alg));
    row.push_back(str(x.mac_alg));
    row.push_back(str(x.compression_alg));
    row.push_back(str(x.kex_alg));
    row.push_back(str(x.host_key_alg));
    row.push_back(str(x.host_key));
    L.rows.push_back(std::move(row));
  }
  return L;
}

} // namespace ps::app
