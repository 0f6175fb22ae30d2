// HTTP parser and analyzer: every split point of real-shaped messages gives the same result,
// chunked bodies, pipelining, request/response pairing, HEAD, garbage.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "app/http/http_analyzer.h"
#include "app/http/http_parser.h"

namespace ps::app {
namespace {

std::span<const uint8_t> bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

const std::string kRequests =
    "GET /index.html HTTP/1.1\r\nHost: 192.168.1.200:2222\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n"
    "POST /api/submit HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    "Content-Length: 11\r\n\r\nname=value&"
    "GET /last HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";

const std::string kResponses =
    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello"
    "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    "4\r\n{\"a\"\r\n3;ext=1\r\n:1}\r\n0\r\nX-Trailer: t\r\n\r\n"
    "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";

std::vector<HttpMessage> parse(bool requests, std::string_view s, const std::vector<size_t>& cuts) {
  HttpParser p(requests);
  std::vector<HttpMessage> out;
  std::string err;
  size_t at = 0;
  for (size_t c : cuts) {
    EXPECT_TRUE(p.feed(bytes(s.substr(at, c - at)), out, err)) << err;
    at = c;
  }
  EXPECT_TRUE(p.feed(bytes(s.substr(at)), out, err)) << err;
  EXPECT_FALSE(p.in_message());
  return out;
}

void expect_same(const std::vector<HttpMessage>& a, const std::vector<HttpMessage>& b, size_t cut) {
  ASSERT_EQ(a.size(), b.size()) << "cut at " << cut;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].first_line, b[i].first_line) << "cut at " << cut;
    EXPECT_EQ(a[i].host, b[i].host) << "cut at " << cut;
    EXPECT_EQ(a[i].body_len, b[i].body_len) << "cut at " << cut;
    EXPECT_EQ(a[i].content_length, b[i].content_length) << "cut at " << cut;
    EXPECT_EQ(a[i].headers.size(), b[i].headers.size()) << "cut at " << cut;
  }
}

TEST(HttpParser, RequestsWholeStream) {
  auto m = parse(true, kRequests, {});
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].method, "GET");
  EXPECT_EQ(m[0].uri, "/index.html");
  EXPECT_EQ(m[0].version, "HTTP/1.1");
  EXPECT_EQ(m[0].host, "192.168.1.200:2222");
  EXPECT_EQ(m[0].user_agent, "curl/7.88.1");
  EXPECT_EQ(m[1].method, "POST");
  EXPECT_EQ(m[1].content_length, 11u);
  EXPECT_EQ(m[1].body_len, 11u);
  EXPECT_EQ(m[2].uri, "/last");
}

TEST(HttpParser, ResponsesWholeStream) {
  auto m = parse(false, kResponses, {});
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].code, 200);
  EXPECT_EQ(m[0].phrase, "OK");
  EXPECT_EQ(m[0].body_len, 5u);
  EXPECT_TRUE(m[1].chunked);
  EXPECT_EQ(m[1].body_len, 7u);
  EXPECT_EQ(m[2].code, 404);
  EXPECT_EQ(m[2].phrase, "Not Found");
}

TEST(HttpParser, EverySplitPointGivesTheSameMessages) {
  for (bool req : {true, false}) {
    const std::string& s = req ? kRequests : kResponses;
    auto whole = parse(req, s, {});
    for (size_t cut = 1; cut < s.size(); ++cut) expect_same(whole, parse(req, s, {cut}), cut);
  }
}

TEST(HttpParser, ByteAtATime) {
  for (bool req : {true, false}) {
    const std::string& s = req ? kRequests : kResponses;
    std::vector<size_t> cuts;
    for (size_t i = 1; i < s.size(); ++i) cuts.push_back(i);
    expect_same(parse(req, s, {}), parse(req, s, cuts), 0);
  }
}

TEST(HttpParser, ResponseWithoutLengthEndsAtClose) {
  HttpParser p(false);
  std::vector<HttpMessage> out;
  std::string err;
  ASSERT_TRUE(p.feed(bytes("HTTP/1.0 200 OK\r\n\r\nsome body"), out, err));
  EXPECT_TRUE(out.empty());
  p.close(out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].body_len, 9u);
}

TEST(HttpParser, GarbageIsAViolation) {
  HttpParser p(true);
  std::vector<HttpMessage> out;
  std::string err;
  EXPECT_FALSE(p.feed(bytes("\x16\x03\x01 binary junk\r\n"), out, err));
  EXPECT_FALSE(err.empty());
  EXPECT_FALSE(p.feed(bytes("GET / HTTP/1.1\r\n\r\n"), out, err)); // stays failed
}

