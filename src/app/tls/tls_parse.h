// TLS handshake bodies parsed for the describer, the analyzer's ssl.log row and the fingerprints:
// ClientHello/ServerHello (RFC 8446 4.1.2-4.1.3, RFC 5246 7.4.1), the Certificate list (RFC 5246 7.4.2)
// with each X.509 certificate's serial, issuer and subject (RFC 5280 4.1), and the names tshark gives
// versions, cipher suites, extensions, groups and signature schemes.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ps::app::tls {

using Bytes = std::span<const uint8_t>;

struct Extension {
  uint16_t type = 0;
  Bytes data;
};

struct Hello {
  bool client = true;
  uint16_t version = 0; // legacy_version
  Bytes random, session_id;
  std::vector<uint16_t> ciphers; // ServerHello: the one chosen
  std::vector<uint8_t> compression;
  bool has_extensions = false;
  uint16_t extensions_length = 0;
  std::vector<Extension> extensions;
  // From the extensions.
  std::string server_name;
  std::vector<std::string> alpn;
  std::vector<uint16_t> supported_versions; // ServerHello: the selected one
  std::vector<uint16_t> groups, sig_algs, key_share_groups;
  std::vector<uint16_t> sig_algs_cert; // signature_algorithms_cert (RFC 8446 4.2.3)
  std::vector<uint8_t> point_formats;
};

// Parses a ClientHello (client) or ServerHello body; false when it does not hold together.
bool parse_hello(Bytes body, bool client, Hello& out);
// The version a ServerHello chose: supported_versions when present, else legacy_version.
uint16_t selected_version(const Hello& h);

struct Name {
  std::string oid; // dotted
  uint8_t tag = 0; // the value's ASN.1 string tag (0x0c UTF8String, 0x13 PrintableString ...)
  std::string value;
};

struct Certificate {
  Bytes der;
  int version = 0;              // v1 = 0
  bool version_present = false; // [0] EXPLICIT version written (absent for v1)
  Bytes serial;
  std::vector<Name> issuer, subject; // in DER order
};

// The certificates of a Certificate message (TLS <= 1.2 framing); false when the list is malformed.
// Certificates whose DER cannot be read keep only `der`.
bool parse_certificates(Bytes body, std::vector<Certificate>& out);
// "CN=www.example.com,O=Example,C=US" (RFC 4514 order, as Zeek and OpenSSL print names).
std::string rfc4514(const std::vector<Name>& names);
// tshark's "id-at-commonName=www.example.com,id-at-organizationName=Example,..." (same order).
std::string tshark_rdn(const std::vector<Name>& names);
std::string_view oid_name(std::string_view oid);

// Names.
std::string_view version_name(uint16_t v);     // "TLS 1.2", "SSL 3.0", "Reserved (GREASE)"
std::string_view version_column(uint16_t v);   // "TLSv1.2", "SSLv3"
std::string_view zeek_version(uint16_t v);     // "TLSv12"
std::string_view cipher_name(uint16_t c);      // "TLS_AES_128_GCM_SHA256"; empty when unknown
std::string_view extension_name(uint16_t t);   // "server_name"; empty when unknown
std::string_view group_name(uint16_t g);       // "x25519"
std::string_view sig_alg_name(uint16_t s);     // "rsa_pss_rsae_sha256"
std::string_view handshake_name(uint8_t t);    // "Client Hello"
std::string_view content_type_name(uint8_t t); // "Handshake"
std::string_view alert_name(uint8_t d);        // "close_notify" (Zeek) — tshark capitalises: alert_text()
std::string_view alert_text(uint8_t d);        // "Close Notify"
bool is_grease(uint16_t v);
// TLS 1.3 or one of its drafts (0x7fNN): records after the ServerHello are protected.
inline bool is_tls13(uint16_t v) {
  return v == 0x0304 || (v >> 8) == 0x7f;
}

// Fingerprints: JA3 (client), JA3S (server) full strings and their MD5; JA4 (FoxIO, client, TCP).
std::string ja3_string(const Hello& h);
std::string ja3s_string(const Hello& h);
std::string ja4(const Hello& h);

} // namespace ps::app::tls
