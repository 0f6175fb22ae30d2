// parse_dns() on well-formed and hostile messages.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "app/dns/tcp.h"
#include "dns/message.h"
#include "dns/names.h"
#include "dns/transactions.h"

namespace {

using namespace ps::dns;
using Bytes = std::vector<uint8_t>;

Bytes header(uint16_t id, uint16_t flags, uint16_t qd, uint16_t an = 0, uint16_t ns = 0, uint16_t ar = 0) {
  return {uint8_t(id >> 8), uint8_t(id), uint8_t(flags >> 8), uint8_t(flags), uint8_t(qd >> 8), uint8_t(qd),
          uint8_t(an >> 8), uint8_t(an), uint8_t(ns >> 8),    uint8_t(ns),    uint8_t(ar >> 8), uint8_t(ar)};
}

void name(Bytes& b, std::initializer_list<std::string> labels) {
  for (const std::string& l : labels) {
    b.push_back(uint8_t(l.size()));
    b.insert(b.end(), l.begin(), l.end());
  }
  b.push_back(0);
}

void u16(Bytes& b, uint16_t v) {
  b.push_back(uint8_t(v >> 8));
  b.push_back(uint8_t(v));
}

void u32(Bytes& b, uint32_t v) {
  u16(b, uint16_t(v >> 16));
  u16(b, uint16_t(v));
}

// Answer header after the owner name.
void rr_fixed(Bytes& b, uint16_t type, uint32_t ttl, uint16_t rdlen) {
  u16(b, type);
  u16(b, 1);
  u32(b, ttl);
  u16(b, rdlen);
}

Bytes query_www() {
  Bytes b = header(0xc89f, 0x0120, 1);
  name(b, {"www", "corp", "test"});
  u16(b, 1);
  u16(b, 1);
  return b;
}

TEST(DnsParser, Query) {
  ParseResult r = parse_dns(query_www());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.msg.id, 0xc89f);
  EXPECT_FALSE(r.msg.flags.qr);
  EXPECT_TRUE(r.msg.flags.rd);
  EXPECT_TRUE(r.msg.flags.ad);
  ASSERT_EQ(r.msg.questions.size(), 1u);
  EXPECT_EQ(r.msg.questions[0].name.text, "www.corp.test");
  EXPECT_EQ(r.msg.questions[0].name.text_len, 13);
  EXPECT_EQ(r.msg.questions[0].name.labels, 3);
  EXPECT_EQ(r.msg.questions[0].type, 1);
  EXPECT_EQ(r.consumed, query_www().size());
  EXPECT_TRUE(looks_like_dns(query_www()));
}

TEST(DnsParser, ResponseWithCompressionAndTypes) {
  Bytes b = header(0x1234, 0x8583, 1, 5);
  name(b, {"corp", "test"}); // offset 12
  u16(b, 15);
  u16(b, 1);
  const Bytes ptr = {0xc0, 12};
  // MX 10 mail.<ptr>
  b.insert(b.end(), ptr.begin(), ptr.end());
  rr_fixed(b, 15, 3600, 2 + 5 + 2);
  u16(b, 10);
  b.push_back(4);
  b.insert(b.end(), {'m', 'a', 'i', 'l'});
  b.insert(b.end(), ptr.begin(), ptr.end());
  // A
  b.insert(b.end(), ptr.begin(), ptr.end());
  rr_fixed(b, 1, 0, 4);
  b.insert(b.end(), {192, 168, 1, 200});
  // TXT with two strings, one empty
  b.insert(b.end(), ptr.begin(), ptr.end());
  rr_fixed(b, 16, 0, 4);
  b.insert(b.end(), {2, 'h', 'i', 0});
  // SRV 0 100 80 <ptr>
  b.insert(b.end(), ptr.begin(), ptr.end());
  rr_fixed(b, 33, 0, 8);
  u16(b, 0);
  u16(b, 100);
  u16(b, 80);
  b.insert(b.end(), ptr.begin(), ptr.end());
  // SOA
  b.insert(b.end(), ptr.begin(), ptr.end());
  rr_fixed(b, 6, 0, 2 + 2 + 20);
  b.insert(b.end(), ptr.begin(), ptr.end());
  b.insert(b.end(), ptr.begin(), ptr.end());
  for (uint32_t v : {1u, 2u, 3u, 4u, 5u}) u32(b, v);

  ParseResult r = parse_dns(b);
  ASSERT_TRUE(r.ok()) << error_text(r.error);
  EXPECT_TRUE(r.msg.flags.qr);
  EXPECT_EQ(r.msg.flags.rcode, 3);
  ASSERT_EQ(r.msg.answers.size(), 5u);
  const Record& mx = r.msg.answers[0];
  EXPECT_EQ(mx.name.text, "corp.test");
  EXPECT_EQ(mx.name.wire_len, 2u);
  EXPECT_EQ(mx.preference, 10);
  EXPECT_EQ(mx.target.text, "mail.corp.test");
  EXPECT_EQ(r.msg.answers[1].addr[3], 200);
  ASSERT_EQ(r.msg.answers[2].txt.size(), 2u);
  EXPECT_EQ(r.msg.answers[2].txt[1].length, 0);
  EXPECT_EQ(r.msg.answers[3].port, 80);
  EXPECT_EQ(r.msg.answers[3].target.text, "corp.test");
  EXPECT_EQ(r.msg.answers[4].minimum, 5u);
  EXPECT_EQ(r.msg.answers[4].rname.text, "corp.test");
}

