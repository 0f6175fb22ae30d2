// Connections announced in advance by another connection's protocol (FTP PORT/PASV/EPRT/EPSV): the
// listening endpoint, and what to attach to the connection when it appears.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "app/messages.h"
#include "flow/conn_record.h"

namespace ps::app {

// What an FTP control connection is doing now; the data connections read it for their label.
struct FtpControlState {
  std::string command; // "RETR file", "LIST", ...
  uint64_t command_frame = 0;
  size_t log_index = SIZE_MAX; // the transfer command's entry in Transactions::ftp
  // The working directory as tshark follows it: a PWD's 257 reply sets it, a CWD or CDUP answered
  // with 250 changes it. Empty until then.
  std::string cwd;
  std::string last_command, last_arg; // the last request, upper-cased command
};

struct ExpectedConn {
  uint8_t ip_version = 4;
  std::array<uint8_t, 16> ip{}; // the listening endpoint
  uint16_t port = 0;
  FtpDataLink link;
  std::shared_ptr<FtpControlState> control;
  std::shared_ptr<const ConnParent> parent; // the announcing connection, for the data connection's record
};

class ExpectedTable {
public:
  static constexpr size_t kMaxEntries = 4096;
  void add(ExpectedConn e) {
    if (entries_.size() >= kMaxEntries) entries_.pop_front();
    entries_.push_back(std::move(e));
  }
  // The newest announcement whose endpoint is either end of a new connection.
  const ExpectedConn* match(uint8_t ip_version, const uint8_t* a, uint16_t a_port, const uint8_t* b,
                            uint16_t b_port) const {
    size_t n = ip_version == 6 ? 16 : 4;
    for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
      if (it->ip_version != ip_version) continue;
      if ((it->port == a_port && std::equal(a, a + n, it->ip.begin())) ||
          (it->port == b_port && std::equal(b, b + n, it->ip.begin())))
        return &*it;
    }
    return nullptr;
  }

private:
  std::deque<ExpectedConn> entries_;
};

} // namespace ps::app
