// Records to Kafka (librdkafka): one topic per record kind (PREFIX.conn, PREFIX.http, ...), keyed by the
// connection uid so that one connection's records stay in one partition and in order. Each record is
// a JSON object as the file output writes it, with the envelope fields (`_path`, `_system_name`,
// `_schema`) put in front. The producer's queue is bounded: publish() waits while it is full (the
// reader slows down, nothing is dropped); delivery reports are counted, and flush() waits for every
// record to be delivered or to fail after librdkafka's retries.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ps::kafka {

// The record schema version, carried in every record as "_schema" (docs/kafka.md).
inline constexpr int kSchemaVersion = 1;

struct ProducerOptions {
  std::string brokers;                                       // --kafka: bootstrap.servers
  std::string topic_prefix = "portscope";                    // --kafka-topic
  std::string sensor;                                        // --sensor ("" : the host name)
  std::vector<std::pair<std::string, std::string>> settings; // -X key=value, in order
};

// Splits "key=value" at the first '='; false (with `why`) when there is no '=' or no key.
bool parse_setting(std::string_view text, std::pair<std::string, std::string>& out, std::string& why);

// The host name, for --sensor's default.
std::string host_name();

// `json` ("{...}") with the envelope in front: {"_path":KIND,"_system_name":SENSOR,"_schema":1,...}.
std::string envelope(std::string_view kind, std::string_view sensor, std::string_view json);

struct DeliveryStats {
  uint64_t published = 0;   // handed to librdkafka
  uint64_t delivered = 0;   // acknowledged by the cluster
  uint64_t failed = 0;      // reported as not delivered (after retries, or timed out)
  uint64_t queue_waits = 0; // times publish() waited for a full queue (back-pressure)
  std::string first_error;  // why the first failed record failed
  std::map<std::string, uint64_t> delivered_by_kind;
};

class Producer {
public:
  // nullptr with `error` set when a setting is refused or the client cannot be created.
  static std::unique_ptr<Producer> create(const ProducerOptions& opt, std::string& error);
  virtual ~Producer() = default;

  // Publishes one record of `kind` (a JSON object, without the envelope) under `key` (the connection
  // uid; empty: none). Waits while the queue is full.
  virtual void publish(std::string_view kind, std::string_view key, std::string_view json) = 0;
  // While publish() waits for room and `stopping()` says the run is being stopped (Ctrl-C), the record
  // is given up instead (counted as not delivered).
  void on_stop(std::function<bool()> stopping) { stopping_ = std::move(stopping); }
  // Serves delivery reports without waiting (call now and then, e.g. on the live tick).
  virtual void poll() = 0;
  // Waits until every published record is delivered or has failed. `waiting(pending)` is called about
  // ten times a second meanwhile; when it returns true the records not yet delivered are given up
  // (counted as failed).
  virtual void flush(const std::function<bool(uint64_t pending)>& waiting = {}) = 0;
  virtual const DeliveryStats& stats() const = 0;
  const std::string& sensor() const { return sensor_; }

protected:
  std::string sensor_;
  std::function<bool()> stopping_;
};

} // namespace ps::kafka
