// Drives one application analyzer (src/app/) from a fuzzer script the way the engine does: in-order
// bytes of both directions cut into frames at fuzzer-chosen points, with gaps and FINs between them,
// frame_end() after every frame and finish() at the end. The caller checks each finished frame.
//
// Script: up to 256 records [ctl][len:1][bytes...]. ctl bit 0: direction (0 client → server);
// bits 1-2: 0 data (the frame goes on: the next record adds to it), 1 data then frame end, 2 gap of
// len*37+1 bytes then frame end, 3 FIN then frame end; bit 3: the data goes to the side connection
// (FTP: the announced data connection) instead of the analyzer. Whatever is left after the records
// is one last client frame.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "app/analyzer.h"
#include "common/fuzz_input.h"

namespace ps::fuzz {

// What one frame delivered, for the per-frame checks.
struct AppTally {
  uint64_t bytes[2] = {0, 0}; // stream bytes handed to the analyzer, per direction
  uint64_t gap[2] = {0, 0};   // bytes announced lost, per direction
  uint64_t side = 0;          // bytes handed to the side connection
  uint64_t largest = 0;       // the largest single data() call
};

// check(const app::AppFrame&, const AppTally&) runs after each frame_end(); side(bytes, frame info,
// AppFrame&) receives the side-connection data.
template <class Check, class Side>
void run_app_script(app::Analyzer& a, const uint8_t* data, size_t size, Check&& check, Side&& side) {
  app::AppFrame out;
  app::FrameInfo f;
  AppTally tally;
  bool was_failed = false;
  uint64_t frame = 1;
  f.number = frame;
  auto end_frame = [&](int dir) {
    a.frame_end(dir, f, out);
    require(out.malformed.empty() || a.failed(), "a malformed frame stops the analyzer");
    require(out.malformed.find('\n') == std::string::npos, "a violation message is one line");
    if (a.failed() && !was_failed) require(!out.malformed.empty(), "the frame that failed says why");
    was_failed = a.failed();
    check(static_cast<const app::AppFrame&>(out), static_cast<const AppTally&>(tally));
    out.clear();
    tally = AppTally{};
    f.number = ++frame;
    f.ts_ns = static_cast<int64_t>(frame) * 1000;
    f.has_payload = false;
  };
  auto deliver = [&](int dir, bool to_side, const uint8_t* p, size_t n) {
    std::vector<uint8_t> bytes(p, p + n); // exactly sized: over-reads hit the redzone
    f.has_payload = f.has_payload || n > 0;
    if (to_side) {
      side(std::span<const uint8_t>(bytes), static_cast<const app::FrameInfo&>(f), out);
      tally.side += n;
    } else if (!a.failed()) {
      out.payload = true;
      a.data(dir, bytes, f, out);
      tally.bytes[dir] += n;
      if (n > tally.largest) tally.largest = n;
    }
  };
  int open_dir = -1; // a frame still taking data
  for (size_t n = 0; size >= 2 && n < 256; ++n) {
    const int dir = data[0] & 1;
    const int kind = (data[0] >> 1) & 3;
    const bool to_side = (data[0] & 8) != 0;
    size_t len = data[1];
    data += 2;
    size -= 2;
    if (kind == 2) {
      const uint64_t lost = uint64_t{len} * 37 + 1;
      if (!a.failed()) a.gap(dir, lost, f, out);
      tally.gap[dir] += lost;
    } else if (kind == 3) {
      if (!a.failed()) a.fin(dir, f, out);
    } else {
      if (len > size) len = size;
      deliver(dir, to_side, data, len);
      data += len;
      size -= len;
      if (kind == 0) {
        open_dir = dir;
        continue;
      }
    }
    end_frame(dir);
    open_dir = -1;
  }
  if (size > 0) {
    deliver(0, false, data, size);
    end_frame(0);
  } else if (open_dir >= 0) {
    end_frame(open_dir);
  }
  a.finish();
}

} // namespace ps::fuzz
