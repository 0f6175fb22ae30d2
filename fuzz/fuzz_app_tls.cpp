// libFuzzer target: the TLS analyzer (src/app/tls/) on both directions of one connection, cut into frames
// with gaps and FINs where the fuzzer likes (script format: common/app_script.h), so records and handshake
// messages arrive split at every point. Every completed handshake message goes through the hello and
// certificate parsers and the JA3/JA3S/JA4 builders; checks that records and messages keep their bounds.
#include "app/tls/tls_analyzer.h"
#include "app/tls/tls_parse.h"
#include "common/app_script.h"

namespace {

using ps::fuzz::require;

void check(const ps::app::AppFrame& out, const ps::fuzz::AppTally& t) {
  uint64_t bytes = 0;
  for (const ps::app::TlsRecord& r : out.tls) {
    bytes += 5 + r.length;
    require(r.length <= 16384 + 2048, "a record within TLSCiphertext's limit");
    require(r.content_type >= 20 && r.content_type <= 24, "a known content type");
    require(r.data.size() <= r.length, "record data within the record");
    for (const ps::app::TlsHandshakeMsg& m : r.handshakes) {
      require(m.fragment || m.body.size() == m.length, "a complete message holds its length");
      if (m.fragment) continue;
      ps::app::tls::Hello h;
      if ((m.type == 1 || m.type == 2) && ps::app::tls::parse_hello(m.body, m.type == 1, h)) {
        require(h.random.size() == 32, "a hello's random is 32 bytes");
        require(h.session_id.size() <= 255, "a session id fits its length byte");
        (void)ps::app::tls::ja3_string(h);
        (void)ps::app::tls::ja3s_string(h);
        require(ps::app::tls::ja4(h).size() == 36, "JA4 is a 10+1+12+1+12 string");
      }
      std::vector<ps::app::tls::Certificate> certs;
      if (m.type == 11 && ps::app::tls::parse_certificates(m.body, certs)) {
        for (const auto& c : certs) {
          require(c.der.size() <= m.body.size(), "a certificate within its message");
          (void)ps::app::tls::rfc4514(c.subject);
          (void)ps::app::tls::tshark_rdn(c.issuer);
        }
      }
    }
  }
  require(bytes <= t.bytes[0] + t.bytes[1] + 2 * (5 + 16384 + 2048), "records come from delivered bytes");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ps::app::Transactions log;
  ps::app::AnalyzerEnv env;
  env.id.orig_h = "192.0.2.1";
  env.id.resp_h = "192.0.2.2";
  env.id.orig_p = 40000;
  env.id.resp_p = 443;
  env.log = &log;
  ps::app::TlsAnalyzer tls(env);
  ps::fuzz::run_app_script(
      tls, data, size, [&](const ps::app::AppFrame& out, const ps::fuzz::AppTally& t) { check(out, t); },
      [](std::span<const uint8_t>, const ps::app::FrameInfo&, ps::app::AppFrame&) {});
  require(log.ssl.size() <= 1, "one ssl.log row per connection");
  return 0;
}
