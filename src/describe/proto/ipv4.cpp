#include "wire/ipv4.h"
#include "describe/proto/context.h"
#include "wire/checksum.h"

namespace ps::proto {

namespace {

std::string_view dscp_short(uint8_t d) {
  switch (d) {
  case 0:
    return "CS0";
  case 8:
    return "CS1";
  case 10:
    return "AF11";
  case 12:
    return "AF12";
  case 14:
    return "AF13";
  case 16:
    return "CS2";
  case 18:
    return "AF21";
  case 20:
    return "AF22";
  case 22:
    return "AF23";
  case 24:
    return "CS3";
  case 26:
    return "AF31";
  case 28:
    return "AF32";
  case 30:
    return "AF33";
  case 32:
    return "CS4";
  case 34:
    return "AF41";
  case 36:
    return "AF42";
  case 38:
    return "AF43";
  case 40:
    return "CS5";
  case 44:
    return "VA";
  case 46:
    return "EF PHB";
  case 48:
    return "CS6";
  case 56:
    return "CS7";
  default:
    return "Unknown";
  }
}

std::string_view dscp_long(uint8_t d) {
  switch (d) {
  case 0:
    return "Default";
  case 8:
    return "Class Selector 1";
  case 16:
    return "Class Selector 2";
  case 24:
    return "Class Selector 3";
  case 32:
    return "Class Selector 4";
  case 40:
    return "Class Selector 5";
  case 48:
    return "Class Selector 6";
  case 56:
    return "Class Selector 7";
  case 46:
    return "Expedited Forwarding";
  case 44:
    return "Voice Admit";
  default:
    break;
  }
  if (d >= 10 && d <= 38 && d % 2 == 0) return "Assured Forwarding";
  return "Unknown";
}

constexpr std::string_view kEcnShort[] = {"Not-ECT", "ECT(1)", "ECT(0)", "CE"};
constexpr std::string_view kEcnLong[] = {"Not ECN-Capable Transport", "ECN-Capable Transport codepoint '01'",
                                         "ECN-Capable Transport codepoint '10'", "Congestion Experienced"};

std::string_view option_name(uint8_t t) {
  switch (t) {
  case 0:
    return "End of Options List (EOL)";
  case 1:
    return "No Operation (NOP)";
  case 7:
    return "Record Route";
  case 68:
    return "Time Stamp";
  case 130:
    return "Security";
  case 131:
    return "Loose Source Route";
  case 137:
    return "Strict Source Route";
  case 148:
    return "Router Alert";
  default:
    return "Unknown";
  }
}

void options(Ctx& c, const wire::Ipv4View& ip, uint32_t base) {
  Record& r = c.rec;
  wire::Bytes o = ip.options();
  if (o.empty() || !r.tree()) return;
  r.push(F::IP_OPTION_LIST, base + 20, static_cast<uint32_t>(o.size())).text =
      r.format("Options: ({} bytes)", o.size());
  size_t i = 0;
  while (i < o.size()) {
    uint8_t t = o[i];
    if (t == 0 || t == 1) {
      r.push(F::TEXT, base + 20 + static_cast<uint32_t>(i), 1).text =
          r.format("IP Option - {}", option_name(t));
      r.add(F::IP_OPT_TYPE, base + 20 + static_cast<uint32_t>(i), 1, t).text = r.format("Type: {}", t);
      r.pop();
      ++i;
      if (t == 0) break;
      continue;
    }
    if (i + 1 >= o.size() || o[i + 1] < 2 || i + o[i + 1] > o.size()) {
      r.text(r.format("[Malformed IP option at offset {}: length runs past the header]", i));
      break;
    }
    uint8_t len = o[i + 1];
    r.push(F::TEXT, base + 20 + static_cast<uint32_t>(i), len).text =
        r.format("IP Option - {} ({} bytes)", option_name(t), len);
    r.add(F::IP_OPT_TYPE, base + 20 + static_cast<uint32_t>(i), 1, t).text = r.format("Type: {}", t);
    r.add(F::IP_OPT_LEN, base + 21 + static_cast<uint32_t>(i), 1, len).text = r.format("Length: {}", len);
    r.pop();
    i += len;
  }
  r.pop();
}

} // namespace

void describe_ipv4(Ctx& c, const LayerSpan& l) {
  Record& r = c.rec;
  wire::Bytes b = c.bytes(l);
  wire::Ipv4View ip(b);
  const uint32_t o = l.offset;
  std::string_view src = (r.tree() || r.columns_wanted()) ? ipv4_str(r, ip.src()) : std::string_view{};
  std::string_view dst = (r.tree() || r.columns_wanted()) ? ipv4_str(r, ip.dst()) : std::string_view{};
  if (r.tree()) {
    r.push(F::IP, o, static_cast<uint32_t>(ip.header_len())).text =
        r.format("Internet Protocol Version 4, Src: {}, Dst: {}", src, dst);
  } else if (r.want(F::IP)) {
    r.add(F::IP, o, static_cast<uint32_t>(ip.header_len()));
  }
  auto add = [&](F f, uint32_t off, uint32_t len, uint64_t v) -> Item* {
    if (!r.want(f)) return nullptr;
    return &r.add(f, o + off, len, v);
  };
  if (Item* it = add(F::IP_VERSION, 0, 1, ip.version()); it && r.tree())
    it->text = r.format("{} = Version: {}", bit_pattern(r, b[0], 8, 0xf0), ip.version());
  if (Item* it = add(F::IP_HDR_LEN, 0, 1, ip.header_len()); it && r.tree())
    it->text = r.format("{} = Header Length: {} bytes ({})", bit_pattern(r, b[0], 8, 0x0f), ip.header_len(),
                        ip.header_len() / 4);
  uint8_t ds = ip.dsfield(), dscp = ds >> 2, ecn = ds & 3;
  if (r.tree()) {
    r.push(F::IP_DSFIELD, o + 1, 1).num = ds;
    r.items().back().text = r.format("Differentiated Services Field: 0x{:02x} (DSCP: {}, ECN: {})", ds,
                                     dscp_short(dscp), kEcnShort[ecn]);
    r.add(F::IP_DSFIELD_DSCP, o + 1, 1, dscp).text =
        r.format("{} = Differentiated Services Codepoint: {} ({})", bit_pattern(r, ds, 8, 0xfc),
                 dscp_long(dscp), dscp);
    r.add(F::IP_DSFIELD_ECN, o + 1, 1, ecn).text = r.format("{} = Explicit Congestion Notification: {} ({})",
                                                            bit_pattern(r, ds, 8, 0x03), kEcnLong[ecn], ecn);
    r.pop();
  } else {
    add(F::IP_DSFIELD, 1, 1, ds);
    add(F::IP_DSFIELD_DSCP, 1, 1, dscp);
    add(F::IP_DSFIELD_ECN, 1, 1, ecn);
  }
  if (Item* it = add(F::IP_LEN, 2, 2, ip.length()); it && r.tree() && ip.tso())
    it->text =
        r.format("[Total Length: {} bytes (reported as 0, presumed to be because of \"TCP segmentation "
                 "offload\" (TSO))]",
                 ip.length());
  if (Item* it = add(F::IP_ID, 4, 2, ip.id()); it && r.tree())
    it->text = r.format("Identification: 0x{:04x} ({})", ip.id(), ip.id());
  uint16_t ff = ip.flags_frag();
  if (r.tree()) {
    std::string_view desc = ip.df() ? ", Don't fragment" : ip.mf() ? ", More fragments" : "";
    if (ip.df() && ip.mf()) desc = ", Don't fragment, More fragments";
    r.push(F::IP_FLAGS, o + 6, 1).num = ip.flags();
    r.items().back().text = r.format("{} = Flags: 0x{:x}{}", bit_pattern(r, b[6], 8, 0xe0), ip.flags(), desc);
    r.add(F::IP_FLAGS_RB, o + 6, 1, (b[6] & 0x80) != 0).text =
        r.format("{} = Reserved bit: {}", bit_pattern(r, b[6], 8, 0x80), set_str(b[6] & 0x80));
    r.add(F::IP_FLAGS_DF, o + 6, 1, ip.df()).text =
        r.format("{} = Don't fragment: {}", bit_pattern(r, b[6], 8, 0x40), set_str(ip.df()));
    r.add(F::IP_FLAGS_MF, o + 6, 1, ip.mf()).text =
        r.format("{} = More fragments: {}", bit_pattern(r, b[6], 8, 0x20), set_str(ip.mf()));
    r.pop();
    r.add(F::IP_FRAG_OFFSET, o + 6, 2, ip.frag_offset() * 8u).text =
        r.format("{} = Fragment Offset: {}", bit_pattern(r, ff, 16, 0x1fff), ip.frag_offset() * 8u);
  } else {
    add(F::IP_FLAGS, 6, 1, ip.flags());
    add(F::IP_FLAGS_RB, 6, 1, (b[6] & 0x80) != 0);
    add(F::IP_FLAGS_DF, 6, 1, ip.df());
    add(F::IP_FLAGS_MF, 6, 1, ip.mf());
    add(F::IP_FRAG_OFFSET, 6, 2, ip.frag_offset() * 8u);
  }
  add(F::IP_TIME_TO_LIVE, 8, 1, ip.ttl());
  if (Item* it = add(F::IP_PROTO, 9, 1, ip.protocol()); it && r.tree())
    it->text = r.format("Protocol: {} ({})", ip_proto_name(ip.protocol()), ip.protocol());
  if (r.want(F::IP_HDR_CHECKSUM) || r.want(F::IP_CHECKSUM_STATUS) || r.want(F::IP_CHECKSUM_CALCULATED)) {
    uint8_t status = 2;
    uint16_t computed = 0;
    if (c.opt.check_checksums) {
      computed = wire::expected_checksum(0, ip.header(), 10);
      status = computed == ip.checksum() ? 1 : 0;
    }
    checksum_items(c, F::IP_HDR_CHECKSUM, F::IP_CHECKSUM_STATUS, F::IP_CHECKSUM_CALCULATED, o + 10,
                   ip.checksum(), computed, status, "Header checksum status");
  }
  auto addr = [&](F f, uint32_t off, uint32_t v, std::string_view text, const char* name) {
    if (r.want(f)) {
      Item& it = r.add(f, o + off, 4, v);
      if (r.tree()) it.text = r.format("{}: {}", name, text);
    }
    if (r.want(F::IP_ADDR)) r.add(F::IP_ADDR, o + off, 4, v).hidden = true; // either direction, as tshark
  };
  addr(F::IP_SRC, 12, ip.src_u32(), src, "Source Address");
  addr(F::IP_DST, 16, ip.dst_u32(), dst, "Destination Address");
  options(c, ip, o);
  if (c.pkt.reassembly && c.pkt.frag_ip_layer >= 0 &&
      &l == &c.pkt.layers[static_cast<size_t>(c.pkt.frag_ip_layer)]) [[unlikely]]
    describe_reassembly(c);
  if (r.tree()) r.pop();
  if (r.columns_wanted()) {
    r.cols().protocol = "IPv4";
    r.cols().src = src;
    r.cols().dst = dst;
    if (ip.is_fragment()) {
      r.cols().info.clear();
      fmt::format_to(std::back_inserter(r.cols().info),
                     "Fragmented IP protocol (proto={} {}, off={}, ID={:04x})", ip_proto_name(ip.protocol()),
                     ip.protocol(), ip.frag_offset() * 8u, ip.id());
    }
  }
}

} // namespace ps::proto
