// Buffered writer to a file descriptor (stdout by default): output is built in memory and written in
// large blocks. A closed pipe (e.g. `| head`) ends output quietly.
#pragma once

#include <cstdio>
#include <string_view>

#include <fmt/format.h>

namespace ps {

class OutBuffer {
public:
  static constexpr int kMemory = -1; // keeps everything in buf() (a worker's output before merging)
  explicit OutBuffer(int fd = 1) : fd_(fd) {}
  ~OutBuffer() { flush(); }
  OutBuffer(const OutBuffer&) = delete;
  OutBuffer& operator=(const OutBuffer&) = delete;

  fmt::memory_buffer& buf() { return buf_; }
  void write(std::string_view s) {
    buf_.append(s);
    maybe_flush();
  }
  template <typename... Args> void print(fmt::format_string<Args...> f, Args&&... args) {
    fmt::format_to(std::back_inserter(buf_), f, std::forward<Args>(args)...);
  }
  void maybe_flush() {
    if (buf_.size() >= kFlushAt && fd_ != kMemory) flush();
  }
  void flush();
  // False once a write failed (closed pipe, full disk): callers stop producing output.
  bool ok() const { return ok_; }
  int error() const { return errno_; }

private:
  static constexpr size_t kFlushAt = 1 << 16;
  fmt::memory_buffer buf_;
  int fd_;
  bool ok_ = true;
  int errno_ = 0;
};

} // namespace ps
