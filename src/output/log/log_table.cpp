#include "output/log/log_table.h"

#include <algorithm>

namespace ps::app {

namespace {

void json_string(std::string_view s, OutBuffer& out) {
  auto& b = out.buf();
  b.push_back('"');
  for (unsigned char c : s) {
    switch (c) {
    case '"':
      out.write("\\\"");
      break;
    case '\\':
      out.write("\\\\");
      break;
    case '\n':
      out.write("\\n");
      break;
    case '\r':
      out.write("\\r");
      break;
    case '\t':
      out.write("\\t");
      break;
    default:
      if (c < 0x20 || c == 0x7f)
        out.print("\\u{:04x}", c);
      else
        b.push_back(static_cast<char>(c));
    }
  }
  b.push_back('"');
}

// Zeek escapes separators and non-printables as \xNN.
void zeek_cell(std::string_view s, OutBuffer& out) {
  if (s.empty()) {
    out.write("(empty)");
    return;
  }
  for (unsigned char c : s) {
    if (c == '\t' || c == '\\' || c < 0x20 || c >= 0x7f)
      out.print("\\x{:02x}", c);
    else
      out.buf().push_back(static_cast<char>(c));
  }
}

void json_object(const LogTable& t, const std::vector<std::optional<std::string>>& row, OutBuffer& out) {
  out.write("{");
  bool first = true;
  for (size_t i = 0; i < t.columns.size() && i < row.size(); ++i) {
    if (!row[i]) continue; // unset fields are left out, as Zeek's JSON logs do
    if (!first) out.write(",");
    first = false;
    json_string(t.columns[i].name, out);
    out.write(":");
    if (t.columns[i].numeric)
      out.write(*row[i]);
    else
      json_string(*row[i], out);
  }
  out.write("}");
}

void zeek_header(const LogTable& t, OutBuffer& out) {
  out.write("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n");
  out.print("#path\t{}\n#fields", t.path);
  for (const LogColumn& c : t.columns) out.print("\t{}", c.name);
  out.write("\n");
}

void zeek_row(const LogTable& t, const std::vector<std::optional<std::string>>& row, OutBuffer& out) {
  for (size_t i = 0; i < t.columns.size(); ++i) {
    if (i) out.write("\t");
    if (i < row.size() && row[i])
      zeek_cell(*row[i], out);
    else
      out.write("-");
  }
  out.write("\n");
  out.maybe_flush();
}

std::string table_cell(const std::optional<std::string>& c) {
  std::string s = c ? *c : std::string("-");
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

} // namespace

void LogStream::header(const LogTable& t) {
  begun_ = true;
  switch (f_) {
  case LogFormat::Table: {
    widths_.resize(t.columns.size());
    for (size_t i = 0; i < t.columns.size(); ++i) {
      widths_[i] = t.columns[i].name.size();
      for (const auto& row : t.rows)
        if (i < row.size()) widths_[i] = std::max(widths_[i], table_cell(row[i]).size());
    }
    std::vector<std::optional<std::string>> names;
    for (const LogColumn& c : t.columns) names.emplace_back(c.name);
    LogTable h;
    h.columns = t.columns;
    h.rows.push_back(std::move(names));
    count_ = 0;
    rows(h); // the names as the first line
    break;
  }
  case LogFormat::Json:
    out_.write("[");
    break;
  case LogFormat::Ndjson:
    break;
  case LogFormat::Zeek:
    zeek_header(t, out_);
    break;
  }
}

void LogStream::rows(const LogTable& t) {
  if (!begun_) header(t);
  for (const auto& row : t.rows) {
    switch (f_) {
    case LogFormat::Table:
      for (size_t i = 0; i < t.columns.size(); ++i) {
        const std::string s = table_cell(i < row.size() ? row[i] : std::nullopt);
        if (i + 1 < t.columns.size())
          out_.print("{:<{}}  ", s, i < widths_.size() ? widths_[i] : 0);
        else
          out_.write(s);
      }
      out_.write("\n");
      break;
    case LogFormat::Json:
      out_.write(count_ ? ",\n  " : "\n  ");
      json_object(t, row, out_);
      break;
    case LogFormat::Ndjson:
      json_object(t, row, out_);
      out_.write("\n");
      break;
    case LogFormat::Zeek:
      zeek_row(t, row, out_);
      break;
    }
    ++count_;
    out_.maybe_flush();
  }
}

void LogStream::end() {
  if (f_ == LogFormat::Json) out_.write(!begun_ ? "[]\n" : count_ ? "\n]\n" : "]\n");
}

std::string stream_uid(uint32_t stream, bool udp) {
  static constexpr char kDigits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  uint64_t x = ((uint64_t{stream} << 1 | (udp ? 1 : 0)) + 1) * 0x9e3779b97f4a7c15ull;
  x ^= x >> 29;
  std::string s = "C";
  for (int i = 0; i < 10; ++i, x /= 62) s += kDigits[x % 62];
  return s;
}

void print_json_row(const LogTable& t, size_t row, OutBuffer& out) {
  json_object(t, t.rows.at(row), out);
}

void print_log(const LogTable& t, LogFormat f, OutBuffer& out) {
  switch (f) {
  case LogFormat::Table: {
    std::vector<size_t> w(t.columns.size());
    for (size_t i = 0; i < t.columns.size(); ++i) w[i] = t.columns[i].name.size();
    for (const auto& row : t.rows)
      for (size_t i = 0; i < row.size() && i < w.size(); ++i)
        w[i] = std::max(w[i], row[i] ? std::min<size_t>(row[i]->size(), 60) : 1);
    auto line = [&](auto cell) {
      for (size_t i = 0; i < t.columns.size(); ++i) {
        std::string s = cell(i);
        if (s.size() > 60) s = s.substr(0, 57) + "...";
        if (i + 1 < t.columns.size())
          out.print("{:<{}}  ", s, w[i]);
        else
          out.write(s);
      }
      out.write("\n");
      out.maybe_flush();
    };
    line([&](size_t i) { return t.columns[i].name; });
    for (const auto& row : t.rows)
      line([&](size_t i) { return i < row.size() && row[i] ? *row[i] : std::string("-"); });
    break;
  }
  case LogFormat::Json:
    out.write("[");
    for (size_t r = 0; r < t.rows.size(); ++r) {
      out.write(r ? ",\n  " : "\n  ");
      json_object(t, t.rows[r], out);
      out.maybe_flush();
    }
    out.write(t.rows.empty() ? "]\n" : "\n]\n");
    break;
  case LogFormat::Ndjson:
    for (const auto& row : t.rows) {
      json_object(t, row, out);
      out.write("\n");
      out.maybe_flush();
    }
    break;
  case LogFormat::Zeek:
    zeek_header(t, out);
    for (const auto& row : t.rows) zeek_row(t, row, out);
    break;
  }
}

} // namespace ps::app
