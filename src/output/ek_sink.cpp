// -T ek: tshark's Elasticsearch bulk-index NDJSON. Per frame an index line,
// {"index":{"_index":"packets-YYYY-MM-DD","_type":"doc"}}, then the document: "timestamp" (epoch
// milliseconds, a string) and "layers", one object per top-level protocol holding every field of its
// subtree flattened, named PARENT_ABBREV with dots as underscores ("tcp_tcp_srcport"). As tshark 4.0
// writes it: values are strings, booleans true/false, presence-only fields and subtree heads null, text
// lines "text"; siblings with one name become an array, and so do the same names in their subtrees.
#include <algorithm>
#include <ctime>

#include "dissect/value_format.h"
#include "output/packet_sink.h"

namespace ps {

namespace {

class EkSink final : public PacketSink {
public:
  EkSink(OutBuffer& out, bool index_lines) : out_(out), index_lines_(index_lines) {}
  bool wants_tree() const override { return true; }

  void packet(const Frame& f, const Record& rec, int64_t) override {
    auto& b = out_.buf();
    auto it = std::back_inserter(b);
    if (index_lines_) {
      std::time_t secs = static_cast<std::time_t>(f.ts.sec);
      std::tm tm{};
      gmtime_r(&secs, &tm);
      fmt::format_to(it, "{{\"index\":{{\"_index\":\"packets-{:04}-{:02}-{:02}\",\"_type\":\"doc\"}}}}\n",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    }
    fmt::format_to(it, "{{\"timestamp\":\"{}{:03}\",\"layers\":{{", f.ts.sec, f.ts.nsec / 1'000'000);
    const auto& items = rec.items();
    // Top-level protocols, grouped by name.
    std::vector<std::pair<std::string_view, std::vector<Range>>> protos;
    for (size_t i = 0; i < items.size(); ++i) {
      if (items[i].depth != 0) continue;
      size_t j = i + 1;
      while (j < items.size() && items[j].depth > 0) ++j;
      std::string_view k = field_info(items[i].field).abbrev;
      if (k.empty()) k = items[i].text;
      auto g = std::find_if(protos.begin(), protos.end(), [&](const auto& p) { return p.first == k; });
      if (g == protos.end()) g = protos.insert(protos.end(), {k, {}});
      g->second.push_back({i + 1, j});
    }
    bool first_proto = true;
    for (const auto& [k, ranges] : protos) {
      if (!first_proto) b.push_back(',');
      first_proto = false;
      b.push_back('"');
      json_escape(k, b);
      b.append(std::string_view("\":"));
      if (ranges.size() > 1) b.push_back('[');
      for (size_t r = 0; r < ranges.size(); ++r) {
        if (r) b.push_back(',');
        b.push_back('{');
        bool first = true;
        level(items, {ranges[r]}, 1, b, first);
        b.push_back('}');
      }
      if (ranges.size() > 1) b.push_back(']');
    }
    b.append(std::string_view("}}\n"));
    out_.maybe_flush();
  }

private:
  struct Range {
    size_t begin, end;
  };

  // "tcp.srcport" -> "tcp_tcp_srcport"; a protocol's own name has no parent ("tcp.options.nop" ->
  // "tcp_options_nop"); tshark's own "_ws.*" fields belong to "_ws.<group>".
  void ek_name(const Item& it, std::string& name) const {
    std::string_view abbrev = field_info(it.field).abbrev;
    name.clear();
    if (field_info(it.field).type != FieldType::Protocol) {
      size_t dot = abbrev.find('.');
      if (abbrev.starts_with("_ws.") && dot != std::string_view::npos) dot = abbrev.find('.', dot + 1);
      if (dot != std::string_view::npos) {
        name.append(abbrev.substr(0, dot));
        name.push_back('_');
      }
    }
    name.append(abbrev);
    std::replace(name.begin(), name.end(), '.', '_');
  }

  // The items at `depth` in `ranges` (children of same-named siblings together), flattened.
  void level(const std::vector<Item>& items, const std::vector<Range>& ranges, unsigned depth,
             fmt::memory_buffer& b, bool& first) {
    struct Group {
      std::string name;
      std::vector<size_t> entries;
      std::vector<Range> children;
    };
    std::vector<Group> groups;
    std::string name;
    for (const Range& r : ranges) {
      for (size_t i = r.begin; i < r.end; ++i) {
        if (items[i].depth != depth) continue;
        size_t j = i + 1;
        while (j < r.end && items[j].depth > depth) ++j;
        if (field_info(items[i].field).type == FieldType::Text)
          name = "text";
        else
          ek_name(items[i], name);
        auto g = std::find_if(groups.begin(), groups.end(), [&](const Group& x) { return x.name == name; });
        if (g == groups.end()) g = groups.insert(groups.end(), Group{name, {}, {}});
        g->entries.push_back(i);
        if (j > i + 1) g->children.push_back({i + 1, j});
      }
    }
    for (const Group& g : groups) {
      if (!first) b.push_back(',');
      first = false;
      b.push_back('"');
      json_escape(g.name, b);
      b.append(std::string_view("\":"));
      if (g.entries.size() > 1) b.push_back('[');
      for (size_t e = 0; e < g.entries.size(); ++e) {
        if (e) b.push_back(',');
        value(items[g.entries[e]], b);
      }
      if (g.entries.size() > 1) b.push_back(']');
      if (!g.children.empty()) level(items, g.children, depth + 1, b, first);
    }
  }

  void value(const Item& it, fmt::memory_buffer& b) {
    switch (field_info(it.field).type) {
    case FieldType::Protocol:
    case FieldType::None:
      b.append(std::string_view("null"));
      return;
    case FieldType::Text:
      b.push_back('"');
      json_escape(it.text, b);
      b.push_back('"');
      return;
    case FieldType::Bool:
      b.append(it.num ? std::string_view("true") : std::string_view("false"));
      return;
    default:
      value_.clear();
      format_value(it, value_);
      b.push_back('"');
      json_escape({value_.data(), value_.size()}, b);
      b.push_back('"');
    }
  }

  OutBuffer& out_;
  bool index_lines_;
  fmt::memory_buffer value_;
};

} // namespace

std::unique_ptr<PacketSink> make_ek_sink(OutBuffer& out, bool index_lines) {
  return std::make_unique<EkSink>(out, index_lines);
}

} // namespace ps
