// TCP sequence analysis on synthetic conversations: one test per tcp.analysis.* result, with the
// values tshark computes for the same segments.
#include <gtest/gtest.h>

#include "tcp_test_emitter.h"

namespace {

using namespace ps;
using namespace ps::wire::tcpflag;
using ps::test::TcpConversation;

TEST(TcpAnalysis, HandshakeRelativeNumbersAndRtts) {
  TcpConversation c;
  const TcpMeta& syn = c.c2s(0, {.seq = 1000, .flags = kSyn, .window = 64240});
  EXPECT_EQ(syn.seq, 0u);
  EXPECT_EQ(syn.nxtseq, 1u);
  EXPECT_EQ(syn.acks_frame, 0u);
  const TcpMeta& synack = c.s2c(1, {.seq = 5000, .ack = 1001, .flags = kSyn | kAck, .window = 65160});
  EXPECT_EQ(synack.seq, 0u);
  EXPECT_EQ(synack.ack, 1u);
  EXPECT_EQ(synack.acks_frame, 1u);
  EXPECT_EQ(synack.ack_rtt_ns, 1'000'000);
  EXPECT_EQ(synack.initial_rtt_ns, -1);
  const TcpMeta& ack = c.c2s(2.5, {.seq = 1001, .ack = 5001, .window = 502});
  EXPECT_EQ(ack.seq, 1u);
  EXPECT_EQ(ack.ack, 1u);
  EXPECT_EQ(ack.acks_frame, 2u);
  EXPECT_EQ(ack.initial_rtt_ns, 2'500'000);
  EXPECT_EQ(ack.analysis, 0u);
  EXPECT_EQ(c.tracker.tcp_streams(), 1u);
}

TEST(TcpAnalysis, WindowScaling) {
  TcpConversation scaled;
  scaled.handshake(7);
  const TcpMeta& m = scaled.s2c(3, {.seq = 5001, .ack = 1001, .window = 509});
  EXPECT_EQ(m.window_scalefactor, 128);
  EXPECT_EQ(m.window_size, 509u * 128);

  TcpConversation plain;
  plain.handshake(-1);
  const TcpMeta& p = plain.s2c(3, {.seq = 5001, .ack = 1001, .window = 509});
  EXPECT_EQ(p.window_scalefactor, -2);
  EXPECT_EQ(p.window_size, 509u);

  TcpConversation midstream; // no handshake seen: scaling unknown
  const TcpMeta& u = midstream.s2c(0, {.seq = 7, .ack = 9, .window = 509, .payload = 10});
  EXPECT_EQ(u.window_scalefactor, -1);
  EXPECT_EQ(u.window_size, 509u);
  EXPECT_EQ(u.seq, 1u);
  EXPECT_EQ(u.ack, 1u);
}

TEST(TcpAnalysis, BytesInFlightAndPushBytes) {
  TcpConversation c;
  c.handshake();
  const TcpMeta& a = c.s2c(3, {.seq = 5001, .ack = 1001, .flags = kAck | kPsh, .payload = 100});
  EXPECT_EQ(a.bytes_in_flight, 100);
  EXPECT_EQ(a.push_bytes_sent, 100);
  const TcpMeta& b = c.s2c(3.1, {.seq = 5101, .ack = 1001, .payload = 100});
  EXPECT_EQ(b.bytes_in_flight, 200);
  EXPECT_EQ(b.push_bytes_sent, 100); // counting restarts after a PSH segment
  const TcpMeta& ack = c.c2s(4, {.seq = 1001, .ack = 5201, .window = 502});
  EXPECT_EQ(ack.acks_frame, 5u);
  EXPECT_EQ(ack.bytes_in_flight, -1);
}

TEST(TcpAnalysis, Retransmission) {
  TcpConversation c;
  c.handshake();
  c.s2c(10, {.seq = 5001, .ack = 1001, .payload = 100});
  const TcpMeta& r = c.s2c(500, {.seq = 5001, .ack = 1001, .payload = 100});
  EXPECT_EQ(r.analysis, uint32_t{kRetransmission});
}

TEST(TcpAnalysis, LostSegmentThenOutOfOrder) {
  TcpConversation c;
  c.handshake();
  const TcpMeta& gap = c.s2c(10, {.seq = 5101, .ack = 1001, .payload = 100});
  EXPECT_EQ(gap.analysis, uint32_t{kLostSegment});
  EXPECT_EQ(gap.bytes_in_flight, -1); // unknown until the peer ACKs again
  const TcpMeta& late = c.s2c(10.5, {.seq = 5001, .ack = 1001, .payload = 100});
  EXPECT_EQ(late.analysis, uint32_t{kOutOfOrder});
}

TEST(TcpAnalysis, DuplicateAcksAndFastRetransmission) {
  TcpConversation c;
  c.handshake();
  c.s2c(10, {.seq = 5001, .ack = 1001, .payload = 100});
  c.s2c(10.1, {.seq = 5101, .ack = 1001, .payload = 100});                     // frame 5
  c.s2c(10.2, {.seq = 5201, .ack = 1001, .payload = 100});                     // frame 6
  const TcpMeta& first = c.c2s(11, {.seq = 1001, .ack = 5101, .window = 502}); // frame 7
  EXPECT_EQ(first.analysis, 0u);
  const TcpMeta& d1 = c.c2s(11.1, {.seq = 1001, .ack = 5101, .window = 502});
  EXPECT_EQ(d1.analysis, uint32_t{kDuplicateAck});
  EXPECT_EQ(d1.dup_ack_num, 1u);
  EXPECT_EQ(d1.dup_ack_frame, 7u);
  const TcpMeta& d2 = c.c2s(11.2, {.seq = 1001, .ack = 5101, .window = 502});
  EXPECT_EQ(d2.dup_ack_num, 2u);
  EXPECT_EQ(d2.dup_ack_frame, 7u);
  const TcpMeta& fast = c.s2c(12, {.seq = 5101, .ack = 1001, .payload = 100});
  EXPECT_EQ(fast.analysis, uint32_t{kFastRetransmission});
}

TEST(TcpAnalysis, SpuriousRetransmission) {
  TcpConversation c;
  c.handshake();
  c.s2c(10, {.seq = 5001, .ack = 1001, .payload = 100});
  c.c2s(11, {.seq = 1001, .ack = 5101, .window = 502});
  const TcpMeta& s = c.s2c(300, {.seq = 5001, .ack = 1001, .payload = 100});
  EXPECT_EQ(s.analysis, uint32_t{kSpuriousRetransmission});
}

TEST(TcpAnalysis, AckedUnseenSegment) {
  TcpConversation c;
  c.handshake();
  c.s2c(10, {.seq = 5001, .ack = 1001, .payload = 100});
  const TcpMeta& a = c.c2s(11, {.seq = 1001, .ack = 5301, .window = 502});
  EXPECT_EQ(a.analysis, uint32_t{kAckLostSegment});
}

TEST(TcpAnalysis, ZeroWindowProbeAndProbeAck) {
  TcpConversation c;
  c.handshake();
  c.s2c(10, {.seq = 5001, .ack = 1001, .payload = 100});
  const TcpMeta& zw = c.c2s(11, {.seq = 1001, .ack = 5101, .window = 0});
  EXPECT_EQ(zw.analysis, uint32_t{kZeroWindow});
  const TcpMeta& probe = c.s2c(200, {.seq = 5101, .ack = 1001, .payload = 1});
  EXPECT_EQ(probe.analysis, uint32_t{kZeroWindowProbe});
  const TcpMeta& pack = c.c2s(201, {.seq = 1001, .ack = 5101, .window = 0});
  EXPECT_EQ(pack.analysis, uint32_t{kZeroWindowProbeAck | kZeroWindow});
}

TEST(TcpAnalysis, WindowFullAndWindowUpdate) {
  TcpConversation c;
  c.handshake(); // client advertised 502 bytes, unscaled
  const TcpMeta& full = c.s2c(10, {.seq = 5001, .ack = 1001, .payload = 502});
  EXPECT_EQ(full.analysis, uint32_t{kWindowFull});
  c.c2s(11, {.seq = 1001, .ack = 5503, .window = 100});
  const TcpMeta& upd = c.c2s(12, {.seq = 1001, .ack = 5503, .window = 800});
  EXPECT_EQ(upd.analysis, uint32_t{kWindowUpdate});
}

TEST(TcpAnalysis, KeepAliveAndKeepAliveAck) {
  TcpConversation c;
  c.handshake();
  c.s2c(5, {.seq = 5001, .ack = 1001, .window = 509});
  const TcpMeta& ka = c.c2s(1000, {.seq = 1000, .ack = 5001, .window = 502});
  EXPECT_EQ(ka.analysis, uint32_t{kKeepAlive});
  const TcpMeta& kack = c.s2c(1000.1, {.seq = 5001, .ack = 1001, .window = 509});
  EXPECT_EQ(kack.analysis, uint32_t{kKeepAliveAck});
}

TEST(TcpAnalysis, PortReuseStartsANewStream) {
  TcpConversation c;
  c.handshake();
  c.c2s(5, {.seq = 1001, .ack = 5001, .flags = kFin | kAck, .window = 502});
  c.s2c(6, {.seq = 5001, .ack = 1002, .flags = kFin | kAck, .window = 509});
  c.c2s(7, {.seq = 1002, .ack = 5002, .window = 502});
  const TcpMeta& again = c.c2s(8, {.seq = 90000, .flags = kSyn, .window = 64240});
  EXPECT_EQ(again.stream, 1u);
  EXPECT_EQ(again.analysis, uint32_t{kPortReuse});
  EXPECT_EQ(again.seq, 0u);
  // The same ISN again is a retransmitted SYN on the same stream, no port reuse (tshark 4.0 checks the ISN).
  const TcpMeta& resyn = c.c2s(1008, {.seq = 90000, .flags = kSyn, .window = 64240});
  EXPECT_EQ(resyn.stream, 1u);
  EXPECT_EQ(resyn.analysis, uint32_t{kRetransmission});
  EXPECT_EQ(c.tracker.tcp_streams(), 2u);
}

TEST(TcpAnalysis, IdleConnectionsExpireOnceTheTableIsLarge) {
  TcpConversation c;
  for (uint32_t i = 0; i < 70'000; ++i) {
    c.client.port = static_cast<uint16_t>(1 + i % 60'000);
    c.client.ip[3] = static_cast<uint8_t>(21 + i / 60'000);
    c.c2s(i * 0.001, {.seq = i, .flags = kSyn, .window = 64240});
  }
  EXPECT_EQ(c.tracker.table_size(), 70'000u);
  c.client.port = 1;
  c.client.ip[3] = 99;
  c.c2s(3 * 3600 * 1000.0, {.seq = 1, .flags = kSyn, .window = 64240}); // three hours later
  EXPECT_EQ(c.tracker.table_size(), 1u);
  EXPECT_EQ(c.tracker.tcp_streams(), 70'001u);
}

} // namespace
