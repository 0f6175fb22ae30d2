// Parser and compiler: tokens → Program (src/filter/program.h), literals converted to field types.
#include <algorithm>
#include <cstring>

#include "filter/display_filter.h"
#include "filter/lexer.h"
#include "filter/literal.h"
#include "filter/program.h"

namespace ps::filter {

using namespace detail;

namespace {

std::string quoted(std::string_view s) {
  std::string r = "\"";
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      r += '?';
    else
      r += c;
  }
  r += '"';
  return r;
}

std::string_view type_name(FieldType t) {
  switch (t) {
  case FieldType::Protocol:
    return "Protocol";
  case FieldType::Text:
    return "Text";
  case FieldType::None:
    return "Label";
  case FieldType::Bool:
    return "Boolean";
  case FieldType::UInt8:
    return "Unsigned integer (1 byte)";
  case FieldType::UInt16:
    return "Unsigned integer (2 bytes)";
  case FieldType::UInt24:
    return "Unsigned integer (3 bytes)";
  case FieldType::UInt32:
    return "Unsigned integer (4 bytes)";
  case FieldType::UInt64:
    return "Unsigned integer (8 bytes)";
  case FieldType::Int32:
    return "Signed integer (4 bytes)";
  case FieldType::FrameNum:
    return "Frame number";
  case FieldType::Ether:
    return "Ethernet or other MAC address";
  case FieldType::Ipv4:
    return "IPv4 address";
  case FieldType::Ipv6:
    return "IPv6 address";
  case FieldType::String:
    return "Character string";
  case FieldType::Bytes:
    return "Byte sequence";
  case FieldType::AbsTime:
    return "Date and time";
  case FieldType::RelTime:
    return "Time offset";
  case FieldType::Double:
    return "Floating point (double-precision)";
  }
  return "?";
}

VK base_kind(FieldType t) {
  switch (t) {
  case FieldType::Protocol:
  case FieldType::Ether:
  case FieldType::Ipv6:
  case FieldType::String:
  case FieldType::Bytes:
    return VK::Bytes;
  case FieldType::Text:
  case FieldType::None:
    return VK::None;
  case FieldType::Ipv4:
    return VK::Ipv4;
  case FieldType::Double:
    return VK::Double;
  default:
    return VK::Int;
  }
}

// Largest value of an unsigned field type (0 for the others).
uint64_t unsigned_max(FieldType t) {
  switch (t) {
  case FieldType::Bool:
    return 1;
  case FieldType::UInt8:
    return 0xff;
  case FieldType::UInt16:
    return 0xffff;
  case FieldType::UInt24:
    return 0xffffff;
  case FieldType::UInt32:
  case FieldType::FrameNum:
    return 0xffffffff;
  case FieldType::UInt64:
    return ~uint64_t{0};
  default:
    return 0;
  }
}

bool is_ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

// A value as written, converted once the other side's type is known.
struct Lit {
  Tok kind = Tok::Word; // Word, String or Char
  std::string text;     // Word: as written; String/Char: the unescaped bytes
  size_t pos = 0, len = 0;
};

// One side of a test: a field reference or a literal not yet converted.
struct Side {
  bool is_lit = false;
  Lit lit;
  Operand op;
};

struct Failure {};

class Parser {
public:
  Parser(std::string_view expr, std::vector<Token>& toks, CompileError& err, Program& prog)
      : expr_(expr), t_(toks), err_(err), prog_(prog) {}

  std::unique_ptr<Node> parse() {
    if (peek().kind == Tok::End) fail("the filter is empty", 0);
    auto n = parse_or();
    if (peek().kind != Tok::End) unexpected(peek());
    return n;
  }

private:
  const Token& peek(size_t k = 0) const { return t_[std::min(i_ + k, t_.size() - 1)]; }
  const Token& next() {
    const Token& t = t_[i_];
    if (i_ + 1 < t_.size()) ++i_;
    return t;
  }

  [[noreturn]] void fail(std::string msg, size_t col) {
    err_.message = std::move(msg);
    err_.column = col;
    throw Failure{};
  }
  [[noreturn]] void unexpected(const Token& t) {
    if (t.kind == Tok::End) fail("unexpected end of filter expression", t.pos);
    std::string_view shown = t.kind == Tok::Range ? std::string_view("[") : t.text;
    fail(quoted(shown) + " was unexpected in this context", t.pos);
  }
  // The token after an operator must be a value.
  void need_value(const Token& op) {
    const Token& t = peek();
    if (t.kind == Tok::End) fail("missing value after '" + std::string(op.text) + "'", t.pos);
  }

