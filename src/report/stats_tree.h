// tshark's stats trees (epan/stats_tree.c) as `-z http,tree`, `-z http_req,tree` and `-z dns,tree` print
// them: a tree of counters, each with its own burst rate (the most updates within a 100 ms window, counted
// in 5 ms buckets), children sorted by count (ties by name), both descending; the top level stays in the
// order it was made. Average nodes also keep the average, least and greatest of the values added.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "describe/describe.h"
#include "dissect/record.h"
#include "engine/engine.h"
#include "output/out_buffer.h"

namespace ps::report {

class StatsTree {
public:
  explicit StatsTree(std::string title) : title_(std::move(title)) { nodes_.push_back(Node{}); }
  static constexpr uint32_t kRoot = 0;
  // A child of `parent` by name, made (with count 0) when missing.
  uint32_t node(uint32_t parent, std::string_view name);
  enum class Values : uint8_t { None, Int, Float };
  // A child that keeps the values added to it (average, min, max; printed as integers or floats).
  uint32_t average_node(uint32_t parent, std::string_view name, Values kind);
  // Counts one update of an average node with its value.
  void add_value(uint32_t n, double now_ms, int64_t value);
  void add_value(uint32_t n, double now_ms, float value);
  // Counts one update of `n` at `now_ms` (milliseconds since the capture's first frame).
  void tick(uint32_t n, double now_ms);
  // Every update of the tree (one per tapped packet) moves its clock.
  void packet(double now_ms);
  void print(OutBuffer& out) const;

private:
  struct Bucket {
    int64_t no = 0;
    double start = 0;
    int64_t count = 0;
  };
  struct Node {
    std::string name;
    int64_t count = 0;
    std::vector<uint32_t> children;
    std::vector<Bucket> window; // the buckets of the current burst window
    int64_t bcount = 0, max_burst = 0;
    double burst_time = 0;
    Values values = Values::None;
    int64_t itotal = 0, imin = 0, imax = 0;
    float ftotal = 0, fmin = 0, fmax = 0; // tshark keeps float values in a gfloat
  };
  void print_node(OutBuffer& out, uint32_t n, int depth, int64_t parent_count, size_t width) const;
  size_t max_name(uint32_t n, int depth) const;
  std::string title_;
  std::vector<Node> nodes_;
  bool started_ = false;
  double start_ms_ = 0, elapsed_ms_ = 0;
};

// http,tree (HTTP/Packet Counter) and http_req,tree (HTTP/Requests) from the HTTP analyzer's messages.
class HttpTrees {
public:
  HttpTrees();
  void packet(const PacketView& v, int64_t first_ns);
  const StatsTree& packets() const { return packets_; }
  const StatsTree& requests() const { return requests_; }

private:
  StatsTree packets_{"HTTP/Packet Counter"}, requests_{"HTTP/Requests"};
  uint32_t total_, reqs_, resps_, other_, by_host_;
  uint32_t classes_[6]; // ???, 1xx .. 5xx
};

// dns,tree (DNS): every DNS message by rcode, opcode, query/response, query type and class; payload
// sizes; query name lengths and label counts; section counts; response times.
class DnsTree {
public:
  DnsTree();
  void packet(const PacketView& v, int64_t first_ns);
  const StatsTree& tree() const { return tree_; }

private:
  StatsTree tree_{"DNS"};
  uint32_t packets_, rcode_, opcodes_, qr_, qtypes_, classes_, payload_, qname_len_, labels_[4];
  uint32_t questions_, authorities_, answers_, additionals_, rrt_, unsolicited_, retransmissions_;
  Record rec_;
  std::bitset<kFieldCount> wanted_;
  FrameTimes times_;
  bool first_ = true;
};

} // namespace ps::report
