#include "app/dnstcp/dns_tcp_analyzer.h"

#include "app/dns/tcp.h"

namespace ps::app {

void DnsTcpAnalyzer::data(int dir, std::span<const uint8_t> bytes, const FrameInfo& f, AppFrame& out) {
  (void)f;
  std::vector<uint8_t>& b = buf_[dir];
  while (!bytes.empty()) {
    size_t need = dns::tcp_message_size(b);
    if (need == 0) need = 2; // the length prefix first
    size_t take = std::min(bytes.size(), need - std::min(need, b.size()));
    b.insert(b.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(take));
    bytes = bytes.subspan(take);
    size_t size = dns::tcp_message_size(b);
    if (size != 0 && b.size() >= size) {
      if (size <= 2) return violation(out, "DNS: zero-length message over TCP");
      if (out.dns_messages.size() < kMaxMessages)
        out.dns_messages.emplace_back(b.begin() + 2, b.begin() + static_cast<std::ptrdiff_t>(size));
      b.clear();
    }
  }
}

void DnsTcpAnalyzer::gap(int dir, uint64_t bytes, const FrameInfo& f, AppFrame& out) {
  (void)bytes;
  (void)f;
  (void)out;
  buf_[dir].clear(); // cannot find the next length prefix reliably; start over
}

void DnsTcpAnalyzer::frame_end(int dir, const FrameInfo& f, AppFrame& out) {
  if (f.has_payload && out.dns_messages.empty() && !buf_[dir].empty())
    out.segment = AppFrame::Segment::PduMiddle;
}

} // namespace ps::app
