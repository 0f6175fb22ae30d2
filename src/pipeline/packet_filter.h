// A display filter on the engine's packets, for the commands that do not print packets themselves
// (conns, log, follow): builds each packet's record with just the filter's fields and tests it; and the
// connection form (conn.* fields), tested on each finished connection record.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "describe/describe.h"
#include "dissect/record.h"
#include "engine/engine.h"
#include "filter/display_filter.h"

namespace ps {

class PacketFilter {
public:
  explicit PacketFilter(const filter::DisplayFilter& f, DescribeOptions opt = {});
  // Adds the stages the filter's fields come from.
  void add_needs(EngineNeeds& needs) const;
  bool matches(const PacketView& v);

private:
  const filter::DisplayFilter& filter_;
  DescribeOptions opt_;
  Record rec_;
  FrameTimes times_;
  bool first_ = true;
};

// Which form a filter takes for connections: every field it reads is a conn.* field (tested on the
// finished record), none is (a connection matches when one of its packets does), or both (refused).
enum class ConnFilterForm { Packets, Connections, Mixed };
ConnFilterForm conn_filter_form(const filter::DisplayFilter& f);

// Which connections a -Y filter selects, for conns and log: with packet fields, those one of whose
// packets matches (the connection is marked); with conn.* fields, the finished records that match.
class ConnSelector {
public:
  explicit ConnSelector(const filter::DisplayFilter& f) : filter_(f), form_(conn_filter_form(f)) {
    if (form_ == ConnFilterForm::Packets) packets_.emplace(f);
  }
  ConnFilterForm form() const { return form_; }
  // The stages the filter reads: its fields' for packet fields, connection records for conn.* fields.
  void add_needs(EngineNeeds& needs) const;
  // Marks the packet's connection when this packet is the first of it to match; true then.
  bool packet(const PacketView& v);
  // Whether a finished (or open, for --at) record is selected.
  bool selected(const ConnRecord& r);

private:
  const filter::DisplayFilter& filter_;
  ConnFilterForm form_;
  std::optional<PacketFilter> packets_;
  Record scratch_;
};

// The selector each worker of a run uses: the command's own with one worker, else one per worker,
// each with its own compiled copy of the filter (a selector keeps scratch records).
class WorkerSelectors {
public:
  WorkerSelectors(ConnSelector* single, const std::string& filter_text, unsigned jobs);
  ConnSelector* operator[](unsigned k) { return single_ || sel_.empty() ? single_ : &*sel_[k]; }

private:
  ConnSelector* single_ = nullptr;
  std::vector<filter::DisplayFilter> filters_;
  std::vector<std::optional<ConnSelector>> sel_;
};

} // namespace ps
