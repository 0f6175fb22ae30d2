// `read -x`: the bytes of each frame as tshark -x dumps them, after what the wrapped sink prints.
#include "output/packet_sink.h"

namespace ps {

namespace {

// tshark's layout: offset (4 hex digits, 8 past 64 KiB), two spaces, 16 bytes "xx " each, two more
// spaces, then the bytes as ASCII ('.' for anything but 0x20..0x7e).
void dump(fmt::memory_buffer& b, std::span<const uint8_t> data) {
  static constexpr char kHex[] = "0123456789abcdef";
  const int digits = data.size() > 0xffff ? 8 : 4;
  for (size_t at = 0; at < data.size(); at += 16) {
    for (int d = digits - 1; d >= 0; --d) b.push_back(kHex[(at >> (4 * d)) & 15]);
    b.append(std::string_view("  "));
    const size_t n = std::min<size_t>(16, data.size() - at);
    for (size_t i = 0; i < 16; ++i) {
      if (i < n) {
        b.push_back(kHex[data[at + i] >> 4]);
        b.push_back(kHex[data[at + i] & 15]);
        b.push_back(' ');
      } else {
        b.append(std::string_view("   "));
      }
    }
    b.append(std::string_view("  "));
    for (size_t i = 0; i < n; ++i) {
      const uint8_t c = data[at + i];
      b.push_back(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '.');
    }
    b.push_back('\n');
  }
}

class HexSink final : public PacketSink {
public:
  HexSink(OutBuffer& out, std::unique_ptr<PacketSink> inner) : out_(out), inner_(std::move(inner)) {}
  bool wants_tree() const override { return inner_ && inner_->wants_tree(); }
  bool wants_columns() const override { return inner_ && inner_->wants_columns(); }
  const std::bitset<kFieldCount>* wanted_fields() const override {
    return inner_ ? inner_->wanted_fields() : &none_;
  }
  void packet(const Frame& f, const Record& rec, int64_t rel_ns) override {
    if (inner_) {
      inner_->packet(f, rec, rel_ns);
      if (!inner_->wants_tree()) out_.buf().push_back('\n'); // a tree ends with its blank line
    }
    fmt::memory_buffer& b = out_.buf();
    // One source: the bytes alone; several: each under its name and size, the frame's first.
    const bool named = !rec.sources().empty();
    if (named) fmt::format_to(std::back_inserter(b), "Frame ({} bytes):\n", f.data.size());
    dump(b, f.data);
    for (const DataSource& s : rec.sources()) {
      fmt::format_to(std::back_inserter(b), "{} ({} bytes):\n", s.name, s.bytes.size());
      dump(b, s.bytes);
    }
    b.push_back('\n');
    out_.maybe_flush();
  }

private:
  OutBuffer& out_;
  std::unique_ptr<PacketSink> inner_;
  std::bitset<kFieldCount> none_; // no fields: decoding alone finds the data sources
};

} // namespace

std::unique_ptr<PacketSink> make_hex_sink(OutBuffer& out, std::unique_ptr<PacketSink> inner) {
  return std::make_unique<HexSink>(out, std::move(inner));
}

} // namespace ps
