// tshark's -z statistics computed over the engine's packets: the protocol hierarchy (io,phs), the
// endpoint tables (endpoints,eth|ip|ipv6|tcp|udp) and the I/O table (io,stat,INTERVAL[,FILTER...]),
// printed in tshark 4.0's layouts. The HTML report reads the same aggregates.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "describe/describe.h"
#include "dissect/record.h"
#include "engine/engine.h"
#include "filter/display_filter.h"
#include "output/out_buffer.h"

namespace ps::report {

// Nanoseconds since the epoch.
inline int64_t ts_ns(const Timestamp& t) {
  return t.sec * 1'000'000'000 + t.nsec;
}

// io,phs: a tree of protocol paths, children in order of first appearance.
class ProtocolHierarchy {
public:
  struct Node {
    std::string name;
    uint64_t frames = 0, bytes = 0;
    std::vector<uint32_t> children; // indexes into nodes()
  };
  ProtocolHierarchy();
  // The stages the hierarchy reads (the application layer names the top protocols).
  static void add_needs(EngineNeeds& needs);
  void packet(const PacketView& v);
  void print(OutBuffer& out) const;
  const std::vector<Node>& nodes() const { return nodes_; } // nodes()[0] is the root
  // The path of one packet's protocols, as tshark's tree stacks them (exposed for tests).
  void path_of(const PacketView& v, std::vector<std::string_view>& path);

private:
  void add_path(const std::vector<std::string_view>& path, uint64_t bytes);
  std::vector<Node> nodes_;
  Record rec_;
  std::bitset<kFieldCount> wanted_;
  FrameTimes times_;
  bool first_ = true;
  std::vector<std::string_view> path_;
  std::unordered_map<uint64_t, bool> pdu_pending_;
  std::unordered_map<uint64_t, std::string> plain_names_; // layer stack -> its frame.protocols
  std::string proto_buf_;                                 // (uid, direction): a PDU started and is not done
  struct Split {
    std::vector<std::string> names; // the path of a protocol string that needs nothing of the packet
    bool dynamic = false;           // MPLS, HTTP or FTP data: the path depends on the packet
  };
  std::unordered_map<std::string, Split> split_; // protocol string -> its path (at most 4096)
};

// endpoints,TYPE: per address (and port), packets and bytes sent and received.
enum class EndpointKind : uint8_t { Eth, Ip, Ipv6, Tcp, Udp };
std::optional<EndpointKind> endpoint_kind(std::string_view name);

class Endpoints {
public:
  struct Entry {
    std::array<uint8_t, 16> addr{};
    uint8_t addr_len = 4; // 6 Ethernet, 4 IPv4, 16 IPv6
    uint16_t port = 0;
    uint64_t tx_frames = 0, tx_bytes = 0, rx_frames = 0, rx_bytes = 0;
  };
  explicit Endpoints(EndpointKind kind) : kind_(kind) {}
  void packet(const PacketView& v);
  void print(OutBuffer& out, std::string_view filter) const;
  // Largest first by packets (ties in order of first appearance), as tshark prints them.
  std::vector<const Entry*> sorted() const;
  std::string address_text(const Entry& e) const;
  EndpointKind kind() const { return kind_; }

private:
  void add(const uint8_t* a, uint8_t alen, uint16_t port, bool tx, uint64_t bytes);
  EndpointKind kind_;
  std::vector<Entry> entries_;
  std::unordered_map<std::string, uint32_t> index_;
  std::string key_;
};

// io,stat,INTERVAL[,FILTER...]: frames and bytes per interval, one column per filter (empty: all).
class IoStat {
public:
  // interval_us 0: the whole capture as one interval.
  IoStat(int64_t interval_us, std::vector<std::string> filters);
  // Compiles the filters; false with a message in `error`.
  bool compile(std::string& error);
  void add_needs(EngineNeeds& needs) const;
  void packet(const PacketView& v);
  void print(OutBuffer& out) const;

private:
  struct Column {
    std::string text;
    std::optional<filter::DisplayFilter> filter;
    std::vector<uint64_t> frames, bytes; // per interval
  };
  int64_t interval_us_;
  std::vector<Column> cols_;
  bool first_ = true;
  int64_t start_ns_ = 0, last_ns_ = 0;
  Record rec_;
  std::bitset<kFieldCount> wanted_;
  FrameTimes times_;
};

} // namespace ps::report
