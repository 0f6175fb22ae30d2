#include "app/tls/tls_analyzer.h"

#include <algorithm>

#include <fmt/format.h>

#include "app/tls/digest.h"
#include "app/tls/tls_parse.h"

namespace ps::app {

namespace {
constexpr size_t kMaxRecord = 16384 + 2048; // RFC 5246 6.2.3: the largest TLSCiphertext fragment
constexpr size_t kMaxHandshake = size_t{1} << 20;
} // namespace

void TlsAnalyzer::data(int dir, std::span<const uint8_t> bytes, const FrameInfo& f, AppFrame& out) {
  if (gave_up_[dir]) return;
  if (!have_txn_) {
    have_txn_ = true;
    txn_.ts_ns = f.ts_ns;
    txn_.id = env_.id;
  }
  std::vector<uint8_t>& b = buf_[dir];
  const bool started_here = b.empty() && skip_[dir] == 0;
  bool any = false;
  if (skip_[dir]) {
    // The body of an application data record being skipped: its bytes are not kept.
    const size_t n = std::min(skip_[dir], bytes.size());
    bytes = bytes.subspan(n);
    skip_[dir] -= n;
    if (skip_[dir]) {
      out.tls_segment = 2;
      out.tls_version = version_;
      return;
    }
    record(dir, 23, skip_version_[dir], {}, f, out);
    out.tls.back().length = skip_length_[dir];
    any = true;
  }
  b.insert(b.end(), bytes.begin(), bytes.end());
  size_t pos = 0;
  while (b.size() - pos >= 5) {
    const uint8_t* h = b.data() + pos;
    const uint8_t type = h[0];
    const uint16_t version = static_cast<uint16_t>(h[1] << 8 | h[2]);
    const size_t len = size_t{h[3]} << 8 | h[4];
    if (type < 20 || type > 24 || h[1] != 3 || len > kMaxRecord) {
      // Not a TLS record: the stream is something else (or lost its framing). Stop this direction.
      gave_up_[dir] = true;
      if (!any && out.tls.empty()) violation(out, "not a TLS record");
      b.clear();
      return;
    }
    if (type == 23 && !env_.tls_app_data) {
      // Skipped body: reported with its length only, the bytes not yet here never buffered.
      const size_t have = std::min(len, b.size() - pos - 5);
      if (have < len) {
        skip_[dir] = len - have;
        skip_version_[dir] = version;
        skip_length_[dir] = static_cast<uint16_t>(len);
        pos = b.size();
        break;
      }
      record(dir, type, version, {}, f, out);
      out.tls.back().length = static_cast<uint16_t>(len);
      any = true;
      pos += 5 + len;
      continue;
    }
    if (b.size() - pos < 5 + len) break;
    record(dir, type, version, {h + 5, len}, f, out);
    any = true;
    pos += 5 + len;
  }
  b.erase(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(pos));
  if (!any && (!b.empty() || skip_[dir])) out.tls_segment = started_here ? 1 : 2;
  out.tls_version = version_;
}

void TlsAnalyzer::gap(int dir, uint64_t, const FrameInfo&, AppFrame&) {
  // Lost bytes: the record boundaries are lost with them.
  gave_up_[dir] = true;
  buf_[dir].clear();
  skip_[dir] = 0;
  hs_[dir].clear();
}

void TlsAnalyzer::record(int dir, uint8_t type, uint16_t version, std::span<const uint8_t> body,
                         const FrameInfo& f, AppFrame& out) {
  TlsRecord& r = out.tls.emplace_back();
  r.content_type = type;
  r.version = version;
  r.length = static_cast<uint16_t>(body.size());
  r.shown_version = version_ ? version_ : version; // the record line names the version known before it
  const bool tls13 = tls::is_tls13(version_);
  if (type == 23 && tls13) r.opaque = true;
  switch (type) {
  case 20:
    r.data.assign(body.begin(), body.end());
    if (!tls13 && !(hrr_ && !server_hello_)) encrypted_[dir] = true; // after an HRR: TLS 1.3's compat CCS
    break;
  case 24: // heartbeat (RFC 6520)
    r.encrypted = encrypted_[dir];
    break;
  case 21:
    r.encrypted = encrypted_[dir];
    r.data.assign(body.begin(), body.end());
    if (!r.encrypted && body.size() >= 2) txn_.last_alert = std::string(tls::alert_name(body[1]));
    break;
  case 23:
    r.data.assign(body.begin(), body.end());
    if (encrypted_[0] && encrypted_[1]) txn_.established = true;
    break;
  case 22: {
    if (encrypted_[dir]) {
      r.encrypted = true;
      break;
    }
    std::vector<uint8_t>& hs = hs_[dir];
    if (hs.size() + body.size() > kMaxHandshake) {
      hs.clear();
      hs_pieces_[dir] = 0;
      break;
    }
    const bool continuing = !hs.empty();
    hs.insert(hs.end(), body.begin(), body.end());
    ++hs_pieces_[dir];
    size_t pos = 0;
    while (hs.size() - pos >= 4) {
      const uint32_t mlen = uint32_t{hs[pos + 1]} << 16 | uint32_t{hs[pos + 2]} << 8 | hs[pos + 3];
      if (hs.size() - pos < 4 + size_t{mlen}) break;
      TlsHandshakeMsg m;
      m.type = hs[pos];
      m.length = mlen;
      m.body.assign(hs.begin() + static_cast<std::ptrdiff_t>(pos + 4),
                    hs.begin() + static_cast<std::ptrdiff_t>(pos + 4 + mlen));
      m.pieces = pos == 0 && continuing ? hs_pieces_[dir] : 1;
      handshake(dir, m);
      r.handshakes.push_back(std::move(m));
      pos += 4 + mlen;
      hs_pieces_[dir] = 1;
    }
    hs.erase(hs.begin(), hs.begin() + static_cast<std::ptrdiff_t>(pos));
    if (!hs.empty()) {
      TlsHandshakeMsg m;
      m.type = hs[0];
      m.fragment = true;
      m.continued = continuing && pos == 0;
      if (hs.size() >= 4) m.length = uint32_t{hs[1]} << 16 | uint32_t{hs[2]} << 8 | hs[3];
      r.handshakes.push_back(std::move(m));
      if (pos) hs_pieces_[dir] = 1;
    } else {
      hs_pieces_[dir] = 0;
    }
    break;
  }
  default:
    break;
  }
  (void)f;
  const std::string& alpn = txn_.next_protocol;
  r.app_proto = inner_                                  ? inner_
                : alpn == "h2"                          ? 2
                : alpn.rfind("http/1", 0) == 0          ? 1
                : alpn.empty() && env_.id.resp_p == 443 ? 1
                                                        : 0;
}

void TlsAnalyzer::handshake(int dir, const TlsHandshakeMsg& m) {
  using namespace tls;
  if (m.type == 1 && dir == 0 && !client_hello_) {
    Hello h;
    if (!parse_hello(m.body, true, h)) return;
    client_hello_ = true;
    txn_.server_name = h.server_name;
    client_session_.assign(h.session_id.begin(), h.session_id.end());
    txn_.ja3 = md5_hex(ja3_string(h));
    txn_.ja4 = ja4(h);
  } else if (m.type == 2 && dir == 1 && !server_hello_) {
    Hello h;
    if (!parse_hello(m.body, false, h)) return;
    // A HelloRetryRequest (RFC 8446 4.1.3: this fixed random) asks for a second ClientHello in clear.
    static constexpr uint8_t kHrr[32] = {0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c,
                                         0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb,
                                         0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};
    if (h.random.size() == 32 && std::equal(h.random.begin(), h.random.end(), kHrr)) {
      hrr_ = true;
      return;
    }
    server_hello_ = true;
    version_ = selected_version(h);
    txn_.version = std::string(zeek_version(version_));
    const uint16_t c = h.ciphers.empty() ? 0 : h.ciphers.front();
    std::string_view name = cipher_name(c);
    txn_.cipher = name.empty() ? fmt::format("unknown-{}", c) : std::string(name);
    if (!h.alpn.empty()) txn_.next_protocol = h.alpn.front();
    if (!h.key_share_groups.empty()) txn_.curve = std::string(group_name(h.key_share_groups.front()));
    txn_.ja3s = md5_hex(ja3s_string(h));
    const bool psk = std::any_of(h.extensions.begin(), h.extensions.end(),
                                 [](const Extension& e) { return e.type == 41; });
    if (is_tls13(version_)) {
      txn_.resumed = psk;
      encrypted_[0] = encrypted_[1] = true; // everything after the ServerHello is protected
    } else {
      txn_.resumed = !h.session_id.empty() && client_session_.size() == h.session_id.size() &&
                     std::equal(client_session_.begin(), client_session_.end(), h.session_id.begin());
    }
  } else if (m.type == 11 && dir == 1 && txn_.cert_chain_fps.empty()) {
    std::vector<Certificate> certs;
    if (!parse_certificates(m.body, certs)) return;
    for (const Certificate& c : certs) txn_.cert_chain_fps.push_back(sha256_hex(c.der));
    if (!certs.empty()) {
      txn_.subject = rfc4514(certs.front().subject);
      txn_.issuer = rfc4514(certs.front().issuer);
    }
  } else if (m.type == 12 && dir == 1 && m.body.size() >= 3 && m.body[0] == 3 && txn_.curve.empty()) {
    txn_.curve = std::string(group_name(static_cast<uint16_t>(m.body[1] << 8 | m.body[2])));
  }
}

std::optional<Service> TlsAnalyzer::verdict() const {
  if (!server_hello_ && !failed() && !(gave_up_[0] && gave_up_[1])) return std::nullopt;
  const std::string& p = txn_.next_protocol;
  if (p == "http/1.1" || p == "http/1.0" || p == "h2") return Service::TlsHttp;
  return Service::Tls;
}

void TlsAnalyzer::finish() {
  if (logged_ || !env_.log || (!client_hello_ && !server_hello_)) return;
  logged_ = true;
  if (env_.log->room(env_.log->ssl)) env_.log->ssl.push_back(std::move(txn_));
}

} // namespace ps::app
