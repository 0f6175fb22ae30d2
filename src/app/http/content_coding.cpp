#include "app/http/content_coding.h"

#include <zlib.h>

#include "app/http/media_type.h"

#include <algorithm>
#include <array>

namespace ps::app {

namespace {

// One inflate pass with zlib's window-bits convention (15+32: gzip or zlib header; -15: raw).
// Returns the zlib result; `out` holds what was decoded.
int inflate_with(std::string_view in, int window_bits, size_t keep, uint64_t limit, DecodedBody& out) {
  out = DecodedBody{};
  z_stream z{};
  if (inflateInit2(&z, window_bits) != Z_OK) return Z_MEM_ERROR;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  std::array<unsigned char, 16384> buf;
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = buf.data();
    z.avail_out = buf.size();
    rc = inflate(&z, Z_NO_FLUSH);
    const size_t got = buf.size() - z.avail_out;
    if (out.head.size() < keep)
      out.head.append(reinterpret_cast<const char*>(buf.data()), std::min(got, keep - out.head.size()));
    out.size += got;
    if (out.size > limit) {
      rc = Z_MEM_ERROR;
      break;
    }
    if (rc == Z_OK && got == 0 && z.avail_in == 0) break; // the input ended inside the stream
    // A gzip member ends; another may follow (RFC 1952 allows several).
    if (rc == Z_STREAM_END && z.avail_in > 0 && window_bits > 15 && inflateReset(&z) == Z_OK) rc = Z_OK;
  }
  inflateEnd(&z);
  return rc;
}

} // namespace

bool decodable_coding(std::string_view coding) {
  return media_iequals(coding, "gzip") || media_iequals(coding, "x-gzip") ||
         media_iequals(coding, "deflate") || media_iequals(coding, "x-deflate");
}

bool decode_body(std::string_view body, size_t keep, uint64_t limit, DecodedBody& out) {
  if (body.empty() || body.size() > UINT32_MAX) return false;
  int rc = inflate_with(body, 15 + 32, keep, limit, out);
  if (rc == Z_MEM_ERROR) return false;
  if (out.size > 0) return true;
  // No header: "deflate" is often sent raw (RFC 1951) although RFC 9110 names the zlib format.
  rc = inflate_with(body, -15, keep, limit, out);
  return rc != Z_MEM_ERROR && out.size > 0;
}

} // namespace ps::app
