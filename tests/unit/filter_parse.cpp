// Display filters: lexer, parser and compiler (src/filter/): what compiles, what each error says and
// where it points.
#include <gtest/gtest.h>

#include "filter/display_filter.h"
#include "filter/lexer.h"
#include "filter/literal.h"

namespace ps::filter {
namespace {

std::optional<DisplayFilter> ok(std::string_view e) {
  CompileError err;
  auto f = DisplayFilter::compile(e, err);
  EXPECT_TRUE(f.has_value()) << e << ": " << err.message << " (column " << err.column << ")";
  return f;
}

CompileError bad(std::string_view e) {
  CompileError err;
  auto f = DisplayFilter::compile(e, err);
  EXPECT_FALSE(f.has_value()) << e << " compiled";
  return err;
}

TEST(FilterLexer, OperatorsWordsAndStrings) {
  std::vector<Token> t;
  LexError err;
  ASSERT_TRUE(
      lex("tcp.port==80&&!(ip.src ~= 10.0.0.0/8)||x contains \"a\\x41\\101\\n\" 'c' {0..2} [0:3]", t, err));
  std::vector<Tok> kinds;
  for (const Token& k : t) kinds.push_back(k.kind);
  std::vector<Tok> want = {Tok::Word,     Tok::Eq,     Tok::Word,  Tok::And,    Tok::Not,  Tok::LParen,
                           Tok::Word,     Tok::AnyNe,  Tok::Word,  Tok::RParen, Tok::Or,   Tok::Word,
                           Tok::Contains, Tok::String, Tok::Char,  Tok::LBrace, Tok::Word, Tok::DotDot,
                           Tok::Word,     Tok::RBrace, Tok::Range, Tok::End};
  EXPECT_EQ(kinds, want);
  EXPECT_EQ(t[13].value, "aAA\n");
  EXPECT_EQ(t[14].value, "c");
  EXPECT_EQ(t[16].text, "0");
  EXPECT_EQ(t[18].text, "2");
  EXPECT_EQ(t[20].text, "0:3");
  EXPECT_EQ(t[2].pos, 10u);
}

TEST(FilterLexer, KeywordsAndWordForms) {
  std::vector<Token> t;
  LexError err;
  ASSERT_TRUE(lex(
      "a eq b ne c lt d gt e le f ge g and h or not i any_eq all_ne all_eq any_ne matches in ===", t, err));
  EXPECT_EQ(t[1].kind, Tok::Eq);
  EXPECT_EQ(t[3].kind, Tok::Ne);
  EXPECT_EQ(t[5].kind, Tok::Lt);
  EXPECT_EQ(t[7].kind, Tok::Gt);
  EXPECT_EQ(t[9].kind, Tok::Le);
  EXPECT_EQ(t[11].kind, Tok::Ge);
  EXPECT_EQ(t[13].kind, Tok::And);
  EXPECT_EQ(t[15].kind, Tok::Or);
  EXPECT_EQ(t[16].kind, Tok::Not);
  EXPECT_EQ(t[18].kind, Tok::Eq);
  EXPECT_EQ(t[19].kind, Tok::Ne);
  EXPECT_EQ(t[20].kind, Tok::AllEq);
  EXPECT_EQ(t[21].kind, Tok::AnyNe);
  EXPECT_EQ(t[22].kind, Tok::Matches);
  EXPECT_EQ(t[23].kind, Tok::In);
  EXPECT_EQ(t[24].kind, Tok::AllEq);
}

TEST(FilterLexer, Errors) {
  std::vector<Token> t;
  LexError err;
  EXPECT_FALSE(lex("a == \"open", t, err));
  EXPECT_EQ(err.column, 5u);
  EXPECT_FALSE(lex("a == \"x\\.y\"", t, err));
  EXPECT_EQ(err.message, "\\. is not a valid character escape sequence");
  EXPECT_EQ(err.column, 7u);
  EXPECT_FALSE(lex("a = 1", t, err));
  EXPECT_EQ(err.column, 2u);
  EXPECT_FALSE(lex("a[0:1", t, err));
  EXPECT_FALSE(lex("a | b", t, err));
}

TEST(FilterLiterals, Numbers) {
  detail::i128 v = 0;
  EXPECT_TRUE(parse_integer("80", v));
  EXPECT_TRUE(v == 80);
  EXPECT_TRUE(parse_integer("0x50", v));
  EXPECT_TRUE(v == 80);
  EXPECT_TRUE(parse_integer("0120", v));
  EXPECT_TRUE(v == 80);
  EXPECT_TRUE(parse_integer("-1", v));
  EXPECT_TRUE(v == -1);
  EXPECT_FALSE(parse_integer("1.5", v));
  EXPECT_FALSE(parse_integer("08", v));
  EXPECT_FALSE(parse_integer("0x", v));
  double d = 0;
  EXPECT_TRUE(parse_double("1.5", d));
  EXPECT_EQ(d, 1.5);
  EXPECT_FALSE(parse_double("1.5x", d));
  int64_t ns = 0;
  EXPECT_TRUE(parse_rel_time("0.25", ns));
  EXPECT_EQ(ns, 250'000'000);
}

TEST(FilterLiterals, AddressesBytesTimes) {
  uint32_t a = 0;
  int prefix = 0;
  std::string why;
  EXPECT_TRUE(parse_ipv4("10.1.2.3", a, prefix, why));
  EXPECT_EQ(a, 0x0a010203u);
  EXPECT_EQ(prefix, -1);
  EXPECT_TRUE(parse_ipv4("10.0.0.0/8", a, prefix, why));
  EXPECT_EQ(prefix, 8);
  EXPECT_FALSE(parse_ipv4("10.0.0.300", a, prefix, why));
  EXPECT_FALSE(parse_ipv4("10.0.0.0/33", a, prefix, why));
  uint8_t six[16];
  EXPECT_TRUE(parse_ipv6("fd00::/16", six, prefix, why));
  EXPECT_EQ(prefix, 16);
  EXPECT_EQ(six[0], 0xfd);
  std::string b;
  EXPECT_TRUE(parse_bytes("02:00:c0", b));
  EXPECT_EQ(b, std::string("\x02\x00\xc0", 3));
  EXPECT_TRUE(parse_bytes("02-00-c0", b));
  EXPECT_EQ(b.size(), 3u);
  EXPECT_TRUE(parse_bytes("0200.c0a8.0115", b));
  EXPECT_EQ(b, std::string("\x02\x00\xc0\xa8\x01\x15", 6));
  EXPECT_TRUE(parse_bytes("ffffffffffff", b));
  EXPECT_EQ(b.size(), 6u);
  EXPECT_TRUE(parse_bytes("0x0a", b));
  EXPECT_EQ(b, "\n");
  EXPECT_FALSE(parse_bytes("02:00-c0", b)); // mixed separators
  EXPECT_FALSE(parse_bytes("abc", b));
  EXPECT_FALSE(parse_bytes("02:", b));
  int64_t t = 0;
  EXPECT_TRUE(parse_abs_time("2026-11-26 09:24:45 UTC", t));
  EXPECT_EQ(t, int64_t{1795685085} * 1'000'000'000);
  EXPECT_TRUE(parse_abs_time("Nov 26, 2026 09:24:45.5 UTC", t));
  EXPECT_EQ(t, int64_t{1795685085} * 1'000'000'000 + 500'000'000);
  EXPECT_FALSE(parse_abs_time("yesterday", t));
}

TEST(FilterCompile, AcceptsWiresharkSyntax) {
  for (const char* e : {"tcp",
                        "tcp.port == 80",
                        "tcp.port eq 80 and ip.len le 60",
                        "tcp.flags & 0x02",
                        "tcp.flags & 0x12 == 0x12",
                        "ip.addr == 10.0.0.0/8",
                        "ipv6.addr == fd00::/16",
                        "eth.src[0:3] == 02:00:c0",
                        "frame[:2] == 02:00",
                        "frame[-1] == 0x0a",
                        "frame[2-4] == 00:c0:a8",
                        "frame[12:] contains \"GET\"",
                        "tcp.stream in {0..2}",
                        "tcp.stream in {0 1 2}",
                        "tcp.port in {80, 443, 8000..8080}",
                        "http.request.method in {\"GET\" \"POST\"}",
                        "frame matches \"(?i)get\"",
                        "not (tcp or udp) && !arp",
                        "tcp.flags.syn == True",
                        "tcp.flags.syn == 0",
                        "frame.time >= \"2026-11-26 09:24:45\"",
                        "frame.time_relative > 1.5",
                        "len(tcp.payload) > 10",
                        "count(ip.addr) == 2",
                        "tcp.srcport > tcp.dstport",
                        "tcp.analysis.retransmission",
                        "eth.dst == ffffffffffff",
                        "eth.src == 0200.c0a8.0115",
                        "http.request.method == GET",
                        "tcp.port ~= 80",
                        "tcp.port === 80",
                        "tcp.port !== 80",
                        "tcp.port any_eq 80 or tcp.port all_ne 81",
                        "((tcp))",
                        "tcp.payload[0:4] == \"POST\"",
                        "http.request.method contains 'G'",
                        "ip.src[0:2] == c0:a8",
                        "tcp[13] == 12",
                        "tcp.port == -1"})
    ok(e);
}

TEST(FilterCompile, ErrorsSayWhereAndWhat) {
  CompileError e = bad("tcp.port == ");
  EXPECT_EQ(e.message, "missing value after '=='");
  EXPECT_EQ(e.column, 12u);
  EXPECT_EQ(format_error("tcp.port == ", e),
            "display filter: \"tcp.port == \" : missing value after '==' (column 12)");

  e = bad("tcp.port == 80 && foo.bar");
  EXPECT_EQ(e.message, "\"foo.bar\" is not a valid protocol or protocol field");
  EXPECT_EQ(e.column, 18u);
  e = bad("foo.bar == 1");
  EXPECT_EQ(e.column, 0u);
  EXPECT_NE(e.message.find("foo.bar"), std::string::npos);

  e = bad("(tcp.port == 80");
  EXPECT_EQ(e.column, 15u);
  e = bad("tcp.port == 80)");
  EXPECT_EQ(e.message, "\")\" was unexpected in this context");
  EXPECT_EQ(e.column, 14u);
  e = bad("tcp xor udp");
  EXPECT_EQ(e.column, 4u);
  e = bad("tcp.port in {80,}");
  EXPECT_EQ(e.column, 16u);
  e = bad("");
  EXPECT_EQ(e.column, 0u);
  e = bad("80 == tcp.port");
  EXPECT_EQ(e.column, 0u);
  e = bad("tcp.port == 80 and");
  EXPECT_EQ(e.column, 18u);
}

TEST(FilterCompile, TypeErrors) {
  CompileError e = bad("ip.src == \"abc\"");
  EXPECT_EQ(e.column, 10u);
  EXPECT_NE(e.message.find("IPv4"), std::string::npos);
  e = bad("tcp.port == 70000");
  EXPECT_EQ(e.message, "\"70000\" too big for this field, maximum 65535");
  EXPECT_EQ(e.column, 12u);
  e = bad("ip.ttl == 256");
  EXPECT_NE(e.message.find("maximum 255"), std::string::npos);
  e = bad("tcp.port contains 80");
  EXPECT_NE(e.message.find("cannot participate in 'contains'"), std::string::npos);
  EXPECT_EQ(e.column, 0u);
  e = bad("tcp.analysis.flags == 1");
  EXPECT_NE(e.message.find("Label"), std::string::npos);
  bad("frame.number == 1.5");
  bad("ip.ttl > 64.0");
  bad("tcp.flags.syn == true");
  bad("tcp.flags.syn == 2");
  bad("ip.addr == 192.168.1.0/33");
  bad("ip.addr == 192.168.1.300");
  bad("ip.addr > 10.0.0.0/8");
  bad("eth.src == 02:00");
  bad("eth.src == \"02:00:c0:a8:01:15\"");
  bad("tcp.port[0:1] == 00");
  bad("tcp.srcport == ip.src");
  bad("frame.time >= \"not a time\"");
  bad("frame[0:1,3] == 00");
  bad("frame[5-2] == 00");
  bad("frame[0:0] == 00");
  bad("http.request.method matches \"(\"");
  bad("ip.addr matches \"10\"");
  bad("_ws.col.Info contains \"x\"");
  bad("len(tcp.port) == 2");
  bad("nosuch(tcp)");
  bad("tcp.port in {}");
  bad("tcp.port in {ip.ttl}");
}

TEST(FilterCompile, FieldsAndNeeds) {
  auto f = ok("tcp.port == 80 && http.request.method == \"GET\" || ip.addr == 10.0.0.1");
  ASSERT_TRUE(f);
  EXPECT_TRUE(f->fields()[static_cast<size_t>(F::TCP_PORT)]);
  EXPECT_TRUE(f->fields()[static_cast<size_t>(F::HTTP_REQUEST_METHOD)]);
  EXPECT_TRUE(f->fields()[static_cast<size_t>(F::IP_ADDR)]);
  EXPECT_EQ(f->fields().count(), 3u);
  EXPECT_TRUE(f->needs().app);
  EXPECT_FALSE(f->reads_frame_bytes());

  auto g = ok("ip.src == 10.0.0.1 and udp.port == 53");
  EXPECT_FALSE(g->needs().app);
  EXPECT_FALSE(g->needs().streams);
  EXPECT_FALSE(g->needs().analysis);
  auto h = ok("tcp.analysis.retransmission");
  EXPECT_TRUE(h->needs().analysis);
  EXPECT_TRUE(h->needs().streams);
  auto s = ok("tcp.stream == 1");
  EXPECT_TRUE(s->needs().streams);
  EXPECT_FALSE(s->needs().app);
  auto b = ok("frame contains \"GET\"");
  EXPECT_TRUE(b->reads_frame_bytes());
  EXPECT_EQ(b->text(), "frame contains \"GET\"");
}

TEST(FilterCompile, DeepNestingIsAnErrorNotACrash) {
  std::string e(100000, '(');
  bad(e);
  std::string n(100000, '!');
  bad(n + "tcp");
}

} // namespace
} // namespace ps::filter
