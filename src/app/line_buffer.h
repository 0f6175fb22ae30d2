// Splits a byte stream into CRLF (or LF) terminated lines across segments, with a length limit.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace ps::app {

class LineBuffer {
public:
  static constexpr size_t kMaxLine = 8192;

  // Consumes bytes up to and including the next line end. Returns true with `line` (no CR/LF) when a
  // line completed; `used` is how many input bytes were consumed. Sets `overflow` when a line grew
  // beyond kMaxLine (the caller treats that as a violation).
  bool feed(std::span<const uint8_t> in, size_t& used, std::string_view& line) {
    overflow = false;
    const auto* b = reinterpret_cast<const char*>(in.data());
    std::string_view s(b, in.size());
    size_t nl = s.find('\n');
    if (nl == std::string_view::npos) {
      used = in.size();
      if (partial_.size() + s.size() > kMaxLine) {
        overflow = true;
        partial_.clear();
        return false;
      }
      partial_.append(s);
      return false;
    }
    used = nl + 1;
    if (partial_.size() + nl > kMaxLine) {
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
  void reset() { partial_.clear(); }
  bool overflow = false;

private:
  std::string partial_, done_;
};

} // namespace ps::app
