#include "output/packet_sink.h"

namespace ps {

namespace {

class SummarySink final : public PacketSink {
public:
  explicit SummarySink(OutBuffer& out) : out_(out) {}
  bool wants_columns() const override { return true; }
  void packet(const Frame& f, const Record& rec, int64_t rel_ns) override {
    const Columns& c = rec.cols();
    uint64_t a = static_cast<uint64_t>(rel_ns < 0 ? -rel_ns : rel_ns);
    auto it = std::back_inserter(out_.buf());
    fmt::format_to(it, "{:>5} {}{}.{:09} ", f.number, rel_ns < 0 ? "-" : "", a / 1'000'000'000, a % 1'000'000'000);
    if (!c.src.empty() || !c.dst.empty()) fmt::format_to(it, "{} \xe2\x86\x92 {} ", c.src, c.dst);
    fmt::format_to(it, "{} {} ", c.protocol, f.wire_len);
    out_.buf().append(c.info);
    out_.buf().push_back('\n');
    out_.maybe_flush();
  }

private:
  OutBuffer& out_;
};

} // namespace

std::unique_ptr<PacketSink> make_summary_sink(OutBuffer& out) { return std::make_unique<SummarySink>(out); }

} // namespace ps
