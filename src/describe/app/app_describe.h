// Describers for what the application analyzers attached to a frame (src/app/messages.h): record items
// for the tree, -T fields and JSON, and the Protocol/Info columns as tshark shows them.
#pragma once

#include "app/messages.h"
#include "describe/proto/context.h"

namespace ps::app {

void describe_http(proto::Ctx& c, const AppFrame& f);
void describe_ftp(proto::Ctx& c, const AppFrame& f);
void describe_ftp_data(proto::Ctx& c, const AppFrame& f);
void describe_smtp(proto::Ctx& c, const AppFrame& f);
void describe_pop(proto::Ctx& c, const AppFrame& f);
void describe_telnet(proto::Ctx& c, const AppFrame& f);
void describe_tls(proto::Ctx& c, const AppFrame& f);
void describe_ssh(proto::Ctx& c, const AppFrame& f);
// SSDP (HTTP over UDP port 1900), one message per datagram, as tshark dissects it; false when the
// datagram is not an SSDP message (not port 1900, or no HTTP request or status line).
bool describe_ssdp(proto::Ctx& c);

// One HTTP message's items under its protocol item (HTTP's, or SSDP's), and its Info text.
void describe_http_message(Record& r, const HttpMessage& m, F proto, std::string_view label);
void http_info_text(const HttpMessage& m, fmt::memory_buffer& out);

// Helpers shared by the describers.
// Replaces the Info column, keeping TCP's leading "[TCP ...] " analysis notes as tshark does.
void set_info(Record& r, std::string_view text);
// tshark's "[TCP segment of a reassembled PDU]": the Info column of a frame that starts a PDU (where 1),
// or a note after it for one inside a PDU (2).
void segment_note(Record& r, int where);
// tshark's tree label for a long value: "Label: value", or "Label [truncated]: valu" cut at 238 characters.
std::string_view long_label(Record& r, std::string_view label, std::string_view value);
// A string field item with "Label: value" tree text.
void add_string(Record& r, F f, std::string_view value, uint32_t off = 0, uint32_t len = 0);
// A generated reference to another frame ("[Response in: 12]"); nothing when frame is 0.
void frame_ref(Record& r, F f, uint64_t frame, std::string_view label);
// tshark's data-text-lines: the number of lines of `body` (a last line without its newline counts), and
// the subtree `label` with one line per body line ("text\r\n", control characters escaped); pop it after.
size_t count_text_lines(std::string_view body);
// tshark hands printable ftp-data payloads to its line-based text dissector.
bool ftp_data_is_text(std::span<const uint8_t> payload);
void push_text_lines(Record& r, std::string_view label, std::string_view body);
using proto::expert_item;
// A tree-only text line ("USER anonymous\r\n") that opens a subtree; returns whether one was pushed.
bool push_line(Record& r, std::string_view line, uint32_t off, uint32_t len);

} // namespace ps::app
