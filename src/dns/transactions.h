// Matches DNS responses to their queries (dns.response_to, dns.time) with a small fixed-size table:
// memory is bounded whatever the traffic, and an entry is simply overwritten when its slot is reused.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

namespace ps::dns {

struct TransactionKey {
  uint32_t stream = 0; // udp.stream / tcp.stream of the conversation
  bool tcp = false;
  uint16_t id = 0;
  bool operator==(const TransactionKey&) const = default;
};

struct QueryInfo {
  uint64_t frame = 0;
  int64_t time_ns = 0;
};

class TransactionTable {
public:
  static constexpr size_t kSlots = 4096;

  // Remembers a query seen in `frame` at `time_ns`.
  void query(const TransactionKey& k, uint64_t frame, int64_t time_ns);
  // The query a response seen in `frame` answers, if it is still remembered and came earlier.
  std::optional<QueryInfo> response(const TransactionKey& k, uint64_t frame) const;
  void clear() { slots_ = {}; }

private:
  struct Slot {
    bool used = false;
    TransactionKey key;
    QueryInfo info;
  };
  static size_t slot_of(const TransactionKey& k);
  std::array<Slot, kSlots> slots_{};
};

} // namespace ps::dns
