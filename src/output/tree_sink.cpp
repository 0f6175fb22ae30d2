#include "dissect/value_format.h"
#include "output/packet_sink.h"

namespace ps {

namespace {

// tshark's item labels hold 239 characters: a longer one is cut to 238 with " [truncated]" after its
// name ("Request URI [truncated]: /a?b...") or, without a name, in front (" [truncated]GET /a?b...").
void append_label(fmt::memory_buffer& b, std::string_view label, size_t name_len) {
  constexpr size_t kLabelMax = 239, kCut = 238;
  if (label.size() <= kLabelMax) {
    b.append(label);
    return;
  }
  constexpr std::string_view kMark = " [truncated]";
  fmt::memory_buffer cut;
  cut.append(label.substr(0, name_len));
  cut.append(kMark);
  cut.append(label.substr(name_len));
  size_t n = kCut;
  while (n > 0 && (static_cast<unsigned char>(cut.data()[n]) & 0xc0) == 0x80) --n; // a UTF-8 boundary
  b.append(std::string_view(cut.data(), n));
}

class TreeSink final : public PacketSink {
public:
  explicit TreeSink(OutBuffer& out) : out_(out) {}
  bool wants_tree() const override { return true; }
  void packet(const Frame&, const Record& rec, int64_t) override {
    fmt::memory_buffer value, label;
    int hidden_depth = -1; // skip the subtree of a hidden item
    for (const Item& it : rec.items()) {
      if (hidden_depth >= 0 && it.depth > hidden_depth) continue;
      hidden_depth = -1;
      if (it.hidden) {
        hidden_depth = it.depth;
        continue;
      }
      auto& b = out_.buf();
      for (unsigned i = 0; i < it.depth; ++i) b.append(std::string_view("    "));
      // Generated items are bracketed, once: some describers write the brackets into their text.
      std::string_view t = it.text;
      const bool has_brackets = t.size() >= 2 && t.starts_with('[') && t.ends_with(']');
      if (has_brackets) t = t.substr(1, t.size() - 2);
      const bool bracket = it.generated || has_brackets;
      label.clear();
      size_t name_len = 0; // the label is "Name: value" with this name
      const FieldInfo& fi = field_info(it.field);
      if (!t.empty()) {
        label.append(t);
        // A header line ("Referer: ...\r\n") is formatted text in tshark: the mark goes in front.
        if (it.field != F::TEXT && t.size() > fi.name.size() + 1 && t.starts_with(fi.name) &&
            t.substr(fi.name.size(), 2) == ": " && !t.ends_with("\\r\\n"))
          name_len = fi.name.size();
      } else {
        label.append(fi.name);
        if (fi.type != FieldType::Protocol && fi.type != FieldType::Text && fi.type != FieldType::None) {
          value.clear();
          format_value(it, value);
          label.append(std::string_view(": "));
          label.append(value);
          name_len = fi.name.size();
        }
      }
      if (bracket) b.push_back('[');
      append_label(b, {label.data(), label.size()}, name_len);
      if (bracket) b.push_back(']');
      b.push_back('\n');
    }
    out_.buf().push_back('\n');
    out_.maybe_flush();
  }

private:
  OutBuffer& out_;
};

} // namespace

std::unique_ptr<PacketSink> make_tree_sink(OutBuffer& out) {
  return std::make_unique<TreeSink>(out);
}

} // namespace ps
