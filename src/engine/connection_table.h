// The one connection table: connections by canonical key (one hash probe per packet), each on an
// activity list ordered by its last packet, so expiry and eviction only ever look at list heads.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "engine/connection.h"

namespace ps {

// The lists a connection moves through. Open: its record is open (TCP, UDP) or over and waiting out
// the close grace (Ended). Done: the record is finished but the entry stays, so that stragglers keep
// their stream index as in tshark, until the table grows large (then it goes after a timeout).
enum ConnList : uint8_t { kListTcp, kListUdp, kListEnded, kListDoneShort, kListDoneLong, kListCount };

class ConnectionTable {
public:
  static constexpr uint32_t kNone = UINT32_MAX;

  ConnectionTable();
  uint32_t find(const FlowKey& key) const;
  // A new, empty entry for `key` (which must not be in the table), at the tail of `list`.
  uint32_t insert(const FlowKey& key, uint8_t list);
  void erase(uint32_t i);
  // Moves entry i to the tail of `list` (it was just active).
  void touch(uint32_t i, uint8_t list) {
    if (links_[i].next == kNone && slots_[i].list == list) return; // already last there
    unlink(i);
    push_tail(i, list);
  }

  Connection& operator[](uint32_t i) { return slots_[i]; }
  const Connection& operator[](uint32_t i) const { return slots_[i]; }
  uint32_t head(uint8_t list) const { return lists_[list].head; }
  size_t size() const { return count_; }
  // Every entry in use, in slot order.
  template <class F> void for_each(F f) const {
    for (uint32_t i = 0; i < slots_.size(); ++i)
      if (slots_[i].used) f(i, slots_[i]);
  }

private:
  // The index: open addressing with linear probing over (slot, hash) pairs, 8 bytes each, so a
  // lookup reads one or two cache lines of the index and then the connection itself.
  struct Bucket {
    uint32_t slot = kNone;
    uint32_t hash = 0;
  };
  struct Link {
    uint32_t prev = kNone, next = kNone;
  };
  struct List {
    uint32_t head = kNone, tail = kNone;
  };
  static uint64_t hash_of(const FlowKey& k) noexcept;
  void grow();
  void unlink(uint32_t i);
  void push_tail(uint32_t i, uint8_t list);

  // Connections in blocks of kBlock: the table grows without moving (or copying) what it holds.
  class Slots {
  public:
    Connection& operator[](uint32_t i) { return blocks_[i >> kShift][i & (kBlock - 1)]; }
    const Connection& operator[](uint32_t i) const { return blocks_[i >> kShift][i & (kBlock - 1)]; }
    uint32_t size() const { return size_; }
    void grow() {
      if ((size_ & (kBlock - 1)) == 0) blocks_.push_back(std::make_unique<Connection[]>(kBlock));
      ++size_;
    }

  private:
    static constexpr uint32_t kShift = 10, kBlock = 1u << kShift;
    std::vector<std::unique_ptr<Connection[]>> blocks_;
    uint32_t size_ = 0;
  };
  Slots slots_;
  std::vector<Link> links_; // beside the slots: list moves touch 8 bytes per neighbour
  std::vector<uint32_t> free_;
  std::vector<Bucket> buckets_;
  size_t mask_ = 0;
  size_t count_ = 0;
  List lists_[kListCount];
};

} // namespace ps