  std::unique_ptr<Node> parse_or() {
    auto l = parse_and();
    while (peek().kind == Tok::Or) {
      const Token& op = next();
      need_value(op);
      auto n = std::make_unique<Node>();
      n->kind = Node::Or;
      n->a = std::move(l);
      n->b = parse_and();
      l = std::move(n);
    }
    return l;
  }

  std::unique_ptr<Node> parse_and() {
    auto l = parse_not();
    while (peek().kind == Tok::And) {
      const Token& op = next();
      need_value(op);
      auto n = std::make_unique<Node>();
      n->kind = Node::And;
      n->a = std::move(l);
      n->b = parse_not();
      l = std::move(n);
    }
    return l;
  }

  std::unique_ptr<Node> parse_not() {
    if (peek().kind == Tok::Not) {
      const Token& op = next();
      need_value(op);
      if (++depth_ > 200) fail("the filter is nested too deeply", op.pos);
      auto n = std::make_unique<Node>();
      n->kind = Node::Not;
      n->a = parse_not();
      --depth_;
      return n;
    }
    return parse_primary();
  }

  std::unique_ptr<Node> parse_primary() {
    if (peek().kind == Tok::LParen) {
      const Token& open = next();
      need_value(open);
      if (++depth_ > 200) fail("the filter is nested too deeply", open.pos);
      auto n = parse_or();
      --depth_;
      if (peek().kind != Tok::RParen) {
        if (peek().kind == Tok::End)
          fail("missing ')' for the '(' at column " + std::to_string(open.pos), peek().pos);
        unexpected(peek());
      }
      next();
      return n;
    }
    return parse_test();
  }

  // field [range] | len(field) | count(field) | literal, then an optional "& mask".
  Side parse_side() {
    Side s = parse_entity();
    if (peek().kind == Tok::BitAnd) {
      const Token& amp = next();
      need_value(amp);
      if (s.is_lit) fail("the left side of '&' must be a field", s.lit.pos);
      const Token& m = next();
      i128 v = 0;
      if (m.kind != Tok::Word || !parse_integer(m.text, v) || v < 0 || v > static_cast<i128>(~uint64_t{0}))
        fail(quoted(m.text) + " is not a valid bit mask", m.pos);
      if (s.op.vk != VK::Int || s.op.fn != Fn::None)
        fail(std::string(field_info(s.op.field).abbrev) + " (type=" + std::string(type_name(s.op.ftype)) +
                 ") cannot be used with '&'",
             s.op.pos);
      s.op.has_mask = true;
      s.op.mask = static_cast<uint64_t>(v);
      s.op.len = m.pos + m.text.size() - s.op.pos;
    }
    return s;
  }

  Operand field_operand(const Token& t, F f) {
    Operand o;
    o.is_field = true;
    o.field = f;
    o.ftype = field_info(f).type;
    o.vk = base_kind(o.ftype);
    o.pos = t.pos;
    o.len = t.text.size();
    if (o.ftype == FieldType::Text || field_info(f).abbrev.starts_with("_ws.col."))
      fail(quoted(t.text) + " is a column, not a field a filter can test", t.pos);
    prog_.fields.set(static_cast<size_t>(f));
    return o;
  }

  [[noreturn]] void unknown_field(std::string_view name, size_t pos) {
    fail(quoted(name) + " is not a valid protocol or protocol field", pos);
  }