TEST(DnsParser, OptRecord) {
  Bytes b = header(1, 0x0100, 0, 0, 0, 1);
  b.push_back(0); // root
  u16(b, 41);
  u16(b, 1232); // UDP payload size
  u32(b, 0x00008000);
  u16(b, 12);
  u16(b, 10);
  u16(b, 8);
  for (int i = 0; i < 8; ++i) b.push_back(uint8_t(i));
  ParseResult r = parse_dns(b);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.msg.additional.size(), 1u);
  const Record& o = r.msg.additional[0];
  EXPECT_EQ(o.name.text, "<Root>");
  EXPECT_EQ(o.rclass, 1232);
  ASSERT_EQ(o.options.size(), 1u);
  EXPECT_EQ(o.options[0].code, 10);
  EXPECT_EQ(o.options[0].length, 8);
}

TEST(DnsParserHostile, ShortHeader) {
  Bytes b = {0, 1, 2};
  EXPECT_EQ(parse_dns(b).error, Error::ShortHeader);
  EXPECT_EQ(parse_dns({}).error, Error::ShortHeader);
}

TEST(DnsParserHostile, CountsThatLie) {
  Bytes b = query_www();
  b[4] = 0xff; // 65535 questions, one present
  b[5] = 0xff;
  b[6] = 0xff;
  ParseResult r = parse_dns(b);
  EXPECT_EQ(r.error, Error::Truncated);
  EXPECT_EQ(r.msg.questions.size(), 1u); // what was there is kept
  EXPECT_FALSE(looks_like_dns(b));
  Bytes h = header(1, 0x8180, 0xffff, 0xffff, 0xffff, 0xffff);
  EXPECT_EQ(parse_dns(h).error, Error::Truncated);
}

TEST(DnsParserHostile, CompressionLoopSelf) {
  Bytes b = header(1, 0x0100, 1);
  b.push_back(0xc0);
  b.push_back(12); // points at itself
  u16(b, 1);
  u16(b, 1);
  EXPECT_EQ(parse_dns(b).error, Error::PointerLoop);
}

TEST(DnsParserHostile, CompressionLoopTwoNames) {
  Bytes b = header(1, 0x0100, 1);
  b.insert(b.end(), {1, 'a', 0xc0, 16, 1, 'b', 0xc0, 12}); // a -> b -> a -> ...
  u16(b, 1);
  u16(b, 1);
  ParseResult r = parse_dns(b);
  EXPECT_TRUE(r.error == Error::PointerLoop || r.error == Error::NameTooLong) << error_text(r.error);
}

TEST(DnsParserHostile, PointerOutOfRange) {
  Bytes b = header(1, 0x0100, 1);
  b.insert(b.end(), {0xc0, 0xff}); // forward, past the end
  u16(b, 1);
  u16(b, 1);
  EXPECT_EQ(parse_dns(b).error, Error::PointerOutOfRange);
  Bytes c = header(1, 0x0100, 1);
  c.insert(c.end(), {0xff, 0xff});
  EXPECT_EQ(parse_dns(c).error, Error::PointerOutOfRange);
}

