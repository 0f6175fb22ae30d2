// A Kafka cluster for the tests: librdkafka's mock cluster (a real Kafka protocol endpoint on
// loopback TCP), driven by commands on standard input, one per line:
//
//   create TOPIC PARTITIONS   create a topic (others are created on first use with 4 partitions)
//   consume TOPIC...          print every record of the topics, one line each:
//                             msg<TAB>TOPIC<TAB>PARTITION<TAB>OFFSET<TAB>KEY<TAB>VALUE, then "end N"
//   produce-errors N CODE     the next N Produce requests fail with error CODE (a Kafka error number)
//   down ID / up ID           broker ID (1..) stops / starts accepting connections
//   quit
//
// On start it prints "bootstrap HOST:PORT,..."; every other command answers "ok" (or "error ...").
// usage: kafka_mock_broker [--brokers N]
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

rd_kafka_t* make_handle(rd_kafka_type_t type,
                        const std::vector<std::pair<std::string, std::string>>& settings) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  for (const auto& [k, v] : settings) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      std::fprintf(stderr, "kafka_mock_broker: %s\n", err);
      std::exit(2);
    }
  }
  rd_kafka_conf_set_log_cb(conf, [](const rd_kafka_t*, int, const char*, const char*) {});
  rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof err);
  if (!rk) {
    std::fprintf(stderr, "kafka_mock_broker: %s\n", err);
    std::exit(2);
  }
  return rk;
}

// Every record of `topics`, from the first offset to the end of each partition.
// One consumer for the whole run (assigned anew for each command), so a read costs no reconnection.
bool consume(const std::string& bootstrap, const std::vector<std::string>& topics) {
  static rd_kafka_t* rk = nullptr;
  if (!rk)
    rk = make_handle(RD_KAFKA_CONSUMER, {{"bootstrap.servers", bootstrap},
                                         {"group.id", "kafka_mock_broker"},
                                         {"enable.auto.commit", "false"},
                                         {"enable.partition.eof", "true"},
                                         {"allow.auto.create.topics", "false"},
                                         {"fetch.wait.max.ms", "10"},
                                         {"fetch.error.backoff.ms", "10"},
                                         {"reconnect.backoff.ms", "10"}});
  rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(16);
  for (const std::string& t : topics) {
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, t.c_str(), nullptr);
    const rd_kafka_metadata_t* md = nullptr;
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, rkt, &md, 10000);
    if (e || md->topic_cnt != 1 || md->topics[0].err) {
      std::printf("error metadata for %s: %s\n", t.c_str(),
                  rd_kafka_err2str(e               ? e
                                   : md->topic_cnt ? md->topics[0].err
                                                   : RD_KAFKA_RESP_ERR_UNKNOWN));
      if (md) rd_kafka_metadata_destroy(md);
      rd_kafka_topic_destroy(rkt);
      continue;
    }
    for (int p = 0; p < md->topics[0].partition_cnt; ++p)
      rd_kafka_topic_partition_list_add(parts, t.c_str(), md->topics[0].partitions[p].id)->offset =
          RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(rkt);
  }
  const int want_eof = parts->cnt;
  rd_kafka_assign(rk, parts);
  rd_kafka_topic_partition_list_destroy(parts);
  int eof = 0;
  long n = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (eof < want_eof && std::chrono::steady_clock::now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 200);
    if (!m) continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      ++eof;
    } else if (m->err) {
      std::printf("error consume: %s\n", rd_kafka_message_errstr(m));
    } else {
      std::printf("msg\t%s\t%d\t%lld\t%.*s\t%.*s\n", rd_kafka_topic_name(m->rkt), m->partition,
                  static_cast<long long>(m->offset), static_cast<int>(m->key_len),
                  m->key ? static_cast<const char*>(m->key) : "", static_cast<int>(m->len),
                  static_cast<const char*>(m->payload));
      ++n;
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_assign(rk, nullptr);
  if (eof < want_eof) std::printf("error consume: %d of %d partitions read to their end\n", eof, want_eof);
  std::printf("end %ld\n", n);
  return true;
}

} // namespace

int main(int argc, char** argv) {
  int brokers = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--brokers") == 0 && i + 1 < argc) brokers = std::atoi(argv[++i]);
  }
  rd_kafka_t* owner = make_handle(RD_KAFKA_PRODUCER, {});
  rd_kafka_mock_cluster_t* mc = rd_kafka_mock_cluster_new(owner, brokers);
  if (!mc) {
    std::fprintf(stderr, "kafka_mock_broker: cannot start the mock cluster\n");
    return 1;
  }
  const std::string bootstrap = rd_kafka_mock_cluster_bootstraps(mc);
  std::printf("bootstrap %s\n", bootstrap.c_str());
  std::fflush(stdout);
  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream in(line);
    std::string cmd;
    in >> cmd;
    if (cmd == "quit") break;
    if (cmd == "create") {
      std::string topic;
      int partitions = 0;
      in >> topic >> partitions;
      rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(mc, topic.c_str(), partitions, 1);
      std::printf(e ? "error %s\n" : "ok\n", rd_kafka_err2str(e));
    } else if (cmd == "consume") {
      std::vector<std::string> topics;
      for (std::string t; in >> t;) topics.push_back(t);
      consume(bootstrap, topics);
    } else if (cmd == "produce-errors") {
      size_t n = 0;
      int code = 0;
      in >> n >> code;
      std::vector<rd_kafka_resp_err_t> errs(n, static_cast<rd_kafka_resp_err_t>(code));
      rd_kafka_mock_push_request_errors_array(mc, 0 /* Produce */, n, errs.data());
      std::printf("ok\n");
    } else if (cmd == "down" || cmd == "up") {
      int id = 0;
      in >> id;
      rd_kafka_resp_err_t e =
          cmd == "down" ? rd_kafka_mock_broker_set_down(mc, id) : rd_kafka_mock_broker_set_up(mc, id);
      std::printf(e ? "error %s\n" : "ok\n", rd_kafka_err2str(e));
    } else if (!cmd.empty()) {
      std::printf("error unknown command '%s'\n", cmd.c_str());
    }
    std::fflush(stdout);
  }
  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(owner);
  return 0;
}
