// SSH (RFC 4253): the version banners, the binary packets of the clear-text key exchange (KEXINIT and
// its name lists, the server's host key, NEWKEYS), then encrypted packets, whose sizes feed Zeek's
// authentication heuristic; one ssh.log row per connection.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "app/analyzer.h"

namespace ps::app {

// The ten name lists of a KEXINIT (RFC 4253 7.1), in their order.
struct SshKexInit {
  bool seen = false;
  std::array<std::string, 10> lists;
};

// Parses a KEXINIT payload (after the message code); false when it does not hold together.
bool parse_kexinit(std::span<const uint8_t> payload, std::array<std::string, 10>& lists,
                   std::string& cookie_hex, bool& first_kex_follows);
// The first name of `client` that `server` also lists (RFC 4253 7.1); empty when none.
std::string ssh_negotiate(const std::string& client, const std::string& server);

class SshAnalyzer final : public Analyzer {
public:
  explicit SshAnalyzer(const AnalyzerEnv& env) : env_(env) {}
  void data(int dir, std::span<const uint8_t> bytes, const FrameInfo& f, AppFrame& out) override;
  void gap(int dir, uint64_t bytes, const FrameInfo& f, AppFrame& out) override;
  void finish() override;

private:
  enum class State : uint8_t { Banner, Packets, Encrypted, Lost };
  void packet(int dir, std::span<const uint8_t> pkt, AppFrame& out);
  void encrypted(int dir, size_t len);
  void attempted(bool ok);

  AnalyzerEnv env_;
  State state_[2] = {State::Banner, State::Banner};
  std::vector<uint8_t> buf_[2];
  SshKexInit kex_[2];
  std::string kex_method_, cipher_[2], compression_[2]; // negotiated (per direction: 0 client to server)
  bool newkeys_[2] = {false, false};
  bool only1_[2] = {false, false};
  bool v1_encrypted_ =
      false; // SSH-1: the session key was sent // the side's banner says it speaks only version 1
  SshTxn txn_;
  bool have_txn_ = false, logged_ = false;
  // Zeek's heuristic (analyzer/protocol/ssh/SSH.cc, ProcessEncrypted).
  bool saw_encrypted_client_data_ = false, skipped_banner_ = false, auth_decided_ = false;
  size_t service_accept_size_ = 0, userauth_failure_size_ = 0;
};

} // namespace ps::app
