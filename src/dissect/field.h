// The one field registry: every field any dissector can emit is declared once in a
// src/dissect/fields/*.def file with its tshark abbreviation, display name, type and base. The tree,
// summary, -T fields, JSON and filters all read the same per-packet record of these fields.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace ps {

enum class FieldType : uint8_t {
  Protocol, // a protocol/subtree node: "Transmission Control Protocol, Src Port: ..."
  Text,     // a tree line with no value of its own
  None,     // presence-only (tshark FT_NONE, e.g. tcp.analysis.retransmission): prints "1"
  Bool,     // 1 / 0
  UInt8,
  UInt16,
  UInt24,
  UInt32,
  UInt64,
  Int32,
  FrameNum, // a frame number reference
  Ether,    // 6 bytes in str
  Ipv4,     // address in num (host order)
  Ipv6,     // 16 bytes in str
  String,   // text in str
  Bytes,    // raw bytes in str, printed as hex
  AbsTime,  // num = seconds since epoch * 1e9 + ns (signed, in num as int64)
  RelTime,  // num = nanoseconds (signed int64)
  Double,   // value in dbl
};

enum class Base : uint8_t { Dec, Hex, DecHex, HexDec, None };

// Which stage of the pipeline produces a field (all.def): decoding alone, the connection table's stream
// view, its TCP sequence analysis, or the application layer.
enum class FieldStage : uint8_t { Decode, Streams, Analysis, App };

struct FieldInfo {
  std::string_view abbrev; // "tcp.srcport"
  std::string_view name;   // "Source Port"
  FieldType type;
  Base base;
  FieldStage stage = FieldStage::Decode;
};

enum class F : uint16_t {
#define FIELD(id, abbrev, name, type, base) id,
#include "dissect/fields/all.def"
#undef FIELD
  kCount
};

inline constexpr size_t kFieldCount = static_cast<size_t>(F::kCount);

const FieldInfo& field_info(F f);
std::span<const FieldInfo> all_fields();
// Looks a field up by its abbreviation; nullopt when unknown.
std::optional<F> find_field(std::string_view abbrev);

} // namespace ps
