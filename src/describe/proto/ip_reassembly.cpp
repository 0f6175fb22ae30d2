#include "describe/proto/context.h"
#include "dissect/ip_defrag.h"

namespace ps::proto {

namespace {

struct ReassemblyFields {
  F fragments, fragment, count, length, data;
  std::string_view version; // "IPv4" / "IPv6"
};

constexpr ReassemblyFields kV4{F::IP_FRAGMENTS,          F::IP_FRAGMENT,         F::IP_FRAGMENT_COUNT,
                               F::IP_REASSEMBLED_LENGTH, F::IP_REASSEMBLED_DATA, "IPv4"};
constexpr ReassemblyFields kV6{F::IPV6_FRAGMENTS,          F::IPV6_FRAGMENT,         F::IPV6_FRAGMENT_COUNT,
                               F::IPV6_REASSEMBLED_LENGTH, F::IPV6_REASSEMBLED_DATA, "IPv6"};

} // namespace

void describe_reassembly(Ctx& c) {
  const IpReassembly& dg = *c.pkt.reassembly;
  const ReassemblyFields& f = dg.ip_version == 4 ? kV4 : kV6;
  Record& r = c.rec;
  const auto total = static_cast<uint32_t>(dg.data.size());
  const std::string_view data{reinterpret_cast<const char*>(dg.data.data()), dg.data.size()};
  if (r.tree()) {
    fmt::memory_buffer head;
    fmt::format_to(std::back_inserter(head), "{} {} Fragments ({} bytes):", dg.fragments.size(), f.version,
                   total);
    for (size_t i = 0; i < dg.fragments.size(); ++i)
      fmt::format_to(std::back_inserter(head), "{} #{}({})", i ? "," : "", dg.fragments[i].frame,
                     dg.fragments[i].length);
    Item& top = r.push(f.fragments, 0, total);
    top.str = f.fragments == F::IP_FRAGMENTS ? data : std::string_view{};
    top.generated = true;
    top.text = r.save({head.data(), head.size()});
  } else if (r.want(f.fragments)) {
    r.add_str(f.fragments, 0, total, f.fragments == F::IP_FRAGMENTS ? data : std::string_view{}).generated =
        true;
  }
  if (r.want(f.fragment)) {
    for (const FragmentRef& fr : dg.fragments) {
      Item& it = r.add(f.fragment, fr.offset, fr.length, fr.frame);
      it.generated = true;
      if (r.tree())
        it.text = r.format("Frame: {}, payload: {}-{} ({} bytes)", fr.frame, fr.offset,
                           fr.offset + fr.length - (fr.length ? 1 : 0), fr.length);
    }
  }
  if (r.want(f.count)) {
    Item& it = r.add(f.count, 0, 0, dg.fragments.size());
    it.generated = true;
  }
  if (r.want(f.length)) {
    Item& it = r.add(f.length, 0, 0, total);
    it.generated = true;
  }
  if (r.want(f.data)) {
    Item& it = r.add_str(f.data, 0, total, data);
    it.generated = true;
    if (r.tree()) it.text = r.format("Reassembled {} data: {}", f.version, short_hex(r, dg.data));
  }
  if (r.tree()) r.pop();
}

} // namespace ps::proto
