// A DNS message (RFC 1035 + EDNS0) parsed into plain structs. parse_dns() is a pure function over
// untrusted bytes: every length, count and compression pointer is checked, nothing is read outside
// the span, and what was parsed before an error is kept so callers can still show it.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ps::dns {

inline constexpr size_t kHeaderLen = 12;
inline constexpr size_t kMaxNameWire = 255;  // RFC 1035 2.3.4: octets on the wire, root byte included
inline constexpr unsigned kMaxPointers = 64; // compression pointers followed for one name

namespace type {
inline constexpr uint16_t A = 1, NS = 2, CNAME = 5, SOA = 6, PTR = 12, MX = 15, TXT = 16, AAAA = 28, SRV = 33,
                          OPT = 41;
}

enum class Error : uint8_t {
  None,
  ShortHeader,       // fewer than 12 bytes
  Truncated,         // a record, name or field runs past the end of the message
  BadLabelType,      // label length byte 0x40..0xbf (a label longer than 63, or a reserved type)
  NameTooLong,       // more than 255 octets once decompressed
  PointerLoop,       // more than kMaxPointers compression pointers in one name
  PointerOutOfRange, // compression pointer at or past the end of the message
  BadRdata,          // RDATA inconsistent with its type (e.g. a name longer than RDLENGTH)
};

std::string_view error_text(Error e);

struct Name {
  std::string text;      // "www.corp.test"; "<Root>" for the root
  uint32_t offset = 0;   // where the name starts in the message
  uint32_t wire_len = 0; // bytes it occupies at `offset` (up to and including the first pointer)
  uint16_t labels = 0;
  uint16_t text_len = 0; // unescaped dotted length; the root counts as "<Root>" (6), as in tshark
};

struct Question {
  Name name;
  uint16_t type = 0;
  uint16_t qclass = 0;
  uint32_t offset = 0, length = 0;
};

struct TxtString {
  uint32_t offset = 0; // of the text, after its length byte
  uint8_t length = 0;
};

struct EdnsOption {
  uint16_t code = 0;
  uint16_t length = 0;
  uint32_t offset = 0; // of the option data
};

struct Record {
  Name name;
  uint16_t type = 0;
  uint16_t rclass = 0; // OPT: the requester's UDP payload size
  uint32_t ttl = 0;    // OPT: extended RCODE (8) | version (8) | Z (16)
  uint16_t rdlength = 0;
  uint32_t offset = 0, length = 0; // whole record
  uint32_t rdata_offset = 0;
  bool rdata_parsed = false; // the typed fields below are valid

  std::array<uint8_t, 16> addr{}; // A (first 4 bytes) / AAAA
  uint16_t preference = 0;        // MX preference, SRV priority
  uint16_t weight = 0, port = 0;  // SRV
  Name target;                    // CNAME, NS, PTR, MX exchange, SRV target, SOA mname
  Name rname;                     // SOA
  uint32_t serial = 0, refresh = 0, retry = 0, expire = 0, minimum = 0; // SOA
  std::vector<TxtString> txt;                                           // TXT
  std::vector<EdnsOption> options;                                      // OPT
};

struct Flags {
  bool qr = false;
  uint8_t opcode = 0;
  bool aa = false, tc = false, rd = false, ra = false, z = false, ad = false, cd = false;
  uint8_t rcode = 0;
};

struct Message {
  uint16_t id = 0;
  uint16_t raw_flags = 0;
  Flags flags;
  uint16_t qdcount = 0, ancount = 0, nscount = 0, arcount = 0; // as on the wire (may lie)
  std::vector<Question> questions;
  std::vector<Record> answers, authority, additional;
};

struct ParseResult {
  Message msg;
  Error error = Error::None;
  uint32_t error_offset = 0; // where parsing stopped
  uint32_t consumed = 0;     // bytes of the message used by the header and the parsed sections
  bool ok() const { return error == Error::None; }
};

// Parses one complete DNS message (UDP payload, or a TCP message without its length prefix).
ParseResult parse_dns(std::span<const uint8_t> msg);

// Reads the name at `off` into `out`. Exposed for tests and other DNS-like protocols.
Error read_name(std::span<const uint8_t> msg, uint32_t off, Name& out);

// Strict check for payloads on unregistered ports: a well-formed header, at least one question, sane
// opcode, and every counted section parsed with no bytes left over.
bool looks_like_dns(std::span<const uint8_t> msg);

} // namespace ps::dns
