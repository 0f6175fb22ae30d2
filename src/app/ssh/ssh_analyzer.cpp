#include "app/ssh/ssh_analyzer.h"

#include <algorithm>
#include <string_view>

#include "app/tls/digest.h"

namespace ps::app {

namespace {

constexpr size_t kMaxBanner = 255 + 2; // RFC 4253 4.2: the line is at most 255 characters with CR LF
constexpr size_t kMaxPacket = 35000;   // RFC 4253 6.1: implementations must handle 35000-byte packets
constexpr size_t kMaxPreBannerLines = 64;

bool read_string(std::span<const uint8_t> b, size_t& pos, std::string& out) {
  if (pos > b.size() || b.size() - pos < 4) return false;
  const uint32_t n =
      uint32_t{b[pos]} << 24 | uint32_t{b[pos + 1]} << 16 | uint32_t{b[pos + 2]} << 8 | b[pos + 3];
  pos += 4;
  if (b.size() - pos < n) return false;
  out.assign(reinterpret_cast<const char*>(b.data() + pos), n);
  pos += n;
  return true;
}

std::vector<std::string_view> names(std::string_view list) {
  std::vector<std::string_view> v;
  while (!list.empty()) {
    size_t c = list.find(',');
    v.push_back(list.substr(0, c));
    if (c == std::string_view::npos) break;
    list.remove_prefix(c + 1);
  }
  return v;
}

} // namespace

bool parse_kexinit(std::span<const uint8_t> p, std::array<std::string, 10>& lists, std::string& cookie_hex,
                   bool& first_kex_follows) {
  if (p.size() < 16) return false;
  cookie_hex = hex_lower(p.subspan(0, 16));
  size_t pos = 16;
  for (std::string& l : lists)
    if (!read_string(p, pos, l)) return false;
  if (p.size() - pos < 5) return false;
  first_kex_follows = p[pos] != 0;
  return true;
}

std::string ssh_negotiate(const std::string& client, const std::string& server) {
  const std::vector<std::string_view> s = names(server);
  for (std::string_view c : names(client))
    if (std::find(s.begin(), s.end(), c) != s.end()) return std::string(c);
  return {};
}

void SshAnalyzer::data(int dir, std::span<const uint8_t> bytes, const FrameInfo& f, AppFrame& out) {
  out.ssh_from_server = dir == 1;
  if (!have_txn_) {
    have_txn_ = true;
    txn_.ts_ns = f.ts_ns;
    txn_.id = env_.id;
  }
  if (state_[dir] == State::Lost) return;
  if (state_[dir] == State::Encrypted) {
    SshMessage& m = out.ssh.emplace_back();
    m.cipher = cipher_[dir];
    m.compression = compression_[dir];
    m.encrypted = true;
    m.encrypted_len = static_cast<uint32_t>(bytes.size());
    encrypted(dir, bytes.size());
    out.ssh_v2 = state_[1] != State::Banner && txn_.version == 2;
    return;
  }
  std::vector<uint8_t>& b = buf_[dir];
  const bool started_here = b.empty();
  b.insert(b.end(), bytes.begin(), bytes.end());
  size_t pos = 0;
  size_t lines = 0;
  while (state_[dir] == State::Banner) {
    auto nl = std::find(b.begin() + static_cast<std::ptrdiff_t>(pos), b.end(), '\n');
    if (nl == b.end()) {
      if (b.size() - pos > kMaxBanner) {
        violation(out, "SSH identification line too long");
        return;
      }
      break;
    }
    std::string line(b.begin() + static_cast<std::ptrdiff_t>(pos), nl);
    pos = static_cast<size_t>(nl - b.begin()) + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.size() > kMaxBanner - 2) {
      violation(out, "SSH identification line too long");
      return;
    }
    if (line.rfind("SSH-", 0) != 0) {
      // RFC 4253 4.2: a server may send other lines first; a client may not.
      if (dir == 0 || ++lines > kMaxPreBannerLines) {
        violation(out, "not an SSH identification line");
        return;
      }
      continue;
    }
    SshMessage& m = out.ssh.emplace_back();
    m.banner = true;
    m.protocol = line;
    (dir == 0 ? txn_.client : txn_.server) = line;
    // 2.0 speaks version 2; 1.99 either (RFC 4253 5.1); 1.x only version 1. The connection uses version 1
    // when either side cannot speak 2.
    const bool only1 = line.rfind("SSH-1.", 0) == 0 && line.rfind("SSH-1.99-", 0) != 0;
    only1_[dir] = only1;
    txn_.version = only1_[0] || only1_[1] ? 1 : 2;
    state_[dir] = State::Packets;
  }
  while (state_[dir] == State::Packets && b.size() - pos >= 4 && txn_.version == 1) {
    // SSH 1 (draft-ylonen-ssh-protocol-00): length of type + data + CRC, 8 - length % 8 bytes of padding.
    const uint8_t* h = b.data() + pos;
    const size_t len = size_t{h[0]} << 24 | size_t{h[1]} << 16 | size_t{h[2]} << 8 | h[3];
    const size_t pad = 8 - len % 8;
    if (len > 262144 || len < 5) {
      violation(out, "SSH-1 packet length out of range");
      state_[dir] = State::Lost;
      b.clear();
      return;
    }
    if (b.size() - pos < 4 + pad + len) break;
    SshMessage& m = out.ssh.emplace_back();
    m.v1 = true;
    m.packet_length = static_cast<uint32_t>(len);
    m.padding_length = static_cast<uint8_t>(pad);
    // After SSH_CMSG_SESSION_KEY everything but the length is encrypted; the length still frames packets.
    m.code = v1_encrypted_ ? 0 : h[4 + pad];
    m.v1_encrypted = v1_encrypted_;
    pos += 4 + pad + len;
    if (m.code == 3 && !v1_encrypted_) v1_encrypted_ = true;
  }
  while (state_[dir] == State::Packets && b.size() - pos >= 4 && txn_.version == 2) {
    const uint8_t* h = b.data() + pos;
    const size_t len = size_t{h[0]} << 24 | size_t{h[1]} << 16 | size_t{h[2]} << 8 | h[3];
    if (len > kMaxPacket || len < 2) {
      violation(out, "SSH packet length out of range");
      state_[dir] = State::Lost;
      b.clear();
      return;
    }
    if (b.size() - pos < 4 + len) break;
    packet(dir, {h, 4 + len}, out);
    pos += 4 + len;
  }
  if (state_[dir] == State::Encrypted && b.size() > pos) {
    SshMessage& m = out.ssh.emplace_back();
    m.cipher = cipher_[dir];
    m.compression = compression_[dir];
    m.encrypted = true;
    m.encrypted_len = static_cast<uint32_t>(b.size() - pos);
    encrypted(dir, b.size() - pos);
    pos = b.size();
  }
  b.erase(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(pos));
  out.ssh_v2 = state_[1] != State::Banner && txn_.version == 2;
  if (out.ssh.empty() && !b.empty()) out.ssh_segment = started_here ? 1 : 2;
}

