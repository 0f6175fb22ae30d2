#include "engine/progress.h"

#include <unistd.h>

#include <fmt/format.h>

namespace ps {

namespace {

std::string human_bytes(double b) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int u = 0;
  while (b >= 1000 && u < 4) {
    b /= 1000;
    ++u;
  }
  return u == 0 ? fmt::format("{:.0f} {}", b, units[u]) : fmt::format("{:.1f} {}", b, units[u]);
}

} // namespace

Progress::Progress(uint64_t total_bytes, bool enabled)
    : active_(enabled && ::isatty(2) == 1), total_(total_bytes), start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

Progress::~Progress() {
  finish();
}

std::string Progress::line(uint64_t bytes_done, uint64_t total, uint64_t packets, double elapsed_s) {
  double rate = elapsed_s > 0 ? static_cast<double>(bytes_done) / elapsed_s : 0;
  std::string s = fmt::format("{} read", human_bytes(static_cast<double>(bytes_done)));
  if (total > 0) {
    double pct = 100.0 * static_cast<double>(bytes_done) / static_cast<double>(total);
    s += fmt::format(" of {} ({:.0f}%)", human_bytes(static_cast<double>(total)), pct > 100 ? 100.0 : pct);
  }
  s += fmt::format(", {} packets, {}/s", packets, human_bytes(rate));
  if (total > bytes_done && rate > 0) {
    auto left = static_cast<uint64_t>(static_cast<double>(total - bytes_done) / rate + 0.5);
    s += fmt::format(", {}:{:02} left", left / 60, left % 60);
  }
  return s;
}

void Progress::tick(uint64_t bytes_done, uint64_t packets) {
  auto now = std::chrono::steady_clock::now();
  if (now - start_ < std::chrono::seconds(1) || now - last_draw_ < std::chrono::milliseconds(250)) return;
  last_draw_ = now;
  double elapsed = std::chrono::duration<double>(now - start_).count();
  std::string s = "\r\x1b[K" + line(bytes_done, total_, packets, elapsed);
  if (::write(2, s.data(), s.size()) > 0) drawn_ = true;
}

void Progress::finish() {
  if (!drawn_) return;
  drawn_ = false;
  static const char kErase[] = "\r\x1b[K";
  if (::write(2, kErase, sizeof kErase - 1) < 0) active_ = false;
}

} // namespace ps
