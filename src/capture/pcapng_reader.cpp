// pcapng: a sequence of blocks (type, total length, body, total length again). Sections start with
// a section header block that fixes the byte order; interface description blocks define link type,
// snap length and timestamp units for the packet blocks that follow in the same section.
#include <algorithm>
#include <deque>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "capture/formats.h"

namespace ps::capture_detail {

namespace {

constexpr uint32_t kSectionHeader = 0x0A0D0D0A;
constexpr uint32_t kInterfaceDescription = 1;
constexpr uint32_t kObsoletePacket = 2;
constexpr uint32_t kSimplePacket = 3;
constexpr uint32_t kInterfaceStatistics = 5;
constexpr uint32_t kEnhancedPacket = 6;
constexpr uint32_t kByteOrderMagic = 0x1A2B3C4D;

constexpr uint32_t kMinBlock = 12;
constexpr uint32_t kMinSectionHeader = 28;
constexpr uint32_t kMinInterface = 20;
constexpr uint32_t kMinEnhanced = 32;
constexpr uint32_t kMinObsolete = 32;
constexpr uint32_t kMinSimple = 16;
constexpr uint32_t kMinStatistics = 24;
// Blocks we look inside are held in memory whole: a frame at the caplen limit plus generous options.
constexpr uint32_t kMaxHeldBlock = kMaxCaplen + (1u << 20);

constexpr uint16_t kOptEnd = 0;
constexpr uint16_t kOptComment = 1;
constexpr uint16_t kOptIfName = 2;
constexpr uint16_t kOptIfDescription = 3;
constexpr uint16_t kOptTsresol = 9;
constexpr uint16_t kOptTsoffset = 14;
// Interface statistics block options (64-bit counters).
constexpr uint16_t kOptIsbIfRecv = 4;
constexpr uint16_t kOptIsbIfDrop = 5;
constexpr uint16_t kOptIsbOsDrop = 7;

__extension__ typedef unsigned __int128 u128;

// Calls f(code, value, length) for each option in [o, end) until the end-of-options option; a malformed
// option ends the walk. f returns false to stop early.
template <class F> void for_each_option(const uint8_t* o, const uint8_t* end, bool swap, F&& f) {
  while (end - o >= 4) {
    const uint16_t code = load16(o, swap);
    const uint16_t olen = load16(o + 2, swap);
    if (code == kOptEnd) break;
    const size_t padded = (size_t{olen} + 3) & ~size_t{3};
    if (padded > static_cast<size_t>(end - o - 4)) break; // malformed option: ignore the rest
    if (!f(code, o + 4, olen)) break;
    o += 4 + padded;
  }
}

// Converts an interface's 64-bit timestamp count into seconds + nanoseconds.
struct TsUnits {
  enum Kind : uint8_t { kMicro, kNano, kPow10Mul, kPow10Div, kPow2 } kind = kMicro;
  uint64_t units = 1'000'000; // units per second (pow10 kinds)
  uint64_t factor = 1000;     // kPow10Mul: ns per unit; kPow10Div: units per ns
  uint32_t shift = 0;         // kPow2: units per second is 2^shift

