// tshark's "-z conv,tcp/udp" table, byte for byte: conversations oriented with the higher port first
// ('->' counts frames from that side), sorted by total frames (descending), ties in order of first frame.
#include <algorithm>
#include <map>

#include "output/conn_reports.h"
#include "output/conn_writers.h"

namespace ps {

namespace {

struct Conv {
  uint8_t ip_version = 0;
  std::array<uint8_t, 16> addr1{}, addr2{};
  uint16_t port1 = 0, port2 = 0;
  uint64_t tx_frames = 0, tx_bytes = 0, rx_frames = 0, rx_bytes = 0;
  Timestamp start, stop;
};

// tshark's nstime_to_sec() of a time relative to the first frame.
double rel_seconds(const Timestamp& t, const Timestamp& base) {
  int64_t ns = conn_ts_ns(t) - conn_ts_ns(base);
  int64_t secs = ns / 1'000'000'000, nsecs = ns % 1'000'000'000;
  if (nsecs < 0) {
    nsecs += 1'000'000'000;
    --secs;
  }
  return static_cast<double>(secs) + static_cast<double>(nsecs) / 1000000000.0;
}

// Wireshark's format_size() with SI prefixes: whole units once the value reaches ten of them.
std::string size_text(uint64_t n) {
  static constexpr const char* kUnits[] = {"kB", "MB", "GB", "TB", "PB"};
  uint64_t scaled = n;
  int unit = -1;
  for (int u = 4; u >= 0; --u) {
    uint64_t d = n;
    for (int k = 0; k <= u; ++k) d /= 1000;
    if (d > 9) {
      scaled = d;
      unit = u;
      break;
    }
  }
  return unit < 0 ? fmt::format("{} bytes", n) : fmt::format("{} {}", scaled, kUnits[unit]);
}

void print_table(OutBuffer& out, const char* title, const std::vector<Conv>& convs, const Timestamp& base) {
  out.print("================================================================================\n"
            "{} Conversations\nFilter:<No Filter>\n",
            title);
  out.write(
      "                                                           |       <-      | |       ->      | |     "
      "Total     |    Relative    |   Duration   |\n"
      "                                                           | Frames  Bytes | | Frames  Bytes | | "
      "Frames  Bytes |      Start     |              |\n");
  std::vector<const Conv*> order;
  for (const Conv& c : convs) order.push_back(&c);
  std::stable_sort(order.begin(), order.end(), [](const Conv* a, const Conv* b) {
    return a->tx_frames + a->rx_frames > b->tx_frames + b->rx_frames;
  });
  for (const Conv* c : order) {
    std::string src = fmt::format("{}:{}", conn_addr_text(c->addr1, c->ip_version), c->port1);
    std::string dst = fmt::format("{}:{}", conn_addr_text(c->addr2, c->ip_version), c->port2);
    double start = rel_seconds(c->start, base), stop = rel_seconds(c->stop, base);
    out.print("{:<26} <-> {:<26}  {:>6} {:<9}  {:>6} {:<9}  {:>6} {:<9}  {:>14.9f}   {:>12.4f}\n", src, dst,
              c->rx_frames, size_text(c->rx_bytes), c->tx_frames, size_text(c->tx_bytes),
              c->rx_frames + c->tx_frames, size_text(c->rx_bytes + c->tx_bytes), start, stop - start);
  }
  out.write("================================================================================\n");
}

} // namespace

void render_tshark_conv(OutBuffer& out, const std::vector<ConnRecord>& records, Timestamp capture_start) {
  // Keyed by stream index: tshark's conversation id, assigned in order of first frame.
  std::map<uint32_t, Conv> tcp, udp;
  for (const ConnRecord& r : records) {
    auto& table = r.proto == 6 ? tcp : udp;
    auto [it, fresh] = table.try_emplace(r.stream);
    Conv& c = it->second;
    // Orientation: the sender of the conversation's first frame is its source ('->' counts its frames).
    bool orig_first = r.first_from_orig;
    if (fresh) {
      c.ip_version = r.ip_version;
      c.addr1 = orig_first ? r.orig_h : r.resp_h;
      c.addr2 = orig_first ? r.resp_h : r.orig_h;
      c.port1 = orig_first ? r.orig_p : r.resp_p;
      c.port2 = orig_first ? r.resp_p : r.orig_p;
      c.start = r.first_ts;
      c.stop = r.last_seen_ts;
    }
    c.tx_frames += orig_first ? r.orig_pkts : r.resp_pkts;
    c.tx_bytes += orig_first ? r.orig_frame_bytes : r.resp_frame_bytes;
    c.rx_frames += orig_first ? r.resp_pkts : r.orig_pkts;
    c.rx_bytes += orig_first ? r.resp_frame_bytes : r.orig_frame_bytes;
    c.start = std::min(c.start, r.first_ts);
    c.stop = std::max(c.stop, r.last_seen_ts);
  }
  auto values = [](const std::map<uint32_t, Conv>& m) {
    std::vector<Conv> v;
    for (const auto& [k, c] : m) v.push_back(c);
    return v;
  };
  print_table(out, "UDP", values(udp), capture_start);
  print_table(out, "TCP", values(tcp), capture_start);
}

} // namespace ps
