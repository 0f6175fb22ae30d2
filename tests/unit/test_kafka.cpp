// The Kafka record envelope and the -X parser (src/kafka/producer.h).
#include <gtest/gtest.h>

#include "kafka/producer.h"

using ps::kafka::envelope;
using ps::kafka::parse_setting;

TEST(KafkaEnvelope, GoesInFrontOfTheRecordsFields) {
  EXPECT_EQ(envelope("conn", "s1", R"({"ts":1.5,"uid":"C1"})"),
            R"({"_path":"conn","_system_name":"s1","_schema":1,"ts":1.5,"uid":"C1"})");
  EXPECT_EQ(envelope("http", "s1", "{\"a\":1}\n"),
            R"({"_path":"http","_system_name":"s1","_schema":1,"a":1})");
}

TEST(KafkaEnvelope, EmptyRecordAndEscapedSensor) {
  EXPECT_EQ(envelope("dns", "s1", "{}"), R"({"_path":"dns","_system_name":"s1","_schema":1})");
  EXPECT_EQ(envelope("dns", "a\"b\\c\x01", "{}"),
            R"({"_path":"dns","_system_name":"a\"b\\c\u0001","_schema":1})");
}

TEST(KafkaSettings, KeyValue) {
  std::pair<std::string, std::string> kv;
  std::string why;
  ASSERT_TRUE(parse_setting("sasl.password=a=b", kv, why));
  EXPECT_EQ(kv.first, "sasl.password");
  EXPECT_EQ(kv.second, "a=b");
  ASSERT_TRUE(parse_setting("debug=", kv, why));
  EXPECT_EQ(kv.second, "");
  EXPECT_FALSE(parse_setting("novalue", kv, why));
  EXPECT_EQ(why, "expected key=value");
  EXPECT_FALSE(parse_setting("=x", kv, why));
}

TEST(KafkaProducer, RefusedSettingIsAnError) {
  ps::kafka::ProducerOptions o;
  o.brokers = "127.0.0.1:1";
  o.settings = {{"no.such.setting", "1"}};
  std::string error;
  EXPECT_EQ(ps::kafka::Producer::create(o, error), nullptr);
  EXPECT_NE(error.find("no.such.setting"), std::string::npos);
  o.settings.clear();
  o.sensor = std::string("sensor-x"); // (a literal assignment trips GCC 12's -Wrestrict)
  auto p = ps::kafka::Producer::create(o, error);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->sensor(), "sensor-x");
}
