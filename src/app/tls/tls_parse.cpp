#include "app/tls/tls_parse.h"

#include <algorithm>

#include <fmt/format.h>

#include "app/tls/digest.h"

namespace ps::app::tls {

namespace {

// A bounds-checked reader over a byte string; every read past the end sets `bad`.
struct Reader {
  Bytes b;
  size_t pos = 0;
  bool bad = false;
  size_t left() const { return pos <= b.size() ? b.size() - pos : 0; }
  uint32_t num(int n) {
    if (left() < static_cast<size_t>(n)) {
      bad = true;
      pos = b.size();
      return 0;
    }
    uint32_t v = 0;
    for (int i = 0; i < n; ++i) v = v << 8 | b[pos++];
    return v;
  }
  Bytes take(size_t n) {
    if (left() < n) {
      bad = true;
      pos = b.size();
      return {};
    }
    Bytes s = b.subspan(pos, n);
    pos += n;
    return s;
  }
  Bytes vec(int len_bytes) { return take(num(len_bytes)); }
};

void parse_extension(Extension& e, Hello& h) {
  Reader r{e.data};
  switch (e.type) {
  case 0: { // server_name
    Reader list{r.vec(2)};
    while (list.left() && !list.bad) {
      uint8_t type = static_cast<uint8_t>(list.num(1));
      Bytes name = list.vec(2);
      if (type == 0 && h.server_name.empty() && !list.bad)
        h.server_name.assign(reinterpret_cast<const char*>(name.data()), name.size());
    }
    break;
  }
  case 16: { // application_layer_protocol_negotiation
    Reader list{r.vec(2)};
    while (list.left() && !list.bad) {
      Bytes p = list.vec(1);
      if (!list.bad) h.alpn.emplace_back(reinterpret_cast<const char*>(p.data()), p.size());
    }
    break;
  }
  case 43: // supported_versions
    if (h.client) {
      Reader list{r.vec(1)};
      while (list.left() >= 2) h.supported_versions.push_back(static_cast<uint16_t>(list.num(2)));
    } else if (r.left() >= 2) {
      h.supported_versions.push_back(static_cast<uint16_t>(r.num(2)));
    }
    break;
  case 10: { // supported_groups
    Reader list{r.vec(2)};
    while (list.left() >= 2) h.groups.push_back(static_cast<uint16_t>(list.num(2)));
    break;
  }
  case 11: { // ec_point_formats
    Bytes f = r.vec(1);
    h.point_formats.assign(f.begin(), f.end());
    break;
  }
  case 13:   // signature_algorithms
  case 50: { // signature_algorithms_cert
    Reader list{r.vec(2)};
    auto& v = e.type == 13 ? h.sig_algs : h.sig_algs_cert;
    while (list.left() >= 2) v.push_back(static_cast<uint16_t>(list.num(2)));
    break;
  }
  case 51: // key_share
    if (h.client) {
      Reader list{r.vec(2)};
      while (list.left() >= 4 && !list.bad) {
        h.key_share_groups.push_back(static_cast<uint16_t>(list.num(2)));
        list.vec(2);
      }
    } else if (r.left() >= 2) {
      h.key_share_groups.push_back(static_cast<uint16_t>(r.num(2)));
    }
    break;
  default:
    break;
  }
}

} // namespace

bool parse_hello(Bytes body, bool client, Hello& h) {
  h = Hello{};
  h.client = client;
  Reader r{body};
  h.version = static_cast<uint16_t>(r.num(2));
  h.random = r.take(32);
  h.session_id = r.vec(1);
  if (client) {
    Reader cs{r.vec(2)};
    while (cs.left() >= 2) h.ciphers.push_back(static_cast<uint16_t>(cs.num(2)));
    Bytes comp = r.vec(1);
    h.compression.assign(comp.begin(), comp.end());
  } else {
    h.ciphers.push_back(static_cast<uint16_t>(r.num(2)));
    h.compression.push_back(static_cast<uint8_t>(r.num(1)));
  }
  if (r.bad) return false;
  if (r.left() >= 2) {
    h.has_extensions = true;
    h.extensions_length = static_cast<uint16_t>(r.num(2));
    Reader ex{r.take(h.extensions_length)};
    while (ex.left() >= 4 && !ex.bad) {
      Extension e;
      e.type = static_cast<uint16_t>(ex.num(2));
      e.data = ex.vec(2);
      if (ex.bad) break;
      parse_extension(e, h);
      h.extensions.push_back(e);
    }
  }
  return !r.bad;
}

uint16_t selected_version(const Hello& h) {
  if (!h.client && !h.supported_versions.empty()) return h.supported_versions.front();
  return h.version;
}

// ---- X.509 -------------------------------------------------------------------------------------

namespace {

// One DER TLV; false at the end or on a malformed header.
bool der_next(Reader& r, uint8_t& tag, Bytes& value) {
  if (!r.left()) return false;
  tag = static_cast<uint8_t>(r.num(1));
  uint32_t len = r.num(1);
  if (len & 0x80) {
    int n = static_cast<int>(len & 0x7f);
    if (n == 0 || n > 4) {
      r.bad = true;
      return false;
    }
    len = r.num(n);
  }
  value = r.take(len);
  return !r.bad;
}

std::string oid_text(Bytes b) {
  std::string s;
  uint64_t v = 0;
  bool first = true;
  for (uint8_t c : b) {
    v = v << 7 | (c & 0x7f);
    if (c & 0x80) continue;
    if (first) {
      uint64_t a = v < 40 ? 0 : v < 80 ? 1 : 2;
      s = fmt::format("{}.{}", a, v - 40 * a);
      first = false;
    } else {
      s += fmt::format(".{}", v);
    }
    v = 0;
  }
  return s;
}

void parse_name(Bytes seq, std::vector<Name>& out) {
  Reader r{seq};
  uint8_t tag;
  Bytes set;
  while (der_next(r, tag, set)) { // SET OF AttributeTypeAndValue
    Reader s{set};
    Bytes atv;
    while (der_next(s, tag, atv)) {
      Reader a{atv};
      Bytes oid, val;
      uint8_t vt;
      if (!der_next(a, tag, oid) || tag != 0x06 || !der_next(a, vt, val)) continue;
      Name n;
      n.oid = oid_text(oid);
      n.tag = vt;
      n.value.assign(reinterpret_cast<const char*>(val.data()), val.size());
      out.push_back(std::move(n));
    }
  }
}

void parse_x509(Certificate& c) {
  Reader r{c.der};
  uint8_t tag;
  Bytes cert, tbs;
  if (!der_next(r, tag, cert) || tag != 0x30) return;
  Reader cr{cert};
  if (!der_next(cr, tag, tbs) || tag != 0x30) return;
  Reader t{tbs};
  Bytes v;
  if (!der_next(t, tag, v)) return;
  if (tag == 0xa0) { // [0] EXPLICIT Version
    Reader vr{v};
    Bytes n;
    if (der_next(vr, tag, n) && n.size() == 1) {
      c.version = n[0];
      c.version_present = true;
    }
    if (!der_next(t, tag, v)) return;
  }
  c.serial = v;
  Bytes sig, issuer, validity, subject;
  if (!der_next(t, tag, sig) || !der_next(t, tag, issuer) || !der_next(t, tag, validity) ||
      !der_next(t, tag, subject))
    return;
  parse_name(issuer, c.issuer);
  parse_name(subject, c.subject);
}

struct OidName {
  std::string_view oid, tshark, short_name;
};
constexpr OidName kOids[] = {
    {"2.5.4.3", "id-at-commonName", "CN"},
    {"2.5.4.4", "id-at-surname", "SN"},
    {"2.5.4.5", "id-at-serialNumber", "serialNumber"},
    {"2.5.4.6", "id-at-countryName", "C"},
    {"2.5.4.7", "id-at-localityName", "L"},
    {"2.5.4.8", "id-at-stateOrProvinceName", "ST"},
    {"2.5.4.9", "id-at-streetAddress", "street"},
    {"2.5.4.10", "id-at-organizationName", "O"},
    {"2.5.4.11", "id-at-organizationalUnitName", "OU"},
    {"2.5.4.12", "id-at-title", "title"},
    {"2.5.4.42", "id-at-givenName", "GN"},
    {"0.9.2342.19200300.100.1.25", "id-domainComponent", "DC"},
    {"1.2.840.113549.1.9.1", "pkcs-9-at-emailAddress", "emailAddress"},
};

const OidName* find_oid(std::string_view oid) {
  for (const OidName& o : kOids)
    if (o.oid == oid) return &o;
  return nullptr;
}

// RFC 4514 2.4: escape ',', '+', '"', '\\', '<', '>', ';' and a leading '#' or space, a trailing space.
std::string escape_4514(std::string_view v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if (c == ',' || c == '+' || c == '"' || c == '\\' || c == '<' || c == '>' || c == ';' ||
        (i == 0 && (c == '#' || c == ' ')) || (i + 1 == v.size() && c == ' '))
      s.push_back('\\');
    s.push_back(c);
  }
  return s;
}

} // namespace

