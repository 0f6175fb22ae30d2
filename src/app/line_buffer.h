// Splits a byte stream into CRLF (or LF) terminated lines across segments, with a length limit.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace ps::app {

class LineBuffer {
public:
  // The longest line held by default (Limits::max_message); set_max() changes it.
  static constexpr size_t kDefaultMaxLine = size_t{64} << 10;

  void set_max(size_t n) { max_line_ = n; }

  // Consumes bytes up to and including the next line end. Returns true with `line` (no CR/LF) when a
  // line completed; `used` is how many input bytes were consumed. Sets `overflow` when a line grew
  // beyond the maximum (the caller treats that as a violation).
  bool feed(std::span<const uint8_t> in, size_t& used, std::string_view& line) {
    overflow = false;
    const auto* b = reinterpret_cast<const char*>(in.data());
    std::string_view s(b, in.size());
    size_t nl = s.find('\n');
    if (skipping_) { // after a gap: the bytes up to the next line end are the tail of a lost line
      used = nl == std::string_view::npos ? in.size() : nl + 1;
      skipped += used;
      if (nl != std::string_view::npos) skipping_ = false;
      return false;
    }
    if (nl == std::string_view::npos) {
      used = in.size();
      if (partial_.size() + s.size() > max_line_) {
        overflow = true;
        partial_.clear();
        return false;
      }
      partial_.append(s);
      return false;
    }
    used = nl + 1;
    if (partial_.size() + nl > max_line_) {
      overflow = true;
      partial_.clear();
      return false;
    }
    partial_.append(s.substr(0, nl));
    if (!partial_.empty() && partial_.back() == '\r') partial_.pop_back();
    done_.swap(partial_);
    partial_.clear();
    line = done_;
    return true;
  }
  bool mid_line() const { return !partial_.empty(); }
  // The line in progress (bytes after the last line end).
  std::string_view pending() const { return partial_; }
  void reset() { partial_.clear(); }
  // Bytes were lost: drop the line in progress and skip to the start of the next line.
  void resync() {
    partial_.clear();
    skipping_ = true;
  }
  bool overflow = false;
  uint64_t skipped = 0; // bytes skipped by resync()

private:
  std::string partial_, done_;
  bool skipping_ = false;
  size_t max_line_ = kDefaultMaxLine;
};

} // namespace ps::app
