// The compiled form of a display filter: a tree of logical nodes over tests, every literal converted
// to the tested field's type once, so evaluation only compares numbers and bytes.
#pragma once

#include <bitset>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dissect/field.h"
#include "filter/regex.h"

namespace ps::filter::detail {

__extension__ typedef __int128 i128;

// What a value is compared as.
enum class VK : uint8_t {
  None,   // presence only (FT_NONE)
  Int,    // integers, booleans, frame numbers, times (ns)
  Double, // floating point
  Ipv4,   // host-order address
  Bytes,  // strings, bytes, Ethernet and IPv6 addresses, slices, protocol bytes
};

enum class Op : uint8_t { Exists, Eq, Ne, AllEq, AnyNe, Lt, Le, Gt, Ge, Contains, Matches, In };

// One byte range of a slice: [start, end) with negative values counting from the end; `to_end`: up to
// the value's end.
struct Slice {
  int64_t start = 0;
  int64_t length = 0;
  bool to_end = false;
};

enum class Fn : uint8_t { None, Len, Count };

// A value: a constant, or what a field reference yields per occurrence.
struct Const {
  VK k = VK::None;
  i128 i = 0;
  double d = 0;
  uint32_t v4 = 0;
  int prefix = -1;   // Ipv4 (bits of 32) and IPv6 (of 128) subnets; -1 exact
  std::string bytes; // Bytes constants
};

struct Operand {
  bool is_field = false;
  F field = F::TEXT;
  FieldType ftype = FieldType::Text;
  bool has_slice = false;
  Slice slice;
  bool has_mask = false;
  uint64_t mask = 0;
  Fn fn = Fn::None;
  bool proto_to_end = false; // a protocol's bytes run to the frame's end (contains/matches, as tshark)
  VK vk = VK::None;          // the kind after slice/mask/function
  Const c;                   // when !is_field
  size_t pos = 0, len = 0;   // where it was written (for errors)
};

struct SetEntry {
  Const lo, hi;
  bool range = false;
};

struct Node {
  enum Kind : uint8_t { And, Or, Not, Test } kind = Test;
  std::unique_ptr<Node> a, b; // And/Or: a, b; Not: a
  Op op = Op::Exists;
  Operand lhs, rhs;
  std::vector<SetEntry> set;
  Regex re;
};

struct Program {
  std::string text;
  std::unique_ptr<Node> root;
  std::bitset<kFieldCount> fields;
  bool frame_bytes = false;
};

} // namespace ps::filter::detail
