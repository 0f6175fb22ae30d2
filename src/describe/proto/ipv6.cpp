#include "wire/ipv6.h"
#include "describe/proto/ipv6_ext.h"

namespace ps::proto {

namespace {

std::string_view dscp6_short(uint8_t d) {
  switch (d) {
  case 0:
    return "CS0";
  case 8:
    return "CS1";
  case 16:
    return "CS2";
  case 24:
    return "CS3";
  case 32:
    return "CS4";
  case 40:
    return "CS5";
  case 48:
    return "CS6";
  case 56:
    return "CS7";
  case 44:
    return "VA";
  case 46:
    return "EF PHB";
  default:
    break;
  }
  static constexpr std::string_view kAf[] = {"AF11", "AF12", "AF13", "AF21", "AF22", "AF23",
                                             "AF31", "AF32", "AF33", "AF41", "AF42", "AF43"};
  if (d >= 10 && d <= 38 && d % 2 == 0 && (d % 8) != 0) return kAf[(d / 8 - 1) * 3 + (d % 8) / 2 - 1];
  return "Unknown";
}

std::string_view dscp6_long(uint8_t d) {
  switch (d) {
  case 0:
    return "Default";
  case 46:
    return "Expedited Forwarding";
  case 44:
    return "Voice Admit";
  default:
    break;
  }
  if (d % 8 == 0) return "Class Selector";
  if (d >= 10 && d <= 38 && d % 2 == 0) return "Assured Forwarding";
  return "Unknown";
}

constexpr std::string_view kEcn6Short[] = {"Not-ECT", "ECT(1)", "ECT(0)", "CE"};
constexpr std::string_view kEcn6Long[] = {"Not ECN-Capable Transport", "ECN-Capable Transport codepoint '01'",
                                          "ECN-Capable Transport codepoint '10'", "Congestion Experienced"};
constexpr std::string_view kAction[] = {"Skip and continue", "Discard",
                                        "Discard and send ICMP Parameter Problem",
                                        "Discard and send ICMP if not multicast"};

std::string_view option6_name(uint8_t t) {
  switch (t) {
  case 0x00:
    return "Pad1";
  case 0x01:
    return "PadN";
  case 0x04:
    return "Tunnel Encapsulation Limit";
  case 0x05:
    return "Router Alert";
  case 0x07:
    return "CALIPSO";
  case 0x08:
    return "SMF_DPD";
  case 0x26:
    return "Quick-Start";
  case 0x63:
    return "RPL Option";
  case 0xc2:
    return "Jumbo Payload";
  case 0xc9:
    return "Home Address";
  default:
    return "Unknown";
  }
}

std::string_view router_alert_name(uint16_t v) {
  switch (v) {
  case 0:
    return "MLD";
  case 1:
    return "RSVP";
  case 2:
    return "Active Networks";
  default:
    return "Unknown";
  }
}

std::string_view routing_name(uint8_t t) {
  switch (t) {
  case 0:
    return "Source Route";
  case 1:
    return "Nimrod";
  case 2:
    return "Type 2 Routing";
  case 3:
    return "RPL Source Route";
  case 4:
    return "Segment Routing";
  default:
    return "Unknown";
  }
}

// tshark shows an empty option value as "<none>".
std::string_view hex_or_none(Record& r, wire::Bytes b) {
  return b.empty() ? "<none>" : hex_str(r, b);
}

void option(Ctx& c, wire::Bytes ext, size_t i, size_t len, uint32_t base) {
  Record& r = c.rec;
  uint8_t t = ext[i];
  uint32_t at = base + static_cast<uint32_t>(i);
  r.push(F::IPV6_OPT, at, static_cast<uint32_t>(len)).text = option6_name(t);
  r.push(F::IPV6_OPT_TYPE, at, 1).num = t;
  r.items().back().text = r.format("Type: {} (0x{:02x})", option6_name(t), t);
  r.add(F::IPV6_OPT_TYPE_ACTION, at, 1, t >> 6).text =
      r.format("{} = Action: {} ({})", bit_pattern(r, t, 8, 0xc0), kAction[t >> 6], t >> 6);
  r.add(F::IPV6_OPT_TYPE_CHANGE, at, 1, (t >> 5) & 1).text =
      r.format("{} = May Change: {}", bit_pattern(r, t, 8, 0x20), (t & 0x20) ? "Yes" : "No");
  r.add(F::IPV6_OPT_TYPE_REST, at, 1, t & 0x1f).text =
      r.format("{} = Low-Order Bits: 0x{:02x}", bit_pattern(r, t, 8, 0x1f), t & 0x1f);
  r.pop();
  if (t == 0) {
    r.pop();
    return;
  }
  uint8_t olen = ext[i + 1];
  r.add(F::IPV6_OPT_LENGTH, at + 1, 1, olen).text = r.format("Length: {}", olen);
  wire::Bytes val = ext.subspan(i + 2, len - 2);
  if (t == 0x01) {
    r.add_str(F::IPV6_OPT_PADN, at + 2, olen, {reinterpret_cast<const char*>(val.data()), val.size()}).text =
        r.format("PadN: {}", hex_or_none(r, val));
  } else if (t == 0x05 && olen == 2) {
    uint16_t v = wire::be16(val.data());
    r.add(F::IPV6_OPT_ROUTER_ALERT, at + 2, 2, v).text =
        r.format("Router Alert: {} ({})", router_alert_name(v), v);
  } else if (t == 0xc2 && olen == 4) {
    r.add(F::IPV6_OPT_JUMBO, at + 2, 4, wire::be32(val.data())).text =
        r.format("Payload Length: {}", wire::be32(val.data()));
  } else if (!val.empty()) {
    r.add_str(F::IPV6_OPT_UNKNOWN, at + 2, olen, {reinterpret_cast<const char*>(val.data()), val.size()})
        .text = r.format("Unknown Option Payload: {}", hex_or_none(r, val));
  }
  r.pop();
}

// Hop-by-hop / destination options: the TLV list after the 2-byte header.
void options(Ctx& c, wire::Bytes ext, uint32_t base) {
  size_t i = 2;
  while (i < ext.size()) {
    if (ext[i] == 0) {
      option(c, ext, i, 1, base);
      ++i;
      continue;
    }
    if (i + 2 > ext.size() || i + 2 + ext[i + 1] > ext.size()) {
      c.rec.text("[Malformed IPv6 option: length runs past the header]", base + static_cast<uint32_t>(i), 0);
      return;
    }
    size_t len = 2 + size_t{ext[i + 1]};
    option(c, ext, i, len, base);
    i += len;
  }
}

void ext_header(Ctx& c, const wire::Ipv6Ext& e, wire::Bytes ext, uint32_t base) {
  Record& r = c.rec;
  const uint32_t len = static_cast<uint32_t>(e.length);
  auto common = [&](F nxt, F hlen, F oct) {
    r.add(nxt, base, 1, e.next).text = r.format("Next Header: {} ({})", ip_proto_name(e.next), e.next);
    r.add(hlen, base + 1, 1, ext[1]).text = r.format("Length: {}", ext[1]);
    Item& it = r.add(oct, base + 1, 1, len);
    it.generated = true;
    it.text = r.format("Length: {} bytes", len);
  };
  switch (e.type) {
  case 0:
  case 60: {
    bool hop = e.type == 0;
    r.push(hop ? F::IPV6_HOPOPTS_HDR : F::IPV6_DSTOPTS_HDR, base, len).text =
        hop ? "IPv6 Hop-by-Hop Option" : "Destination Options for IPv6";
    common(hop ? F::IPV6_HOPOPTS_NXT : F::IPV6_DSTOPTS_NXT, hop ? F::IPV6_HOPOPTS_LEN : F::IPV6_DSTOPTS_LEN,
           hop ? F::IPV6_HOPOPTS_LEN_OCT : F::IPV6_DSTOPTS_LEN_OCT);
    options(c, ext, base);
    break;
  }
  case 43: {
    uint8_t type = ext[2], left = ext[3];
    r.push(F::IPV6_ROUTING, base, len).text = r.format("Routing Header for IPv6 ({})", routing_name(type));
    common(F::IPV6_ROUTING_NXT, F::IPV6_ROUTING_LEN, F::IPV6_ROUTING_LEN_OCT);
    r.push(F::IPV6_ROUTING_TYPE, base + 2, 1).num = type;
    r.items().back().text = r.format("Type: {} ({})", routing_name(type), type);
    if (type == 0) {
      r.push(F::TEXT, base + 2, 1).text = "Expert Info (Note/Deprecated): Routing header type is deprecated";
      r.items().back().generated = true;
      for (std::string_view t :
           {"Routing header type is deprecated", "Severity level: Note", "Group: Deprecated"})
        r.text(t, base + 2, 1).generated = true;
      r.pop();
    }
    r.pop();
    r.add(F::IPV6_ROUTING_SEGLEFT, base + 3, 1, left).text = r.format("Segments Left: {}", left);
    if (type == 0 && ext.size() >= 8) {
      r.add_str(F::IPV6_ROUTING_SRC_RESERVED, base + 4, 4, {reinterpret_cast<const char*>(&ext[4]), 4}).text =
          r.format("Reserved: {}", hex_or_none(r, ext.subspan(4, 4)));
      for (size_t a = 8, n = 1; a + 16 <= ext.size(); a += 16, ++n)
        r.add_str(F::IPV6_ROUTING_SRC_ADDR, base + static_cast<uint32_t>(a), 16,
                  {reinterpret_cast<const char*>(&ext[a]), 16})
            .text = r.format("Address[{}]: {}", n, ipv6_str(r, &ext[a]));
    } else if (ext.size() > 4) {
      r.add_str(F::IPV6_ROUTING_UNKNOWN_DATA, base + 4, len - 4,
                {reinterpret_cast<const char*>(&ext[4]), ext.size() - 4})
          .text = r.format("Type-Specific Data: {}", hex_or_none(r, ext.subspan(4)));
    }
    break;
  }
  case 44: {
    uint16_t ofs = wire::be16(&ext[2]);
    r.push(F::IPV6_FRAGMENT_HDR, base, len).text = "Fragment Header for IPv6";
    r.add(F::IPV6_FRAGHDR_NXT, base, 1, e.next).text =
        r.format("Next header: {} ({})", ip_proto_name(e.next), e.next);
    r.add(F::IPV6_FRAGHDR_RESERVED_OCTET, base + 1, 1, ext[1]).text =
        r.format("Reserved octet: 0x{:02x}", ext[1]);
    r.add(F::IPV6_FRAGMENT_OFFSET, base + 2, 2, ofs >> 3).text =
        r.format("{} = Offset: {} ({} bytes)", bit_pattern(r, ofs, 16, 0xfff8), ofs >> 3, (ofs >> 3) * 8u);
    r.add(F::IPV6_FRAGHDR_RESERVED_BITS, base + 2, 2, (ofs >> 1) & 3).text =
        r.format("{} = Reserved bits: {}", bit_pattern(r, ofs, 16, 0x0006), (ofs >> 1) & 3);
    r.add(F::IPV6_FRAGMENT_MORE, base + 2, 2, ofs & 1).text =
        r.format("{} = More Fragments: {}", bit_pattern(r, ofs, 16, 0x0001), (ofs & 1) ? "Yes" : "No");
    r.add(F::IPV6_FRAGMENT_ID, base + 4, 4, wire::be32(&ext[4])).text =
        r.format("Identification: 0x{:08x}", wire::be32(&ext[4]));
    break;
  }
  default:
    r.push(F::TEXT, base, len).text = ip_proto_name(e.type);
    r.add(F::IPV6_EXT_DATA, base, len).text = r.format("Next Header: {} ({})", ip_proto_name(e.next), e.next);
    break;
  }
  r.pop();
}

// The extension headers in fields mode: only the few -e fields people ask for.
void ext_fields(Ctx& c, const wire::Ipv6Ext& e, wire::Bytes ext, uint32_t base) {
  Record& r = c.rec;
  auto add = [&](F f, uint32_t off, uint32_t len, uint64_t v) {
    if (r.want(f)) r.add(f, base + off, len, v);
  };
  if (e.type == 0) {
    add(F::IPV6_HOPOPTS_NXT, 0, 1, e.next);
    add(F::IPV6_HOPOPTS_LEN, 1, 1, ext[1]);
  } else if (e.type == 60) {
    add(F::IPV6_DSTOPTS_NXT, 0, 1, e.next);
    add(F::IPV6_DSTOPTS_LEN, 1, 1, ext[1]);
  } else if (e.type == 43) {
    add(F::IPV6_ROUTING_NXT, 0, 1, e.next);
    add(F::IPV6_ROUTING_TYPE, 2, 1, ext[2]);
    add(F::IPV6_ROUTING_SEGLEFT, 3, 1, ext[3]);
  } else if (e.type == 44) {
    uint16_t ofs = wire::be16(&ext[2]);
    add(F::IPV6_FRAGHDR_NXT, 0, 1, e.next);
    add(F::IPV6_FRAGMENT_OFFSET, 2, 2, ofs >> 3);
    add(F::IPV6_FRAGMENT_MORE, 2, 2, ofs & 1);
    add(F::IPV6_FRAGMENT_ID, 4, 4, wire::be32(&ext[4]));
  }
  if ((e.type == 0 || e.type == 60) && r.want(F::IPV6_OPT_TYPE)) {
    for (size_t i = 2; i < ext.size();) {
      r.add(F::IPV6_OPT_TYPE, base + static_cast<uint32_t>(i), 1, ext[i]);
      if (ext[i] == 0) {
        ++i;
      } else {
        if (i + 1 >= ext.size()) break;
        i += 2 + size_t{ext[i + 1]};
      }
    }
  }
}

std::string_view ext_protocol_name(uint8_t t) {
  switch (t) {
  case 0:
    return "ipv6.hopopts";
  case 43:
    return "ipv6.routing";
  case 44:
    return "ipv6.fraghdr";
  case 60:
    return "ipv6.dstopts";
  case 51:
    return "ah";
  default:
    return "ipv6.ext";
  }
}

} // namespace

void describe_ipv6_layer(Ctx& c, const LayerSpan& l, bool append_protocols) {
  Record& r = c.rec;
  wire::Bytes b = c.bytes(l);
  wire::Ipv6View ip(b);
  const uint32_t o = l.offset;
  std::string_view src = (r.tree() || r.columns_wanted()) ? ipv6_str(r, ip.src()) : std::string_view{};
  std::string_view dst = (r.tree() || r.columns_wanted()) ? ipv6_str(r, ip.dst()) : std::string_view{};
  if (r.tree())
    r.push(F::IPV6, o, 40).text = r.format("Internet Protocol Version 6, Src: {}, Dst: {}", src, dst);
  else if (r.want(F::IPV6))
    r.add(F::IPV6, o, 40);
  uint32_t w = ip.first_word();
  uint8_t tc = ip.traffic_class(), dscp = tc >> 2, ecn = tc & 3;
  auto add = [&](F f, uint32_t off, uint32_t len, uint64_t v) -> Item* {
    return r.want(f) ? &r.add(f, o + off, len, v) : nullptr;
  };
  if (Item* it = add(F::IPV6_VERSION, 0, 1, ip.version()); it && r.tree())
    it->text = r.format("{} = Version: {}", bit_pattern(r, b[0], 8, 0xf0), ip.version());
  if (r.tree()) {
    r.push(F::IPV6_TRAFFIC_CLASS, o, 4).num = tc;
    r.items().back().text =
        r.format("{} = Traffic Class: 0x{:02x} (DSCP: {}, ECN: {})", bit_pattern(r, w, 32, 0x0ff00000), tc,
                 dscp6_short(dscp), kEcn6Short[ecn]);
    std::string_view dl = dscp6_long(dscp);
    r.add(F::IPV6_TCLASS_DSCP, o, 4, dscp).text =
        dl == "Class Selector" ? r.format("{} = Differentiated Services Codepoint: Class Selector {} ({})",
                                          bit_pattern(r, w, 32, 0x0fc00000), dscp / 8, dscp)
                               : r.format("{} = Differentiated Services Codepoint: {} ({})",
                                          bit_pattern(r, w, 32, 0x0fc00000), dl, dscp);
    r.add(F::IPV6_TCLASS_ECN, o, 4, ecn).text =
        r.format("{} = Explicit Congestion Notification: {} ({})", bit_pattern(r, w, 32, 0x00300000),
                 kEcn6Long[ecn], ecn);
    r.pop();
    r.add(F::IPV6_FLOW, o + 1, 3, ip.flow_label()).text =
        r.format("{} = Flow Label: 0x{:05x}", bit_pattern(r, w & 0xffffff, 24, 0x0fffff), ip.flow_label());
  } else {
    add(F::IPV6_TRAFFIC_CLASS, 0, 4, tc);
    add(F::IPV6_TCLASS_DSCP, 0, 4, dscp);
    add(F::IPV6_TCLASS_ECN, 0, 4, ecn);
    add(F::IPV6_FLOW, 1, 3, ip.flow_label());
  }
  add(F::IPV6_PLEN, 4, 2, ip.payload_len());
  if (Item* it = add(F::IPV6_NXT, 6, 1, ip.next_header()); it && r.tree())
    it->text = r.format("Next Header: {} ({})", ip_proto_name(ip.next_header()), ip.next_header());
  add(F::IPV6_HLIM, 7, 1, ip.hop_limit());
  for (auto [f, off] : {std::pair{F::IPV6_SRC, 8u}, std::pair{F::IPV6_DST, 24u}}) {
    std::string_view raw{reinterpret_cast<const char*>(&b[off]), 16};
    if (r.want(f)) {
      Item& it = r.add_str(f, o + off, 16, raw);
      if (r.tree()) it.text = r.format("{}: {}", field_info(f).name, off == 8 ? src : dst);
    }
    if (r.want(F::IPV6_ADDR)) r.add_str(F::IPV6_ADDR, o + off, 16, raw).hidden = true;
  }
  wire::Ipv6ExtWalker walk(b);
  wire::Ipv6Ext e;
  const wire::Ipv6Ext* frag = nullptr;
  wire::Ipv6Ext frag_copy;
  while (walk.next(e)) {
    if (append_protocols) r.append_protocol(ext_protocol_name(e.type));
    wire::Bytes ext = b.subspan(e.offset, e.length);
    uint32_t base = o + static_cast<uint32_t>(e.offset);
    if (r.tree())
      ext_header(c, e, ext, base);
    else
      ext_fields(c, e, ext, base);
    if (e.type == 44) {
      frag_copy = e;
      frag = &frag_copy;
    }
  }
  if (c.pkt.reassembly && c.pkt.frag_ip_layer >= 0 &&
      &l == &c.pkt.layers[static_cast<size_t>(c.pkt.frag_ip_layer)]) [[unlikely]]
    describe_reassembly(c);
  if (r.tree()) r.pop();
  if (r.columns_wanted()) {
    r.cols().protocol = "IPv6";
    r.cols().src = src;
    r.cols().dst = dst;
    uint16_t ofs = frag ? wire::be16(&b[frag->offset + 2]) : 0;
    if (frag && ((ofs & 0xfff8) || (ofs & 1))) {
      r.cols().info.clear();
      fmt::format_to(std::back_inserter(r.cols().info),
                     "IPv6 fragment (off={} more={} ident=0x{:08x} nxt={})", (ofs >> 3) * 8u,
                     (ofs & 1) ? 'y' : 'n', wire::be32(&b[frag->offset + 4]), frag->next);
    } else if (!walk.error() && walk.upper() == 59) {
      r.cols().info.clear();
      fmt::format_to(std::back_inserter(r.cols().info), "IPv6 no next header");
    }
  }
}

void describe_ipv6(Ctx& c, const LayerSpan& l) {
  describe_ipv6_layer(c, l, true);
}

void describe_ipv6_quoted(Ctx& c, const LayerSpan& l) {
  describe_ipv6_layer(c, l, false);
}

} // namespace ps::proto
