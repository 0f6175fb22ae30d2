// Capture filters (`-f EXPR`): a BPF expression in libpcap's syntax (pcap-filter(7)), compiled by
// libpcap for each link type the capture contains and run on every frame before it is decoded.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "capture/frame.h"
#include "capture/reader.h"

struct bpf_insn;

namespace ps {

class BpfFilter {
public:
  // Called once for each link type the expression cannot be compiled for (e.g. `ether host` on raw
  // IP); the frames of that link type then do not match. The text is one line, without "portscope: ".
  using WarningFn = std::function<void(const std::string&)>;

  // Compiles `expr` for `first_link_type` (the capture's first interface) so that a bad expression is
  // reported before reading: on failure returns nullopt and sets `err` to one line, e.g.
  // "capture filter 'tcp port': syntax error".
  static std::optional<BpfFilter> create(std::string expr, uint32_t first_link_type, std::string& err,
                                         WarningFn on_warning = {});

  BpfFilter(BpfFilter&&) noexcept;
  BpfFilter& operator=(BpfFilter&&) noexcept;
  ~BpfFilter();

  // True when the frame passes (libpcap's pcap_offline_filter with caplen = data.size() and
  // len = wire_len). Programs are compiled on first use of each link type and kept.
  bool matches(const Frame& f) {
    if (f.link_type != last_link_type_) select(f.link_type);
    return last_ != nullptr && run(*last_, f);
  }

  const std::string& expression() const { return expr_; }
  // "portscope: capture filter 'X': ..." style messages name the expression this way.
  static std::string describe(const std::string& expr);

private:
  struct Program;
  BpfFilter() = default;
  void select(uint32_t link_type);
  static bool run(const Program& p, const Frame& f);

  std::string expr_;
  WarningFn on_warning_;
  std::vector<std::unique_ptr<Program>> programs_; // one per link type met (insns null: not compilable)
  Program* last_ = nullptr;
  uint32_t last_link_type_ = UINT32_MAX;
};

// A reader that delivers only the frames `filter` passes, numbered 1..N as if the others had never
// been captured (tcpdump's `-r FILE EXPR` semantics). Interfaces, sections and errors are the inner
// reader's.
std::unique_ptr<CaptureReader> filter_capture(std::unique_ptr<CaptureReader> inner, BpfFilter filter);

// The link type's DLT_ value, as libpcap's pcap_open_dead() wants it (LINKTYPE_RAW 101 is DLT_RAW...).
int linktype_to_dlt(uint32_t link_type);

} // namespace ps
