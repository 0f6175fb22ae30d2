// DNS questions and resource records: tree lines, dns.* fields and the Info text.
#include "describe/proto/dns.h"
#include "dns/names.h"

namespace ps::proto::dns_detail {

namespace {

using dns::Record;
namespace t = dns::type;

std::string_view type_short(Ctx& c, uint16_t type) {
  std::string_view n = dns::type_name(type);
  return n.empty() ? c.rec.format("Unknown ({})", type) : n;
}

std::string_view type_long(Ctx& c, uint16_t type) {
  std::string_view n = dns::type_description(type);
  return n.empty() ? c.rec.format("Unknown ({})", type) : c.rec.format("{} ({})", n, type);
}

std::string_view class_short(Ctx& c, uint16_t cls) {
  std::string_view n = dns::class_name(cls);
  return n.empty() ? c.rec.format("Unknown (0x{:04x})", cls) : n;
}

std::string_view hex(Ctx& c, const uint8_t* p, size_t n) {
  return hex_str(c.rec, {p, n});
}

std::string_view text_of(Ctx& c, std::span<const uint8_t> msg, uint32_t off, uint32_t len) {
  return c.rec.save({reinterpret_cast<const char*>(msg.data() + off), len});
}

// A field with a "Label: value" tree line (the line is built only for trees).
template <typename... Args>
Item* field(Ctx& c, F f, uint32_t off, uint32_t len, uint64_t num, fmt::format_string<Args...> fmt,
            Args&&... args) {
  ps::Record& r = c.rec;
  if (!r.want(f)) return nullptr;
  Item& it = r.add(f, off, len, num);
  if (r.tree()) it.text = r.format(fmt, std::forward<Args>(args)...);
  return &it;
}

Item* str_field(Ctx& c, F f, uint32_t off, uint32_t len, std::string_view label, std::string_view v) {
  ps::Record& r = c.rec;
  if (!r.want(f)) return nullptr;
  Item& it = r.add_str(f, off, len, r.save(v));
  if (r.tree()) it.text = r.format("{}: {}", label, v);
  return &it;
}

// ", addr 192.168.1.200" etc.: what the record line shows after the class.
std::string_view rr_summary(Ctx& c, const Record& rr) {
  ps::Record& r = c.rec;
  if (!rr.rdata_parsed) return {};
  switch (rr.type) {
  case t::A:
    return r.format(", addr {}", ipv4_str(r, rr.addr.data()));
  case t::AAAA:
    return r.format(", addr {}", ipv6_str(r, rr.addr.data()));
  case t::CNAME:
    return r.format(", cname {}", rr.target.text);
  case t::NS:
    return r.format(", ns {}", rr.target.text);
  case t::PTR:
    return r.format(", {}", rr.target.text);
  case t::MX:
    return r.format(", preference {}, mx {}", rr.preference, rr.target.text);
  case t::SRV:
    return r.format(", priority {}, weight {}, port {}, target {}", rr.preference, rr.weight, rr.port,
                    rr.target.text);
  case t::SOA:
    return r.format(", mname {}", rr.target.text);
  default:
    return {};
  }
}

void opt_rdata(Ctx& c, std::span<const uint8_t> msg, const Record& rr, uint32_t base) {
  ps::Record& r = c.rec;
  const uint32_t o = base + rr.rdata_offset - 10; // type field
  field(c, F::DNS_RR_UDP_PAYLOAD_SIZE, o + 2, 2, rr.rclass, "UDP payload size: {}", rr.rclass);
  const uint8_t ext = static_cast<uint8_t>(rr.ttl >> 24), ver = static_cast<uint8_t>(rr.ttl >> 16);
  const uint16_t z = static_cast<uint16_t>(rr.ttl);
  field(c, F::DNS_RESP_EXT_RCODE, o + 4, 1, ext, "Higher bits in extended RCODE: 0x{:02x}", ext);
  field(c, F::DNS_RESP_EDNS0_VERSION, o + 5, 1, ver, "EDNS0 version: {}", ver);
  if (r.tree()) {
    Item& it = r.push(F::DNS_RESP_Z, o + 6, 2);
    it.num = z;
    it.text = r.format("Z: 0x{:04x}", z);
  } else if (r.want(F::DNS_RESP_Z))
    r.add(F::DNS_RESP_Z, o + 6, 2, z);
  field(c, F::DNS_RESP_Z_DO, o + 6, 2, (z & 0x8000) != 0, "{} = DO bit: {}", bit_pattern(r, z, 16, 0x8000),
        z & 0x8000 ? "Accepts DNSSEC security RRs" : "Cannot handle DNSSEC security RRs");
  field(c, F::DNS_RESP_Z_RESERVED, o + 6, 2, z & 0x7fff, "{} = Reserved: 0x{:04x}",
        bit_pattern(r, z, 16, 0x7fff), z & 0x7fff);
  if (r.tree()) r.pop();
  field(c, F::DNS_RESP_LEN, o + 8, 2, rr.rdlength, "Data length: {}", rr.rdlength);
  for (const dns::EdnsOption& op : rr.options) {
    const uint32_t oo = base + op.offset - 4;
    std::string_view name = dns::option_name(op.code);
    if (name.empty()) name = r.format("Unknown ({})", op.code);
    if (r.tree())
      r.push(F::DNS_OPT, oo, 4u + op.length).text = r.format("Option: {}", name);
    else if (r.want(F::DNS_OPT))
      r.add(F::DNS_OPT, oo, 4u + op.length);
    field(c, F::DNS_OPT_CODE, oo, 2, op.code, "Option Code: {} ({})", name, op.code);
    field(c, F::DNS_OPT_LEN, oo + 2, 2, op.length, "Option Length: {}", op.length);
    const uint8_t* data = msg.data() + op.offset;
    if (op.length && r.want(F::DNS_OPT_DATA)) {
      Item& it = r.add_str(F::DNS_OPT_DATA, base + op.offset, op.length,
                           {reinterpret_cast<const char*>(data), op.length});
      if (r.tree()) it.text = r.format("Option Data: {}", hex(c, data, op.length));
    }
    if (op.code == 10 && op.length >= 8) {
      if (r.want(F::DNS_OPT_COOKIE_CLIENT)) {
        Item& it = r.add_str(F::DNS_OPT_COOKIE_CLIENT, base + op.offset, 8,
                             {reinterpret_cast<const char*>(data), 8});
        if (r.tree()) it.text = r.format("Client Cookie: {}", hex(c, data, 8));
      }
      std::string_view server = op.length > 8 ? hex(c, data + 8, op.length - 8u) : "<MISSING>";
      str_field(c, F::DNS_OPT_COOKIE_SERVER, base + op.offset + 8, op.length - 8u, "Server Cookie", server);
    } else if (op.code == 15 && op.length >= 2) {
      uint16_t code = static_cast<uint16_t>(data[0] << 8 | data[1]);
      std::string_view n = dns::ede_name(code);
      field(c, F::DNS_OPT_EXT_ERROR_INFO_CODE, base + op.offset, 2, code, "Info Code: {} ({})",
            n.empty() ? "Unknown" : n, code);
      if (op.length > 2 && r.tree())
        r.text(r.format("Extra Text: {}", text_of(c, msg, op.offset + 2, op.length - 2u)));
    }
    if (r.tree()) r.pop();
  }
}

void rdata(Ctx& c, std::span<const uint8_t> msg, const Record& rr, uint32_t base) {
  ps::Record& r = c.rec;
  const uint32_t o = base + rr.rdata_offset;
  if (!rr.rdata_parsed) {
    if (rr.rdlength && r.tree())
      r.text(r.format("Data: {}", hex(c, msg.data() + rr.rdata_offset, rr.rdlength)), o, rr.rdlength);
    return;
  }
  switch (rr.type) {
  case t::A:
    field(c, F::DNS_A, o, 4, uint64_t{rr.addr[0]} << 24 | rr.addr[1] << 16 | rr.addr[2] << 8 | rr.addr[3],
          "Address: {}", ipv4_str(r, rr.addr.data()));
    return;
  case t::AAAA:
    if (r.want(F::DNS_AAAA)) {
      Item& it = r.add_str(F::DNS_AAAA, o, 16, r.save({reinterpret_cast<const char*>(rr.addr.data()), 16}));
      if (r.tree()) it.text = r.format("AAAA Address: {}", ipv6_str(r, rr.addr.data()));
    }
    return;
  case t::CNAME:
    str_field(c, F::DNS_CNAME, o, rr.rdlength, "CNAME", rr.target.text);
    return;
  case t::NS:
    str_field(c, F::DNS_NS, o, rr.rdlength, "Name Server", rr.target.text);
    return;
  case t::PTR:
    str_field(c, F::DNS_PTR_DOMAIN_NAME, o, rr.rdlength, "Domain Name", rr.target.text);
    return;
  case t::MX:
    field(c, F::DNS_MX_PREFERENCE, o, 2, rr.preference, "Preference: {}", rr.preference);
    str_field(c, F::DNS_MX_MAIL_EXCHANGE, o + 2, rr.target.wire_len, "Mail Exchange", rr.target.text);
    return;
  case t::SRV:
    field(c, F::DNS_SRV_PRIORITY, o, 2, rr.preference, "Priority: {}", rr.preference);
    field(c, F::DNS_SRV_WEIGHT, o + 2, 2, rr.weight, "Weight: {}", rr.weight);
    field(c, F::DNS_SRV_PORT, o + 4, 2, rr.port, "Port: {}", rr.port);
    str_field(c, F::DNS_SRV_TARGET, o + 6, rr.target.wire_len, "Target", rr.target.text);
    return;
  case t::SOA: {
    str_field(c, F::DNS_SOA_MNAME, base + rr.target.offset, rr.target.wire_len, "Primary name server",
              rr.target.text);
    str_field(c, F::DNS_SOA_RNAME, base + rr.rname.offset, rr.rname.wire_len,
              "Responsible authority's mailbox", rr.rname.text);
    uint32_t n = base + rr.rname.offset + rr.rname.wire_len;
    field(c, F::DNS_SOA_SERIAL, n, 4, rr.serial, "Serial Number: {}", rr.serial);
    const std::tuple<F, uint32_t, std::string_view> times[] = {
        {F::DNS_SOA_REFRESH, rr.refresh, "Refresh Interval"},
        {F::DNS_SOA_RETRY, rr.retry, "Retry Interval"},
        {F::DNS_SOA_EXPIRE, rr.expire, "Expire limit"},
        {F::DNS_SOA_MINIMUM, rr.minimum, "Minimum TTL"}};
    for (auto [f, v, label] : times) {
      n += 4;
      field(c, f, n, 4, v, "{}: {} ({})", label, v, dns::seconds_text(v));
    }
    return;
  }
  case t::TXT:
    for (const dns::TxtString& s : rr.txt) {
      field(c, F::DNS_TXT_LENGTH, base + s.offset - 1, 1, s.length, "TXT Length: {}", s.length);
      str_field(c, F::DNS_TXT, base + s.offset, s.length, "TXT", text_of(c, msg, s.offset, s.length));
    }
    return;
  default:
    return;
  }
}

void record(Ctx& c, std::span<const uint8_t> msg, const Record& rr, uint32_t base) {
  ps::Record& r = c.rec;
  const bool opt = rr.type == t::OPT;
  if (r.tree()) {
    r.push(F::TEXT, base + rr.offset, rr.length).text =
        opt ? r.format("{}: type OPT", rr.name.text)
            : r.format("{}: type {}, class {}{}", rr.name.text, type_short(c, rr.type),
                       class_short(c, rr.rclass), rr_summary(c, rr));
  }
  const uint32_t no = base + rr.name.offset;
  // SRV owner names "_service._proto.name" are shown split, as tshark does.
  const std::string& nm = rr.name.text;
  size_t d1 = nm.find('.'), d2 = d1 == std::string::npos ? d1 : nm.find('.', d1 + 1);
  if (rr.type == t::SRV && d2 != std::string::npos) {
    str_field(c, F::DNS_SRV_SERVICE, no, rr.name.wire_len, "Service", std::string_view(nm).substr(0, d1));
    str_field(c, F::DNS_SRV_PROTO, no, rr.name.wire_len, "Protocol",
              std::string_view(nm).substr(d1 + 1, d2 - d1 - 1));
    str_field(c, F::DNS_SRV_NAME, no, rr.name.wire_len, "Name", std::string_view(nm).substr(d2 + 1));
  } else {
    str_field(c, F::DNS_RESP_NAME, no, rr.name.wire_len, "Name", nm);
  }
  const uint32_t to = base + rr.rdata_offset - 10;
  field(c, F::DNS_RESP_TYPE, to, 2, rr.type, "Type: {}", type_long(c, rr.type));
  if (opt) {
    opt_rdata(c, msg, rr, base);
  } else {
    field(c, F::DNS_RESP_CLASS, to + 2, 2, rr.rclass, "Class: {} (0x{:04x})", class_short(c, rr.rclass),
          rr.rclass);
    field(c, F::DNS_RESP_TTL, to + 4, 4, rr.ttl, "Time to live: {} ({})", rr.ttl, dns::seconds_text(rr.ttl));
    field(c, F::DNS_RESP_LEN, to + 8, 2, rr.rdlength, "Data length: {}", rr.rdlength);
    rdata(c, msg, rr, base);
  }
  if (r.tree()) r.pop();
}

} // namespace

void questions(Ctx& c, const dns::Message& m, uint32_t base, bool mdns) {
  ps::Record& r = c.rec;
  if (m.questions.empty()) return;
  if (r.tree()) r.push(F::TEXT, base + m.questions.front().offset, 0).text = "Queries";
  for (const dns::Question& q : m.questions) {
    const uint16_t cls = mdns ? q.qclass & 0x7fff : q.qclass;
    if (r.tree())
      r.push(F::TEXT, base + q.offset, q.length).text =
          r.format("{}: type {}, class {}", q.name.text, type_short(c, q.type), class_short(c, cls));
    const uint32_t no = base + q.name.offset;
    str_field(c, F::DNS_QRY_NAME, no, q.name.wire_len, "Name", q.name.text);
    if (Item* it = field(c, F::DNS_QRY_NAME_LEN, no, q.name.wire_len, q.name.text_len, "Name Length: {}",
                         q.name.text_len))
      it->generated = true;
    if (Item* it = field(c, F::DNS_COUNT_LABELS, no, q.name.wire_len, q.name.labels, "Label Count: {}",
                         q.name.labels))
      it->generated = true;
    const uint32_t to = no + q.name.wire_len;
    field(c, F::DNS_QRY_TYPE, to, 2, q.type, "Type: {}", type_long(c, q.type));
    field(c, F::DNS_QRY_CLASS, to + 2, 2, cls, "Class: {} (0x{:04x})", class_short(c, cls), cls);
    if (r.tree()) r.pop();
  }
  if (r.tree()) r.pop();
}

void records(Ctx& c, std::span<const uint8_t> msg, const dns::Message& m, uint32_t base, bool mdns) {
  (void)mdns;
  ps::Record& r = c.rec;
  const std::pair<const std::vector<Record>*, std::string_view> sections[] = {
      {&m.answers, "Answers"},
      {&m.authority, "Authoritative nameservers"},
      {&m.additional, "Additional records"}};
  for (auto [list, title] : sections) {
    if (list->empty()) continue;
    if (r.tree()) r.push(F::TEXT, base + list->front().offset, 0).text = title;
    for (const Record& rr : *list) record(c, msg, rr, base);
    if (r.tree()) r.pop();
  }
}

void info_sections(Ctx& c, const dns::Message& m) {
  auto out = std::back_inserter(c.rec.cols().info);
  for (const dns::Question& q : m.questions)
    fmt::format_to(out, " {} {}", type_short(c, q.type), q.name.text);
  for (const auto* list : {&m.answers, &m.authority, &m.additional}) {
    for (const Record& rr : *list) {
      fmt::format_to(out, " {}", type_short(c, rr.type));
      if (!rr.rdata_parsed) continue;
      switch (rr.type) {
      case t::A:
        fmt::format_to(out, " {}", ipv4_str(c.rec, rr.addr.data()));
        break;
      case t::AAAA:
        fmt::format_to(out, " {}", ipv6_str(c.rec, rr.addr.data()));
        break;
      case t::CNAME:
      case t::NS:
      case t::PTR:
      case t::SOA:
        fmt::format_to(out, " {}", rr.target.text);
        break;
      case t::MX:
        fmt::format_to(out, " {} {}", rr.preference, rr.target.text);
        break;
      case t::SRV:
        fmt::format_to(out, " {} {} {} {}", rr.preference, rr.weight, rr.port, rr.target.text);
        break;
      default:
        break;
      }
    }
  }
}

} // namespace ps::proto::dns_detail
