#include "cli/kafka_options.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>

#include "capture/live_reader.h"
#include "cli/input_options.h"

namespace ps::cli {

namespace {

volatile std::sig_atomic_t g_stop = 0; // stop_on_signals: a signal ended the reading

} // namespace

void add_kafka_options(CLI::App* cmd, KafkaArgs& a) {
  cmd->add_option("--kafka", a.brokers,
                  "Publish the records to Kafka (bootstrap brokers HOST:PORT[,...]) instead of printing them")
      ->type_name("BROKERS");
  cmd->add_option("--kafka-topic", a.topic, "Topic prefix: records go to PREFIX.conn, PREFIX.http, ...")
      ->type_name("PREFIX");
  cmd->add_option("--sensor", a.sensor, "Sensor name carried by every record (default: the host name)")
      ->type_name("NAME");
  cmd->add_option("-X", a.settings, "librdkafka setting for --kafka (repeat): -X compression.type=zstd")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
}

std::unique_ptr<kafka::Producer> open_kafka(const KafkaArgs& a, int& exit_code) {
  if (!a.active()) {
    if (!a.settings.empty()) {
      fail("-X sets librdkafka options for --kafka BROKERS, which is not given");
      exit_code = kExitUsage;
    }
    return nullptr;
  }
  kafka::ProducerOptions o;
  o.brokers = a.brokers;
  o.topic_prefix = a.topic;
  o.sensor = a.sensor;
  for (const std::string& s : a.settings) {
    std::pair<std::string, std::string> kv;
    std::string why;
    if (!kafka::parse_setting(s, kv, why)) {
      fail("bad -X '" + s + "': " + why);
      exit_code = kExitUsage;
      return nullptr;
    }
    o.settings.push_back(std::move(kv));
  }
  std::string error;
  auto p = kafka::Producer::create(o, error);
  if (!p) {
    fail("kafka: " + error);
    exit_code = kExitUsage;
    return p;
  }
  p->on_stop([] { return g_stop != 0 || LiveReader::stop_requested(); });
  return p;
}

namespace {

volatile std::sig_atomic_t g_give_up = 0;

extern "C" void give_up(int) {
  g_give_up = 1;
}

} // namespace

int finish_kafka(kafka::Producer& p, int code, bool quiet) {
  // While records wait for a cluster that does not answer, Ctrl-C (again) gives them up.
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction old {};
    if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    struct sigaction sa {};
    sa.sa_handler = give_up;
    sigemptyset(&sa.sa_mask);
    ::sigaction(sig, &sa, nullptr);
  }
  const auto start = std::chrono::steady_clock::now();
  bool told = false;
  p.flush([&](uint64_t pending) {
    if (!told && std::chrono::steady_clock::now() - start > std::chrono::seconds(2)) {
      told = true;
      std::fprintf(stderr,
                   "portscope: kafka: waiting for %llu records to be delivered (Ctrl-C gives them up)\n",
                   static_cast<unsigned long long>(pending));
    }
    return g_give_up != 0;
  });
  const kafka::DeliveryStats& s = p.stats();
  if (!quiet) {
    std::string kinds;
    for (const auto& [kind, n] : s.delivered_by_kind)
      kinds += (kinds.empty() ? "" : ", ") + kind + " " + std::to_string(n);
    std::fprintf(stderr, "portscope: kafka: %llu records delivered%s%s%s\n",
                 static_cast<unsigned long long>(s.delivered), kinds.empty() ? "" : " (", kinds.c_str(),
                 kinds.empty() ? "" : ")");
  }
  if (s.failed) {
    fail("kafka: " + std::to_string(s.failed) + " of " + std::to_string(s.published) +
         " records not delivered (" + s.first_error + ")");
    if (code == kExitOk) return kExitUndelivered;
  }
  return code;
}

namespace {

volatile std::sig_atomic_t g_stdin = 0;

// A read blocked on a pipe would wait for its writer: standard input becomes /dev/null, whose end of
// file ends the read (open and dup2 are async-signal-safe).
extern "C" void stop_reading(int) {
  g_stop = 1;
  if (g_stdin) {
    const int fd = ::open("/dev/null", O_RDONLY);
    if (fd >= 0) {
      ::dup2(fd, 0);
      ::close(fd);
    }
  }
}

class StopOnSignals final : public CaptureReader {
public:
  StopOnSignals(std::unique_ptr<CaptureReader> r, bool from_stdin) : r_(std::move(r)) {
    g_stdin = from_stdin;
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
      struct sigaction old {};
      if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue; // e.g. under nohup
      struct sigaction sa {};
      sa.sa_handler = stop_reading;
      sigemptyset(&sa.sa_mask);
      ::sigaction(sig, &sa, nullptr);
    }
  }
  bool next(Frame& frame) override {
    if (g_stop) return false;
    if (r_->next(frame)) return true;
    if (r_->error() && !g_stop) error_ = r_->error();
    return false;
  }
  const char* format_name() const override { return r_->format_name(); }
  uint32_t link_type() const override { return r_->link_type(); }
  uint32_t snaplen() const override { return r_->snaplen(); }
  const std::vector<InterfaceInfo>& interfaces() const override { return r_->interfaces(); }
  const std::vector<SectionInfo>& sections() const override { return r_->sections(); }

private:
  std::unique_ptr<CaptureReader> r_;
};

// The uid column of a log table (its position), or npos.
size_t uid_column(const app::LogTable& t) {
  for (size_t i = 0; i < t.columns.size(); ++i)
    if (t.columns[i].name == "uid") return i;
  return std::string::npos;
}

std::string_view body(OutBuffer& b) {
  std::string_view s(b.buf().data(), b.buf().size());
  while (!s.empty() && s.back() == '\n') s.remove_suffix(1);
  return s;
}

} // namespace

std::unique_ptr<CaptureReader> stop_on_signals(std::unique_ptr<CaptureReader> r, bool from_stdin) {
  if (!r) return r;
  return std::make_unique<StopOnSignals>(std::move(r), from_stdin);
}

ConnPublisher::ConnPublisher(kafka::Producer& p) : p_(p), writer_(make_conn_json_writer(buf_, true)) {}

void ConnPublisher::publish(const ConnRecord& r) {
  buf_.buf().clear();
  writer_->row(r);
  p_.publish("conn", conn_uid_text(r.uid), body(buf_));
}

void publish_log(kafka::Producer& p, const std::string& kind, const app::LogTable& t) {
  OutBuffer b(OutBuffer::kMemory);
  const size_t uid = uid_column(t);
  for (size_t i = 0; i < t.rows.size(); ++i) {
    b.buf().clear();
    app::print_json_row(t, i, b);
    const auto& row = t.rows[i];
    const std::string key = uid < row.size() && row[uid] ? *row[uid] : std::string();
    p.publish(kind, key, body(b));
  }
}

} // namespace ps::cli
