// Test helper: builds real Ethernet/IPv4/TCP (and UDP) frames between a client 192.168.1.21 and a
// server 192.168.1.200 and feeds them through the engine with connection records and the application
// layer deciding services, the same setup as the `conns` command.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <vector>

#include "dissect/packet.h"
#include "engine/engine.h"
#include "wire/tcp.h"

namespace ps::test {

namespace F = wire::tcpflag;

class ConnEmitter {
public:
  uint16_t client_port = 40000, server_port = 80;
  int64_t now_us = 1'000'000; // capture time, advanced by every packet

  // max_connections: the tracker's and the table's limit (Limits::max_connections).
  explicit ConnEmitter(size_t max_connections = Limits{}.max_connections)
      : engine_(options(max_connections)) {
    engine_.on_connection([this](ConnRecord&& r) { finished.push_back(std::move(r)); });
  }

  // One TCP segment from the client (or the server) carrying `len` payload bytes.
  void tcp(bool from_client, uint16_t flags, uint32_t seq, uint32_t ack, uint32_t len = 0,
           uint16_t window = 64240, int64_t step_us = 1000) {
    std::vector<uint8_t> p = ip_header(from_client, 6, 20 + len);
    put16(p, from_client ? client_port : server_port);
    put16(p, from_client ? server_port : client_port);
    put32(p, seq);
    put32(p, ack);
    p.push_back(5 << 4);
    p.push_back(static_cast<uint8_t>(flags));
    put16(p, window);
    put16(p, 0); // checksum (not checked by the table)
    put16(p, 0);
    p.insert(p.end(), len, 'x');
    feed(p, step_us);
  }

  // One TCP segment carrying `payload`.
  void tcp_payload(bool from_client, uint16_t flags, uint32_t seq, uint32_t ack, std::string_view payload) {
    std::vector<uint8_t> p = ip_header(from_client, 6, static_cast<uint32_t>(20 + payload.size()));
    put16(p, from_client ? client_port : server_port);
    put16(p, from_client ? server_port : client_port);
    put32(p, seq);
    put32(p, ack);
    p.push_back(5 << 4);
    p.push_back(static_cast<uint8_t>(flags));
    put16(p, 64240);
    put16(p, 0);
    put16(p, 0);
    p.insert(p.end(), payload.begin(), payload.end());
    feed(p, 1000);
  }

  void udp(bool from_client, uint32_t len, int64_t step_us = 1000) {
    std::vector<uint8_t> p = ip_header(from_client, 17, 8 + len);
    put16(p, from_client ? client_port : server_port);
    put16(p, from_client ? server_port : client_port);
    put16(p, static_cast<uint16_t>(8 + len));
    put16(p, 0);
    p.insert(p.end(), len, 'u');
    feed(p, step_us);
  }

  // Ends the capture: every open connection is finished; records come back oldest first.
  std::vector<ConnRecord> finish() {
    engine_.finish();
    std::vector<ConnRecord> out = std::move(finished);
    std::stable_sort(out.begin(), out.end(),
                     [](const ConnRecord& a, const ConnRecord& b) { return a.first_ts < b.first_ts; });
    return out;
  }

  Engine& engine() { return engine_; }
  // Connection records still open.
  std::vector<ConnRecord> open() const {
    std::vector<ConnRecord> v;
    engine_.for_each_open([&](const ConnRecord& r) { v.push_back(r); });
    return v;
  }
  std::vector<ConnRecord> finished;

private:
  static EngineOptions options(size_t max_connections) {
    EngineOptions o;
    o.needs.analysis = true;
    o.needs.numbers = true;
    o.needs.records = true;
    o.needs.app = true;
    o.needs.service_only = true;
    o.check_checksums = false;
    o.limits.max_connections = max_connections;
    return o;
  }
  static void put16(std::vector<uint8_t>& p, uint16_t v) {
    p.push_back(static_cast<uint8_t>(v >> 8));
    p.push_back(static_cast<uint8_t>(v));
  }
  static void put32(std::vector<uint8_t>& p, uint32_t v) {
    put16(p, static_cast<uint16_t>(v >> 16));
    put16(p, static_cast<uint16_t>(v));
  }

  static std::vector<uint8_t> ip_header(bool from_client, uint8_t proto, uint32_t l4_len) {
    const uint8_t cmac[6] = {2, 0, 0xc0, 0xa8, 1, 0x15}, smac[6] = {2, 0, 0xc0, 0xa8, 1, 0xc8};
    const uint8_t cip[4] = {192, 168, 1, 21}, sip[4] = {192, 168, 1, 200};
    std::vector<uint8_t> p;
    p.insert(p.end(), from_client ? smac : cmac, (from_client ? smac : cmac) + 6);
    p.insert(p.end(), from_client ? cmac : smac, (from_client ? cmac : smac) + 6);
    put16(p, 0x0800);
    p.push_back(0x45);
    p.push_back(0);
    put16(p, static_cast<uint16_t>(20 + l4_len));
    put16(p, 1);      // id
    put16(p, 0x4000); // DF
    p.push_back(64);
    p.push_back(proto);
    put16(p, 0);
    p.insert(p.end(), from_client ? cip : sip, (from_client ? cip : sip) + 4);
    p.insert(p.end(), from_client ? sip : cip, (from_client ? sip : cip) + 4);
    return p;
  }

  void feed(std::vector<uint8_t>& bytes, int64_t step_us) {
    now_us += step_us;
    storage_ = std::move(bytes);
    Frame f;
    f.number = ++frames_;
    f.ts.sec = now_us / 1'000'000;
    f.ts.nsec = static_cast<uint32_t>(now_us % 1'000'000) * 1000;
    f.wire_len = static_cast<uint32_t>(storage_.size());
    f.data = std::span<const uint8_t>(storage_.data(), storage_.size());
    engine_.process(f);
  }

  Engine engine_;
  std::vector<uint8_t> storage_;
  uint64_t frames_ = 0;
};

} // namespace ps::test
