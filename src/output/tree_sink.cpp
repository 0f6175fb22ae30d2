#include "dissect/value_format.h"
#include "output/packet_sink.h"

namespace ps {

namespace {

class TreeSink final : public PacketSink {
public:
  explicit TreeSink(OutBuffer& out) : out_(out) {}
  bool wants_tree() const override { return true; }
  void packet(const Frame&, const Record& rec, int64_t) override {
    fmt::memory_buffer value;
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
      const bool bracket = it.generated && !(it.text.starts_with('[') && it.text.ends_with(']'));
      if (bracket) b.push_back('[');
      if (!it.text.empty()) {
        b.append(it.text);
      } else {
        const FieldInfo& fi = field_info(it.field);
        b.append(fi.name);
        if (fi.type != FieldType::Protocol && fi.type != FieldType::Text && fi.type != FieldType::None) {
          value.clear();
          format_value(it, value);
          b.append(std::string_view(": "));
          b.append(value);
        }
      }
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
