// The one packet pipeline under every command: frame → (capture filter) → decode and defragment →
// the connection table (one lookup) → stream tracking, the connection record and the application
// layer, each only when a consumer needs it → the consumers (per packet, per finished connection;
// transactions are read from the application layer).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "app/app_engine.h"
#include "app/messages.h"
#include "capture/reader.h"
#include "dissect/frame_decoder.h"
#include "engine/connection.h"
#include "flow/conn_record.h"
#include "flow/limits.h"
#include "flow/meta.h"

namespace ps {

class Progress;

// What the consumers of a run need; stages nobody needs do not run.
struct EngineNeeds {
  bool streams = true;       // the connection table: stream indexes
  bool numbers = false;      // relative sequence numbers, scaled windows (tcp.seq, tcp.window_size, ...)
  bool analysis = false;     // TCP sequence analysis (tcp.analysis.*); implies numbers
  bool records = false;      // Zeek-style connection records (conns)
  bool app = false;          // reassembly and the application analyzers
  bool transactions = false; // keep the analyzers' transactions (log)
  bool service_only = false; // the application layer only decides services (conns)
  bool tls_app_data = true;  // keep the bytes of TLS application data records (tls.app_data, -V)
  bool http_bodies = true;   // keep HTTP text bodies whole (-V's text lines, -Y on their contents)
};

// One worker's part of a parallel run (src/engine/parallel_run.h): every worker reads every frame and
// keeps the whole connection table, so stream indexes and uids are those of one engine; only the
// connections it owns (a symmetric hash of the key; FTP data with its control connection) get the
// record, the sequence analysis, the application layer and the consumers.
struct Shard {
  uint16_t index = 0;
  uint16_t count = 1;
};

// Where something a consumer receives (a record, a transaction) stands in the order one engine emits
// it: the frame being processed, the step within it, and the step's own order. Merging the workers'
// outputs by tag gives exactly the single-engine order.
struct EmitTag {
  static constexpr uint64_t kEnd = UINT64_MAX; // frame of what finish() emits
  enum Phase : uint8_t { Expire, Forget, Evict, Packet, Finish };
  uint64_t frame = 0;
  uint8_t phase = Packet;
  uint64_t a = 0, b = 0, c = 0;
  auto operator<=>(const EmitTag&) const = default;
};

struct EngineOptions {
  EngineNeeds needs;
  Shard shard;
  Limits limits;
  app::DecodeAs decode_as;
  bool check_checksums = true;
  std::optional<DefragOptions> defrag; // default: from limits.fragment_bytes
  // Record timeouts, seconds of capture time; defaults follow Zeek (tcp_inactivity_timeout,
  // udp_inactivity_timeout, tcp_close_delay/tcp_reset_delay).
  int64_t tcp_idle_ns = 300'000'000'000;
  int64_t udp_idle_ns = 60'000'000'000;
  int64_t close_grace_ns = 5'000'000'000;
};

// One packet as the consumers see it; valid during the callback.
struct PacketView {
  const Frame& frame;
  const Decoded& pkt;
  const PacketMeta& meta;
  const app::AppFrame* app; // with needs.app
  Connection* conn;         // TCP/UDP over IP with needs.streams, else nullptr; consumers may mark it
  bool from_orig;           // sent by the connection's client
  Timestamp first_ts;       // of the capture's first frame
  Timestamp previous_ts;    // of the frame before this one (this frame's own for the first)
};

// Returns false to stop the run (e.g. the output was closed).
using PacketConsumer = std::function<bool(const PacketView&)>;
using ConnConsumer = std::function<void(ConnRecord&&)>;

struct RunLimits {
  uint64_t max_frames = 0; // 0: all
  // Stops before the first frame for which this says true (conns --at); empty: never.
  std::function<bool(const Frame&)> stop_before;
  Progress* progress = nullptr;
};

struct RunResult {
  uint64_t frames = 0;
  bool stopped = false; // a consumer stopped the run
  Timestamp first_ts;   // of the first frame read
};

class Engine {
public:
  explicit Engine(EngineOptions opt);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  void on_packet(PacketConsumer c);
  void on_connection(ConnConsumer c); // needs.records: each record as its connection ends
  // Frames that do not pass return false here and are skipped before decoding (capture filters).
  void set_frame_filter(std::function<bool(const Frame&)> f);

  // Reads `reader` to its end (or a limit, or a consumer's stop). Call finish() afterwards.
  RunResult run(CaptureReader& reader, const RunLimits& limits = {});
  // One frame (for callers with their own loop). False when a consumer asked to stop.
  bool process(const Frame& frame);
  // No frame came for a while (live capture): records whose timeout passed by `now` end as if a frame
  // stamped `now` had arrived.
  void advance_clock(Timestamp now);
  // End of input: every open connection ends (records out, analyses flushed), oldest first.
  void finish();

  // Open connection records as they stand now (states, counters), oldest first.
  void for_each_open(const std::function<void(const ConnRecord&)>& visit) const;

  const app::Transactions& transactions() const;
  // The tag of each kept transaction (same order as transactions()), and of what a consumer is
  // receiving now (valid during on_connection / on_packet callbacks).
  struct TransactionTags {
    std::vector<EmitTag> http, ftp, smtp, pop3, ssl, ssh;
  };
  const TransactionTags& transaction_tags() const;
  const EmitTag& emit_tag() const;
  // What the limits cost: connections forgotten, analyses ended early, reassembly drops, fragments...
  LimitHits limit_hits() const;
  const DefragCounters& defrag_counters() const;
  uint32_t tcp_streams() const;
  uint32_t udp_streams() const;
  size_t table_size() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace ps
