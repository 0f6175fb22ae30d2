// Builds Ethernet/IPv4/TCP frames byte by byte for tracker tests and runs them through
// the engine (decode, connection table, sequence analysis), like the read pipeline does.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "capture/frame.h"
#include "dissect/packet.h"
#include "engine/engine.h"
#include "wire/tcp.h"

namespace ps::test {

struct TcpEndpoint {
  uint8_t ip[4];
  uint16_t port;
};

struct TcpSpec {
  uint32_t seq = 0, ack = 0;
  uint16_t flags = wire::tcpflag::kAck;
  uint16_t window = 1000;
  uint32_t payload = 0;              // bytes of payload ('x')
  int wscale = -1;                   // adds a window-scale option when >= 0
  uint32_t sack_le = 0, sack_re = 0; // adds one SACK block when re != 0 (raw values)
};

// Serialises one segment from `src` to `dst` (checksums left zero: the tracker ignores them).
inline std::vector<uint8_t> emit_tcp_frame(const TcpEndpoint& src, const TcpEndpoint& dst, const TcpSpec& s) {
  std::vector<uint8_t> opt;
  if (s.wscale >= 0) opt.insert(opt.end(), {1, 3, 3, static_cast<uint8_t>(s.wscale)});
  if (s.sack_re) {
    opt.insert(opt.end(), {1, 1, 5, 10});
    for (uint32_t v : {s.sack_le, s.sack_re})
      for (int sh = 24; sh >= 0; sh -= 8) opt.push_back(static_cast<uint8_t>(v >> sh));
  }
  while (opt.size() % 4) opt.push_back(0);
  const size_t thl = 20 + opt.size();
  const size_t ip_len = 20 + thl + s.payload;
  std::vector<uint8_t> f = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00}; // Ethernet II
  auto u16 = [&f](uint32_t v) {
    f.push_back(static_cast<uint8_t>(v >> 8));
    f.push_back(static_cast<uint8_t>(v));
  };
  auto u32 = [&](uint32_t v) {
    u16(v >> 16);
    u16(v & 0xffff);
  };
  f.insert(f.end(), {0x45, 0});
  u16(static_cast<uint32_t>(ip_len));
  f.insert(f.end(), {0, 1, 0x40, 0, 64, 6, 0, 0});
  f.insert(f.end(), src.ip, src.ip + 4);
  f.insert(f.end(), dst.ip, dst.ip + 4);
  u16(src.port);
  u16(dst.port);
  u32(s.seq);
  u32(s.ack);
  u16(static_cast<uint32_t>((thl / 4) << 12) | s.flags);
  u16(s.window);
  u32(0); // checksum, urgent pointer
  f.insert(f.end(), opt.begin(), opt.end());
  f.insert(f.end(), s.payload, 'x');
  return f;
}

// A two-endpoint conversation fed through the tracker; frames are numbered from 1.
class TcpConversation {
public:
  TcpEndpoint client{{192, 168, 1, 21}, 40000};
  TcpEndpoint server{{192, 168, 1, 200}, 80};

  // Sends `s` from the client (to_server) or the server at time `ms` milliseconds.
  const TcpMeta& send(bool from_client, double ms, const TcpSpec& s) {
    bytes_.push_back(from_client ? emit_tcp_frame(client, server, s) : emit_tcp_frame(server, client, s));
    Frame f;
    f.number = ++frames_;
    auto ns = static_cast<int64_t>(ms * 1e6);
    f.ts = {1'700'000'000 + ns / 1'000'000'000, static_cast<uint32_t>(ns % 1'000'000'000)};
    f.wire_len = static_cast<uint32_t>(bytes_.back().size());
    f.data = bytes_.back();
    frames_store_.push_back(f);
    meta_ = PacketMeta{};
    tracker.process(frames_store_.back());
    return meta_.tcp;
  }
  const TcpMeta& c2s(double ms, const TcpSpec& s) { return send(true, ms, s); }
  const TcpMeta& s2c(double ms, const TcpSpec& s) { return send(false, ms, s); }

  // Three-way handshake (client ISN 1000, server ISN 5000), frames 1-3, with window scaling
  // shift `ws` on both SYNs (-1: no option).
  void handshake(int ws = -1) {
    using namespace wire::tcpflag;
    c2s(0, {.seq = 1000, .ack = 0, .flags = kSyn, .window = 64240, .wscale = ws});
    s2c(1, {.seq = 5000, .ack = 1001, .flags = kSyn | kAck, .window = 65160, .wscale = ws});
    c2s(2, {.seq = 1001, .ack = 5001, .flags = kAck, .window = 502});
  }

  TcpConversation() : tracker(options()) {
    tracker.on_packet([this](const PacketView& v) {
      meta_ = v.meta;
      return true;
    });
  }
  Engine tracker;

private:
  static EngineOptions options() {
    EngineOptions o;
    o.needs.analysis = true;
    o.needs.numbers = true;
    return o;
  }
  uint64_t frames_ = 0;
  std::deque<std::vector<uint8_t>> bytes_;
  std::deque<Frame> frames_store_;
  PacketMeta meta_;
};

} // namespace ps::test
