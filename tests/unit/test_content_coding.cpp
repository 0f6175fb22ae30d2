// HTTP content codings: gzip, zlib and raw deflate bodies decoded as Wireshark decodes them, with
// streams cut short, garbage and decompression bombs; and the parser decoding a whole gzip response.
#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

#include "app/http/content_coding.h"
#include "app/http/http_parser.h"

namespace ps::app {
namespace {

// `window_bits` as zlib takes them: 15+16 gzip, 15 zlib, -15 raw deflate.
std::string compress(const std::string& in, int window_bits) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 9, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, in.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string text(size_t lines) {
  std::string s;
  for (size_t i = 0; i < lines; ++i) s += "<tr><td>line " + std::to_string(i) + "</td></tr>\n";
  return s;
}

TEST(ContentCoding, GzipZlibAndRawDeflate) {
  const std::string plain = text(2000);
  for (int bits : {15 + 16, 15, -15}) {
    DecodedBody d;
    ASSERT_TRUE(decode_body(compress(plain, bits), 1 << 20, 1 << 24, d)) << bits;
    EXPECT_EQ(d.size, plain.size());
    EXPECT_EQ(d.head, plain);
  }
}

TEST(ContentCoding, KeepsAHeadButCountsEverything) {
  const std::string plain = text(5000);
  DecodedBody d;
  ASSERT_TRUE(decode_body(compress(plain, 31), 100, 1 << 24, d));
  EXPECT_EQ(d.size, plain.size());
  EXPECT_EQ(d.head, plain.substr(0, 100));
}

TEST(ContentCoding, CutStreamGivesWhatItDecoded) {
  const std::string plain = text(5000);
  const std::string z = compress(plain, 31);
  DecodedBody d;
  ASSERT_TRUE(decode_body(z.substr(0, z.size() / 2), 1 << 20, 1 << 24, d));
  EXPECT_GT(d.size, 0u);
  EXPECT_LT(d.size, plain.size());
  EXPECT_EQ(d.head, plain.substr(0, d.head.size()));
}

TEST(ContentCoding, GarbageAndBombsAreNotDecoded) {
  DecodedBody d;
  EXPECT_FALSE(decode_body("", 100, 1000, d));
  EXPECT_FALSE(decode_body(std::string(64, '\xff'), 100, 1000, d));
  const std::string zeros(1 << 20, '\0');
  EXPECT_FALSE(decode_body(compress(zeros, 31), 100, 1 << 16, d)); // 1 MiB out of ~1 KiB: over the limit
  EXPECT_TRUE(decode_body(compress(zeros, 31), 100, 1 << 21, d));
  EXPECT_EQ(d.size, zeros.size());
}

TEST(ContentCoding, Names) {
  for (const char* c : {"gzip", "GZIP", "x-gzip", "deflate", "x-deflate"})
    EXPECT_TRUE(decodable_coding(c)) << c;
  for (const char* c : {"br", "compress", "identity", ""}) EXPECT_FALSE(decodable_coding(c)) << c;
}

TEST(ContentCoding, ParserDecodesAWholeGzipResponse) {
  const std::string plain = text(300), body = compress(plain, 31);
  const std::string wire =
      "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  HttpParser p(false);
  std::vector<HttpMessage> out;
  std::string err;
  ASSERT_TRUE(p.feed({reinterpret_cast<const uint8_t*>(wire.data()), wire.size()}, out, err)) << err;
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].decoded);
  EXPECT_EQ(out[0].content_encoding, "gzip");
  EXPECT_EQ(out[0].body_len, body.size()); // as received, for the logs
  EXPECT_EQ(out[0].decoded_len, plain.size());
  EXPECT_EQ(out[0].body, plain);
}

} // namespace
} // namespace ps::app
