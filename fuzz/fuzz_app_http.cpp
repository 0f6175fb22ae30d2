// libFuzzer target: the HTTP analyzer (src/app/http/) on both directions of one connection. The
// fuzzer picks where the byte streams are cut into frames, which direction each frame belongs to,
// and where gaps and FINs fall, so every partial-message path of the parsers runs.
//
// Input: a script of records [ctl][len:1][bytes...]: ctl bit 0 direction, bits 1-2: 0 data, 1 data
// then frame end, 2 gap of len*37 bytes, 3 FIN. Everything left after 256 records is one last frame.
#include <vector>

#include "app/http/http_analyzer.h"
#include "app/transactions.h"
#include "common/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ps::app::Transactions log;
  ps::app::AnalyzerEnv env;
  env.id.orig_h = "192.0.2.1";
  env.id.resp_h = "192.0.2.2";
  env.id.orig_p = 40000;
  env.id.resp_p = 80;
  env.log = &log;
  ps::app::HttpAnalyzer http(env);
  ps::app::AppFrame out;
  ps::app::FrameInfo f;
  for (size_t n = 0; size >= 2 && n < 256 && !http.failed(); ++n) {
    const int dir = data[0] & 1;
    const int kind = (data[0] >> 1) & 3;
    size_t len = data[1];
    data += 2;
    size -= 2;
    f.number = n + 1;
    f.ts_ns = static_cast<int64_t>(n) * 1000;
    out.clear();
    if (kind == 2) {
      http.gap(dir, uint64_t{len} * 37 + 1, f, out);
    } else if (kind == 3) {
      http.fin(dir, f, out);
    } else {
      if (len > size) len = size;
      std::vector<uint8_t> bytes(data, data + len); // exactly sized: over-reads hit the redzone
      http.data(dir, bytes, f, out);
      data += len;
      size -= len;
    }
    http.frame_end(dir, f, out);
  }
  if (size > 0 && !http.failed()) {
    std::vector<uint8_t> bytes(data, data + size);
    out.clear();
    http.data(0, bytes, f, out);
    http.frame_end(0, f, out);
  }
  http.finish();
  return 0;
}
