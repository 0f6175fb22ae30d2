// conn_state, history, byte counts and netstat states of synthetic connections, checked against what
// Zeek's definitions say each sequence must give.
#include <gtest/gtest.h>

#include <algorithm>
#include <unordered_map>
#include <vector>

#include "conn_packet_emitter.h"
#include "flow/lru_evict.h"

namespace ps {
namespace {

using test::ConnEmitter;
namespace F = wire::tcpflag;

constexpr uint32_t C = 1000, S = 5000; // client and server ISNs

void handshake(ConnEmitter& e) {
  e.tcp(true, F::kSyn, C, 0);
  e.tcp(false, F::kSyn | F::kAck, S, C + 1);
  e.tcp(true, F::kAck, C + 1, S + 1);
}

ConnRecord only(ConnEmitter& e) {
  auto v = e.finish();
  EXPECT_EQ(v.size(), 1u);
  return v.empty() ? ConnRecord{} : v[0];
}

TEST(ConnTable, HandshakeOnlyIsS1) {
  ConnEmitter e;
  handshake(e);
  ConnRecord r = only(e);
  EXPECT_EQ(r.conn_state, ConnState::S1);
  EXPECT_EQ(r.history.view(), "ShA");
  EXPECT_FALSE(r.direction_inferred);
  EXPECT_EQ(r.orig_p, 40000);
  EXPECT_EQ(r.resp_p, 80);
  EXPECT_EQ(r.service, "http");
  EXPECT_EQ(r.service_source, ServiceSource::Port);
  EXPECT_EQ(r.orig_tcp, NetstatState::Established);
  EXPECT_EQ(r.resp_tcp, NetstatState::Established);
  EXPECT_EQ(r.orig_pkts, 2u);
  EXPECT_EQ(r.resp_pkts, 1u);
  EXPECT_EQ(r.orig_ip_bytes, 80u);
  EXPECT_EQ(r.orig_frame_bytes, 108u);
}

TEST(ConnTable, UnansweredSynIsS0) {
  ConnEmitter e;
  e.tcp(true, F::kSyn, C, 0);
  e.tcp(true, F::kSyn, C, 0, 0, 64240, 1'000'000); // retransmitted SYN: same seq, no new letter
  ConnRecord r = only(e);
  EXPECT_EQ(r.conn_state, ConnState::S0);
  EXPECT_EQ(r.history.view(), "S");
  EXPECT_EQ(r.orig_tcp, NetstatState::SynSent);
  EXPECT_EQ(r.resp_tcp, NetstatState::None);
}

TEST(ConnTable, RefusedIsREJ) {
  ConnEmitter e;
  e.tcp(true, F::kSyn, C, 0);
  e.tcp(false, F::kRst | F::kAck, 0, C + 1);
  ConnRecord r = only(e);
  EXPECT_EQ(r.conn_state, ConnState::REJ);
  EXPECT_EQ(r.history.view(), "Sr");
  EXPECT_EQ(r.orig_bytes, 0u);
  EXPECT_EQ(r.resp_bytes, 0u);
  EXPECT_EQ(r.orig_tcp, NetstatState::Closed);
}

TEST(ConnTable, NormalCloseIsSF) {
  ConnEmitter e;
  handshake(e);
  e.tcp(true, F::kAck | F::kPsh, C + 1, S + 1, 100);
  e.tcp(false, F::kAck, S + 1, C + 101);
  e.tcp(false, F::kAck | F::kPsh, S + 1, C + 101, 200);
  e.tcp(true, F::kAck, C + 101, S + 201);
  e.tcp(true, F::kFin | F::kAck, C + 101, S + 201);
  e.tcp(false, F::kFin | F::kAck, S + 201, C + 102);
  e.tcp(true, F::kAck, C + 102, S + 202);
  ConnRecord r = only(e);
  EXPECT_EQ(r.conn_state, ConnState::SF);
  EXPECT_EQ(r.history.view(), "ShADadFf");
  EXPECT_EQ(r.orig_bytes, 100u);
  EXPECT_EQ(r.resp_bytes, 200u);
  EXPECT_EQ(r.missed_bytes, 0u);
  // The client closed first: it waits in TIME_WAIT, the server is gone.
  EXPECT_EQ(r.orig_tcp, NetstatState::TimeWait);
  EXPECT_EQ(r.resp_tcp, NetstatState::Closed);
  // Zeek stops the clock at the second FIN: the trailing ACK does not count in the duration.
  EXPECT_EQ(r.duration_ns(), 8'000'000);
  EXPECT_EQ(r.orig_pkts, 6u);
  EXPECT_EQ(r.resp_pkts, 4u);
}

TEST(ConnTable, OriginatorAbortIsRSTO) {
  ConnEmitter e;
  handshake(e);
  e.tcp(true, F::kRst | F::kAck, C + 1, S + 1);
  ConnRecord r = only(e);
  EXPECT_EQ(r.conn_state, ConnState::RSTO);
  EXPECT_EQ(r.history.view(), "ShAR");
}

TEST(ConnTable, ResponderAbortIsRSTR) {
  ConnEmitter e;
  handshake(e);
  e.tcp(true, F::kAck | F::kPsh, C + 1, S + 1, 50);
  e.tcp(false, F::kAck | F::kPsh, S + 1, C + 51, 300);
  e.tcp(false, F::kRst | F::kAck, S + 301, C + 51);
  ConnRecord r = only(e);
  EXPECT_EQ(r.conn_state, ConnState::RSTR);
  EXPECT_EQ(r.history.view(), "ShADdr");
  EXPECT_EQ(r.resp_bytes, 300u);
  EXPECT_EQ(r.orig_tcp, NetstatState::Closed);
  EXPECT_EQ(r.resp_tcp, NetstatState::Closed);
}

TEST(ConnTable, SynThenRstIsRSTOS0) {
  ConnEmitter e;
  e.tcp(true, F::kSyn, C, 0);
  e.tcp(true, F::kRst, C + 1, 0);
  EXPECT_EQ(only(e).conn_state, ConnState::RSTOS0);
}

TEST(ConnTable, SynThenFinIsSH) {
  ConnEmitter e;
  e.tcp(true, F::kSyn, C, 0);
  e.tcp(true, F::kFin, C + 1, 0);
  ConnRecord r = only(e);
  EXPECT_EQ(r.conn_state, ConnState::SH);
  EXPECT_EQ(r.history.view(), "SF");
}

TEST(ConnTable, OriginatorHalfCloseIsS2) {
  ConnEmitter e;
  handshake(e);
  e.tcp(true, F::kFin | F::kAck, C + 1, S + 1);
  e.tcp(false, F::kAck, S + 1, C + 2);
  ConnRecord r = only(e);
  EXPECT_EQ(r.conn_state, ConnState::S2);
  EXPECT_EQ(r.orig_tcp, NetstatState::FinWait2);
  EXPECT_EQ(r.resp_tcp, NetstatState::CloseWait);
}

TEST(ConnTable, ResponderHalfCloseIsS3) {
  ConnEmitter e;
  handshake(e);
  e.tcp(false, F::kFin | F::kAck, S + 1, C + 1);
  ConnRecord r = only(e);
  EXPECT_EQ(r.conn_state, ConnState::S3);
  EXPECT_EQ(r.orig_tcp, NetstatState::CloseWait);
  EXPECT_EQ(r.resp_tcp, NetstatState::FinWait1);
}

TEST(ConnTable, SimultaneousCloseGoesThroughClosing) {
  ConnEmitter e;
  handshake(e);
  e.tcp(true, F::kFin | F::kAck, C + 1, S + 1);
  e.tcp(false, F::kFin | F::kAck, S + 1, C + 1); // crossed: does not ack the client's FIN
  ConnEmitter& x = e;
  auto open = [&] {
    ConnRecord snap;
    for (const ConnRecord& r : x.open()) snap = r;
    return snap;
  };
  EXPECT_EQ(open().orig_tcp, NetstatState::Closing);
  EXPECT_EQ(open().resp_tcp, NetstatState::Closing);
  e.tcp(true, F::kAck, C + 2, S + 2);
  e.tcp(false, F::kAck, S + 2, C + 2);
  ConnRecord r = only(e);
  EXPECT_EQ(r.conn_state, ConnState::SF);
  EXPECT_EQ(r.orig_tcp, NetstatState::TimeWait);
  EXPECT_EQ(r.resp_tcp, NetstatState::TimeWait);
}

TEST(ConnTable, MidStreamStartIsOTHWithInferredDirection) {
  ConnEmitter e;
  // The capture starts with the server's data: the server port (80) still makes it the responder.
  e.tcp(false, F::kAck | F::kPsh, S + 1, C + 1, 10);
  e.tcp(true, F::kAck, C + 1, S + 11);
  ConnRecord r = only(e);
  EXPECT_TRUE(r.direction_inferred);
  EXPECT_FALSE(r.first_from_orig);
  EXPECT_EQ(r.orig_p, 40000);
  EXPECT_EQ(r.resp_p, 80);
  EXPECT_EQ(r.conn_state, ConnState::OTH);
  EXPECT_EQ(r.history.view(), "^dA");
  EXPECT_EQ(r.resp_bytes, 10u);
  EXPECT_EQ(r.orig_tcp, NetstatState::Established);
}

TEST(ConnTable, SynAckWithoutSynThenFinIsSHR) {
  ConnEmitter e;
  e.tcp(false, F::kSyn | F::kAck, S, C + 1);
  e.tcp(false, F::kFin | F::kAck, S + 1, C + 1);
  ConnRecord r = only(e);
  EXPECT_EQ(r.conn_state, ConnState::SHR);
  EXPECT_EQ(r.resp_p, 80);
}

TEST(ConnTable, SynAckThenResetIsRSTRH) {
  ConnEmitter e;
  e.tcp(false, F::kSyn | F::kAck, S, C + 1);
  e.tcp(false, F::kRst, S + 1, 0);
  EXPECT_EQ(only(e).conn_state, ConnState::RSTRH);
}

TEST(ConnTable, LostSegmentCountsMissedBytesAndGap) {
  ConnEmitter e;
  handshake(e);
  e.tcp(true, F::kAck, C + 1, S + 1, 100);
  e.tcp(true, F::kAck, C + 201, S + 1, 100); // C+101..C+200 never captured
  e.tcp(false, F::kAck, S + 1, C + 301);
  ConnRecord r = only(e);
  EXPECT_EQ(r.missed_bytes, 100u);
  EXPECT_EQ(r.orig_bytes, 300u); // Zeek counts by sequence space, so the lost bytes are included
  EXPECT_NE(r.history.view().find('G'), std::string_view::npos);
}

TEST(ConnTable, RetransmissionAddsT) {
  ConnEmitter e;
  handshake(e);
  e.tcp(true, F::kAck, C + 1, S + 1, 100);
  e.tcp(true, F::kAck, C + 1, S + 1, 100);
  ConnRecord r = only(e);
  EXPECT_EQ(r.history.view(), "ShADT");
  EXPECT_EQ(r.orig_bytes, 100u);
}

TEST(ConnTable, PortReuseMakesTwoRecords) {
  ConnEmitter e;
  handshake(e);
  e.tcp(true, F::kFin | F::kAck, C + 1, S + 1);
  e.tcp(false, F::kFin | F::kAck, S + 1, C + 2);
  e.tcp(true, F::kAck, C + 2, S + 2);
  e.tcp(true, F::kSyn, 90000, 0, 0, 64240, 1'000'000); // same four-tuple, new ISN, a second later
  e.tcp(false, F::kSyn | F::kAck, 70000, 90001);
  auto v = e.finish();
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].conn_state, ConnState::SF);
  EXPECT_EQ(v[1].conn_state, ConnState::S1);
  EXPECT_NE(v[0].stream, v[1].stream);
  EXPECT_NE(v[0].uid, v[1].uid);
}

