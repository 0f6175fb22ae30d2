#include <ctime>

#include "dissect/fast_text.h"
#include "output/packet_sink.h"

namespace ps {

namespace {

// "1.500000" for 1.5 s at 6 digits (the fraction cut, as tshark cuts it).
void append_secs(fmt::memory_buffer& b, int64_t ns, unsigned digits) {
  const uint64_t a = static_cast<uint64_t>(ns < 0 ? -ns : ns);
  if (ns < 0) b.push_back('-');
  fast::append_uint(b, a / 1'000'000'000);
  char frac[10];
  frac[0] = '.';
  uint64_t f = a % 1'000'000'000;
  for (int i = 9; i >= 1; --i, f /= 10) frac[i] = static_cast<char>('0' + f % 10);
  b.append(frac, frac + 1 + digits);
}

class SummarySink final : public PacketSink {
public:
  SummarySink(OutBuffer& out, TimeFormat time) : out_(out), time_(time) {
    if (time == TimeFormat::Delta) wanted_.set(static_cast<size_t>(F::FRAME_TIME_DELTA));
    if (time == TimeFormat::DeltaDisplayed) wanted_.set(static_cast<size_t>(F::FRAME_TIME_DELTA_DISPLAYED));
  }
  bool wants_columns() const override { return true; }
  const std::bitset<kFieldCount>* wanted_fields() const override {
    return wanted_.any() ? &wanted_ : nullptr;
  }
  void packet(const Frame& f, const Record& rec, int64_t rel_ns) override {
    // "{:>5} {time} {src} → {dst} {protocol} {length} {info}", written by hand (the hottest line).
    const Columns& c = rec.cols();
    fmt::memory_buffer& b = out_.buf();
    fmt::format_int number(f.number);
    for (size_t pad = number.size(); pad < 5; ++pad) b.push_back(' ');
    b.append(number.data(), number.data() + number.size());
    b.push_back(' ');
    time_column(f, rec, rel_ns, b);
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
  // tshark right-aligns the time in 10 columns.
  void time_column(const Frame& f, const Record& rec, int64_t rel_ns, fmt::memory_buffer& b) {
    const unsigned digits = std::min<unsigned>(f.ts_digits, 9);
    char text[64];
    size_t n = 0;
    auto put = [&](std::string_view s) {
      for (char ch : s)
        if (n < sizeof text) text[n++] = ch;
    };
    fmt::memory_buffer t;
    switch (time_) {
    case TimeFormat::Relative:
      append_secs(t, rel_ns, digits);
      break;
    case TimeFormat::Delta:
    case TimeFormat::DeltaDisplayed: {
      const F want = time_ == TimeFormat::Delta ? F::FRAME_TIME_DELTA : F::FRAME_TIME_DELTA_DISPLAYED;
      int64_t d = 0;
      for (const Item& it : rec.items())
        if (it.field == want) d = static_cast<int64_t>(it.num);
      append_secs(t, d, digits);
      break;
    }
    case TimeFormat::Epoch:
      append_secs(t, f.ts.sec * 1'000'000'000 + f.ts.nsec, digits);
      break;
    default: {
      const bool utc =
          time_ == TimeFormat::Utc || time_ == TimeFormat::UtcDate || time_ == TimeFormat::UtcDoy;
      const std::time_t secs = static_cast<std::time_t>(f.ts.sec);
      std::tm tm{};
      if (!(utc ? gmtime_r(&secs, &tm) : localtime_r(&secs, &tm))) tm = std::tm{};
      if (time_ == TimeFormat::AbsoluteDate || time_ == TimeFormat::UtcDate)
        fmt::format_to(std::back_inserter(t), "{:04}-{:02}-{:02} ", tm.tm_year + 1900, tm.tm_mon + 1,
                       tm.tm_mday);
      else if (time_ == TimeFormat::AbsoluteDoy || time_ == TimeFormat::UtcDoy)
        fmt::format_to(std::back_inserter(t), "{:04}/{:03} ", tm.tm_year + 1900, tm.tm_yday + 1);
      fmt::format_to(std::back_inserter(t), "{:02}:{:02}:{:02}", tm.tm_hour, tm.tm_min, tm.tm_sec);
      if (digits) {
        char frac[10];
        uint32_t v = f.ts.nsec;
        for (int i = 9; i >= 1; --i, v /= 10) frac[i] = static_cast<char>('0' + v % 10);
        frac[0] = '.';
        t.append(frac, frac + 1 + digits);
      }
      break;
    }
    }
    put({t.data(), t.size()});
    for (size_t pad = n; pad < 10; ++pad) b.push_back(' ');
    b.append(text, text + n);
  }

  OutBuffer& out_;
  TimeFormat time_;
  std::bitset<kFieldCount> wanted_;
};

} // namespace

bool parse_time_format(std::string_view s, TimeFormat& out) {
  static constexpr std::pair<std::string_view, TimeFormat> kNames[] = {
      {"r", TimeFormat::Relative},       {"a", TimeFormat::Absolute}, {"ad", TimeFormat::AbsoluteDate},
      {"adoy", TimeFormat::AbsoluteDoy}, {"u", TimeFormat::Utc},      {"ud", TimeFormat::UtcDate},
      {"udoy", TimeFormat::UtcDoy},      {"d", TimeFormat::Delta},    {"dd", TimeFormat::DeltaDisplayed},
      {"e", TimeFormat::Epoch}};
  for (auto [name, f] : kNames)
    if (name == s) {
      out = f;
      return true;
    }
  return false;
}

std::unique_ptr<PacketSink> make_summary_sink(OutBuffer& out, TimeFormat time) {
  return std::make_unique<SummarySink>(out, time);
}

} // namespace ps
