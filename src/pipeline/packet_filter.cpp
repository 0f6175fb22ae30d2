#include "pipeline/packet_filter.h"

#include "describe/conn_fields.h"

namespace ps {

PacketFilter::PacketFilter(const filter::DisplayFilter& f, DescribeOptions opt) : filter_(f), opt_(opt) {}

void PacketFilter::add_needs(EngineNeeds& needs) const {
  const DescribeNeeds n = filter_.needs();
  needs.streams = needs.streams || n.streams;
  needs.numbers = needs.numbers || n.streams;
  needs.analysis = needs.analysis || n.analysis;
  if (n.app) {
    needs.app = true;
    needs.service_only = false; // the analyzers must see every message the filter may test
  }
}

bool PacketFilter::matches(const PacketView& v) {
  if (first_) {
    times_.first = times_.previous = v.frame.ts;
    first_ = false;
  }
  rec_.reset(false, &filter_.fields(), false);
  describe(v.pkt, v.meta, opt_, times_, rec_, v.app);
  times_.previous = v.frame.ts;
  return filter_.matches(rec_, v.frame.data);
}

ConnFilterForm conn_filter_form(const filter::DisplayFilter& f) {
  bool conn = false, packet = false;
  for (size_t i = 0; i < kFieldCount; ++i) {
    if (!f.fields()[i]) continue;
    (is_conn_field(static_cast<F>(i)) ? conn : packet) = true;
  }
  return conn && packet ? ConnFilterForm::Mixed
         : conn         ? ConnFilterForm::Connections
                        : ConnFilterForm::Packets;
}

void ConnSelector::add_needs(EngineNeeds& needs) const {
  if (packets_)
    packets_->add_needs(needs);
  else
    needs.records = true;
}

bool ConnSelector::packet(const PacketView& v) {
  if (!packets_ || !v.conn || v.conn->marked || !packets_->matches(v)) return false;
  v.conn->marked = true;
  return true;
}

bool ConnSelector::selected(const ConnRecord& r) {
  if (packets_) return r.marked;
  describe_connection(r, scratch_);
  return filter_.matches(scratch_);
}

WorkerSelectors::WorkerSelectors(ConnSelector* single, const std::string& filter_text, unsigned jobs) {
  if (!single || jobs <= 1) {
    single_ = single;
    return;
  }
  filters_.reserve(jobs); // the selectors keep references to them
  sel_.resize(jobs);
  for (unsigned k = 0; k < jobs; ++k) {
    filter::CompileError ce;
    filters_.push_back(std::move(*filter::DisplayFilter::compile(filter_text, ce))); // compiled once already
    sel_[k].emplace(filters_.back());
  }
}

} // namespace ps
