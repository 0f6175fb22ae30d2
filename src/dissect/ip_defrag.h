// IPv4 and IPv6 fragment reassembly with bounded memory.
//
// Fragments are keyed like tshark keys them (IPv4: source, destination, protocol, identification;
// IPv6: source, destination, identification). They may arrive in any order, repeat or overlap: the
// bytes seen first for a range win (docs/decisions.md), later copies only fill what is still missing.
// A datagram is complete when its last fragment (MF clear) has been seen and every byte before it is
// covered. Limits: bytes held by incomplete datagrams in total, incomplete datagrams at once, and the
// size of one datagram; when a new fragment would break the first two, the oldest incomplete datagrams
// are dropped (and counted) to make room. There is no time-based expiry (tshark has none either).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <list>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ps {

struct DefragOptions {
  size_t max_pending_bytes = size_t{64} << 20; // buffers of incomplete datagrams, in total
  size_t max_pending_datagrams = 65536;        // incomplete datagrams at once
  uint32_t max_datagram = 65535;               // reassembled IP payload (IPv4, IPv6 without jumbograms)
};

struct DefragCounters {
  uint64_t fragments = 0;         // fragments offered
  uint64_t reassembled = 0;       // datagrams completed
  uint64_t overlapping = 0;       // fragments that repeated bytes already held (duplicates included)
  uint64_t dropped_fragments = 0; // fragments discarded: held by a dropped datagram, or refused
  uint64_t dropped_datagrams = 0; // incomplete datagrams dropped to stay within a limit
  size_t pending_bytes = 0;       // now: bytes held by incomplete datagrams
  size_t pending_datagrams = 0;   // now: incomplete datagrams
};

// One fragment of a completed datagram, for the tree: "[Frame: 3, payload: 0-1255 (1256 bytes)]".
struct FragmentRef {
  uint64_t frame = 0;
  uint32_t offset = 0; // in the reassembled payload
  uint32_t length = 0;
};

// How a reassembled datagram was made.
struct IpReassembly {
  uint8_t ip_version = 4;
  uint8_t proto = 0;                  // the protocol the reassembled payload carries
  std::vector<FragmentRef> fragments; // by offset, then arrival
  std::vector<uint8_t> data;          // the reassembled IP payload
};

// One fragment as the decoder found it.
struct IpFragment {
  uint8_t ip_version = 4;
  uint8_t proto = 0; // IPv4: the header's protocol (part of the key); IPv6: the fragment header's next header
  uint32_t id = 0;
  const uint8_t* src = nullptr; // 4 or 16 bytes
  const uint8_t* dst = nullptr;
  uint32_t offset = 0; // bytes
  bool more = false;   // MF / M flag
  uint64_t frame = 0;
  std::span<const uint8_t> payload;
};

class IpDefragmenter {
public:
  explicit IpDefragmenter(DefragOptions opt = {}) : opt_(opt) {}

  // Adds a fragment; returns the datagram it completed (valid until the next add()) or nullptr.
  const IpReassembly* add(const IpFragment& f);

  const DefragCounters& counters() const { return counters_; }
  const DefragOptions& options() const { return opt_; }

private:
  using Key = std::array<uint8_t, 40>; // version, protocol, 2 zero bytes, id, source, destination
  struct KeyHash {
    size_t operator()(const Key& k) const {
      return std::hash<std::string_view>{}({reinterpret_cast<const char*>(k.data()), k.size()});
    }
  };
  struct Pending {
    Key key{};
    IpReassembly dg;
    std::vector<std::pair<uint32_t, uint32_t>> covered; // merged [begin, end) ranges held
    uint32_t total = 0;                                 // payload length, once the last fragment came
    bool have_last = false;
  };
  using List = std::list<Pending>; // oldest first: the order limits drop them in

  static Key key_of(const IpFragment& f);
  bool make_room(size_t growth, const Pending* keep);
  void drop(List::iterator it);
  static uint32_t cover(Pending& p, const IpFragment& f); // copies new bytes; returns bytes repeated
  static bool complete(const Pending& p);

  DefragOptions opt_;
  DefragCounters counters_;
  List pending_;
  std::unordered_map<Key, List::iterator, KeyHash> index_;
  IpReassembly done_; // the last completed datagram
};

} // namespace ps
