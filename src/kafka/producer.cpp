#include "kafka/producer.h"

#include <librdkafka/rdkafka.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <set>

namespace ps::kafka {

bool parse_setting(std::string_view text, std::pair<std::string, std::string>& out, std::string& why) {
  const size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    why = "expected key=value";
    return false;
  }
  out.first.assign(text.substr(0, eq));
  out.second.assign(text.substr(eq + 1));
  return true;
}

std::string host_name() {
  char buf[HOST_NAME_MAX + 1] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || !buf[0]) return "localhost";
  return buf;
}

namespace {

void json_text(std::string& out, std::string_view s) {
  out.push_back('"');
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  out.push_back('"');
}

} // namespace

std::string envelope(std::string_view kind, std::string_view sensor, std::string_view json) {
  std::string out;
  out.reserve(json.size() + kind.size() + sensor.size() + 48);
  out += "{\"_path\":";
  json_text(out, kind);
  out += ",\"_system_name\":";
  json_text(out, sensor);
  out += ",\"_schema\":";
  out += std::to_string(kSchemaVersion);
  // The record's own fields follow ("{}" has none).
  size_t body = json.find('{');
  body = body == std::string_view::npos ? json.size() : body + 1;
  std::string_view rest = json.substr(body);
  while (!rest.empty() && (rest.back() == '\n' || rest.back() == ' ')) rest.remove_suffix(1);
  if (!rest.empty() && rest != "}") out.push_back(',');
  out += rest.empty() ? std::string_view("}") : rest;
  return out;
}

namespace {

class RdProducer final : public Producer {
public:
  ~RdProducer() override {
    for (auto& [name, t] : kinds_) rd_kafka_topic_destroy(t.handle);
    if (rk_) rd_kafka_destroy(rk_);
  }

  bool init(const ProducerOptions& opt, std::string& error) {
    sensor_ = opt.sensor.empty() ? host_name() : opt.sensor;
    prefix_ = opt.topic_prefix;
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char err[512] = {};
    // Defaults first; -X settings override them. Idempotence keeps each partition in publish order
    // without duplicates across retries; the queue is bounded in bytes as well as in records.
    std::vector<std::pair<std::string, std::string>> all = {
        {"bootstrap.servers", opt.brokers},
        {"client.id", "portscope"},
        {"enable.idempotence", "true"},
        {"queue.buffering.max.kbytes", "65536"},
    };
    bool debug = false;
    for (const auto& s : opt.settings) {
      all.push_back(s);
      debug |= s.first == "debug";
    }
    for (const auto& [k, v] : all) {
      if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
        error = "-X " + k + "=" + v + ": " + err;
        rd_kafka_conf_destroy(conf);
        return false;
      }
    }
    rd_kafka_conf_set_opaque(conf, this);
    rd_kafka_conf_set_dr_msg_cb(conf, &RdProducer::on_delivery);
    rd_kafka_conf_set_error_cb(conf, &RdProducer::on_error);
    if (!debug) rd_kafka_conf_set_log_cb(conf, [](const rd_kafka_t*, int, const char*, const char*) {});
    rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err); // takes conf on success
    if (!rk_) {
      rd_kafka_conf_destroy(conf);
      error = err;
      return false;
    }
    return true;
  }

  void publish(std::string_view kind, std::string_view key, std::string_view json) override {
    Topic& t = topic(kind);
    const std::string value = envelope(kind, sensor_, json);
    for (;;) {
      const int rc = rd_kafka_produce(t.handle, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
                                      const_cast<char*>(value.data()), value.size(),
                                      key.empty() ? nullptr : key.data(), key.size(), &t.delivered);
      if (rc == 0) break;
      const rd_kafka_resp_err_t e = rd_kafka_last_error();
      if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        ++stats_.published;
        if (stopping_ && stopping_()) {
          fail("stopped while the queue was full");
          return;
        }
        --stats_.published;
        // Back-pressure: the reader waits for deliveries to make room.
        ++stats_.queue_waits;
        rd_kafka_poll(rk_, 100);
        continue;
      }
      ++stats_.published;
      fail(rd_kafka_err2str(e));
      return;
    }
    ++stats_.published;
    rd_kafka_poll(rk_, 0);
  }

  void poll() override { rd_kafka_poll(rk_, 0); }

  void flush(const std::function<bool(uint64_t)>& waiting) override {
    bool purged = false;
    while (rd_kafka_outq_len(rk_) > 0) {
      rd_kafka_poll(rk_, 100);
      const uint64_t pending = stats_.published - stats_.delivered - stats_.failed;
      if (!purged && pending && waiting && waiting(pending)) {
        // Their delivery reports come with a purge error: counted as failed.
        rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        purged = true;
      }
    }
    for (auto& [name, t] : kinds_)
      if (t.delivered) stats_.delivered_by_kind[name] = t.delivered;
  }

  const DeliveryStats& stats() const override { return stats_; }

private:
  struct Topic {
    rd_kafka_topic_t* handle = nullptr;
    uint64_t delivered = 0;
  };

  Topic& topic(std::string_view kind) {
    auto it = kinds_.find(std::string(kind));
    if (it != kinds_.end()) return it->second;
    Topic& t = kinds_[std::string(kind)];
    const std::string name = prefix_.empty() ? std::string(kind) : prefix_ + "." + std::string(kind);
    t.handle = rd_kafka_topic_new(rk_, name.c_str(), nullptr);
    return t;
  }

  void fail(const char* why) {
    ++stats_.failed;
    if (stats_.first_error.empty()) stats_.first_error = why;
  }

  static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    auto* self = static_cast<RdProducer*>(opaque);
    if (m->err) {
      self->fail(rd_kafka_err2str(m->err));
      return;
    }
    ++self->stats_.delivered;
    ++*static_cast<uint64_t*>(m->_private);
  }

  static void on_error(rd_kafka_t*, int err, const char* reason, void* opaque) {
    auto* self = static_cast<RdProducer*>(opaque);
    // One warning per kind of error: a cluster that stays down must not flood stderr.
    if (self->warned_.size() < 8 && self->warned_.insert(err).second)
      std::fprintf(stderr, "portscope: kafka: warning: %s\n", reason);
  }

  rd_kafka_t* rk_ = nullptr;
  std::string prefix_;
  std::map<std::string, Topic> kinds_;
  DeliveryStats stats_;
  std::set<int> warned_;
};

} // namespace

std::unique_ptr<Producer> Producer::create(const ProducerOptions& opt, std::string& error) {
  auto p = std::make_unique<RdProducer>();
  if (!p->init(opt, error)) return nullptr;
  return p;
}

} // namespace ps::kafka
