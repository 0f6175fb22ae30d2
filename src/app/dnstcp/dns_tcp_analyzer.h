// DNS over TCP through the reassembler: collects each length-prefixed message (the DNS engineer's
// dns::tcp_message_size) and attaches it to the frame that completed it; src/dissect/proto/dns.cpp
// describes it.
#pragma once

#include <vector>

#include "app/analyzer.h"

namespace ps::app {

class DnsTcpAnalyzer final : public Analyzer {
public:
  explicit DnsTcpAnalyzer(AnalyzerEnv env) : env_(std::move(env)) {}
  void data(int dir, std::span<const uint8_t> bytes, const FrameInfo& f, AppFrame& out) override;
  void gap(int dir, uint64_t bytes, const FrameInfo& f, AppFrame& out) override;
  void frame_end(int dir, const FrameInfo& f, AppFrame& out) override;

private:
  static constexpr size_t kMaxMessages = 64; // attached to one frame
  AnalyzerEnv env_;
  std::vector<uint8_t> buf_[2]; // at most one message (≤ 65537 bytes) per direction
};

} // namespace ps::app
