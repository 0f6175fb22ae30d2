// The registry knows which stage produces each field; describe_needs() turns wanted fields into the
// stages a run must switch on.
#include <gtest/gtest.h>

#include "describe/describe.h"
#include "dissect/field.h"

namespace ps {
namespace {

FieldStage stage(std::string_view name) {
  auto f = find_field(name);
  EXPECT_TRUE(f) << name;
  return f ? field_info(*f).stage : FieldStage::Decode;
}

TEST(FieldStages, ComeFromTheRegistry) {
  EXPECT_EQ(stage("ip.src"), FieldStage::Decode);
  EXPECT_EQ(stage("tcp.srcport"), FieldStage::Decode);
  EXPECT_EQ(stage("tcp.seq_raw"), FieldStage::Decode);
  EXPECT_EQ(stage("tcp.stream"), FieldStage::Streams);
  EXPECT_EQ(stage("tcp.seq"), FieldStage::Streams);
  EXPECT_EQ(stage("udp.stream"), FieldStage::Streams);
  EXPECT_EQ(stage("tcp.analysis.retransmission"), FieldStage::Analysis);
  EXPECT_EQ(stage("http.request.method"), FieldStage::App);
  EXPECT_EQ(stage("dns.qry.name"), FieldStage::App);
  EXPECT_EQ(stage("frame.protocols"), FieldStage::App);
}

TEST(FieldStages, NeedsFollowTheWantedFields) {
  std::bitset<kFieldCount> w;
  w.set(static_cast<size_t>(*find_field("ip.src")));
  DescribeNeeds n = describe_needs(false, false, &w);
  EXPECT_FALSE(n.streams || n.analysis || n.app);
  w.set(static_cast<size_t>(*find_field("tcp.stream")));
  n = describe_needs(false, false, &w);
  EXPECT_TRUE(n.streams);
  EXPECT_FALSE(n.analysis || n.app);
  w.set(static_cast<size_t>(*find_field("tcp.analysis.ack_rtt")));
  n = describe_needs(false, false, &w);
  EXPECT_TRUE(n.analysis);
  EXPECT_FALSE(n.app);
  w.set(static_cast<size_t>(*find_field("http.host")));
  EXPECT_TRUE(describe_needs(false, false, &w).app);
}

} // namespace
} // namespace ps
