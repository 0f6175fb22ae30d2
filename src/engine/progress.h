// Progress of a long read on stderr: bytes and packets done, rate, time left. Only on a terminal, only
// once a read has run for a second, redrawn at most four times a second; the line is erased at the end
// so it never mixes with output. Cheap enough to call per packet (it looks at the clock every 1024 calls).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace ps {

class Progress {
public:
  // total_bytes: size of the input (0 when unknown, e.g. a pipe: no percentage or time left).
  // enabled: false with -q; it is also off when stderr is not a terminal.
  Progress(uint64_t total_bytes, bool enabled);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void update(uint64_t bytes_done, uint64_t packets) {
    if (!active_ || (++calls_ & 1023) != 0) return;
    tick(bytes_done, packets);
  }
  // Erases the progress line (call before printing results).
  void finish();

  // The line as it would be drawn (for tests).
  static std::string line(uint64_t bytes_done, uint64_t total, uint64_t packets, double elapsed_s);

private:
  void tick(uint64_t bytes_done, uint64_t packets);

  bool active_;
  bool drawn_ = false;
  uint64_t total_;
  uint64_t calls_ = 0;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

} // namespace ps
