// Classic pcap: a 24-byte file header, then records of a 16-byte header and the captured bytes.
#include <fmt/format.h>

#include "capture/formats.h"

namespace ps::capture_detail {

namespace {

constexpr uint32_t kMagicMicro = 0xa1b2c3d4;
constexpr uint32_t kMagicNano = 0xa1b23c4d;
constexpr uint32_t kMagicModified = 0xa1b2cd34; // Kuznetzov's patched libpcap: 8 more header bytes
constexpr size_t kFileHeaderLen = 24;

class PcapReader final : public CaptureReader {
public:
  explicit PcapReader(ByteSource src) : src_(std::move(src)) {
    if (!src_.ensure(kFileHeaderLen))
      throw CaptureOpenError(fmt::format("{} is a pcap file whose header is cut short ({} of {} bytes)",
                                         src_.name(), src_.avail(), kFileHeaderLen));
    const uint8_t* h = src_.cur();
    uint32_t magic = load32(h, false);
    if (magic == __builtin_bswap32(kMagicMicro) || magic == __builtin_bswap32(kMagicNano) ||
        magic == __builtin_bswap32(kMagicModified)) {
      swap_ = true;
      magic = __builtin_bswap32(magic);
    }
    nano_ = magic == kMagicNano;
    record_header_len_ = magic == kMagicModified ? 24 : 16;
    snaplen_ = load32(h + 16, swap_);
    // The upper bits of the link-type field carry the FCS length; only the low 16 bits are the type.
    link_type_ = load32(h + 20, swap_) & 0xFFFFu;
    src_.advance(kFileHeaderLen);
    sections_.emplace_back();
    InterfaceInfo ifc;
    ifc.link_type = link_type_;
    ifc.snaplen = snaplen_;
    ifc.tsresol = nano_ ? 9 : 6;
    ifc.link_type_ext = load32(h + 20, swap_) & 0xFFFF0000u;
    interfaces_.push_back(std::move(ifc));
  }

  bool next(Frame& frame) override {
    if (done_) return false;
    if (!src_.ensure(record_header_len_)) [[unlikely]]
      return end_or_cut_header();
    const uint8_t* p = src_.cur();
    const uint32_t sec = load32(p, swap_);
    const uint32_t frac = load32(p + 4, swap_);
    const uint32_t caplen = load32(p + 8, swap_);
    const uint32_t wire_len = load32(p + 12, swap_);
    if (caplen > kMaxCaplen) [[unlikely]]
      return fail(fmt::format("{}: record at byte offset {} has captured length {}, over the {}-byte limit",
                              src_.name(), src_.offset(), caplen, kMaxCaplen));
    const size_t total = record_header_len_ + size_t{caplen};
    if (!src_.ensure(total)) [[unlikely]]
      return fail(fmt::format("{}: truncated record at byte offset {}: header says {} bytes, {} remain",
                              src_.name(), src_.offset(), caplen, src_.avail() - record_header_len_));
    p = src_.cur(); // a refill may have moved the bytes

    frame.number = ++count_;
    frame.ts_digits = nano_ ? 9 : 6;
    // Seconds are unsigned 32-bit (up to 2106), as in the pcap spec, libpcap and Wireshark: pcap
    // cannot express times before 1970. An out-of-range fraction is carried into the seconds.
    int64_t s = sec;
    uint32_t ns;
    if (nano_) {
      if (frac < 1'000'000'000u) [[likely]] {
        ns = frac;
      } else {
        s += frac / 1'000'000'000u;
        ns = frac % 1'000'000'000u;
      }
    } else if (frac < 1'000'000u) [[likely]] {
      ns = frac * 1000u;
    } else {
      s += frac / 1'000'000u;
      ns = (frac % 1'000'000u) * 1000u;
    }
    frame.ts = Timestamp{s, ns};
    frame.wire_len = wire_len;
    frame.link_type = link_type_;
    frame.interface_id = 0;
    frame.file_offset = src_.offset();
    frame.data = std::span<const uint8_t>(p + record_header_len_, caplen);
    src_.advance(total);
    return true;
  }

  const char* format_name() const override { return "pcap"; }
  uint32_t link_type() const override { return link_type_; }
  uint32_t snaplen() const override { return snaplen_; }

private:
  bool end_or_cut_header() {
    if (src_.avail() == 0) {
      done_ = true;
      return false;
    }
    return fail(fmt::format("{}: truncated record header at byte offset {}: {} bytes needed, {} remain",
                            src_.name(), src_.offset(), record_header_len_, src_.avail()));
  }
  bool fail(std::string message) {
    error_ = CaptureError{std::move(message), src_.offset()};
    done_ = true;
    return false;
  }

  ByteSource src_;
  bool swap_ = false;
  bool nano_ = false;
  bool done_ = false;
  size_t record_header_len_ = 16;
  uint32_t snaplen_ = 0;
  uint32_t link_type_ = 0;
  uint64_t count_ = 0;
};

} // namespace

std::unique_ptr<CaptureReader> make_pcap_reader(ByteSource src) {
  return std::make_unique<PcapReader>(std::move(src));
}

} // namespace ps::capture_detail
