// `log -i`: transactions printed as they complete while capturing, instead of one table at the end.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "app/transactions.h"
#include "output/log/dns_log.h"
#include "output/log/log_table.h"

namespace ps::cli {

class LiveLog {
public:
  // `fix` rewrites a batch before it is printed (uids, the -Y selection). With `filtered`, a row waits
  // for its connection to end (the -Y verdict is final then); else it is printed once it is complete
  // (HTTP: answered; FTP: a final reply; POP3: a status; DNS: answered) or its connection ends.
  LiveLog(std::string kind, app::LogFormat f, OutBuffer& out, bool filtered,
          std::function<void(app::LogTable&)> fix);
  // A connection record ended (proto 6/17 and its stream index).
  void ended(uint8_t proto, uint32_t stream) { ended_.insert(uint64_t{proto} << 32 | stream); }
  // Prints what became ready; with `final` (end of the capture), everything left.
  void poll(const app::Transactions& t, const app::DnsLogBuilder& dns, bool final);
  void end() {
    if (!publish_) stream_.end();
  }
  // Rows go to `publish` (Kafka) instead of the output.
  void publish_to(std::function<void(const app::LogTable&)> publish) { publish_ = std::move(publish); }

private:
  bool is_ended(bool udp, uint32_t stream) const {
    return ended_.count(uint64_t{udp ? 17u : 6u} << 32 | stream) != 0;
  }
  std::string kind_;
  app::LogStream stream_;
  bool filtered_;
  std::function<void(app::LogTable&)> fix_;
  std::function<void(const app::LogTable&)> publish_;
  std::unordered_set<uint64_t> ended_;
  std::vector<bool> printed_;
  size_t lo_ = 0; // every row before it is printed
};

} // namespace ps::cli
