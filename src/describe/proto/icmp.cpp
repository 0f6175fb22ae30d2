#include "describe/proto/ipv6_ext.h"
#include "wire/checksum.h"
#include "wire/ipv4.h"
#include "wire/ipv6.h"

namespace ps::proto {

namespace {

std::string_view icmp_type_name(uint8_t t) {
  switch (t) {
  case 0:
    return "Echo (ping) reply";
  case 3:
    return "Destination unreachable";
  case 4:
    return "Source quench (flow control)";
  case 5:
    return "Redirect";
  case 8:
    return "Echo (ping) request";
  case 9:
    return "Router advertisement";
  case 10:
    return "Router solicitation";
  case 11:
    return "Time-to-live exceeded";
  case 12:
    return "Parameter problem";
  case 13:
    return "Timestamp request";
  case 14:
    return "Timestamp reply";
  default:
    return "Unknown ICMP (obsolete or malformed?)";
  }
}

std::string_view icmp_code_name(uint8_t t, uint8_t c) {
  static constexpr std::string_view kUnreach[] = {"Network unreachable",
                                                  "Host unreachable",
                                                  "Protocol unreachable",
                                                  "Port unreachable",
                                                  "Fragmentation needed",
                                                  "Source route failed",
                                                  "Destination network unknown",
                                                  "Destination host unknown",
                                                  "Source host isolated",
                                                  "Network administratively prohibited",
                                                  "Host administratively prohibited",
                                                  "Network unreachable for TOS",
                                                  "Host unreachable for TOS",
                                                  "Communication administratively filtered",
                                                  "Host precedence violation",
                                                  "Precedence cutoff in effect"};
  if (t == 3 && c < 16) return kUnreach[c];
  if (t == 11)
    return c == 0 ? "Time to live exceeded in transit" : c == 1 ? "Fragment reassembly time exceeded" : "";
  if (t == 5) {
    static constexpr std::string_view kRedir[] = {"Redirect for network", "Redirect for host",
                                                  "Redirect for TOS and network",
                                                  "Redirect for TOS and host"};
    if (c < 4) return kRedir[c];
  }
  return "";
}

std::string_view icmpv6_type_name(uint8_t t) {
  switch (t) {
  case 1:
    return "Destination Unreachable";
  case 2:
    return "Packet Too Big";
  case 3:
    return "Time Exceeded";
  case 4:
    return "Parameter Problem";
  case 128:
    return "Echo (ping) request";
  case 129:
    return "Echo (ping) reply";
  case 130:
    return "Multicast Listener Query";
  case 131:
    return "Multicast Listener Report";
  case 132:
    return "Multicast Listener Done";
  case 133:
    return "Router Solicitation";
  case 134:
    return "Router Advertisement";
  case 135:
    return "Neighbor Solicitation";
  case 136:
    return "Neighbor Advertisement";
  case 137:
    return "Redirect";
  case 143:
    return "Multicast Listener Report Message v2";
  default:
    return "Unknown";
  }
}

std::string_view icmpv6_code_name(uint8_t t, uint8_t c) {
  static constexpr std::string_view kUnreach[] = {"No route to destination",
                                                  "Administratively prohibited",
                                                  "Beyond scope of source address",
                                                  "Address unreachable",
                                                  "Port unreachable",
                                                  "Source address failed ingress/egress policy",
                                                  "Reject route to destination"};
  if (t == 1 && c < 7) return kUnreach[c];
  if (t == 3)
    return c == 0 ? "hop limit exceeded in transit" : c == 1 ? "fragment reassembly time exceeded" : "";
  if (t == 4) {
    static constexpr std::string_view kParam[] = {"erroneous header field encountered",
                                                  "unrecognized Next Header type encountered",
                                                  "unrecognized IPv6 option encountered"};
    if (c < 3) return kParam[c];
  }
  return "";
}

std::string_view opt_name(uint8_t t) {
  switch (t) {
  case 1:
    return "Source link-layer address";
  case 2:
    return "Target link-layer address";
  case 3:
    return "Prefix information";
  case 4:
    return "Redirected header";
  case 5:
    return "MTU";
  case 14:
    return "Nonce";
  case 25:
    return "Recursive DNS Server";
  case 31:
    return "DNS Search List";
  default:
    return "Unknown";
  }
}

std::string_view mar_type_name(uint8_t t) {
  switch (t) {
  case 1:
    return "Mode is include";
  case 2:
    return "Mode is exclude";
  case 3:
    return "Changed to include";
  case 4:
    return "Changed to exclude";
  case 5:
    return "Allow new sources";
  case 6:
    return "Block old sources";
  default:
    return "Unknown";
  }
}

std::string_view icmp_raw(wire::Bytes b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

struct Icmp {
  Ctx& c;
  Record& r;
  wire::Bytes b;
  uint32_t o;
  bool v6;
  Source src;                         // the ICMP layer's source: quoted headers live in the same bytes
  const uint8_t* link_addr = nullptr; // first SLLA/TLLA option, for the Info column

  Item& add(F f, size_t off, size_t len, uint64_t v) {
    return r.add(f, o + static_cast<uint32_t>(off), static_cast<uint32_t>(len), v);
  }
  Item& add_raw(F f, size_t off, size_t len) {
    return r.add_str(f, o + static_cast<uint32_t>(off), static_cast<uint32_t>(len),
                     icmp_raw(b.subspan(off, len)));
  }
  void addr(F f, size_t off, std::string_view label) {
    if (off + 16 > b.size()) return;
    Item& it = add_raw(f, off, 16);
    if (r.tree()) it.text = r.format("{}: {}", label, ipv6_str(r, &b[off]));
  }

  // ND options from `off` to the end.
  void nd_options(size_t off) {
    while (off + 2 <= b.size()) {
      uint8_t t = b[off], n = b[off + 1];
      size_t len = size_t{n} * 8;
      if (n == 0 || off + len > b.size()) {
        if (r.tree())
          r.text(r.format("[Malformed ICMPv6 option at offset {}]", off), o + static_cast<uint32_t>(off));
        return;
      }
      wire::Bytes v = b.subspan(off + 2, len - 2);
      bool ll = (t == 1 || t == 2) && v.size() >= 6;
      if (ll && !link_addr) link_addr = v.data();
      if (!r.tree()) {
        if (r.want(F::ICMPV6_OPT_TYPE)) add(F::ICMPV6_OPT_TYPE, off, 1, t);
        if (ll && r.want(F::ICMPV6_OPT_LINKADDR)) add_raw(F::ICMPV6_OPT_LINKADDR, off + 2, 6);
        off += len;
        continue;
      }
      std::string_view head = opt_name(t);
      if (ll)
        head = r.format("{} : {}", opt_name(t), ether_str(r, v.data()));
      else if (t == 5 && v.size() >= 6)
        head = r.format("MTU : {}", wire::be32(&v[2]));
      else if (t == 3 && v.size() >= 30)
        head = r.format("Prefix information : {}/{}", ipv6_str(r, &v[14]), v[0]);
      r.push(F::ICMPV6_OPT, o + static_cast<uint32_t>(off), static_cast<uint32_t>(len)).text =
          t == 14 ? std::string_view("ICMPv6 Option (Nonce)") : r.format("ICMPv6 Option ({})", head);
      add(F::ICMPV6_OPT_TYPE, off, 1, t).text = r.format("Type: {} ({})", opt_name(t), t);
      add(F::ICMPV6_OPT_LENGTH, off + 1, 1, n).text = r.format("Length: {} ({} bytes)", n, len);
      size_t p = off + 2;
      if (ll) {
        add_raw(F::ICMPV6_OPT_LINKADDR, p, 6).text =
            r.format("Link-layer address: {}", ether_tree_str(c, v.data()));
      } else if (t == 14) {
        add_raw(F::ICMPV6_OPT_NONCE, p, v.size()).text = r.format("Nonce: {}", hex_str(r, v));
      } else if (t == 5 && v.size() >= 6) {
        add(F::ICMPV6_OPT_RESERVED, p, 2, 0).text = "Reserved";
        add(F::ICMPV6_OPT_MTU, p + 2, 4, wire::be32(&v[2])).text = r.format("MTU: {}", wire::be32(&v[2]));
      } else if (t == 3 && v.size() >= 30) {
        uint8_t fl = v[1];
        add(F::ICMPV6_OPT_PREFIX_LENGTH, p, 1, v[0]).text = r.format("Prefix Length: {}", v[0]);
        std::string flags;
        if (fl & 0x80) flags += ", On-link flag(L)";
        if (fl & 0x40) flags += ", Autonomous address-configuration flag(A)";
        if (fl & 0x20) flags += ", Router address flag(R)";
        r.push(F::ICMPV6_OPT_PREFIX_FLAG, o + static_cast<uint32_t>(p + 1), 1).num = fl;
        r.items().back().text = r.format("Flag: 0x{:02x}{}", fl, flags);
        add(F::ICMPV6_OPT_PREFIX_FLAG_L, p + 1, 1, (fl >> 7) & 1).text =
            r.format("{} = On-link flag(L): {}", bit_pattern(r, fl, 8, 0x80), set_str(fl & 0x80));
        add(F::ICMPV6_OPT_PREFIX_FLAG_A, p + 1, 1, (fl >> 6) & 1).text =
            r.format("{} = Autonomous address-configuration flag(A): {}", bit_pattern(r, fl, 8, 0x40),
                     set_str(fl & 0x40));
        add(F::ICMPV6_OPT_PREFIX_FLAG_R, p + 1, 1, (fl >> 5) & 1).text =
            r.format("{} = Router address flag(R): {}", bit_pattern(r, fl, 8, 0x20), set_str(fl & 0x20));
        add(F::ICMPV6_OPT_PREFIX_FLAG_RSV, p + 1, 1, fl & 0x1f).text =
            r.format("{} = Reserved: {}", bit_pattern(r, fl, 8, 0x1f), fl & 0x1f);
        r.pop();
        add(F::ICMPV6_OPT_PREFIX_VALID, p + 2, 4, wire::be32(&v[2])).text =
            r.format("Valid Lifetime: {}", wire::be32(&v[2]));
        add(F::ICMPV6_OPT_PREFIX_PREFERRED, p + 6, 4, wire::be32(&v[6])).text =
            r.format("Preferred Lifetime: {}", wire::be32(&v[6]));
        add(F::ICMPV6_OPT_RESERVED, p + 10, 4, 0).text = "Reserved";
        addr(F::ICMPV6_OPT_PREFIX, p + 14, "Prefix");
      }
      r.pop();
      off += len;
    }
  }

  void mldv2_report() {
    if (b.size() < 8) return;
    uint16_t n = wire::be16(&b[6]);
    if (r.tree())
      add_raw(F::ICMPV6_RESERVED, 4, 2).text = r.format("Reserved: {}", hex_str(r, b.subspan(4, 2)));
    if (r.want(F::ICMPV6_MLDR_NB_MCAST_RECORDS))
      add(F::ICMPV6_MLDR_NB_MCAST_RECORDS, 6, 2, n).text =
          r.format("Number of Multicast Address Records: {}", n);
    size_t off = 8;
    for (uint16_t i = 0; i < n && off + 20 <= b.size(); ++i) {
      uint8_t type = b[off], aux = b[off + 1];
      uint16_t ns = wire::be16(&b[off + 2]);
      size_t len = 20 + size_t{ns} * 16 + size_t{aux} * 4;
      if (off + len > b.size()) break;
      if (r.tree()) {
        r.push(F::ICMPV6_MLDR_MAR, o + static_cast<uint32_t>(off), static_cast<uint32_t>(len)).text =
            r.format("Multicast Address Record {}: {}", mar_type_name(type), ipv6_str(r, &b[off + 4]));
        add(F::ICMPV6_MLDR_MAR_RECORD_TYPE, off, 1, type).text =
            r.format("Record Type: {} ({})", mar_type_name(type), type);
        add(F::ICMPV6_MLDR_MAR_AUX_DATA_LEN, off + 1, 1, aux).text = r.format("Aux Data Len: {}", aux);
        add(F::ICMPV6_MLDR_MAR_NB_SOURCES, off + 2, 2, ns).text = r.format("Number of Sources: {}", ns);
        addr(F::ICMPV6_MLDR_MAR_MCAST, off + 4, "Multicast Address");
        for (uint16_t s = 0; s < ns; ++s)
          addr(F::ICMPV6_MLDR_MAR_SOURCE, off + 20 + s * 16u, "Source Address");
        r.pop();
      } else if (r.want(F::ICMPV6_MLDR_MAR_MCAST)) {
        add_raw(F::ICMPV6_MLDR_MAR_MCAST, off + 4, 16);
      }
      off += len;
    }
  }

  // The quoted transport header's fields a record without a tree wants (filters, -T fields).
  void quoted_fields(wire::Bytes t, uint32_t to, uint8_t proto, uint16_t sp, uint16_t dp) {
    if (proto == 17 && t.size() >= 8) {
      if (r.want(F::UDP)) r.add(F::UDP, to, 8);
      if (r.want(F::UDP_SRCPORT)) r.add(F::UDP_SRCPORT, to, 2, sp);
      if (r.want(F::UDP_DSTPORT)) r.add(F::UDP_DSTPORT, to + 2, 2, dp);
      if (r.want(F::UDP_PORT)) {
        r.add(F::UDP_PORT, to, 2, sp).hidden = true;
        r.add(F::UDP_PORT, to + 2, 2, dp).hidden = true;
      }
      if (r.want(F::UDP_LENGTH)) r.add(F::UDP_LENGTH, to + 4, 2, wire::be16(&t[4]));
      if (r.want(F::UDP_CHECKSUM)) r.add(F::UDP_CHECKSUM, to + 6, 2, wire::be16(&t[6]));
      if (r.want(F::UDP_CHECKSUM_STATUS)) r.add(F::UDP_CHECKSUM_STATUS, to + 6, 0, 2).generated = true;
      if (t.size() > 8 && r.want(F::UDP_PAYLOAD))
        r.add_str(F::UDP_PAYLOAD, to + 8, static_cast<uint32_t>(t.size() - 8), icmp_raw(t.subspan(8)));
    } else if (proto == 6) {
      if (r.want(F::TCP)) r.add(F::TCP, to, static_cast<uint32_t>(t.size()));
      if (r.want(F::TCP_SRCPORT)) r.add(F::TCP_SRCPORT, to, 2, sp);
      if (r.want(F::TCP_DSTPORT)) r.add(F::TCP_DSTPORT, to + 2, 2, dp);
      if (r.want(F::TCP_PORT)) {
        r.add(F::TCP_PORT, to, 2, sp).hidden = true;
        r.add(F::TCP_PORT, to + 2, 2, dp).hidden = true;
      }
      if (t.size() >= 8 && r.want(F::TCP_SEQ_RAW)) r.add(F::TCP_SEQ_RAW, to + 4, 4, wire::be32(&t[4]));
    }
  }

  // A quoted ICMP header (the echo request a traceroute's Time-to-live exceeded answers), as tshark
  // shows it: its checksum unverified, the echo identifier and sequence number in both byte orders.
  void quoted_icmp(wire::Bytes t, uint32_t to) {
    const bool tree = r.tree();
    const uint8_t type = t[0], code = t[1];
    const uint16_t sum = wire::be16(&t[2]);
    if (tree)
      r.push(F::ICMP, to, static_cast<uint32_t>(t.size())).text = "Internet Control Message Protocol";
    else if (r.want(F::ICMP))
      r.add(F::ICMP, to, static_cast<uint32_t>(t.size()));
    if (r.want(F::ICMP_TYPE))
      r.add(F::ICMP_TYPE, to, 1, type).text =
          tree ? r.format("Type: {} ({})", type, icmp_type_name(type)) : "";
    if (r.want(F::ICMP_CODE))
      r.add(F::ICMP_CODE, to + 1, 1, code).text = tree ? r.format("Code: {}", code) : "";
    if (r.want(F::ICMP_CHECKSUM))
      r.add(F::ICMP_CHECKSUM, to + 2, 2, sum).text =
          tree ? r.format("Checksum: 0x{:04x} [unverified] [in ICMP error packet]", sum) : "";
    if (r.want(F::ICMP_CHECKSUM_STATUS)) {
      Item& it = r.add(F::ICMP_CHECKSUM_STATUS, to + 2, 0, 2);
      it.generated = true;
      if (tree) it.text = "Checksum Status: Unverified";
    }
    if (type == 0 || type == 8) {
      const uint16_t id = wire::be16(&t[4]), seq = wire::be16(&t[6]);
      const auto swap = [](uint16_t v) { return static_cast<uint16_t>((v >> 8) | (v << 8)); };
      auto num = [&](F f, uint32_t off, uint16_t v, std::string_view label) {
        if (r.want(f)) r.add(f, off, 2, v).text = tree ? r.format("{}: {} (0x{:04x})", label, v, v) : "";
      };
      num(F::ICMP_IDENT, to + 4, id, "Identifier (BE)");
      num(F::ICMP_IDENT_LE, to + 4, swap(id), "Identifier (LE)");
      num(F::ICMP_SEQ, to + 6, seq, "Sequence Number (BE)");
      num(F::ICMP_SEQ_LE, to + 6, swap(seq), "Sequence Number (LE)");
    }
    if (tree) r.pop();
  }

  // The packet an error message quotes: its IP header and first transport bytes, nested.
  void quoted(size_t off) {
    if (off >= b.size()) return;
    wire::Bytes q = b.subspan(off);
    uint32_t qo = o + static_cast<uint32_t>(off);
    Columns saved_cols;
    std::string saved_info(r.cols().info.data(), r.cols().info.size());
    saved_cols.protocol = r.cols().protocol;
    saved_cols.src = r.cols().src;
    saved_cols.dst = r.cols().dst;
    uint8_t proto = 0;
    size_t hl = 0;
    if (!v6 && wire::Ipv4View::check(q) == nullptr) {
      wire::Ipv4View ip(q);
      describe_ipv4(c, {Layer::Ipv4, src, 0, qo, static_cast<uint32_t>(q.size())});
      proto = ip.protocol();
      hl = ip.header_len();
    } else if (v6 && wire::Ipv6View::valid(q)) {
      describe_ipv6_quoted(c, {Layer::Ipv6, src, 0, qo, static_cast<uint32_t>(q.size())});
      wire::Ipv6ExtWalker w(q);
      wire::Ipv6Ext e;
      while (w.next(e)) {
      }
      proto = w.upper();
      hl = w.upper_offset();
    }
    r.cols().protocol = saved_cols.protocol;
    r.cols().src = saved_cols.src;
    r.cols().dst = saved_cols.dst;
    r.cols().info.clear();
    r.cols().info.append(saved_info.data(), saved_info.data() + saved_info.size());
    if (hl == 0 || hl + 4 > q.size()) return;
    wire::Bytes t = q.subspan(hl);
    uint32_t to = qo + static_cast<uint32_t>(hl);
    uint16_t sp = wire::be16(&t[0]), dp = wire::be16(&t[2]);
    if (proto == 1 && !v6 && t.size() >= 8) {
      quoted_icmp(t, to);
      return;
    }
    if (!r.tree()) {
      quoted_fields(t, to, proto, sp, dp);
      return;
    }
    if (proto == 17 && t.size() >= 8) {
      r.push(F::UDP, to, 8).text = r.format("User Datagram Protocol, Src Port: {}, Dst Port: {}", sp, dp);
      r.add(F::UDP_SRCPORT, to, 2, sp).text = r.format("Source Port: {}", sp);
      r.add(F::UDP_DSTPORT, to + 2, 2, dp).text = r.format("Destination Port: {}", dp);
      r.add(F::UDP_PORT, to, 2, sp).hidden = true;
      r.add(F::UDP_PORT, to + 2, 2, dp).hidden = true;
      r.add(F::UDP_LENGTH, to + 4, 2, wire::be16(&t[4])).text = r.format("Length: {}", wire::be16(&t[4]));
      r.add(F::UDP_CHECKSUM, to + 6, 2, wire::be16(&t[6])).text =
          r.format("Checksum: 0x{:04x} [unverified]", wire::be16(&t[6]));
      r.add(F::UDP_CHECKSUM_STATUS, to + 6, 0, 2).generated = true;
      r.items().back().text = "Checksum Status: Unverified";
      if (t.size() > 8)
        r.add_str(F::UDP_PAYLOAD, to + 8, static_cast<uint32_t>(t.size() - 8), icmp_raw(t.subspan(8))).text =
            r.format("UDP payload ({} bytes)", t.size() - 8);
      r.pop();
    } else if (proto == 6) {
      r.push(F::TCP, to, static_cast<uint32_t>(t.size())).text =
          r.format("Transmission Control Protocol, Src Port: {}, Dst Port: {}", sp, dp);
      r.add(F::TCP_SRCPORT, to, 2, sp).text = r.format("Source Port: {}", sp);
      r.add(F::TCP_DSTPORT, to + 2, 2, dp).text = r.format("Destination Port: {}", dp);
      r.add(F::TCP_PORT, to, 2, sp).hidden = true;
      r.add(F::TCP_PORT, to + 2, 2, dp).hidden = true;
      if (t.size() >= 8)
        r.add(F::TCP_SEQ_RAW, to + 4, 4, wire::be32(&t[4])).text =
            r.format("Sequence Number: {}", wire::be32(&t[4]));
      r.pop();
    }
  }
};

// tshark's guess at the timeval a ping put first in its echo data: 32-bit seconds and microseconds,
// little- or big-endian, whichever lies closest to the frame's time, within a day of it.
bool echo_timestamp(wire::Bytes d, int64_t frame_ns, int64_t& out_ns) {
  if (d.size() < 8) return false;
  int64_t best = int64_t{86400} * 1'000'000'000;
  bool found = false;
  for (bool le : {true, false}) {
    const uint32_t s = le ? wire::le32(d.data()) : wire::be32(d.data());
    const uint32_t us = le ? wire::le32(d.data() + 4) : wire::be32(d.data() + 4);
    if (us >= 1'000'000) continue;
    const int64_t ts = int64_t{s} * 1'000'000'000 + int64_t{us} * 1000;
    const int64_t delta = frame_ns > ts ? frame_ns - ts : ts - frame_ns;
    if (delta < best) {
      best = delta;
      out_ns = ts;
      found = true;
    }
  }
  return found;
}

// Payload bytes of an echo message, as tshark's nested "Data (N bytes)".
void echo_data(Ctx& c, wire::Bytes b, const LayerSpan& l, size_t off) {
  if (b.size() > off)
    describe_data(c, {Layer::Data, l.source, 0, l.offset + static_cast<uint32_t>(off),
                      static_cast<uint32_t>(b.size() - off)});
}

void checksum(Ctx& c, wire::Bytes b, const LayerSpan& l, bool v6) {
  const uint32_t o = l.offset;
  Record& r = c.rec;
  F ck = v6 ? F::ICMPV6_CHECKSUM : F::ICMP_CHECKSUM;
  F st = v6 ? F::ICMPV6_CHECKSUM_STATUS : F::ICMP_CHECKSUM_STATUS;
  F calc = v6 ? F::ICMPV6_CHECKSUM_CALCULATED : F::ICMP_CHECKSUM_CALCULATED;
  if (!(r.want(ck) || r.want(st) || r.want(calc))) return;
  uint8_t status = 2;
  uint16_t computed = 0;
  // The checksum covers the whole message: only verifiable when all of it was captured.
  int idx = -1;
  for (int i = 0; i < c.pkt.layer_count; ++i)
    if (&c.pkt.layers[static_cast<size_t>(i)] == &l) idx = i;
  const LayerSpan* ipl = idx > 0 ? &c.pkt.layers[static_cast<size_t>(idx - 1)] : nullptr;
  if (c.opt.check_checksums && c.pkt.payload_missing == 0 && !c.pkt.ip_fragment && ipl) {
    const uint8_t* ip = c.bytes(*ipl).data();
    uint32_t pseudo = 0;
    bool ok = true;
    if (v6) {
      ok = ipl->kind == Layer::Ipv6;
      if (ok) pseudo = wire::pseudo_header_v6(ip + 8, ip + 24, 58, static_cast<uint32_t>(b.size()));
    }
    if (ok) {
      computed = wire::expected_checksum(pseudo, b, 2);
      status = computed == wire::be16(&b[2]) ? 1 : 0;
    }
  }
  checksum_items(c, ck, st, calc, o + 2, wire::be16(&b[2]), computed, status, "Checksum Status");
  // tshark's ICMP trees show no calculated-checksum line.
  if (r.tree() && !r.items().empty() && r.items().back().field == calc) r.items().pop_back();
}

} // namespace

bool icmp_is_error(uint8_t t) {
  return t == 3 || t == 4 || t == 5 || t == 11 || t == 12;
}
bool icmpv6_is_error(uint8_t t) {
  return t >= 1 && t <= 4;
}

namespace {
void append_extra(Ctx& c, const LayerSpan& l) {
  std::string extra;
  icmp_extra_protocols(c.pkt, l, extra);
  size_t start = 0;
  while (start < extra.size()) {
    size_t end = extra.find(':', start + 1);
    if (end == std::string::npos) end = extra.size();
    c.rec.append_protocol(std::string_view(extra).substr(start + 1, end - start - 1));
    start = end;
  }
}
} // namespace

void describe_icmp(Ctx& c, const LayerSpan& l) {
  Record& r = c.rec;
  wire::Bytes b = c.bytes(l);
  const uint32_t o = l.offset;
  Icmp m{c, r, b, o, false, l.source};
  uint8_t type = b[0], code = b[1];
  append_extra(c, l);
  if (r.tree())
    r.push(F::ICMP, o, l.length).text = field_info(F::ICMP).name;
  else if (r.want(F::ICMP))
    r.add(F::ICMP, o, l.length);
  if (r.want(F::ICMP_TYPE))
    m.add(F::ICMP_TYPE, 0, 1, type).text =
        r.tree() ? r.format("Type: {} ({})", type, icmp_type_name(type)) : "";
  if (r.want(F::ICMP_CODE)) {
    std::string_view cn = icmp_code_name(type, code);
    m.add(F::ICMP_CODE, 1, 1, code).text =
        r.tree() ? (cn.empty() ? r.format("Code: {}", code) : r.format("Code: {} ({})", code, cn)) : "";
  }
  checksum(c, b, l, false);
  bool echo = type == 0 || type == 8 || type == 13 || type == 14;
  uint16_t id = b.size() >= 8 ? wire::be16(&b[4]) : 0, seq = b.size() >= 8 ? wire::be16(&b[6]) : 0;
  if (echo && b.size() >= 8) {
    auto le = [](uint16_t v) { return static_cast<uint16_t>((v >> 8) | (v << 8)); };
    auto dh = [&](F f, size_t off, uint16_t v, std::string_view name) {
      if (r.want(f)) m.add(f, off, 2, v).text = r.tree() ? r.format("{}: {} (0x{:04x})", name, v, v) : "";
    };
    dh(F::ICMP_IDENT, 4, id, "Identifier (BE)");
    dh(F::ICMP_IDENT_LE, 4, le(id), "Identifier (LE)");
    dh(F::ICMP_SEQ, 6, seq, "Sequence Number (BE)");
    dh(F::ICMP_SEQ_LE, 6, le(seq), "Sequence Number (LE)");
    size_t data_off = 8;
    int64_t sent_ns = 0;
    const int64_t frame_ns = c.frame().ts.sec * 1'000'000'000 + c.frame().ts.nsec;
    if ((type == 0 || type == 8) && echo_timestamp(b.subspan(8), frame_ns, sent_ns)) {
      data_off = 16;
      if (r.want(F::ICMP_DATA_TIME)) {
        Item& it = m.add(F::ICMP_DATA_TIME, 8, 8, static_cast<uint64_t>(sent_ns));
        if (r.tree()) it.text = r.format("Timestamp from icmp data: {}", utc_date_str(r, sent_ns));
      }
      if (r.want(F::ICMP_DATA_TIME_RELATIVE)) {
        const int64_t rel = frame_ns - sent_ns;
        Item& it = m.add(F::ICMP_DATA_TIME_RELATIVE, 8, 8, static_cast<uint64_t>(rel));
        it.generated = true;
        if (r.tree()) it.text = r.format("Timestamp from icmp data (relative): {}", seconds_str(r, rel));
      }
    }
    if (r.tree()) echo_data(c, b, l, data_off);
  } else if (icmp_is_error(type) && b.size() >= 8) {
    if (r.tree()) m.add_raw(F::ICMP_UNUSED, 4, 4).text = r.format("Unused: {}", hex_str(r, b.subspan(4, 4)));
    m.quoted(8);
  }
  if (r.tree()) r.pop();
  if (r.columns_wanted()) {
    r.cols().protocol = "ICMP";
    auto out = std::back_inserter(r.cols().info);
    r.cols().info.clear();
    if ((type == 0 || type == 8) && b.size() >= 8) {
      uint8_t ttl = 0;
      if (c.pkt.ip_layer >= 0 && c.pkt.layers[static_cast<size_t>(c.pkt.ip_layer)].kind == Layer::Ipv4)
        ttl = c.frame().data[c.pkt.layers[static_cast<size_t>(c.pkt.ip_layer)].offset + 8];
      fmt::format_to(out, "{} id=0x{:04x}, seq={}/{}, ttl={}",
                     type == 8 ? "Echo (ping) request " : "Echo (ping) reply   ", id, seq,
                     static_cast<uint16_t>((seq >> 8) | (seq << 8)), ttl);
    } else {
      std::string_view cn = icmp_code_name(type, code);
      if (cn.empty())
        fmt::format_to(out, "{}", icmp_type_name(type));
      else
        fmt::format_to(out, "{} ({})", icmp_type_name(type), cn);
    }
  }
}

void describe_icmpv6(Ctx& c, const LayerSpan& l) {
  Record& r = c.rec;
  wire::Bytes b = c.bytes(l);
  const uint32_t o = l.offset;
  Icmp m{c, r, b, o, true, l.source};
  uint8_t type = b[0], code = b[1];
  append_extra(c, l);
  if (r.tree())
    r.push(F::ICMPV6, o, l.length).text = field_info(F::ICMPV6).name;
  else if (r.want(F::ICMPV6))
    r.add(F::ICMPV6, o, l.length);
  if (r.want(F::ICMPV6_TYPE))
    m.add(F::ICMPV6_TYPE, 0, 1, type).text =
        r.tree() ? r.format("Type: {} ({})", icmpv6_type_name(type), type) : "";
  std::string_view cn = icmpv6_code_name(type, code);
  if (r.want(F::ICMPV6_CODE))
    m.add(F::ICMPV6_CODE, 1, 1, code).text =
        r.tree() ? (cn.empty() ? r.format("Code: {}", code) : r.format("Code: {} ({})", code, cn)) : "";
  checksum(c, b, l, true);
  const uint8_t* target = nullptr;
  uint32_t na_flags = 0;
  if ((type == 128 || type == 129) && b.size() >= 8) {
    if (r.want(F::ICMPV6_ECHO_ID))
      m.add(F::ICMPV6_ECHO_ID, 4, 2, wire::be16(&b[4])).text =
          r.tree() ? r.format("Identifier: 0x{:04x}", wire::be16(&b[4])) : "";
    if (r.want(F::ICMPV6_ECHO_SEQ))
      m.add(F::ICMPV6_ECHO_SEQ, 6, 2, wire::be16(&b[6])).text =
          r.tree() ? r.format("Sequence: {}", wire::be16(&b[6])) : "";
    if (r.tree()) echo_data(c, b, l, 8);
  } else if ((type == 133 || type == 135) && b.size() >= 8) {
    if (r.tree())
      m.add_raw(F::ICMPV6_RESERVED, 4, 4).text = r.format("Reserved: {}", hex_str(r, b.subspan(4, 4)));
    if (type == 135 && b.size() >= 24) {
      target = &b[8];
      if (r.want(F::ICMPV6_ND_NS_TARGET)) m.addr(F::ICMPV6_ND_NS_TARGET, 8, "Target Address");
    }
    m.nd_options(type == 135 ? 24 : 8);
  } else if (type == 136 && b.size() >= 24) {
    na_flags = wire::be32(&b[4]);
    target = &b[8];
    if (r.tree()) {
      std::string names;
      for (auto [bit, n] : {std::pair{0x80000000u, "Router"}, std::pair{0x40000000u, "Solicited"},
                            std::pair{0x20000000u, "Override"}})
        if (na_flags & bit) names += std::string(", ") + n;
      r.push(F::ICMPV6_ND_NA_FLAG, o + 4, 4).num = na_flags;
      r.items().back().text = r.format("Flags: 0x{:08x}{}", na_flags, names);
      m.add(F::ICMPV6_ND_NA_FLAG_R, 4, 4, na_flags >> 31).text = r.format(
          "{} = Router: {}", bit_pattern(r, na_flags, 32, 0x80000000), set_str(na_flags & 0x80000000));
      m.add(F::ICMPV6_ND_NA_FLAG_S, 4, 4, (na_flags >> 30) & 1).text = r.format(
          "{} = Solicited: {}", bit_pattern(r, na_flags, 32, 0x40000000), set_str(na_flags & 0x40000000));
      m.add(F::ICMPV6_ND_NA_FLAG_O, 4, 4, (na_flags >> 29) & 1).text = r.format(
          "{} = Override: {}", bit_pattern(r, na_flags, 32, 0x20000000), set_str(na_flags & 0x20000000));
      m.add(F::ICMPV6_ND_NA_FLAG_RSV, 4, 4, na_flags & 0x1fffffff).text =
          r.format("{} = Reserved: {}", bit_pattern(r, na_flags, 32, 0x1fffffff), na_flags & 0x1fffffff);
      r.pop();
    } else if (r.want(F::ICMPV6_ND_NA_FLAG)) {
      m.add(F::ICMPV6_ND_NA_FLAG, 4, 4, na_flags);
    }
    if (r.want(F::ICMPV6_ND_NA_TARGET)) m.addr(F::ICMPV6_ND_NA_TARGET, 8, "Target Address");
    m.nd_options(24);
  } else if (type == 134 && b.size() >= 16) {
    uint8_t fl = b[5];
    static constexpr std::string_view kPrf[] = {"Medium", "High", "Reserved", "Low"};
    if (r.tree()) {
      m.add(F::ICMPV6_ND_RA_CUR_HOP_LIMIT, 4, 1, b[4]).text = r.format("Cur hop limit: {}", b[4]);
      std::string names;
      if (fl & 0x80) names += ", Managed";
      if (fl & 0x40) names += ", Other";
      if (fl & 0x20) names += ", Home Agent";
      r.push(F::ICMPV6_ND_RA_FLAG, o + 5, 1).num = fl;
      r.items().back().text =
          r.format("Flags: 0x{:02x}{}, Prf (Default Router Preference): {}", fl, names, kPrf[(fl >> 3) & 3]);
      m.add(F::ICMPV6_ND_RA_FLAG_M, 5, 1, fl >> 7).text =
          r.format("{} = Managed address configuration: {}", bit_pattern(r, fl, 8, 0x80), set_str(fl & 0x80));
      m.add(F::ICMPV6_ND_RA_FLAG_O, 5, 1, (fl >> 6) & 1).text =
          r.format("{} = Other configuration: {}", bit_pattern(r, fl, 8, 0x40), set_str(fl & 0x40));
      m.add(F::ICMPV6_ND_RA_FLAG_H, 5, 1, (fl >> 5) & 1).text =
          r.format("{} = Home Agent: {}", bit_pattern(r, fl, 8, 0x20), set_str(fl & 0x20));
      m.add(F::ICMPV6_ND_RA_FLAG_PRF, 5, 1, (fl >> 3) & 3).text =
          r.format("{} = Prf (Default Router Preference): {} ({})", bit_pattern(r, fl, 8, 0x18),
                   kPrf[(fl >> 3) & 3], (fl >> 3) & 3);
      m.add(F::ICMPV6_ND_RA_FLAG_P, 5, 1, (fl >> 2) & 1).text =
          r.format("{} = Proxy: {}", bit_pattern(r, fl, 8, 0x04), set_str(fl & 0x04));
      m.add(F::ICMPV6_ND_RA_FLAG_RSV, 5, 1, fl & 3).text =
          r.format("{} = Reserved: {}", bit_pattern(r, fl, 8, 0x03), fl & 3);
      r.pop();
      m.add(F::ICMPV6_ND_RA_ROUTER_LIFETIME, 6, 2, wire::be16(&b[6])).text =
          r.format("Router lifetime (s): {}", wire::be16(&b[6]));
      m.add(F::ICMPV6_ND_RA_REACHABLE_TIME, 8, 4, wire::be32(&b[8])).text =
          r.format("Reachable time (ms): {}", wire::be32(&b[8]));
      m.add(F::ICMPV6_ND_RA_RETRANS_TIMER, 12, 4, wire::be32(&b[12])).text =
          r.format("Retrans timer (ms): {}", wire::be32(&b[12]));
    }
    m.nd_options(16);
  } else if (type == 143) {
    m.mldv2_report();
  } else if (icmpv6_is_error(type) && b.size() >= 8) {
    if (r.tree()) {
      if (type == 2)
        m.add(F::ICMPV6_MTU, 4, 4, wire::be32(&b[4])).text = r.format("MTU: {}", wire::be32(&b[4]));
      else
        m.add_raw(F::ICMPV6_RESERVED, 4, 4).text = r.format("Reserved: {}", hex_str(r, b.subspan(4, 4)));
    }
    m.quoted(8);
  }
  if (r.tree()) r.pop();
  if (r.columns_wanted()) {
    r.cols().protocol = "ICMPv6";
    auto out = std::back_inserter(r.cols().info);
    r.cols().info.clear();
    std::string_view name = icmpv6_type_name(type);
    if ((type == 128 || type == 129) && b.size() >= 8) {
      uint8_t hlim = 0;
      if (c.pkt.ip_layer >= 0 && c.pkt.layers[static_cast<size_t>(c.pkt.ip_layer)].kind == Layer::Ipv6)
        hlim = c.frame().data[c.pkt.layers[static_cast<size_t>(c.pkt.ip_layer)].offset + 7];
      fmt::format_to(out, "{} id=0x{:04x}, seq={}, hop limit={}", name, wire::be16(&b[4]), wire::be16(&b[6]),
                     hlim);
    } else if (type == 135 && target) {
      fmt::format_to(out, "{} for {}", name, ipv6_str(r, target));
      if (m.link_addr) fmt::format_to(out, " from {}", ether_str(r, m.link_addr));
    } else if (type == 136 && target) {
      std::string f;
      for (auto [bit, n] :
           {std::pair{0x80000000u, "rtr"}, std::pair{0x40000000u, "sol"}, std::pair{0x20000000u, "ovr"}})
        if (na_flags & bit) f += (f.empty() ? "" : ", ") + std::string(n);
      fmt::format_to(out, "{} {} ({})", name, ipv6_str(r, target), f);
      if (m.link_addr) fmt::format_to(out, " is at {}", ether_str(r, m.link_addr));
    } else if ((type == 133 || type == 134) && m.link_addr) {
      fmt::format_to(out, "{} from {}", name, ether_str(r, m.link_addr));
    } else if (!cn.empty()) {
      fmt::format_to(out, "{} ({})", name, cn);
    } else {
      fmt::format_to(out, "{}", name);
    }
  }
}

void icmp_extra_protocols(const Decoded& pkt, const LayerSpan& l, std::string& out) {
  wire::Bytes b = pkt.bytes(l);
  if (b.size() < 8) return;
  bool v6 = l.kind == Layer::Icmpv6;
  uint8_t type = b[0];
  if ((!v6 && (type == 0 || type == 8)) || (v6 && (type == 128 || type == 129))) {
    if (b.size() > 8) out += ":data";
    return;
  }
  if (v6 ? !icmpv6_is_error(type) : !icmp_is_error(type)) return;
  wire::Bytes q = b.subspan(8);
  uint8_t proto = 0;
  size_t hl = 0;
  if (!v6 && wire::Ipv4View::check(q) == nullptr) {
    out += ":ip";
    proto = wire::Ipv4View(q).protocol();
    hl = wire::Ipv4View(q).header_len();
  } else if (v6 && wire::Ipv6View::valid(q)) {
    out += ":ipv6";
    wire::Ipv6ExtWalker w(q);
    wire::Ipv6Ext e;
    while (w.next(e))
      out += e.type == 44   ? ":ipv6.fraghdr"
             : e.type == 0  ? ":ipv6.hopopts"
             : e.type == 43 ? ":ipv6.routing"
                            : ":ipv6.dstopts";
    proto = w.upper();
    hl = w.upper_offset();
  } else {
    return;
  }
  if (hl + 4 > q.size()) return;
  if (proto == 17 && hl + 8 <= q.size()) {
    out += ":udp";
    if (q.size() > hl + 8) out += ":data";
  } else if (proto == 6) {
    out += ":tcp";
  }
}

} // namespace ps::proto
