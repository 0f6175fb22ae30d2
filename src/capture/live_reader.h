// Live capture (`-i IFACE`): frames from one or more network interfaces through libpcap, as a
// CaptureReader, so every command's packet loop reads an interface exactly as it reads a file.
#pragma once

#include <pcap/pcap.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "capture/reader.h"

namespace ps {

struct LiveOptions {
  std::vector<std::string> interfaces; // at least one; "any" is every interface (Linux cooked frames)
  uint32_t snaplen = 262144;           // -s: bytes kept of each frame (0: the maximum)
  bool promiscuous = true;             // -p turns it off
  uint32_t buffer_mib = 32;            // -B: the kernel ring buffer of each interface
  std::string filter;                  // -f: BPF, run in the kernel
  bool has_filter = false;
  int64_t duration_ns = 0; // --duration: stop after this long (0: never)
  // Each frame as soon as it is captured; off (only -w, nothing printed), libpcap hands frames over in
  // blocks, as tcpdump -w does: fewer wake-ups at high rates.
  bool immediate = true;
  int64_t tick_ns = 100'000'000;
};

// What libpcap counted for all interfaces together, at the end of the capture.
struct LiveStats {
  uint64_t captured = 0; // frames delivered
  uint64_t received = 0; // ps_recv: frames the filter passed
  uint64_t dropped = 0;  // ps_drop: dropped by the kernel (buffer full)
  uint64_t if_dropped = 0;
};

// A live capture error before anything is read: one line (after "portscope: ") and the exit code,
// always 2 (no such interface, no permission, a bad filter, a bad option).
struct LiveOpenError {
  std::string message;
};

class LiveReader final : public CaptureReader {
public:
  // Opens and activates every interface (immediate mode, the buffer size, the filter); nullptr with
  // `err` set when one cannot be opened.
  static std::unique_ptr<LiveReader> open(const LiveOptions& opt, LiveOpenError& err);
  ~LiveReader() override;

  // Blocks until a frame arrives; false when the capture ends: a stop was requested (stop_on_signals,
  // request_stop), --duration passed, the recorder failed or an interface went away (then error()).
  bool next(Frame& frame) override;
  const char* format_name() const override { return "live"; }
  uint32_t link_type() const override {
    return interfaces_.empty() ? kLinkEthernet : interfaces_[0].link_type;
  }
  uint32_t snaplen() const override { return interfaces_.empty() ? 0 : interfaces_[0].snaplen; }

  // Called from next() about every tick_ns of wall-clock time (also while no frame arrives) with the
  // current time, between frames: the caller's clock-driven work (timeouts, flushing output).
  void set_tick(std::function<void(Timestamp now)> tick) { tick_ = std::move(tick); }
  // Every frame is handed to `record` before next() returns it (-w while capturing); a non-empty
  // return is an error that ends the capture (it becomes error()).
  void set_recorder(std::function<std::string(const Frame&)> record) { record_ = std::move(record); }
  // Called once when the capture ends, with libpcap's counts (the run summary); a non-empty return is
  // an error (error()).
  void set_on_close(std::function<std::string(const LiveStats&)> on_close) {
    on_close_ = std::move(on_close);
  }

  // Stops capturing (idempotent): takes the final counts and calls on_close.
  void close();
  LiveStats stats() const;

  // SIGINT, SIGTERM and SIGHUP end the capture cleanly (next() returns false) instead of killing the
  // process; a second signal kills it as usual.
  static void stop_on_signals();
  static void request_stop();
  static bool stop_requested();

private:
  LiveReader() = default;
  struct Handle {
    pcap_t* pcap = nullptr;
    int fd = -1;
    uint32_t link_type = kLinkEthernet;
  };
  std::vector<Handle> handles_;
  size_t current_ = 0;
  uint64_t frames_ = 0;
  int64_t tick_ns_ = 0, next_tick_ = 0, deadline_ = 0, drain_until_ = 0;
  bool immediate_ = true;
  std::function<void(Timestamp)> tick_;
  std::function<std::string(const Frame&)> record_;
  std::function<std::string(const LiveStats&)> on_close_;
  bool closed_ = false;
  LiveStats final_;
};

// pcap_findalldevs as `tcpdump -D` prints it: "1.eth0 [Up, Running, Connected]"; false with `err`.
bool list_interfaces(std::vector<std::string>& lines, std::string& err);

// DLT_ value (pcap_datalink) → LINKTYPE_ value (files and Frame::link_type).
uint32_t dlt_to_linktype(int dlt);

} // namespace ps
