#include "flow/conn_record.h"

namespace ps {

std::string_view conn_state_name(ConnState s) noexcept {
  switch (s) {
  case ConnState::S0:
    return "S0";
  case ConnState::S1:
    return "S1";
  case ConnState::SF:
    return "SF";
  case ConnState::REJ:
    return "REJ";
  case ConnState::S2:
    return "S2";
  case ConnState::S3:
    return "S3";
  case ConnState::RSTO:
    return "RSTO";
  case ConnState::RSTR:
    return "RSTR";
  case ConnState::RSTOS0:
    return "RSTOS0";
  case ConnState::RSTRH:
    return "RSTRH";
  case ConnState::SH:
    return "SH";
  case ConnState::SHR:
    return "SHR";
  case ConnState::OTH:
    return "OTH";
  }
  return "OTH";
}

std::string_view netstat_state_name(NetstatState s) noexcept {
  switch (s) {
  case NetstatState::None:
    return "-";
  case NetstatState::SynSent:
    return "SYN_SENT";
  case NetstatState::SynRecv:
    return "SYN_RECV";
  case NetstatState::Established:
    return "ESTABLISHED";
  case NetstatState::FinWait1:
    return "FIN_WAIT_1";
  case NetstatState::FinWait2:
    return "FIN_WAIT_2";
  case NetstatState::CloseWait:
    return "CLOSE_WAIT";
  case NetstatState::LastAck:
    return "LAST_ACK";
  case NetstatState::TimeWait:
    return "TIME_WAIT";
  case NetstatState::Closing:
    return "CLOSING";
  case NetstatState::Closed:
    return "CLOSED";
  }
  return "-";
}

std::string_view service_source_name(ServiceSource s) noexcept {
  switch (s) {
  case ServiceSource::None:
    return "";
  case ServiceSource::Port:
    return "port";
  case ServiceSource::Content:
    return "content";
  case ServiceSource::Expected:
    return "expected";
  case ServiceSource::User:
    return "user";
  }
  return "";
}

namespace {

uint64_t mix64(uint64_t x) { // splitmix64 finaliser
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

} // namespace

uint64_t conn_uid(const FlowKey& key, const Timestamp& first_ts, uint8_t proto, uint32_t stream) noexcept {
  const int64_t ns = first_ts.sec * 1'000'000'000 + first_ts.nsec;
  return mix64(FlowKeyHash{}(key) ^ mix64(static_cast<uint64_t>(ns)) ^ (uint64_t{stream} << 8) ^ proto);
}

std::string conn_uid_text(uint64_t uid) {
  static constexpr char kDigits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string out = "C";
  // Fixed width (11 digits hold 2^64) so uids line up and sort the same way everywhere.
  char buf[11];
  for (int i = 10; i >= 0; --i) {
    buf[i] = kDigits[uid % 62];
    uid /= 62;
  }
  out.append(buf, sizeof buf);
  return out;
}

} // namespace ps
