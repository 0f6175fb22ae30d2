// The one connection table: connections by canonical key (one hash probe per packet), each on an
// activity list ordered by its last packet, so expiry and eviction only ever look at list heads.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "engine/connection.h"

namespace ps {

// Two independent sets of activity lists, each ordered by last packet.
//
// Entry lists decide how long the entry itself (and with it the stream index) is kept, from what
// every worker of a parallel run knows about every connection (the stream view): open TCP, UDP, and
// TCP closed by FINs or a reset. Entries stay, so that stragglers keep their stream index as in tshark,
// until the table grows large (then an idle one goes after a timeout).
enum EntryList : uint8_t { kEntryTcp, kEntryUdp, kEntryClosed, kEntryListCount };
// Record lists time the Zeek-style record: open TCP and UDP records, and records over and waiting out
// the close grace (Ended). A finished record is on none.
enum RecordList : uint8_t { kListTcp, kListUdp, kListEnded, kRecordListCount, kNoRecordList = 0xff };

class ConnectionTable {
public:
  static constexpr uint32_t kNone = UINT32_MAX;

  ConnectionTable();
  uint32_t find(const FlowKey& key) const;
  // A new, empty entry for `key` (which must not be in the table), at the tail of entry list `list`.
  uint32_t insert(const FlowKey& key, uint8_t list);
  void erase(uint32_t i);
  // Moves entry i to the tail of entry list `list` (it was just active).
  void touch(uint32_t i, uint8_t list) { entries_.touch(i, list, slots_[i].list); }
  // Moves entry i to the tail of record list `list`, or off the record lists (kNoRecordList).
  void touch_record(uint32_t i, uint8_t list) { records_.touch(i, list, slots_[i].record_list); }

  Connection& operator[](uint32_t i) { return slots_[i]; }
  const Connection& operator[](uint32_t i) const { return slots_[i]; }
  uint32_t head(uint8_t list) const { return entries_.head(list); }
  uint32_t record_head(uint8_t list) const { return records_.head(list); }
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
  // Doubly linked lists through a side array indexed by slot: list moves touch 8 bytes per neighbour.
  template <size_t N> class Lists {
  public:
    uint32_t head(uint8_t l) const { return lists_[l].head; }
    void add_slot() { links_.emplace_back(); }
    // `cur`: the list entry i is on now (kNoRecordList: none), updated to `to`.
    void touch(uint32_t i, uint8_t to, uint8_t& cur) {
      if (cur == to && (to >= N || links_[i].next == kNone)) return; // already last there
      if (cur < N) unlink(i, cur);
      cur = to;
      if (to < N) push_tail(i, to);
    }

  private:
    struct Link {
      uint32_t prev = kNone, next = kNone;
    };
    struct List {
      uint32_t head = kNone, tail = kNone;
    };
    void unlink(uint32_t i, uint8_t l);
    void push_tail(uint32_t i, uint8_t l);
    std::vector<Link> links_;
    List lists_[N];
  };
  static uint64_t hash_of(const FlowKey& k) noexcept;
  void grow();

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
  Lists<kEntryListCount> entries_;
  Lists<kRecordListCount> records_;
  std::vector<uint32_t> free_;
  std::vector<Bucket> buckets_;
  size_t mask_ = 0;
  size_t count_ = 0;
};

} // namespace ps
