// Encapsulation headers: GRE, VXLAN, Geneve, MPLS. What they carry is described by its own layers.
#include "describe/proto/context.h"
#include "wire/checksum.h"

namespace ps::proto {

namespace {

// GRE's names for its protocol types (tshark's gre_typevals), where they differ from EtherTypes.
std::string_view gre_proto_name(uint16_t t) {
  switch (t) {
  case 0x0000:
    return "Possible GRE keepalive packet";
  case 0x0800:
    return "IP";
  case 0x6558:
    return "Transparent Ethernet bridging";
  case 0x880b:
    return "PPP";
  case 0x8847:
    return "MPLS label switched packet";
  case 0x8848:
    return "MPLS multicast label switched packet";
  case 0x88be:
    return "ERSPAN";
  case 0x22eb:
    return "ERSPAN III";
  case 0x9000:
    return "ARUBA WLAN";
  case 0x883e:
    return "WCCP";
  case 0x8909:
    return "CiscoMetaData";
  default:
    if (t >= 0x8200 && t <= 0x8370 && (t & 0xf) == 0) return "ARUBA WLAN";
    return ethertype_name(t);
  }
}

std::string_view yes_no(bool b) {
  return b ? "Yes" : "No";
}
std::string_view true_false(bool b) {
  return b ? "True" : "False";
}

// One flag bit of a 16-bit word: item + "1... .... = Name: Yes" text.
void flag16(Record& r, F f, uint32_t off, uint16_t word, uint16_t mask, std::string_view text) {
  if (!r.want(f)) return;
  Item& it = r.add(f, off, 2, (word & mask) != 0);
  if (r.tree()) it.text = r.format("{} = {}: {}", bit_pattern(r, word, 16, mask), field_info(f).name, text);
}

std::string_view mpls_label_name(uint32_t label) {
  switch (label) {
  case 0:
    return "IPv4 Explicit-Null";
  case 1:
    return "Router Alert";
  case 2:
    return "IPv6 Explicit-Null";
  case 3:
    return "Implicit-Null";
  case 7:
    return "Entropy Label Indicator";
  case 13:
    return "Generic Associated Channel Label (GAL)";
  case 14:
    return "OAM Alert";
  case 15:
    return "Extension";
  default:
    return {};
  }
}

std::string_view geneve_class_name(uint16_t c) {
  if (c <= 0x00ff) return "Standard";
  switch (c) {
  case 0x0100:
    return "Linux";
  case 0x0101:
    return "Open vSwitch (OVS)";
  case 0x0102:
    return "Open Virtual Networking (OVN)";
  case 0x0103:
    return "In-band Network Telemetry (INT)";
  case 0x0104:
    return "VMware, Inc.";
  case 0x0105:
  case 0x0108:
  case 0x0109:
  case 0x010a:
  case 0x010b:
  case 0x010c:
  case 0x010d:
  case 0x010e:
  case 0x010f:
  case 0x0110:
    return "Amazon.com, Inc.";
  case 0x0106:
    return "Cisco Systems, Inc.";
  case 0x0107:
    return "Oracle Corporation";
  case 0xfff0:
  case 0xfff1:
  case 0xfff2:
  case 0xfff3:
  case 0xfff4:
  case 0xfff5:
  case 0xfff6:
  case 0xfff7:
  case 0xfff8:
  case 0xfff9:
  case 0xfffa:
  case 0xfffb:
  case 0xfffc:
  case 0xfffd:
  case 0xfffe:
  case 0xffff:
    return "Experimental";
  default:
    return "Unassigned";
  }
}

} // namespace

void describe_gre(Ctx& c, const LayerSpan& l) {
  Record& r = c.rec;
  wire::Bytes b = c.bytes(l);
  const uint32_t o = l.offset;
  const uint16_t fv = wire::be16(&b[0]), proto = wire::be16(&b[2]);
  const bool cs = fv & 0x8000, rt = fv & 0x4000, key = fv & 0x2000, seq = fv & 0x1000;
  const uint32_t hdr =
      4 + ((cs || rt) ? 4 : 0) + (key ? 4 : 0) + (seq ? 4 : 0); // the decoder checked these bytes exist
  if (r.tree()) {
    r.push(F::GRE, o, hdr).text = r.format("Generic Routing Encapsulation ({})", gre_proto_name(proto));
  } else if (r.want(F::GRE)) {
    r.add(F::GRE, o, hdr);
  }
  if (r.tree()) {
    Item& it = r.push(F::GRE_FLAGS_AND_VERSION, o, 2);
    it.num = fv;
    it.text = r.format("Flags and Version: 0x{:04x}", fv);
  } else if (r.want(F::GRE_FLAGS_AND_VERSION)) {
    r.add(F::GRE_FLAGS_AND_VERSION, o, 2, fv);
  }
  flag16(r, F::GRE_FLAGS_CHECKSUM, o, fv, 0x8000, yes_no(cs));
  flag16(r, F::GRE_FLAGS_ROUTING, o, fv, 0x4000, yes_no(rt));
  flag16(r, F::GRE_FLAGS_KEY, o, fv, 0x2000, yes_no(key));
  flag16(r, F::GRE_FLAGS_SEQUENCE_NUMBER, o, fv, 0x1000, yes_no(seq));
  flag16(r, F::GRE_FLAGS_STRICT_SOURCE_ROUTE, o, fv, 0x0800, yes_no(fv & 0x0800));
  for (auto [f, mask, shift] : {std::tuple{F::GRE_FLAGS_RECURSION_CONTROL, 0x0700, 8},
                                std::tuple{F::GRE_FLAGS_RESERVED, 0x00f8, 3}}) {
    if (!r.want(f)) continue;
    const unsigned v = (fv & mask) >> shift;
    Item& it = r.add(f, o, 2, v);
    if (r.tree()) it.text = r.format("{} = {}: {}", bit_pattern(r, fv, 16, mask), field_info(f).name, v);
  }
  if (r.want(F::GRE_FLAGS_VERSION)) {
    const unsigned v = fv & 7;
    Item& it = r.add(F::GRE_FLAGS_VERSION, o, 2, v);
    if (r.tree())
      it.text = r.format("{} = Version: {} ({})", bit_pattern(r, fv, 16, 7),
                         v == 0   ? "GRE"
                         : v == 1 ? "Enhanced GRE"
                                  : "Unknown",
                         v);
  }
  if (r.tree()) r.pop();
  if (r.want(F::GRE_PROTO)) {
    Item& it = r.add(F::GRE_PROTO, o + 2, 2, proto);
    if (r.tree()) it.text = r.format("Protocol Type: {} (0x{:04x})", gre_proto_name(proto), proto);
  }
  uint32_t p = o + 4;
  if (cs || rt) {
    const uint16_t stored = wire::be16(&b[4]);
    if (cs && (r.want(F::GRE_CHECKSUM) || r.want(F::GRE_CHECKSUM_STATUS))) {
      // Over the GRE header and payload with the checksum field as zero; only a whole packet.
      uint8_t status = 2;
      uint16_t computed = 0;
      if (c.frame().data.size() >= c.frame().wire_len) {
        computed = wire::expected_checksum(0, b, 4);
        status = computed == stored ? 1 : 0;
      }
      if (r.want(F::GRE_CHECKSUM)) {
        Item& it = r.add(F::GRE_CHECKSUM, p, 2, stored);
        if (r.tree()) {
          if (status == 0) {
            it.text = r.format("Checksum: 0x{:04x} incorrect, should be 0x{:04x}", stored, computed);
          } else {
            it.text = r.format("Checksum: 0x{:04x} {}", stored, status == 1 ? "[correct]" : "[unverified]");
          }
        }
      }
      if (r.want(F::GRE_CHECKSUM_STATUS)) {
        Item& it = r.add(F::GRE_CHECKSUM_STATUS, p, 0, status);
        it.generated = true;
        if (r.tree())
          it.text = r.format("Checksum Status: {}", status == 1   ? "Good"
                                                    : status == 0 ? "Bad"
                                                                  : "Unverified");
      }
    }
    if (r.want(F::GRE_OFFSET)) {
      const uint16_t v = wire::be16(&b[6]);
      Item& it = r.add(F::GRE_OFFSET, p + 2, 2, v);
      if (r.tree()) it.text = r.format("Offset: {}", v);
    }
    p += 4;
  }
  if (key) {
    const uint32_t v = wire::be32(&b[p - o]);
    if (r.want(F::GRE_KEY)) {
      Item& it = r.add(F::GRE_KEY, p, 4, v);
      if (r.tree()) it.text = r.format("Key: 0x{:08x}", v);
    }
    p += 4;
  }
  if (seq) {
    const uint32_t v = wire::be32(&b[p - o]);
    if (r.want(F::GRE_SEQUENCE_NUMBER)) {
      Item& it = r.add(F::GRE_SEQUENCE_NUMBER, p, 4, v);
      if (r.tree()) it.text = r.format("Sequence Number: {}", v);
    }
  }
  if (r.tree()) r.pop();
  if (r.columns_wanted()) r.cols().protocol = "GRE";
}

void describe_vxlan(Ctx& c, const LayerSpan& l) {
  Record& r = c.rec;
  wire::Bytes b = c.bytes(l);
  const uint32_t o = l.offset;
  const uint16_t fl = wire::be16(&b[0]), gbp = wire::be16(&b[2]);
  const uint32_t vni = (wire::be32(&b[4]) >> 8);
  if (r.tree()) {
    r.push(F::VXLAN, o, 8).text = "Virtual eXtensible Local Area Network";
  } else if (r.want(F::VXLAN)) {
    r.add(F::VXLAN, o, 8);
  }
  if (r.tree()) {
    {
      std::string names;
      if (fl & 0x8000) names += ", GBP Extension";
      if (fl & 0x0800) names += ", VXLAN Network ID (VNI)";
      if (fl & 0x0040) names += ", Don't Learn";
      if (fl & 0x0008) names += ", Policy Applied";
      std::string_view text = r.format("Flags: 0x{:04x}{}", fl, names);
      Item& it = r.push(F::VXLAN_FLAGS, o, 2);
      it.num = fl;
      it.text = text;
    }
  } else if (r.want(F::VXLAN_FLAGS)) {
    r.add(F::VXLAN_FLAGS, o, 2, fl);
  }
  flag16(r, F::VXLAN_FLAG_G, o, fl, 0x8000, (fl & 0x8000) ? "Defined" : "Not defined");
  flag16(r, F::VXLAN_FLAG_I, o, fl, 0x0800, true_false(fl & 0x0800));
  flag16(r, F::VXLAN_FLAG_D, o, fl, 0x0040, true_false(fl & 0x0040));
  flag16(r, F::VXLAN_FLAG_A, o, fl, 0x0008, true_false(fl & 0x0008));
  if (r.want(F::VXLAN_FLAGS_RESERVED)) {
    Item& it = r.add(F::VXLAN_FLAGS_RESERVED, o, 2, fl & 0x77b7);
    if (r.tree())
      it.text = r.format("{} = Reserved(R): 0x{:04x}", bit_pattern(r, fl, 16, 0x77b7), fl & 0x77b7);
  }
  if (r.tree()) r.pop();
  if (r.want(F::VXLAN_GBP)) {
    Item& it = r.add(F::VXLAN_GBP, o + 2, 2, gbp);
    if (r.tree()) it.text = r.format("Group Policy ID: {}", gbp);
  }
  if (r.want(F::VXLAN_VNI)) {
    Item& it = r.add(F::VXLAN_VNI, o + 4, 3, vni);
    if (r.tree()) it.text = r.format("VXLAN Network Identifier (VNI): {}", vni);
  }
  if (r.want(F::VXLAN_RESERVED8)) {
    Item& it = r.add(F::VXLAN_RESERVED8, o + 7, 1, b[7]);
    if (r.tree()) it.text = r.format("Reserved: {}", b[7]);
  }
  if (r.tree()) r.pop();
  if (r.columns_wanted()) r.cols().protocol = "VXLAN";
}

void describe_geneve(Ctx& c, const LayerSpan& l) {
  Record& r = c.rec;
  wire::Bytes b = c.bytes(l);
  const uint32_t o = l.offset;
  const uint8_t ver = b[0] >> 6, fl = b[1];
  const uint32_t optlen = (b[0] & 0x3fu) * 4, vni = wire::be32(&b[4]) >> 8;
  const uint16_t proto = wire::be16(&b[2]);
  const uint32_t hdr = std::min<uint32_t>(8 + optlen, l.length);
  if (r.tree()) {
    r.push(F::GENEVE, o, hdr).text = r.format("Generic Network Virtualization Encapsulation, VNI: 0x{:06x}{}",
                                              vni, fl & 0x80 ? ", OAM" : "");
  } else if (r.want(F::GENEVE)) {
    r.add(F::GENEVE, o, hdr);
  }
  if (r.want(F::GENEVE_VERSION)) r.add(F::GENEVE_VERSION, o, 1, ver).text = r.format("Version: {}", ver);
  if (r.want(F::GENEVE_OPTION_LENGTH))
    r.add(F::GENEVE_OPTION_LENGTH, o, 1, optlen).text = r.format("Length: {} bytes", optlen);
  if (r.want(F::GENEVE_FLAGS) && !r.tree()) r.add(F::GENEVE_FLAGS, o + 1, 1, fl);
  if (r.tree()) {
    {
      std::string_view text = r.format("Flags: 0x{:02x}", fl);
      Item& it = r.push(F::GENEVE_FLAGS, o + 1, 1);
      it.num = fl;
      it.text = text;
      r.add(F::GENEVE_FLAGS_OAM, o + 1, 1, (fl & 0x80) != 0).text =
          r.format("{} = Operations, Administration and Management Frame: {}", bit_pattern(r, fl, 8, 0x80),
                   true_false(fl & 0x80));
      r.add(F::GENEVE_FLAGS_CRITICAL, o + 1, 1, (fl & 0x40) != 0).text =
          r.format("{} = Critical Options Present: {}", bit_pattern(r, fl, 8, 0x40), true_false(fl & 0x40));
      r.add(F::GENEVE_FLAGS_RESERVED, o + 1, 1, (fl & 0x3f) != 0).text =
          r.format("{} = Reserved: {}", bit_pattern(r, fl, 8, 0x3f), true_false(fl & 0x3f));
      r.pop();
    }
  }
  if (!r.tree()) {
    if (r.want(F::GENEVE_FLAGS_OAM)) r.add(F::GENEVE_FLAGS_OAM, o + 1, 1, (fl & 0x80) != 0);
    if (r.want(F::GENEVE_FLAGS_CRITICAL)) r.add(F::GENEVE_FLAGS_CRITICAL, o + 1, 1, (fl & 0x40) != 0);
    if (r.want(F::GENEVE_FLAGS_RESERVED)) r.add(F::GENEVE_FLAGS_RESERVED, o + 1, 1, (fl & 0x3f) != 0);
  }
  if (r.want(F::GENEVE_PROTO_TYPE))
    r.add(F::GENEVE_PROTO_TYPE, o + 2, 2, proto).text =
        r.format("Protocol Type: {} (0x{:04x})", gre_proto_name(proto), proto);
  if (r.want(F::GENEVE_VNI))
    r.add(F::GENEVE_VNI, o + 4, 3, vni).text =
        r.format("Virtual Network Identifier (VNI): 0x{:06x} ({})", vni, vni);
  if (r.want(F::GENEVE_RESERVED)) {
    Item& it = r.add(F::GENEVE_RESERVED, o + 7, 1, b[7]);
    it.hidden = true;
    if (r.tree()) it.text = r.format("Reserved: 0x{:02x}", b[7]);
  }
  if (optlen && hdr == 8 + optlen) {
    wire::Bytes opts = b.subspan(8, optlen);
    const std::string_view raw_opts{reinterpret_cast<const char*>(opts.data()), opts.size()};
    if (r.tree()) r.push(F::GENEVE_OPTIONS, o + 8, optlen).text = r.format("Options: ({} bytes)", optlen);
    if (r.want(F::GENEVE_OPTIONS) && !r.tree()) r.add_str(F::GENEVE_OPTIONS, o + 8, optlen, raw_opts);
    if (r.tree()) r.items().back().str = r.save(raw_opts);
    size_t i = 0;
    while (i + 4 <= opts.size()) {
      const uint16_t cls = wire::be16(&opts[i]);
      const uint8_t type = opts[i + 2], ofl = opts[i + 3] >> 5;
      const uint32_t len = 4 + (opts[i + 3] & 0x1fu) * 4, at = o + 8 + static_cast<uint32_t>(i);
      if (i + len > opts.size()) {
        if (r.tree()) r.text("[Malformed Geneve option: length runs past the options]", at, 4);
        break;
      }
      const std::string_view raw_opt{reinterpret_cast<const char*>(opts.data() + i), len};
      const std::string_view crit = type & 0x80 ? " (Critical)" : "";
      if (r.tree()) {
        Item& it = r.push(F::GENEVE_OPTION, at, len);
        it.str = r.save(raw_opt);
        it.text = r.format("Unknown, Class: {} (0x{:04x}) Type: 0x{:02x}{}", geneve_class_name(cls), cls,
                           type, crit);
        r.add(F::GENEVE_OPTION_CLASS, at, 2, cls).text =
            r.format("Class: {} (0x{:04x})", geneve_class_name(cls), cls);
        r.add(F::GENEVE_OPTION_TYPE, at + 2, 1, type).text = r.format("Type: 0x{:02x}{}", type, crit);
        r.add(F::GENEVE_OPTION_TYPE_CRITICAL, at + 2, 1, (type & 0x80) != 0).hidden = true;
        r.add(F::GENEVE_OPTION_FLAGS, at + 3, 1, ofl).hidden = true;
        r.add(F::GENEVE_OPTION_FLAGS_RESERVED, at + 3, 1, ofl != 0).hidden = true;
        r.add(F::GENEVE_OPTION_LENGTH, at + 3, 1, len).text = r.format("Length: {} bytes", len);
        if (len > 4)
          r.add_str(F::GENEVE_OPTION_UNKNOWN_DATA, at + 4, len - 4, raw_opt.substr(4)).text =
              r.format("Unknown Option Data: {}", hex_str(r, opts.subspan(i + 4, len - 4)));
        r.pop();
      } else {
        if (r.want(F::GENEVE_OPTION)) r.add_str(F::GENEVE_OPTION, at, len, raw_opt);
        if (r.want(F::GENEVE_OPTION_CLASS)) r.add(F::GENEVE_OPTION_CLASS, at, 2, cls);
        if (r.want(F::GENEVE_OPTION_TYPE)) r.add(F::GENEVE_OPTION_TYPE, at + 2, 1, type);
        if (r.want(F::GENEVE_OPTION_TYPE_CRITICAL))
          r.add(F::GENEVE_OPTION_TYPE_CRITICAL, at + 2, 1, (type & 0x80) != 0);
        if (r.want(F::GENEVE_OPTION_FLAGS)) r.add(F::GENEVE_OPTION_FLAGS, at + 3, 1, ofl);
        if (r.want(F::GENEVE_OPTION_FLAGS_RESERVED))
          r.add(F::GENEVE_OPTION_FLAGS_RESERVED, at + 3, 1, ofl != 0);
        if (r.want(F::GENEVE_OPTION_LENGTH)) r.add(F::GENEVE_OPTION_LENGTH, at + 3, 1, len);
        if (len > 4 && r.want(F::GENEVE_OPTION_UNKNOWN_DATA))
          r.add_str(F::GENEVE_OPTION_UNKNOWN_DATA, at + 4, len - 4, raw_opt.substr(4));
      }
      i += len;
    }
    if (r.tree()) r.pop();
  }
  if (r.tree()) r.pop();
  if (r.columns_wanted()) r.cols().protocol = "Geneve";
}

void describe_mpls(Ctx& c, const LayerSpan& l) {
  Record& r = c.rec;
  wire::Bytes b = c.bytes(l);
  for (uint32_t i = 0; i + 4 <= b.size(); i += 4) {
    const uint32_t e = wire::be32(&b[i]), o = l.offset + i;
    const uint32_t label = e >> 12, exp = (e >> 9) & 7, bos = (e >> 8) & 1, ttl = e & 0xff;
    if (r.tree()) {
      r.push(F::MPLS, o, 4).text = r.format(
          "MultiProtocol Label Switching Header, Label: {}, Exp: {}, S: {}, TTL: {}",
          mpls_label_name(label).empty() ? r.format("{}", label) : mpls_label_name(label), exp, bos, ttl);
      const std::string_view special = mpls_label_name(label);
      r.add(F::MPLS_LABEL, o, 4, label).text =
          special.empty()
              ? r.format("{} = MPLS Label: {} (0x{:05x})", bit_pattern(r, e, 32, 0xfffff000), label, label)
              : r.format("{} = MPLS Label: {} ({})", bit_pattern(r, e, 32, 0xfffff000), special, label);
      r.add(F::MPLS_EXP, o, 4, exp).text =
          r.format("{} = MPLS Experimental Bits: {}", bit_pattern(r, e, 32, 0xe00), exp);
      r.add(F::MPLS_BOTTOM, o, 4, bos).text =
          r.format("{} = MPLS Bottom Of Label Stack: {}", bit_pattern(r, e, 32, 0x100), bos);
      r.add(F::MPLS_TTL, o, 4, ttl).text = r.format("{} = MPLS TTL: {}", bit_pattern(r, e, 32, 0xff), ttl);
      r.pop();
    } else {
      if (r.want(F::MPLS)) r.add(F::MPLS, o, 4);
      if (r.want(F::MPLS_LABEL)) r.add(F::MPLS_LABEL, o, 4, label);
      if (r.want(F::MPLS_EXP)) r.add(F::MPLS_EXP, o, 4, exp);
      if (r.want(F::MPLS_BOTTOM)) r.add(F::MPLS_BOTTOM, o, 4, bos);
      if (r.want(F::MPLS_TTL)) r.add(F::MPLS_TTL, o, 4, ttl);
    }
    if (bos) break;
  }
  if (r.columns_wanted()) r.cols().protocol = "MPLS";
}

void describe_gtpu(Ctx& c, const LayerSpan& l) {
  Record& r = c.rec;
  wire::Bytes b = c.bytes(l);
  const uint32_t o = l.offset;
  const uint8_t fl = b[0], type = b[1], ver = fl >> 5, pt = (fl >> 4) & 1;
  const uint16_t len = wire::be16(&b[2]);
  const uint32_t teid = wire::be32(&b[4]);
  const bool opt = ver == 1 && pt && (fl & 7) && b.size() >= 12;
  if (r.tree()) {
    r.push(F::GTP, o, opt ? 12 : 8).text = "GPRS Tunneling Protocol";
    Item& it = r.push(F::GTP_FLAGS, o, 1);
    it.num = fl;
    it.text = r.format("Flags: 0x{:02x}", fl);
    r.add(F::GTP_FLAGS_VERSION, o, 1, ver).text =
        r.format("{} = Version: {} ({})", bit_pattern(r, fl, 8, 0xe0),
                 ver == 1   ? "GTP release 99 version"
                 : ver == 0 ? "GTP release 97/98 version"
                            : "Unknown",
                 ver);
    r.add(F::GTP_FLAGS_PAYLOAD, o, 1, pt).text =
        r.format("{} = Protocol type: {} ({})", bit_pattern(r, fl, 8, 0x10), pt ? "GTP" : "GTP'", pt);
    r.add(F::GTP_FLAGS_RESERVED, o, 1, (fl >> 3) & 1).text =
        r.format("{} = Reserved: {}", bit_pattern(r, fl, 8, 0x08), (fl >> 3) & 1);
    r.add(F::GTP_FLAGS_E, o, 1, (fl >> 2) & 1).text =
        r.format("{} = Is Next Extension Header present?: {}", bit_pattern(r, fl, 8, 0x04), yes_no(fl & 4));
    r.add(F::GTP_FLAGS_S, o, 1, (fl >> 1) & 1).text =
        r.format("{} = Is Sequence Number present?: {}", bit_pattern(r, fl, 8, 0x02), yes_no(fl & 2));
    r.add(F::GTP_FLAGS_PN, o, 1, fl & 1).text =
        r.format("{} = Is N-PDU number present?: {}", bit_pattern(r, fl, 8, 0x01), yes_no(fl & 1));
    r.pop();
    r.add(F::GTP_MESSAGE, o + 1, 1, type).text = r.format("Message Type: {} (0x{:02x})",
                                                          type == 0xff  ? "T-PDU"
                                                          : type == 1   ? "Echo request"
                                                          : type == 2   ? "Echo response"
                                                          : type == 26  ? "Error Indication"
                                                          : type == 254 ? "End Marker"
                                                                        : "Unknown",
                                                          type);
    r.add(F::GTP_LENGTH, o + 2, 2, len).text = r.format("Length: {}", len);
    r.add(F::GTP_TEID, o + 4, 4, teid).text = r.format("TEID: 0x{:08x} ({})", teid, teid);
    if (opt) {
      const uint16_t seq = wire::be16(&b[8]);
      r.add(F::GTP_SEQ_NUMBER, o + 8, 2, seq).text = r.format("Sequence number: {} (0x{:04x})", seq, seq);
      r.add(F::GTP_NPDU_NUMBER, o + 10, 1, b[10]).text = r.format("N-PDU Number: 0x{:02x}", b[10]);
      r.add(F::GTP_NEXT, o + 11, 1, b[11]).text = r.format("Next extension header type: 0x{:02x}", b[11]);
    }
    r.pop();
  } else {
    if (r.want(F::GTP)) r.add(F::GTP, o, opt ? 12 : 8);
    if (r.want(F::GTP_FLAGS)) r.add(F::GTP_FLAGS, o, 1, fl);
    if (r.want(F::GTP_FLAGS_VERSION)) r.add(F::GTP_FLAGS_VERSION, o, 1, ver);
    if (r.want(F::GTP_FLAGS_PAYLOAD)) r.add(F::GTP_FLAGS_PAYLOAD, o, 1, pt);
    if (r.want(F::GTP_FLAGS_RESERVED)) r.add(F::GTP_FLAGS_RESERVED, o, 1, (fl >> 3) & 1);
    if (r.want(F::GTP_FLAGS_E)) r.add(F::GTP_FLAGS_E, o, 1, (fl >> 2) & 1);
    if (r.want(F::GTP_FLAGS_S)) r.add(F::GTP_FLAGS_S, o, 1, (fl >> 1) & 1);
    if (r.want(F::GTP_FLAGS_PN)) r.add(F::GTP_FLAGS_PN, o, 1, fl & 1);
    if (r.want(F::GTP_MESSAGE)) r.add(F::GTP_MESSAGE, o + 1, 1, type);
    if (r.want(F::GTP_LENGTH)) r.add(F::GTP_LENGTH, o + 2, 2, len);
    if (r.want(F::GTP_TEID)) r.add(F::GTP_TEID, o + 4, 4, teid);
    if (opt && r.want(F::GTP_SEQ_NUMBER)) r.add(F::GTP_SEQ_NUMBER, o + 8, 2, wire::be16(&b[8]));
    if (opt && r.want(F::GTP_NPDU_NUMBER)) r.add(F::GTP_NPDU_NUMBER, o + 10, 1, b[10]);
    if (opt && r.want(F::GTP_NEXT)) r.add(F::GTP_NEXT, o + 11, 1, b[11]);
  }
  if (r.columns_wanted()) r.cols().protocol = "GTP";
}

void describe_teredo(Ctx& c, const LayerSpan& l) {
  Record& r = c.rec;
  if (r.tree()) {
    r.add(F::TEREDO, l.offset, l.length).text = "Teredo IPv6 over UDP tunneling";
  } else if (r.want(F::TEREDO)) {
    r.add(F::TEREDO, l.offset, l.length);
  }
  if (r.columns_wanted()) r.cols().protocol = "Teredo";
}

void describe_cmd(Ctx& c, const LayerSpan& l) {
  Record& r = c.rec;
  wire::Bytes b = c.bytes(l);
  const uint32_t o = l.offset;
  const uint16_t type = wire::be16(&b[0]), opts = wire::be16(&b[4]), sgt = wire::be16(&b[6]);
  if (r.tree())
    r.push(F::CMD, o, 8).text = "Cisco MetaData";
  else if (r.want(F::CMD))
    r.add(F::CMD, o, 8);
  if (r.want(F::CMD_TYPE))
    r.add(F::CMD_TYPE, o, 2, type).text = r.format("Type: {} (0x{:04x})", ethertype_name(type), type);
  if (r.want(F::CMD_VERSION)) r.add(F::CMD_VERSION, o + 2, 1, b[2]).text = r.format("Version: {}", b[2]);
  if (r.want(F::CMD_LENGTH)) r.add(F::CMD_LENGTH, o + 3, 1, b[3]).text = r.format("Length: {}", b[3]);
  if (r.want(F::CMD_OPTIONS))
    r.add(F::CMD_OPTIONS, o + 4, 2, opts).text = r.format("Options: 0x{:04x}", opts);
  if (r.want(F::CMD_SGT)) r.add(F::CMD_SGT, o + 6, 2, sgt).text = r.format("SGT: {}", sgt);
  if (r.tree()) r.pop();
}

} // namespace ps::proto
