// Completed transactions kept for `portscope log` (Zeek http.log / ftp.log / smtp.log shapes).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ps::app {

struct ConnId {
  uint32_t stream = 0;
  std::string orig_h, resp_h;
  uint16_t orig_p = 0, resp_p = 0;
};

struct HttpTxn {
  int64_t ts_ns = 0; // request time (response time when the request was not seen)
  ConnId id;
  uint32_t trans_depth = 0;
  std::string method, host, uri, referrer, version, user_agent;
  uint64_t request_body_len = 0, response_body_len = 0;
  std::optional<uint16_t> status_code;
  std::string status_msg, resp_mime;
  uint64_t request_frame = 0, response_frame = 0;
};

struct FtpTxn {
  int64_t ts_ns = 0;
  ConnId id;
  std::string user, password, command, arg, mime_type;
  std::optional<uint64_t> file_size;
  std::optional<int> reply_code;
  std::string reply_msg;
  bool data_channel_passive = false;
  std::string data_orig_h, data_resp_h;
  uint16_t data_resp_p = 0;
  bool has_data_channel = false;
  uint64_t data_bytes = 0; // bytes seen on the data connection
};

struct SmtpTxn {
  int64_t ts_ns = 0;
  ConnId id;
  uint32_t trans_depth = 0;
  std::string helo, mailfrom, from, subject, last_reply;
  std::vector<std::string> rcptto;
  uint64_t msg_size = 0;
  bool tls = false;
};

struct Pop3Txn {
  int64_t ts_ns = 0;
  ConnId id;
  std::string command, arg, status, reply;
  uint64_t data_len = 0; // multi-line response bytes
};

// Zeek's ssl.log (base/protocols/ssl/main.zeek), plus the JA3/JA3S/JA4 fingerprints.
struct SslTxn {
  int64_t ts_ns = 0; // the first TLS record
  ConnId id;
  std::string version, cipher, curve, server_name, last_alert, next_protocol;
  bool resumed = false, established = false;
  std::vector<std::string> cert_chain_fps; // SHA-256 of each certificate's DER, server's chain
  std::string subject, issuer;             // the server's (first) certificate, RFC 4514
  std::string ja3, ja3s, ja4;
};

// Zeek's ssh.log (base/protocols/ssh/main.zeek).
struct SshTxn {
  int64_t ts_ns = 0;
  ConnId id;
  int version = 0;
  std::optional<bool> auth_success;
  uint32_t auth_attempts = 0;
  std::string client, server;
  std::string cipher_alg, mac_alg, compression_alg, kex_alg, host_key_alg, host_key;
};

struct Transactions {
  std::vector<HttpTxn> http;
  std::vector<FtpTxn> ftp;
  std::vector<SmtpTxn> smtp;
  std::vector<Pop3Txn> pop3;
  std::vector<SslTxn> ssl;
  std::vector<SshTxn> ssh;
  size_t max_per_kind = 1'000'000; // bounded memory on huge captures (Limits::max_transactions)
  uint64_t dropped = 0;            // transactions not kept because a kind was full

  // Whether one more transaction fits in `v`; counts it as dropped when not.
  template <class T> bool room(const std::vector<T>& v) {
    if (v.size() < max_per_kind) return true;
    ++dropped;
    return false;
  }
};

} // namespace ps::app
