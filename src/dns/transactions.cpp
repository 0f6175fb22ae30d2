#include "dns/transactions.h"

namespace ps::dns {

size_t TransactionTable::slot_of(const TransactionKey& k) {
  uint64_t h = (uint64_t{k.stream} << 17) ^ (uint64_t{k.tcp} << 16) ^ k.id;
  h *= 0x9e3779b97f4a7c15ull;
  return static_cast<size_t>(h >> 52) % kSlots;
}

void TransactionTable::query(const TransactionKey& k, uint64_t frame, int64_t time_ns) {
  slots_[slot_of(k)] = {true, k, {frame, time_ns}};
}

std::optional<QueryInfo> TransactionTable::response(const TransactionKey& k, uint64_t frame) const {
  const Slot& s = slots_[slot_of(k)];
  if (!s.used || !(s.key == k) || s.info.frame >= frame) return std::nullopt;
  return s.info;
}

} // namespace ps::dns
