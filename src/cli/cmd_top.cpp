// `portscope top`: a full-screen view of the connections open now (ncurses), on a live capture (-i) or
// a capture file replayed at capture speed (--speed N, 0: as fast as possible): client, server,
// service, state, packets and bytes each way, rates, age; totals, drops and the busiest servers in the
// header; keys to sort, filter (a conn.* display filter), pause and quit. When stdout is not a
// terminal it prints a plain snapshot every second instead.
#include <curses.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "capture/live_reader.h"
#include "cli/commands.h"
#include "cli/input_options.h"
#include "engine/engine.h"
#include "filter/display_filter.h"
#include "output/conn_writers.h"
#include "pipeline/packet_filter.h"
#include "services/port_registry.h"

namespace ps::cli {

namespace {

struct TopArgs {
  InputArgs in;
  double speed = 1;
  std::string sort = "rate";
  bool numeric = false;
  double interval = 1;
};

int64_t mono_ns() {
  timespec t{};
  ::clock_gettime(CLOCK_MONOTONIC, &t);
  return int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec;
}

int64_t ts_ns(const Timestamp& t) {
  return t.sec * 1'000'000'000 + t.nsec;
}

Timestamp ts_of(int64_t ns) {
  return Timestamp{ns / 1'000'000'000, static_cast<uint32_t>(ns % 1'000'000'000)};
}

void sleep_ns(int64_t ns) {
  if (ns <= 0) return;
  timespec t{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
  ::nanosleep(&t, nullptr);
}

// A capture file replayed at `speed` times capture speed (0: as fast as possible); `tick` runs about
// ten times a second of wall time, also while waiting for the next frame's time.
class PacedReader final : public CaptureReader {
public:
  PacedReader(std::unique_ptr<CaptureReader> in, double speed, std::function<void(Timestamp)> tick)
      : in_(std::move(in)), speed_(speed), tick_(std::move(tick)) {}
  bool next(Frame& f) override {
    if (LiveReader::stop_requested()) return false;
    if (!in_->next(f)) {
      if (in_->error()) error_ = in_->error();
      return false;
    }
    const int64_t t = ts_ns(f.ts);
    if (first_) {
      first_ = false;
      base_ts_ = t;
      base_wall_ = last_tick_ = mono_ns();
    }
    if (speed_ > 0) {
      const int64_t target = base_wall_ + static_cast<int64_t>(static_cast<double>(t - base_ts_) / speed_);
      for (int64_t now = mono_ns(); now < target && !LiveReader::stop_requested(); now = mono_ns()) {
        tick_if_due(now, base_ts_ + static_cast<int64_t>(static_cast<double>(now - base_wall_) * speed_));
        sleep_ns(std::min<int64_t>(target - now, 20'000'000));
      }
    }
    tick_if_due(mono_ns(), t);
    return true;
  }
  const char* format_name() const override { return in_->format_name(); }
  uint32_t link_type() const override { return in_->link_type(); }
  const std::vector<InterfaceInfo>& interfaces() const override { return in_->interfaces(); }
  const std::vector<SectionInfo>& sections() const override { return in_->sections(); }

private:
  void tick_if_due(int64_t wall, int64_t capture_ns) {
    if (wall - last_tick_ < 100'000'000) return;
    last_tick_ = wall;
    tick_(ts_of(capture_ns));
  }
  std::unique_ptr<CaptureReader> in_;
  double speed_;
  std::function<void(Timestamp)> tick_;
  bool first_ = true;
  int64_t base_ts_ = 0, base_wall_ = 0, last_tick_ = 0;
};

std::string human(double v) {
  if (v < 1000) return fmt::format("{:.0f}", v);
  static constexpr const char* units[] = {"K", "M", "G", "T"};
  int u = -1;
  while (v >= 1000 && u < 3) {
    v /= 1000;
    ++u;
  }
  return v < 10 ? fmt::format("{:.1f}{}", v, units[u]) : fmt::format("{:.0f}{}", v, units[u]);
}

std::string age_text(int64_t ns) {
  const int64_t s = std::max<int64_t>(0, ns / 1'000'000'000);
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

// Fits `s` into `w` columns: cut from the left (the port stays), marked with '~'.
std::string fit(const std::string& s, size_t w) {
  if (s.size() <= w) return s + std::string(w - s.size(), ' ');
  if (w == 0) return "";
  return "~" + s.substr(s.size() - (w - 1));
}

std::string endpoint(const std::array<uint8_t, 16>& a, uint8_t v, uint16_t port) {
  const std::string ip = conn_addr_text(a, v);
  return (v == 6 ? "[" + ip + "]" : ip) + ":" + std::to_string(port);
}

constexpr const char* kSorts[] = {"rate", "bytes", "packets", "age", "client", "server", "service", "state"};

struct Row {
  ConnRecord r;
  double rate_c2s = 0, rate_s2c = 0; // wire bytes per second over the last seconds
  std::string service;
};

struct Sample {
  int64_t t;
  uint64_t c2s, s2c;
};

// What the screen shows, recomputed at each refresh from the engine's open records.
class TopView {
public:
  TopView(const TopArgs& a, std::string source) : source_(std::move(source)) {
    for (size_t i = 0; i < std::size(kSorts); ++i)
      if (a.sort == kSorts[i]) sort_ = i;
    numeric_ = a.numeric;
  }

  void packet(const Frame& f) {
    ++packets_;
    bytes_ += f.wire_len;
    now_ns_ = std::max(now_ns_, ts_ns(f.ts));
    if (start_ns_ == 0) start_ns_ = ts_ns(f.ts);
  }
  void clock(Timestamp now) { now_ns_ = std::max(now_ns_, ts_ns(now)); }

  void refresh(Engine& engine, const CaptureReader& reader) {
    rows_.clear();
    std::unordered_map<uint64_t, std::deque<Sample>> hist;
    engine.for_each_open([&](const ConnRecord& r) {
      Row row{r};
      auto& h = hist[r.uid];
      if (auto it = history_.find(r.uid); it != history_.end()) h = std::move(it->second);
      h.push_back(Sample{now_ns_, r.orig_frame_bytes, r.resp_frame_bytes});
      while (h.size() > 1 && now_ns_ - h.front().t > 5'000'000'000) h.pop_front();
      if (h.size() > 1 && h.back().t > h.front().t) {
        const double dt = static_cast<double>(h.back().t - h.front().t) / 1e9;
        row.rate_c2s = static_cast<double>(h.back().c2s - h.front().c2s) / dt;
        row.rate_s2c = static_cast<double>(h.back().s2c - h.front().s2c) / dt;
      }
      row.service =
          r.service.empty()
              ? std::string(port_service_name(r.proto == 17 ? Transport::Udp : Transport::Tcp, r.resp_p))
              : r.service;
      if (selector_ && !selector_->sel.selected(r)) return;
      rows_.push_back(std::move(row));
    });
    history_ = std::move(hist);
    open_ = history_.size();
    if (packets_ != 0 && last_packets_time_ != 0 && now_ns_ > last_packets_time_) {
      const double dt = static_cast<double>(now_ns_ - last_packets_time_) / 1e9;
      pkt_rate_ = static_cast<double>(packets_ - last_packets_) / dt;
      byte_rate_ = static_cast<double>(bytes_ - last_bytes_) / dt;
    }
    last_packets_ = packets_;
    last_bytes_ = bytes_;
    last_packets_time_ = now_ns_;
    counts_ = live_counts(reader, received_, dropped_);
    sort_rows();
  }

  // The screen as lines of at most `w` columns (at most `h` lines when h > 0).
  std::vector<std::string> render(size_t w, size_t h, bool help_line) const {
    std::vector<std::string> out;
    char when[32] = "-";
    const time_t t = static_cast<time_t>(now_ns_ / 1'000'000'000);
    std::tm tm{};
    if (now_ns_ != 0 && ::localtime_r(&t, &tm)) std::strftime(when, sizeof when, "%H:%M:%S", &tm);
    out.push_back(fmt::format("portscope top - {} - {}{}", source_, when, paused_ ? "  [PAUSED]" : ""));
    std::string totals = fmt::format("{} open, {} shown | {} pkts {}/s | {}B {}B/s", open_, rows_.size(),
                                     human(static_cast<double>(packets_)), human(pkt_rate_),
                                     human(static_cast<double>(bytes_)), human(byte_rate_));
    if (counts_) totals += fmt::format(" | dropped {} of {}", dropped_, received_); // libpcap's counts
    out.push_back(totals);
    out.push_back("Busiest: " + busiest(w));
    std::string f = selector_ ? "filter: " + filter_text_ : "no filter";
    if (!message_.empty()) f = message_;
    out.push_back(fmt::format("sort: {}{} | {}", kSorts[sort_], reverse_ ? " (reversed)" : "", f));
    // Columns: the addresses take what the others leave.
    const bool wide = w >= 110;
    const size_t fixed = 8 + 1 + 6 + 1 + (wide ? 11 + 1 : 0) + 9 + 1 + 9 + 1 + 7 + 2;
    const size_t addr = std::max<size_t>(10, (w > fixed ? w - fixed : 20) / 2);
    auto line = [&](const std::string& c, const std::string& s, const std::string& svc, const std::string& st,
                    const std::string& pk, const std::string& by, const std::string& rt,
                    const std::string& age) {
      std::string l = fit(c, addr) + " " + fit(s, addr) + " " + fit(svc, 8) + " " + fit(st, 6) + " ";
      if (wide) l += fit(pk, 11) + " ";
      l += fit(by, 9) + " " + fit(rt, 9) + " " + age;
      return l;
    };
    out.push_back(line("Client", "Server", "Service", "State", "Pkts >/<", "Bytes >/<", "Rate >/<", "Age"));
    const size_t room =
        h > 0 ? (h > out.size() + (help_line ? 1 : 0) ? h - out.size() - (help_line ? 1 : 0) : 0)
              : rows_.size();
    for (size_t i = 0; i < rows_.size() && i < room; ++i) {
      const Row& r = rows_[i];
      const ConnRecord& c = r.r;
      out.push_back(
          line(endpoint(c.orig_h, c.ip_version, c.orig_p), endpoint(c.resp_h, c.ip_version, c.resp_p),
               numeric_ ? (c.proto == 17 ? "udp" : "tcp") : (r.service.empty() ? "-" : r.service),
               c.proto == 17 ? "udp" : std::string(conn_state_name(c.conn_state)),
               human(static_cast<double>(c.orig_pkts)) + "/" + human(static_cast<double>(c.resp_pkts)),
               human(static_cast<double>(c.orig_frame_bytes)) + "/" +
                   human(static_cast<double>(c.resp_frame_bytes)),
               human(r.rate_c2s) + "/" + human(r.rate_s2c), age_text(now_ns_ - ts_ns(c.first_ts))));
    }
    if (help_line) {
      if (h > 0)
        while (out.size() + 1 < h) out.emplace_back();
      out.push_back(editing_ ? "filter (conn.* fields, Enter applies, Esc cancels): " + edit_
                             : "q quit  p pause  s sort  r reverse  / filter  n names");
    }
    for (std::string& l : out)
      if (l.size() > w) l.resize(w);
    return out;
  }

  // One key; false to quit.
  bool key(int ch) {
    if (editing_) {
      if (ch == 27) {
        editing_ = false;
      } else if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
        editing_ = false;
        apply_filter(edit_);
      } else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
        if (!edit_.empty()) edit_.pop_back();
      } else if (ch >= 32 && ch < 127) {
        edit_ += static_cast<char>(ch);
      }
      return true;
    }
    switch (ch) {
    case 'q':
    case 'Q':
      return false;
    case 'p':
    case ' ':
      paused_ = !paused_;
      break;
    case 's':
      sort_ = (sort_ + 1) % std::size(kSorts);
      sort_rows();
      break;
    case 'r':
      reverse_ = !reverse_;
      sort_rows();
      break;
    case 'n':
      numeric_ = !numeric_;
      break;
    case '/':
      editing_ = true;
      edit_ = filter_text_;
      break;
    default:
      break;
    }
    return true;
  }

  // A conn.* filter ("" clears it); false (with the message shown) when it does not compile.
  bool apply_filter(const std::string& text) {
    message_.clear();
    full_message_.clear();
    if (text.empty()) {
      selector_.reset();
      filter_text_.clear();
      return true;
    }
    filter::CompileError ce;
    auto f = filter::DisplayFilter::compile(text, ce);
    if (!f) {
      message_ = "bad filter: " + ce.message; // format_error's whole line would not fit
      full_message_ = filter::format_error(text, ce);
      return false;
    }
    auto s = std::make_unique<Selector>(std::move(*f));
    if (s->sel.form() != ConnFilterForm::Connections) {
      message_ = "top filters connections: use conn.* fields (conn.service == \"http\", conn.resp_p == 80)";
      return false;
    }
    selector_ = std::move(s);
    filter_text_ = text;
    return true;
  }
  const std::string& message() const { return full_message_.empty() ? message_ : full_message_; }
  bool paused() const { return paused_; }

private:
  struct Selector {
    explicit Selector(filter::DisplayFilter f) : filter(std::move(f)), sel(filter) {}
    filter::DisplayFilter filter;
    ConnSelector sel;
  };

  void sort_rows() {
    auto key_less = [this](const Row& a, const Row& b) {
      const ConnRecord &x = a.r, &y = b.r;
      switch (sort_) {
      case 0:
        return a.rate_c2s + a.rate_s2c > b.rate_c2s + b.rate_s2c;
      case 1:
        return x.orig_frame_bytes + x.resp_frame_bytes > y.orig_frame_bytes + y.resp_frame_bytes;
      case 2:
        return x.orig_pkts + x.resp_pkts > y.orig_pkts + y.resp_pkts;
      case 3:
        return x.first_ts < y.first_ts;
      case 4:
        return std::tie(x.orig_h, x.orig_p) < std::tie(y.orig_h, y.orig_p);
      case 5:
        return std::tie(x.resp_h, x.resp_p) < std::tie(y.resp_h, y.resp_p);
      case 6:
        return a.service < b.service;
      default:
        return x.conn_state < y.conn_state;
      }
    };
    std::stable_sort(rows_.begin(), rows_.end(), [&](const Row& a, const Row& b) {
      if (key_less(a, b)) return !reverse_;
      if (key_less(b, a)) return reverse_;
      return a.r.first_ts < b.r.first_ts;
    });
  }

  std::string busiest(size_t w) const {
    struct Server {
      std::string name;
      size_t conns = 0;
      double rate = 0;
      uint64_t bytes = 0;
    };
    std::map<std::string, Server> by;
    for (const Row& r : rows_) {
      const std::string k = endpoint(r.r.resp_h, r.r.ip_version, r.r.resp_p);
      Server& s = by[k];
      s.name = k + (r.service.empty() || numeric_ ? "" : " " + r.service);
      ++s.conns;
      s.rate += r.rate_c2s + r.rate_s2c;
      s.bytes += r.r.orig_frame_bytes + r.r.resp_frame_bytes;
    }
    std::vector<Server> v;
    for (auto& [k, s] : by) v.push_back(s);
    std::sort(v.begin(), v.end(), [](const Server& a, const Server& b) {
      return a.rate != b.rate ? a.rate > b.rate : a.bytes > b.bytes;
    });
    std::string s;
    for (const Server& x : v) {
      std::string item =
          fmt::format("{} ({} conn{}, {}B/s)", x.name, x.conns, x.conns == 1 ? "" : "s", human(x.rate));
      if (!s.empty() && s.size() + 3 + item.size() + 9 > w) break;
      s += (s.empty() ? "" : " | ") + item;
    }
    return s.empty() ? "-" : s;
  }

  std::string source_;
  std::vector<Row> rows_;
  std::unordered_map<uint64_t, std::deque<Sample>> history_;
  size_t open_ = 0;
  uint64_t packets_ = 0, bytes_ = 0, last_packets_ = 0, last_bytes_ = 0;
  int64_t now_ns_ = 0, start_ns_ = 0, last_packets_time_ = 0;
  double pkt_rate_ = 0, byte_rate_ = 0;
  bool counts_ = false;
  uint64_t received_ = 0, dropped_ = 0;
  size_t sort_ = 0;
  bool reverse_ = false, paused_ = false, numeric_ = false, editing_ = false;
  std::string edit_, filter_text_, message_, full_message_;
  std::unique_ptr<Selector> selector_;
};

// The terminal: ncurses on a terminal, else plain snapshots on stdout.
class Screen {
public:
  explicit Screen(bool curses) : curses_(curses) {
    if (!curses_) return;
    initscr();
    cbreak();
    noecho();
    nodelay(stdscr, TRUE);
    keypad(stdscr, TRUE);
    curs_set(0);
    set_escdelay(25);
  }
  ~Screen() {
    if (curses_) endwin();
  }
  bool curses() const { return curses_; }
  void draw(const TopView& v) {
    if (!curses_) {
      for (const std::string& l : v.render(plain_width(), 0, false)) std::printf("%s\n", l.c_str());
      std::printf("\n");
      std::fflush(stdout);
      return;
    }
    int h = 0, w = 0;
    getmaxyx(stdscr, h, w);
    const auto lines = v.render(static_cast<size_t>(w), static_cast<size_t>(h), true);
    erase();
    for (size_t i = 0; i < lines.size() && i < static_cast<size_t>(h); ++i) {
      const bool header = i == 4, help = i + 1 == lines.size();
      if (header || help) attron(A_REVERSE);
      mvaddnstr(static_cast<int>(i), 0, lines[i].c_str(), w);
      if (header || help) attroff(A_REVERSE);
    }
    refresh();
  }
  // The next key, or ERR when none is waiting.
  int key() { return curses_ ? getch() : ERR; }

private:
  static size_t plain_width() {
    const char* c = std::getenv("COLUMNS");
    const long n = c ? std::strtol(c, nullptr, 10) : 0;
    return n >= 40 ? static_cast<size_t>(n) : 120;
  }
  bool curses_;
};

int run_top(TopArgs& a) {
  const bool live = a.in.live.active();
  if (!live && a.in.path().empty()) {
    fail("top: give a capture file to replay (portscope top FILE) or -i IFACE to capture live");
    return kExitUsage;
  }
  EngineOptions eo;
  eo.needs.records = true;
  eo.needs.app = true;
  eo.needs.service_only = true;
  eo.check_checksums = false;
  eo.limits = a.in.limits;
  if (!parse_decode_as(a.in, eo.decode_as)) return kExitUsage;
  std::string source = live ? "" : a.in.path();
  for (const std::string& i : a.in.live.interfaces) source += (source.empty() ? "" : ", ") + i;
  TopView view(a, source);
  if (!a.in.display_filter.empty() && !view.apply_filter(a.in.display_filter)) {
    fail(view.message());
    return kExitUsage;
  }
  const bool curses = ::isatty(STDOUT_FILENO) == 1 && ::isatty(STDIN_FILENO) == 1;
  InputArgs in = a.in;
  in.quiet = in.quiet || curses; // the summary and "capturing on" would scribble over the screen
  int code = 0;
  std::unique_ptr<CaptureReader> reader, file;
  if (live) {
    reader = open_input(in, "top", code);
    if (!reader) return code;
  } else {
    file = open_input(in, "top", code);
    if (!file) return code;
    LiveReader::stop_on_signals(); // Ctrl-C ends a replay cleanly too
  }
  Engine engine(std::move(eo));
  engine.on_packet([&](const PacketView& v) {
    view.packet(v.frame);
    return true;
  });
  Screen screen(curses);
  const auto interval = static_cast<int64_t>(a.interval * 1e9);
  int64_t next_draw = 0;
  bool quit = false;
  auto tick = [&](Timestamp now, bool idle) {
    if (idle) engine.advance_clock(now);
    view.clock(now);
    bool changed = false;
    for (int ch = screen.key(); ch != ERR; ch = screen.key()) {
      changed = true;
      if (ch == KEY_RESIZE) continue;
      if (!view.key(ch)) {
        quit = true;
        LiveReader::request_stop();
      }
    }
    const int64_t m = mono_ns();
    if (m >= next_draw || (changed && screen.curses())) {
      if (!view.paused()) view.refresh(engine, *reader);
      if (m >= next_draw) next_draw = m + interval;
      screen.draw(view);
    }
  };
  if (live)
    on_live_tick(*reader, [&](Timestamp now) { tick(now, true); });
  else
    reader =
        std::make_unique<PacedReader>(std::move(file), a.speed, [&](Timestamp now) { tick(now, false); });
  RunLimits rl;
  rl.max_frames = a.in.count;
  engine.run(*reader, rl);
  // The capture is over (end of the file, -c, --duration): the last state stays on screen until q.
  if (!live || !LiveReader::stop_requested()) {
    timespec t{};
    ::clock_gettime(CLOCK_REALTIME, &t);
    while (screen.curses() && !quit && !LiveReader::stop_requested()) {
      tick(live ? Timestamp{t.tv_sec, static_cast<uint32_t>(t.tv_nsec)} : Timestamp{}, false);
      sleep_ns(50'000'000);
    }
  }
  if (!screen.curses() && !quit) {
    view.refresh(engine, *reader);
    screen.draw(view);
  }
  close_live(*reader);
  if (reader->error()) {
    fail(reader->error()->message);
    return kExitData;
  }
  return kExitOk;
}

} // namespace

void add_top_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<TopArgs>();
  CLI::App* cmd =
      app.add_subcommand("top", "Full-screen view of the connections open now (live, or a replay)");
  cmd->footer("Keys: q quit, p pause, s next sort, r reverse, / conn.* filter, n names\n"
              "Examples:\n"
              "  portscope top -i eth0\n"
              "  portscope top -i any -f 'tcp port 443'\n"
              "  portscope top capture.pcap --speed 10\n"
              "  portscope top -i eth0 | cat          a plain snapshot every second");
  add_input_options(cmd, args->in);
  cmd->add_option("--speed", args->speed, "Replay a file at N times capture speed (0: as fast as possible)")
      ->check(CLI::Range(0.0, 1e6));
  cmd->add_option("--sort", args->sort,
                  "Initial sort: rate, bytes, packets, age, client, server, service, state")
      ->check(CLI::IsMember({"rate", "bytes", "packets", "age", "client", "server", "service", "state"}));
  cmd->add_flag("-n,--no-resolve", args->numeric, "No service names");
  cmd->add_option("--interval", args->interval, "Seconds between refreshes (default 1)")
      ->check(CLI::Range(0.1, 60.0));
  cmd->callback([args, &exit_code] { exit_code = run_top(*args); });
}

} // namespace ps::cli