TEST(HttpParser, BadChunkSizeIsAViolation) {
  HttpParser p(false);
  std::vector<HttpMessage> out;
  std::string err;
  EXPECT_FALSE(p.feed(bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"), out, err));
}

TEST(HttpParser, EndlessHeaderIsBounded) {
  HttpParser p(true);
  std::vector<HttpMessage> out;
  std::string err;
  ASSERT_TRUE(p.feed(bytes("GET / HTTP/1.1\r\n"), out, err));
  std::string h = "X-A: " + std::string(1000, 'a') + "\r\n";
  bool ok = true;
  for (int i = 0; i < 200 && ok; ++i) ok = p.feed(bytes(h), out, err);
  EXPECT_FALSE(ok);
  EXPECT_TRUE(p.over_limit());
}

TEST(HttpParser, MaxMessageSetsTheHeaderLimit) {
  const std::string req = "GET / HTTP/1.1\r\nHost: a\r\nX-Long: " + std::string(200, 'b') + "\r\n\r\n";
  HttpParser small(true), fits(true);
  small.set_max_message(128);
  fits.set_max_message(req.size());
  std::vector<HttpMessage> out;
  std::string err;
  EXPECT_FALSE(small.feed(bytes(req), out, err));
  EXPECT_TRUE(small.over_limit());
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(fits.feed(bytes(req), out, err)) << err;
  EXPECT_FALSE(fits.over_limit());
  EXPECT_EQ(out.size(), 1u);
  // Other violations are not limits.
  HttpParser bad(true);
  EXPECT_FALSE(bad.feed(bytes("\x01\x02 nonsense\r\n"), out, err));
  EXPECT_FALSE(bad.over_limit());
}

TEST(HttpParser, HostPortSplit) {
  std::string name;
  uint16_t port = 0;
  split_host_port("192.168.1.200:2222", name, port);
  EXPECT_EQ(name, "192.168.1.200");
  EXPECT_EQ(port, 2222);
  split_host_port("[fd00:77::200]:8080", name, port);
  EXPECT_EQ(name, "[fd00:77::200]");
  EXPECT_EQ(port, 8080);
  split_host_port("example.org", name, port);
  EXPECT_EQ(name, "example.org");
  EXPECT_EQ(port, 0);
}

TEST(HttpAnalyzer, PairsPipelinedResponsesAndMarksSegments) {
  HttpAnalyzer a{AnalyzerEnv{}};
  FrameInfo f;
  AppFrame out;
  f.number = 4;
  f.ts_ns = 1'000;
  f.has_payload = true;
  a.data(0, bytes("GET /a HTTP/1.1\r\n\r\nHEAD /b HTTP/1.1\r\n\r\n"), f, out);
  a.frame_end(0, f, out);
  ASSERT_EQ(out.http.size(), 2u);
  // The answer to HEAD has a Content-Length but no body.
  std::string r1 = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123";
  out.clear();
  f.number = 6;
  f.ts_ns = 3'000;
  a.data(1, bytes(r1), f, out);
  a.frame_end(1, f, out);
  EXPECT_TRUE(out.http.empty());
  EXPECT_EQ(out.segment, AppFrame::Segment::PduStart);
  EXPECT_EQ(out.pdu_first_line, "HTTP/1.1 200 OK");
  out.clear();
  f.number = 7;
  a.data(1, bytes("45"), f, out);
  a.frame_end(1, f, out);
  EXPECT_EQ(out.segment, AppFrame::Segment::PduMiddle);
  out.clear();
  f.number = 8;
  f.ts_ns = 5'000;
  a.data(1, bytes("6789HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"), f, out);
  a.frame_end(1, f, out);
  ASSERT_EQ(out.http.size(), 2u);
  EXPECT_EQ(out.http[0].request_in, 4u);
  EXPECT_EQ(out.http[0].time_ns, 4'000);
  EXPECT_EQ(out.http[1].request_in, 4u); // HEAD answered without a body
  EXPECT_EQ(out.http[1].body_len, 0u);
}

TEST(HttpParser, GapInsideABodyIsAbsorbed) {
  HttpParser p(false);
  std::vector<HttpMessage> out;
  std::string err;
  ASSERT_TRUE(p.feed(bytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n012"), out, err));
  EXPECT_EQ(p.gap(4, out), HttpParser::GapEffect::Absorbed);
  ASSERT_TRUE(p.feed(bytes("789HTTP/1.1 204 No Content\r\n\r\n"), out, err));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].body_len, 10u);
  EXPECT_EQ(out[1].code, 204);
}

TEST(HttpParser, ResynchronisesAtTheNextFirstLine) {
  for (bool requests : {true, false}) {
    HttpParser p(requests);
    std::vector<HttpMessage> out;
    std::string err;
    // A gap at a message boundary: a whole message lost; the next one starts right after the gap.
    EXPECT_EQ(p.gap(100, out), HttpParser::GapEffect::Lost);
    std::string next = requests ? "GET /x HTTP/1.1\r\n\r\n" : "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    ASSERT_TRUE(p.feed(bytes(next), out, err)) << err;
    ASSERT_EQ(out.size(), 1u);
    // A gap cutting a message: what was seen of it completes; the rest (including lines that are
    // neither request nor status lines) is skipped up to the next first line.
    ASSERT_TRUE(p.feed(bytes(next.substr(0, 8)), out, err));
    EXPECT_EQ(p.gap(5, out), HttpParser::GapEffect::Lost); // the first line was not complete
    std::string junk = "ody tail\r\nX-Header: 1\r\n\r\nGET HTTP/1.1 nonsense\r\n";
    ASSERT_TRUE(p.feed(bytes(junk + next.substr(0, 5)), out, err)) << err;
    EXPECT_FALSE(p.in_message());
    ASSERT_TRUE(p.feed(bytes(next.substr(5)), out, err)) << err;
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[1].first_line, out[0].first_line);
    EXPECT_EQ(p.resync_skipped(), junk.size());
    ASSERT_TRUE(p.feed(bytes(next.substr(0, next.size() - 2)), out, err));
    EXPECT_EQ(p.gap(7, out), HttpParser::GapEffect::Cut);
    EXPECT_EQ(out.size(), 3u);
  }
}

TEST(HttpAnalyzer, LostResponseLeavesTheOldestRequestUnanswered) {
  Transactions log;
  AnalyzerEnv env;
  env.log = &log;
  HttpAnalyzer a{env};
  FrameInfo f;
  f.has_payload = true;
  AppFrame out;
  f.number = 1; // three pipelined requests
  a.data(0, bytes("GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\nGET /3 HTTP/1.1\r\n\r\n"), f, out);
  f.number = 2;
  a.data(1, bytes("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na"), f, out);
  f.number = 3;
  out.clear();
  a.gap(1, 38, f, out); // the response to /2
  a.data(1, bytes("HTTP/1.1 404 Not Found\r\nContent-Length: 1\r\n\r\nc"), f, out);
  ASSERT_EQ(out.http.size(), 1u);
  EXPECT_EQ(out.http[0].request_in, 1u);
  // A lost request: its response pairs with nothing, the next response with the next request.
  f.number = 4;
  a.gap(0, 20, f, out);
  f.number = 5;
  a.data(0, bytes("GET /5 HTTP/1.1\r\n\r\n"), f, out);
  f.number = 6;
  a.data(1, bytes("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"), f,
         out);
  a.finish();
  EXPECT_FALSE(a.failed());
  ASSERT_EQ(log.http.size(), 5u);
  EXPECT_EQ(log.http[0].status_code, 200);
  EXPECT_EQ(log.http[1].uri, "/2");
  EXPECT_FALSE(log.http[1].status_code.has_value());
  EXPECT_EQ(log.http[2].uri, "/3");
  EXPECT_EQ(log.http[2].status_code, 404);
  EXPECT_EQ(log.http[3].uri, "/5");
  EXPECT_EQ(log.http[3].status_code, 204);
  EXPECT_EQ(log.http[4].uri, ""); // the answer to the lost request
  EXPECT_EQ(log.http[4].status_code, 201);
}

TEST(HttpAnalyzer, RandomBytesNeverCrash) {
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    HttpAnalyzer a{AnalyzerEnv{}};
    AppFrame out;
    FrameInfo f;
    std::string s =
        round % 2 ? "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" : "GET / HTTP/1.1\r\n";
    for (int i = 0; i < 2000; ++i) s.push_back(static_cast<char>(rng() % 256));
    for (size_t at = 0; at < s.size() && !a.failed(); at += 100) {
      f.number++;
      a.data(round % 2, bytes(std::string_view(s).substr(at, 100)), f, out);
    }
    SUCCEED();
  }
}

} // namespace
} // namespace ps::app
