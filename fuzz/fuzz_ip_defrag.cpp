// libFuzzer target: IP fragment reassembly (src/flow/ip_defrag.*) fed fragments of four datagrams
// (two IPv4 keys, two IPv6 keys) in any order, repeated, overlapping, oversized or contradicting
// their tail, under small limits.
//
// Input: [mode] then ops of [op][a:2][b:2]: op bits 0-1 pick the datagram, bit 2 clears "more
// fragments", bit 3 (when mode bit 7 is set) sends bytes that differ from the datagram's; the
// fragment starts at a*8 bytes (mod 70,000) and carries b % 3000 bytes.
// Checks after every fragment: bytes and datagrams held within the limits; a completed datagram is
// no longer than max_datagram, its fragments are ordered by offset and cover every byte, and with
// mode bit 7 clear every byte is the datagram's true byte at that offset.
#include <algorithm>
#include <vector>

#include "common/fuzz_input.h"
#include "dissect/ip_defrag.h"

namespace {

uint8_t true_byte(uint32_t key, uint32_t off) {
  return static_cast<uint8_t>((off * 131) ^ (off >> 9) ^ (key * 29));
}

const uint8_t kAddr[4][16] = {{10, 0, 0, 1},
                              {10, 0, 0, 2},
                              {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
                              {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2}};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return -1;
  const uint8_t mode = data[0];
  ++data;
  --size;
  ps::DefragOptions opt;
  opt.max_pending_bytes = 2048 + size_t{mode & 15u} * 4096;
  opt.max_pending_datagrams = 1 + ((mode >> 4) & 3u);
  opt.max_datagram = (mode & 64) ? 9000 : 65535;
  const bool truthful = (mode & 128) == 0;
  ps::IpDefragmenter d(opt);
  std::vector<uint8_t> payload;
  for (size_t ops = 0; size >= 5 && ops < 512; ++ops, data += 5, size -= 5) {
    const uint8_t op = data[0];
    const uint32_t key = op & 3u;
    const uint32_t a = (uint32_t{data[1]} << 8) | data[2];
    const uint32_t b = (uint32_t{data[3]} << 8) | data[4];
    ps::IpFragment f;
    f.ip_version = key < 2 ? 4 : 6;
    f.proto = 17;
    f.id = 0x4242 + key;
    f.src = kAddr[key];
    f.dst = kAddr[key ^ 1];
    f.offset = (a * 8) % 70000;
    f.more = (op & 4) == 0;
    f.frame = ops + 1;
    payload.resize(b % 3000);
    const bool lie = !truthful && (op & 8);
    for (size_t i = 0; i < payload.size(); ++i)
      payload[i] =
          static_cast<uint8_t>(true_byte(key, f.offset + static_cast<uint32_t>(i)) ^ (lie ? 0x5a : 0));
    f.payload = payload;
    const ps::IpReassembly* dg = d.add(f);
    const ps::DefragCounters& c = d.counters();
    ps::fuzz::require(c.pending_bytes <= opt.max_pending_bytes, "bytes held within the limit");
    ps::fuzz::require(c.pending_datagrams <= opt.max_pending_datagrams, "datagrams held within the limit");
    ps::fuzz::require(c.pending_datagrams > 0 || c.pending_bytes == 0, "no bytes held without a datagram");
    if (!dg) continue;
    ps::fuzz::require(dg->data.size() <= opt.max_datagram, "a datagram within max_datagram");
    ps::fuzz::require(!dg->fragments.empty() && dg->fragments.back().frame <= f.frame, "fragments listed");
    uint32_t covered = 0, prev = 0;
    for (const ps::FragmentRef& r : dg->fragments) {
      ps::fuzz::require(r.offset >= prev, "fragments ordered by offset");
      ps::fuzz::require(r.offset + r.length <= dg->data.size(), "fragments inside the datagram");
      ps::fuzz::require(r.offset <= covered, "fragments leave no hole");
      covered = std::max(covered, r.offset + r.length);
      prev = r.offset;
    }
    ps::fuzz::require(covered == dg->data.size(), "fragments cover the datagram");
    if (truthful)
      for (uint32_t i = 0; i < dg->data.size(); ++i)
        ps::fuzz::require(dg->data[i] == true_byte(key, i), "reassembly keeps the datagram's bytes");
  }
  return 0;
}
