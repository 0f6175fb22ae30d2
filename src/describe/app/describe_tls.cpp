// TLS records and handshake messages (src/app/tls/), as tshark's TLS and X.509 dissectors show them.
#include "app/tls/digest.h"
#include "app/tls/tls_parse.h"
#include "describe/app/app_describe.h"
#include "describe/proto/context.h"

namespace ps::app {

namespace {

using namespace tls;

std::string_view hex(Record& r, std::span<const uint8_t> b) {
  return proto::hex_str(r, b);
}
// A Bytes field's value: the raw bytes (the outputs print them as hex).
std::string_view raw(Record& r, std::span<const uint8_t> b) {
  return r.save({reinterpret_cast<const char*>(b.data()), b.size()});
}

void uint_item(Record& r, F f, uint64_t v, std::string_view text) {
  if (!r.want(f)) return;
  Item& it = r.add(f, 0, 0, v);
  if (r.tree()) it.text = text;
}

void bytes_item(Record& r, F f, std::span<const uint8_t> b, std::string_view label) {
  if (!r.want(f)) return;
  Item& it = r.add_str(f, 0, 0, raw(r, b));
  if (r.tree()) it.text = r.format("{}: {}", label, proto::short_hex(r, b));
}

std::string_view named(Record& r, std::string_view name, uint16_t v) {
  return name.empty() ? r.format("Unknown (0x{:04x})", v) : name;
}

void extension_body(Record& r, const Extension& e, const Hello& h) {
  const bool tree = r.tree();
  const auto& d = e.data;
  switch (e.type) {
  case 0:
    if (d.empty()) break; // a ServerHello's empty acknowledgement
    if (tree) r.push(F::TEXT, 0, 0).text = "Server Name Indication extension";
    if (!h.server_name.empty()) {
      if (tree && d.size() >= 5) {
        r.text(r.format("Server Name list length: {}", d[0] << 8 | d[1]));
        r.text("Server Name Type: host_name (0)");
        r.text(r.format("Server Name length: {}", h.server_name.size()));
      }
      add_string(r, F::TLS_HANDSHAKE_EXTENSIONS_SERVER_NAME, h.server_name);
    }
    if (tree) r.pop();
    break;
  case 16: {
    if (tree && d.size() >= 2) r.text(r.format("ALPN Extension Length: {}", d[0] << 8 | d[1]));
    if (tree) r.push(F::TEXT, 0, 0).text = "ALPN Protocol";
    for (const std::string& p : h.alpn) {
      if (tree) r.text(r.format("ALPN string length: {}", p.size()));
      add_string(r, F::TLS_HANDSHAKE_EXTENSIONS_ALPN_STR, p);
    }
    if (tree) r.pop();
    break;
  }
  case 43:
    if (h.client && tree && !d.empty()) r.text(r.format("Supported Versions length: {}", d[0]));
    for (uint16_t v : h.supported_versions)
      uint_item(r, F::TLS_HANDSHAKE_SUPPORTED_VERSION, v,
                r.format("Supported Version: {} (0x{:04x})", version_name(v), v));
    break;
  case 10:
    if (tree && d.size() >= 2) {
      r.text(r.format("Supported Groups List Length: {}", d[0] << 8 | d[1]));
      r.push(F::TEXT, 0, 0).text =
          r.format("Supported Groups ({} group{})", h.groups.size(), h.groups.size() == 1 ? "" : "s");
    }
    for (uint16_t g : h.groups)
      uint_item(r, F::TLS_HANDSHAKE_SUPPORTED_GROUP, g,
                r.format("Supported Group: {} (0x{:04x})", named(r, group_name(g), g), g));
    if (tree && d.size() >= 2) r.pop();
    break;
  case 11:
    if (tree && !d.empty()) {
      r.text(r.format("EC point formats Length: {}", d[0]));
      r.push(F::TEXT, 0, 0).text = r.format("Elliptic curves point formats ({})", h.point_formats.size());
    }
    for (uint8_t f : h.point_formats) {
      static constexpr std::string_view kNames[] = {"uncompressed", "ansiX962_compressed_prime",
                                                    "ansiX962_compressed_char2"};
      uint_item(r, F::TLS_HANDSHAKE_EC_POINT_FORMAT, f,
                r.format("EC point format: {} ({})", f < 3 ? kNames[f] : "Unknown", f));
    }
    if (tree && !d.empty()) r.pop();
    break;
  case 13:
  case 50: {
    const auto& algs = e.type == 13 ? h.sig_algs : h.sig_algs_cert;
    if (tree && d.size() >= 2) {
      r.text(r.format("Signature Hash Algorithms Length: {}", d[0] << 8 | d[1]));
      r.push(F::TEXT, 0, 0).text =
          r.format("Signature Hash Algorithms ({} algorithm{})", algs.size(), algs.size() == 1 ? "" : "s");
    }
    for (uint16_t s : algs)
      uint_item(r, F::TLS_HANDSHAKE_SIG_HASH_ALG, s,
                r.format("Signature Algorithm: {} (0x{:04x})", named(r, sig_alg_name(s), s), s));
    if (tree && d.size() >= 2) r.pop();
    break;
  }
  default:
    break;
  }
}

void hello(Record& r, const TlsHandshakeMsg& m, bool client) {
  Hello h;
  if (!parse_hello(m.body, client, h)) {
    if (r.tree()) r.text("[Malformed hello]");
    return;
  }
  const bool tree = r.tree();
  uint_item(r, F::TLS_HANDSHAKE_VERSION, h.version,
            r.format("Version: {} (0x{:04x})", version_name(h.version), h.version));
  bytes_item(r, F::TLS_HANDSHAKE_RANDOM, h.random, "Random");
  uint_item(r, F::TLS_HANDSHAKE_SESSION_ID_LENGTH, h.session_id.size(),
            r.format("Session ID Length: {}", h.session_id.size()));
  if (!h.session_id.empty()) bytes_item(r, F::TLS_HANDSHAKE_SESSION_ID, h.session_id, "Session ID");
  auto cipher_line = [&](uint16_t c) {
    uint_item(r, F::TLS_HANDSHAKE_CIPHERSUITE, c,
              r.format("Cipher Suite: {} (0x{:04x})", named(r, cipher_name(c), c), c));
  };
  if (client) {
    uint_item(r, F::TLS_HANDSHAKE_CIPHER_SUITES_LENGTH, h.ciphers.size() * 2,
              r.format("Cipher Suites Length: {}", h.ciphers.size() * 2));
    if (tree)
      r.push(F::TEXT, 0, 0).text =
          r.format("Cipher Suites ({} suite{})", h.ciphers.size(), h.ciphers.size() == 1 ? "" : "s");
    for (uint16_t c : h.ciphers) cipher_line(c);
    if (tree) r.pop();
    uint_item(r, F::TLS_HANDSHAKE_COMP_METHODS_LENGTH, h.compression.size(),
              r.format("Compression Methods Length: {}", h.compression.size()));
    if (tree)
      r.push(F::TEXT, 0, 0).text = r.format("Compression Methods ({} method{})", h.compression.size(),
                                            h.compression.size() == 1 ? "" : "s");
    for (uint8_t c : h.compression)
      uint_item(r, F::TLS_HANDSHAKE_COMP_METHOD, c,
                r.format("Compression Method: {} ({})",
                         c == 0   ? "null"
                         : c == 1 ? "DEFLATE"
                                  : "Unknown",
                         c));
    if (tree) r.pop();
  } else {
    cipher_line(h.ciphers.front());
    const uint8_t c = h.compression.front();
    uint_item(r, F::TLS_HANDSHAKE_COMP_METHOD, c,
              r.format("Compression Method: {} ({})",
                       c == 0   ? "null"
                       : c == 1 ? "DEFLATE"
                                : "Unknown",
                       c));
  }
  if (h.has_extensions)
    uint_item(r, F::TLS_HANDSHAKE_EXTENSIONS_LENGTH, h.extensions_length,
              r.format("Extensions Length: {}", h.extensions_length));
  for (const Extension& e : h.extensions) {
    std::string_view name = extension_name(e.type);
    std::string_view label = name.empty() ? r.format("Unknown type {}", e.type) : name;
    if (tree) r.push(F::TEXT, 0, 0).text = r.format("Extension: {} (len={})", label, e.data.size());
    uint_item(r, F::TLS_HANDSHAKE_EXTENSION_TYPE, e.type, r.format("Type: {} ({})", label, e.type));
    uint_item(r, F::TLS_HANDSHAKE_EXTENSION_LEN, e.data.size(), r.format("Length: {}", e.data.size()));
    extension_body(r, e, h);
    if (tree) r.pop();
  }
  const std::string full = client ? ja3_string(h) : ja3s_string(h);
  const F full_f = client ? F::TLS_HANDSHAKE_JA3_FULL : F::TLS_HANDSHAKE_JA3S_FULL;
  const F hash_f = client ? F::TLS_HANDSHAKE_JA3 : F::TLS_HANDSHAKE_JA3S;
  if (r.want(full_f)) {
    Item& it = r.add_str(full_f, 0, 0, r.save(full));
    it.generated = true;
    if (tree) it.text = r.format("[{}]", long_label(r, client ? "JA3 Fullstring" : "JA3S Fullstring", full));
  }
  if (r.want(hash_f)) {
    std::string_view md = r.save(md5_hex(full));
    Item& it = r.add_str(hash_f, 0, 0, md);
    it.generated = true;
    if (tree) it.text = r.format("[{}: {}]", client ? "JA3" : "JA3S", md);
  }
  if (client && r.want(F::TLS_HANDSHAKE_JA4)) {
    std::string_view j = r.save(ja4(h));
    Item& it = r.add_str(F::TLS_HANDSHAKE_JA4, 0, 0, j);
    it.generated = true;
    if (tree) it.text = r.format("[JA4: {}]", j);
  }
}

// The names' values as x509sat fields; hidden in the tree, whose rdnSequence line shows them.
void names(Record& r, const std::vector<Name>& ns) {
  for (const Name& n : ns) {
    const F f = n.oid == "2.5.4.6" ? F::X509SAT_COUNTRY_NAME
                : n.tag == 0x0c    ? F::X509SAT_UTF8_STRING
                : n.tag == 0x13    ? F::X509SAT_PRINTABLE_STRING
                : n.tag == 0x16    ? F::X509SAT_IA5_STRING
                                   : F::TEXT;
    if (f == F::TEXT || !r.want(f)) continue;
    r.add_str(f, 0, 0, r.save(n.value)).hidden = true;
  }
}

void certificates(Record& r, const TlsHandshakeMsg& m) {
  std::vector<Certificate> certs;
  if (m.body.size() < 3) return;
  const uint32_t total = uint32_t{m.body[0]} << 16 | uint32_t{m.body[1]} << 8 | m.body[2];
  uint_item(r, F::TLS_HANDSHAKE_CERTIFICATES_LENGTH, total, r.format("Certificates Length: {}", total));
  if (!parse_certificates(m.body, certs)) return;
  const bool tree = r.tree();
  if (tree) r.push(F::TEXT, 0, 0).text = r.format("Certificates ({} bytes)", total);
  for (const Certificate& c : certs) {
    uint_item(r, F::TLS_HANDSHAKE_CERTIFICATE_LENGTH, c.der.size(),
              r.format("Certificate Length: {}", c.der.size()));
    if (tree) {
      Item& it = r.push(F::TLS_HANDSHAKE_CERTIFICATE, 0, 0);
      it.str = raw(r, c.der);
      it.text = r.format("Certificate: {} ({})", proto::short_hex(r, c.der), tshark_rdn(c.subject));
      r.push(F::TEXT, 0, 0).text = "signedCertificate";
    } else if (r.want(F::TLS_HANDSHAKE_CERTIFICATE)) {
      r.add_str(F::TLS_HANDSHAKE_CERTIFICATE, 0, 0, raw(r, c.der));
    }
    if (c.version_present)
      uint_item(r, F::X509AF_VERSION, static_cast<uint64_t>(c.version),
                r.format("version: v{} ({})", c.version + 1, c.version));
    if (r.want(F::X509AF_SERIAL_NUMBER)) {
      Item& it = r.add_str(F::X509AF_SERIAL_NUMBER, 0, 0, raw(r, c.serial));
      if (tree) it.text = r.format("serialNumber: 0x{}", hex(r, c.serial));
    }
    if (tree) {
      r.push(F::TEXT, 0, 0).text = "issuer: rdnSequence (0)";
      r.text(r.format("rdnSequence: {} item{} ({})", c.issuer.size(), c.issuer.size() == 1 ? "" : "s",
                      tshark_rdn(c.issuer)));
    }
    names(r, c.issuer);
    if (tree) {
      r.pop();
      r.push(F::TEXT, 0, 0).text = "subject: rdnSequence (0)";
      r.text(r.format("rdnSequence: {} item{} ({})", c.subject.size(), c.subject.size() == 1 ? "" : "s",
                      tshark_rdn(c.subject)));
    }
    names(r, c.subject);
    if (tree) {
      r.pop(); // subject
      r.pop(); // signedCertificate
      r.pop(); // Certificate
    }
  }
  if (tree) r.pop();
}

// CertificateRequest (RFC 5246 7.4.4): certificate types, then (TLS 1.2) the signature algorithms.
void certificate_request(Record& r, const TlsHandshakeMsg& m, uint16_t version) {
  const auto& b = m.body;
  if (version != 0x0303 || b.empty() || b.size() < size_t{1} + b[0] + 2) return;
  size_t pos = 1 + b[0];
  const size_t n = size_t{b[pos]} << 8 | b[pos + 1];
  pos += 2;
  for (size_t i = 0; i + 1 < n && pos + i + 1 < b.size(); i += 2) {
    const uint16_t s = static_cast<uint16_t>(b[pos + i] << 8 | b[pos + i + 1]);
    uint_item(r, F::TLS_HANDSHAKE_SIG_HASH_ALG, s,
              r.format("Signature Algorithm: {} (0x{:04x})", named(r, sig_alg_name(s), s), s));
  }
}

void server_key_exchange(Record& r, const TlsHandshakeMsg& m, uint16_t version) {
  const auto& b = m.body;
  if (b.size() >= 2 && b[0] != 3) {
    // DHE (RFC 5246 7.4.3): dh_p, dh_g, dh_Ys, then (TLS 1.2) the signature algorithm and signature;
    // taken as such only when the vectors end exactly at the message's end.
    size_t pos = 0;
    for (int i = 0; i < 3 && pos + 2 <= b.size(); ++i) pos += 2 + (size_t{b[pos]} << 8 | b[pos + 1]);
    if (version == 0x0303 && pos + 4 <= b.size() &&
        pos + 4 + (size_t{b[pos + 2]} << 8 | b[pos + 3]) == b.size()) {
      const uint16_t s = static_cast<uint16_t>(b[pos] << 8 | b[pos + 1]);
      uint_item(r, F::TLS_HANDSHAKE_SIG_HASH_ALG, s,
                r.format("Signature Algorithm: {} (0x{:04x})", named(r, sig_alg_name(s), s), s));
    }
    return;
  }
  if (b.size() < 3) return;
  const bool tree = r.tree();
  if (tree) r.push(F::TEXT, 0, 0).text = "EC Diffie-Hellman Server Params";
  uint_item(r, F::TLS_HANDSHAKE_SERVER_CURVE_TYPE, 3, "Curve Type: named_curve (0x03)");
  const uint16_t g = static_cast<uint16_t>(b[1] << 8 | b[2]);
  uint_item(r, F::TLS_HANDSHAKE_SERVER_NAMED_CURVE, g,
            r.format("Named Curve: {} (0x{:04x})", named(r, group_name(g), g), g));
  if (b.size() >= 4) {
    const size_t pk = b[3];
    if (tree) r.text(r.format("Pubkey Length: {}", pk));
    if (version == 0x0303 && b.size() >= 4 + pk + 2) { // TLS 1.2 names the signature algorithm
      const uint16_t s = static_cast<uint16_t>(b[4 + pk] << 8 | b[5 + pk]);
      uint_item(r, F::TLS_HANDSHAKE_SIG_HASH_ALG, s,
                r.format("Signature Algorithm: {} (0x{:04x})", named(r, sig_alg_name(s), s), s));
    }
  }
  if (tree) r.pop();
}

void handshake_msg(Record& r, const TlsHandshakeMsg& m, uint16_t version) {
  const bool tree = r.tree();
  std::string_view name = handshake_name(m.type);
  if (name.empty()) name = r.format("Unknown ({})", m.type);
  if (m.fragment) {
    if (tree) r.text(r.format("Handshake Protocol: {} (fragment)", name));
    return;
  }
  if (tree)
    r.push(F::TLS_HANDSHAKE, 0, 0).text = r.format("Handshake Protocol: {}", name);
  else if (r.want(F::TLS_HANDSHAKE))
    r.add(F::TLS_HANDSHAKE, 0, 0);
  uint_item(r, F::TLS_HANDSHAKE_TYPE, m.type, r.format("Handshake Type: {} ({})", name, m.type));
  uint_item(r, F::TLS_HANDSHAKE_LENGTH, m.length, r.format("Length: {}", m.length));
  switch (m.type) {
  case 1:
  case 2:
    hello(r, m, m.type == 1);
    break;
  case 11:
    certificates(r, m);
    break;
  case 12:
    server_key_exchange(r, m, version);
    break;
  case 13:
    certificate_request(r, m, version);
    break;
  case 15: // CertificateVerify: TLS 1.2 and 1.3 name the signature algorithm first
    if ((version == 0x0303 || is_tls13(version)) && m.body.size() >= 2) {
      const uint16_t s = static_cast<uint16_t>(m.body[0] << 8 | m.body[1]);
      uint_item(r, F::TLS_HANDSHAKE_SIG_HASH_ALG, s,
                r.format("Signature Algorithm: {} (0x{:04x})", named(r, sig_alg_name(s), s), s));
    }
    break;
  default:
    break;
  }
  if (tree) r.pop();
}

std::string_view app_proto_name(uint8_t p) {
  switch (p) {
  case 1:
    return "Hypertext Transfer Protocol";
  case 2:
    return "HyperText Transfer Protocol 2";
  case 3:
    return "Simple Mail Transfer Protocol";
  case 4:
    return "Post Office Protocol";
  case 5:
    return "File Transfer Protocol (FTP)";
  default:
    return "Application Data";
  }
}

std::string_view record_title(Record& r, const TlsRecord& rec) {
  std::string_view v = version_column(rec.shown_version);
  switch (rec.content_type) {
  case 20:
    return r.format("{} Record Layer: Change Cipher Spec Protocol: Change Cipher Spec", v);
  case 21:
    if (rec.encrypted || rec.data.size() < 2) return r.format("{} Record Layer: Encrypted Alert", v);
    return r.format("{} Record Layer: Alert (Level: {}, Description: {})", v,
                    rec.data[0] == 2 ? "Fatal" : "Warning", alert_text(rec.data[1]));
  case 22: {
    if (rec.encrypted) return r.format("{} Record Layer: Handshake Protocol: Encrypted Handshake Message", v);
    if (rec.handshakes.size() == 1 && !rec.handshakes.front().continued) {
      const TlsHandshakeMsg& m = rec.handshakes.front();
      std::string_view n = handshake_name(m.type);
      return r.format("{} Record Layer: Handshake Protocol: {}{}", v, n, m.fragment ? " (fragment)" : "");
    }
    return r.format("{} Record Layer: Handshake Protocol: Multiple Handshake Messages", v);
  }
  case 23:
    return r.format("{} Record Layer: Application Data Protocol: {}", v, app_proto_name(rec.app_proto));
  default:
    return r.format("{} Record Layer: {}", v, rec.encrypted ? "Encrypted Heartbeat" : "Heartbeat");
  }
}

template <class Completes>
void record(Record& r, const TlsRecord& rec, fmt::memory_buffer& info, std::string_view& last_fragment,
            const Completes& completes_here, uint16_t session_version) {
  const bool tree = r.tree();
  if (tree)
    r.push(F::TLS_RECORD, 0, 0).text = record_title(r, rec);
  else if (r.want(F::TLS_RECORD))
    r.add(F::TLS_RECORD, 0, 0);
  std::string_view ct = content_type_name(rec.content_type);
  if (rec.opaque)
    uint_item(r, F::TLS_RECORD_OPAQUE_TYPE, rec.content_type,
              r.format("Opaque Type: {} ({})", ct, rec.content_type));
  else
    uint_item(r, F::TLS_RECORD_CONTENT_TYPE, rec.content_type,
              r.format("Content Type: {} ({})", ct, rec.content_type));
  uint_item(r, F::TLS_RECORD_VERSION, rec.version,
            r.format("Version: {} (0x{:04x})", version_name(rec.version), rec.version));
  uint_item(r, F::TLS_RECORD_LENGTH, rec.length, r.format("Length: {}", rec.length));
  auto note = [&](std::string_view s) {
    if (info.size()) fmt::format_to(std::back_inserter(info), ", ");
    info.append(s.data(), s.data() + s.size());
  };
  switch (rec.content_type) {
  case 20:
    if (r.want(F::TLS_CHANGE_CIPHER_SPEC)) {
      Item& it = r.add(F::TLS_CHANGE_CIPHER_SPEC, 0, 0);
      if (tree) it.text = "Change Cipher Spec Message";
    }
    note("Change Cipher Spec");
    break;
  case 21:
    if (rec.encrypted || rec.data.size() < 2) {
      if (tree) r.text("Alert Message: Encrypted Alert");
      note("Encrypted Alert");
    } else {
      if (tree) r.push(F::TEXT, 0, 0).text = "Alert Message";
      uint_item(r, F::TLS_ALERT_LEVEL, rec.data[0],
                r.format("Level: {} ({})", rec.data[0] == 2 ? "Fatal" : "Warning", rec.data[0]));
      uint_item(r, F::TLS_ALERT_DESC, rec.data[1],
                r.format("Description: {} ({})", alert_text(rec.data[1]), rec.data[1]));
      if (tree) r.pop();
      note(r.format("Alert (Level: {}, Description: {})", rec.data[0] == 2 ? "Fatal" : "Warning",
                    alert_text(rec.data[1])));
    }
    break;
  case 22:
    if (rec.encrypted) {
      if (tree) r.text("Handshake Protocol: Encrypted Handshake Message");
      note("Encrypted Handshake Message");
      break;
    }
    for (const TlsHandshakeMsg& m : rec.handshakes) {
      handshake_msg(r, m, session_version);
      std::string_view n = handshake_name(m.type);
      if (m.fragment) {
        std::string_view f = r.format("[{} Fragment]", n);
        if (f != last_fragment && !completes_here(m.type)) note(f);
        last_fragment = f;
      } else {
        note(n);
        last_fragment = {};
      }
    }
    break;
  case 23:
    if (r.want(F::TLS_APP_DATA)) {
      Item& it = r.add_str(F::TLS_APP_DATA, 0, 0, raw(r, rec.data));
      if (tree) it.text = r.format("Encrypted Application Data: {}", proto::short_hex(r, rec.data));
    }
    if (tree && rec.app_proto)
      r.text(r.format("[Application Data Protocol: {}]", app_proto_name(rec.app_proto))).generated = true;
    note("Application Data");
    break;
  case 24:
    note(rec.encrypted ? "Encrypted Heartbeat" : "Heartbeat");
    break;
  default:
    break;
  }
  if (tree) r.pop();
}

} // namespace

void describe_tls(proto::Ctx& c, const AppFrame& f) {
  Record& r = c.rec;
  const bool tree = r.tree();
  if (tree)
    r.push(F::TLS, 0, 0).text = field_info(F::TLS).name;
  else if (r.want(F::TLS))
    r.add(F::TLS, 0, 0);
  fmt::memory_buffer info;
  std::string_view last_fragment;
  // tshark names a fragment in Info only when its message does not complete in the same frame.
  auto completes_here = [&](uint8_t type) {
    for (const TlsRecord& rec : f.tls)
      for (const TlsHandshakeMsg& m : rec.handshakes)
        if (!m.fragment && m.pieces > 1 && m.type == type) return true;
    return false;
  };
  for (const TlsRecord& rec : f.tls) record(r, rec, info, last_fragment, completes_here, f.tls_version);
  if (tree) r.pop();
  if (!r.columns_wanted()) return;
  r.cols().protocol = version_column(f.tls_version ? f.tls_version : f.tls.back().version);
  set_info(r, {info.data(), info.size()});
}

} // namespace ps::app