  Side parse_entity() {
    const Token& t = next();
    Side s;
    switch (t.kind) {
    case Tok::String:
    case Tok::Char:
      s.is_lit = true;
      s.lit = {t.kind, t.value, t.pos, t.text.size()};
      return s;
    case Tok::Word:
      break;
    default:
      unexpected(t);
    }
    if (peek().kind == Tok::LParen) { // function call
      Fn fn = t.text == "len" ? Fn::Len : t.text == "count" ? Fn::Count : Fn::None;
      if (fn == Fn::None) fail(quoted(t.text) + " is not a function (len and count are)", t.pos);
      next();
      const Token& arg = next();
      if (arg.kind != Tok::Word) unexpected(arg);
      auto f = find_field(arg.text);
      if (!f) unknown_field(arg.text, arg.pos);
      s.op = field_operand(arg, *f);
      if (fn == Fn::Count) {
        if (peek().kind == Tok::Range) fail("count() takes a field, not a slice", peek().pos);
      } else if (peek().kind == Tok::Range) {
        parse_slice(next(), s.op);
      }
      if (fn == Fn::Len && s.op.vk != VK::Bytes && s.op.vk != VK::Ipv4)
        fail(std::string(field_info(*f).abbrev) + " (type=" + std::string(type_name(s.op.ftype)) +
                 ") has no length",
             arg.pos);
      if (peek().kind != Tok::RParen) unexpected(peek());
      const Token& close = next();
      s.op.fn = fn;
      s.op.vk = VK::Int;
      s.op.pos = t.pos;
      s.op.len = close.pos + 1 - t.pos;
      return s;
    }
    auto f = find_field(t.text);
    if (!f) {
      if (peek().kind == Tok::Range) unknown_field(t.text, t.pos);
      s.is_lit = true;
      s.lit = {Tok::Word, std::string(t.text), t.pos, t.text.size()};
      return s;
    }
    s.op = field_operand(t, *f);
    if (peek().kind == Tok::Range) parse_slice(next(), s.op);
    return s;
  }

  // [i:j] [i-j] [i] [:j] [i:]
  void parse_slice(const Token& r, Operand& o) {
    if (o.vk != VK::Bytes && o.vk != VK::Ipv4)
      fail(std::string(field_info(o.field).abbrev) + " (type=" + std::string(type_name(o.ftype)) +
               ") cannot be sliced",
           r.pos);
    std::string_view s = r.text;
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    auto bad = [&](std::string why) { fail("invalid slice [" + std::string(r.text) + "]: " + why, r.pos); };
    if (s.empty()) bad("empty");
    if (s.find(',') != std::string_view::npos) bad("several ranges in one slice are not supported");
    auto number = [&](std::string_view v, int64_t& out) {
      i128 x = 0;
      if (v.empty() || !parse_integer(v, x) || x > 0x7fffffff || x < -0x7fffffff) bad("not a number");
      out = static_cast<int64_t>(x);
    };
    // The separator: ':' or a '-' that is not a leading sign.
    size_t sep = s.find(':');
    char kind = ':';
    if (sep == std::string_view::npos) {
      sep = s.find('-', 1);
      kind = '-';
    }
    Slice sl;
    if (sep == std::string_view::npos) {
      number(s, sl.start);
      sl.length = 1;
    } else if (kind == ':') {
      std::string_view a = s.substr(0, sep), b = s.substr(sep + 1);
      if (a.empty())
        sl.start = 0;
      else
        number(a, sl.start);
      if (b.empty()) {
        sl.to_end = true;
      } else {
        number(b, sl.length);
        if (sl.length <= 0) bad("the length must be positive");
      }
    } else {
      int64_t end = 0;
      number(s.substr(0, sep), sl.start);
      number(s.substr(sep + 1), end);
      if ((sl.start < 0) != (end < 0) || end < sl.start) bad("the end is before the start");
      sl.length = end - sl.start + 1;
    }
    o.has_slice = true;
    o.slice = sl;
    o.vk = VK::Bytes;
    o.len = r.pos + r.text.size() + 2 - o.pos;
    prog_.frame_bytes = prog_.frame_bytes || o.ftype == FieldType::Protocol;
  }

