#include "report/stats_tree.h"

#include <algorithm>
#include <cmath>

#include "app/messages.h"

namespace ps::report {

namespace {
constexpr double kBurstWindowMs = 100, kBurstResolutionMs = 5; // tshark's preference defaults

// The reason phrases tshark names response codes with (its table, not the server's words).
std::string_view reason(uint16_t code) {
  switch (code) {
  case 100:
    return "Continue";
  case 101:
    return "Switching Protocols";
  case 200:
    return "OK";
  case 201:
    return "Created";
  case 202:
    return "Accepted";
  case 203:
    return "Non-authoritative Information";
  case 204:
    return "No Content";
  case 205:
    return "Reset Content";
  case 206:
    return "Partial Content";
  case 300:
    return "Multiple Choices";
  case 301:
    return "Moved Permanently";
  case 302:
    return "Found";
  case 303:
    return "See Other";
  case 304:
    return "Not Modified";
  case 305:
    return "Use Proxy";
  case 307:
    return "Temporary Redirect";
  case 308:
    return "Permanent Redirect";
  case 400:
    return "Bad Request";
  case 401:
    return "Unauthorized";
  case 402:
    return "Payment Required";
  case 403:
    return "Forbidden";
  case 404:
    return "Not Found";
  case 405:
    return "Method Not Allowed";
  case 406:
    return "Not Acceptable";
  case 407:
    return "Proxy Authentication Required";
  case 408:
    return "Request Time-out";
  case 409:
    return "Conflict";
  case 410:
    return "Gone";
  case 411:
    return "Length Required";
  case 412:
    return "Precondition Failed";
  case 413:
    return "Request Entity Too Large";
  case 414:
    return "Request-URI Too Long";
  case 415:
    return "Unsupported Media Type";
  case 416:
    return "Requested Range Not Satisfiable";
  case 417:
    return "Expectation Failed";
  case 429:
    return "Too Many Requests";
  case 500:
    return "Internal Server Error";
  case 501:
    return "Not Implemented";
  case 502:
    return "Bad Gateway";
  case 503:
    return "Service Unavailable";
  case 504:
    return "Gateway Time-out";
  case 505:
    return "HTTP Version not supported";
  default:
    return "Unknown";
  }
}
} // namespace

uint32_t StatsTree::node(uint32_t parent, std::string_view name) {
  for (uint32_t c : nodes_[parent].children)
    if (nodes_[c].name == name) return c;
  const auto id = static_cast<uint32_t>(nodes_.size());
  nodes_.push_back(Node{});
  nodes_.back().name = std::string(name);
  nodes_[parent].children.push_back(id);
  return id;
}

uint32_t StatsTree::average_node(uint32_t parent, std::string_view name, Values kind) {
  const uint32_t id = node(parent, name);
  nodes_[id].values = kind;
  return id;
}

namespace {
template <class T> void fold(T& lo, T& hi, T& total, T value, bool first) {
  if (first || value < lo) lo = value;
  if (first || value > hi) hi = value;
  total += value;
}
} // namespace

void StatsTree::add_value(uint32_t id, double now_ms, int64_t value) {
  Node& n = nodes_[id];
  fold(n.imin, n.imax, n.itotal, value, n.count == 0);
  tick(id, now_ms);
}

void StatsTree::add_value(uint32_t id, double now_ms, float value) {
  Node& n = nodes_[id];
  fold(n.fmin, n.fmax, n.ftotal, value, n.count == 0);
  tick(id, now_ms);
}

void StatsTree::packet(double now_ms) {
  if (!started_) {
    started_ = true;
    start_ms_ = now_ms;
  }
  elapsed_ms_ = now_ms - start_ms_;
}

void StatsTree::tick(uint32_t id, double now_ms) {
  Node& n = nodes_[id];
  n.count++;
  const auto bucket = static_cast<int64_t>(std::floor(now_ms / kBurstResolutionMs));
  const auto span = static_cast<int64_t>(kBurstWindowMs / kBurstResolutionMs);
  if (n.window.empty() || bucket > n.window.back().no) {
    n.window.push_back(Bucket{bucket, now_ms, 0});
    while (n.window.back().no - n.window.front().no >= span) {
      n.bcount -= n.window.front().count;
      n.window.erase(n.window.begin());
    }
  }
  n.window.back().count++;
  n.bcount++;
  if (n.bcount > n.max_burst) {
    n.max_burst = n.bcount;
    n.burst_time = n.window.front().start;
  }
}

size_t StatsTree::max_name(uint32_t id, int depth) const {
  size_t m = depth > 0 ? nodes_[id].name.size() + static_cast<size_t>(depth - 1) : 0;
  for (uint32_t c : nodes_[id].children) m = std::max(m, max_name(c, depth + 1));
  return m;
}

void StatsTree::print_node(OutBuffer& out, uint32_t id, int depth, int64_t parent_count, size_t width) const {
  const Node& n = nodes_[id];
  std::string name(static_cast<size_t>(depth), ' ');
  name += n.name;
  const std::string rate = elapsed_ms_ > 0 ? fmt::format("{:.4f}", static_cast<double>(n.count) / elapsed_ms_)
                                           : std::string(); // no rate over no time
  const std::string pct =
      depth == 0 ? std::string("100%")
      : parent_count > 0
          ? fmt::format("{:.2f}%", 100.0 * static_cast<double>(n.count) / static_cast<double>(parent_count))
          : std::string(); // no share of nothing
  const std::string burst =
      n.max_burst ? fmt::format("{:.4f}", static_cast<double>(n.max_burst) / kBurstWindowMs) : "-";
  // A burst whose window began within the first window of the capture starts, as tshark prints it, at 0.
  const double bt = n.burst_time < kBurstWindowMs ? 0 : n.burst_time;
  const std::string bstart = n.max_burst ? fmt::format("{:.3f}", bt / 1000.0) : "-";
  std::string avg, lo, hi;
  if (n.count == 0) {
    // no values: the columns stay empty
  } else if (n.values == Values::Int) {
    avg = fmt::format("{:.2f}",
                      static_cast<double>(static_cast<float>(n.itotal) / static_cast<float>(n.count)));
    lo = fmt::format("{}", n.imin);
    hi = fmt::format("{}", n.imax);
  } else if (n.values == Values::Float) {
    avg = fmt::format("{:.2f}", static_cast<double>(n.ftotal / static_cast<float>(n.count)));
    lo = fmt::format("{:.6f}", static_cast<double>(n.fmin));
    hi = fmt::format("{:.6f}", static_cast<double>(n.fmax));
  }
  out.print("{:<{}}{:<14}{:<14}{:<14}{:<14}{:<14}{:<14}{:<14}{:<13}\n", name, width, n.count, avg, lo, hi,
            rate, pct, burst, bstart);
  std::vector<uint32_t> kids = n.children;
  std::sort(kids.begin(), kids.end(), [&](uint32_t a, uint32_t b) {
    if (nodes_[a].count != nodes_[b].count) return nodes_[a].count > nodes_[b].count;
    return nodes_[a].name > nodes_[b].name;
  });
  for (uint32_t c : kids) print_node(out, c, depth + 1, n.count, width);
}

void StatsTree::print(OutBuffer& out) const {
  const size_t width = max_name(kRoot, 0) + 2;
  const size_t total = width + 14 * 7 + 13;
  out.print("\n{}\n{}:\n", std::string(total, '='), title_);
  out.print("{:<{}}{:<14}{:<14}{:<14}{:<14}{:<14}{:<14}{:<14}{:<13}\n", "Topic / Item", width, "Count",
            "Average", "Min Val", "Max Val", "Rate (ms)", "Percent", "Burst Rate", "Burst Start");
  out.print("{}\n", std::string(total, '-'));
  for (uint32_t c : nodes_[kRoot].children) print_node(out, c, 0, 0, width); // the top level is not sorted
  out.print("\n{}\n", std::string(total, '-'));
}

HttpTrees::HttpTrees() {
  total_ = packets_.node(StatsTree::kRoot, "Total HTTP Packets");
  reqs_ = packets_.node(total_, "HTTP Request Packets");
  resps_ = packets_.node(total_, "HTTP Response Packets");
  static constexpr std::string_view kClasses[] = {"???: broken",       "1xx: Informational",
                                                  "2xx: Success",      "3xx: Redirection",
                                                  "4xx: Client Error", "5xx: Server Error"};
  for (size_t i = 0; i < 6; ++i) classes_[i] = packets_.node(resps_, kClasses[i]);
  other_ = packets_.node(total_, "Other HTTP Packets");
  by_host_ = requests_.node(StatsTree::kRoot, "HTTP Requests by HTTP Host");
}

void HttpTrees::packet(const PacketView& v, int64_t first_ns) {
  if (!v.app || v.app->http.empty()) return;
  const double now = static_cast<double>(v.frame.ts.sec * 1'000'000'000 + v.frame.ts.nsec - first_ns) / 1e6;
  for (const app::HttpMessage& m : v.app->http) {
    // Both trees' clocks move with every HTTP message (the tap calls them for each).
    packets_.packet(now);
    requests_.packet(now);
    packets_.tick(total_, now);
    if (m.request) {
      packets_.tick(reqs_, now);
      packets_.tick(packets_.node(reqs_, m.method), now);
      requests_.tick(by_host_, now);
      const uint32_t host = requests_.node(by_host_, m.host);
      requests_.tick(host, now);
      requests_.tick(requests_.node(host, m.uri), now);
    } else if (m.code) {
      packets_.tick(resps_, now);
      const uint16_t cls = m.code / 100;
      const uint32_t c = classes_[cls >= 1 && cls <= 5 ? cls : 0];
      packets_.tick(c, now);
      packets_.tick(packets_.node(c, fmt::format("{} {}", m.code, reason(m.code))), now);
    } else {
      packets_.tick(other_, now);
    }
  }
}

} // namespace ps::report
