#include "dns/message.h"

#include <algorithm>

namespace ps::dns {

namespace {

using Span = std::span<const uint8_t>;

uint16_t be16(Span m, uint32_t o) {
  return static_cast<uint16_t>(m[o] << 8 | m[o + 1]);
}
uint32_t be32(Span m, uint32_t o) {
  return uint32_t{be16(m, o)} << 16 | be16(m, o + 2);
}

// tshark's rendering of label bytes: printable ASCII as is, other ASCII as \ooo (octal), and bytes
// of 0x80 and above as U+FFFD.
void append_label_char(std::string& out, uint8_t ch) {
  if (ch >= 0x20 && ch < 0x7f) {
    out += static_cast<char>(ch);
  } else if (ch < 0x80) {
    out += '\\';
    out += static_cast<char>('0' + (ch >> 6));
    out += static_cast<char>('0' + ((ch >> 3) & 7));
    out += static_cast<char>('0' + (ch & 7));
  } else {
    out += "\xef\xbf\xbd";
  }
}

// Cursor over the message that records the first error and refuses to read past the end.
struct Parser {
  Span m;
  uint32_t pos = 0;
  Error err = Error::None;

  bool need(uint32_t n) {
    if (err != Error::None) return false;
    if (m.size() < pos || m.size() - pos < n) {
      err = Error::Truncated;
      return false;
    }
    return true;
  }
  bool name(Name& out) {
    if (err != Error::None) return false;
    Error e = read_name(m, pos, out);
    if (e != Error::None) {
      err = e;
      return false;
    }
    pos += out.wire_len;
    return true;
  }

  bool question(Question& q) {
    q.offset = pos;
    if (!name(q.name) || !need(4)) return false;
    q.type = be16(m, pos);
    q.qclass = be16(m, pos + 2);
    pos += 4;
    q.length = pos - q.offset;
    return true;
  }

  // A name that must end inside RDATA [pos, end).
  bool rdata_name(Name& out, uint32_t end) {
    if (!name(out)) return false;
    if (pos > end) err = Error::BadRdata;
    return err == Error::None;
  }

  void rdata(Record& r) {
    const uint32_t end = r.rdata_offset + r.rdlength;
    pos = r.rdata_offset;
    const uint32_t len = r.rdlength;
    switch (r.type) {
    case type::A:
    case type::AAAA: {
      uint32_t want = r.type == type::A ? 4 : 16;
      if (len != want) return;
      for (uint32_t i = 0; i < want; ++i) r.addr[i] = m[pos + i];
      r.rdata_parsed = true;
      return;
    }
    case type::CNAME:
    case type::NS:
    case type::PTR:
      r.rdata_parsed = rdata_name(r.target, end);
      return;
    case type::MX:
      if (len < 3) return;
      r.preference = be16(m, pos);
      pos += 2;
      r.rdata_parsed = rdata_name(r.target, end);
      return;
    case type::SRV:
      if (len < 7) return;
      r.preference = be16(m, pos);
      r.weight = be16(m, pos + 2);
      r.port = be16(m, pos + 4);
      pos += 6;
      r.rdata_parsed = rdata_name(r.target, end);
      return;
    case type::SOA:
      if (!rdata_name(r.target, end) || !rdata_name(r.rname, end)) return;
      if (end - pos < 20) {
        err = Error::BadRdata;
        return;
      }
      r.serial = be32(m, pos);
      r.refresh = be32(m, pos + 4);
      r.retry = be32(m, pos + 8);
      r.expire = be32(m, pos + 12);
      r.minimum = be32(m, pos + 16);
      r.rdata_parsed = true;
      return;
    case type::TXT:
      while (pos < end) {
        uint8_t n = m[pos];
        if (end - pos - 1 < n) {
          err = Error::BadRdata;
          return;
        }
        r.txt.push_back({pos + 1, n});
        pos += 1u + n;
      }
      r.rdata_parsed = true;
      return;
    case type::OPT:
      while (end - pos >= 4) {
        EdnsOption o{be16(m, pos), be16(m, pos + 2), pos + 4};
        if (end - pos - 4 < o.length) {
          err = Error::BadRdata;
          return;
        }
        r.options.push_back(o);
        pos += 4u + o.length;
      }
      if (pos != end) {
        err = Error::BadRdata;
        return;
      }
      r.rdata_parsed = true;
      return;
    default:
      return;
    }
  }

  bool record(Record& r) {
    r.offset = pos;
    if (!name(r.name) || !need(10)) return false;
    r.type = be16(m, pos);
    r.rclass = be16(m, pos + 2);
    r.ttl = be32(m, pos + 4);
    r.rdlength = be16(m, pos + 8);
    pos += 10;
    r.rdata_offset = pos;
    if (!need(r.rdlength)) return false;
    rdata(r);
    // A bad RDATA is reported but the record's extent is still known: keep the record.
    pos = r.rdata_offset + r.rdlength;
    r.length = pos - r.offset;
    return err == Error::None;
  }

