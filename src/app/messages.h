// What the application analyzers found, attached to the frame that completed each message. The
// describers (src/app/describe/) turn an AppFrame into record items; `portscope log` reads the
// transactions (src/app/transactions.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "app/service.h"

namespace ps::app {

struct HttpMessage {
  bool request = false;
  std::string first_line;
  std::string method, uri, version; // request line
  uint16_t code = 0;                // response line
  std::string phrase;
  std::string host, user_agent, content_type, referer, server;
  std::optional<uint64_t> content_length;
  bool chunked = false;
  bool encoded = false;         // a Content-Encoding other than identity: the body is compressed
  uint64_t body_len = 0;        // body bytes as received (chunk framing removed)
  std::string content_encoding; // the Content-Encoding value as sent
  bool decoded = false;         // the whole body was gzip/deflate and is decoded: `body` holds the result
  uint64_t decoded_len = 0;     // then its decoded size
  std::vector<std::pair<std::string, std::string>> headers; // up to a limit, for the tree
  uint64_t request_in = 0; // responses: the frame of the request they answer (0 unknown)
  int64_t time_ns = -1;    // responses: time since that request
  uint32_t index = 0;      // n-th request/response on the connection (1-based)

  // What tshark's single pass knows when it dissects the message.
  uint32_t requests_so_far = 0; // requests seen on the connection (the M of "HTTP request N/M")
  uint64_t prev_request = 0;    // frame of the previous request (0: none)
  uint64_t prev_response = 0;   // responses: frame of the previous response (0: none)
  std::string request_uri;      // responses: the full URI of the request answered
  std::string body;     // body bytes kept: text and compressed bodies up to the message limit, else a few
  std::string raw_head; // the message's first bytes as sent (tcp.reassembled.data)
  uint64_t stream_begin = 0, stream_end = 0;           // offsets in this direction's stream
  std::vector<std::pair<uint64_t, uint32_t>> segments; // (frame, bytes) when the message spans frames
  bool truncated = false;   // the capture cut the frame inside the headers (small snapshot length)
  std::string partial_line; // then the header line it cut, when it is one ("Server: Simpl")
};

struct FtpLine {
  bool request = false;
  std::string line;
  std::string command, arg; // requests
  int code = -1;            // responses starting with three digits
  std::string response_arg;
};

// A data connection announced on an FTP control connection.
struct FtpDataLink {
  uint64_t setup_frame = 0; // frame of the PORT/EPRT request or the 227/229 reply
  std::string setup_method; // PORT, PASV, EPRT, EPSV
  uint32_t control_stream = 0;
  std::string command; // RETR/STOR/LIST ... with its argument, as last seen on the control connection
  uint64_t command_frame = 0;
  std::string cwd; // the control connection's working directory (FtpControlState::cwd)
};

// What an AUTH exchange line carries (RFC 4954), as tshark names it.
enum class SmtpAuth : uint8_t { None, Username, Password, UsernamePassword };

struct SmtpLine {
  bool request = false;
  std::string line;
  std::string command, param; // requests (empty command: a bare AUTH credential line)
  int code = -1;              // responses
  SmtpAuth auth = SmtpAuth::None;
  std::string auth_value; // the credential as sent (base64, not decoded, as tshark's default)
};

struct SmtpFragment {
  uint64_t frame = 0;
  uint32_t len = 0;
};

struct PopLine {
  bool request = false;
  std::string line;
  std::string command, param; // requests
  std::string indicator;      // responses: +OK / -ERR (empty on continuation lines)
  std::string description;
};

struct TelnetCommand {
  uint8_t cmd = 0;     // 240..254
  int option = -1;     // for WILL/WONT/DO/DONT/SB
  uint32_t offset = 0; // in the frame's payload
  uint32_t length = 0;
};

// A TLS handshake message completed in a record (reassembled when it spanned records), or the piece of
// one that continues in a later record (fragment).
struct TlsHandshakeMsg {
  uint8_t type = 0;
  uint32_t length = 0;
  std::vector<uint8_t> body; // complete messages only
  bool fragment = false;
  bool continued = false; // a fragment that continues a message begun in an earlier record
  uint32_t pieces = 1;    // records the message spanned (reassembled when > 1)
};

// One TLS record completed in this frame (the record layer is reassembled across segments).
struct TlsRecord {
  uint8_t content_type = 0;
  uint16_t version = 0;
  uint16_t length = 0;
  bool opaque = false;       // TLS 1.3 protected record: tls.record.opaque_type
  bool encrypted = false;    // after ChangeCipherSpec: "Encrypted Handshake Message" / "Encrypted Alert"
  std::vector<uint8_t> data; // the fragment (application data, change cipher spec, alerts)
  std::vector<TlsHandshakeMsg> handshakes;
  uint16_t shown_version = 0; // the session's version after this record, else the record's own
  // What application data carries: 0 unknown, 1 HTTP/1.x, 2 HTTP/2 (ALPN or port 443), 3 SMTP, 4 POP,
  // 5 FTP (STARTTLS).
  uint8_t app_proto = 0;
};

// An SSH message of the clear-text part of the protocol (banner, binary packets before NEWKEYS), or an
// encrypted packet after it.
struct SshMessage {
  bool banner = false;
  bool v1 = false;           // an SSH-1 packet (its padding_length is computed: 8 - length % 8)
  bool v1_encrypted = false; // an SSH-1 packet after the session key: only its length is in clear
  std::string protocol;      // banner line without CR LF
  bool encrypted = false;
  uint32_t packet_length = 0;
  uint8_t padding_length = 0;
  uint8_t code = 0;
  std::vector<uint8_t> payload;    // after the message code, up to the padding
  uint32_t encrypted_len = 0;      // encrypted: bytes of this frame's piece
  std::string kex_method;          // the negotiated key exchange, once both KEXINITs were seen
  std::string cipher, compression; // this direction's, from its NEWKEYS on (tshark's version line)
};

// Everything the analyzers attach to one frame.
struct AppFrame {
  bool valid = false; // the frame belongs to an analyzed TCP connection
  uint32_t stream = 0;
  Service service = Service::None;
  ServiceSource source = ServiceSource::None;
  bool payload = false; // the frame carried stream bytes for the analyzer

