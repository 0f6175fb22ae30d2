#include "engine/connection_table.h"

#include <cstring>

namespace ps {

// A few multiply-mix rounds over the key's words. (FlowKeyHash, a byte-at-a-time FNV-1a, stays as it
// is: connection uids, which are printed, derive from it.)
size_t ConnectionTable::KeyHash::operator()(const FlowKey& k) const noexcept {
  uint64_t w[4];
  std::memcpy(w, k.a.data(), 16);
  std::memcpy(w + 2, k.b.data(), 16);
  uint64_t h = (uint64_t{k.a_port} | uint64_t{k.b_port} << 16 | uint64_t{k.proto} << 32 |
                uint64_t{k.ip_version} << 40) *
               0x9e3779b97f4a7c15ull;
  for (uint64_t x : w) {
    h = (h ^ x) * 0xbf58476d1ce4e5b9ull;
    h ^= h >> 31;
  }
  return static_cast<size_t>(h);
}

uint32_t ConnectionTable::insert(const FlowKey& key, uint8_t list) {
  uint32_t i;
  if (!free_.empty()) {
    i = free_.back();
    free_.pop_back();
  } else {
    i = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Connection& c = slots_[i];
  c.used = true;
  c.key = key;
  index_.emplace(key, i);
  push_tail(i, list);
  return i;
}

void ConnectionTable::erase(uint32_t i) {
  unlink(i);
  index_.erase(slots_[i].key);
  slots_[i] = Connection{};
  free_.push_back(i);
}

void ConnectionTable::touch(uint32_t i, uint8_t list) {
  unlink(i);
  push_tail(i, list);
}

void ConnectionTable::unlink(uint32_t i) {
  Connection& c = slots_[i];
  List& l = lists_[c.list];
  if (c.prev != kNone)
    slots_[c.prev].next = c.next;
  else
    l.head = c.next;
  if (c.next != kNone)
    slots_[c.next].prev = c.prev;
  else
    l.tail = c.prev;
  c.prev = c.next = kNone;
}

void ConnectionTable::push_tail(uint32_t i, uint8_t list) {
  Connection& c = slots_[i];
  c.list = list;
  List& l = lists_[list];
  c.prev = l.tail;
  c.next = kNone;
  if (l.tail != kNone)
    slots_[l.tail].next = i;
  else
    l.head = i;
  l.tail = i;
}

} // namespace ps
