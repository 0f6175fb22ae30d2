// Digests (RFC 1321 and FIPS 180-4 test vectors), URL parsing (RFC 3986 examples), SSH algorithm
// negotiation (RFC 4253 7.1), and the TLS analyzer on a ClientHello split across records and segments.
#include <gtest/gtest.h>

#include "app/ssh/ssh_analyzer.h"
#include "app/tls/digest.h"
#include "app/tls/tls_analyzer.h"
#include "app/tls/tls_parse.h"
#include "services/url.h"

namespace {

using namespace ps;

std::string md5s(std::string_view s) {
  return app::md5_hex(s);
}
std::string sha(std::string_view s) {
  return app::sha256_hex({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
}

TEST(Digest, Md5Rfc1321Suite) {
  EXPECT_EQ(md5s(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(md5s("a"), "0cc175b9c0f1b6a831c399e269772661");
  EXPECT_EQ(md5s("abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(md5s("message digest"), "f96b697d7cb7938d525a2f31aaf161d0");
  EXPECT_EQ(md5s("12345678901234567890123456789012345678901234567890123456789012345678901234567890"),
            "57edf4a22be3c955ac49da2e2107b67a");
}

TEST(Digest, Sha256Fips180Examples) {
  EXPECT_EQ(sha("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Url, SeedUrlNamesItsPort) {
  std::string err;
  auto u = parse_url("https://www.2000trainers.com:2222", err);
  ASSERT_TRUE(u) << err;
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->host, "www.2000trainers.com");
  ASSERT_TRUE(u->port);
  EXPECT_EQ(*u->port, 2222);
  EXPECT_EQ(scheme_default_port("https"), 443);
}

TEST(Url, Rfc3986Pieces) {
  std::string err;
  auto u = parse_url("foo://user:pw@[2001:db8::7]:8042/over/there?name=ferret#nose", err);
  ASSERT_TRUE(u) << err;
  EXPECT_EQ(u->userinfo, "user:pw");
  EXPECT_TRUE(u->ipv6);
  EXPECT_EQ(u->host, "2001:db8::7");
  EXPECT_EQ(*u->port, 8042);
  EXPECT_EQ(u->path, "/over/there");
  EXPECT_EQ(u->query, "name=ferret");
  EXPECT_EQ(u->fragment, "nose");
  auto v = parse_url("http://a@b@host/", err); // the userinfo "a@b" holds an unescaped '@'
  ASSERT_FALSE(v);
  for (const char* bad : {"http://[::1", "http://h:65536/", "http://h:x/", "mailto:a@b", "://h", "http://"})
    EXPECT_FALSE(parse_url(bad, err)) << bad;
}

TEST(Url, BrowserUrlOmitsDefaultPort) {
  EXPECT_EQ(browser_url("http", "example.org", 80, "/a"), "http://example.org/a");
  EXPECT_EQ(browser_url("http", "example.org", 2222, "/a"), "http://example.org:2222/a");
  EXPECT_EQ(browser_url("https", "fd00::1", 443, ""), "https://[fd00::1]/");
}

TEST(Ssh, NegotiationTakesTheClientsFirstCommonName) {
  EXPECT_EQ(app::ssh_negotiate("a,b,c", "c,b"), "b");
  EXPECT_EQ(app::ssh_negotiate("a", "b"), "");
}

// A ClientHello of `body_len` bytes, handed over as two records, each split across two segments.
TEST(Tls, HandshakeReassembledAcrossRecordsAndSegments) {
  std::vector<uint8_t> hello = {0x03, 0x03};
  hello.resize(2 + 32, 0x11);                                                 // random
  hello.push_back(0);                                                         // session id
  for (uint8_t b : {0, 4, 0x13, 0x01, 0x0a, 0x0a}) hello.push_back(b);        // 2 suites, one GREASE
  for (uint8_t b : {1, 0}) hello.push_back(b);                                // compression
  std::vector<uint8_t> ext = {0, 0, 0, 9, 0, 7, 0, 0, 4, 'h', 'o', 's', 't'}; // server_name "host"
  hello.push_back(static_cast<uint8_t>(ext.size() >> 8));
  hello.push_back(static_cast<uint8_t>(ext.size()));
  hello.insert(hello.end(), ext.begin(), ext.end());
  std::vector<uint8_t> msg = {1, 0, 0, static_cast<uint8_t>(hello.size())};
  msg.insert(msg.end(), hello.begin(), hello.end());
  std::vector<uint8_t> stream;
  const size_t half = msg.size() / 2;
  for (auto [from, to] : {std::pair{size_t{0}, half}, {half, msg.size()}}) {
    stream.insert(stream.end(), {22, 3, 1, 0, static_cast<uint8_t>(to - from)});
    stream.insert(stream.end(), msg.begin() + static_cast<long>(from), msg.begin() + static_cast<long>(to));
  }
  app::Transactions log;
  app::AnalyzerEnv env;
  env.log = &log;
  app::TlsAnalyzer a(env);
  app::FrameInfo f;
  std::vector<app::AppFrame> frames(3);
  const size_t cuts[] = {0, 3, stream.size() - 4, stream.size()};
  for (int i = 0; i < 3; ++i)
    a.data(0, std::span<const uint8_t>(stream).subspan(cuts[i], cuts[i + 1] - cuts[i]), f,
           frames[static_cast<size_t>(i)]);
  EXPECT_TRUE(frames[0].tls.empty());
  EXPECT_EQ(frames[0].tls_segment, 1);
  ASSERT_EQ(frames[1].tls.size(), 1u);
  ASSERT_EQ(frames[1].tls[0].handshakes.size(), 1u);
  EXPECT_TRUE(frames[1].tls[0].handshakes[0].fragment);
  ASSERT_EQ(frames[2].tls.size(), 1u);
  const app::TlsHandshakeMsg& m = frames[2].tls[0].handshakes.at(0);
  EXPECT_FALSE(m.fragment);
  EXPECT_EQ(m.pieces, 2u);
  app::tls::Hello h;
  ASSERT_TRUE(app::tls::parse_hello(m.body, true, h));
  EXPECT_EQ(h.server_name, "host");
  EXPECT_EQ(app::tls::ja3_string(h), "771,4865,0,,"); // GREASE left out
  a.finish();
  ASSERT_EQ(log.ssl.size(), 1u);
  EXPECT_EQ(log.ssl[0].server_name, "host");
}

} // namespace