  // Converts a literal to the kind of `o` for operator `op`.
  Const convert(const Lit& l, const Operand& o, Op op) {
    Const c;
    c.k = o.vk;
    const std::string shown = l.kind == Tok::Word ? quoted(l.text) : std::string(expr_.substr(l.pos, l.len));
    auto bad = [&](std::string why) -> Const { fail(std::move(why), l.pos); };
    auto as_field_name = [&]() {
      // An unknown dotted name where a number or address was expected is most likely a field typo.
      if (l.kind == Tok::Word && is_ident_start(l.text[0]) && l.text.find('.') != std::string::npos &&
          o.ftype != FieldType::String && !o.has_slice && o.vk != VK::Bytes)
        unknown_field(l.text, l.pos);
    };
    if (op == Op::Matches) {
      c.k = VK::Bytes;
      c.bytes = l.text;
      return c;
    }
    if (op == Op::Contains || o.has_slice || o.vk == VK::Bytes) {
      c.k = VK::Bytes;
      if (l.kind != Tok::Word) {
        if (o.ftype == FieldType::Ether && !o.has_slice && op != Op::Contains)
          bad("Ethernet address cannot be converted from a string (" + shown + ")");
        if (o.ftype == FieldType::Ipv6 && !o.has_slice && op != Op::Contains)
          bad("IPv6 address cannot be converted from a string (" + shown + ")");
        c.bytes = l.text;
        return c;
      }
      if (o.ftype == FieldType::String && !o.has_slice) {
        c.bytes = l.text;
        return c;
      }
      if (o.ftype == FieldType::Ipv6 && !o.has_slice && op != Op::Contains) {
        uint8_t a[16];
        std::string why;
        if (!parse_ipv6(l.text, a, c.prefix, why)) bad(shown + " is not a valid IPv6 address (" + why + ")");
        if (c.prefix >= 0 && op != Op::Eq && op != Op::Ne && op != Op::AllEq && op != Op::AnyNe &&
            op != Op::In)
          bad("a subnet can only be tested for (in)equality");
        c.bytes.assign(reinterpret_cast<const char*>(a), 16);
        return c;
      }
      if (!parse_bytes(l.text, c.bytes)) {
        if (o.ftype == FieldType::Ether && !o.has_slice) bad(shown + " is not a valid Ethernet address");
        bad(shown + " is not a valid byte string");
      }
      if (o.ftype == FieldType::Ether && !o.has_slice && op != Op::Contains && c.bytes.size() != 6)
        bad(shown + " is not a valid Ethernet address");
      return c;
    }
    switch (o.vk) {
    case VK::None:
      return bad(std::string(field_info(o.field).abbrev) + " (type=" + std::string(type_name(o.ftype)) +
                 ") cannot be compared with a value");
    case VK::Double: {
      if (l.kind != Tok::Word || !parse_double(l.text, c.d)) {
        as_field_name();
        bad(shown + " is not a valid floating point number");
      }
      return c;
    }
    case VK::Ipv4: {
      if (l.kind != Tok::Word) bad("IPv4 address cannot be converted from a string (" + shown + ")");
      std::string why;
      if (!parse_ipv4(l.text, c.v4, c.prefix, why)) {
        as_field_name();
        bad(shown + " is not a valid IPv4 address (" + why + ")");
      }
      if (c.prefix >= 0 && op != Op::Eq && op != Op::Ne && op != Op::AllEq && op != Op::AnyNe && op != Op::In)
        bad("a subnet can only be tested for (in)equality");
      return c;
    }
    case VK::Int:
      break;
    case VK::Bytes:
      break;
    }
    // Integers: plain, masked, len()/count(), booleans, times.
    if (o.fn == Fn::None && !o.has_mask && o.ftype == FieldType::RelTime) {
      int64_t ns = 0;
      if (l.kind != Tok::Word || !parse_rel_time(l.text, ns)) {
        as_field_name();
        bad(shown + " is not a valid time offset in seconds");
      }
      c.i = ns;
      return c;
    }
    if (o.fn == Fn::None && !o.has_mask && o.ftype == FieldType::AbsTime) {
      int64_t ns = 0;
      if (!parse_abs_time(l.text, ns)) bad(shown + " is not a valid absolute time (\"YYYY-MM-DD HH:MM:SS\")");
      c.i = ns;
      return c;
    }
    if (l.kind == Tok::Char) {
      c.i = static_cast<unsigned char>(l.text[0]);
    } else if (l.kind == Tok::String) {
      bad(std::string(field_info(o.field).abbrev) + " (type=" + std::string(type_name(o.ftype)) +
          ") cannot be converted from a string (" + shown + ")");
    } else if (o.ftype == FieldType::Bool && o.fn == Fn::None && !o.has_mask &&
               (l.text == "True" || l.text == "False")) {
      c.i = l.text == "True";
      return c;
    } else if (!parse_integer(l.text, c.i)) {
      as_field_name();
      if (o.ftype == FieldType::Bool)
        bad(shown + " cannot be found among the possible values for " +
            std::string(field_info(o.field).abbrev));
      bad(shown + " is not a valid number");
    }
    if (o.fn != Fn::None) {
      if (c.i < 0) bad(shown + " is not a valid length or count");
      return c;
    }
    if (o.ftype == FieldType::Int32) {
      if (c.i > 0x7fffffff) bad(shown + " too big for this field, maximum 2147483647");
      if (c.i < -static_cast<i128>(0x80000000LL))
        bad(shown + " too small for this field, minimum -2147483648");
      return c;
    }
    const uint64_t max = unsigned_max(o.ftype);
    if (o.ftype == FieldType::Bool && !o.has_mask) {
      if (c.i != 0 && c.i != 1)
        bad(shown + " cannot be found among the possible values for " +
            std::string(field_info(o.field).abbrev));
      return c;
    }
    if (max && c.i > static_cast<i128>(max))
      bad(shown + " too big for this field, maximum " + std::to_string(max));
    return c;
  }

