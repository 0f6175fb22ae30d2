#include "dissect/fast_text.h"
#include "output/packet_sink.h"

namespace ps {

namespace {

class SummarySink final : public PacketSink {
public:
  explicit SummarySink(OutBuffer& out) : out_(out) {}
  bool wants_columns() const override { return true; }
  void packet(const Frame& f, const Record& rec, int64_t rel_ns) override {
    // "{:>5} {time} {src} → {dst} {protocol} {length} {info}", written by hand (the hottest line).
    const Columns& c = rec.cols();
    fmt::memory_buffer& b = out_.buf();
    fmt::format_int number(f.number);
    for (size_t pad = number.size(); pad < 5; ++pad) b.push_back(' ');
    b.append(number.data(), number.data() + number.size());
    b.push_back(' ');
    fast::append_seconds(b, rel_ns);
    b.push_back(' ');
    if (!c.src.empty() || !c.dst.empty()) {
      fast::append(b, c.src);
      fast::append(b, " \xe2\x86\x92 ");
      fast::append(b, c.dst);
      b.push_back(' ');
    }
    fast::append(b, c.protocol);
    b.push_back(' ');
    fast::append_uint(b, f.wire_len);
    b.push_back(' ');
    b.append(c.info);
    b.push_back('\n');
    out_.maybe_flush();
  }

private:
  OutBuffer& out_;
};

} // namespace

std::unique_ptr<PacketSink> make_summary_sink(OutBuffer& out) {
  return std::make_unique<SummarySink>(out);
}

} // namespace ps
