// JSON output in the shape of tshark -T json (with --no-duplicate-keys: repeated keys become arrays).
#include <algorithm>
#include <ctime>
#include <map>

#include "dissect/value_format.h"
#include "output/packet_sink.h"

namespace ps {

namespace {

class JsonSink final : public PacketSink {
public:
  JsonSink(OutBuffer& out, bool ndjson) : out_(out), ndjson_(ndjson) {}
  bool wants_tree() const override { return true; }

  void begin() override {
    if (!ndjson_) out_.buf().append(std::string_view("[\n"));
  }
  void end() override {
    if (!ndjson_) out_.buf().append(std::string_view(first_ ? "]\n" : "\n]\n"));
  }

  void separate_externally() override { external_ = true; }
  std::string_view separator() const override {
    return ndjson_ ? std::string_view() : std::string_view(",\n");
  }
  void packets_written(bool any) override { first_ = first_ && !any; }

  void packet(const Frame& f, const Record& rec, int64_t) override {
    auto& b = out_.buf();
    if (!ndjson_ && !first_ && !external_) b.append(std::string_view(",\n"));
    first_ = false;
    std::time_t secs = static_cast<std::time_t>(f.ts.sec);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    fmt::format_to(
        std::back_inserter(b),
        "{{\"_index\":\"packets-{:04}-{:02}-{:02}\",\"_type\":\"doc\",\"_score\":null,\"_source\":{{"
        "\"layers\":",
        tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    const auto& items = rec.items();
    object(items, 0, items.size(), 0, b);
    b.append(std::string_view("}}"));
    if (ndjson_) b.push_back('\n');
    out_.maybe_flush();
  }

private:
  // Key of an item: its field abbreviation, or its text for text-only lines.
  static std::string_view key(const Item& it) {
    std::string_view k = field_info(it.field).abbrev;
    return k.empty() ? it.text : k;
  }

  // Writes items [from, to) at `depth` (their children follow them at depth + 1) as one object.
  void object(const std::vector<Item>& items, size_t from, size_t to, unsigned depth, fmt::memory_buffer& b) {
    // Group by key preserving first-seen order; collect the [start, end) range of each child subtree.
    struct Entry {
      size_t item;
      size_t child_begin, child_end;
    };
    std::vector<std::pair<std::string_view, std::vector<Entry>>> groups;
    for (size_t i = from; i < to; ++i) {
      if (items[i].depth != depth) continue;
      size_t j = i + 1;
      while (j < to && items[j].depth > depth) ++j;
      std::string_view k = key(items[i]);
      auto g = std::find_if(groups.begin(), groups.end(), [&](const auto& p) { return p.first == k; });
      if (g == groups.end()) groups.push_back({k, {}}), g = groups.end() - 1;
      g->second.push_back({i, i + 1, j});
    }
    b.push_back('{');
    bool first = true;
    auto emit_key = [&](std::string_view k) {
      if (!first) b.push_back(',');
      first = false;
      b.push_back('"');
      json_escape(k, b);
      b.append(std::string_view("\":"));
    };
    for (const auto& [k, entries] : groups) {
      const Item& head = items[entries.front().item];
      FieldType t = field_info(head.field).type;
      bool container = t == FieldType::Protocol || t == FieldType::Text;
      // Value (protocols and text lines with children are objects; others are strings).
      emit_key(k);
      if (entries.size() > 1) b.push_back('[');
      for (size_t e = 0; e < entries.size(); ++e) {
        if (e) b.push_back(',');
        const Entry& en = entries[e];
        if (container) {
          if (en.child_end > en.child_begin)
            object(items, en.child_begin, en.child_end, depth + 1, b);
          else
            b.append(std::string_view("\"\""));
        } else {
          value_.clear();
          format_value(items[en.item], value_);
          b.push_back('"');
          json_escape({value_.data(), value_.size()}, b);
          b.push_back('"');
        }
      }
      if (entries.size() > 1) b.push_back(']');
      if (!container) {
        // Subtrees of value fields go under "<abbrev>_tree".
        bool any = false;
        for (const Entry& en : entries) any |= en.child_end > en.child_begin;
        if (any) {
          std::string tk = std::string(k) + "_tree";
          emit_key(tk);
          if (entries.size() > 1) b.push_back('[');
          bool f2 = true;
          for (const Entry& en : entries) {
            if (en.child_end == en.child_begin) continue;
            if (!f2) b.push_back(',');
            f2 = false;
            object(items, en.child_begin, en.child_end, depth + 1, b);
          }
          if (entries.size() > 1) b.push_back(']');
        }
      }
    }
    b.push_back('}');
  }

  OutBuffer& out_;
  bool ndjson_;
  bool first_ = true;
  bool external_ = false;
  fmt::memory_buffer value_;
};

} // namespace

std::unique_ptr<PacketSink> make_json_sink(OutBuffer& out, bool ndjson) {
  return std::make_unique<JsonSink>(out, ndjson);
}

} // namespace ps
