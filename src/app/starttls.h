// STARTTLS (SMTP RFC 3207, POP3 STLS RFC 2595, FTP AUTH TLS RFC 4217): once the server accepted the
// upgrade, the rest of the connection is TLS, handed to a TLS analyzer (its records and ssl.log row).
#pragma once

#include <memory>

#include "app/tls/tls_analyzer.h"

namespace ps::app {

class StartTls {
public:
  bool active() const { return tls_ != nullptr; }
  // inner: TlsRecord::app_proto of the upgraded protocol (3 SMTP, 4 POP, 5 FTP).
  void start(const AnalyzerEnv& env, uint8_t inner) {
    if (!tls_) tls_ = std::make_unique<TlsAnalyzer>(env, inner);
  }
  // Feeds TLS bytes; false when the TLS analysis gave up (out.malformed says why).
  bool data(int dir, std::span<const uint8_t> bytes, const FrameInfo& f, AppFrame& out) {
    if (!tls_->failed()) tls_->data(dir, bytes, f, out);
    return !tls_->failed();
  }
  void gap(int dir, uint64_t bytes, const FrameInfo& f, AppFrame& out) {
    if (tls_) tls_->gap(dir, bytes, f, out);
  }
  void finish() {
    if (tls_) tls_->finish();
  }

private:
  std::unique_ptr<TlsAnalyzer> tls_;
};

} // namespace ps::app
