// DNS header, flags, query/response matching and columns; sections are in dns_rr.cpp.
#include "describe/proto/dns.h"

#include "dns/names.h"
#include "dns/transactions.h"

namespace ps::proto {

namespace {

constexpr uint16_t kDnsPort = 53, kMdnsPort = 5353;
// NetBIOS name and datagram service: DNS-shaped messages that tshark gives to NBNS/NBDGM, never to DNS.
constexpr uint16_t kNetbiosNamePort = 137, kNetbiosDatagramPort = 138;

bool netbios_port(uint16_t port) {
  return port == kNetbiosNamePort || port == kNetbiosDatagramPort;
}

// Query/response matching across packets. describe() has no per-capture state of its own, so the
// table lives here, per thread, and starts over whenever frame numbers go backwards (a new capture).
struct Matcher {
  dns::TransactionTable table;
  uint64_t last_frame = 0;
};

Matcher& matcher(uint64_t frame) {
  thread_local Matcher m;
  if (frame <= m.last_frame) m.table.clear();
  m.last_frame = frame;
  return m;
}

std::string_view opcode_text(Record& r, uint8_t op, bool with_number) {
  std::string_view n = dns::opcode_name(op);
  if (!n.empty()) return n;
  return with_number ? r.format("Unknown operation ({})", op) : std::string_view("Unknown operation");
}

std::string_view rcode_text(Record& r, uint8_t rc) {
  std::string_view n = dns::rcode_name(rc);
  return n.empty() ? r.format("Unknown error ({})", rc) : n;
}

void flag_bit(Ctx& c, F f, uint16_t flags, uint16_t mask, std::string_view label, std::string_view set,
              std::string_view unset, uint32_t off) {
  Record& r = c.rec;
  if (!r.want(f)) return;
  bool v = (flags & mask) != 0;
  Item& it = r.add(f, off, 2, v);
  if (r.tree()) it.text = r.format("{} = {}: {}", bit_pattern(r, flags, 16, mask), label, v ? set : unset);
}

void flags_tree(Ctx& c, const dns::Message& m, uint32_t off) {
  Record& r = c.rec;
  const uint16_t f = m.raw_flags;
  const bool resp = m.flags.qr;
  if (r.tree()) {
    std::string_view summary = opcode_text(r, m.flags.opcode, false);
    if (resp) summary = r.format("{} response, {}", summary, rcode_text(r, m.flags.rcode));
    r.push(F::DNS_FLAGS, off, 2).text = r.format("Flags: 0x{:04x} {}", f, summary);
  } else if (r.want(F::DNS_FLAGS)) {
    r.add(F::DNS_FLAGS, off, 2, f);
  }
  flag_bit(c, F::DNS_FLAGS_RESPONSE, f, 0x8000, "Response", "Message is a response", "Message is a query",
           off);
  if (r.want(F::DNS_FLAGS_OPCODE)) {
    Item& it = r.add(F::DNS_FLAGS_OPCODE, off, 2, m.flags.opcode);
    if (r.tree()) {
      std::string_view n = dns::opcode_name(m.flags.opcode);
      it.text = r.format("{} = Opcode: {} ({})", bit_pattern(r, f, 16, 0x7800), n.empty() ? "Unknown" : n,
                         m.flags.opcode);
    }
  }
  if (resp)
    flag_bit(c, F::DNS_FLAGS_AUTHORITATIVE, f, 0x400, "Authoritative", "Server is an authority for domain",
             "Server is not an authority for domain", off);
  flag_bit(c, F::DNS_FLAGS_TRUNCATED, f, 0x200, "Truncated", "Message is truncated",
           "Message is not truncated", off);
  flag_bit(c, F::DNS_FLAGS_RECDESIRED, f, 0x100, "Recursion desired", "Do query recursively",
           "Don't do query recursively", off);
  if (resp)
    flag_bit(c, F::DNS_FLAGS_RECAVAIL, f, 0x80, "Recursion available", "Server can do recursive queries",
             "Server can't do recursive queries", off);
  flag_bit(c, F::DNS_FLAGS_Z, f, 0x40, "Z", "reserved - incorrect!", "reserved (0)", off);
  if (resp)
    flag_bit(c, F::DNS_FLAGS_AUTHENTICATED, f, 0x20, "Answer authenticated",
             "Answer/authority portion was authenticated by the server",
             "Answer/authority portion was not authenticated by the server", off);
  else if (m.flags.ad)
    flag_bit(c, F::DNS_FLAGS_AUTHENTICATED, f, 0x20, "AD bit", "Set", "Not set", off);
  flag_bit(c, F::DNS_FLAGS_CHECKDISABLE, f, 0x10, "Non-authenticated data", "Acceptable", "Unacceptable",
           off);
  if (resp && r.want(F::DNS_FLAGS_RCODE)) {
    Item& it = r.add(F::DNS_FLAGS_RCODE, off, 2, m.flags.rcode);
    if (r.tree())
      it.text = r.format("{} = Reply code: {} ({})", bit_pattern(r, f, 16, 0xf), rcode_text(r, m.flags.rcode),
                         m.flags.rcode);
  }
  if (r.tree()) r.pop();
}

void header(Ctx& c, const dns::Message& m, uint32_t base) {
  Record& r = c.rec;
  if (r.want(F::DNS_ID)) {
    Item& it = r.add(F::DNS_ID, base, 2, m.id);
    if (r.tree()) it.text = r.format("Transaction ID: 0x{:04x}", m.id);
  }
  flags_tree(c, m, base + 2);
  const std::pair<F, uint16_t> counts[] = {{F::DNS_COUNT_QUERIES, m.qdcount},
                                           {F::DNS_COUNT_ANSWERS, m.ancount},
                                           {F::DNS_COUNT_AUTH_RR, m.nscount},
                                           {F::DNS_COUNT_ADD_RR, m.arcount}};
  uint32_t off = base + 4;
  for (auto [f, n] : counts) {
    if (r.want(f)) r.add(f, off, 2, n);
    off += 2;
  }
}

void match(Ctx& c, const dns::Message& m, bool tcp, uint32_t stream) {
  Record& r = c.rec;
  const Frame& fr = c.frame();
  const int64_t now = fr.ts.sec * 1'000'000'000 + static_cast<int64_t>(fr.ts.nsec);
  Matcher& mt = matcher(fr.number);
  dns::TransactionKey key{stream, tcp, m.id};
  if (!m.flags.qr) {
    mt.table.query(key, fr.number, now);
    return;
  }
  auto q = mt.table.response(key, fr.number);
  if (!q) {
    if (r.want(F::DNS_UNSOLICITED)) {
      Item& it = r.add(F::DNS_UNSOLICITED, 0, 0, 1);
      it.generated = true;
      it.text = "Unsolicited: True";
    }
    return;
  }
  if (r.want(F::DNS_RESPONSE_TO)) {
    Item& it = r.add(F::DNS_RESPONSE_TO, 0, 0, q->frame);
    it.generated = true;
    if (r.tree()) it.text = r.format("Request In: {}", q->frame);
  }
  if (r.want(F::DNS_TIME)) {
    int64_t d = now - q->time_ns;
    Item& it = r.add(F::DNS_TIME, 0, 0, static_cast<uint64_t>(d));
    it.generated = true;
    if (r.tree()) {
      uint64_t a = static_cast<uint64_t>(d < 0 ? -d : d);
      it.text = r.format("Time: {}{}.{:09} seconds", d < 0 ? "-" : "", a / 1'000'000'000, a % 1'000'000'000);
    }
  }
}

void columns(Ctx& c, const dns::Message& m, bool mdns) {
  Record& r = c.rec;
  r.cols().protocol = mdns ? "MDNS" : "DNS";
  auto& info = r.cols().info;
  info.clear();
  auto out = std::back_inserter(info);
  fmt::format_to(out, "{}{} 0x{:04x}", opcode_text(r, m.flags.opcode, true), m.flags.qr ? " response" : "",
                 m.id);
  if (m.flags.qr && m.flags.rcode != 0) fmt::format_to(out, " {}", rcode_text(r, m.flags.rcode));
  dns_detail::info_sections(c, m);
}

} // namespace

void describe_dns_message(Ctx& c, std::span<const uint8_t> msg, uint32_t frame_off, bool tcp, uint32_t stream,
                          bool mdns) {
  Record& r = c.rec;
  const dns::ParseResult res = dns::parse_dns(msg);
  const dns::Message& m = res.msg;
  const uint32_t base = frame_off + (tcp ? 2u : 0u);
  r.append_protocol(mdns ? "mdns" : "dns");
  std::string_view title = mdns ? "Multicast Domain Name System" : "Domain Name System";
  const uint32_t total = static_cast<uint32_t>(msg.size()) + (tcp ? 2u : 0u);
  if (r.tree()) {
    r.push(F::DNS, frame_off, total).text =
        res.error == dns::Error::ShortHeader ? title
                                             : r.format("{} ({})", title, m.flags.qr ? "response" : "query");
  } else if (r.want(F::DNS)) {
    r.add(F::DNS, frame_off, total);
  }
  if (tcp && r.want(F::DNS_LENGTH)) r.add(F::DNS_LENGTH, frame_off, 2, msg.size());
  if (res.error != dns::Error::ShortHeader) {
    header(c, m, base);
    dns_detail::questions(c, m, base, mdns);
    dns_detail::records(c, msg, m, base, mdns);
    match(c, m, tcp, stream);
  }
  if (r.tree()) r.pop();
  if (!res.ok() && r.want(F::MALFORMED)) {
    r.add(F::MALFORMED, base + res.error_offset, 0).text =
        r.format("[Malformed Packet: DNS: {}]", dns::error_text(res.error));
  }
  if (r.columns_wanted()) {
    if (res.error == dns::Error::ShortHeader) {
      r.cols().protocol = mdns ? "MDNS" : "DNS";
      r.cols().info.clear();
    } else {
      columns(c, m, mdns);
    }
    if (!res.ok()) fmt::format_to(std::back_inserter(r.cols().info), " [Malformed Packet]");
  }
}

bool describe_dns_udp(Ctx& c) {
  const Decoded& d = c.pkt;
  if (!d.payload_len || !d.l4() || d.l4()->kind != Layer::Udp) return false;
  std::span<const uint8_t> p = d.payload();
  bool mdns = d.src_port == kMdnsPort || d.dst_port == kMdnsPort;
  bool dns = d.src_port == kDnsPort || d.dst_port == kDnsPort;
  if (!dns && !mdns && (netbios_port(d.src_port) || netbios_port(d.dst_port) || !dns::looks_like_dns(p)))
    return false;
  describe_dns_message(c, p, d.payload_offset, false, c.meta.udp.valid ? c.meta.udp.stream : 0, mdns && !dns);
  return true;
}

} // namespace ps::proto
