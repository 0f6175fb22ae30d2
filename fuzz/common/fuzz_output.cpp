#include "common/fuzz_output.h"

#include <fcntl.h>

#include "common/fuzz_input.h"
#include "dissect/field.h"

namespace ps::fuzz {

OutBuffer& null_output() {
  static OutBuffer out([] {
    const int fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    require(fd >= 0, "cannot open /dev/null");
    return fd;
  }());
  return out;
}

FieldsOptions all_fields(uint8_t variant) {
  FieldsOptions fo;
  for (size_t i = 0; i < kFieldCount; ++i) fo.fields.push_back(static_cast<F>(i));
  static constexpr char kOccurrence[] = {'a', 'f', 'l'};
  static constexpr char kQuote[] = {'n', 'd', 's'};
  fo.occurrence = kOccurrence[variant % 3];
  fo.quote = kQuote[(variant / 3) % 3];
  fo.header = (variant & 0x80) != 0;
  return fo;
}

std::unique_ptr<PacketSink> make_sink(int kind, OutBuffer& out, uint8_t variant) {
  switch (kind) {
  case 0:
    return make_summary_sink(out);
  case 1:
    return make_tree_sink(out);
  case 2:
    return make_fields_sink(out, all_fields(variant));
  case 3:
    return make_json_sink(out, false);
  case 4:
    return make_json_sink(out, true);
  default:
    return make_hex_sink(out, make_tree_sink(out));
  }
}

} // namespace ps::fuzz