void SshAnalyzer::packet(int dir, std::span<const uint8_t> p, AppFrame& out) {
  SshMessage& m = out.ssh.emplace_back();
  m.kex_method = kex_method_;
  m.packet_length = static_cast<uint32_t>(p.size() - 4);
  m.padding_length = p[4];
  m.code = p.size() > 5 ? p[5] : 0;
  const size_t end = p.size() >= size_t{m.padding_length} + 6 ? p.size() - m.padding_length : 6;
  if (end > 6) m.payload.assign(p.begin() + 6, p.begin() + static_cast<std::ptrdiff_t>(end));
  if (m.code == 20 && !kex_[dir].seen) {
    std::string cookie;
    bool follows = false;
    if (parse_kexinit(m.payload, kex_[dir].lists, cookie, follows)) {
      kex_[dir].seen = true;
      if (kex_[0].seen && kex_[1].seen) {
        const auto& c = kex_[0].lists;
        const auto& s = kex_[1].lists;
        auto both = [&](int i) {
          std::string a = ssh_negotiate(c[i], s[i]), b = ssh_negotiate(c[i + 1], s[i + 1]);
          return a == b ? a : "To server: " + a + ", to client: " + b;
        };
        txn_.kex_alg = ssh_negotiate(c[0], s[0]);
        kex_method_ = txn_.kex_alg;
        for (int d = 0; d < 2; ++d) {
          cipher_[d] = ssh_negotiate(c[static_cast<size_t>(2 + d)], s[static_cast<size_t>(2 + d)]);
          compression_[d] = ssh_negotiate(c[static_cast<size_t>(6 + d)], s[static_cast<size_t>(6 + d)]);
        }
        txn_.host_key_alg = ssh_negotiate(c[1], s[1]);
        txn_.cipher_alg = both(2);
        txn_.mac_alg = both(4);
        txn_.compression_alg = both(6);
      }
    }
  } else if (m.code == 31 && dir == 1 && txn_.host_key.empty()) {
    // KEXDH_REPLY / KEX_ECDH_REPLY / KEX_DH_GEX_REPLY: string K_S first. Zeek: MD5, colon-separated.
    std::string ks;
    size_t pos = 0;
    if (read_string(m.payload, pos, ks)) {
      std::string hx = md5_hex(ks);
      for (size_t i = 0; i < hx.size(); i += 2) {
        if (i) txn_.host_key.push_back(':');
        txn_.host_key.append(hx, i, 2);
      }
    }
  } else if (m.code == 21) {
    state_[dir] = State::Encrypted;
  }
  if (m.code == 21 || newkeys_[dir]) {
    newkeys_[dir] = true;
    m.cipher = cipher_[dir];
    m.compression = compression_[dir];
  }
}

void SshAnalyzer::attempted(bool ok) {
  if (txn_.auth_success && *txn_.auth_success) return;
  txn_.auth_success = ok;
  ++txn_.auth_attempts;
}

void SshAnalyzer::encrypted(int dir, size_t len) {
  if (auth_decided_ || txn_.version != 2) return;
  if (dir == 0) {
    saw_encrypted_client_data_ = true;
    return;
  }
  if (!saw_encrypted_client_data_) return;
  if (!service_accept_size_) {
    service_accept_size_ = len;
    return;
  }
  if (!userauth_failure_size_ && len + 16 == service_accept_size_) {
    auth_decided_ = true;
    attempted(true);
    return;
  }
  if (!userauth_failure_size_) {
    if (!skipped_banner_ && len > service_accept_size_ + 256) {
      skipped_banner_ = true;
      return;
    }
    userauth_failure_size_ = len;
    return;
  }
  if (len == userauth_failure_size_) {
    attempted(false);
    return;
  }
  if (len + 16 == service_accept_size_) {
    auth_decided_ = true;
    attempted(true);
  }
}

void SshAnalyzer::gap(int dir, uint64_t, const FrameInfo&, AppFrame&) {
  if (state_[dir] != State::Encrypted) state_[dir] = State::Lost;
  buf_[dir].clear();
}

void SshAnalyzer::finish() {
  if (logged_ || !env_.log || (txn_.client.empty() && txn_.server.empty())) return;
  logged_ = true;
  if (env_.log->room(env_.log->ssh)) env_.log->ssh.push_back(std::move(txn_));
}

} // namespace ps::app
