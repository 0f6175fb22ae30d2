// libFuzzer target: the DNS message parser (src/app/dns/message.*) on one message, as from UDP or
// from TCP without its length prefix. Checks that every offset it reports lies inside the message.
#include <vector>

#include "common/fuzz_input.h"
#include "dns/message.h"

namespace {

void check_name(const ps::dns::Name& n, size_t size) {
  if (n.wire_len == 0) return;
  ps::fuzz::require(uint64_t{n.offset} + n.wire_len <= size, "a name lies inside the message");
  ps::fuzz::require(n.text.size() <= 4 * 255 + 8, "a decompressed name is bounded");
}

void check_records(const std::vector<ps::dns::Record>& rs, size_t size) {
  for (const auto& r : rs) {
    check_name(r.name, size);
    ps::fuzz::require(uint64_t{r.offset} + r.length <= size, "a record lies inside the message");
    for (const auto& t : r.txt) ps::fuzz::require(uint64_t{t.offset} + t.length <= size, "TXT inside");
    for (const auto& o : r.options) ps::fuzz::require(uint64_t{o.offset} + o.length <= size, "option inside");
    if (r.rdata_parsed) {
      check_name(r.target, size);
      check_name(r.rname, size);
    }
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> msg(data, data + size); // exactly sized: over-reads hit the redzone
  const ps::dns::ParseResult r = ps::dns::parse_dns(msg);
  ps::fuzz::require(r.consumed <= size, "consumed within the message");
  ps::fuzz::require(r.error_offset <= size || r.ok(), "error offset within the message");
  for (const auto& q : r.msg.questions) {
    check_name(q.name, size);
    ps::fuzz::require(uint64_t{q.offset} + q.length <= size, "a question lies inside the message");
  }
  check_records(r.msg.answers, size);
  check_records(r.msg.authority, size);
  check_records(r.msg.additional, size);
  (void)ps::dns::error_text(r.error);
  (void)ps::dns::looks_like_dns(msg);
  return 0;
}
