// libFuzzer target: the display-filter compiler (src/filter/) on arbitrary text, then evaluation of
// what compiled on records holding two occurrences of every field it reads (values and byte ranges
// drawn from the input, some ranges past the frame's end).
// Checks: an error is one line whose column lies within the expression; compiling is deterministic;
// evaluation is the same with the record built twice.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "filter/display_filter.h"

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_filter: %s\n", what);
    std::abort();
  }
}

void fill(ps::Record& rec, const std::bitset<ps::kFieldCount>& fields, std::string_view pool,
          uint32_t frame_len) {
  uint64_t h = 1469598103934665603ull;
  for (char c : pool) h = (h ^ static_cast<uint8_t>(c)) * 1099511628211ull;
  for (size_t i = 0; i < ps::kFieldCount; ++i) {
    if (!fields[i]) continue;
    const auto f = static_cast<ps::F>(i);
    for (int k = 0; k < 2; ++k) {
      h = h * 6364136223846793005ull + 1442695040888963407ull;
      const uint32_t off = static_cast<uint32_t>(h >> 40) % (frame_len + 8);
      const uint32_t len = static_cast<uint32_t>(h >> 20) % (frame_len + 8);
      ps::Item& it = rec.add(f, off, len, k ? (h >> 3) : (h & 0xffff));
      it.dbl = static_cast<double>(h % 1000) / 7.0;
      const size_t so = pool.empty() ? 0 : (h >> 13) % pool.size();
      it.str = pool.substr(so, (h >> 7) % 24);
    }
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return -1;
  const std::string_view expr(reinterpret_cast<const char*>(data), size);
  ps::filter::CompileError err;
  auto f = ps::filter::DisplayFilter::compile(expr, err);
  ps::filter::CompileError err2;
  auto g = ps::filter::DisplayFilter::compile(expr, err2);
  check(f.has_value() == g.has_value(), "compiling twice disagrees");
  if (!f) {
    check(err.column <= size, "error column past the expression");
    check(!err.message.empty(), "empty error message");
    check(err.message == err2.message && err.column == err2.column, "errors differ between runs");
    const std::string line = ps::filter::format_error(expr, err);
    check(line.find('\n') == std::string::npos, "error message is not one line");
    return 0;
  }
  check(f->fields() == g->fields(), "field sets differ between runs");
  // The expression's own bytes serve as the frame and the string pool.
  const std::string frame(expr);
  const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(frame.data()), frame.size());
  for (int round = 0; round < 2; ++round) {
    ps::Record rec;
    rec.reset(false, &f->fields(), false);
    fill(rec, f->fields(), frame, static_cast<uint32_t>(frame.size()));
    const bool a = f->matches(rec, bytes), b = g->matches(rec, bytes);
    check(a == b, "two compilations evaluate differently");
    (void)f->matches(rec); // without frame bytes
    ps::Record empty;
    empty.reset(false, &f->fields(), false);
    (void)f->matches(empty, bytes);
  }
  return 0;
}
