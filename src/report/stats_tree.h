// tshark's stats trees (epan/stats_tree.c) as `-z http,tree` and `-z http_req,tree` print them: a tree
// of counters, each with its own burst rate (the most updates within a 100 ms window, counted in 5 ms
// buckets), children sorted by count (ties by name), both descending.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/engine.h"
#include "output/out_buffer.h"

namespace ps::report {

class StatsTree {
public:
  explicit StatsTree(std::string title) : title_(std::move(title)) { nodes_.push_back(Node{}); }
  static constexpr uint32_t kRoot = 0;
  // A child of `parent` by name, made (with count 0) when missing.
  uint32_t node(uint32_t parent, std::string_view name);
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

} // namespace ps::report
