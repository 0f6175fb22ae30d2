// A Zeek-shaped dns.log from DNS messages (UDP payloads and DNS-over-TCP messages), parsed by the
// DNS engineer's dns::parse_dns(): one row per query, completed by its response.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "app/transactions.h"
#include "output/log/log_table.h"

namespace ps::app {

class DnsLogBuilder {
public:
  // At most `max_rows` rows are kept (Limits::max_transactions); the others are counted.
  explicit DnsLogBuilder(size_t max_rows = 1'000'000) : max_rows_(max_rows) {}
  // `id`: the connection as seen from this message's sender (swapped for responses by the builder).
  void message(std::span<const uint8_t> msg, bool tcp, int64_t ts_ns, const ConnId& sender_view);
  LogTable table() const;
  // Live capture: rows are printed as they complete.
  size_t size() const { return rows_.size(); }
  bool answered(size_t row) const { return rows_[row].answered; }
  bool tcp(size_t row) const { return rows_[row].tcp; }
  uint32_t stream(size_t row) const { return rows_[row].id.stream; }
  LogTable table(const std::vector<size_t>& rows) const; // those rows only, in that order
  uint64_t dropped() const { return dropped_; }

private:
  struct Row {
    int64_t ts_ns = 0;
    ConnId id;
    bool tcp = false;
    uint16_t trans_id = 0;
    std::string query, qclass, qtype, rcode;
    bool answered = false, aa = false, tc = false, rd = false, ra = false;
    std::vector<std::string> answers, ttls;
  };
  bool room() {
    if (rows_.size() < max_rows_) return true;
    ++dropped_;
    return false;
  }

  LogTable table_of(const std::vector<size_t>* pick) const;

  static constexpr size_t kDroppedRow = SIZE_MAX; // in open_: a query the row limit dropped
  size_t max_rows_;
  uint64_t dropped_ = 0;
  std::vector<Row> rows_;
  std::map<std::tuple<bool, uint32_t, uint16_t>, size_t> open_; // (tcp, stream, id) → row
};

} // namespace ps::app
