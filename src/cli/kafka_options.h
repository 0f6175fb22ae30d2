// --kafka BROKERS, --kafka-topic PREFIX, --sensor NAME and -X key=value on read, conns and log: the
// records those commands print go to Kafka instead (src/kafka/), one topic per kind, serialized by the
// same writers as the file output (docs/kafka.md).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "capture/reader.h"
#include "flow/conn_record.h"
#include "kafka/producer.h"
#include "output/conn_writers.h"
#include "output/log/log_table.h"
#include "output/out_buffer.h"

namespace ps::cli {

// Exit code of a run some of whose records could not be delivered (docs/errors.md).
inline constexpr int kExitUndelivered = 3;

struct KafkaArgs {
  std::string brokers;               // --kafka
  std::string topic = "portscope";   // --kafka-topic
  std::string sensor;                // --sensor ("" : the host name)
  std::vector<std::string> settings; // -X key=value
  bool active() const { return !brokers.empty(); }
};

void add_kafka_options(CLI::App* cmd, KafkaArgs& a);

// The producer for `a` (nullptr when --kafka was not given, or after printing why it cannot be made:
// then exit_code is 2).
std::unique_ptr<kafka::Producer> open_kafka(const KafkaArgs& a, int& exit_code);

// Waits for every record to be delivered or to fail, says on stderr what was delivered (unless quiet)
// and what was not; returns `code`, or kExitUndelivered when `code` is 0 and records were lost.
int finish_kafka(kafka::Producer& p, int code, bool quiet);

// A file reader that ends, as at the end of the file, on SIGINT/SIGTERM/SIGHUP, so that everything
// read so far is published and flushed (a live capture does this already).
// `from_stdin`: the capture is standard input (a read blocked on it ends too).
std::unique_ptr<CaptureReader> stop_on_signals(std::unique_ptr<CaptureReader> r, bool from_stdin);

// conn records, as `conns --format ndjson` writes them.
class ConnPublisher {
public:
  explicit ConnPublisher(kafka::Producer& p);
  void publish(const ConnRecord& r);

private:
  kafka::Producer& p_;
  OutBuffer buf_{OutBuffer::kMemory};
  std::unique_ptr<ConnWriter> writer_;
};

// Log rows of `kind`, as `log KIND --format ndjson` writes them, keyed by their uid column.
void publish_log(kafka::Producer& p, const std::string& kind, const app::LogTable& t);

} // namespace ps::cli
