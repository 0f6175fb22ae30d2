#include "output/log/dns_log.h"

#include <arpa/inet.h>

#include <fmt/format.h>

#include "dns/message.h"
#include "dns/names.h"

namespace ps::app {

namespace {

std::string rdata_text(const dns::Record& r) {
  if (!r.rdata_parsed) return {};
  char buf[INET6_ADDRSTRLEN] = {};
  switch (r.type) {
  case dns::type::A:
    inet_ntop(AF_INET, r.addr.data(), buf, sizeof buf);
    return buf;
  case dns::type::AAAA:
    inet_ntop(AF_INET6, r.addr.data(), buf, sizeof buf);
    return buf;
  case dns::type::CNAME:
  case dns::type::NS:
  case dns::type::PTR:
  case dns::type::MX:
  case dns::type::SRV:
    return r.target.text;
  default:
    return {};
  }
}

std::string type_text(uint16_t t) {
  std::string_view n = dns::type_name(t);
  return n.empty() ? std::to_string(t) : std::string(n);
}

} // namespace

void DnsLogBuilder::message(std::span<const uint8_t> bytes, bool tcp, int64_t ts_ns,
                            const ConnId& sender_view) {
  dns::ParseResult p = dns::parse_dns(bytes);
  if (p.error == dns::Error::ShortHeader) return;
  const dns::Message& m = p.msg;
  auto key = std::make_tuple(tcp, sender_view.stream, m.id);
  if (!m.flags.qr) {
    if (!room()) {
      // Remember the dropped query (bounded) so that its response is not counted a second time.
      // (try_emplace: a logged query with the same id keeps its row for its answer.)
      if (open_.size() < max_rows_) open_.try_emplace(key, kDroppedRow);
      return;
    }
    Row r;
    r.ts_ns = ts_ns;
    r.id = sender_view;
    r.tcp = tcp;
    r.trans_id = m.id;
    r.rd = m.flags.rd;
    if (!m.questions.empty()) {
      r.query = m.questions[0].name.text;
      std::string_view c = dns::class_name(m.questions[0].qclass);
      r.qclass = c.empty() ? std::to_string(m.questions[0].qclass) : std::string(c);
      r.qtype = type_text(m.questions[0].type);
    }
    open_[key] = rows_.size();
    rows_.push_back(std::move(r));
    return;
  }
  auto it = open_.find(key);
  Row* r = nullptr;
  if (it != open_.end() && it->second == kDroppedRow) {
    open_.erase(it);
    return;
  }
  if (it != open_.end() && it->second < rows_.size()) {
    r = &rows_[it->second];
    open_.erase(it);
  } else if (room()) { // a response without its query: log it alone
    Row n;
    n.ts_ns = ts_ns;
    n.id = sender_view;
    std::swap(n.id.orig_h, n.id.resp_h);
    std::swap(n.id.orig_p, n.id.resp_p);
    n.tcp = tcp;
    n.trans_id = m.id;
    if (!m.questions.empty()) {
      n.query = m.questions[0].name.text;
      n.qtype = type_text(m.questions[0].type);
    }
    rows_.push_back(std::move(n));
    r = &rows_.back();
  }
  if (!r) return;
  r->answered = true;
  std::string_view rc = dns::rcode_name(m.flags.rcode);
  r->rcode = rc.empty() ? std::to_string(m.flags.rcode) : std::string(rc);
  r->aa = m.flags.aa;
  r->tc = m.flags.tc;
  r->ra = m.flags.ra;
  for (const dns::Record& a : m.answers) {
    if (r->answers.size() >= 64) break;
    std::string t = rdata_text(a);
    if (t.empty()) continue;
    r->answers.push_back(std::move(t));
    r->ttls.push_back(fmt::format("{}.0", a.ttl));
  }
}

LogTable DnsLogBuilder::table() const {
  return table_of(nullptr);
}

LogTable DnsLogBuilder::table(const std::vector<size_t>& pick) const {
  return table_of(&pick);
}

LogTable DnsLogBuilder::table_of(const std::vector<size_t>* pick) const {
  LogTable L;
  L.path = "dns";
  for (auto [n, numeric] : {std::pair{"ts", true},
                            {"uid", false},
                            {"id.orig_h", false},
                            {"id.orig_p", true},
                            {"id.resp_h", false},
                            {"id.resp_p", true},
                            {"proto", false},
                            {"trans_id", true},
                            {"query", false},
                            {"qclass_name", false},
                            {"qtype_name", false},
                            {"rcode_name", false},
                            {"AA", true},
                            {"TC", true},
                            {"RD", true},
                            {"RA", true},
                            {"answers", false},
                            {"TTLs", false}})
    L.columns.push_back({n, numeric});
  auto b = [](bool v) { return std::optional<std::string>(v ? "true" : "false"); };
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + v[i];
    return s.empty() ? std::optional<std::string>{} : std::optional<std::string>{s};
  };
  const size_t n = pick ? pick->size() : rows_.size();
  for (size_t k = 0; k < n; ++k) {
    const Row& r = rows_[pick ? (*pick)[k] : k];
    std::vector<std::optional<std::string>> row;
    uint64_t a = static_cast<uint64_t>(r.ts_ns < 0 ? 0 : r.ts_ns);
    row.push_back(fmt::format("{}.{:06}", a / 1'000'000'000, (a % 1'000'000'000) / 1000));
    row.push_back(stream_uid(r.id.stream, !r.tcp));
    row.push_back(r.id.orig_h);
    row.push_back(std::to_string(r.id.orig_p));
    row.push_back(r.id.resp_h);
    row.push_back(std::to_string(r.id.resp_p));
    row.push_back(std::string(r.tcp ? "tcp" : "udp"));
    row.push_back(std::to_string(r.trans_id));
    auto opt = [](const std::string& s) {
      return s.empty() ? std::optional<std::string>{} : std::optional<std::string>{s};
    };
    row.push_back(opt(r.query));
    row.push_back(opt(r.qclass));
    row.push_back(opt(r.qtype));
    row.push_back(opt(r.rcode));
    row.push_back(b(r.aa));
    row.push_back(b(r.tc));
    row.push_back(b(r.rd));
    row.push_back(b(r.ra));
    row.push_back(join(r.answers));
    row.push_back(join(r.ttls));
    L.rows.push_back(std::move(row));
  }
  return L;
}

} // namespace ps::app