std::string_view oid_name(std::string_view oid) {
  const OidName* o = find_oid(oid);
  return o ? o->tshark : std::string_view{};
}

bool parse_certificates(Bytes body, std::vector<Certificate>& out) {
  out.clear();
  Reader r{body};
  Reader list{r.vec(3)};
  if (r.bad) return false;
  while (list.left() && !list.bad) {
    Bytes der = list.vec(3);
    if (list.bad) return false;
    Certificate c;
    c.der = der;
    parse_x509(c);
    out.push_back(std::move(c));
  }
  return !list.bad;
}

std::string rfc4514(const std::vector<Name>& names) {
  std::string s;
  for (auto it = names.rbegin(); it != names.rend(); ++it) {
    const OidName* o = find_oid(it->oid);
    if (!s.empty()) s.push_back(',');
    s += o ? std::string(o->short_name) : it->oid;
    s.push_back('=');
    s += escape_4514(it->value);
  }
  return s;
}

std::string tshark_rdn(const std::vector<Name>& names) {
  std::string s;
  for (auto it = names.rbegin(); it != names.rend(); ++it) {
    const OidName* o = find_oid(it->oid);
    if (!s.empty()) s.push_back(',');
    s += o ? std::string(o->tshark) : it->oid;
    s.push_back('=');
    s += it->value;
  }
  return s;
}

