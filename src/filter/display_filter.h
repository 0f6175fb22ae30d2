// Wireshark display filters (-Y): `tcp.port == 80 && http.request.method == "POST"`, compiled once and
// evaluated on a packet's field record. See docs/filters.md for the syntax and its semantics.
#pragma once

#include <bitset>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "describe/describe.h"
#include "dissect/field.h"
#include "dissect/record.h"

namespace ps::filter {

struct CompileError {
  std::string message;
  size_t column = 0; // 0-based offset in the expression
};

namespace detail {
struct Program;
}

class DisplayFilter {
public:
  // Parses and compiles once; nullopt + err on failure. Unknown field names are named in the message.
  static std::optional<DisplayFilter> compile(std::string_view expr, CompileError& err);

  DisplayFilter(DisplayFilter&&) noexcept;
  DisplayFilter& operator=(DisplayFilter&&) noexcept;
  ~DisplayFilter();

  // Evaluates on a record built with (at least) fields(). `frame` is the frame's captured bytes: what
  // `frame`, `frame[...]` and protocol fields used with contains/matches/slices read (without it those
  // tests are false). Builds no strings and allocates nothing; not for concurrent use by several
  // threads (a regular expression keeps its match state in the filter).
  bool matches(const Record& rec, std::span<const uint8_t> frame = {}) const;

  // Every field the filter reads: the record must be reset with them wanted.
  const std::bitset<kFieldCount>& fields() const;
  // The pipeline stages those fields need (tracker, TCP analysis, application layer), derived from
  // the registry by describe_needs().
  DescribeNeeds needs() const;
  // Whether a test reads the frame's bytes (`frame`, slices or contains/matches of a protocol).
  bool reads_frame_bytes() const;
  // The expression as given.
  const std::string& text() const;

private:
  explicit DisplayFilter(std::unique_ptr<detail::Program> p);
  std::unique_ptr<detail::Program> p_;
};

// One line, tshark-like: `display filter: "tcp.port == " : missing value after '==' (column 12)`.
std::string format_error(std::string_view expr, const CompileError& e);

} // namespace ps::filter
