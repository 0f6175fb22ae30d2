#include "capture/live_reader.h"

#include <poll.h>
#include <signal.h>

#include <cerrno>
#include <csignal>
#include <ctime>

#include <fmt/format.h>

#include "capture/bpf_filter.h"

namespace ps {

namespace {

volatile sig_atomic_t g_stop = 0;

extern "C" void on_stop_signal(int) {
  g_stop = 1;
}

int64_t clock_ns(clockid_t id) {
  timespec t{};
  ::clock_gettime(id, &t);
  return int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec;
}

Timestamp wall_now() {
  timespec t{};
  ::clock_gettime(CLOCK_REALTIME, &t);
  return Timestamp{t.tv_sec, static_cast<uint32_t>(t.tv_nsec)};
}

std::string activate_error(const std::string& name, int rc, pcap_t* p) {
  const std::string detail = pcap_geterr(p);
  switch (rc) {
  case PCAP_ERROR_NO_SUCH_DEVICE:
    return fmt::format("no such interface '{}' ('portscope read -D' lists them)", name);
  case PCAP_ERROR_PERM_DENIED:
    return fmt::format("no permission to capture on '{}' (run as root, or give portscope the "
                       "CAP_NET_RAW and CAP_NET_ADMIN capabilities)",
                       name);
  case PCAP_ERROR_IFACE_NOT_UP:
    return fmt::format("interface '{}' is not up", name);
  case PCAP_ERROR_RFMON_NOTSUP:
  case PCAP_ERROR_PROMISC_PERM_DENIED:
    return fmt::format("interface '{}': {} (-p captures without promiscuous mode)", name,
                       detail.empty() ? pcap_statustostr(rc) : detail);
  default:
    return fmt::format("cannot capture on '{}': {}", name, detail.empty() ? pcap_statustostr(rc) : detail);
  }
}

} // namespace

uint32_t dlt_to_linktype(int dlt) {
  switch (dlt) {
  case DLT_RAW:
    return kLinkRaw;
#ifdef DLT_LOOP
  case DLT_LOOP:
    return kLinkLoop;
#endif
  default:
    return static_cast<uint32_t>(dlt);
  }
}

std::unique_ptr<LiveReader> LiveReader::open(const LiveOptions& opt, LiveOpenError& err) {
  std::unique_ptr<LiveReader> r(new LiveReader());
  char ebuf[PCAP_ERRBUF_SIZE] = {};
  for (const std::string& name : opt.interfaces) {
    pcap_t* p = pcap_create(name.c_str(), ebuf);
    if (p == nullptr) {
      err.message = fmt::format("cannot capture on '{}': {}", name, ebuf);
      return nullptr;
    }
    r->handles_.push_back(Handle{p});
    pcap_set_snaplen(p, opt.snaplen == 0 ? 262144 : static_cast<int>(opt.snaplen));
    pcap_set_promisc(p, opt.promiscuous ? 1 : 0);
    pcap_set_immediate_mode(p, opt.immediate ? 1 : 0);
    if (!opt.immediate) pcap_set_timeout(p, 100); // a block is handed over at the latest after 100 ms
    pcap_set_buffer_size(p, static_cast<int>(opt.buffer_mib) << 20);
    const bool nano = pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO) == 0;
    const int rc = pcap_activate(p);
    if (rc < 0) {
      err.message = activate_error(name, rc, p);
      return nullptr;
    }
    if (opt.has_filter) {
      bpf_u_int32 net = 0, mask = PCAP_NETMASK_UNKNOWN;
      if (pcap_lookupnet(name.c_str(), &net, &mask, ebuf) != 0) mask = PCAP_NETMASK_UNKNOWN;
      bpf_program prog{};
      if (pcap_compile(p, &prog, opt.filter.c_str(), 1, mask) != 0) {
        err.message = fmt::format("{}: {}", BpfFilter::describe(opt.filter), pcap_geterr(p));
        return nullptr;
      }
      const int set = pcap_setfilter(p, &prog);
      pcap_freecode(&prog);
      if (set != 0) {
        err.message = fmt::format("{} on '{}': {}", BpfFilter::describe(opt.filter), name, pcap_geterr(p));
        return nullptr;
      }
    }
    if (pcap_setnonblock(p, 1, ebuf) != 0) {
      err.message = fmt::format("cannot capture on '{}': {}", name, ebuf);
      return nullptr;
    }
    Handle& h = r->handles_.back();
    h.fd = pcap_get_selectable_fd(p);
    h.link_type = dlt_to_linktype(pcap_datalink(p));
    InterfaceInfo info;
    info.link_type = h.link_type;
    info.snaplen = static_cast<uint32_t>(pcap_snapshot(p));
    info.tsresol = nano && pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO ? 9 : 6;
    info.name = name;
    r->interfaces_.push_back(std::move(info));
  }
  r->sections_.emplace_back();
  r->immediate_ = opt.immediate;
  r->tick_ns_ = opt.tick_ns > 0 ? opt.tick_ns : 100'000'000;
  const int64_t now = clock_ns(CLOCK_MONOTONIC);
  r->next_tick_ = now + r->tick_ns_;
  r->deadline_ = opt.duration_ns > 0 ? now + opt.duration_ns : 0;
  return r;
}

LiveReader::~LiveReader() {
  close();
  for (Handle& h : handles_)
    if (h.pcap) pcap_close(h.pcap);
}

