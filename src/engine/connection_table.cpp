#include "engine/connection_table.h"

#include <cstring>

namespace ps {

// A few multiply-mix rounds over the key's words. (FlowKeyHash, a byte-at-a-time FNV-1a, stays as it
// is: connection uids, which are printed, derive from it.)
uint64_t ConnectionTable::hash_of(const FlowKey& k) noexcept {
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
  return h;
}

ConnectionTable::ConnectionTable() : buckets_(1024), mask_(1023) {}

uint32_t ConnectionTable::find(const FlowKey& key) const {
  const uint64_t h = hash_of(key);
  const auto tag = static_cast<uint32_t>(h >> 32);
  for (size_t b = h & mask_;; b = (b + 1) & mask_) {
    const Bucket& e = buckets_[b];
    if (e.slot == kNone) return kNone;
    if (e.hash == tag && slots_[e.slot].key == key) return e.slot;
  }
}

void ConnectionTable::grow() {
  std::vector<Bucket> old = std::move(buckets_);
  buckets_.assign(old.size() * 2, Bucket{});
  mask_ = buckets_.size() - 1;
  for (const Bucket& e : old) {
    if (e.slot == kNone) continue;
    size_t b = hash_of(slots_[e.slot].key) & mask_;
    while (buckets_[b].slot != kNone) b = (b + 1) & mask_;
    buckets_[b] = e;
  }
}

uint32_t ConnectionTable::insert(const FlowKey& key, uint8_t list) {
  if ((count_ + 1) * 2 > buckets_.size()) grow(); // at most half full: short probes
  uint32_t i;
  if (!free_.empty()) {
    i = free_.back();
    free_.pop_back();
  } else {
    i = slots_.size();
    slots_.grow();
    entries_.add_slot();
    records_.add_slot();
  }
  Connection& c = slots_[i];
  c.used = true;
  c.list = kEntryListCount;
  c.record_list = kNoRecordList;
  c.key = key;
  const uint64_t h = hash_of(key);
  size_t b = h & mask_;
  while (buckets_[b].slot != kNone) b = (b + 1) & mask_;
  buckets_[b] = Bucket{i, static_cast<uint32_t>(h >> 32)};
  ++count_;
  entries_.touch(i, list, c.list);
  return i;
}

void ConnectionTable::erase(uint32_t i) {
  // Backward-shift deletion keeps every probe sequence unbroken without tombstones.
  size_t b = hash_of(slots_[i].key) & mask_;
  while (buckets_[b].slot != i) b = (b + 1) & mask_;
  for (size_t next = (b + 1) & mask_;; next = (next + 1) & mask_) {
    const Bucket& e = buckets_[next];
    if (e.slot == kNone) break;
    const size_t home = hash_of(slots_[e.slot].key) & mask_;
    // Move e into the hole at b when its home is not within (b, next].
    if (((next - home) & mask_) >= ((next - b) & mask_)) {
      buckets_[b] = e;
      b = next;
    }
  }
  buckets_[b] = Bucket{};
  --count_;
  Connection& c = slots_[i];
  entries_.touch(i, kEntryListCount, c.list);
  records_.touch(i, kNoRecordList, c.record_list);
  c = Connection{};
  free_.push_back(i);
}

template <size_t N> void ConnectionTable::Lists<N>::unlink(uint32_t i, uint8_t list) {
  Link& c = links_[i];
  List& l = lists_[list];
  if (c.prev != kNone)
    links_[c.prev].next = c.next;
  else
    l.head = c.next;
  if (c.next != kNone)
    links_[c.next].prev = c.prev;
  else
    l.tail = c.prev;
  c.prev = c.next = kNone;
}

template <size_t N> void ConnectionTable::Lists<N>::push_tail(uint32_t i, uint8_t list) {
  Link& c = links_[i];
  List& l = lists_[list];
  c.prev = l.tail;
  c.next = kNone;
  if (l.tail != kNone)
    links_[l.tail].next = i;
  else
    l.head = i;
  l.tail = i;
}

template class ConnectionTable::Lists<kEntryListCount>;
static_assert(size_t{kEntryListCount} == size_t{kRecordListCount}, "instantiate Lists<kRecordListCount> too");

} // namespace ps