  Timestamp convert(uint64_t t) const {
    uint64_t sec, ns;
    switch (kind) {
    case kMicro:
      sec = t / 1'000'000;
      ns = (t % 1'000'000) * 1000;
      break;
    case kNano:
      sec = t / 1'000'000'000;
      ns = t % 1'000'000'000;
      break;
    case kPow10Mul:
      sec = t / units;
      ns = (t % units) * factor;
      break;
    case kPow10Div:
      sec = t / units;
      ns = (t % units) / factor;
      break;
    default: // kPow2
      sec = shift == 64 ? 0 : t >> shift;
      ns = static_cast<uint64_t>(
          (u128{shift == 64 ? t : t & ((uint64_t{1} << shift) - 1)} * 1'000'000'000u) >> shift);
      break;
    }
    // Clamped (see kMaxTimestampSec): a 64-bit count can mean a date far past int64 nanoseconds.
    const uint64_t max_sec = static_cast<uint64_t>(kMaxTimestampSec);
    return Timestamp{static_cast<int64_t>(std::min(sec, max_sec)), static_cast<uint32_t>(ns)};
  }
};

struct Interface {
  uint32_t link_type = 0;
  uint32_t snaplen = 0;
  int64_t ts_offset = 0; // if_tsoffset: seconds added to every timestamp
  TsUnits units;
  uint8_t ts_digits = 6; // decimals of if_tsresol (at most 9)
  std::string_view name; // if_name, kept in PcapngReader::names_ (stable for the reader's lifetime)
};

class PcapngReader final : public CaptureReader {
public:
  explicit PcapngReader(ByteSource src) : src_(std::move(src)) {
    opening_ = true;
    read_block(nullptr); // the first section header: any damage throws CaptureOpenError
    opening_ = false;
    // Read ahead to the first packet block so link_type() and snaplen() know the first interface.
    while (!done_) {
      Frame unused;
      if (read_block(&unused, /*stop_at_packet=*/true) != kOther) break;
    }
  }

  bool next(Frame& frame) override {
    while (!done_) {
      switch (read_block(&frame)) {
      case kFrame:
        return true;
      case kOther:
        continue;
      default:
        return false;
      }
    }
    return false;
  }

  const char* format_name() const override { return "pcapng"; }
  uint32_t link_type() const override { return first_link_type_; }
  uint32_t snaplen() const override { return first_snaplen_; }

private:
  enum Result { kFrame, kOther, kPacketAhead, kStop };

  // Reads one block at the current position. Packet blocks fill `frame`; other blocks update the
  // state or are skipped. With stop_at_packet, a packet block is left unread (kPacketAhead).
  Result read_block(Frame* frame, bool stop_at_packet = false) {
    const uint64_t at = src_.offset();
    if (!src_.ensure(8)) [[unlikely]] {
      if (opening_) cut_short_at_open(8);
      if (src_.avail() == 0) {
        done_ = true;
        return kStop;
      }
      return fail(at, fmt::format("{}: truncated block header at byte offset {}: 8 bytes needed, {} remain",
                                  src_.name(), at, src_.avail()));
    }
    const uint8_t* p = src_.cur();
    uint32_t type = load32(p, swap_); // the section header type reads the same in both orders
    if (type == kSectionHeader) {
      // The byte order of a new section comes from its byte-order magic, before its length.
      if (!src_.ensure(12)) {
        if (opening_) cut_short_at_open(12);
        return fail(at,
                    fmt::format("{}: truncated section header at byte offset {}: 12 bytes needed, {} remain",
                                src_.name(), at, src_.avail()));
      }
      p = src_.cur();
      const uint32_t bom = load32(p + 8, false);
      if (bom == kByteOrderMagic) {
        swap_ = false;
      } else if (bom == __builtin_bswap32(kByteOrderMagic)) {
        swap_ = true;
      } else {
        return fail(at,
                    fmt::format("{}: section header at byte offset {} has a bad byte-order magic 0x{:08x}",
                                src_.name(), at, __builtin_bswap32(bom)));
      }
    } else if (opening_) {
      throw CaptureOpenError(
          fmt::format("{} is not a pcapng capture (first block type 0x{:08x})", src_.name(), type));
    }
    const uint32_t len = load32(p + 4, swap_);

    uint32_t min_len = kMinBlock;
    bool held = true; // block is read into memory (otherwise skipped)
    switch (type) {
    case kSectionHeader:
      min_len = kMinSectionHeader;
      break;
    case kInterfaceDescription:
      min_len = kMinInterface;
      break;
    case kEnhancedPacket:
      min_len = kMinEnhanced;
      break;
    case kSimplePacket:
      min_len = kMinSimple;
      break;
    case kObsoletePacket:
      min_len = kMinObsolete;
      break;
    case kInterfaceStatistics:
      min_len = kMinStatistics;
      break;
    default:
      held = false;
      break;
    }
    if (stop_at_packet && (type == kEnhancedPacket || type == kSimplePacket || type == kObsoletePacket))
      return kPacketAhead;
    if (len % 4 != 0 || len < min_len) [[unlikely]]
      return fail(at, fmt::format("{}: block at byte offset {} (type 0x{:x}) has length {}, {}", src_.name(),
                                  at, type, len,
                                  len % 4 != 0 ? std::string("not a multiple of 4")
                                               : fmt::format("below the minimum {}", min_len)));
    if (!held) {
      if (!src_.skip(len))
        return fail(at, fmt::format("{}: truncated block at byte offset {}: length says {} bytes, {} remain",
                                    src_.name(), at, len, src_.offset() - at));
      return kOther;
    }
    if (len > kMaxHeldBlock) [[unlikely]]
      return fail(at, fmt::format("{}: block at byte offset {} has length {}, over the {}-byte limit",
                                  src_.name(), at, len, kMaxHeldBlock));
    if (!src_.ensure(len)) [[unlikely]] {
      if (opening_) cut_short_at_open(len);
      return fail(at, fmt::format("{}: truncated block at byte offset {}: length says {} bytes, {} remain",
                                  src_.name(), at, len, src_.avail()));
    }
    p = src_.cur();
    if (load32(p + len - 4, swap_) != len) [[unlikely]]
      return fail(at, fmt::format("{}: block at byte offset {} has length {} but its trailer says {}",
                                  src_.name(), at, len, load32(p + len - 4, swap_)));

    Result r = kOther;
    switch (type) {
    case kEnhancedPacket:
    case kObsoletePacket:
      r = packet_block(type, p, len, at, *frame);
      break;
    case kSimplePacket:
      r = simple_packet_block(p, len, at, *frame);
      break;
    case kSectionHeader:
      r = section_header(p, len, at);
      break;
    case kInterfaceStatistics:
      r = interface_statistics(p, len);
      break;
    default: // kInterfaceDescription
      r = interface_description(p, len, at);
      break;
    }
    if (r != kStop) src_.advance(len);
    return r;
  }

  Result packet_block(uint32_t type, const uint8_t* p, uint32_t len, uint64_t at, Frame& frame) {
    uint32_t iface;
    if (type == kEnhancedPacket) {
      iface = load32(p + 8, swap_);
    } else {
      iface = load16(p + 8, swap_); // then a 16-bit drops count
    }
    if (iface >= section_ifaces_.size()) [[unlikely]]
      return fail(at, fmt::format("{}: packet block at byte offset {} refers to interface {}, but {} defined",
                                  src_.name(), at, iface, defined_count()));
    const uint64_t t = (uint64_t{load32(p + 12, swap_)} << 32) | load32(p + 16, swap_);
    const uint32_t caplen = load32(p + 20, swap_);
    const uint32_t wire_len = load32(p + 24, swap_);
    if (caplen > len - kMinEnhanced) [[unlikely]]
      return fail(at, fmt::format("{}: packet block at byte offset {} has captured length {}, more than its "
                                  "length {} can hold",
                                  src_.name(), at, caplen, len));
    const Interface& ifc = section_ifaces_[iface];
    fill(frame, ifc, iface, at, p + 28, caplen, wire_len);
    const uint32_t options_at = kMinEnhanced - 4 + ((caplen + 3) & ~uint32_t{3});
    if (options_at < len - 4) [[unlikely]]
      for_each_option(p + options_at, p + len - 4, swap_, [&](uint16_t code, const uint8_t* v, uint16_t n) {
        if (code != kOptComment) return true;
        frame.comment = std::string_view(reinterpret_cast<const char*>(v), n);
        return false;
      });
    frame.ts = ifc.units.convert(t);
    if (ifc.ts_offset != 0) {
      // Saturating: 64-bit counts and offsets reach far past what int64 nanoseconds hold.
      int64_t sec;
      if (__builtin_add_overflow(frame.ts.sec, ifc.ts_offset, &sec))
        sec = ifc.ts_offset < 0 ? INT64_MIN : INT64_MAX;
      frame.ts.sec = std::clamp(sec, -kMaxTimestampSec, kMaxTimestampSec);
    }
    return kFrame;
  }

  Result simple_packet_block(const uint8_t* p, uint32_t len, uint64_t at, Frame& frame) {
    if (section_ifaces_.empty()) [[unlikely]]
      return fail(at, fmt::format("{}: simple packet block at byte offset {} but no interface defined",
                                  src_.name(), at));
    const Interface& ifc = section_ifaces_[0];
    const uint32_t wire_len = load32(p + 8, swap_);
    uint32_t caplen = wire_len;
    if (ifc.snaplen != 0 && caplen > ifc.snaplen) caplen = ifc.snaplen;
    if (caplen > len - kMinSimple) [[unlikely]]
      return fail(
          at, fmt::format("{}: simple packet block at byte offset {} has captured length {}, more than its "
                          "length {} can hold",
                          src_.name(), at, caplen, len));
    fill(frame, ifc, 0, at, p + 12, caplen, wire_len);
    frame.ts = Timestamp{}; // simple packet blocks carry no timestamp
    return kFrame;
  }

  void fill(Frame& frame, const Interface& ifc, uint32_t iface, uint64_t at, const uint8_t* data,
            uint32_t caplen, uint32_t wire_len) {
    frame.number = ++count_;
    frame.wire_len = wire_len;
    frame.link_type = ifc.link_type;
    frame.interface_id = section_base_ + iface; // numbered across sections, as Wireshark does
    frame.file_offset = at;
    frame.data = std::span<const uint8_t>(data, caplen);
    frame.comment = {};
    frame.if_name = ifc.name;
    frame.ts_digits = ifc.ts_digits;
    frame.section = static_cast<uint32_t>(sections_.size());
  }

  Result section_header(const uint8_t* p, uint32_t len, uint64_t at) {
    const uint16_t major = load16(p + 12, swap_);
    const uint16_t minor = load16(p + 14, swap_);
    if (major != 1)
      return fail(at, fmt::format("{}: section header at byte offset {} has unsupported pcapng version {}.{}",
                                  src_.name(), at, major, minor));
    section_base_ += static_cast<uint32_t>(section_ifaces_.size());
    section_ifaces_.clear();
    SectionInfo& section = sections_.emplace_back();
    for_each_option(p + 24, p + len - 4, swap_, [&](uint16_t code, const uint8_t* v, uint16_t n) {
      if (code == kOptComment) section.comments.emplace_back(reinterpret_cast<const char*>(v), n);
      return true;
    });
    return kOther;
  }

  Result interface_description(const uint8_t* p, uint32_t len, uint64_t at) {
    Interface ifc;
    ifc.link_type = load16(p + 8, swap_);
    ifc.snaplen = load32(p + 12, swap_);
    InterfaceInfo info;
    info.link_type = ifc.link_type;
    info.snaplen = ifc.snaplen;
    info.section = static_cast<uint32_t>(sections_.size() - 1);
    // Options: code, length, value padded to 4 bytes; end of options or of the body ends them.
    const uint8_t* o = p + 16;
    const uint8_t* end = p + len - 4;
    while (end - o >= 4) {
      const uint16_t code = load16(o, swap_);
      const uint16_t olen = load16(o + 2, swap_);
      if (code == kOptEnd) break;
      const size_t padded = (size_t{olen} + 3) & ~size_t{3};
      if (padded > static_cast<size_t>(end - o - 4)) break; // malformed option: ignore the rest
      const uint8_t* v = o + 4;
      if (code == kOptTsresol && olen >= 1) {
        const uint8_t r = v[0];
        info.tsresol = r;
        if (r & 0x80) {
          const uint32_t n = r & 0x7f;
          if (n > 64)
            return fail(at,
                        fmt::format("{}: interface description at byte offset {} has unsupported if_tsresol "
                                    "2^-{}",
                                    src_.name(), at, n));
          ifc.units.kind = TsUnits::kPow2;
          ifc.units.shift = n;
          ifc.ts_digits =
              static_cast<uint8_t>(std::min<uint32_t>(9, (n * 30103 + 99999) / 100000)); // n·log10 2
        } else {
          if (r > 19)
            return fail(at,
                        fmt::format("{}: interface description at byte offset {} has unsupported if_tsresol "
                                    "10^-{}",
                                    src_.name(), at, r));
          uint64_t units = 1;
          for (uint8_t i = 0; i < r; ++i) units *= 10;
          ifc.ts_digits = std::min<uint8_t>(r, 9);
          ifc.units.units = units;
          if (r == 6) {
            ifc.units.kind = TsUnits::kMicro;
          } else if (r == 9) {
            ifc.units.kind = TsUnits::kNano;
          } else if (r < 9) {
            ifc.units.kind = TsUnits::kPow10Mul;
            ifc.units.factor = 1'000'000'000 / units;
          } else {
            ifc.units.kind = TsUnits::kPow10Div;
            ifc.units.factor = units / 1'000'000'000;
          }
        }
      } else if (code == kOptTsoffset && olen >= 8) {
        ifc.ts_offset = static_cast<int64_t>(load64(v, swap_));
      } else if (code == kOptIfName) {
        info.name.assign(reinterpret_cast<const char*>(v), olen);
      } else if (code == kOptIfDescription) {
        info.description.assign(reinterpret_cast<const char*>(v), olen);
      }
      o += 4 + padded;
    }
    if (!have_first_) {
      have_first_ = true;
      first_link_type_ = ifc.link_type;
      first_snaplen_ = ifc.snaplen;
    }
    ifc.name = names_.emplace_back(info.name);
    section_ifaces_.push_back(ifc);
    interfaces_.push_back(std::move(info));
    return kOther;
  }

  // An interface statistics block: its counters replace the interface's earlier ones (they count from
  // the start of the capture).
  Result interface_statistics(const uint8_t* p, uint32_t len) {
    const uint32_t iface = load32(p + 8, swap_);
    if (iface >= section_ifaces_.size()) [[unlikely]]
      return kOther; // statistics of no interface: nothing to attach them to (the frames are unaffected)
    InterfaceInfo& info = interfaces_[section_base_ + iface];
    ++info.stat_blocks;
    for_each_option(p + 20, p + len - 4, swap_, [&](uint16_t code, const uint8_t* v, uint16_t n) {
      if (n != 8) return true;
      if (code == kOptIsbIfRecv) info.isb_ifrecv = load64(v, swap_);
      if (code == kOptIsbIfDrop) info.isb_ifdrop = load64(v, swap_);
      if (code == kOptIsbOsDrop) info.isb_osdrop = load64(v, swap_);
      return true;
    });
    return kOther;
  }

  std::string defined_count() const {
    if (section_ifaces_.empty()) return "none is";
    if (section_ifaces_.size() == 1) return "only 1 is";
    return fmt::format("only {} are", section_ifaces_.size());
  }

  [[noreturn]] void cut_short_at_open(size_t needed) {
    throw CaptureOpenError(
        fmt::format("{} is a pcapng file whose section header is cut short ({} of {} bytes)", src_.name(),
                    src_.avail(), needed));
  }

  Result fail(uint64_t at, std::string message) {
    if (opening_) throw CaptureOpenError(std::move(message));
    error_ = CaptureError{std::move(message), at};
    done_ = true;
    return kStop;
  }

  ByteSource src_;
  std::vector<Interface> section_ifaces_;
  std::deque<std::string> names_; // every interface's if_name (frames point into it)
  bool swap_ = false;
  bool opening_ = false;
  bool done_ = false;
  bool have_first_ = false;
  uint32_t section_base_ = 0;
  uint32_t first_link_type_ = 0;
  uint32_t first_snaplen_ = 0;
  uint64_t count_ = 0;
};

} // namespace

std::unique_ptr<CaptureReader> make_pcapng_reader(ByteSource src) {
  return std::make_unique<PcapngReader>(std::move(src));
}

} // namespace ps::capture_detail