TEST(DnsParserHostile, PointerIntoHeaderStillBounded) {
  // A backward pointer into the header reads header bytes as labels (03 00 01 00, then the root).
  Bytes b = header(0x0300, 0x0100, 1);
  b.insert(b.end(), {0xc0, 0x00});
  u16(b, 1);
  u16(b, 1);
  ParseResult r = parse_dns(b);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.msg.questions[0].name.text, "\\000\\001\\000");
  EXPECT_EQ(r.msg.questions[0].name.wire_len, 2u);
}

TEST(DnsParserHostile, PointerTruncated) {
  Bytes b = header(1, 0x0100, 1);
  b.push_back(0xc0); // second pointer byte missing
  EXPECT_EQ(parse_dns(b).error, Error::Truncated);
}

TEST(DnsParserHostile, LabelOver63) {
  for (uint8_t len : {uint8_t(64), uint8_t(0x80), uint8_t(0xbf)}) {
    Bytes b = header(1, 0x0100, 1);
    b.push_back(len);
    b.insert(b.end(), 70, 'x');
    b.push_back(0);
    u16(b, 1);
    u16(b, 1);
    EXPECT_EQ(parse_dns(b).error, Error::BadLabelType) << int(len);
  }
}

TEST(DnsParserHostile, NameOver255) {
  Bytes b = header(1, 0x0100, 1);
  for (int i = 0; i < 5; ++i) {
    b.push_back(63);
    b.insert(b.end(), 63, 'a');
  }
  b.push_back(0);
  u16(b, 1);
  u16(b, 1);
  EXPECT_EQ(parse_dns(b).error, Error::NameTooLong);
  // Exactly 255 octets (4 labels: 63+63+63+61 + 4 length bytes + root) is fine.
  Bytes ok = header(1, 0x0100, 1);
  for (int len : {63, 63, 63, 61}) {
    ok.push_back(uint8_t(len));
    ok.insert(ok.end(), size_t(len), 'a');
  }
  ok.push_back(0);
  u16(ok, 1);
  u16(ok, 1);
  EXPECT_TRUE(parse_dns(ok).ok());
}

TEST(DnsParserHostile, LongNameThroughPointers) {
  // Each label compresses to the previous one: the decompressed length must still be capped.
  Bytes b = header(1, 0x0100, 1);
  uint16_t prev = 0;
  for (int i = 0; i < 40; ++i) {
    uint16_t here = uint16_t(b.size());
    b.push_back(10);
    b.insert(b.end(), 10, 'z');
    if (prev) {
      b.push_back(uint8_t(0xc0 | prev >> 8));
      b.push_back(uint8_t(prev));
    } else {
      b.push_back(0);
    }
    prev = here;
  }
  // The question is the last name: 40 labels of 10 = 440 octets.
  Bytes q = header(1, 0x0100, 1);
  q.insert(q.end(), b.begin() + 12, b.end());
  u16(q, 1);
  u16(q, 1);
  ParseResult r = parse_dns(q);
  EXPECT_LT(r.consumed, q.size()); // only the first name is a question; the rest is left over
  EXPECT_FALSE(looks_like_dns(q));
  Name n;
  EXPECT_EQ(read_name(b, prev, n), Error::NameTooLong);
}

TEST(DnsParserHostile, TruncatedRecord) {
  Bytes b = header(1, 0x8180, 0, 1);
  name(b, {"a"});
  rr_fixed(b, 1, 0, 4);
  b.insert(b.end(), {1, 2}); // 2 of 4 RDATA bytes
  ParseResult r = parse_dns(b);
  EXPECT_EQ(r.error, Error::Truncated);
  EXPECT_TRUE(r.msg.answers.empty());
  // Every prefix of a valid message fails cleanly.
  Bytes full = query_www();
  for (size_t n = 0; n < full.size(); ++n) {
    ParseResult p = parse_dns(std::span<const uint8_t>(full.data(), n));
    EXPECT_FALSE(p.ok()) << n;
  }
}

TEST(DnsParserHostile, RdataNameOverrunsRdlength) {
  Bytes b = header(1, 0x8180, 0, 1);
  name(b, {"a"});
  rr_fixed(b, 5, 0, 2); // CNAME claims 2 bytes but the name is 6
  name(b, {"long"});
  EXPECT_EQ(parse_dns(b).error, Error::BadRdata);
}

