// Evaluation: walks the record's items for each test; compares integers, addresses and byte views.
// Nothing here allocates or formats.
#include <cstring>

#include "filter/display_filter.h"
#include "filter/program.h"

namespace ps::filter {

using namespace detail;

namespace {

// One occurrence's value (views into the record, the frame or `buf`).
struct Val {
  VK k = VK::None;
  i128 i = 0;
  double d = 0;
  uint32_t v4 = 0;
  int prefix = -1;
  std::string_view b;
  char buf[4] = {};
};

void from_const(const Const& c, Val& v) {
  v.k = c.k;
  v.i = c.i;
  v.d = c.d;
  v.v4 = c.v4;
  v.prefix = c.prefix;
  v.b = c.bytes;
}

bool apply_slice(const Slice& s, std::string_view& b) {
  const int64_t n = static_cast<int64_t>(b.size());
  int64_t start = s.start < 0 ? n + s.start : s.start;
  if (start < 0 || start > n) return false;
  int64_t len = s.to_end ? n - start : s.length;
  if (len < 0 || start + len > n) return false;
  b = b.substr(static_cast<size_t>(start), static_cast<size_t>(len));
  return true;
}

// The value `o` takes on item `it`; false when this occurrence has none (a slice past its end,
// protocol bytes outside the frame).
bool value_of(const Operand& o, const Item& it, std::string_view frame, Val& v) {
  switch (o.ftype) {
  case FieldType::None:
  case FieldType::Text:
    v.k = VK::None;
    return true;
  case FieldType::Bool:
  case FieldType::UInt8:
  case FieldType::UInt16:
  case FieldType::UInt24:
  case FieldType::UInt32:
  case FieldType::UInt64:
  case FieldType::FrameNum:
    v.k = VK::Int;
    v.i = it.num;
    break;
  case FieldType::Int32:
  case FieldType::AbsTime:
  case FieldType::RelTime:
    v.k = VK::Int;
    v.i = static_cast<int64_t>(it.num);
    break;
  case FieldType::Double:
    v.k = VK::Double;
    v.d = it.dbl;
    break;
  case FieldType::Ipv4:
    v.k = VK::Ipv4;
    v.v4 = static_cast<uint32_t>(it.num);
    if (o.has_slice || o.fn == Fn::Len) {
      v.buf[0] = static_cast<char>(v.v4 >> 24);
      v.buf[1] = static_cast<char>(v.v4 >> 16);
      v.buf[2] = static_cast<char>(v.v4 >> 8);
      v.buf[3] = static_cast<char>(v.v4);
      v.k = VK::Bytes;
      v.b = std::string_view(v.buf, 4);
    }
    break;
  case FieldType::Ether:
  case FieldType::Ipv6:
  case FieldType::String:
  case FieldType::Bytes:
    v.k = VK::Bytes;
    v.b = it.str;
    break;
  case FieldType::Protocol:
    v.k = VK::Bytes;
    if (o.fn == Fn::Len) {
      v.k = VK::Int;
      v.i = it.length;
      return true;
    }
    if (it.offset > frame.size()) return false;
    if (o.proto_to_end) {
      v.b = frame.substr(it.offset);
    } else {
      if (it.length > frame.size() - it.offset) return false;
      v.b = frame.substr(it.offset, it.length);
    }
    break;
  }
  if (o.has_slice && !apply_slice(o.slice, v.b)) return false;
  if (o.fn == Fn::Len) {
    v.k = VK::Int;
    v.i = static_cast<i128>(v.b.size());
  }
  if (o.has_mask) v.i &= o.mask;
  return true;
}

bool prefix_eq(std::string_view a, std::string_view b, int bits) {
  if (a.size() != b.size()) return false;
  if (bits < 0 || static_cast<size_t>(bits) >= a.size() * 8) return a == b;
  const size_t whole = static_cast<size_t>(bits) / 8;
  if (std::memcmp(a.data(), b.data(), whole) != 0) return false;
  const unsigned rest = static_cast<unsigned>(bits) % 8;
  if (!rest) return true;
  const unsigned mask = (0xff00u >> rest) & 0xffu;
  return ((static_cast<unsigned char>(a[whole]) ^ static_cast<unsigned char>(b[whole])) & mask) == 0;
}

bool equal(const Val& a, const Val& b) {
  switch (a.k) {
  case VK::Int:
    return a.i == b.i;
  case VK::Double:
    return a.d == b.d;
  case VK::Ipv4: {
    const int bits = b.prefix >= 0 ? b.prefix : a.prefix >= 0 ? a.prefix : 32;
    const uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
    return (a.v4 & mask) == (b.v4 & mask);
  }
  case VK::Bytes:
    return prefix_eq(a.b, b.b, b.prefix >= 0 ? b.prefix : a.prefix);
  case VK::None:
    return false;
  }
  return false;
}

// <0, 0, >0
int order(const Val& a, const Val& b) {
  switch (a.k) {
  case VK::Int:
    return a.i < b.i ? -1 : a.i > b.i ? 1 : 0;
  case VK::Double:
    return a.d < b.d ? -1 : a.d > b.d ? 1 : 0;
  case VK::Ipv4:
    return a.v4 < b.v4 ? -1 : a.v4 > b.v4 ? 1 : 0;
  case VK::Bytes: {
    const size_t n = a.b.size() < b.b.size() ? a.b.size() : b.b.size();
    int c = n ? std::memcmp(a.b.data(), b.b.data(), n) : 0;
    if (c) return c;
    return a.b.size() < b.b.size() ? -1 : a.b.size() > b.b.size() ? 1 : 0;
  }
  case VK::None:
    return 0;
  }
  return 0;
}

// One comparison of an occurrence `a` with `b` (for Ne and AllEq: the per-occurrence condition).
bool compare(const Node& n, const Val& a, const Val& b) {
  switch (n.op) {
  case Op::Eq:
  case Op::AllEq:
    return equal(a, b);
  case Op::Ne:
  case Op::AnyNe:
    return !equal(a, b);
  case Op::Lt:
    return order(a, b) < 0;
  case Op::Le:
    return order(a, b) <= 0;
  case Op::Gt:
    return order(a, b) > 0;
  case Op::Ge:
    return order(a, b) >= 0;
  case Op::Contains:
    return b.b.empty() || a.b.find(b.b) != std::string_view::npos;
  case Op::Matches:
    return n.re.search(a.b);
  case Op::In:
  case Op::Exists:
    return false;
  }
  return false;
}

bool in_set(const Node& n, const Val& a) {
  for (const SetEntry& e : n.set) {
    Val lo;
    from_const(e.lo, lo);
    if (!e.range) {
      if (equal(a, lo)) return true;
      continue;
    }
    Val hi;
    from_const(e.hi, hi);
    if (order(a, lo) >= 0 && order(a, hi) <= 0) return true;
  }
  return false;
}

// "All occurrences" operators: true when every occurrence passes and there is at least one.
bool all_mode(Op op) {
  return op == Op::Ne || op == Op::AllEq;
}

bool count_value(const Operand& o, const Record& rec, Val& v) {
  uint64_t c = 0;
  for (const Item& it : rec.items()) c += it.field == o.field;
  v.k = VK::Int;
  v.i = c;
  return true;
}

bool eval_test(const Node& n, const Record& rec, std::string_view frame) {
  const auto& items = rec.items();
  const Operand& l = n.lhs;
  if (n.op == Op::Exists) {
    const bool plain = !l.has_slice && !l.has_mask; // presence alone: no value (nor bytes) needed
    for (const Item& it : items) {
      if (it.field != l.field) continue;
      if (plain) return true;
      Val v;
      if (!value_of(l, it, frame, v)) continue;
      if (l.has_mask && v.i == 0) continue;
      return true;
    }
    return false;
  }
  const bool all = all_mode(n.op);
  if (!n.rhs.is_field) {
    Val c;
    from_const(n.rhs.c, c);
    if (l.fn == Fn::Count) {
      Val v;
      count_value(l, rec, v);
      return n.op == Op::In ? in_set(n, v) : compare(n, v, c);
    }
    bool seen = false;
    for (const Item& it : items) {
      if (it.field != l.field) continue;
      Val v;
      if (!value_of(l, it, frame, v)) continue;
      seen = true;
      const bool r = n.op == Op::In ? in_set(n, v) : compare(n, v, c);
      if (all) {
        if (!r) return false;
      } else if (r) {
        return true;
      }
    }
    return all && seen;
  }
  // Field against field: every pair of occurrences.
  const Operand& r = n.rhs;
  Val cl, cr;
  const bool lcount = l.fn == Fn::Count, rcount = r.fn == Fn::Count;
  if (lcount) count_value(l, rec, cl);
  if (rcount) count_value(r, rec, cr);
  bool seen = false;
  for (size_t i = 0; i < items.size(); ++i) {
    if (!lcount && items[i].field != l.field) continue;
    Val a;
    if (lcount) {
      a = cl;
      a.b = {};
    } else if (!value_of(l, items[i], frame, a)) {
      continue;
    }
    for (size_t j = 0; j < items.size(); ++j) {
      if (!rcount && items[j].field != r.field) continue;
      Val b;
      if (rcount) {
        b = cr;
        b.b = {};
      } else if (!value_of(r, items[j], frame, b)) {
        continue;
      }
      seen = true;
      const bool res = compare(n, a, b);
      if (all) {
        if (!res) return false;
      } else if (res) {
        return true;
      }
      if (rcount) break;
    }
    if (lcount) break;
  }
  return all && seen;
}

bool eval(const Node& n, const Record& rec, std::string_view frame) {
  switch (n.kind) {
  case Node::And:
    return eval(*n.a, rec, frame) && eval(*n.b, rec, frame);
  case Node::Or:
    return eval(*n.a, rec, frame) || eval(*n.b, rec, frame);
  case Node::Not:
    return !eval(*n.a, rec, frame);
  case Node::Test:
    return eval_test(n, rec, frame);
  }
  return false;
}

} // namespace

bool DisplayFilter::matches(const Record& rec, std::span<const uint8_t> frame) const {
  return eval(*p_->root, rec, std::string_view(reinterpret_cast<const char*>(frame.data()), frame.size()));
}

} // namespace ps::filter
