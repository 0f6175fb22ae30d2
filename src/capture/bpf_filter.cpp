#include "capture/bpf_filter.h"

#include <pcap/pcap.h>

#include <fmt/format.h>

namespace ps {

namespace {

// The largest snapshot length libpcap accepts: a filter compiled with it returns this for a match,
// which we only test for non-zero (the programs never truncate frames here).
constexpr int kFilterSnaplen = 262144;

// Compiles `expr` for the link type; returns false with libpcap's message in `err`.
bool compile(const std::string& expr, uint32_t link_type, bpf_program& prog, std::string& err) {
  pcap_t* p = pcap_open_dead(linktype_to_dlt(link_type), kFilterSnaplen);
  if (p == nullptr) {
    err = "cannot allocate a libpcap handle";
    return false;
  }
  const bool ok = pcap_compile(p, &prog, expr.c_str(), /*optimize=*/1, PCAP_NETMASK_UNKNOWN) == 0;
  if (!ok) err = pcap_geterr(p);
  pcap_close(p);
  return ok;
}

std::string link_name(uint32_t link_type) {
  const char* name = pcap_datalink_val_to_name(linktype_to_dlt(link_type));
  return name ? fmt::format("{} ({})", link_type, name) : fmt::format("{}", link_type);
}

} // namespace

struct BpfFilter::Program {
  uint32_t link_type = 0;
  bool ok = false;
  bpf_program prog{};
  Program() = default;
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;
  ~Program() {
    if (ok) pcap_freecode(&prog);
  }
};

int linktype_to_dlt(uint32_t link_type) {
  // libpcap's own mapping (pcap-common.c) for the LINKTYPE_ values whose DLT_ value differs.
  switch (link_type) {
  case 100:
    return DLT_ATM_RFC1483;
  case 101:
    return DLT_RAW;
  case 102:
    return DLT_SLIP_BSDOS;
  case 103:
    return DLT_PPP_BSDOS;
  case 106:
    return DLT_ATM_CLIP;
  case 246:
    return DLT_PFSYNC;
  case 258:
    return DLT_PKTAP;
  default:
    return static_cast<int>(link_type);
  }
}

std::string BpfFilter::describe(const std::string& expr) {
  return fmt::format("capture filter '{}'", expr);
}

std::optional<BpfFilter> BpfFilter::create(std::string expr, uint32_t first_link_type, std::string& err,
                                           WarningFn on_warning) {
  BpfFilter f;
  f.expr_ = std::move(expr);
  f.on_warning_ = std::move(on_warning);
  auto prog = std::make_unique<Program>();
  prog->link_type = first_link_type;
  std::string why;
  if (!compile(f.expr_, first_link_type, prog->prog, why)) {
    err = fmt::format("{}: {}", describe(f.expr_), why);
    return std::nullopt;
  }
  prog->ok = true;
  f.last_ = prog.get();
  f.last_link_type_ = first_link_type;
  f.programs_.push_back(std::move(prog));
  return f;
}

BpfFilter::BpfFilter(BpfFilter&&) noexcept = default;
BpfFilter& BpfFilter::operator=(BpfFilter&&) noexcept = default;
BpfFilter::~BpfFilter() = default;

void BpfFilter::select(uint32_t link_type) {
  last_link_type_ = link_type;
  for (const auto& p : programs_) {
    if (p->link_type == link_type) {
      last_ = p->ok ? p.get() : nullptr;
      return;
    }
  }
  auto prog = std::make_unique<Program>();
  prog->link_type = link_type;
  std::string why;
  prog->ok = compile(expr_, link_type, prog->prog, why);
  if (!prog->ok && on_warning_)
    on_warning_(fmt::format("{} cannot be applied to link type {}: {}; its frames do not match",
                            describe(expr_), link_name(link_type), why));
  last_ = prog->ok ? prog.get() : nullptr;
  programs_.push_back(std::move(prog));
}

bool BpfFilter::run(const Program& p, const Frame& f) {
  pcap_pkthdr h{};
  h.caplen = static_cast<bpf_u_int32>(f.data.size());
  h.len = f.wire_len;
  return pcap_offline_filter(&p.prog, &h, f.data.data()) != 0;
}

namespace {

class FilteredReader final : public CaptureReader {
public:
  FilteredReader(std::unique_ptr<CaptureReader> inner, BpfFilter filter)
      : inner_(std::move(inner)), filter_(std::move(filter)) {}

  bool next(Frame& frame) override {
    while (inner_->next(frame)) {
      if (filter_.matches(frame)) {
        frame.number = ++count_;
        return true;
      }
    }
    error_ = inner_->error();
    return false;
  }
  const char* format_name() const override { return inner_->format_name(); }
  uint32_t link_type() const override { return inner_->link_type(); }
  uint32_t snaplen() const override { return inner_->snaplen(); }
  const std::vector<InterfaceInfo>& interfaces() const override { return inner_->interfaces(); }
  const std::vector<SectionInfo>& sections() const override { return inner_->sections(); }

private:
  std::unique_ptr<CaptureReader> inner_;
  BpfFilter filter_;
  uint64_t count_ = 0;
};

} // namespace

std::unique_ptr<CaptureReader> filter_capture(std::unique_ptr<CaptureReader> inner, BpfFilter filter) {
  return std::make_unique<FilteredReader>(std::move(inner), std::move(filter));
}

} // namespace ps
