#include "dissect/value_format.h"
#include "output/packet_sink.h"

namespace ps {

namespace {

// tshark's -T fields shows a string's line breaks and tabs as \r, \n, \t (one record per line, tabs
// between cells): escapes those from `from` on.
void escape_controls(fmt::memory_buffer& b, size_t from) {
  size_t n = 0;
  for (size_t i = from; i < b.size(); ++i) n += b[i] == '\r' || b[i] == '\n' || b[i] == '\t';
  if (!n) return;
  std::string tail(b.data() + from, b.size() - from);
  b.resize(from);
  for (char c : tail) {
    if (c == '\r' || c == '\n' || c == '\t') {
      b.push_back('\\');
      b.push_back(c == '\r' ? 'r' : c == '\n' ? 'n' : 't');
    } else {
      b.push_back(c);
    }
  }
}

class FieldsSink final : public PacketSink {
public:
  FieldsSink(OutBuffer& out, FieldsOptions opt) : out_(out), opt_(std::move(opt)) {
    for (F f : opt_.fields) {
      wanted_.set(static_cast<size_t>(f));
      if (field_info(f).abbrev.starts_with("_ws.col.")) columns_ = true;
    }
    slots_.resize(kFieldCount, -1);
    for (size_t i = 0; i < opt_.fields.size(); ++i)
      if (slots_[static_cast<size_t>(opt_.fields[i])] < 0)
        slots_[static_cast<size_t>(opt_.fields[i])] = int(i);
    cells_.resize(opt_.fields.size());
  }
  bool wants_columns() const override { return columns_; }
  const std::bitset<kFieldCount>* wanted_fields() const override { return &wanted_; }

  void begin() override {
    if (!opt_.header) return;
    for (size_t i = 0; i < opt_.fields.size(); ++i) {
      if (i) out_.buf().push_back(opt_.separator);
      out_.buf().append(field_info(opt_.fields[i]).abbrev);
    }
    out_.buf().push_back('\n');
  }

  void packet(const Frame& f, const Record& rec, int64_t rel_ns) override {
    for (auto& c : cells_) {
      c.text.clear();
      c.count = 0;
    }
    for (const Item& it : rec.items()) {
      int slot = slots_[static_cast<size_t>(it.field)];
      if (slot < 0) continue;
      Cell& c = cells_[static_cast<size_t>(slot)];
      if (opt_.occurrence == 'f' && c.count > 0) continue;
      if (opt_.occurrence == 'l')
        c.text.clear();
      else if (c.count > 0)
        c.text.push_back(opt_.aggregator);
      const size_t at = c.text.size();
      format_value(it, c.text);
      if (field_info(it.field).type == FieldType::String) escape_controls(c.text, at);
      ++c.count;
    }
    if (columns_) fill_columns(f, rec, rel_ns);
    auto& b = out_.buf();
    for (size_t i = 0; i < cells_.size(); ++i) {
      if (i) b.push_back(opt_.separator);
      // The same field twice in -e prints the same cell twice.
      const Cell& c = cells_[static_cast<size_t>(slots_[static_cast<size_t>(opt_.fields[i])])];
      if (opt_.quote != 'n' && c.count) b.push_back(opt_.quote == 'd' ? '"' : '\'');
      b.append(c.text);
      if (opt_.quote != 'n' && c.count) b.push_back(opt_.quote == 'd' ? '"' : '\'');
    }
    b.push_back('\n');
    out_.maybe_flush();
  }

private:
  struct Cell {
    fmt::memory_buffer text;
    unsigned count = 0;
  };

  void set(F f, std::string_view v) {
    int slot = slots_[static_cast<size_t>(f)];
    if (slot < 0) return;
    Cell& c = cells_[static_cast<size_t>(slot)];
    c.text.clear();
    c.text.append(v);
    c.count = 1;
  }

  void fill_columns(const Frame& f, const Record& rec, int64_t rel_ns) {
    const Columns& col = rec.cols();
    fmt::memory_buffer tmp;
    fmt::format_to(std::back_inserter(tmp), "{}", f.number);
    set(F::COL_NUMBER, {tmp.data(), tmp.size()});
    tmp.clear();
    uint64_t a = static_cast<uint64_t>(rel_ns < 0 ? -rel_ns : rel_ns);
    fmt::format_to(std::back_inserter(tmp), "{}{}.{:09}", rel_ns < 0 ? "-" : "", a / 1'000'000'000,
                   a % 1'000'000'000);
    set(F::COL_TIME, {tmp.data(), tmp.size()});
    set(F::COL_SOURCE, col.src);
    set(F::COL_DESTINATION, col.dst);
    set(F::COL_PROTOCOL, col.protocol);
    tmp.clear();
    fmt::format_to(std::back_inserter(tmp), "{}", f.wire_len);
    set(F::COL_LENGTH, {tmp.data(), tmp.size()});
    set(F::COL_INFO, {col.info.data(), col.info.size()});
  }

  OutBuffer& out_;
  FieldsOptions opt_;
  std::bitset<kFieldCount> wanted_;
  std::vector<int> slots_;
  std::vector<Cell> cells_;
  bool columns_ = false;
};

} // namespace

std::unique_ptr<PacketSink> make_fields_sink(OutBuffer& out, FieldsOptions opt) {
  return std::make_unique<FieldsSink>(out, std::move(opt));
}

} // namespace ps
