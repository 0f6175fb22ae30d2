// Rows of named text cells, printed as an aligned table, JSON, NDJSON or a Zeek ASCII log.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "output/out_buffer.h"

namespace ps::app {

enum class LogFormat : uint8_t { Table, Json, Ndjson, Zeek };

struct LogColumn {
  std::string name;
  bool numeric = false; // JSON: unquoted
};

struct LogTable {
  std::string path; // Zeek's #path: "http", "ftp", ...
  std::vector<LogColumn> columns;
  std::vector<std::vector<std::optional<std::string>>> rows; // nullopt: unset ("-" in Zeek)
};

void print_log(const LogTable& t, LogFormat f, OutBuffer& out);
// Row `row` of `t` as one JSON object (no newline), as the JSON and NDJSON formats write it.
void print_json_row(const LogTable& t, size_t row, OutBuffer& out);

// A log printed a few rows at a time as transactions complete (live capture): the header with the
// first rows, each table column as wide as its name or its first cells (wider cells push the line).
class LogStream {
public:
  LogStream(LogFormat f, OutBuffer& out) : f_(f), out_(out) {}
  void rows(const LogTable& t); // t's columns are the same at every call
  void end();                   // JSON's closing bracket; the header of an empty log

private:
  void header(const LogTable& t);
  LogFormat f_;
  OutBuffer& out_;
  bool begun_ = false;
  size_t count_ = 0;
  std::vector<size_t> widths_;
};

// A Zeek-looking uid ("C" + base62) derived from the stream index: stable within one capture, but not
// (yet) the uid the connection table prints.
std::string stream_uid(uint32_t stream, bool udp = false);

} // namespace ps::app
