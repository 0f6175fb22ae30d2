// HTTP content codings tshark decodes (RFC 9110 section 8.4.1): gzip and deflate, with their x- aliases.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ps::app {

// Whether `coding` (a Content-Encoding value) is one decode_body() undoes.
bool decodable_coding(std::string_view coding);

struct DecodedBody {
  std::string head;  // the first decoded bytes, up to the `keep` given
  uint64_t size = 0; // every decoded byte
};

// Inflates a gzip, zlib or raw deflate body as Wireshark does (the header is detected; raw deflate when
// there is none). A stream cut short gives what it decoded so far. False when nothing could be decoded,
// or when the output would pass `limit` bytes (a bound against decompression bombs).
bool decode_body(std::string_view body, size_t keep, uint64_t limit, DecodedBody& out);

} // namespace ps::app
