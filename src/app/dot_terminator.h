// Finds the end of an SMTP DATA / POP3 multi-line body: a line holding only "." (CRLF . CRLF), across
// any split of the stream. The body starts at a line start.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace ps::app {

class DotTerminator {
public:
  // Returns how many bytes of `in` belong to the body including the terminator, or npos when the body
  // goes on past `in`.
  static constexpr size_t npos = static_cast<size_t>(-1);
  size_t scan(std::span<const uint8_t> in) {
    for (size_t i = 0; i < in.size(); ++i) {
      uint8_t c = in[i];
      switch (state_) {
      case 0:
        state_ = c == '\r' ? 1 : 0;
        break; // in a line
      case 1:
        state_ = c == '\n' ? 2 : (c == '\r' ? 1 : 0);
        break; // CR seen
      case 2:
        state_ = c == '.' ? 3 : (c == '\r' ? 1 : 0);
        break; // at a line start
      case 3:
        state_ = c == '\r' ? 4 : 0;
        break; // "." at line start
      case 4:
        if (c == '\n') {
          state_ = 2;
          return i + 1;
        }
        state_ = c == '\r' ? 1 : 0;
        break;
      }
    }
    return npos;
  }
  void reset() { state_ = 2; }

private:
  int state_ = 2;
};

} // namespace ps::app
