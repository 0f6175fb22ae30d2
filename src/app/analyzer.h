// An application analyzer: fed one connection's in-order stream bytes by the reassembler, it attaches
// messages to the frame that completed them. Direction 0 is client → server, 1 server → client.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

#include "app/messages.h"
#include "app/transactions.h"

namespace ps::app {

struct FrameInfo {
  uint64_t number = 0;       // frame number (1-based)
  int64_t ts_ns = 0;         // capture time
  bool checksum_bad = false; // tshark does not reassemble such segments; some analyzers mirror that
  bool has_payload = false;  // the frame carried payload in its direction (delivered now, buffered or old)
  bool truncated = false;    // the capture kept only part of the segment's payload (snapshot length)
};

// What an analyzer may reach beyond its own connection.
struct AnalyzerEnv {
  ConnId id;
  uint64_t uid = 0; // the connection's uid (conn_uid)
  uint8_t ip_version = 4;
  std::array<uint8_t, 16> orig_ip{}, resp_ip{};
  Transactions* log = nullptr;             // nullptr: nobody wants transactions
  class ExpectedTable* expected = nullptr; // where FTP announces its data connections
  size_t max_message = size_t{64} << 10;   // longest header section or line held (Limits::max_message)
  uint64_t* oversize = nullptr;            // counts analyses stopped by max_message (nullptr: none)
  bool tls_app_data = true;                // TLS: keep application data bytes (EngineOptions)
  bool http_bodies = true;                 // HTTP: keep text bodies whole (EngineOptions)
};

class Analyzer {
public:
  virtual ~Analyzer() = default;
  virtual void data(int dir, std::span<const uint8_t> bytes, const FrameInfo& f, AppFrame& out) = 0;
  // Bytes lost before the next data(): most analyzers cannot resynchronise and give up.
  virtual void gap(int dir, uint64_t bytes, const FrameInfo& f, AppFrame& out) {
    (void)dir;
    (void)bytes;
    (void)f;
    (void)out;
  }
  // Called after the frame's bytes were delivered (also for frames that delivered none).
  virtual void frame_end(int dir, const FrameInfo& f, AppFrame& out) {
    (void)dir;
    (void)f;
    (void)out;
  }
  // Direction `dir` ended (FIN) after all its bytes were delivered.
  virtual void fin(int dir, const FrameInfo& f, AppFrame& out) {
    (void)dir;
    (void)f;
    (void)out;
  }
  // End of the capture or of the connection: flush unfinished transactions.
  virtual void finish() {}
  // Whether data() reads FrameInfo::checksum_bad: the engine verifies TCP checksums only for them.
  virtual bool reads_checksum_status() const { return false; }

  bool failed() const { return failed_; }

protected:
  // A protocol violation: stop analyzing this connection; the frame shows [Malformed Packet].
  void violation(AppFrame& out, std::string why) {
    failed_ = true;
    out.malformed = std::move(why);
  }
  // A message longer than the max_message limit: a violation, counted for the run's summary.
  void oversize(const AnalyzerEnv& env, AppFrame& out, std::string why) {
    if (env.oversize) ++*env.oversize;
    violation(out, std::move(why));
  }

private:
  bool failed_ = false;
};

} // namespace ps::app