  // HTTP (tshark's single-pass placement): a PDU started here but is not complete, or this frame
  // carries only the middle of a PDU.
  enum class Segment : uint8_t { None, PduStart, PduMiddle } segment = Segment::None;
  std::string pdu_first_line;
  bool continuation = false;       // HTTP body bytes seen without their header (per-segment mode)
  uint32_t segment_bytes = 0;      // bytes of this frame that belong to a PDU spanning several frames
  uint32_t continuation_bytes = 0; // with `continuation`: the bytes shown as File Data
  bool http_truncated = false;     // HTTP dissected what the capture kept of a cut frame
  bool http_unreassembled = false; // a bad-checksum segment ended inside HTTP headers (tshark's BoundError)
  std::vector<HttpMessage> http;

  std::vector<FtpLine> ftp;
  std::string ftp_cwd; // with ftp lines: the control connection's working directory after them
  std::optional<FtpDataLink> ftp_data;
  uint32_t ftp_data_bytes = 0;

  std::vector<SmtpLine> smtp;
  uint32_t smtp_data_bytes = 0; // DATA-phase bytes in this frame
  bool smtp_data_end = false;   // this frame ended the message ("." line)
  std::string smtp_from, smtp_subject;
  std::string smtp_imf_info;                // with smtp_data_end: tshark's IMF Info column
  std::string smtp_data_text;               // this frame's DATA-phase bytes (at most --max-message)
  std::vector<SmtpFragment> smtp_fragments; // with smtp_data_end: every frame of the message

  std::vector<PopLine> pop;
  uint32_t pop_data_bytes = 0;

  bool telnet = false;
  std::vector<TelnetCommand> telnet_cmds;
  uint32_t telnet_data_bytes = 0;

  std::vector<std::vector<uint8_t>> dns_messages; // DNS over TCP, without the length prefix

  std::vector<TlsRecord> tls;
  uint16_t tls_version = 0; // the session's version as known after this frame (0: not negotiated yet)
  // Bytes here complete no record/packet ("[TCP segment of a reassembled PDU]"): 1 the PDU starts here,
  // 2 it started in an earlier frame.
  uint8_t tls_segment = 0;

  std::vector<SshMessage> ssh;
  bool ssh_from_server = false;
  bool ssh_v2 = false;     // the banner exchange said 2.0 (tshark's SSHv2 column after the server's banner)
  uint8_t ssh_segment = 0; // as tls_segment

  std::string malformed; // an analyzer gave up on its connection in this frame

  // Runs for every frame: resets member by member, keeping the containers' storage (assigning a
  // fresh AppFrame{} built and freed them all each time). Keep in step with the members above.
  void clear() {
    valid = false;
    stream = 0;
    service = Service::None;
    source = ServiceSource::None;
    payload = false;
    segment = Segment::None;
    pdu_first_line.clear();
    continuation = false;
    segment_bytes = 0;
    continuation_bytes = 0;
    http_truncated = false;
    http_unreassembled = false;
    http.clear();
    ftp.clear();
    ftp_cwd.clear();
    ftp_data.reset();
    ftp_data_bytes = 0;
    smtp.clear();
    smtp_data_bytes = 0;
    smtp_data_end = false;
    smtp_from.clear();
    smtp_subject.clear();
    smtp_imf_info.clear();
    smtp_data_text.clear();
    smtp_fragments.clear();
    pop.clear();
    pop_data_bytes = 0;
    telnet = false;
    telnet_cmds.clear();
    telnet_data_bytes = 0;
    dns_messages.clear();
    tls.clear();
    tls_version = 0;
    tls_segment = 0;
    ssh.clear();
    ssh_from_server = false;
    ssh_v2 = false;
    ssh_segment = 0;
    malformed.clear();
  }
};

} // namespace ps::app
