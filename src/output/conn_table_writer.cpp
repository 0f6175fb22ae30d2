// The netstat-like table a person reads: one connection per line, client and server, state, service,
// packets and payload bytes each way, start (seconds from the first frame) and duration; a connection
// announced by another one (ftp-data) ends with that parent connection's endpoints.
#include "output/conn_writers.h"

#include "dissect/fast_text.h"

namespace ps {

namespace {

class TableWriter final : public ConnWriter {
public:
  TableWriter(OutBuffer& out, ConnWriterOptions opt) : out_(out), opt_(opt) {}

  void begin(Timestamp capture_start) override {
    start_ = capture_start;
    if (opt_.numeric)
      out_.print("{:<5} {:<28} {:<28} {:<6} {:>8} {:>10} {:>8} {:>10} {:>11} {:>10}{}\n", "Proto", "Client",
                 "Server", "State", "C>S pkts", "C>S bytes", "S>C pkts", "S>C bytes", "Start", "Duration",
                 opt_.url ? " URL" : "");
    else
      out_.print("{:<5} {:<28} {:<28} {:<6} {:<14} {:>8} {:>10} {:>8} {:>10} {:>11} {:>10}{}\n", "Proto",
                 "Client", "Server", "State", "Service", "C>S pkts", "C>S bytes", "S>C pkts", "S>C bytes",
                 "Start", "Duration", opt_.url ? " URL" : "");
  }

  // Hand-written padding: fmt's width handling cost more than tracking the connection.
  void row(const ConnRecord& r) override {
    fmt::memory_buffer& b = out_.buf();
    left(b, conn_proto_name(r.proto), 5);
    endpoint(b, r.orig_h, r.ip_version, r.orig_p);
    endpoint(b, r.resp_h, r.ip_version, r.resp_p);
    left(b, conn_state_name(r.conn_state), 6);
    if (!opt_.numeric) left(b, r.service.empty() ? std::string_view("-") : std::string_view(r.service), 14);
    right(b, r.orig_pkts, 8);
    right(b, r.orig_bytes, 10);
    right(b, r.resp_pkts, 8);
    right(b, r.resp_bytes, 10);
    seconds(b, conn_ts_ns(r.first_ts) - conn_ts_ns(start_), 11);
    b.push_back(' ');
    seconds(b, r.duration_ns(), 10);
    if (opt_.url) {
      b.push_back(' ');
      if (r.url.empty()) b.push_back('-');
      for (char c : r.url) b.push_back(static_cast<unsigned char>(c) < 0x20 ? '.' : c); // one line per row
    }
    if (const ConnParent* p = r.parent.get())
      out_.print("  parent: {} {} > {}", conn_proto_name(p->proto),
                 endpoint_text(p->orig_h, p->ip_version, p->orig_p),
                 endpoint_text(p->resp_h, p->ip_version, p->resp_p));
    b.push_back('\n');
    out_.maybe_flush();
  }

  void end() override {}

private:
  static std::string endpoint_text(const std::array<uint8_t, 16>& a, uint8_t v, uint16_t port) {
    std::string addr = conn_addr_text(a, v);
    return v == 6 ? fmt::format("[{}]:{}", addr, port) : fmt::format("{}:{}", addr, port);
  }
  static void pad(fmt::memory_buffer& b, size_t used, size_t width) {
    for (; used < width; ++used) b.push_back(' ');
  }
  // "{:<width} " and "{:>width} " (the column and its separating blank).
  static void left(fmt::memory_buffer& b, std::string_view s, size_t width) {
    fast::append(b, s);
    pad(b, s.size(), width);
    b.push_back(' ');
  }
  static void right(fmt::memory_buffer& b, uint64_t v, size_t width) {
    fmt::format_int digits(v);
    pad(b, digits.size(), width);
    b.append(digits.data(), digits.data() + digits.size());
    b.push_back(' ');
  }
  // conn_seconds_text() right-aligned in `width`, written in place.
  static void seconds(fmt::memory_buffer& b, int64_t ns, size_t width) {
    const bool neg = ns < 0;
    const uint64_t a = neg ? static_cast<uint64_t>(-(ns + 1)) + 1 : static_cast<uint64_t>(ns);
    const uint64_t us = (a + 500) / 1000;
    fmt::format_int whole(us / 1'000'000);
    char frac[6];
    uint64_t f = us % 1'000'000;
    for (int i = 5; i >= 0; --i, f /= 10) frac[i] = static_cast<char>('0' + f % 10);
    pad(b, (neg ? 1 : 0) + whole.size() + 7, width);
    if (neg) b.push_back('-');
    b.append(whole.data(), whole.data() + whole.size());
    b.push_back('.');
    b.append(frac, frac + 6);
  }
  static void endpoint(fmt::memory_buffer& b, const std::array<uint8_t, 16>& a, uint8_t v, uint16_t port) {
    const size_t before = b.size();
    if (v == 4) {
      char ip[16];
      char* e = fast::put_ipv4(ip, a.data());
      b.append(ip, e);
    } else {
      b.push_back('[');
      fast::append(b, conn_addr_text(a, v));
      b.push_back(']');
    }
    b.push_back(':');
    fmt::format_int digits(port);
    b.append(digits.data(), digits.data() + digits.size());
    pad(b, b.size() - before, 28);
    b.push_back(' ');
  }

  OutBuffer& out_;
  ConnWriterOptions opt_;
  Timestamp start_;
};

} // namespace

std::unique_ptr<ConnWriter> make_conn_table_writer(OutBuffer& out, ConnWriterOptions opt) {
  return std::make_unique<TableWriter>(out, opt);
}

} // namespace ps