// ---- names -------------------------------------------------------------------------------------

bool is_grease(uint16_t v) {
  return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

std::string_view version_name(uint16_t v) {
  switch (v) {
  case 0x0002:
    return "SSL 2.0";
  case 0x0300:
    return "SSL 3.0";
  case 0x0301:
    return "TLS 1.0";
  case 0x0302:
    return "TLS 1.1";
  case 0x0303:
    return "TLS 1.2";
  case 0x0304:
    return "TLS 1.3";
  default:
    return is_grease(v) ? "Reserved (GREASE)" : "Unknown";
  }
}

std::string_view version_column(uint16_t v) {
  switch (v) {
  case 0x0002:
    return "SSLv2";
  case 0x0300:
    return "SSLv3";
  case 0x0301:
    return "TLSv1";
  case 0x0302:
    return "TLSv1.1";
  case 0x0303:
    return "TLSv1.2";
  case 0x0304:
    return "TLSv1.3";
  default:
    return "TLS";
  }
}

std::string_view zeek_version(uint16_t v) {
  switch (v) {
  case 0x0002:
    return "SSLv2";
  case 0x0300:
    return "SSLv3";
  case 0x0301:
    return "TLSv10";
  case 0x0302:
    return "TLSv11";
  case 0x0303:
    return "TLSv12";
  case 0x0304:
    return "TLSv13";
  default:
    return "";
  }
}

namespace {
struct Named {
  uint16_t v;
  std::string_view name;
};
std::string_view lookup(std::span<const Named> t, uint16_t v) {
  for (const Named& n : t)
    if (n.v == v) return n.name;
  return {};
}

constexpr Named kCiphers[] = {
    {0x0000, "TLS_NULL_WITH_NULL_NULL"},
    {0x0004, "TLS_RSA_WITH_RC4_128_MD5"},
    {0x0005, "TLS_RSA_WITH_RC4_128_SHA"},
    {0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA"},
    {0x0032, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA"},
    {0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA"},
    {0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA"},
    {0x0038, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA"},
    {0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA"},
    {0x003c, "TLS_RSA_WITH_AES_128_CBC_SHA256"},
    {0x003d, "TLS_RSA_WITH_AES_256_CBC_SHA256"},
    {0x0040, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256"},
    {0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256"},
    {0x006a, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256"},
    {0x006b, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256"},
    {0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256"},
    {0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384"},
    {0x009e, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"},
    {0x009f, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"},
    {0x00a2, "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256"},
    {0x00a3, "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384"},
    {0x00ff, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"},
    {0x1301, "TLS_AES_128_GCM_SHA256"},
    {0x1302, "TLS_AES_256_GCM_SHA384"},
    {0x1303, "TLS_CHACHA20_POLY1305_SHA256"},
    {0x1304, "TLS_AES_128_CCM_SHA256"},
    {0x1305, "TLS_AES_128_CCM_8_SHA256"},
    {0x5600, "TLS_FALLBACK_SCSV"},
    {0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"},
    {0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"},
    {0xc011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA"},
    {0xc012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"},
    {0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"},
    {0xc023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"},
    {0xc024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"},
    {0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"},
    {0xc028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"},
    {0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
    {0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"},
    {0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
    {0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
    {0xc09c, "TLS_RSA_WITH_AES_128_CCM"},
    {0xc09d, "TLS_RSA_WITH_AES_256_CCM"},
    {0xc09e, "TLS_DHE_RSA_WITH_AES_128_CCM"},
    {0xc09f, "TLS_DHE_RSA_WITH_AES_256_CCM"},
    {0xc0a0, "TLS_RSA_WITH_AES_128_CCM_8"},
    {0xc0a1, "TLS_RSA_WITH_AES_256_CCM_8"},
    {0xc0a2, "TLS_DHE_RSA_WITH_AES_128_CCM_8"},
    {0xc0a3, "TLS_DHE_RSA_WITH_AES_256_CCM_8"},
    {0xc0ac, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM"},
    {0xc0ad, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM"},
    {0xc0ae, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8"},
    {0xc0af, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8"},
    {0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0xccaa, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
};

constexpr Named kExtensions[] = {
    {0, "server_name"},
    {1, "max_fragment_length"},
    {5, "status_request"},
    {10, "supported_groups"},
    {11, "ec_point_formats"},
    {13, "signature_algorithms"},
    {14, "use_srtp"},
    {15, "heartbeat"},
    {16, "application_layer_protocol_negotiation"},
    {17, "status_request_v2"},
    {18, "signed_certificate_timestamp"},
    {21, "padding"},
    {22, "encrypt_then_mac"},
    {23, "extended_master_secret"},
    {27, "compress_certificate"},
    {28, "record_size_limit"},
    {34, "delegated_credentials"},
    {35, "session_ticket"},
    {41, "pre_shared_key"},
    {42, "early_data"},
    {43, "supported_versions"},
    {44, "cookie"},
    {45, "psk_key_exchange_modes"},
    {47, "certificate_authorities"},
    {48, "oid_filters"},
    {49, "post_handshake_auth"},
    {50, "signature_algorithms_cert"},
    {51, "key_share"},
    {57, "quic_transport_parameters"},
    {13172, "next_protocol_negotiation"},
    {17513, "application_settings"},
    {65037, "encrypted_client_hello"},
    {65281, "renegotiation_info"},
};

constexpr Named kGroups[] = {
    {0x0017, "secp256r1"},
    {0x0018, "secp384r1"},
    {0x0019, "secp521r1"},
    {0x001d, "x25519"},
    {0x001e, "x448"},
    {0x0100, "ffdhe2048"},
    {0x0101, "ffdhe3072"},
    {0x0102, "ffdhe4096"},
    {0x0103, "ffdhe6144"},
    {0x0104, "ffdhe8192"},
    {0x6399, "X25519Kyber768Draft00"},
};

constexpr Named kSigAlgs[] = {
    {0x0201, "rsa_pkcs1_sha1"},
    {0x0203, "ecdsa_sha1"},
    {0x0202, "SHA1 DSA"},
    {0x0301, "SHA224 RSA"},
    {0x0302, "SHA224 DSA"},
    {0x0303, "SHA224 ECDSA"},
    {0x0402, "SHA256 DSA"},
    {0x0502, "SHA384 DSA"},
    {0x0602, "SHA512 DSA"},
    {0x0401, "rsa_pkcs1_sha256"},
    {0x0403, "ecdsa_secp256r1_sha256"},
    {0x0501, "rsa_pkcs1_sha384"},
    {0x0503, "ecdsa_secp384r1_sha384"},
    {0x0601, "rsa_pkcs1_sha512"},
    {0x0603, "ecdsa_secp521r1_sha512"},
    {0x0804, "rsa_pss_rsae_sha256"},
    {0x0805, "rsa_pss_rsae_sha384"},
    {0x0806, "rsa_pss_rsae_sha512"},
    {0x0807, "ed25519"},
    {0x0808, "ed448"},
    {0x0809, "rsa_pss_pss_sha256"},
    {0x080a, "rsa_pss_pss_sha384"},
    {0x080b, "rsa_pss_pss_sha512"},
};

constexpr Named kHandshakes[] = {
    {0, "Hello Request"},        {1, "Client Hello"},       {2, "Server Hello"},
    {3, "Hello Verify Request"}, {4, "New Session Ticket"}, {5, "End of Early Data"},
    {8, "Encrypted Extensions"}, {11, "Certificate"},       {12, "Server Key Exchange"},
    {13, "Certificate Request"}, {14, "Server Hello Done"}, {15, "Certificate Verify"},
    {16, "Client Key Exchange"}, {20, "Finished"},          {22, "Certificate Status"},
    {24, "Key Update"},
};

constexpr Named kContentTypes[] = {{20, "Change Cipher Spec"},
                                   {21, "Alert"},
                                   {22, "Handshake"},
                                   {23, "Application Data"},
                                   {24, "Heartbeat"}};

struct Alert {
  uint8_t code;
  std::string_view zeek, tshark;
};
constexpr Alert kAlerts[] = {
    {0, "close_notify", "Close Notify"},
    {10, "unexpected_message", "Unexpected Message"},
    {20, "bad_record_mac", "Bad Record MAC"},
    {21, "decryption_failed", "Decryption Failed"},
    {22, "record_overflow", "Record Overflow"},
    {30, "decompression_failure", "Decompression Failure"},
    {40, "handshake_failure", "Handshake Failure"},
    {42, "bad_certificate", "Bad Certificate"},
    {43, "unsupported_certificate", "Unsupported Certificate"},
    {44, "certificate_revoked", "Certificate Revoked"},
    {45, "certificate_expired", "Certificate Expired"},
    {46, "certificate_unknown", "Certificate Unknown"},
    {47, "illegal_parameter", "Illegal Parameter"},
    {48, "unknown_ca", "Unknown CA"},
    {49, "access_denied", "Access Denied"},
    {50, "decode_error", "Decode Error"},
    {51, "decrypt_error", "Decrypt Error"},
    {70, "protocol_version", "Protocol Version"},
    {71, "insufficient_security", "Insufficient Security"},
    {80, "internal_error", "Internal Error"},
    {86, "inappropriate_fallback", "Inappropriate Fallback"},
    {90, "user_canceled", "User Canceled"},
    {100, "no_renegotiation", "No Renegotiation"},
    {109, "missing_extension", "Missing Extension"},
    {110, "unsupported_extension", "Unsupported Extension"},
    {112, "unrecognized_name", "Unrecognized Name"},
    {116, "certificate_required", "Certificate Required"},
    {120, "no_application_protocol", "No application protocol"},
};
} // namespace

std::string_view cipher_name(uint16_t c) {
  if (is_grease(c)) return "Reserved (GREASE)";
  return lookup(kCiphers, c);
}
std::string_view extension_name(uint16_t t) {
  if (is_grease(t)) return "Reserved (GREASE)";
  return lookup(kExtensions, t);
}
std::string_view group_name(uint16_t g) {
  if (is_grease(g)) return "Reserved (GREASE)";
  return lookup(kGroups, g);
}
std::string_view sig_alg_name(uint16_t s) {
  return lookup(kSigAlgs, s);
}
std::string_view handshake_name(uint8_t t) {
  return lookup(kHandshakes, t);
}
std::string_view content_type_name(uint8_t t) {
  return lookup(kContentTypes, t);
}
std::string_view alert_name(uint8_t d) {
  for (const Alert& a : kAlerts)
    if (a.code == d) return a.zeek;
  return {};
}
std::string_view alert_text(uint8_t d) {
  for (const Alert& a : kAlerts)
    if (a.code == d) return a.tshark;
  return {};
}

// ---- fingerprints ------------------------------------------------------------------------------

namespace {
template <class T> void dash_list(std::string& s, const std::vector<T>& v, bool skip_grease) {
  bool first = true;
  for (T x : v) {
    if (skip_grease && is_grease(static_cast<uint16_t>(x))) continue;
    if (!first) s.push_back('-');
    s += std::to_string(x);
    first = false;
  }
}
} // namespace

std::string ja3_string(const Hello& h) {
  std::string s = std::to_string(h.version);
  s.push_back(',');
  dash_list(s, h.ciphers, true);
  s.push_back(',');
  std::vector<uint16_t> types;
  for (const Extension& e : h.extensions) types.push_back(e.type);
  dash_list(s, types, true);
  s.push_back(',');
  dash_list(s, h.groups, true);
  s.push_back(',');
  dash_list(s, h.point_formats, false);
  return s;
}

std::string ja3s_string(const Hello& h) {
  std::string s = std::to_string(h.version);
  s.push_back(',');
  s += std::to_string(h.ciphers.empty() ? 0 : h.ciphers.front());
  s.push_back(',');
  std::vector<uint16_t> types;
  for (const Extension& e : h.extensions) types.push_back(e.type);
  dash_list(s, types, false);
  return s;
}

std::string ja4(const Hello& h) {
  // JA4 (FoxIO): a_b_c. a = protocol, version, SNI, cipher count, extension count, ALPN;
  // b = sha256 of the sorted cipher list; c = sha256 of the sorted extensions (no SNI, no ALPN),
  // then "_" and the signature algorithms in their order. GREASE values are ignored throughout.
  uint16_t version = h.version;
  uint16_t best = 0;
  for (uint16_t v : h.supported_versions)
    if (!is_grease(v) && v > best) best = v;
  if (best) version = best;
  std::string_view ver = version == 0x0304   ? "13"
                         : version == 0x0303 ? "12"
                         : version == 0x0302 ? "11"
                         : version == 0x0301 ? "10"
                         : version == 0x0300 ? "s3"
                         : version == 0x0002 ? "s2"
                                             : "00";
  std::vector<uint16_t> ciphers, exts;
  for (uint16_t c : h.ciphers)
    if (!is_grease(c)) ciphers.push_back(c);
  for (const Extension& e : h.extensions)
    if (!is_grease(e.type)) exts.push_back(e.type);
  std::string alpn = "00";
  if (!h.alpn.empty() && !h.alpn.front().empty()) {
    const std::string& a = h.alpn.front();
    auto alnum = [](char c) {
      return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    };
    if (alnum(a.front()) && alnum(a.back())) {
      alpn = {a.front(), a.back()};
    } else {
      std::string hx = hex_lower({reinterpret_cast<const uint8_t*>(a.data()), a.size()});
      alpn = {hx.front(), hx.back()};
    }
  }
  std::string a = fmt::format("t{}{}{:02}{:02}{}", ver, h.server_name.empty() ? 'i' : 'd',
                              std::min<size_t>(ciphers.size(), 99), std::min<size_t>(exts.size(), 99), alpn);
  auto hash12 = [](const std::string& s) {
    if (s.empty()) return std::string(12, '0');
    return sha256_hex({reinterpret_cast<const uint8_t*>(s.data()), s.size()}).substr(0, 12);
  };
  std::sort(ciphers.begin(), ciphers.end());
  std::string b;
  for (uint16_t c : ciphers) b += fmt::format("{}{:04x}", b.empty() ? "" : ",", c);
  std::vector<uint16_t> sorted;
  for (uint16_t e : exts)
    if (e != 0 && e != 16) sorted.push_back(e);
  std::sort(sorted.begin(), sorted.end());
  std::string c;
  for (uint16_t e : sorted) c += fmt::format("{}{:04x}", c.empty() ? "" : ",", e);
  if (!h.sig_algs.empty()) {
    c.push_back('_');
    bool first = true;
    for (uint16_t s : h.sig_algs) {
      if (is_grease(s)) continue;
      c += fmt::format("{}{:04x}", first ? "" : ",", s);
      first = false;
    }
  }
  if (sorted.empty() && h.sig_algs.empty()) c.clear();
  return fmt::format("{}_{}_{}", a, hash12(b), hash12(c));
}

} // namespace ps::app::tls