  void section(uint16_t count, std::vector<Record>& out) {
    for (uint32_t i = 0; i < count && err == Error::None; ++i) {
      Record r;
      bool good = record(r);
      if (good || r.length) out.push_back(std::move(r));
    }
  }
};

} // namespace

std::string_view error_text(Error e) {
  switch (e) {
  case Error::None:
    return "no error";
  case Error::ShortHeader:
    return "message shorter than the 12-byte header";
  case Error::Truncated:
    return "message truncated";
  case Error::BadLabelType:
    return "invalid label length (over 63 or reserved label type)";
  case Error::NameTooLong:
    return "name longer than 255 bytes";
  case Error::PointerLoop:
    return "too many compression pointers (loop)";
  case Error::PointerOutOfRange:
    return "compression pointer outside the message";
  case Error::BadRdata:
    return "record data inconsistent with its length";
  }
  return "unknown error";
}

Error read_name(Span m, uint32_t off, Name& out) {
  out.text.clear();
  out.offset = off;
  out.wire_len = 0;
  out.labels = 0;
  out.text_len = 0;
  uint32_t pos = off;
  uint32_t total = 0;   // decompressed wire octets, without the root byte
  uint32_t raw_len = 0; // dotted name length before escaping
  unsigned jumps = 0;
  bool jumped = false;
  for (;;) {
    if (pos >= m.size()) return Error::Truncated;
    uint8_t len = m[pos];
    if (len == 0) {
      if (!jumped) out.wire_len = pos + 1 - off;
      break;
    }
    if ((len & 0xc0) == 0xc0) {
      if (pos + 1 >= m.size()) return Error::Truncated;
      uint32_t target = (uint32_t{len & 0x3fu} << 8) | m[pos + 1];
      if (!jumped) out.wire_len = pos + 2 - off;
      jumped = true;
      if (++jumps > kMaxPointers) return Error::PointerLoop;
      if (target >= m.size()) return Error::PointerOutOfRange;
      pos = target;
      continue;
    }
    if (len & 0xc0) return Error::BadLabelType;
    total += 1u + len;
    if (total + 1 > kMaxNameWire) return Error::NameTooLong;
    if (m.size() - pos - 1 < len) return Error::Truncated;
    if (out.labels) {
      out.text += '.';
      ++raw_len;
    }
    raw_len += len;
    for (uint32_t i = 0; i < len; ++i) append_label_char(out.text, m[pos + 1 + i]);
    ++out.labels;
    pos += 1u + len;
  }
  if (out.labels == 0) {
    // tshark measures and counts the root as the text "<Root>": length 6, one label.
    out.text = "<Root>";
    raw_len = 6;
    out.labels = 1;
  }
  out.text_len = static_cast<uint16_t>(raw_len);
  return Error::None;
}

ParseResult parse_dns(Span msg) {
  ParseResult res;
  Message& m = res.msg;
  if (msg.size() < kHeaderLen) {
    res.error = Error::ShortHeader;
    return res;
  }
  m.id = be16(msg, 0);
  m.raw_flags = be16(msg, 2);
  const uint16_t f = m.raw_flags;
  m.flags = {(f & 0x8000) != 0, static_cast<uint8_t>((f >> 11) & 0xf),
             (f & 0x400) != 0,  (f & 0x200) != 0,
             (f & 0x100) != 0,  (f & 0x80) != 0,
             (f & 0x40) != 0,   (f & 0x20) != 0,
             (f & 0x10) != 0,   static_cast<uint8_t>(f & 0xf)};
  m.qdcount = be16(msg, 4);
  m.ancount = be16(msg, 6);
  m.nscount = be16(msg, 8);
  m.arcount = be16(msg, 10);
  Parser p{msg, kHeaderLen};
  // Counts come from the wire: never reserve by them; each entry needs at least 5 bytes, so the loops
  // are bounded by the message size through the first error.
  for (uint32_t i = 0; i < m.qdcount && p.err == Error::None; ++i) {
    Question q;
    if (p.question(q)) m.questions.push_back(std::move(q));
  }
  p.section(m.ancount, m.answers);
  p.section(m.nscount, m.authority);
  p.section(m.arcount, m.additional);
  res.error = p.err;
  res.error_offset = p.pos;
  res.consumed = static_cast<uint32_t>(std::min<size_t>(p.pos, msg.size()));
  return res;
}

bool looks_like_dns(Span msg) {
  if (msg.size() < kHeaderLen + 5) return false;
  ParseResult r = parse_dns(msg);
  const Flags& f = r.msg.flags;
  if (!r.ok() || r.consumed != msg.size() || r.msg.qdcount != 1 || f.z) return false;
  if (f.opcode != 0 && f.opcode != 2 && f.opcode != 4 && f.opcode != 5) return false;
  if (!f.qr && (r.msg.ancount || r.msg.nscount || f.rcode)) return false;
  const Question& q = r.msg.questions.front();
  return q.type != 0 && (q.qclass & 0x7fff) >= 1 && (q.qclass & 0x7fff) <= 255;
}

} // namespace ps::dns
