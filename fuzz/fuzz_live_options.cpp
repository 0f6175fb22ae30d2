// libFuzzer target: the text parsers of live capture and `sockets`: -b ring options
// (parse_ring_option), ring file names and socket state names (parse_state) on arbitrary text.
// Checks: an error is one line naming the bad option; accepted options are usable (a ring that
// switches files has a limit); every parsed state has a name.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "capture/ring_writer.h"
#include "sockets/sock_diag.h"

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_live_options: %s\n", what);
    std::abort();
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  ps::RingOptions o;
  std::string err;
  if (ps::parse_ring_option(text, o, err)) {
    check(err.empty(), "an accepted option left an error");
    if (o.active()) {
      const std::string name =
          ps::ring_file_name(text.empty() ? "x" : text, o.files + 1, ps::Timestamp{0, 0});
      check(!name.empty(), "empty ring file name");
    }
  } else {
    check(err.rfind("bad -b option", 0) == 0 && err.find('\n') == std::string::npos, "error not one line");
  }
  ps::sockets::TcpState s{};
  if (ps::sockets::parse_state(text, s)) {
    check(ps::sockets::state_name(s, false) != "UNKNOWN", "a parsed state without a name");
  }
  return 0;
}