TEST(ConnTable, EndedConnectionsAreHandedOverWhileReading) {
  ConnEmitter e;
  handshake(e);
  e.tcp(true, F::kRst, C + 1, 0);
  EXPECT_EQ(e.open().size(), 1u); // still within the grace period
  e.client_port = 40001;
  e.tcp(true, F::kSyn, C, 0, 0, 64240, 6'000'000); // 6 s later: the reset one is finished
  EXPECT_EQ(e.finished.size(), 1u);
  EXPECT_EQ(e.open().size(), 1u);
  e.client_port = 40002;
  e.tcp(true, F::kSyn, C, 0, 0, 64240, 301'000'000); // past the 300 s idle timeout
  EXPECT_EQ(e.finished.size(), 2u);
  EXPECT_EQ(e.open().size(), 1u);
}

TEST(ConnTable, UdpStatesAndIdleTimeout) {
  ConnEmitter e;
  e.client_port = 54000;
  e.server_port = 53;
  e.udp(true, 30);
  e.udp(false, 80);
  e.client_port = 54001;
  e.udp(true, 30, 61'000'000); // the first flow idled past 60 s
  EXPECT_EQ(e.finished.size(), 1u);
  auto v = e.finish();
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].conn_state, ConnState::SF);
  EXPECT_EQ(v[0].history.view(), "Dd");
  EXPECT_EQ(v[0].orig_bytes, 30u);
  EXPECT_EQ(v[0].resp_bytes, 80u);
  EXPECT_EQ(v[0].service, "domain");
  EXPECT_TRUE(v[0].direction_inferred);
  EXPECT_EQ(v[1].conn_state, ConnState::S0);
}