TEST(DnsParserHostile, TxtLengthOverrun) {
  Bytes b = header(1, 0x8180, 0, 1);
  name(b, {"a"});
  rr_fixed(b, 16, 0, 3);
  b.insert(b.end(), {9, 'a', 'b'});
  EXPECT_EQ(parse_dns(b).error, Error::BadRdata);
}

TEST(DnsParserHostile, WrongAddressLengthIsUnparsedNotFatal) {
  Bytes b = header(1, 0x8180, 0, 1);
  name(b, {"a"});
  rr_fixed(b, 1, 0, 3);
  b.insert(b.end(), {1, 2, 3});
  ParseResult r = parse_dns(b);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r.msg.answers[0].rdata_parsed);
}

TEST(DnsParserHostile, EveryByteFlipTerminates) {
  Bytes base = query_www();
  for (size_t i = 0; i < base.size(); ++i) {
    for (int v : {0x00, 0x3f, 0x40, 0xc0, 0xff}) {
      Bytes b = base;
      b[i] = uint8_t(v);
      (void)parse_dns(b); // must not crash or hang (ASan/UBSan builds check the reads)
    }
  }
  SUCCEED();
}

TEST(DnsNames, Escaping) {
  Bytes b = header(1, 0x0100, 1);
  b.insert(b.end(), {4, 'a', 0x10, 0x7f, 0xff, 0});
  Name n;
  ASSERT_EQ(read_name(b, 12, n), Error::None);
  EXPECT_EQ(n.text, "a\\020\\177\xef\xbf\xbd"); // as tshark prints it
  EXPECT_EQ(n.text_len, 4);
  Bytes root = {0};
  ASSERT_EQ(read_name(root, 0, n), Error::None);
  EXPECT_EQ(n.text, "<Root>");
}

TEST(DnsNames, Tables) {
  EXPECT_EQ(type_name(28), "AAAA");
  EXPECT_EQ(type_description(12), "PTR (domain name PoinTeR)");
  EXPECT_EQ(rcode_name(3), "No such name");
  EXPECT_EQ(opcode_name(0), "Standard query");
  EXPECT_EQ(seconds_text(90061), "1 day, 1 hour, 1 minute, 1 second");
  EXPECT_EQ(seconds_text(0), "0 seconds");
  EXPECT_EQ(seconds_text(7200), "2 hours");
}

TEST(DnsTcp, LengthPrefix) {
  Bytes m = query_www();
  Bytes framed = {uint8_t(m.size() >> 8), uint8_t(m.size())};
  framed.insert(framed.end(), m.begin(), m.end());
  EXPECT_EQ(tcp_message_size(framed), framed.size());
  EXPECT_EQ(tcp_message_size(std::span<const uint8_t>(framed.data(), 1)), 0u);
  ParseResult r = parse_dns_tcp(framed);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.msg.questions[0].name.text, "www.corp.test");
  ParseResult cut = parse_dns_tcp(std::span<const uint8_t>(framed.data(), framed.size() - 1));
  EXPECT_EQ(cut.error, Error::Truncated);
  framed.push_back(0xaa); // bytes of the next message are not part of this one
  EXPECT_TRUE(parse_dns_tcp(framed).ok());
}

TEST(DnsTransactions, MatchAndBound) {
  TransactionTable t;
  TransactionKey k{3, false, 0xc89f};
  EXPECT_FALSE(t.response(k, 2));
  t.query(k, 1, 1000);
  auto q = t.response(k, 2);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->frame, 1u);
  EXPECT_EQ(q->time_ns, 1000);
  EXPECT_FALSE(t.response({4, false, 0xc89f}, 2)); // other stream
  EXPECT_FALSE(t.response({3, true, 0xc89f}, 2));  // other transport
  EXPECT_FALSE(t.response(k, 1));                  // not before the query
  for (uint32_t i = 0; i < 100000; ++i) t.query({i, false, uint16_t(i)}, 10 + i, 0);
  EXPECT_LE(sizeof(t), TransactionTable::kSlots * 64); // fixed size whatever the traffic
}

} // namespace
