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
  bool encoded = false;  // a Content-Encoding other than identity: the body is compressed
  uint64_t body_len = 0; // body bytes as received (chunk framing removed)
  std::vector<std::pair<std::string, std::string>> headers; // up to a limit, for the tree
  uint64_t request_in = 0; // responses: the frame of the request they answer (0 unknown)
  int64_t time_ns = -1;    // responses: time since that request
  uint32_t index = 0;      // n-th request/response on the connection (1-based)

  // What tshark's single pass knows when it dissects the message.
  uint32_t requests_so_far = 0; // requests seen on the connection (the M of "HTTP request N/M")
  uint64_t prev_request = 0;    // frame of the previous request (0: none)
  uint64_t prev_response = 0;   // responses: frame of the previous response (0: none)
  std::string request_uri;      // responses: the full URI of the request answered
  std::string body;             // body bytes kept: text bodies up to the message limit, else a few
  std::string raw_head;         // the message's first bytes as sent (tcp.reassembled.data)
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
};

struct SmtpLine {
  bool request = false;
  std::string line;
  std::string command, param; // requests
  int code = -1;              // responses
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
  std::optional<FtpDataLink> ftp_data;
  uint32_t ftp_data_bytes = 0;

  std::vector<SmtpLine> smtp;
  uint32_t smtp_data_bytes = 0; // DATA-phase bytes in this frame
  bool smtp_data_end = false;   // this frame ended the message ("." line)
  std::string smtp_from, smtp_subject;

  std::vector<PopLine> pop;
  uint32_t pop_data_bytes = 0;

  bool telnet = false;
  std::vector<TelnetCommand> telnet_cmds;
  uint32_t telnet_data_bytes = 0;

  std::vector<std::vector<uint8_t>> dns_messages; // DNS over TCP, without the length prefix

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
    ftp_data.reset();
    ftp_data_bytes = 0;
    smtp.clear();
    smtp_data_bytes = 0;
    smtp_data_end = false;
    smtp_from.clear();
    smtp_subject.clear();
    pop.clear();
    pop_data_bytes = 0;
    telnet = false;
    telnet_cmds.clear();
    telnet_data_bytes = 0;
    dns_messages.clear();
    malformed.clear();
  }
};

} // namespace ps::app
