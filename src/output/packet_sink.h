// Per-packet outputs of `portscope read`: summary lines, trees, -T fields, JSON. All read the record.
#pragma once

#include <bitset>
#include <memory>
#include <string>
#include <vector>

#include "capture/frame.h"
#include "dissect/record.h"
#include "output/out_buffer.h"

namespace ps {

class PacketSink {
public:
  virtual ~PacketSink() = default;
  // What the record must contain for this sink.
  virtual bool wants_tree() const { return false; }
  virtual bool wants_columns() const { return false; }
  virtual const std::bitset<kFieldCount>* wanted_fields() const { return nullptr; }
  virtual void begin() {}
  // `rel_ns`: time since the first frame.
  virtual void packet(const Frame& frame, const Record& rec, int64_t rel_ns) = 0;
  virtual void end() {}

  // Parallel runs: worker sinks write each packet alone (no separators), the merging side writes
  // separator() between packets and calls begin()/end() on a sink of its own, after telling it
  // whether any packet was written.
  virtual void separate_externally() {}
  virtual std::string_view separator() const { return {}; }
  virtual void packets_written(bool /*any*/) {}
};

// The summary line's time column, as tshark's -t: r relative to the first frame (default), a/ad/adoy
// absolute local time (time of day, with date, with year and day of year), u/ud/udoy the same in UTC,
// d/dd delta to the previous captured/displayed frame, e epoch seconds; at the capture's precision.
enum class TimeFormat : uint8_t {
  Relative,
  Absolute,
  AbsoluteDate,
  AbsoluteDoy,
  Utc,
  UtcDate,
  UtcDoy,
  Delta,
  DeltaDisplayed,
  Epoch
};
// Parses a -t value ("r", "ad", ...); false when it is none of them.
bool parse_time_format(std::string_view s, TimeFormat& out);
std::unique_ptr<PacketSink> make_summary_sink(OutBuffer& out, TimeFormat time = TimeFormat::Relative);
std::unique_ptr<PacketSink> make_tree_sink(OutBuffer& out);
// -x: each frame's bytes (and other data sources) in tshark's hex layout, after what `inner` prints
// (nothing when null).
std::unique_ptr<PacketSink> make_hex_sink(OutBuffer& out, std::unique_ptr<PacketSink> inner);

struct FieldsOptions {
  std::vector<F> fields;
  bool header = false;
  char separator = '\t';
  char occurrence = 'a'; // f first, l last, a all
  char aggregator = ',';
  char quote = 'n'; // n none, d double, s single
};
std::unique_ptr<PacketSink> make_fields_sink(OutBuffer& out, FieldsOptions opt);
// ndjson: one object per line; otherwise a JSON array like tshark -T json.
std::unique_ptr<PacketSink> make_json_sink(OutBuffer& out, bool ndjson);
// -T ek: tshark's bulk-index NDJSON (an index line, then the flattened document); without
// `index_lines` only the documents (Kafka records).
std::unique_ptr<PacketSink> make_ek_sink(OutBuffer& out, bool index_lines = true);

} // namespace ps