  static Op op_of(Tok t) {
    switch (t) {
    case Tok::Eq:
      return Op::Eq;
    case Tok::Ne:
      return Op::Ne;
    case Tok::AllEq:
      return Op::AllEq;
    case Tok::AnyNe:
      return Op::AnyNe;
    case Tok::Lt:
      return Op::Lt;
    case Tok::Le:
      return Op::Le;
    case Tok::Gt:
      return Op::Gt;
    case Tok::Ge:
      return Op::Ge;
    case Tok::Contains:
      return Op::Contains;
    case Tok::Matches:
      return Op::Matches;
    case Tok::In:
      return Op::In;
    default:
      return Op::Exists;
    }
  }

  void check_operator(const Operand& o, Op op, const Token& optok) {
    const std::string who =
        std::string(field_info(o.field).abbrev) + " (type=" + std::string(type_name(o.ftype)) + ")";
    if (o.vk == VK::None)
      fail(who + " cannot participate in '" + std::string(optok.text) + "' comparison", o.pos);
    if ((op == Op::Contains || op == Op::Matches) && o.vk != VK::Bytes)
      fail(who + " cannot participate in '" + std::string(optok.text) + "' comparison", o.pos);
    if (op == Op::Matches && o.ftype == FieldType::Ipv6 && !o.has_slice)
      fail(who + " cannot participate in '" + std::string(optok.text) + "' comparison", o.pos);
    if ((op == Op::Contains || op == Op::Matches) && o.ftype == FieldType::Protocol && !o.has_slice) {
      o_proto_to_end_ = true;
      prog_.frame_bytes = true;
    }
    if (o.ftype == FieldType::Protocol && !o.has_slice && o.fn == Fn::None) prog_.frame_bytes = true;
  }

  std::unique_ptr<Node> parse_test() {
    const size_t start = peek().pos;
    Side l = parse_side();
    auto n = std::make_unique<Node>();
    n->kind = Node::Test;
    const Tok k = peek().kind;
    const Op op = op_of(k);
    if (op == Op::Exists) {
      if (l.is_lit) {
        if (l.lit.kind == Tok::Word) unknown_field(l.lit.text, l.lit.pos);
        fail("a string alone is not a test", l.lit.pos);
      }
      if (l.op.ftype == FieldType::Protocol && l.op.has_slice) prog_.frame_bytes = true;
      if (l.op.fn == Fn::Len || l.op.fn == Fn::Count)
        fail("a function result alone is not a test (compare it)", l.op.pos);
      n->op = Op::Exists;
      n->lhs = std::move(l.op);
      return n;
    }
    const Token& optok = next();
    need_value(optok);
    if (op == Op::In) {
      if (l.is_lit) fail("the left side of 'in' must be a field", l.lit.pos);
      check_operator(l.op, op, optok);
      parse_set(*n, l.op);
      n->op = Op::In;
      n->lhs = std::move(l.op);
      return n;
    }
    Side r = parse_side();
    if (l.is_lit && r.is_lit) {
      if (l.lit.kind == Tok::Word && is_ident_start(l.lit.text[0])) unknown_field(l.lit.text, l.lit.pos);
      if (r.lit.kind == Tok::Word && is_ident_start(r.lit.text[0])) unknown_field(r.lit.text, r.lit.pos);
      fail("a comparison needs a field on one side", start);
    }
    Op fop = op;
    if (l.is_lit) // tshark 4.0 refuses "80 == tcp.port" too
      fail("left side of \"" + std::string(optok.text) + "\" expression must be a field or function, not " +
               (l.lit.kind == Tok::Word ? quoted(l.lit.text)
                                        : std::string(expr_.substr(l.lit.pos, l.lit.len))),
           l.lit.pos);
    o_proto_to_end_ = false;
    check_operator(l.op, fop, optok);
    l.op.proto_to_end = o_proto_to_end_;
    if (!r.is_lit) {
      if (fop == Op::Matches) fail("the right side of 'matches' must be a string", r.op.pos);
      o_proto_to_end_ = false;
      check_operator(r.op, fop, optok);
      r.op.proto_to_end = o_proto_to_end_;
      if (r.op.vk != l.op.vk)
        fail(std::string(field_info(l.op.field).abbrev) + " and " +
                 std::string(field_info(r.op.field).abbrev) + " are not of compatible types",
             l.op.pos);
      n->rhs = std::move(r.op);
    } else {
      if (fop == Op::Matches && r.lit.kind == Tok::Char)
        fail("the right side of 'matches' must be a string", r.lit.pos);
      n->rhs.is_field = false;
      n->rhs.c = convert(r.lit, l.op, fop);
      n->rhs.vk = n->rhs.c.k;
      n->rhs.pos = r.lit.pos;
      n->rhs.len = r.lit.len;
      if (fop == Op::Matches) {
        std::string why;
        size_t off = 0;
        if (!n->re.compile(n->rhs.c.bytes, why, off))
          fail("invalid regular expression " + quoted(r.lit.text) + ": " + why, r.lit.pos);
      }
    }
    n->op = fop;
    n->lhs = std::move(l.op);
    return n;
  }