bool LiveReader::next(Frame& frame) {
  for (;;) {
    if (closed_) return false;
    const int64_t now = clock_ns(CLOCK_MONOTONIC);
    if (g_stop || (deadline_ != 0 && now >= deadline_)) {
      // Without immediate mode the kernel hands a block over after the timeout: wait that long for
      // the frames captured before the stop.
      if (immediate_ || (drain_until_ != 0 && now >= drain_until_)) {
        close();
        return false;
      }
      if (drain_until_ == 0) drain_until_ = now + 150'000'000;
    }
    if (now >= next_tick_) {
      next_tick_ = now + tick_ns_;
      if (tick_) tick_(wall_now());
    }
    // The interface that delivered last is read until it has nothing, then the others in turn.
    for (size_t k = 0; k < handles_.size(); ++k) {
      const size_t i = (current_ + k) % handles_.size();
      pcap_pkthdr* hdr = nullptr;
      const u_char* data = nullptr;
      const int rc = pcap_next_ex(handles_[i].pcap, &hdr, &data);
      if (rc == 1) {
        current_ = i;
        frame = Frame{};
        frame.number = ++frames_;
        frame.ts.sec = hdr->ts.tv_sec;
        // With nanosecond precision libpcap stores nanoseconds in tv_usec.
        const uint32_t sub = static_cast<uint32_t>(hdr->ts.tv_usec);
        frame.ts.nsec = interfaces_[i].tsresol == 9 ? sub : sub * 1000;
        frame.wire_len = hdr->len;
        frame.link_type = handles_[i].link_type;
        frame.interface_id = static_cast<uint32_t>(i);
        frame.data = std::span<const uint8_t>(data, hdr->caplen);
        if (record_) {
          if (std::string e = record_(frame); !e.empty()) [[unlikely]] {
            error_ = CaptureError{std::move(e)};
            close();
            return false;
          }
        }
        return true;
      }
      if (rc < 0) {
        error_ = CaptureError{
            fmt::format("capture on '{}' ended: {}", interfaces_[i].name, pcap_geterr(handles_[i].pcap))};
        close();
        return false;
      }
    }
    // Nothing waiting: sleep until a frame, the next tick or the deadline.
    int64_t wait = next_tick_ - now;
    if (deadline_ != 0 && now < deadline_) wait = std::min(wait, deadline_ - now);
    if (drain_until_ != 0) wait = std::min(wait, drain_until_ - now);
    pollfd fds[16];
    const size_t n = std::min<size_t>(handles_.size(), 16);
    for (size_t i = 0; i < n; ++i) fds[i] = pollfd{handles_[i].fd, POLLIN, 0};
    const int ms = static_cast<int>(std::max<int64_t>(1, (wait + 999'999) / 1'000'000));
    if (handles_.size() > 16) // poll the first 16; the others are read on each pass
      ::poll(fds, n, std::min(ms, 10));
    else
      ::poll(fds, n, ms); // EINTR (a stop signal) is checked at the top
  }
}

LiveStats LiveReader::stats() const {
  if (closed_) return final_;
  LiveStats s;
  s.captured = frames_;
  for (const Handle& h : handles_) {
    pcap_stat ps{};
    if (h.pcap && pcap_stats(h.pcap, &ps) == 0) {
      s.received += ps.ps_recv;
      s.dropped += ps.ps_drop;
      s.if_dropped += ps.ps_ifdrop;
    }
  }
  return s;
}

void LiveReader::close() {
  if (closed_) return;
  final_ = stats();
  closed_ = true;
  if (on_close_) {
    if (std::string e = on_close_(final_); !e.empty() && !error_) error_ = CaptureError{std::move(e)};
  }
}

void LiveReader::stop_on_signals() {
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction old {};
    // Under nohup SIGHUP stays ignored; SIGINT is caught even when the shell started us in the
    // background with it ignored, as tcpdump does, so `kill -INT` ends the capture cleanly.
    if (sig == SIGHUP && ::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND; // no SA_RESTART: poll() returns at once; a second signal kills
    ::sigaction(sig, &sa, nullptr);
  }
}

void LiveReader::request_stop() {
  g_stop = 1;
}

bool LiveReader::stop_requested() {
  return g_stop != 0;
}

bool list_interfaces(std::vector<std::string>& lines, std::string& err) {
  char ebuf[PCAP_ERRBUF_SIZE] = {};
  pcap_if_t* all = nullptr;
  if (pcap_findalldevs(&all, ebuf) != 0) {
    err = fmt::format("cannot list interfaces: {}", ebuf);
    return false;
  }
  int n = 0;
  for (pcap_if_t* d = all; d; d = d->next) {
    std::string flags;
    auto add = [&](const char* f) { flags += (flags.empty() ? "" : ", ") + std::string(f); };
    if (d->flags & PCAP_IF_LOOPBACK) add("Loopback");
    if (d->flags & PCAP_IF_UP) add("Up");
    if (d->flags & PCAP_IF_RUNNING) add("Running");
    if (d->flags & PCAP_IF_WIRELESS) add("Wireless");
    switch (d->flags & PCAP_IF_CONNECTION_STATUS) {
    case PCAP_IF_CONNECTION_STATUS_CONNECTED:
      add("Connected");
      break;
    case PCAP_IF_CONNECTION_STATUS_DISCONNECTED:
      add("Disconnected");
      break;
    default:
      break;
    }
    std::string line = fmt::format("{}.{}", ++n, d->name);
    if (d->description) line += fmt::format(" ({})", d->description);
    if (!flags.empty()) line += " [" + flags + "]";
    lines.push_back(std::move(line));
  }
  pcap_freealldevs(all);
  return true;
}

} // namespace ps
