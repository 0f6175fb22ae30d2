// The per-packet field record: a flat list of (field, value, byte range, depth) items that every output
// reads. Dissectors ask want(field) before emitting, so a -T fields run over ten fields builds only
// those ten; a tree run builds everything, text included.
#pragma once

#include <bitset>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "dissect/field.h"

namespace ps {

struct Item {
  F field = F::TEXT;
  uint8_t depth = 0;
  bool generated = false; // shown in [brackets] in the tree (computed, not on the wire)
  bool hidden = false;    // present for fields/filters but not printed in the tree
  uint32_t offset = 0;    // byte range in the frame (for hex views / JSON)
  uint32_t length = 0;
  uint64_t num = 0; // UInt*, Bool, Ipv4, FrameNum, times (as int64 ns)
  double dbl = 0;
  std::string_view str;  // String, Bytes, Ether, Ipv6 values (into the frame or the arena)
  std::string_view text; // the tree line; empty: "Name: value" from the registry
};

// Bump allocator for strings built while describing one packet; reset between packets.
class Arena {
public:
  std::string_view copy(std::string_view s);
  char* alloc(size_t n);
  void reset() {
    chunk_ = 0;
    used_ = 0;
  }

private:
  static constexpr size_t kChunk = 64 * 1024;
  std::vector<std::unique_ptr<char[]>> chunks_;
  std::vector<size_t> sizes_;
  size_t chunk_ = 0, used_ = 0;
};

// Columns of the one-line summary, filled by the dissectors (higher layers overwrite lower ones).
struct Columns {
  std::string_view protocol;
  std::string_view src, dst;
  fmt::memory_buffer info;
  void clear() {
    protocol = src = dst = {};
    info.clear();
  }
};

// A data source other than the frame's bytes that this frame's items point into (tshark's tabs
// under the packet bytes): "Reassembled IPv4" for a datagram this frame completed.
struct DataSource {
  std::string_view name;
  std::span<const uint8_t> bytes; // valid until the next frame is decoded
};

class Record {
public:
  // tree: build every item and tree text. Otherwise only items whose field is in `wanted`.
  void reset(bool tree, const std::bitset<kFieldCount>* wanted, bool columns);

  bool tree() const { return tree_; }
  bool want(F f) const { return tree_ || (wanted_ && (*wanted_)[static_cast<size_t>(f)]); }
  bool columns_wanted() const { return columns_; }

  // Opens a subtree under a new item (a protocol or an expandable field); close with pop().
  Item& push(F f, uint32_t off, uint32_t len);
  void pop() {
    if (depth_ > 0) --depth_;
  }
  // Opens a subtree under the item added last (close with pop()).
  void open_last() { ++depth_; }
  uint8_t depth() const { return depth_; }
  Item& add(F f, uint32_t off, uint32_t len, uint64_t num = 0);
  Item& add_str(F f, uint32_t off, uint32_t len, std::string_view s);
  // A text-only tree line (tree mode only; callers check tree()).
  Item& text(std::string_view s, uint32_t off = 0, uint32_t len = 0);

  template <typename... Args> std::string_view format(fmt::format_string<Args...> f, Args&&... args) {
    scratch_.clear();
    fmt::format_to(std::back_inserter(scratch_), f, std::forward<Args>(args)...);
    return arena_.copy({scratch_.data(), scratch_.size()});
  }
  std::string_view save(std::string_view s) { return arena_.copy(s); }
  // Raw space for text built in place; lives until the next reset().
  char* alloc(size_t n) { return arena_.alloc(n); }

  const std::vector<Item>& items() const { return items_; }
  std::vector<Item>& items() { return items_; }
  Columns& cols() { return cols_; }
  const Columns& cols() const { return cols_; }

  // Set when a layer could not be decoded; outputs show [Malformed Packet: reason].
  std::string_view malformed;
  bool truncated = false; // [Packet size limited during capture]
  // frame.protocols ("eth:ethertype:ip:tcp:http"): each layer's describer appends its name.
  void append_protocol(std::string_view name) {
    if (protocols_.size()) protocols_.push_back(':');
    protocols_.append(name);
  }
  std::string_view protocols() const { return {protocols_.data(), protocols_.size()}; }
  void add_source(std::string_view name, std::span<const uint8_t> bytes) {
    sources_.push_back({name, bytes});
  }
  const std::vector<DataSource>& sources() const { return sources_; }

private:
  std::vector<Item> items_;
  Arena arena_;
  fmt::memory_buffer scratch_;
  Columns cols_;
  fmt::memory_buffer protocols_;
  std::vector<DataSource> sources_;
  const std::bitset<kFieldCount>* wanted_ = nullptr;
  bool tree_ = false;
  bool columns_ = false;
  uint8_t depth_ = 0;
};

} // namespace ps
