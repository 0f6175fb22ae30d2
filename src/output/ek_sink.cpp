// -T ek: tshark's Elasticsearch bulk-index NDJSON. Per frame an index line,
// {"index":{"_index":"packets-YYYY-MM-DD","_type":"doc"}}, then the document: "timestamp" (epoch
// milliseconds, a string) and "layers", one object per top-level protocol holding every field of its
// subtree flattened, named PARENT_ABBREV with dots as underscores ("tcp_tcp_srcport"). As tshark 4.0
// writes it: values are strings, booleans true/false, presence-only fields and subtree heads null, text
// lines "text"; siblings with one name become an array, and so do the same names in their subtrees.
#include <algorithm>
#include <ctime>
#include <string>

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
    // Top-level protocols, grouped by name; top-level items that are fields of a protocol (tcp.segments,
    // "[N Reassembled TCP Segments]") are flattened into "layers" itself, as tshark writes them.
    struct Top {
      std::string key;
      bool flat = false;
      std::vector<Range> ranges;
    };
    std::vector<Top> tops;
    for (size_t i = 0; i < items.size(); ++i) {
      if (items[i].depth != 0) continue;
      size_t j = i + 1;
      while (j < items.size() && items[j].depth > 0) ++j;
      std::string_view abbrev = field_info(items[i].field).abbrev;
      if (abbrev.empty()) abbrev = items[i].text;
      if (abbrev.find('.') != std::string_view::npos && !abbrev.starts_with("_ws.")) {
        tops.push_back({std::string(), true, {{i, j}}});
        continue;
      }
      std::string key(abbrev);
      std::replace(key.begin(), key.end(), '.', '_');
      auto g = std::find_if(tops.begin(), tops.end(), [&](const Top& t) { return !t.flat && t.key == key; });
      if (g == tops.end()) g = tops.insert(tops.end(), {key, false, {}});
      g->ranges.push_back({i + 1, j});
    }
    bool first_top = true;
    for (const Top& top : tops) {
      if (top.flat) {
        level(items, top.ranges, 0, f.data, b, first_top);
        continue;
      }
      if (!first_top) b.push_back(',');
      first_top = false;
      b.push_back('"');
      json_escape(top.key, b);
      b.append(std::string_view("\":"));
      if (top.ranges.size() > 1) b.push_back('[');
      for (size_t r = 0; r < top.ranges.size(); ++r) {
        if (r) b.push_back(',');
        b.push_back('{');
        bool first = true;
        level(items, {top.ranges[r]}, 1, f.data, b, first);
        b.push_back('}');
      }
      if (top.ranges.size() > 1) b.push_back(']');
    }
    b.append(std::string_view("}}\n"));
    out_.maybe_flush();
  }

private:
  struct Range {
    size_t begin, end;
  };

  // "tcp.srcport" -> "tcp_tcp_srcport"; the TCP options, which tshark registers as protocols of
  // their own, have no parent ("tcp.options.nop" -> "tcp_options_nop"); tshark's own "_ws.*" fields
  // belong to "_ws.<group>".
  void ek_name(const Item& it, std::string& name) const {
    std::string_view abbrev = field_info(it.field).abbrev;
    name.clear();
    if (!tcp_option(it)) {
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

  static bool tcp_option(const Item& it) {
    const FieldInfo& fi = field_info(it.field);
    const FieldType t = fi.type;
    return fi.abbrev.starts_with("tcp.options.") &&
           fi.abbrev.find('.', sizeof "tcp.options." - 1) == std::string_view::npos &&
           (t == FieldType::Bytes || t == FieldType::None || t == FieldType::Protocol);
  }

  // The items at `depth` in `ranges` (children of same-named siblings together), flattened.
  void level(const std::vector<Item>& items, const std::vector<Range>& ranges, unsigned depth,
             std::span<const uint8_t> frame, fmt::memory_buffer& b, bool& first) {
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
        value(items[g.entries[e]], frame, b);
      }
      if (g.entries.size() > 1) b.push_back(']');
      if (!g.children.empty()) level(items, g.children, depth + 1, frame, b, first);
    }
  }

  static void hex(std::span<const uint8_t> bytes, fmt::memory_buffer& b) {
    static constexpr char kHex[] = "0123456789abcdef";
    b.push_back('"');
    for (size_t i = 0; i < bytes.size(); ++i) {
      if (i) b.push_back(':');
      b.push_back(kHex[bytes[i] >> 4]);
      b.push_back(kHex[bytes[i] & 15]);
    }
    b.push_back('"');
  }

  void value(const Item& it, std::span<const uint8_t> frame, fmt::memory_buffer& b) {
    // Byte fields without a value of their own (the TCP options) are their bytes in the frame.
    const bool from_frame =
        it.length && it.offset + uint64_t{it.length} <= frame.size() &&
        (tcp_option(it) || (field_info(it.field).type == FieldType::Bytes && it.str.empty()));
    if (from_frame) {
      hex(frame.subspan(it.offset, it.length), b);
      return;
    }
    switch (field_info(it.field).type) {
    case FieldType::Protocol:
    case FieldType::None:
      // tshark's http.request and http.response are booleans, set when present.
      if (it.field == F::HTTP_REQUEST || it.field == F::HTTP_RESPONSE) {
        b.append(std::string_view("true"));
        return;
      }
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
    case FieldType::Bytes: // colon-separated, as tshark's JSON forms write bytes
      hex({reinterpret_cast<const uint8_t*>(it.str.data()), it.str.size()}, b);
      return;
    case FieldType::AbsTime:
      if (field_info(it.field).base != Base::Dec) { // ISO 8601 in UTC ("2026-11-26T09:24:44.926963000Z")
        const auto ns = static_cast<int64_t>(it.num);
        int64_t secs = ns / 1'000'000'000, frac = ns % 1'000'000'000;
        if (frac < 0) {
          frac += 1'000'000'000;
          --secs;
        }
        const auto t = static_cast<std::time_t>(secs);
        std::tm tm{};
        gmtime_r(&t, &tm);
        fmt::format_to(std::back_inserter(b), "\"{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z\"",
                       tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
        return;
      }
      break;
    default:
      break;
    }
    value_.clear();
    format_value(it, value_);
    b.push_back('"');
    json_escape({value_.data(), value_.size()}, b);
    b.push_back('"');
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
