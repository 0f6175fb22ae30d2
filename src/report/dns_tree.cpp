// dns,tree: tshark's DNS statistics tree (epan/dissectors/packet-dns.c's stats tree), read from the
// fields the DNS describer emits (its query/response matching included).
#include "dns/names.h"
#include "report/stats_tree.h"

namespace ps::report {

namespace {

std::string_view or_unknown(std::string_view name, std::string& buf, std::string_view what, unsigned v) {
  if (!name.empty()) return name;
  buf = fmt::format("Unknown {} ({})", what, v);
  return buf;
}

// One DNS message's numbers, as tshark's tap hands them over.
struct DnsTap {
  bool response = false, unsolicited = false, timed = false, malformed = false;
  uint16_t opcode = 0, rcode = 0, qtype = 0, qclass = 0, qname_len = 0, labels = 0;
  uint16_t questions = 0, answers = 0, authorities = 0, additionals = 0;
  uint32_t payload = 0;
  int64_t rrt_ns = 0;
};

} // namespace

DnsTree::DnsTree() {
  using V = StatsTree::Values;
  const uint32_t root = StatsTree::kRoot;
  packets_ = tree_.node(root, "Total Packets");
  rcode_ = tree_.node(packets_, "rcode");
  opcodes_ = tree_.node(packets_, "opcodes");
  qr_ = tree_.node(packets_, "Query/Response");
  qtypes_ = tree_.node(packets_, "Query Type");
  classes_ = tree_.node(packets_, "Class");
  payload_ = tree_.average_node(root, "Payload size", V::Int);
  const uint32_t query = tree_.node(root, "Query Stats");
  qname_len_ = tree_.average_node(query, "Qname Len", V::Int);
  const uint32_t label = tree_.node(query, "Label Stats");
  labels_[0] = tree_.node(label, "1st Level");
  labels_[1] = tree_.node(label, "2nd Level");
  labels_[2] = tree_.node(label, "3rd Level");
  labels_[3] = tree_.node(label, "4th Level or more");
  const uint32_t resp = tree_.node(root, "Response Stats");
  questions_ = tree_.average_node(resp, "no. of questions", V::Int);
  authorities_ = tree_.average_node(resp, "no. of authorities", V::Int);
  answers_ = tree_.average_node(resp, "no. of answers", V::Int);
  additionals_ = tree_.average_node(resp, "no. of additionals", V::Int);
  const uint32_t service = tree_.node(root, "Service Stats");
  rrt_ = tree_.average_node(service, "request-response time (msec)", V::Float);
  unsolicited_ = tree_.node(service, "no. of unsolicited responses");
  retransmissions_ = tree_.node(service, "no. of retransmissions");
  for (F f :
       {F::DNS, F::DNS_FLAGS_RESPONSE, F::DNS_FLAGS_OPCODE, F::DNS_FLAGS_RCODE, F::DNS_COUNT_QUERIES,
        F::DNS_COUNT_ANSWERS, F::DNS_COUNT_AUTH_RR, F::DNS_COUNT_ADD_RR, F::DNS_QRY_TYPE, F::DNS_QRY_CLASS,
        F::DNS_QRY_NAME_LEN, F::DNS_COUNT_LABELS, F::DNS_TIME, F::DNS_UNSOLICITED, F::MALFORMED})
    wanted_.set(static_cast<size_t>(f));
}

void DnsTree::packet(const PacketView& v, int64_t first_ns) {
  if (first_) {
    times_.first = times_.previous = v.frame.ts;
    first_ = false;
  }
  rec_.reset(false, &wanted_, false);
  DescribeOptions opt;
  opt.check_checksums = false;
  describe(v.pkt, v.meta, opt, times_, rec_, v.app);
  times_.previous = v.frame.ts;
  // The messages of this frame: each starts at its "dns" item.
  std::vector<DnsTap> taps;
  bool first_question = false;
  for (const Item& it : rec_.items()) {
    if (it.field == F::DNS) {
      taps.emplace_back();
      taps.back().payload = it.length; // over TCP with its length prefix, as tshark counts it
      first_question = true;
      continue;
    }
    if (taps.empty()) continue;
    DnsTap& t = taps.back();
    const auto n = static_cast<uint16_t>(it.num);
    switch (it.field) {
    case F::DNS_FLAGS_RESPONSE:
      t.response = it.num != 0;
      break;
    case F::DNS_FLAGS_OPCODE:
      t.opcode = n;
      break;
    case F::DNS_FLAGS_RCODE:
      t.rcode = n;
      break;
    case F::DNS_COUNT_QUERIES:
      t.questions = n;
      break;
    case F::DNS_COUNT_ANSWERS:
      t.answers = n;
      break;
    case F::DNS_COUNT_AUTH_RR:
      t.authorities = n;
      break;
    case F::DNS_COUNT_ADD_RR:
      t.additionals = n;
      break;
    case F::DNS_QRY_NAME_LEN:
      if (first_question) t.qname_len = n;
      break;
    case F::DNS_COUNT_LABELS:
      if (first_question) t.labels = n;
      break;
    case F::DNS_QRY_TYPE:
      if (first_question) t.qtype = n;
      break;
    case F::DNS_QRY_CLASS:
      if (first_question) t.qclass = n;
      first_question = false; // the class ends a question
      break;
    case F::DNS_TIME:
      t.timed = true;
      t.rrt_ns = static_cast<int64_t>(it.num);
      break;
    case F::DNS_UNSOLICITED:
      t.unsolicited = true;
      break;
    case F::MALFORMED:
      t.malformed = true; // tshark's dissector threw: the message never reached the tap
      break;
    default:
      break;
    }
  }
  if (taps.empty()) return;
  const double now = static_cast<double>(v.frame.ts.sec * 1'000'000'000 + v.frame.ts.nsec - first_ns) / 1e6;
  std::string buf;
  for (const DnsTap& t : taps) {
    if (t.malformed) continue;
    tree_.packet(now);
    tree_.tick(packets_, now);
    tree_.tick(rcode_, now);
    tree_.tick(
        tree_.node(rcode_, or_unknown(dns::rcode_name(static_cast<uint8_t>(t.rcode)), buf, "rcode", t.rcode)),
        now);
    tree_.tick(opcodes_, now);
    tree_.tick(tree_.node(opcodes_, or_unknown(dns::opcode_name(static_cast<uint8_t>(t.opcode)), buf,
                                               "opcode", t.opcode)),
               now);
    tree_.tick(qr_, now);
    tree_.tick(tree_.node(qr_, t.response ? "Response" : "Query"), now);
    tree_.tick(qtypes_, now);
    tree_.tick(tree_.node(qtypes_, or_unknown(dns::type_description(t.qtype), buf, "packet type", t.qtype)),
               now);
    tree_.tick(classes_, now);
    tree_.tick(tree_.node(classes_, or_unknown(dns::class_name(t.qclass), buf, "class", t.qclass)), now);
    tree_.add_value(payload_, now, int64_t{t.payload});
    if (!t.response) {
      tree_.add_value(qname_len_, now, int64_t{t.qname_len});
      tree_.tick(labels_[t.labels >= 4 ? 3 : t.labels >= 1 ? t.labels - 1 : 3], now);
    }
    if (t.response) {
      // tshark 4.0 adds a response's section counts once, and once more when it answers a query it saw.
      for (int k = t.unsolicited ? 1 : 2; k > 0; --k) {
        tree_.add_value(questions_, now, int64_t{t.questions});
        tree_.add_value(answers_, now, int64_t{t.answers});
        tree_.add_value(authorities_, now, int64_t{t.authorities});
        tree_.add_value(additionals_, now, int64_t{t.additionals});
      }
      if (t.unsolicited)
        tree_.tick(unsolicited_, now);
      else if (t.timed)
        tree_.add_value(rrt_, now,
                        static_cast<float>(static_cast<double>(t.rrt_ns / 1'000'000'000) * 1000.0 +
                                           static_cast<double>(t.rrt_ns % 1'000'000'000) / 1'000'000.0));
    }
  }
}

} // namespace ps::report
