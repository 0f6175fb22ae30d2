// TLS over TCP (RFC 5246, RFC 8446): the record layer reassembled across segments, handshake messages
// reassembled across records, attached to the frame that completes them; what the clear-text handshake
// says (hello fields, certificates, alerts) goes into one ssl.log row per connection.
#pragma once

#include <optional>
#include <vector>

#include "app/analyzer.h"

namespace ps::app {

class TlsAnalyzer final : public Analyzer {
public:
  // inner: what the application data carries when a STARTTLS upgrade says (TlsRecord::app_proto).
  explicit TlsAnalyzer(const AnalyzerEnv& env, uint8_t inner = 0) : env_(env), inner_(inner) {}
  void data(int dir, std::span<const uint8_t> bytes, const FrameInfo& f, AppFrame& out) override;
  void gap(int dir, uint64_t bytes, const FrameInfo& f, AppFrame& out) override;
  void finish() override;
  // The connection's service once the ServerHello said which application protocol follows (ALPN):
  // Tls, or TlsHttp; nullopt while the handshake may still say.
  std::optional<Service> verdict() const;

private:
  void record(int dir, uint8_t type, uint16_t version, std::span<const uint8_t> body, const FrameInfo& f,
              AppFrame& out);
  void handshake(int dir, const TlsHandshakeMsg& m);

  AnalyzerEnv env_;
  uint8_t inner_ = 0;
  std::vector<uint8_t> buf_[2]; // bytes of an unfinished record
  // Without tls_app_data: the rest of an application data record's body, skipped unbuffered, and its
  // version (the record is reported when its last byte comes).
  size_t skip_[2] = {0, 0};
  uint16_t skip_version_[2] = {0, 0};
  uint16_t skip_length_[2] = {0, 0};
  std::vector<uint8_t> hs_[2]; // bytes of an unfinished handshake message
  uint32_t hs_pieces_[2] = {0, 0};
  bool encrypted_[2] = {false, false};
  bool gave_up_[2] = {false, false};
  uint16_t version_ = 0; // negotiated
  bool server_hello_ = false, client_hello_ = false, hrr_ = false;
  std::vector<uint8_t> client_session_;
  SslTxn txn_;
  bool have_txn_ = false, logged_ = false;
};

} // namespace ps::app
