// The HTML report: one self-contained file (styles, data and SVG plots inline, no network access when
// opened) built from one pass of the engine. Everything it keeps is bounded whatever the capture's size:
// I/O bins that merge as the capture grows, top-N tables, a bounded set of sampled sequence graphs,
// and the first rows of each transaction table.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "app/transactions.h"
#include "engine/engine.h"
#include "flow/conn_record.h"
#include "output/log/dns_log.h"
#include "output/out_buffer.h"
#include "report/tshark_stats.h"

namespace ps::report {

struct ReportOptions {
  std::string file;               // shown in the summary
  size_t top = 10;                // rows of the talker, server and service tables
  size_t timeline = 300;          // connections drawn on the timeline (the largest by bytes)
  size_t seq_graphs = 4;          // the busiest TCP connections given a sequence graph
  std::vector<std::string> conns; // --conn UID: also these (uids as `conns` prints them)
  size_t table_rows = 500;        // rows per transaction table
};

// I/O bins per direction (client to server, server to client, no connection) that double their width
// whenever the capture outgrows kMaxBins, so a week-long capture costs as little as a second-long one.
class IoBins {
public:
  static constexpr size_t kMaxBins = 4096;
  struct Bin {
    std::array<uint64_t, 3> pkts{}, bytes{};
  };
  void add(int64_t rel_ns, int dir, uint64_t bytes);
  int64_t width_ns() const { return width_ns_; }
  const std::vector<Bin>& bins() const { return bins_; }

private:
  int64_t width_ns_ = 1'000'000; // 1 ms to start
  std::vector<Bin> bins_;
};

// A TCP connection's segments for a sequence graph, thinned (every other point dropped, flagged
// points kept) whenever it reaches kMaxPoints.
struct SeqPoint {
  float t = 0;       // seconds since the capture start
  uint32_t seq = 0;  // relative
  uint32_t len = 0;  // payload bytes
  uint32_t ack = 0;  // relative
  uint32_t win = 0;  // calculated window
  float rtt_ms = -1; // ACK RTT of this segment, -1 none
  uint8_t orig = 0;  // sent by the client
  uint8_t flags = 0; // kMarkRetrans | kMarkOoo | kMarkZeroWin
};
inline constexpr uint8_t kMarkRetrans = 1, kMarkOoo = 2, kMarkZeroWin = 4;

struct SeqSeries {
  static constexpr size_t kMaxPoints = 3000;
  std::vector<SeqPoint> points;
  uint32_t stride = 1, skipped = 0;
  void add(const SeqPoint& p);
};

// Packets the capture lost: from a pcapng file's interface statistics blocks (isb_ifdrop, isb_osdrop),
// or libpcap's counts of a live capture.
struct CaptureDrops {
  bool known = false;
  bool live = false;
  uint64_t by_interface = 0, by_os = 0; // live: dropped by the interface, by the kernel
  bool interface_known = false, os_known = false;
};

class ReportBuilder {
public:
  explicit ReportBuilder(ReportOptions opt);
  void add_needs(EngineNeeds& needs) const;
  void packet(const PacketView& v);
  void connection(const ConnRecord& r);
  // Writes the whole document; call after the engine's finish().
  void write(OutBuffer& out, const app::Transactions& t, const std::vector<std::string>& link_types,
             const CaptureDrops& drops);

private:
  bool named(uint64_t uid) const; // one of --conn
  std::string conn_label(const ConnRecord& r) const;
  void section_summary(std::string& h, const std::vector<std::string>& link_types, const CaptureDrops& drops);
  void section_hierarchy(std::string& h);
  void section_talkers(std::string& h);
  void section_timeline(std::string& h);
  void section_io(std::string& h);
  void section_seq(std::string& h);
  void section_transactions(std::string& h, const app::Transactions& t);
  void section_expert(std::string& h);

  ReportOptions opt_;
  ProtocolHierarchy phs_;
  struct Host {
    uint64_t pkts = 0, tx = 0, rx = 0; // frame bytes sent and received over its connections
  };
  std::unordered_map<std::string, Host> hosts_;
  IoBins io_;
  bool first_ = true;
  int64_t start_ns_ = 0, last_ns_ = 0;
  uint64_t frames_ = 0, bytes_ = 0;

  // Connections.
  uint64_t conn_count_ = 0, tcp_count_ = 0, udp_count_ = 0;
  std::map<std::string, uint64_t> states_;
  struct Agg {
    uint64_t conns = 0, bytes = 0, pkts = 0;
    std::string service;
  };
  std::unordered_map<std::string, Agg> services_, servers_;
  std::vector<ConnRecord> timeline_;                 // min-heap by bytes, at most opt_.timeline
  std::unordered_map<uint64_t, std::string> labels_; // uid -> label, for the connections the report names

  // Sequence graphs.
  std::unordered_map<uint64_t, SeqSeries> live_series_;
  struct Kept {
    uint64_t bytes = 0;
    ConnRecord rec;
    SeqSeries series;
  };
  std::vector<Kept> kept_series_;
  static constexpr size_t kMaxLiveSeries = 2000;

  // Expert summary.
  struct Expert {
    std::string name, severity;
    uint64_t count = 0;
    std::vector<uint64_t> uids; // first connections concerned
    std::vector<uint64_t> frames;
  };
  std::vector<Expert> expert_;
  void expert_hit(size_t i, uint64_t uid, uint64_t frame);

  // Transaction uids: stream -> connection uid, and DNS rows.
  std::unordered_map<uint64_t, uint64_t> stream_uids_;
  app::DnsLogBuilder dns_{100'000};
};

} // namespace ps::report