  // { v1, v2, lo..hi } (commas optional, as older tshark accepted spaces)
  void parse_set(Node& n, const Operand& o) {
    const Token& open = next();
    if (open.kind != Tok::LBrace) unexpected(open);
    auto lit_of = [&](const Token& t) -> Lit {
      if (t.kind == Tok::End) fail("missing '}' to close the set", t.pos);
      if (t.kind != Tok::Word && t.kind != Tok::String && t.kind != Tok::Char) unexpected(t);
      if (t.kind == Tok::Word && find_field(t.text))
        fail("set members must be values, not fields (" + quoted(t.text) + ")", t.pos);
      return {t.kind, t.kind == Tok::Word ? std::string(t.text) : t.value, t.pos, t.text.size()};
    };
    while (true) {
      if (peek().kind == Tok::RBrace) {
        if (n.set.empty()) fail("the set is empty", peek().pos);
        unexpected(peek());
      }
      SetEntry e;
      e.lo = convert(lit_of(next()), o, Op::Eq);
      if (peek().kind == Tok::DotDot) {
        const Token& dd = next();
        need_value(dd);
        e.hi = convert(lit_of(next()), o, Op::Eq);
        e.range = true;
        if (e.lo.prefix >= 0 || e.hi.prefix >= 0) fail("a range cannot use subnets", dd.pos);
      }
      n.set.push_back(std::move(e));
      if (peek().kind == Tok::Comma) {
        next();
        if (peek().kind == Tok::RBrace) unexpected(peek());
        continue;
      }
      if (peek().kind == Tok::RBrace) {
        next();
        return;
      }
      if (peek().kind == Tok::End) fail("missing '}' to close the set", peek().pos);
    }
  }

  std::string_view expr_;
  std::vector<Token>& t_;
  size_t i_ = 0;
  int depth_ = 0;
  bool o_proto_to_end_ = false;
  CompileError& err_;
  Program& prog_;
};

} // namespace

DisplayFilter::DisplayFilter(std::unique_ptr<detail::Program> p) : p_(std::move(p)) {}
DisplayFilter::DisplayFilter(DisplayFilter&&) noexcept = default;
DisplayFilter& DisplayFilter::operator=(DisplayFilter&&) noexcept = default;
DisplayFilter::~DisplayFilter() = default;

std::optional<DisplayFilter> DisplayFilter::compile(std::string_view expr, CompileError& err) {
  auto prog = std::make_unique<Program>();
  prog->text.assign(expr);
  std::vector<Token> toks;
  LexError le;
  if (!lex(prog->text, toks, le)) {
    err = {le.message, le.column};
    return std::nullopt;
  }
  try {
    Parser p(prog->text, toks, err, *prog);
    prog->root = p.parse();
  } catch (const Failure&) {
    return std::nullopt;
  }
  return DisplayFilter(std::move(prog));
}

const std::bitset<kFieldCount>& DisplayFilter::fields() const {
  return p_->fields;
}

DescribeNeeds DisplayFilter::needs() const {
  return describe_needs(false, false, &p_->fields);
}

bool DisplayFilter::reads_frame_bytes() const {
  return p_->frame_bytes;
}

const std::string& DisplayFilter::text() const {
  return p_->text;
}

std::string format_error(std::string_view expr, const CompileError& e) {
  std::string r = "display filter: " + quoted(expr) + " : " + e.message;
  r += " (column " + std::to_string(e.column) + ")";
  for (char& c : r) // one line, whatever the expression held
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return r;
}

} // namespace ps::filter