TEST(ConnTable, AppLayerCanNameTheService) {
  ConnEmitter e;
  e.server_port = 2222;
  handshake(e);
  const char get[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  e.tcp_payload(true, F::kAck | F::kPsh, C + 1, S + 1, get);
  ConnRecord r = only(e);
  EXPECT_EQ(r.service, "http");
  EXPECT_EQ(r.service_source, ServiceSource::Content);
}

TEST(ConnTable, UidIsConnUidOfTheOpeningPacket) {
  ConnEmitter e;
  handshake(e);
  ConnRecord r = only(e);
  // What `portscope log` computes from the connection's first packet: canonical key, time, stream.
  FlowKey k;
  const uint8_t cip[4] = {192, 168, 1, 21}, sip[4] = {192, 168, 1, 200};
  std::copy(cip, cip + 4, k.a.begin()); // the lower address is the client's
  std::copy(sip, sip + 4, k.b.begin());
  k.a_port = 40000;
  k.b_port = 80;
  k.proto = 6;
  k.ip_version = 4;
  EXPECT_EQ(r.uid, conn_uid(k, r.first_ts, 6, r.stream));
  Timestamp later = r.first_ts;
  later.nsec += 1000;
  EXPECT_NE(conn_uid(k, later, 6, r.stream), r.uid);
  EXPECT_NE(conn_uid(k, r.first_ts, 6, r.stream + 1), r.uid);
  EXPECT_NE(conn_uid(k, r.first_ts, 17, r.stream), r.uid);
}

TEST(ConnTable, UidTextIsStable) {
  EXPECT_EQ(conn_uid_text(0), "C00000000000");
  EXPECT_EQ(conn_uid_text(61), "C0000000000z");
  EXPECT_EQ(conn_uid_text(~0ull).size(), 12u);
}

TEST(ConnTable, MaxConnectionsFinishesTheLeastRecentlyActive) {
  ConnEmitter e(3);
  for (uint16_t port : {40000, 40001, 40002}) {
    e.client_port = port;
    e.tcp(true, F::kSyn, C, 0);
  }
  e.client_port = 40000; // 40000 is active again: 40001 is now the least recently active
  e.tcp(true, F::kSyn, C, 0);
  EXPECT_TRUE(e.finished.empty());
  e.client_port = 40003;
  e.tcp(true, F::kSyn, C, 0);
  ASSERT_EQ(e.finished.size(), 1u);
  EXPECT_EQ(e.finished[0].orig_p, 40001);
  EXPECT_EQ(e.finished[0].conn_state, ConnState::S0);
  EXPECT_EQ(e.open().size(), 3u);
  EXPECT_EQ(e.engine().limit_hits().connections_evicted, 1u);
  EXPECT_EQ(e.engine().table_size(), 3u);
  // The forgotten tuple comes back as a new stream (and a new record).
  e.client_port = 40001;
  e.tcp(true, F::kSyn | F::kAck, S, C + 1);
  EXPECT_EQ(e.engine().tcp_streams(), 5u);
  EXPECT_EQ(e.finish().size(), 5u);
}

TEST(ConnTable, EndedConnectionsMakeRoomWithoutCounting) {
  ConnEmitter e(2);
  handshake(e);
  e.tcp(true, F::kRst, C + 1, 0); // over; waits out its grace period in the table
  e.client_port = 40001;
  e.tcp(true, F::kSyn, C, 0);
  e.client_port = 40002;
  e.tcp(true, F::kSyn, C, 0); // the table is full: the reset connection goes, uncounted
  ASSERT_EQ(e.finished.size(), 1u);
  EXPECT_EQ(e.finished[0].orig_p, 40000);
  EXPECT_EQ(e.finished[0].conn_state, ConnState::RSTO);
  EXPECT_EQ(e.engine().limit_hits().connections_evicted, 0u);
  EXPECT_EQ(e.engine().table_size(), 2u);
}

TEST(LruEvict, KeepsTheMostRecentAndCountsTies) {
  std::unordered_map<int, int64_t> m;
  for (int i = 0; i < 100; ++i) m[i] = i / 2; // pairs share a time
  std::vector<int> gone;
  size_t n = evict_least_recent(
      m, 90, [](int64_t t) { return t; }, [&](int k, int64_t) { gone.push_back(k); });
  EXPECT_EQ(n, 10u);
  EXPECT_EQ(m.size(), 90u);
  std::sort(gone.begin(), gone.end());
  EXPECT_EQ(gone, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(evict_least_recent(
                m, 95, [](int64_t t) { return t; }, [](int, int64_t) {}),
            0u);
  m.clear();
  for (int i = 0; i < 5; ++i) m[i] = 7; // all tied: any 3 go
  EXPECT_EQ(evict_least_recent(
                m, 2, [](int64_t t) { return t; }, [](int, int64_t) {}),
            3u);
  EXPECT_EQ(m.size(), 2u);
  EXPECT_EQ(entries_kept_after_eviction(100), 90u);
  EXPECT_EQ(entries_kept_after_eviction(5), 4u);
}

} // namespace
} // namespace ps
