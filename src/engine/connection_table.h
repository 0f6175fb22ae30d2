// The one connection table: connections by canonical key (one hash lookup per packet), each on an
// activity list ordered by its last packet, so expiry and eviction only ever look at list heads.
#pragma once

#include <cstdint>
#include <functional>
#include <unordered_map>
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

  uint32_t find(const FlowKey& key) const {
    auto it = index_.find(key);
    return it == index_.end() ? kNone : it->second;
  }
  // A new, empty entry for `key` (which must not be in the table), on list `list`.
  uint32_t insert(const FlowKey& key, uint8_t list);
  void erase(uint32_t i);
  // Moves entry i to the tail of `list` (it was just active).
  void touch(uint32_t i, uint8_t list);

  Connection& operator[](uint32_t i) { return slots_[i]; }
  const Connection& operator[](uint32_t i) const { return slots_[i]; }
  uint32_t head(uint8_t list) const { return lists_[list].head; }
  size_t size() const { return index_.size(); }
  // Every entry in use, in slot order.
  template <class F> void for_each(F f) const {
    for (uint32_t i = 0; i < slots_.size(); ++i)
      if (slots_[i].used) f(i, slots_[i]);
  }

private:
  struct KeyHash {
    size_t operator()(const FlowKey& k) const noexcept;
  };
  struct List {
    uint32_t head = kNone, tail = kNone;
  };
  void unlink(uint32_t i);
  void push_tail(uint32_t i, uint8_t list);

  std::vector<Connection> slots_;
  std::vector<uint32_t> free_;
  std::unordered_map<FlowKey, uint32_t, KeyHash> index_;
  List lists_[kListCount];
};

} // namespace ps
